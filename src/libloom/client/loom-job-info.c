/* loom-job-info.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A job as the controller summarises it (loom_client_list_jobs()), or
 * with the figures counted from every task's row as well
 * (loom_client_query_job(), loom_client_get_job_report()).
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-client-private.h"
#include "loom-enums.h"
#include "loom-error.h"

/**
 * LoomJobInfo:
 *
 * A snapshot of a job: what it runs, how many of its tasks are done,
 * failed, running or queued, and when it was created and finished.
 *
 * A job from loom_client_query_job() also has the figures counted from
 * each task (loom_job_info_has_task_figures()): tasks aborted and lost,
 * the engines used, the serial time, the speedup and the efficiency.
 */
struct _LoomJobInfo
{
  GObject       parent_instance;

  guint         id;
  char         *name;
  LoomJobMode   mode;
  LoomTaskKind  kind;
  char         *function;
  JsonNode     *spec;
  guint         n_tasks;
  guint         n_done;
  guint         n_failed;
  guint         n_running;
  gint64        created;
  gint64        finished;

  /* Counted from the task rows. */
  gboolean      has_task_figures;
  guint         n_aborted;
  guint         n_lost;
  guint         n_never_ran;
  guint         n_engines;
  gint64        first_submitted;
  gint64        last_received;
  gint64        busy_usec;
  GHashTable   *engines;      /* the engines tasks started on */
};

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_MODE,
  PROP_KIND,
  PROP_FUNCTION,
  PROP_SPEC,
  PROP_N_TASKS,
  PROP_N_DONE,
  PROP_N_FAILED,
  PROP_N_RUNNING,
  PROP_N_QUEUED,
  PROP_READY,
  PROP_CREATED,
  PROP_FINISHED,
  PROP_WALL_TIME,
  PROP_HAS_TASK_FIGURES,
  PROP_N_ABORTED,
  PROP_N_LOST,
  PROP_N_NEVER_RAN,
  PROP_N_ENGINES,
  PROP_SERIAL_TIME,
  PROP_SPEEDUP,
  PROP_EFFICIENCY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LoomJobInfo, loom_job_info, G_TYPE_OBJECT)

static void
loom_job_info_finalize (GObject *object)
{
  LoomJobInfo *self = (LoomJobInfo *) object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->function, g_free);
  g_clear_pointer (&self->spec, json_node_unref);
  g_clear_pointer (&self->engines, g_hash_table_unref);

  G_OBJECT_CLASS (loom_job_info_parent_class)->finalize (object);
}

