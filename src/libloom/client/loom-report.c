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
bytes_node (GBytes *line)
{
  JsonNode *node = NULL;

  if (line != NULL)
    node = loom_json_from_data (g_bytes_get_data (line, NULL), g_bytes_get_size (line), NULL);
  return node ? node : json_node_new (JSON_NODE_NULL);
}

static JsonNode *
line_node (GPtrArray *lines,
           guint      i)
{
  return bytes_node (i < lines->len ? g_ptr_array_index (lines, i) : NULL);
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

static void
set_int_or_null (JsonObject *task,
                 JsonObject *d,
                 const char *name,
                 gint64      fallback)
{
  if (d && json_object_has_member (d, name))
    json_object_set_int_member (task, name, loom_json_int (d, name, fallback));
  else
    json_object_set_null_member (task, name);
}

static void
set_row_members (JsonObject   *task,
                 const gint64  v[9])
{
  static const char *times[] = { "submitted", "dispatched", "started", "completed", "received" };

  /* A task that never reached an engine has none. */
  if (v[1] >= 0)
    json_object_set_int_member (task, "engine_id", v[1]);
  else
    json_object_set_null_member (task, "engine_id");
  json_object_set_string_member (task, "status", loom_task_status_to_string (CLAMP (v[2], 0, LOOM_TASK_TIMEOUT)));
  json_object_set_int_member (task, "attempts", v[3]);
  for (guint t = 0; t < G_N_ELEMENTS (times); t++)
    json_object_set_int_member (task, times[t], v[4 + t]);
}

/* One task of a job report from its row @v (index, engine, status,
 * attempts, five times), its @result and @detail lines (nullable) and
 * its @params (transfer full; nullable for null). */
JsonObject *
loom_report_task_new (const gint64  v[9],
                      GBytes       *result,
                      GBytes       *detail,
                      JsonNode     *params)
{
  g_autoptr(JsonNode) detail_node = bytes_node (detail);
  JsonObject *d = JSON_NODE_HOLDS_OBJECT (detail_node) ? json_node_get_object (detail_node) : NULL;
  JsonObject *err = loom_json_object (d, "error");
  JsonObject *task = json_object_new ();

  json_object_set_int_member (task, "index", v[0]);
  json_object_set_member (task, "params", params ? params : json_node_new (JSON_NODE_NULL));
  set_row_members (task, v);
  json_object_set_member (task, "result", bytes_node (result));
  if (err != NULL)
    json_object_set_member (task, "error", json_node_init_object (json_node_alloc (), err));
  else
    json_object_set_null_member (task, "error");
  set_output (task, d, "stdout");
  set_output (task, d, "stderr");
  set_int_or_null (task, d, "exit_status", -1);
  set_int_or_null (task, d, "signal", 0);
  return task;
}

/* The tasks of a page of rows: line i of @results and @details is row
 * i's, line (index - @params_first) of @params is task index's. */
static JsonArray *
report_tasks (JsonArray *rows,
              GPtrArray *results,
              GPtrArray *details,
              GPtrArray *params,
              guint      params_first)
{
  JsonArray *tasks = json_array_sized_new (json_array_get_length (rows));

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      gint64 v[9];

      if (!loom_json_row_ints (json_array_get_element (rows, i), v, 9) || v[0] < params_first)
        continue;
      json_array_add_object_element (tasks, loom_report_task_new (v, i < results->len ? g_ptr_array_index (results, i) : NULL,
                                                                  i < details->len ? g_ptr_array_index (details, i) : NULL,
                                                                  line_node (params, v[0] - params_first)));
    }
  return tasks;
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

  job = json_object_new ();
  loom_job_info_build_report (info, job);
  root = json_object_new ();
  json_object_set_object_member (root, "job", job);
  json_object_set_array_member (root, "tasks", report_tasks (rows, results, details, params, 0));
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

/* One page of a "job" reply: the summary, rows from "first" to "next". */
typedef struct
{
  LoomMessage *reply;
  LoomJobInfo *info;
  JsonArray   *rows;   /* the reply's */
  guint        first;
  guint        next;
} Page;

static void
page_clear (Page *page)
{
  g_clear_object (&page->info);
  g_clear_pointer (&page->reply, loom_message_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Page, page_clear)

/* Takes @reply into @page if it is a well-formed page of a job. */
static gboolean
page_parse (Page         *page,
            LoomMessage  *reply,
            GError      **error)
{
  JsonObject *content;
  gint64 first, next;
  guint n_tasks;

  page->reply = reply;
  if (!(content = loom_message_get_content (reply, error)))
    return FALSE;
  if (loom_json_object (content, "job") != NULL)
    page->info = loom_job_info_new_from_summary (loom_json_object (content, "job"));
  page->rows = loom_json_array (content, "tasks");
  first = loom_json_int (content, "first", -1);
  next = loom_json_int (content, "next", -1);
  n_tasks = page->info ? loom_job_info_get_n_tasks (page->info) : 0;
  if (page->info == NULL || page->rows == NULL || first < 0 || next < first || next > n_tasks ||
      (next == first && next < n_tasks))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_PROTOCOL, _("The controller's answer about a job is incomplete"));
      return FALSE;
    }
  page->first = first;
  page->next = next;
  return TRUE;
}

static char *
page_request (guint job_id,
              guint first,
              guint count)
{
  if (count > 0)
    return g_strdup_printf ("{\"job\":%u,\"first\":%u,\"count\":%u}", job_id, first, count);
  return g_strdup_printf ("{\"job\":%u,\"first\":%u}", job_id, first);
}

