/* loom-cli-test-util.c: running the real loomctl from a test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-cli-test-util.h"

/* --- cleaning up after a failed assertion -------------------------------- */

/* "XDG_RUNTIME_DIR=<this case's isolated dir>": what the environment of
 * every process the current case started holds. */
char our_env_entry[PATH_MAX + 32];

/* A failed assertion aborts the test program before a case can stop its
 * cluster: end the processes the case started (and only those) first, so
 * a failure leaves no cluster running.  Plain syscalls: this runs in a
 * signal handler. */
void
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

GSubprocess *
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

/* Collects what @proc prints until it exits and returns its exit status
 * (128 + N if signal N ended it). */
int
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

  {
    /* The TAP stream is UTF-8: a command's raw bytes are shown as text. */
    g_autofree char *shown = c.err ? g_utf8_make_valid (c.err, -1) : NULL;

    g_test_message ("loomctl %s -> %d%s%s", what, status, shown && *shown ? "; stderr: " : "", shown ? shown : "");
  }
  if (out)
    *out = g_steal_pointer (&c.out);
  if (err)
    *err = g_steal_pointer (&c.err);
  g_free (c.out);
  g_free (c.err);
  return status;
}

int
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

double
seconds_since (gint64 begin)
{
  return (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
}

/* --- processes and files ------------------------------------------------- */

gboolean
pid_gone (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT, pid);

  g_assert_cmpint (pid, >, 0);
  return !g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
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

/* --- processes and files ------------------------------------------------- */

gboolean
pid_is_ours (const char *pid_name)
{
  g_autofree char *needle = g_strdup_printf ("XDG_RUNTIME_DIR=%s", g_get_user_runtime_dir ());
  g_autofree char *path = g_build_filename ("/proc", pid_name, "environ", NULL);
  g_autofree char *env = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &env, &len, NULL))
    return FALSE;
  for (gsize at = 0; at < len; at += strlen (env + at) + 1)
    if (g_str_equal (env + at, needle))
      return TRUE;
  return FALSE;
}

/* The processes other than this one whose environment holds this test's
 * XDG_RUNTIME_DIR: whatever loomctl started for it (controllers, engines,
 * the commands the engines run).  With @cmdline (its arguments joined by
 * NULs, as /proc shows them), only those running exactly that. */
GArray *
find_our_processes_running (const char *cmdline,
                            gsize       cmdline_len)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)))
    {
      guint64 pid;

      if (!g_ascii_string_to_unsigned (name, 10, 1, G_MAXINT, &pid, NULL) || (pid_t) pid == getpid ())
        continue;
      if (cmdline)
        {
          g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
          g_autofree char *text = NULL;
          gsize len = 0;

          if (!g_file_get_contents (path, &text, &len, NULL) || len != cmdline_len ||
              memcmp (text, cmdline, len) != 0)
            continue;
        }
      if (pid_is_ours (name))
        {
          gint64 p = pid;
          g_array_append_val (pids, p);
        }
    }
  return pids;
}

GArray *
find_our_processes (void)
{
  return find_our_processes_running (NULL, 0);
}

void
assert_nothing_left (void)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  g_autoptr(GArray) pids = NULL;

  for (;;)
    {
      g_clear_pointer (&pids, g_array_unref);
      pids = find_our_processes ();
      if (pids->len == 0 || g_get_monotonic_time () > deadline)
        break;
      g_usleep (20 * 1000);
    }

  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/cmdline", g_array_index (pids, gint64, i));
      g_autofree char *cmdline = NULL;
      gsize len = 0;

      if (g_file_get_contents (path, &cmdline, &len, NULL))
        for (gsize j = 0; j + 1 < len; j++)
          if (cmdline[j] == '\0')
            cmdline[j] = ' ';
      g_test_message ("left running: pid %" G_GINT64_FORMAT ": %s", g_array_index (pids, gint64, i),
                      cmdline ? cmdline : "?");
    }
  g_assert_cmpuint (pids->len, ==, 0);
}

char *
connection_file (const char *profile)
{
  g_autofree char *name = g_strdup_printf ("%s.json", profile);
  return g_build_filename (g_get_user_runtime_dir (), "loom", name, NULL);
}

/* Files in $XDG_RUNTIME_DIR/loom, as one sorted, space-separated string. */
char *
runtime_files (void)
{
  g_autofree char *path = g_build_filename (g_get_user_runtime_dir (), "loom", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

void
assert_has_members (JsonObject         *obj,
                    const char * const *names)
{
  for (guint i = 0; names[i]; i++)
    {
      if (!json_object_has_member (obj, names[i]))
        g_test_message ("missing member “%s”", names[i]);
      g_assert_true (json_object_has_member (obj, names[i]));
    }
}

/* The job id a `--async` run printed. */
guint
parse_job (const char *out)
{
  guint64 job = 0;
  g_autofree char *text = g_strdup (out);

  g_assert_true (g_str_has_suffix (text, "\n"));
  g_strchomp (text);
  g_assert_true (g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT, &job, NULL));
  return job;
}

/* --- JSON output and clusters ------------------------------------------- */

JsonNode *
parse_json_any (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json_parser_get_root (parser));
  return json_node_copy (json_parser_get_root (parser));
}

