/* loom-slurm-launcher.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Engines as the tasks of Slurm jobs.  Mode "job": one `sbatch
 * --ntasks=N` whose script runs `srun loom-engine` (one wait in the
 * queue); mode "group": one job per group of group-size engines, which
 * join as each job starts.  The scripts are kept in the log directory for
 * the user to read; they hold nothing secret: the engines' connection
 * travels in the environment sbatch passes on to the job (--export=ALL,
 * Slurm's default).  Inside an allocation (SLURM_JOB_ID set), `srun
 * --ntasks=N loom-engine` runs directly instead.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "loom-connection-private.h"
#include "loom-error.h"
#include "loom-launcher-registry-private.h"
#include "loom-remote-private.h"
#include "loom-util-private.h"

#define CANCEL_WAIT_USEC (30 * G_USEC_PER_SEC)
#define SRUN_GRACE_USEC (5 * G_USEC_PER_SEC)

typedef struct
{
  gint64   pid;
  guint64  start_time;
  guint    n;
  char    *log;
} SlurmStep;

struct _LoomSlurmLauncher
{
  LoomLauncher       parent_instance;

  LoomRemoteOptions  remote;
  char              *partition;
  char              *account;
  char              *time;
  char              *qos;
  GPtrArray         *sbatch_lines;
  gboolean           group_mode;
  guint              group_size;
  char              *sbatch;
  char              *srun;
  char              *scancel;
  char              *squeue;
  char              *allocation;   /* auto, yes, no */

  GArray            *jobs;         /* LoomBatchJob */
  GArray            *steps;        /* SlurmStep: srun inside an allocation */
  GPtrArray         *children;     /* GSubprocess of those steps, when ours */
};

G_DEFINE_FINAL_TYPE (LoomSlurmLauncher, loom_slurm_launcher, LOOM_TYPE_LAUNCHER)

static void
slurm_step_clear (gpointer data)
{
  g_free (((SlurmStep *) data)->log);
}

static const char *
program (const char *set,
         const char *name)
{
  return set ? set : name;
}

static gboolean
in_allocation (LoomSlurmLauncher *self)
{
  if (g_strcmp0 (self->allocation, "no") == 0)
    return FALSE;
  return g_getenv ("SLURM_JOB_ID") != NULL;
}

static char *
engine_command (LoomSlurmLauncher *self)
{
  g_autofree char *found = loom_find_program ("loom-engine", "LOOM_ENGINE");

  return loom_remote_engine_command (LOOM_LAUNCHER (self), &self->remote, found ? found : "loom-engine", TRUE);
}

static char *
job_script (LoomSlurmLauncher *self,
            const char        *log_dir,
            guint              n)
{
  GString *script = g_string_new ("#!/bin/sh\n");
  g_autofree char *command = engine_command (self);
  g_autofree char *quoted = g_shell_quote (command);
  g_autofree char *srun = g_shell_quote (program (self->srun, "srun"));

  g_string_append (script, "#SBATCH --job-name=loom-engines\n");
  g_string_append_printf (script, "#SBATCH --ntasks=%u\n", n);
  g_string_append_printf (script, "#SBATCH --output=%s/slurm-%%j.out\n", log_dir);
  if (self->partition)
    g_string_append_printf (script, "#SBATCH --partition=%s\n", self->partition);
  if (self->account)
    g_string_append_printf (script, "#SBATCH --account=%s\n", self->account);
  if (self->time)
    g_string_append_printf (script, "#SBATCH --time=%s\n", self->time);
  if (self->qos)
    g_string_append_printf (script, "#SBATCH --qos=%s\n", self->qos);
  for (guint i = 0; i < self->sbatch_lines->len; i++)
    {
      const char *line = g_ptr_array_index (self->sbatch_lines, i);

      g_string_append_printf (script, "%s%s\n", g_str_has_prefix (line, "#SBATCH") ? "" : "#SBATCH ", line);
    }
  g_string_append (script,
                   "#\n"
                   "# Written by Loom's slurm launcher.  The engines' connection (LOOM_CONNECTION)\n"
                   "# comes in the environment sbatch passes on, not in this file.\n"
                   "LOOM_LAUNCH_JOB=\"$SLURM_JOB_ID\"; export LOOM_LAUNCH_JOB\n");
  g_string_append_printf (script, "exec %s --ntasks=%u sh -c %s\n", srun, n, quoted);
  return g_string_free (script, FALSE);
}

