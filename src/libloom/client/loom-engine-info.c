/* loom-engine-info.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One engine as the controller describes it.  The client's live engines
 * model updates these objects in place (each change is notified); the
 * engines of a LoomClusterStatus are a snapshot.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include "loom-client-private.h"
#include "loom-enums.h"

/**
 * LoomEngineInfo:
 *
 * An engine of the cluster: its id (small, like ipyparallel's), where it
 * runs and what started it there, how far its clock is from the
 * controller's, its #LoomEngineState and what it has done.
 */
struct _LoomEngineInfo
{
  GObject          parent_instance;

  guint            id;
  char            *host;
  gint64           pid;
  LoomEngineState  state;
  guint64          tasks_done;
  guint            outstanding;
  gint64           registered_at;
  gint64           last_heartbeat;
  double           busy_fraction;
  char            *log;
  char            *launcher;
  char            *job_id;
  gint64           clock_offset;
  gint64           clock_uncertainty;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_HOST,
  PROP_PID,
  PROP_STATE,
  PROP_TASKS_DONE,
  PROP_OUTSTANDING,
  PROP_REGISTERED_AT,
  PROP_LAST_HEARTBEAT,
  PROP_BUSY_FRACTION,
  PROP_LOG,
  PROP_LAUNCHER,
  PROP_JOB_ID,
  PROP_CLOCK_OFFSET,
  PROP_CLOCK_UNCERTAINTY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LoomEngineInfo, loom_engine_info, G_TYPE_OBJECT)

static void
loom_engine_info_finalize (GObject *object)
{
  LoomEngineInfo *self = (LoomEngineInfo *) object;

  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->log, g_free);
  g_clear_pointer (&self->launcher, g_free);
  g_clear_pointer (&self->job_id, g_free);

  G_OBJECT_CLASS (loom_engine_info_parent_class)->finalize (object);
}

