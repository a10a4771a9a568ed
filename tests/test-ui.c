/* test-ui.c: the app's real widgets under Xvfb
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gi18n.h>

#include "loom-application.h"
#include "loom-job.h"
#include "loom-window.h"
#include "loom-ui-test-util.h"

static gboolean
engines_ready (GListModel *engines,
               guint       n)
{
  guint alive = 0;

  for (guint i = 0; engines && i < g_list_model_get_n_items (engines); i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (engines, i);
      if (loom_engine_info_get_state (info) == LOOM_ENGINE_IDLE)
        alive++;
    }
  return alive >= n;
}

/* An application of a test's own, in English whatever an earlier test
 * left, with @engines local engines and the form as it is at first. */
static LoomApplication *
test_app_new (const char *application_id,
              gint        engines)
{
  g_autoptr(GError) error = NULL;
  LoomApplication *app;

  g_setenv ("LANGUAGE", "en", TRUE);
  textdomain (GETTEXT_PACKAGE);
  app = g_object_new (LOOM_TYPE_APPLICATION,
                      "application-id", application_id,
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/dev/loom/Loom",
                      NULL);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_settings_set_int (loom_application_get_settings (app), "engines", engines);
  g_settings_reset (loom_application_get_settings (app), "last-form");
  return app;
}

/* The engines panel fills from the controller's events, on the main loop. */
static void
wait_for_engines (LoomWindow *window,
                  guint       n)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (!engines_ready (loom_window_get_engines (window), n) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (engines_ready (loom_window_get_engines (window), n));
}

static void
iterate_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5000);
    }
}

/* Resizes a shown window and waits until it has the new size. */
static void
resize_window (GtkWindow *window,
               int        width,
               int        height)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  /* The window's own size leaves out its client-side shadow: near enough. */
  gtk_window_set_default_size (window, width, height);
  while ((ABS (gtk_widget_get_width (GTK_WIDGET (window)) - width) > 24 ||
          ABS (gtk_widget_get_height (GTK_WIDGET (window)) - height) > 24) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  iterate_for (300);
}

/* The @i-th job submitted: the jobs list shows the newest first. */
static LoomAsyncResult *
nth_job (GListModel *jobs,
         guint       i)
{
  g_autoptr(LoomJob) job = g_list_model_get_item (jobs, g_list_model_get_n_items (jobs) - 1 - i);

  g_assert_nonnull (job);
  return loom_job_get_result (job);   /* the window holds the job */
}

static gboolean
is_button_with_tooltip (GtkWidget  *widget,
                        const char *tooltip)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

static GtkWidget *
find_button_with_tooltip (GtkWidget  *widget,
                          const char *tooltip)
{
  return find_widget (widget, is_button_with_tooltip, tooltip);
}

/* The file chooser a job's export menu opened (GTK's own, without a portal). */
static GtkWidget *
find_file_chooser (void)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, i);
      if (GTK_IS_FILE_CHOOSER (w) && gtk_widget_get_visible (w))
        return w;   /* GTK holds its toplevels */
    }
  return NULL;
}

/* Waits, with a deadline, for a label with @fragment (a toast's, say). */
static GtkWidget *
wait_for_label (GtkWidget  *widget,
                const char *fragment)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (!find_label_with (widget, fragment) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  return find_label_with (widget, fragment);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* Runs the main loop until an _async call's callback has run. */
static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (*slot);
  return *slot;
}

