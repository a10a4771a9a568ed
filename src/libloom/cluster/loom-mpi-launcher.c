/* loom-mpi-launcher.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Engines as the ranks of `mpiexec -n N loom-engine`: MPICH's Hydra or
 * Open MPI's, on the hosts its own arguments name (a hostfile, say).  The
 * engines learn their rank from the environment the MPI launcher sets
 * (PMI_RANK, OMPI_COMM_WORLD_RANK); their connection comes in the
 * environment too: MPICH passes all of it on, Open MPI the names given
 * with -x.  mpiexec runs in a session of its own, so stopping is a
 * signal to it (it forwards) and then to its process group.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "loom-connection-private.h"
#include "loom-error.h"
#include "loom-launcher-registry-private.h"
#include "loom-remote-private.h"
#include "loom-util-private.h"

#define STOP_GRACE_USEC (5 * G_USEC_PER_SEC)

typedef struct
{
  gint64   pid;          /* mpiexec, leader of its process group */
  guint64  start_time;
  guint    n;
  char    *log;
} MpiRun;

struct _LoomMpiLauncher
{
  LoomLauncher       parent_instance;

  LoomRemoteOptions  remote;
  char              *mpiexec;
  GPtrArray         *mpi_args;
  char              *flavour;     /* auto, mpich, openmpi */

  GArray            *runs;        /* MpiRun */
  GPtrArray         *children;    /* GSubprocess, when this process started them */
};

G_DEFINE_FINAL_TYPE (LoomMpiLauncher, loom_mpi_launcher, LOOM_TYPE_LAUNCHER)

static void
mpi_run_clear (gpointer data)
{
  g_free (((MpiRun *) data)->log);
}

static const char *
mpiexec_program (LoomMpiLauncher *self)
{
  return self->mpiexec ? self->mpiexec : "mpiexec";
}

/* Which MPI: the option, or what `mpiexec --version` says. */
static gboolean
is_open_mpi (LoomMpiLauncher *self)
{
  const char *argv[] = { mpiexec_program (self), "--version", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (g_strcmp0 (self->flavour, "openmpi") == 0)
    return TRUE;
  if (g_strcmp0 (self->flavour, "mpich") == 0)
    return FALSE;
  if (!loom_remote_run_status (argv, NULL, NULL, &out, &err, &status, NULL))
    return FALSE;
  return strstr (out, "Open MPI") != NULL || strstr (out, "OpenRTE") != NULL || strstr (err, "Open MPI") != NULL;
}

static void
new_session (gpointer data)
{
  setsid ();
}

static gboolean
loom_mpi_launcher_start (LoomLauncher  *launcher,
                         guint          n_engines,
                         GError       **error)
{
  LoomMpiLauncher *self = LOOM_MPI_LAUNCHER (launcher);
  g_autofree char *log_dir = loom_remote_log_dir (launcher, error);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *key = g_strdup_printf ("mpi-%.8s", uuid);
  g_autofree char *found = loom_find_program ("loom-engine", "LOOM_ENGINE");
  g_autofree char *command = NULL;
  g_autofree char *n = g_strdup_printf ("%u", n_engines);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GSubprocessLauncher) sub = NULL;
  g_auto(GStrv) environ = NULL;
  g_auto(GStrv) argv = NULL;
  GSubprocess *proc;
  MpiRun run = { 0 };

  if (log_dir == NULL || !(environ = loom_remote_engine_environ (launcher, &self->remote, key, error)))
    return FALSE;
  command = loom_remote_engine_command (launcher, &self->remote, found ? found : "loom-engine", TRUE);

  g_strv_builder_add (builder, mpiexec_program (self));
  if (is_open_mpi (self))
    {
      /* Open MPI passes on only the variables named; their values stay
       * off the command line, where any user could read them. */
      for (guint i = 0; environ[i]; i++)
        {
          g_autofree char *name = g_strndup (environ[i], strcspn (environ[i], "="));

          g_strv_builder_add_many (builder, "-x", name, NULL);
        }
    }
  g_strv_builder_add_many (builder, "-n", n, NULL);
  for (guint i = 0; i < self->mpi_args->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->mpi_args, i));
  g_strv_builder_add_many (builder, "sh", "-c", command, NULL);
  argv = g_strv_builder_end (builder);

  sub = loom_remote_subprocess_launcher ((const char * const *) environ,
                                         G_SUBPROCESS_FLAGS_STDIN_INHERIT | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  run.log = g_strdup_printf ("%s/%s.log", log_dir, key);
  g_subprocess_launcher_set_stdout_file_path (sub, run.log);
  g_subprocess_launcher_set_child_setup (sub, new_session, NULL, NULL);
  if (!(proc = g_subprocess_launcher_spawnv (sub, (const char * const *) argv, error)))
    {
      g_free (run.log);
      return FALSE;
    }
  run.pid = g_ascii_strtoll (g_subprocess_get_identifier (proc), NULL, 10);
  run.start_time = loom_pid_start_time (run.pid);
  run.n = n_engines;
  g_array_append_val (self->runs, run);
  g_ptr_array_add (self->children, proc);
  return TRUE;
}

