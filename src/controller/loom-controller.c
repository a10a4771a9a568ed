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

#include "loom-connection-private.h"
#include "loom-controller.h"
#include "loom-error.h"
#include "loom-protocol-private.h"
#include "loom-util-private.h"

#define DEFAULT_HEARTBEAT_TIMEOUT_MS 2000
#define DEFAULT_RETRIES              2
#define MAX_MESSAGES_PER_WAKEUP      512
#define SHUTDOWN_GRACE_USEC          (2 * G_USEC_PER_SEC)
#define ABORTED_DETAIL               "{\"error\":{\"type\":\"Aborted\",\"message\":\"the job was aborted before this task ran\"}}"

typedef struct
{
  guint32  job;
  guint32  index;
} TaskRef;

typedef struct
{
  gint64   submitted;
  gint64   dispatched;
  gint64   started;
  gint64   completed;
  gint64   received;
  GBytes  *result;      /* one JSON value, opaque */
  GBytes  *detail;      /* JSON object {error, stdout, stderr, exit_status}, opaque */
  guint32  params_offset;
  guint32  params_len;
  gint32   engine;
  guint8   status;
  guint8   attempts;
  guint8   started_seen;
} CtlTask;

typedef struct
{
  guint      id;
  char      *name;
  gboolean   serial;
  char      *spec;            /* compact JSON of what to run, sent as is to engines */
  GBytes    *client;          /* routing id of the submitting client */
  gint64     ref;             /* the client's own name for the job */
  GBytes    *params;          /* the params lines as received */
  CtlTask   *tasks;
  guint      n_tasks;
  guint      next;            /* next never-dispatched index */
  GArray    *retry;           /* guint: indices to run again, first */
  GArray    *targets;         /* nullable, guint engine ids */
  gint       pinned;          /* serial jobs: the one engine, or -1 */
  LoomScheme scheme;          /* how its tasks pick engines */
  guint      retries;
  guint      n_outstanding;
  guint      n_done;
  guint      n_failed;
  guint      n_final;
  gboolean   in_pending;
  gboolean   aborted;
  gint64     created;
  gint64     finished;
  GString   *out_meta;        /* results waiting to go to the client */
  GString   *out_results;
  GString   *out_details;
} CtlJob;

typedef struct
{
  guint            id;
  GBytes          *identity;
  GBytes          *hb_identity;     /* nullable: the engine's heartbeat socket */
  char            *host;
  char            *log;
  gint64           pid;
  LoomEngineState  state;
  GArray          *outstanding;  /* TaskRef */
  guint64          tasks_done;
  gint64           busy_usec;
  gint64           registered_at;
  gint64           last_heartbeat;  /* monotonic */
  gint64           last_heartbeat_real;
  gint64           last_dispatch;   /* monotonic */
  GString         *out_tasks;       /* batch being built this wake-up */
  GString         *out_params;
  GArray          *out_jobs;        /* guint */
} CtlEngine;

struct _LoomController
{
  GObject          parent_instance;

  char            *profile;
  char            *connection_path;
  gboolean         private_profile;
  LoomConnection  *conn;
  LoomWire        *wire;

  LoomScheme       scheme;
  guint            hwm;
  guint            heartbeat_timeout_ms;
  guint            retries;
  gsize            max_message;
  char            *tcp_ip;

  void            *client_sock;
  void            *engine_sock;
  void            *event_sock;
  int              wake_fd;
  int              lock_fd;          /* flock on <profile>.lock while we serve */
  char            *lock_path;
  GThread         *thread;
  gint             stop_requested;   /* atomic */
  gboolean         running;
  gboolean         bound;
  gint64           started_at;
  GRand           *rand;

  GPtrArray       *engines;          /* CtlEngine, index = id */
  GHashTable      *engine_by_identity;
  GHashTable      *jobs;             /* id -> CtlJob */
  GQueue           pending_jobs;
  GPtrArray       *dirty_jobs;       /* jobs with results to flush to clients */
  GPtrArray       *dirty_engines;    /* engines with tasks to flush */
  guint            next_job_id;
  /* Two streams, each with its own sequence numbers, told apart by a topic
   * frame: subscribers that only follow engines (a client's engines model)
   * are not woken by every task. */
  GString         *events[2];       /* task and job events, engine events */
  guint64          event_seq[2];
  GString         *current_events;
  GPtrArray       *subscriptions;   /* char*: prefixes someone subscribed to */
  guint64          stale_results;
  guint64          tasks_finished;
};

G_DEFINE_FINAL_TYPE (LoomController, loom_controller, G_TYPE_OBJECT)

static guint private_counter;

static void
ctl_job_free (CtlJob *job)
{
  for (guint i = 0; i < job->n_tasks; i++)
    {
      g_clear_pointer (&job->tasks[i].result, g_bytes_unref);
      g_clear_pointer (&job->tasks[i].detail, g_bytes_unref);
    }
  g_free (job->tasks);
  g_free (job->name);
  g_free (job->spec);
  g_clear_pointer (&job->client, g_bytes_unref);
  g_clear_pointer (&job->params, g_bytes_unref);
  g_clear_pointer (&job->retry, g_array_unref);
  g_clear_pointer (&job->targets, g_array_unref);
  if (job->out_meta)
    g_string_free (job->out_meta, TRUE);
  if (job->out_results)
    g_string_free (job->out_results, TRUE);
  if (job->out_details)
    g_string_free (job->out_details, TRUE);
  g_free (job);
}

static void
ctl_engine_free (CtlEngine *engine)
{
  g_clear_pointer (&engine->identity, g_bytes_unref);
  g_clear_pointer (&engine->hb_identity, g_bytes_unref);
  g_clear_pointer (&engine->outstanding, g_array_unref);
  g_clear_pointer (&engine->out_jobs, g_array_unref);
  if (engine->out_tasks)
    g_string_free (engine->out_tasks, TRUE);
  if (engine->out_params)
    g_string_free (engine->out_params, TRUE);
  g_free (engine->host);
  g_free (engine->log);
  g_free (engine);
}

static void
loom_controller_finalize (GObject *object)
{
  LoomController *self = (LoomController *) object;

  if (self->thread != NULL)
    loom_controller_stop (self);

  g_clear_pointer (&self->profile, g_free);
  g_clear_pointer (&self->connection_path, g_free);
  g_clear_pointer (&self->conn, loom_connection_free);
  g_clear_pointer (&self->wire, loom_wire_free);
  g_clear_pointer (&self->tcp_ip, g_free);
  g_clear_pointer (&self->lock_path, g_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->engines, g_ptr_array_unref);
  g_clear_pointer (&self->engine_by_identity, g_hash_table_unref);
  g_clear_pointer (&self->jobs, g_hash_table_unref);
  g_clear_pointer (&self->dirty_jobs, g_ptr_array_unref);
  g_clear_pointer (&self->dirty_engines, g_ptr_array_unref);
  g_clear_pointer (&self->subscriptions, g_ptr_array_unref);
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
  self->hwm = 1;
  self->heartbeat_timeout_ms = DEFAULT_HEARTBEAT_TIMEOUT_MS;
  self->retries = DEFAULT_RETRIES;
  self->max_message = LOOM_DEFAULT_MAX_MESSAGE;
  self->wake_fd = loom_eventfd_new ();
  self->lock_fd = -1;
  self->rand = g_rand_new ();
  self->engines = g_ptr_array_new_with_free_func ((GDestroyNotify) ctl_engine_free);
  self->engine_by_identity = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  self->jobs = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) ctl_job_free);
  self->dirty_jobs = g_ptr_array_new ();
  self->dirty_engines = g_ptr_array_new ();
  self->next_job_id = 1;
  self->subscriptions = g_ptr_array_new_with_free_func (g_free);
  self->events[0] = g_string_new (NULL);
  self->events[1] = g_string_new (NULL);
  g_queue_init (&self->pending_jobs);
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
 * @hwm: how many tasks an engine may hold at once (at least 1)
 */
