/* loom-controller.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The scheduler core.  One thread owns every socket and runs a zmq_poll loop:
 *
 *   clients  DEALER -> ROUTER (client_sock)
 *   engines  DEALER -> ROUTER (engine_sock)
 *   events   PUB    -> SUB    (event_sock)
 *
 * It parses only the small JSON it needs to schedule; task parameters,
 * results and per-task details travel as opaque JSON lines and are stored
 * and forwarded as slices of the buffers they arrived in.
 *
 * This file holds the object, its settings, binding the sockets and the
 * loop; each wake-up drains engine then client messages
 * (loom-controller-engine-messages.c, loom-controller-requests.c), checks
 * heartbeats (loom-controller-engines.c), schedules
 * (loom-controller-scheduling.c) and flushes dispatches, results
 * (loom-controller-jobs.c) and events (loom-controller-events.c).
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <signal.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "loom-controller-private.h"
#include "loom-zap-private.h"
#include "loom-error.h"
#include "loom-launcher-private.h"
#include "loom-util-private.h"

#define DEFAULT_HEARTBEAT_TIMEOUT_MS 2000
#define DEFAULT_RETRIES              2
#define MAX_MESSAGES_PER_WAKEUP      512
#define SHUTDOWN_GRACE_USEC          (2 * G_USEC_PER_SEC)
#define MAX_PARAMS_BYTES_PER_WAKEUP  ((gsize) 16 * 1024 * 1024)
#define SLOW_WAKEUP_USEC             (G_USEC_PER_SEC / 4)

G_DEFINE_FINAL_TYPE (LoomController, loom_controller, G_TYPE_OBJECT)

static guint private_counter;

static void
loom_controller_finalize (GObject *object)
{
  LoomController *self = (LoomController *) object;

  if (self->thread != NULL)
    loom_controller_stop (self);

  ctl_store_free (self);
  g_clear_pointer (&self->gone_identities, g_hash_table_unref);
  g_queue_clear_full (&self->gone_order, (GDestroyNotify) g_bytes_unref);
  ctl_clients_clear (self);
  g_clear_pointer (&self->incomplete_jobs, g_ptr_array_unref);
  g_queue_clear_full (&self->resends, (GDestroyNotify) ctl_resend_free);
  g_clear_pointer (&self->profile, g_free);
  g_clear_pointer (&self->connection_path, g_free);
  g_clear_pointer (&self->state_connection_path, g_free);
  g_clear_pointer (&self->conn, loom_connection_free);
  g_clear_pointer (&self->wire, loom_wire_free);
  g_clear_pointer (&self->engine_wire, loom_wire_free);
  g_clear_pointer (&self->engine_connection_path, g_free);
  g_clear_pointer (&self->zap_domain, g_free);
  g_clear_pointer (&self->tcp_ip, g_free);
  g_clear_pointer (&self->engine_log_dir, g_free);
  g_clear_pointer (&self->replacements, g_ptr_array_unref);
  g_clear_pointer (&self->replaced_at, g_array_unref);
  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->lock_path, g_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->engines, g_ptr_array_unref);
  g_clear_pointer (&self->engine_by_identity, g_hash_table_unref);
  g_clear_pointer (&self->jobs, g_hash_table_unref);
  g_clear_pointer (&self->dirty_jobs, g_ptr_array_unref);
  g_clear_pointer (&self->dirty_engines, g_ptr_array_unref);
  g_queue_clear (&self->pending_jobs);
  for (guint i = 0; i < G_N_ELEMENTS (self->events); i++)
    if (self->events[i])
      g_string_free (self->events[i], TRUE);
  if (self->wake_fd >= 0)
    close (self->wake_fd);

  G_OBJECT_CLASS (loom_controller_parent_class)->finalize (object);
}

static void
loom_controller_class_init (LoomControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = loom_controller_finalize;
}

static void
loom_controller_init (LoomController *self)
{
  self->scheme = LOOM_SCHEME_LEASTLOAD;
  self->hwm = 0;  /* auto */
  self->heartbeat_timeout_ms = DEFAULT_HEARTBEAT_TIMEOUT_MS;
  self->retries = DEFAULT_RETRIES;
  self->max_message = LOOM_DEFAULT_MAX_MESSAGE;
  self->max_jobs = CTL_DEFAULT_MAX_JOBS;
  self->max_job_tasks = CTL_DEFAULT_MAX_JOB_TASKS;
  self->max_job_params = CTL_DEFAULT_MAX_JOB_PARAMS;
  self->wake_fd = loom_eventfd_new ();
  self->lock_fd = -1;
  self->rand = g_rand_new ();
  self->engines = g_ptr_array_new_with_free_func ((GDestroyNotify) ctl_engine_free);
  self->engine_by_identity = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  self->jobs = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) ctl_job_free);
  self->dirty_jobs = g_ptr_array_new ();
  self->dirty_engines = g_ptr_array_new ();
  self->next_job_id = 1;
  self->keep_jobs = -1;
  self->incomplete_jobs = g_ptr_array_new ();
  self->replacements = g_ptr_array_new_with_free_func (g_object_unref);
  self->replaced_at = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->gone_identities = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
  ctl_clients_init (self);
  self->events[0] = g_string_new (NULL);
  self->events[1] = g_string_new (NULL);
  g_queue_init (&self->pending_jobs);
  g_queue_init (&self->resends);
}

