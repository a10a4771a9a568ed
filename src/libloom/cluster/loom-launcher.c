/* loom-launcher.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What every launcher shares: the connection file its engines use, the
 * engines' extra arguments, where logs go, the options it was given (kept
 * in order, so a launcher read back from its state replays them), and the
 * environment that hands engines their connection without a shared file
 * system.  The subclasses start and stop processes.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "loom-connection-private.h"
#include "loom-error.h"
#include "loom-launcher.h"
#include "loom-launcher-private.h"
#include "loom-launcher-registry-private.h"

typedef struct
{
  char      *name;
  char      *connection_file;
  char      *log_dir;
  GStrv      engine_args;
  GPtrArray *options;        /* name, value, name, value… (char *) */
  char      *record_key;     /* its entry in launchers.json */
  guint      n_started;
} LoomLauncherPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LoomLauncher, loom_launcher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
loom_launcher_finalize (GObject *object)
{
  LoomLauncher *self = (LoomLauncher *) object;
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  g_clear_pointer (&priv->name, g_free);
  g_clear_pointer (&priv->connection_file, g_free);
  g_clear_pointer (&priv->log_dir, g_free);
  g_clear_pointer (&priv->engine_args, g_strfreev);
  g_clear_pointer (&priv->options, g_ptr_array_unref);
  g_clear_pointer (&priv->record_key, g_free);

  G_OBJECT_CLASS (loom_launcher_parent_class)->finalize (object);
}

static void
loom_launcher_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LoomLauncher *self = LOOM_LAUNCHER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, loom_launcher_get_name (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_launcher_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LoomLauncher *self = LOOM_LAUNCHER (object);
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_NAME:
      g_free (priv->name);
      priv->name = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
loom_launcher_real_set_option (LoomLauncher  *self,
                               const char    *name,
                               const char    *value,
                               GError       **error)
{
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("The %s launcher has no option “%s”"), loom_launcher_get_name (self), name);
  return FALSE;
}

static gboolean
loom_launcher_real_send_signal (LoomLauncher  *self,
                                int            signum,
                                GError       **error)
{
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED,
               _("The %s launcher cannot signal its engines"), loom_launcher_get_name (self));
  return FALSE;
}

static guint
loom_launcher_real_poll (LoomLauncher *self,
                         guint        *n_pending)
{
  *n_pending = 0;
  return 0;
}

static char *
loom_launcher_real_get_output (LoomLauncher *self)
{
  return g_strdup ("");
}

static gboolean
loom_launcher_real_is_remote (LoomLauncher *self)
{
  return TRUE;
}

static void
loom_launcher_real_save_state (LoomLauncher *self,
                               JsonBuilder  *builder)
{
}

static gboolean
loom_launcher_real_load_state (LoomLauncher  *self,
                               JsonObject    *state,
                               GError       **error)
{
  return TRUE;
}

static void
loom_launcher_class_init (LoomLauncherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = loom_launcher_finalize;
  object_class->get_property = loom_launcher_get_property;
  object_class->set_property = loom_launcher_set_property;

  klass->set_option = loom_launcher_real_set_option;
  klass->send_signal = loom_launcher_real_send_signal;
  klass->poll = loom_launcher_real_poll;
  klass->get_output = loom_launcher_real_get_output;
  klass->is_remote = loom_launcher_real_is_remote;
  klass->save_state = loom_launcher_real_save_state;
  klass->load_state = loom_launcher_real_load_state;

  /**
   * LoomLauncher:name:
   *
   * The launcher's name, as loom_launcher_new() takes it: "local", "ssh",
   * "slurm", "mpi" or a template's name ("pbs", …).
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_launcher_init (LoomLauncher *self)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  priv->options = g_ptr_array_new_with_free_func (g_free);
}

/**
 * loom_launcher_new:
 * @name: "local", "ssh", "slurm", "mpi", or the name or path of a template
 *   (see loom_launcher_list_names())
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a launcher that has started nothing
 *   yet, or %NULL with @error set when there is no launcher of that name
 */
LoomLauncher *
loom_launcher_new (const char  *name,
                   GError     **error)
{
  g_return_val_if_fail (name != NULL, NULL);

  return loom_launcher_registry_new (name, error);
}

/**
 * loom_launcher_list_names:
 *
 * Returns: (transfer full): the names loom_launcher_new() knows: the
 *   launchers built in, then the templates found
 */
char **
loom_launcher_list_names (void)
{
  return loom_launcher_registry_list ();
}

/**
 * loom_launcher_get_name:
 * @self: a #LoomLauncher
 *
 * Returns: the launcher's name
 */
const char *
loom_launcher_get_name (LoomLauncher *self)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), NULL);
  return priv->name;
}

