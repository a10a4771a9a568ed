/* loom-job.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One job the window submitted: its result, what it ran (so it can run
 * again), the job it is compared with, and what its row shows — its
 * title, its progress and a line of counts with the time it took or the
 * time it has left.  The window's jobs list is a GListStore of these.
 *
 * A job the controller lists that the window did not submit (another
 * client's, or one from an earlier run of the controller) is one too,
 * made from its LoomJobInfo: its row shows the listing's figures, and
 * its result is loaded only when it is wanted (loom_job_load_async()).
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n.h>

#include "loom-job.h"

struct _LoomJob
{
  GObject          parent_instance;

  LoomAsyncResult *result;     /* NULL for a listed job not loaded yet */
  LoomJobInfo     *info;       /* a listed job's figures, or NULL */
  GCancellable    *loading;    /* a listed job's load under way */
  GPtrArray       *load_waiters; /* GTask, told when it is loaded */
  LoomTaskSpec    *spec;
  GBytes          *lines;
  LoomJob         *partner;     /* weak: compared with this one */
  char            *name;
  char            *title;
  char            *summary;
  double           fraction;
  double           elapsed;     /* s: while it runs, since it was submitted; then its wall time */
  double           remaining;   /* s: an estimate while it runs, -1 before any task is done */
  gint64           submitted;   /* real time: the job's zero until the controller's is known */
  gint64           begun;       /* monotonic time, for the elapsed time */
  guint            tick_id;
  guint            id;
  guint            count;
  LoomJobMode      mode;
  gint             retries;
  LoomScheme       scheme;
};

G_DEFINE_FINAL_TYPE (LoomJob, loom_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_RESULT,
  PROP_SPEC,
  PROP_LINES,
  PROP_COUNT,
  PROP_MODE,
  PROP_RETRIES,
  PROP_SCHEME,
  PROP_NAME,
  PROP_TITLE,
  PROP_SUMMARY,
  PROP_FRACTION,
  PROP_ELAPSED,
  PROP_REMAINING,
  PROP_READY,
  PROP_JOB_ID,
  PROP_PARTNER,
  PROP_INFO,
  PROP_LISTED,
  PROP_CAN_RUN_AGAIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The counts line: while it runs, how far it is and about how long it
 * has to go; once done, its wall time against its tasks' summed time. */
static char *
format_summary (LoomJob *self)
{
  guint total = loom_async_result_get_n_tasks (self->result);
  guint done = loom_async_result_get_progress (self->result);
  guint failed = loom_async_result_get_n_failed (self->result);
  guint queued, running;

  if (loom_async_result_ready (self->result))
    return g_strdup_printf (_("%u done, %u failed — wall %.3f s, Σ task time %.3f s"),
                            done - failed, failed, self->elapsed,
                            loom_async_result_get_serial_time (self->result));

  running = loom_async_result_get_n_running (self->result, &queued);
  if (self->remaining >= 0)
    return g_strdup_printf (_("%u of %u finished, %u failed, %u running, %u queued — %.1f s, about %.1f s to go"),
                            done, total, failed, running, queued, self->elapsed, self->remaining);
  return g_strdup_printf (_("%u of %u finished, %u failed, %u running, %u queued — %.1f s"),
                          done, total, failed, running, queued, self->elapsed);
}

/* When a listed job was submitted, as its row says it. */
static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  /* TRANSLATORS: when a job was submitted, see g_date_time_format() */
  return local ? g_date_time_format (local, _("%Y-%m-%d %H:%M:%S")) : g_strdup ("?");
}

/* A listed job's counts line: its id, its state and when it was
 * submitted, then its counts as the controller has them. */
