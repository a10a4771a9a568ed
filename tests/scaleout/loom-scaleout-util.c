/* loom-scaleout-util.c: real Slurm, SSH, MPI and network namespaces for tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "loom-scaleout-util.h"

/* A command that neither finishes nor closes its pipes within this long
 * is a failure, not a hang of the whole suite. */
#define RUN_TIMEOUT_S 60

/* --- what the cleanup undoes ---------------------------------------------- */

/* Plain arrays and syscalls: the cleanup also runs in signal handlers. */
#define MAX_TRACKED 64

static char  private_dir[PATH_MAX];
static char  run_marker[PATH_MAX + 32];
static char  daemon_marker[PATH_MAX + 32];
static pid_t tracked_pids[MAX_TRACKED];
static char  tracked_pid_what[MAX_TRACKED][32];
static int   n_tracked_pids;
static char  tracked_netns[8][64];
static int   n_tracked_netns;
static char  tracked_links[16][IF_NAMESIZE];
static int   n_tracked_links;
static pid_t owner_pid;

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

  nanosleep (&ts, NULL);
}

/* Whether @pid runs: a zombie does not (daemons that exited stay
 * <defunct> until PID 1, which here is no init, reaps them). */
static gboolean
pid_alive_raw (pid_t pid)
{
  char path[64];
  char stat[512];
  ssize_t len;
  char *paren;
  int fd;

  if (pid <= 0)
    return FALSE;
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return FALSE;
  len = read (fd, stat, sizeof stat - 1);
  close (fd);
  if (len <= 0)
    return FALSE;
  stat[len] = '\0';
  if (!(paren = strrchr (stat, ')')) || paren[1] != ' ')
    return FALSE;
  return paren[2] != 'Z' && paren[2] != 'X';
}

static void
stop_pid_raw (pid_t pid,
              long  wait_ms)
{
  if (!pid_alive_raw (pid))
    return;
  kill (pid, SIGTERM);
  for (long waited = 0; waited < wait_ms && pid_alive_raw (pid); waited += 20)
    {
      /* Our own children: reap them, or they stay zombies. */
      waitpid (pid, NULL, WNOHANG);
      sleep_ms (20);
    }
  if (pid_alive_raw (pid))
    kill (pid, SIGKILL);
  waitpid (pid, NULL, WNOHANG);
}

/* Whether /proc/@pid/environ holds exactly @entry. */
static gboolean
environ_has_raw (pid_t       pid,
                 const char *entry)
{
  static char env[1 << 16];
  char path[64];
  ssize_t len;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/environ", (int) pid);
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return FALSE;
  len = read (fd, env, sizeof env - 1);
  close (fd);
  if (len <= 0)
    return FALSE;
  env[len] = '\0';
  for (ssize_t at = 0; at < len; at += strlen (env + at) + 1)
    if (strcmp (env + at, entry) == 0)
      return TRUE;
  return FALSE;
}

static void
sweep_raw (const char *entry)
{
  DIR *dir;
  struct dirent *d;

  if (!entry[0] || !(dir = opendir ("/proc")))
    return;
  while ((d = readdir (dir)))
    {
      char *end = NULL;
      long pid = strtol (d->d_name, &end, 10);

      if (pid <= 0 || *end != '\0' || pid == getpid ())
        continue;
      if (pid_alive_raw (pid) && environ_has_raw (pid, entry))
        kill ((pid_t) pid, SIGKILL);
    }
  closedir (dir);
}

/* fork + execv, waited for: async-signal-safe, unlike GSubprocess. */
static void
exec_raw (const char *const argv[])
{
  pid_t child = fork ();

  if (child == 0)
    {
      int null = open ("/dev/null", O_RDWR);

      if (null >= 0)
        {
          dup2 (null, 1);
          dup2 (null, 2);
        }
      execv (argv[0], (char * const *) argv);
      _exit (127);
    }
  if (child > 0)
    while (waitpid (child, NULL, 0) < 0 && errno == EINTR)
      ;
}

static const char *
ip_path (void)
{
  return access ("/usr/sbin/ip", X_OK) == 0 ? "/usr/sbin/ip" : "/sbin/ip";
}

void
loom_scaleout_cleanup (void)
{
  /* A forked child that exits (GLib's spawn helpers) runs no cleanup. */
  if (getpid () != owner_pid)
    return;

  /* What escaped: engines, srun, mpiexec and what they started. */
  sweep_raw (run_marker);
  for (int i = n_tracked_pids - 1; i >= 0; i--)
    stop_pid_raw (tracked_pids[i], 8000);
  n_tracked_pids = 0;
  sweep_raw (daemon_marker);
  for (int i = n_tracked_netns - 1; i >= 0; i--)
    exec_raw ((const char *const[]) { ip_path (), "netns", "delete", tracked_netns[i], NULL });
  n_tracked_netns = 0;
  for (int i = n_tracked_links - 1; i >= 0; i--)
    exec_raw ((const char *const[]) { ip_path (), "link", "delete", tracked_links[i], NULL });
  n_tracked_links = 0;
  if (private_dir[0])
    exec_raw ((const char *const[]) { "/bin/rm", "-rf", "--one-file-system", private_dir, NULL });
  private_dir[0] = '\0';
}

