/* test-commands.c: command tasks as a new user writes them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `loomctl run` through the real loomctl: commands run in the directory
 * loomctl runs in (or --cwd), whatever directory the cluster was started
 * from; placeholders are checked once before anything runs; --dry-run
 * shows the command lines; output keeps its bytes, is cut at a limit one
 * can set and says so, and comes in input order as soon as it can.
 */

#include "config.h"

#include "loom-cli-test-util.h"

/* Writes an executable shell script @name into @dir. */
static void
write_script (const char *dir,
              const char *name,
              const char *body)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

/* The number of lines of @text. */
static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

/* No cluster was contacted or started: no connection file, socket or
 * process. */
static void
assert_no_cluster (void)
{
  g_autofree char *file = connection_file ("default");
  g_autofree char *left = runtime_files ();

  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (left, ==, "");
  assert_nothing_left ();
}

/* `run` fails with exit status 2 and one line on stderr holding each of
 * the NULL-terminated @wanted, before any cluster is contacted or
 * started. */
static void
assert_refused (const char * const *args,
                const char * const *wanted)
{
  g_autoptr(GSubprocess) proc = spawn_loomctlv (args);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (finish_loomctl (proc, args[0], &out, &err), ==, 2);
  g_test_message ("%s", err);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpuint (count_lines (err), ==, 1);
  for (guint i = 0; wanted[i]; i++)
    g_assert_nonnull (strstr (err, wanted[i]));
  assert_no_cluster ();
}

/* A cluster started in one directory runs `./sim` of the directory
 * `loomctl run` is started in, on every engine; --cwd chooses another,
 * relative to loomctl's; one that does not exist is refused. */
static void
test_cwd (void)
{
  g_autofree char *start = g_get_current_dir ();
  g_autofree char *elsewhere = g_dir_make_tmp ("loom-cluster-XXXXXX", NULL);
  g_autofree char *here = g_dir_make_tmp ("loom-sim-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename (here, "sub", NULL);
  g_autofree char *ran = g_build_filename (here, "ran", NULL);
  g_autofree char *missing = g_build_filename (here, "missing", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_nonnull (elsewhere);
  g_assert_nonnull (here);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  write_script (here, "sim", "echo \"x=$2 in $(pwd)\"; touch ran");
  write_script (sub, "sim", "echo \"sub x=$2 in $(pwd)\"");

  g_assert_cmpint (g_chdir (elsewhere), ==, 0);
  cluster_start (NULL, "2");
  g_assert_cmpint (g_chdir (here), ==, 0);

  g_assert_cmpint (run_loomctl (&out, &err, "run", "--sweep", "x=1,2,3,4,5,6", "--", "./sim", "--x", "{x}",
                                NULL), ==, 0);
  g_test_message ("%s%s", out, err);
  for (guint x = 1; x <= 6; x++)
    {
      g_autofree char *line = g_strdup_printf ("x=%u in %s\n", x, here);
      g_assert_nonnull (strstr (out, line));
    }
  g_assert_null (strstr (out, elsewhere));
  g_assert_true (g_file_test (ran, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_unlink (ran), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --cwd, relative to loomctl's directory. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "--cwd", "sub", "--sweep", "x=1,2", "--", "./sim", "--x",
                                "{x}", NULL), ==, 0);
  g_test_message ("%s%s", out, err);
  g_assert_nonnull (strstr (out, "sub x=1 in "));
  g_assert_nonnull (strstr (out, sub));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A --cwd that does not exist: refused with its path; nothing ran. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "--cwd", "missing", "--sweep", "x=1,2", "--", "./sim", "--x",
                                "{x}", NULL), ==, 2);
  g_test_message ("%s", err);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, missing));
  g_assert_cmpuint (count_lines (err), ==, 1);
  g_assert_false (g_file_test (ran, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (g_chdir (start), ==, 0);
  cluster_stop (NULL);
  assert_nothing_left ();
}

/* Unknown placeholders, a {} that stands for no single parameter and an
 * unclosed { are one error before anything runs; {} with one parameter is
 * that parameter; {{ and }} are braces. */
static void
test_placeholders (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  {
    const char *args[] = { "run", "--sweep", "x=range:0:500", "--", "echo", "{x}", "--y={y}", NULL };
    const char *wanted[] = { "{y}", "“y”", "it has: x", NULL };
    assert_refused (args, wanted);
  }
  {
    const char *args[] = { "run", "--sweep", "x=1,2", "--sweep", "y=a,b", "--", "echo", "{}", NULL };
    const char *wanted[] = { "{}", "x, y", "{name}", NULL };
    assert_refused (args, wanted);
  }
  {
    const char *args[] = { "run", "--", "echo", "{}", NULL };
    const char *wanted[] = { "{}", "none", NULL };
    assert_refused (args, wanted);
  }
  {
    const char *args[] = { "run", "--sweep", "x=1,2", "--", "echo", "--x", "{x", NULL };
    const char *wanted[] = { "“{x”", "the parameters: x", "{{", NULL };
    assert_refused (args, wanted);
  }
  /* The check comes before the dry run, too. */
  {
    const char *args[] = { "run", "--dry-run", "--sweep", "x=1,2", "--", "echo", "{y}", NULL };
    const char *wanted[] = { "{y}", NULL };
    assert_refused (args, wanted);
  }

  /* {} with exactly one parameter, and literal braces, on a private
   * cluster. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=7,8", "--", "echo", "{}",
                                "{{x}}", NULL), ==, 0);
  g_test_message ("%s%s", out, err);
  g_assert_nonnull (strstr (out, "7 {x}\n"));
  g_assert_nonnull (strstr (out, "8 {x}\n"));
  g_assert_null (strstr (err, "placeholder"));
  assert_nothing_left ();
}

/* --dry-run shows, after the count, the first and last command lines as
 * they will run, quoted for a shell where needed; it starts nothing. */
static void
test_dry_run (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run_loomctl (&out, &err, "run", "--sweep", "x=range:0:100", "--arg", "msg=hello world",
                                "--dry-run", "--", "./sim", "--x={x}", "{msg}", "", "{{}}", NULL), ==, 0);
  g_test_message ("%s", out);
  g_assert_cmpstr (err, ==, "");
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "100 tasks");
  g_assert_cmpstr (lines[1], ==, "first command: ./sim --x=0 'hello world' '' '{}'");
  g_assert_cmpstr (lines[2], ==, "last command:  ./sim --x=99 'hello world' '' '{}'");
  /* The parameter sets follow as before. */
  g_assert_nonnull (strstr (out, "x=99"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&lines, g_strfreev);

  /* One task: one command line. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "--sweep", "x=5", "--dry-run", "--", "echo", "it's {x}",
                                NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "1 task");
  g_assert_cmpstr (lines[1], ==, "command: echo 'it'\\''s 5'");

  assert_no_cluster ();
}

/* A number stands in a command line in its shortest form: x=0.1 is
 * “0.1”, not “0.10000000000000001”. */
static void
test_shortest_numbers (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=0.1,2.5,1e-7", "--", "echo", "{x}",
                                NULL), ==, 0);
  g_assert_cmpstr (out, ==, "0.1\n2.5\n1e-07\n");
  assert_nothing_left ();
}

