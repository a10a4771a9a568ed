/* test-cli.c: the real loomctl, run as a user runs it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every case runs $LOOMCTL as a subprocess with this test's isolated
 * XDG_RUNTIME_DIR (connection files, ipc:// sockets) and XDG_STATE_HOME
 * (logs), so clusters of different cases never meet.  Every process a
 * case starts inherits that XDG_RUNTIME_DIR: a case ends by checking that
 * no such process is left.
 */

#include "config.h"

#include <string.h>

#include "loom-cli-test-util.h"

static GSubprocess *
spawn_loomctl (const char *first_arg,
               ...) G_GNUC_NULL_TERMINATED;

static GSubprocess *
spawn_loomctl (const char *first_arg,
               ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *a = first_arg; a; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return spawn_loomctlv ((const char * const *) args->pdata);
}

/* The text after @prefix on the line of @text that starts with it. */
static char *
line_value (const char *text,
            const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  return NULL;
}

/* --- cases --------------------------------------------------------------- */

/* A map of 10^5 tasks, submitted as its sweep: every task's result once,
 * in order (never timed: the machine is shared). */
static void
test_map_large (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GString) expected = g_string_new ("[");

  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (expected, "%s{'x': %u}", i ? ", " : "", i);
  g_string_append (expected, "]\n");

  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=range:0:100000", "-n", "2", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpuint (strlen (out), ==, expected->len);
  g_assert_cmpstr (out, ==, expected->str);
  assert_nothing_left ();
}

static void
test_cluster_round_trip (void)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GRegex) row = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *file = connection_file ("default");
  g_autofree char *printed_file = NULL;
  g_autofree char *printed_logs = NULL;
  g_autofree char *logs = g_build_filename (g_get_user_state_dir (), "loom", "default", NULL);
  g_autoptr(GArray) engine_pids = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonObject *status;
  JsonArray *engines;
  gint64 controller;
  GStatBuf st;
  guint rows = 0;

  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  /* start */
  g_assert_cmpint (run_loomctl (&out, &err, "cluster", "start", "-n", "3", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "3 engines"));
  printed_file = line_value (out, "Connection file: ");
  printed_logs = line_value (out, "Logs: ");
  g_assert_cmpstr (printed_file, ==, file);
  g_assert_cmpstr (printed_logs, ==, logs);
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_test (logs, G_FILE_TEST_IS_DIR));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* status, as JSON */
  root = cluster_status (NULL);
  status = json_node_get_object (root);
  assert_has_members (status, (const char * const[]) { "controller", "engines", "dropped", NULL });
  controller = json_object_get_int_member (json_object_get_object_member (status, "controller"), "pid");
  g_assert_cmpint (controller, >, 0);
  g_assert_false (pid_gone (controller));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (status, "controller"), "profile"),
                   ==, "default");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (status, "dropped")));
  engines = json_object_get_array_member (status, "engines");
  g_assert_cmpuint (json_array_get_length (engines), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *e = json_array_get_object_element (engines, i);
      gint64 pid = json_object_get_int_member (e, "pid");

      assert_has_members (e, (const char * const[]) { "id", "pid", "state", "log", NULL });
      g_assert_cmpint (json_object_get_int_member (e, "id"), ==, i);
      g_assert_cmpstr (json_object_get_string_member (e, "state"), ==, "idle");
      g_assert_cmpint (pid, >, 0);
      g_assert_cmpint (pid, !=, controller);
      g_assert_false (pid_gone (pid));
      g_assert_true (g_file_test (json_object_get_string_member (e, "log"), G_FILE_TEST_IS_REGULAR));
      g_array_append_val (engine_pids, pid);
    }

  /* The cluster outlives `cluster start`: its controller and engines are
   * exactly the processes that carry this test's runtime dir (which is
   * also how every case checks that nothing is left). */
  {
    g_autoptr(GArray) ours = find_our_processes ();
    guint found = 0;

    for (guint i = 0; i < ours->len; i++)
      {
        gint64 pid = g_array_index (ours, gint64, i);
        found += pid == controller;
        for (guint j = 0; j < engine_pids->len; j++)
          found += pid == g_array_index (engine_pids, gint64, j);
      }
    g_assert_cmpuint (ours->len, ==, 4);
    g_assert_cmpuint (found, ==, 4);
  }


  /* status, as text: one row per engine, its state and its log */
  g_assert_cmpint (run_loomctl (&out, &err, "cluster", "status", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  {
    g_autofree char *pid_text = g_strdup_printf ("controller pid %" G_GINT64_FORMAT, controller);
    g_autofree char *file_line = line_value (out, "Connection file: ");

    g_assert_nonnull (strstr (out, pid_text));
    g_assert_cmpstr (file_line, ==, file);
  }
  /* ID HOST PID STATE DONE BUSY LAUNCHER JOB CLOCK LOG; the clock is
   * "OFFSET ±UNCERTAINTY", two words. */
  row = g_regex_new ("^ *([0-9]+) +(\\S+) +([0-9]+) +(\\S+) +([0-9]+) +([0-9.]+)% +(\\S+) +(\\S+) +(\\S+ \\S+|-) +(\\S+)$",
                     G_REGEX_MULTILINE, 0, NULL);
  g_assert_nonnull (row);
  for (g_regex_match (row, out, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *id = g_match_info_fetch (match, 1);
      g_autofree char *pid = g_match_info_fetch (match, 3);
      g_autofree char *state = g_match_info_fetch (match, 4);
      g_autofree char *launcher = g_match_info_fetch (match, 7);
      g_autofree char *job = g_match_info_fetch (match, 8);
      g_autofree char *clock = g_match_info_fetch (match, 9);
      g_autofree char *log = g_match_info_fetch (match, 10);

      g_assert_cmpint (atoi (id), ==, rows);
      g_assert_cmpint (g_ascii_strtoll (pid, NULL, 10), ==, g_array_index (engine_pids, gint64, rows));
      g_assert_cmpstr (state, ==, "idle");
      /* Local engines: no batch job, and the controller's clock. */
      g_assert_true (g_str_equal (launcher, "-") || g_str_equal (launcher, "local"));
      g_assert_cmpstr (job, ==, "-");
      g_assert_true (g_str_has_prefix (clock, "0 "));
      g_assert_true (g_str_has_prefix (log, logs));
      g_assert_true (g_file_test (log, G_FILE_TEST_IS_REGULAR));
      rows++;
    }
  g_assert_cmpuint (rows, ==, 3);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* stop: every process and the connection file go */
  g_assert_cmpint (run_loomctl (&out, &err, "cluster", "stop", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "stopped"));
  g_assert_true (wait_pid_gone (controller, 5));
  for (guint i = 0; i < engine_pids->len; i++)
    g_assert_true (wait_pid_gone (g_array_index (engine_pids, gint64, i), 5));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  assert_nothing_left ();
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* a second stop finds nothing to stop and says how to start one */
  g_assert_cmpint (run_loomctl (&out, &err, "cluster", "stop", NULL), ==, 3);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "loomctl cluster start"));
}

