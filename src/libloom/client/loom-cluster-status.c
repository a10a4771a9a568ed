/* loom-cluster-status.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The controller's answer to "status", typed: what `loomctl cluster
 * status` prints.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-client-private.h"
#include "loom-enums.h"
#include "loom-error.h"

/**
 * LoomClusterStatus:
 *
 * A snapshot of a cluster as its controller reports it: the controller's
 * settings and limits, its engines (a #GListModel of #LoomEngineInfo),
 * its task counters and the messages it dropped, by reason.
 */
struct _LoomClusterStatus
{
  GObject      parent_instance;

  char        *profile;
  char        *connection_file;
  char        *host;
  gint64       pid;
  gint64       started;
  LoomScheme   scheme;
  guint        hwm;
  guint        heartbeat_timeout;
  guint        retries;
  guint64      max_message_size;

  GListStore  *engines;

  guint        n_jobs;
  guint        n_queued;
  guint        n_running;
  guint64      tasks_finished;
  guint64      stale_results;

  char        *store_path;      /* NULL without a job store */
  guint64      store_bytes;
  GStrv        drop_reasons;    /* in the controller's order */
  guint64     *dropped;         /* one per reason */
  guint64      replies_dropped;
  guint64      results_dropped;
  gint64       longest_wakeup_us;
  GStrv        limit_names;     /* in the controller's order */
  guint64     *limits;          /* one per name */
  gint64      *limits_used;     /* one per name, -1: not reported */
};

enum {
  PROP_0,
  PROP_PROFILE,
  PROP_CONNECTION_FILE,
  PROP_HOST,
  PROP_PID,
  PROP_STARTED,
  PROP_SCHEME,
  PROP_HWM,
  PROP_HEARTBEAT_TIMEOUT,
  PROP_RETRIES,
  PROP_MAX_MESSAGE_SIZE,
  PROP_ENGINES,
  PROP_N_JOBS,
  PROP_N_QUEUED,
  PROP_N_RUNNING,
  PROP_TASKS_FINISHED,
  PROP_STALE_RESULTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LoomClusterStatus, loom_cluster_status, G_TYPE_OBJECT)

static void
loom_cluster_status_finalize (GObject *object)
{
  LoomClusterStatus *self = (LoomClusterStatus *) object;

  g_clear_pointer (&self->profile, g_free);
  g_clear_pointer (&self->connection_file, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->store_path, g_free);
  g_clear_object (&self->engines);
  g_clear_pointer (&self->drop_reasons, g_strfreev);
  g_clear_pointer (&self->limit_names, g_strfreev);
  g_clear_pointer (&self->limits, g_free);
  g_clear_pointer (&self->limits_used, g_free);
  g_clear_pointer (&self->dropped, g_free);

  G_OBJECT_CLASS (loom_cluster_status_parent_class)->finalize (object);
}