/**
 * loom_launcher_set_option:
 * @self: a #LoomLauncher
 * @name: the option's name, as on the command line without the dashes
 *   ("host", "partition", "time", …)
 * @value: its value; options that can be given more than once (hosts,
 *   `#SBATCH` lines, ssh options) add one each time
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the launcher took the option, %FALSE with @error set
 *   when it has no such option or the value is not valid for it
 */
gboolean
loom_launcher_set_option (LoomLauncher  *self,
                          const char    *name,
                          const char    *value,
                          GError       **error)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!LOOM_LAUNCHER_GET_CLASS (self)->set_option (self, name, value, error))
    return FALSE;
  g_ptr_array_add (priv->options, g_strdup (name));
  g_ptr_array_add (priv->options, g_strdup (value));
  return TRUE;
}

/**
 * loom_launcher_set_connection_file:
 * @self: a #LoomLauncher
 * @path: the cluster's client connection file; engines get the engine file
 *   beside it (`<profile>-engine.json`)
 */
void
loom_launcher_set_connection_file (LoomLauncher *self,
                                   const char   *path)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  g_return_if_fail (LOOM_IS_LAUNCHER (self));
  g_free (priv->connection_file);
  priv->connection_file = g_strdup (path);
}

/**
 * loom_launcher_get_connection_file:
 * @self: a #LoomLauncher
 *
 * Returns: (nullable): the client connection file set
 */
const char *
loom_launcher_get_connection_file (LoomLauncher *self)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), NULL);
  return priv->connection_file;
}

/**
 * loom_launcher_set_log_dir:
 * @self: a #LoomLauncher
 * @log_dir: (nullable): a directory on this machine for the launcher's
 *   scripts and the output it collects
 */
void
loom_launcher_set_log_dir (LoomLauncher *self,
                           const char   *log_dir)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  g_return_if_fail (LOOM_IS_LAUNCHER (self));
  g_free (priv->log_dir);
  priv->log_dir = g_strdup (log_dir);
}

/**
 * loom_launcher_get_log_dir:
 * @self: a #LoomLauncher
 *
 * Returns: (nullable): the log directory set
 */
const char *
loom_launcher_get_log_dir (LoomLauncher *self)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), NULL);
  return priv->log_dir;
}

/**
 * loom_launcher_set_engine_args:
 * @self: a #LoomLauncher
 * @args: (array zero-terminated=1) (nullable): more arguments for every
 *   `loom-engine` started (`--plugin-dir DIR`, `--no-commands`,
 *   `--reconnect-timeout S`…)
 */
void
loom_launcher_set_engine_args (LoomLauncher       *self,
                               const char * const *args)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  g_return_if_fail (LOOM_IS_LAUNCHER (self));
  g_strfreev (priv->engine_args);
  priv->engine_args = g_strdupv ((char **) args);
}

/**
 * loom_launcher_get_engine_argv:
 * @self: a #LoomLauncher
 * @engine_path: the `loom-engine` program where the engines run
 *
 * Returns: (transfer full): the command line of one engine: @engine_path
 *   and the extra arguments; the connection comes in the environment
 */
char **
loom_launcher_get_engine_argv (LoomLauncher *self,
                               const char   *engine_path)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);
  GStrvBuilder *builder = g_strv_builder_new ();
  char **argv;

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), NULL);

  g_strv_builder_add (builder, engine_path);
  if (priv->engine_args != NULL)
    g_strv_builder_addv (builder, (const char **) priv->engine_args);
  argv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return argv;
}