void
loom_controller_set_hwm (LoomController *self,
                         guint           hwm)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  g_return_if_fail (!self->running);
  self->hwm = MAX (hwm, 1);
}

guint
loom_controller_get_hwm (LoomController *self)
{
  g_return_val_if_fail (LOOM_IS_CONTROLLER (self), 1);
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

void
loom_controller_set_max_message_size (LoomController *self,
                                      gsize           max_size)
{
  g_return_if_fail (LOOM_IS_CONTROLLER (self));
  g_return_if_fail (!self->running);
  self->max_message = max_size ? max_size : LOOM_DEFAULT_MAX_MESSAGE;
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

/* --- events -------------------------------------------------------------- */

static const char *event_topics[2] = { LOOM_EVENT_TOPIC_TASKS, LOOM_EVENT_TOPIC_ENGINES };

/* Task events are the bulk of the events (three per task): they are only
 * written while someone (an app's timeline) subscribes to them.  The XPUB
 * socket reports the first subscription to a prefix and the last
 * unsubscription from it. */
static gboolean
task_events_wanted (LoomController *self)
{
  for (guint i = 0; i < self->subscriptions->len; i++)
    if (g_str_has_prefix (LOOM_EVENT_TOPIC_TASKS, g_ptr_array_index (self->subscriptions, i)))
      return TRUE;
  return FALSE;
}

static void
drain_subscriptions (LoomController *self)
{
  char buf[256];
  int len;

  while ((len = zmq_recv (self->event_sock, buf, sizeof buf - 1, ZMQ_DONTWAIT)) > 0)
    {
      g_autofree char *prefix = g_strndup (buf + 1, MIN ((gsize) len, sizeof buf - 1) - 1);

      if (buf[0] == 1)
        g_ptr_array_add (self->subscriptions, g_steal_pointer (&prefix));
      else if (buf[0] == 0)
        for (guint i = 0; i < self->subscriptions->len; i++)
          if (g_str_equal (g_ptr_array_index (self->subscriptions, i), prefix))
            {
              g_ptr_array_remove_index_fast (self->subscriptions, i);
              break;
            }
    }
}

static GString *
event_begin (LoomController *self,
             const char     *type)
{
  GString *events = self->events[g_str_has_prefix (type, "engine_") ? 1 : 0];

  if (events->len > 0)
    g_string_append_c (events, ',');
  g_string_append_printf (events, "{\"type\":\"%s\",\"t\":%" G_GINT64_FORMAT,
                          type, g_get_real_time ());
  self->current_events = events;
  return events;
}

static void
event_end (LoomController *self)
{
  g_string_append_c (self->current_events, '}');
}

static void
flush_events (LoomController *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->events); i++)
    {
      g_autoptr(GString) content = NULL;
      g_autoptr(GPtrArray) topic = NULL;
      GString *events = self->events[i];

      if (events->len == 0)
        continue;

      content = g_string_sized_new (events->len + 64);
      g_string_append_printf (content, "{\"seq\":%" G_GUINT64_FORMAT ",\"events\":[", ++self->event_seq[i]);
      g_string_append_len (content, events->str, events->len);
      g_string_append (content, "]}");
      topic = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_ptr_array_add (topic, g_bytes_new_static (event_topics[i], strlen (event_topics[i])));
      loom_wire_send (self->wire, self->event_sock, topic, "events", NULL, content->str, content->len, NULL, 0);
      g_string_truncate (events, 0);
    }
}

/* --- replies ------------------------------------------------------------- */

static void
reply (LoomController *self,
       void           *sock,
       LoomMessage    *request,
       const char     *msg_type,
       const char     *content,
       gssize          len,
       GBytes * const *buffers,
       guint           n_buffers)
{
  loom_wire_send (self->wire, sock, request->routing, msg_type, request->msg_id,
                  content, len, buffers, n_buffers);
}

static void
reply_error (LoomController *self,
             void           *sock,
             LoomMessage    *request,
             const char     *type,
             const char     *message)
{
  g_autoptr(GString) out = g_string_new ("{\"error\":{\"type\":");

  loom_json_append_string (out, type);
  g_string_append (out, ",\"message\":");
  loom_json_append_string (out, message);
  g_string_append (out, "}}");
  reply (self, sock, request, "error_reply", out->str, out->len, NULL, 0);
}

/* --- engines ------------------------------------------------------------- */

static gboolean
engine_is_alive (CtlEngine *engine)
{
  return engine->state == LOOM_ENGINE_IDLE || engine->state == LOOM_ENGINE_BUSY;
}

static void
append_engine_json (LoomController *self,
                    GString        *out,
                    CtlEngine      *engine)
{
  gint64 now = g_get_real_time ();
  double lifetime = MAX (1, now - engine->registered_at);

  g_string_append_printf (out, "{\"id\":%u,\"host\":", engine->id);
  loom_json_append_string (out, engine->host ? engine->host : "");
  g_string_append_printf (out,
                          ",\"pid\":%" G_GINT64_FORMAT ",\"state\":\"%s\",\"tasks_done\":%" G_GUINT64_FORMAT
                          ",\"outstanding\":%u,\"registered_at\":%" G_GINT64_FORMAT
                          ",\"last_heartbeat\":%" G_GINT64_FORMAT ",\"busy_fraction\":%.4f}",
                          engine->pid, loom_engine_state_to_string (engine->state),
                          engine->tasks_done, engine->outstanding->len,
                          engine->registered_at, engine->last_heartbeat_real,
                          MIN (1.0, engine->busy_usec / lifetime));
  if (engine->log)
    {
      g_string_truncate (out, out->len - 1);
      g_string_append (out, ",\"log\":");
      loom_json_append_string (out, engine->log);
      g_string_append_c (out, '}');
    }
}

static void
append_engines_json (LoomController *self,
                     GString        *out)
{
  g_string_append (out, "\"engines\":[");
  for (guint i = 0; i < self->engines->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_engine_json (self, out, g_ptr_array_index (self->engines, i));
    }
  g_string_append_c (out, ']');
}

static void
job_mark_pending (LoomController *self,
                  CtlJob         *job)
{
  if (!job->in_pending)
    {
      job->in_pending = TRUE;
      g_queue_push_tail (&self->pending_jobs, job);
    }
}

static void
job_mark_dirty (LoomController *self,
                CtlJob         *job)
{
  if (job->out_meta == NULL)
    {
      job->out_meta = g_string_new (NULL);
      job->out_results = g_string_new (NULL);
      job->out_details = g_string_new (NULL);
      g_ptr_array_add (self->dirty_jobs, job);
    }
}

/* Appends a task's metadata row and its result and detail lines, as both
 * the results pushed to clients and job queries carry them. */