static void
cleanup_and_die (int sig)
{
  loom_scaleout_cleanup ();
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
cleanup_at_exit (void)
{
  loom_scaleout_cleanup ();
}

void
loom_scaleout_init (int    *argc,
                    char ***argv)
{
  g_test_init (argc, argv, NULL);
  owner_pid = getpid ();
  signal (SIGABRT, cleanup_and_die);
  signal (SIGTERM, cleanup_and_die);
  signal (SIGINT, cleanup_and_die);
  atexit (cleanup_at_exit);
}

void
loom_scaleout_track_pid (GPid        pid,
                         const char *what)
{
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (n_tracked_pids, <, MAX_TRACKED);
  g_strlcpy (tracked_pid_what[n_tracked_pids], what, sizeof tracked_pid_what[0]);
  tracked_pids[n_tracked_pids++] = pid;
}

void
loom_scaleout_untrack_pid (GPid pid)
{
  for (int i = 0; i < n_tracked_pids; i++)
    if (tracked_pids[i] == pid)
      {
        memmove (&tracked_pids[i], &tracked_pids[i + 1], (n_tracked_pids - i - 1) * sizeof tracked_pids[0]);
        memmove (&tracked_pid_what[i], &tracked_pid_what[i + 1],
                 (n_tracked_pids - i - 1) * sizeof tracked_pid_what[0]);
        n_tracked_pids--;
        return;
      }
}

void
loom_scaleout_track_netns (const char *name)
{
  g_assert_cmpint (n_tracked_netns, <, (int) G_N_ELEMENTS (tracked_netns));
  g_strlcpy (tracked_netns[n_tracked_netns++], name, sizeof tracked_netns[0]);
}

void
loom_scaleout_track_link (const char *name)
{
  g_assert_cmpint (n_tracked_links, <, (int) G_N_ELEMENTS (tracked_links));
  g_strlcpy (tracked_links[n_tracked_links++], name, sizeof tracked_links[0]);
}

static void
untrack_name (char (*names)[64],
              int         *n,
              const char  *name)
{
  for (int i = 0; i < *n; i++)
    if (g_str_equal (names[i], name))
      {
        memmove (&names[i], &names[i + 1], (*n - i - 1) * sizeof names[0]);
        (*n)--;
        return;
      }
}

static void
untrack_link (const char *name)
{
  for (int i = 0; i < n_tracked_links; i++)
    if (g_str_equal (tracked_links[i], name))
      {
        memmove (&tracked_links[i], &tracked_links[i + 1], (n_tracked_links - i - 1) * sizeof tracked_links[0]);
        n_tracked_links--;
        return;
      }
}

/* --- skipping ------------------------------------------------------------- */

gboolean
loom_scaleout_require_root (const char *what)
{
  g_autofree char *reason = NULL;

  if (geteuid () == 0)
    return TRUE;
  reason = g_strdup_printf ("needs root to start %s", what);
  g_test_skip (reason);
  return FALSE;
}

gboolean
loom_scaleout_require_programs (const char * const *programs,
                                const char         *package)
{
  for (guint i = 0; programs[i]; i++)
    {
      g_autofree char *found = g_path_is_absolute (programs[i])
                               ? (g_file_test (programs[i], G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (programs[i]) : NULL)
                               : g_find_program_in_path (programs[i]);

      if (!found)
        {
          g_autofree char *reason = g_strdup_printf ("%s is missing (Debian package %s; build-aux/dev test installs it)",
                                                     programs[i], package);
          g_test_skip (reason);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
loom_scaleout_require_netns (void)
{
  g_autofree char *probe = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!loom_scaleout_require_root ("network namespaces and a bridge") ||
      !loom_scaleout_require_programs ((const char * const[]) { "ip", "nsenter", "unshare", NULL },
                                       "iproute2, util-linux"))
    return FALSE;

  /* Whether this machine lets us make one (a container may not). */
  probe = g_strdup_printf ("ltprobe%d", (int) getpid ());
  loom_scaleout_track_netns (probe);
  status = loom_scaleout_runv ((const char * const[]) { ip_path (), "netns", "add", probe, NULL }, NULL, NULL, NULL, &err);
  if (status != 0)
    {
      g_autofree char *reason = g_strdup_printf ("network namespaces are not permitted here: ip netns add: %s",
                                                 g_strstrip (err));
      untrack_name (tracked_netns, &n_tracked_netns, probe);
      g_test_skip (reason);
      return FALSE;
    }
  g_assert_cmpint (loom_scaleout_runv ((const char * const[]) { ip_path (), "netns", "delete", probe, NULL },
                                       NULL, NULL, NULL, NULL), ==, 0);
  untrack_name (tracked_netns, &n_tracked_netns, probe);
  return TRUE;
}

/* --- the private directory ------------------------------------------------- */

const char *
loom_scaleout_dir (void)
{
  if (!private_dir[0])
    {
      /* Root-owned and not below a world-writable directory: munged and
       * sshd's StrictModes insist.  /tmp only when /run is not ours. */
      g_autofree char *dir = g_strdup (access ("/run", W_OK) == 0 ? "/run/loom-test-XXXXXX"
                                                                  : "/tmp/loom-test-XXXXXX");
      g_autofree char *xdg_run = NULL;
      g_autofree char *xdg_state = NULL;

      g_assert_nonnull (g_mkdtemp_full (dir, 0755));
      g_strlcpy (private_dir, dir, sizeof private_dir);
      g_snprintf (run_marker, sizeof run_marker, "LOOM_SCALEOUT_RUN=%s", dir);
      g_snprintf (daemon_marker, sizeof daemon_marker, "LOOM_SCALEOUT_DAEMON=%s", dir);
      xdg_run = g_build_filename (dir, "xdg-run", NULL);
      xdg_state = g_build_filename (dir, "xdg-state", NULL);
      g_assert_cmpint (g_mkdir (xdg_run, 0700), ==, 0);
      g_assert_cmpint (g_mkdir (xdg_state, 0700), ==, 0);
      g_test_message ("private directory %s", dir);
    }
  return private_dir;
}

char *
loom_scaleout_path (const char *name)
{
  return g_build_filename (loom_scaleout_dir (), name, NULL);
}

guint
loom_scaleout_free_port (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  guint port;

  g_assert_cmpint (fd, >=, 0);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  port = ntohs (addr.sin_port);
  close (fd);
  return port;
}

/* --- processes ------------------------------------------------------------- */

gboolean
loom_scaleout_pid_alive (GPid pid)
{
  return pid_alive_raw (pid);
}

gboolean
loom_scaleout_wait_pid_gone (GPid   pid,
                             double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (pid_alive_raw (pid))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (20 * 1000);
    }
  return TRUE;
}

/* SIGTERM, then SIGKILL after 10 s; TRUE if SIGTERM was enough. */
gboolean
loom_scaleout_stop_pid (GPid        pid,
                        const char *what)
{
  gboolean clean;

  if (!pid_alive_raw (pid))
    {
      loom_scaleout_untrack_pid (pid);
      return TRUE;
    }
  kill (pid, SIGTERM);
  clean = loom_scaleout_wait_pid_gone (pid, 10);
  if (!clean)
    {
      g_test_message ("%s (pid %d) outlived SIGTERM by 10 s: SIGKILL", what, (int) pid);
      kill (pid, SIGKILL);
      loom_scaleout_wait_pid_gone (pid, 5);
    }
  loom_scaleout_untrack_pid (pid);
  return clean;
}

GArray *
loom_scaleout_find_ours (gboolean daemons)
{
  const char *entry = daemons ? daemon_marker : run_marker;
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  const char *name;

  loom_scaleout_dir ();
  while (dir && (name = g_dir_read_name (dir)))
    {
      guint64 pid;

      if (!g_ascii_string_to_unsigned (name, 10, 1, G_MAXINT, &pid, NULL) || (pid_t) pid == getpid ())
        continue;
      if (pid_alive_raw (pid) && environ_has_raw (pid, entry))
        {
          GPid p = pid;
          g_array_append_val (pids, p);
        }
    }
  return pids;
}

static char *
pid_cmdline (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, NULL) || len == 0)
    {
      g_free (text);
      return g_strdup ("?");
    }
  for (gsize i = 0; i + 1 < len; i++)
    if (text[i] == '\0')
      text[i] = ' ';
  return text;
}

/* No process a case started (engines, srun, mpiexec, ssh) is left, after
 * waiting up to 10 s for the slow ones. */
void
loom_scaleout_assert_nothing_left (void)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_autoptr(GArray) pids = NULL;

  for (;;)
    {
      g_clear_pointer (&pids, g_array_unref);
      pids = loom_scaleout_find_ours (FALSE);
      if (pids->len == 0 || g_get_monotonic_time () > deadline)
        break;
      g_usleep (50 * 1000);
    }
  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *cmdline = pid_cmdline (g_array_index (pids, GPid, i));

      g_test_message ("left running: pid %d: %s", (int) g_array_index (pids, GPid, i), cmdline);
    }
  g_assert_cmpuint (pids->len, ==, 0);
}

