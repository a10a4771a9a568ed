/* test-joblog.c: what a new user trips over with map and run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A joblog of another sweep, task numbers after --resume, what the joblog
 * records for commands that could not start or were killed, outputs that
 * cannot be written (checked before any work, or a full disk after it),
 * Ctrl-C on a private or shared cluster, and a plugin the loader refuses,
 * each run through the real loomctl, controller and engines.
 */

#include "config.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "loom-cli-test-util.h"

#define JOBLOG_HEADER_LINE "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand"
#define JOBLOG_HEADER "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"

/* The joblog's row of @seq, split into its 9 columns (the last one of
 * them if a task ran more than once). */
static char **
joblog_row (const char *path,
            guint       seq)
{
  g_autofree char *text = read_text (path);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  char **found = NULL;

  g_assert_true (g_str_has_prefix (text, JOBLOG_HEADER));
  for (guint i = 1; lines[i] && *lines[i]; i++)
    {
      char **cols = g_strsplit (lines[i], "\t", -1);

      g_assert_cmpuint (g_strv_length (cols), ==, 9);
      if (atoi (cols[0]) == (int) seq)
        {
          g_strfreev (found);
          found = cols;
        }
      else
        g_strfreev (cols);
    }
  if (found == NULL)
    g_test_message ("no row of Seq %u in %s", seq, text);
  g_assert_nonnull (found);
  return found;
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (strstr (text, part) == NULL)
    g_test_message ("“%s” is not in “%s”", part, text);
  g_assert_nonnull (strstr (text, part));
}

/* --resume and --retry-failed check every row against the task it claims
 * to be: a joblog of another command, of a shorter sweep, or not a joblog
 * at all is refused with what to do, and nothing runs or is written. */
static void
test_resume_checks (void)
{
  g_autofree char *joblog = case_path ("joblog", "joblog");
  g_autofree char *not_joblog = case_path ("joblog", "notes.txt");
  g_autofree char *bad_row = case_path ("joblog", "bad-row");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *left = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=0,1,2", "--joblog", joblog,
                                "--", "sh", "-c", "echo a {x}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "a 0\na 1\na 2\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  before = read_text (joblog);

  /* Another command over the same sweep. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=0,1,2,3", "--joblog", joblog, "--resume",
                                "--", "sh", "-c", "echo b {x}", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  assert_contains (err, joblog);
  assert_contains (err, "Seq 1");
  assert_contains (err, "“sh -c echo a 0”");
  assert_contains (err, "“sh -c echo b 0”");
  assert_contains (err, "another --joblog");
  assert_contains (err, "drop --resume");
  g_assert_null (strstr (err, "nothing to run"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The same command with other parameters: a row names another task. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=5,6,7", "--joblog", joblog,
                                "--retry-failed", "--", "sh", "-c", "echo a {x}", NULL), ==, 2);
  assert_contains (err, "“sh -c echo a 0”");
  assert_contains (err, "“sh -c echo a 5”");
  assert_contains (err, "drop --retry-failed");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A shorter sweep: Seq 3 is beyond its two tasks. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=0,1", "--joblog", joblog, "--resume",
                                "--", "sh", "-c", "echo a {x}", NULL), ==, 2);
  assert_contains (err, joblog);
  assert_contains (err, "Seq 3");
  assert_contains (err, "“sh -c echo a 2”");
  assert_contains (err, "2 tasks");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  after = read_text (joblog);
  g_assert_cmpstr (after, ==, before);

  /* The same sweep and command: nothing to run, as before. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=0,1,2", "--joblog", joblog, "--resume",
                                "--", "sh", "-c", "echo a {x}", NULL), ==, 0);
  assert_contains (err, "nothing to run");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A file that is not a joblog. */
  g_assert_true (g_file_set_contents (not_joblog, "my notes\n", -1, NULL));
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=0,1", "--joblog", not_joblog, "--resume",
                                "--", "sh", "-c", "echo a {x}", NULL), ==, 2);
  assert_contains (err, not_joblog);
  assert_contains (err, "is not a joblog");
  assert_contains (err, "GNU Parallel's header");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&after, g_free);
  after = read_text (not_joblog);
  g_assert_cmpstr (after, ==, "my notes\n");

  /* A malformed row: which line. */
  g_assert_true (g_file_set_contents (bad_row, JOBLOG_HEADER "1\tvm\t0\t0\t0\t0\t0\t0\tsh -c echo a 0\nhalf a row\n",
                                      -1, NULL));
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=0,1", "--joblog", bad_row, "--resume",
                                "--", "sh", "-c", "echo a {x}", NULL), ==, 2);
  assert_contains (err, bad_row);
  assert_contains (err, "line 3");
  assert_contains (err, "“half a row”");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  left = runtime_files ();
  g_assert_cmpstr (left, ==, "");
  assert_nothing_left ();
}