static char *
ids_of (const char *profile)
{
  char *out = NULL;

  g_assert_cmpint (run_loomctl (&out, NULL, "ids", "--profile", profile, NULL), ==, 0);
  return out;
}

static void
test_ids (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 stopped_pid;
  gint64 deadline;

  cluster_start ("p4", "4");

  out = ids_of ("p4");
  g_assert_cmpstr (out, ==, "[0, 1, 2, 3]\n");
  g_clear_pointer (&out, g_free);

  /* The default profile has no cluster. */
  g_assert_cmpint (run_loomctl (&out, &err, "ids", NULL), ==, 3);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "loomctl cluster start"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "engines", "add", "2", "--profile", "p4", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Added 2 engines"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = ids_of ("p4");
  g_assert_cmpstr (out, ==, "[0, 1, 2, 3, 4, 5]\n");
  g_clear_pointer (&out, g_free);

  root = cluster_status ("p4");
  stopped_pid = json_object_get_int_member (
    json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "engines"), 1), "pid");
  g_clear_pointer (&root, json_node_unref);

  g_assert_cmpint (run_loomctl (&out, &err, "engines", "stop", "1", "--profile", "p4", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Engine 1"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (;;)
    {
      out = ids_of ("p4");
      if (g_str_equal (out, "[0, 2, 3, 4, 5]\n") || g_get_monotonic_time () > deadline)
        break;
      g_clear_pointer (&out, g_free);
      g_usleep (20 * 1000);
    }
  g_assert_cmpstr (out, ==, "[0, 2, 3, 4, 5]\n");
  g_assert_true (wait_pid_gone (stopped_pid, 5));

  /* Stopping an engine that does not exist is the user's mistake. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "engines", "stop", "99", "--profile", "p4", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "99"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  cluster_stop ("p4");
  assert_nothing_left ();
}

static void
test_map_seed (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GRegex) shape = NULL;
  g_autoptr(GRegex) pair = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) engine_ids = g_hash_table_new (NULL, NULL);
  double times[10];
  double lo = G_MAXDOUBLE, hi = 0;
  double before, after;
  gint64 clock_skew = 0;
  guint n = 0;
  JsonObject *report, *job;
  JsonArray *tasks;

  cluster_start (NULL, "15");

  /* The seed: printtime over range(10), as res.get() prints it. */
  before = g_get_real_time () / (double) G_USEC_PER_SEC;
  g_assert_cmpint (run_loomctl (&out, &err, "map", "printtime", "--sweep", "t=range:0:10", "--arg", "sleep=0.3",
                                NULL), ==, 0);
  after = g_get_real_time () / (double) G_USEC_PER_SEC;
  g_assert_cmpstr (err, ==, "");
  shape = g_regex_new ("^\\[(\\([0-9]+\\.[0-9]+, [0-9]\\)(, )?){10}\\]\n$", 0, 0, NULL);
  if (!g_regex_match (shape, out, 0, NULL))
    g_test_message ("unexpected output: %s", out);
  g_assert_true (g_regex_match (shape, out, 0, NULL));
  pair = g_regex_new ("\\(([0-9]+\\.[0-9]+), ([0-9]+)\\)", 0, 0, NULL);
  for (g_regex_match (pair, out, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *time_text = g_match_info_fetch (match, 1);
      g_autofree char *t_text = g_match_info_fetch (match, 2);

      g_assert_cmpuint (n, <, 10);
      g_assert_cmpint (atoi (t_text), ==, n);
      times[n] = g_ascii_strtod (time_text, NULL);
      lo = MIN (lo, times[n]);
      hi = MAX (hi, times[n]);
      n++;
    }
  g_assert_cmpuint (n, ==, 10);
  /* All ten started together, between the command's start and end. */
  g_assert_cmpfloat (hi - lo, <, 1.0);
  g_assert_cmpfloat (lo, >, before - 1.0);
  g_assert_cmpfloat (hi, <, after + 1.0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The same with --json: the job and every task's metadata. */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "printtime", "--sweep", "t=range:0:10", "--arg", "sleep=0.3",
                                "--json", NULL), ==, 0);
  root = parse_json (out);
  report = json_node_get_object (root);
  assert_has_members (report, (const char * const[]) { "job", "tasks", NULL });
  job = json_object_get_object_member (report, "job");
  assert_has_members (job, (const char * const[]) { "id", "mode", "engines", "wall_time", "serial_time",
                                                    "speedup", "efficiency", NULL });
  g_assert_cmpint (json_object_get_int_member (job, "id"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (job, "mode"), ==, "parallel");
  g_assert_cmpint (json_object_get_int_member (job, "engines"), ==, 10);
  g_assert_cmpfloat (json_object_get_double_member (job, "serial_time"), >=, 10 * 0.3 * 0.95);
  g_assert_cmpfloat (json_object_get_double_member (job, "wall_time"), >=, 0.3 * 0.95);
  g_assert_cmpfloat (json_object_get_double_member (job, "wall_time"), <,
                     json_object_get_double_member (job, "serial_time") / 3);
  g_assert_cmpfloat (json_object_get_double_member (job, "speedup"), >, 3);
  g_assert_cmpfloat (json_object_get_double_member (job, "efficiency"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (job, "efficiency"), <=, 1.05);

  tasks = json_object_get_array_member (report, "tasks");
  g_assert_cmpuint (json_array_get_length (tasks), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      JsonObject *task = json_array_get_object_element (tasks, i);
      JsonArray *result;
      gint64 submitted, dispatched, started, completed, received;

      assert_has_members (task, (const char * const[]) { "index", "params", "engine_id", "status", "submitted",
                                                         "dispatched", "started", "completed", "received",
                                                         "result", "error", "stdout", "stderr", NULL });
      g_assert_cmpint (json_object_get_int_member (task, "index"), ==, i);
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (task, "params"), "t"), ==, i);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_object_get_object_member (task, "params"),
                                                                     "sleep"), 0.3, 1e-9);
      g_assert_cmpstr (json_object_get_string_member (task, "status"), ==, "done");
      g_assert_true (json_object_get_null_member (task, "error"));
      g_assert_true (json_object_get_null_member (task, "stdout"));
      g_assert_true (json_object_get_null_member (task, "stderr"));
      result = json_object_get_array_member (task, "result");
      g_assert_cmpuint (json_array_get_length (result), ==, 2);
      g_assert_cmpint (json_array_get_int_element (result, 1), ==, i);

      g_hash_table_add (engine_ids, GINT_TO_POINTER ((int) json_object_get_int_member (task, "engine_id")));
      submitted = json_object_get_int_member (task, "submitted");
      dispatched = json_object_get_int_member (task, "dispatched");
      started = json_object_get_int_member (task, "started");
      completed = json_object_get_int_member (task, "completed");
      received = json_object_get_int_member (task, "received");
      /* submitted, dispatched and received are the controller's clock;
       * started and completed the engine's, corrected by the offset it
       * estimated when it registered. */
      g_assert_cmpint (submitted, >, 0);
      g_assert_cmpint (submitted, <=, dispatched);
      g_assert_cmpint (dispatched, <=, received);
      g_assert_cmpint (started, <=, completed);
      g_assert_cmpint (completed - started, >=, 290000);
      clock_skew = MAX (clock_skew, MAX (dispatched - started, completed - received));
      /* The result's time is when the task started, in seconds. */
      g_assert_cmpfloat_with_epsilon (json_array_get_double_element (result, 0), started / (double) G_USEC_PER_SEC,
                                      0.05);
    }
  g_assert_cmpuint (g_hash_table_size (engine_ids), ==, 10);
  g_assert_false (g_hash_table_contains (engine_ids, GINT_TO_POINTER (-1)));

  /* Across the two clocks the order must hold within 2 ms: engines on the
   * controller's host share its clock, remote ones correct theirs. */
  g_test_message ("largest cross-clock inversion: %" G_GINT64_FORMAT " us", clock_skew);
  g_assert_cmpint (clock_skew, <=, 2000);

  cluster_stop (NULL);
  assert_nothing_left ();
}