static char *
format_info_summary (LoomJobInfo *info)
{
  g_autofree char *when = format_time (loom_job_info_get_created (info));
  guint done = loom_job_info_get_n_done (info);
  guint failed = loom_job_info_get_n_failed (info);

  if (loom_job_info_is_ready (info))
    /* TRANSLATORS: "Job 3, finished, submitted 2026-12-05 06:12:40 — 98 done, 2 failed, wall 1.234 s" */
    return g_strdup_printf (_("Job %u, finished, submitted %s — %u done, %u failed, wall %.3f s"),
                            loom_job_info_get_id (info), when, done, failed,
                            loom_job_info_get_wall_time (info));
  return g_strdup_printf (_("Job %u, running, submitted %s — %u of %u finished, %u failed, %u running, %u queued"),
                          loom_job_info_get_id (info), when, done + failed, loom_job_info_get_n_tasks (info),
                          failed, loom_job_info_get_n_running (info), loom_job_info_get_n_queued (info));
}

static void
set_double (LoomJob *self,
            double  *field,
            double   value,
            guint    prop)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
    }
}

static void
set_summary (LoomJob *self,
             char    *summary)
{
  if (g_strcmp0 (summary, self->summary) != 0)
    {
      g_free (self->summary);
      self->summary = summary;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
    }
  else
    g_free (summary);
}

/* A listed job: the listing's figures, whether its result is loaded or not. */
static void
update_from_info (LoomJob *self)
{
  guint total = loom_job_info_get_n_tasks (self->info);
  guint over = loom_job_info_get_n_done (self->info) + loom_job_info_get_n_failed (self->info);

  g_object_freeze_notify (G_OBJECT (self));
  set_double (self, &self->fraction, total ? CLAMP (over / (double) total, 0, 1) : 0, PROP_FRACTION);
  set_double (self, &self->elapsed, loom_job_info_get_wall_time (self->info), PROP_ELAPSED);
  set_summary (self, format_info_summary (self->info));
  g_object_thaw_notify (G_OBJECT (self));
}

static void
update (LoomJob *self)
{
  guint total;
  guint done;
  g_autofree char *summary = NULL;

  if (self->info != NULL)
    {
      update_from_info (self);
      return;
    }
  total = loom_async_result_get_n_tasks (self->result);
  done = loom_async_result_get_progress (self->result);

  g_object_freeze_notify (G_OBJECT (self));
  set_double (self, &self->fraction, total ? done / (double) total : 0, PROP_FRACTION);
  if (loom_async_result_ready (self->result))
    {
      set_double (self, &self->elapsed, loom_async_result_get_wall_time (self->result), PROP_ELAPSED);
      set_double (self, &self->remaining, 0, PROP_REMAINING);
    }
  else
    {
      double elapsed = (g_get_monotonic_time () / 1000 - self->begun / 1000) / 1000.0;

      set_double (self, &self->elapsed, elapsed, PROP_ELAPSED);
      set_double (self, &self->remaining, done > 0 ? elapsed / done * (total - done) : -1, PROP_REMAINING);
    }
  set_summary (self, format_summary (self));
  g_object_thaw_notify (G_OBJECT (self));
}

/* Elapsed time moves while a job runs, results or not. */
static gboolean
tick (gpointer data)
{
  LoomJob *self = data;

  update (self);
  if (loom_async_result_ready (self->result))
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_ready (LoomJob *self)
{
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

static void
on_job_id (LoomJob *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB_ID]);
}

