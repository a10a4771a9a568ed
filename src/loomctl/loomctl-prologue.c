/* loomctl-prologue.c: how every command begins
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Options, the profile, the one numeric argument and the connection to the
 * cluster (loomctl_prologue()), and how failures are told.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "loomctl-private.h"
#include "loom-connection-private.h"

/* Says “loomctl: ” and the message, translated (po/meson.build tells
 * xgettext that @format is a message), on stderr; returns @code. */
int
loomctl_fail (int         code,
              const char *format,
              ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (_(format), args);
  va_end (args);
  g_printerr ("loomctl: %s\n", msg);
  return code;
}

static int
exit_code_for (const GError *error)
{
  if (error->domain == LOOM_ERROR &&
      (error->code == LOOM_ERROR_NO_CLUSTER || error->code == LOOM_ERROR_CONNECTION))
    return EXIT_NO_CLUSTER;
  if (error->domain == LOOM_ERROR && error->code == LOOM_ERROR_INVALID_ARGUMENT)
    return EXIT_USAGE;
  if (error->domain == LOOM_ERROR && error->code == LOOM_ERROR_TIMED_OUT)
    return EXIT_TIMEOUT;
  if (error->domain == LOOM_ERROR && error->code == LOOM_ERROR_ALREADY_RUNNING)
    return EXIT_ALREADY_RUNNING;
  if (error->domain == LOOM_ERROR && error->code == LOOM_ERROR_TASK_FAILED)
    return EXIT_TASKS_FAILED;
  /* loomctl's own file errors are from writing what it was asked to. */
  if (error->domain == G_IO_ERROR || error->domain == G_FILE_ERROR)
    return EXIT_CANNOT_WRITE;
  return EXIT_OTHER_ERROR;
}

/* Tells @error and returns the exit code it deserves. */
int
loomctl_fail_with (const GError *error)
{
  return loomctl_fail (exit_code_for (error), "%s", error->message);
}

/* What a loomctl built with -Dapp=disabled says when asked to draw:
 * "…; <what> the app's drawing code". */
int
loomctl_no_timeline (const char *what_format,
                     ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, what_format);
  what = g_strdup_vprintf (what_format, args);
  va_end (args);
  return loomctl_fail (EXIT_USAGE, "this loomctl was built without the timeline (-Dapp=disabled); "
                       "%s the app's drawing code", what);
}

const char *
loomctl_profile_or_default (const char *profile)
{
  return profile ? profile : "default";
}