static void
append_task_row (GString *meta,
                 GString *results,
                 GString *details,
                 guint    index,
                 CtlTask *task)
{
  if (meta->len > 0 && meta->str[meta->len - 1] != '[')
    g_string_append_c (meta, ',');
  g_string_append_printf (meta,
                          "[%u,%d,%u,%u,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                          ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]",
                          index, task->engine, task->status, task->attempts,
                          task->submitted, task->dispatched, task->started,
                          task->completed, task->received);
  /* A line per task in each buffer, in the same order as the rows. */
  loom_lines_append (results, task->result, "null");
  loom_lines_append (details, task->detail, "{}");
}

static void
job_append_result (LoomController *self,
                   CtlJob         *job,
                   guint           index)
{
  job_mark_dirty (self, job);
  append_task_row (job->out_meta, job->out_results, job->out_details, index, &job->tasks[index]);
}

static void
job_task_final (LoomController *self,
                CtlJob         *job,
                guint           index)
{
  CtlTask *task = &job->tasks[index];
  GString *ev;

  job->n_final++;
  if (task->status == LOOM_TASK_DONE)
    job->n_done++;
  else
    job->n_failed++;

  job_append_result (self, job, index);

  if (job->n_final == job->n_tasks)
    {
      job->finished = g_get_real_time ();
      if (task_events_wanted (self))
        {
          ev = event_begin (self, "job_finished");
          g_string_append_printf (ev, ",\"job\":%u,\"done\":%u,\"failed\":%u,\"wall_time\":%.6f",
                                  job->id, job->n_done, job->n_failed,
                                  (job->finished - job->created) / (double) G_USEC_PER_SEC);
          event_end (self);
        }
    }
}

static char *
engine_label (CtlEngine *engine)
{
  return g_strdup_printf ("engine %u (%s, pid %" G_GINT64_FORMAT ")",
                          engine->id, engine->host ? engine->host : "?", engine->pid);
}

/* The engine stopped answering or stopped cleanly: every task it held goes
 * back to the queue, or ends "lost" once its retries are used up. */
static void
engine_gone (LoomController  *self,
             CtlEngine       *engine,
             LoomEngineState  state)
{
  g_autofree char *label = engine_label (engine);
  gint64 now = g_get_real_time ();
  guint requeued = 0, lost = 0;
  GString *ev;

  if (!engine_is_alive (engine))
    return;

  engine->state = state;
  g_hash_table_remove (self->engine_by_identity, engine->identity);
  if (engine->hb_identity)
    g_hash_table_remove (self->engine_by_identity, engine->hb_identity);

  for (guint i = 0; i < engine->outstanding->len; i++)
    {
      TaskRef *ref = &g_array_index (engine->outstanding, TaskRef, i);
      CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (ref->job));
      CtlTask *task;

      if (job == NULL)
        continue;

      task = &job->tasks[ref->index];
      job->n_outstanding--;

      if (task->attempts <= job->retries)
        {
          task->status = LOOM_TASK_QUEUED;
          task->started = 0;
          task->started_seen = FALSE;
          g_array_append_val (job->retry, ref->index);
          job_mark_pending (self, job);
          requeued++;

          if (task_events_wanted (self))
            {
              ev = event_begin (self, "task_queued");
              g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"attempts\":%u,\"reason\":\"engine_died\"",
                                      job->id, ref->index, task->attempts);
              event_end (self);
            }
        }
      else
        {
          g_autoptr(GString) detail = g_string_new ("{\"error\":{\"type\":\"EngineDied\",\"message\":");
          g_autofree char *msg = g_strdup_printf (_("%s died while running this task (attempt %u of %u)"),
                                                  label, task->attempts, job->retries + 1);

          loom_json_append_string (detail, msg);
          g_string_append (detail, "}}");
          task->status = LOOM_TASK_LOST;
          task->received = now;
          g_clear_pointer (&task->detail, g_bytes_unref);
          task->detail = g_string_free_to_bytes (g_steal_pointer (&detail));
          lost++;

          if (task_events_wanted (self))
            {
              ev = event_begin (self, "task_failed");
              g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"engine\":%u,\"status\":\"lost\",\"detail\":",
                                      job->id, ref->index, engine->id);
              g_string_append_len (ev, g_bytes_get_data (task->detail, NULL), g_bytes_get_size (task->detail));
              event_end (self);
            }

          job_task_final (self, job, ref->index);
        }
    }
  g_array_set_size (engine->outstanding, 0);

  ev = event_begin (self, state == LOOM_ENGINE_DEAD ? "engine_died" : "engine_stopped");
  g_string_append_printf (ev, ",\"engine\":%u,\"requeued\":%u,\"lost\":%u", engine->id, requeued, lost);
  event_end (self);

  if (state == LOOM_ENGINE_DEAD)
    g_message ("%s missed its heartbeats for %u ms: declared dead; %u tasks requeued, %u lost",
               label, self->heartbeat_timeout_ms, requeued, lost);
}

static void
check_heartbeats (LoomController *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 limit = (gint64) self->heartbeat_timeout_ms * 1000;

  for (guint i = 0; i < self->engines->len; i++)
    {
      CtlEngine *engine = g_ptr_array_index (self->engines, i);

      if (engine_is_alive (engine) && now - engine->last_heartbeat > limit)
        engine_gone (self, engine, LOOM_ENGINE_DEAD);
    }
}

/* --- scheduling ---------------------------------------------------------- */

static gboolean
engine_in_targets (CtlJob    *job,
                   CtlEngine *engine)
{
  if (job->targets == NULL)
    return TRUE;
  for (guint i = 0; i < job->targets->len; i++)
    if (g_array_index (job->targets, guint, i) == engine->id)
      return TRUE;
  return FALSE;
}

static gboolean
engine_eligible (LoomController *self,
                 CtlJob         *job,
                 CtlEngine      *engine)
{
  if (!engine_is_alive (engine) || engine->outstanding->len >= self->hwm)
    return FALSE;
  if (!engine_in_targets (job, engine))
    return FALSE;
  if (job->serial)
    {
      if (job->n_outstanding > 0)
        return FALSE;
      if (job->pinned >= 0 && (guint) job->pinned != engine->id)
        {
          CtlEngine *pinned = g_ptr_array_index (self->engines, job->pinned);
          if (engine_is_alive (pinned))
            return FALSE;
        }
    }
  return TRUE;
}