static void
loom_cluster_status_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LoomClusterStatus *self = LOOM_CLUSTER_STATUS (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_value_set_string (value, self->profile);
      break;

    case PROP_CONNECTION_FILE:
      g_value_set_string (value, self->connection_file);
      break;

    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;

    case PROP_PID:
      g_value_set_int64 (value, self->pid);
      break;

    case PROP_STARTED:
      g_value_set_int64 (value, self->started);
      break;

    case PROP_SCHEME:
      g_value_set_enum (value, self->scheme);
      break;

    case PROP_HWM:
      g_value_set_uint (value, self->hwm);
      break;

    case PROP_HEARTBEAT_TIMEOUT:
      g_value_set_uint (value, self->heartbeat_timeout);
      break;

    case PROP_RETRIES:
      g_value_set_uint (value, self->retries);
      break;

    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, self->max_message_size);
      break;

    case PROP_ENGINES:
      g_value_set_object (value, self->engines);
      break;

    case PROP_N_JOBS:
      g_value_set_uint (value, self->n_jobs);
      break;

    case PROP_N_QUEUED:
      g_value_set_uint (value, self->n_queued);
      break;

    case PROP_N_RUNNING:
      g_value_set_uint (value, self->n_running);
      break;

    case PROP_TASKS_FINISHED:
      g_value_set_uint64 (value, self->tasks_finished);
      break;

    case PROP_STALE_RESULTS:
      g_value_set_uint64 (value, self->stale_results);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_cluster_status_class_init (LoomClusterStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = loom_cluster_status_finalize;
  object_class->get_property = loom_cluster_status_get_property;

  /**
   * LoomClusterStatus:profile:
   *
   * The controller's profile.
   */
  properties[PROP_PROFILE] = g_param_spec_string ("profile", NULL, NULL, NULL, flags);
  /**
   * LoomClusterStatus:connection-file:
   *
   * The connection file the controller wrote ("" for one without).
   */
  properties[PROP_CONNECTION_FILE] = g_param_spec_string ("connection-file", NULL, NULL, NULL, flags);
  /**
   * LoomClusterStatus:host:
   *
   * The host the controller runs on.
   */
  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, flags);
  /**
   * LoomClusterStatus:pid:
   *
   * The controller's process id.
   */
  properties[PROP_PID] = g_param_spec_int64 ("pid", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /**
   * LoomClusterStatus:started:
   *
   * When the controller started, in µs since the epoch.
   */
  properties[PROP_STARTED] = g_param_spec_int64 ("started", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /**
   * LoomClusterStatus:scheme:
   *
   * How the controller picks engines for jobs that do not say.
   */
  properties[PROP_SCHEME] = g_param_spec_enum ("scheme", NULL, NULL, LOOM_TYPE_SCHEME, LOOM_SCHEME_LEASTLOAD, flags);
  /**
   * LoomClusterStatus:hwm:
   *
   * How many tasks an engine may hold at once, or 0 for auto (see
   * loom_controller_set_hwm()).
   */
  properties[PROP_HWM] = g_param_spec_uint ("hwm", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomClusterStatus:heartbeat-timeout:
   *
   * Milliseconds without a heartbeat after which an engine is dead.
   */
  properties[PROP_HEARTBEAT_TIMEOUT] = g_param_spec_uint ("heartbeat-timeout", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomClusterStatus:retries:
   *
   * How often a task whose engine died runs again, by default.
   */
  properties[PROP_RETRIES] = g_param_spec_uint ("retries", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomClusterStatus:max-message-size:
   *
   * The largest message, in bytes, the controller accepts.
   */
  properties[PROP_MAX_MESSAGE_SIZE] = g_param_spec_uint64 ("max-message-size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * LoomClusterStatus:engines:
   *
   * Every engine that registered, a #GListModel of #LoomEngineInfo.
   */
  properties[PROP_ENGINES] = g_param_spec_object ("engines", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  /**
   * LoomClusterStatus:n-jobs:
   *
   * The jobs the controller holds.
   */
  properties[PROP_N_JOBS] = g_param_spec_uint ("n-jobs", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomClusterStatus:n-queued:
   *
   * Tasks waiting for an engine, over every job.
   */
  properties[PROP_N_QUEUED] = g_param_spec_uint ("n-queued", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomClusterStatus:n-running:
   *
   * Tasks engines hold, over every job.
   */
  properties[PROP_N_RUNNING] = g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LoomClusterStatus:tasks-finished:
   *
   * Tasks finished over the controller's life.
   */
  properties[PROP_TASKS_FINISHED] = g_param_spec_uint64 ("tasks-finished", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * LoomClusterStatus:stale-results:
   *
   * Results that came back for tasks no longer waiting for them (after a
   * retry or an abort).
   */
  properties[PROP_STALE_RESULTS] = g_param_spec_uint64 ("stale-results", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_cluster_status_init (LoomClusterStatus *self)
{
  self->engines = g_list_store_new (LOOM_TYPE_ENGINE_INFO);
  self->drop_reasons = g_new0 (char *, 1);
  self->limit_names = g_new0 (char *, 1);
}

static guint
uint_member (JsonObject *obj,
             const char *name)
{
  return CLAMP (loom_json_int (obj, name, 0), 0, G_MAXUINT);
}

static guint64
uint64_member (JsonObject *obj,
               const char *name)
{
  return MAX (0, loom_json_int (obj, name, 0));
}

static void
read_dropped (LoomClusterStatus *self,
              JsonObject        *dropped)
{
  g_autoptr(GList) names = dropped ? json_object_get_members (dropped) : NULL;
  guint n = g_list_length (names), i = 0;

  g_strfreev (self->drop_reasons);
  self->drop_reasons = g_new0 (char *, n + 1);
  self->dropped = g_new0 (guint64, n);
  for (GList *l = names; l; l = l->next, i++)
    {
      self->drop_reasons[i] = g_strdup (l->data);
      self->dropped[i] = uint64_member (dropped, l->data);
    }
}

static void
read_limits (LoomClusterStatus *self,
             JsonObject        *limits)
{
  g_autoptr(GList) names = limits ? json_object_get_members (limits) : NULL;
  guint n = g_list_length (names), i = 0;

  g_strfreev (self->limit_names);
  g_free (self->limits);
  g_free (self->limits_used);
  self->limit_names = g_new0 (char *, n + 1);
  self->limits = g_new0 (guint64, n);
  self->limits_used = g_new0 (gint64, n);
  for (GList *l = names; l; l = l->next)
    {
      JsonObject *limit = loom_json_object (limits, l->data);

      if (limit == NULL)
        continue;
      self->limit_names[i] = g_strdup (l->data);
      self->limits[i] = uint64_member (limit, "limit");
      self->limits_used[i] = json_object_has_member (limit, "used") ? (gint64) uint64_member (limit, "used") : -1;
      i++;
    }
}

/* The content of a "status_reply". */
LoomClusterStatus *
loom_cluster_status_new_from_reply (LoomMessage  *reply,
                                    GError      **error)
{
  g_autoptr(LoomClusterStatus) self = NULL;
  JsonObject *content = loom_message_get_content (reply, error);
  JsonObject *ctl = loom_json_object (content, "controller");
  JsonArray *engines = loom_json_array (content, "engines");
  gint scheme;

  if (content == NULL)
    return NULL;
  if (ctl == NULL || engines == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_PROTOCOL, _("The controller's status is incomplete"));
      return NULL;
    }

  self = g_object_new (LOOM_TYPE_CLUSTER_STATUS, NULL);
  self->profile = g_strdup (loom_json_string (ctl, "profile", ""));
  self->connection_file = g_strdup (loom_json_string (ctl, "connection_file", ""));
  self->host = g_strdup (loom_json_string (ctl, "host", ""));
  self->pid = uint64_member (ctl, "pid");
  self->started = uint64_member (ctl, "started");
  if (loom_enum_from_nick (LOOM_TYPE_SCHEME, loom_json_string (ctl, "scheme", NULL), &scheme))
    self->scheme = scheme;
  self->hwm = uint_member (ctl, "hwm");
  self->heartbeat_timeout = uint_member (ctl, "heartbeat_timeout_ms");
  self->retries = uint_member (ctl, "retries");
  self->max_message_size = uint64_member (ctl, "max_message_size");

  for (guint i = 0; i < json_array_get_length (engines); i++)
    {
      JsonObject *e = loom_json_array_object (engines, i);
      g_autoptr(LoomEngineInfo) info = NULL;

      if (e == NULL)
        continue;
      info = loom_engine_info_new (uint_member (e, "id"));
      loom_engine_info_update (info, e);
      g_list_store_append (self->engines, info);
    }

  self->n_jobs = uint_member (content, "jobs");
  self->n_queued = uint_member (content, "queued");
  self->n_running = uint_member (content, "running");
  self->tasks_finished = uint64_member (content, "tasks_finished");
  self->stale_results = uint64_member (content, "stale_results");
  read_dropped (self, loom_json_object (content, "dropped"));
  self->replies_dropped = uint64_member (content, "replies_dropped");
  self->results_dropped = uint64_member (content, "results_dropped");
  self->longest_wakeup_us = loom_json_int (content, "longest_wakeup_us", -1);
  read_limits (self, loom_json_object (content, "limits"));
  if (loom_json_object (content, "store"))
    {
      JsonObject *store = loom_json_object (content, "store");

      self->store_path = g_strdup (loom_json_string (store, "path", ""));
      self->store_bytes = uint64_member (store, "bytes");
    }
  return g_steal_pointer (&self);
}

/**
 * loom_cluster_status_to_json:
 * @self: a #LoomClusterStatus
 *
 * The status as the controller sends it and `loomctl cluster status
 * --json` prints it: `{controller: {profile, connection_file, host, pid,
 * started, scheme, hwm (0: auto), hwm_mode, heartbeat_timeout_ms, retries, max_message_size},
 * engines: [{id, host, pid, state, tasks_done, outstanding, registered_at,
 * last_heartbeat, busy_fraction, log}], jobs, queued, running,
 * tasks_finished, stale_results, dropped: {reason: count}, replies_dropped,
 * results_dropped, longest_wakeup_us (the longest the controller's loop
 * was held by one wake-up, when it says), limits: {name: {limit, used}}, store: {path, bytes} or
 * null}`.  A limit's "used" is there where the controller knows it.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
loom_cluster_status_to_json (LoomClusterStatus *self)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "controller");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "profile");
  json_builder_add_string_value (builder, self->profile);
  json_builder_set_member_name (builder, "connection_file");
  json_builder_add_string_value (builder, self->connection_file);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, self->host);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, self->pid);
  json_builder_set_member_name (builder, "started");
  json_builder_add_int_value (builder, self->started);
  json_builder_set_member_name (builder, "scheme");
  json_builder_add_string_value (builder, loom_scheme_to_string (self->scheme));
  json_builder_set_member_name (builder, "hwm");
  json_builder_add_int_value (builder, self->hwm);
  json_builder_set_member_name (builder, "hwm_mode");
  json_builder_add_string_value (builder, self->hwm ? "fixed" : "auto");
  json_builder_set_member_name (builder, "heartbeat_timeout_ms");
  json_builder_add_int_value (builder, self->heartbeat_timeout);
  json_builder_set_member_name (builder, "retries");
  json_builder_add_int_value (builder, self->retries);
  json_builder_set_member_name (builder, "max_message_size");
  json_builder_add_int_value (builder, self->max_message_size);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "engines");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->engines)); i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (G_LIST_MODEL (self->engines), i);
      loom_engine_info_build_json (info, builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "jobs");
  json_builder_add_int_value (builder, self->n_jobs);
  json_builder_set_member_name (builder, "queued");
  json_builder_add_int_value (builder, self->n_queued);
  json_builder_set_member_name (builder, "running");
  json_builder_add_int_value (builder, self->n_running);
  json_builder_set_member_name (builder, "tasks_finished");
  json_builder_add_int_value (builder, self->tasks_finished);
  json_builder_set_member_name (builder, "stale_results");
  json_builder_add_int_value (builder, self->stale_results);
  json_builder_set_member_name (builder, "dropped");
  json_builder_begin_object (builder);
  for (guint i = 0; self->drop_reasons[i]; i++)
    {
      json_builder_set_member_name (builder, self->drop_reasons[i]);
      json_builder_add_int_value (builder, self->dropped[i]);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "replies_dropped");
  json_builder_add_int_value (builder, self->replies_dropped);
  json_builder_set_member_name (builder, "results_dropped");
  json_builder_add_int_value (builder, self->results_dropped);
  if (self->longest_wakeup_us >= 0)
    {
      json_builder_set_member_name (builder, "longest_wakeup_us");
      json_builder_add_int_value (builder, self->longest_wakeup_us);
    }
  json_builder_set_member_name (builder, "limits");
  json_builder_begin_object (builder);
  for (guint i = 0; self->limit_names[i]; i++)
    {
      json_builder_set_member_name (builder, self->limit_names[i]);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "limit");
      json_builder_add_int_value (builder, self->limits[i]);
      if (self->limits_used[i] >= 0)
        {
          json_builder_set_member_name (builder, "used");
          json_builder_add_int_value (builder, self->limits_used[i]);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "store");
  if (self->store_path != NULL)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, self->store_path);
      json_builder_set_member_name (builder, "bytes");
      json_builder_add_int_value (builder, self->store_bytes);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * loom_cluster_status_get_store_path:
 * @self: a #LoomClusterStatus
 *
 * Returns: (type filename) (nullable): the controller's job store, or
 *   %NULL if it keeps jobs in memory only
 */
const char *
loom_cluster_status_get_store_path (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), NULL);
  return self->store_path;
}

/**
 * loom_cluster_status_get_store_size:
 * @self: a #LoomClusterStatus
 *
 * Returns: the bytes the job store takes on disk (0 without one)
 */
guint64
loom_cluster_status_get_store_size (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->store_bytes;
}

/**
 * loom_cluster_status_get_profile:
 * @self: a #LoomClusterStatus
 *
 * Returns: the controller's profile
 */
const char *
loom_cluster_status_get_profile (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), NULL);
  return self->profile;
}

/**
 * loom_cluster_status_get_connection_file:
 * @self: a #LoomClusterStatus
 *
 * Returns: (type filename): the connection file the controller wrote, or
 *   "" for a controller without one
 */
const char *
loom_cluster_status_get_connection_file (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), NULL);
  return self->connection_file;
}

/**
 * loom_cluster_status_get_host:
 * @self: a #LoomClusterStatus
 *
 * Returns: the host the controller runs on
 */
const char *
loom_cluster_status_get_host (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), NULL);
  return self->host;
}

/**
 * loom_cluster_status_get_pid:
 * @self: a #LoomClusterStatus
 *
 * Returns: the controller's process id
 */
gint64
loom_cluster_status_get_pid (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->pid;
}

/**
 * loom_cluster_status_get_started:
 * @self: a #LoomClusterStatus
 *
 * Returns: when the controller started, in µs since the epoch
 */
gint64
loom_cluster_status_get_started (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->started;
}

/**
 * loom_cluster_status_get_scheme:
 * @self: a #LoomClusterStatus
 *
 * Returns: how the controller picks engines for jobs that do not say
 */
LoomScheme
loom_cluster_status_get_scheme (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), LOOM_SCHEME_LEASTLOAD);
  return self->scheme;
}

