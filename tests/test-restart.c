/* test-restart.c: jobs outlive their controller
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Real clusters started with loomctl, a controller killed with SIGKILL in
 * the middle of a job, and a new one started on the same profile: the job
 * store, engines that wait and register again, and clients that attach to
 * their jobs again must together lose nothing.
 */

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "loom-cli-test-util.h"

static gint64
controller_pid (const char *profile)
{
  g_autoptr(JsonNode) status = cluster_status (profile);

  return json_object_get_int_member (json_object_get_object_member (json_node_get_object (status), "controller"),
                                     "pid");
}

static void
kill_controller (const char *profile)
{
  gint64 pid = controller_pid (profile);

  g_assert_cmpint (kill ((pid_t) pid, SIGKILL), ==, 0);
  g_assert_true (wait_pid_gone (pid, 5));
}

/* Lines "0" … "n-1", each once and in order. */
static void
assert_counts_to (const char *out,
                  guint       n)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  guint got = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *expected = NULL;

      if (*lines[i] == '\0')
        continue;
      expected = g_strdup_printf ("%u", got);
      g_assert_cmpstr (lines[i], ==, expected);
      got++;
    }
  g_assert_cmpuint (got, ==, n);
}

/* SIGKILL of the controller while `loomctl run` waits; `cluster start`
 * on the profile again: the engines are the same processes, and every
 * task's output arrives once, in order. */
static void
test_kill_mid_job (void)
{
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *start_out = NULL;
  const char *args[] = { "run", "--profile", "rs", "--sweep", "i=range:0:60", "--", "sh", "-c",
                         "sleep 0.05; echo {i}", NULL };

  cluster_start ("rs", "2");
  before = cluster_engine_pids ("rs");
  g_assert_cmpuint (before->len, ==, 2);

  run = spawn_loomctlv (args);
  /* Let some tasks finish, then pull the controller away. */
  g_usleep (G_USEC_PER_SEC);
  kill_controller ("rs");
  g_usleep (G_USEC_PER_SEC / 2);

  g_assert_cmpint (run_loomctl (&start_out, NULL, "cluster", "start", "-n", "2", "--profile", "rs", NULL), ==, 0);
  g_assert_nonnull (strstr (start_out, "restarted: 2 engines of the previous controller came back"));

  g_assert_cmpint (finish_loomctl (run, "run across a restart", &out, &err), ==, 0);
  assert_counts_to (out, 60);

  after = cluster_engine_pids ("rs");
  g_assert_cmpuint (after->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (g_array_index (after, gint64, i), ==, g_array_index (before, gint64, i));

  /* The job is the store's: it lists it done. */
  {
    g_autofree char *jobs = NULL;

    g_assert_cmpint (run_loomctl (&jobs, NULL, "jobs", "--profile", "rs", NULL), ==, 0);
    g_assert_nonnull (strstr (jobs, "      60      60       0"));
  }
  cluster_stop ("rs");
  assert_nothing_left ();
}

/* Every engine gone with the controller: the restarted one queues the
 * job's unfinished tasks until engines are added. */
static void
test_restart_without_engines (void)
{
  g_autoptr(GSubprocess) controller = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *job_text = NULL;
  guint job;

  g_assert_cmpint (run_loomctl (&out, NULL, "cluster", "start", "-n", "1", "--reconnect-timeout", "0.5",
                                "--profile", "rn", NULL), ==, 0);
  pids = cluster_engine_pids ("rn");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, NULL, "map", "sleep", "--sweep", "seconds=0.1", "--sweep", "i=range:0:30",
                                "--async", "--profile", "rn", NULL), ==, 0);
  job = parse_job (out);
  g_usleep (G_USEC_PER_SEC / 2);
  kill_controller ("rn");
  /* Its engine gives up on it. */
  g_assert_true (wait_pid_gone (g_array_index (pids, gint64, 0), 10));

  {
    const char *args[] = { "cluster", "start", "-n", "2", "--profile", "rn", NULL };
    g_autofree char *start_out = NULL;
    GSubprocess *start = spawn_loomctlv (args);

    g_assert_cmpint (finish_loomctl (start, "cluster start", &start_out, NULL), ==, 0);
    g_assert_nonnull (strstr (start_out, "restarted: 0 engines of the previous controller came back"));
    g_object_unref (start);
  }

  job_text = g_strdup_printf ("%u", job);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "get", job_text, "--json", "--profile", "rn", NULL), ==, 0);
  report = parse_json (out);
  g_assert_cmpint (json_object_get_int_member (report_job (report), "done"), ==, 30);
  for (guint i = 0; i < 30; i++)
    {
      JsonObject *task = task_at (report, i);
      g_assert_cmpstr (json_object_get_string_member (task, "status"), ==, "done");
    }
  cluster_stop ("rn");
  assert_nothing_left ();
}

/* A clean stop and start: the store gives the jobs of the run before back,
 * results and all; purge removes them. */