static CtlEngine *
pick_engine (LoomController *self,
             CtlJob         *job)
{
  CtlEngine *best = NULL;
  guint n_seen = 0;

  for (guint i = 0; i < self->engines->len; i++)
    {
      CtlEngine *engine = g_ptr_array_index (self->engines, i);

      if (!engine_eligible (self, job, engine))
        continue;

      switch (job->scheme)
        {
        case LOOM_SCHEME_LEASTLOAD:
          if (best == NULL || engine->outstanding->len < best->outstanding->len)
            best = engine;
          break;

        case LOOM_SCHEME_LRU:
          if (best == NULL || engine->last_dispatch < best->last_dispatch)
            best = engine;
          break;

        case LOOM_SCHEME_RANDOM:
          /* Reservoir sampling: uniform over the eligible engines. */
          n_seen++;
          if (g_rand_int_range (self->rand, 0, n_seen) == 0)
            best = engine;
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return best;
}

static void
dispatch (LoomController *self,
          CtlJob         *job,
          guint           index,
          CtlEngine      *engine)
{
  CtlTask *task = &job->tasks[index];
  TaskRef ref = { job->id, index };
  gboolean have_job = FALSE;
  GString *ev;

  task->status = LOOM_TASK_DISPATCHED;
  task->engine = engine->id;
  task->attempts++;
  task->dispatched = g_get_real_time ();
  job->n_outstanding++;
  if (job->serial)
    job->pinned = engine->id;

  g_array_append_val (engine->outstanding, ref);
  engine->state = LOOM_ENGINE_BUSY;
  engine->last_dispatch = g_get_monotonic_time ();

  if (engine->out_tasks == NULL)
    {
      engine->out_tasks = g_string_new (NULL);
      engine->out_params = g_string_new (NULL);
      engine->out_jobs = g_array_new (FALSE, FALSE, sizeof (guint));
      g_ptr_array_add (self->dirty_engines, engine);
    }
  if (engine->out_tasks->len > 0)
    {
      g_string_append_c (engine->out_tasks, ',');
      g_string_append_c (engine->out_params, '\n');
    }
  g_string_append_printf (engine->out_tasks, "[%u,%u,%u]", job->id, index, task->attempts);
  g_string_append_len (engine->out_params,
                       (const char *) g_bytes_get_data (job->params, NULL) + task->params_offset,
                       task->params_len);
  for (guint i = 0; i < engine->out_jobs->len && !have_job; i++)
    have_job = g_array_index (engine->out_jobs, guint, i) == job->id;
  if (!have_job)
    g_array_append_val (engine->out_jobs, job->id);

  if (task_events_wanted (self))
    {
      ev = event_begin (self, "task_dispatched");
      g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"engine\":%u,\"attempt\":%u",
                              job->id, index, engine->id, task->attempts);
      event_end (self);
    }
}

static gboolean
job_has_pending (CtlJob *job)
{
  return job->retry->len > 0 || job->next < job->n_tasks;
}

static guint
job_pop_pending (CtlJob *job)
{
  if (job->retry->len > 0)
    {
      guint index = g_array_index (job->retry, guint, 0);
      g_array_remove_index (job->retry, 0);
      return index;
    }
  return job->next++;
}

/* A job aimed at engines that are all gone can never run: fail its tasks
 * instead of letting it wait for ever. */
static void
fail_unreachable_job (LoomController *self,
                      CtlJob         *job)
{
  g_autoptr(GString) detail = g_string_new ("{\"error\":{\"type\":\"NoEngine\",\"message\":");
  g_autoptr(GBytes) bytes = NULL;

  loom_json_append_string (detail, _("none of the target engines of this job is alive"));
  g_string_append (detail, "}}");
  bytes = g_string_free_to_bytes (g_steal_pointer (&detail));

  while (job_has_pending (job))
    {
      guint index = job_pop_pending (job);
      CtlTask *task = &job->tasks[index];

      task->status = LOOM_TASK_LOST;
      task->received = g_get_real_time ();
      g_clear_pointer (&task->detail, g_bytes_unref);
      task->detail = g_bytes_ref (bytes);
      job_task_final (self, job, index);
    }
}

static gboolean
job_targets_all_gone (LoomController *self,
                      CtlJob         *job)
{
  if (job->targets == NULL)
    return FALSE;

  for (guint i = 0; i < job->targets->len; i++)
    {
      guint id = g_array_index (job->targets, guint, i);
      if (id >= self->engines->len)
        return FALSE;  /* may still register */
      if (engine_is_alive (g_ptr_array_index (self->engines, id)))
        return FALSE;
    }
  return TRUE;
}

static void
schedule (LoomController *self)
{
  GList *link = self->pending_jobs.head;

  while (link != NULL)
    {
      CtlJob *job = link->data;
      GList *next = link->next;

      if (job_targets_all_gone (self, job))
        fail_unreachable_job (self, job);

      while (job_has_pending (job))
        {
          CtlEngine *engine = pick_engine (self, job);

          if (engine == NULL)
            break;
          dispatch (self, job, job_pop_pending (job), engine);
        }

      if (!job_has_pending (job))
        {
          job->in_pending = FALSE;
          g_queue_delete_link (&self->pending_jobs, link);
        }

      link = next;
    }
}

static void
flush_dispatches (LoomController *self)
{
  for (guint i = 0; i < self->dirty_engines->len; i++)
    {
      CtlEngine *engine = g_ptr_array_index (self->dirty_engines, i);
      g_autoptr(GString) content = g_string_new ("{\"jobs\":{");
      g_autoptr(GBytes) params = NULL;
      g_autoptr(GPtrArray) routing = g_ptr_array_new ();

      for (guint j = 0; j < engine->out_jobs->len; j++)
        {
          guint id = g_array_index (engine->out_jobs, guint, j);
          CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (id));

          g_string_append_printf (content, "%s\"%u\":%s", j ? "," : "", id, job->spec);
        }
      g_string_append (content, "},\"tasks\":[");
      g_string_append_len (content, engine->out_tasks->str, engine->out_tasks->len);
      g_string_append (content, "]}");

      params = g_string_free_to_bytes (engine->out_params);
      engine->out_params = NULL;
      g_ptr_array_add (routing, engine->identity);
      if (engine_is_alive (engine))
        loom_wire_send (self->wire, self->engine_sock, routing, "tasks", NULL,
                        content->str, content->len, &params, 1);

      g_string_free (engine->out_tasks, TRUE);
      engine->out_tasks = NULL;
      g_clear_pointer (&engine->out_jobs, g_array_unref);
    }
  g_ptr_array_set_size (self->dirty_engines, 0);
}

static void
flush_results (LoomController *self)
{
  for (guint i = 0; i < self->dirty_jobs->len; i++)
    {
      CtlJob *job = g_ptr_array_index (self->dirty_jobs, i);
      g_autoptr(GString) content = g_string_sized_new (job->out_meta->len + 64);
      g_autoptr(GPtrArray) routing = g_ptr_array_new ();
      GBytes *buffers[2];

      g_string_append_printf (content, "{\"job\":%u,\"ref\":%" G_GINT64_FORMAT ",\"finished\":%" G_GINT64_FORMAT
                              ",\"tasks\":[", job->id, job->ref, job->finished);
      g_string_append_len (content, job->out_meta->str, job->out_meta->len);
      g_string_append (content, "]}");

      buffers[0] = g_string_free_to_bytes (job->out_results);
      buffers[1] = g_string_free_to_bytes (job->out_details);
      job->out_results = job->out_details = NULL;
      g_string_free (job->out_meta, TRUE);
      job->out_meta = NULL;

      g_ptr_array_add (routing, job->client);
      loom_wire_send (self->wire, self->client_sock, routing, "results", NULL,
                      content->str, content->len, buffers, 2);
      g_bytes_unref (buffers[0]);
      g_bytes_unref (buffers[1]);
    }
  g_ptr_array_set_size (self->dirty_jobs, 0);
}

/* --- client requests ----------------------------------------------------- */

/* A refused submit names the client's ref, so a client that did not ask
 * for an acknowledgement still learns which job failed. */
static void
submit_error (LoomController *self,
              LoomMessage    *msg,
              JsonObject     *content,
              const char     *message)
{
  g_autoptr(GString) out = g_string_new ("{\"error\":{\"type\":\"InvalidRequest\",\"message\":");

  loom_json_append_string (out, message);
  g_string_append_printf (out, "},\"ref\":%" G_GINT64_FORMAT "}", loom_json_int (content, "ref", -1));
  reply (self, self->client_sock, msg, "error_reply", out->str, out->len, NULL, 0);
}

