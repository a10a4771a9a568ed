/* loom-cli-test-util.h: running the real loomctl from a test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared by the cli suites: loomctl runs with the case's isolated
 * XDG directories, has a time limit, and a failed assertion first ends the
 * processes the case started.
 */

#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* A loomctl that neither finishes nor closes its pipes within this long
 * is a failure, not a hang of the whole suite. */
#define RUN_TIMEOUT_S 60

/* --- cleaning up after a failed assertion -------------------------------- */

/* "XDG_RUNTIME_DIR=<this case's isolated dir>": what the environment of
 * every process the current case started holds. */
static char our_env_entry[PATH_MAX + 32];

/* A failed assertion aborts the test program before a case can stop its
 * cluster: end the processes the case started (and only those) first, so
 * a failure leaves no cluster running.  Plain syscalls: this runs in a
 * signal handler. */
G_GNUC_UNUSED static void
kill_ours_and_abort (int sig)
{
  static char env[1 << 16];
  size_t needle_len = strlen (our_env_entry);
  DIR *dir = needle_len ? opendir ("/proc") : NULL;
  struct dirent *entry;

  while (dir && (entry = readdir (dir)))
    {
      char path[64];
      char *end = NULL;
      long pid = strtol (entry->d_name, &end, 10);
      ssize_t len;
      int fd;

      if (pid <= 0 || *end != '\0' || pid == getpid ())
        continue;
      snprintf (path, sizeof path, "/proc/%ld/environ", pid);
      if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
        continue;
      len = read (fd, env, sizeof env - 1);
      close (fd);
      if (len <= 0)
        continue;
      env[len] = '\0';
      for (ssize_t at = 0; at < len; at += strlen (env + at) + 1)
        if (strcmp (env + at, our_env_entry) == 0)
          {
            kill ((pid_t) pid, SIGKILL);
            break;
          }
    }
  if (dir)
    closedir (dir);

  signal (sig, SIG_DFL);
  raise (sig);
}

/* --- running loomctl ----------------------------------------------------- */

G_GNUC_UNUSED static GSubprocess *
spawn_loomctlv (const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *loomctl = g_getenv ("LOOMCTL");
  GSubprocess *proc;

  g_assert_nonnull (loomctl);
  g_snprintf (our_env_entry, sizeof our_env_entry, "XDG_RUNTIME_DIR=%s", g_get_user_runtime_dir ());
  g_ptr_array_add (argv, (gpointer) loomctl);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  /* LOOM_ENGINE and LOOM_CONTROLLER come from the test's environment;
   * a UTF-8 locale keeps loomctl's “quotes”, “Σ” and “µ” as they are
   * written. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);

  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
  GError   *error;
} Communication;

G_GNUC_UNUSED static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Communication *c = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->out, &c->err, &c->error);
  c->done = TRUE;
}

G_GNUC_UNUSED static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Collects what @proc prints until it exits and returns its exit status
 * (128 + N if signal N ended it). */
G_GNUC_UNUSED static int
finish_loomctl (GSubprocess  *proc,
                const char   *what,
                char        **out,
                char        **err)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Communication c = { 0 };
  gint64 deadline = g_get_monotonic_time () + RUN_TIMEOUT_S * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, wake_up, NULL);
  int status;

  g_subprocess_communicate_utf8_async (proc, NULL, cancellable, communicated, &c);
  while (!c.done)
    {
      if (g_get_monotonic_time () > deadline && !g_cancellable_is_cancelled (cancellable))
        {
          g_test_message ("loomctl %s: still running (or its pipes still open) after %d s", what, RUN_TIMEOUT_S);
          g_subprocess_force_exit (proc);
          g_cancellable_cancel (cancellable);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  g_assert_no_error (c.error);
  g_subprocess_wait (proc, NULL, NULL);

  if (g_subprocess_get_if_exited (proc))
    status = g_subprocess_get_exit_status (proc);
  else
    status = 128 + g_subprocess_get_term_sig (proc);

  g_test_message ("loomctl %s -> %d%s%s", what, status, c.err && *c.err ? "; stderr: " : "", c.err ? c.err : "");
  if (out)
    *out = g_steal_pointer (&c.out);
  if (err)
    *err = g_steal_pointer (&c.err);
  g_free (c.out);
  g_free (c.err);
  return status;
}

/* Runs loomctl with the arguments (NULL-terminated) and returns its exit
 * status, its stdout in @out and its stderr in @err (both nullable). */
G_GNUC_UNUSED static int
run_loomctl (char       **out,
             char       **err,
             const char  *first_arg,
             ...) G_GNUC_NULL_TERMINATED;

G_GNUC_UNUSED static int
run_loomctl (char       **out,
             char       **err,
             const char  *first_arg,
             ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *what = NULL;
  va_list ap;

  va_start (ap, first_arg);
  for (const char *a = first_arg; a; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  what = g_strjoinv (" ", (char **) args->pdata);
  proc = spawn_loomctlv ((const char * const *) args->pdata);
  return finish_loomctl (proc, what, out, err);
}

G_GNUC_UNUSED static double
seconds_since (gint64 begin)
{
  return (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
}

/* --- processes and files ------------------------------------------------- */

G_GNUC_UNUSED static gboolean
pid_gone (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT, pid);

  g_assert_cmpint (pid, >, 0);
  return !g_file_test (path, G_FILE_TEST_EXISTS);
}

G_GNUC_UNUSED static gboolean
wait_pid_gone (gint64 pid,
               double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!pid_gone (pid))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (10 * 1000);
    }
  return TRUE;
}

/* Whether the environment of process @pid_name holds this test's XDG_RUNTIME_DIR. */