/**
 * loom_controller_new:
 * @profile: (nullable): the profile to publish a connection file for, or
 *   %NULL for a private controller whose file is removed when it stops
 *
 * Returns: (transfer full): a new, not yet started, controller
 */
LoomController *
loom_controller_new (const char *profile)
{
  LoomController *self;

  g_return_val_if_fail (profile == NULL || loom_profile_name_is_valid (profile), NULL);

  self = g_object_new (LOOM_TYPE_CONTROLLER, NULL);
  if (profile != NULL)
    self->profile = g_strdup (profile);
  else
    {
      self->private_profile = TRUE;
      self->profile = g_strdup_printf ("private-%d-%u", (int) getpid (),
                                       g_atomic_int_add (&private_counter, 1));
    }

  return self;
}

const char *
loom_controller_get_profile (LoomController *self)
{
  g_return_val_if_fail (LOOM_IS_CONTROLLER (self), NULL);
  return self->profile;
}

void
loom_controller_set_scheme (LoomController *self,
                            LoomScheme      scheme)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  g_return_if_fail (scheme <= LOOM_SCHEME_RANDOM);
  self->scheme = scheme;
}

LoomScheme
loom_controller_get_scheme (LoomController *self)
{
  g_return_val_if_fail (LOOM_IS_CONTROLLER (self), LOOM_SCHEME_LEASTLOAD);
  return self->scheme;
}

/**
 * loom_controller_set_hwm:
 * @self: a #LoomController
 * @hwm: how many tasks an engine may hold at once, or 0 for auto
 *
 * With 0 (auto, the default) each engine holds one task, and more only
 * while its recent tasks are short compared with the round trip of a
 * dispatch (at most 64), and only when no engine that could take the task
 * is idle.  A fixed @hwm lets every engine hold up to @hwm tasks.
 */
void
loom_controller_set_hwm (LoomController *self,
                         guint           hwm)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  g_return_if_fail (!self->running);
  self->hwm = hwm;
}

guint
loom_controller_get_hwm (LoomController *self)
{
  g_return_val_if_fail (LOOM_IS_CONTROLLER (self), 0);
  return self->hwm;
}

/**
 * loom_controller_set_heartbeat_timeout:
 * @self: a #LoomController
 * @timeout_ms: after how long without a heartbeat an engine is dead
 */
void
loom_controller_set_heartbeat_timeout (LoomController *self,
                                       guint           timeout_ms)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  g_return_if_fail (!self->running);
  self->heartbeat_timeout_ms = MAX (timeout_ms, 100);
}

guint
loom_controller_get_heartbeat_timeout (LoomController *self)
{
  g_return_val_if_fail (LOOM_IS_CONTROLLER (self), 0);
  return self->heartbeat_timeout_ms;
}

/**
 * loom_controller_set_retries:
 * @self: a #LoomController
 * @retries: how often a task whose engine died is run again before it is lost
 *
 * The default for jobs that do not say; a job may ask for its own.
 */
void
loom_controller_set_retries (LoomController *self,
                             guint           retries)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  self->retries = retries;
}