static void
handle_submit (LoomController *self,
               LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GArray) targets = NULL;
  gint64 retries = -1;
  LoomScheme scheme = self->scheme;
  JsonObject *content;
  JsonNode *spec_node;
  CtlJob *job;
  gint64 count;
  gint64 now = g_get_real_time ();
  const char *mode;
  const char *base;
  GString *ev;
  char buf[96];


  if (!(content = loom_message_get_content (msg, &error)))
    {
      submit_error (self, msg, content, error->message);
      return;
    }

  count = loom_json_int (content, "count", -1);
  spec_node = json_object_get_member (content, "spec");
  mode = loom_json_string (content, "mode", json_object_has_member (content, "mode") ? NULL : "parallel");
  lines = loom_lines_split (loom_message_get_buffer (msg, 0));

  if (spec_node == NULL || !JSON_NODE_HOLDS_OBJECT (spec_node))
    {
      submit_error (self, msg, content, _("submit needs a “spec” object saying what to run"));
      return;
    }
  if (count < 1 || count > G_MAXINT32 || (gint64) lines->len != count)
    {
      submit_error (self, msg, content,
                   _("submit says “count” tasks but its parameter buffer does not hold that many lines"));
      return;
    }
  for (guint i = 0; i < lines->len; i++)
    if (g_bytes_get_size (g_ptr_array_index (lines, i)) == 0)
      {
        submit_error (self, msg, content, _("a task's parameters are empty"));
        return;
      }
  if (g_strcmp0 (mode, "parallel") != 0 && g_strcmp0 (mode, "serial") != 0)
    {
      submit_error (self, msg, content, _("mode must be “parallel” or “serial”"));
      return;
    }
  if (json_object_has_member (content, "retries") &&
      (retries = loom_json_int (content, "retries", -1)) < 0)
    {
      submit_error (self, msg, content, _("retries must be an integer ≥ 0"));
      return;
    }
  if (json_object_has_member (content, "scheme") &&
      !loom_scheme_from_string (loom_json_string (content, "scheme", ""), &scheme))
    {
      submit_error (self, msg, content, _("scheme must be “leastload”, “lru” or “random”"));
      return;
    }
  if (json_object_has_member (content, "targets") &&
      !JSON_NODE_HOLDS_NULL (json_object_get_member (content, "targets")))
    {
      JsonArray *array = loom_json_array (content, "targets");

      targets = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 0; array && i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          guint id;

          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
              json_node_get_int (node) < 0 || json_node_get_int (node) > G_MAXINT32)
            break;
          id = json_node_get_int (node);
          g_array_append_val (targets, id);
        }
      if (array == NULL || targets->len != json_array_get_length (array) || targets->len == 0)
        {
          submit_error (self, msg, content,
                       _("targets must be a non-empty list of engine ids"));
          return;
        }
    }

  job = g_new0 (CtlJob, 1);
  job->id = self->next_job_id++;
  job->name = g_strdup (loom_json_string (content, "name", ""));
  job->serial = g_str_equal (mode, "serial");
  job->spec = loom_json_to_string (spec_node);
  job->client = g_bytes_ref (g_ptr_array_index (msg->routing, 0));
  job->params = g_bytes_ref (loom_message_get_buffer (msg, 0));
  job->n_tasks = count;
  job->tasks = g_new0 (CtlTask, count);
  job->retry = g_array_new (FALSE, FALSE, sizeof (guint));
  job->pinned = -1;
  job->retries = retries >= 0 ? (guint) retries : self->retries;
  job->scheme = scheme;
  job->targets = g_steal_pointer (&targets);
  job->created = now;

  base = g_bytes_get_data (job->params, NULL);
  for (guint i = 0; i < job->n_tasks; i++)
    {
      GBytes *line = g_ptr_array_index (lines, i);
      gsize len;
      const char *data = g_bytes_get_data (line, &len);

      job->tasks[i].params_offset = data ? (guint32) (data - base) : 0;
      job->tasks[i].params_len = len;
      job->tasks[i].engine = -1;
      job->tasks[i].submitted = now;
    }

  job->ref = loom_json_int (content, "ref", -1);
  g_hash_table_insert (self->jobs, GUINT_TO_POINTER (job->id), job);
  job_mark_pending (self, job);

  /* Blocking callers skip the acknowledgement: their first results carry
   * the job id, and one wake-up less is a shorter round trip. */
  if (!json_object_has_member (content, "ack") ||
      JSON_NODE_TYPE (json_object_get_member (content, "ack")) != JSON_NODE_VALUE ||
      json_node_get_value_type (json_object_get_member (content, "ack")) != G_TYPE_BOOLEAN ||
      json_node_get_boolean (json_object_get_member (content, "ack")))
    {
      g_snprintf (buf, sizeof buf, "{\"job\":%u,\"submitted\":%" G_GINT64_FORMAT "}", job->id, now);
      reply (self, self->client_sock, msg, "submit_reply", buf, -1, NULL, 0);
    }

  if (task_events_wanted (self))
    {
      ev = event_begin (self, "job_submitted");
      g_string_append_printf (ev, ",\"job\":%u,\"tasks\":%u,\"mode\":\"%s\",\"name\":",
                              job->id, job->n_tasks, mode);
      loom_json_append_string (ev, job->name);
      event_end (self);
    }
}

static void
append_job_summary (GString *out,
                    CtlJob  *job)
{
  g_string_append_printf (out, "{\"id\":%u,\"name\":", job->id);
  loom_json_append_string (out, job->name);
  g_string_append_printf (out,
                          ",\"mode\":\"%s\",\"tasks\":%u,\"done\":%u,\"failed\":%u,\"outstanding\":%u"
                          ",\"created\":%" G_GINT64_FORMAT ",\"finished\":%" G_GINT64_FORMAT ",\"spec\":%s}",
                          job->serial ? "serial" : "parallel", job->n_tasks, job->n_done,
                          job->n_failed, job->n_outstanding, job->created, job->finished, job->spec);
}

static void
handle_job_query (LoomController *self,
                  LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = NULL;
  g_autoptr(GString) results = NULL;
  g_autoptr(GString) details = NULL;
  JsonObject *content;
  CtlJob *job;
  GBytes *buffers[3];

  if (!(content = loom_message_get_content (msg, &error)))
    {
      reply_error (self, self->client_sock, msg, "InvalidRequest", error->message);
      return;
    }

  job = g_hash_table_lookup (self->jobs,
                             GUINT_TO_POINTER (loom_json_int (content, "job", 0)));
  if (job == NULL)
    {
      reply_error (self, self->client_sock, msg, "NoSuchJob", _("there is no job with that id"));
      return;
    }

  out = g_string_new ("{\"job\":");
  results = g_string_new (NULL);
  details = g_string_new (NULL);
  append_job_summary (out, job);
  g_string_append (out, ",\"tasks\":[");
  for (guint i = 0; i < job->n_tasks; i++)
    append_task_row (out, results, details, i, &job->tasks[i]);
  g_string_append (out, "]}");

  buffers[0] = g_string_free_to_bytes (g_steal_pointer (&results));
  buffers[1] = g_string_free_to_bytes (g_steal_pointer (&details));
  buffers[2] = job->params;
  reply (self, self->client_sock, msg, "job_reply", out->str, out->len, buffers, 3);
  g_bytes_unref (buffers[0]);
  g_bytes_unref (buffers[1]);
}

