/* loom-launcher.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "loom-connection-private.h"
#include "loom-error.h"
#include "loom-client.h"
#include "loom-launcher-private.h"
#include "loom-util-private.h"

/* $XDG_STATE_HOME/loom/<profile>: logs of a cluster's processes. */
char *
loom_state_dir (const char *profile)
{
  return g_build_filename (g_get_user_state_dir (), "loom", profile, NULL);
}

static void
new_session (gpointer data)
{
  /* Not in the terminal's process group: Ctrl+C in the shell that ran
   * `loomctl cluster start` must not reach the cluster. */
  setsid ();
}

gboolean
loom_launch_engines (const LoomEngineLaunch  *launch,
                     guint                    n,
                     GPtrArray               *procs,
                     GError                 **error)
{
  g_autofree char *engine_path = loom_find_program ("loom-engine", "LOOM_ENGINE");
  g_autofree char *grace = g_strdup_printf ("%u", launch->grace_ms);
  /* Engines get the engines' credentials, never the clients'. */
  g_autofree char *engine_file = loom_connection_engine_path (launch->connection_file);

  if (engine_path == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE,
                   _("Cannot find the loom-engine program: install Loom or set LOOM_ENGINE to its path"));
      return FALSE;
    }

  if (launch->log_dir != NULL && g_mkdir_with_parents (launch->log_dir, 0700) != 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE,
                   _("Cannot create the log directory %s"), launch->log_dir);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      GSubprocess *proc;

      g_ptr_array_add (argv, engine_path);
      g_ptr_array_add (argv, (gpointer) "--connection");
      g_ptr_array_add (argv, (gpointer) engine_file);
      if (launch->grace_ms > 0)
        {
          g_ptr_array_add (argv, (gpointer) "--grace-ms");
          g_ptr_array_add (argv, grace);
        }
      if (launch->log_dir != NULL)
        {
          /* The engine opens engine-<pid>.log itself and tells the
           * controller, so `cluster status` can name it. */
          g_ptr_array_add (argv, (gpointer) "--log-dir");
          g_ptr_array_add (argv, (gpointer) launch->log_dir);
        }
      /* Engines on this machine load the plugins their owner names; with
       * none named, what only their owner could have put there (see
       * loom-engine.c). */
      for (guint j = 0; launch->plugin_dirs && launch->plugin_dirs[j]; j++)
        {
          g_ptr_array_add (argv, (gpointer) "--plugin-dir");
          g_ptr_array_add (argv, (gpointer) launch->plugin_dirs[j]);
        }
      if ((launch->plugin_dirs == NULL || launch->plugin_dirs[0] == NULL) &&
          !(launch->extra_args && g_strv_contains (launch->extra_args, "--plugin-dir")))
        g_ptr_array_add (argv, (gpointer) "--allow-own-plugins");
      if (launch->no_commands)
        g_ptr_array_add (argv, (gpointer) "--no-commands");
      for (guint j = 0; launch->extra_args && launch->extra_args[j]; j++)
        g_ptr_array_add (argv, (gpointer) launch->extra_args[j]);
      g_ptr_array_add (argv, NULL);

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      for (guint j = 0; launch->environ && launch->environ[j]; j++)
        {
          g_auto(GStrv) pair = g_strsplit (launch->environ[j], "=", 2);
          if (pair[0] && pair[1])
            g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
        }
      if (launch->detached)
        g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
      if (launch->log_dir != NULL)
        {
          /* Never hold the launching program's pipes open: the engine
           * moves its output to its log file as it starts. */
          g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
          g_subprocess_launcher_set_stdout_file_path (launcher, "/dev/null");
          g_subprocess_launcher_set_stderr_file_path (launcher, "/dev/null");
        }

      proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
      if (proc == NULL)
        {
          g_prefix_error (error, _("Cannot start engine %s: "), engine_path);
          return FALSE;
        }
      if (procs != NULL)
        g_ptr_array_add (procs, proc);
      else
        g_object_unref (proc);
    }

  return TRUE;
}

/* Starts loom-controller with @args in a session of its own, its output
 * in @log_path. */
GSubprocess *
loom_launch_controller (const char * const  *args,
                        const char          *log_path,
                        GError             **error)
{
  g_autofree char *path = loom_find_program ("loom-controller", "LOOM_CONTROLLER");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  GSubprocess *proc;

  if (path == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED,
                   _("Cannot find the loom-controller program: install Loom or set LOOM_CONTROLLER to its path"));
      return NULL;
    }

  g_ptr_array_add (argv, path);
  for (guint i = 0; args && args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  if (log_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (log_path);
      g_mkdir_with_parents (dir, 0700);
      g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
    }

  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (proc == NULL)
    g_prefix_error (error, _("Cannot start %s: "), path);
  return proc;
}

/* Waits until @expected engines are alive at the controller, failing early
 * when so many of @procs (nullable: engines started for this) have exited
 * that @expected cannot be reached. */
gboolean
loom_wait_for_engines (LoomClient  *client,
                       guint        expected,
                       GPtrArray   *procs,
                       double       timeout,
                       const char  *log_dir,
                       GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  guint alive = 0;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GArray) ids = loom_client_get_ids (client, error);
      guint exited = 0;

      if (ids == NULL)
        return FALSE;
      alive = ids->len;
      if (alive >= expected)
        return TRUE;

      for (guint i = 0; procs && i < procs->len; i++)
        if (g_subprocess_get_identifier (g_ptr_array_index (procs, i)) == NULL)
          exited++;
      if (exited > 0 && procs->len - exited < expected)
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE,
                       _("%u of %u engines exited before registering%s%s"),
                       exited, procs->len,
                       log_dir ? _("; see the logs in ") : "", log_dir ? log_dir : "");
          return FALSE;
        }

      g_usleep (10 * 1000);
    }

  g_set_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT,
               _("Only %u of %u engines registered within %.0f s"), alive, expected, timeout);
  return FALSE;
}