static void
test_window_engines (void)
{
  g_autoptr(LoomApplication) app = loom_application_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autofree char *png = NULL;
  LoomWindow *window;
  GListModel *engines;
  gint64 deadline;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_settings_set_int (loom_application_get_settings (app), "engines", 2);

  window = loom_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  engines = loom_window_get_engines (window);
  g_assert_nonnull (engines);

  /* The engines panel fills from the controller's events, on the main loop. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!engines_ready (engines, 2) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (engines_ready (engines, 2));
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "2 engines"));

  /* The sweep form previews the count from LoomSweep; a bad line is marked
   * and disables Run; a good one runs on the engines. */
  {
    LoomSweepForm *form = loom_window_get_form (window);
    GListModel *jobs = loom_window_get_jobs (window);
    LoomAsyncResult *job;

    g_assert_true (loom_sweep_form_is_valid (form));
    g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 10);
    g_assert_cmpstr (loom_sweep_form_get_function (form), ==, "printtime");

    loom_sweep_form_set_parameters (form, "t=range:0:10\nlr=log:-1:1:3");
    g_assert_false (loom_sweep_form_is_valid (form));
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "log scale needs START > 0, got -1"));
    g_assert_false (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL) &&
                    g_list_model_get_n_items (jobs) > 0);
    g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 0);

    loom_sweep_form_set_parameters (form, "t=range:0:4\nsleep=0.2");
    g_assert_true (loom_sweep_form_is_valid (form));
    g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 4);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
    g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);
    job = nth_job (jobs, 0);
    deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (!loom_async_result_ready (job) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (loom_async_result_successful (job));
    for (guint i = 0; i < 10; i++)
      g_main_context_iteration (NULL, FALSE);
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "4 done, 0 failed"));

    /* The new job is selected and its tasks listed with their results. */
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "Tasks of job"));
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "done"));
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "0.2"));

    /* The timeline: one lane per engine, a bar per task. */
    g_assert_cmpuint (loom_timeline_get_n_bars (loom_window_get_timeline (window)), ==, 4);
    g_assert_cmpuint (loom_timeline_get_n_lanes (loom_window_get_timeline (window)), ==, 2);

    /* Run again resubmits the same sweep as a new job. */
    {
      GtkWidget *again = NULL;
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (gtk_widget_get_ancestor (
        find_label_with (GTK_WIDGET (window), "printtime —"), GTK_TYPE_LIST_BOX)), 0);

      for (GtkWidget *w = gtk_widget_get_first_child (gtk_widget_get_first_child (gtk_list_box_row_get_child (row)));
           w != NULL; w = gtk_widget_get_next_sibling (w))
        if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_widget_get_tooltip_text (w), "Run Again") == 0)
          again = w;
      g_assert_nonnull (again);
      /* A finished job can no longer be aborted. */
      g_assert_false (gtk_widget_get_sensitive (find_button_with_tooltip (GTK_WIDGET (row),
                                                                          "Abort: queued tasks never run, running ones are stopped")));
      g_signal_emit_by_name (again, "clicked");
      g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 2);
      while (!loom_async_result_ready (nth_job (jobs, 1)) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (loom_async_result_successful (nth_job (jobs, 1)));
      g_assert_cmpuint (loom_async_result_get_n_tasks (nth_job (jobs, 1)), ==, 4);
    }

    /* An item of a job's export menu asks where to write, with a name
     * that says which job and what (the chooser is dismissed here). */
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (gtk_widget_get_ancestor (
        find_label_with (GTK_WIDGET (window), "printtime —"), GTK_TYPE_LIST_BOX)), 0);
      g_autofree char *expected = g_strdup_printf ("loom-job-%d-tasks.csv",
                                                   loom_async_result_get_job_id (nth_job (jobs, 1)));
      GtkWidget *chooser;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "job.export", "s", "csv"));
      chooser = find_file_chooser ();
      g_assert_nonnull (chooser);
      {
        g_autofree char *name = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser));
        g_assert_cmpstr (name, ==, expected);
      }
      gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL);

      /* A folder nothing can be written to, not even by root: the export
       * fails, and a toast names the file and says why. */
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "job.export", "s", "csv"));
      chooser = find_file_chooser ();
      g_assert_nonnull (chooser);
      {
        g_autoptr(GFile) folder = g_file_new_for_path ("/proc/sys");
        gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

        /* The chooser's first folder, still loading, can cancel a change. */
        while (g_get_monotonic_time () < until)
          {
            g_autoptr(GFile) current = gtk_file_chooser_get_current_folder (GTK_FILE_CHOOSER (chooser));

            if (current != NULL && g_file_equal (current, folder))
              break;
            g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, &error));
            g_assert_no_error (error);
            iterate_for (200);
          }
        gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "loom.csv");
        gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
        g_assert_nonnull (wait_for_label (GTK_WIDGET (window), "Could not export to loom.csv: "));
        g_assert_nonnull (find_label_with (GTK_WIDGET (window), "/proc/sys/loom.csv"));
      }
    }

    /* The job menu's export writes what loomctl export writes, without
     * blocking: the report comes from the controller while the window
     * goes on, then a worker writes the file. */
    {
      g_autofree char *path = g_build_filename (g_getenv ("XDG_RUNTIME_DIR"), "trace.json", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GAsyncResult) done = NULL;
      JsonArray *events;
      guint complete = 0;

      loom_window_export_job_async (window, job, LOOM_EXPORT_CHROME, file, NULL, store_result, &done);
      g_assert_null (done);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_assert_true (loom_window_export_finish (window, wait_for_result (&done), &error));
      g_assert_no_error (error);
      g_assert_true (json_parser_load_from_file (parser, path, &error));
      events = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "traceEvents");
      for (guint i = 0; i < json_array_get_length (events); i++)
        if (g_str_equal (json_object_get_string_member (json_array_get_object_element (events, i), "ph"), "X"))
          complete++;
      g_assert_cmpuint (complete, ==, 4);
    }

    /* A command: its template is checked where it is typed, then it runs. */
    loom_sweep_form_set_command (form, "", NULL);
    g_assert_false (loom_sweep_form_is_valid (form));
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "Command: give the program"));
    loom_sweep_form_set_command (form, "sh -c 'echo {t}'", NULL);
    g_assert_true (loom_sweep_form_is_valid (form));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
    g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 3);
    job = nth_job (jobs, 2);
    while (!loom_async_result_ready (job) && g_get_monotonic_time () < deadline + 10 * G_USEC_PER_SEC)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (loom_async_result_successful (job));
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (job, 3);
      g_assert_cmpstr (info->stdout_text, ==, "3\n");
    }
  }

  /* Let it lay out and draw, then keep a picture to look at. */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  while (gtk_widget_get_width (GTK_WIDGET (window)) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  png = screenshot_path ("window.png");
  save_png (GTK_WIDGET (window), png);
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));
  g_test_message ("window rendered to %s", png);

  /* Preferences and the shortcuts window open from the primary menu. */
  {
    g_autoptr(GListModel) toplevels = NULL;
    GtkWidget *prefs = NULL;
    g_autofree char *prefs_png = NULL;

    g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
    toplevels = g_object_ref (gtk_window_get_toplevels ());
    for (guint i = 0; i < g_list_model_get_n_items (toplevels) && prefs == NULL; i++)
      {
        g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, i);
        if (ADW_IS_PREFERENCES_WINDOW (w))
          prefs = w;
      }
    g_assert_nonnull (prefs);
    g_assert_nonnull (find_label_with (prefs, "Tasks held per engine"));

    /* Every preference shown takes effect.  The local cluster's are the
     * keys Loom starts its engines with (two engines, as set above);
     * retries and the task timeout are the options the sweep form starts
     * from, and the form follows them at once. */
    {
      GSettings *settings = loom_application_get_settings (app);
      LoomSweepForm *form = loom_window_get_form (window);
      g_autofree char *scheme = NULL;

      g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (find_widget_named (prefs, "engines"))), ==, 2);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_widget_named (prefs, "hwm")), 3);
      g_assert_cmpint (g_settings_get_int (settings, "hwm"), ==, 3);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (find_widget_named (prefs, "scheme")), LOOM_SCHEME_LRU);
      scheme = g_settings_get_string (settings, "scheme");
      g_assert_cmpstr (scheme, ==, "lru");
      /* Shown by the name the key and loomctl use, LoomScheme's nick. */
      g_assert_nonnull (find_label_with (find_widget_named (prefs, "scheme"), "lru"));
      g_settings_set_string (settings, "scheme", "random");
      g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (find_widget_named (prefs, "scheme"))), ==,
                        LOOM_SCHEME_RANDOM);
      g_settings_reset (settings, "hwm");
      g_settings_reset (settings, "scheme");

      gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_widget_named (prefs, "retries")), 4);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_widget_named (prefs, "task-timeout")), 30);
      g_assert_cmpuint (loom_sweep_form_get_retries (form), ==, 4);
      g_assert_cmpfloat (loom_sweep_form_get_timeout (form), ==, 30);
      g_assert_nonnull (find_label_with (GTK_WIDGET (form), "4 retries, 30 s timeout"));
    }
    for (guint i = 0; i < 20; i++)
      g_main_context_iteration (NULL, FALSE);
    while (gtk_widget_get_width (prefs) == 0 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    prefs_png = screenshot_path ("preferences.png");
    save_png (prefs, prefs_png);
    gtk_window_destroy (GTK_WINDOW (prefs));
    g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  }

  /* An engine that dies shows at once in the panel, and the cluster
   * starts another in its place: two running again. */
  pids = loom_cluster_get_engine_pids (loom_application_get_cluster (app));
  g_assert_cmpint (pids->len, ==, 2);
  g_assert_cmpint (kill (g_array_index (pids, GPid, 1), SIGKILL), ==, 0);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!(find_label_with (GTK_WIDGET (window), "Dead") && find_label_with (GTK_WIDGET (window), "2 engines running")) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "Dead"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "2 engines running"));

  /* Closing remembers the form; the next window shows it again — and,
   * with LANGUAGE=de, speaks German (po/de.po as built in the tree). */
  gtk_window_close (GTK_WINDOW (window));
  g_setenv ("LANGUAGE", "de", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("LOOM_TEST_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  window = loom_window_new (app);
  {
    g_autofree char *params = loom_sweep_form_get_parameters (loom_window_get_form (window));
    g_assert_cmpstr (params, ==, "t=range:0:4\nsleep=0.2");
    g_assert_cmpstr (loom_sweep_form_get_command (loom_window_get_form (window)), ==, "sh -c 'echo {t}'");
    /* The options the preferences set come back too. */
    g_assert_cmpuint (loom_sweep_form_get_retries (loom_window_get_form (window)), ==, 4);
    g_assert_cmpfloat (loom_sweep_form_get_timeout (loom_window_get_form (window)), ==, 30);
  }
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "Neuer Parameterlauf"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "2 Engines laufen auf diesem Rechner"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "Aufträge"));

  /* Start two more engines, then stop them all, from the header bar. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-engines", NULL));
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!find_label_with (GTK_WIDGET (window), "4 Engines laufen") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "4 Engines laufen"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop-all", NULL));
  while (!find_label_with (GTK_WIDGET (window), "0 Engines laufen") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "0 Engines laufen"));
  g_unsetenv ("LANGUAGE");
  textdomain (GETTEXT_PACKAGE);   /* gettext caches: this makes it look again */

  /* Quitting stops the app's own engines. */
  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (loom_application_get_settings (app), "retries");
  g_settings_reset (loom_application_get_settings (app), "task-timeout");
  loom_cluster_stop (loom_application_get_cluster (app));
  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *proc = g_strdup_printf ("/proc/%d", g_array_index (pids, GPid, i));
      g_assert_false (g_file_test (proc, G_FILE_TEST_EXISTS));
    }
}

