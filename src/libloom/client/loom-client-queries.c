/* loom-client-queries.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What a client asks the controller, typed: the engines' ids, the
 * cluster's status, jobs, aborts, stopping an engine or the cluster.  Each
 * blocking call has an _async/_finish pair served from the client's source
 * on its main context.  The sockets and the pump are in loom-client.c.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include "loom-client-private.h"

/**
 * loom_client_get_ids:
 * @self: a #LoomClient
 * @error: return location for a #GError
 *
 * Asks the controller for the ids of the engines that are alive, like
 * ipyparallel's `Client.ids`.
 *
 * Returns: (transfer full) (element-type guint): the ids, ascending
 */
GArray *
loom_client_get_ids (LoomClient  *self,
                     GError     **error)
{
  g_autoptr(JsonObject) reply = NULL;
  JsonArray *engines;
  GArray *ids;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);

  if (!(reply = loom_client_request_object (self, "engines", "{}", error)))
    return NULL;

  ids = g_array_new (FALSE, FALSE, sizeof (guint));
  engines = loom_json_array (reply, "engines");
  for (guint i = 0; engines && i < json_array_get_length (engines); i++)
    {
      JsonObject *e = loom_json_array_object (engines, i);
      LoomEngineState state = LOOM_ENGINE_DEAD;

      loom_engine_state_from_string (loom_json_string (e, "state", NULL), &state);
      if (state == LOOM_ENGINE_IDLE || state == LOOM_ENGINE_BUSY)
        {
          gint64 id = loom_json_int (e, "id", -1);
          if (id >= 0 && id <= G_MAXUINT)
            {
              guint uid = id;
              g_array_append_val (ids, uid);
            }
        }
    }

  return ids;
}

/**
 * loom_client_get_status:
 * @self: a #LoomClient
 * @error: return location for a #GError
 *
 * Asks the controller for its settings, engines, task counters and
 * dropped-message counters.
 *
 * Returns: (transfer full): the cluster's status
 */
LoomClusterStatus *
loom_client_get_status (LoomClient  *self,
                        GError     **error)
{
  g_autoptr(LoomMessage) reply = NULL;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);

  if (!(reply = loom_client_request (self, "status", "{}", error)))
    return NULL;
  return loom_cluster_status_new_from_reply (reply, error);
}

/**
 * loom_client_get_status_async:
 * @self: a #LoomClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called on the client's main context with the
 *   answer
 * @user_data: data for @callback
 *
 * Like loom_client_get_status(), without blocking.
 */
void
loom_client_get_status_async (LoomClient          *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  loom_client_request_async (self, "status", "{}", loom_client_get_status_async,
                             cancellable, callback, user_data);
}

/**
 * loom_client_get_status_finish:
 * @self: a #LoomClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the cluster's status
 */
LoomClusterStatus *
loom_client_get_status_finish (LoomClient    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_autoptr(LoomMessage) reply = loom_client_request_finish (self, result, loom_client_get_status_async, error);

  return reply ? loom_cluster_status_new_from_reply (reply, error) : NULL;
}

static char *
job_request (guint job_id)
{
  return g_strdup_printf ("{\"job\":%u}", job_id);
}

/**
 * loom_client_query_job:
 * @self: a #LoomClient
 * @job_id: a job id
 * @error: return location for a #GError
 *
 * Asks the controller about a job and counts its tasks: the #LoomJobInfo
 * has its task figures (loom_job_info_has_task_figures()).
 *
 * Returns: (transfer full): the job
 */
LoomJobInfo *
loom_client_query_job (LoomClient  *self,
                       guint        job_id,
                       GError     **error)
{
  g_autofree char *content = job_request (job_id);
  g_autoptr(LoomMessage) reply = NULL;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);

  if (!(reply = loom_client_request (self, "job", content, error)))
    return NULL;
  return loom_job_info_new_from_reply (reply, error);
}