/* Asks for the page of @job_id from task @first, at most @count tasks (0:
 * as many as fit in a message). */
static gboolean
page_fetch (LoomClient  *self,
            guint        job_id,
            guint        first,
            guint        count,
            Page        *page,
            GError     **error)
{
  g_autofree char *request = page_request (job_id, first, count);
  LoomMessage *reply;

  if (!(reply = loom_client_request (self, "job", request, error)))
    return FALSE;
  if (!page_parse (page, reply, error))
    return FALSE;
  if (page->first != first)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_PROTOCOL, _("The controller's answer about a job is incomplete"));
      return FALSE;
    }
  return TRUE;
}

/* The tasks of @page, as a job report has them. */
static JsonNode *
page_tasks (Page *page)
{
  g_autoptr(GPtrArray) results = loom_lines_split (loom_message_get_buffer (page->reply, 0));
  g_autoptr(GPtrArray) details = loom_lines_split (loom_message_get_buffer (page->reply, 1));
  g_autoptr(GPtrArray) params = loom_lines_split (loom_message_get_buffer (page->reply, 2));
  g_autoptr(JsonArray) tasks = report_tasks (page->rows, results, details, params, page->first);

  return json_node_init_array (json_node_alloc (), tasks);
}

/* The tasks of @page, and its next and summary for the caller. */
static JsonNode *
page_return (Page         *page,
             guint        *next,
             LoomJobInfo **info)
{
  if (next)
    *next = page->next;
  if (info)
    *info = g_steal_pointer (&page->info);
  return page_tasks (page);
}

/**
 * loom_client_get_job_report:
 * @self: a #LoomClient
 * @job_id: a job id
 * @error: return location for a #GError
 *
 * The whole report of a job, built in memory: for a job of many tasks,
 * loom_client_read_job() reads it page by page instead.
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
  do
    {
      g_auto(Page) page = { NULL, };

      if (!page_fetch (self, job_id, first, 0, &page, error))
        return NULL;
      if (info == NULL)
        info = g_steal_pointer (&page.info);
      for (guint i = 0; i < json_array_get_length (page.rows); i++)
        json_array_add_element (rows, json_node_ref (json_array_get_element (page.rows, i)));
      lines_extend (results, loom_message_get_buffer (page.reply, 0));
      lines_extend (details, loom_message_get_buffer (page.reply, 1));
      lines_extend (params, loom_message_get_buffer (page.reply, 2));
      first = page.next;
    }
  while (first < loom_job_info_get_n_tasks (info));
  loom_job_info_count_tasks (info, rows);
  return report_build (info, rows, results, details, params);
}

/**
 * loom_client_read_job:
 * @self: a #LoomClient
 * @job_id: a job id
 * @first: the index of the first task to read
 * @n: the most tasks to read; 0 for as many as the controller sends in
 *   one message
 * @next: (out) (optional): the index after the last task read: the job's
 *   number of tasks after its last page
 * @info: (out) (optional) (transfer full): the job's summary as the
 *   controller knows it now
 * @error: return location for a #GError
 *
 * Reads a page of a job's tasks, from task @first on, without building
 * the whole report: a program that prints a job of a million tasks reads
 * it page by page, asking for the next page from @next, and holds one page
 * at a time.  The job need not be finished: tasks not final yet have their
 * status and a null result.
 *
 * Returns: (transfer full): an array of at least one task (none when
 *   @first is the job's number of tasks), each an object like those of
 *   the "tasks" of loom_client_get_job_report()
 */
JsonNode *
loom_client_read_job (LoomClient   *self,
                      guint         job_id,
                      guint         first,
                      guint         n,
                      guint        *next,
                      LoomJobInfo **info,
                      GError      **error)
{
  g_auto(Page) page = { NULL, };

  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);

  if (!page_fetch (self, job_id, first, n, &page, error))
    return NULL;
  return page_return (&page, next, info);
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

/**
 * loom_client_read_job_async:
 * @self: a #LoomClient
 * @job_id: a job id
 * @first: the index of the first task to read
 * @n: the most tasks to read; 0 for as many as fit in one message
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called on the client's main context with the
 *   page
 * @user_data: data for @callback
 *
 * Like loom_client_read_job(), without blocking.
 */
void
loom_client_read_job_async (LoomClient          *self,
                            guint                job_id,
                            guint                first,
                            guint                n,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *request = page_request (job_id, first, n);

  g_return_if_fail (LOOM_IS_CLIENT (self));

  loom_client_request_async (self, "job", request, loom_client_read_job_async,
                             cancellable, callback, user_data);
}

/**
 * loom_client_read_job_finish:
 * @self: a #LoomClient
 * @result: the #GAsyncResult given to the callback
 * @next: (out) (optional): the index after the last task read
 * @info: (out) (optional) (transfer full): the job's summary now
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the page's tasks (see loom_client_read_job())
 */
JsonNode *
loom_client_read_job_finish (LoomClient    *self,
                             GAsyncResult  *result,
                             guint         *next,
                             LoomJobInfo  **info,
                             GError       **error)
{
  g_auto(Page) page = { NULL, };
  LoomMessage *reply = loom_client_request_finish (self, result, loom_client_read_job_async, error);

  if (reply == NULL || !page_parse (&page, reply, error))
    return NULL;
  return page_return (&page, next, info);
}