/* "Also run serially": the same sweep serially and in parallel, drawn
 * live, then stacked on a shared zero in one timeline; selecting,
 * measuring, zooming and exporting it; the window at two sizes and dark. */
static void
test_compare (void)
{
  g_autoptr(LoomApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  LoomWindow *window;
  LoomTimeline *timeline;
  LoomTimelineModel *model;
  LoomSweepForm *form;
  GListModel *jobs;
  LoomAsyncResult *serial, *parallel;
  guint max_running = 0;
  gboolean partial = FALSE;
  gboolean saw_running_count = FALSE;
  gboolean ticked = FALSE;
  gint64 deadline;

  /* Not the command an earlier test left in the form. */
  app = test_app_new ("dev.loom.LoomCompareTest", 4);

  window = loom_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  /* The window's size is kept in the settings, to come back next time. */
  g_assert_cmpint (g_settings_get_int (loom_application_get_settings (app), "window-width"), ==, 1280);
  g_assert_cmpint (g_settings_get_int (loom_application_get_settings (app), "window-height"), ==, 800);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_engines (window, 4);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  /* Filled in through the form's own widgets: the default rows are
   * t = range 0…10 and sleep = 1; make them range 0…4 and 0.4 s. */
  form = loom_window_get_form (window);
  g_assert_cmpstr (loom_sweep_form_get_function (form), ==, "printtime");
  {
    GtkListBox *rows = GTK_LIST_BOX (find_widget_named (GTK_WIDGET (form), "parameters"));
    GtkWidget *t = GTK_WIDGET (gtk_list_box_get_row_at_index (rows, 0));
    GtkWidget *sleep = GTK_WIDGET (gtk_list_box_get_row_at_index (rows, 1));

    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_widget_named (t, "name"))), ==, "t");
    gtk_editable_set_text (GTK_EDITABLE (find_widget_named (t, "field1")), "4");
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_widget_named (sleep, "name"))), ==, "sleep");
    gtk_editable_set_text (GTK_EDITABLE (find_widget_named (sleep, "values")), "0.4");
    g_assert_nonnull (find_label_with (GTK_WIDGET (form), "4 tasks"));
  }
  gtk_switch_set_active (GTK_SWITCH (find_widget_named (GTK_WIDGET (form), "also-serial")), TRUE);
  g_assert_true (loom_sweep_form_get_also_serial (form));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  jobs = loom_window_get_jobs (window);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 2);
  serial = nth_job (jobs, 0);
  parallel = nth_job (jobs, 1);

  /* The comparison opens by itself, and draws bars as tasks start, before
   * any result is back. */
  timeline = loom_window_get_timeline (window);
  model = loom_timeline_get_model (timeline);
  g_assert_cmpuint (loom_timeline_model_get_n_jobs (model), ==, 2);
  while (!(loom_async_result_ready (serial) && loom_async_result_ready (parallel)) &&
         g_get_monotonic_time () < deadline + 10 * G_USEC_PER_SEC)
    {
      g_main_context_iteration (NULL, TRUE);
      max_running = MAX (max_running, loom_timeline_model_get_n_running (model));
      if (loom_timeline_model_get_n_running (model) > 0)
        ticked |= loom_timeline_get_ticking (timeline);
      if (find_label_with (GTK_WIDGET (window), "1 running"))
        saw_running_count = TRUE;
      if (!loom_async_result_ready (serial) && loom_timeline_model_get_job (model, 0)->n_bars > 0 &&
          loom_timeline_model_get_job (model, 0)->n_bars < 4)
        partial = TRUE;
    }
  g_assert_true (loom_async_result_successful (serial));
  g_assert_true (loom_async_result_successful (parallel));
  g_assert_cmpuint (max_running, >=, 1);
  g_assert_true (partial);
  g_assert_true (saw_running_count);   /* the serial job's row: "…, 1 running, …" */
  iterate_for (300);
  /* The frame clock ticked while bars grew, and stops once none runs. */
  g_assert_true (ticked);
  g_assert_false (loom_timeline_get_ticking (timeline));

  /* Serial on top: one lane of four bars; parallel below, spread out. */
  {
    const LoomTimelineJob *s = loom_timeline_model_get_job (model, 0);
    const LoomTimelineJob *p = loom_timeline_model_get_job (model, 1);
    guint serial_lanes = 0, parallel_lanes = 0;
    LoomTimelineSummary sum_s, sum_p;
    g_autofree char *summary = loom_timeline_describe_jobs (model);

    g_assert_cmpint (s->mode, ==, LOOM_JOB_SERIAL);
    g_assert_cmpint (p->mode, ==, LOOM_JOB_PARALLEL);
    g_assert_cmpuint (s->n_bars, ==, 4);
    g_assert_cmpuint (p->n_bars, ==, 4);
    g_assert_cmpuint (s->n_running, ==, 0);
    for (guint l = 0; l < loom_timeline_model_get_n_lanes (model); l++)
      {
        if (loom_timeline_model_get_lane (model, l)->job == 0)
          serial_lanes++;
        else
          parallel_lanes++;
      }
    g_assert_cmpuint (serial_lanes, ==, 1);
    g_assert_cmpuint (parallel_lanes, >=, 2);
    /* What the picture shows, not how fast this machine is: serial bars
     * one after another, parallel bars side by side. */
    loom_timeline_model_get_summary (model, 0, &sum_s);
    loom_timeline_model_get_summary (model, 1, &sum_p);
    g_assert_cmpuint (sum_s.engines, ==, 1);
    g_assert_cmpuint (sum_p.engines, >=, 2);
    {
      LoomTimelineStats overlap;
      /* Over the parallel job's first task, more than one lane is busy. */
      const LoomTimelineLane *first = NULL;

      for (guint l = 0; l < loom_timeline_model_get_n_lanes (model) && !first; l++)
        if (loom_timeline_model_get_lane (model, l)->job == 1)
          first = loom_timeline_model_get_lane (model, l);
      loom_timeline_model_get_stats (model, first->bars[0].start, first->bars[0].end, 1, g_get_real_time (), &overlap, NULL);
      g_assert_cmpfloat (overlap.busy, >, 1.5 * (first->bars[0].end - first->bars[0].start));
    }
    g_assert_nonnull (strstr (summary, "speedup"));
  }

  /* The frame drew every finished bar, merged or not. */
  {
    const LoomTimelineDrawStats *stats = loom_timeline_get_draw_stats (timeline);
    g_assert_cmpuint (stats->n_visible, ==, 8);
    g_assert_cmpuint (stats->n_covered, ==, stats->n_visible);
  }

  /* Clicking a bar shows its task's details beside the list; Shift+Down
   * moves to the lane below; a screen reader gets them too. */
  {
    const LoomTimelineView *view = loom_timeline_get_view (timeline);
    const LoomTimelineLane *lane = loom_timeline_model_get_lane (model, 0);
    graphene_rect_t rect;
    g_autofree char *text = NULL;
    double x;
    guint job, index, first_index;

    g_assert_true (loom_timeline_view_lane_rect (view, model, 0, &rect));
    x = loom_timeline_view_time_to_x (view, (lane->bars[1].start + lane->bars[1].end) / 2.0);
    g_assert_true (loom_timeline_select_at (timeline, x, rect.origin.y + rect.size.height / 2));
    g_assert_true (loom_timeline_get_selected (timeline, &job, &first_index));
    g_assert_cmpuint (job, ==, 0);
    g_assert_cmpuint (first_index, ==, lane->bars[1].index);
    text = loom_window_get_details_text (window);
    g_assert_nonnull (strstr (text, "Standard output"));
    g_assert_nonnull (strstr (text, "Parameters: {\"t\":"));

    /* The tasks list has a column per parameter; a row copies as text. */
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "sleep"));
    {
      GtkColumnView *tasks = GTK_COLUMN_VIEW (gtk_widget_get_ancestor (find_label_with (GTK_WIDGET (window), "Duration"),
                                                                       GTK_TYPE_COLUMN_VIEW));
      g_autofree char *copied = NULL;

      g_assert_nonnull (tasks);
      g_assert_null (loom_window_copy_selected_task (window));
      gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (gtk_column_view_get_model (tasks)), 2);
      copied = loom_window_copy_selected_task (window);
      g_assert_nonnull (copied);
      /* index, t, sleep, engine, start, duration, status, result */
      {
        g_auto(GStrv) cells = g_strsplit (copied, "\t", -1);
        g_assert_cmpuint (g_strv_length (cells), ==, 8);
        g_assert_cmpstr (cells[6], ==, "done");
        g_assert_cmpstr (cells[2], ==, "0.4");
      }
      /* A task's row changes in place as it starts and finishes: the
       * selection stays on it. */
      {
        GtkSingleSelection *sel = GTK_SINGLE_SELECTION (gtk_column_view_get_model (tasks));
        gint before = loom_window_get_selected_task_index (window);

        g_signal_emit_by_name (parallel, "task-finished", (guint) before);
        g_signal_emit_by_name (parallel, "task-finished", (guint) (before + 1) % 4);
        g_assert_cmpuint (gtk_single_selection_get_selected (sel), !=, GTK_INVALID_LIST_POSITION);
        g_assert_cmpint (loom_window_get_selected_task_index (window), ==, before);
      }
      /* Selecting the row showed its details. */
      g_clear_pointer (&text, g_free);
      text = loom_window_get_details_text (window);
      g_assert_nonnull (strstr (text, "task "));
    }

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.select-step", "(ii)", 1, 0));
    g_assert_true (loom_timeline_get_selected (timeline, &job, &index));
    g_assert_cmpuint (index, !=, first_index);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.select-step", "(ii)", 0, 1));
    g_assert_true (loom_timeline_get_selected (timeline, &job, &index));
    g_assert_cmpuint (job, ==, 1);
    /* Clicking where nothing is clears it. */
    g_assert_false (loom_timeline_select_at (timeline, 2, rect.origin.y + 2));
    g_assert_false (loom_timeline_get_selected (timeline, NULL, NULL));
  }

  /* A range over everything: its statistics, and the whole jobs in it. */
  {
    gint64 extent = loom_timeline_model_get_extent (model, g_get_real_time ());

    loom_timeline_select_range (timeline, 0, extent + 1);
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "8 finished"));
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "whole"));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.clear", NULL));
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "Drag across the time axis"));
  }

  /* +, −, 0 from the keyboard's actions. */
  {
    double fit = loom_timeline_get_view (timeline)->us_per_px;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.zoom-in", NULL));
    g_assert_cmpfloat (loom_timeline_get_view (timeline)->us_per_px, <, fit * 0.8);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.pan", "(ii)", -1, 0));
    g_assert_false (loom_timeline_get_follow (timeline));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.fit", NULL));
    g_assert_true (loom_timeline_get_follow (timeline));
    g_assert_cmpfloat_with_epsilon (loom_timeline_get_view (timeline)->us_per_px, fit, fit * 1e-6);
  }

  /* The job menu's image export: the same drawing, as a PNG. */
  {
    g_autofree char *path = screenshot_path ("compare-export.png");
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GPtrArray) both = g_ptr_array_new ();
    g_autoptr(GdkTexture) texture = NULL;

    g_autoptr(GAsyncResult) done = NULL;

    g_ptr_array_add (both, serial);
    g_ptr_array_add (both, parallel);
    loom_window_export_timeline_async (window, both, LOOM_EXPORT_PNG, file, NULL, store_result, &done);
    g_assert_true (loom_window_export_finish (window, wait_for_result (&done), &error));
    g_assert_no_error (error);
    texture = gdk_texture_new_from_filename (path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (gdk_texture_get_width (texture), ==, 1280);
  }

  /* Pictures to look at: 1280×800, 800×600, and dark. */
  {
    g_autofree char *big = screenshot_path ("compare-1280x800.png");
    g_autofree char *small = screenshot_path ("compare-800x600.png");
    g_autofree char *dark = screenshot_path ("compare-dark.png");

    resize_window (GTK_WINDOW (window), 1280, 800);
    save_png (GTK_WIDGET (window), big);
    resize_window (GTK_WINDOW (window), 800, 600);
    save_png (GTK_WIDGET (window), small);
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
    resize_window (GTK_WINDOW (window), 1280, 800);
    save_png (GTK_WIDGET (window), dark);
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
    g_test_message ("window rendered to %s, %s and %s", big, small, dark);
  }

  /* Stopping an engine the controller does not have: the answer comes
   * later, as a toast that says which engine and why. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop-engine", "u", 999));
  g_assert_null (find_label_with (GTK_WIDGET (window), "Engine 999 was not stopped"));
  g_assert_nonnull (wait_for_label (GTK_WIDGET (window), "Engine 999 was not stopped: "));
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "no live engine"));

  /* Stopping an engine from its row in the panel: the panel follows, and
   * the same row's button then starts a new engine in its place. */
  {
    GtkWidget *stop = find_button_with_tooltip (GTK_WIDGET (window), "Stop this engine");
    GtkWidget *replace;

    g_assert_nonnull (stop);
    g_signal_emit_by_name (stop, "clicked");
    deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (!find_label_with (GTK_WIDGET (window), "3 engines running") && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "3 engines running"));
    iterate_for (200);
    replace = find_button_with_tooltip (GTK_WIDGET (window), "Start a new engine in its place");
    g_assert_nonnull (replace);
    g_signal_emit_by_name (replace, "clicked");
    while (!find_label_with (GTK_WIDGET (window), "4 engines running") && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "4 engines running"));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  loom_cluster_stop (loom_application_get_cluster (app));
}