static void
loom_engine_info_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LoomEngineInfo *self = LOOM_ENGINE_INFO (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;

    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;

    case PROP_PID:
      g_value_set_int64 (value, self->pid);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_TASKS_DONE:
      g_value_set_uint64 (value, self->tasks_done);
      break;

    case PROP_OUTSTANDING:
      g_value_set_uint (value, self->outstanding);
      break;

    case PROP_REGISTERED_AT:
      g_value_set_int64 (value, self->registered_at);
      break;

    case PROP_LAST_HEARTBEAT:
      g_value_set_int64 (value, self->last_heartbeat);
      break;

    case PROP_BUSY_FRACTION:
      g_value_set_double (value, self->busy_fraction);
      break;

    case PROP_LOG:
      g_value_set_string (value, self->log);
      break;

    case PROP_LAUNCHER:
      g_value_set_string (value, self->launcher);
      break;

    case PROP_JOB_ID:
      g_value_set_string (value, self->job_id);
      break;

    case PROP_CLOCK_OFFSET:
      g_value_set_int64 (value, self->clock_offset);
      break;

    case PROP_CLOCK_UNCERTAINTY:
      g_value_set_int64 (value, self->clock_uncertainty);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_engine_info_class_init (LoomEngineInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = loom_engine_info_finalize;
  object_class->get_property = loom_engine_info_get_property;

  /**
   * LoomEngineInfo:id:
   *
   * The engine's id, as `loomctl ids` lists it.
   */
  properties[PROP_ID] = g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomEngineInfo:host:
   *
   * The host the engine runs on.
   */
  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, flags);
  /**
   * LoomEngineInfo:pid:
   *
   * The engine's process id on its host.
   */
  properties[PROP_PID] = g_param_spec_int64 ("pid", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /**
   * LoomEngineInfo:state:
   *
   * The engine's state as the controller sees it.
   */
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, LOOM_TYPE_ENGINE_STATE,
                                              LOOM_ENGINE_STARTING, flags);
  /**
   * LoomEngineInfo:tasks-done:
   *
   * How many tasks the engine has finished.
   */
  properties[PROP_TASKS_DONE] = g_param_spec_uint64 ("tasks-done", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * LoomEngineInfo:outstanding:
   *
   * How many tasks the engine holds now (running or sent ahead).
   */
  properties[PROP_OUTSTANDING] = g_param_spec_uint ("outstanding", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomEngineInfo:registered-at:
   *
   * When the engine registered, in µs since the epoch.
   */
  properties[PROP_REGISTERED_AT] = g_param_spec_int64 ("registered-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /**
   * LoomEngineInfo:last-heartbeat:
   *
   * When the controller last heard from the engine, in µs since the epoch.
   */
  properties[PROP_LAST_HEARTBEAT] = g_param_spec_int64 ("last-heartbeat", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /**
   * LoomEngineInfo:busy-fraction:
   *
   * The share of its life the engine spent running tasks, from 0 to 1.
   */
  properties[PROP_BUSY_FRACTION] = g_param_spec_double ("busy-fraction", NULL, NULL, 0, 1, 0, flags);
  /**
   * LoomEngineInfo:log:
   *
   * The engine's log file, when the engine told the controller where it is.
   */
  properties[PROP_LOG] = g_param_spec_string ("log", NULL, NULL, NULL, flags);
  /**
   * LoomEngineInfo:launcher:
   *
   * What started the engine (`local`, `ssh`, `slurm`, `mpi`, `pbs`, …), as
   * the launcher told it in `LOOM_LAUNCHER`; %NULL when not told.
   */
  properties[PROP_LAUNCHER] = g_param_spec_string ("launcher", NULL, NULL, NULL, flags);
  /**
   * LoomEngineInfo:job-id:
   *
   * The launcher's job the engine belongs to (`LOOM_LAUNCH_JOB`, or the
   * batch system's `SLURM_JOB_ID`, `PBS_JOBID`, `LSB_JOBID` or `JOB_ID`);
   * %NULL when there is none.
   */
  properties[PROP_JOB_ID] = g_param_spec_string ("job-id", NULL, NULL, NULL, flags);
  /**
   * LoomEngineInfo:clock-offset:
   *
   * What the engine adds to its host's clock to read the controller's, in
   * µs, as the engine last estimated it (0 on the controller's host).
   */
  properties[PROP_CLOCK_OFFSET] = g_param_spec_int64 ("clock-offset", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                                                      flags);
  /**
   * LoomEngineInfo:clock-uncertainty:
   *
   * How far #LoomEngineInfo:clock-offset may be wrong, in µs: half the
   * round trip of the exchange it comes from (0 on the controller's host),
   * or -1 while the engine has not told.
   */
  properties[PROP_CLOCK_UNCERTAINTY] = g_param_spec_int64 ("clock-uncertainty", NULL, NULL, -1, G_MAXINT64, -1,
                                                           flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_engine_info_init (LoomEngineInfo *self)
{
  self->clock_uncertainty = -1;
}

LoomEngineInfo *
loom_engine_info_new (guint id)
{
  LoomEngineInfo *self = g_object_new (LOOM_TYPE_ENGINE_INFO, NULL);

  self->id = id;
  return self;
}

static void
update_string (LoomEngineInfo  *self,
               char           **field,
               const char      *value,
               guint            prop)
{
  if (g_strcmp0 (*field, value) != 0)
    {
      g_free (*field);
      *field = g_strdup (value);
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
    }
}

static void
update_int64 (LoomEngineInfo *self,
              gint64         *field,
              gint64          value,
              guint           prop)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
    }
}

/* Takes the engine's members of a status, engines or event reply; notifies
 * what changed. */
void
loom_engine_info_update (LoomEngineInfo *self,
                         JsonObject     *obj)
{
  LoomEngineState state = self->state;
  guint64 done = MAX (0, loom_json_int (obj, "tasks_done", 0));
  guint outstanding = CLAMP (loom_json_int (obj, "outstanding", 0), 0, G_MAXUINT);
  double busy = CLAMP (loom_json_double (obj, "busy_fraction", 0), 0, 1);

  loom_engine_state_from_string (loom_json_string (obj, "state", NULL), &state);

  g_object_freeze_notify (G_OBJECT (self));
  update_string (self, &self->host, loom_json_string (obj, "host", NULL), PROP_HOST);
  update_int64 (self, &self->pid, MAX (0, loom_json_int (obj, "pid", 0)), PROP_PID);
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (self->tasks_done != done)
    {
      self->tasks_done = done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASKS_DONE]);
    }
  if (self->outstanding != outstanding)
    {
      self->outstanding = outstanding;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTSTANDING]);
    }
  update_int64 (self, &self->registered_at, MAX (0, loom_json_int (obj, "registered_at", 0)), PROP_REGISTERED_AT);
  update_int64 (self, &self->last_heartbeat, MAX (0, loom_json_int (obj, "last_heartbeat", 0)), PROP_LAST_HEARTBEAT);
  if (self->busy_fraction != busy)
    {
      self->busy_fraction = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY_FRACTION]);
    }
  update_string (self, &self->log, loom_json_string (obj, "log", NULL), PROP_LOG);
  update_string (self, &self->launcher, loom_json_string (obj, "launcher", NULL), PROP_LAUNCHER);
  update_string (self, &self->job_id, loom_json_string (obj, "job_id", NULL), PROP_JOB_ID);
  if (json_object_has_member (obj, "clock_uncertainty"))
    {
      update_int64 (self, &self->clock_offset, loom_json_int (obj, "clock_offset", 0), PROP_CLOCK_OFFSET);
      update_int64 (self, &self->clock_uncertainty, MAX (-1, loom_json_int (obj, "clock_uncertainty", -1)),
                    PROP_CLOCK_UNCERTAINTY);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* The engine as the controller's replies carry it, members in their order. */
void
loom_engine_info_build_json (LoomEngineInfo *self,
                             JsonBuilder    *builder)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, self->id);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, self->host ? self->host : "");
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, self->pid);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, loom_engine_state_to_string (self->state));
  json_builder_set_member_name (builder, "tasks_done");
  json_builder_add_int_value (builder, self->tasks_done);
  json_builder_set_member_name (builder, "outstanding");
  json_builder_add_int_value (builder, self->outstanding);
  json_builder_set_member_name (builder, "registered_at");
  json_builder_add_int_value (builder, self->registered_at);
  json_builder_set_member_name (builder, "last_heartbeat");
  json_builder_add_int_value (builder, self->last_heartbeat);
  json_builder_set_member_name (builder, "busy_fraction");
  json_builder_add_double_value (builder, self->busy_fraction);
  if (self->log != NULL)
    {
      json_builder_set_member_name (builder, "log");
      json_builder_add_string_value (builder, self->log);
    }
  if (self->launcher != NULL)
    {
      json_builder_set_member_name (builder, "launcher");
      json_builder_add_string_value (builder, self->launcher);
    }
  if (self->job_id != NULL)
    {
      json_builder_set_member_name (builder, "job_id");
      json_builder_add_string_value (builder, self->job_id);
    }
  if (self->clock_uncertainty >= 0)
    {
      json_builder_set_member_name (builder, "clock_offset");
      json_builder_add_int_value (builder, self->clock_offset);
      json_builder_set_member_name (builder, "clock_uncertainty");
      json_builder_add_int_value (builder, self->clock_uncertainty);
    }
  json_builder_end_object (builder);
}