static gboolean
submit (LoomSlurmLauncher  *self,
        const char         *log_dir,
        guint               n,
        char              **environ,
        GError            **error)
{
  g_autofree char *script = job_script (self, log_dir, n);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *name = g_strdup_printf ("slurm-%.8s.sbatch", uuid);
  g_autofree char *path = g_build_filename (log_dir, name, NULL);
  g_autofree char *out = NULL;
  g_autofree char *final_path = NULL;
  const char *argv[] = { program (self->sbatch, "sbatch"), "--parsable", path, NULL };
  LoomBatchJob job = { 0 };
  char *semicolon;

  if (!loom_remote_write_script (path, script, error) ||
      !loom_remote_run (argv, (const char * const *) environ, NULL, &out, error))
    return FALSE;
  g_strstrip (out);
  /* --parsable: "ID" or "ID;CLUSTER". */
  if ((semicolon = strchr (out, ';')) != NULL)
    *semicolon = '\0';
  if (*out == '\0' || strspn (out, "0123456789_") != strlen (out))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE, _("sbatch did not print a job id (it printed “%s”)"), out);
      return FALSE;
    }
  /* The script keeps its job's name, for the user to find. */
  final_path = g_strdup_printf ("%s/slurm-%s.sbatch", log_dir, out);
  g_rename (path, final_path);

  job.id = g_strdup (out);
  job.n = n;
  g_array_append_val (self->jobs, job);
  return TRUE;
}

static void
new_session (gpointer data)
{
  setsid ();
}