JsonNode *
parse_json (const char *text)
{
  JsonNode *node = parse_json_any (text);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

JsonObject *
report_job (JsonNode *report)
{
  return json_object_get_object_member (json_node_get_object (report), "job");
}

JsonArray *
report_tasks (JsonNode *report)
{
  return json_object_get_array_member (json_node_get_object (report), "tasks");
}

JsonObject *
task_at (JsonNode *report,
         guint     i)
{
  return json_array_get_object_element (report_tasks (report), i);
}

/* `show JOB --json`. */
JsonNode *
show_json (const char *job)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (run_loomctl (&out, NULL, "show", job, "--json", NULL), ==, 0);
  return parse_json (out);
}

/* `cluster status --json` of @profile (NULL: the default one). */
JsonNode *
cluster_status (const char *profile)
{
  g_autofree char *out = NULL;
  int status;

  if (profile)
    status = run_loomctl (&out, NULL, "cluster", "status", "--json", "--profile", profile, NULL);
  else
    status = run_loomctl (&out, NULL, "cluster", "status", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  return parse_json (out);
}

/* The pids of the live engines of @profile (the default: NULL), by engine
 * id; 0 for an id whose engine is not idle or busy. */
GArray *
cluster_engine_pids (const char *profile)
{
  g_autoptr(JsonNode) status = cluster_status (profile);
  JsonArray *engines = json_object_get_array_member (json_node_get_object (status), "engines");
  GArray *pids = g_array_new (FALSE, TRUE, sizeof (gint64));

  for (guint i = 0; i < json_array_get_length (engines); i++)
    {
      JsonObject *e = json_array_get_object_element (engines, i);
      gint64 id = json_object_get_int_member (e, "id");
      gint64 pid = json_object_get_int_member (e, "pid");

      if (!g_str_equal (json_object_get_string_member (e, "state"), "idle") &&
          !g_str_equal (json_object_get_string_member (e, "state"), "busy"))
        continue;
      if (pids->len <= id)
        g_array_set_size (pids, id + 1);
      g_array_index (pids, gint64, id) = pid;
    }
  return pids;
}

void
cluster_start (const char *profile,
               const char *n_engines)
{
  g_autofree char *out = NULL;
  int status;

  if (profile)
    status = run_loomctl (&out, NULL, "cluster", "start", "-n", n_engines, "--profile", profile, NULL);
  else
    status = run_loomctl (&out, NULL, "cluster", "start", "-n", n_engines, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "started"));
}

/* Stops the cluster of @profile and checks that its controller and every
 * engine it ever had are gone, with the connection file. */
void
cluster_stop (const char *profile)
{
  g_autoptr(JsonNode) root = cluster_status (profile);
  JsonObject *status = json_node_get_object (root);
  JsonArray *engines = json_object_get_array_member (status, "engines");
  gint64 controller = json_object_get_int_member (json_object_get_object_member (status, "controller"), "pid");
  g_autofree char *file = connection_file (profile ? profile : "default");
  g_autofree char *out = NULL;
  int code;

  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
  if (profile)
    code = run_loomctl (&out, NULL, "cluster", "stop", "--profile", profile, NULL);
  else
    code = run_loomctl (&out, NULL, "cluster", "stop", NULL);
  g_assert_cmpint (code, ==, 0);
  g_assert_nonnull (strstr (out, "stopped"));

  g_assert_true (wait_pid_gone (controller, 5));
  for (guint i = 0; i < json_array_get_length (engines); i++)
    {
      gint64 pid = json_object_get_int_member (json_array_get_object_element (engines, i), "pid");
      if (!wait_pid_gone (pid, 5))
        g_test_message ("engine %u (pid %" G_GINT64_FORMAT ") outlived `cluster stop`", i, pid);
      g_assert_true (pid_gone (pid));
    }
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

/* Every task of @report ran on an engine of its own, all at one moment:
 * each started before any ended. */
void
assert_ran_at_once (JsonNode *report)
{
  JsonArray *tasks = report_tasks (report);
  g_autoptr(GHashTable) engines = g_hash_table_new (NULL, NULL);
  gint64 first_end = G_MAXINT64;

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonObject *task = json_array_get_object_element (tasks, i);

      g_hash_table_add (engines, GINT_TO_POINTER (json_object_get_int_member (task, "engine_id")));
      first_end = MIN (first_end, json_object_get_int_member (task, "completed"));
    }
  g_assert_cmpuint (g_hash_table_size (engines), ==, json_array_get_length (tasks));
  for (guint i = 0; i < json_array_get_length (tasks); i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (tasks, i), "started"), <, first_end);
}

/* A path for a file named @name of this case, in @folder of its isolated
 * data dir (made if need be). */
char *
case_path (const char *folder,
           const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), folder, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return g_build_filename (dir, name, NULL);
}

/* The contents of @path, which must be readable. */
char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}