/* After --resume only some tasks run, as a job of their own: messages,
 * --json, --results and the joblog all give the sweep's index. */
static void
test_real_indices (void)
{
  g_autofree char *joblog = case_path ("joblog", "joblog");
  g_autofree char *results = case_path ("joblog", "results");
  g_autofree char *exit_path = g_build_filename (results, "4", "exit_status", NULL);
  g_autofree char *exit_text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_auto(GStrv) row = NULL;
  JsonArray *tasks;

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=0,1,2", "--joblog", joblog,
                                "--", "sh", "-c", "test {x} != 4", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=0,1,2,3,4,5", "--joblog", joblog,
                                "--resume", "--results", results, "--json", "--", "sh", "-c", "test {x} != 4", NULL), ==, 1);
  report = parse_json (out);
  tasks = report_tasks (report);
  g_assert_cmpuint (json_array_get_length (tasks), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (json_object_get_int_member (task_at (report, i), "index"), ==, 3 + i);
  assert_contains (err, "loomctl: task 4 (x=4) failed on engine");
  g_assert_null (strstr (err, "task 1 ("));
  assert_contains (err, "1 of 3 tasks did not succeed");

  row = joblog_row (joblog, 5);
  g_assert_cmpstr (row[6], ==, "1");
  g_assert_cmpstr (row[8], ==, "sh -c test 4 != 4");
  exit_text = read_text (exit_path);
  g_assert_cmpstr (exit_text, ==, "1\n");
  assert_nothing_left ();
}

/* A command that could not start exited 255 with no signal, as GNU
 * Parallel records it; one a signal killed has that signal; a timeout
 * records the SIGKILL it used.  --retry-failed runs them all again. */
static void
test_signals (void)
{
  g_autofree char *joblog = case_path ("joblog", "joblog");
  g_autofree char *timeout_log = case_path ("joblog", "timeout");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) not_started = NULL;
  g_auto(GStrv) killed = NULL;
  g_auto(GStrv) timed_out = NULL;
  g_auto(GStrv) ran = NULL;

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "prog=/no/such/program,sh,true",
                                "--joblog", joblog, "--", "{prog}", "-c", "kill -TERM $$", NULL), ==, 1);
  assert_contains (err, "CommandNotStarted");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  not_started = joblog_row (joblog, 1);
  g_assert_cmpstr (not_started[6], ==, "255");
  g_assert_cmpstr (not_started[7], ==, "0");
  g_assert_cmpstr (not_started[8], ==, "/no/such/program -c kill -TERM $$");
  killed = joblog_row (joblog, 2);
  g_assert_cmpstr (killed[7], ==, "15");
  g_assert_cmpstr (killed[8], ==, "sh -c kill -TERM $$");
  ran = joblog_row (joblog, 3);
  g_assert_cmpstr (ran[6], ==, "0");
  g_assert_cmpstr (ran[7], ==, "0");

  /* Only the two failures run again. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "prog=/no/such/program,sh,true",
                                "--joblog", joblog, "--retry-failed", "--json", "--", "{prog}", "-c", "kill -TERM $$",
                                NULL), ==, 1);
  {
    g_autoptr(JsonNode) report = parse_json (out);

    g_assert_cmpuint (json_array_get_length (report_tasks (report)), ==, 2);
    g_assert_cmpint (json_object_get_int_member (task_at (report, 0), "index"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (task_at (report, 1), "index"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (task_at (report, 1), "signal"), ==, SIGTERM);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--task-timeout", "0.3", "--joblog", timeout_log,
                                "--", "sleep", "20", NULL), ==, 1);
  assert_contains (err, "Timeout");
  timed_out = joblog_row (timeout_log, 1);
  g_assert_cmpstr (timed_out[6], ==, "255");
  g_assert_cmpstr (timed_out[7], ==, "9");
  assert_nothing_left ();
}

/* --joblog FILE and --results DIR are checked before a private cluster
 * starts: a missing folder is a usage error (2), a path that cannot take
 * the writing is EXIT_CANNOT_WRITE (6); each message names the path. */