static gboolean
start_in_allocation (LoomSlurmLauncher  *self,
                     const char         *log_dir,
                     guint               n,
                     char              **environ,
                     GError            **error)
{
  g_autoptr(GSubprocessLauncher) sub = loom_remote_subprocess_launcher ((const char * const *) environ,
                                                                       G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_autofree char *command = engine_command (self);
  g_autofree char *ntasks = g_strdup_printf ("--ntasks=%u", n);
  g_autofree char *log = NULL;
  const char *argv[] = { program (self->srun, "srun"), ntasks, "sh", "-c", command, NULL };
  GSubprocess *proc;
  SlurmStep step = { 0 };

  g_subprocess_launcher_setenv (sub, "LOOM_LAUNCH_JOB", g_getenv ("SLURM_JOB_ID"), TRUE);
  log = g_strdup_printf ("%s/srun-%s-%" G_GINT64_FORMAT ".out", log_dir, g_getenv ("SLURM_JOB_ID"),
                         g_get_real_time () / G_USEC_PER_SEC);
  g_subprocess_launcher_set_stdout_file_path (sub, log);
  g_subprocess_launcher_set_flags (sub, G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (sub, new_session, NULL, NULL);
  if (!(proc = g_subprocess_launcher_spawnv (sub, argv, error)))
    return FALSE;
  step.pid = g_ascii_strtoll (g_subprocess_get_identifier (proc), NULL, 10);
  step.start_time = loom_pid_start_time (step.pid);
  step.n = n;
  step.log = g_steal_pointer (&log);
  g_array_append_val (self->steps, step);
  g_ptr_array_add (self->children, proc);
  return TRUE;
}

static gboolean
loom_slurm_launcher_start (LoomLauncher  *launcher,
                           guint          n_engines,
                           GError       **error)
{
  LoomSlurmLauncher *self = LOOM_SLURM_LAUNCHER (launcher);
  g_autofree char *log_dir = loom_remote_log_dir (launcher, error);
  g_auto(GStrv) environ = NULL;
  guint group;

  if (log_dir == NULL || !(environ = loom_remote_engine_environ (launcher, &self->remote, NULL, error)))
    return FALSE;

  if (in_allocation (self))
    return start_in_allocation (self, log_dir, n_engines, environ, error);

  group = self->group_mode ? MAX (self->group_size, 1) : n_engines;
  for (guint done = 0; done < n_engines; done += group)
    if (!submit (self, log_dir, MIN (group, n_engines - done), environ, error))
      {
        LOOM_LAUNCHER_GET_CLASS (launcher)->stop (launcher);
        return FALSE;
      }
  return TRUE;
}

static char **
job_ids (LoomSlurmLauncher *self)
{
  char **ids = g_new0 (char *, self->jobs->len + 1);

  for (guint i = 0; i < self->jobs->len; i++)
    ids[i] = g_strdup (g_array_index (self->jobs, LoomBatchJob, i).id);
  return ids;
}

/* Job id → state, from `squeue -h -j IDS -o "%i %T"`; NULL when squeue
 * failed (it does for ids it no longer knows). */
static GHashTable *
squeue_states (LoomSlurmLauncher *self)
{
  g_auto(GStrv) ids = job_ids (self);
  g_autofree char *list = g_strjoinv (",", ids);
  g_autofree char *out = NULL;
  const char *argv[] = { program (self->squeue, "squeue"), "-h", "-j", list, "-o", "%i %T", NULL };
  g_auto(GStrv) lines = NULL;
  GHashTable *states;
  int status;

  if (!loom_remote_run_status (argv, NULL, NULL, &out, NULL, &status, NULL))
    return NULL;
  states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (status != 0)
    return states;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *space = strchr (g_strstrip (lines[i]), ' ');

      if (space == NULL)
        continue;
      *space = '\0';
      g_hash_table_replace (states, g_strdup (lines[i]), g_strdup (space + 1));
    }
  return states;
}

static gboolean
step_alive (LoomSlurmLauncher *self,
            const SlurmStep   *step)
{
  for (guint i = 0; i < self->children->len; i++)
    {
      const char *id = g_subprocess_get_identifier (g_ptr_array_index (self->children, i));

      if (id != NULL && g_ascii_strtoll (id, NULL, 10) == step->pid)
        return TRUE;
    }
  return self->children->len == 0 && step->start_time != 0 && loom_pid_start_time (step->pid) == step->start_time;
}

static guint
loom_slurm_launcher_poll (LoomLauncher *launcher,
                          guint        *n_pending)
{
  LoomSlurmLauncher *self = LOOM_SLURM_LAUNCHER (launcher);
  g_autoptr(GHashTable) states = NULL;
  guint running = 0;

  *n_pending = 0;
  for (guint i = 0; i < self->steps->len; i++)
    if (step_alive (self, &g_array_index (self->steps, SlurmStep, i)))
      running += g_array_index (self->steps, SlurmStep, i).n;
  if (self->jobs->len == 0 || !(states = squeue_states (self)))
    return running;
  for (guint i = 0; i < self->jobs->len; i++)
    {
      const LoomBatchJob *job = &g_array_index (self->jobs, LoomBatchJob, i);
      const char *state = g_hash_table_lookup (states, job->id);

      if (state == NULL)
        continue;
      if (g_str_equal (state, "PENDING") || g_str_equal (state, "CONFIGURING") ||
          g_str_equal (state, "REQUEUED") || g_str_equal (state, "RESIZING"))
        *n_pending += job->n;
      else if (g_str_equal (state, "RUNNING") || g_str_equal (state, "COMPLETING"))
        running += job->n;
    }
  return running;
}

static gboolean
loom_slurm_launcher_send_signal (LoomLauncher  *launcher,
                                 int            signum,
                                 GError       **error)
{
  LoomSlurmLauncher *self = LOOM_SLURM_LAUNCHER (launcher);
  const char *name = loom_remote_signal_name (signum);

  if (name == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("The slurm launcher cannot send signal %d"), signum);
      return FALSE;
    }
  for (guint i = 0; i < self->steps->len; i++)
    {
      const SlurmStep *step = &g_array_index (self->steps, SlurmStep, i);

      if (step_alive (self, step))
        kill ((pid_t) step->pid, signum);
    }
  if (self->jobs->len > 0)
    {
      /* To the job steps (the engines), not the batch script's shell. */
      g_autofree char *option = g_strdup_printf ("--signal=%s", name);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) ids = job_ids (self);
      g_auto(GStrv) argv = NULL;

      g_strv_builder_add_many (builder, program (self->scancel, "scancel"), option, NULL);
      g_strv_builder_addv (builder, (const char **) ids);
      argv = g_strv_builder_end (builder);
      return loom_remote_run ((const char * const *) argv, NULL, NULL, NULL, error);
    }
  return TRUE;
}

