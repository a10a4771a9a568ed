/* test-errors.c: what a new user trips over, told so they can act
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A cluster whose controller was killed, a cluster without engines, bad
 * addresses, names and keys, and a missing runtime directory, each run
 * through the real loomctl, controller and engines.
 */

#include "config.h"

#include <signal.h>
#include <sys/wait.h>

#include "loom-cli-test-util.h"

/* The pid the connection file of @profile names. */
static gint64
controller_pid_of (const char *profile)
{
  g_autofree char *file = connection_file (profile);
  g_autofree char *data = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_true (g_file_get_contents (file, &data, NULL, NULL));
  root = parse_json (data);
  return json_object_get_int_member (json_node_get_object (root), "controller_pid");
}

/* Starts a cluster of one engine for @profile and kills its controller
 * with SIGKILL, leaving its connection file behind. */
static gint64
start_and_kill_controller (const char *profile)
{
  g_autoptr(JsonNode) status = NULL;
  g_autofree char *out = NULL;
  JsonArray *engines;
  gint64 pid;

  /* Engines wait a while for a restarted controller: a short while here. */
  if (profile)
    g_assert_cmpint (run_loomctl (&out, NULL, "cluster", "start", "-n", "1", "--reconnect-timeout", "1",
                                  "--profile", profile, NULL), ==, 0);
  else
    g_assert_cmpint (run_loomctl (&out, NULL, "cluster", "start", "-n", "1", "--reconnect-timeout", "1", NULL), ==, 0);
  status = cluster_status (profile);
  engines = json_object_get_array_member (json_node_get_object (status), "engines");
  pid = controller_pid_of (profile ? profile : "default");
  g_assert_cmpint (kill ((pid_t) pid, SIGKILL), ==, 0);
  g_assert_true (wait_pid_gone (pid, 5));
  /* Its engines notice that it is gone and end by themselves. */
  for (guint i = 0; i < json_array_get_length (engines); i++)
    g_assert_true (wait_pid_gone (json_object_get_int_member (json_array_get_object_element (engines, i), "pid"), 30));
  return pid;
}

/* Whether $XDG_RUNTIME_DIR/loom holds nothing of @profile: neither its
 * connection file nor its ipc sockets. */
static gboolean
nothing_of_profile (const char *profile)
{
  g_autofree char *files = runtime_files ();
  g_autofree char *prefix = g_strdup_printf ("%s-", profile);
  g_autofree char *json = g_strdup_printf ("%s.json", profile);

  g_test_message ("runtime files: %s", files);
  return strstr (files, prefix) == NULL && strstr (files, json) == NULL;
}

static void
test_stale_status (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *pid_text = NULL;

  pid_text = g_strdup_printf ("(pid %" G_GINT64_FORMAT ")", start_and_kill_controller ("st"));
  g_assert_cmpint (run_loomctl (&out, &err, "cluster", "status", "--profile", "st", NULL), ==, 3);
  g_assert_nonnull (strstr (err, "the controller of profile “st”"));
  g_assert_nonnull (strstr (err, pid_text));
  g_assert_nonnull (strstr (err, "is no longer running; “loomctl cluster start --profile st” replaces it"));
  g_assert_null (strstr (err, "does not answer"));
  g_assert_true (nothing_of_profile ("st"));

  /* The file is gone: the next command says there is no cluster. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "ids", "--profile", "st", NULL), ==, 3);
  g_assert_nonnull (strstr (err, "no cluster for profile “st”"));
  assert_nothing_left ();
}

static void
test_stale_stop (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  start_and_kill_controller ("st");
  g_assert_cmpint (run_loomctl (&out, &err, "cluster", "stop", "--profile", "st", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Cluster “st” was not running"));
  g_assert_nonnull (strstr (out, "removed its stale connection file"));
  g_assert_true (nothing_of_profile ("st"));
  assert_nothing_left ();
}

static void
test_stale_start (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 old = start_and_kill_controller (NULL);

  g_assert_cmpint (run_loomctl (&out, &err, "cluster", "start", "-n", "1", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "started"));
  g_assert_nonnull (strstr (err, "is no longer running; removed its stale connection file"));
  /* Its engines had given up: the new controller starts its own. */
  g_assert_nonnull (strstr (out, "restarted: 0 engines of the previous controller came back"));
  g_assert_cmpint (controller_pid_of ("default"), !=, old);
  cluster_stop (NULL);
  assert_nothing_left ();
}