/**
 * loom_controller_set_replace_engines:
 * @self: a #LoomController, not started yet
 * @replace: whether to replace engines of this host that die or are ended
 * @log_dir: (nullable): where the replacements write engine-PID.log;
 *   %NULL to inherit this process's stdout and stderr
 * @grace_ms: how long the replacements outlive a silent controller; 0 for
 *   the engine's default
 *
 * A local cluster never stays short of engines: an engine of this host
 * that dies (a task crashed it, its heartbeats stopped) or that ended
 * itself to stop a task it could not interrupt (a timeout, an abort) is
 * replaced at once by a new loom-engine started by the controller.
 * Engines stopped on purpose are not.
 */
void
loom_controller_set_replace_engines (LoomController *self,
                                     gboolean        replace,
                                     const char     *log_dir,
                                     guint           grace_ms)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  self->replace_engines = replace;
  g_free (self->engine_log_dir);
  self->engine_log_dir = g_strdup (log_dir);
  self->engine_grace_ms = grace_ms;
}

void
loom_controller_set_max_message_size (LoomController *self,
                                      gsize           max_size)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  g_return_if_fail (!self->running);
  self->max_message = max_size ? max_size : LOOM_DEFAULT_MAX_MESSAGE;
}

void
loom_controller_set_job_limits (LoomController *self,
                                guint           max_jobs,
                                guint           max_job_tasks,
                                guint64         max_job_params)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));

  self->max_jobs = max_jobs ? max_jobs : CTL_DEFAULT_MAX_JOBS;
  self->max_job_tasks = max_job_tasks ? max_job_tasks : CTL_DEFAULT_MAX_JOB_TASKS;
  self->max_job_params = max_job_params ? max_job_params : CTL_DEFAULT_MAX_JOB_PARAMS;
}

/**
 * loom_controller_set_tcp:
 * @self: a #LoomController
 * @ip: (nullable): the address to listen on over TCP, or %NULL for ipc://
 *
 * Local clusters default to ipc:// endpoints in $XDG_RUNTIME_DIR; remote
 * engines need TCP.
 */
void
loom_controller_set_tcp (LoomController *self,
                         const char     *ip)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  g_return_if_fail (!self->running);
  g_free (self->tcp_ip);
  self->tcp_ip = g_strdup (ip);
}

/**
 * loom_controller_set_location:
 * @self: a #LoomController
 * @location: (nullable): the host name or address others reach this
 *   controller at, or %NULL for the default
 *
 * With TCP, the connection files name the address the controller listens
 * on, or this host's name when it listens on every address (0.0.0.0).  A
 * location overrides both: a name that resolves on the engines' hosts, or
 * the address a NAT forwards.
 */
void
loom_controller_set_location (LoomController *self,
                              const char     *location)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  g_return_if_fail (!self->running);
  g_free (self->location);
  self->location = g_strdup (location);
}

/**
 * loom_controller_set_store:
 * @self: a #LoomController
 * @enabled: whether to keep jobs in a store on disk
 * @path: (nullable): the store's file, or %NULL for the profile's
 *   (`$XDG_STATE_HOME/loom/<profile>/jobs.db`)
 *
 * A controller of a named profile keeps its jobs in a store by default,
 * so they outlive it: a restarted controller runs its unfinished jobs
 * again and answers for the finished ones.  A private controller keeps no
 * store unless given a @path.
 */
void
loom_controller_set_store (LoomController *self,
                           gboolean        enabled,
                           const char     *path)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  g_return_if_fail (!self->running);
  self->store_disabled = !enabled;
  g_free (self->store_path);
  self->store_path = enabled ? g_strdup (path) : NULL;
}

/**
 * loom_controller_set_retention:
 * @self: a #LoomController
 * @keep_jobs: how many finished jobs the store keeps, or -1 for all
 * @keep_for_usec: how long it keeps a finished job, or 0 for ever
 *
 * Finished jobs beyond either limit are removed as jobs finish.
 */
void
loom_controller_set_retention (LoomController *self,
                               gint64          keep_jobs,
                               gint64          keep_for_usec)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  g_return_if_fail (!self->running);
  self->keep_jobs = keep_jobs < 0 ? -1 : keep_jobs;
  self->keep_for_usec = MAX (keep_for_usec, 0);
}

const char *
loom_controller_get_connection_file (LoomController *self)
{
  g_return_val_if_fail (LOOM_IS_CONTROLLER (self), NULL);
  return self->connection_path;
}