/* The engines' connection file beside the clients'. */
static char *
read_engine_file (LoomLauncher  *self,
                  GError       **error)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);
  g_autofree char *path = NULL;
  g_autoptr(LoomConnection) conn = NULL;

  if (priv->connection_file == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER,
                   _("The %s launcher has no cluster to start engines for"), priv->name);
      return NULL;
    }
  path = loom_connection_engine_path (priv->connection_file);
  if (!(conn = loom_connection_load_for_role (path, LOOM_ROLE_ENGINE, error)))
    return NULL;
  return loom_connection_to_json (conn, LOOM_ROLE_ENGINE);
}

/**
 * loom_launcher_get_engine_environ:
 * @self: a #LoomLauncher
 * @job_id: (nullable): the batch system's job id, when there is one
 * @error: return location for a #GError
 *
 * The environment a launcher gives its engines, as `NAME=VALUE` strings:
 * `LOOM_CONNECTION` (the engine file's JSON, so no shared file system is
 * needed), `LOOM_LAUNCHER` (the launcher's name) and `LOOM_LAUNCH_JOB`.
 *
 * Returns: (transfer full): the variables, or %NULL with @error set when
 *   the engine file cannot be read
 */
char **
loom_launcher_get_engine_environ (LoomLauncher  *self,
                                  const char    *job_id,
                                  GError       **error)
{
  g_autofree char *json = NULL;
  char **env;

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), NULL);

  if (!(json = read_engine_file (self, error)))
    return NULL;

  env = g_new0 (char *, 4);
  env[0] = g_strconcat ("LOOM_CONNECTION=", json, NULL);
  env[1] = g_strconcat ("LOOM_LAUNCHER=", loom_launcher_get_name (self), NULL);
  if (job_id != NULL)
    env[2] = g_strconcat ("LOOM_LAUNCH_JOB=", job_id, NULL);
  return env;
}

/**
 * loom_launcher_is_remote:
 * @self: a #LoomLauncher
 *
 * Returns: whether the launcher may start engines on other hosts
 */
gboolean
loom_launcher_is_remote (LoomLauncher *self)
{
  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), FALSE);
  return LOOM_LAUNCHER_GET_CLASS (self)->is_remote (self);
}

static gboolean
is_loopback_url (const char *url)
{
  return g_str_has_prefix (url, "ipc://") || g_str_has_prefix (url, "inproc://") ||
         g_str_has_prefix (url, "tcp://127.") || g_str_has_prefix (url, "tcp://localhost:") ||
         g_str_has_prefix (url, "tcp://[::1]");
}

/* Engines elsewhere cannot reach a controller on ipc:// or loopback: say so
 * now, rather than let them time out on their hosts. */
static gboolean
check_reachable (LoomLauncher  *self,
                 GError       **error)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);
  g_autofree char *path = NULL;
  g_autoptr(LoomConnection) conn = NULL;

  if (priv->connection_file == NULL || !loom_launcher_is_remote (self))
    return TRUE;

  path = loom_connection_engine_path (priv->connection_file);
  if (!(conn = loom_connection_load_for_role (path, LOOM_ROLE_ENGINE, error)))
    return FALSE;
  if (is_loopback_url (conn->engine_url))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("The controller listens at %s, which only this machine can reach, but the %s launcher "
                     "starts engines on other hosts: start the cluster with --ip 0.0.0.0 (or an address those "
                     "hosts reach) and, if they know this host by another name, --location HOST"),
                   conn->engine_url, priv->name);
      return FALSE;
    }
  return TRUE;
}

/**
 * loom_launcher_start:
 * @self: a #LoomLauncher
 * @n_engines: how many engines to start, 1 or more
 * @error: return location for a #GError
 *
 * Starts @n_engines more engines and returns without waiting for them to
 * register (watch loom_client_get_ids() or the engines model for that).
 * A launcher that starts engines on other hosts refuses a controller that
 * only this machine can reach.
 *
 * Returns: %TRUE if the engines (or the job that runs them) were started
 */
gboolean
loom_launcher_start (LoomLauncher  *self,
                     guint          n_engines,
                     GError       **error)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), FALSE);

  if (n_engines == 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("Start at least one engine"));
      return FALSE;
    }
  if (!check_reachable (self, error))
    return FALSE;
  if (!LOOM_LAUNCHER_GET_CLASS (self)->start (self, n_engines, error))
    return FALSE;
  priv->n_started += n_engines;
  return TRUE;
}

