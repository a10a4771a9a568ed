/* loomctl-launch.c: starting engines through a launcher
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `cluster start` and `engines add` take --launcher and each launcher's
 * options, start the engines, record the launcher in the profile's state
 * (so `cluster stop` finds what to cancel or kill on every host), and wait
 * for the engines to register.  `cluster stop` stops what was recorded.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "loomctl-private.h"

#define POLL_LAUNCHER_USEC (2 * G_USEC_PER_SEC)

void
loomctl_launch_clear (LoomctlLaunch *launch)
{
  g_clear_pointer (&launch->name, g_free);
  g_clear_pointer (&launch->hosts, g_strfreev);
  g_clear_pointer (&launch->ssh_options, g_strfreev);
  g_clear_pointer (&launch->identity, g_free);
  g_clear_pointer (&launch->ssh_port, g_free);
  g_clear_pointer (&launch->ssh_config, g_free);
  g_clear_pointer (&launch->partition, g_free);
  g_clear_pointer (&launch->account, g_free);
  g_clear_pointer (&launch->time, g_free);
  g_clear_pointer (&launch->qos, g_free);
  g_clear_pointer (&launch->sbatch_lines, g_strfreev);
  g_clear_pointer (&launch->slurm_mode, g_free);
  g_clear_pointer (&launch->group_size, g_free);
  g_clear_pointer (&launch->mpiexec, g_free);
  g_clear_pointer (&launch->mpi_args, g_strfreev);
  g_clear_pointer (&launch->engine_path, g_free);
  g_clear_pointer (&launch->options, g_strfreev);
}

const char *
loomctl_launch_name (const LoomctlLaunch *launch)
{
  return launch->name ? launch->name : "local";
}

gboolean
loomctl_launch_is_local (const LoomctlLaunch *launch)
{
  return g_str_equal (loomctl_launch_name (launch), "local");
}

/* Batch systems keep engines in a queue for a while. */
static gboolean
is_batch (const char *name)
{
  return !g_str_equal (name, "local") && !g_str_equal (name, "ssh") && !g_str_equal (name, "mpi");
}

static gboolean
set (LoomLauncher  *launcher,
     const char    *option,
     const char    *command_line,
     const char    *value,
     GError       **error)
{
  if (value == NULL)
    return TRUE;
  if (!loom_launcher_set_option (launcher, option, value, error))
    {
      /* Say which of the command's options it was. */
      if (command_line != NULL)
        g_prefix_error (error, "%s: ", command_line);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_all (LoomLauncher  *launcher,
         const char    *option,
         const char    *command_line,
         char         **values,
         GError       **error)
{
  for (guint i = 0; values && values[i]; i++)
    if (!set (launcher, option, command_line, values[i], error))
      return FALSE;
  return TRUE;
}

LoomLauncher *
loomctl_launch_new (const LoomctlLaunch  *launch,
                    const char           *connection_file,
                    const char           *state_dir,
                    const char * const   *engine_args,
                    GError              **error)
{
  g_autoptr(LoomLauncher) launcher = NULL;

  if (launch->wait < -1 || launch->wait > 86400)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("--wait-engines takes seconds, from 0 (do not wait) to 86400"));
      return NULL;
    }
  if (!(launcher = loom_launcher_new (loomctl_launch_name (launch), error)))
    return NULL;

  /* The local launcher's engines outlive loomctl, out of the terminal's
   * reach (Ctrl+C there must not stop the cluster). */
  if (loomctl_launch_is_local (launch) && !loom_launcher_set_option (launcher, "detach", "yes", error))
    return NULL;
  if (!set_all (launcher, "host", "--host", launch->hosts, error) ||
      !set_all (launcher, "ssh-option", "--ssh-option", launch->ssh_options, error) ||
      !set (launcher, "identity", "--identity", launch->identity, error) ||
      !set (launcher, "port", "--ssh-port", launch->ssh_port, error) ||
      !set (launcher, "ssh-config", "--ssh-config", launch->ssh_config, error) ||
      !set (launcher, "partition", "--partition", launch->partition, error) ||
      !set (launcher, "account", "--account", launch->account, error) ||
      !set (launcher, "time", "--time", launch->time, error) ||
      !set (launcher, "qos", "--qos", launch->qos, error) ||
      !set_all (launcher, "sbatch-line", "--sbatch-line", launch->sbatch_lines, error) ||
      !set (launcher, "mode", "--slurm-mode", launch->slurm_mode, error) ||
      !set (launcher, "group-size", "--group-size", launch->group_size, error) ||
      !set (launcher, "mpiexec", "--mpiexec", launch->mpiexec, error) ||
      !set_all (launcher, "mpi-arg", "--mpi-arg", launch->mpi_args, error) ||
      !set (launcher, "engine-path", "--engine-path", launch->engine_path, error))
    return NULL;
  for (guint i = 0; launch->options && launch->options[i]; i++)
    {
      const char *eq = strchr (launch->options[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL || eq == launch->options[i])
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("--launcher-option takes NAME=VALUE, got “%s”"), launch->options[i]);
          return NULL;
        }
      name = g_strndup (launch->options[i], eq - launch->options[i]);
      if (!set (launcher, name, "--launcher-option", eq + 1, error))
        return NULL;
    }

  if (connection_file)
    loom_launcher_set_connection_file (launcher, connection_file);
  loom_launcher_set_log_dir (launcher, state_dir);
  loom_launcher_set_engine_args (launcher, engine_args);
  return g_steal_pointer (&launcher);
}

