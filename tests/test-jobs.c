/* test-jobs.c: loomctl compare, jobs, show, abort, export and GNU
 * Parallel-style runs, as a user runs them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every case runs $LOOMCTL as a subprocess with this test's isolated
 * XDG_RUNTIME_DIR (connection files, ipc:// sockets) and XDG_STATE_HOME
 * (logs), so clusters of different cases never meet.  Every process a
 * case starts inherits that XDG_RUNTIME_DIR: a case ends by checking that
 * no such process is left.  The running machinery (run_loomctl, the
 * leftover-process checks, the clean-up on SIGABRT) is test-cli.c's.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "loom-cli-test-util.h"

/* "sleep 30" as /proc/PID/cmdline holds it. */
#define SLEEP_30_CMDLINE "sleep\0" "30"
#define SLEEP_30_LEN sizeof (SLEEP_30_CMDLINE)

static guint
count_our_sleepers (void)
{
  g_autoptr(GArray) pids = find_our_processes_running (SLEEP_30_CMDLINE, SLEEP_30_LEN);
  return pids->len;
}

/* How many tasks of @report have one of the statuses (NULL-terminated). */
static guint
count_status (JsonNode           *report,
              const char * const *statuses)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (report_tasks (report)); i++)
    {
      const char *status = json_object_get_string_member (task_at (report, i), "status");
      n += g_strv_contains (statuses, status);
    }
  return n;
}

/* --- clusters ------------------------------------------------------------ */

/* The pids of the engines of the default cluster, by id: every one alive. */
static GArray *
engine_pids (void)
{
  GArray *pids = cluster_engine_pids (NULL);

  for (guint i = 0; i < pids->len; i++)
    g_assert_cmpint (g_array_index (pids, gint64, i), >, 0);
  return pids;
}

/* Polls `show JOB --json` until @n tasks have one of @statuses. */
static void
wait_for_tasks (const char         *job,
                const char * const *statuses,
                guint               n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(JsonNode) report = show_json (job);
      guint got = count_status (report, statuses);

      if (got == n)
        return;
      if (g_get_monotonic_time () > deadline)
        {
          g_test_message ("job %s: %u tasks %s…, expected %u", job, got, statuses[0], n);
          g_assert_cmpuint (got, ==, n);
        }
      g_usleep (20 * 1000);
    }
}

/* --- text output --------------------------------------------------------- */

/* The cells after @label on the row of `compare`'s table that starts with
 * it: the serial and the parallel column. */
static char **
compare_row (const char *out,
             const char *label)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("  %s ", label);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        g_autofree char *rest = g_strstrip (g_strdup (lines[i] + strlen (prefix)));
        char **cells = g_regex_split_simple (" {2,}", rest, 0, 0);

        if (g_strv_length (cells) != 2)
          g_test_message ("row “%s”: %s", label, lines[i]);
        g_assert_cmpuint (g_strv_length (cells), ==, 2);
        return cells;
      }
  g_test_message ("no row “%s” in:\n%s", label, out);
  g_assert_not_reached ();
  return NULL;
}

/* "1.234 s", "12.5 ms" or "250 µs" in seconds. */
static double
parse_duration (const char *text)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  g_assert_true (end != text);
  if (g_str_equal (end, " s"))
    return value;
  if (g_str_equal (end, " ms"))
    return value / 1e3;
  if (g_str_equal (end, " µs"))
    return value / 1e6;
  g_test_message ("not a duration: “%s”", text);
  g_assert_not_reached ();
  return 0;
}

/* CSV as RFC 4180 writes it: fields split by commas, quoted fields may
 * hold commas, newlines and doubled quotes.  Returns an array of rows,
 * each a GStrv. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = text;

  while (*p)
    {
      if (*p == '"' && field->len == 0)
        {
          /* A quoted field, up to its closing quote. */
          for (p++;; p++)
            {
              g_assert_true (*p != '\0');
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p++;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (field, *p);
            }
          /* Nothing but a separator may follow the closing quote. */
          g_assert_true (*p == ',' || *p == '\n' || *p == '\0');
          continue;
        }
      if (*p == ',' || *p == '\n')
        {
          g_ptr_array_add (fields, g_strdup (field->str));
          g_string_truncate (field, 0);
          if (*p == '\n')
            {
              /* The fields go to the row; the array, empty, is reused. */
              g_ptr_array_add (fields, NULL);
              g_ptr_array_add (rows, g_ptr_array_steal (fields, NULL));
            }
          p++;
          continue;
        }
      g_string_append_c (field, *p++);
    }
  /* Every row, the last included, ends with a newline. */
  g_assert_cmpuint (fields->len, ==, 0);
  g_assert_cmpuint (field->len, ==, 0);
  return rows;
}

static int
strv_index (char       **strv,
            const char  *value)
{
  for (int i = 0; strv[i]; i++)
    if (g_str_equal (strv[i], value))
      return i;
  return -1;
}

/* --- cases --------------------------------------------------------------- */

