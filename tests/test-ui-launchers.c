/* test-ui-launchers.c: the engines panel's "Add Engines" form and the
 * engines grouped by host, with the app's real widgets under Xvfb and a
 * real cluster
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An engine "on another host" is a real loom-engine in a UTS namespace of
 * its own (unshare --uts, as tests/scaleout does), so its host name
 * differs; where that cannot be made, the cases that need it are skipped.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "loom-application.h"
#include "loom-job.h"
#include "loom-engine-group.h"
#include "loom-launch-fields.h"
#include "loom-timeline-render.h"
#include "loom-window.h"
#include "loom-ui-test-util.h"

#define OTHER_HOST "nodea.loom-test.example"

static guint
count_alive (GListModel *engines)
{
  guint alive = 0;

  for (guint i = 0; engines && i < g_list_model_get_n_items (engines); i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (engines, i);
      if (loom_engine_info_get_state (info) == LOOM_ENGINE_IDLE || loom_engine_info_get_state (info) == LOOM_ENGINE_BUSY)
        alive++;
    }
  return alive;
}

static void
wait_for_alive (LoomWindow *window,
                guint       n)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (count_alive (loom_window_get_engines (window)) < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count_alive (loom_window_get_engines (window)), >=, n);
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

/* An app of the test's own with @engines local engines, and its window. */
static LoomWindow *
open_window (LoomApplication **app_out,
             const char       *application_id,
             gint              engines)
{
  g_autoptr(GError) error = NULL;
  LoomApplication *app;
  LoomWindow *window;

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

  window = loom_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_alive (window, engines);
  *app_out = app;
  return window;
}

static void
close_window (LoomApplication *app,
              LoomWindow      *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  loom_application_stop_own_engines (app);
  g_object_unref (app);
}

static void
set_field (GtkWidget  *root,
           const char *name,
           const char *text)
{
  GtkWidget *field = find_widget_named (root, name);

  g_assert_nonnull (field);
  gtk_editable_set_text (GTK_EDITABLE (field), text);
}

static void
click (GtkWidget  *root,
       const char *name)
{
  GtkWidget *button = find_widget_named (root, name);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
is_group (GtkWidget  *widget,
          const char *unused)
{
  return LOOM_IS_ENGINE_GROUP (widget);
}

/* The groups the panel shows, in order. */
static GPtrArray *
list_groups (LoomWindow *window)
{
  GPtrArray *groups = g_ptr_array_new ();
  GtkWidget *first = find_widget (GTK_WIDGET (loom_window_get_engines_view (window)), is_group, NULL);

  for (GtkWidget *w = first; w != NULL; w = gtk_widget_get_next_sibling (w))
    if (LOOM_IS_ENGINE_GROUP (w))
      g_ptr_array_add (groups, w);
  return groups;
}

static void
save_panel (LoomWindow *window,
            const char *name)
{
  g_autofree char *png = screenshot_path (name);
  GtkWidget *paned = gtk_widget_get_ancestor (GTK_WIDGET (loom_window_get_engines_view (window)), GTK_TYPE_PANED);

  /* The panel as tall as the window allows, so all of it shows. */
  g_assert_nonnull (paned);
  gtk_paned_set_position (GTK_PANED (paned), 640);
  iterate_for (400);
  save_png (GTK_WIDGET (loom_window_get_engines_view (window)), png);
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));
  g_test_message ("engines panel rendered to %s", png);
}