gboolean
loom_controller_is_running (LoomController *self)
{
  g_return_val_if_fail (LOOM_IS_CONTROLLER (self), FALSE);
  return self->running && !g_atomic_int_get (&self->stop_requested);
}

/* Every TCP endpoint is a CURVE server: the client and event sockets
 * admit the clients' key, the engine socket the engines'.  Each socket has
 * a ZAP domain of its own, named after this controller.  Called before
 * @sock binds a tcp:// address (with --ip, or when a Unix socket path
 * would be too long). */
static gboolean
secure_tcp (LoomController  *self,
            void            *sock,
            const char      *kind,
            GError         **error)
{
  static gint serial;
  g_autofree char *domain = NULL;
  gboolean engines = sock == self->engine_sock;

  if (self->conn->server_secret[0] == '\0')
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                   _("Cannot listen on TCP: this libzmq has no CURVE encryption (it needs libsodium). "
                     "Listen on ipc:// instead (leave out --ip)"));
      return FALSE;
    }
  if (self->zap_domain == NULL)
    self->zap_domain = g_strdup_printf ("loom/%s/%d/%d", self->profile, (int) getpid (),
                                        g_atomic_int_add (&serial, 1));
  domain = g_strdup_printf ("%s/%s", self->zap_domain, kind);
  loom_zap_allow (domain, engines ? self->conn->engine_public : self->conn->curve_public,
                  engines ? "engine" : "client");
  return loom_zap_secure_server (sock, self->conn->server_secret, domain, error);
}

static void
forget_zap (LoomController *self)
{
  const char *kinds[3] = { "client", "engine", "event" };

  if (self->zap_domain == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *domain = g_strdup_printf ("%s/%s", self->zap_domain, kinds[i]);
      loom_zap_forget (domain);
    }
  g_clear_pointer (&self->zap_domain, g_free);
}

/* How others reach what @bound (a ZMQ_LAST_ENDPOINT) listens on: at
 * --location when given; at this host's name when bound to every address
 * (tcp://0.0.0.0:PORT means nothing to another host); else as bound. */
static char *
advertised_url (LoomController *self,
                const char     *bound)
{
  const char *colon = strrchr (bound, ':');
  const char *host = bound + strlen ("tcp://");
  g_autofree char *bound_host = NULL;

  if (!g_str_has_prefix (bound, "tcp://") || colon == NULL || colon < host)
    return g_strdup (bound);
  bound_host = g_strndup (host, colon - host);
  if (self->location != NULL)
    return g_strdup_printf ("tcp://%s%s", self->location, colon);
  if (loom_address_is_wildcard (bound_host))
    return g_strdup_printf ("tcp://%s%s", g_get_host_name (), colon);
  return g_strdup (bound);
}

/* Binds @sock; over TCP on @want_port if it is free (a restarted
 * controller keeps its endpoints), else on any port. */
static gboolean
bind_socket (LoomController  *self,
             void            *sock,
             const char      *kind,
             int              want_port,
             char           **url_out,
             int             *port_out,
             GError         **error)
{
  g_autofree char *url = NULL;
  char last[512];
  size_t last_len = sizeof last;

  if (self->tcp_ip != NULL && !secure_tcp (self, sock, kind, error))
    return FALSE;
  if (self->tcp_ip != NULL && want_port > 0)
    {
      url = g_strdup_printf ("tcp://%s:%d", self->tcp_ip, want_port);
      if (zmq_bind (sock, url) != 0)
        {
          g_message ("Cannot listen on %s again (%s): taking another port", url, zmq_strerror (zmq_errno ()));
          g_clear_pointer (&url, g_free);
        }
    }

  if (url == NULL)
    {
      if (self->tcp_ip != NULL)
        url = g_strdup_printf ("tcp://%s:*", self->tcp_ip);
      else
        {
          g_autofree char *dir = loom_connection_dir ();
          url = g_strdup_printf ("ipc://%s/%s-%s.ipc", dir, self->profile, kind);
          if (strlen (url) - 6 >= 100)
            {
              /* Unix socket paths are short; fall back to loopback TCP. */
              g_free (url);
              url = g_strdup ("tcp://127.0.0.1:*");
              if (!secure_tcp (self, sock, kind, error))
                return FALSE;
            }
        }

      if (zmq_bind (sock, url) != 0)
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                       _("Cannot listen on %s: %s"), url, zmq_strerror (zmq_errno ()));
          return FALSE;
        }
      /* The socket file is the user's alone, whatever the umask (its
       * folder is 0700 as well). */
      if (g_str_has_prefix (url, "ipc://"))
        g_chmod (url + strlen ("ipc://"), 0600);
    }

  zmq_getsockopt (sock, ZMQ_LAST_ENDPOINT, last, &last_len);
  *url_out = advertised_url (self, last);
  if (g_str_has_prefix (last, "tcp://"))
    {
      const char *colon = strrchr (last, ':');
      *port_out = colon ? atoi (colon + 1) : 0;
    }
  return TRUE;
}