/* Sends an engine a command on both its sockets: the task socket is not
 * read while the engine runs a long task, the heartbeat socket always is. */
static void
send_to_engine (LoomController *self,
                CtlEngine      *engine,
                const char     *msg_type,
                const char     *content)
{
  GBytes *identities[2] = { engine->hb_identity, engine->identity };

  for (guint i = 0; i < G_N_ELEMENTS (identities); i++)
    {
      g_autoptr(GPtrArray) routing = g_ptr_array_new ();

      if (identities[i] == NULL)
        continue;
      g_ptr_array_add (routing, identities[i]);
      loom_wire_send (self->wire, self->engine_sock, routing, msg_type, NULL, content, -1, NULL, 0);
    }
}

static void
send_stop (LoomController *self,
           CtlEngine      *engine)
{
  send_to_engine (self, engine, "stop", "{}");
}

static void
handle_abort (LoomController *self,
              LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  JsonObject *content;
  CtlJob *job;
  guint aborted = 0;
  char buf[64];

  if (!(content = loom_message_get_content (msg, &error)))
    {
      reply_error (self, self->client_sock, msg, "InvalidRequest", error->message);
      return;
    }

  job = g_hash_table_lookup (self->jobs,
                             GUINT_TO_POINTER (loom_json_int (content, "job", 0)));
  if (job == NULL)
    {
      reply_error (self, self->client_sock, msg, "NoSuchJob", _("there is no job with that id"));
      return;
    }

  while (job_has_pending (job))
    {
      guint index = job_pop_pending (job);
      CtlTask *task = &job->tasks[index];
      GString *ev;

      task->status = LOOM_TASK_ABORTED;
      task->received = g_get_real_time ();
      g_clear_pointer (&task->detail, g_bytes_unref);
      task->detail = g_bytes_new_static (ABORTED_DETAIL, strlen (ABORTED_DETAIL));
      aborted++;
      if (task_events_wanted (self))
        {
          ev = event_begin (self, "task_failed");
          g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"status\":\"aborted\"", job->id, index);
          event_end (self);
        }
      job_task_final (self, job, index);
    }

  /* What runs is killed: every engine holding a task of the job hears it
   * (on its heartbeat socket too, as its task socket is busy). */
  job->aborted = TRUE;
  if (job->n_outstanding > 0)
    {
      g_snprintf (buf, sizeof buf, "{\"job\":%u}", job->id);
      for (guint i = 0; i < self->engines->len; i++)
        {
          CtlEngine *engine = g_ptr_array_index (self->engines, i);
          gboolean holds = FALSE;

          for (guint j = 0; j < engine->outstanding->len && !holds; j++)
            holds = g_array_index (engine->outstanding, TaskRef, j).job == job->id;
          if (holds && engine_is_alive (engine))
            send_to_engine (self, engine, "abort", buf);
        }
    }

  g_snprintf (buf, sizeof buf, "{\"job\":%u,\"aborted\":%u,\"killing\":%u}",
              job->id, aborted, job->n_outstanding);
  reply (self, self->client_sock, msg, "abort_reply", buf, -1, NULL, 0);
}

static void
append_status_json (LoomController *self,
                    GString        *out)
{
  guint queued = 0, running = 0;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CtlJob *job = value;
      running += job->n_outstanding;
      queued += job->n_tasks - job->n_final - job->n_outstanding;
    }

  g_string_append (out, "{\"controller\":{\"profile\":");
  loom_json_append_string (out, self->profile);
  g_string_append (out, ",\"connection_file\":");
  loom_json_append_string (out, self->connection_path ? self->connection_path : "");
  g_string_append (out, ",\"host\":");
  loom_json_append_string (out, g_get_host_name ());
  g_string_append_printf (out,
                          ",\"pid\":%d,\"started\":%" G_GINT64_FORMAT ",\"scheme\":\"%s\",\"hwm\":%u"
                          ",\"heartbeat_timeout_ms\":%u,\"retries\":%u,\"max_message_size\":%" G_GSIZE_FORMAT "},",
                          (int) getpid (), self->started_at, loom_scheme_to_string (self->scheme),
                          self->hwm, self->heartbeat_timeout_ms, self->retries, self->max_message);
  append_engines_json (self, out);
  g_string_append_printf (out, ",\"jobs\":%u,\"queued\":%u,\"running\":%u,\"tasks_finished\":%" G_GUINT64_FORMAT
                          ",\"stale_results\":%" G_GUINT64_FORMAT ",\"dropped\":",
                          g_hash_table_size (self->jobs), queued, running, self->tasks_finished,
                          self->stale_results);
  loom_wire_append_drops_json (self->wire, out);
  g_string_append_c (out, '}');
}

static void
stop_engines (LoomController *self)
{
  for (guint i = 0; i < self->engines->len; i++)
    {
      CtlEngine *engine = g_ptr_array_index (self->engines, i);

      if (engine_is_alive (engine))
        send_stop (self, engine);
    }
}

static void
handle_client_message (LoomController *self,
                       LoomMessage    *msg)
{
  const char *type = msg->msg_type;

  if (msg->routing->len != 1)
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "client message without a routing id");
      return;
    }

  if (g_str_equal (type, "submit"))
    handle_submit (self, msg);
  else if (g_str_equal (type, "ping"))
    reply (self, self->client_sock, msg, "pong", "{}", 2, NULL, 0);
  else if (g_str_equal (type, "status") || g_str_equal (type, "engines"))
    {
      g_autoptr(GString) out = g_string_new (NULL);

      if (g_str_equal (type, "status"))
        append_status_json (self, out);
      else
        {
          g_string_append_c (out, '{');
          append_engines_json (self, out);
          g_string_append_c (out, '}');
        }
      reply (self, self->client_sock, msg, g_str_equal (type, "status") ? "status_reply" : "engines_reply",
             out->str, out->len, NULL, 0);
    }
  else if (g_str_equal (type, "jobs"))
    {
      g_autoptr(GString) out = g_string_new ("{\"jobs\":[");
      for (guint id = 1; id < self->next_job_id; id++)
        {
          CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (id));
          if (job == NULL)
            continue;
          if (out->str[out->len - 1] != '[')
            g_string_append_c (out, ',');
          append_job_summary (out, job);
        }
      g_string_append (out, "]}");
      reply (self, self->client_sock, msg, "jobs_reply", out->str, out->len, NULL, 0);
    }
  else if (g_str_equal (type, "job"))
    handle_job_query (self, msg);
  else if (g_str_equal (type, "abort"))
    handle_abort (self, msg);
  else if (g_str_equal (type, "stop_engine"))
    {
      g_autoptr(GError) error = NULL;
      JsonObject *content = loom_message_get_content (msg, &error);
      gint64 id = content ? loom_json_int (content, "engine", -1) : -1;
      CtlEngine *engine;

      if (id < 0 || id >= self->engines->len ||
          !engine_is_alive (engine = g_ptr_array_index (self->engines, id)))
        {
          reply_error (self, self->client_sock, msg, "NoSuchEngine", _("there is no live engine with that id"));
          return;
        }
      send_stop (self, engine);
      reply (self, self->client_sock, msg, "stop_engine_reply", "{}", 2, NULL, 0);
    }
  else if (g_str_equal (type, "shutdown"))
    {
      reply (self, self->client_sock, msg, "shutdown_reply", "{}", 2, NULL, 0);
      loom_controller_request_stop (self);
    }
  else
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_UNKNOWN_TYPE, type);
      reply_error (self, self->client_sock, msg, "UnknownRequest", _("the controller does not know this request"));
    }
}

