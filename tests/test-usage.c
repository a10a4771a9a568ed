/* test-usage.c: what a new user trips over
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each program answers --version; empty sweeps (a map of no tasks is []),
 * spaces in sweeps, nan and inf, huge sleeps, the shuffle's seed, -n
 * against a running cluster, out-of-range numbers and bench's --runs do
 * what they say, run through the real loomctl.
 */

/* posix_openpt() and friends */
#define _GNU_SOURCE

#include "config.h"

#include <poll.h>

#include "loom-cli-test-util.h"

/* Runs the program in $@variable with --version, without a display, and
 * checks it prints "@name <version>" and exits 0. */
static void
assert_version (const char *variable,
                const char *name)
{
  const char *program = g_getenv (variable);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = g_strdup_printf ("%s %s\n", name, PACKAGE_VERSION);
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  const char *argv[] = { program, "--version", NULL };
  int status;

  g_assert_nonnull (program);
  env = g_environ_unsetenv (env, "DISPLAY");
  env = g_environ_unsetenv (env, "WAYLAND_DISPLAY");
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s --version: %s%s", name, out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, expected);
}

static void
test_version (void)
{
  assert_version ("LOOMCTL", "loomctl");
  assert_version ("LOOM_CONTROLLER", "loom-controller");
  assert_version ("LOOM_ENGINE", "loom-engine");
  assert_nothing_left ();
}

static void
test_version_app (void)
{
  if (g_getenv ("LOOM_APP") == NULL)
    {
      g_test_skip ("built without the app (-Dapp=disabled)");
      return;
    }
  assert_version ("LOOM_APP", "loom");
}

/* `loomctl --help` lists the commands with their summaries in one column,
 * whatever the widths of the names (“export JOB…” has a 3-byte character). */
static void
test_help_columns (void)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  glong column = -1;
  guint n = 0;
  gboolean in_commands = FALSE;

  g_assert_cmpint (run_loomctl (&out, NULL, "--help", NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *gap;

      if (g_str_equal (lines[i], "Commands:"))
        {
          in_commands = TRUE;
          continue;
        }
      if (!in_commands)
        continue;
      if (!g_str_has_prefix (lines[i], "  "))
        break;
      gap = strstr (lines[i] + 2, "  ");
      g_assert_nonnull (gap);
      while (*gap == ' ')
        gap++;
      if (column < 0)
        column = g_utf8_pointer_to_offset (lines[i], gap);
      g_assert_cmpint (g_utf8_pointer_to_offset (lines[i], gap), ==, column);
      n++;
    }
  g_assert_cmpuint (n, >=, 17);
  g_assert_nonnull (strstr (out, "PNG, SVG or PDF"));
}

/* What would fail at the end is refused before any work: an image format
 * seed --timeline cannot draw, and files into folders that do not exist. */
