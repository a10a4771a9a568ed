/* loom-async-result.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The results of one job as they arrive, like ipyparallel's AsyncResult.
 * The client fills it as results arrive, either while a caller blocks in
 * get() or wait() (which pump the client) or from the client's main-loop
 * source; signals are emitted from the main context it was created on.  Results
 * are kept as the JSON text they came in and parsed only when asked for.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-client-private.h"
#include "loom-error.h"
#include "loom-util-private.h"

typedef struct
{
  gint64   ts[5];        /* submitted, dispatched, started, completed, received */
  GBytes  *result;
  GBytes  *detail;
  gint32   engine;
  guint8   status;
  guint8   attempts;
  guint8   taken;        /* its result was stolen: later copies are dropped */
} ResultTask;

/**
 * LoomAsyncResult:
 *
 * The results of one job, like ipyparallel's `AsyncResult`: ready() and
 * get() as there, wait() and wait_async(), each task's metadata
 * (#LoomTaskInfo), and the #LoomAsyncResult::task-finished and
 * #LoomAsyncResult::finished signals on the main context it was created on.
 *
 * A result belongs to the thread of its #LoomClient.
 */
struct _LoomAsyncResult
{
  GObject       parent_instance;

  LoomClient   *client;
  gboolean      single;

  ResultTask   *tasks;
  guint         n_tasks;
  guint         n_final;
  guint         n_failed;
  gint          job_id;
  gboolean      job_known;
  gboolean      ready;        /* every task final, or failed as a whole */
  GError       *error;        /* submit refused or connection lost */
  GArray       *newly_final;  /* guint, for task-finished signals */
  GArray       *newly_started; /* guint, for task-started signals */
  guint         n_running;     /* tasks whose status is RUNNING */
  gboolean      keep_results;  /* get() gives every result */
  guint         n_taken;       /* results stolen */

  GMainContext *context;
  GSource      *source;
  guint         notified_progress;
  gboolean      notified_ready;
  GPtrArray    *waiters;      /* GTask, main context only */
};

enum {
  PROP_0,
  PROP_JOB_ID,
  PROP_N_TASKS,
  PROP_PROGRESS,
  PROP_READY,
  N_PROPS
};

enum {
  TASK_STARTED,
  TASK_FINISHED,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LoomAsyncResult, loom_async_result, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (LoomTaskInfo, loom_task_info, loom_task_info_copy, loom_task_info_free)

/**
 * loom_task_info_copy:
 * @info: a #LoomTaskInfo
 *
 * Returns: (transfer full): a copy of @info
 */
LoomTaskInfo *
loom_task_info_copy (const LoomTaskInfo *info)
{
  LoomTaskInfo *copy = g_memdup2 (info, sizeof *info);

  copy->result = info->result ? json_node_copy (info->result) : NULL;
  copy->error_type = g_strdup (info->error_type);
  copy->error_message = g_strdup (info->error_message);
  copy->stdout_text = g_strdup (info->stdout_text);
  copy->stderr_text = g_strdup (info->stderr_text);
  copy->stdout_bytes = info->stdout_bytes ? g_bytes_ref (info->stdout_bytes) : NULL;
  copy->stderr_bytes = info->stderr_bytes ? g_bytes_ref (info->stderr_bytes) : NULL;
  return copy;
}

/**
 * loom_task_info_free:
 * @info: (transfer full): a #LoomTaskInfo
 *
 * Frees @info and what it holds.
 */
void
loom_task_info_free (LoomTaskInfo *info)
{
  if (info == NULL)
    return;
  g_clear_pointer (&info->result, json_node_unref);
  g_free (info->error_type);
  g_free (info->error_message);
  g_free (info->stdout_text);
  g_free (info->stderr_text);
  g_clear_pointer (&info->stdout_bytes, g_bytes_unref);
  g_clear_pointer (&info->stderr_bytes, g_bytes_unref);
  g_free (info);
}

static gboolean
is_ready (LoomAsyncResult *self)
{
  return self->error != NULL || self->n_final == self->n_tasks;
}

static void
complete_waiters (LoomAsyncResult *self)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);

  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; waiters && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_boolean (task, TRUE);
    }
}