static void
release_lock (LoomController *self)
{
  if (self->lock_fd < 0)
    return;
  g_unlink (self->lock_path);
  close (self->lock_fd);
  self->lock_fd = -1;
}

static gboolean
loom_controller_bind (LoomController  *self,
                      GError         **error)
{
  g_autoptr(LoomConnection) old = NULL;
  g_autoptr(LoomConnection) saved = NULL;
  g_autofree char *dir = loom_connection_dir ();
  LoomConnection *conn;
  int ports[3] = { 0, 0, 0 };

  if (self->bound)
    return TRUE;

  self->connection_path = loom_connection_path_for_profile (self->profile);
  self->engine_connection_path = loom_connection_engine_path (self->connection_path);

  if (!loom_connection_dir_ensure (dir, error))
    return FALSE;

  /* Two controllers starting at once for one profile: the lock decides,
   * before either looks at the connection file. */
  {
    g_autofree char *name = g_strdup_printf ("%s.lock", self->profile);

    self->lock_path = g_build_filename (dir, name, NULL);
    self->lock_fd = open (self->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (self->lock_fd < 0 || flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
      {
        int errsv = errno;

        if (self->lock_fd >= 0)
          close (self->lock_fd);
        self->lock_fd = -1;
        if (errsv == EWOULDBLOCK)
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_ALREADY_RUNNING,
                       _("Another controller is already running for profile “%s” (it holds %s). "
                         "Stop it with “loomctl cluster stop --profile %s” or choose another profile."),
                       self->profile, self->lock_path, self->profile);
        else
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED,
                       _("Cannot open %s: %s"), self->lock_path, g_strerror (errsv));
        g_clear_pointer (&self->lock_path, g_free);
        return FALSE;
      }
  }

  if (g_file_test (self->connection_path, G_FILE_TEST_EXISTS))
    {
      old = loom_connection_load (self->connection_path, NULL);
      if (old != NULL && loom_connection_is_live (old))
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_ALREADY_RUNNING,
                       _("A controller (pid %" PRId64 ") is already running for profile “%s” (%s). "
                         "Stop it with “loomctl cluster stop --profile %s” or choose another profile."),
                       old->controller_pid, self->profile, self->connection_path, self->profile);
          release_lock (self);
          return FALSE;
        }
      if (old == NULL)
        g_message ("Replacing the unreadable connection file %s", self->connection_path);
      else
        g_message ("Replacing the stale connection file %s: its controller (pid %" G_GINT64_FORMAT ") %s",
                   self->connection_path, old->controller_pid,
                   kill ((pid_t) old->controller_pid, 0) == 0 ? "does not answer" : "is gone");
    }

  /* Jobs that had not finished run again; then the restarted controller
   * takes over the stale connection file's key and endpoints, so engines
   * and clients that outlived the old one find it. */
  {
    g_autoptr(GError) store_error = NULL;

    if (!ctl_store_open (self, &store_error))
      {
        g_warning ("%s. This controller keeps its jobs in memory only: they will not outlive it.",
                   store_error->message);
        ctl_store_free (self);
      }
  }

  /* The state directory keeps the controller's own file (every key, its
   * CURVE secret too): it outlives the runtime file, which loomctl may
   * have removed as stale or a reboot cleared. */
  if (!self->private_profile)
    {
      g_autofree char *state = loom_state_dir (self->profile);

      self->state_connection_path = g_build_filename (state, "connection.json", NULL);
      if (g_file_test (self->state_connection_path, G_FILE_TEST_EXISTS))
        {
          saved = loom_connection_load (self->state_connection_path, NULL);
          if (saved != NULL && ((!loom_pid_is_gone (saved->controller_pid) && saved->controller_pid != getpid ()) ||
                                g_strcmp0 (saved->profile, self->profile) != 0))
            g_clear_pointer (&saved, loom_connection_free);
        }
    }
  if (old == NULL && saved != NULL)
    old = g_steal_pointer (&saved);

  conn = self->conn = loom_connection_new (self->profile);
  conn->transport = g_strdup (self->tcp_ip ? "tcp" : "ipc");
  conn->ip = g_strdup (self->tcp_ip);
  conn->host = g_strdup (g_get_host_name ());
  if (old != NULL && !self->private_profile && g_strcmp0 (old->profile, self->profile) == 0)
    {
      /* The keys of the controller's own file if it survived, else the
       * clients' of the runtime file (then engines need the new engine
       * file). */
      if (!loom_connection_take_keys (conn, saved != NULL ? saved : old))
        g_message ("The engines' keys of profile “%s” were lost with %s: engines need the new %s",
                   self->profile, self->state_connection_path ? self->state_connection_path : "its state",
                   self->engine_connection_path);
      if (g_strcmp0 (old->transport, conn->transport) == 0 && g_strcmp0 (old->ip, conn->ip) == 0)
        {
          ports[0] = old->client_port;
          ports[1] = old->engine_port;
          ports[2] = old->event_port;
        }
      g_message ("Taking over the keys and endpoints of the stale connection file %s", self->connection_path);
    }

  /* Two roles, two keys: a message on the client socket must be signed
   * with the clients' key, one on the engine socket with the engines'. */
  self->wire = loom_wire_new (conn->key, sizeof conn->key, self->max_message);
  loom_wire_set_log_domain (self->wire, "controller");
  self->engine_wire = loom_wire_new (conn->engine_key, sizeof conn->engine_key, self->max_message);
  loom_wire_set_log_domain (self->engine_wire, "controller (engines)");

  self->client_sock = zmq_socket (loom_zmq_context (), ZMQ_ROUTER);
  self->engine_sock = zmq_socket (loom_zmq_context (), ZMQ_ROUTER);
  self->event_sock = zmq_socket (loom_zmq_context (), ZMQ_XPUB);
  loom_wire_apply_socket_limits (self->wire, self->client_sock);
  loom_wire_apply_socket_limits (self->engine_wire, self->engine_sock);
  loom_wire_apply_socket_limits (self->wire, self->event_sock);
  /* An engine's routing id is bound to its connection: no handover, so
   * no one who learns the id can take the engine's tasks.  A reconnecting
   * engine is let in once libzmq has seen its old connection die, which
   * ZMTP heartbeats bound to a few seconds. */
  zmq_setsockopt (self->engine_sock, ZMQ_HEARTBEAT_IVL, &(int) { 1000 }, sizeof (int));
  zmq_setsockopt (self->engine_sock, ZMQ_HEARTBEAT_TIMEOUT, &(int) { 5000 }, sizeof (int));

  /* A bounded queue per client; results for a slow one wait in a
   * backlog (loom-controller-clients.c). */
  ctl_client_apply_socket_limits (self);

  if (!bind_socket (self, self->client_sock, "client", ports[0], &conn->client_url, &conn->client_port, error) ||
      !bind_socket (self, self->engine_sock, "engine", ports[1], &conn->engine_url, &conn->engine_port, error) ||
      !bind_socket (self, self->event_sock, "event", ports[2], &conn->event_url, &conn->event_port, error))
    goto fail;

  {
    g_autofree char *client_inproc = loom_connection_inproc_url (conn, "client");
    g_autofree char *event_inproc = loom_connection_inproc_url (conn, "event");

    if (zmq_bind (self->client_sock, client_inproc) != 0 ||
        zmq_bind (self->event_sock, event_inproc) != 0)
      {
        g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                     _("Cannot listen on %s: %s"), client_inproc, zmq_strerror (zmq_errno ()));
        goto fail;
      }
  }

  /* The engines' file first: whoever sees the clients' one may start
   * engines at once. */
  if (!loom_connection_save_as (conn, LOOM_ROLE_ENGINE, self->engine_connection_path, error) ||
      !loom_connection_save_as (conn, LOOM_ROLE_CLIENT, self->connection_path, error))
    goto fail;
  if (self->state_connection_path != NULL)
    {
      g_autoptr(GError) copy_error = NULL;
      g_autofree char *state = g_path_get_dirname (self->state_connection_path);

      if (g_mkdir_with_parents (state, 0700) != 0 ||
          !loom_connection_save_as (conn, LOOM_ROLE_CONTROLLER, self->state_connection_path, &copy_error))
        g_message ("Cannot keep a copy of the connection file in %s: %s", state,
                   copy_error ? copy_error->message : g_strerror (errno));
    }

  self->bound = TRUE;
  self->started_at = g_get_real_time ();
  return TRUE;