static gboolean
run_alive (LoomMpiLauncher *self,
           const MpiRun    *run)
{
  for (guint i = 0; i < self->children->len; i++)
    {
      const char *id = g_subprocess_get_identifier (g_ptr_array_index (self->children, i));

      if (id != NULL && g_ascii_strtoll (id, NULL, 10) == run->pid)
        return TRUE;
    }
  return self->children->len == 0 && run->start_time != 0 && loom_pid_start_time (run->pid) == run->start_time;
}

/* Any process left in the group mpiexec led (ranks and proxies on this host). */
static gboolean
group_alive (const MpiRun *run)
{
  return kill (-(pid_t) run->pid, 0) == 0;
}

static guint
loom_mpi_launcher_poll (LoomLauncher *launcher,
                        guint        *n_pending)
{
  LoomMpiLauncher *self = LOOM_MPI_LAUNCHER (launcher);
  guint running = 0;

  for (guint i = 0; i < self->runs->len; i++)
    if (run_alive (self, &g_array_index (self->runs, MpiRun, i)))
      running += g_array_index (self->runs, MpiRun, i).n;
  *n_pending = 0;
  return running;
}

static gboolean
loom_mpi_launcher_send_signal (LoomLauncher  *launcher,
                               int            signum,
                               GError       **error)
{
  LoomMpiLauncher *self = LOOM_MPI_LAUNCHER (launcher);

  /* mpiexec forwards it to the ranks, wherever they run. */
  for (guint i = 0; i < self->runs->len; i++)
    {
      const MpiRun *run = &g_array_index (self->runs, MpiRun, i);

      if (run_alive (self, run))
        kill ((pid_t) run->pid, signum);
    }
  return TRUE;
}

static void
loom_mpi_launcher_stop (LoomLauncher *launcher)
{
  LoomMpiLauncher *self = LOOM_MPI_LAUNCHER (launcher);
  gint64 deadline = g_get_monotonic_time () + STOP_GRACE_USEC;
  gboolean alive = TRUE;

  loom_mpi_launcher_send_signal (launcher, SIGTERM, NULL);
  while (alive && g_get_monotonic_time () < deadline)
    {
      alive = FALSE;
      for (guint i = 0; i < self->runs->len; i++)
        {
          const MpiRun *run = &g_array_index (self->runs, MpiRun, i);

          alive |= run_alive (self, run) || (run->start_time != 0 && group_alive (run));
        }
      if (alive)
        g_usleep (20 * 1000);
    }
  /* What did not go: the whole group, mpiexec's helpers included.  A
   * group whose leader is gone keeps its number while any member lives,
   * so the number is still ours. */
  for (guint i = 0; i < self->runs->len; i++)
    {
      const MpiRun *run = &g_array_index (self->runs, MpiRun, i);

      if (run_alive (self, run) || (run->start_time != 0 && group_alive (run)))
        kill (-(pid_t) run->pid, SIGKILL);
    }
  for (guint i = 0; i < self->children->len; i++)
    g_subprocess_wait (g_ptr_array_index (self->children, i), NULL, NULL);
  g_array_set_size (self->runs, 0);
  g_ptr_array_set_size (self->children, 0);
}

static char *
loom_mpi_launcher_get_output (LoomLauncher *launcher)
{
  LoomMpiLauncher *self = LOOM_MPI_LAUNCHER (launcher);
  GString *output = g_string_new (NULL);

  for (guint i = 0; i < self->runs->len; i++)
    {
      const MpiRun *run = &g_array_index (self->runs, MpiRun, i);
      g_autofree char *tail = loom_remote_file_tail (run->log, 64 * 1024);

      if (tail != NULL && *tail != '\0')
        g_string_append_printf (output, "==> %s <==\n%s%s", run->log, tail, g_str_has_suffix (tail, "\n") ? "" : "\n");
    }
  return g_string_free (output, FALSE);
}

static gboolean
loom_mpi_launcher_set_option (LoomLauncher  *launcher,
                              const char    *name,
                              const char    *value,
                              GError       **error)
{
  LoomMpiLauncher *self = LOOM_MPI_LAUNCHER (launcher);
  gboolean handled;

  if (!loom_remote_options_set (&self->remote, launcher, name, value, &handled, error))
    return FALSE;
  if (handled)
    return TRUE;

  if (g_str_equal (name, "mpiexec"))
    {
      g_free (self->mpiexec);
      self->mpiexec = g_strdup (value);
      return TRUE;
    }
  if (g_str_equal (name, "mpi-arg"))
    {
      g_ptr_array_add (self->mpi_args, g_strdup (value));
      return TRUE;
    }
  if (g_str_equal (name, "flavour"))
    {
      if (!g_str_equal (value, "auto") && !g_str_equal (value, "mpich") && !g_str_equal (value, "openmpi"))
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("The mpi launcher's option flavour takes auto, mpich or openmpi, got “%s”"), value);
          return FALSE;
        }
      g_free (self->flavour);
      self->flavour = g_strdup (value);
      return TRUE;
    }

  return LOOM_LAUNCHER_CLASS (loom_mpi_launcher_parent_class)->set_option (launcher, name, value, error);
}