/* Runs loomctl with @args and returns its exit status, its stdout and
 * stderr as bytes, whatever they hold. */
static int
run_loomctl_bytes (const char * const  *args,
                   GBytes             **out,
                   GBytes             **err)
{
  g_autoptr(GSubprocess) proc = spawn_loomctlv (args);
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate (proc, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  {
    /* The TAP stream is UTF-8: raw bytes are shown as text. */
    g_autofree char *shown = g_utf8_make_valid (g_bytes_get_data (*err, NULL), g_bytes_get_size (*err));

    g_test_message ("loomctl %s: stderr: %s", args[0], shown);
  }
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

/* The contents of @dir/@index/@name. */
static GBytes *
result_file (const char *dir,
             guint       index,
             const char *name)
{
  g_autofree char *sub = g_strdup_printf ("%u", index);
  g_autofree char *path = g_build_filename (dir, sub, name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
assert_bytes (GBytes     *bytes,
              const char *expected,
              gsize       len)
{
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected, len);
}

/* A report task's output @name decoded from base64. */
static void
assert_base64_output (JsonObject *task,
                      const char *name,
                      const char *expected,
                      gsize       len)
{
  g_autofree char *encoding = g_strconcat (name, "_encoding", NULL);
  g_autofree guchar *data = NULL;
  gsize n = 0;

  g_assert_cmpstr (json_object_get_string_member (task, encoding), ==, "base64");
  data = g_base64_decode (json_object_get_string_member (task, name), &n);
  g_assert_cmpmem (data, n, expected, len);
}

#define BINARY_COMMAND \
  "if [ {x} = 1 ]; then printf '\\377\\376\\000abc'; printf '\\377e\\n' >&2; " \
  "else printf 'h\\303\\251llo\\n'; echo warn >&2; fi"

/* Output keeps its bytes: on loomctl's stdout, in --results files and
 * the joblog's byte count; --json carries what is not UTF-8 as base64
 * with "stdout_encoding": "base64", and UTF-8 as a string. */
static void
test_output_bytes (void)
{
  g_autofree char *dir = g_dir_make_tmp ("loom-results-XXXXXX", NULL);
  g_autofree char *results = g_build_filename (dir, "res", NULL);
  g_autofree char *joblog = g_build_filename (dir, "log", NULL);
  g_autofree char *log = NULL;
  g_autofree char *out_text = NULL;
  g_autofree char *err_text = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_auto(GStrv) rows = NULL;
  JsonObject *task;
  const char *args[] = { "run", "-n", "2", "--results", results, "--joblog", joblog, "--sweep", "x=1,2",
                         "--", "sh", "-c", BINARY_COMMAND, NULL };

  g_assert_cmpint (run_loomctl_bytes (args, &out, &err), ==, 0);
  assert_bytes (out, "\377\376\000abch\303\251llo\n", 13);
  g_clear_pointer (&out, g_bytes_unref);

  out = result_file (results, 0, "stdout");
  assert_bytes (out, "\377\376\000abc", 6);
  g_clear_pointer (&out, g_bytes_unref);
  out = result_file (results, 0, "stderr");
  assert_bytes (out, "\377e\n", 3);
  g_clear_pointer (&out, g_bytes_unref);
  out = result_file (results, 1, "stdout");
  assert_bytes (out, "h\303\251llo\n", 7);
  g_clear_pointer (&out, g_bytes_unref);

  /* The joblog's Receive column counts the bytes. */
  g_assert_true (g_file_get_contents (joblog, &log, NULL, NULL));
  rows = g_strsplit (log, "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), >=, 3);
  for (guint i = 1; i <= 2; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", 9);
      g_assert_cmpstr (cols[5], ==, g_str_equal (cols[0], "1") ? "6" : "7");
    }

  /* --json: one document and nothing else on stdout. */
  g_assert_cmpint (run_loomctl (&out_text, &err_text, "run", "-n", "2", "--json", "--sweep", "x=1,2", "--",
                                "sh", "-c", BINARY_COMMAND, NULL), ==, 0);
  report = parse_json (out_text);
  task = task_at (report, 0);
  assert_base64_output (task, "stdout", "\377\376\000abc", 6);
  assert_base64_output (task, "stderr", "\377e\n", 3);
  g_assert_cmpint (json_object_get_int_member (task, "stdout_truncated"), ==, 0);
  task = task_at (report, 1);
  g_assert_cmpstr (json_object_get_string_member (task, "stdout"), ==, "h\303\251llo\n");
  g_assert_cmpstr (json_object_get_string_member (task, "stderr"), ==, "warn\n");
  g_assert_false (json_object_has_member (task, "stdout_encoding"));
  g_assert_cmpint (json_object_get_int_member (task, "stderr_truncated"), ==, 0);
  g_assert_cmpstr (err_text, ==, "");

  assert_nothing_left ();
}

/* Output past the limit is counted, reported in --json and on stderr,
 * one line per cut output; --output-limit sets the limit, 1 MiB unless
 * given; values that are not a size up to 1G are refused. */
static void
test_output_limit (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) report = NULL;
  JsonObject *task;

  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--output-limit", "1K", "--json", "--", "sh", "-c",
                                "head -c 5000 /dev/zero | tr '\\0' a; echo short >&2", NULL), ==, 0);
  report = parse_json (out);
  task = task_at (report, 0);
  g_assert_cmpuint (strlen (json_object_get_string_member (task, "stdout")), ==, 1024);
  g_assert_cmpint (json_object_get_int_member (task, "stdout_truncated"), ==, 5000 - 1024);
  g_assert_cmpint (json_object_get_int_member (task, "stderr_truncated"), ==, 0);
  g_assert_cmpstr (err, ==, "loomctl: task 0: stdout was cut at 1024 bytes (3976 more not kept); raise --output-limit\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&report, json_node_unref);

  /* The default: 1 MiB; stderr has its own line. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--sweep", "x=1,2", "--", "sh", "-c",
                                "[ {x} = 2 ] || exit 0; head -c 1100000 /dev/zero | tr '\\0' b; "
                                "head -c 70 /dev/zero | tr '\\0' c >&2", NULL), ==, 0);
  g_assert_cmpuint (strlen (out), ==, 1024 * 1024);
  /* The task's own stderr as it finished, then the word on the cut. */
  g_assert_cmpstr (err, ==, "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
                            "loomctl: task 1: stdout was cut at 1048576 bytes (51424 more not kept); raise --output-limit\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* 0 keeps nothing; both outputs are cut. */
  g_assert_cmpint (run_loomctl (&out, &err, "run", "-n", "1", "--output-limit", "0", "--", "sh", "-c",
                                "echo out; echo err >&2", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "task 0: stdout was cut at 0 bytes (4 more not kept)"));
  g_assert_nonnull (strstr (err, "task 0: stderr was cut at 0 bytes (4 more not kept)"));
  g_assert_cmpuint (count_lines (err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  {
    const char *args[] = { "run", "--output-limit", "2G", "--", "echo", "hi", NULL };
    const char *wanted[] = { "--output-limit", "“2G”", "1G", NULL };
    assert_refused (args, wanted);
  }
  {
    const char *args[] = { "run", "--output-limit", "-5", "--", "echo", "hi", NULL };
    const char *wanted[] = { "--output-limit", "“-5”", NULL };
    assert_refused (args, wanted);
  }
  {
    const char *args[] = { "run", "--output-limit", "12x", "--", "echo", "hi", NULL };
    const char *wanted[] = { "--output-limit", "“12x”", NULL };
    assert_refused (args, wanted);
  }
  assert_nothing_left ();
}

/* `run` writes each task's stdout as soon as it and every task before it
 * are done (GNU Parallel's -k): tasks 0 and 1 show while task 2 still
 * waits for a file this test creates only after reading them.  Nothing
 * comes twice; a failure's stderr goes to stderr; --json streams
 * nothing. */
static void
test_ordered_output (void)
{
  g_autofree char *dir = g_dir_make_tmp ("loom-order-XXXXXX", NULL);
  g_autofree char *go = g_build_filename (dir, "go", NULL);
  g_autofree char *script = g_strdup_printf (
    "case {x} in "
    "2) i=0; while [ ! -e %s ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; "
    "   if [ -e %s ]; then echo 2; else echo late; fi;; "
    "3) echo 3; echo oops >&2; exit 1;; "
    "*) echo {x};; "
    "esac", go, go);
  const char *args[] = { "run", "-n", "3", "--sweep", "x=0,1,2,3", "--", "sh", "-c", script, NULL };
  g_autoptr(GSubprocess) proc = spawn_loomctlv (args);
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
      g_autofree char *expected = g_strdup_printf ("%u", i);

      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, expected);
    }
  /* Task 2 still waits: tasks 0 and 1 came while the job ran. */
  g_assert_true (g_file_set_contents (go, "", 0, NULL));
  for (guint i = 2; i < 4; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
      g_autofree char *expected = g_strdup_printf ("%u", i);

      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, expected);
    }
  g_assert_cmpint (finish_loomctl (proc, "run (ordered)", &rest, &err), ==, 1);
  g_assert_cmpstr (rest, ==, "");
  g_assert_nonnull (strstr (err, "task 3 (x=3) failed"));
  g_assert_nonnull (strstr (err, "oops\n"));
  g_clear_pointer (&rest, g_free);
  g_clear_pointer (&err, g_free);

  /* --json: the document alone on stdout. */
  {
    const char *json_args[] = { "run", "-n", "3", "--json", "--sweep", "x=0,1,2,3", "--", "sh", "-c", script, NULL };
    g_autoptr(GSubprocess) json_proc = spawn_loomctlv (json_args);

    g_assert_cmpint (finish_loomctl (json_proc, "run --json (ordered)", &rest, &err), ==, 1);
    g_assert_true (rest[0] == '{');
    report = parse_json (rest);
    g_assert_cmpstr (json_object_get_string_member (task_at (report, 2), "stdout"), ==, "2\n");
  }

  g_assert_cmpint (g_unlink (go), ==, 0);
  assert_nothing_left ();
}

int
main (int   argc,
      char *argv[])
{
  /* A short name keeps the ipc:// socket paths under the 107-byte limit. */
  g_set_prgname ("lc");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGABRT, kill_ours_and_abort);

  g_test_add_func ("/loom/commands/cwd", test_cwd);
  g_test_add_func ("/loom/commands/placeholders", test_placeholders);
  g_test_add_func ("/loom/commands/dry-run", test_dry_run);

  g_test_add_func ("/loom/commands/shortest-numbers", test_shortest_numbers);
  g_test_add_func ("/loom/commands/output-bytes", test_output_bytes);
  g_test_add_func ("/loom/commands/output-limit", test_output_limit);
  g_test_add_func ("/loom/commands/ordered-output", test_ordered_output);

  return g_test_run ();
}