/**
 * loom_cluster_status_get_hwm:
 * @self: a #LoomClusterStatus
 *
 * Returns: how many tasks an engine may hold at once, or 0 for auto
 */
guint
loom_cluster_status_get_hwm (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->hwm;
}

/**
 * loom_cluster_status_get_heartbeat_timeout:
 * @self: a #LoomClusterStatus
 *
 * Returns: milliseconds without a heartbeat after which an engine is dead
 */
guint
loom_cluster_status_get_heartbeat_timeout (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->heartbeat_timeout;
}

/**
 * loom_cluster_status_get_retries:
 * @self: a #LoomClusterStatus
 *
 * Returns: how often a task whose engine died runs again, by default
 */
guint
loom_cluster_status_get_retries (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->retries;
}

/**
 * loom_cluster_status_get_max_message_size:
 * @self: a #LoomClusterStatus
 *
 * Returns: the largest message, in bytes, the controller accepts
 */
guint64
loom_cluster_status_get_max_message_size (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->max_message_size;
}

/**
 * loom_cluster_status_get_engines:
 * @self: a #LoomClusterStatus
 *
 * Returns: (transfer none): every engine that registered, by id: a
 *   #GListModel of #LoomEngineInfo
 */
GListModel *
loom_cluster_status_get_engines (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), NULL);
  return G_LIST_MODEL (self->engines);
}

