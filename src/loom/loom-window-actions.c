/* loom-window-actions.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The window's actions: running the sweep form; the per-job actions its
 * rows' buttons activate with a job's id (run again, abort, export); the
 * engines' (add, stop all, stop one, start one in a dead one's place);
 * and the timeline's zoom buttons.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n.h>

#include "loom-window-private.h"

/* Submits a job and shows it, newest first and selected. */
static LoomJob *
submit (LoomWindow   *self,
        LoomTaskSpec *spec,
        GBytes       *lines,
        guint         count,
        LoomJobMode   mode,
        gint          retries,
        LoomScheme    scheme)
{
  LoomClient *client = loom_window_get_client (self);
  g_autoptr(LoomJob) job = NULL;
  g_autoptr(GError) error = NULL;

  if (client == NULL)
    return NULL;
  if (!(job = loom_job_submit (client, self->next_job_id++, spec, lines, count, mode, retries, scheme, &error)))
    {
      loom_window_toast (self, error->message);
      return NULL;
    }
  loom_window_add_job (self, job);
  return job;   /* the window's store holds it */
}

static void
run_action (GtkWidget  *widget,
            const char *action,
            GVariant   *parameter)
{
  LoomWindow *self = LOOM_WINDOW (widget);
  g_autoptr(LoomSweep) sweep = NULL;
  g_autoptr(LoomTaskSpec) spec = NULL;
  g_autoptr(GBytes) lines = NULL;
  g_autoptr(GError) error = NULL;
  LoomJob *serial, *parallel;
  gint retries;
  LoomScheme scheme;

  if (!loom_sweep_form_is_valid (self->form) ||
      !(sweep = loom_sweep_form_build_sweep (self->form, &error)) ||
      !(spec = loom_sweep_form_build_spec (self->form, &error)))
    return;

  /* The task timeout travels in the spec; retries and the scheduler
   * scheme go with the job. */
  lines = loom_sweep_to_lines (sweep);
  retries = loom_sweep_form_get_retries (self->form);
  scheme = loom_sweep_form_get_scheme (self->form);
  if (!loom_sweep_form_get_also_serial (self->form))
    {
      submit (self, spec, lines, loom_sweep_get_count (sweep), LOOM_JOB_PARALLEL, retries, scheme);
      return;
    }

  /* The same sweep serially and in parallel: each job knows the other,
   * and the timeline opens on both, stacked. */
  if ((serial = submit (self, spec, lines, loom_sweep_get_count (sweep), LOOM_JOB_SERIAL, retries, scheme)) &&
      (parallel = submit (self, spec, lines, loom_sweep_get_count (sweep), LOOM_JOB_PARALLEL, retries, scheme)))
    {
      loom_job_set_partner (serial, parallel);
      loom_job_set_partner (parallel, serial);
      loom_window_select_job (self, parallel);
    }
}

static void
run_job_action (GtkWidget  *widget,
                const char *action,
                GVariant   *parameter)
{
  LoomWindow *self = LOOM_WINDOW (widget);
  LoomJob *job = loom_window_find_job (self, g_variant_get_uint32 (parameter));
  LoomClient *client = loom_window_get_client (self);
  g_autoptr(LoomJob) again = NULL;
  g_autoptr(GError) error = NULL;

  if (job == NULL || client == NULL)
    return;
  if (!(again = loom_job_run_again (job, client, self->next_job_id++, &error)))
    loom_window_toast (self, error->message);
  else
    loom_window_add_job (self, again);
}

/* A request the window made fails: a toast says why, unless the window
 * cancelled it as it closed. */
static void
toast_failure (LoomWindow   *self,
               const char   *what,
               const GError *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* TRANSLATORS: what failed, then why: "Could not export to trace.json: …" */
  text = g_strdup_printf (_("%s: %s"), what, error->message);
  loom_window_toast (self, text);
}