/* The form's checks, without a window. */
static void
test_fields (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;
  guint n = 0;

  g_assert_true (loom_launch_fields_parse_count (" 3 ", &n, &error));
  g_assert_cmpuint (n, ==, 3);
  g_assert_false (loom_launch_fields_parse_count ("0", &n, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (loom_launch_fields_parse_count ("257", &n, &error));
  g_clear_error (&error);
  g_assert_false (loom_launch_fields_parse_count ("-1", &n, &error));
  g_clear_error (&error);
  g_assert_false (loom_launch_fields_parse_count ("2x", &n, &error));
  g_clear_error (&error);

  hosts = loom_launch_fields_parse_hosts ("nodeA:4, nodeB\nme@nodeC:2,[fe80::1]:3 [::1]", &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (hosts), ==, 5);
  g_assert_cmpstr (hosts[0], ==, "nodeA:4");
  g_assert_cmpstr (hosts[2], ==, "me@nodeC:2");
  g_assert_cmpstr (hosts[4], ==, "[::1]");
  g_assert_cmpuint (n, ==, 4 + 1 + 2 + 3 + 1);
  g_clear_pointer (&hosts, g_strfreev);
  g_assert_null (loom_launch_fields_parse_hosts (" , \n", &n, &error));
  g_clear_error (&error);
  g_assert_null (loom_launch_fields_parse_hosts ("nodeA:0", &n, &error));
  g_clear_error (&error);
  g_assert_null (loom_launch_fields_parse_hosts ("nodeA:x", &n, &error));
  g_clear_error (&error);
  g_assert_null (loom_launch_fields_parse_hosts ("node;rm -rf", &n, &error));
  g_assert_nonnull (strstr (error->message, "node;rm"));
  g_clear_error (&error);
  g_assert_null (loom_launch_fields_parse_hosts ("-oProxyCommand=x", &n, &error));
  g_clear_error (&error);
  g_assert_null (loom_launch_fields_parse_hosts ("a:200,b:200", &n, &error));
  g_clear_error (&error);

  g_assert_true (loom_launch_fields_parse_port ("", &error));
  g_assert_true (loom_launch_fields_parse_port ("2222", &error));
  g_assert_false (loom_launch_fields_parse_port ("70000", &error));
  g_clear_error (&error);
  g_assert_false (loom_launch_fields_parse_port ("0", &error));
  g_clear_error (&error);

  g_assert_true (loom_launch_fields_parse_time_limit ("", &error));
  g_assert_true (loom_launch_fields_parse_time_limit ("1:30:00", &error));
  g_assert_true (loom_launch_fields_parse_time_limit ("48:00:05", &error));
  g_assert_false (loom_launch_fields_parse_time_limit ("1:5", &error));
  g_clear_error (&error);
  g_assert_false (loom_launch_fields_parse_time_limit ("1:60:00", &error));
  g_clear_error (&error);
  g_assert_false (loom_launch_fields_parse_time_limit ("0:00:00", &error));
  g_clear_error (&error);
  g_assert_false (loom_launch_fields_parse_time_limit ("1:5:00", &error));
  g_clear_error (&error);
}

/* Two engines "on this machine" through the form: they start through the
 * local launcher, register, and show under this host; quitting stops them. */
static void
test_add_local (void)
{
  LoomApplication *app;
  LoomWindow *window = open_window (&app, "dev.loom.LoomLaunchersLocal", 1);
  LoomEnginesView *view = loom_window_get_engines_view (window);
  GListModel *engines = loom_window_get_engines (window);
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *title = NULL;
  LoomEngineGroup *group;

  /* The form opens from the panel's toggle, on this machine's page. */
  g_assert_false (loom_engines_view_get_add_form_open (view));
  click (GTK_WIDGET (view), "add-engines-toggle");
  g_assert_true (loom_engines_view_get_add_form_open (view));
  g_assert_cmpstr (loom_add_engines_form_get_way (loom_engines_view_get_add_form (view)), ==, "local");
  set_field (GTK_WIDGET (view), "local-count", "2");
  save_panel (window, "engines-add-local.png");

  click (GTK_WIDGET (view), "add-engines-add");
  g_assert_null (loom_add_engines_form_get_message (loom_engines_view_get_add_form (view)));
  g_assert_cmpuint (loom_application_get_launchers (app)->len, ==, 1);
  g_assert_cmpstr (loom_launcher_get_name (g_ptr_array_index (loom_application_get_launchers (app), 0)), ==, "local");
  g_assert_cmpuint (loom_launcher_get_n_started (g_ptr_array_index (loom_application_get_launchers (app), 0)), ==, 2);
  g_assert_false (loom_engines_view_get_add_form_open (view));
  g_assert_nonnull (find_label_with (GTK_WIDGET (window), "Starting 2 engines on this machine"));

  wait_for_alive (window, 3);
  g_assert_cmpuint (g_list_model_get_n_items (engines), ==, 3);
  while (!find_label_with (GTK_WIDGET (view), "3 engines running on this machine"))
    g_main_context_iteration (NULL, TRUE);

  /* One group, this host's, labelled with its name and "this machine",
   * with a row per engine: id, state, tasks. */
  groups = list_groups (window);
  g_assert_cmpuint (groups->len, ==, 1);
  group = g_ptr_array_index (groups, 0);
  g_assert_cmpstr (loom_engine_group_get_host (group), ==, g_get_host_name ());
  g_assert_true (loom_engine_group_get_is_local (group));
  g_assert_cmpuint (g_list_model_get_n_items (loom_engine_group_get_engines (group)), ==, 3);
  g_assert_nonnull (find_label_with (GTK_WIDGET (group), g_get_host_name ()));
  g_assert_nonnull (find_label_with (GTK_WIDGET (group), "this machine"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (group), "3 of 3 running"));
  for (guint i = 0; i < g_list_model_get_n_items (engines); i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (engines, i);
      g_autofree char *row_title = g_strdup_printf ("Engine %u", loom_engine_info_get_id (info));
      gint64 pid = loom_engine_info_get_pid (info);

      g_assert_nonnull (find_label_with (GTK_WIDGET (group), row_title));
      g_array_append_val (pids, pid);
    }
  g_assert_nonnull (find_label_with (GTK_WIDGET (group), "Idle"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (group), "0 tasks done"));
  save_panel (window, "engines-grouped-local.png");

  /* Quitting stops the app's cluster and the engines its launcher added. */
  gtk_window_destroy (GTK_WINDOW (window));
  loom_application_stop_own_engines (app);
  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", g_array_index (pids, gint64, i));
      g_autofree char *stat = NULL;

      /* Gone, or a zombie nobody has reaped yet. */
      if (g_file_get_contents (path, &stat, NULL, NULL))
        g_assert_nonnull (strstr (stat, ") Z "));
    }
  g_assert_cmpuint (loom_application_get_launchers (app)->len, ==, 0);
  g_object_unref (app);
}

static guint
n_engines (LoomWindow *window)
{
  return g_list_model_get_n_items (loom_window_get_engines (window));
}

/* A wrong field is marked and says why; nothing starts. */
static void
expect_refused (LoomApplication *app,
                LoomWindow      *window,
                const char      *field,
                const char      *fragment)
{
  LoomEnginesView *view = loom_window_get_engines_view (window);
  LoomAddEnginesForm *form = loom_engines_view_get_add_form (view);
  guint before = n_engines (window);
  const char *message;

  click (GTK_WIDGET (view), "add-engines-add");
  message = loom_add_engines_form_get_message (form);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, fragment));
  g_assert_nonnull (find_label_with (GTK_WIDGET (view), fragment));
  if (field)
    g_assert_true (gtk_widget_has_css_class (find_widget_named (GTK_WIDGET (view), field), "error"));
  g_assert_true (loom_engines_view_get_add_form_open (view));
  g_assert_cmpuint (loom_application_get_launchers (app)->len, ==, 0);
  iterate_for (300);
  g_assert_cmpuint (n_engines (window), ==, before);
}

