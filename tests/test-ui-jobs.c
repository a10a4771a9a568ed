/* test-ui-jobs.c: the app's jobs list shows the controller's other jobs,
 * past ones too, under Xvfb
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A named-profile cluster started by loomctl with a private
 * XDG_STATE_HOME keeps its jobs in its store; a job run with loomctl
 * before the controller restarted is listed by the window attached to
 * the profile, and selecting it loads its tasks into the timeline and
 * the tasks list.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "loom-application.h"
#include "loom-job.h"
#include "loom-job-row.h"
#include "loom-window.h"
#include "loom-timeline.h"
#include "loom-cli-test-util.h"
#include "loom-ui-test-util.h"

#define PROFILE "pastjobs"
#define N_TASKS 6

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

/* Iterates the main loop until @cond holds or @seconds pass. */
#define WAIT_FOR(cond, seconds)                                               \
  G_STMT_START {                                                              \
    gint64 _deadline = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;  \
    while (!(cond) && g_get_monotonic_time () < _deadline)                    \
      iterate_for (20);                                                       \
  } G_STMT_END

/* The rows of the jobs list showing the controller's job @job_id. */
static guint
count_jobs_with_id (GListModel *jobs,
                    gint        job_id,
                    LoomJob   **found)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(LoomJob) job = g_list_model_get_item (jobs, i);

      if (loom_job_get_job_id (job) == job_id)
        {
          n++;
          if (found)
            *found = job;   /* the window holds it */
        }
    }
  return n;
}

static GtkWidget *
find_job_row (GtkWidget *widget,
              LoomJob   *job)
{
  if (LOOM_IS_JOB_ROW (widget) && loom_job_row_get_job (LOOM_JOB_ROW (widget)) == job)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_job_row (child, job);
      if (found)
        return found;
    }
  return NULL;
}

static GListModel *
tasks_list_model (LoomWindow *window)
{
  GtkWidget *column_view = gtk_widget_get_ancestor (find_label_with (GTK_WIDGET (window), "Duration"),
                                                    GTK_TYPE_COLUMN_VIEW);

  g_assert_nonnull (column_view);
  return G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (column_view)));
}

static guint
n_tasks_listed (LoomWindow *window)
{
  GListModel *model = tasks_list_model (window);

  return model ? g_list_model_get_n_items (model) : 0;
}

static LoomApplication *
attach_app (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *running = NULL;
  LoomApplication *app;

  g_setenv ("LANGUAGE", "en", TRUE);
  textdomain (GETTEXT_PACKAGE);
  app = g_object_new (LOOM_TYPE_APPLICATION,
                      "application-id", "dev.loom.LoomPastJobsTest",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/dev/loom/Loom",
                      NULL);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_settings_set_string (loom_application_get_settings (app), "profile", PROFILE);
  g_settings_reset (loom_application_get_settings (app), "last-form");

  running = loom_application_find_running (app);
  g_assert_cmpstr (running, ==, PROFILE);
  g_assert_true (loom_application_attach (app, running, &error));
  g_assert_no_error (error);
  return app;
}

static void
press_run (gpointer window)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
}