static void
on_job_aborted (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(LoomWindow) self = data;
  LoomJob *job = LOOM_JOB (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *queued = NULL;
  g_autofree char *running = NULL;
  g_autofree char *text = NULL;
  guint n_aborted = 0, n_killing = 0;

  if (!loom_job_abort_finish (job, result, &n_aborted, &n_killing, &error))
    {
      toast_failure (self, _("The job could not be aborted"), error);
      return;
    }

  queued = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u queued task will not run",
                                         "%u queued tasks will not run", n_aborted), n_aborted);
  running = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u running task is being stopped",
                                          "%u running tasks are being stopped", n_killing), n_killing);
  /* TRANSLATORS: "Job 3 aborted: 12 queued tasks will not run, 2 running tasks are being stopped" */
  text = g_strdup_printf (_("Job %d aborted: %s, %s"), loom_job_get_job_id (job), queued, running);
  loom_window_toast (self, text);
}

/* The controller's answer comes later: the window goes on meanwhile. */
static void
abort_job_action (GtkWidget  *widget,
                  const char *action,
                  GVariant   *parameter)
{
  LoomWindow *self = LOOM_WINDOW (widget);
  LoomJob *job = loom_window_find_job (self, g_variant_get_uint32 (parameter));
  LoomClient *client = loom_window_get_client (self);

  if (job != NULL && client != NULL)
    loom_job_abort_async (job, client, self->cancellable, on_job_aborted, g_object_ref (self));
}

typedef struct
{
  LoomWindow *self;
  LoomJob    *job;
  LoomExportFormat format;
  GFile      *file;     /* where, once chosen */
} ExportRequest;

static void
export_request_free (ExportRequest *request)
{
  g_object_unref (request->self);
  g_object_unref (request->job);
  g_clear_object (&request->file);
  g_free (request);
}

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  ExportRequest *request = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (request->file);
  g_autofree char *text = NULL;

  if (loom_window_export_finish (LOOM_WINDOW (source), result, &error))
    {
      text = g_strdup_printf (_("Exported to %s"), name);
      loom_window_toast (request->self, text);
    }
  else
    {
      text = g_strdup_printf (_("Could not export to %s"), name);
      toast_failure (request->self, text, error);
    }
  export_request_free (request);
}

static void export_to (ExportRequest *request);

static void
on_export_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  ExportRequest *request = data;
  g_autoptr(GError) error = NULL;

  if (loom_job_load_finish (LOOM_JOB (source), result, &error))
    export_to (request);
  else
    {
      g_autofree char *name = g_file_get_basename (request->file);
      g_autofree char *text = g_strdup_printf (_("Could not export to %s"), name);

      toast_failure (request->self, text, error);
      export_request_free (request);
    }
}

/* Fetches the report (with its comparison partner's, for an image),
 * then writes the file; the window goes on meanwhile.  A listed job not
 * loaded yet is loaded first. */
static void
export_to (ExportRequest *request)
{
  LoomWindow *self = request->self;
  LoomJob *partner = loom_job_get_partner (request->job);
  LoomClient *client = loom_window_get_client (self);
  g_autoptr(GPtrArray) results = NULL;

  if (loom_job_get_result (request->job) == NULL && client != NULL)
    {
      loom_job_load_async (request->job, client, self->cancellable, on_export_loaded, request);
      return;
    }

  if (!loom_export_format_is_image (request->format))
    {
      loom_window_export_job_async (self, loom_job_get_result (request->job), request->format, request->file,
                                    self->cancellable, on_exported, request);
      return;
    }

  /* With its comparison partner, serial first, as the timeline shows them. */
  results = g_ptr_array_new ();
  if (partner && loom_job_get_mode (partner) == LOOM_JOB_SERIAL)
    g_ptr_array_add (results, loom_job_get_result (partner));
  g_ptr_array_add (results, loom_job_get_result (request->job));
  if (partner && loom_job_get_mode (partner) != LOOM_JOB_SERIAL)
    g_ptr_array_add (results, loom_job_get_result (partner));
  loom_window_export_timeline_async (self, results, request->format, request->file, self->cancellable, on_exported, request);
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    ExportRequest   *request)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      request->file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      export_to (request);
    }
  else
    export_request_free (request);
  g_object_unref (dialog);
}