static double
wait_seconds (const LoomctlLaunch *launch)
{
  if (launch->wait >= 0)
    return launch->wait;
  return is_batch (loomctl_launch_name (launch)) ? 120 : 30;
}

gboolean
loomctl_launch_start (const LoomctlLaunch  *launch,
                      LoomLauncher         *launcher,
                      LoomClient           *client,
                      const char           *profile,
                      guint                 n,
                      guint                 n_running,
                      GError              **error)
{
  g_autoptr(GError) record_error = NULL;
  double timeout = wait_seconds (launch);
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  gint64 next_poll = g_get_monotonic_time () + POLL_LAUNCHER_USEC;
  guint expected = n_running + n;
  guint registered = 0, running = 0, pending = 0;
  gboolean batch = is_batch (loomctl_launch_name (launch));

  if (!loom_launcher_start (launcher, n, error))
    return FALSE;
  /* Recorded at once: a failed wait below stops it, a later `cluster
   * stop` finds it either way. */
  if (!loom_launcher_record (launcher, profile, &record_error))
    g_printerr (_("loomctl: cannot record the %s launcher (“cluster stop” will not find its engines): %s\n"),
                loom_launcher_get_name (launcher), record_error->message);

  if (timeout == 0)
    {
      running = loom_launcher_poll (launcher, &pending);
      g_print (_("Started %u engines with the %s launcher (%u running, %u waiting in the queue); not waiting "
                 "for them to register\n"), n, loom_launcher_get_name (launcher), running, pending);
      return TRUE;
    }

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GArray) ids = loom_client_get_ids (client, error);

      if (ids == NULL)
        return FALSE;
      registered = ids->len;
      if (registered >= expected)
        return TRUE;

      /* Now and then: did the engines die, or do they still wait in a queue? */
      if (g_get_monotonic_time () >= next_poll)
        {
          guint was_pending = pending;

          running = loom_launcher_poll (launcher, &pending);
          next_poll = g_get_monotonic_time () + POLL_LAUNCHER_USEC;
          if (pending > 0 && pending != was_pending)
            g_print (_("%u of %u engines registered; %u still waiting in the %s queue\n"), registered, expected,
                     pending, loom_launcher_get_name (launcher));
          if (running + pending == 0 && registered < expected)
            {
              g_autofree char *output = loom_launcher_get_output (launcher);

              g_set_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE,
                           _("The engines the %s launcher started exited before registering%s%s"),
                           loom_launcher_get_name (launcher), *output ? _("; they printed:\n") : "", output);
              return FALSE;
            }
        }
      g_usleep (20 * 1000);
    }

  running = loom_launcher_poll (launcher, &pending);
  if (batch && pending > 0)
    {
      /* Not a failure: a queue can be long.  The jobs stay submitted. */
      g_print (_("%u of %u engines registered within %.0f s; %u still waiting in the %s queue: they join "
                 "when their jobs start (“loomctl cluster status” shows them)\n"),
               registered, expected, timeout, pending, loom_launcher_get_name (launcher));
      return TRUE;
    }
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT, _("Only %u of %u engines registered within %.0f s"),
               registered, expected, timeout);
  return FALSE;
}

guint
loomctl_launch_stop_recorded (const char *profile)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) launchers = loom_launcher_load_recorded (profile, &error);

  if (launchers == NULL)
    {
      g_printerr ("loomctl: %s\n", error->message);
      return 0;
    }
  for (guint i = 0; i < launchers->len; i++)
    loom_launcher_stop (g_ptr_array_index (launchers, i));
  loom_launcher_forget_recorded (profile);
  return launchers->len;
}