/* Runs the main loop until an aborted job is over; returns how many of
 * its tasks never ran. */
static guint
wait_until_aborted (LoomAsyncResult *result)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  guint n_aborted = 0;

  while (!loom_async_result_ready (result) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (loom_async_result_ready (result));
  g_assert_false (loom_async_result_successful (result));
  for (guint i = 0; i < loom_async_result_get_n_tasks (result); i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (result, i);
      if (info->status == LOOM_TASK_ABORTED)
        n_aborted++;
    }
  return n_aborted;
}

static void
press_run_and_abort (gpointer window)
{
  g_autoptr(LoomJob) job = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  job = g_list_model_get_item (loom_window_get_jobs (window), 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.abort-job", "u", loom_job_get_id (job)));
}

static void
press_stop_all_and_close (gpointer window)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop-all", NULL));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Aborting a job from its row: the window goes on while the controller
 * answers, the job ends with its queued tasks aborted and a toast says
 * how many; a window closed while its requests are out goes quietly. */
static void
test_abort (void)
{
  g_autoptr(LoomApplication) app = NULL;
  LoomWindow *window;
  LoomSweepForm *form;
  GListModel *jobs;
  gint64 deadline;

  app = test_app_new ("dev.loom.LoomAbortTest", 2);
  window = loom_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_engines (window, 2);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  /* 40 tasks of 0.3 s on two engines: 6 s if nothing stopped them. */
  form = loom_window_get_form (window);
  jobs = loom_window_get_jobs (window);
  loom_sweep_form_set_parameters (form, "t=range:0:40\nsleep=0.3");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));

  /* Aborted once the first task runs, with the row's button. */
  {
    g_autoptr(LoomJob) job = g_list_model_get_item (jobs, 0);
    LoomAsyncResult *result = loom_job_get_result (job);
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (gtk_widget_get_ancestor (
      find_label_with (GTK_WIDGET (window), "printtime —"), GTK_TYPE_LIST_BOX)), 0);
    GtkWidget *abort = find_button_with_tooltip (GTK_WIDGET (row), "Abort: queued tasks never run, running ones are stopped");
    g_autofree char *toast = NULL;

    while (loom_async_result_get_n_running (result, NULL) == 0 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (loom_async_result_get_n_running (result, NULL), >, 0);
    g_assert_true (gtk_widget_get_sensitive (abort));
    g_signal_emit_by_name (abort, "clicked");

    /* The click returned without waiting for the controller: no toast
     * yet (that needs the answer, dispatched by the main loop).  Whether
     * the result is ready already is a race with the controller (ready()
     * reads what has arrived), so it is not asserted. */
    toast = g_strdup_printf ("Job %d aborted: ", loom_async_result_get_job_id (result));
    g_assert_null (find_label_with (GTK_WIDGET (window), toast));
    g_assert_cmpuint (wait_until_aborted (result), >, 0);
    g_assert_cmpuint (loom_async_result_get_progress (result), ==, 40);
    g_assert_nonnull (wait_for_label (GTK_WIDGET (window), toast));
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "queued tasks will not run"));
    /* The row hears the job is over when its result's notification is
     * dispatched, which may be a turn after the abort's answer. */
    while (gtk_widget_get_sensitive (abort) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (gtk_widget_get_sensitive (abort));
  }

  /* Run and Abort pressed in one turn of the main loop: the abort waits
   * for the controller's answer to the submission, then goes. */
  g_idle_add_once (press_run_and_abort, window);
  while (g_list_model_get_n_items (jobs) < 2)
    g_main_context_iteration (NULL, TRUE);
  {
    g_autoptr(LoomJob) job = g_list_model_get_item (jobs, 0);

    g_assert_cmpuint (wait_until_aborted (loom_job_get_result (job)), >, 0);
  }

  /* Run, Abort, Stop All and closing the window, in one turn: the answers
   * find their requests cancelled, and nothing is told to a window gone. */
  g_idle_add_once (press_run_and_abort, window);
  g_idle_add_once (press_stop_all_and_close, window);
  iterate_for (500);

  loom_cluster_stop (loom_application_get_cluster (app));
}