/* Runs on the result's main context after the I/O thread changed it. */
static gboolean
source_dispatch (gpointer data)
{
  LoomAsyncResult *self = data;
  g_autoptr(GArray) finished = NULL;
  g_autoptr(GArray) started = NULL;
  guint progress;
  gboolean ready;

  g_object_ref (self);

  finished = g_steal_pointer (&self->newly_final);
  self->newly_final = g_array_new (FALSE, FALSE, sizeof (guint));
  started = g_steal_pointer (&self->newly_started);
  self->newly_started = g_array_new (FALSE, FALSE, sizeof (guint));
  progress = self->n_final;
  ready = is_ready (self);

  for (guint i = 0; i < finished->len; i++)
    g_signal_emit (self, signals[TASK_FINISHED], 0, g_array_index (finished, guint, i));
  /* After the ends: an engine's next task starts after its last one ended. */
  for (guint i = 0; i < started->len; i++)
    g_signal_emit (self, signals[TASK_STARTED], 0, g_array_index (started, guint, i));

  if (progress != self->notified_progress)
    {
      self->notified_progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB_ID]);

  if (ready && !self->notified_ready)
    {
      self->notified_ready = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
      g_signal_emit (self, signals[FINISHED], 0);
      complete_waiters (self);
    }

  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static void
loom_async_result_finalize (GObject *object)
{
  LoomAsyncResult *self = (LoomAsyncResult *) object;

  if (self->source)
    {
      g_source_destroy (self->source);
      g_source_unref (self->source);
    }
  for (guint i = 0; i < self->n_tasks; i++)
    {
      g_clear_pointer (&self->tasks[i].result, g_bytes_unref);
      g_clear_pointer (&self->tasks[i].detail, g_bytes_unref);
    }
  g_free (self->tasks);
  g_clear_pointer (&self->newly_final, g_array_unref);
  g_clear_pointer (&self->newly_started, g_array_unref);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_error (&self->error);
  g_clear_object (&self->client);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (loom_async_result_parent_class)->finalize (object);
}