char *
loom_scaleout_pid_getenv (GPid        pid,
                          const char *name)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/environ", (int) pid);
  g_autofree char *env = NULL;
  gsize len = 0;
  gsize name_len = strlen (name);

  if (!g_file_get_contents (path, &env, &len, NULL))
    return NULL;
  for (gsize at = 0; at < len; at += strlen (env + at) + 1)
    if (strncmp (env + at, name, name_len) == 0 && env[at + name_len] == '=')
      return g_strdup (env + at + name_len + 1);
  return NULL;
}

/* --- running commands ------------------------------------------------------- */

static char **
environ_with (char               **env,
              const char * const  *extra_env)
{
  for (guint i = 0; extra_env && extra_env[i]; i++)
    {
      const char *eq = strchr (extra_env[i], '=');
      g_autofree char *name = NULL;

      g_assert_nonnull (eq);
      name = g_strndup (extra_env[i], eq - extra_env[i]);
      env = g_environ_setenv (env, name, eq + 1, TRUE);
    }
  return env;
}

char **
loom_scaleout_environ (const char * const *extra_env)
{
  g_autofree char *xdg_run = loom_scaleout_path ("xdg-run");
  g_autofree char *xdg_state = loom_scaleout_path ("xdg-state");
  char **env = g_get_environ ();

  env = g_environ_setenv (env, "XDG_RUNTIME_DIR", xdg_run, TRUE);
  env = g_environ_setenv (env, "XDG_STATE_HOME", xdg_state, TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "LOOM_SCALEOUT_RUN", loom_scaleout_dir (), TRUE);
  env = g_environ_unsetenv (env, "LOOM_SCALEOUT_DAEMON");
  return environ_with (env, extra_env);
}

/* The environment of a daemon: the daemon marker instead of the run one,
 * so the daemons are not taken for what a case left behind. */
static char **
daemon_environ (const char * const *extra_env)
{
  char **env = g_get_environ ();

  loom_scaleout_dir ();
  env = g_environ_unsetenv (env, "LOOM_SCALEOUT_RUN");
  env = g_environ_setenv (env, "LOOM_SCALEOUT_DAEMON", loom_scaleout_dir (), TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  return environ_with (env, extra_env);
}

static GSubprocess *
spawn_with (const char * const  *argv,
            char               **env,
            GSubprocessFlags     flags,
            const char          *output_file)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_subprocess_launcher_set_environ (launcher, env);
  if (output_file)
    {
      g_subprocess_launcher_set_stdout_file_path (launcher, output_file);
      g_subprocess_launcher_set_stderr_file_path (launcher, output_file);
    }
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return proc;
}

GSubprocess *
loom_scaleout_spawnv (const char * const *argv,
                      const char * const *extra_env,
                      GSubprocessFlags    flags)
{
  g_auto(GStrv) env = loom_scaleout_environ (extra_env);

  return spawn_with (argv, env, flags, NULL);
}

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
  GError   *error;
} Communication;

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Communication *c = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->out, &c->err, &c->error);
  c->done = TRUE;
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static int
finish (GSubprocess  *proc,
        const char   *what,
        const char   *input,
        char        **out,
        char        **err)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Communication c = { 0 };
  gint64 begin = g_get_monotonic_time ();
  gint64 deadline = begin + RUN_TIMEOUT_S * G_USEC_PER_SEC;
  guint tick = g_timeout_add (20, wake_up, NULL);
  int status;

  g_subprocess_communicate_utf8_async (proc, input, cancellable, communicated, &c);
  while (!c.done)
    {
      if (g_get_monotonic_time () > deadline && !g_cancellable_is_cancelled (cancellable))
        {
          g_test_message ("%s: still running (or its pipes still open) after %d s", what, RUN_TIMEOUT_S);
          g_subprocess_force_exit (proc);
          g_cancellable_cancel (cancellable);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  g_subprocess_wait (proc, NULL, NULL);
  if (c.error)
    g_test_message ("%s: %s", what, c.error->message);
  g_clear_error (&c.error);

  if (g_subprocess_get_if_exited (proc))
    status = g_subprocess_get_exit_status (proc);
  else
    status = 128 + g_subprocess_get_term_sig (proc);

  if (status != 0 || g_test_verbose ())
    {
      g_autofree char *shown = c.err ? g_utf8_make_valid (c.err, -1) : NULL;

      g_test_message ("%s -> %d (%.2f s)%s%s", what, status, loom_scaleout_seconds_since (begin),
                      shown && *shown ? "; stderr: " : "", shown ? g_strchomp (shown) : "");
    }
  if (out)
    *out = g_steal_pointer (&c.out);
  if (err)
    *err = g_steal_pointer (&c.err);
  g_free (c.out);
  g_free (c.err);
  return status;
}

static int
run_with (const char * const  *argv,
          char               **env,
          const char          *input,
          char               **out,
          char               **err)
{
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *what = g_strjoinv (" ", (char **) argv);

  if (input)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
  proc = spawn_with (argv, env, flags, NULL);
  return finish (proc, what, input, out, err);
}

int
loom_scaleout_runv (const char * const *argv,
                    const char * const *extra_env,
                    const char         *input,
                    char              **out,
                    char              **err)
{
  g_auto(GStrv) env = loom_scaleout_environ (extra_env);

  return run_with (argv, env, input, out, err);
}

int
loom_scaleout_run (char       **out,
                   char       **err,
                   const char  *first_arg,
                   ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *a = first_arg; a; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return loom_scaleout_runv ((const char * const *) args->pdata, NULL, NULL, out, err);
}

double
loom_scaleout_seconds_since (gint64 begin)
{
  return (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

double
loom_scaleout_median (GArray *seconds)
{
  guint n = seconds->len;

  g_assert_cmpuint (n, >, 0);
  g_array_sort (seconds, compare_doubles);
  if (n % 2)
    return g_array_index (seconds, double, n / 2);
  return (g_array_index (seconds, double, n / 2 - 1) + g_array_index (seconds, double, n / 2)) / 2;
}

/* Runs a daemon's start command, which forks into the background and
 * writes @pid_file; the daemon's pid, tracked, or 0 with @error set. */
static GPid
start_daemon (const char * const  *argv,
              const char * const  *extra_env,
              const char          *pid_file,
              const char          *log_file,
              GError             **error)
{
  g_auto(GStrv) env = daemon_environ (extra_env);
  g_autofree char *start_log = g_strconcat (pid_file, ".start", NULL);
  g_autoptr(GSubprocess) proc = spawn_with (argv, env, G_SUBPROCESS_FLAGS_NONE, start_log);
  g_autofree char *what = g_path_get_basename (argv[0]);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint64 pid = 0;

  g_subprocess_wait (proc, NULL, NULL);
  if (!g_subprocess_get_successful (proc))
    {
      g_autofree char *said = NULL;
      g_autofree char *logged = NULL;

      g_file_get_contents (start_log, &said, NULL, NULL);
      if (log_file)
        g_file_get_contents (log_file, &logged, NULL, NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s did not start: %s%s%s", what,
                   said ? g_strstrip (said) : "", logged ? "; its log: " : "", logged ? logged : "");
      return 0;
    }

  for (;;)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (pid_file, &text, NULL, NULL) &&
          g_ascii_string_to_unsigned (g_strstrip (text), 10, 1, G_MAXINT, &pid, NULL) &&
          pid_alive_raw (pid))
        break;
      pid = 0;
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *logged = NULL;

          if (log_file)
            g_file_get_contents (log_file, &logged, NULL, NULL);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s wrote no pid file %s in 20 s%s%s", what,
                       pid_file, logged ? "; its log: " : "", logged ? logged : "");
          return 0;
        }
      g_usleep (20 * 1000);
    }
  loom_scaleout_track_pid (pid, what);
  return pid;
}