static void
test_store_read_back_and_purge (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) status = NULL;

  cluster_start ("rp", "2");
  for (guint i = 0; i < 3; i++)
    {
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run_loomctl (&out, NULL, "map", "echo", "--sweep", "x=range:0:50", "--profile", "rp", NULL),
                       ==, 0);
    }
  cluster_stop ("rp");
  cluster_start ("rp", "1");

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, NULL, "jobs", "--profile", "rp", NULL), ==, 0);
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *row = g_strdup_printf ("    %u  echo", i);
      g_assert_nonnull (strstr (out, row));
    }

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "get", "2", "--json", "--profile", "rp", NULL), ==, 0);
  report = parse_json (out);
  g_assert_cmpint (json_object_get_int_member (report_job (report), "done"), ==, 50);
  for (guint i = 0; i < 50; i++)
    {
      JsonObject *task = task_at (report, i);
      JsonObject *result = json_object_get_object_member (task, "result");

      g_assert_cmpint (json_object_get_int_member (result, "x"), ==, i);
    }

  status = cluster_status ("rp");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (status), "store")));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_node_get_object (status), "store"),
                                               "bytes"), >, 0);

  /* New jobs number on from the old ones. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, NULL, "map", "echo", "--sweep", "x=1", "--async", "--profile", "rp", NULL), ==, 0);
  g_assert_cmpuint (parse_job (out), ==, 4);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, NULL, "get", "4", "--profile", "rp", NULL), ==, 0);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "jobs", "purge", "--keep", "1", "--profile", "rp", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Removed 3 finished jobs"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, NULL, "jobs", "--profile", "rp", NULL), ==, 0);
  g_assert_null (strstr (out, "    1  echo"));
  g_assert_nonnull (strstr (out, "    4  echo"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (NULL, &err, "show", "1", "--profile", "rp", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "no job"));

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (NULL, &err, "jobs", "purge", "--older-than", "soon", "--profile", "rp", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--older-than takes a duration"));
  cluster_stop ("rp");
  assert_nothing_left ();
}

/* --keep-jobs: once jobs finish, the store keeps the newest N; the rest go
 * without a purge being asked for. */
static void
test_retention (void)
{
  g_autofree char *out = NULL;
  gint64 deadline;

  g_assert_cmpint (run_loomctl (&out, NULL, "cluster", "start", "-n", "1", "--keep-jobs", "2", "--profile", "rk", NULL),
                   ==, 0);
  for (guint i = 0; i < 4; i++)
    {
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run_loomctl (&out, NULL, "map", "echo", "--sweep", "x=range:0:20", "--profile", "rk", NULL),
                       ==, 0);
    }

  /* The writer removes them after it has stored the last job. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  do
    {
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run_loomctl (&out, NULL, "jobs", "--profile", "rk", NULL), ==, 0);
      if (strstr (out, "    2  echo") == NULL)
        break;
      g_usleep (100 * 1000);
    }
  while (g_get_monotonic_time () < deadline);
  g_assert_null (strstr (out, "    1  echo"));
  g_assert_null (strstr (out, "    2  echo"));
  g_assert_nonnull (strstr (out, "    3  echo"));
  g_assert_nonnull (strstr (out, "    4  echo"));
  cluster_stop ("rk");
  assert_nothing_left ();
}

static void
limit_file_size (gpointer data)
{
  struct rlimit limit = { 400 * 1000, 400 * 1000 };

  setrlimit (RLIMIT_FSIZE, &limit);
}

/* A store that cannot grow (a file size limit stands for a full disk):
 * the job fails with an error that says so, and the controller serves on. */
static void
test_store_full (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) controller = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_set_child_setup (launcher, limit_file_size, NULL, NULL);
  controller = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("LOOM_CONTROLLER"), "--profile", "fd", NULL);
  g_assert_no_error (error);
  while (run_loomctl (NULL, NULL, "ids", "--profile", "fd", NULL) != 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
  g_assert_cmpint (run_loomctl (&out, NULL, "engines", "add", "2", "--profile", "fd", NULL), ==, 0);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=range:0:30000", "--profile", "fd", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "StoreFailed: the job store could not be written"));

  /* Still serving. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, NULL, "cluster", "status", "--profile", "fd", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Job store: "));
  cluster_stop ("fd");
  g_assert_true (g_subprocess_wait (controller, NULL, NULL));
  assert_nothing_left ();
}

int
main (int   argc,
      char *argv[])
{
  g_set_prgname ("lr");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGABRT, kill_ours_and_abort);

  g_test_add_func ("/loom/restart/kill-mid-job", test_kill_mid_job);
  g_test_add_func ("/loom/restart/without-engines", test_restart_without_engines);
  g_test_add_func ("/loom/restart/store-read-back-and-purge", test_store_read_back_and_purge);
  g_test_add_func ("/loom/restart/retention", test_retention);
  g_test_add_func ("/loom/restart/store-full", test_store_full);

  return g_test_run ();
}