static void
test_output_checked_first (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_loomctl (&out, &err, "export", "1", "--format", "csv", "-o", "/nonexistent/x.csv", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "/nonexistent/x.csv"));
  g_assert_nonnull (strstr (err, "“/nonexistent” does not exist"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

#if HAVE_TIMELINE_RENDER
  g_assert_cmpint (run_loomctl (&out, &err, "seed", "--timeline", "foo.txt", NULL), ==, 2);
  g_assert_null (strstr (out, "Starting"));
  g_assert_nonnull (strstr (err, "txt"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "seed", "--timeline", "foo.csv", NULL), ==, 2);
  g_assert_null (strstr (out, "Starting"));
  g_assert_nonnull (strstr (err, ".png, .svg or .pdf"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "seed", "--timeline", "/nonexistent/dir/x.png", NULL), ==, 2);
  g_assert_null (strstr (out, "Starting"));
  g_assert_nonnull (strstr (err, "“/nonexistent/dir” does not exist"));
#endif
  assert_nothing_left ();
}

/* The app without its settings schema explains what to do (exit 1), and
 * does not abort; run from the build tree it finds the schema there. */
static void
test_app_schema (void)
{
  const char *program = g_getenv ("LOOM_APP");
  g_autofree char *empty = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) env = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { NULL, NULL };
  int status;

  if (program == NULL)
    {
      g_test_skip ("built without the app (-Dapp=disabled)");
      return;
    }
  argv[0] = program;
  empty = g_dir_make_tmp ("loom-no-schema-XXXXXX", &error);
  g_assert_no_error (error);
  env = g_get_environ ();
  env = g_environ_unsetenv (env, "DISPLAY");
  env = g_environ_unsetenv (env, "WAYLAND_DISPLAY");
  env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR", empty, TRUE);
  env = g_environ_setenv (env, "XDG_DATA_DIRS", empty, TRUE);
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("loom without its schema: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "dev.loom.Loom"));
  g_assert_nonnull (strstr (err, "meson devenv"));
  g_rmdir (empty);
}

/* Runs loomctl with @args, expects exit status @expected and every one of
 * @needles in its stderr (or, @on_stdout, its stdout). */
static void
assert_loomctl (const char * const *args,
                int                 expected,
                gboolean            on_stdout,
                const char * const *needles)
{
  g_autoptr(GSubprocess) proc = spawn_loomctlv (args);
  g_autofree char *what = g_strjoinv (" ", (char **) args);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (finish_loomctl (proc, what, &out, &err), ==, expected);
  for (guint i = 0; needles[i]; i++)
    {
      const char *text = on_stdout ? out : err;

      if (strstr (text, needles[i]) == NULL)
        g_error ("loomctl %s: “%s” not in “%s”", what, needles[i], text);
    }
}

#define ARGS(...) ((const char * const[]) { __VA_ARGS__, NULL })

static void
test_engine_limits (void)
{
  g_autofree char *limit = g_strdup_printf ("1 to %d", 1024);
  g_autofree char *over = g_strdup_printf ("%d", 1024 + 1);
  g_autofree char *file = connection_file ("default");

  /* No cluster runs: each is refused before one would be needed. */
  assert_loomctl (ARGS ("cluster", "start", "-n", "0"), 2, FALSE, ARGS ("--engines", limit, "“0”"));
  assert_loomctl (ARGS ("cluster", "start", "-n", over), 2, FALSE, ARGS ("--engines", limit, over));
  assert_loomctl (ARGS ("cluster", "start", "--engines=-1"), 2, FALSE, ARGS ("--engines", limit));
  assert_loomctl (ARGS ("engines", "add", over), 2, FALSE, ARGS ("engines add N", limit));
  assert_loomctl (ARGS ("engines", "add", "0"), 2, FALSE, ARGS ("engines add N", limit));

  /* One limit, written in both commands' help. */
  assert_loomctl (ARGS ("cluster", "start", "--help"), 0, TRUE, ARGS ("--engines", limit));
  assert_loomctl (ARGS ("engines", "add", "--help"), 0, TRUE, ARGS (limit));

  /* The largest number is not refused for its size: without a cluster,
   * `engines add` gets as far as looking for one. */
  assert_loomctl (ARGS ("engines", "add", "1024"), 3, FALSE, ARGS ("no cluster"));
  assert_nothing_left ();
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

static void
test_negative_retries (void)
{
  g_autofree char *out = NULL;

  assert_loomctl (ARGS ("map", "echo", "--sweep", "x=1", "--retries", "-1"), 2, FALSE,
                  ARGS ("--retries", "≥ 0", "“-1”"));
  assert_loomctl (ARGS ("run", "--sweep", "x=1", "--retries=-2", "--", "true"), 2, FALSE,
                  ARGS ("--retries", "“-2”"));
  assert_loomctl (ARGS ("compare", "echo", "--sweep", "x=1", "--retries", "-1"), 2, FALSE,
                  ARGS ("--retries", "“-1”"));
  assert_loomctl (ARGS ("map", "echo", "--sweep", "x=1", "--retries", "lots"), 2, FALSE,
                  ARGS ("--retries", "“lots”"));
  assert_nothing_left ();

  /* A number ≥ 0 still runs, on a private cluster. */
  g_assert_cmpint (run_loomctl (&out, NULL, "map", "echo", "--sweep", "x=1,2", "--retries", "0", "-n", "1", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[{'x': 1}, {'x': 2}]\n");
  assert_nothing_left ();
}

/* Runs loomctl with @args and its stderr on a terminal (a pty), as a
 * person sees it; returns its exit status and all it wrote there. */
static int
run_loomctl_on_tty (const char * const  *args,
                    char               **tty_text)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + RUN_TIMEOUT_S * G_USEC_PER_SEC;
  int master = posix_openpt (O_RDWR | O_NOCTTY);
  int slave;

  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);

  g_ptr_array_add (argv, (gpointer) g_getenv ("LOOMCTL"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_snprintf (our_env_entry, sizeof our_env_entry, "XDG_RUNTIME_DIR=%s", g_get_user_runtime_dir ());
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_take_stderr_fd (launcher, slave);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_clear_object (&launcher);   /* closes our end of the slave */

  /* Read until every writer is gone (EIO on Linux). */
  for (;;)
    {
      struct pollfd fd = { master, POLLIN, 0 };
      char buf[4096];
      ssize_t n;

      if (g_get_monotonic_time () > deadline)
        {
          g_subprocess_force_exit (proc);
          g_error ("loomctl on a tty: still running after %d s", RUN_TIMEOUT_S);
        }
      if (poll (&fd, 1, 100) <= 0)
        continue;
      if ((n = read (master, buf, sizeof buf)) <= 0)
        break;
      g_string_append_len (text, buf, n);
    }
  close (master);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("loomctl on a tty wrote: %s", text->str);
  *tty_text = g_string_free (g_steal_pointer (&text), FALSE);
  return g_subprocess_get_exit_status (proc);
}

static void
test_progress_line (void)
{
  g_autofree char *text = NULL;

  /* Two one-second tasks on one engine: long enough for a progress line. */
  g_assert_cmpint (run_loomctl_on_tty (ARGS ("map", "sleep", "--sweep", "seconds=1,1", "-n", "1"), &text), ==, 0);
  g_assert_nonnull (strstr (text, "/2 done, 0 failed"));
  /* It was cleared when the job ended, without drawing “0/0 … ETA ?” first. */
  g_assert_true (g_str_has_suffix (text, "\r\033[K"));
  g_assert_null (strstr (text, "0/0"));
  assert_nothing_left ();
}

static void
test_bench_timeline_runs (void)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;

  if (g_getenv ("LOOM_APP") == NULL)
    {
      g_test_skip ("built without the app: loomctl has no timeline to bench");
      return;
    }
  /* Frames per view were at least 5, whatever --runs said. */
  g_assert_cmpint (run_loomctl (&out, NULL, "bench", "--timeline", "--runs", "1", "--json", NULL), ==, 0);
  root = parse_json (out);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "frames"), ==, 1);
  g_assert_cmpint (run_loomctl (&text, NULL, "bench", "--timeline", "--runs", "2", NULL), ==, 0);
  g_assert_nonnull (strstr (text, "(medians of 2)"));
  assert_nothing_left ();
}

/* A CSV file of @text in a new temporary folder; free with g_free. */
static char *
write_temp_csv (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("loom-usage-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, "sweep.csv", NULL);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
remove_temp_csv (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_remove (path);
  g_rmdir (dir);
}

/* A sweep of no tasks is [] and exit 0, as ipyparallel's map over an empty
 * list; a spec without values is still a usage error.  No cluster starts. */
static void
test_empty_maps (void)
{
  g_autofree char *csv = write_temp_csv ("a,b\n");
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *job;

  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep-csv", csv, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[]\n");
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --json: a valid report with no tasks, of a job that has no id */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep-csv", csv, "--json", NULL), ==, 0);
  report = parse_json (out);
  job = report_job (report);
  g_assert_cmpuint (json_array_get_length (report_tasks (report)), ==, 0);
  g_assert_true (json_object_get_null_member (job, "id"));
  g_assert_cmpint (json_object_get_int_member (job, "tasks"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (job, "failed"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (job, "name"), ==, "echo");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* run: no output at all */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "--sweep-csv", csv, "--", "echo", "{a}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A product with an empty factor, and --dry-run */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=1,2", "--sweep", "y=range:0:0", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[]\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "run", "--sweep-csv", csv, "--dry-run", "--", "echo", "{a}", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "0 tasks\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A spec without values is a mistake, said as one */
  assert_loomctl (ARGS ("map", "echo", "--sweep", "x="), 2, FALSE, ARGS ("sweep “x”: the list of values is empty"));
  assert_loomctl (ARGS ("map", "echo", "--sweep", "x=1, ,2"), 2, FALSE, ARGS ("is only spaces"));
  /* compare has nothing to compare */
  assert_loomctl (ARGS ("compare", "echo", "--sweep-csv", csv), 2, FALSE, ARGS ("no tasks"));

  remove_temp_csv (csv);
  assert_nothing_left ();
}

/* nan and inf are refused wherever a value is read: JSON cannot carry them. */
static void
test_non_finite_values (void)
{
  g_autofree char *csv = write_temp_csv ("x\n1\nnan\n");
  g_autofree char *quoted = write_temp_csv ("x\n\"nan\"\n");
  g_autofree char *out = NULL;

  assert_loomctl (ARGS ("map", "echo", "--sweep", "x=nan"), 2, FALSE,
                  ARGS ("sweep “x”: “nan” is not a finite number", "JSON has no NaN or Infinity", "\"nan\""));
  assert_loomctl (ARGS ("map", "echo", "--sweep", "x=1, inf"), 2, FALSE, ARGS ("“inf”", "JSON has no NaN"));
  assert_loomctl (ARGS ("map", "echo", "--sweep", "x=range:0:1e999"), 2, FALSE,
                  ARGS ("STOP must be a finite number", "JSON has no NaN"));
  assert_loomctl (ARGS ("map", "echo", "--arg", "x=-Infinity"), 2, FALSE,
                  ARGS ("argument “x”", "JSON has no NaN"));
  assert_loomctl (ARGS ("map", "echo", "--sweep-csv", csv), 2, FALSE,
                  ARGS ("line 3: “nan” is not a finite number", "JSON has no NaN"));

  /* Quoted, it is the text */
  g_assert_cmpint (run_loomctl (&out, NULL, "map", "echo", "--sweep-csv", quoted, "--sweep", "y=\"inf\"",
                                "-n", "1", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[{'y': 'inf', 'x': 'nan'}]\n");

  remove_temp_csv (csv);
  remove_temp_csv (quoted);
  assert_nothing_left ();
}

/* sleep() of a huge, negative or overflowing time fails at once with a
 * message instead of overflowing into an instant success. */
static void
test_sleep_limits (void)
{
  assert_loomctl (ARGS ("map", "sleep", "--sweep", "seconds=1e300", "-n", "1"), 1, FALSE,
                  ARGS ("InvalidArgument: sleep(): “seconds” must be at most 10000000, got 1e+300",
                        "1 of 1 tasks did not succeed"));
  assert_loomctl (ARGS ("map", "sleep", "--sweep", "seconds=1e20,-1", "-n", "1"), 1, FALSE,
                  ARGS ("must be at most 10000000, got 1e+20", "“seconds” must be a finite number ≥ 0",
                        "2 of 2 tasks did not succeed"));
  assert_loomctl (ARGS ("map", "printtime", "--sweep", "t=1", "--arg", "sleep=9223372036854775807", "-n", "1"), 1,
                  FALSE, ARGS ("InvalidArgument: printtime(): “sleep” must be at most 10000000"));
  assert_nothing_left ();
}

/* --shuffle without a seed says which it chose, on any stderr, and that
 * seed repeats the order; --json carries it. */
static void
test_shuffle_seed (void)
{
  g_autoptr(GRegex) said = g_regex_new ("^loomctl: shuffled with seed ([0-9]+) \\(--shuffle=([0-9]+) repeats it\\)$",
                                        G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *again = NULL;
  g_autofree char *seed = NULL;
  g_autofree char *seed_option = NULL;
  g_autofree char *repeat = NULL;
  g_autofree char *shown = NULL;
  gint64 order_changed = 0;

  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=range:0:30", "--shuffle", "-n", "1", NULL), ==, 0);
  g_assert_true (g_regex_match (said, err, 0, &match));
  seed = g_match_info_fetch (match, 1);
  repeat = g_match_info_fetch (match, 2);
  g_assert_cmpstr (seed, ==, repeat);
  g_assert_cmpstr (out, !=, "[{'x': 0}, {'x': 1}, {'x': 2}, {'x': 3}, {'x': 4}, {'x': 5}, {'x': 6}, {'x': 7}, "
                            "{'x': 8}, {'x': 9}, {'x': 10}, {'x': 11}, {'x': 12}, {'x': 13}, {'x': 14}, {'x': 15}, "
                            "{'x': 16}, {'x': 17}, {'x': 18}, {'x': 19}, {'x': 20}, {'x': 21}, {'x': 22}, {'x': 23}, "
                            "{'x': 24}, {'x': 25}, {'x': 26}, {'x': 27}, {'x': 28}, {'x': 29}]\n");
  g_clear_pointer (&err, g_free);

  /* The seed repeats the order; a seed given is not said again */
  seed_option = g_strdup_printf ("--shuffle=%s", seed);
  g_assert_cmpint (run_loomctl (&again, &err, "map", "echo", "--sweep", "x=range:0:30", seed_option, "-n", "1", NULL), ==, 0);
  g_assert_cmpstr (again, ==, out);
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&again, g_free);
  g_clear_pointer (&err, g_free);

  /* --json: the report carries the seed, the tasks in the shuffled order */
  g_assert_cmpint (run_loomctl (&again, &err, "map", "echo", "--sweep", "x=range:0:30", seed_option, "-n", "1",
                                "--json", NULL), ==, 0);
  report = parse_json (again);
  shown = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (json_node_get_object (report), "shuffle_seed"));
  g_assert_cmpstr (shown, ==, seed);
  for (guint i = 0; i < 30; i++)
    {
      JsonObject *params = json_object_get_object_member (task_at (report, i), "params");
      g_autofree char *item = g_strdup_printf ("{'x': %" G_GINT64_FORMAT "}", json_object_get_int_member (params, "x"));

      order_changed += json_object_get_int_member (params, "x") != i;
      g_assert_nonnull (strstr (out, item));
    }
  g_assert_cmpint (order_changed, >, 0);
  g_clear_pointer (&again, g_free);
  g_clear_pointer (&err, g_free);

  /* --dry-run shows it too */
  g_assert_cmpint (run_loomctl (&again, &err, "map", "echo", "--sweep", "x=range:0:30", seed_option, "--dry-run", NULL), ==, 0);
  g_clear_pointer (&shown, g_free);
  shown = g_strdup_printf ("shuffled with seed %s", seed);
  g_assert_nonnull (strstr (again, shown));
  assert_nothing_left ();
}

/* -n sizes only a private cluster: against a running one of another size,
 * map and compare say so and go on with it.  A map of no tasks there is
 * [] and no job. */
static void
test_engines_option_running (void)
{
  g_autofree char *csv = write_temp_csv ("a\n");
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  cluster_start (NULL, "2");

  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=1", "-n", "15", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[{'x': 1}]\n");
  g_assert_cmpstr (err, ==, "loomctl: the cluster “default” has 2 engines; -n 15 applies only to a private cluster "
                            "(stop the cluster, or add engines with “loomctl engines add 13”)\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "compare", "echo", "--sweep", "x=1,2", "-n", "15", NULL), ==, 0);
  g_assert_nonnull (strstr (err, "the cluster “default” has 2 engines; -n 15 applies only to a private cluster"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--", "true", NULL), ==, 0);
  g_assert_nonnull (strstr (err, "-n 1 applies only to a private cluster (stop the cluster with "
                                 "“loomctl cluster stop” to run on a private one of 1)"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The same size: nothing to say */
  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=1", "-n", "2", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* No tasks: [] and no job in the cluster */
  g_assert_cmpint (run_loomctl (&out, NULL, "jobs", "--json", NULL), ==, 0);
  before = parse_json (out);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep-csv", csv, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[]\n");
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep-csv", csv, "--async", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "no job was submitted"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, NULL, "jobs", "--json", NULL), ==, 0);
  after = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (after), "jobs")), ==,
                    json_array_get_length (json_object_get_array_member (json_node_get_object (before), "jobs")));

  cluster_stop (NULL);
  remove_temp_csv (csv);
  assert_nothing_left ();
}

/* loomctl run from the build tree speaks German with LANGUAGE=de (po/de.po
 * as built there): its messages, its options' descriptions and the sweep
 * kinds after them. */
static void
test_german (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *old_lang = g_strdup (g_getenv ("LANG"));

  g_setenv ("LANGUAGE", "de", TRUE);
  g_setenv ("LANG", "C.UTF-8", TRUE);
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");

  g_assert_cmpint (run_loomctl (&out, &err, "map", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "Aufruf: loomctl map FUNKTION"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "run", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Den Job und jede Aufgabe mit ihren Metadaten als JSON ausgeben"));
  g_assert_nonnull (strstr (out, "Durchläufe (--sweep NAME=SPEC"));
  g_assert_nonnull (strstr (out, "Im Befehl ist {name} ein Parameter"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=nan", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "JSON kennt weder NaN noch Infinity"));

  g_unsetenv ("LANGUAGE");
  if (old_lang)
    g_setenv ("LANG", old_lang, TRUE);
  else
    g_unsetenv ("LANG");
}

/* --hwm takes auto or a number ≥ 1, in loomctl and in loom-controller. */
static void
test_hwm_values (void)
{
  const char *bad[] = { "foo", "0", "-3", "1025", "" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *out2 = NULL;
      g_autofree char *err2 = NULL;
      g_autofree char *opt = g_strdup_printf ("--hwm=%s", bad[i]);
      const char *argv[] = { g_getenv ("LOOM_CONTROLLER"), opt, "--profile", "hwmtest", NULL };
      int status;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=range:0:2", "-n", "1", opt, NULL), ==, 2);
      g_assert_nonnull (strstr (err, "--hwm"));
      g_assert_cmpint (run_loomctl (&out2, &err2, "cluster", "start", "-n", "1", opt, NULL), ==, 2);
      g_assert_nonnull (strstr (err2, "--hwm"));

      g_assert_nonnull (argv[0]);
      g_clear_pointer (&err, g_free);
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error);
      g_assert_no_error (error);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      g_assert_nonnull (strstr (err, "--hwm"));
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=range:0:3", "-n", "2",
                                    "--hwm", i ? "auto" : "4", NULL), ==, 0);
      g_assert_nonnull (strstr (out, "'x': 2"));
    }
}

int
main (int   argc,
      char *argv[])
{
  /* A short name keeps the ipc:// socket paths under the 107-byte limit. */
  g_set_prgname ("lu");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGABRT, kill_ours_and_abort);

  g_test_add_func ("/loom/usage/version", test_version);
  g_test_add_func ("/loom/usage/hwm-values", test_hwm_values);
  g_test_add_func ("/loom/usage/version-app", test_version_app);
  g_test_add_func ("/loom/usage/app-schema", test_app_schema);
  g_test_add_func ("/loom/usage/help-columns", test_help_columns);
  g_test_add_func ("/loom/usage/output-checked-first", test_output_checked_first);
  g_test_add_func ("/loom/usage/engine-limits", test_engine_limits);
  g_test_add_func ("/loom/usage/negative-retries", test_negative_retries);
  g_test_add_func ("/loom/usage/progress-line", test_progress_line);
  g_test_add_func ("/loom/usage/bench-timeline-runs", test_bench_timeline_runs);
  g_test_add_func ("/loom/usage/empty-maps", test_empty_maps);
  g_test_add_func ("/loom/usage/non-finite-values", test_non_finite_values);
  g_test_add_func ("/loom/usage/sleep-limits", test_sleep_limits);
  g_test_add_func ("/loom/usage/shuffle-seed", test_shuffle_seed);
  g_test_add_func ("/loom/usage/engines-option-running", test_engines_option_running);
  g_test_add_func ("/loom/usage/german", test_german);

  return g_test_run ();
}