#define BIG_JOB 5000

static void
press_run (gpointer window)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
}

/* A job of 5000 tasks through the window: every task reaches the
 * timeline and the tasks list, and the window keeps answering (the longest
 * wait between two turns of its main loop is printed, not asserted). */
static void
test_big_job (void)
{
  g_autoptr(LoomApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  LoomWindow *window;
  LoomSweepForm *form;
  LoomAsyncResult *job;
  gint64 deadline, last, longest = 0, begun;

  app = test_app_new ("dev.loom.LoomBigJobTest", 2);
  window = loom_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_engines (window, 2);

  form = loom_window_get_form (window);
  loom_sweep_form_set_function (form, "noop");
  loom_sweep_form_set_parameters (form, "i=range:0:" G_STRINGIFY (BIG_JOB));
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, BIG_JOB);
  /* Pressed as a person would: from the main loop. */
  g_idle_add_once (press_run, window);
  while (g_list_model_get_n_items (loom_window_get_jobs (window)) == 0)
    g_main_context_iteration (NULL, TRUE);
  begun = last = g_get_monotonic_time ();
  job = nth_job (loom_window_get_jobs (window), 0);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!loom_async_result_ready (job) && g_get_monotonic_time () < deadline)
    {
      gint64 now;

      g_main_context_iteration (NULL, TRUE);
      now = g_get_monotonic_time ();
      longest = MAX (longest, now - last);
      last = now;
    }
  if (!loom_async_result_successful (job))
    {
      g_autoptr(JsonNode) none = loom_async_result_get (job, 0, &error);
      g_test_message ("job: %s, %u of %u final", error ? error->message : "?",
                      loom_async_result_get_progress (job), loom_async_result_get_n_tasks (job));
    }
  g_assert_true (loom_async_result_successful (job));
  iterate_for (300);
  g_test_message ("%d tasks in %.2f s through the window; longest main-loop turn %.1f ms",
                  BIG_JOB, (last - begun) / 1e6, longest / 1e3);

  g_assert_cmpuint (loom_timeline_get_n_bars (loom_window_get_timeline (window)), ==, BIG_JOB);
  g_assert_cmpuint (loom_timeline_model_get_n_running (loom_timeline_get_model (loom_window_get_timeline (window))), ==, 0);
  {
    GtkColumnView *tasks = GTK_COLUMN_VIEW (gtk_widget_get_ancestor (find_label_with (GTK_WIDGET (window), "Duration"),
                                                                     GTK_TYPE_COLUMN_VIEW));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (tasks))), ==, BIG_JOB);
  }
  /* Selecting the finished job again shows it at once (its list is made
   * lazily): every task is still there, a row's parameter is read. */
  {
    GtkListBox *jobs = GTK_LIST_BOX (gtk_widget_get_ancestor (find_label_with (GTK_WIDGET (window), "noop —"),
                                                              GTK_TYPE_LIST_BOX));
    GtkColumnView *tasks = GTK_COLUMN_VIEW (gtk_widget_get_ancestor (find_label_with (GTK_WIDGET (window), "Duration"),
                                                                     GTK_TYPE_COLUMN_VIEW));
    GListModel *rows;
    g_autoptr(GObject) item = NULL;
    gint64 t = g_get_monotonic_time ();

    gtk_list_box_unselect_all (jobs);
    gtk_list_box_select_row (jobs, gtk_list_box_get_row_at_index (jobs, 0));
    g_test_message ("selecting the %d-task job again took %.1f ms", BIG_JOB, (g_get_monotonic_time () - t) / 1e3);
    rows = G_LIST_MODEL (gtk_column_view_get_model (tasks));
    g_assert_cmpuint (g_list_model_get_n_items (rows), ==, BIG_JOB);
    gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (rows), BIG_JOB - 1);
    {
      g_autofree char *copied = loom_window_copy_selected_task (window);
      g_auto(GStrv) cells = g_strsplit (copied, "\t", -1);
      g_autofree char *final = g_strdup_printf ("%d", BIG_JOB - 1);

      g_assert_cmpstr (cells[0], ==, final);
      g_assert_cmpstr (cells[1], ==, final);   /* the parameter i */
    }
  }
  {
    g_autofree char *png = screenshot_path ("big-job.png");
    save_png (GTK_WIDGET (window), png);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  loom_cluster_stop (loom_application_get_cluster (app));
}

