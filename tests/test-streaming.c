/* test-streaming.c: map, run and get print tasks as they come
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The real loomctl on a cluster of two engines: a job of 10^5 tasks as
 * --json (one document, every index once, in order) and --json-lines (a
 * task per line, in order), get of the finished job giving the same, and
 * the first results on stdout while the job's last task still runs.
 */

#include "config.h"

#include <stdio.h>

#include "loom-cli-test-util.h"

#define N_LARGE 100000
#define N_LARGE_TEXT "100000"

/* Whether @pid runs (is not gone, nor a zombie). */
static gboolean
process_running (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || !(paren = strrchr (stat, ')')))
    return FALSE;
  return paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

static void
assert_task (JsonObject *task,
             gint64      index)
{
  g_assert_cmpint (json_object_get_int_member (task, "index"), ==, index);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (task, "params"), "x"), ==, index);
  g_assert_cmpstr (json_object_get_string_member (task, "status"), ==, "done");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (task, "result"), "x"), ==, index);
}

/* Every line of @out is a task, in input order from 0, @n in all. */
static void
assert_json_lines (const char *out,
                   guint       n)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, n + 1);
  g_assert_cmpstr (lines[n], ==, "");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) task = parse_json (lines[i]);

      assert_task (json_node_get_object (task), i);
    }
}

/* The --json document of @out: "tasks" every index once, in order, and
 * "job" with its figures.  Returns the job's id. */
static guint
assert_json_document (const char *out,
                      guint       n)
{
  static const char * const job_members[] = {
    "id", "name", "mode", "tasks", "done", "failed", "engines", "never_ran", "wall_time",
    "serial_time", "speedup", "efficiency", "created", "finished", "spec", NULL
  };
  g_autoptr(JsonNode) report = parse_json (out);
  JsonArray *tasks = report_tasks (report);
  JsonObject *job = report_job (report);

  g_assert_cmpuint (json_array_get_length (tasks), ==, n);
  for (guint i = 0; i < n; i++)
    assert_task (json_array_get_object_element (tasks, i), i);
  assert_has_members (job, job_members);
  g_assert_cmpint (json_object_get_int_member (job, "tasks"), ==, n);
  g_assert_cmpint (json_object_get_int_member (job, "done"), ==, n);
  g_assert_cmpint (json_object_get_int_member (job, "engines"), ==, 2);
  return json_object_get_int_member (job, "id");
}

static void
test_large_json (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *job = NULL;
  g_autofree char *again = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *python = NULL;
  g_autofree char *got_python = NULL;

  cluster_start (NULL, "2");

  /* map --json: one document, written task by task. */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=range:0:" N_LARGE_TEXT, "--json", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  job = g_strdup_printf ("%u", assert_json_document (out, N_LARGE));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* get --json of the finished job, read page by page: the same tasks. */
  g_assert_cmpint (run_loomctl (&again, &err, "get", job, "--json", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpuint (assert_json_document (again, N_LARGE), ==, atoi (job));
  g_clear_pointer (&again, g_free);
  g_clear_pointer (&err, g_free);

  /* get --json-lines: a task per line, in order, nothing else. */
  g_assert_cmpint (run_loomctl (&lines, &err, "get", job, "--json-lines", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  assert_json_lines (lines, N_LARGE);
  g_clear_pointer (&err, g_free);

  /* get as a person reads it: what map printed. */
  g_assert_cmpint (run_loomctl (&python, &err, "map", "echo", "--sweep", "x=range:0:1000", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&got_python, &err, "get", "2", NULL), ==, 0);
  g_assert_cmpstr (got_python, ==, python);

  cluster_stop (NULL);
}

static void
test_large_json_lines (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=range:0:" N_LARGE_TEXT, "-n", "2",
                                "--json-lines", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  assert_json_lines (out, N_LARGE);
  assert_nothing_left ();
}

/* The first results are on stdout while the last task still sleeps. */
static void
test_first_results_early (void)
{
  const char *args[] = { "map", "sleep", "--sweep", "seconds=0,0,0,0,5", "-n", "2", "--json-lines", NULL };
  g_autoptr(GSubprocess) proc = spawn_loomctlv (args);
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) task = NULL;
  gint64 pid;

  pid = g_ascii_strtoll (g_subprocess_get_identifier (proc), NULL, 10);
  first = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  /* The job is not over: its last task sleeps 5 s. */
  g_assert_true (process_running (pid));
  task = parse_json (first);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (task), "index"), ==, 0);

  /* The rest: the four other tasks, in order (the stream has read ahead). */
  for (guint i = 1; i < 5; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
      g_autoptr(JsonNode) next = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      next = parse_json (line);
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (next), "index"), ==, i);
    }
  g_assert_cmpint (finish_loomctl (proc, "map sleep --json-lines", &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "");
  assert_nothing_left ();
}

static void
test_json_and_json_lines (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=1", "--json", "--json-lines", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--json-lines"));
  g_assert_cmpstr (out, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_set_prgname ("ls");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGABRT, kill_ours_and_abort);

  g_test_add_func ("/loom/streaming/large-json-and-get", test_large_json);
  g_test_add_func ("/loom/streaming/large-json-lines", test_large_json_lines);
  g_test_add_func ("/loom/streaming/first-results-early", test_first_results_early);
  g_test_add_func ("/loom/streaming/json-and-json-lines", test_json_and_json_lines);

  return g_test_run ();
}