static void
loom_job_info_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LoomJobInfo *self = LOOM_JOB_INFO (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;

    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;

    case PROP_FUNCTION:
      g_value_set_string (value, self->function);
      break;

    case PROP_SPEC:
      g_value_set_boxed (value, self->spec);
      break;

    case PROP_N_TASKS:
      g_value_set_uint (value, self->n_tasks);
      break;

    case PROP_N_DONE:
      g_value_set_uint (value, self->n_done);
      break;

    case PROP_N_FAILED:
      g_value_set_uint (value, self->n_failed);
      break;

    case PROP_N_RUNNING:
      g_value_set_uint (value, self->n_running);
      break;

    case PROP_N_QUEUED:
      g_value_set_uint (value, loom_job_info_get_n_queued (self));
      break;

    case PROP_READY:
      g_value_set_boolean (value, loom_job_info_is_ready (self));
      break;

    case PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;

    case PROP_FINISHED:
      g_value_set_int64 (value, self->finished);
      break;

    case PROP_WALL_TIME:
      g_value_set_double (value, loom_job_info_get_wall_time (self));
      break;

    case PROP_HAS_TASK_FIGURES:
      g_value_set_boolean (value, self->has_task_figures);
      break;

    case PROP_N_ABORTED:
      g_value_set_uint (value, self->n_aborted);
      break;

    case PROP_N_LOST:
      g_value_set_uint (value, self->n_lost);
      break;

    case PROP_N_NEVER_RAN:
      g_value_set_uint (value, self->n_never_ran);
      break;

    case PROP_N_ENGINES:
      g_value_set_uint (value, self->n_engines);
      break;

    case PROP_SERIAL_TIME:
      g_value_set_double (value, loom_job_info_get_serial_time (self));
      break;

    case PROP_SPEEDUP:
      g_value_set_double (value, loom_job_info_get_speedup (self));
      break;

    case PROP_EFFICIENCY:
      g_value_set_double (value, loom_job_info_get_efficiency (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_job_info_class_init (LoomJobInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = loom_job_info_finalize;
  object_class->get_property = loom_job_info_get_property;

  /**
   * LoomJobInfo:id:
   *
   * The job's id, counted from 1 over the controller's life.
   */
  properties[PROP_ID] = g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomJobInfo:name:
   *
   * The job's name (loom_view_set_name(), or the function it runs).
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  /**
   * LoomJobInfo:mode:
   *
   * Whether the tasks ran load-balanced or one after another.
   */
  properties[PROP_MODE] = g_param_spec_enum ("mode", NULL, NULL, LOOM_TYPE_JOB_MODE, LOOM_JOB_PARALLEL, flags);
  /**
   * LoomJobInfo:kind:
   *
   * What the tasks run: a built-in, a command or a plugin function.
   */
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, LOOM_TYPE_TASK_KIND, LOOM_TASK_KIND_BUILTIN, flags);
  /**
   * LoomJobInfo:function:
   *
   * The built-in or plugin function the tasks run; %NULL for a command.
   */
  properties[PROP_FUNCTION] = g_param_spec_string ("function", NULL, NULL, NULL, flags);
  /**
   * LoomJobInfo:spec:
   *
   * What the tasks run, as the wire protocol carries it
   * (loom_task_spec_to_json()).
   */
  properties[PROP_SPEC] = g_param_spec_boxed ("spec", NULL, NULL, JSON_TYPE_NODE, flags);
  /**
   * LoomJobInfo:n-tasks:
   *
   * The number of tasks of the job.
   */
  properties[PROP_N_TASKS] = g_param_spec_uint ("n-tasks", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomJobInfo:n-done:
   *
   * Tasks that finished with a result.
   */
  properties[PROP_N_DONE] = g_param_spec_uint ("n-done", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomJobInfo:n-failed:
   *
   * Tasks that ended without a result: failed, aborted or lost.
   */
  properties[PROP_N_FAILED] = g_param_spec_uint ("n-failed", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomJobInfo:n-running:
   *
   * Tasks an engine holds: sent to it or running on it.
   */
  properties[PROP_N_RUNNING] = g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomJobInfo:n-queued:
   *
   * Tasks waiting at the controller for an engine.
   */
  properties[PROP_N_QUEUED] = g_param_spec_uint ("n-queued", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomJobInfo:ready:
   *
   * Whether every task has finished, like ipyparallel's
   * `AsyncResult.ready()`.
   */
  properties[PROP_READY] = g_param_spec_boolean ("ready", NULL, NULL, FALSE, flags);
  /**
   * LoomJobInfo:created:
   *
   * When the controller got the job, in µs since the epoch.
   */
  properties[PROP_CREATED] = g_param_spec_int64 ("created", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /**
   * LoomJobInfo:finished:
   *
   * When its last task finished, in µs since the epoch; 0 while it runs.
   */
  properties[PROP_FINISHED] = g_param_spec_int64 ("finished", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /**
   * LoomJobInfo:wall-time:
   *
   * Seconds the job took (see loom_job_info_get_wall_time()).
   */
  properties[PROP_WALL_TIME] = g_param_spec_double ("wall-time", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  /**
   * LoomJobInfo:has-task-figures:
   *
   * Whether the figures counted from each task are known: the properties
   * #LoomJobInfo:n-aborted, #LoomJobInfo:n-lost, #LoomJobInfo:n-engines,
   * #LoomJobInfo:serial-time, #LoomJobInfo:speedup and
   * #LoomJobInfo:efficiency.  %TRUE for a job from loom_client_query_job(),
   * %FALSE for the entries of loom_client_list_jobs().
   */
  properties[PROP_HAS_TASK_FIGURES] = g_param_spec_boolean ("has-task-figures", NULL, NULL, FALSE, flags);
  /**
   * LoomJobInfo:n-aborted:
   *
   * Tasks aborted before they ran (0 without task figures).
   */
  properties[PROP_N_ABORTED] = g_param_spec_uint ("n-aborted", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomJobInfo:n-lost:
   *
   * Tasks whose engines died more often than the retries allow (0 without
   * task figures).
   */
  properties[PROP_N_LOST] = g_param_spec_uint ("n-lost", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomJobInfo:n-never-ran:
   *
   * Tasks that never started on an engine (aborted in the queue, say): the
   * wall time, speedup and efficiency leave them out (0 without task
   * figures).
   */
  properties[PROP_N_NEVER_RAN] = g_param_spec_uint ("n-never-ran", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomJobInfo:n-engines:
   *
   * The engines the job's tasks started on (0 without task figures).
   */
  properties[PROP_N_ENGINES] = g_param_spec_uint ("n-engines", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomJobInfo:serial-time:
   *
   * Seconds of task time: the sum of each task's run (0 without task
   * figures).
   */
  properties[PROP_SERIAL_TIME] = g_param_spec_double ("serial-time", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  /**
   * LoomJobInfo:speedup:
   *
   * Serial time over wall time (0 without task figures).
   */
  properties[PROP_SPEEDUP] = g_param_spec_double ("speedup", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  /**
   * LoomJobInfo:efficiency:
   *
   * Speedup per engine used (0 without task figures).
   */
  properties[PROP_EFFICIENCY] = g_param_spec_double ("efficiency", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_job_info_init (LoomJobInfo *self)
{
}

static guint
count_member (JsonObject *obj,
              const char *name)
{
  return CLAMP (loom_json_int (obj, name, 0), 0, G_MAXUINT);
}

/* A job summary of the controller: {id, name, mode, tasks, done, failed,
 * outstanding, created, finished, spec}. */
LoomJobInfo *
loom_job_info_new_from_summary (JsonObject *summary)
{
  LoomJobInfo *self = g_object_new (LOOM_TYPE_JOB_INFO, NULL);
  JsonObject *spec = loom_json_object (summary, "spec");
  gint value;

  self->id = count_member (summary, "id");
  self->name = g_strdup (loom_json_string (summary, "name", ""));
  if (loom_enum_from_nick (LOOM_TYPE_JOB_MODE, loom_json_string (summary, "mode", NULL), &value))
    self->mode = value;
  self->n_tasks = count_member (summary, "tasks");
  self->n_done = count_member (summary, "done");
  self->n_failed = count_member (summary, "failed");
  self->n_running = count_member (summary, "outstanding");
  self->created = MAX (0, loom_json_int (summary, "created", 0));
  self->finished = MAX (0, loom_json_int (summary, "finished", 0));
  if (spec != NULL)
    {
      self->spec = json_node_copy (json_object_get_member (summary, "spec"));
      if (loom_enum_from_nick (LOOM_TYPE_TASK_KIND, loom_json_string (spec, "kind", NULL), &value))
        self->kind = value;
      self->function = g_strdup (loom_json_string (spec, "function", NULL));
    }
  return self;
}

/* Counts the task rows of a job reply ([index, engine, status, attempts,
 * submitted, dispatched, started, completed, received] each).  The times
 * are those of the tasks that ran: a task aborted in the queue adds
 * nothing to the wall time, so it does not lower the speedup. */
/* Starts the task figures, with no task counted. */
static void
figures_reset (LoomJobInfo *self)
{
  self->has_task_figures = TRUE;
  self->n_aborted = self->n_lost = self->n_never_ran = self->n_engines = 0;
  self->first_submitted = G_MAXINT64;
  self->last_received = self->busy_usec = 0;
  g_clear_pointer (&self->engines, g_hash_table_unref);
  self->engines = g_hash_table_new (NULL, NULL);
}

/* Counts one task into the figures: @v is its row (index, engine,
 * status, attempts, submitted, dispatched, started, completed, received). */
static void
figures_add (LoomJobInfo  *self,
             const gint64  v[9])
{
  if (!self->has_task_figures)
    figures_reset (self);
  if (v[2] == LOOM_TASK_ABORTED)
    self->n_aborted++;
  else if (v[2] == LOOM_TASK_LOST)
    self->n_lost++;
  if (v[6] <= 0)
    {
      /* Final and never started: it never ran. */
      if (v[2] >= LOOM_TASK_DONE)
        self->n_never_ran++;
      return;
    }
  if (v[4] > 0)
    self->first_submitted = MIN (self->first_submitted, v[4]);
  self->last_received = MAX (self->last_received, v[8]);
  if (v[7] >= v[6])
    self->busy_usec += v[7] - v[6];
  if (v[1] >= 0)
    g_hash_table_add (self->engines, GINT_TO_POINTER ((gint) v[1]));
  self->n_engines = g_hash_table_size (self->engines);
}

void
loom_job_info_count_tasks (LoomJobInfo *self,
                           JsonArray   *rows)
{
  figures_reset (self);
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      gint64 v[9];

      if (loom_json_row_ints (json_array_get_element (rows, i), v, 9))
        figures_add (self, v);
    }
}

/**
 * loom_job_info_add_task_times:
 * @self: a #LoomJobInfo
 * @task: a task of the job: its engine, status and times
 *   (loom_async_result_get_task_times() fills them)
 *
 * Counts @task into the job's task figures (the engines used, the tasks
 * that never ran, the wall and serial times), as a reader of a job page by
 * page (loom_client_read_job()) does for every task it reads.  The first
 * call starts the figures from none.
 */
void
loom_job_info_add_task_times (LoomJobInfo        *self,
                              const LoomTaskInfo *task)
{
  gint64 v[9] = { task->index, task->engine_id, task->status, task->attempts, task->submitted,
                  task->dispatched, task->started, task->completed, task->received };

  g_return_if_fail (LOOM_IS_JOB_INFO (self));
  g_return_if_fail (task != NULL);

  figures_add (self, v);
}

/**
 * loom_job_info_to_report_json:
 * @self: a #LoomJobInfo
 *
 * The "job" object of a job report (see loom_client_get_job_report()),
 * with the task figures counted so far.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
loom_job_info_to_report_json (LoomJobInfo *self)
{
  g_autoptr(JsonObject) job = NULL;

  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), NULL);

  job = json_object_new ();
  loom_job_info_build_report (self, job);
  return json_node_init_object (json_node_alloc (), job);
}

/* The job of a "job" reply, with its task figures. */
LoomJobInfo *
loom_job_info_new_from_reply (LoomMessage  *reply,
                              GError      **error)
{
  JsonObject *content = loom_message_get_content (reply, error);
  JsonObject *summary = loom_json_object (content, "job");
  JsonArray *rows = loom_json_array (content, "tasks");
  LoomJobInfo *self;

  if (content == NULL)
    return NULL;
  if (summary == NULL || rows == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_PROTOCOL, _("The controller's answer about a job is incomplete"));
      return NULL;
    }
  self = loom_job_info_new_from_summary (summary);
  loom_job_info_count_tasks (self, rows);
  return self;
}

/* The jobs of a "jobs" reply. */
GListModel *
loom_job_info_list_from_reply (LoomMessage  *reply,
                               GError      **error)
{
  JsonObject *content = loom_message_get_content (reply, error);
  JsonArray *jobs = loom_json_array (content, "jobs");
  GListStore *store;

  if (content == NULL)
    return NULL;
  if (jobs == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_PROTOCOL, _("The controller's list of jobs is incomplete"));
      return NULL;
    }
  store = g_list_store_new (LOOM_TYPE_JOB_INFO);
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      JsonObject *summary = loom_json_array_object (jobs, i);
      g_autoptr(LoomJobInfo) info = NULL;

      if (summary == NULL)
        continue;
      info = loom_job_info_new_from_summary (summary);
      g_list_store_append (store, info);
    }
  return G_LIST_MODEL (store);
}

/* The "job" object of a job report (loom_client_get_job_report()). */
void
loom_job_info_build_report (LoomJobInfo *self,
                            JsonObject  *job)
{
  json_object_set_int_member (job, "id", self->id);
  json_object_set_string_member (job, "name", self->name);
  json_object_set_string_member (job, "mode", loom_enum_to_nick (LOOM_TYPE_JOB_MODE, self->mode, "parallel"));
  json_object_set_int_member (job, "tasks", self->n_tasks);
  json_object_set_int_member (job, "done", self->n_done);
  json_object_set_int_member (job, "failed", self->n_failed);
  json_object_set_int_member (job, "engines", self->n_engines);
  json_object_set_int_member (job, "never_ran", self->n_never_ran);
  json_object_set_double_member (job, "wall_time", loom_job_info_get_wall_time (self));
  json_object_set_double_member (job, "serial_time", loom_job_info_get_serial_time (self));
  json_object_set_double_member (job, "speedup", loom_job_info_get_speedup (self));
  json_object_set_double_member (job, "efficiency", loom_job_info_get_efficiency (self));
  json_object_set_int_member (job, "created", self->created);
  json_object_set_int_member (job, "finished", self->finished);
  if (self->spec != NULL)
    json_object_set_member (job, "spec", json_node_copy (self->spec));
}

/**
 * loom_job_info_to_json:
 * @self: a #LoomJobInfo
 *
 * The job's summary as the controller sends it and `loomctl jobs --json`
 * prints it: `{id, name, mode, tasks, done, failed, outstanding, created,
 * finished, spec}`.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
loom_job_info_to_json (LoomJobInfo *self)
{
  JsonObject *obj;

  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), NULL);

  obj = json_object_new ();
  json_object_set_int_member (obj, "id", self->id);
  json_object_set_string_member (obj, "name", self->name);
  json_object_set_string_member (obj, "mode", loom_enum_to_nick (LOOM_TYPE_JOB_MODE, self->mode, "parallel"));
  json_object_set_int_member (obj, "tasks", self->n_tasks);
  json_object_set_int_member (obj, "done", self->n_done);
  json_object_set_int_member (obj, "failed", self->n_failed);
  json_object_set_int_member (obj, "outstanding", self->n_running);
  json_object_set_int_member (obj, "created", self->created);
  json_object_set_int_member (obj, "finished", self->finished);
  json_object_set_member (obj, "spec", self->spec ? json_node_copy (self->spec) : json_node_new (JSON_NODE_NULL));
  return json_node_init_object (json_node_alloc (), obj);
}

/**
 * loom_job_info_get_id:
 * @self: a #LoomJobInfo
 *
 * Returns: the job's id
 */
guint
loom_job_info_get_id (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->id;
}

/**
 * loom_job_info_get_name:
 * @self: a #LoomJobInfo
 *
 * Returns: the job's name
 */
const char *
loom_job_info_get_name (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), NULL);
  return self->name;
}

/**
 * loom_job_info_get_mode:
 * @self: a #LoomJobInfo
 *
 * Returns: whether the job ran in parallel or serially
 */
LoomJobMode
loom_job_info_get_mode (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), LOOM_JOB_PARALLEL);
  return self->mode;
}

/**
 * loom_job_info_get_kind:
 * @self: a #LoomJobInfo
 *
 * Returns: what the job's tasks run
 */
LoomTaskKind
loom_job_info_get_kind (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), LOOM_TASK_KIND_BUILTIN);
  return self->kind;
}

/**
 * loom_job_info_get_function:
 * @self: a #LoomJobInfo
 *
 * Returns: (nullable): the built-in or plugin function the tasks run;
 *   %NULL for a command
 */
const char *
loom_job_info_get_function (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), NULL);
  return self->function;
}

/**
 * loom_job_info_get_spec:
 * @self: a #LoomJobInfo
 *
 * Returns: (transfer none) (nullable): what the tasks run, as the wire
 *   protocol carries it
 */
JsonNode *
loom_job_info_get_spec (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), NULL);
  return self->spec;
}

/**
 * loom_job_info_get_n_tasks:
 * @self: a #LoomJobInfo
 *
 * Returns: the number of tasks
 */
guint
loom_job_info_get_n_tasks (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->n_tasks;
}

/**
 * loom_job_info_get_n_done:
 * @self: a #LoomJobInfo
 *
 * Returns: the tasks that finished with a result
 */
guint
loom_job_info_get_n_done (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->n_done;
}

/**
 * loom_job_info_get_n_failed:
 * @self: a #LoomJobInfo
 *
 * Returns: the tasks that ended without a result (failed, aborted, lost)
 */
guint
loom_job_info_get_n_failed (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->n_failed;
}

/**
 * loom_job_info_get_n_running:
 * @self: a #LoomJobInfo
 *
 * Returns: the tasks an engine holds (sent to it or running)
 */
guint
loom_job_info_get_n_running (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->n_running;
}

/**
 * loom_job_info_get_n_queued:
 * @self: a #LoomJobInfo
 *
 * Returns: the tasks waiting at the controller for an engine
 */
guint
loom_job_info_get_n_queued (LoomJobInfo *self)
{
  guint accounted;

  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);

  accounted = self->n_done + self->n_failed + self->n_running;
  return self->n_tasks > accounted ? self->n_tasks - accounted : 0;
}

/**
 * loom_job_info_is_ready:
 * @self: a #LoomJobInfo
 *
 * Returns: %TRUE if every task has finished
 */
gboolean
loom_job_info_is_ready (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), FALSE);
  return (guint64) self->n_done + self->n_failed >= MAX (self->n_tasks, 1);
}

