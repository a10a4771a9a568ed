/* test-ui.c: the app's real widgets under Xvfb
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gi18n.h>

#include "loom-application.h"
#include "loom-window.h"

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

static void
save_png (GtkWidget  *widget,
          const char *path)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  /* A window draws once it is mapped and the frame clock has ticked: give
   * it the time it needs on a slow machine. */
  for (gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;;)
    {
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node != NULL || g_get_monotonic_time () > deadline)
        break;
      snapshot = gtk_snapshot_new ();
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10 * 1000);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static GtkWidget *
find_label_with (GtkWidget  *widget,
                 const char *fragment)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), fragment))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_with (child, fragment);
      if (found)
        return found;
    }
  return NULL;
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
    GPtrArray *jobs = loom_window_get_jobs (window);
    LoomAsyncResult *job;

    g_assert_true (loom_sweep_form_is_valid (form));
    g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 10);
    g_assert_cmpstr (loom_sweep_form_get_function (form), ==, "printtime");

    loom_sweep_form_set_parameters (form, "t=range:0:10\nlr=log:-1:1:3");
    g_assert_false (loom_sweep_form_is_valid (form));
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), "log scale needs START > 0, got -1"));
    g_assert_false (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL) &&
                    jobs->len > 0);
    g_assert_cmpuint (jobs->len, ==, 0);

    loom_sweep_form_set_parameters (form, "t=range:0:4\nsleep=0.2");
    g_assert_true (loom_sweep_form_is_valid (form));
    g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 4);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
    g_assert_cmpuint (jobs->len, ==, 1);
    job = g_ptr_array_index (jobs, 0);
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
      g_signal_emit_by_name (again, "clicked");
      g_assert_cmpuint (jobs->len, ==, 2);
      while (!loom_async_result_ready (g_ptr_array_index (jobs, 1)) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (loom_async_result_successful (g_ptr_array_index (jobs, 1)));
      g_assert_cmpuint (loom_async_result_get_n_tasks (g_ptr_array_index (jobs, 1)), ==, 4);
    }

    /* The job menu's export writes what loomctl export writes. */
    {
      g_autofree char *path = g_build_filename (g_getenv ("XDG_RUNTIME_DIR"), "trace.json", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonArray *events;
      guint complete = 0;

      g_assert_true (loom_window_export_job (window, job, LOOM_EXPORT_CHROME, file, &error));
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
    g_assert_cmpuint (jobs->len, ==, 3);
    job = g_ptr_array_index (jobs, 2);
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
  png = g_build_filename (g_getenv ("LOOM_TEST_ARTIFACTS") ?: g_get_tmp_dir (), "loom-window.png", NULL);
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
    for (guint i = 0; i < 20; i++)
      g_main_context_iteration (NULL, FALSE);
    while (gtk_widget_get_width (prefs) == 0 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    prefs_png = g_build_filename (g_getenv ("LOOM_TEST_ARTIFACTS") ?: g_get_tmp_dir (), "loom-preferences.png", NULL);
    save_png (prefs, prefs_png);
    gtk_window_destroy (GTK_WINDOW (prefs));
    g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  }

  /* An engine that dies shows at once in the panel. */
  pids = loom_cluster_get_engine_pids (loom_application_get_cluster (app));
  g_assert_cmpint (pids->len, ==, 2);
  g_assert_cmpint (kill (g_array_index (pids, GPid, 1), SIGKILL), ==, 0);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!find_label_with (GTK_WIDGET (window), "1 engine running") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "1 engine running"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "Dead"));

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
  }
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "Neuer Parameterlauf"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "1 Engine läuft auf diesem Rechner"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "Aufträge"));

  /* Start two more engines, then stop them all, from the header bar. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-engines", NULL));
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!find_label_with (GTK_WIDGET (window), "3 Engines laufen") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "3 Engines laufen"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop-all", NULL));
  while (!find_label_with (GTK_WIDGET (window), "0 Engines laufen") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "0 Engines laufen"));
  g_unsetenv ("LANGUAGE");

  /* Quitting stops the app's own engines. */
  gtk_window_destroy (GTK_WINDOW (window));
  loom_cluster_stop (loom_application_get_cluster (app));
  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *proc = g_strdup_printf ("/proc/%d", g_array_index (pids, GPid, i));
      g_assert_false (g_file_test (proc, G_FILE_TEST_EXISTS));
    }
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
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("no display: skipping the ui suite\n");
      return 77;
    }
  adw_init ();

  g_test_add_func ("/loom/ui/window-engines", test_window_engines);
  g_test_add_func ("/loom/ui/attach", test_attach);

  return g_test_run ();
}