static void
loom_async_result_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LoomAsyncResult *self = LOOM_ASYNC_RESULT (object);

  switch (prop_id)
    {
    case PROP_JOB_ID:
      g_value_set_int (value, loom_async_result_get_job_id (self));
      break;

    case PROP_N_TASKS:
      g_value_set_uint (value, self->n_tasks);
      break;

    case PROP_PROGRESS:
      g_value_set_uint (value, loom_async_result_get_progress (self));
      break;

    case PROP_READY:
      g_value_set_boolean (value, loom_async_result_ready (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_async_result_class_init (LoomAsyncResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = loom_async_result_finalize;
  object_class->get_property = loom_async_result_get_property;

  /**
   * LoomAsyncResult:job-id:
   *
   * The job's id at the controller, or -1 until the controller took it.
   */
  properties[PROP_JOB_ID] =
    g_param_spec_int ("job-id", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * LoomAsyncResult:n-tasks:
   *
   * The number of tasks of the job.
   */
  properties[PROP_N_TASKS] =
    g_param_spec_uint ("n-tasks", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * LoomAsyncResult:progress:
   *
   * The number of tasks that have finished, with a result or not.
   */
  properties[PROP_PROGRESS] =
    g_param_spec_uint ("progress", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * LoomAsyncResult:ready:
   *
   * Whether every task has finished (or the job failed as a whole).
   */
  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LoomAsyncResult::task-started:
   * @self: a #LoomAsyncResult
   * @index: the task that started running on an engine
   *
   * Emitted only while the client follows task events
   * (loom_client_set_follow_tasks()).
   */
  signals[TASK_STARTED] =
    g_signal_new ("task-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * LoomAsyncResult::task-finished:
   * @self: a #LoomAsyncResult
   * @index: the task that reached a final status
   */
  signals[TASK_FINISHED] =
    g_signal_new ("task-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * LoomAsyncResult::finished:
   * @self: a #LoomAsyncResult
   *
   * Every task reached a final status, or the job failed as a whole.
   */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
loom_async_result_init (LoomAsyncResult *self)
{
  self->job_id = -1;
  self->keep_results = TRUE;
  self->newly_final = g_array_new (FALSE, FALSE, sizeof (guint));
  self->newly_started = g_array_new (FALSE, FALSE, sizeof (guint));
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = g_main_context_ref_thread_default ();
}

LoomAsyncResult *
loom_async_result_new (LoomClient *client,
                       guint       n_tasks,
                       gboolean    single)
{
  LoomAsyncResult *self = g_object_new (LOOM_TYPE_ASYNC_RESULT, NULL);

  self->client = g_object_ref (client);
  self->single = single;
  self->n_tasks = n_tasks;
  self->tasks = g_new0 (ResultTask, n_tasks);
  for (guint i = 0; i < n_tasks; i++)
    self->tasks[i].engine = -1;
  /* The source holds no reference: finalize destroys it. */
  self->source = loom_wakeup_source_new (self->context, source_dispatch, self, "[loom] async result");
  if (n_tasks == 0)
    {
      /* A map over nothing: no job, ready at once (see loom_view_map_async()). */
      self->ready = TRUE;
      loom_wakeup_source_wake (self->source);
    }

  return self;
}

void
loom_async_result_set_job (LoomAsyncResult *self,
                           guint            job_id)
{
  self->job_id = job_id;
  self->job_known = TRUE;
  loom_wakeup_source_wake (self->source);
}

void
loom_async_result_fail (LoomAsyncResult *self,
                        const GError    *error)
{
  if (self->error == NULL && self->n_final < self->n_tasks)
    self->error = g_error_copy (error);
  self->ready = TRUE;
  self->n_running = 0;   /* nothing will report on them any more */
  self->job_known = TRUE;
  loom_wakeup_source_wake (self->source);
}

/* A task event: the task runs on @engine since @started. */
void
loom_async_result_mark_started (LoomAsyncResult *self,
                                gint64           index,
                                gint64           engine,
                                gint64           started)
{
  ResultTask *task;

  if (index < 0 || index >= self->n_tasks)
    return;
  task = &self->tasks[index];
  if (loom_task_status_is_final (task->status))
    return;
  if (task->status != LOOM_TASK_RUNNING)
    self->n_running++;
  task->status = LOOM_TASK_RUNNING;
  task->engine = engine;
  task->ts[2] = started;
  g_array_append_val (self->newly_started, (guint) { index });
  loom_wakeup_source_wake (self->source);
}

/* Returns TRUE once every task is final. */
gboolean
loom_async_result_apply (LoomAsyncResult *self,
                         JsonArray       *rows,
                         GPtrArray       *results,
                         GPtrArray       *details)
{
  gboolean ready;

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      gint64 v[9];
      ResultTask *task;
      guint index;

      /* Results come for tasks that ended: anything else is malformed. */
      if (!loom_json_row_ints (json_array_get_element (rows, i), v, 9) ||
          v[0] < 0 || v[0] >= self->n_tasks || v[2] < LOOM_TASK_DONE || v[2] > LOOM_TASK_TIMEOUT)
        continue;
      index = v[0];

      task = &self->tasks[index];
      if (task->status == LOOM_TASK_RUNNING)
        self->n_running--;
      if (!loom_task_status_is_final (task->status))
        {
          self->n_final++;
          g_array_append_val (self->newly_final, index);
        }
      else if (task->status != LOOM_TASK_DONE)
        self->n_failed--;

      task->engine = v[1];
      task->status = v[2];
      task->attempts = v[3];
      for (guint t = 0; t < 5; t++)
        task->ts[t] = v[4 + t];
      if (task->status != LOOM_TASK_DONE)
        self->n_failed++;
      g_clear_pointer (&task->result, g_bytes_unref);
      g_clear_pointer (&task->detail, g_bytes_unref);
      /* A result sent again (after a reconnection) that was taken already. */
      if (task->taken)
        continue;
      task->result = g_bytes_ref (g_ptr_array_index (results, i));
      task->detail = g_bytes_ref (g_ptr_array_index (details, i));
    }
  ready = self->ready = is_ready (self);

  loom_wakeup_source_wake (self->source);
  return ready;
}

/* Takes in what the client has received, without waiting: like
 * ipyparallel's AsyncResult, asking a question looks at the sockets. */
static void
refresh (LoomAsyncResult *self)
{
  gboolean never = FALSE;

  /* A program without a main loop sees progress by asking; one with a
   * main loop (an app) gets it from the client's GSource, and must not
   * process replies in the middle of its own handlers. */
  if (!self->ready && !loom_client_in_main_loop (self->client))
    loom_client_wait (self->client, &never, 0);
}

/* Pumps the client in this thread until the job is ready or @timeout
 * (seconds, < 0 for ever) passes. */
static gboolean
wait_ready (LoomAsyncResult *self,
            double           timeout)
{
  if (!self->ready)
    loom_client_wait (self->client, &self->ready, timeout);
  return self->ready;
}

/**
 * loom_async_result_get_job_id:
 * @self: a #LoomAsyncResult
 *
 * Returns: the controller's id of the job, or -1 until it is known
 */
gint
loom_async_result_get_job_id (LoomAsyncResult *self)
{
  gint id;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), -1);
  refresh (self);
  id = self->job_id;
  return id;
}

/* The job id as known now, without looking at the sockets: for the
 * client's own code, which runs while it reads them. */
gint
loom_async_result_peek_job_id (LoomAsyncResult *self)
{
  return self->job_id;
}

/**
 * loom_async_result_get_n_tasks:
 * @self: a #LoomAsyncResult
 *
 * Returns: the number of tasks of the job
 */
guint
loom_async_result_get_n_tasks (LoomAsyncResult *self)
{
  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), 0);
  return self->n_tasks;
}

/**
 * loom_async_result_get_progress:
 * @self: a #LoomAsyncResult
 *
 * Returns: how many tasks have reached a final status
 */
guint
loom_async_result_get_progress (LoomAsyncResult *self)
{
  guint n;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), 0);
  refresh (self);
  n = self->n_final;
  return n;
}

/**
 * loom_async_result_get_n_failed:
 * @self: a #LoomAsyncResult
 *
 * Returns: how many tasks failed, were lost or aborted so far
 */
guint
loom_async_result_get_n_failed (LoomAsyncResult *self)
{
  guint n;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), 0);
  refresh (self);
  n = self->n_failed;
  return n;
}

