/* loom-report.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A job and every task with its metadata, as one JSON document: what
 * `loomctl map --json` and `loomctl get --json` print and what exports
 * build on.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-client-private.h"
#include "loom-error.h"

static JsonNode *
line_node (GPtrArray *lines,
           guint      i)
{
  JsonNode *node = NULL;

  if (i < lines->len)
    {
      GBytes *line = g_ptr_array_index (lines, i);
      node = loom_json_from_data (g_bytes_get_data (line, NULL), g_bytes_get_size (line), NULL);
    }
  return node ? node : json_node_new (JSON_NODE_NULL);
}

static void
set_string_or_null (JsonObject *obj,
                    const char *name,
                    const char *value)
{
  if (value)
    json_object_set_string_member (obj, name, value);
  else
    json_object_set_null_member (obj, name);
}

/* A command's output @name ("stdout", "stderr") as the detail @d
 * carries it: the text, with "<name>_encoding": "base64" when it is not
 * UTF-8 (see loom_json_append_output()), and "<name>_truncated", the
 * bytes not kept. */
static void
set_output (JsonObject *task,
            JsonObject *d,
            const char *name)
{
  g_autofree char *encoding_name = g_strconcat (name, "_encoding", NULL);
  g_autofree char *truncated_name = g_strconcat (name, "_truncated", NULL);
  const char *encoding = loom_json_string (d, encoding_name, NULL);

  set_string_or_null (task, name, loom_json_string (d, name, NULL));
  if (encoding != NULL)
    json_object_set_string_member (task, encoding_name, encoding);
  json_object_set_int_member (task, truncated_name, MAX (0, loom_json_int (d, truncated_name, 0)));
}

/* A job report: its summary with the task figures, and every task's row,
 * parameters (line i is task i), result and detail (line i is row i). */
static JsonNode *
report_build (LoomJobInfo *info,
              JsonArray   *rows,
              GPtrArray   *results,
              GPtrArray   *details,
              GPtrArray   *params)
{
  JsonObject *job, *root;
  JsonArray *tasks;

  tasks = json_array_sized_new (json_array_get_length (rows));
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      g_autoptr(JsonNode) detail = line_node (details, i);
      JsonObject *task;
      JsonObject *d = JSON_NODE_HOLDS_OBJECT (detail) ? json_node_get_object (detail) : NULL;
      JsonObject *err = loom_json_object (d, "error");
      gint64 v[9];

      if (!loom_json_row_ints (json_array_get_element (rows, i), v, 9))
        continue;

      task = json_object_new ();
      json_object_set_int_member (task, "index", v[0]);
      json_object_set_member (task, "params", line_node (params, v[0]));
      /* A task that never reached an engine has none. */
      if (v[1] >= 0)
        json_object_set_int_member (task, "engine_id", v[1]);
      else
        json_object_set_null_member (task, "engine_id");
      json_object_set_string_member (task, "status", loom_task_status_to_string (CLAMP (v[2], 0, LOOM_TASK_LOST)));
      json_object_set_int_member (task, "attempts", v[3]);
      json_object_set_int_member (task, "submitted", v[4]);
      json_object_set_int_member (task, "dispatched", v[5]);
      json_object_set_int_member (task, "started", v[6]);
      json_object_set_int_member (task, "completed", v[7]);
      json_object_set_int_member (task, "received", v[8]);
      json_object_set_member (task, "result", line_node (results, i));
      if (err != NULL)
        json_object_set_member (task, "error", json_node_init_object (json_node_alloc (), err));
      else
        json_object_set_null_member (task, "error");
      set_output (task, d, "stdout");
      set_output (task, d, "stderr");
      if (d && json_object_has_member (d, "exit_status"))
        json_object_set_int_member (task, "exit_status", loom_json_int (d, "exit_status", -1));
      else
        json_object_set_null_member (task, "exit_status");
      if (d && json_object_has_member (d, "signal"))
        json_object_set_int_member (task, "signal", loom_json_int (d, "signal", 0));
      else
        json_object_set_null_member (task, "signal");
      json_array_add_object_element (tasks, task);
    }

  job = json_object_new ();
  loom_job_info_build_report (info, job);
  root = json_object_new ();
  json_object_set_object_member (root, "job", job);
  json_object_set_array_member (root, "tasks", tasks);
  return json_node_init_object (json_node_alloc (), root);
}