/* --- Loom ------------------------------------------------------------------ */

static char *
netns_path (const char *netns)
{
  return g_build_filename ("/run/netns", netns, NULL);
}

/* @argv after `nsenter --net=/run/netns/NETNS` when @netns is set. */
static GPtrArray *
argv_in (const char *netns)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  if (netns)
    {
      g_autofree char *path = netns_path (netns);

      g_ptr_array_add (argv, g_strdup ("nsenter"));
      g_ptr_array_add (argv, g_strdup_printf ("--net=%s", path));
    }
  return argv;
}

LoomScaleoutController *
loom_scaleout_controller_start (const char *profile,
                                const char *ip,
                                const char *location,
                                const char *netns)
{
  LoomScaleoutController *ctl = g_new0 (LoomScaleoutController, 1);
  g_autoptr(GPtrArray) argv = argv_in (netns);
  g_autofree char *log_name = g_strdup_printf ("controller-%s.log", profile);
  g_autofree char *log = loom_scaleout_path (log_name);
  g_autofree char *name = g_strdup_printf ("%s-engine.json", profile);
  g_autofree char *client_name = g_strdup_printf ("%s.json", profile);
  g_auto(GStrv) env = loom_scaleout_environ (NULL);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  /* The controller is one of the test's daemons, stopped by pid: what a
   * case's engines and clients leave is told apart from it. */
  env = g_environ_unsetenv (env, "LOOM_SCALEOUT_RUN");
  env = g_environ_setenv (env, "LOOM_SCALEOUT_DAEMON", loom_scaleout_dir (), TRUE);

  g_assert_nonnull (g_getenv ("LOOM_CONTROLLER"));
  ctl->profile = g_strdup (profile);
  ctl->netns = g_strdup (netns);
  ctl->engine_file = g_build_filename (loom_scaleout_dir (), "xdg-run", "loom", name, NULL);
  ctl->client_file = g_build_filename (loom_scaleout_dir (), "xdg-run", "loom", client_name, NULL);

  g_ptr_array_add (argv, g_strdup (g_getenv ("LOOM_CONTROLLER")));
  g_ptr_array_add (argv, g_strdup ("--profile"));
  g_ptr_array_add (argv, g_strdup (profile));
  g_ptr_array_add (argv, g_strdup ("--ip"));
  g_ptr_array_add (argv, g_strdup (ip));
  if (location)
    {
      g_ptr_array_add (argv, g_strdup ("--location"));
      g_ptr_array_add (argv, g_strdup (location));
    }
  g_ptr_array_add (argv, g_strdup ("--no-store"));
  g_ptr_array_add (argv, NULL);

  ctl->process = spawn_with ((const char * const *) argv->pdata, env, G_SUBPROCESS_FLAGS_NONE, log);
  loom_scaleout_track_pid (atoi (g_subprocess_get_identifier (ctl->process)), "loom-controller");

  /* nsenter execs the controller: the pid is the controller's. */
  while (!g_file_test (ctl->engine_file, G_FILE_TEST_EXISTS) || !g_file_test (ctl->client_file, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > deadline || g_subprocess_get_identifier (ctl->process) == NULL)
        {
          g_autofree char *said = NULL;

          g_file_get_contents (log, &said, NULL, NULL);
          g_test_message ("the controller wrote no connection files: %s", said ? said : "");
          g_assert_not_reached ();
        }
      g_usleep (10 * 1000);
    }
  return ctl;
}

void
loom_scaleout_controller_stop (LoomScaleoutController *ctl)
{
  const char *id;

  if (!ctl)
    return;
  if ((id = g_subprocess_get_identifier (ctl->process)))
    {
      GPid pid = atoi (id);

      g_subprocess_send_signal (ctl->process, SIGTERM);
      g_subprocess_wait (ctl->process, NULL, NULL);
      loom_scaleout_untrack_pid (pid);
    }
  g_object_unref (ctl->process);
  g_free (ctl->profile);
  g_free (ctl->netns);
  g_free (ctl->engine_file);
  g_free (ctl->client_file);
  g_free (ctl);
}

LoomScaleoutController *
loom_scaleout_cluster_start (const char          *profile,
                             const char          *netns,
                             const char * const  *args,
                             double              *seconds,
                             char               **err)
{
  return loom_scaleout_cluster_start_on (profile, netns, NULL, args, seconds, err);
}

LoomScaleoutController *
loom_scaleout_cluster_start_on (const char          *profile,
                                const char          *netns,
                                const char          *hostname,
                                const char * const  *args,
                                double              *seconds,
                                char               **err)
{
  g_autoptr(GPtrArray) argv = argv_in (netns);
  g_autofree char *name = g_strdup_printf ("%s-engine.json", profile);
  g_autofree char *client_name = g_strdup_printf ("%s.json", profile);
  g_autofree char *out = NULL;
  g_autofree char *said = NULL;
  g_autoptr(JsonNode) status = NULL;
  LoomScaleoutController *ctl;
  gint64 begin = g_get_monotonic_time ();
  int code;

  g_assert_nonnull (g_getenv ("LOOMCTL"));
  if (hostname)
    {
      g_ptr_array_add (argv, g_strdup ("unshare"));
      g_ptr_array_add (argv, g_strdup ("--uts"));
      g_ptr_array_add (argv, g_strdup ("sh"));
      g_ptr_array_add (argv, g_strdup ("-c"));
      g_ptr_array_add (argv, g_strdup_printf ("hostname %s && exec \"$0\" \"$@\"", hostname));
    }
  g_ptr_array_add (argv, g_strdup (g_getenv ("LOOMCTL")));
  g_ptr_array_add (argv, g_strdup ("cluster"));
  g_ptr_array_add (argv, g_strdup ("start"));
  g_ptr_array_add (argv, g_strdup ("--profile"));
  g_ptr_array_add (argv, g_strdup (profile));
  for (guint i = 0; args && args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  code = loom_scaleout_runv ((const char * const *) argv->pdata, NULL, NULL, &out, &said);
  if (seconds)
    *seconds = loom_scaleout_seconds_since (begin);
  g_test_message ("loomctl cluster start --profile %s ...: exit %d, %s%s", profile, code, g_strstrip (out),
                  code ? g_strstrip (said) : "");
  if (code != 0)
    {
      if (err)
        *err = g_steal_pointer (&said);
      return NULL;
    }

  ctl = g_new0 (LoomScaleoutController, 1);
  ctl->profile = g_strdup (profile);
  ctl->netns = g_strdup (netns);
  ctl->engine_file = g_build_filename (loom_scaleout_dir (), "xdg-run", "loom", name, NULL);
  ctl->client_file = g_build_filename (loom_scaleout_dir (), "xdg-run", "loom", client_name, NULL);
  status = loom_scaleout_status (ctl);
  ctl->pid = (GPid) json_object_get_int_member_with_default (json_object_get_object_member (json_node_get_object (status), "controller"), "pid", 0);
  loom_scaleout_track_pid (ctl->pid, "loom-controller");
  return ctl;
}

void
loom_scaleout_cluster_crash (LoomScaleoutController *ctl)
{
  g_assert_cmpint (kill (ctl->pid, SIGKILL), ==, 0);
  g_assert_true (loom_scaleout_wait_pid_gone (ctl->pid, 10));
}

void
loom_scaleout_cluster_stop (LoomScaleoutController *ctl)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int code;

  code = loom_scaleout_loomctl (ctl, NULL, &out, &err, "cluster", "stop", NULL);
  g_test_message ("loomctl cluster stop: exit %d, %s %s", code, g_strstrip (out), g_strstrip (err));
  g_assert_cmpint (code, ==, 0);
  g_assert_true (loom_scaleout_wait_pid_gone (ctl->pid, 15));
  loom_scaleout_untrack_pid (ctl->pid);
  g_free (ctl->profile);
  g_free (ctl->netns);
  g_free (ctl->engine_file);
  g_free (ctl->client_file);
  g_free (ctl);
}