/* --- engine messages ----------------------------------------------------- */

static void
handle_register (LoomController *self,
                 LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  GBytes *identity = g_ptr_array_index (msg->routing, 0);
  JsonObject *content;
  CtlEngine *engine;
  GString *ev;

  if (!(content = loom_message_get_content (msg, &error)))
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, error->message);
      return;
    }

  engine = g_hash_table_lookup (self->engine_by_identity, identity);
  if (engine == NULL)
    {
      engine = g_new0 (CtlEngine, 1);
      engine->id = self->engines->len;
      engine->identity = g_bytes_ref (identity);
      engine->host = g_strdup (loom_json_string (content, "host", "?"));
      engine->pid = loom_json_int (content, "pid", 0);
      engine->log = g_strdup (loom_json_string (content, "log", NULL));
      if (loom_json_string (content, "heartbeat_id", NULL))
        {
          const char *hb = loom_json_string (content, "heartbeat_id", NULL);
          engine->hb_identity = g_bytes_new (hb, strlen (hb));
          if (!g_hash_table_contains (self->engine_by_identity, engine->hb_identity))
            g_hash_table_insert (self->engine_by_identity, engine->hb_identity, engine);
        }
      engine->state = LOOM_ENGINE_IDLE;
      engine->outstanding = g_array_new (FALSE, FALSE, sizeof (TaskRef));
      engine->registered_at = g_get_real_time ();
      g_ptr_array_add (self->engines, engine);
      g_hash_table_insert (self->engine_by_identity, engine->identity, engine);

      ev = event_begin (self, "engine_registered");
      g_string_append_printf (ev, ",\"engine\":%u,\"pid\":%" G_GINT64_FORMAT ",\"host\":", engine->id, engine->pid);
      loom_json_append_string (ev, engine->host);
      event_end (self);
    }
  engine->last_heartbeat = g_get_monotonic_time ();
  engine->last_heartbeat_real = g_get_real_time ();

  {
    g_autoptr(GString) out = g_string_new (NULL);

    g_string_append_printf (out, "{\"engine\":%u,\"time\":%" G_GINT64_FORMAT ",\"heartbeat_ms\":%u,"
                            "\"timeout_ms\":%u,\"host\":",
                            engine->id, g_get_real_time (), MAX (50, self->heartbeat_timeout_ms / 4),
                            self->heartbeat_timeout_ms);
    loom_json_append_string (out, g_get_host_name ());
    g_string_append_c (out, '}');
    reply (self, self->engine_sock, msg, "register_reply", out->str, out->len, NULL, 0);
  }
}

/* Finds the record of a task that @engine holds; NULL for stale reports
 * (a task given to another engine after this one was declared dead). */
static CtlTask *
lookup_held_task (LoomController *self,
                  CtlEngine      *engine,
                  gint64          job_id,
                  gint64          index,
                  gint64          attempt,
                  CtlJob        **job_out)
{
  CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER ((guint) job_id));
  CtlTask *task;

  if (job == NULL || index < 0 || index >= job->n_tasks)
    return NULL;
  task = &job->tasks[index];
  if (task->engine != (gint32) engine->id || task->attempts != attempt ||
      (task->status != LOOM_TASK_DISPATCHED && task->status != LOOM_TASK_RUNNING))
    return NULL;
  *job_out = job;
  return task;
}

static void
emit_started (LoomController *self,
              CtlJob         *job,
              guint           index,
              CtlTask        *task)
{
  GString *ev;

  task->started_seen = TRUE;
  if (task_events_wanted (self))
    {
      ev = event_begin (self, "task_started");
      g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"engine\":%d,\"started\":%" G_GINT64_FORMAT,
                              job->id, index, task->engine, task->started);
      event_end (self);
    }
}

static void
handle_started (LoomController *self,
                CtlEngine      *engine,
                LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  JsonObject *content;
  JsonArray *rows;

  if (!(content = loom_message_get_content (msg, &error)) ||
      !json_object_has_member (content, "tasks") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (content, "tasks")))
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "started without tasks");
      return;
    }

  rows = loom_json_array (content, "tasks");
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      gint64 v[4];
      CtlJob *job;
      CtlTask *task;

      if (!loom_json_row_ints (json_array_get_element (rows, i), v, 4))
        continue;
      if (!(task = lookup_held_task (self, engine, v[0], v[1], v[2], &job)))
        continue;
      task->status = LOOM_TASK_RUNNING;
      task->started = v[3];
      emit_started (self, job, v[1], task);
    }
}

static gboolean
lines_all_non_empty (GPtrArray *lines)
{
  for (guint i = 0; i < lines->len; i++)
    if (g_bytes_get_size (g_ptr_array_index (lines, i)) == 0)
      return FALSE;
  return TRUE;
}

static void
handle_results (LoomController *self,
                CtlEngine      *engine,
                LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) details = NULL;
  gint64 now = g_get_real_time ();
  JsonObject *content;
  JsonArray *rows;
  guint n_rows;

  if (!(content = loom_message_get_content (msg, &error)) ||
      !json_object_has_member (content, "tasks") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (content, "tasks")))
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "results without tasks");
      return;
    }

  rows = loom_json_array (content, "tasks");
  n_rows = json_array_get_length (rows);
  results = loom_lines_split (loom_message_get_buffer (msg, 0));
  details = loom_lines_split (loom_message_get_buffer (msg, 1));
  if (results->len != n_rows || details->len != n_rows ||
      !lines_all_non_empty (results) || !lines_all_non_empty (details))
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "results whose buffers do not match their rows");
      return;
    }

  for (guint i = 0; i < n_rows; i++)
    {
      gint64 v[6];
      CtlJob *job;
      CtlTask *task;
      GString *ev;

      if (!loom_json_row_ints (json_array_get_element (rows, i), v, 6))
        {
          loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "bad result row");
          continue;
        }
      if (!(task = lookup_held_task (self, engine, v[0], v[1], v[2], &job)))
        {
          self->stale_results++;
          continue;
        }

      for (guint j = 0; j < engine->outstanding->len; j++)
        {
          TaskRef *ref = &g_array_index (engine->outstanding, TaskRef, j);
          if (ref->job == job->id && ref->index == v[1])
            {
              g_array_remove_index (engine->outstanding, j);
              break;
            }
        }

      job->n_outstanding--;
      task->status = v[3] == LOOM_TASK_DONE ? LOOM_TASK_DONE
                     : job->aborted ? LOOM_TASK_ABORTED : LOOM_TASK_FAILED;
      task->started = v[4];
      task->completed = v[5];
      task->received = now;
      g_clear_pointer (&task->result, g_bytes_unref);
      g_clear_pointer (&task->detail, g_bytes_unref);
      task->result = g_bytes_ref (g_ptr_array_index (results, i));
      task->detail = g_bytes_ref (g_ptr_array_index (details, i));

      engine->tasks_done++;
      engine->busy_usec += MAX (0, task->completed - task->started);
      self->tasks_finished++;

      if (!task->started_seen)
        emit_started (self, job, v[1], task);

      if (task_events_wanted (self))
        {
          ev = event_begin (self, task->status == LOOM_TASK_DONE ? "task_finished" : "task_failed");
          g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"engine\":%u,\"status\":\"%s\",\"started\":%"
                                  G_GINT64_FORMAT ",\"completed\":%" G_GINT64_FORMAT,
                                  job->id, (guint) v[1], engine->id,
                                  loom_task_status_to_string (task->status), task->started, task->completed);
          if (task->status != LOOM_TASK_DONE)
            {
              g_string_append (ev, ",\"detail\":");
              g_string_append_len (ev, g_bytes_get_data (task->detail, NULL), g_bytes_get_size (task->detail));
            }
          event_end (self);
        }

      job_task_final (self, job, v[1]);
      if (job->serial && job_has_pending (job))
        job_mark_pending (self, job);
    }

  if (engine->outstanding->len == 0 && engine_is_alive (engine))
    engine->state = LOOM_ENGINE_IDLE;
}