/**
 * loom_async_result_get_n_running:
 * @self: a #LoomAsyncResult
 * @n_queued: (out) (optional): tasks not started yet
 *
 * Returns: how many tasks are running on an engine now, as far as this
 *   client knows (starts are seen while it follows task events)
 */
guint
loom_async_result_get_n_running (LoomAsyncResult *self,
                                 guint           *n_queued)
{
  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), 0);
  refresh (self);
  /* Counted as statuses change: a row of a job list asks often. */
  if (n_queued)
    *n_queued = self->n_tasks - self->n_final - self->n_running;
  return self->n_running;
}

/**
 * loom_async_result_ready:
 * @self: a #LoomAsyncResult
 *
 * Returns: %TRUE when every task is done (or failed), like `AsyncResult.ready()`
 */
gboolean
loom_async_result_ready (LoomAsyncResult *self)
{
  gboolean ready;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), FALSE);
  refresh (self);
  ready = is_ready (self);
  return ready;
}

/**
 * loom_async_result_successful:
 * @self: a #LoomAsyncResult
 *
 * Returns: %TRUE if the job is ready and every task succeeded
 */
gboolean
loom_async_result_successful (LoomAsyncResult *self)
{
  gboolean ok;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), FALSE);
  refresh (self);
  ok = self->error == NULL && self->n_final == self->n_tasks && self->n_failed == 0;
  return ok;
}

/**
 * loom_async_result_wait:
 * @self: a #LoomAsyncResult
 * @timeout: seconds to wait at most; negative waits for ever
 *
 * Blocks the calling thread until the job is ready or @timeout passes.
 *
 * Returns: %TRUE if the job is ready
 */
gboolean
loom_async_result_wait (LoomAsyncResult *self,
                        double           timeout)
{
  gboolean ready;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), FALSE);
  ready = wait_ready (self, timeout);
  return ready;
}

static JsonNode *
parse_line (GBytes *line)
{
  JsonNode *node = NULL;

  if (line != NULL && g_bytes_get_size (line) > 0)
    node = loom_json_from_data (g_bytes_get_data (line, NULL), g_bytes_get_size (line), NULL);
  return node ? node : json_node_new (JSON_NODE_NULL);
}