/**
 * loom_launcher_stop:
 * @self: a #LoomLauncher
 *
 * Stops everything the launcher started: engines are asked to end, then
 * killed; batch jobs are cancelled.
 */
void
loom_launcher_stop (LoomLauncher *self)
{
  g_return_if_fail (LOOM_IS_LAUNCHER (self));
  LOOM_LAUNCHER_GET_CLASS (self)->stop (self);
}

/**
 * loom_launcher_signal:
 * @self: a #LoomLauncher
 * @signum: a signal number (SIGTERM, SIGINT, SIGUSR1…)
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the signal was sent to every engine started
 */
gboolean
loom_launcher_signal (LoomLauncher  *self,
                      int            signum,
                      GError       **error)
{
  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), FALSE);
  return LOOM_LAUNCHER_GET_CLASS (self)->send_signal (self, signum, error);
}

/**
 * loom_launcher_poll:
 * @self: a #LoomLauncher
 * @n_pending: (out) (optional): engines still waiting to start (queued)
 *
 * Returns: how many of the engines started still run
 */
guint
loom_launcher_poll (LoomLauncher *self,
                    guint        *n_pending)
{
  guint pending = 0, running;

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), 0);

  running = LOOM_LAUNCHER_GET_CLASS (self)->poll (self, &pending);
  if (n_pending != NULL)
    *n_pending = pending;
  return running;
}

/**
 * loom_launcher_get_n_started:
 * @self: a #LoomLauncher
 *
 * Returns: how many engines loom_launcher_start() started in all
 */
guint
loom_launcher_get_n_started (LoomLauncher *self)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), 0);
  return priv->n_started;
}

/**
 * loom_launcher_get_output:
 * @self: a #LoomLauncher
 *
 * Returns: (transfer full): what the launching commands and the engines
 *   printed, as far as the launcher can fetch it (may be empty)
 */
char *
loom_launcher_get_output (LoomLauncher *self)
{
  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), NULL);
  return LOOM_LAUNCHER_GET_CLASS (self)->get_output (self);
}

/**
 * loom_launcher_serialize:
 * @self: a #LoomLauncher
 *
 * Everything needed to find the engines again from another process: the
 * launcher's name, options and settings, and what it started (pids, hosts,
 * job ids).  A restarted `loomctl` or app reads it back with
 * loom_launcher_deserialize() and can poll, signal or stop them.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
loom_launcher_serialize (LoomLauncher *self)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "launcher");
  json_builder_add_string_value (builder, priv->name);
  if (priv->record_key)
    {
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, priv->record_key);
    }
  json_builder_set_member_name (builder, "options");
  json_builder_begin_array (builder);
  for (guint i = 0; i + 1 < priv->options->len; i += 2)
    {
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, g_ptr_array_index (priv->options, i));
      json_builder_add_string_value (builder, g_ptr_array_index (priv->options, i + 1));
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  if (priv->connection_file)
    {
      json_builder_set_member_name (builder, "connection_file");
      json_builder_add_string_value (builder, priv->connection_file);
    }
  if (priv->log_dir)
    {
      json_builder_set_member_name (builder, "log_dir");
      json_builder_add_string_value (builder, priv->log_dir);
    }
  json_builder_set_member_name (builder, "engine_args");
  json_builder_begin_array (builder);
  for (guint i = 0; priv->engine_args && priv->engine_args[i]; i++)
    json_builder_add_string_value (builder, priv->engine_args[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "n_started");
  json_builder_add_int_value (builder, priv->n_started);
  json_builder_set_member_name (builder, "state");
  json_builder_begin_object (builder);
  LOOM_LAUNCHER_GET_CLASS (self)->save_state (self, builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
invalid_state (GError     **error,
               const char  *what)
{
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("Not a launcher's saved state: %s"), what);
  return FALSE;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *member = json_object_get_member (object, name);

  return member != NULL && JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member) : NULL;
}

/**
 * loom_launcher_deserialize:
 * @node: what loom_launcher_serialize() returned
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the launcher, with the engines it had
 *   started, or %NULL with @error set
 */