/* A command whose output passes the 1 MiB it may keep: the task's details
 * say how much was not kept, and the bytes kept are shown. */
static void
test_truncated_output (void)
{
  g_autoptr(LoomApplication) app = NULL;
  LoomWindow *window;
  LoomSweepForm *form;
  LoomAsyncResult *job;
  GtkColumnView *tasks;
  g_autofree char *text = NULL;
  gint64 deadline;

  app = test_app_new ("dev.loom.LoomTruncatedTest", 1);
  window = loom_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_engines (window, 1);

  form = loom_window_get_form (window);
  loom_sweep_form_set_command (form, "sh -c 'head -c 1100000 /dev/zero | tr \\\\0 a; echo fine >&2; : {x}'", NULL);
  loom_sweep_form_set_parameters (form, "x=1");
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 1);
  g_idle_add_once (press_run, window);
  while (g_list_model_get_n_items (loom_window_get_jobs (window)) == 0)
    g_main_context_iteration (NULL, TRUE);
  job = nth_job (loom_window_get_jobs (window), 0);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!loom_async_result_ready (job) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (loom_async_result_successful (job));
  iterate_for (200);

  tasks = GTK_COLUMN_VIEW (gtk_widget_get_ancestor (find_label_with (GTK_WIDGET (window), "Duration"),
                                                    GTK_TYPE_COLUMN_VIEW));
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (gtk_column_view_get_model (tasks)), 0);
  iterate_for (100);
  text = loom_window_get_details_text (window);
  g_test_message ("details: %.300s", text);
  g_assert_nonnull (strstr (text, "stdout truncated: 51424 more bytes not kept (limit 1 MiB)"));
  g_assert_null (strstr (text, "stderr truncated"));
  g_assert_nonnull (strstr (text, "fine"));

  gtk_window_destroy (GTK_WINDOW (window));
  loom_cluster_stop (loom_application_get_cluster (app));
}