static void
test_async (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *job_text = NULL;
  g_autofree char *slow_text = NULL;
  gint64 begin;
  guint job, slow;

  cluster_start (NULL, "2");

  /* Submitting returns with the job id before the job is done (ready
   * says False just after). */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "sleep", "--sweep", "seconds=0.5,0.5", "--async", NULL), ==, 0);
  job = parse_job (out);
  job_text = g_strdup_printf ("%u", job);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "ready", job_text, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "False\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "get", job_text, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[0.5, 0.5]\n");
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* Both ran at once, on the two engines. */
  {
    g_autoptr(JsonNode) report = show_json (job_text);
    assert_ran_at_once (report);
  }

  g_assert_cmpint (run_loomctl (&out, &err, "ready", job_text, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "True\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* get --timeout gives up on a job that is still running, which goes on. */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "sleep", "--sweep", "seconds=1.5", "--async", NULL), ==, 0);
  slow = parse_job (out);
  g_assert_cmpuint (slow, !=, job);
  slow_text = g_strdup_printf ("%u", slow);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  begin = g_get_monotonic_time ();
  g_assert_cmpint (run_loomctl (&out, &err, "get", slow_text, "--timeout", "0.1", NULL), ==, 4);
  g_assert_cmpfloat (seconds_since (begin), >=, 0.1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "not ready"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "ready", slow_text, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "False\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "get", slow_text, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[1.5]\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A job the controller never had. */
  g_assert_cmpint (run_loomctl (&out, &err, "ready", "9999", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "9999"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  cluster_stop (NULL);
  assert_nothing_left ();

  /* --async needs a cluster that outlives the command. */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "sleep", "--sweep", "seconds=0.1", "--async", NULL), ==, 3);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "--async"));
  g_assert_nonnull (strstr (err, "loomctl cluster start"));
  assert_nothing_left ();
}