LoomLauncher *
loom_launcher_deserialize (JsonNode  *node,
                           GError   **error)
{
  g_autoptr(LoomLauncher) self = NULL;
  LoomLauncherPrivate *priv;
  JsonObject *object, *state;
  JsonArray *options, *args;
  JsonNode *member;
  const char *name;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid_state (error, _("not an object")), NULL;
  object = json_node_get_object (node);
  if (!(name = json_object_get_string_member_with_default (object, "launcher", NULL)))
    return invalid_state (error, _("no launcher name")), NULL;
  if (!(self = loom_launcher_new (name, error)))
    return NULL;
  priv = loom_launcher_get_instance_private (self);

  options = member_array (object, "options");
  for (guint i = 0; options && i < json_array_get_length (options); i++)
    {
      JsonNode *pair = json_array_get_element (options, i);
      JsonArray *a;

      if (!JSON_NODE_HOLDS_ARRAY (pair) || json_array_get_length (a = json_node_get_array (pair)) != 2 ||
          json_node_get_value_type (json_array_get_element (a, 0)) != G_TYPE_STRING ||
          json_node_get_value_type (json_array_get_element (a, 1)) != G_TYPE_STRING)
        return invalid_state (error, _("an option is not a name and a value")), NULL;
      if (!loom_launcher_set_option (self, json_array_get_string_element (a, 0),
                                     json_array_get_string_element (a, 1), error))
        return NULL;
    }

  loom_launcher_set_connection_file (self, json_object_get_string_member_with_default (object, "connection_file",
                                                                                       NULL));
  loom_launcher_set_log_dir (self, json_object_get_string_member_with_default (object, "log_dir", NULL));
  args = member_array (object, "engine_args");
  if (args != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) strv = NULL;

      for (guint i = 0; i < json_array_get_length (args); i++)
        {
          const char *arg = json_node_get_value_type (json_array_get_element (args, i)) == G_TYPE_STRING
                            ? json_array_get_string_element (args, i) : NULL;
          if (arg == NULL)
            return invalid_state (error, _("an engine argument is not a string")), NULL;
          g_strv_builder_add (builder, arg);
        }
      strv = g_strv_builder_end (builder);
      loom_launcher_set_engine_args (self, (const char * const *) strv);
    }
  priv->record_key = g_strdup (json_object_get_string_member_with_default (object, "key", NULL));
  priv->n_started = (guint) CLAMP (json_object_get_int_member_with_default (object, "n_started", 0), 0, G_MAXUINT);

  member = json_object_get_member (object, "state");
  state = member != NULL && JSON_NODE_HOLDS_OBJECT (member) ? json_node_get_object (member) : NULL;
  if (state != NULL && !LOOM_LAUNCHER_GET_CLASS (self)->load_state (self, state, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * loom_launcher_wait_for_engines:
 * @self: a #LoomLauncher that started engines
 * @client: a client of the cluster they join
 * @expected: how many engines the cluster should have, in all
 * @timeout: seconds to wait at most
 * @error: return location for a #GError
 *
 * Waits until @expected engines are registered with the cluster.  Fails
 * early when so many of the engines this launcher started have ended that
 * @expected cannot be reached, and says where their output is.
 *
 * Returns: %TRUE once @expected engines are registered
 */
gboolean
loom_launcher_wait_for_engines (LoomLauncher  *self,
                                LoomClient    *client,
                                guint          expected,
                                double         timeout,
                                GError       **error)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  guint alive = 0, pending = 0;

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), FALSE);
  g_return_val_if_fail (LOOM_IS_CLIENT (client), FALSE);

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GArray) ids = loom_client_get_ids (client, error);
      guint running, ended;

      if (ids == NULL)
        return FALSE;
      alive = ids->len;
      if (alive >= expected)
        return TRUE;

      running = loom_launcher_poll (self, &pending);
      ended = priv->n_started > running + pending ? priv->n_started - running - pending : 0;
      if (ended > 0 && alive + running + pending < expected)
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE,
                       _("%u of %u engines exited before registering%s%s"),
                       ended, priv->n_started,
                       priv->log_dir ? _("; see the logs in ") : "", priv->log_dir ? priv->log_dir : "");
          return FALSE;
        }

      g_usleep (10 * 1000);
    }

  if (pending > 0)
    g_set_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT,
                 _("Only %u of %u engines registered within %.0f s; %u are still waiting to start (queued)"),
                 alive, expected, timeout, pending);
  else
    g_set_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT,
                 _("Only %u of %u engines registered within %.0f s"), alive, expected, timeout);
  return FALSE;
}