/**
 * loom_job_info_get_created:
 * @self: a #LoomJobInfo
 *
 * Returns: when the controller got the job, in µs since the epoch
 */
gint64
loom_job_info_get_created (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->created;
}

/**
 * loom_job_info_get_finished:
 * @self: a #LoomJobInfo
 *
 * Returns: when the job's last task finished, in µs since the epoch; 0
 *   while it runs
 */
gint64
loom_job_info_get_finished (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->finished;
}

/**
 * loom_job_info_get_wall_time:
 * @self: a #LoomJobInfo
 *
 * With task figures, the seconds from the first submission to the last
 * result received so far, of the tasks that ran; without, from the job's creation to its finish
 * (0 while it runs).
 *
 * Returns: the job's wall time, in seconds
 */
double
loom_job_info_get_wall_time (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);

  if (self->has_task_figures)
    return self->last_received > self->first_submitted
           ? (self->last_received - self->first_submitted) / (double) G_USEC_PER_SEC : 0;
  return self->finished > self->created ? (self->finished - self->created) / (double) G_USEC_PER_SEC : 0;
}

/**
 * loom_job_info_has_task_figures:
 * @self: a #LoomJobInfo
 *
 * Returns: %TRUE if the figures counted from each task are known (see
 *   #LoomJobInfo:has-task-figures)
 */