static void
handle_engine_message (LoomController *self,
                       LoomMessage    *msg)
{
  GBytes *identity;
  CtlEngine *engine;

  if (msg->routing->len != 1)
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "engine message without a routing id");
      return;
    }
  identity = g_ptr_array_index (msg->routing, 0);

  if (g_str_equal (msg->msg_type, "register"))
    {
      if (!g_atomic_int_get (&self->stop_requested))
        handle_register (self, msg);
      return;
    }

  engine = g_hash_table_lookup (self->engine_by_identity, identity);
  if (engine == NULL)
    {
      /* An engine we declared dead, or one of a previous controller: it
       * must not run anything for us. */
      if (!g_str_equal (msg->msg_type, "unregister"))
        loom_wire_send (self->wire, self->engine_sock, msg->routing, "stop", NULL, "{}", 2, NULL, 0);
      return;
    }

  engine->last_heartbeat = g_get_monotonic_time ();
  engine->last_heartbeat_real = g_get_real_time ();

  if (g_str_equal (msg->msg_type, "heartbeat"))
    {
      /* The controller's clock, for engines on other hosts to correct theirs. */
      char buf[64];
      g_snprintf (buf, sizeof buf, "{\"time\":%" G_GINT64_FORMAT "}", g_get_real_time ());
      reply (self, self->engine_sock, msg, "heartbeat_reply", buf, -1, NULL, 0);
    }
  else if (g_str_equal (msg->msg_type, "started"))
    handle_started (self, engine, msg);
  else if (g_str_equal (msg->msg_type, "results"))
    handle_results (self, engine, msg);
  else if (g_str_equal (msg->msg_type, "unregister"))
    {
      engine_gone (self, engine, LOOM_ENGINE_STOPPED);
      reply (self, self->engine_sock, msg, "bye", "{}", 2, NULL, 0);
    }
  else
    loom_wire_count_drop (self->wire, LOOM_DROP_UNKNOWN_TYPE, msg->msg_type);
}

/* --- the loop ------------------------------------------------------------ */

static gboolean
bind_socket (LoomController  *self,
             void            *sock,
             const char      *kind,
             char           **url_out,
             int             *port_out,
             GError         **error)
{
  g_autofree char *url = NULL;
  char last[512];
  size_t last_len = sizeof last;

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
        }
    }

  if (zmq_bind (sock, url) != 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                   _("Cannot listen on %s: %s"), url, zmq_strerror (zmq_errno ()));
      return FALSE;
    }

  zmq_getsockopt (sock, ZMQ_LAST_ENDPOINT, last, &last_len);
  *url_out = g_strdup (last);
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
  g_autofree char *dir = loom_connection_dir ();
  LoomConnection *conn;
  int one = 1;

  if (self->bound)
    return TRUE;

  self->connection_path = loom_connection_path_for_profile (self->profile);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED,
                   _("Cannot create %s: %s"), dir, g_strerror (errno));
      return FALSE;
    }

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

  conn = self->conn = loom_connection_new (self->profile);
  conn->transport = g_strdup (self->tcp_ip ? "tcp" : "ipc");
  conn->ip = g_strdup (self->tcp_ip);

  self->wire = loom_wire_new (conn->key, sizeof conn->key, self->max_message);
  loom_wire_set_log_domain (self->wire, "controller");

  self->client_sock = zmq_socket (loom_zmq_context (), ZMQ_ROUTER);
  self->engine_sock = zmq_socket (loom_zmq_context (), ZMQ_ROUTER);
  self->event_sock = zmq_socket (loom_zmq_context (), ZMQ_XPUB);
  loom_wire_apply_socket_limits (self->wire, self->client_sock);
  loom_wire_apply_socket_limits (self->wire, self->engine_sock);
  loom_wire_apply_socket_limits (self->wire, self->event_sock);
  /* A reconnecting engine takes over its identity instead of being refused. */
  zmq_setsockopt (self->engine_sock, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
  /* A ROUTER drops what does not fit under its high-water mark: results
   * for a client that reads slowly (a busy app) must queue, not vanish. */
  zmq_setsockopt (self->client_sock, ZMQ_SNDHWM, &(int) { 0 }, sizeof (int));

  if (!bind_socket (self, self->client_sock, "client", &conn->client_url, &conn->client_port, error) ||
      !bind_socket (self, self->engine_sock, "engine", &conn->engine_url, &conn->engine_port, error) ||
      !bind_socket (self, self->event_sock, "event", &conn->event_url, &conn->event_port, error))
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

  if (!loom_connection_save (conn, self->connection_path, error))
    goto fail;

  self->bound = TRUE;
  self->started_at = g_get_real_time ();
  return TRUE;

fail:
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
  for (guint n = 0; n < MAX_MESSAGES_PER_WAKEUP; n++)
    {
      g_autoptr(LoomMessage) msg = NULL;
      gboolean got_any;

      msg = loom_wire_recv (self->wire, sock, &got_any);
      if (!got_any)
        break;
      if (msg == NULL)
        continue;
      if (from_clients)
        handle_client_message (self, msg);
      else
        handle_engine_message (self, msg);
    }
}

static gboolean
any_engine_alive (LoomController *self)
{
  for (guint i = 0; i < self->engines->len; i++)
    if (engine_is_alive (g_ptr_array_index (self->engines, i)))
      return TRUE;
  return FALSE;
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
      gint64 now;
      int rc;

      rc = zmq_poll (items, 4, 100);
      if (rc < 0 && zmq_errno () != EINTR)
        {
          g_warning ("zmq_poll failed: %s", zmq_strerror (zmq_errno ()));
          break;
        }

      if (items[2].revents & ZMQ_POLLIN)
        loom_eventfd_clear (self->wake_fd);

      if (items[3].revents & ZMQ_POLLIN)
        drain_subscriptions (self);

      /* Engines first: their results free slots for the queued work. */
      drain (self, self->engine_sock, FALSE);
      drain (self, self->client_sock, TRUE);

      now = g_get_monotonic_time ();
      if (now - last_check >= 50 * 1000)
        {
          check_heartbeats (self);
          last_check = now;
        }

      if (g_atomic_int_get (&self->stop_requested))
        {
          if (shutdown_deadline == 0)
            {
              stop_engines (self);
              shutdown_deadline = now + SHUTDOWN_GRACE_USEC;
            }
          if (!any_engine_alive (self) || now >= shutdown_deadline)
            {
              flush_results (self);
              flush_events (self);
              break;
            }
        }
      else
        schedule (self);

      flush_dispatches (self);
      flush_results (self);
      flush_events (self);
    }

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
        g_unlink (self->connection_path);
    }

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
}