static void
export_job_action (GtkWidget  *widget,
                   const char *action,
                   GVariant   *parameter)
{
  /* What the file holds, in its suggested name: loom-job-7-trace.json. */
  static const char *contents[] = {
    [LOOM_EXPORT_CHROME] = "trace",
    [LOOM_EXPORT_CSV] = "tasks",
    [LOOM_EXPORT_JSON] = "job",
    [LOOM_EXPORT_PNG] = "timeline",
    [LOOM_EXPORT_SVG] = "timeline",
    [LOOM_EXPORT_PDF] = "timeline",
  };
  LoomWindow *self = LOOM_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autofree char *suggested = NULL;
  ExportRequest *request;
  LoomExportFormat format;
  const char *name;
  LoomJob *job;
  guint id;

  g_variant_get (parameter, "(u&s)", &id, &name);
  if (!(job = loom_window_find_job (self, id)))
    return;
  if (!loom_export_format_from_string (name, &format) || format >= G_N_ELEMENTS (contents))
    g_return_if_reached ();
  suggested = g_strdup_printf ("loom-job-%d-%s.%s", loom_job_get_job_id (job),
                               contents[format], loom_export_format_get_extension (format));

  request = g_new0 (ExportRequest, 1);
  request->self = g_object_ref (self);   /* the chooser is not modal */
  request->job = g_object_ref (job);
  request->format = format;
  dialog = gtk_file_chooser_native_new (_("Export Job"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static LoomApplication *
get_application (LoomWindow *self)
{
  return LOOM_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static void
spawn_engines (LoomWindow *self,
               guint       n)
{
  g_autoptr(GError) error = NULL;

  if (!loom_application_spawn_engines (get_application (self), n, &error))
    loom_window_toast (self, error->message);
}

static void
add_engines_action (GtkWidget  *widget,
                    const char *action,
                    GVariant   *parameter)
{
  spawn_engines (LOOM_WINDOW (widget), 2);
}

/* The "Add Engines" form: a launcher by name, how many, its options. */
static void
launch_engines_action (GtkWidget  *widget,
                       const char *action,
                       GVariant   *parameter)
{
  LoomWindow *self = LOOM_WINDOW (widget);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GVariantIter) pairs = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) options = NULL;
  g_autofree char *done = NULL;
  const char *launcher;
  const char *name;
  const char *value;
  guint n;

  g_variant_get (parameter, "(&sua(ss))", &launcher, &n, &pairs);
  while (g_variant_iter_next (pairs, "(&s&s)", &name, &value))
    {
      g_strv_builder_add (builder, name);
      g_strv_builder_add (builder, value);
    }
  options = g_strv_builder_end (builder);

  if (!loom_application_launch_engines (get_application (self), launcher, n,
                                        (const char * const *) options, &error))
    {
      loom_engines_view_show_launch_error (self->engines_view, error->message);
      return;
    }

  /* They show up in the panel as they register. */
  if (g_str_equal (launcher, "local"))
    done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Starting %u engine on this machine",
                                         "Starting %u engines on this machine", n), n);
  else if (g_str_equal (launcher, "ssh"))
    done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Starting %u engine over SSH",
                                         "Starting %u engines over SSH", n), n);
  else if (g_str_equal (launcher, "slurm"))
    done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Submitted a Slurm job for %u engine",
                                         "Submitted a Slurm job for %u engines", n), n);
  else
    done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Starting %u engine", "Starting %u engines", n), n);
  loom_engines_view_close_add_form (self->engines_view);
  loom_window_toast (self, done);
}

/* A dead or stopped engine's row: a new engine in its place. */
static void
restart_engine_action (GtkWidget  *widget,
                       const char *action,
                       GVariant   *parameter)
{
  spawn_engines (LOOM_WINDOW (widget), 1);
}

/* Stopping engines: a request each, one toast for those that failed. */
typedef struct
{
  LoomWindow *self;
  guint       pending;
  guint       n_failed;
  guint       failed_id;   /* the first engine not stopped */
  GError     *error;       /* and why */
} StopRequest;

typedef struct
{
  StopRequest *request;
  guint        engine_id;
} StopEngine;

