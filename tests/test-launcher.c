/* test-launcher.c: the launcher interface, through the local launcher
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A real controller and real engine processes: a launcher starts them,
 * counts them, is saved, read back in another object that finds the same
 * processes, and stops them.  The remote launchers are tested on real
 * daemons in the scaleout suite.
 */

#include <signal.h>

#include <glib/gstdio.h>

#include "loom-test-util.h"

typedef struct
{
  LoomController *controller;
  LoomClient     *client;
  char           *log_dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->controller = loom_controller_new (NULL);
  loom_controller_start (f->controller, &error);
  g_assert_no_error (error);
  f->client = loom_client_new_for_file (loom_controller_get_connection_file (f->controller), &error);
  g_assert_no_error (error);
  f->log_dir = g_build_filename (g_get_user_state_dir (), "launcher-logs", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  loom_client_close (f->client);
  g_clear_object (&f->client);
  loom_controller_stop (f->controller);
  g_clear_object (&f->controller);
  g_clear_pointer (&f->log_dir, g_free);
}

static LoomLauncher *
local_launcher (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  LoomLauncher *launcher = loom_launcher_new ("local", &error);
  const char *args[] = { "--grace-ms", "3000", NULL };

  g_assert_no_error (error);
  loom_launcher_set_connection_file (launcher, loom_controller_get_connection_file (f->controller));
  loom_launcher_set_log_dir (launcher, f->log_dir);
  loom_launcher_set_engine_args (launcher, args);
  return launcher;
}

/* The pids a saved launcher names. */
static GArray *
saved_pids (LoomLauncher *launcher)
{
  g_autoptr(JsonNode) node = loom_launcher_serialize (launcher);
  JsonObject *state = json_object_get_object_member (json_node_get_object (node), "state");
  JsonArray *engines = json_object_get_array_member (state, "engines");
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));

  for (guint i = 0; i < json_array_get_length (engines); i++)
    {
      GPid pid = (GPid) json_object_get_int_member (json_array_get_object_element (engines, i), "pid");
      g_array_append_val (pids, pid);
    }
  return pids;
}

/* Reaped: children by GLib's worker thread, within moments. */
static gboolean
pid_gone_soon (GPid pid)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!test_pid_gone (pid))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (10 * 1000);
    }
  return TRUE;
}

static void
test_names (void)
{
  g_auto(GStrv) names = loom_launcher_list_names ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomLauncher) launcher = NULL;

  g_assert_true (g_strv_contains ((const char * const *) names, "local"));

  launcher = loom_launcher_new ("no-such-launcher", &error);
  g_assert_null (launcher);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  /* The message says what there is. */
  g_assert_nonnull (strstr (error->message, "no-such-launcher"));
  g_assert_nonnull (strstr (error->message, "local"));
}

static void
test_options (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomLauncher) launcher = loom_launcher_new ("local", &error);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *options;

  g_assert_no_error (error);
  g_assert_cmpstr (loom_launcher_get_name (launcher), ==, "local");
  g_assert_false (loom_launcher_is_remote (launcher));

  g_assert_false (loom_launcher_set_option (launcher, "host", "nodeA:4", &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "host"));
  g_clear_error (&error);

  g_assert_false (loom_launcher_set_option (launcher, "detach", "maybe", &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (loom_launcher_set_option (launcher, "detach", "yes", &error));
  g_assert_no_error (error);

  /* Only the options taken are saved. */
  node = loom_launcher_serialize (launcher);
  options = json_object_get_array_member (json_node_get_object (node), "options");
  g_assert_cmpuint (json_array_get_length (options), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (options, 0), 0), ==, "detach");
}