static void
test_embedded (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *file = connection_file ("default");
  g_autofree char *left = NULL;

  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  /* No cluster: map runs on a private one for this command only. */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=1,2", "-n", "2", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[{'x': 1}, {'x': 2}]\n");
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* …which leaves no connection file, socket or process behind. */
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  left = runtime_files ();
  g_assert_cmpstr (left, ==, "");
  assert_nothing_left ();
  g_assert_cmpint (run_loomctl (&out, &err, "ids", NULL), ==, 3);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* run: each command's output, in sweep order */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=a,b", "--", "sh", "-c", "echo {x}",
                                NULL), ==, 0);
  g_assert_cmpstr (out, ==, "a\nb\n");
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_clear_pointer (&left, g_free);
  left = runtime_files ();
  g_assert_cmpstr (left, ==, "");
  assert_nothing_left ();
}

typedef struct
{
  const char *args[8];
  int         status;
  const char *fragments[3];   /* in stderr */
} ExitCase;

static void
test_exit_codes (void)
{
  static const ExitCase cases[] = {
    /* 1: tasks failed */
    { { "map", "fail", "--arg", "message=boom", "-n", "1" }, 1, { "boom", "1 of 1 tasks did not succeed" } },
    { { "run", "-n", "1", "--", "sh", "-c", "exit 3" }, 1, { "status 3", "1 of 1 tasks did not succeed" } },
    /* 2: usage and input */
    { { "frobnicate" }, 2, { "unknown command", "frobnicate", "Usage:" } },
    { { NULL }, 2, { "Usage:" } },
    { { "cluster" }, 2, { "cluster start|stop|status" } },
    { { "cluster", "restart" }, 2, { "unknown command", "cluster restart" } },
    { { "map", "nosuch", "--sweep", "x=1" }, 2, { "unknown function", "nosuch", "printtime" } },
    { { "map", "echo", "--sweep", "x=range:1:0" }, 2, { "sweep", "range:1:0 is empty" } },
    { { "map", "echo", "--sweep", "x=" }, 2, { "sweep", "the list of values is empty" } },
    { { "map", "echo", "--sweep", "x=1, ,2" }, 2, { "sweep “x”", "is only spaces" } },
    { { "map", "echo", "--sweep", "x=nan" }, 2, { "sweep “x”", "JSON has no NaN or Infinity" } },
    { { "map", "echo", "--sweep", "x" }, 2, { "sweep", "not of the form NAME=VALUE" } },
    { { "map", "echo", "--sweep", "x=1", "--bogus" }, 2, { "--bogus", "loomctl map --help" } },
    { { "map" }, 2, { "usage: loomctl map FUNCTION" } },
    { { "run", "--sweep", "x=1" }, 2, { "usage: loomctl run" } },
    { { "ids", "--profile", "../x" }, 2, { "../x", "not a valid profile name" } },
    { { "map", "echo", "--profile", "../x" }, 2, { "../x", "not a valid profile name" } },
    { { "engines", "add", "0" }, 2, { "engines add N", "1 to 1024" } },
    { { "get", "zero" }, 2, { "usage: loomctl get JOB" } },
    /* Arguments are checked before the cluster is looked for. */
    { { "ready", "x" }, 2, { "usage: loomctl ready JOB" } },
    { { "show", "0" }, 2, { "usage: loomctl show JOB" } },
    { { "abort" }, 2, { "usage: loomctl abort JOB" } },
    { { "engines", "stop", "one" }, 2, { "usage: loomctl engines stop ID" } },
    { { "export", "1" }, 2, { "usage: loomctl export JOB…", "--format" } },
    { { "jobs", "--profile", "../x" }, 2, { "../x", "not a valid profile name" } },
    { { "cluster", "start", "--scheme", "fifo" }, 2, { "unknown scheme “fifo”", "use leastload, lru or random" } },
    { { "map", "noop", "--scheme", "fifo", "-n", "1" }, 2, { "unknown scheme “fifo”", "use leastload, lru or random" } },
#if !HAVE_TIMELINE_RENDER
    /* Without the app's drawing code, images are refused at once. */
    { { "export", "1", "--format", "png" }, 2, { "-Dapp=disabled", "format “png” is not chrome, csv or json" } },
    { { "export", "1", "--format", "PDF" }, 2, { "-Dapp=disabled", "image formats need the app's drawing code" } },
    { { "seed", "--timeline", "t.svg" }, 2, { "-Dapp=disabled", "seed --timeline needs" } },
#endif
    /* 3: no cluster */
    { { "ids" }, 3, { "no cluster", "loomctl cluster start" } },
    { { "cluster", "status" }, 3, { "no cluster", "loomctl cluster start" } },
    { { "get", "1" }, 3, { "no cluster", "loomctl cluster start" } },
    { { "ready", "1" }, 3, { "no cluster", "loomctl cluster start" } },
    { { "engines", "add", "1", "--profile", "other" }, 3, { "other", "loomctl cluster start -n 4 --profile other" } },
    { { "export", "1", "--format", "csv" }, 3, { "no cluster", "loomctl cluster start" } },
#if HAVE_TIMELINE_RENDER
    { { "export", "1", "--format", "png" }, 3, { "no cluster", "loomctl cluster start" } },
#endif
    { { "abort", "1" }, 3, { "no cluster", "loomctl cluster start" } },
  };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* 0: every task succeeded (on a private cluster) */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "noop", "--sweep", "i=range:0:3", "-n", "1", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[None, None, None]\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocess) proc = spawn_loomctlv (cases[i].args);
      g_autofree char *what = g_strjoinv (" ", (char **) cases[i].args);
      int status = finish_loomctl (proc, what, &out, &err);

      if (status != cases[i].status)
        g_test_message ("loomctl %s: exit status %d, expected %d", what, status, cases[i].status);
      g_assert_cmpint (status, ==, cases[i].status);
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].fragments) && cases[i].fragments[j]; j++)
        {
          if (!strstr (err, cases[i].fragments[j]))
            g_test_message ("loomctl %s: stderr lacks “%s”", what, cases[i].fragments[j]);
          g_assert_nonnull (strstr (err, cases[i].fragments[j]));
        }
      /* Errors go to stderr: nothing but results on stdout. */
      if (cases[i].status != 1)
        g_assert_cmpstr (out, ==, "");
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }

  assert_nothing_left ();
}

