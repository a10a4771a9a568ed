/* loom-controller-main.c: the loom-controller daemon
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <locale.h>
#include <signal.h>

#include <glib/gi18n.h>

#include "loom.h"
#include "loom-connection-private.h"
#include "loom-util-private.h"
#include "loom-enum-private.h"

static LoomController *the_controller;

static void
on_signal (int sig)
{
  /* Async-signal-safe: an atomic store and a write(2). */
  loom_controller_request_stop (the_controller);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;
  g_autoptr(LoomController) controller = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *scheme_name = NULL;
  g_autofree char *ip = NULL;
  g_autofree char *location = NULL;
  g_autofree char *schemes = NULL;
  g_autofree char *scheme_help = NULL;
  g_autofree char *hwm_text = NULL;
  guint hwm = 0;
  int heartbeat_ms = 2000;
  int retries = 2;
  gint64 max_message = 0;
  gint keep_jobs = -1;
  g_autofree char *keep_for_text = NULL;
  g_autofree char *store_path = NULL;
  gboolean no_store = FALSE;
  gint64 keep_for = 0;
  LoomScheme scheme = LOOM_SCHEME_LEASTLOAD;
  struct sigaction sa = { 0 };
  GOptionEntry entries[] = {
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile, N_("Profile to serve (default: default)"), N_("NAME") },
    { "scheme", 0, 0, G_OPTION_ARG_STRING, &scheme_name, NULL, N_("SCHEME") },
    { "hwm", 0, 0, G_OPTION_ARG_STRING, &hwm_text, N_("Tasks an engine may hold at once: auto (the default: more than one only while its tasks are short) or 1 to 1024"), N_("N|auto") },
    { "ip", 0, 0, G_OPTION_ARG_STRING, &ip, N_("Listen on this address over TCP (default: ipc:// sockets)"), N_("ADDR") },
    { "location", 0, 0, G_OPTION_ARG_STRING, &location, N_("With --ip: the host name or address others reach this controller at (default: the host's name when listening on 0.0.0.0)"), N_("HOST") },
    { "heartbeat-timeout", 0, 0, G_OPTION_ARG_INT, &heartbeat_ms, N_("Declare an engine dead after this long without heartbeats (default 2000)"), N_("MS") },
    { "retries", 0, 0, G_OPTION_ARG_INT, &retries, N_("Times a task of a dead engine runs again (default 2)"), N_("N") },
    { "max-message-size", 0, 0, G_OPTION_ARG_INT64, &max_message, N_("Drop messages larger than this (default 64 MiB)"), N_("BYTES") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, N_("Keep jobs in this SQLite file (default: $XDG_STATE_HOME/loom/PROFILE/jobs.db)"), N_("FILE") },
    { "no-store", 0, 0, G_OPTION_ARG_NONE, &no_store, N_("Keep jobs in memory only: they do not outlive the controller"), NULL },
    { "keep-jobs", 0, 0, G_OPTION_ARG_INT, &keep_jobs, N_("Keep the newest N finished jobs in the store, remove older ones (default: all)"), N_("N") },
    { "keep-for", 0, 0, G_OPTION_ARG_STRING, &keep_for_text, N_("Remove finished jobs older than D from the store (seconds, or 30m, 12h, 7d, 2w; default: never)"), N_("D") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, loom_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* --scheme's help: the schemes' names are LoomScheme's nicks. */
  schemes = loom_enum_choices (LOOM_TYPE_SCHEME, LOOM_ENUM_CHOICES_TRANSLATED, LOOM_SCHEME_LEASTLOAD, NULL);
  scheme_help = g_strdup_printf (_("Scheduler: %s"), schemes);
  g_assert (g_str_equal (entries[1].long_name, "scheme"));
  entries[1].description = scheme_help;
  g_clear_pointer (&schemes, g_free);

  status = loom_program_parse_options ("loom-controller",
                                       _("The Loom controller: schedules tasks over the engines that connect to it."),
                                       _("Exit status: 0 stopped as asked, 1 could not run (runtime directory, "
                                         "lock file or sockets), 2 usage error, 3 another controller "
                                         "is already running for the profile."),
                                       entries, &argc, &argv);
  if (status >= 0)
    return status;
  if (scheme_name != NULL && !loom_scheme_from_string (scheme_name, &scheme))
    {
      schemes = loom_enum_choices (LOOM_TYPE_SCHEME, LOOM_ENUM_CHOICES_PLAIN, -1, NULL);
      g_printerr ("loom-controller: unknown scheme “%s”: use %s\n", scheme_name, schemes);
      return 2;
    }
  if (!loom_hwm_parse (hwm_text, &hwm))
    {
      g_printerr ("loom-controller: --hwm takes “auto” or a number from 1 to %d, got “%s”\n", LOOM_HWM_MAX, hwm_text);
      return 2;
    }
  if ((keep_for_text != NULL && !loom_duration_parse (keep_for_text, &keep_for)) || keep_jobs < -1 ||
      (no_store && store_path != NULL))
    {
      g_printerr ("loom-controller: --keep-for takes a duration such as 3600, 12h or 7d, --keep-jobs a count ≥ 0; "
                  "--no-store and --store exclude each other\n");
      return 2;
    }
  if (heartbeat_ms < 100 || retries < 0 || max_message < 0)
    {
      g_printerr ("loom-controller: --heartbeat-timeout must be ≥ 100, --retries and --max-message-size ≥ 0\n");
      return 2;
    }

  if (!loom_profile_name_check (profile ? profile : "default", &error) ||
      (ip != NULL && !loom_listen_address_check (ip, &error)) ||
      !loom_runtime_dir_check (&error))
    {
      g_printerr ("loom-controller: %s\n", error->message);
      return 2;
    }
  controller = loom_controller_new (profile ? profile : "default");
  loom_controller_set_scheme (controller, scheme);
  loom_controller_set_hwm (controller, hwm);
  loom_controller_set_heartbeat_timeout (controller, heartbeat_ms);
  loom_controller_set_retries (controller, retries);
  loom_controller_set_max_message_size (controller, max_message);
  if (ip != NULL)
    loom_controller_set_tcp (controller, ip);
  if (location != NULL && ip == NULL)
    {
      g_printerr ("loom-controller: --location needs --ip: over ipc:// there is nothing to advertise\n");
      return 2;
    }
  loom_controller_set_location (controller, location);
  loom_controller_set_store (controller, !no_store, store_path);
  loom_controller_set_retention (controller, keep_jobs, keep_for);

  the_controller = controller;
  sa.sa_handler = on_signal;
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  /* A file size limit (ulimit -f) makes a write fail, like a full disk,
   * instead of killing the controller. */
  signal (SIGXFSZ, SIG_IGN);

  if (!loom_controller_run (controller, &error))
    {
      g_printerr ("loom-controller: %s\n", error->message);
      return g_error_matches (error, LOOM_ERROR, LOOM_ERROR_ALREADY_RUNNING) ? 3 : 1;
    }

  return 0;
}
