/* loom-client-history.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A job the controller keeps (submitted by another client, or in an
 * earlier run of the controller) as a #LoomAsyncResult, so that what
 * shows a live job shows it too: its report is fetched page by page
 * without blocking, and each page is applied as it arrives.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-client-history.h"
#include "loom-client-private.h"
#include "loom-error.h"

typedef struct
{
  LoomAsyncResult *result;   /* made once the first page tells the size */
  GByteArray      *params;   /* the tasks' parameters, a JSON object a line */
  guint            job_id;
  guint            n_tasks;
  guint            first;    /* the page asked for */
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->result);
  g_clear_pointer (&load->params, g_byte_array_unref);
  g_free (load);
}

static void request_page (GTask *task);

/* The result's own source tells of the tasks applied (task-finished, the
 * progress, ready) at the default priority: the caller hears of the
 * result after that, so it sees it whole and is not told twice. */
static gboolean
return_result (gpointer data)
{
  GTask *task = data;

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
apply_page (Load       *load,
            JsonArray  *page,
            LoomMessage *reply)
{
  g_autoptr(GPtrArray) results = loom_lines_split (loom_message_get_buffer (reply, 0));
  g_autoptr(GPtrArray) details = loom_lines_split (loom_message_get_buffer (reply, 1));
  GBytes *params = loom_message_get_buffer (reply, 2);
  guint n = json_array_get_length (page);

  /* A page whose buffers do not match its rows is applied as far as they go. */
  if (results->len < n || details->len < n)
    {
      g_autoptr(JsonArray) head = json_array_sized_new (n);

      n = MIN (results->len, details->len);
      for (guint i = 0; i < n; i++)
        json_array_add_element (head, json_node_ref (json_array_get_element (page, i)));
      loom_async_result_apply (load->result, head, results, details);
    }
  else
    loom_async_result_apply (load->result, page, results, details);

  /* Tasks still running (a live job of another client) show as running. */
  for (guint i = 0; i < json_array_get_length (page); i++)
    {
      gint64 v[9];

      if (loom_json_row_ints (json_array_get_element (page, i), v, 9) && v[2] == LOOM_TASK_RUNNING)
        loom_async_result_mark_started (load->result, v[0], v[1], v[6]);
    }

  if (params != NULL && g_bytes_get_size (params) > 0)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (params, &size);

      g_byte_array_append (load->params, data, size);
      if (data[size - 1] != '\n')
        g_byte_array_append (load->params, (const guint8 *) "\n", 1);
    }
}

static void
on_page (GObject      *source,
         GAsyncResult *res,
         gpointer      data)
{
  g_autoptr(GTask) task = data;
  Load *load = g_task_get_task_data (task);
  g_autoptr(LoomMessage) reply = NULL;
  GError *error = NULL;
  JsonObject *content;
  JsonArray *page;
  gint64 next;

  if (!(reply = loom_client_request_finish (LOOM_CLIENT (source), res, loom_client_load_job_async, &error)) ||
      !(content = loom_message_get_content (reply, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (load->result == NULL)
    {
      g_autoptr(LoomJobInfo) info = NULL;

      if (loom_json_object (content, "job") != NULL)
        info = loom_job_info_new_from_summary (loom_json_object (content, "job"));
      if (info == NULL)
        {
          g_task_return_new_error (task, LOOM_ERROR, LOOM_ERROR_PROTOCOL,
                                   _("The controller's answer about a job is incomplete"));
          return;
        }
      load->n_tasks = loom_job_info_get_n_tasks (info);
      load->result = loom_async_result_new (LOOM_CLIENT (source), load->n_tasks, FALSE);
      loom_async_result_set_job (load->result, load->job_id);
    }

  page = loom_json_array (content, "tasks");
  next = loom_json_int (content, "next", -1);
  if (page == NULL || next < load->first || next > load->n_tasks ||
      (next == load->first && next < load->n_tasks) ||
      loom_json_int (content, "first", -1) != load->first)
    {
      g_task_return_new_error (task, LOOM_ERROR, LOOM_ERROR_PROTOCOL,
                               _("The controller's answer about a job is incomplete"));
      return;
    }
  apply_page (load, page, reply);

  if ((guint) next >= load->n_tasks)
    {
      g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, return_result, g_steal_pointer (&task), g_object_unref);
      return;
    }
  load->first = next;
  request_page (g_steal_pointer (&task));
}

/* Takes @task's reference. */
static void
request_page (GTask *task)
{
  Load *load = g_task_get_task_data (task);
  g_autofree char *request = g_strdup_printf ("{\"job\":%u,\"first\":%u}", load->job_id, load->first);

  loom_client_request_async (g_task_get_source_object (task), "job", request, loom_client_load_job_async,
                             g_task_get_cancellable (task), on_page, task);
}

/**
 * loom_client_load_job_async:
 * @self: a #LoomClient
 * @job_id: a job the controller keeps (see loom_client_list_jobs())
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called on the client's main context once the
 *   whole job is loaded
 * @user_data: data for @callback
 *
 * Loads a job this client did not submit — another client's, or one from
 * an earlier run of the controller — as a #LoomAsyncResult holding every
 * task's metadata, result and output as the controller has them.  The
 * report comes page by page, each page in a main-loop turn of its own, so
 * a large job does not block the main loop.  Finish with
 * loom_client_load_job_finish().
 */
void
loom_client_load_job_async (LoomClient          *self,
                            guint                job_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  Load *load;

  g_return_if_fail (LOOM_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, loom_client_load_job_async);
  g_task_set_name (task, "[loom] load job");
  load = g_new0 (Load, 1);
  load->job_id = job_id;
  load->params = g_byte_array_new ();
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  request_page (task);
}

/**
 * loom_client_load_job_finish:
 * @self: a #LoomClient
 * @result: the #GAsyncResult given to the callback
 * @params: (out) (optional) (transfer full): the tasks' parameters, a JSON
 *   object a line, task by task
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the job, its tasks as the controller has them;
 *   ready if every task is over
 */
LoomAsyncResult *
loom_client_load_job_finish (LoomClient    *self,
                             GAsyncResult  *result,
                             GBytes       **params,
                             GError       **error)
{
  Load *load;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == loom_client_load_job_async, NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  load = g_task_get_task_data (G_TASK (result));
  if (params)
    *params = g_bytes_new (load->params->data, load->params->len);
  return g_object_ref (load->result);
}