static void
loom_slurm_launcher_stop (LoomLauncher *launcher)
{
  LoomSlurmLauncher *self = LOOM_SLURM_LAUNCHER (launcher);
  g_autoptr(GError) error = NULL;

  /* srun steps in an allocation: TERM (srun ends the step), then KILL. */
  if (self->steps->len > 0)
    {
      gint64 deadline = g_get_monotonic_time () + SRUN_GRACE_USEC;
      gboolean alive = TRUE;

      for (guint i = 0; i < self->steps->len; i++)
        if (step_alive (self, &g_array_index (self->steps, SlurmStep, i)))
          kill ((pid_t) g_array_index (self->steps, SlurmStep, i).pid, SIGTERM);
      while (alive && g_get_monotonic_time () < deadline)
        {
          alive = FALSE;
          for (guint i = 0; i < self->steps->len; i++)
            alive |= step_alive (self, &g_array_index (self->steps, SlurmStep, i));
          if (alive)
            g_usleep (50 * 1000);
        }
      for (guint i = 0; i < self->steps->len; i++)
        if (step_alive (self, &g_array_index (self->steps, SlurmStep, i)))
          kill ((pid_t) g_array_index (self->steps, SlurmStep, i).pid, SIGKILL);
      for (guint i = 0; i < self->children->len; i++)
        g_subprocess_wait (g_ptr_array_index (self->children, i), NULL, NULL);
      g_array_set_size (self->steps, 0);
      g_ptr_array_set_size (self->children, 0);
    }

  if (self->jobs->len > 0)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) ids = job_ids (self);
      g_auto(GStrv) argv = NULL;
      gint64 deadline = g_get_monotonic_time () + CANCEL_WAIT_USEC;

      g_strv_builder_add (builder, program (self->scancel, "scancel"));
      g_strv_builder_addv (builder, (const char **) ids);
      argv = g_strv_builder_end (builder);
      if (!loom_remote_run ((const char * const *) argv, NULL, NULL, NULL, &error))
        g_warning ("%s", error->message);

      /* Until squeue lists none of them (polled: sbatch --wait backs off
       * to 10 s between looks). */
      while (g_get_monotonic_time () < deadline)
        {
          g_autoptr(GHashTable) states = squeue_states (self);

          if (states == NULL || g_hash_table_size (states) == 0)
            break;
          g_usleep (100 * 1000);
        }
      g_array_set_size (self->jobs, 0);
    }
}

static char *
loom_slurm_launcher_get_output (LoomLauncher *launcher)
{
  LoomSlurmLauncher *self = LOOM_SLURM_LAUNCHER (launcher);
  const char *log_dir = loom_launcher_get_log_dir (launcher);
  GString *output = g_string_new (NULL);

  /* The jobs' --output files: on this machine when the log directory is
   * on a file system the nodes share. */
  for (guint i = 0; log_dir && i < self->jobs->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("slurm-%s.out", g_array_index (self->jobs, LoomBatchJob, i).id);
      g_autofree char *path = g_build_filename (log_dir, name, NULL);
      g_autofree char *tail = loom_remote_file_tail (path, 64 * 1024);

      if (tail != NULL && *tail != '\0')
        g_string_append_printf (output, "==> %s <==\n%s%s", path, tail, g_str_has_suffix (tail, "\n") ? "" : "\n");
    }
  /* What srun printed, inside an allocation. */
  for (guint i = 0; i < self->steps->len; i++)
    {
      const char *path = g_array_index (self->steps, SlurmStep, i).log;
      g_autofree char *tail = path ? loom_remote_file_tail (path, 64 * 1024) : NULL;

      if (tail != NULL && *tail != '\0')
        g_string_append_printf (output, "==> %s <==\n%s%s", path, tail, g_str_has_suffix (tail, "\n") ? "" : "\n");
    }
  return g_string_free (output, FALSE);
}