/**
 * loom_cluster_status_get_n_jobs:
 * @self: a #LoomClusterStatus
 *
 * Returns: the jobs the controller holds
 */
guint
loom_cluster_status_get_n_jobs (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->n_jobs;
}

/**
 * loom_cluster_status_get_n_queued:
 * @self: a #LoomClusterStatus
 *
 * Returns: the tasks waiting for an engine, over every job
 */
guint
loom_cluster_status_get_n_queued (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->n_queued;
}

/**
 * loom_cluster_status_get_n_running:
 * @self: a #LoomClusterStatus
 *
 * Returns: the tasks engines hold, over every job
 */
guint
loom_cluster_status_get_n_running (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->n_running;
}

/**
 * loom_cluster_status_get_tasks_finished:
 * @self: a #LoomClusterStatus
 *
 * Returns: the tasks finished over the controller's life
 */
guint64
loom_cluster_status_get_tasks_finished (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->tasks_finished;
}

/**
 * loom_cluster_status_get_stale_results:
 * @self: a #LoomClusterStatus
 *
 * Returns: the results that came back for tasks no longer waiting for them
 */
guint64
loom_cluster_status_get_stale_results (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->stale_results;
}

/**
 * loom_cluster_status_get_drop_reasons:
 * @self: a #LoomClusterStatus
 *
 * The reasons the controller counts dropped messages by, in its order:
 * "malformed", "unsigned", "bad_signature", "replayed", "too_large",
 * "unknown_type", "stale" today.
 *
 * Returns: (transfer none) (array zero-terminated=1): the reasons
 */