/**
 * loom_engine_info_get_id:
 * @self: a #LoomEngineInfo
 *
 * Returns: the engine's id
 */
guint
loom_engine_info_get_id (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->id;
}

/**
 * loom_engine_info_get_host:
 * @self: a #LoomEngineInfo
 *
 * Returns: (nullable): the host the engine runs on
 */
const char *
loom_engine_info_get_host (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), NULL);
  return self->host;
}

/**
 * loom_engine_info_get_pid:
 * @self: a #LoomEngineInfo
 *
 * Returns: the engine's process id on its host
 */
gint64
loom_engine_info_get_pid (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->pid;
}

/**
 * loom_engine_info_get_state:
 * @self: a #LoomEngineInfo
 *
 * Returns: the engine's state
 */
LoomEngineState
loom_engine_info_get_state (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), LOOM_ENGINE_DEAD);
  return self->state;
}

/**
 * loom_engine_info_is_alive:
 * @self: a #LoomEngineInfo
 *
 * Returns: %TRUE if the engine is idle or busy: registered, not dead nor
 *   stopped, as the engines loom_client_get_ids() lists
 */
gboolean
loom_engine_info_is_alive (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), FALSE);
  return self->state == LOOM_ENGINE_IDLE || self->state == LOOM_ENGINE_BUSY;
}