static void
assert_help (const char * const *args,
             const char * const *fragments)
{
  g_autoptr(GSubprocess) proc = spawn_loomctlv (args);
  g_autofree char *what = g_strjoinv (" ", (char **) args);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (finish_loomctl (proc, what, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  for (guint i = 0; fragments[i]; i++)
    {
      if (!strstr (out, fragments[i]))
        g_test_message ("loomctl %s: help lacks “%s”", what, fragments[i]);
      g_assert_nonnull (strstr (out, fragments[i]));
    }
}

static void
test_help (void)
{
  assert_help ((const char * const[]) { "--help", NULL },
               (const char * const[]) { "Usage: loomctl COMMAND", "cluster start", "cluster stop", "cluster status",
                                        "engines add N", "engines stop ID", "  ids ", "  map FUNCTION",
                                        "  run ", "  ready JOB", "  get JOB", "  bench ", "  seed ",
                                        "Exit status", NULL });
  assert_help ((const char * const[]) { "help", NULL },
               (const char * const[]) { "Usage: loomctl COMMAND", NULL });
  assert_help ((const char * const[]) { "map", "--help", NULL },
               (const char * const[]) { "FUNCTION", "--sweep", "--arg", "--engines", "--profile", "--async",
                                        "--json", "--json-lines", "--serial", "--timeout", "--retries",
                                        "leastload, lru or random (default: the cluster's)", NULL });
  assert_help ((const char * const[]) { "run", "--help", NULL },
               (const char * const[]) { "COMMAND", "--sweep", "--engines", "--async", "--json", "--cwd",
                                        "--env", "--task-timeout", NULL });
  assert_help ((const char * const[]) { "cluster", "start", "--help", NULL },
               (const char * const[]) { "--engines", "--profile", "--scheme", "leastload (default), lru or random",
                                        "--hwm", "--ip", NULL });
  assert_help ((const char * const[]) { "cluster", "status", "--help", NULL },
               (const char * const[]) { "--profile", "--json", NULL });
  assert_help ((const char * const[]) { "get", "--help", NULL },
               (const char * const[]) { "JOB", "--timeout", "--json", "--json-lines", NULL });
  assert_help ((const char * const[]) { "bench", "--help", NULL },
               (const char * const[]) { "--engines", "--tasks", "--calls", "--runs", "--json", NULL });

  /* Help runs nothing. */
  assert_nothing_left ();
}

static void
test_engine_killed (void)
{
  g_autoptr(GSubprocess) map = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gint64 victim = 0, victim_id = -1;
  gint64 begin;
  JsonArray *engines;

  cluster_start (NULL, "3");

  begin = g_get_monotonic_time ();
  map = spawn_loomctl ("map", "sleep", "--sweep", "i=range:0:6", "--arg", "seconds=1.0", NULL);

  /* Wait for an engine to be busy with a task, and kill it. */
  while (victim == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      root = cluster_status (NULL);
      engines = json_object_get_array_member (json_node_get_object (root), "engines");
      for (guint i = 0; i < json_array_get_length (engines) && victim == 0; i++)
        {
          JsonObject *e = json_array_get_object_element (engines, i);
          if (g_str_equal (json_object_get_string_member (e, "state"), "busy"))
            {
              victim = json_object_get_int_member (e, "pid");
              victim_id = json_object_get_int_member (e, "id");
            }
        }
      g_clear_pointer (&root, json_node_unref);
      if (victim == 0)
        g_usleep (20 * 1000);
    }
  g_assert_cmpint (victim, >, 0);
  g_assert_cmpint (kill ((pid_t) victim, SIGKILL), ==, 0);
  g_assert_true (wait_pid_gone (victim, 5));

  /* The controller declares it dead and runs its task again elsewhere. */
  g_assert_cmpint (finish_loomctl (map, "map sleep (engine killed)", &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "[1.0, 1.0, 1.0, 1.0, 1.0, 1.0]\n");
  g_assert_cmpstr (err, ==, "");
  /* Six one-second tasks on two or three engines, plus the dead time. */
  g_assert_cmpfloat (seconds_since (begin), >=, 2.0);

  /* The cluster keeps its strength: the controller started an engine in
   * place of the dead one (id 3), and lists the dead one too. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  for (;;)
    {
      root = cluster_status (NULL);
      engines = json_object_get_array_member (json_node_get_object (root), "engines");
      if (json_array_get_length (engines) == 4 || g_get_monotonic_time () > deadline)
        break;
      g_clear_pointer (&root, json_node_unref);
      g_usleep (50 * 1000);
    }
  g_assert_cmpuint (json_array_get_length (engines), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (engines, 3), "state"), !=, "dead");
  {
    JsonObject *e = json_array_get_object_element (engines, victim_id);
    g_assert_cmpint (json_object_get_int_member (e, "pid"), ==, victim);
    g_assert_cmpstr (json_object_get_string_member (e, "state"), ==, "dead");
  }
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* ids lists the two engines left and the new one. */
  {
    g_autoptr(GString) expected = g_string_new ("[");

    for (gint64 id = 0; id < 4; id++)
      if (id != victim_id)
        g_string_append_printf (expected, "%s%" G_GINT64_FORMAT, expected->len > 1 ? ", " : "", id);
    g_string_append (expected, "]\n");
    g_assert_cmpint (run_loomctl (&out, &err, "ids", NULL), ==, 0);
    g_assert_cmpstr (out, ==, expected->str);
  }

  cluster_stop (NULL);
  assert_nothing_left ();
}

/* Run from the build tree with nothing set, as a person does after
 * building: loomctl finds loom-engine and loom-controller in their folders
 * of the build tree. */
static void
test_build_tree (void)
{
  g_autofree char *engine = g_strdup (g_getenv ("LOOM_ENGINE"));
  g_autofree char *controller = g_strdup (g_getenv ("LOOM_CONTROLLER"));
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_unsetenv ("LOOM_ENGINE");
  g_unsetenv ("LOOM_CONTROLLER");

  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=1,2", "-n", "2", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[{'x': 1}, {'x': 2}]\n");
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  cluster_start (NULL, "1");
  cluster_stop (NULL);
  assert_nothing_left ();

  g_setenv ("LOOM_ENGINE", engine, TRUE);
  g_setenv ("LOOM_CONTROLLER", controller, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  /* The isolated directories are named after the program: a short name
   * keeps the ipc:// socket paths in them under the 107-byte limit. */
  g_set_prgname ("lt");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGABRT, kill_ours_and_abort);

  g_test_add_func ("/loom/cli/cluster-round-trip", test_cluster_round_trip);
  g_test_add_func ("/loom/cli/ids", test_ids);
  g_test_add_func ("/loom/cli/map-seed", test_map_seed);
  g_test_add_func ("/loom/cli/async", test_async);
  g_test_add_func ("/loom/cli/embedded", test_embedded);
  g_test_add_func ("/loom/cli/exit-codes", test_exit_codes);
  g_test_add_func ("/loom/cli/help", test_help);
  g_test_add_func ("/loom/cli/engine-killed", test_engine_killed);
  g_test_add_func ("/loom/cli/build-tree", test_build_tree);
  g_test_add_func ("/loom/cli/map-large", test_map_large);

  return g_test_run ();
}