/* A cluster someone else runs (here: this test, as loomctl cluster start
 * would): the app attaches, shows its engines and leaves it running. */
static void
test_attach (void)
{
  g_autoptr(LoomCluster) cluster = loom_cluster_new ("attachme");
  g_autoptr(LoomApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autofree char *running = NULL;
  LoomWindow *window;
  gint64 deadline;

  g_assert_true (loom_cluster_start (cluster, 2, &error));
  g_assert_no_error (error);

  app = g_object_new (LOOM_TYPE_APPLICATION,
                      "application-id", "dev.loom.LoomAttachTest",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/dev/loom/Loom",
                      NULL);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_settings_set_string (loom_application_get_settings (app), "profile", "attachme");

  running = loom_application_find_running (app);
  g_assert_cmpstr (running, ==, "attachme");
  g_assert_true (loom_application_attach (app, running, &error));
  g_assert_no_error (error);
  g_assert_null (loom_application_get_cluster (app));

  window = loom_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!engines_ready (loom_window_get_engines (window), 2) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (engines_ready (loom_window_get_engines (window), 2));

  /* Quitting the app leaves the attached cluster running. */
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  pids = loom_cluster_get_engine_pids (cluster);
  g_assert_cmpint (pids->len, ==, 2);
  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *proc = g_strdup_printf ("/proc/%d", g_array_index (pids, GPid, i));
      g_assert_true (g_file_test (proc, G_FILE_TEST_EXISTS));
    }
  loom_cluster_stop (cluster);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *runtime = g_dir_make_tmp ("lu-XXXXXX", NULL);

  /* Not G_TEST_OPTION_ISOLATE_DIRS: it hides the system's icon theme. The
   * cluster's files go to a runtime directory of the test's own. */
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  ui_test_init (&argc, &argv);

  g_test_add_func ("/loom/ui/window-engines", test_window_engines);
  g_test_add_func ("/loom/ui/attach", test_attach);
  g_test_add_func ("/loom/ui/compare", test_compare);
  g_test_add_func ("/loom/ui/abort", test_abort);
  g_test_add_func ("/loom/ui/big-job", test_big_job);
  g_test_add_func ("/loom/ui/truncated-output", test_truncated_output);

  return g_test_run ();
}
