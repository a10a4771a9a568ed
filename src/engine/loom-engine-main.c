/* loom-engine-main.c: the loom-engine program
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "loom-connection-private.h"
#include "loom-util-private.h"
#include "loom-engine-private.h"

/* Where the rank of an engine that MPI or srun started is found, the
 * first set winning (after --rank and LOOM_ENGINE_RANK). */
static const char * const rank_variables[] = {
  "LOOM_ENGINE_RANK", "PMI_RANK", "OMPI_COMM_WORLD_RANK", "SLURM_PROCID",
};

/* And the job of a batch system, when the launcher set no LOOM_LAUNCH_JOB. */
static const char * const job_variables[] = {
  "LOOM_LAUNCH_JOB", "SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID", "JOB_ID",
};

/* Reads the number in the environment variable @name into @value (-1 when
 * unset); FALSE, having said why, for anything but 0 to LOOM_ENGINE_ID_MAX. */
static gboolean
env_id (const char *name,
        gint       *value)
{
  const char *text = g_getenv (name);
  guint64 v;

  *value = -1;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, LOOM_ENGINE_ID_MAX, &v, NULL))
    {
      g_printerr (_("loom-engine: %s=%s: an engine id from 0 to %d was expected\n"), name, text, LOOM_ENGINE_ID_MAX);
      return FALSE;
    }
  *value = v;
  return TRUE;
}

/* The id to ask the controller for: --rank, or the rank its launcher gave
 * it, plus LOOM_ENGINE_ID_BASE; -1 for none.  FALSE on a usage error. */
static gboolean
wanted_id (gint  rank,
           gint *id)
{
  gint base;

  for (guint i = 0; rank < 0 && i < G_N_ELEMENTS (rank_variables); i++)
    if (!env_id (rank_variables[i], &rank))
      return FALSE;
  if (!env_id ("LOOM_ENGINE_ID_BASE", &base))
    return FALSE;
  *id = -1;
  if (rank < 0)
    return TRUE;
  if (base > 0 && rank > LOOM_ENGINE_ID_MAX - base)
    {
      g_printerr (_("loom-engine: rank %d plus LOOM_ENGINE_ID_BASE=%d is past the last engine id, %d\n"),
                  rank, base, LOOM_ENGINE_ID_MAX);
      return FALSE;
    }
  *id = rank + MAX (base, 0);
  return TRUE;
}

/* LOOM_LAUNCHER, or the job's id, if it can be told (a label that is not
 * is left out, with a warning: it does not stop the engine). */
static const char *
launch_label (const char * const *names,
              guint               n_names)
{
  for (guint i = 0; i < n_names; i++)
    {
      const char *value = g_getenv (names[i]);

      if (value == NULL)
        continue;
      if (loom_launch_label_is_valid (value))
        return value;
      g_printerr (_("loom-engine: ignoring %s: at most %d printable characters without spaces are told to the "
                    "controller\n"), names[i], LOOM_LAUNCH_LABEL_MAX);
      return NULL;
    }
  return NULL;
}