static void
fill_error (LoomTaskInfo *info,
            GBytes       *detail)
{
  g_autoptr(JsonNode) node = parse_line (detail);
  JsonObject *obj;

  info->exit_status = -1;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;

  obj = json_node_get_object (node);
  if (loom_json_object (obj, "error") != NULL)
    {
      JsonObject *err = loom_json_object (obj, "error");
      info->error_type = g_strdup (loom_json_string (err, "type", NULL));
      info->error_message = g_strdup (loom_json_string (err, "message", NULL));
    }
  info->stdout_bytes = loom_json_output_bytes (obj, "stdout");
  info->stderr_bytes = loom_json_output_bytes (obj, "stderr");
  info->stdout_text = loom_output_bytes_to_text (info->stdout_bytes);
  info->stderr_text = loom_output_bytes_to_text (info->stderr_bytes);
  info->stdout_truncated = MAX (0, loom_json_int (obj, "stdout_truncated", 0));
  info->stderr_truncated = MAX (0, loom_json_int (obj, "stderr_truncated", 0));
  info->exit_status = loom_json_int (obj, "exit_status", -1);
  info->signal = loom_json_int (obj, "signal", 0);
}

/* Engine, status, attempts, timestamps: nothing parsed or copied. */
static void
fill_times (LoomAsyncResult *self,
            guint            index,
            LoomTaskInfo    *info)
{
  ResultTask *task = &self->tasks[index];

  memset (info, 0, sizeof *info);
  info->index = index;
  info->engine_id = task->engine;
  info->status = task->status;
  info->attempts = task->attempts;
  info->submitted = task->ts[0];
  info->dispatched = task->ts[1];
  info->started = task->ts[2];
  info->completed = task->ts[3];
  info->received = task->ts[4];
  info->exit_status = -1;
}

static LoomTaskInfo *
task_info_new (LoomAsyncResult *self,
               guint            index,
               GBytes          *result,
               GBytes          *detail)
{
  LoomTaskInfo *info = g_new (LoomTaskInfo, 1);

  fill_times (self, index, info);
  if (result)
    info->result = parse_line (result);
  fill_error (info, detail);
  return info;
}

static LoomTaskInfo *
task_info_at (LoomAsyncResult *self,
              guint            index)
{
  return task_info_new (self, index, self->tasks[index].result, self->tasks[index].detail);
}

/* Task @index's result and detail if it is final and not taken: copies
 * while @self keeps results, else the task's own, which it forgets. */
static gboolean
take_task (LoomAsyncResult  *self,
           guint             index,
           GBytes          **result,
           GBytes          **detail)
{
  ResultTask *task = &self->tasks[index];

  if (!loom_task_status_is_final (task->status))
    refresh (self);
  if (!loom_task_status_is_final (task->status) || task->taken)
    return FALSE;
  if (self->keep_results)
    {
      *result = task->result ? g_bytes_ref (task->result) : NULL;
      *detail = task->detail ? g_bytes_ref (task->detail) : NULL;
      return TRUE;
    }
  *result = g_steal_pointer (&task->result);
  *detail = g_steal_pointer (&task->detail);
  task->taken = TRUE;
  self->n_taken++;
  return TRUE;
}

/**
 * loom_async_result_set_keep_results:
 * @self: a #LoomAsyncResult
 * @keep: whether @self keeps every result until it is finalized
 *
 * A result keeps every task's result (and error and output) by default,
 * so that loom_async_result_get() gives them all.  A program that reads
 * a job of many tasks as they finish, with loom_async_result_steal_task()
 * or loom_async_result_steal_task_json(), sets @keep to %FALSE: each
 * result is then held only until it is taken, and memory stays bounded by
 * the tasks finished but not taken yet.  loom_async_result_get() then
 * fails once a result was taken.
 */
void
loom_async_result_set_keep_results (LoomAsyncResult *self,
                                    gboolean         keep)
{
  g_return_if_fail (LOOM_IS_ASYNC_RESULT (self));
  self->keep_results = !!keep;
}

/**
 * loom_async_result_get_keep_results:
 * @self: a #LoomAsyncResult
 *
 * Returns: whether @self keeps results that were taken (see
 *   loom_async_result_set_keep_results())
 */
gboolean
loom_async_result_get_keep_results (LoomAsyncResult *self)
{
  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), TRUE);
  return self->keep_results;
}