static gboolean
option_error (GError    **error,
              const char *name,
              const char *takes,
              const char *value)
{
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("The slurm launcher's option %s takes %s, got “%s”"), name, takes, value);
  return FALSE;
}

static gboolean
loom_slurm_launcher_set_option (LoomLauncher  *launcher,
                                const char    *name,
                                const char    *value,
                                GError       **error)
{
  LoomSlurmLauncher *self = LOOM_SLURM_LAUNCHER (launcher);
  static const char * const strings[] = {
    "partition", "account", "time", "qos", "sbatch", "srun", "scancel", "squeue",
  };
  gboolean handled;

  if (!loom_remote_options_set (&self->remote, launcher, name, value, &handled, error))
    return FALSE;
  if (handled)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    if (g_str_equal (name, strings[i]))
      {
        char **fields[] = {
          &self->partition, &self->account, &self->time, &self->qos,
          &self->sbatch, &self->srun, &self->scancel, &self->squeue,
        };

        /* A newline would end the #SBATCH line and start a command. */
        if (*value == '\0' || strpbrk (value, "\n\r") != NULL)
          return option_error (error, name, _("one line of text"), value);
        g_free (*fields[i]);
        *fields[i] = g_strdup (value);
        return TRUE;
      }
  if (g_str_equal (name, "sbatch-line"))
    {
      if (strpbrk (value, "\n\r") != NULL)
        return option_error (error, name, _("one line of text"), value);
      g_ptr_array_add (self->sbatch_lines, g_strdup (value));
      return TRUE;
    }
  if (g_str_equal (name, "mode"))
    {
      if (!g_str_equal (value, "job") && !g_str_equal (value, "group"))
        return option_error (error, name, _("job (one job of N tasks) or group (one job per group-size engines)"), value);
      self->group_mode = g_str_equal (value, "group");
      return TRUE;
    }
  if (g_str_equal (name, "group-size"))
    {
      guint64 size;

      if (!g_ascii_string_to_unsigned (value, 10, 1, 100000, &size, NULL))
        return option_error (error, name, _("a number of engines, 1 or more"), value);
      self->group_size = (guint) size;
      return TRUE;
    }
  if (g_str_equal (name, "allocation"))
    {
      if (!g_str_equal (value, "auto") && !g_str_equal (value, "no"))
        return option_error (error, name, _("auto (srun directly inside an allocation) or no (always sbatch)"), value);
      g_free (self->allocation);
      self->allocation = g_strdup (value);
      return TRUE;
    }

  return LOOM_LAUNCHER_CLASS (loom_slurm_launcher_parent_class)->set_option (launcher, name, value, error);
}

/* Slurm's job ids: digits, and _ for an array's tasks. */
static gboolean
slurm_job_id_valid (const char *id)
{
  return *id != '\0' && strspn (id, "0123456789_") == strlen (id);
}