/* A job report from the controller's answer to "job". */
static JsonNode *
report_from_reply (LoomMessage  *reply,
                   GError      **error)
{
  g_autoptr(LoomJobInfo) info = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) details = NULL;
  g_autoptr(GPtrArray) params = NULL;

  if (!(info = loom_job_info_new_from_reply (reply, error)))
    return NULL;
  results = loom_lines_split (loom_message_get_buffer (reply, 0));
  details = loom_lines_split (loom_message_get_buffer (reply, 1));
  params = loom_lines_split (loom_message_get_buffer (reply, 2));
  return report_build (info, loom_json_array (loom_message_get_content (reply, NULL), "tasks"),
                       results, details, params);
}

static void
lines_extend (GPtrArray *all,
              GBytes    *bytes)
{
  g_autoptr(GPtrArray) lines = loom_lines_split (bytes);

  for (guint i = 0; i < lines->len; i++)
    g_ptr_array_add (all, g_bytes_ref (g_ptr_array_index (lines, i)));
}

/**
 * loom_client_get_job_report:
 * @self: a #LoomClient
 * @job_id: a job id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): `{"job": {id, name, mode, tasks, done, failed,
 *   engines, never_ran, wall_time, serial_time, speedup, efficiency,
 *   created, finished, spec}, "tasks": [{index, params, engine_id, status,
 *   attempts, submitted, dispatched, started, completed, received, result,
 *   error, stdout, stdout_truncated, stderr, stderr_truncated,
 *   exit_status, signal}]}`; times in µs since the epoch, durations in s.
 *   A command's exit_status, or the signal that killed it, is null when it
 *   has none.  The
 *   wall time, speedup and efficiency count the tasks that ran; never_ran
 *   counts those that are over without having started (aborted in the
 *   queue), whose engine_id is null.  A command's stdout (stderr) is its
 *   kept output as a string, or null for other tasks; output that is not
 *   valid UTF-8 is base64 and the task then has `"stdout_encoding":
 *   "base64"` (`stderr_encoding`).  `stdout_truncated` counts the bytes
 *   written past the spec's output limit and not kept.
 */
JsonNode *
loom_client_get_job_report (LoomClient  *self,
                            guint        job_id,
                            GError     **error)
{
  g_autoptr(LoomJobInfo) info = NULL;
  g_autoptr(JsonArray) rows = json_array_new ();
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) details = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint first = 0;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);

  /* Page by page: a job of many tasks does not fit in one message. */
  while (TRUE)
    {
      g_autofree char *request = g_strdup_printf ("{\"job\":%u,\"first\":%u}", job_id, first);
      g_autoptr(LoomMessage) reply = NULL;
      JsonObject *content;
      JsonArray *page;
      gint64 next;

      if (!(reply = loom_client_request (self, "job", request, error)))
        return NULL;
      if (!(content = loom_message_get_content (reply, error)))
        return NULL;
      if (info == NULL && loom_json_object (content, "job") != NULL)
        info = loom_job_info_new_from_summary (loom_json_object (content, "job"));
      page = loom_json_array (content, "tasks");
      next = loom_json_int (content, "next", -1);
      if (info == NULL || page == NULL || next < first || next > loom_job_info_get_n_tasks (info) ||
          (next == first && next < loom_job_info_get_n_tasks (info)) ||
          loom_json_int (content, "first", -1) != first)
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_PROTOCOL, _("The controller's answer about a job is incomplete"));
          return NULL;
        }
      for (guint i = 0; i < json_array_get_length (page); i++)
        json_array_add_element (rows, json_node_ref (json_array_get_element (page, i)));
      lines_extend (results, loom_message_get_buffer (reply, 0));
      lines_extend (details, loom_message_get_buffer (reply, 1));
      lines_extend (params, loom_message_get_buffer (reply, 2));
      if ((guint) next >= loom_job_info_get_n_tasks (info))
        break;
      first = next;
    }
  loom_job_info_count_tasks (info, rows);
  return report_build (info, rows, results, details, params);
}

/**
 * loom_client_get_job_report_async:
 * @self: a #LoomClient
 * @job_id: a job id
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called on the client's main context with the
 *   answer
 * @user_data: data for @callback
 *
 * Like loom_client_get_job_report(), without blocking.
 */
void
loom_client_get_job_report_async (LoomClient          *self,
                                  guint                job_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autofree char *request = g_strdup_printf ("{\"job\":%u}", job_id);

  loom_client_request_async (self, "job", request, loom_client_get_job_report_async,
                             cancellable, callback, user_data);
}

/**
 * loom_client_get_job_report_finish:
 * @self: a #LoomClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the job report (see loom_client_get_job_report())
 */
JsonNode *
loom_client_get_job_report_finish (LoomClient    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_autoptr(LoomMessage) reply = loom_client_request_finish (self, result, loom_client_get_job_report_async, error);

  return reply ? report_from_reply (reply, error) : NULL;
}
