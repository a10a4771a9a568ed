/* test-commands.c: command tasks as a new user writes them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `loomctl run` through the real loomctl: commands run in the directory
 * loomctl runs in (or --cwd), whatever directory the cluster was started
 * from; placeholders are checked once before anything runs; --dry-run
 * shows the command lines.
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

  return g_test_run ();
}