fail:
  forget_zap (self);
  ctl_store_free (self);
  release_lock (self);
  g_clear_pointer (&self->client_sock, zmq_close);
  g_clear_pointer (&self->engine_sock, zmq_close);
  g_clear_pointer (&self->event_sock, zmq_close);
  return FALSE;
}

static void
drain (LoomController *self,
       void           *sock,
       gboolean        from_clients)
{
  gint64 start = g_get_monotonic_time ();

  for (guint n = 0; n < MAX_MESSAGES_PER_WAKEUP; n++)
    {
      g_autoptr(LoomMessage) msg = NULL;
      gboolean got_any;

      msg = loom_wire_recv (sock == self->engine_sock ? self->engine_wire : self->wire, sock, &got_any);
      if (!got_any)
        {
          if (!from_clients)
            self->engines_read_at = start;
          break;
        }
      if (msg == NULL)
        continue;
      if (from_clients)
        ctl_handle_client_message (self, msg);
      else
        ctl_handle_engine_message (self, msg);
      /* Long lists of parameters come in chunks of megabytes: the rest
       * waits for the next wake-up, heartbeats and requests first. */
      if (self->wakeup_params_bytes >= MAX_PARAMS_BYTES_PER_WAKEUP)
        break;
    }
}

/* A wake-up that held the loop long: heartbeats and requests waited that
 * long.  The longest is in "status". */