gboolean
loomctl_check_profile (const char *profile)
{
  g_autoptr(GError) error = NULL;

  if (!loom_profile_name_check (loomctl_profile_or_default (profile), &error))
    {
      loomctl_fail (EXIT_USAGE, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
loomctl_cluster_file_exists (const char *profile)
{
  g_autofree char *path = loom_connection_path_for_profile (loomctl_profile_or_default (profile));
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* “ --profile NAME” when @profile was given, for commands to suggest. */
static const char *
profile_option (const char *profile,
                char      **storage)
{
  *storage = profile ? g_strdup_printf (" --profile %s", profile) : g_strdup ("");
  return *storage;
}

/**
 * loomctl_remove_stale:
 * @profile: (nullable): the profile
 * @tell: whether to say on stderr what was removed
 *
 * Removes the connection file of @profile (and its socket files) when the
 * controller that wrote it ran on this machine and is no longer running.
 *
 * Returns: the pid of that controller, or 0 when the file was not stale
 */
gint64
loomctl_remove_stale (const char *profile,
                      gboolean    tell)
{
  g_autofree char *path = loom_connection_path_for_profile (loomctl_profile_or_default (profile));
  g_autoptr(LoomConnection) conn = loom_connection_load (path, NULL);

  if (conn == NULL || !loom_connection_is_stale (conn))
    return 0;
  loom_connection_remove_files (conn, path);
  if (tell)
    g_printerr (_("loomctl: the controller of profile “%s” (pid %" PRId64 ") is no longer running; "
                  "removed its stale connection file %s\n"),
                loomctl_profile_or_default (profile), conn->controller_pid, path);
  return conn->controller_pid;
}

/* Connects to the cluster of @profile, or explains what to do. */
LoomClient *
loomctl_connect_profile (const char *profile,
                         int        *code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *option = NULL;
  gint64 stale = loomctl_remove_stale (profile, FALSE);
  LoomClient *client;

  if (stale != 0)
    {
      *code = loomctl_fail (EXIT_NO_CLUSTER, _("the controller of profile “%s” (pid %" PRId64 ") is no longer "
                                               "running; “loomctl cluster start%s” replaces it (its stale connection "
                                               "file was removed)"),
                            loomctl_profile_or_default (profile), stale, profile_option (profile, &option));
      return NULL;
    }

  client = loom_client_new_for_profile (loomctl_profile_or_default (profile), &error);
  if (client == NULL)
    {
      if (g_error_matches (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER) && !loomctl_cluster_file_exists (profile))
        *code = loomctl_fail (EXIT_NO_CLUSTER, "no cluster for profile “%s”: run “loomctl cluster start -n 4%s%s”",
                              loomctl_profile_or_default (profile), profile ? " --profile " : "",
                              profile ? profile : "");
      else
        *code = loomctl_fail_with (error);
    }
  return client;
}

gboolean
loomctl_parse_job_id (const char *text,
                      guint      *job)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT, &v, NULL))
    return FALSE;
  *job = v;
  return TRUE;
}

static gboolean
parse_options (Loomctl        *ctl,
               const Command  *command,
               GOptionEntry   *entries,
               int            *argc,
               char         ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("loomctl %s", command->name);

  /* “Usage: loomctl map [OPTION…] FUNCTION”, not the word alone. */
  g_set_prgname (prgname);
  context = g_option_context_new (command->parameter ? command->parameter : "");
  g_option_context_set_summary (context, _(command->summary));
  if (ctl->description)
    g_option_context_set_description (context, ctl->description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr (_("loomctl %s: %s (see “loomctl %s --help”)\n"), command->name, error->message, command->name);
      return FALSE;
    }
  return TRUE;
}

/**
 * loomctl_prologue:
 * @ctl: what the command asks for (needs, usage, min and max)
 * @entries: (nullable): the command's options, %NULL-terminated;
 *   LOOMCTL_PROFILE_OPTION and LOOMCTL_JSON_OPTION fill @ctl.  %NULL for
 *   --profile alone
 *
 * Parses the command line; then, as @ctl->needs says, checks the profile,
 * reads the one numeric argument into @ctl->number (or prints @ctl->usage)
 * and connects @ctl->client to the profile's cluster.
 *
 * Returns: %EXIT_OK, or the exit code the command ends with
 */
int
loomctl_prologue (Loomctl        *ctl,
                  const Command  *command,
                  GOptionEntry   *entries,
                  int            *argc,
                  char         ***argv)
{
  GOptionEntry profile_only[] = {
    LOOMCTL_PROFILE_OPTION (ctl),
    { NULL }
  };
  g_autoptr(GError) error = NULL;

  ctl->command = command;
  if (!parse_options (ctl, command, entries ? entries : profile_only, argc, argv))
    return EXIT_USAGE;
  if ((ctl->needs & LOOMCTL_PROFILE) && !loomctl_check_profile (ctl->profile))
    return EXIT_USAGE;
  if ((ctl->needs & LOOMCTL_PROFILE) && !loom_runtime_dir_check (&error))
    return loomctl_fail_with (error);
  if ((ctl->needs & LOOMCTL_NUMBER) &&
      (*argc != 2 || !g_ascii_string_to_unsigned ((*argv)[1], 10, ctl->min, ctl->max, &ctl->number, NULL)))
    return loomctl_fail (EXIT_USAGE, "%s", ctl->usage);
  if ((ctl->needs & LOOMCTL_CONNECT) == LOOMCTL_CONNECT)
    return loomctl_connect (ctl);
  return EXIT_OK;
}

/* Connects @ctl to the cluster of its profile. */
int
loomctl_connect (Loomctl *ctl)
{
  int code = EXIT_OK;

  ctl->client = loomctl_connect_profile (ctl->profile, &code);
  return code;
}

void
loomctl_clear (Loomctl *ctl)
{
  g_clear_pointer (&ctl->profile, g_free);
  g_clear_object (&ctl->client);
}

LoomCluster *
loomctl_start_private_cluster (guint n_engines,
                               guint hwm)
{
  return loomctl_start_private_cluster_tcp (n_engines, hwm, NULL);
}

/* The same, listening on TCP at @ip (CURVE), or on ipc:// for NULL. */
LoomCluster *
loomctl_start_private_cluster_tcp (guint       n_engines,
                                   guint       hwm,
                                   const char *ip)
{
  g_autoptr(LoomCluster) cluster = loom_cluster_new (NULL);
  g_autoptr(GError) error = NULL;

  loom_controller_set_hwm (loom_cluster_get_controller (cluster), hwm);
  loom_controller_set_tcp (loom_cluster_get_controller (cluster), ip);
  if (!loom_cluster_start (cluster, n_engines, &error))
    {
      loomctl_fail (EXIT_NO_CLUSTER, "cannot start a private cluster: %s", error->message);
      return NULL;
    }
  return g_steal_pointer (&cluster);
}