static void
test_stale_map (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  start_and_kill_controller ("st");
  g_assert_cmpint (run_loomctl (&out, &err, "map", "sleep", "--sweep", "seconds=0,0", "-n", "2",
                                "--profile", "st", NULL), ==, 0);
  g_assert_nonnull (strstr (err, "the controller of profile “st”"));
  g_assert_nonnull (strstr (err, "removed its stale connection file"));
  g_assert_true (nothing_of_profile ("st"));
  assert_nothing_left ();
}

/* A second `cluster start` on a running profile: exit 5, the running
 * cluster untouched. */
static void
test_already_running (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) status = NULL;
  gint64 pid;

  cluster_start ("twice", "1");
  pid = controller_pid_of ("twice");
  g_assert_cmpint (run_loomctl (&out, &err, "cluster", "start", "-n", "1", "--profile", "twice", NULL), ==, 5);
  g_assert_nonnull (strstr (err, "a cluster is already running for profile “twice”"));
  g_assert_nonnull (strstr (err, "loomctl cluster stop --profile twice"));
  g_assert_cmpint (controller_pid_of ("twice"), ==, pid);
  status = cluster_status ("twice");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (status), "engines")), ==, 1);
  cluster_stop ("twice");
  assert_nothing_left ();
}

static void
test_no_engines (void)
{
  g_autoptr(JsonNode) status = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  JsonObject *engine;

  cluster_start ("ne", "1");
  status = cluster_status ("ne");
  engine = json_array_get_object_element (json_object_get_array_member (json_node_get_object (status), "engines"), 0);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (engine, "id"));
  g_assert_cmpint (run_loomctl (&out, &err, "engines", "stop", id, "--profile", "ne", NULL), ==, 0);
  g_assert_true (wait_pid_gone (json_object_get_int_member (engine, "pid"), 10));

  /* The job waits for an engine; loomctl says so instead of keeping quiet. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "map", "sleep", "--sweep", "seconds=0,0", "--timeout", "4",
                                "--profile", "ne", NULL), ==, 4);
  g_assert_nonnull (strstr (err, "loomctl: no live engine in cluster “ne”: 2 tasks wait; "
                                 "start engines with “loomctl engines add N --profile ne”"));
  g_assert_nonnull (strstr (err, "is not done after 4 s"));
  cluster_stop ("ne");
  assert_nothing_left ();
}

/* Runs the program in $@variable with @args and returns its exit status,
 * with its stderr in @err. */