static void
loom_job_constructed (GObject *object)
{
  LoomJob *self = (LoomJob *) object;
  g_autofree char *tasks = NULL;

  G_OBJECT_CLASS (loom_job_parent_class)->constructed (object);

  g_assert (LOOM_IS_ASYNC_RESULT (self->result) || LOOM_IS_JOB_INFO (self->info));

  self->begun = g_get_monotonic_time ();
  if (self->info != NULL)
    {
      const char *name = loom_job_info_get_name (self->info);

      self->count = loom_job_info_get_n_tasks (self->info);
      self->mode = loom_job_info_get_mode (self->info);
      self->submitted = loom_job_info_get_created (self->info);
      self->name = g_strdup (name && *name ? name :
                             loom_job_info_get_function (self->info) ? loom_job_info_get_function (self->info) :
                             _("command"));
    }
  else
    self->name = g_strdup (self->spec && loom_task_spec_get_function (self->spec)
                           ? loom_task_spec_get_function (self->spec) : _("command"));
  tasks = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u task", "%u tasks", self->count), self->count);
  self->title = g_strdup_printf ("%s — %s, %s", self->name,
                                 self->mode == LOOM_JOB_SERIAL ? _("serial") : _("parallel"), tasks);

  if (self->info != NULL)
    {
      update_from_info (self);
      return;
    }

  g_signal_connect_object (self->result, "notify::progress", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->result, "notify::ready", G_CALLBACK (on_ready), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->result, "finished", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->result, "notify::job-id", G_CALLBACK (on_job_id), self, G_CONNECT_SWAPPED);
  if (!loom_async_result_ready (self->result))
    self->tick_id = g_timeout_add (500, tick, self);
  update (self);
}

static void
loom_job_dispose (GObject *object)
{
  LoomJob *self = (LoomJob *) object;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_weak_pointer (&self->partner);
  if (self->loading != NULL)
    g_cancellable_cancel (self->loading);

  G_OBJECT_CLASS (loom_job_parent_class)->dispose (object);
}

static void
loom_job_finalize (GObject *object)
{
  LoomJob *self = (LoomJob *) object;

  g_clear_object (&self->result);
  g_clear_object (&self->info);
  g_clear_pointer (&self->load_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->spec, loom_task_spec_unref);
  g_clear_pointer (&self->lines, g_bytes_unref);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (loom_job_parent_class)->finalize (object);
}