static void
loom_slurm_launcher_save_state (LoomLauncher *launcher,
                                JsonBuilder  *builder)
{
  LoomSlurmLauncher *self = LOOM_SLURM_LAUNCHER (launcher);

  loom_batch_jobs_save (self->jobs, builder);
  json_builder_set_member_name (builder, "steps");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->steps->len; i++)
    {
      const SlurmStep *step = &g_array_index (self->steps, SlurmStep, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "pid");
      json_builder_add_int_value (builder, step->pid);
      json_builder_set_member_name (builder, "start_time");
      json_builder_add_int_value (builder, (gint64) step->start_time);
      json_builder_set_member_name (builder, "engines");
      json_builder_add_int_value (builder, step->n);
      json_builder_set_member_name (builder, "log");
      json_builder_add_string_value (builder, step->log ? step->log : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static gboolean
loom_slurm_launcher_load_state (LoomLauncher  *launcher,
                                JsonObject    *state,
                                GError       **error)
{
  LoomSlurmLauncher *self = LOOM_SLURM_LAUNCHER (launcher);
  JsonNode *steps = json_object_get_member (state, "steps");

  if (!loom_batch_jobs_load (self->jobs, state, slurm_job_id_valid) || (steps != NULL && !JSON_NODE_HOLDS_ARRAY (steps)))
    goto invalid;
  for (guint i = 0; steps && i < json_array_get_length (json_node_get_array (steps)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (steps), i);
      SlurmStep step = { 0 };

      if (!JSON_NODE_HOLDS_OBJECT (node))
        goto invalid;
      step.pid = json_object_get_int_member_with_default (json_node_get_object (node), "pid", 0);
      step.start_time = (guint64) json_object_get_int_member_with_default (json_node_get_object (node), "start_time", 0);
      step.n = (guint) CLAMP (json_object_get_int_member_with_default (json_node_get_object (node), "engines", 0),
                              0, G_MAXUINT);
      if (step.pid <= 1)
        goto invalid;
      step.log = g_strdup (json_object_get_string_member_with_default (json_node_get_object (node), "log", NULL));
      g_array_append_val (self->steps, step);
    }
  return TRUE;

invalid:
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("Not a slurm launcher's saved state: its jobs are not Slurm job ids"));
  return FALSE;
}

static void
loom_slurm_launcher_finalize (GObject *object)
{
  LoomSlurmLauncher *self = (LoomSlurmLauncher *) object;

  loom_remote_options_clear (&self->remote);
  g_clear_pointer (&self->partition, g_free);
  g_clear_pointer (&self->account, g_free);
  g_clear_pointer (&self->time, g_free);
  g_clear_pointer (&self->qos, g_free);
  g_clear_pointer (&self->sbatch_lines, g_ptr_array_unref);
  g_clear_pointer (&self->sbatch, g_free);
  g_clear_pointer (&self->srun, g_free);
  g_clear_pointer (&self->scancel, g_free);
  g_clear_pointer (&self->squeue, g_free);
  g_clear_pointer (&self->allocation, g_free);
  g_clear_pointer (&self->jobs, g_array_unref);
  g_clear_pointer (&self->steps, g_array_unref);
  g_clear_pointer (&self->children, g_ptr_array_unref);

  G_OBJECT_CLASS (loom_slurm_launcher_parent_class)->finalize (object);
}

static void
loom_slurm_launcher_class_init (LoomSlurmLauncherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LoomLauncherClass *launcher_class = LOOM_LAUNCHER_CLASS (klass);

  object_class->finalize = loom_slurm_launcher_finalize;

  launcher_class->start = loom_slurm_launcher_start;
  launcher_class->stop = loom_slurm_launcher_stop;
  launcher_class->send_signal = loom_slurm_launcher_send_signal;
  launcher_class->poll = loom_slurm_launcher_poll;
  launcher_class->get_output = loom_slurm_launcher_get_output;
  launcher_class->set_option = loom_slurm_launcher_set_option;
  launcher_class->save_state = loom_slurm_launcher_save_state;
  launcher_class->load_state = loom_slurm_launcher_load_state;
}

static void
loom_slurm_launcher_init (LoomSlurmLauncher *self)
{
  loom_remote_options_init (&self->remote);
  self->sbatch_lines = g_ptr_array_new_with_free_func (g_free);
  self->group_size = 1;
  self->jobs = loom_batch_jobs_new ();
  self->steps = g_array_new (FALSE, TRUE, sizeof (SlurmStep));
  g_array_set_clear_func (self->steps, slurm_step_clear);
  self->children = g_ptr_array_new_with_free_func (g_object_unref);
}
