/* loom-engine-info.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-client-private.h"

struct _LoomEngineInfo
{
  GObject          parent_instance;

  guint            id;
  char            *host;
  gint64           pid;
  LoomEngineState  state;
  guint64          tasks_done;
  double           busy_fraction;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_HOST,
  PROP_PID,
  PROP_STATE,
  PROP_TASKS_DONE,
  PROP_BUSY_FRACTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LoomEngineInfo, loom_engine_info, G_TYPE_OBJECT)

static void
loom_engine_info_finalize (GObject *object)
{
  LoomEngineInfo *self = (LoomEngineInfo *) object;

  g_clear_pointer (&self->host, g_free);

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
      g_value_set_uint (value, self->state);
      break;

    case PROP_TASKS_DONE:
      g_value_set_uint64 (value, self->tasks_done);
      break;

    case PROP_BUSY_FRACTION:
      g_value_set_double (value, self->busy_fraction);
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

  properties[PROP_ID] = g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, flags);
  properties[PROP_PID] = g_param_spec_int64 ("pid", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_STATE] = g_param_spec_uint ("state", NULL, NULL, 0, LOOM_ENGINE_STOPPED, 0, flags);
  properties[PROP_TASKS_DONE] = g_param_spec_uint64 ("tasks-done", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_BUSY_FRACTION] = g_param_spec_double ("busy-fraction", NULL, NULL, 0, 1, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_engine_info_init (LoomEngineInfo *self)
{
}

LoomEngineInfo *
loom_engine_info_new (guint id)
{
  LoomEngineInfo *self = g_object_new (LOOM_TYPE_ENGINE_INFO, NULL);

  self->id = id;
  return self;
}

void
loom_engine_info_update (LoomEngineInfo *self,
                         JsonObject     *obj)
{
  const char *host = loom_json_string (obj, "host", NULL);
  gint64 pid = loom_json_int (obj, "pid", 0);
  guint64 done = loom_json_int (obj, "tasks_done", 0);
  double busy = loom_json_double (obj, "busy_fraction", 0);
  LoomEngineState state = self->state;

  loom_engine_state_from_string (loom_json_string (obj, "state", ""), &state);

  if (g_strcmp0 (self->host, host) != 0)
    {
      g_free (self->host);
      self->host = g_strdup (host);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
    }
  if (self->pid != pid)
    {
      self->pid = pid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PID]);
    }
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
  if (self->busy_fraction != busy)
    {
      self->busy_fraction = CLAMP (busy, 0, 1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY_FRACTION]);
    }
}

guint
loom_engine_info_get_id (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->id;
}

const char *
loom_engine_info_get_host (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), NULL);
  return self->host;
}

gint64
loom_engine_info_get_pid (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->pid;
}

LoomEngineState
loom_engine_info_get_state (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), LOOM_ENGINE_DEAD);
  return self->state;
}

guint64
loom_engine_info_get_tasks_done (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->tasks_done;
}

double
loom_engine_info_get_busy_fraction (LoomEngineInfo *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (self), 0);
  return self->busy_fraction;
}