static void
test_invalid (void)
{
  LoomApplication *app;
  LoomWindow *window = open_window (&app, "dev.loom.LoomLaunchersInvalid", 1);
  LoomEnginesView *view = loom_window_get_engines_view (window);
  LoomAddEnginesForm *form = loom_engines_view_get_add_form (view);

  loom_engines_view_open_add_form (view, "local");
  set_field (GTK_WIDGET (view), "local-count", "0");
  expect_refused (app, window, "local-count", "Give a number of engines from 1 to 256");
  save_panel (window, "engines-add-invalid.png");
  /* Typing clears the mark. */
  set_field (GTK_WIDGET (view), "local-count", "abc");
  g_assert_null (loom_add_engines_form_get_message (form));
  g_assert_false (gtk_widget_has_css_class (find_widget_named (GTK_WIDGET (view), "local-count"), "error"));
  expect_refused (app, window, "local-count", "Give a number of engines");
  set_field (GTK_WIDGET (view), "local-count", "300");
  expect_refused (app, window, "local-count", "from 1 to 256");

  loom_engines_view_open_add_form (view, "ssh");
  set_field (GTK_WIDGET (view), "ssh-hosts", "");
  expect_refused (app, window, "ssh-hosts", "Give at least one host");
  set_field (GTK_WIDGET (view), "ssh-hosts", "nodeA:4, node B!");
  expect_refused (app, window, "ssh-hosts", "“B!” is not a host name");
  set_field (GTK_WIDGET (view), "ssh-hosts", "nodeA:four");
  expect_refused (app, window, "ssh-hosts", "after the colon comes the number of engines");
  set_field (GTK_WIDGET (view), "ssh-hosts", "nodeA:4");
  set_field (GTK_WIDGET (view), "ssh-port", "70000");
  expect_refused (app, window, "ssh-port", "A port is a number from 1 to 65535");
  save_panel (window, "engines-add-ssh-invalid.png");

  loom_engines_view_open_add_form (view, "slurm");
  set_field (GTK_WIDGET (view), "slurm-count", "0");
  expect_refused (app, window, "slurm-count", "Give a number of engines");
  set_field (GTK_WIDGET (view), "slurm-count", "8");
  set_field (GTK_WIDGET (view), "slurm-time", "1:5");
  expect_refused (app, window, "slurm-time", "hours:minutes:seconds");
  set_field (GTK_WIDGET (view), "slurm-time", "0:00:00");
  expect_refused (app, window, "slurm-time", "zero");

  /* Cancel closes the form and starts nothing. */
  click (GTK_WIDGET (view), "add-engines-cancel");
  g_assert_false (loom_engines_view_get_add_form_open (view));
  g_assert_null (loom_add_engines_form_get_message (form));
  g_assert_cmpuint (loom_application_get_launchers (app)->len, ==, 0);

  close_window (app, window);
}