static int
loomctl_v (LoomScaleoutController *ctl,
           const char             *netns,
           char                  **out,
           char                  **err,
           const char             *first_arg,
           va_list                 ap)
{
  g_autoptr(GPtrArray) argv = argv_in (netns ? netns : ctl->netns);
  gboolean profiled = FALSE;

  g_assert_nonnull (g_getenv ("LOOMCTL"));
  g_ptr_array_add (argv, g_strdup (g_getenv ("LOOMCTL")));
  for (const char *a = first_arg; a; a = va_arg (ap, const char *))
    {
      /* --profile before a command's own arguments, not among them */
      if (g_str_equal (a, "--") && !profiled)
        {
          g_ptr_array_add (argv, g_strdup ("--profile"));
          g_ptr_array_add (argv, g_strdup (ctl->profile));
          profiled = TRUE;
        }
      g_ptr_array_add (argv, g_strdup (a));
    }
  if (!profiled)
    {
      g_ptr_array_add (argv, g_strdup ("--profile"));
      g_ptr_array_add (argv, g_strdup (ctl->profile));
    }
  g_ptr_array_add (argv, NULL);
  return loom_scaleout_runv ((const char * const *) argv->pdata, NULL, NULL, out, err);
}

int
loom_scaleout_loomctl (LoomScaleoutController *ctl,
                       const char             *netns,
                       char                  **out,
                       char                  **err,
                       const char             *first_arg,
                       ...)
{
  va_list ap;
  int status;

  va_start (ap, first_arg);
  status = loomctl_v (ctl, netns, out, err, first_arg, ap);
  va_end (ap);
  return status;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json_parser_get_root (parser));
  return json_node_copy (json_parser_get_root (parser));
}

double
loom_scaleout_wait_engines (LoomScaleoutController *ctl,
                            guint                   n,
                            gint64                  begin,
                            double                  timeout)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  guint seen = 0;

  for (;;)
    {
      g_autofree char *out = NULL;

      if (loom_scaleout_loomctl (ctl, NULL, &out, NULL, "ids", NULL) == 0)
        {
          g_autoptr(JsonNode) ids = parse_json (out);

          g_assert_true (JSON_NODE_HOLDS_ARRAY (ids));
          seen = json_array_get_length (json_node_get_array (ids));
          if (seen >= n)
            return loom_scaleout_seconds_since (begin);
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_test_message ("%u of %u engines registered after %.0f s", seen, n, timeout);
          return -1;
        }
      g_usleep (20 * 1000);
    }
}

JsonNode *
loom_scaleout_status (LoomScaleoutController *ctl)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (loom_scaleout_loomctl (ctl, NULL, &out, NULL, "cluster", "status", "--json", NULL), ==, 0);
  return parse_json (out);
}

GArray *
loom_scaleout_engine_pids (LoomScaleoutController *ctl)
{
  g_autoptr(JsonNode) status = loom_scaleout_status (ctl);
  JsonArray *engines = json_object_get_array_member (json_node_get_object (status), "engines");
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));

  for (guint i = 0; i < json_array_get_length (engines); i++)
    {
      JsonObject *e = json_array_get_object_element (engines, i);
      const char *state = json_object_get_string_member (e, "state");
      GPid pid = json_object_get_int_member (e, "pid");

      if (g_str_equal (state, "idle") || g_str_equal (state, "busy"))
        g_array_append_val (pids, pid);
    }
  return pids;
}

void
loom_scaleout_assert_launched (LoomScaleoutController *ctl,
                               const char             *launcher)
{
  g_autoptr(JsonNode) status = loom_scaleout_status (ctl);
  JsonArray *engines = json_object_get_array_member (json_node_get_object (status), "engines");
  guint live = 0;

  for (guint i = 0; i < json_array_get_length (engines); i++)
    {
      JsonObject *e = json_array_get_object_element (engines, i);
      const char *state = json_object_get_string_member (e, "state");
      g_autofree char *job = NULL;

      if (!g_str_equal (state, "idle") && !g_str_equal (state, "busy"))
        continue;
      live++;
      job = loom_scaleout_pid_getenv (json_object_get_int_member (e, "pid"), "LOOM_LAUNCH_JOB");
      g_assert_cmpstr (json_object_get_string_member_with_default (e, "launcher", NULL), ==, launcher);
      g_assert_nonnull (job);
      g_assert_cmpstr (json_object_get_string_member_with_default (e, "job_id", NULL), ==, job);
    }
  g_assert_cmpuint (live, >, 0);
}