static void
note_wakeup (LoomController *self,
             gint64          usec)
{
  if (usec > self->longest_wakeup_usec)
    self->longest_wakeup_usec = usec;
  if (usec >= SLOW_WAKEUP_USEC)
    g_debug ("a wake-up took %.3f s", usec / (double) G_USEC_PER_SEC);
}

static void
loom_controller_loop (LoomController *self)
{
  gint64 last_check = 0;
  gint64 shutdown_deadline = 0;

  self->running = TRUE;

  for (;;)
    {
      zmq_pollitem_t items[4] = {
        { self->client_sock, 0, ZMQ_POLLIN, 0 },
        { self->engine_sock, 0, ZMQ_POLLIN, 0 },
        { NULL, self->wake_fd, ZMQ_POLLIN, 0 },
        { self->event_sock, 0, ZMQ_POLLIN, 0 },
      };
      gint64 now, woke;
      int rc;

      rc = zmq_poll (items, 4, !g_queue_is_empty (&self->resends) ? 0 : g_hash_table_size (self->backlogs) ? 10 : 100);
      woke = g_get_monotonic_time ();
      self->wakeup_params_bytes = 0;
      if (rc < 0 && zmq_errno () != EINTR)
        {
          g_warning ("zmq_poll failed: %s", zmq_strerror (zmq_errno ()));
          break;
        }

      if (items[2].revents & ZMQ_POLLIN)
        loom_eventfd_clear (self->wake_fd);

      ctl_store_collect (self);

      if (items[3].revents & ZMQ_POLLIN)
        ctl_drain_subscriptions (self);

      /* Engines first: their results free slots for the queued work. */
      drain (self, self->engine_sock, FALSE);
      drain (self, self->client_sock, TRUE);

      now = g_get_monotonic_time ();
      if (now - last_check >= 50 * 1000)
        {
          ctl_check_heartbeats (self);
          last_check = now;
        }

      if (g_atomic_int_get (&self->stop_requested))
        {
          if (shutdown_deadline == 0)
            {
              ctl_stop_engines (self);
              shutdown_deadline = now + SHUTDOWN_GRACE_USEC;
            }
          if (!ctl_any_engine_alive (self) || now >= shutdown_deadline)
            {
              ctl_flush_results (self);
              ctl_flush_events (self);
              ctl_store_flush (self);
              break;
            }
        }
      else
        ctl_schedule (self);

      ctl_flush_dispatches (self);
      ctl_clients_flush (self);
      ctl_resend_page (self);
      ctl_flush_results (self);
      ctl_flush_events (self);
      ctl_store_flush (self);
      note_wakeup (self, g_get_monotonic_time () - woke);
    }

  /* What finished is written before the controller goes. */
  ctl_store_close (self);

  zmq_close (self->client_sock);
  zmq_close (self->engine_sock);
  zmq_close (self->event_sock);
  self->client_sock = self->engine_sock = self->event_sock = NULL;

  /* Unix socket files outlive their sockets: remove ours. */
  {
    const char *urls[] = { self->conn->client_url, self->conn->engine_url, self->conn->event_url };
    for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
      if (urls[i] != NULL && g_str_has_prefix (urls[i], "ipc://"))
        g_unlink (urls[i] + strlen ("ipc://"));
  }

  if (self->connection_path != NULL)
    {
      /* Remove the file only if it is still ours. */
      g_autoptr(LoomConnection) current = loom_connection_load (self->connection_path, NULL);
      if (current != NULL && current->controller_pid == getpid () &&
          memcmp (current->key, self->conn->key, LOOM_KEY_SIZE) == 0)
        {
          g_unlink (self->connection_path);
          g_unlink (self->engine_connection_path);
        }
    }
  forget_zap (self);

  /* A clean stop: the next controller of the profile starts afresh. */
  if (self->state_connection_path != NULL)
    g_unlink (self->state_connection_path);

  release_lock (self);
  self->running = FALSE;
}