/* What the launcher says when it cannot start engines for this cluster:
 * made here the way the app makes it, to compare with what the form shows. */
static char *
launcher_refusal (LoomApplication    *app,
                  const char         *name,
                  const char * const *options,
                  guint               n)
{
  g_autoptr(LoomLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;

  if (!(launcher = loom_launcher_new (name, &error)))
    return g_strdup (error->message);
  for (guint i = 0; options && options[i]; i += 2)
    if (!loom_launcher_set_option (launcher, options[i], options[i + 1], &error))
      return g_strdup (error->message);
  loom_launcher_set_connection_file (launcher, loom_client_get_connection_file (loom_application_get_client (app)));
  /* The app's cluster listens on ipc://: no remote launcher may start. */
  g_assert_true (loom_launcher_is_remote (launcher));
  g_assert_false (loom_launcher_start (launcher, n, &error));
  return g_strdup (error->message);
}

/* The launcher refuses (a remote one for the app's ipc:// cluster, or one
 * this build does not have): its message shows in the form, nothing
 * starts, nothing hangs. */
static void
test_refused (void)
{
  LoomApplication *app;
  LoomWindow *window = open_window (&app, "dev.loom.LoomLaunchersRefused", 1);
  LoomEnginesView *view = loom_window_get_engines_view (window);
  LoomAddEnginesForm *form = loom_engines_view_get_add_form (view);
  const char *ssh_options[] = { "host", "nodeA:2", "host", "nodeB", "ssh-port", "2222", NULL };
  const char *slurm_options[] = { "partition", "short", "time", "0:10:00", NULL };
  g_autofree char *ssh_refusal = launcher_refusal (app, "ssh", ssh_options, 3);
  g_autofree char *slurm_refusal = launcher_refusal (app, "slurm", slurm_options, 4);
  guint before = n_engines (window);

  g_test_message ("ssh: %s", ssh_refusal);
  g_test_message ("slurm: %s", slurm_refusal);

  loom_engines_view_open_add_form (view, "ssh");
  set_field (GTK_WIDGET (view), "ssh-hosts", "nodeA:2, nodeB");
  set_field (GTK_WIDGET (view), "ssh-port", "2222");
  click (GTK_WIDGET (view), "add-engines-add");
  g_assert_cmpstr (loom_add_engines_form_get_message (form), ==, ssh_refusal);
  g_assert_nonnull (find_label_with (GTK_WIDGET (view), ssh_refusal));
  g_assert_true (loom_engines_view_get_add_form_open (view));
  g_assert_cmpuint (loom_application_get_launchers (app)->len, ==, 0);
  save_panel (window, "engines-add-ssh-refused.png");

  loom_engines_view_open_add_form (view, "slurm");
  g_assert_null (loom_add_engines_form_get_message (form));
  set_field (GTK_WIDGET (view), "slurm-count", "4");
  set_field (GTK_WIDGET (view), "slurm-partition", "short");
  set_field (GTK_WIDGET (view), "slurm-time", "0:10:00");
  click (GTK_WIDGET (view), "add-engines-add");
  g_assert_cmpstr (loom_add_engines_form_get_message (form), ==, slurm_refusal);
  g_assert_cmpuint (loom_application_get_launchers (app)->len, ==, 0);
  save_panel (window, "engines-add-slurm-refused.png");

  /* A launcher no build has, by the window's action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.launch-engines", "(sua(ss))",
                                             "no-such-launcher", 1, NULL));
  g_assert_nonnull (loom_add_engines_form_get_message (form));
  g_assert_nonnull (strstr (loom_add_engines_form_get_message (form), "no-such-launcher"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (view), "no-such-launcher"));
  g_assert_cmpuint (loom_application_get_launchers (app)->len, ==, 0);

  iterate_for (500);
  g_assert_cmpuint (n_engines (window), ==, before);
  close_window (app, window);
}

/* A cluster of a profile's (as `loomctl cluster start` runs it), the app
 * attached: engines added through the form are recorded with the profile
 * and outlive the app, until their launchers are stopped from the record. */
static void
test_attached (void)
{
  g_autoptr(LoomCluster) cluster = loom_cluster_new ("lu-attached");
  g_autoptr(LoomApplication) app = NULL;
  g_autoptr(GPtrArray) recorded = NULL;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  LoomEnginesView *view;
  LoomWindow *window;
  GListModel *engines;

  g_assert_true (loom_cluster_start (cluster, 1, &error));
  g_assert_no_error (error);
  app = g_object_new (LOOM_TYPE_APPLICATION,
                      "application-id", "dev.loom.LoomLaunchersAttached",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/dev/loom/Loom",
                      NULL);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_settings_set_string (loom_application_get_settings (app), "profile", "lu-attached");
  g_assert_true (loom_application_attach (app, "lu-attached", &error));
  g_assert_no_error (error);

  window = loom_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  view = loom_window_get_engines_view (window);
  engines = loom_window_get_engines (window);
  wait_for_alive (window, 1);

  loom_engines_view_open_add_form (view, "local");
  set_field (GTK_WIDGET (view), "local-count", "2");
  click (GTK_WIDGET (view), "add-engines-add");
  g_assert_null (loom_add_engines_form_get_message (loom_engines_view_get_add_form (view)));
  wait_for_alive (window, 3);

  /* Recorded with the profile: `loomctl cluster stop` finds them. */
  recorded = loom_launcher_load_recorded ("lu-attached", &error);
  g_assert_no_error (error);
  g_assert_nonnull (recorded);
  g_assert_cmpuint (recorded->len, ==, 1);
  g_assert_cmpstr (loom_launcher_get_name (g_ptr_array_index (recorded, 0)), ==, "local");
  g_assert_cmpuint (loom_launcher_poll (g_ptr_array_index (recorded, 0), NULL), ==, 2);

  /* Quitting leaves the attached cluster running, the added engines too. */
  for (guint i = 0; i < g_list_model_get_n_items (engines); i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (engines, i);
      gint64 pid = loom_engine_info_get_pid (info);
      g_array_append_val (pids, pid);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  loom_application_stop_own_engines (app);
  g_clear_object (&app);
  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *proc = g_strdup_printf ("/proc/%" G_GINT64_FORMAT, g_array_index (pids, gint64, i));
      g_assert_true (g_file_test (proc, G_FILE_TEST_EXISTS));
    }

  /* What `loomctl cluster stop` does with them. */
  loom_launcher_stop (g_ptr_array_index (recorded, 0));
  g_assert_cmpuint (loom_launcher_poll (g_ptr_array_index (recorded, 0), NULL), ==, 0);
  loom_launcher_forget_recorded ("lu-attached");
  loom_cluster_stop (cluster);
}

/* A loom-engine that believes it runs on OTHER_HOST: a wrapper the local
 * launcher runs instead of loom-engine. */
static char *
make_other_host_engine (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lu-host-XXXXXX", NULL);
  char *wrapper = g_build_filename (dir, "loom-engine-elsewhere", NULL);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\n"
                                             "exec unshare --uts sh -c 'hostname %s && exec \"$0\" \"$@\"' '%s' \"$@\"\n",
                                             OTHER_HOST, g_getenv ("LOOM_ENGINE"));
  g_autofree char *probe_out = NULL;
  int status = -1;

  g_assert_true (g_file_set_contents (wrapper, script, -1, NULL));
  g_assert_cmpint (g_chmod (wrapper, 0755), ==, 0);
  /* Can this machine give a process a host name of its own? */
  if (!g_spawn_command_line_sync ("unshare --uts sh -c 'hostname " OTHER_HOST " && hostname'",
                                  &probe_out, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL) || probe_out == NULL || !g_str_has_prefix (probe_out, OTHER_HOST))
    {
      g_free (wrapper);
      return NULL;
    }
  return wrapper;
}

/* Each lane's label: "engine N · host" (the host up to its domain) with
 * @with_host, else "engine N". */
static gboolean
lanes_labelled (LoomTimelineModel *model,
                gboolean           with_host)
{
  for (guint l = 0; l < loom_timeline_model_get_n_lanes (model); l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (model, l);
      const char *host = loom_timeline_model_get_engine_host (model, lane->engine_id);
      g_autofree char *label = loom_timeline_lane_label (model, l, with_host);
      g_autofree char *expected = NULL;

      if (lane->sub > 0)
        continue;
      g_assert_nonnull (host);
      if (with_host)
        expected = g_strdup_printf ("engine %d · %.*s", lane->engine_id, (int) strcspn (host, "."), host);
      else
        expected = g_strdup_printf ("engine %d", lane->engine_id);
      g_test_message ("lane %u: %s", l, label);
      if (!g_str_equal (label, expected))
        return FALSE;
    }
  return TRUE;
}

static void
run_sweep (LoomWindow *window,
           const char *parameters)
{
  GListModel *jobs = loom_window_get_jobs (window);
  guint before = g_list_model_get_n_items (jobs);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  g_autoptr(LoomJob) job = NULL;

  loom_sweep_form_set_parameters (loom_window_get_form (window), parameters);
  g_assert_true (loom_sweep_form_is_valid (loom_window_get_form (window)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, before + 1);
  job = g_list_model_get_item (jobs, 0);
  while (!loom_async_result_ready (loom_job_get_result (job)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (loom_async_result_successful (loom_job_get_result (job)));
  iterate_for (300);
}

/* Engines of two hosts: the panel groups them, this machine first, and the
 * timeline names each lane's host; with one host it does not. */
static void
test_two_hosts (void)
{
  LoomApplication *app;
  LoomWindow *window = open_window (&app, "dev.loom.LoomLaunchersHosts", 2);
  LoomEnginesView *view = loom_window_get_engines_view (window);
  LoomTimelineModel *model = loom_timeline_get_model (loom_window_get_timeline (window));
  g_autofree char *wrapper = make_other_host_engine ();
  g_autofree char *real_engine = g_strdup (g_getenv ("LOOM_ENGINE"));
  g_autoptr(LoomLauncher) elsewhere = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  /* One host: lanes say "engine N", as they always did. */
  run_sweep (window, "t=range:0:4\nsleep=0.3");
  g_assert_cmpuint (loom_timeline_model_get_n_lane_hosts (model), ==, 1);
  g_assert_true (lanes_labelled (model, FALSE));

  if (wrapper == NULL)
    {
      close_window (app, window);
      g_test_skip ("cannot give an engine a host name of its own here (unshare --uts)");
      return;
    }

  /* A real engine on "another host", started by the test through a local
   * launcher of its own that runs the wrapper. */
  g_setenv ("LOOM_ENGINE", wrapper, TRUE);
  elsewhere = loom_launcher_new ("local", &error);
  g_assert_no_error (error);
  loom_launcher_set_connection_file (elsewhere, loom_client_get_connection_file (loom_application_get_client (app)));
  loom_launcher_set_log_dir (elsewhere, g_getenv ("XDG_STATE_HOME"));
  g_assert_true (loom_launcher_start (elsewhere, 2, &error));
  g_assert_no_error (error);
  g_setenv ("LOOM_ENGINE", real_engine, TRUE);
  wait_for_alive (window, 4);

  /* This machine first, with its name and "this machine"; then the other
   * host, its engines under it. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!find_label_with (GTK_WIDGET (view), OTHER_HOST) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  groups = list_groups (window);
  g_assert_cmpuint (groups->len, ==, 2);
  g_assert_cmpstr (loom_engine_group_get_host (g_ptr_array_index (groups, 0)), ==, g_get_host_name ());
  g_assert_true (loom_engine_group_get_is_local (g_ptr_array_index (groups, 0)));
  g_assert_nonnull (find_label_with (g_ptr_array_index (groups, 0), "this machine"));
  g_assert_cmpuint (g_list_model_get_n_items (loom_engine_group_get_engines (g_ptr_array_index (groups, 0))), ==, 2);
  g_assert_cmpstr (loom_engine_group_get_host (g_ptr_array_index (groups, 1)), ==, OTHER_HOST);
  g_assert_false (loom_engine_group_get_is_local (g_ptr_array_index (groups, 1)));
  {
    GtkWidget *label = find_label_with (g_ptr_array_index (groups, 1), "this machine");
    g_assert_true (label == NULL || !gtk_widget_get_visible (label));
  }
  g_assert_cmpuint (g_list_model_get_n_items (loom_engine_group_get_engines (g_ptr_array_index (groups, 1))), ==, 2);
  g_assert_nonnull (find_label_with (GTK_WIDGET (view), "4 engines running on 2 hosts"));

  /* Tasks on all four: lanes of both hosts, each named with its host. */
  run_sweep (window, "t=range:0:16\nsleep=0.3");
  g_assert_cmpuint (loom_timeline_model_get_n_lane_hosts (model), ==, 2);
  g_assert_true (lanes_labelled (model, TRUE));
  {
    g_autofree char *png = screenshot_path ("timeline-two-hosts.png");
    save_png (GTK_WIDGET (window), png);
    g_test_message ("window rendered to %s", png);
  }
  save_panel (window, "engines-grouped-two-hosts.png");

  /* The other host's engines stop with their launcher: the panel keeps
   * their rows, none of them running. */
  loom_launcher_stop (elsewhere);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!find_label_with (g_ptr_array_index (groups, 1), "0 of 2 running") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (find_label_with (g_ptr_array_index (groups, 1), "0 of 2 running"));

  close_window (app, window);
  g_unlink (wrapper);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *runtime = g_dir_make_tmp ("lu-XXXXXX", NULL);
  g_autofree char *state = g_build_filename (runtime, "state", NULL);

  /* The cluster's files and the engines' logs go to directories of the
   * test's own. */
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  ui_test_init (&argc, &argv);

  g_test_add_func ("/loom/ui/launchers/fields", test_fields);
  g_test_add_func ("/loom/ui/launchers/add-local", test_add_local);
  g_test_add_func ("/loom/ui/launchers/invalid", test_invalid);
  g_test_add_func ("/loom/ui/launchers/refused", test_refused);
  g_test_add_func ("/loom/ui/launchers/attached", test_attached);
  g_test_add_func ("/loom/ui/launchers/two-hosts", test_two_hosts);

  return g_test_run ();
}