static void
test_start_without_cluster (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomLauncher) launcher = loom_launcher_new ("local", &error);

  g_assert_false (loom_launcher_start (launcher, 2, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER);
  g_clear_error (&error);

  g_assert_false (loom_launcher_start (launcher, 0, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (loom_launcher_get_n_started (launcher), ==, 0);
}

static void
test_local_lifecycle (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomLauncher) launcher = local_launcher (f);
  g_autoptr(LoomLauncher) found = NULL;
  g_autoptr(JsonNode) saved = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autofree char *output = NULL;
  guint pending = 99;

  g_assert_true (loom_launcher_start (launcher, 2, &error));
  g_assert_no_error (error);
  g_assert_true (loom_launcher_wait_for_engines (launcher, f->client, 2, 30, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (loom_launcher_get_n_started (launcher), ==, 2);
  g_assert_cmpuint (loom_launcher_poll (launcher, &pending), ==, 2);
  g_assert_cmpuint (pending, ==, 0);

  /* Saved, and read back as another program would: the same processes,
   * found through /proc rather than as children. */
  saved = loom_launcher_serialize (launcher);
  found = loom_launcher_deserialize (saved, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loom_launcher_get_name (found), ==, "local");
  g_assert_cmpuint (loom_launcher_get_n_started (found), ==, 2);
  g_assert_cmpstr (loom_launcher_get_connection_file (found), ==, loom_controller_get_connection_file (f->controller));
  g_assert_cmpuint (loom_launcher_poll (found, NULL), ==, 2);

  /* Each engine logs to engine-PID.log in the log directory. */
  output = loom_launcher_get_output (launcher);
  g_assert_nonnull (strstr (output, "engine-"));

  /* The copy stops them: every process ends, and the original sees it. */
  pids = saved_pids (found);
  g_assert_cmpuint (pids->len, ==, 2);
  loom_launcher_stop (found);
  for (guint i = 0; i < pids->len; i++)
    g_assert_true (pid_gone_soon (g_array_index (pids, GPid, i)));
  g_assert_cmpuint (loom_launcher_poll (found, NULL), ==, 0);
  loom_launcher_stop (launcher);
  g_assert_cmpuint (loom_launcher_poll (launcher, NULL), ==, 0);
}

static void
test_local_signal (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomLauncher) launcher = local_launcher (f);
  g_autoptr(GArray) pids = NULL;

  g_assert_true (loom_launcher_start (launcher, 2, &error));
  g_assert_true (loom_launcher_wait_for_engines (launcher, f->client, 2, 30, &error));
  g_assert_no_error (error);
  pids = saved_pids (launcher);

  /* SIGKILL: nothing of the engines' own handling can keep them. */
  g_assert_true (loom_launcher_signal (launcher, SIGKILL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < pids->len; i++)
    g_assert_true (pid_gone_soon (g_array_index (pids, GPid, i)));
  loom_launcher_stop (launcher);
}

static void
test_exit_before_registering (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomLauncher) launcher = local_launcher (f);
  const char *bad[] = { "--no-such-engine-option", NULL };
  gint64 begin;

  /* Engines that refuse their command line end at once: the wait says so
   * long before its timeout, and where the logs are. */
  loom_launcher_set_engine_args (launcher, bad);
  g_assert_true (loom_launcher_start (launcher, 2, &error));
  g_assert_no_error (error);
  begin = g_get_monotonic_time ();
  g_assert_false (loom_launcher_wait_for_engines (launcher, f->client, 2, 60, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE);
  g_assert_nonnull (strstr (error->message, "exited before registering"));
  g_assert_nonnull (strstr (error->message, f->log_dir));
  g_assert_cmpint (g_get_monotonic_time () - begin, <, 30 * G_USEC_PER_SEC);
  loom_launcher_stop (launcher);
}

static void
test_record (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomLauncher) first = local_launcher (f);
  g_autoptr(LoomLauncher) second = local_launcher (f);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "loom", "rec", NULL);
  g_autofree char *path = g_build_filename (dir, "launchers.json", NULL);
  GStatBuf st;

  g_assert_true (loom_launcher_start (first, 1, &error));
  g_assert_no_error (error);
  g_assert_true (loom_launcher_record (first, "rec", &error));
  g_assert_no_error (error);
  g_assert_true (loom_launcher_start (first, 1, &error));
  /* Recorded again: its entry is replaced, not added. */
  g_assert_true (loom_launcher_record (first, "rec", &error));
  g_assert_true (loom_launcher_start (second, 1, &error));
  g_assert_true (loom_launcher_record (second, "rec", &error));
  g_assert_no_error (error);
  g_assert_true (loom_launcher_wait_for_engines (first, f->client, 3, 30, &error));
  g_assert_no_error (error);

  /* Only its owner reads it. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  loaded = loom_launcher_load_recorded ("rec", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 2);
  g_assert_cmpuint (loom_launcher_get_n_started (g_ptr_array_index (loaded, 0)), ==, 2);
  g_assert_cmpuint (loom_launcher_get_n_started (g_ptr_array_index (loaded, 1)), ==, 1);

  /* What `cluster stop` does: stop everything recorded, forget it. */
  pids = saved_pids (first);
  for (guint i = 0; i < loaded->len; i++)
    loom_launcher_stop (g_ptr_array_index (loaded, i));
  loom_launcher_forget_recorded ("rec");
  for (guint i = 0; i < pids->len; i++)
    g_assert_true (pid_gone_soon (g_array_index (pids, GPid, i)));
  g_assert_cmpuint (loom_launcher_poll (second, NULL), ==, 0);

  g_clear_pointer (&loaded, g_ptr_array_unref);
  loaded = loom_launcher_load_recorded ("rec", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 0);

  loom_launcher_stop (first);
  loom_launcher_stop (second);
}

static void
test_bad_state (void)
{
  static const char *bad[] = {
    "[]",
    "{}",
    "{\"launcher\": 3}",
    "{\"launcher\": \"nope\"}",
    "{\"launcher\": \"local\", \"options\": [[\"detach\"]]}",
    "{\"launcher\": \"local\", \"options\": [[\"detach\", \"maybe\"]]}",
    "{\"launcher\": \"local\", \"options\": [[\"host\", \"a\"]]}",
    "{\"launcher\": \"local\", \"engine_args\": [1]}",
    "{\"launcher\": \"local\", \"state\": {\"engines\": 4}}",
    "{\"launcher\": \"local\", \"state\": {\"engines\": [{\"pid\": -1}]}}",
    "{\"launcher\": \"local\", \"state\": {\"engines\": [\"x\"]}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = json_from_string (bad[i], &error);
      g_autoptr(LoomLauncher) launcher = NULL;

      g_assert_no_error (error);
      launcher = loom_launcher_deserialize (node, &error);
      g_assert_null (launcher);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", bad[i], error->message);
    }
}

static void
test_bad_record (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "loom", "broken", NULL);
  g_autofree char *path = g_build_filename (dir, "launchers.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(LoomLauncher) launcher = loom_launcher_new ("local", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "{\"not\": \"a list\"}", -1, NULL));

  loaded = loom_launcher_load_recorded ("broken", &error);
  g_assert_null (loaded);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  /* Recording over it refuses too, rather than lose what it may name. */
  g_assert_false (loom_launcher_record (launcher, "broken", &error));
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/loom/launcher/names", test_names);
  g_test_add_func ("/loom/launcher/options", test_options);
  g_test_add_func ("/loom/launcher/start-without-cluster", test_start_without_cluster);
  g_test_add_func ("/loom/launcher/bad-state", test_bad_state);
  g_test_add_func ("/loom/launcher/bad-record", test_bad_record);
  g_test_add ("/loom/launcher/local", Fixture, NULL, fixture_setup, test_local_lifecycle, fixture_teardown);
  g_test_add ("/loom/launcher/local-signal", Fixture, NULL, fixture_setup, test_local_signal, fixture_teardown);
  g_test_add ("/loom/launcher/exit-before-registering", Fixture, NULL, fixture_setup,
              test_exit_before_registering, fixture_teardown);
  g_test_add ("/loom/launcher/record", Fixture, NULL, fixture_setup, test_record, fixture_teardown);

  return g_test_run ();
}