/**
 * loom_async_result_steal_task:
 * @self: a #LoomAsyncResult
 * @index: a task index, in input order
 *
 * Takes the result of task @index if it has finished: its metadata,
 * result, error and output, as loom_async_result_get_task_info() gives
 * them.  Unless @self keeps results (loom_async_result_set_keep_results()),
 * @self forgets them: the task can be taken only once, and its engine,
 * status and times stay (loom_async_result_get_task_times()).
 *
 * Returns: (transfer full) (nullable): the task, or %NULL if it has not
 *   finished (or was taken already)
 */
LoomTaskInfo *
loom_async_result_steal_task (LoomAsyncResult *self,
                              guint            index)
{
  g_autoptr(GBytes) result = NULL;
  g_autoptr(GBytes) detail = NULL;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), NULL);
  g_return_val_if_fail (index < self->n_tasks, NULL);

  if (!take_task (self, index, &result, &detail))
    return NULL;
  return task_info_new (self, index, result, detail);
}

/**
 * loom_async_result_steal_task_json:
 * @self: a #LoomAsyncResult
 * @index: a task index, in input order
 *
 * Like loom_async_result_steal_task(), with the task as an object of the
 * "tasks" of a job report (loom_client_get_job_report()), whose "params"
 * are null: a result does not hold its tasks' parameters.
 *
 * Returns: (transfer full) (nullable): the task as a JSON object, or
 *   %NULL if it has not finished (or was taken already)
 */
JsonNode *
loom_async_result_steal_task_json (LoomAsyncResult *self,
                                   guint            index)
{
  g_autoptr(GBytes) result = NULL;
  g_autoptr(GBytes) detail = NULL;
  ResultTask *task;
  JsonObject *obj;
  JsonNode *node;
  gint64 v[9];

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), NULL);
  g_return_val_if_fail (index < self->n_tasks, NULL);

  if (!take_task (self, index, &result, &detail))
    return NULL;
  task = &self->tasks[index];
  v[0] = index;
  v[1] = task->engine;
  v[2] = task->status;
  v[3] = task->attempts;
  for (guint t = 0; t < 5; t++)
    v[4 + t] = task->ts[t];
  obj = loom_report_task_new (v, result, detail, NULL);
  node = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj);
  return node;
}

/**
 * loom_async_result_get_task_times:
 * @self: a #LoomAsyncResult
 * @index: a task index
 * @info: (out caller-allocates): filled with the task's engine, status,
 *   attempts and timestamps; its result, error and output stay %NULL
 *
 * The cheap part of loom_async_result_get_task_info(): nothing is parsed
 * or copied, for code that looks at every task (a timeline of a million).
 */
void
loom_async_result_get_task_times (LoomAsyncResult *self,
                                  guint            index,
                                  LoomTaskInfo    *info)
{
  g_return_if_fail (LOOM_IS_ASYNC_RESULT (self));
  g_return_if_fail (index < self->n_tasks);
  g_return_if_fail (info != NULL);

  fill_times (self, index, info);
}

/**
 * loom_async_result_get_task_info:
 * @self: a #LoomAsyncResult
 * @index: a task index
 *
 * Returns: (transfer full): the task's metadata and result as known now
 */
LoomTaskInfo *
loom_async_result_get_task_info (LoomAsyncResult *self,
                                 guint            index)
{
  LoomTaskInfo *info;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), NULL);
  g_return_val_if_fail (index < self->n_tasks, NULL);

  info = task_info_at (self, index);
  return info;
}

/**
 * loom_async_result_get:
 * @self: a #LoomAsyncResult
 * @timeout: seconds to wait at most; negative waits for ever
 * @error: return location for a #GError
 *
 * Waits for the job and returns its results, like `AsyncResult.get()`: an
 * array in input order for a map, the value itself for an apply.  If any
 * task failed, returns %NULL and an error naming the first failure.
 *
 * Returns: (transfer full) (nullable): the results
 */