static char *
read_stdin (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buf[4096];
  ssize_t n;

  /* A connection file is a few kB: more is not one. */
  while ((n = read (STDIN_FILENO, buf, sizeof buf)) != 0 && text->len < 1024 * 1024)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return NULL;
      g_string_append_len (text, buf, n);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;
  g_autofree char *connection = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *log_dir = NULL;
  g_autofree char *log_path = NULL;
  int grace_ms = 0;
  double reconnect_timeout = LOOM_ENGINE_DEFAULT_GRACE_MS / 1000.0;
  g_autofree char *connection_data = NULL;
  double wait = 0;
  gint rank = -1;
  LoomEngineSetup setup = { 0 };
  g_auto(GStrv) plugin_dirs = NULL;
  gboolean own_plugins = FALSE;
  gboolean no_commands = FALSE;
  GOptionEntry entries[] = {
    { "connection", 'c', 0, G_OPTION_ARG_FILENAME, &connection,
      N_("The controller's engine connection file (<profile>-engine.json), or - to read it from standard input "
         "(default: the JSON in $LOOM_CONNECTION, else the profile's file)"), N_("FILE") },
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile, N_("Find the connection file of this profile (default: default)"), N_("NAME") },
    { "log-dir", 0, 0, G_OPTION_ARG_FILENAME, &log_dir, N_("Write output to DIR/engine-PID.log"), N_("DIR") },
    { "reconnect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &reconnect_timeout,
      N_("Wait this long for a controller that is gone (restarted, say) before exiting (default 60)"), N_("S") },
    { "grace-ms", 0, 0, G_OPTION_ARG_INT, &grace_ms, N_("The same in milliseconds"), N_("MS") },
    { "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_dirs,
      N_("Load plugins from DIR (repeatable; none are loaded from anywhere else)"), N_("DIR") },
    { "allow-own-plugins", 0, 0, G_OPTION_ARG_NONE, &own_plugins,
      N_("Also load plugins that only their owner (this user or root) can write, in directories only their owner can write "
         "(what engines of a local cluster get when no --plugin-dir is named)"), NULL },
    { "no-commands", 0, 0, G_OPTION_ARG_NONE, &no_commands, N_("Refuse command tasks"), NULL },
    { "wait", 0, 0, G_OPTION_ARG_DOUBLE, &wait,
      N_("Wait up to S seconds for a controller that is not there yet: for its connection file to appear and for "
         "it to answer (default 0: exit at once if there is no file)"), N_("S") },
    { "rank", 0, 0, G_OPTION_ARG_INT, &rank,
      N_("Ask the controller for engine id N plus $LOOM_ENGINE_ID_BASE (default: $LOOM_ENGINE_RANK, or the rank "
         "from $PMI_RANK, $OMPI_COMM_WORLD_RANK or $SLURM_PROCID); an id another engine has had gets the next one "
         "never given out"), N_("N") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, loom_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  status = loom_program_parse_options ("loom-engine",
                                       _("A Loom engine: connects to a controller and runs the tasks it is given."),
                                       _("Exit status: 0 stopped by the controller or a signal, 2 usage error, "
                                         "3 no connection (connection file unreadable or address unreachable, "
                                         "or no controller within --wait), "
                                         "4 the controller vanished (no word for --reconnect-timeout).\n\n"
                                         "Environment: LOOM_CONNECTION holds the engine connection file's JSON "
                                         "(no file needed); LOOM_ENGINE_RANK and LOOM_ENGINE_ID_BASE choose the "
                                         "engine id to ask for; LOOM_LAUNCHER and LOOM_LAUNCH_JOB (else "
                                         "SLURM_JOB_ID, PBS_JOBID, LSB_JOBID or JOB_ID) say where it came from, "
                                         "as cluster status shows."),
                                       entries, &argc, &argv);
  if (status >= 0)
    return status;
  if (grace_ms < 0 || !(reconnect_timeout > 0 && reconnect_timeout <= 86400))
    {
      g_printerr (_("loom-engine: --reconnect-timeout must be more than 0 and at most 86400 seconds\n"));
      return 2;
    }
  if (!(wait >= 0 && wait <= 86400))
    {
      g_printerr (_("loom-engine: --wait must be from 0 to 86400 seconds\n"));
      return 2;
    }
  if (rank < -1 || rank > LOOM_ENGINE_ID_MAX)
    {
      g_printerr (_("loom-engine: --rank must be from 0 to %d\n"), LOOM_ENGINE_ID_MAX);
      return 2;
    }
  if (!wanted_id (rank, &setup.wanted_id))
    return 2;
  if (grace_ms == 0)
    grace_ms = (int) (reconnect_timeout * 1000);
  for (guint i = 0; plugin_dirs && plugin_dirs[i]; i++)
    if (!loom_engine_allow_plugin_dir (plugin_dirs[i], &error))
      {
        g_printerr ("loom-engine: %s\n", error->message);
        return 2;
      }
  loom_engine_allow_own_plugins (own_plugins);
  loom_engine_allow_commands (!no_commands);

  /* The connection info: a file, standard input, or the environment. */
  if (g_strcmp0 (connection, "-") == 0)
    {
      if (!(connection_data = read_stdin ()))
        {
          g_printerr (_("loom-engine: cannot read the connection file from standard input: %s\n"),
                      g_strerror (errno));
          return 3;
        }
      setup.connection_origin = _("standard input");
    }
  else if (connection == NULL && profile == NULL && g_getenv ("LOOM_CONNECTION") != NULL)
    {
      connection_data = g_strdup (g_getenv ("LOOM_CONNECTION"));
      setup.connection_origin = "LOOM_CONNECTION";
      /* Not handed on to the tasks' commands. */
      g_unsetenv ("LOOM_CONNECTION");
    }
  else if (connection == NULL)
    {
      if (profile != NULL && !loom_profile_name_check (profile, &error))
        {
          g_printerr ("loom-engine: %s\n", error->message);
          return 2;
        }
      g_autofree char *client_path = loom_connection_path_for_profile (profile ? profile : "default");

      connection = loom_connection_engine_path (client_path);
    }

  if (log_dir != NULL)
    {
      g_autofree char *name = g_strdup_printf ("engine-%d.log", (int) getpid ());
      int fd;

      g_mkdir_with_parents (log_dir, 0700);
      log_path = g_build_filename (log_dir, name, NULL);
      fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          g_printerr ("loom-engine: cannot write %s: %s\n", log_path, g_strerror (errno));
          return 2;
        }
      dup2 (fd, STDOUT_FILENO);
      dup2 (fd, STDERR_FILENO);
      close (fd);
    }

  setup.connection_file = connection_data ? NULL : connection;
  setup.connection_data = connection_data;
  setup.grace_ms = grace_ms;
  setup.wait_ms = (guint) (wait * 1000);
  setup.log_path = log_path;
  setup.launcher = launch_label ((const char * const[]) { "LOOM_LAUNCHER" }, 1);
  setup.job_id = launch_label (job_variables, G_N_ELEMENTS (job_variables));
  return loom_engine_main (&setup);
}