static void
loom_job_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  LoomJob *self = LOOM_JOB (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;
    case PROP_RESULT:
      g_value_set_object (value, self->result);
      break;
    case PROP_SPEC:
      g_value_set_boxed (value, self->spec);
      break;
    case PROP_LINES:
      g_value_set_boxed (value, self->lines);
      break;
    case PROP_COUNT:
      g_value_set_uint (value, self->count);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_RETRIES:
      g_value_set_int (value, self->retries);
      break;
    case PROP_SCHEME:
      g_value_set_enum (value, self->scheme);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_ELAPSED:
      g_value_set_double (value, self->elapsed);
      break;
    case PROP_REMAINING:
      g_value_set_double (value, self->remaining);
      break;
    case PROP_READY:
      g_value_set_boolean (value, loom_job_get_ready (self));
      break;
    case PROP_JOB_ID:
      g_value_set_int (value, loom_job_get_job_id (self));
      break;
    case PROP_PARTNER:
      g_value_set_object (value, self->partner);
      break;
    case PROP_INFO:
      g_value_set_object (value, self->info);
      break;
    case PROP_LISTED:
      g_value_set_boolean (value, self->info != NULL);
      break;
    case PROP_CAN_RUN_AGAIN:
      g_value_set_boolean (value, self->spec != NULL && self->lines != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_job_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  LoomJob *self = LOOM_JOB (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_uint (value);
      break;
    case PROP_RESULT:
      self->result = g_value_dup_object (value);
      break;
    case PROP_SPEC:
      self->spec = g_value_dup_boxed (value);
      break;
    case PROP_LINES:
      self->lines = g_value_dup_boxed (value);
      break;
    case PROP_COUNT:
      self->count = g_value_get_uint (value);
      break;
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      break;
    case PROP_RETRIES:
      self->retries = g_value_get_int (value);
      break;
    case PROP_SCHEME:
      self->scheme = g_value_get_enum (value);
      break;
    case PROP_PARTNER:
      loom_job_set_partner (self, g_value_get_object (value));
      break;
    case PROP_INFO:
      self->info = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_job_class_init (LoomJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags readable = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = loom_job_constructed;
  object_class->dispose = loom_job_dispose;
  object_class->finalize = loom_job_finalize;
  object_class->get_property = loom_job_get_property;
  object_class->set_property = loom_job_set_property;

  /* What the job's actions name it by: unique in its window. */
  properties[PROP_ID] = g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT, 0, construct);
  properties[PROP_RESULT] = g_param_spec_object ("result", NULL, NULL, LOOM_TYPE_ASYNC_RESULT, construct);
  properties[PROP_SPEC] = g_param_spec_boxed ("spec", NULL, NULL, LOOM_TYPE_TASK_SPEC, construct);
  properties[PROP_LINES] = g_param_spec_boxed ("lines", NULL, NULL, G_TYPE_BYTES, construct);
  properties[PROP_COUNT] = g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0, construct);
  properties[PROP_MODE] = g_param_spec_enum ("mode", NULL, NULL, LOOM_TYPE_JOB_MODE, LOOM_JOB_PARALLEL, construct);
  properties[PROP_RETRIES] = g_param_spec_int ("retries", NULL, NULL, 0, G_MAXINT, 0, construct);
  properties[PROP_SCHEME] = g_param_spec_enum ("scheme", NULL, NULL, LOOM_TYPE_SCHEME, LOOM_SCHEME_LEASTLOAD, construct);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, readable);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, readable);
  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL, readable);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, readable);
  properties[PROP_ELAPSED] = g_param_spec_double ("elapsed", NULL, NULL, 0, G_MAXDOUBLE, 0, readable);
  properties[PROP_REMAINING] = g_param_spec_double ("remaining", NULL, NULL, -1, G_MAXDOUBLE, -1, readable);
  properties[PROP_READY] = g_param_spec_boolean ("ready", NULL, NULL, FALSE, readable);
  properties[PROP_JOB_ID] = g_param_spec_int ("job-id", NULL, NULL, -1, G_MAXINT, -1, readable);
  properties[PROP_PARTNER] = g_param_spec_object ("partner", NULL, NULL, LOOM_TYPE_JOB,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* A job the controller listed, which the window did not submit. */
  properties[PROP_INFO] = g_param_spec_object ("info", NULL, NULL, LOOM_TYPE_JOB_INFO,
                                               construct | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LISTED] = g_param_spec_boolean ("listed", NULL, NULL, FALSE, readable);
  properties[PROP_CAN_RUN_AGAIN] = g_param_spec_boolean ("can-run-again", NULL, NULL, FALSE, readable);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_job_init (LoomJob *self)
{
  self->mode = LOOM_JOB_PARALLEL;
  self->remaining = -1;
}

/**
 * loom_job_submit:
 * @client: the cluster's client
 * @id: the job's number in its window
 * @spec: what each task runs
 * @lines: the tasks' parameters, a JSON object a line
 * @count: how many lines
 * @mode: parallel, or serial to compare
 * @retries: times a task of a dead engine runs again
 * @scheme: how the controller picks engines
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the job submitted
 */
LoomJob *
loom_job_submit (LoomClient    *client,
                 guint          id,
                 LoomTaskSpec  *spec,
                 GBytes        *lines,
                 guint          count,
                 LoomJobMode    mode,
                 gint           retries,
                 LoomScheme     scheme,
                 GError       **error)
{
  g_autoptr(LoomView) view = NULL;
  g_autoptr(LoomAsyncResult) result = NULL;
  gint64 submitted = g_get_real_time ();
  LoomJob *self;

  g_return_val_if_fail (LOOM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (lines != NULL, NULL);

  view = loom_client_load_balanced_view (client);
  loom_view_set_mode (view, mode);
  loom_view_set_name (view, loom_task_spec_get_function (spec) ? loom_task_spec_get_function (spec) : _("command"));
  loom_view_set_retries (view, retries);
  loom_view_set_scheme (view, scheme);
  if (!(result = loom_view_map_lines_async (view, spec, lines, count, error)))
    return NULL;

  self = g_object_new (LOOM_TYPE_JOB,
                       "id", id,
                       "result", result,
                       "spec", spec,
                       "lines", lines,
                       "count", count,
                       "mode", mode,
                       "retries", retries,
                       "scheme", scheme,
                       NULL);
  self->submitted = submitted;
  return self;
}

/**
 * loom_job_run_again:
 * @self: a #LoomJob
 * @client: the cluster's client
 * @id: the new job's number in its window
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a new job running what @self ran
 */
LoomJob *
loom_job_run_again (LoomJob     *self,
                    LoomClient  *client,
                    guint        id,
                    GError     **error)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), NULL);

  if (self->spec == NULL || self->lines == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Job %d was not submitted from this window, so it cannot run again from here"),
                   loom_job_get_job_id (self));
      return NULL;
    }

  return loom_job_submit (client, id, self->spec, self->lines, self->count,
                          self->mode, self->retries, self->scheme, error);
}