const char * const *
loom_cluster_status_get_drop_reasons (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), NULL);
  return (const char * const *) self->drop_reasons;
}

/**
 * loom_cluster_status_get_dropped:
 * @self: a #LoomClusterStatus
 * @reason: (nullable): one of loom_cluster_status_get_drop_reasons(), or
 *   %NULL for every reason
 *
 * Returns: how many messages the controller dropped for @reason (a
 *   reason it does not count has 0)
 */
guint64
loom_cluster_status_get_dropped (LoomClusterStatus *self,
                                 const char        *reason)
{
  guint64 total = 0;

  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);

  for (guint i = 0; self->drop_reasons[i]; i++)
    if (reason == NULL || g_str_equal (reason, self->drop_reasons[i]))
      total += self->dropped[i];
  return total;
}

/**
 * loom_cluster_status_get_replies_dropped:
 * @self: a #LoomClusterStatus
 *
 * Returns: the replies the controller dropped because a client did not
 *   read them (its queue was full) or was gone
 */
guint64
loom_cluster_status_get_replies_dropped (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->replies_dropped;
}

/**
 * loom_cluster_status_get_results_dropped:
 * @self: a #LoomClusterStatus
 *
 * Returns: the results messages the controller could not send to a client
 *   (gone, or past the results backlog); they stay in their job
 */