void
loom_scaleout_assert_seed (LoomScaleoutController *ctl,
                           const char             *netns)
{
  g_autoptr(GRegex) pair = g_regex_new ("\\(([0-9.]+), ([0-9]+)\\)", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 begin = g_get_monotonic_time ();
  guint t = 0;

  g_assert_cmpint (loom_scaleout_loomctl (ctl, netns, &out, &err, "map", "printtime", "--sweep", "t=range:0:10", NULL),
                   ==, 0);
  g_test_message ("seed (printtime over range(10)): %.2f s: %s", loom_scaleout_seconds_since (begin), out);
  g_assert_cmpstr (err, ==, "");
  for (g_regex_match (pair, out, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *value = g_match_info_fetch (match, 2);

      g_assert_cmpint (atoi (value), ==, t);
      t++;
    }
  g_assert_cmpuint (t, ==, 10);
}

/* --- Slurm ------------------------------------------------------------------ */

static gboolean
write_file (const char  *path,
            const char  *text,
            gssize       len,
            int          mode,
            GError     **error)
{
  if (!g_file_set_contents (path, text, len, error))
    return FALSE;
  if (g_chmod (path, mode) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "chmod %s: %s", path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

LoomScaleoutSlurm *
loom_scaleout_slurm_start (GError **error)
{
  g_autofree LoomScaleoutSlurm *slurm = g_new0 (LoomScaleoutSlurm, 1);
  g_autofree char *munge = NULL;
  g_autofree char *key = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *conf_text = NULL;
  g_autofree char *hostname = NULL;
  guint8 key_bytes[1024];
  gint64 deadline;
  const char *subdirs[] = { "munge", "state", "spool", "log", "run" };

  slurm->dir = loom_scaleout_path ("slurm");
  g_assert_cmpint (g_mkdir (slurm->dir, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (slurm->dir, subdirs[i], NULL);

      /* munged refuses a socket directory of mode 700: 711. */
      g_assert_cmpint (g_mkdir (sub, g_str_equal (subdirs[i], "munge") ? 0711 : 0755), ==, 0);
    }

  /* munged, with a key of its own */
  munge = g_build_filename (slurm->dir, "munge", NULL);
  key = g_build_filename (munge, "munge.key", NULL);
  socket_path = g_build_filename (munge, "munge.sock", NULL);
  for (guint i = 0; i < sizeof key_bytes; i += 4)
    {
      guint32 r = g_random_int ();
      memcpy (key_bytes + i, &r, 4);
    }
  if (!write_file (key, (const char *) key_bytes, sizeof key_bytes, 0400, error))
    return NULL;
  {
    g_autofree char *a_key = g_strdup_printf ("--key-file=%s", key);
    g_autofree char *a_socket = g_strdup_printf ("--socket=%s", socket_path);
    g_autofree char *pid_file = g_build_filename (munge, "munged.pid", NULL);
    g_autofree char *a_pid = g_strdup_printf ("--pid-file=%s", pid_file);
    g_autofree char *log_file = g_build_filename (munge, "munged.log", NULL);
    g_autofree char *a_log = g_strdup_printf ("--log-file=%s", log_file);
    g_autofree char *a_seed = g_strdup_printf ("--seed-file=%s/munged.seed", munge);

    slurm->munged = start_daemon ((const char * const[]) { "/usr/sbin/munged", a_key, a_socket, a_pid, a_log, a_seed, NULL },
                                  NULL, pid_file, log_file, error);
    if (!slurm->munged)
      return NULL;
  }

  /* slurm.conf: this host as the only node, on ports picked now; 8 CPUs
   * whatever the machine has (config_overrides), so 4 or 8 engines run at
   * once on 2 cores instead of pending for ever. */
  {
    char host[256] = "";
    char *dot;

    gethostname (host, sizeof host - 1);
    if ((dot = strchr (host, '.')))
      *dot = '\0';
    hostname = g_strdup (host);
  }
  slurm->conf = g_build_filename (slurm->dir, "slurm.conf", NULL);
  conf_text = g_strdup_printf (
    "ClusterName=loomtest\n"
    "SlurmctldHost=%s(127.0.0.1)\n"
    "SlurmctldPort=%u\n"
    "SlurmdPort=%u\n"
    "SlurmUser=root\n"
    "SlurmdUser=root\n"
    "AuthType=auth/munge\n"
    "AuthInfo=socket=%s\n"
    "CredType=cred/munge\n"
    "ProctrackType=proctrack/linuxproc\n"
    "TaskPlugin=task/none\n"
    "JobAcctGatherType=jobacct_gather/none\n"
    "AccountingStorageType=accounting_storage/none\n"
    "MpiDefault=none\n"
    "MailProg=/bin/true\n"
    "SchedulerType=sched/backfill\n"
    "SchedulerParameters=sched_min_interval=0,batch_sched_delay=0\n"
    "SelectType=select/cons_tres\n"
    "SelectTypeParameters=CR_Core\n"
    "SlurmdParameters=config_overrides\n"
    "ReturnToService=2\n"
    "KillWait=5\n"
    "StateSaveLocation=%s/state\n"
    "SlurmdSpoolDir=%s/spool\n"
    "SlurmctldPidFile=%s/run/slurmctld.pid\n"
    "SlurmdPidFile=%s/run/slurmd.pid\n"
    "SlurmctldLogFile=%s/log/slurmctld.log\n"
    "SlurmdLogFile=%s/log/slurmd.log\n"
    "SlurmctldDebug=info\n"
    "SlurmdDebug=info\n"
    "NodeName=%s NodeAddr=127.0.0.1 CPUs=8 State=UNKNOWN\n"
    "PartitionName=loomtest Nodes=%s Default=YES MaxTime=INFINITE State=UP\n",
    hostname, loom_scaleout_free_port (), loom_scaleout_free_port (), socket_path,
    slurm->dir, slurm->dir, slurm->dir, slurm->dir, slurm->dir, slurm->dir, hostname, hostname);
  if (!write_file (slurm->conf, conf_text, -1, 0644, error))
    return NULL;
  slurm->env[0] = g_strdup_printf ("SLURM_CONF=%s", slurm->conf);

  {
    g_autofree char *pid_file = g_build_filename (slurm->dir, "run", "slurmctld.pid", NULL);
    g_autofree char *log_file = g_build_filename (slurm->dir, "log", "slurmctld.log", NULL);

    slurm->slurmctld = start_daemon ((const char * const[]) { "/usr/sbin/slurmctld", "-f", slurm->conf, NULL },
                                     (const char * const *) slurm->env, pid_file, log_file, error);
    if (!slurm->slurmctld)
      goto fail;
  }
  {
    g_autofree char *pid_file = g_build_filename (slurm->dir, "run", "slurmd.pid", NULL);
    g_autofree char *log_file = g_build_filename (slurm->dir, "log", "slurmd.log", NULL);

    slurm->slurmd = start_daemon ((const char * const[]) { "/usr/sbin/slurmd", "-f", slurm->conf, NULL },
                                  (const char * const *) slurm->env, pid_file, log_file, error);
    if (!slurm->slurmd)
      goto fail;
  }

  /* until the node is idle */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *out = NULL;

      if (loom_scaleout_runv ((const char * const[]) { "sinfo", "-h", "-N", "-o", "%t", NULL },
                              (const char * const *) slurm->env, NULL, &out, NULL) == 0 &&
          g_str_equal (g_strstrip (out), "idle"))
        break;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the Slurm node is not idle after 30 s: %s",
                       out ? out : "");
          goto fail;
        }
      g_usleep (100 * 1000);
    }
  return g_steal_pointer (&slurm);

fail:
  loom_scaleout_slurm_stop (g_steal_pointer (&slurm));
  return NULL;
}

void
loom_scaleout_slurm_stop (LoomScaleoutSlurm *slurm)
{
  if (!slurm)
    return;
  if (slurm->slurmd)
    loom_scaleout_stop_pid (slurm->slurmd, "slurmd");
  if (slurm->slurmctld)
    loom_scaleout_stop_pid (slurm->slurmctld, "slurmctld");
  if (slurm->munged)
    loom_scaleout_stop_pid (slurm->munged, "munged");
  g_free (slurm->dir);
  g_free (slurm->conf);
  g_free (slurm->env[0]);
  g_free (slurm);
}

/* --- SSH -------------------------------------------------------------------- */

static gboolean
tcp_accepts (guint port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean ok;

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  ok = connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0;
  close (fd);
  return ok;
}

LoomScaleoutSshd *
loom_scaleout_sshd_start (GError **error)
{
  return loom_scaleout_sshd_start_in (NULL, "127.0.0.1", NULL, error);
}

/* Has sshd's log said it listens? (In a namespace, nothing here can
 * connect to its address to find out.) */
static gboolean
sshd_listens (const char *log_file)
{
  g_autofree char *logged = NULL;

  return g_file_get_contents (log_file, &logged, NULL, NULL) && strstr (logged, "Server listening on") != NULL;
}

LoomScaleoutSshd *
loom_scaleout_sshd_start_in (const char  *netns,
                             const char  *address,
                             const char  *hostname,
                             GError     **error)
{
  g_autofree LoomScaleoutSshd *sshd = g_new0 (LoomScaleoutSshd, 1);
  g_autofree char *dir_name = netns ? g_strdup_printf ("ssh-%s", netns) : g_strdup ("ssh");
  g_autoptr(GPtrArray) argv = argv_in (netns);
  g_autofree char *host_key = NULL;
  g_autofree char *pub = NULL;
  g_autofree char *pub_text = NULL;
  g_autofree char *authorized = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *conf_text = NULL;
  g_autofree char *pid_file = NULL;
  g_autofree char *log_file = NULL;
  g_autofree char *err = NULL;
  gint64 deadline;

  /* Not below /tmp: StrictModes rejects keys under a world-writable dir. */
  sshd->dir = loom_scaleout_path (dir_name);
  g_assert_cmpint (g_mkdir (sshd->dir, 0700), ==, 0);
  host_key = g_build_filename (sshd->dir, "host_ed25519", NULL);
  sshd->key = g_build_filename (sshd->dir, "id_ed25519", NULL);
  for (guint i = 0; i < 2; i++)
    if (loom_scaleout_runv ((const char * const[]) { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "loom-test",
                                                     "-f", i ? sshd->key : host_key, NULL },
                            NULL, NULL, NULL, NULL) != 0)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "ssh-keygen failed");
        return NULL;
      }
  pub = g_strconcat (sshd->key, ".pub", NULL);
  authorized = g_build_filename (sshd->dir, "authorized_keys", NULL);
  if (!g_file_get_contents (pub, &pub_text, NULL, error) || !write_file (authorized, pub_text, -1, 0600, error))
    return NULL;

  sshd->port = loom_scaleout_free_port ();
  pid_file = g_build_filename (sshd->dir, "sshd.pid", NULL);
  log_file = g_build_filename (sshd->dir, "sshd.log", NULL);
  conf = g_build_filename (sshd->dir, "sshd_config", NULL);
  conf_text = g_strdup_printf ("Port %u\n"
                               "ListenAddress %s\n"
                               "HostKey %s\n"
                               "PidFile %s\n"
                               "AuthorizedKeysFile %s\n"
                               "PermitRootLogin prohibit-password\n"
                               "PubkeyAuthentication yes\n"
                               "PasswordAuthentication no\n"
                               "KbdInteractiveAuthentication no\n"
                               "UsePAM no\n"
                               "StrictModes yes\n"
                               "X11Forwarding no\n"
                               "PrintMotd no\n"
                               "LogLevel VERBOSE\n",
                               sshd->port, address, host_key, pid_file, authorized);
  if (!write_file (conf, conf_text, -1, 0600, error))
    return NULL;

  /* sshd's privilege-separation directory must exist (made once, left:
   * it is what the package's init script makes too). */
  if (g_mkdir_with_parents ("/run/sshd", 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "mkdir /run/sshd: %s", g_strerror (errno));
      return NULL;
    }
  if (loom_scaleout_runv ((const char * const[]) { "/usr/sbin/sshd", "-t", "-f", conf, NULL }, NULL, NULL, NULL, &err) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "sshd -t: %s", err);
      return NULL;
    }
  /* In a namespace: what sshd starts has that host's name too (unshare
   * --uts), as on another machine. */
  if (hostname)
    {
      g_ptr_array_add (argv, g_strdup ("unshare"));
      g_ptr_array_add (argv, g_strdup ("--uts"));
      g_ptr_array_add (argv, g_strdup ("sh"));
      g_ptr_array_add (argv, g_strdup ("-c"));
      g_ptr_array_add (argv, g_strdup_printf ("hostname %s && exec \"$0\" \"$@\"", hostname));
    }
  g_ptr_array_add (argv, g_strdup ("/usr/sbin/sshd"));
  g_ptr_array_add (argv, g_strdup ("-f"));
  g_ptr_array_add (argv, g_strdup (conf));
  g_ptr_array_add (argv, g_strdup ("-E"));
  g_ptr_array_add (argv, g_strdup (log_file));
  g_ptr_array_add (argv, NULL);
  sshd->pid = start_daemon ((const char * const *) argv->pdata, NULL, pid_file, log_file, error);
  if (!sshd->pid)
    return NULL;

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (netns ? !sshd_listens (log_file) : !tcp_accepts (sshd->port))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "sshd accepts nothing on %s:%u", address, sshd->port);
          loom_scaleout_sshd_stop (g_steal_pointer (&sshd));
          return NULL;
        }
      g_usleep (20 * 1000);
    }
  return g_steal_pointer (&sshd);
}