/* An abort: sent once the controller's answer to the submission (the
 * job's id) is here. */
typedef struct
{
  LoomClient *client;
  GSource    *cancelled;   /* while waiting for the job's id */
  gulong      notify_id;
  guint       n_aborted;
  guint       n_killing;
} Abort;

static void
abort_stop_waiting (GTask *task)
{
  Abort *abort = g_task_get_task_data (task);

  g_clear_signal_handler (&abort->notify_id, g_task_get_source_object (task));
  if (abort->cancelled != NULL)
    {
      g_source_destroy (abort->cancelled);
      g_clear_pointer (&abort->cancelled, g_source_unref);
    }
}

static void
abort_free (Abort *abort)
{
  g_assert (abort->notify_id == 0);
  g_assert (abort->cancelled == NULL);
  g_clear_object (&abort->client);
  g_free (abort);
}

static void
on_abort_reply (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GTask) task = data;
  Abort *abort = g_task_get_task_data (task);
  GError *error = NULL;

  if (loom_client_abort_job_finish (LOOM_CLIENT (source), result, &abort->n_aborted, &abort->n_killing, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Sends the abort if the job's id is known, gives up if the job was
 * never accepted; otherwise returns FALSE and the task waits. */
static gboolean
abort_try_send (GTask *task)
{
  LoomJob *self = g_task_get_source_object (task);
  Abort *abort = g_task_get_task_data (task);
  gint job_id = loom_job_get_job_id (self);

  if (job_id < 0 && !loom_job_get_ready (self))
    return FALSE;

  if (job_id < 0)
    g_task_return_new_error (task, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                             _("The job was never accepted by the controller, so there is nothing to abort"));
  else
    loom_client_abort_job_async (abort->client, job_id, g_task_get_cancellable (task),
                                 on_abort_reply, g_object_ref (task));
  return TRUE;
}

static void
on_abort_job_id (LoomJob    *self,
                 GParamSpec *pspec,
                 GTask      *task)
{
  if (abort_try_send (task))
    {
      abort_stop_waiting (task);
      g_object_unref (task);   /* the wait's */
    }
}

static gboolean
on_abort_cancelled (GCancellable *cancellable,
                    GTask        *task)
{
  abort_stop_waiting (task);
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);   /* the wait's */
  return G_SOURCE_REMOVE;
}

/**
 * loom_job_abort_async:
 * @self: a #LoomJob
 * @client: the cluster's client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the main context with the controller's answer
 * @user_data: data for @callback
 *
 * Aborts the job: its queued tasks never run, its running ones are
 * stopped.  A job just submitted is aborted as soon as the controller
 * has accepted it.  Finish with loom_job_abort_finish().
 */
void
loom_job_abort_async (LoomJob             *self,
                      LoomClient          *client,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Abort *abort;

  g_return_if_fail (LOOM_IS_JOB (self));
  g_return_if_fail (LOOM_IS_CLIENT (client));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, loom_job_abort_async);
  g_task_set_name (task, "[loom] abort job");
  abort = g_new0 (Abort, 1);
  abort->client = g_object_ref (client);
  g_task_set_task_data (task, abort, (GDestroyNotify) abort_free);

  if (g_task_return_error_if_cancelled (task) || abort_try_send (task))
    return;

  /* The job's id comes with the controller's answer to the submission. */
  abort->notify_id = g_signal_connect (self, "notify::job-id", G_CALLBACK (on_abort_job_id), task);
  if (cancellable != NULL)
    {
      abort->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (abort->cancelled, G_SOURCE_FUNC (on_abort_cancelled), task, NULL);
      g_source_set_static_name (abort->cancelled, "[loom] abort cancelled");
      g_source_attach (abort->cancelled, g_task_get_context (task));
    }
  g_steal_pointer (&task);   /* the wait holds it */
}