static void
loom_mpi_launcher_save_state (LoomLauncher *launcher,
                              JsonBuilder  *builder)
{
  LoomMpiLauncher *self = LOOM_MPI_LAUNCHER (launcher);

  json_builder_set_member_name (builder, "runs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->runs->len; i++)
    {
      const MpiRun *run = &g_array_index (self->runs, MpiRun, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "pid");
      json_builder_add_int_value (builder, run->pid);
      json_builder_set_member_name (builder, "start_time");
      json_builder_add_int_value (builder, (gint64) run->start_time);
      json_builder_set_member_name (builder, "engines");
      json_builder_add_int_value (builder, run->n);
      json_builder_set_member_name (builder, "log");
      json_builder_add_string_value (builder, run->log);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static gboolean
loom_mpi_launcher_load_state (LoomLauncher  *launcher,
                              JsonObject    *state,
                              GError       **error)
{
  LoomMpiLauncher *self = LOOM_MPI_LAUNCHER (launcher);
  JsonNode *runs = json_object_get_member (state, "runs");

  if (runs == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (runs))
    goto invalid;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (runs)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (runs), i);
      JsonObject *object;
      MpiRun run = { 0 };

      if (!JSON_NODE_HOLDS_OBJECT (node))
        goto invalid;
      object = json_node_get_object (node);
      run.pid = json_object_get_int_member_with_default (object, "pid", 0);
      run.start_time = (guint64) json_object_get_int_member_with_default (object, "start_time", 0);
      run.n = (guint) CLAMP (json_object_get_int_member_with_default (object, "engines", 0), 0, G_MAXUINT);
      if (run.pid <= 1)
        goto invalid;
      run.log = g_strdup (json_object_get_string_member_with_default (object, "log", ""));
      g_array_append_val (self->runs, run);
    }
  return TRUE;

invalid:
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("Not an mpi launcher's saved state: its runs are not pids"));
  return FALSE;
}

static gboolean
loom_mpi_launcher_is_remote (LoomLauncher *launcher)
{
  LoomMpiLauncher *self = LOOM_MPI_LAUNCHER (launcher);
  static const char * const host_options[] = {
    "-f", "-hostfile", "--hostfile", "-machinefile", "--machinefile", "-hosts", "-host", "--host", "-H",
    "-default-hostfile", "--default-hostfile", "-launcher", "-rmk",
  };

  /* Only this machine unless the arguments name other hosts. */
  for (guint i = 0; i < self->mpi_args->len; i++)
    for (guint j = 0; j < G_N_ELEMENTS (host_options); j++)
      {
        const char *arg = g_ptr_array_index (self->mpi_args, i);

        if (g_str_equal (arg, host_options[j]) ||
            (g_str_has_prefix (arg, host_options[j]) && arg[strlen (host_options[j])] == '='))
          return TRUE;
      }
  return FALSE;
}

static void
loom_mpi_launcher_finalize (GObject *object)
{
  LoomMpiLauncher *self = (LoomMpiLauncher *) object;

  loom_remote_options_clear (&self->remote);
  g_clear_pointer (&self->mpiexec, g_free);
  g_clear_pointer (&self->mpi_args, g_ptr_array_unref);
  g_clear_pointer (&self->flavour, g_free);
  g_clear_pointer (&self->runs, g_array_unref);
  g_clear_pointer (&self->children, g_ptr_array_unref);

  G_OBJECT_CLASS (loom_mpi_launcher_parent_class)->finalize (object);
}

static void
loom_mpi_launcher_class_init (LoomMpiLauncherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LoomLauncherClass *launcher_class = LOOM_LAUNCHER_CLASS (klass);

  object_class->finalize = loom_mpi_launcher_finalize;

  launcher_class->start = loom_mpi_launcher_start;
  launcher_class->stop = loom_mpi_launcher_stop;
  launcher_class->send_signal = loom_mpi_launcher_send_signal;
  launcher_class->poll = loom_mpi_launcher_poll;
  launcher_class->get_output = loom_mpi_launcher_get_output;
  launcher_class->set_option = loom_mpi_launcher_set_option;
  launcher_class->save_state = loom_mpi_launcher_save_state;
  launcher_class->load_state = loom_mpi_launcher_load_state;
  launcher_class->is_remote = loom_mpi_launcher_is_remote;
}

static void
loom_mpi_launcher_init (LoomMpiLauncher *self)
{
  loom_remote_options_init (&self->remote);
  self->mpi_args = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->runs = g_array_new (FALSE, TRUE, sizeof (MpiRun));
  g_array_set_clear_func (self->runs, mpi_run_clear);
  self->children = g_ptr_array_new_with_free_func (g_object_unref);
}