void
loom_scaleout_sshd_stop (LoomScaleoutSshd *sshd)
{
  if (!sshd)
    return;
  if (sshd->pid)
    loom_scaleout_stop_pid (sshd->pid, "sshd");
  g_free (sshd->dir);
  g_free (sshd->key);
  g_free (sshd);
}

int
loom_scaleout_ssh (LoomScaleoutSshd  *sshd,
                   const char        *command,
                   const char        *script,
                   char             **out,
                   char             **err)
{
  g_autofree char *port = g_strdup_printf ("%u", sshd->port);
  g_autofree char *known = g_build_filename (sshd->dir, "known_hosts", NULL);
  g_autofree char *known_opt = g_strdup_printf ("UserKnownHostsFile=%s", known);
  g_autofree char *target = g_strdup_printf ("%s@127.0.0.1", g_get_user_name ());

  /* -F /dev/null: nothing of ~/.ssh or /etc/ssh/ssh_config is read. */
  return loom_scaleout_runv ((const char * const[]) { "ssh", "-F", "/dev/null", "-p", port, "-i", sshd->key,
                                                      "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                                                      "-o", known_opt, "-o", "StrictHostKeyChecking=accept-new",
                                                      "-o", "LogLevel=ERROR", target, "--", command, NULL },
                             NULL, script ? script : "", out, err);
}