/**
 * loom_job_abort_finish:
 * @self: a #LoomJob
 * @result: the #GAsyncResult given to the callback
 * @n_aborted: (out) (optional): the queued tasks that will never run
 * @n_killing: (out) (optional): the running tasks being stopped
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the controller aborted the job
 */
gboolean
loom_job_abort_finish (LoomJob       *self,
                       GAsyncResult  *result,
                       guint         *n_aborted,
                       guint         *n_killing,
                       GError       **error)
{
  Abort *abort;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == loom_job_abort_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  abort = g_task_get_task_data (G_TASK (result));
  if (n_aborted)
    *n_aborted = abort->n_aborted;
  if (n_killing)
    *n_killing = abort->n_killing;
  return TRUE;
}

guint
loom_job_get_id (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), 0);
  return self->id;
}

/**
 * loom_job_get_result:
 * @self: a #LoomJob
 *
 * Returns: (transfer none) (nullable): the job's result; %NULL for a
 *   listed job until it is loaded (loom_job_load_async())
 */
LoomAsyncResult *
loom_job_get_result (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), NULL);
  return self->result;
}

/* The function it runs, or “command”. */
const char *
loom_job_get_name (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), NULL);
  return self->name;
}

const char *
loom_job_get_title (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), NULL);
  return self->title;
}

const char *
loom_job_get_summary (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), NULL);
  return self->summary;
}

double
loom_job_get_fraction (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), 0);
  return self->fraction;
}

gboolean
loom_job_get_ready (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), FALSE);
  if (self->info != NULL)
    return loom_job_info_is_ready (self->info);
  return loom_async_result_ready (self->result);
}

LoomJobMode
loom_job_get_mode (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), LOOM_JOB_PARALLEL);
  return self->mode;
}

gint
loom_job_get_retries (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), 0);
  return self->retries;
}

/* Seconds since it was submitted while it runs, then its wall time. */
double
loom_job_get_elapsed (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), 0);
  return self->elapsed;
}

/* Seconds it has about left to run: -1 until a task is done. */
double
loom_job_get_remaining (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), -1);
  return self->remaining;
}

/**
 * loom_job_get_lines:
 * @self: a #LoomJob
 *
 * Returns: (transfer none): its tasks' parameters, a JSON object a line
 */
GBytes *
loom_job_get_lines (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), NULL);
  return self->lines;
}

/* When this window submitted it (µs since the epoch): its zero on the
 * timeline until the controller's own is known. */
gint64
loom_job_get_submitted (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), 0);
  return self->submitted;
}

/**
 * loom_job_get_partner:
 * @self: a #LoomJob
 *
 * Returns: (transfer none) (nullable): the job run the other way (serial
 *   or parallel) to compare with this one
 */
LoomJob *
loom_job_get_partner (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), NULL);
  return self->partner;
}

void
loom_job_set_partner (LoomJob *self,
                      LoomJob *partner)
{
  g_return_if_fail (LOOM_IS_JOB (self));
  g_return_if_fail (!partner || LOOM_IS_JOB (partner));

  if (g_set_weak_pointer (&self->partner, partner))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARTNER]);
}