guint64
loom_cluster_status_get_results_dropped (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  return self->results_dropped;
}

/**
 * loom_cluster_status_get_limit_names:
 * @self: a #LoomClusterStatus
 *
 * The names of the controller's limits, in its order: "message_bytes",
 * "replay_digests", "replay_window_s", "engines",
 * "gone_engines_remembered", "gone_engines_listed", "jobs",
 * "jobs_receiving_params", "job_tasks", "listed_tasks", "job_params_bytes",
 * "submit_json_bytes", "client_queue", "results_backlog_bytes", "subscription_prefixes" today.
 *
 * Returns: (transfer none) (array zero-terminated=1): the names
 */
const char * const *
loom_cluster_status_get_limit_names (LoomClusterStatus *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), NULL);
  return (const char * const *) self->limit_names;
}

/**
 * loom_cluster_status_get_limit:
 * @self: a #LoomClusterStatus
 * @name: one of loom_cluster_status_get_limit_names()
 * @used: (out) (optional): what is in use, or -1 where the controller
 *   does not say
 *
 * Returns: the limit, or 0 for a name the controller does not report
 */
guint64
loom_cluster_status_get_limit (LoomClusterStatus *self,
                               const char        *name,
                               gint64            *used)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER_STATUS (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  for (guint i = 0; self->limit_names[i]; i++)
    if (g_str_equal (name, self->limit_names[i]))
      {
        if (used)
          *used = self->limits_used[i];
        return self->limits[i];
      }
  if (used)
    *used = -1;
  return 0;
}