static void
test_past_job (void)
{
  g_autoptr(LoomApplication) app = NULL;
  g_autofree char *out = NULL;
  g_autofree char *job_text = NULL;
  g_autofree char *png = NULL;
  g_autofree char *details = NULL;
  g_autofree char *state_db = NULL;
  LoomTimelineModel *model;
  GListModel *jobs;
  LoomWindow *window;
  LoomJob *past = NULL;
  LoomJob *own = NULL;
  GtkWidget *row;
  guint job_id;
  gint own_id;

  /* A job run with loomctl lands in the profile's store. */
  cluster_start (PROFILE, "2");
  g_assert_cmpint (run_loomctl (&out, NULL, "map", "echo", "--sweep", "x=range:0:" G_STRINGIFY (N_TASKS),
                                "--async", "--profile", PROFILE, NULL), ==, 0);
  job_id = parse_job (out);
  g_clear_pointer (&out, g_free);
  job_text = g_strdup_printf ("%u", job_id);
  g_assert_cmpint (run_loomctl (&out, NULL, "get", job_text, "--profile", PROFILE, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  state_db = g_build_filename (g_get_user_state_dir (), "loom", PROFILE, "jobs.db", NULL);
  g_assert_true (g_file_test (state_db, G_FILE_TEST_EXISTS));

  /* The controller restarts: the job is from an earlier run. */
  cluster_stop (PROFILE);
  cluster_start (PROFILE, "2");

  app = attach_app ();
  window = loom_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));
  jobs = loom_window_get_jobs (window);

  /* The window lists it, with its task count and state, unloaded. */
  WAIT_FOR (count_jobs_with_id (jobs, job_id, NULL) > 0, 15);
  g_assert_cmpuint (count_jobs_with_id (jobs, job_id, &past), ==, 1);
  g_assert_nonnull (loom_job_get_info (past));
  g_assert_cmpuint (loom_job_info_get_n_tasks (loom_job_get_info (past)), ==, N_TASKS);
  g_assert_true (loom_job_get_ready (past));
  g_assert_null (loom_job_get_result (past));   /* nobody selected it yet */
  g_test_message ("row: %s | %s", loom_job_get_title (past), loom_job_get_summary (past));
  g_assert_nonnull (strstr (loom_job_get_title (past), G_STRINGIFY (N_TASKS) " tasks"));
  g_assert_nonnull (strstr (loom_job_get_summary (past), "finished"));
  g_assert_nonnull (strstr (loom_job_get_summary (past), G_STRINGIFY (N_TASKS) " done, 0 failed"));
  g_assert_cmpfloat (loom_job_get_fraction (past), ==, 1.0);
  row = find_job_row (GTK_WIDGET (window), past);
  g_assert_nonnull (row);
  g_assert_nonnull (find_label_with (row, "finished"));

  /* Selecting it loads its tasks: the timeline and the tasks list. */
  gtk_list_box_select_row (GTK_LIST_BOX (gtk_widget_get_parent (row)), GTK_LIST_BOX_ROW (row));
  model = loom_timeline_get_model (loom_window_get_timeline (window));
  WAIT_FOR (loom_job_get_result (past) != NULL && n_tasks_listed (window) == N_TASKS &&
            loom_timeline_model_get_n_bars (model) == N_TASKS, 15);
  g_assert_nonnull (loom_job_get_result (past));
  g_assert_cmpint (loom_async_result_get_job_id (loom_job_get_result (past)), ==, job_id);
  g_assert_cmpuint (loom_async_result_get_n_tasks (loom_job_get_result (past)), ==, N_TASKS);
  g_assert_true (loom_async_result_successful (loom_job_get_result (past)));
  g_assert_cmpuint (loom_timeline_model_get_n_jobs (model), ==, 1);
  g_assert_cmpuint (loom_timeline_model_get_n_bars (model), ==, N_TASKS);
  g_assert_cmpuint (n_tasks_listed (window), ==, N_TASKS);
  {
    g_autofree char *title = g_strdup_printf ("Tasks of job %u", job_id);
    g_assert_nonnull (find_label_with (GTK_WIDGET (window), title));
  }

  /* A task's details: its parameters and its result, from the store. */
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (tasks_list_model (window)), 0);
  iterate_for (100);
  details = loom_window_get_details_text (window);
  g_test_message ("details: %.300s", details);
  g_assert_nonnull (strstr (details, "\"x\""));

  iterate_for (300);
  png = screenshot_path ("past-jobs.png");
  save_png (GTK_WIDGET (window), png);
  g_test_message ("window rendered to %s", png);

  /* A job the window runs itself has one row, not two, once listed. */
  g_idle_add_once (press_run, window);
  WAIT_FOR (g_list_model_get_n_items (jobs) >= 2, 10);
  {
    g_autoptr(LoomJob) first = g_list_model_get_item (jobs, 0);
    own = first;
  }
  g_assert_null (loom_job_get_info (own));
  WAIT_FOR (loom_job_get_ready (own) && loom_job_get_job_id (own) >= 0, 30);
  own_id = loom_job_get_job_id (own);
  g_assert_cmpint (own_id, >, (gint) job_id);
  iterate_for (4500);   /* two listings at least */
  g_assert_cmpuint (count_jobs_with_id (jobs, own_id, NULL), ==, 1);
  g_assert_cmpuint (count_jobs_with_id (jobs, job_id, NULL), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  cluster_stop (PROFILE);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *runtime = g_dir_make_tmp ("luj-XXXXXX", NULL);
  g_autofree char *state = g_dir_make_tmp ("luj-state-XXXXXX", NULL);

  /* The cluster's files and its job store in directories of the test's
   * own, before GLib caches where they are. */
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  ui_test_init (&argc, &argv);

  g_test_add_func ("/loom/ui/jobs/past-job", test_past_job);

  return g_test_run ();
}