/**
 * loom_client_query_job_async:
 * @self: a #LoomClient
 * @job_id: a job id
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called on the client's main context with the
 *   answer
 * @user_data: data for @callback
 *
 * Like loom_client_query_job(), without blocking.
 */
void
loom_client_query_job_async (LoomClient          *self,
                             guint                job_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autofree char *content = job_request (job_id);

  loom_client_request_async (self, "job", content, loom_client_query_job_async,
                             cancellable, callback, user_data);
}

/**
 * loom_client_query_job_finish:
 * @self: a #LoomClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the job
 */
LoomJobInfo *
loom_client_query_job_finish (LoomClient    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_autoptr(LoomMessage) reply = loom_client_request_finish (self, result, loom_client_query_job_async, error);

  return reply ? loom_job_info_new_from_reply (reply, error) : NULL;
}

/**
 * loom_client_purge_jobs:
 * @self: a #LoomClient
 * @older_than: remove jobs that finished before this time (µs since the
 *   epoch), or 0 for any age
 * @keep: but keep the newest @keep finished jobs; -1 keeps none back
 * @error: return location for a #GError
 *
 * Removes finished jobs from the controller's job store (or, without
 * one, from its memory).  Jobs that run are never removed.
 *
 * Returns: how many jobs were removed, or -1 with @error set
 */
gint64
loom_client_purge_jobs (LoomClient  *self,
                        gint64       older_than,
                        gint64       keep,
                        GError     **error)
{
  g_autoptr(LoomMessage) reply = NULL;
  g_autofree char *content = NULL;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), -1);
  g_return_val_if_fail (older_than >= 0 && keep >= -1, -1);

  content = g_strdup_printf ("{\"older_than\":%" G_GINT64_FORMAT ",\"keep\":%" G_GINT64_FORMAT "}",
                             older_than, keep);
  if (!(reply = loom_client_request (self, "purge", content, error)))
    return -1;
  return loom_json_int (loom_message_get_content (reply, NULL), "purged", 0);
}

/**
 * loom_client_list_jobs:
 * @self: a #LoomClient
 * @error: return location for a #GError
 *
 * Lists every job of the controller's life, as summaries (without task
 * figures).
 *
 * Returns: (transfer full): a #GListModel of #LoomJobInfo, by id
 */
GListModel *
loom_client_list_jobs (LoomClient  *self,
                       GError     **error)
{
  g_autoptr(LoomMessage) reply = NULL;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);

  if (!(reply = loom_client_request (self, "jobs", "{}", error)))
    return NULL;
  return loom_job_info_list_from_reply (reply, error);
}

/**
 * loom_client_list_jobs_async:
 * @self: a #LoomClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called on the client's main context with the
 *   answer
 * @user_data: data for @callback
 *
 * Like loom_client_list_jobs(), without blocking.
 */
void
loom_client_list_jobs_async (LoomClient          *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  loom_client_request_async (self, "jobs", "{}", loom_client_list_jobs_async,
                             cancellable, callback, user_data);
}

/**
 * loom_client_list_jobs_finish:
 * @self: a #LoomClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a #GListModel of #LoomJobInfo, by id
 */
GListModel *
loom_client_list_jobs_finish (LoomClient    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_autoptr(LoomMessage) reply = loom_client_request_finish (self, result, loom_client_list_jobs_async, error);

  return reply ? loom_job_info_list_from_reply (reply, error) : NULL;
}

static gboolean
abort_counts (LoomMessage  *reply,
              guint        *n_aborted,
              guint        *n_killing,
              GError      **error)
{
  JsonObject *content;

  if (reply == NULL || !(content = loom_message_get_content (reply, error)))
    return FALSE;
  if (n_aborted)
    *n_aborted = CLAMP (loom_json_int (content, "aborted", 0), 0, G_MAXUINT);
  if (n_killing)
    *n_killing = CLAMP (loom_json_int (content, "killing", 0), 0, G_MAXUINT);
  return TRUE;
}