static int
run_program (const char  *variable,
             const char **args,
             char       **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (g_getenv (variable));
  g_ptr_array_add (argv, (gpointer) g_getenv (variable));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s: %s", variable, *err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_bad_ip (void)
{
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (run_program ("LOOM_CONTROLLER", (const char *[]) { "--ip", "999.1.1.1", NULL }, &err), ==, 2);
  g_assert_nonnull (strstr (err, "loom-controller: “999.1.1.1” is not a valid listen address"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "cluster", "start", "-n", "1", "--ip", "999.1.1.1", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--ip: “999.1.1.1” is not a valid listen address"));
  assert_nothing_left ();
}

static void
test_long_profile (void)
{
  g_autofree char *name = g_strnfill (65, 'p');
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (run_loomctl (&out, &err, "ids", "--profile", name, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "is too long: 65 characters, at most 64"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_program ("LOOM_CONTROLLER", (const char *[]) { "--profile", name, NULL }, &err), ==, 2);
  g_assert_nonnull (strstr (err, "is too long: 65 characters, at most 64"));
  assert_nothing_left ();
}

static void
test_wrong_key (void)
{
  g_autofree char *file = connection_file ("km");
  g_autofree char *stem = g_strndup (file, strlen (file) - strlen (".json"));
  g_autofree char *engine_file = g_strconcat (stem, "-engine.json", NULL);
  g_autofree char *copy = g_build_filename (g_get_user_runtime_dir (), "wrong-key.json", NULL);
  g_autofree char *data = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GRegex) key = g_regex_new ("\"key\" : \"[0-9a-f]+\"", 0, 0, NULL);
  g_autofree char *wrong = NULL;
  g_autofree char *zeros = g_strnfill (64, '0');
  g_autofree char *replacement = g_strdup_printf ("\"key\" : \"%s\"", zeros);
  g_autofree char *expected = g_strdup_printf ("the key in %s may not match the controller's", copy);

  cluster_start ("km", "1");

  /* The clients' file is not an engine's (and the engines' one is not
   * beside this copy): refused, naming the file engines need. */
  g_assert_true (g_file_get_contents (file, &data, NULL, NULL));
  g_assert_true (g_file_set_contents (copy, data, -1, NULL));
  g_chmod (copy, 0600);
  g_assert_cmpint (run_program ("LOOM_ENGINE", (const char *[]) { "-c", copy, "--grace-ms", "1000", NULL }, &err), ==, 3);
  g_assert_nonnull (strstr (err, "is the clients' connection file: an engine needs the engines' one"));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&data, g_free);

  /* The engines' file with a wrong key. */
  g_assert_true (g_file_get_contents (engine_file, &data, NULL, NULL));
  wrong = g_regex_replace_literal (key, data, -1, 0, replacement, 0, NULL);
  g_assert_cmpstr (wrong, !=, data);
  g_assert_true (g_file_set_contents (copy, wrong, -1, NULL));
  g_chmod (copy, 0600);
  g_assert_cmpint (run_program ("LOOM_ENGINE", (const char *[]) { "-c", copy, "--grace-ms", "1000", NULL }, &err), ==, 4);
  g_assert_nonnull (strstr (err, "does not answer"));
  g_assert_nonnull (strstr (err, expected));
  g_unlink (copy);
  cluster_stop ("km");
  assert_nothing_left ();
}

static void
test_missing_runtime_dir (void)
{
  g_autofree char *missing = g_build_filename (g_get_user_runtime_dir (), "no-such-dir", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* Neither created silently nor used: loomctl says what to set. */
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", missing, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("LOOMCTL"), "cluster", "start", "-n", "1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_test_message ("%s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
  g_assert_nonnull (strstr (err, "XDG_RUNTIME_DIR is "));
  g_assert_nonnull (strstr (err, "which does not exist: set it to your runtime directory"));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  assert_nothing_left ();
}

int
main (int   argc,
      char *argv[])
{
  /* A short name keeps the ipc:// socket paths under the 107-byte limit. */
  g_set_prgname ("le");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGABRT, kill_ours_and_abort);

  g_test_add_func ("/loom/errors/stale-status", test_stale_status);
  g_test_add_func ("/loom/errors/stale-stop", test_stale_stop);
  g_test_add_func ("/loom/errors/stale-start", test_stale_start);
  g_test_add_func ("/loom/errors/stale-map", test_stale_map);
  g_test_add_func ("/loom/errors/already-running", test_already_running);
  g_test_add_func ("/loom/errors/no-engines", test_no_engines);
  g_test_add_func ("/loom/errors/bad-ip", test_bad_ip);
  g_test_add_func ("/loom/errors/long-profile", test_long_profile);
  g_test_add_func ("/loom/errors/wrong-key", test_wrong_key);
  g_test_add_func ("/loom/errors/missing-runtime-dir", test_missing_runtime_dir);

  return g_test_run ();
}