JsonNode *
loom_async_result_get (LoomAsyncResult  *self,
                       double            timeout,
                       GError          **error)
{
  JsonNode *ret = NULL;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), NULL);

  if (!wait_ready (self, timeout))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT,
                   _("Job %d is not ready after %g s: %u of %u tasks finished"),
                   self->job_id, timeout, self->n_final, self->n_tasks);
      goto out;
    }

  if (self->error)
    {
      g_propagate_error (error, g_error_copy (self->error));
      goto out;
    }

  if (self->n_taken > 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED,
                   _("%u results of job %d were taken as they came and not kept"),
                   self->n_taken, self->job_id);
      goto out;
    }

  if (self->n_failed > 0)
    {
      for (guint i = 0; i < self->n_tasks; i++)
        if (self->tasks[i].status != LOOM_TASK_DONE)
          {
            g_autoptr(LoomTaskInfo) info = task_info_at (self, i);

            g_set_error (error, LOOM_ERROR,
                         info->status == LOOM_TASK_ABORTED ? LOOM_ERROR_ABORTED : LOOM_ERROR_TASK_FAILED,
                         _("%u of %u tasks did not succeed; the first, task %u on engine %d, is %s: %s: %s"),
                         self->n_failed, self->n_tasks, i, info->engine_id,
                         loom_task_status_to_string (info->status),
                         info->error_type ? info->error_type : "Error",
                         info->error_message ? info->error_message : _("no message"));
            break;
          }
      goto out;
    }

  if (self->single)
    ret = parse_line (self->tasks[0].result);
  else
    {
      JsonArray *array = json_array_sized_new (self->n_tasks);

      for (guint i = 0; i < self->n_tasks; i++)
        json_array_add_element (array, parse_line (self->tasks[i].result));
      ret = json_node_init_array (json_node_alloc (), array);
      json_array_unref (array);
    }

out:
  return ret;
}

/**
 * loom_async_result_abort:
 * @self: a #LoomAsyncResult
 * @error: return location for a #GError
 *
 * Aborts the tasks of the job that have not been sent to an engine yet.
 *
 * Returns: %TRUE if the controller aborted them
 */
gboolean
loom_async_result_abort (LoomAsyncResult  *self,
                         GError          **error)
{
  gint job;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), FALSE);

  /* A map over nothing sent no job: there is nothing to abort. */
  if (self->n_tasks == 0)
    return TRUE;

  /* The job id arrives with the controller's answer to the submit. */
  loom_client_wait (self->client, &self->job_known, 10);
  job = self->job_known && self->error == NULL ? self->job_id : -1;

  if (job < 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                   _("The job was never accepted by the controller, so there is nothing to abort"));
      return FALSE;
    }

  return loom_client_abort_job (self->client, job, NULL, NULL, error);
}

/**
 * loom_async_result_get_wall_time:
 * @self: a #LoomAsyncResult
 *
 * Returns: seconds from the first submission to the last result received
 */
double
loom_async_result_get_wall_time (LoomAsyncResult *self)
{
  gint64 first = G_MAXINT64, last = 0;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), 0);

  for (guint i = 0; i < self->n_tasks; i++)
    {
      if (self->tasks[i].ts[0] > 0)
        first = MIN (first, self->tasks[i].ts[0]);
      last = MAX (last, self->tasks[i].ts[4]);
    }

  return last > first ? (last - first) / (double) G_USEC_PER_SEC : 0;
}

/**
 * loom_async_result_get_serial_time:
 * @self: a #LoomAsyncResult
 *
 * Returns: the sum of every task's run time (completed − started), seconds
 */
double
loom_async_result_get_serial_time (LoomAsyncResult *self)
{
  gint64 sum = 0;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (self), 0);

  for (guint i = 0; i < self->n_tasks; i++)
    if (self->tasks[i].ts[2] > 0 && self->tasks[i].ts[3] >= self->tasks[i].ts[2])
      sum += self->tasks[i].ts[3] - self->tasks[i].ts[2];

  return sum / (double) G_USEC_PER_SEC;
}

/**
 * loom_async_result_wait_async:
 * @self: a #LoomAsyncResult
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the thread-default main context when the job is ready
 * @user_data: data for @callback
 *
 * Waits for the job without blocking: for programs with a main loop.
 * Call from the main context the result was created on.
 */
void
loom_async_result_wait_async (LoomAsyncResult     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LOOM_IS_ASYNC_RESULT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, loom_async_result_wait_async);

  if (self->notified_ready)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
  /* It may have become ready before this call: let the source look. */
  loom_wakeup_source_wake (self->source);
}

/**
 * loom_async_result_wait_finish:
 * @self: a #LoomAsyncResult
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the job is ready; use loom_async_result_get() for its
 *   results
 */
gboolean
loom_async_result_wait_finish (LoomAsyncResult  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