/**
 * loom_client_abort_job:
 * @self: a #LoomClient
 * @job_id: a job id
 * @n_aborted: (out) (optional): the queued tasks aborted
 * @n_killing: (out) (optional): the running tasks being stopped
 * @error: return location for a #GError
 *
 * Aborts a job: its queued tasks never run and its running ones are
 * stopped (built-ins within 10 ms, commands killed; a plugin function
 * finishes first).
 *
 * Returns: %TRUE if the controller aborted the job
 */
gboolean
loom_client_abort_job (LoomClient  *self,
                       guint        job_id,
                       guint       *n_aborted,
                       guint       *n_killing,
                       GError     **error)
{
  g_autofree char *content = job_request (job_id);
  g_autoptr(LoomMessage) reply = NULL;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), FALSE);

  reply = loom_client_request (self, "abort", content, error);
  return abort_counts (reply, n_aborted, n_killing, error);
}

/**
 * loom_client_abort_job_async:
 * @self: a #LoomClient
 * @job_id: a job id
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called on the client's main context with the
 *   answer
 * @user_data: data for @callback
 *
 * Like loom_client_abort_job(), without blocking.
 */
void
loom_client_abort_job_async (LoomClient          *self,
                             guint                job_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autofree char *content = job_request (job_id);

  loom_client_request_async (self, "abort", content, loom_client_abort_job_async,
                             cancellable, callback, user_data);
}

/**
 * loom_client_abort_job_finish:
 * @self: a #LoomClient
 * @result: the #GAsyncResult given to the callback
 * @n_aborted: (out) (optional): the queued tasks aborted
 * @n_killing: (out) (optional): the running tasks being stopped
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the controller aborted the job
 */
gboolean
loom_client_abort_job_finish (LoomClient    *self,
                              GAsyncResult  *result,
                              guint         *n_aborted,
                              guint         *n_killing,
                              GError       **error)
{
  g_autoptr(LoomMessage) reply = loom_client_request_finish (self, result, loom_client_abort_job_async, error);

  return abort_counts (reply, n_aborted, n_killing, error);
}

static char *
engine_request (guint engine_id)
{
  return g_strdup_printf ("{\"engine\":%u}", engine_id);
}

/**
 * loom_client_stop_engine:
 * @self: a #LoomClient
 * @engine_id: the engine to stop
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the controller told the engine to stop
 */
gboolean
loom_client_stop_engine (LoomClient  *self,
                         guint        engine_id,
                         GError     **error)
{
  g_autofree char *content = engine_request (engine_id);
  g_autoptr(LoomMessage) reply = NULL;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), FALSE);
  reply = loom_client_request (self, "stop_engine", content, error);
  return reply != NULL;
}

/**
 * loom_client_stop_engine_async:
 * @self: a #LoomClient
 * @engine_id: the engine to stop
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called on the client's main context with the
 *   answer
 * @user_data: data for @callback
 *
 * Like loom_client_stop_engine(), without blocking.
 */
void
loom_client_stop_engine_async (LoomClient          *self,
                               guint                engine_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autofree char *content = engine_request (engine_id);

  loom_client_request_async (self, "stop_engine", content, loom_client_stop_engine_async,
                             cancellable, callback, user_data);
}

/**
 * loom_client_stop_engine_finish:
 * @self: a #LoomClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the controller told the engine to stop
 */
gboolean
loom_client_stop_engine_finish (LoomClient    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_autoptr(LoomMessage) reply = loom_client_request_finish (self, result, loom_client_stop_engine_async, error);

  return reply != NULL;
}

/**
 * loom_client_shutdown:
 * @self: a #LoomClient
 * @error: return location for a #GError
 *
 * Asks the controller to stop its engines and exit.
 *
 * Returns: %TRUE if the controller agreed
 */
gboolean
loom_client_shutdown (LoomClient  *self,
                      GError     **error)
{
  g_autoptr(LoomMessage) reply = NULL;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), FALSE);
  reply = loom_client_request (self, "shutdown", "{}", error);
  return reply != NULL;
}