/**
 * loom_controller_run:
 * @self: a #LoomController
 * @error: return location for a #GError
 *
 * Listens and serves in the calling thread until loom_controller_request_stop()
 * or a client's shutdown request.  This is what the loom-controller daemon does.
 *
 * Returns: %TRUE when it stopped cleanly, %FALSE if it could not start
 */
gboolean
loom_controller_run (LoomController  *self,
                     GError         **error)
{
  g_return_val_if_fail (LOOM_IS_CONTROLLER (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  if (!loom_controller_bind (self, error))
    return FALSE;
  loom_controller_loop (self);
  return TRUE;
}

static gpointer
controller_thread (gpointer data)
{
  loom_controller_loop (data);
  return NULL;
}

/**
 * loom_controller_start:
 * @self: a #LoomController
 * @error: return location for a #GError
 *
 * Binds the controller's sockets, writes its connection file and serves on a
 * thread of its own, for embedding in a program.
 *
 * Returns: %TRUE if the controller is serving
 */
gboolean
loom_controller_start (LoomController  *self,
                       GError         **error)
{
  g_return_val_if_fail (LOOM_IS_CONTROLLER (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  if (!loom_controller_bind (self, error))
    return FALSE;

  self->running = TRUE;
  self->thread = g_thread_new ("loom-controller", controller_thread, self);
  return TRUE;
}

/**
 * loom_controller_request_stop:
 * @self: a #LoomController
 *
 * Asks the controller to stop its engines and stop serving.  Safe to call
 * from any thread and from a signal handler.
 */
void
loom_controller_request_stop (LoomController *self)
{
  g_atomic_int_set (&self->stop_requested, 1);
  loom_eventfd_signal (self->wake_fd);
}

/**
 * loom_controller_stop:
 * @self: a #LoomController
 *
 * Stops the engines and the controller started with loom_controller_start()
 * and waits until it is done.
 */
void
loom_controller_stop (LoomController *self)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));

  if (self->thread == NULL)
    return;

  loom_controller_request_stop (self);
  g_thread_join (self->thread);
  self->thread = NULL;

  /* Replacements were told to stop with the other engines; one that had
   * not registered yet is ended here. */
  for (guint i = 0; i < self->replacements->len; i++)
    {
      GSubprocess *proc = g_ptr_array_index (self->replacements, i);
      gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;

      while (g_subprocess_get_identifier (proc) != NULL && g_get_monotonic_time () < deadline)
        g_usleep (5 * 1000);
      if (g_subprocess_get_identifier (proc) != NULL)
        {
          g_subprocess_send_signal (proc, SIGTERM);
          g_subprocess_wait (proc, NULL, NULL);
        }
    }
  g_ptr_array_set_size (self->replacements, 0);
}