/* --- network namespaces ----------------------------------------------------- */

static gboolean
ip (GError **error,
    ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) ip_path ());
  va_start (ap, error);
  for (const char *a = va_arg (ap, const char *); a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  if (loom_scaleout_runv ((const char * const *) argv->pdata, NULL, NULL, NULL, &err) == 0)
    return TRUE;
  {
    g_autofree char *command = g_strjoinv (" ", (char **) argv->pdata);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", command, err ? g_strstrip (err) : "");
  }
  return FALSE;
}

LoomScaleoutNet *
loom_scaleout_net_new (guint    n_hosts,
                       GError **error)
{
  LoomScaleoutNet *net = g_new0 (LoomScaleoutNet, 1);
  int pid = getpid ();

  g_assert_cmpuint (n_hosts, <=, G_N_ELEMENTS (net->netns));
  net->bridge = g_strdup_printf ("ltbr%d", pid);
  loom_scaleout_track_link (net->bridge);
  if (!ip (error, "link", "add", net->bridge, "type", "bridge", NULL) ||
      !ip (error, "link", "set", net->bridge, "up", NULL))
    goto fail;

  for (guint i = 0; i < n_hosts; i++)
    {
      g_autofree char *veth = g_strdup_printf ("lt%d%c", pid, 'a' + i);
      g_autofree char *cidr = NULL;

      net->netns[i] = g_strdup_printf ("loom-test-%d-%c", pid, 'a' + i);
      net->netns_path[i] = netns_path (net->netns[i]);
      net->address[i] = g_strdup_printf ("10.251.0.%u", i + 1);
      cidr = g_strdup_printf ("%s/24", net->address[i]);
      net->n_hosts = i + 1;
      loom_scaleout_track_netns (net->netns[i]);
      loom_scaleout_track_link (veth);
      if (!ip (error, "netns", "add", net->netns[i], NULL) ||
          !ip (error, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", net->netns[i], NULL) ||
          !ip (error, "link", "set", veth, "master", net->bridge, "up", NULL) ||
          !ip (error, "-n", net->netns[i], "link", "set", "lo", "up", NULL) ||
          !ip (error, "-n", net->netns[i], "addr", "add", cidr, "dev", "eth0", NULL) ||
          !ip (error, "-n", net->netns[i], "link", "set", "eth0", "up", NULL))
        goto fail;
    }
  return net;

fail:
  loom_scaleout_net_free (net);
  return NULL;
}

char *
loom_scaleout_host_address_add (GError **error)
{
  int pid = getpid ();
  g_autofree char *link = g_strdup_printf ("ltd%d", pid);
  g_autofree char *address = g_strdup_printf ("10.252.%d.%d", (pid >> 8) & 0xff, MAX (pid & 0xff, 1) == 255 ? 254 : MAX (pid & 0xff, 1));
  g_autofree char *cidr = g_strdup_printf ("%s/32", address);
  g_autofree char *peer = g_strdup_printf ("ltd%dp", pid);

  /* A veth pair (no dummy module here); deleting one end deletes both. */
  loom_scaleout_track_link (link);
  if (!ip (error, "link", "add", link, "type", "veth", "peer", "name", peer, NULL) ||
      !ip (error, "addr", "add", cidr, "dev", link, NULL) ||
      !ip (error, "link", "set", link, "up", NULL))
    {
      loom_scaleout_host_address_remove ();
      return NULL;
    }
  return g_steal_pointer (&address);
}

void
loom_scaleout_host_address_remove (void)
{
  g_autofree char *link = g_strdup_printf ("ltd%d", (int) getpid ());

  ip (NULL, "link", "delete", link, NULL);
  untrack_link (link);
}

void
loom_scaleout_net_free (LoomScaleoutNet *net)
{
  int pid = getpid ();

  if (!net)
    return;
  for (guint i = 0; i < net->n_hosts; i++)
    {
      g_autofree char *veth = g_strdup_printf ("lt%d%c", pid, 'a' + i);
      g_autofree char *pids = NULL;

      /* What still runs in it is a leak of the case: say so. */
      if (loom_scaleout_runv ((const char * const[]) { ip_path (), "netns", "pids", net->netns[i], NULL },
                              NULL, NULL, &pids, NULL) == 0 && *g_strstrip (pids))
        g_test_message ("still running in %s: %s", net->netns[i], pids);
      /* Deleting the namespace destroys its end of the pair, and so the pair. */
      g_assert_true (ip (NULL, "netns", "delete", net->netns[i], NULL));
      untrack_name (tracked_netns, &n_tracked_netns, net->netns[i]);
      untrack_link (veth);
      g_free (net->netns[i]);
      g_free (net->netns_path[i]);
      g_free (net->address[i]);
    }
  g_assert_true (ip (NULL, "link", "delete", net->bridge, NULL));
  untrack_link (net->bridge);
  g_free (net->bridge);
  g_free (net);
}

/* --- capture ---------------------------------------------------------------- */

struct _LoomScaleoutCapture
{
  int          fd;
  GThread     *thread;
  gint         stop;
  GByteArray  *frames;
  guint        n_frames;
};

static gpointer
capture_thread (gpointer data)
{
  LoomScaleoutCapture *capture = data;
  guint8 frame[65536];

  while (!g_atomic_int_get (&capture->stop))
    {
      struct pollfd pfd = { .fd = capture->fd, .events = POLLIN };
      ssize_t len;

      if (poll (&pfd, 1, 50) <= 0)
        continue;
      if ((len = recv (capture->fd, frame, sizeof frame, MSG_DONTWAIT)) > 0)
        {
          g_byte_array_append (capture->frames, frame, len);
          capture->n_frames++;
        }
    }
  return NULL;
}

LoomScaleoutCapture *
loom_scaleout_capture_start (const char  *ifname,
                             GError     **error)
{
  LoomScaleoutCapture *capture;
  struct sockaddr_ll addr = { .sll_family = AF_PACKET, .sll_protocol = htons (ETH_P_ALL) };
  int fd;

  addr.sll_ifindex = if_nametoindex (ifname);
  if (addr.sll_ifindex == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no interface %s", ifname);
      return NULL;
    }
  fd = socket (AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons (ETH_P_ALL));
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "AF_PACKET socket on %s: %s", ifname,
                   g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  capture = g_new0 (LoomScaleoutCapture, 1);
  capture->fd = fd;
  capture->frames = g_byte_array_new ();
  capture->thread = g_thread_new ("capture", capture_thread, capture);
  return capture;
}

GBytes *
loom_scaleout_capture_stop (LoomScaleoutCapture *capture,
                            guint               *n_frames)
{
  GBytes *bytes;

  g_atomic_int_set (&capture->stop, 1);
  g_thread_join (capture->thread);
  close (capture->fd);
  if (n_frames)
    *n_frames = capture->n_frames;
  bytes = g_byte_array_free_to_bytes (capture->frames);
  g_free (capture);
  return bytes;
}
