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
  GOptionEntry entries[] = {
    { "connection", 'c', 0, G_OPTION_ARG_FILENAME, &connection, N_("The controller's connection file"), N_("FILE") },
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile, N_("Find the connection file of this profile (default: default)"), N_("NAME") },
    { "log-dir", 0, 0, G_OPTION_ARG_FILENAME, &log_dir, N_("Write output to DIR/engine-PID.log"), N_("DIR") },
    { "reconnect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &reconnect_timeout,
      N_("Wait this long for a controller that is gone (restarted, say) before exiting (default 60)"), N_("S") },
    { "grace-ms", 0, 0, G_OPTION_ARG_INT, &grace_ms, N_("The same in milliseconds"), N_("MS") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, loom_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  status = loom_program_parse_options ("loom-engine",
                                       _("A Loom engine: connects to a controller and runs the tasks it is given."),
                                       _("Exit status: 0 stopped by the controller or a signal, 2 usage error, "
                                         "3 no connection (connection file unreadable or address unreachable), "
                                         "4 the controller vanished (no word for --reconnect-timeout)."),
                                       entries, &argc, &argv);
  if (status >= 0)
    return status;
  if (grace_ms < 0 || !(reconnect_timeout > 0 && reconnect_timeout <= 86400))
    {
      g_printerr (_("loom-engine: --reconnect-timeout must be more than 0 and at most 86400 seconds\n"));
      return 2;
    }
  if (grace_ms == 0)
    grace_ms = (int) (reconnect_timeout * 1000);

  if (connection == NULL)
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

  return loom_engine_main (connection, grace_ms, log_path);
}