/**
 * loom_engine_info_get_tasks_done:
 * @self: a #LoomEngineInfo
 *
 * Returns: how many tasks the engine has finished
 */
guint64
loom_engine_info_get_tasks_done (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->tasks_done;
}

/**
 * loom_engine_info_get_outstanding:
 * @self: a #LoomEngineInfo
 *
 * Returns: how many tasks the engine holds now
 */
guint
loom_engine_info_get_outstanding (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->outstanding;
}

/**
 * loom_engine_info_get_registered_at:
 * @self: a #LoomEngineInfo
 *
 * Returns: when the engine registered, in µs since the epoch
 */
gint64
loom_engine_info_get_registered_at (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->registered_at;
}

/**
 * loom_engine_info_get_last_heartbeat:
 * @self: a #LoomEngineInfo
 *
 * Returns: when the controller last heard from the engine, in µs since
 *   the epoch
 */
gint64
loom_engine_info_get_last_heartbeat (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->last_heartbeat;
}

/**
 * loom_engine_info_get_busy_fraction:
 * @self: a #LoomEngineInfo
 *
 * Returns: the share of its life the engine spent running tasks, 0 to 1
 */
double
loom_engine_info_get_busy_fraction (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->busy_fraction;
}

/**
 * loom_engine_info_get_log:
 * @self: a #LoomEngineInfo
 *
 * Returns: (nullable) (type filename): the engine's log file, if known
 */
const char *
loom_engine_info_get_log (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), NULL);
  return self->log;
}

/**
 * loom_engine_info_get_launcher:
 * @self: a #LoomEngineInfo
 *
 * What started the engine, as its launcher told it in `LOOM_LAUNCHER`:
 * `local`, `ssh`, `slurm`, `mpi`, `pbs`, …
 *
 * Returns: (nullable): the launcher's name, or %NULL when not told
 */
const char *
loom_engine_info_get_launcher (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), NULL);
  return self->launcher;
}

/**
 * loom_engine_info_get_job_id:
 * @self: a #LoomEngineInfo
 *
 * The launcher's job the engine belongs to: `LOOM_LAUNCH_JOB`, or, when
 * that is unset, the batch system's `SLURM_JOB_ID`, `PBS_JOBID`,
 * `LSB_JOBID` or `JOB_ID`.
 *
 * Returns: (nullable): the job's id, or %NULL when there is none
 */
const char *
loom_engine_info_get_job_id (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), NULL);
  return self->job_id;
}

/**
 * loom_engine_info_get_clock_offset:
 * @self: a #LoomEngineInfo
 *
 * What the engine adds to its host's clock to read the controller's, in
 * microseconds, as the engine last estimated it from its exchanges with
 * the controller (the one of the quickest round trip).  0 on the
 * controller's own host, and while unknown (see
 * loom_engine_info_get_clock_uncertainty()).
 *
 * Returns: the clock offset in µs
 */
gint64
loom_engine_info_get_clock_offset (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->clock_offset;
}

/**
 * loom_engine_info_get_clock_uncertainty:
 * @self: a #LoomEngineInfo
 *
 * How far loom_engine_info_get_clock_offset() may be wrong, in
 * microseconds: half the round trip of the exchange the offset comes
 * from.  0 on the controller's own host (one clock).
 *
 * Returns: the uncertainty in µs, or -1 while the engine has not told
 */
gint64
loom_engine_info_get_clock_uncertainty (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), -1);
  return self->clock_uncertainty;
}