gboolean
loom_job_info_has_task_figures (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), FALSE);
  return self->has_task_figures;
}

/**
 * loom_job_info_get_n_aborted:
 * @self: a #LoomJobInfo
 *
 * Returns: the tasks aborted before they ran
 */
guint
loom_job_info_get_n_aborted (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->n_aborted;
}

/**
 * loom_job_info_get_n_lost:
 * @self: a #LoomJobInfo
 *
 * Returns: the tasks lost with their engines
 */
guint
loom_job_info_get_n_lost (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->n_lost;
}

/**
 * loom_job_info_get_n_never_ran:
 * @self: a #LoomJobInfo
 *
 * Returns: the tasks that are over without having started on an engine
 *   (see #LoomJobInfo:n-never-ran)
 */
guint
loom_job_info_get_n_never_ran (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->n_never_ran;
}

/**
 * loom_job_info_get_n_engines:
 * @self: a #LoomJobInfo
 *
 * Returns: the engines the job's tasks started on
 */
guint
loom_job_info_get_n_engines (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->n_engines;
}

/**
 * loom_job_info_get_serial_time:
 * @self: a #LoomJobInfo
 *
 * Returns: the sum of the tasks' run times, in seconds
 */
double
loom_job_info_get_serial_time (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->busy_usec / (double) G_USEC_PER_SEC;
}

/**
 * loom_job_info_get_speedup:
 * @self: a #LoomJobInfo
 *
 * Returns: the serial time over the wall time; 0 before any result
 */
double
loom_job_info_get_speedup (LoomJobInfo *self)
{
  double wall;

  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);

  wall = loom_job_info_get_wall_time (self);
  return self->has_task_figures && wall > 0 ? loom_job_info_get_serial_time (self) / wall : 0;
}

/**
 * loom_job_info_get_efficiency:
 * @self: a #LoomJobInfo
 *
 * Returns: the speedup per engine used
 */
double
loom_job_info_get_efficiency (LoomJobInfo *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_INFO (self), 0);
  return self->n_engines ? loom_job_info_get_speedup (self) / self->n_engines : 0;
}