static void
test_compare (void)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) engines = g_hash_table_new (NULL, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *file = connection_file ("default");
  g_autofree char *left = NULL;
  JsonObject *top;
  JsonNode *serial, *parallel;
  gint64 serial_engine = -1;
  gint64 first_start = G_MAXINT64, last_start = 0;
  double speedup, efficiency;

  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  /* No cluster: both jobs run on one private cluster of 10 engines. */
  g_assert_cmpint (run_loomctl (&out, &err, "compare", "sleep", "--sweep", "i=range:0:10", "--arg", "seconds=0.2",
                                "-n", "10", "--json", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  root = parse_json (out);
  top = json_node_get_object (root);
  assert_has_members (top, (const char * const[]) { "serial", "parallel", "speedup", "efficiency", "engines", NULL });
  serial = json_object_get_member (top, "serial");
  parallel = json_object_get_member (top, "parallel");
  speedup = json_object_get_double_member (top, "speedup");
  efficiency = json_object_get_double_member (top, "efficiency");
  g_test_message ("speedup %.3f, efficiency %.3f", speedup, efficiency);
  g_assert_cmpint (json_object_get_int_member (top, "engines"), ==, 10);
  g_assert_cmpfloat (speedup, >, 5);
  g_assert_cmpfloat (efficiency, >, 0.5);
  g_assert_cmpfloat (efficiency, <=, 1.1);
  /* Efficiency counts the engines the parallel job ran on. */
  g_assert_cmpint (json_object_get_int_member (top, "engines_used"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (top, "engines_used"), <=, 10);
  g_assert_cmpfloat_with_epsilon (efficiency, speedup / json_object_get_int_member (top, "engines_used"), 1e-9);

  g_assert_cmpstr (json_object_get_string_member (report_job (serial), "mode"), ==, "serial");
  g_assert_cmpstr (json_object_get_string_member (report_job (parallel), "mode"), ==, "parallel");
  g_assert_cmpstr (json_object_get_string_member (report_job (serial), "name"), ==, "sleep (serial)");
  g_assert_cmpstr (json_object_get_string_member (report_job (parallel), "name"), ==, "sleep (parallel)");
  g_assert_cmpint (json_object_get_int_member (report_job (serial), "id"), !=,
                   json_object_get_int_member (report_job (parallel), "id"));
  /* The speedup is the ratio of the two jobs' wall times. */
  g_assert_cmpfloat (json_object_get_double_member (report_job (serial), "wall_time"), >=, 10 * 0.2 * 0.99);
  g_assert_cmpfloat_with_epsilon (speedup,
                                  json_object_get_double_member (report_job (serial), "wall_time") /
                                  json_object_get_double_member (report_job (parallel), "wall_time"), 1e-6);

  /* Serially: one engine, in index order, one after another. */
  g_assert_cmpuint (json_array_get_length (report_tasks (serial)), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      JsonObject *task = task_at (serial, i);
      gint64 started = json_object_get_int_member (task, "started");
      gint64 completed = json_object_get_int_member (task, "completed");

      g_assert_cmpint (json_object_get_int_member (task, "index"), ==, i);
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (task, "params"), "i"), ==, i);
      g_assert_cmpstr (json_object_get_string_member (task, "status"), ==, "done");
      if (i == 0)
        serial_engine = json_object_get_int_member (task, "engine_id");
      g_assert_cmpint (serial_engine, >=, 0);
      g_assert_cmpint (json_object_get_int_member (task, "engine_id"), ==, serial_engine);
      g_assert_cmpint (completed - started, >=, 190000);
      if (i > 0)
        g_assert_cmpint (started, >=, json_object_get_int_member (task_at (serial, i - 1), "completed"));
    }

  /* In parallel: ten engines, all at once. */
  g_assert_cmpuint (json_array_get_length (report_tasks (parallel)), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      JsonObject *task = task_at (parallel, i);
      gint64 started = json_object_get_int_member (task, "started");

      g_assert_cmpint (json_object_get_int_member (task, "index"), ==, i);
      g_assert_cmpstr (json_object_get_string_member (task, "status"), ==, "done");
      g_assert_cmpint (json_object_get_int_member (task, "engine_id"), >=, 0);
      g_hash_table_add (engines, GINT_TO_POINTER ((int) json_object_get_int_member (task, "engine_id")));
      first_start = MIN (first_start, started);
      last_start = MAX (last_start, started);
    }
  g_assert_cmpuint (g_hash_table_size (engines), ==, 10);
  g_assert_cmpint (last_start - first_start, <, 150000);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The private cluster went with the command. */
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  assert_nothing_left ();

  /* As a table. */
  g_assert_cmpint (run_loomctl (&out, &err, "compare", "sleep", "--sweep", "i=range:0:4", "--arg", "seconds=0.1",
                                "-n", "4", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_test_message ("%s", out);
  {
    g_auto(GStrv) tasks = compare_row (out, "tasks");
    g_auto(GStrv) engines_row = compare_row (out, "engines");
    g_auto(GStrv) wall = compare_row (out, "wall time");
    g_auto(GStrv) busy = compare_row (out, "Σ task time");
    g_auto(GStrv) speedup_row = compare_row (out, "speedup");
    g_auto(GStrv) efficiency_row = compare_row (out, "efficiency");
    g_auto(GStrv) overhead = compare_row (out, "overhead per task");
    g_auto(GStrv) spread = compare_row (out, "spread of start times");
    double parallel_speedup;

    g_assert_cmpstr (tasks[0], ==, "4");
    g_assert_cmpstr (tasks[1], ==, "4");
    g_assert_cmpstr (engines_row[0], ==, "1");
    g_assert_cmpstr (engines_row[1], ==, "4");
    g_assert_cmpfloat (parse_duration (wall[0]), >=, 0.4 * 0.99);
    g_assert_cmpfloat (parse_duration (wall[1]), >=, 0.1 * 0.99);
    g_assert_cmpfloat (parse_duration (wall[1]), <, parse_duration (wall[0]) / 2);
    g_assert_cmpfloat (parse_duration (busy[0]), >=, 0.4 * 0.99);
    g_assert_cmpfloat (parse_duration (busy[1]), >=, 0.4 * 0.99);
    g_assert_cmpstr (speedup_row[0], ==, "1.00x");
    g_assert_true (g_str_has_suffix (speedup_row[1], "x"));
    parallel_speedup = g_ascii_strtod (speedup_row[1], NULL);
    g_assert_cmpfloat (parallel_speedup, >, 2);
    g_assert_cmpfloat (parallel_speedup, <=, 4.4);
    g_assert_cmpstr (efficiency_row[0], ==, "100%");
    g_assert_true (g_str_has_suffix (efficiency_row[1], "%"));
    g_assert_cmpfloat (g_ascii_strtod (efficiency_row[1], NULL), >, 50);
    g_assert_cmpfloat (parse_duration (overhead[0]), <, 0.05);
    g_assert_cmpfloat (parse_duration (overhead[1]), <, 0.05);
    /* Serial tasks start 0.1 s apart, parallel ones together. */
    g_assert_cmpfloat (parse_duration (spread[0]), >=, 0.3 * 0.99);
    g_assert_cmpfloat (parse_duration (spread[1]), <, 0.05);
    g_assert_nonnull (strstr (out, "Parallel on 4 engines took"));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A command instead of a function. */
  g_assert_cmpint (run_loomctl (&out, &err, "compare", "--sweep", "x=1,2", "-n", "2", "--", "sh", "-c", "exit 0",
                                NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  {
    g_auto(GStrv) tasks = compare_row (out, "tasks");
    g_auto(GStrv) engines_row = compare_row (out, "engines");

    g_assert_cmpstr (tasks[0], ==, "2");
    g_assert_cmpstr (tasks[1], ==, "2");
    g_assert_cmpstr (engines_row[0], ==, "1");
    g_assert_cmpstr (engines_row[1], ==, "2");
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Failed tasks make it exit 1 and say which jobs to look at. */
  g_assert_cmpint (run_loomctl (&out, &err, "compare", "fail", "--arg", "message=boom", "--sweep", "i=1,2", "-n", "2",
                                NULL), ==, 1);
  g_assert_nonnull (strstr (err, "2 tasks of the serial job failed"));
  g_assert_nonnull (strstr (err, "2 tasks of the parallel job failed"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Nothing to compare. */
  g_assert_cmpint (run_loomctl (&out, &err, "compare", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "usage: loomctl compare"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "compare", "sleep", "--serial", "--sweep", "seconds=0", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "--serial"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* compare lists only what it does: no option of one job (--serial,
   * --async, --timeout, --dry-run) nor GNU Parallel's records. */
  g_assert_cmpint (run_loomctl (&out, &err, "compare", "--help", NULL), ==, 0);
  for (guint i = 0; i < 8; i++)
    {
      const char *absent[] = { "--serial", "--async", "--timeout", "--dry-run",
                               "--results", "--joblog", "--resume", "--retry-failed" };
      g_assert_null (strstr (out, absent[i]));
    }
  g_assert_nonnull (strstr (out, "--retries"));
  g_assert_nonnull (strstr (out, "--scheme"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "compare", "sleep", "--joblog", "x.log", "--sweep", "seconds=0", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--joblog"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "compare", "sleep", "--scheme", "bogus", "--sweep", "seconds=0", "-n", "1",
                                NULL), ==, 2);
  g_assert_nonnull (strstr (err, "unknown scheme “bogus”"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  left = runtime_files ();
  g_assert_cmpstr (left, ==, "");
  assert_nothing_left ();
}

static void
test_jobs_show (void)
{
  g_autoptr(GRegex) job_row = NULL;
  g_autoptr(GRegex) task_row = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonArray *jobs;
  guint rows = 0;

  cluster_start (NULL, "2");

  /* No job yet: the header alone. */
  g_assert_cmpint (run_loomctl (&out, &err, "jobs", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "JOB"));
  g_assert_nonnull (strstr (out, "NAME"));
  g_assert_cmpint (strchr (out, '\n') - out + 1, ==, (int) strlen (out));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=1,2,3", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[{'x': 1}, {'x': 2}, {'x': 3}]\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "map", "sleep", "--sweep", "seconds=0.1,0.05", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[0.1, 0.05]\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* jobs: one row each, with its name and counts */
  g_assert_cmpint (run_loomctl (&out, &err, "jobs", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_test_message ("%s", out);
  job_row = g_regex_new ("^ *([0-9]+)  (.{20}) (\\S+) +([0-9]+) +([0-9]+) +([0-9]+) +(running|[0-9.]+ s)$",
                         G_REGEX_MULTILINE, 0, NULL);
  g_assert_nonnull (job_row);
  for (g_regex_match (job_row, out, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      static const struct { const char *name; int tasks; double min_wall; } expected[] = {
        { "echo", 3, 0 }, { "sleep", 2, 0.1 },
      };
      g_autofree char *id = g_match_info_fetch (match, 1);
      g_autofree char *name = g_match_info_fetch (match, 2);
      g_autofree char *mode = g_match_info_fetch (match, 3);
      g_autofree char *tasks = g_match_info_fetch (match, 4);
      g_autofree char *done = g_match_info_fetch (match, 5);
      g_autofree char *failed = g_match_info_fetch (match, 6);
      g_autofree char *wall = g_match_info_fetch (match, 7);

      g_assert_cmpuint (rows, <, 2);
      g_assert_cmpint (atoi (id), ==, rows + 1);
      g_assert_cmpstr (g_strstrip (name), ==, expected[rows].name);
      g_assert_cmpstr (mode, ==, "parallel");
      g_assert_cmpint (atoi (tasks), ==, expected[rows].tasks);
      g_assert_cmpint (atoi (done), ==, expected[rows].tasks);
      g_assert_cmpint (atoi (failed), ==, 0);
      g_assert_cmpstr (wall, !=, "running");
      g_assert_cmpfloat (parse_duration (wall), >=, expected[rows].min_wall * 0.99);
      rows++;
    }
  g_assert_cmpuint (rows, ==, 2);
  g_clear_pointer (&match, g_match_info_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* jobs --json */
  g_assert_cmpint (run_loomctl (&out, &err, "jobs", "--json", NULL), ==, 0);
  root = parse_json (out);
  jobs = json_object_get_array_member (json_node_get_object (root), "jobs");
  g_assert_cmpuint (json_array_get_length (jobs), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *job = json_array_get_object_element (jobs, i);

      assert_has_members (job, (const char * const[]) { "id", "name", "mode", "tasks", "done", "failed", "created",
                                                        "finished", "spec", NULL });
      g_assert_cmpint (json_object_get_int_member (job, "id"), ==, i + 1);
      g_assert_cmpstr (json_object_get_string_member (job, "name"), ==, i == 0 ? "echo" : "sleep");
      g_assert_cmpint (json_object_get_int_member (job, "tasks"), ==, i == 0 ? 3 : 2);
      g_assert_cmpint (json_object_get_int_member (job, "done"), ==, i == 0 ? 3 : 2);
      g_assert_cmpint (json_object_get_int_member (job, "failed"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (job, "created"), >, 0);
      g_assert_cmpint (json_object_get_int_member (job, "finished"), >=, json_object_get_int_member (job, "created"));
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (job, "spec"), "function"), ==,
                       i == 0 ? "echo" : "sleep");
    }
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* show: the job, then one row per task with its parameters and result */
  g_assert_cmpint (run_loomctl (&out, &err, "show", "1", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_test_message ("%s", out);
  g_assert_true (g_str_has_prefix (out, "Job 1 “echo” (parallel): 3 tasks, 3 done, 0 failed\n"));
  task_row = g_regex_new ("^ +([0-9]+) +(-?[0-9]+)  (\\S+) +[0-9.]+s +[0-9.]+s  x=([0-9]+) → \\{'x': ([0-9]+)\\}$",
                          G_REGEX_MULTILINE, 0, NULL);
  g_assert_nonnull (task_row);
  rows = 0;
  for (g_regex_match (task_row, out, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *index = g_match_info_fetch (match, 1);
      g_autofree char *engine = g_match_info_fetch (match, 2);
      g_autofree char *status = g_match_info_fetch (match, 3);
      g_autofree char *x = g_match_info_fetch (match, 4);
      g_autofree char *result = g_match_info_fetch (match, 5);

      g_assert_cmpint (atoi (index), ==, rows);
      g_assert_cmpint (atoi (engine), >=, 0);
      g_assert_cmpint (atoi (engine), <, 2);
      g_assert_cmpstr (status, ==, "done");
      g_assert_cmpint (atoi (x), ==, rows + 1);
      g_assert_cmpint (atoi (result), ==, rows + 1);
      rows++;
    }
  g_assert_cmpuint (rows, ==, 3);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* show --json: the job and its tasks */
  root = show_json ("1");
  assert_has_members (json_node_get_object (root), (const char * const[]) { "job", "tasks", NULL });
  g_assert_cmpint (json_object_get_int_member (report_job (root), "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (report_job (root), "name"), ==, "echo");
  g_assert_cmpint (json_object_get_int_member (report_job (root), "done"), ==, 3);
  g_assert_cmpuint (json_array_get_length (report_tasks (root)), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *task = task_at (root, i);

      g_assert_cmpint (json_object_get_int_member (task, "index"), ==, i);
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (task, "params"), "x"), ==, i + 1);
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (task, "result"), "x"), ==, i + 1);
      g_assert_cmpstr (json_object_get_string_member (task, "status"), ==, "done");
    }
  g_clear_pointer (&root, json_node_unref);

  /* Jobs the controller never had, and ids that are none. */
  g_assert_cmpint (run_loomctl (&out, &err, "show", "99", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "99"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "show", "0", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "usage: loomctl show JOB"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "show", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "usage: loomctl show JOB"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  cluster_stop (NULL);
  assert_nothing_left ();

  /* Without a cluster there is nothing to list. */
  g_assert_cmpint (run_loomctl (&out, &err, "jobs", NULL), ==, 3);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "loomctl cluster start"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "show", "1", NULL), ==, 3);
  g_assert_cmpstr (out, ==, "");
  assert_nothing_left ();
}

/* Aborts @job, which has @running tasks on engines, checks that `get`
 * returns (it does not wait for the tasks) and that every task ended as
 * “aborted”, those that ran long before they would have finished.  Returns
 * the report. */
static JsonNode *
abort_and_check (const char *job,
                 guint       n_tasks,
                 guint       running)
{
  g_autoptr(GSubprocess) get = NULL;
  g_autoptr(JsonNode) listing = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *summary = NULL;
  JsonNode *report;
  JsonArray *jobs;
  gboolean listed = FALSE;
  guint ran = 0;
  gint64 begin;

  begin = g_get_monotonic_time ();
  g_assert_cmpint (run_loomctl (&out, &err, "abort", job, NULL), ==, 0);
  expected = g_strdup_printf ("Job %s: %u queued tasks aborted, %u running tasks being killed\n", job,
                              n_tasks - running, running);
  g_assert_cmpstr (out, ==, expected);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* get returns once every task is over: at once, not after the tasks. */
  get = spawn_loomctlv ((const char * const[]) { "get", job, NULL });
  g_assert_cmpint (finish_loomctl (get, "get (aborted job)", &out, &err), ==, 1);
  g_test_message ("abort to end of get: %.3f s", seconds_since (begin));
  summary = g_strdup_printf ("%u of %u tasks did not succeed", n_tasks, n_tasks);
  g_assert_nonnull (strstr (err, summary));
  g_assert_nonnull (strstr (err, "aborted"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  report = show_json (job);
  g_assert_cmpint (json_object_get_int_member (report_job (report), "done"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (report_job (report), "failed"), ==, n_tasks);
  g_assert_cmpuint (json_array_get_length (report_tasks (report)), ==, n_tasks);
  for (guint i = 0; i < n_tasks; i++)
    {
      JsonObject *task = task_at (report, i);
      JsonObject *error = json_object_get_object_member (task, "error");
      gint64 started = json_object_get_int_member (task, "started");
      gint64 completed = json_object_get_int_member (task, "completed");

      g_assert_cmpstr (json_object_get_string_member (task, "status"), ==, "aborted");
      g_assert_nonnull (error);
      g_assert_cmpstr (json_object_get_string_member (error, "type"), ==, "Aborted");
      if (started > 0)
        {
          /* It ran, and was killed well before its end. */
          ran++;
          g_assert_cmpint (json_object_get_int_member (task, "engine_id"), >=, 0);
          g_assert_cmpint (completed, >=, started);
          g_assert_cmpint (completed - started, <, 2 * G_USEC_PER_SEC);
        }
      else
        {
          /* It never reached an engine: it has none, not engine -1. */
          g_assert_true (json_object_has_member (task, "engine_id"));
          g_assert_true (json_object_get_null_member (task, "engine_id"));
          g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "before this task ran"));
        }
    }
  g_assert_cmpuint (ran, ==, running);
  g_assert_cmpint (json_object_get_int_member (report_job (report), "never_ran"), ==, n_tasks - running);

  /* The job is over in the listing too. */
  g_assert_cmpint (run_loomctl (&out, &err, "jobs", "--json", NULL), ==, 0);
  listing = parse_json (out);
  jobs = json_object_get_array_member (json_node_get_object (listing), "jobs");
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      JsonObject *j = json_array_get_object_element (jobs, i);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (j, "id"));

      if (!g_str_equal (id, job))
        continue;
      listed = TRUE;
      g_assert_cmpint (json_object_get_int_member (j, "failed"), ==, n_tasks);
      g_assert_cmpint (json_object_get_int_member (j, "outstanding"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (j, "finished"), >, 0);
    }
  g_assert_true (listed);
  return report;
}

/* `show` and `export` of an aborted job whose @never_ran tasks never ran:
 * the figures count the tasks that ran and say how many did not, and those
 * tasks have no engine (“—”, an empty CSV field), not engine -1. */
static void
assert_never_ran_shown (const char *job,
                        guint       never_ran)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *said = g_strdup_printf ("(over the tasks that ran; %u tasks never ran)", never_ran);
  g_auto(GStrv) lines = NULL;
  guint dashes = 0, rows = 0;

  g_assert_cmpint (run_loomctl (&out, &err, "show", job, NULL), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, said));
  g_assert_null (strstr (out, " -1 "));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (strstr (lines[i], "aborted") && strstr (lines[i], "before this task ran"))
      {
        g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
        guint f = 1;

        /* INDEX ENGINE STATUS START DURATION */
        while (fields[f] && *fields[f] == '\0')
          f++;
        dashes += g_strcmp0 (fields[f], "—") == 0;
      }
  g_assert_cmpuint (dashes, ==, never_ran);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* get's messages say where each task was */
  g_assert_cmpint (run_loomctl (&out, &err, "get", job, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "aborted before it reached an engine"));
  g_assert_null (strstr (err, "engine -1"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* CSV: an empty engine field; JSON: null */
  g_assert_cmpint (run_loomctl (&out, &err, "export", job, "--format", "csv", NULL), ==, 0);
  g_strfreev (lines);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 1; lines[i] && *lines[i]; i++)
    {
      g_test_message ("%s", lines[i]);
      g_assert_null (strstr (lines[i], ",-1,"));
      rows += strstr (lines[i], ",,aborted,") != NULL;
    }
  g_assert_cmpuint (rows, ==, never_ran);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "export", job, "--format", "json", NULL), ==, 0);
  g_assert_null (strstr (out, "\"engine_id\" : -1"));
  g_assert_nonnull (strstr (out, "\"engine_id\" : null"));
}

/* The cluster of 2 engines still works after an abort: the same engines,
 * ready for a new job. */
static void
assert_engines_intact (GArray *before)
{
  g_autoptr(GArray) after = engine_pids ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_loomctl (&out, &err, "ids", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[0, 1]\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < after->len; i++)
    {
      g_assert_cmpint (g_array_index (after, gint64, i), ==, g_array_index (before, gint64, i));
      g_assert_false (pid_gone (g_array_index (after, gint64, i)));
    }

  g_assert_cmpint (run_loomctl (&out, &err, "map", "sleep", "--sweep", "seconds=0.1,0.1", "--json", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  /* On both engines at once: neither is still busy with the aborted job. */
  {
    g_autoptr(JsonNode) report = parse_json (out);
    assert_ran_at_once (report);
  }
}

static void
test_abort_running (void)
{
  static const char * const in_flight[] = { "running", "dispatched", NULL };
  g_autoptr(GArray) engines = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *job = NULL;
  gint64 deadline;

  cluster_start (NULL, "2");
  engines = engine_pids ();
  g_assert_cmpuint (engines->len, ==, 2);

  /* A function: two tasks of 5 s run, four wait. */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "sleep", "--sweep", "i=range:0:6", "--arg", "seconds=5",
                                "--async", NULL), ==, 0);
  job = g_strdup_printf ("%u", parse_job (out));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  wait_for_tasks (job, in_flight, 2);
  g_usleep (100 * 1000);

  report = abort_and_check (job, 6, 2);
  g_clear_pointer (&report, json_node_unref);
  assert_never_ran_shown (job, 4);
  assert_engines_intact (engines);

  /* A command: both run, and the abort kills them. */
  g_assert_cmpuint (count_our_sleepers (), ==, 0);
  g_assert_cmpint (run_loomctl (&out, &err, "run", "--async", "--sweep", "x=1,2", "--", "sleep", "30", NULL), ==, 0);
  g_free (job);
  job = g_strdup_printf ("%u", parse_job (out));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  wait_for_tasks (job, in_flight, 2);
  /* Both commands have started (the scan below sees what it looks for). */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (count_our_sleepers () < 2 && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_cmpuint (count_our_sleepers (), ==, 2);

  report = abort_and_check (job, 2, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_true (json_object_get_null_member (task_at (report, i), "exit_status"));
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (count_our_sleepers () > 0 && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_cmpuint (count_our_sleepers (), ==, 0);
  assert_engines_intact (engines);

  /* Aborting again changes nothing; a job that never was is an error. */
  g_assert_cmpint (run_loomctl (&out, &err, "abort", job, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 queued tasks aborted, 0 running tasks being killed"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "abort", "99", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "99"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  cluster_stop (NULL);
  assert_nothing_left ();
}

/* A command that leaves a child of its own: aborting it must end that
 * too (else the task's pipes stay open and the task “runs” on). */
static void
test_abort_grandchild (void)
{
  static const char * const in_flight[] = { "running", "dispatched", NULL };
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GArray) engines = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *job = NULL;
  gint64 deadline;
  guint aborted = 0;

  cluster_start (NULL, "2");
  engines = engine_pids ();

  g_assert_cmpint (run_loomctl (&out, &err, "run", "--async", "--sweep", "x=1,2", "--", "sh", "-c",
                                "sleep 30; echo {x}", NULL), ==, 0);
  job = g_strdup_printf ("%u", parse_job (out));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  wait_for_tasks (job, in_flight, 2);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (count_our_sleepers () < 2 && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_cmpuint (count_our_sleepers (), ==, 2);

  g_assert_cmpint (run_loomctl (&out, &err, "abort", job, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  for (;;)
    {
      g_clear_pointer (&report, json_node_unref);
      report = show_json (job);
      aborted = count_status (report, (const char * const[]) { "aborted", NULL });
      if (aborted == 2 || g_get_monotonic_time () > deadline)
        break;
      g_usleep (50 * 1000);
    }

  /* Abort reaches what a command started: its process group is killed. */
  g_assert_cmpuint (aborted, ==, 2);
  g_assert_cmpuint (count_our_sleepers (), ==, 0);

  assert_engines_intact (engines);
  cluster_stop (NULL);
  assert_nothing_left ();
}

/* The id of the job a `--json` run printed. */
static char *
job_of_json (const char *out)
{
  g_autoptr(JsonNode) root = parse_json (out);
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (report_job (root), "id"));
}

static void
test_export (void)
{
  g_autoptr(JsonNode) serial = NULL;
  g_autoptr(JsonNode) parallel = NULL;
  g_autoptr(JsonNode) command = NULL;
  g_autoptr(JsonNode) echo = NULL;
  g_autoptr(JsonNode) trace = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;
  g_autofree char *trace_file = case_path ("jobs", "trace.json");
  g_autofree char *csv_file = case_path ("jobs", "tasks.csv");
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  JsonArray *events;
  JsonNode *reports[2];
  guint n_process = 0, n_complete = 0;

  cluster_start (NULL, "3");

  /* A serial and a parallel job of three 0.1 s tasks. */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "sleep", "--sweep", "i=range:0:3", "--arg", "seconds=0.1",
                                "--serial", "--json", NULL), ==, 0);
  a = job_of_json (out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "map", "sleep", "--sweep", "i=range:0:3", "--arg", "seconds=0.1",
                                "--json", NULL), ==, 0);
  b = job_of_json (out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  serial = show_json (a);
  parallel = show_json (b);
  reports[0] = serial;
  reports[1] = parallel;
  g_assert_cmpstr (json_object_get_string_member (report_job (serial), "mode"), ==, "serial");
  g_assert_cmpstr (json_object_get_string_member (report_job (parallel), "mode"), ==, "parallel");
  g_assert_cmpint (json_object_get_int_member (report_job (parallel), "engines"), >, 1);

  /* Chrome trace events: a process per job, a thread per engine. */
  g_assert_cmpint (run_loomctl (&out, &err, "export", a, b, "--format", "chrome", "-o", trace_file, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  expected = g_strdup_printf ("wrote 2 jobs as chrome to %s", trace_file);
  g_assert_nonnull (strstr (err, expected));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  text = read_text (trace_file);
  trace = parse_json (text);
  events = json_object_get_array_member (json_node_get_object (trace), "traceEvents");
  g_assert_nonnull (events);
  for (guint r = 0; r < 2; r++)
    {
      JsonNode *report = reports[r];
      gint64 pid = json_object_get_int_member (report_job (report), "id");
      g_autoptr(GHashTable) used = g_hash_table_new (NULL, NULL);
      g_autoptr(GHashTable) named = g_hash_table_new (NULL, NULL);
      gint64 previous_end = 0;
      guint complete = 0;

      for (guint i = 0; i < json_array_get_length (report_tasks (report)); i++)
        g_hash_table_add (used, GINT_TO_POINTER ((int) json_object_get_int_member (task_at (report, i), "engine_id")));

      for (guint e = 0; e < json_array_get_length (events); e++)
        {
          JsonObject *ev = json_array_get_object_element (events, e);
          const char *ph = json_object_get_string_member (ev, "ph");
          const char *name = json_object_get_string_member (ev, "name");
          JsonObject *args = json_object_get_object_member (ev, "args");

          if (json_object_get_int_member (ev, "pid") != pid)
            continue;
          g_assert_nonnull (args);
          if (g_str_equal (ph, "M") && g_str_equal (name, "process_name"))
            {
              g_autofree char *label = g_strdup_printf ("job %" G_GINT64_FORMAT ": sleep (%s)", pid,
                                                        r == 0 ? "serial" : "parallel");
              g_assert_cmpstr (json_object_get_string_member (args, "name"), ==, label);
              n_process++;
            }
          else if (g_str_equal (ph, "M") && g_str_equal (name, "thread_name"))
            {
              gint64 tid = json_object_get_int_member (ev, "tid");
              g_autofree char *label = g_strdup_printf ("engine %" G_GINT64_FORMAT, tid);

              g_assert_true (g_hash_table_contains (used, GINT_TO_POINTER ((int) tid)));
              g_assert_false (g_hash_table_contains (named, GINT_TO_POINTER ((int) tid)));
              g_hash_table_add (named, GINT_TO_POINTER ((int) tid));
              g_assert_cmpstr (json_object_get_string_member (args, "name"), ==, label);
            }
          else
            {
              gint64 index = json_object_get_int_member (args, "index");
              JsonObject *task;
              JsonObject *params = json_object_get_object_member (args, "params");
              gint64 ts = json_object_get_int_member (ev, "ts");
              gint64 dur = json_object_get_int_member (ev, "dur");

              g_assert_cmpstr (ph, ==, "X");
              g_assert_cmpint (index, >=, 0);
              g_assert_cmpint (index, <, 3);
              task = task_at (report, index);
              /* µs, as the report has them; 0.1 s give or take 20 %. */
              g_assert_cmpint (ts, ==, json_object_get_int_member (task, "started"));
              g_assert_cmpint (dur, ==, json_object_get_int_member (task, "completed") - ts);
              g_assert_cmpint (dur, >=, 80000);
              g_assert_cmpint (dur, <=, 120000);
              g_assert_cmpint (json_object_get_int_member (ev, "tid"), ==,
                               json_object_get_int_member (task, "engine_id"));
              g_assert_cmpint (json_object_get_int_member (params, "i"), ==, index);
              g_assert_cmpfloat_with_epsilon (json_object_get_double_member (params, "seconds"), 0.1, 1e-9);
              g_assert_cmpfloat_with_epsilon (json_object_get_double_member (args, "result"), 0.1, 1e-9);
              g_assert_cmpstr (json_object_get_string_member (args, "status"), ==, "done");
              /* The serial job's tasks follow one another (events in task order). */
              if (r == 0)
                {
                  g_assert_cmpint (ts, >=, previous_end);
                  previous_end = ts + dur;
                }
              complete++;
            }
        }
      g_assert_cmpuint (complete, ==, 3);
      n_complete += complete;
      g_assert_cmpuint (g_hash_table_size (named), ==, g_hash_table_size (used));
      g_assert_cmpuint (g_hash_table_size (named), ==, r == 0 ? 1 : json_object_get_int_member (report_job (report),
                                                                                                 "engines"));
    }
  g_assert_cmpuint (n_process, ==, 2);
  g_assert_cmpuint (n_complete, ==, 6);
  /* Nothing but the two jobs' metadata and tasks. */
  g_assert_cmpuint (json_array_get_length (events), ==,
                    2 + 1 + json_object_get_int_member (report_job (parallel), "engines") + 6);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&trace, json_node_unref);

  /* …also to stdout, with no -o. */
  g_assert_cmpint (run_loomctl (&out, &err, "export", a, "--format", "chrome", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  trace = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (trace), "traceEvents")),
                    ==, 1 + 1 + 3);
  g_clear_pointer (&trace, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* CSV: one row per task, parameters as columns. */
  g_assert_cmpint (run_loomctl (&out, &err, "export", a, b, "--format", "csv", "-o", csv_file, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  text = read_text (csv_file);
  g_test_message ("%s", text);
  rows = parse_csv (text);
  g_assert_cmpuint (rows->len, ==, 1 + 6);
  {
    char **header = g_ptr_array_index (rows, 0);
    static const char *tail[] = { "engine", "status", "submitted", "dispatched", "started", "completed", "received",
                                  "duration", "exit_status", "result" };
    int col_i, col_seconds;

    g_assert_true (g_str_has_prefix (text, "job,index,"));
    g_assert_cmpuint (g_strv_length (header), ==, 2 + 2 + G_N_ELEMENTS (tail));
    g_assert_cmpstr (header[0], ==, "job");
    g_assert_cmpstr (header[1], ==, "index");
    col_i = strv_index (header, "i");
    col_seconds = strv_index (header, "seconds");
    g_assert_true ((col_i == 2 && col_seconds == 3) || (col_i == 3 && col_seconds == 2));
    for (guint t = 0; t < G_N_ELEMENTS (tail); t++)
      g_assert_cmpstr (header[4 + t], ==, tail[t]);

    for (guint r = 1; r < rows->len; r++)
      {
        char **row = g_ptr_array_index (rows, r);
        JsonNode *report = r <= 3 ? serial : parallel;
        const char *job = r <= 3 ? a : b;
        guint index = (r - 1) % 3;
        JsonObject *task = task_at (report, index);
        g_autofree char *engine = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (task, "engine_id"));
        gint64 started = json_object_get_int_member (task, "started");
        gint64 completed = json_object_get_int_member (task, "completed");

        g_assert_cmpuint (g_strv_length (row), ==, g_strv_length (header));
        g_assert_cmpstr (row[0], ==, job);
        g_assert_cmpint (atoi (row[1]), ==, index);
        g_assert_cmpint (atoi (row[col_i]), ==, index);
        g_assert_cmpfloat_with_epsilon (g_ascii_strtod (row[col_seconds], NULL), 0.1, 1e-9);
        g_assert_cmpstr (row[4], ==, engine);
        g_assert_cmpstr (row[5], ==, "done");
        g_assert_cmpint (g_ascii_strtoll (row[6], NULL, 10), ==, json_object_get_int_member (task, "submitted"));
        g_assert_cmpint (g_ascii_strtoll (row[7], NULL, 10), ==, json_object_get_int_member (task, "dispatched"));
        g_assert_cmpint (g_ascii_strtoll (row[8], NULL, 10), ==, started);
        g_assert_cmpint (g_ascii_strtoll (row[9], NULL, 10), ==, completed);
        g_assert_cmpint (g_ascii_strtoll (row[10], NULL, 10), ==, json_object_get_int_member (task, "received"));
        g_assert_cmpfloat_with_epsilon (g_ascii_strtod (row[11], NULL), (completed - started) / 1e6, 1e-6);
        g_assert_cmpfloat (g_ascii_strtod (row[11], NULL), >=, 0.08);
        g_assert_cmpstr (row[12], ==, "");
        g_assert_cmpfloat_with_epsilon (g_ascii_strtod (row[13], NULL), 0.1, 1e-9);
      }
  }
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&text, g_free);

  /* Quoting, and a command's exit status. */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=1,2", "--arg", "label=a\"b, c", "--json",
                                NULL), ==, 0);
  c = job_of_json (out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "run", "--sweep", "x=0,3", "--json", "--", "sh", "-c", "exit {x}", NULL),
                   ==, 1);
  d = job_of_json (out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  echo = show_json (c);
  command = show_json (d);
  g_assert_cmpint (run_loomctl (&out, &err, "export", c, d, "--format", "csv", NULL), ==, 0);
  g_test_message ("%s", out);
  rows = parse_csv (out);
  g_assert_cmpuint (rows->len, ==, 1 + 4);
  {
    char **header = g_ptr_array_index (rows, 0);
    int col_label = strv_index (header, "label");
    int col_x = strv_index (header, "x");
    int col_status = strv_index (header, "status");
    int col_exit = strv_index (header, "exit_status");
    int col_result = strv_index (header, "result");

    g_assert_cmpint (col_label, >=, 2);
    g_assert_cmpint (col_x, >=, 2);
    g_assert_cmpint (col_status, >, MAX (col_label, col_x));
    for (guint r = 1; r < rows->len; r++)
      {
        char **row = g_ptr_array_index (rows, r);
        guint index = (r - 1) % 2;

        g_assert_cmpuint (g_strv_length (row), ==, g_strv_length (header));
        if (r <= 2)
          {
            g_autoptr(JsonNode) result = NULL;
            JsonObject *want = json_object_get_object_member (task_at (echo, index), "result");
            JsonObject *got;

            g_assert_cmpstr (row[0], ==, c);
            g_assert_cmpstr (row[col_label], ==, "a\"b, c");
            g_assert_cmpint (atoi (row[col_x]), ==, index + 1);
            g_assert_cmpstr (row[col_exit], ==, "");
            /* The result as compact JSON, quoted for CSV. */
            result = parse_json (row[col_result]);
            got = json_node_get_object (result);
            g_assert_cmpstr (json_object_get_string_member (got, "label"), ==, "a\"b, c");
            g_assert_cmpint (json_object_get_int_member (got, "x"), ==, json_object_get_int_member (want, "x"));
          }
        else
          {
            g_assert_cmpstr (row[0], ==, d);
            g_assert_cmpstr (row[col_label], ==, "");
            g_assert_cmpint (atoi (row[col_x]), ==, index * 3);
            g_assert_cmpstr (row[col_status], ==, index == 0 ? "done" : "failed");
            g_assert_cmpstr (row[col_exit], ==, index == 0 ? "0" : "3");
          }
      }
  }
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* JSON: one job is what `show --json` prints; several, an array. */
  g_assert_cmpint (run_loomctl (&out, &err, "export", a, "--format", "json", NULL), ==, 0);
  {
    g_autoptr(JsonNode) exported = parse_json (out);

    g_assert_cmpint (json_object_get_int_member (report_job (exported), "id"), ==,
                     json_object_get_int_member (report_job (serial), "id"));
    g_assert_cmpuint (json_array_get_length (report_tasks (exported)), ==, json_array_get_length (report_tasks (serial)));
    for (guint i = 0; i < json_array_get_length (report_tasks (serial)); i++)
      g_assert_cmpint (json_object_get_int_member (task_at (exported, i), "index"), ==,
                       json_object_get_int_member (task_at (serial, i), "index"));
    g_assert_true (json_node_equal (exported, serial));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "export", a, b, "--format", "json", "-o", "-", NULL), ==, 0);
  {
    g_autoptr(JsonNode) exported = parse_json_any (out);
    JsonArray *array;

    g_assert_true (JSON_NODE_HOLDS_ARRAY (exported));
    array = json_node_get_array (exported);
    g_assert_cmpuint (json_array_get_length (array), ==, 2);
    g_assert_true (json_node_equal (json_array_get_element (array, 0), serial));
    g_assert_true (json_node_equal (json_array_get_element (array, 1), parallel));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The timeline as images, drawn with no display: a PNG of the asked
   * size, an SVG and a PDF of it.  (Without the app, test-cli checks that
   * images are refused.) */
#if HAVE_TIMELINE_RENDER
  {
    g_autofree char *dir = g_dir_make_tmp ("loom-export-XXXXXX", NULL);
    g_autofree char *png = g_build_filename (dir, "both.png", NULL);
    g_autofree char *svg = g_build_filename (dir, "both.svg", NULL);
    g_autofree char *pdf = g_build_filename (dir, "both.pdf", NULL);
    g_autofree char *data = NULL;
    gsize len;

    g_assert_cmpint (run_loomctl (&out, &err, "export", a, b, "--format", "png", "-o", png,
                                  "--width", "640", "--height", "300", NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_true (g_file_get_contents (png, &data, &len, NULL));
    g_assert_cmpuint (len, >, 24);
    g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
    /* IHDR: width and height, big-endian, at bytes 16 and 20. */
    g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (data + 16)), ==, 640);
    g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (data + 20)), ==, 300);
    g_clear_pointer (&data, g_free);

    g_assert_cmpint (run_loomctl (&out, &err, "export", a, b, "--format", "svg", "-o", svg, "--width", "800", NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_true (g_file_get_contents (svg, &data, NULL, NULL));
    g_assert_nonnull (strstr (data, "<svg"));
    g_assert_nonnull (strstr (data, "width=\"800pt\""));
    g_clear_pointer (&data, g_free);

    g_assert_cmpint (run_loomctl (&out, &err, "export", a, b, "--format", "pdf", "-o", pdf, NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_true (g_file_get_contents (pdf, &data, NULL, NULL));
    g_assert_true (g_str_has_prefix (data, "%PDF-"));
    g_clear_pointer (&data, g_free);

    /* An image needs a file, and a sane size. */
    g_assert_cmpint (run_loomctl (&out, &err, "export", a, "--format", "svg", NULL), ==, 2);
    g_assert_nonnull (strstr (err, "-o FILE"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_loomctl (&out, &err, "export", a, "--format", "png", "-o", png, "--width", "5", NULL), ==, 2);
    g_assert_nonnull (strstr (err, "width"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_unlink (png);
    g_unlink (svg);
    g_unlink (pdf);
    g_rmdir (dir);
  }
#endif

  /* Mistakes (without the app, a format that is not a text format is
   * refused as an image would be). */
  g_assert_cmpint (run_loomctl (&out, &err, "export", a, "--format", "xml", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, HAVE_TIMELINE_RENDER ? "unknown format" : "is not chrome, csv or json"));
  g_assert_nonnull (strstr (err, "xml"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "export", a, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--format"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "export", a, "99", "--format", "csv", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "99"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  cluster_stop (NULL);
  assert_nothing_left ();
}

/* The rows of a GNU Parallel joblog after its header, each 9 columns. */
static GPtrArray *
joblog_rows (const char *path)
{
  g_autofree char *text = read_text (path);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_assert_true (g_str_has_suffix (text, "\n"));
  g_assert_cmpstr (lines[0], ==, "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand");
  for (guint i = 1; lines[i] && *lines[i]; i++)
    {
      char **cols = g_strsplit (lines[i], "\t", -1);

      if (g_strv_length (cols) != 9)
        g_test_message ("joblog row “%s”", lines[i]);
      g_assert_cmpuint (g_strv_length (cols), ==, 9);
      g_ptr_array_add (rows, cols);
    }
  return rows;
}

static void
assert_joblog_row (char       **cols,
                   guint        seq,
                   guint        exitval,
                   const char  *command,
                   gsize        received)
{
  double now = g_get_real_time () / (double) G_USEC_PER_SEC;
  char *end = NULL;
  double start;

  g_assert_cmpint (atoi (cols[0]), ==, seq);
  g_assert_cmpstr (cols[1], ==, g_get_host_name ());
  start = g_ascii_strtod (cols[2], &end);
  g_assert_cmpstr (end, ==, "");
  g_assert_cmpfloat (start, >, now - 60);
  g_assert_cmpfloat (start, <=, now + 1);
  g_assert_cmpfloat (g_ascii_strtod (cols[3], NULL), >=, 0);
  g_assert_cmpfloat (g_ascii_strtod (cols[3], NULL), <, 5);
  g_assert_cmpstr (cols[4], ==, "0");
  g_assert_cmpint (atoi (cols[5]), ==, received);
  g_assert_cmpint (atoi (cols[6]), ==, exitval);
  g_assert_cmpstr (cols[7], ==, "0");
  g_assert_cmpstr (cols[8], ==, command);
}

/* One command for every run of test_joblog_resume(), and the line the
 * joblog records for its task @x. */
#define RESUME_COMMAND "echo $WORD {x}; echo err {x} >&2; exit $(({x} % 2 * $FAIL))"

static char *
resume_command_line (guint x)
{
  return g_strdup_printf ("sh -c echo $WORD %u; echo err %u >&2; exit $((%u %% 2 * $FAIL))", x, x, x);
}

static void
test_joblog_resume (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *results = case_path ("jobs", "results");
  g_autofree char *joblog = case_path ("jobs", "joblog");
  g_autofree char *command_1 = resume_command_line (1);
  g_autofree char *command_3 = resume_command_line (3);
  g_autofree char *command_4 = resume_command_line (4);
  g_autofree char *command_5 = resume_command_line (5);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *left = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  /* Four commands on a private cluster; the odd ones fail.  Every run
   * below is the same command line, as --resume and --retry-failed want:
   * the environment says what it prints and whether odd ones fail. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=0,1,2,3", "--results", results,
                                "--joblog", joblog, "-e", "WORD=out", "-e", "FAIL=1", "--", "sh", "-c", RESUME_COMMAND,
                                NULL), ==, 1);
  g_assert_cmpstr (out, ==, "out 0\nout 1\nout 2\nout 3\n");
  g_assert_nonnull (strstr (err, "2 of 4 tasks did not succeed"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *index = g_strdup_printf ("%u", i);
      g_autofree char *out_path = g_build_filename (results, index, "stdout", NULL);
      g_autofree char *err_path = g_build_filename (results, index, "stderr", NULL);
      g_autofree char *exit_path = g_build_filename (results, index, "exit_status", NULL);
      g_autofree char *out_text = read_text (out_path);
      g_autofree char *err_text = read_text (err_path);
      g_autofree char *exit_text = read_text (exit_path);
      g_autofree char *want_out = g_strdup_printf ("out %u\n", i);
      g_autofree char *want_err = g_strdup_printf ("err %u\n", i);
      g_autofree char *want_exit = g_strdup_printf ("%u\n", i % 2);

      g_assert_cmpstr (out_text, ==, want_out);
      g_assert_cmpstr (err_text, ==, want_err);
      g_assert_cmpstr (exit_text, ==, want_exit);
    }
  {
    g_autofree char *none = g_build_filename (results, "4", NULL);
    g_assert_false (g_file_test (none, G_FILE_TEST_EXISTS));
  }

  rows = joblog_rows (joblog);
  g_assert_cmpuint (rows->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *command = resume_command_line (i);
      char **cols = NULL;

      /* By Seq, whatever order the rows are in. */
      for (guint r = 0; r < rows->len && !cols; r++)
        if (atoi (((char **) g_ptr_array_index (rows, r))[0]) == (int) i + 1)
          cols = g_ptr_array_index (rows, r);
      g_assert_nonnull (cols);
      assert_joblog_row (cols, i + 1, i % 2, command, strlen ("out 0\n"));
    }
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* --retry-failed runs the failed ones again, and only those. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=0,1,2,3", "--results", results,
                                "--joblog", joblog, "--retry-failed", "-e", "WORD=retry", "-e", "FAIL=0", "--", "sh", "-c",
                                RESUME_COMMAND, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "retry 1\nretry 3\n");
  /* Each task's stderr comes with it, as GNU Parallel groups it. */
  g_assert_cmpstr (err, ==, "err 1\nerr 3\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rows = joblog_rows (joblog);
  g_assert_cmpuint (rows->len, ==, 6);
  assert_joblog_row (g_ptr_array_index (rows, 4), 2, 0, command_1, strlen ("retry 1\n"));
  assert_joblog_row (g_ptr_array_index (rows, 5), 4, 0, command_3, strlen ("retry 3\n"));
  g_clear_pointer (&rows, g_ptr_array_unref);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *index = g_strdup_printf ("%u", i);
      g_autofree char *out_path = g_build_filename (results, index, "stdout", NULL);
      g_autofree char *exit_path = g_build_filename (results, index, "exit_status", NULL);
      g_autofree char *out_text = read_text (out_path);
      g_autofree char *exit_text = read_text (exit_path);
      g_autofree char *want_out = g_strdup_printf (i % 2 ? "retry %u\n" : "out %u\n", i);

      g_assert_cmpstr (out_text, ==, want_out);
      g_assert_cmpstr (exit_text, ==, "0\n");
    }

  /* --resume: everything is recorded, nothing runs, nothing is written. */
  before = read_text (joblog);
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=0,1,2,3", "--joblog", joblog, "--resume",
                                "-e", "WORD=again", "-e", "FAIL=0", "--", "sh", "-c", RESUME_COMMAND, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "nothing to run"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  after = read_text (joblog);
  g_assert_cmpstr (after, ==, before);

  /* --resume of a longer sweep runs what the joblog lacks. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=0,1,2,3,4,5", "--joblog", joblog,
                                "--resume", "-e", "WORD=new", "-e", "FAIL=0", "--", "sh", "-c", RESUME_COMMAND, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "new 4\nnew 5\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rows = joblog_rows (joblog);
  g_assert_cmpuint (rows->len, ==, 8);
  assert_joblog_row (g_ptr_array_index (rows, 6), 5, 0, command_4, strlen ("new 4\n"));
  assert_joblog_row (g_ptr_array_index (rows, 7), 6, 0, command_5, strlen ("new 5\n"));
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* --resume and --retry-failed need the joblog. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=0,1", "--resume", "--", "true", NULL), ==,
                   2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "--joblog"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=0,1", "--retry-failed", "--", "true",
                                NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--joblog"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  left = runtime_files ();
  g_assert_cmpstr (left, ==, "");
  assert_nothing_left ();
}

/* The line of a --dry-run preview for task @index shows a=@a and b=@b
 * (however the pairs are separated). */
static void
assert_preview_task (const char *out,
                     guint64     index,
                     gint64      a,
                     gint64      b)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *label = g_strdup_printf ("[%" G_GUINT64_FORMAT "] ", index);
  g_autoptr(GRegex) pair = g_regex_new ("(?:^|[ ,])([ab])=(-?[0-9]+)(?=,|$| )", 0, 0, NULL);

  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i] + strspn (lines[i], " ");
      g_autoptr(GMatchInfo) match = NULL;
      gint64 got_a = G_MININT64, got_b = G_MININT64;

      if (!g_str_has_prefix (line, label))
        continue;
      for (g_regex_match (pair, line + strlen (label), 0, &match); g_match_info_matches (match);
           g_match_info_next (match, NULL))
        {
          g_autofree char *name = g_match_info_fetch (match, 1);
          g_autofree char *value = g_match_info_fetch (match, 2);

          if (g_str_equal (name, "a"))
            got_a = g_ascii_strtoll (value, NULL, 10);
          else
            got_b = g_ascii_strtoll (value, NULL, 10);
        }
      if (got_a != a || got_b != b)
        g_test_message ("preview line “%s”: expected a=%" G_GINT64_FORMAT " b=%" G_GINT64_FORMAT, lines[i], a, b);
      g_assert_cmpint (got_a, ==, a);
      g_assert_cmpint (got_b, ==, b);
      return;
    }
  g_test_message ("no line for task %" G_GUINT64_FORMAT " in the preview:\n%s", index, out);
  g_assert_not_reached ();
}

static void
test_dry_run (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *left = NULL;
  g_autofree char *file = connection_file ("default");
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run_loomctl (&out, &err, "map", "noop", "--sweep", "a=range:0:1000", "--sweep", "b=1,2",
                                "--dry-run", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_test_message ("%s", out);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "2000 tasks");
  /* The first and the last parameter sets, in sweep order (b varies
   * fastest). */
  assert_preview_task (out, 0, 0, 1);
  assert_preview_task (out, 1, 0, 2);
  assert_preview_task (out, 1998, 999, 1);
  assert_preview_task (out, 1999, 999, 2);
  g_assert_true (g_str_has_suffix (out, "\n"));
  /* A preview, not the list: the count, the first and the last few. */
  g_assert_cmpuint (g_strv_length (lines), <, 20);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* It starts no cluster: no connection file, socket or process. */
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  left = runtime_files ();
  g_assert_cmpstr (left, ==, "");
  assert_nothing_left ();

  /* More than 10^7 tasks takes --force. */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "noop", "--sweep", "a=range:0:5000", "--sweep", "b=range:0:5000",
                                NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "25000000"));
  g_assert_nonnull (strstr (err, "--force"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "run", "--sweep", "a=range:0:5000", "--sweep", "b=range:0:5000", "--",
                                "true", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--force"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "compare", "noop", "--sweep", "a=range:0:5000", "--sweep",
                                "b=range:0:5000", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--force"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* …even a dry run of it: the guard comes first. */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "noop", "--sweep", "a=range:0:5000", "--sweep", "b=range:0:5000",
                                "--dry-run", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--force"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* With --force it is accepted (and, as a dry run, not run). */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "noop", "--sweep", "a=range:0:5000", "--sweep", "b=range:0:5000",
                                "--force", "--dry-run", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_str_has_prefix (out, "25000000 tasks\n"));
  assert_preview_task (out, 0, 0, 0);
  assert_preview_task (out, 24999999, 4999, 4999);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_clear_pointer (&left, g_free);
  left = runtime_files ();
  g_assert_cmpstr (left, ==, "");
  assert_nothing_left ();
}

int
main (int   argc,
      char *argv[])
{
  /* The isolated directories are named after the program: a short name
   * keeps the ipc:// socket paths in them under the 107-byte limit. */
  g_set_prgname ("lj");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGABRT, kill_ours_and_abort);

  g_test_add_func ("/loom/jobs/compare", test_compare);
  g_test_add_func ("/loom/jobs/jobs-show", test_jobs_show);
  g_test_add_func ("/loom/jobs/abort-running", test_abort_running);
  g_test_add_func ("/loom/jobs/abort-grandchild", test_abort_grandchild);
  g_test_add_func ("/loom/jobs/export", test_export);
  g_test_add_func ("/loom/jobs/joblog-resume", test_joblog_resume);
  g_test_add_func ("/loom/jobs/dry-run", test_dry_run);

  return g_test_run ();
}
