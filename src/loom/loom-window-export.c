/* loom-window-export.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Exporting a job of the window: its report, or the reports of the jobs
 * drawn together, come from the controller without blocking the main
 * loop; a worker thread then formats or draws them and writes the file.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "loom-window-private.h"

typedef struct
{
  GArray                  *job_ids;   /* guint, the jobs in drawing order */
  GPtrArray               *reports;   /* JsonNode, as they come */
  LoomClient              *client;
  GFile                   *file;
  char                    *path;      /* an image's, which Cairo writes */
  gboolean                 image;
  gboolean                 dark;
  LoomExportFormat         format;
  LoomExportFormat         image_format;
} Export;

static void
export_free (Export *export)
{
  g_clear_pointer (&export->job_ids, g_array_unref);
  g_clear_pointer (&export->reports, g_ptr_array_unref);
  g_clear_object (&export->client);
  g_clear_object (&export->file);
  g_clear_pointer (&export->path, g_free);
  g_free (export);
}

/* In a worker thread: the reports are the task's alone by now. */
static void
export_write (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Export *export = task_data;
  g_autoptr(GError) error = NULL;

  if (export->image)
    {
      g_autoptr(LoomTimelineModel) model = loom_timeline_model_new ();

      for (guint i = 0; i < export->reports->len; i++)
        if (!loom_timeline_model_add_report (model, g_ptr_array_index (export->reports, i), &error))
          break;
      if (error == NULL)
        loom_timeline_export_image (model, export->image_format, 1280, 0, export->dark, export->path, &error);
    }
  else
    {
      g_autofree char *text = loom_export_reports (export->reports, export->format, &error);

      if (text != NULL)
        g_file_replace_contents (export->file, text, strlen (text), NULL, FALSE, G_FILE_CREATE_NONE,
                                 NULL, cancellable, &error);
    }

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void fetch_next_report (GTask *task);

static void
on_report (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GTask) task = data;
  Export *export = g_task_get_task_data (task);
  GError *error = NULL;
  JsonNode *report;

  if (!(report = loom_client_get_job_report_finish (LOOM_CLIENT (source), result, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_ptr_array_add (export->reports, report);
  fetch_next_report (g_steal_pointer (&task));
}

/* One report at a time, then the file. Takes @task. */
static void
fetch_next_report (GTask *task)
{
  Export *export = g_task_get_task_data (task);
  guint next = export->reports->len;

  if (next < export->job_ids->len)
    loom_client_get_job_report_async (export->client, g_array_index (export->job_ids, guint, next),
                                      g_task_get_cancellable (task), on_report, task);
  else
    {
      g_task_run_in_thread (task, export_write);
      g_object_unref (task);
    }
}

/* Checks what can be checked at once, then fetches the reports. */
static void
export_start (LoomWindow          *self,
              GPtrArray           *results,
              Export              *export,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  LoomClient *client = loom_window_get_client (self);

  g_task_set_source_tag (task, export_start);
  g_task_set_name (task, "[loom] export");
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  export->job_ids = g_array_new (FALSE, FALSE, sizeof (guint));
  export->reports = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  if (client == NULL)
    {
      g_task_return_new_error (task, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER,
                               _("Loom has no cluster to ask for the job: restart Loom"));
      return;
    }
  export->client = g_object_ref (client);
  if (export->image && !(export->path = g_file_get_path (export->file)))
    {
      g_task_return_new_error (task, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("Choose a local file for the image"));
      return;
    }
  for (guint i = 0; i < results->len; i++)
    {
      gint id = loom_async_result_get_job_id (g_ptr_array_index (results, i));
      guint job_id = id;

      if (id < 0)
        {
          g_task_return_new_error (task, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                                   _("The job has not reached the controller yet"));
          return;
        }
      g_array_append_val (export->job_ids, job_id);
    }
  fetch_next_report (g_steal_pointer (&task));
}

/**
 * loom_window_export_job_async:
 * @self: a #LoomWindow
 * @result: a job of this window
 * @format: the export format
 * @file: where to write
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the main context when the file is written or the
 *   export failed
 * @user_data: data for @callback
 *
 * Writes a job as a Chrome trace, CSV or JSON (what `loomctl export`
 * writes), without blocking: the report comes from the controller, a
 * worker thread formats and writes it.  Finish with
 * loom_window_export_finish().
 */
void
loom_window_export_job_async (LoomWindow          *self,
                              LoomAsyncResult     *result,
                              LoomExportFormat     format,
                              GFile               *file,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new ();
  Export *export;

  g_return_if_fail (LOOM_IS_WINDOW (self));
  g_return_if_fail (LOOM_IS_ASYNC_RESULT (result));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  export = g_new0 (Export, 1);
  export->file = g_object_ref (file);
  export->format = format;
  g_ptr_array_add (results, result);
  export_start (self, results, export, cancellable, callback, user_data);
}

/**
 * loom_window_export_timeline_async:
 * @self: a #LoomWindow
 * @results: (element-type LoomAsyncResult): jobs of this window, drawn
 *   stacked on a shared zero
 * @format: PNG, SVG or PDF
 * @file: where to write
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the main context when the file is written or the
 *   export failed
 * @user_data: data for @callback
 *
 * Draws the jobs' timeline into an image, with the code `loomctl export
 * --format png|svg|pdf` uses, in the window's light or dark style,
 * without blocking: the reports come from the controller, a worker
 * thread draws and writes them.  Finish with loom_window_export_finish().
 */
void
loom_window_export_timeline_async (LoomWindow              *self,
                                   GPtrArray               *results,
                                   LoomExportFormat         format,
                                   GFile                   *file,
                                   GCancellable            *cancellable,
                                   GAsyncReadyCallback      callback,
                                   gpointer                 user_data)
{
  Export *export;

  g_return_if_fail (LOOM_IS_WINDOW (self));
  g_return_if_fail (results != NULL);
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  export = g_new0 (Export, 1);
  export->file = g_object_ref (file);
  export->image = TRUE;
  export->image_format = format;
  export->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  export_start (self, results, export, cancellable, callback, user_data);
}

/**
 * loom_window_export_finish:
 * @self: a #LoomWindow
 * @result: the #GAsyncResult given to the callback of
 *   loom_window_export_job_async() or loom_window_export_timeline_async()
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the file was written
 */
gboolean
loom_window_export_finish (LoomWindow    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == export_start, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