static void
test_paths_checked_first (void)
{
  g_autofree char *missing = case_path ("joblog", "no-such-folder/joblog");
  g_autofree char *folder = case_path ("joblog", "a-folder");
  g_autofree char *file = case_path ("joblog", "a-file");
  g_autofree char *under_file = g_build_filename (file, "results", NULL);
  g_autofree char *results = case_path ("joblog", "new/results");
  g_autofree char *joblog = case_path ("joblog", "joblog");
  g_autofree char *left = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "", -1, NULL));

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=0,1", "--joblog", missing,
                                "--", "touch", "ran-{x}", NULL), ==, 2);
  assert_contains (err, missing);
  assert_contains (err, "does not exist");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=0,1", "--joblog", folder,
                                "--", "touch", "ran-{x}", NULL), ==, 6);
  assert_contains (err, folder);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=0,1", "--results", file,
                                "--", "touch", "ran-{x}", NULL), ==, 6);
  assert_contains (err, file);
  assert_contains (err, "not a folder");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=0,1", "--results", under_file,
                                "--", "touch", "ran-{x}", NULL), ==, 6);
  assert_contains (err, under_file);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Nothing ran, no cluster started. */
  g_assert_false (g_file_test ("ran-0", G_FILE_TEST_EXISTS));
  left = runtime_files ();
  g_assert_cmpstr (left, ==, "");

  /* A results folder whose parents do not exist yet is made, as before. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=0,1", "--results", results,
                                "--joblog", joblog, "--", "echo", "{x}", NULL), ==, 0);
  {
    g_autofree char *one = g_build_filename (results, "1", "stdout", NULL);
    g_autofree char *text = read_text (one);

    g_assert_cmpstr (text, ==, "1\n");
  }
  assert_nothing_left ();
}

/* loomctl with its standard output on /dev/full. */
static int
run_loomctl_full (char       **err,
                  const char  *first_arg,
                  ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = NULL;
  va_list ap;

  g_ptr_array_add (args, (gpointer) g_getenv ("LOOMCTL"));
  va_start (ap, first_arg);
  for (const char *a = first_arg; a; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_snprintf (our_env_entry, sizeof our_env_entry, "XDG_RUNTIME_DIR=%s", g_get_user_runtime_dir ());
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_set_stdout_file_path (launcher, "/dev/full");
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  what = g_strjoinv (" ", (char **) args->pdata + 1);
  return finish_loomctl (proc, what, NULL, err);
}

/* Output that cannot be written is an error with a message: standard
 * output on a full disk, a joblog on one. */
static void
test_cannot_write (void)
{
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (run_loomctl_full (&err, "map", "echo", "-n", "1", "--sweep", "x=1,2", NULL), ==, 6);
  assert_contains (err, "loomctl: cannot write the output: No space left on device");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl_full (&err, "--help", NULL), ==, 6);
  assert_contains (err, "No space left on device");
  g_clear_pointer (&err, g_free);

  /* Failed tasks keep their exit status 1; the message comes too. */
  g_assert_cmpint (run_loomctl_full (&err, "run", "-n", "1", "--sweep", "x=1,2", "--", "sh", "-c", "echo {x}; exit 3",
                                     NULL), ==, 1);
  assert_contains (err, "No space left on device");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=1,2", "--joblog", "/dev/full",
                                "--", "echo", "{x}", NULL), ==, 6);
  assert_contains (err, "/dev/full");
  assert_contains (err, "No space left on device");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  cluster_start (NULL, "1");
  g_assert_cmpint (run_loomctl (&out, &err, "map", "echo", "--sweep", "x=1,2", NULL), ==, 0);
  g_assert_cmpint (run_loomctl_full (NULL, "show", "1", "--json", NULL), ==, 6);
  g_assert_cmpint (run_loomctl_full (NULL, "jobs", NULL), ==, 6);

  /* export -o writes through a device or a link, never replaces it. */
  {
    g_autofree char *target = case_path ("joblog", "target.json");
    g_autofree char *link = case_path ("joblog", "link.json");
    g_autofree char *text = NULL;
    GStatBuf st;

    g_assert_cmpint (run_loomctl (&out, &err, "export", "1", "--format", "csv", "-o", "/dev/full", NULL), ==, 6);
    assert_contains (err, "cannot write “/dev/full”: No space left on device");
    g_assert_cmpint (g_lstat ("/dev/full", &st), ==, 0);
    g_assert_true (S_ISCHR (st.st_mode));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    g_assert_true (g_file_set_contents (target, "old", -1, NULL));
    g_assert_cmpint (symlink (target, link), ==, 0);
    g_assert_cmpint (run_loomctl (&out, &err, "export", "1", "--format", "json", "-o", link, NULL), ==, 0);
    g_assert_cmpint (g_lstat (link, &st), ==, 0);
    g_assert_true (S_ISLNK (st.st_mode));
    text = read_text (target);
    assert_contains (text, "\"job\"");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    /* A private file stays private, also at the end of a link. */
    g_assert_cmpint (g_chmod (target, 0600), ==, 0);
    g_assert_cmpint (run_loomctl (&out, &err, "export", "1", "--format", "csv", "-o", link, NULL), ==, 0);
    g_assert_cmpint (g_stat (target, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    g_assert_cmpint (g_lstat (link, &st), ==, 0);
    g_assert_true (S_ISLNK (st.st_mode));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    /* A directory, or a link to nowhere: refused, nothing made. */
    g_assert_cmpint (run_loomctl (&out, &err, "export", "1", "--format", "csv", "-o", g_get_tmp_dir (), NULL), ==, 6);
    assert_contains (err, "it is a folder");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (g_unlink (target), ==, 0);
    g_assert_cmpint (run_loomctl (&out, &err, "export", "1", "--format", "csv", "-o", link, NULL), ==, 6);
    assert_contains (err, "symbolic link to a file that does not exist");
    g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  cluster_stop (NULL);
  assert_nothing_left ();
}

/* Polls until $XDG_RUNTIME_DIR/loom holds a connection file. */
static void
wait_for_runtime_file (GSubprocess *proc)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *files = runtime_files ();

      if (strstr (files, ".json") != NULL)
        return;
      g_assert_nonnull (g_subprocess_get_identifier (proc));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

/* Ctrl-C on map with a private cluster: exit 130, the cluster stopped,
 * its files gone, no engine left. */
static void
test_interrupt_private (void)
{
  const char *args[] = { "map", "sleep", "-n", "2", "--sweep", "seconds=5,5", NULL };
  g_autoptr(GSubprocess) proc = spawn_loomctlv (args);
  g_autofree char *err = NULL;
  g_autofree char *left = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  wait_for_runtime_file (proc);
  /* Until the engines are up (loomctl and two of them). */
  for (;;)
    {
      g_autoptr(GArray) ours = find_our_processes ();

      if (ours->len >= 3)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
  g_subprocess_send_signal (proc, SIGINT);
  g_assert_cmpint (finish_loomctl (proc, "map sleep (SIGINT)", NULL, &err), ==, 130);
  assert_contains (err, "interrupted");

  left = runtime_files ();
  g_assert_cmpstr (left, ==, "");
  assert_nothing_left ();
}

/* Ctrl-C on map with the profile's cluster: loomctl leaves, the job goes
 * on, and loomctl says how to stop it. */
static void
test_interrupt_shared (void)
{
  const char *args[] = { "map", "sleep", "--sweep", "seconds=5,5", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  cluster_start (NULL, "2");
  proc = spawn_loomctlv (args);
  while (run_loomctl (&out, NULL, "ready", "1", NULL) != 0)
    {
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
  g_assert_cmpstr (out, ==, "False\n");
  g_clear_pointer (&out, g_free);

  g_subprocess_send_signal (proc, SIGINT);
  g_assert_cmpint (finish_loomctl (proc, "map sleep (SIGINT)", NULL, &err), ==, 130);
  assert_contains (err, "interrupted; job 1 goes on in cluster “default”: “loomctl abort 1” stops it");

  g_assert_cmpint (run_loomctl (&out, NULL, "ready", "1", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "False\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_loomctl (&out, NULL, "abort", "1", NULL), ==, 0);
  cluster_stop (NULL);
  assert_nothing_left ();
}

/* A plugin whose loading fails for an undefined symbol says the loader's
 * words, not that the file is missing. */
static void
test_plugin_undefined_symbol (void)
{
  const char *plugin = g_getenv ("LOOM_TEST_UNDEFINED_PLUGIN");
  g_autofree char *function = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_nonnull (plugin);
  function = g_strdup_printf ("%s:call_missing", plugin);
  g_assert_cmpint (run_loomctl (&out, &err, "map", function, "-n", "1", "--sweep", "x=1", NULL), ==, 1);
  assert_contains (err, "PluginLoadFailed");
  assert_contains (err, "undefined symbol: loom_test_missing_symbol");
  g_assert_null (strstr (err, "PluginNotFound"));
  assert_nothing_left ();
}

/* Rows go into the joblog as tasks finish: after Ctrl-C it holds the tasks
 * that were over (not the one killed), and --resume runs only the rest. */
static void
test_interrupt_then_resume (void)
{
  g_autofree char *joblog = case_path ("joblog", "interrupted.log");
  g_autofree char *flag = case_path ("joblog", "go-on");
  g_autofree char *script = g_strdup_printf ("if [ {x} = 3 ] && [ ! -e %s ]; then sleep 60; fi; echo {x}", flag);
  const char *args[] = { "run", "-n", "2", "--sweep", "x=1,2,3", "--joblog", joblog, "--",
                         "sh", "-c", script, NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  proc = spawn_loomctlv (args);
  /* Until the two quick tasks are in the joblog, while the third runs. */
  for (;;)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (joblog, &text, NULL, NULL))
        {
          g_strfreev (lines);
          lines = g_strsplit (text, "\n", -1);
          if (g_strv_length (lines) >= 4)
            break;
        }
      g_assert_nonnull (g_subprocess_get_identifier (proc));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
  g_subprocess_send_signal (proc, SIGINT);
  g_assert_cmpint (finish_loomctl (proc, "run (SIGINT)", &out, &err), ==, 130);
  /* The output of tasks 1 and 2 came before the interruption. */
  g_assert_cmpstr (out, ==, "1\n2\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_strfreev (lines);
  {
    g_autofree char *text = read_text (joblog);
    lines = g_strsplit (text, "\n", -1);
  }
  g_assert_cmpstr (lines[0], ==, JOBLOG_HEADER_LINE);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);   /* header, 2 rows, "" */
  for (guint i = 1; i <= 2; i++)
    {
      g_auto(GStrv) cols = g_strsplit (lines[i], "\t", 9);

      g_assert_true (g_str_equal (cols[0], "1") || g_str_equal (cols[0], "2"));
      g_assert_cmpstr (cols[6], ==, "0");
    }

  /* --resume runs task 3 alone, which now ends at once. */
  g_assert_true (g_file_set_contents (flag, "", 0, NULL));
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "2", "--sweep", "x=1,2,3", "--joblog", joblog, "--resume",
                                "--", "sh", "-c", script, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "3\n");
  g_strfreev (lines);
  {
    g_autofree char *text = read_text (joblog);
    lines = g_strsplit (text, "\n", -1);
  }
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_true (g_str_has_prefix (lines[3], "3\t"));
  assert_nothing_left ();
}

int
main (int   argc,
      char *argv[])
{
  /* A short name keeps the ipc:// socket paths under the 107-byte limit. */
  g_set_prgname ("lg");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGABRT, kill_ours_and_abort);

  g_test_add_func ("/loom/joblog/resume-checks", test_resume_checks);
  g_test_add_func ("/loom/joblog/real-indices", test_real_indices);
  g_test_add_func ("/loom/joblog/signals", test_signals);
  g_test_add_func ("/loom/joblog/paths-checked-first", test_paths_checked_first);
  g_test_add_func ("/loom/joblog/cannot-write", test_cannot_write);
  g_test_add_func ("/loom/joblog/interrupt-private", test_interrupt_private);
  g_test_add_func ("/loom/joblog/interrupt-shared", test_interrupt_shared);
  g_test_add_func ("/loom/joblog/interrupt-then-resume", test_interrupt_then_resume);
  g_test_add_func ("/loom/joblog/plugin-undefined-symbol", test_plugin_undefined_symbol);

  return g_test_run ();
}