static void
stop_request_done (StopRequest *request)
{
  g_autofree char *what = NULL;

  if (request->n_failed == 1)
    what = g_strdup_printf (_("Engine %u was not stopped"), request->failed_id);
  else if (request->n_failed > 1)
    what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u engine was not stopped", "%u engines were not stopped",
                                         request->n_failed), request->n_failed);
  if (what != NULL)
    toast_failure (request->self, what, request->error);
  g_clear_error (&request->error);
  g_object_unref (request->self);
  g_free (request);
}

static void
on_engine_stopped (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  StopEngine *stop = data;
  StopRequest *request = stop->request;
  g_autoptr(GError) error = NULL;

  if (!loom_client_stop_engine_finish (LOOM_CLIENT (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && request->n_failed++ == 0)
    {
      request->failed_id = stop->engine_id;
      request->error = g_steal_pointer (&error);
    }
  g_free (stop);
  if (--request->pending == 0)
    stop_request_done (request);
}

/* Asks the controller to stop @engine_ids; the panel follows its events. */
static void
stop_engines (LoomWindow *self,
              GArray     *engine_ids)
{
  LoomClient *client = loom_window_get_client (self);
  StopRequest *request;

  if (client == NULL || engine_ids->len == 0)
    return;
  request = g_new0 (StopRequest, 1);
  request->self = g_object_ref (self);
  request->pending = engine_ids->len;
  for (guint i = 0; i < engine_ids->len; i++)
    {
      StopEngine *stop = g_new0 (StopEngine, 1);

      stop->request = request;
      stop->engine_id = g_array_index (engine_ids, guint, i);
      loom_client_stop_engine_async (client, stop->engine_id, self->cancellable, on_engine_stopped, stop);
    }
}

static void
stop_engine_action (GtkWidget  *widget,
                    const char *action,
                    GVariant   *parameter)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  guint id = g_variant_get_uint32 (parameter);

  g_array_append_val (ids, id);
  stop_engines (LOOM_WINDOW (widget), ids);
}

static void
stop_all_action (GtkWidget  *widget,
                 const char *action,
                 GVariant   *parameter)
{
  LoomWindow *self = LOOM_WINDOW (widget);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; self->engines && i < g_list_model_get_n_items (self->engines); i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (self->engines, i);
      LoomEngineState state = loom_engine_info_get_state (info);
      guint id = loom_engine_info_get_id (info);

      if (state == LOOM_ENGINE_IDLE || state == LOOM_ENGINE_BUSY)
        g_array_append_val (ids, id);
    }
  stop_engines (self, ids);
}

/* The buttons above the timeline do what its keys do. */
static void
timeline_action (GtkWidget  *widget,
                 const char *action,
                 GVariant   *parameter)
{
  LoomWindow *self = LOOM_WINDOW (widget);

  if (g_str_equal (action, "win.zoom-in"))
    gtk_widget_activate_action (GTK_WIDGET (self->timeline), "timeline.zoom-in", NULL);
  else if (g_str_equal (action, "win.zoom-out"))
    gtk_widget_activate_action (GTK_WIDGET (self->timeline), "timeline.zoom-out", NULL);
  else if (g_str_equal (action, "win.fit-timeline"))
    gtk_widget_activate_action (GTK_WIDGET (self->timeline), "timeline.fit", NULL);
}

void
loom_window_class_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.run-job", "u", run_job_action);
  gtk_widget_class_install_action (widget_class, "win.abort-job", "u", abort_job_action);
  gtk_widget_class_install_action (widget_class, "win.export-job", "(us)", export_job_action);
  gtk_widget_class_install_action (widget_class, "win.add-engines", NULL, add_engines_action);
  gtk_widget_class_install_action (widget_class, "win.launch-engines", "(sua(ss))", launch_engines_action);
  gtk_widget_class_install_action (widget_class, "win.stop-all", NULL, stop_all_action);
  gtk_widget_class_install_action (widget_class, "win.stop-engine", "u", stop_engine_action);
  gtk_widget_class_install_action (widget_class, "win.restart-engine", "u", restart_engine_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, timeline_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, timeline_action);
  gtk_widget_class_install_action (widget_class, "win.fit-timeline", NULL, timeline_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.run", NULL);
}