/**
 * loom_job_new_for_info:
 * @id: the job's number in its window
 * @info: a job the controller listed
 *
 * Returns: (transfer full): a job the window did not submit; its row
 *   shows @info, and its tasks are loaded with loom_job_load_async()
 */
LoomJob *
loom_job_new_for_info (guint        id,
                       LoomJobInfo *info)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (info), NULL);

  return g_object_new (LOOM_TYPE_JOB, "id", id, "info", info, NULL);
}

/**
 * loom_job_get_info:
 * @self: a #LoomJob
 *
 * Returns: (transfer none) (nullable): the controller's listing of a job
 *   the window did not submit
 */
LoomJobInfo *
loom_job_get_info (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), NULL);
  return self->info;
}

/* A newer listing of the same job: its counts move while it runs. */
void
loom_job_set_info (LoomJob     *self,
                   LoomJobInfo *info)
{
  gboolean was_ready;

  g_return_if_fail (LOOM_IS_JOB (self));
  g_return_if_fail (LOOM_IS_JOB_INFO (info));
  g_return_if_fail (self->info != NULL);
  g_return_if_fail (loom_job_info_get_id (info) == loom_job_info_get_id (self->info));

  was_ready = loom_job_get_ready (self);
  g_set_object (&self->info, info);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INFO]);
  update_from_info (self);
  if (was_ready != loom_job_get_ready (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

/* The controller's id of the job, or -1 until it is known. */
gint
loom_job_get_job_id (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), -1);
  if (self->info != NULL)
    return loom_job_info_get_id (self->info);
  return loom_async_result_get_job_id (self->result);
}

/* Whether the loaded result of a listed job is behind the listing: the
 * job ran on since it was loaded. */
gboolean
loom_job_is_stale (LoomJob *self)
{
  g_return_val_if_fail (LOOM_IS_JOB (self), FALSE);
  if (self->info == NULL || self->result == NULL)
    return FALSE;
  return loom_async_result_get_progress (self->result) !=
         loom_job_info_get_n_done (self->info) + loom_job_info_get_n_failed (self->info) ||
         loom_async_result_ready (self->result) != loom_job_info_is_ready (self->info);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *res,
           gpointer      data)
{
  g_autoptr(LoomJob) self = data;
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->load_waiters);
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(GBytes) params = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->loading);
  result = loom_client_load_job_finish (LOOM_CLIENT (source), res, &params, &error);
  if (result != NULL)
    {
      g_set_object (&self->result, result);
      g_clear_pointer (&self->lines, g_bytes_unref);
      self->lines = g_steal_pointer (&params);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
    }
  for (guint i = 0; waiters && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (g_task_return_error_if_cancelled (task))
        continue;
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

/**
 * loom_job_load_async:
 * @self: a #LoomJob
 * @client: the cluster's client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the main context once the job is loaded
 * @user_data: data for @callback
 *
 * Loads the tasks of a listed job, its result, from the controller,
 * without blocking; again if it ran on since it was loaded.  A job the
 * window submitted, or one loaded and over, is there at once.
 */
void
loom_job_load_async (LoomJob             *self,
                     LoomClient          *client,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LOOM_IS_JOB (self));
  g_return_if_fail (LOOM_IS_CLIENT (client));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, loom_job_load_async);
  if (self->result != NULL && !loom_job_is_stale (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->load_waiters == NULL)
    self->load_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->load_waiters, g_steal_pointer (&task));
  if (self->loading == NULL)
    {
      /* Cancelled as the job goes. */
      self->loading = g_cancellable_new ();
      loom_client_load_job_async (client, loom_job_info_get_id (self->info), self->loading,
                                  on_loaded, g_object_ref (self));
    }
}

gboolean
loom_job_load_finish (LoomJob       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