/* $XDG_STATE_HOME/loom/<profile>/launchers.json: what the launchers of a
 * profile's cluster started, one saved launcher each, so `cluster stop` or
 * a restarted app can stop engines some other process launched.  Only the
 * owner reads it: it holds no key, but pids and job ids of this user. */
static char *
recorded_path (const char *profile)
{
  g_autofree char *dir = loom_state_dir (profile);

  return g_build_filename (dir, "launchers.json", NULL);
}

static JsonArray *
read_recorded (const char  *path,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return json_array_new ();
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), _("Cannot read %s: "), path);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("%s does not hold a list of launchers"), path);
      return NULL;
    }
  return json_array_ref (json_node_get_array (root));
}

/**
 * loom_launcher_record:
 * @self: a #LoomLauncher that started engines
 * @profile: the profile of the cluster they belong to
 * @error: return location for a #GError
 *
 * Adds @self's saved state to the profile's record, where `loomctl cluster
 * stop` and loom_launcher_load_recorded() find it.  Recording the same
 * launcher again replaces its entry.
 *
 * Returns: %TRUE if the record was written
 */
gboolean
loom_launcher_record (LoomLauncher  *self,
                      const char    *profile,
                      GError       **error)
{
  LoomLauncherPrivate *priv = loom_launcher_get_instance_private (self);
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(JsonArray) recorded = NULL;
  g_autoptr(JsonArray) kept = json_array_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *data = NULL;
  g_autofree char *key = NULL;
  JsonNode *node;

  g_return_val_if_fail (LOOM_IS_LAUNCHER (self), FALSE);
  g_return_val_if_fail (profile != NULL, FALSE);

  path = recorded_path (profile);
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), _("Cannot create %s: %s"), dir,
                   g_strerror (errno));
      return FALSE;
    }
  if (!(recorded = read_recorded (path, error)))
    return FALSE;

  /* A launcher is known by a key of its own, made on first record. */
  if (priv->record_key == NULL)
    priv->record_key = g_uuid_string_random ();
  for (guint i = 0; i < json_array_get_length (recorded); i++)
    {
      JsonNode *entry = json_array_get_element (recorded, i);

      if (JSON_NODE_HOLDS_OBJECT (entry) &&
          g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (entry), "key", NULL),
                     priv->record_key) == 0)
        continue;
      json_array_add_element (kept, json_node_copy (entry));
    }
  node = loom_launcher_serialize (self);
  json_array_add_element (kept, node);

  json_node_set_array (root, kept);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, NULL);
  return g_file_set_contents_full (path, data, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/**
 * loom_launcher_load_recorded:
 * @profile: a profile
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type LoomLauncher) (nullable): the
 *   launchers loom_launcher_record() wrote for @profile (none when there is
 *   no record), or %NULL with @error set when the record cannot be read
 */
GPtrArray *
loom_launcher_load_recorded (const char  *profile,
                             GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonArray) recorded = NULL;
  g_autoptr(GPtrArray) launchers = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (profile != NULL, NULL);

  path = recorded_path (profile);
  if (!(recorded = read_recorded (path, error)))
    return NULL;
  for (guint i = 0; i < json_array_get_length (recorded); i++)
    {
      LoomLauncher *launcher = loom_launcher_deserialize (json_array_get_element (recorded, i), error);

      if (launcher == NULL)
        {
          g_prefix_error (error, _("In %s: "), path);
          return NULL;
        }
      g_ptr_array_add (launchers, launcher);
    }
  return g_steal_pointer (&launchers);
}

/**
 * loom_launcher_forget_recorded:
 * @profile: a profile
 *
 * Removes the profile's record, once what it names is stopped.
 */
void
loom_launcher_forget_recorded (const char *profile)
{
  g_autofree char *path = NULL;

  g_return_if_fail (profile != NULL);

  path = recorded_path (profile);
  g_unlink (path);
}
