/* loomctl-cluster.c: clusters and their engines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `cluster start|stop|status` and `engines add|stop`: a controller and
 * local engines in the background, like ipcluster.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "loomctl-private.h"
#include "loom-connection-private.h"
#include "loom-launcher-private.h"
#include "loom-util-private.h"

static char *
tail_of_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, NULL) || len == 0)
    return g_strdup ("");
  g_strchomp (data);
  {
    const char *last = strrchr (data, '\n');
    return g_strdup (last ? last + 1 : data);
  }
}

static gboolean
wait_pid_gone (gint64 pid,
               double timeout)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);

  while (!loom_pid_is_gone (pid))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (10 * 1000);
    }
  return TRUE;
}

/* What a local cluster's engines may run: the --plugin-dir and
 * --no-commands of `cluster start`, kept in the state directory
 * (engines.ini) so that `engines add` starts engines with the same
 * rights.  No directory named: the engines allow plugins only their owner
 * could have put there (loom-engine --allow-own-plugins). */
typedef struct
{
  GStrv    plugin_dirs;
  gboolean no_commands;
} EngineRights;

static void
engine_rights_clear (EngineRights *rights)
{
  g_clear_pointer (&rights->plugin_dirs, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EngineRights, engine_rights_clear)

/* Makes each of @rights' directories absolute (the engines resolve them
 * again with realpath), checking that it is one. */
static gboolean
engine_rights_check (EngineRights  *rights,
                     GError       **error)
{
  for (guint i = 0; rights->plugin_dirs && rights->plugin_dirs[i]; i++)
    {
      char *abs = g_canonicalize_filename (rights->plugin_dirs[i], NULL);

      if (!g_file_test (abs, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("--plugin-dir %s: not a directory"), rights->plugin_dirs[i]);
          g_free (abs);
          return FALSE;
        }
      g_free (rights->plugin_dirs[i]);
      rights->plugin_dirs[i] = abs;
    }
  return TRUE;
}

static void
engine_rights_save (const EngineRights *rights,
                    const char         *state_dir)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = g_build_filename (state_dir, "engines.ini", NULL);
  g_autoptr(GError) error = NULL;

  if (rights->plugin_dirs && rights->plugin_dirs[0])
    g_key_file_set_string_list (file, "engines", "plugin-dirs", (const char * const *) rights->plugin_dirs,
                                g_strv_length (rights->plugin_dirs));
  g_key_file_set_boolean (file, "engines", "no-commands", rights->no_commands);
  g_mkdir_with_parents (state_dir, 0700);
  if (!g_key_file_save_to_file (file, path, &error))
    g_printerr ("loomctl: %s\n", error->message);
}

static void
engine_rights_load (EngineRights *rights,
                    const char   *state_dir)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = g_build_filename (state_dir, "engines.ini", NULL);

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return;
  rights->plugin_dirs = g_key_file_get_string_list (file, "engines", "plugin-dirs", NULL, NULL);
  rights->no_commands = g_key_file_get_boolean (file, "engines", "no-commands", NULL);
}

/* The arguments every engine gets: how long it outlives a missing
 * controller, and what it may run. */
static GStrv
engine_args (const EngineRights *rights,
             guint               grace_ms,
             gboolean            local)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (grace_ms > 0)
    {
      g_autofree char *grace = g_strdup_printf ("%u", grace_ms);

      g_strv_builder_add_many (builder, "--grace-ms", grace, NULL);
    }
  for (guint i = 0; rights->plugin_dirs && rights->plugin_dirs[i]; i++)
    g_strv_builder_add_many (builder, "--plugin-dir", rights->plugin_dirs[i], NULL);
  /* No directory named: plugins only their owner could have put there.
   * The local launcher says so itself. */
  if (!local && (rights->plugin_dirs == NULL || rights->plugin_dirs[0] == NULL))
    g_strv_builder_add (builder, "--allow-own-plugins");
  if (rights->no_commands)
    g_strv_builder_add (builder, "--no-commands");
  return g_strv_builder_end (builder);
}

int
cmd_cluster_start (const Command *command,
                   int            argc,
                   char         **argv)
{
  g_auto(Loomctl) ctl = { .needs = LOOMCTL_PROFILE };
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) controller = NULL;
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *ip = NULL;
  g_autofree char *location = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *controller_log = NULL;
  g_autofree char *schemes = loom_enum_choices (LOOM_TYPE_SCHEME, LOOM_ENUM_CHOICES_PLAIN, -1, NULL);
  g_autofree char *default_scheme = loom_enum_choices (LOOM_TYPE_SCHEME, LOOM_ENUM_CHOICES_PLAIN,
                                                       LOOM_SCHEME_LEASTLOAD, NULL);
  g_autofree char *scheme_help = g_strdup_printf (_("Scheduler: %s"), default_scheme);
  g_autofree char *engines_help = g_strdup_printf (_("Engines to start, 1 to %d (default: one per CPU)"),
                                                   LOOMCTL_MAX_ENGINES);
  g_autofree char *engines_text = NULL;
  const char *profile;
  guint64 n_engines = MIN (g_get_num_processors (), LOOMCTL_MAX_ENGINES);
  g_autofree char *hwm_text = NULL;
  g_autofree char *state_copy = NULL;
  guint hwm = 0;
  double reconnect_timeout = 0;
  gint keep_jobs = -1;
  g_autofree char *keep_for = NULL;
  gint64 keep_for_usec;
  guint n_back = 0;
  gboolean restarting;
  int code;
  LoomScheme parsed;
  gint64 begin = g_get_monotonic_time ();
  gint64 deadline;
  g_auto(EngineRights) rights = { 0 };
  g_auto(LoomctlLaunch) launch = LOOMCTL_LAUNCH_INIT;
  g_autoptr(LoomLauncher) launcher = NULL;
  g_auto(GStrv) launch_args = NULL;
  gint max_job_tasks = 0;
  GOptionEntry entries[] = {
    { "engines", 'n', 0, G_OPTION_ARG_STRING, &engines_text, engines_help, "N" },
    LOOMCTL_PROFILE_OPTION (&ctl),
    { "scheme", 0, 0, G_OPTION_ARG_STRING, &scheme, scheme_help, "SCHEME" },
    { "hwm", 0, 0, G_OPTION_ARG_STRING, &hwm_text, N_("Tasks an engine may hold at once: auto (the default: more than one only while its tasks are short) or 1 to 1024"), "K|auto" },
    { "ip", 0, 0, G_OPTION_ARG_STRING, &ip, N_("Listen on this address over TCP, for remote engines (default: local ipc://)"), "ADDR" },
    { "location", 0, 0, G_OPTION_ARG_STRING, &location, N_("With --ip: the host name or address engines and clients reach the controller at (default: this host's name when listening on 0.0.0.0)"), "HOST" },
    { "keep-jobs", 0, 0, G_OPTION_ARG_INT, &keep_jobs, N_("Keep the newest N finished jobs in the job store (default: all)"), "N" },
    { "keep-for", 0, 0, G_OPTION_ARG_STRING, &keep_for, N_("Remove finished jobs older than D from the job store (30m, 12h, 7d…; default: never)"), "D" },
    { "reconnect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &reconnect_timeout,
      N_("How long the engines wait for a controller that is gone (restarted, say) before they exit (default 60)"), "S" },
    { "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rights.plugin_dirs,
      N_("The engines load plugins from DIR only (repeatable; default: plugins only their owner can write)"), "DIR" },
    { "no-commands", 0, 0, G_OPTION_ARG_NONE, &rights.no_commands, N_("The engines refuse command tasks"), NULL },
    { "max-job-tasks", 0, 0, G_OPTION_ARG_INT, &max_job_tasks,
      N_("Refuse a job with a list of more than N parameter sets (default 1000000; sweeps have no such limit)"), "N" },
    LOOMCTL_LAUNCH_OPTIONS (&launch),
    { NULL }
  };

  if ((code = loomctl_prologue (&ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  profile = ctl.profile;
  if (keep_for != NULL && !loom_duration_parse (keep_for, &keep_for_usec))
    return loomctl_fail (EXIT_USAGE, "--keep-for takes a duration such as 3600, 90s, 30m, 12h, 7d or 2w, got “%s”",
                         keep_for);
  if (keep_jobs < -1)
    return loomctl_fail (EXIT_USAGE, "--keep-jobs takes a number of jobs, 0 or more");
  if (reconnect_timeout < 0 || reconnect_timeout > 86400)
    return loomctl_fail (EXIT_USAGE, _("--reconnect-timeout takes seconds, more than 0 and at most 86400"));
  if (max_job_tasks < 0)
    return loomctl_fail (EXIT_USAGE, _("--max-job-tasks takes a number of tasks, 1 or more"));
  if (engines_text && !g_ascii_string_to_unsigned (engines_text, 10, 1, LOOMCTL_MAX_ENGINES, &n_engines, NULL))
    return loomctl_fail (EXIT_USAGE, _("--engines takes a number of engines from 1 to %d, got “%s”"),
                         LOOMCTL_MAX_ENGINES, engines_text);
  if (!loom_hwm_parse (hwm_text, &hwm))
    return loomctl_fail (EXIT_USAGE, "--hwm takes “auto” or a number from 1 to %d, got “%s”", LOOM_HWM_MAX, hwm_text);
  if (scheme && !loom_scheme_from_string (scheme, &parsed))
    return loomctl_fail (EXIT_USAGE, "unknown scheme “%s”: use %s", scheme, schemes);
  if (ip && !loom_listen_address_check (ip, &error))
    return loomctl_fail (EXIT_USAGE, "--ip: %s", error->message);
  if (location && !ip)
    return loomctl_fail (EXIT_USAGE, _("--location needs --ip: over ipc:// there is nothing to advertise"));
  if (!engine_rights_check (&rights, &error))
    return loomctl_fail (EXIT_USAGE, "%s", error->message);

  /* The launcher and its options, checked before anything starts. */
  state_dir = loom_state_dir (loomctl_profile_or_default (profile));
  launch_args = engine_args (&rights, (guint) (reconnect_timeout * 1000), loomctl_launch_is_local (&launch));
  if (!(launcher = loomctl_launch_new (&launch, NULL, state_dir, (const char * const *) launch_args, &error)))
    return loomctl_fail (EXIT_USAGE, "%s", error->message);

  /* A controller that died leaves its key in the state directory: the new
   * one takes it over, with the engines that wait for it and the jobs that
   * had not finished. */
  state_copy = g_build_filename (state_dir, "connection.json", NULL);
  restarting = loomctl_remove_stale (profile, TRUE) != 0 || g_file_test (state_copy, G_FILE_TEST_EXISTS);
  if (loomctl_cluster_file_exists (profile))
    {
      g_autoptr(LoomClient) existing = loom_client_new_for_profile (loomctl_profile_or_default (profile), NULL);
      if (existing != NULL)
        return loomctl_fail (EXIT_ALREADY_RUNNING,
                             "a cluster is already running for profile “%s”: stop it with “loomctl cluster stop%s%s”",
                             loomctl_profile_or_default (profile), profile ? " --profile " : "", profile ? profile : "");
    }

  controller_log = g_build_filename (state_dir, "controller.log", NULL);
  g_ptr_array_add (args, g_strdup ("--profile"));
  g_ptr_array_add (args, g_strdup (loomctl_profile_or_default (profile)));
  g_ptr_array_add (args, hwm ? g_strdup_printf ("--hwm=%u", hwm) : g_strdup ("--hwm=auto"));
  if (scheme)
    g_ptr_array_add (args, g_strdup_printf ("--scheme=%s", scheme));
  if (ip)
    g_ptr_array_add (args, g_strdup_printf ("--ip=%s", ip));
  if (location)
    g_ptr_array_add (args, g_strdup_printf ("--location=%s", location));
  if (keep_jobs >= 0)
    g_ptr_array_add (args, g_strdup_printf ("--keep-jobs=%d", keep_jobs));
  if (keep_for)
    g_ptr_array_add (args, g_strdup_printf ("--keep-for=%s", keep_for));
  if (max_job_tasks > 0)
    g_ptr_array_add (args, g_strdup_printf ("--max-job-tasks=%d", max_job_tasks));
  /* The controller keeps a local cluster at strength: it replaces
   * engines that die or are ended for a task, launched as these are.
   * Engines elsewhere are the launcher's to replace. */
  if (loomctl_launch_is_local (&launch))
    g_ptr_array_add (args, g_strdup ("--replace-engines"));
  g_ptr_array_add (args, g_strdup_printf ("--engine-log-dir=%s", state_dir));
  if (reconnect_timeout > 0)
    g_ptr_array_add (args, g_strdup_printf ("--engine-grace-ms=%u", (guint) (reconnect_timeout * 1000)));
  g_ptr_array_add (args, NULL);

  controller = loom_launch_controller ((const char * const *) args->pdata, controller_log, &error);
  if (controller == NULL)
    return loomctl_fail (EXIT_NO_CLUSTER, "%s", error->message);

  /* The controller is up once its connection file answers. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (client == NULL)
    {
      if (g_subprocess_get_identifier (controller) == NULL)
        {
          g_autofree char *why = tail_of_file (controller_log);
          return loomctl_fail (EXIT_NO_CLUSTER, "the controller exited at start: %s (log: %s)", why, controller_log);
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_subprocess_force_exit (controller);
          return loomctl_fail (EXIT_NO_CLUSTER, "the controller did not answer within 10 s (log: %s)", controller_log);
        }
      if (loomctl_cluster_file_exists (profile))
        client = loom_client_new_for_profile (loomctl_profile_or_default (profile), NULL);
      if (client == NULL)
        g_usleep (5 * 1000);
    }

  /* The engines of the controller before find the new one within a few
   * heartbeats: start only the ones missing. */
  if (restarting)
    {
      gint64 wait_until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

      while (g_get_monotonic_time () < wait_until)
        {
          g_autoptr(GArray) ids = loom_client_get_ids (client, NULL);

          n_back = ids ? ids->len : 0;
          if (n_back >= n_engines)
            break;
          g_usleep (100 * 1000);
        }
      g_print (_("Cluster “%s” restarted: %u engines of the previous controller came back\n"),
               loomctl_profile_or_default (profile), n_back);
    }

  engine_rights_save (&rights, state_dir);
  loom_launcher_set_connection_file (launcher, loom_client_get_connection_file (client));
  if (n_back < n_engines &&
      !loomctl_launch_start (&launch, launcher, client, loomctl_profile_or_default (profile), n_engines - n_back,
                             n_back, &error))
    {
      loom_client_shutdown (client, NULL);
      loom_client_close (client);
      wait_pid_gone (atoi (g_subprocess_get_identifier (controller) ?: "0"), 5);
      loom_launcher_stop (launcher);
      loom_launcher_forget_recorded (loomctl_profile_or_default (profile));
      if (g_subprocess_get_identifier (controller))
        g_subprocess_force_exit (controller);
      return loomctl_fail (EXIT_NO_CLUSTER, "cluster “%s” did not come up: %s; nothing was left running (logs: %s)",
                           loomctl_profile_or_default (profile), error->message, state_dir);
    }

  {
    g_autoptr(GArray) ids = loom_client_get_ids (client, NULL);
    guint64 registered = ids ? ids->len : 0;
    guint64 wanted = MAX (n_engines, (guint64) n_back);

    /* A batch system's engines may still wait in its queue. */
    if (registered < wanted)
      g_print (_("Cluster “%s” started: %" PRIu64 " of %" PRIu64 " engines registered so far (%s launcher) in %.2f s\n"),
               loomctl_profile_or_default (profile), registered, wanted, loomctl_launch_name (&launch),
               (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);
    else
      g_print (_("Cluster “%s” started: %" PRIu64 " engines (%s launcher) in %.2f s\n"),
               loomctl_profile_or_default (profile), wanted, loomctl_launch_name (&launch),
               (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);
  }
  g_print (_("Connection file: %s\n"), loom_client_get_connection_file (client));
  g_print (_("Logs: %s\n"), state_dir);
  return EXIT_OK;
}

int
cmd_cluster_stop (const Command *command,
                  int            argc,
                  char         **argv)
{
  g_auto(Loomctl) ctl = { .needs = LOOMCTL_PROFILE };
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  g_autoptr(GArray) engine_pids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 controller_pid;
  GListModel *engines;
  int code;

  if ((code = loomctl_prologue (&ctl, command, NULL, &argc, &argv)) != EXIT_OK)
    return code;
  /* A controller killed by a signal left its file behind: clear it. */
  if ((controller_pid = loomctl_remove_stale (ctl.profile, FALSE)) != 0)
    {
      g_autofree char *state_dir = loom_state_dir (loomctl_profile_or_default (ctl.profile));
      g_autofree char *state_copy = g_build_filename (state_dir, "connection.json", NULL);

      /* Stopped on purpose: the next start begins afresh, with nothing
       * the launchers started left on any host. */
      g_unlink (state_copy);
      loomctl_launch_stop_recorded (loomctl_profile_or_default (ctl.profile));
      g_print (_("Cluster “%s” was not running: its controller (pid %" PRId64 ") is gone; "
                 "removed its stale connection file\n"),
               loomctl_profile_or_default (ctl.profile), controller_pid);
      return EXIT_OK;
    }
  if ((code = loomctl_connect (&ctl)) != EXIT_OK)
    return code;
  if (!(status = loom_client_get_status (ctl.client, &error)))
    return loomctl_fail_with (error);

  file = g_strdup (loom_client_get_connection_file (ctl.client));
  controller_pid = loom_cluster_status_get_pid (status);
  engines = loom_cluster_status_get_engines (status);
  for (guint i = 0; i < g_list_model_get_n_items (engines); i++)
    {
      g_autoptr(LoomEngineInfo) e = g_list_model_get_item (engines, i);
      gint64 pid = loom_engine_info_get_pid (e);

      if (loom_engine_info_is_alive (e) && g_strcmp0 (loom_engine_info_get_host (e), g_get_host_name ()) == 0)
        g_array_append_val (engine_pids, pid);
    }

  if (!loom_client_shutdown (ctl.client, &error))
    return loomctl_fail_with (error);
  loom_client_close (ctl.client);

  /* The controller stops its engines and removes its file; make sure. */
  if (!wait_pid_gone (controller_pid, 10))
    {
      kill ((pid_t) controller_pid, SIGTERM);
      if (!wait_pid_gone (controller_pid, 2))
        kill ((pid_t) controller_pid, SIGKILL);
    }
  /* The engines had the same word: 3 s for all of them, not each. */
  {
    gint64 engines_deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

    for (guint i = 0; i < engine_pids->len; i++)
      {
        gint64 pid = g_array_index (engine_pids, gint64, i);
        double left = MAX (0, engines_deadline - g_get_monotonic_time ()) / (double) G_USEC_PER_SEC;

        if (!wait_pid_gone (pid, left))
          kill ((pid_t) pid, SIGKILL);
      }
  }
  if (g_file_test (file, G_FILE_TEST_EXISTS))
    g_unlink (file);
  /* What the launchers started, here and on other hosts: jobs cancelled,
   * process groups killed. */
  loomctl_launch_stop_recorded (loomctl_profile_or_default (ctl.profile));

  g_print (_("Cluster “%s” stopped (controller pid %" PRId64 ", %u engines)\n"),
           loomctl_profile_or_default (ctl.profile), controller_pid, engine_pids->len);
  return EXIT_OK;
}

/* A limit's figure: sizes in IEC units, durations in seconds. */
static char *
limit_figure (const char *name,
              gint64      value)
{
  if (value < 0)
    return g_strdup ("");
  if (g_str_has_suffix (name, "_bytes"))
    return g_format_size_full (value, G_FORMAT_SIZE_IEC_UNITS);
  if (g_str_has_suffix (name, "_s"))
    return g_strdup_printf ("%" PRId64 " s", value);
  return g_strdup_printf ("%'" PRId64, value);
}

/* Every limit of the controller, one a line: what it bounds, what is in
 * use (where the controller says) and the limit. */
static void
print_limits (LoomClusterStatus *status)
{
  static const struct { const char *name; const char *label; } labels[] = {
    { "message_bytes", N_("message size") },
    { "replay_digests", N_("digests remembered against replay") },
    { "replay_window_s", N_("message dates accepted, either way") },
    { "engines", N_("engine ids") },
    { "gone_engines_remembered", N_("gone engines remembered") },
    { "gone_engines_listed", N_("gone engines listed") },
    { "jobs", N_("unfinished jobs") },
    { "jobs_receiving_params", N_("jobs receiving their parameters") },
    { "job_tasks", N_("tasks of a job with a parameter list") },
    { "listed_tasks", N_("tasks with a parameter list, all jobs") },
    { "job_params_bytes", N_("parameters of a job") },
    { "submit_json_bytes", N_("JSON of a submit (a sweep)") },
    { "client_queue", N_("messages queued for a client") },
    { "results_backlog_bytes", N_("results waiting for slow clients") },
    { "subscription_prefixes", N_("event subscriptions tracked") },
    { "engine_replacements_per_minute", N_("engines replaced in the last minute") },
  };
  const char * const *names = loom_cluster_status_get_limit_names (status);

  if (names == NULL || names[0] == NULL)
    return;
  g_print (_("Limits:%*s%12s %12s\n"), 31, "", _("in use"), _("limit"));
  for (guint i = 0; names[i]; i++)
    {
      const char *label = names[i];
      gint64 used;
      guint64 limit = loom_cluster_status_get_limit (status, names[i], &used);
      g_autofree char *used_text = limit_figure (names[i], used);
      g_autofree char *limit_text = limit_figure (names[i], (gint64) MIN (limit, (guint64) G_MAXINT64));
      int pad;

      for (guint j = 0; j < G_N_ELEMENTS (labels); j++)
        if (g_str_equal (labels[j].name, names[i]))
          label = _(labels[j].label);
      /* Pad by characters, not bytes: labels are translated. */
      pad = MAX (0, 36 - (int) g_utf8_strlen (label, -1));
      g_print ("  %s%*s%12s %12s\n", label, pad, "", used_text, limit_text);
    }
}

/* Where the controller listens and how that is guarded, from the
 * connection files beside @path. */
static void
print_endpoints (const char *path)
{
  g_autoptr(LoomConnection) conn = loom_connection_load (path, NULL);
  g_autofree char *engine_path = loom_connection_engine_path (path);

  if (conn == NULL)
    return;
  if (g_str_has_prefix (conn->client_url, "tcp://"))
    g_print (_("Endpoints: %s (clients), %s (engines), %s (events); listening on %s, encrypted with CURVE\n"),
             conn->client_url, conn->engine_url, conn->event_url, conn->ip ? conn->ip : "?");
  else if (g_str_has_prefix (conn->client_url, "ipc://"))
    {
      g_autofree char *dir = g_path_get_dirname (conn->client_url + strlen ("ipc://"));
      g_print (_("Endpoints: Unix sockets in %s, yours alone (no TCP: engines on other hosts cannot join)\n"), dir);
    }
  g_print (_("Engines' connection file: %s\n"), engine_path);
}

/* A span of µs the way a person reads it: "85 µs", "12.5 ms", "2.104 s". */
static char *
format_usec (gint64      usec,
             const char *sign)
{
  double abs_usec = ABS ((double) usec);

  if (abs_usec < 1000)
    return g_strdup_printf (_("%s%.0f µs"), usec < 0 ? "-" : sign, abs_usec);
  if (abs_usec < G_USEC_PER_SEC)
    return g_strdup_printf (_("%s%.1f ms"), usec < 0 ? "-" : sign, abs_usec / 1000);
  return g_strdup_printf (_("%s%.3f s"), usec < 0 ? "-" : sign, abs_usec / G_USEC_PER_SEC);
}

/* An engine's clock offset to the controller's, ± its uncertainty, or
 * "-" while unknown. */
static char *
format_clock (LoomEngineInfo *e)
{
  g_autofree char *offset = NULL;
  g_autofree char *uncertainty = NULL;

  if (loom_engine_info_get_clock_uncertainty (e) < 0)
    return g_strdup ("-");
  /* The controller's host: one clock. */
  if (loom_engine_info_get_clock_uncertainty (e) == 0 && loom_engine_info_get_clock_offset (e) == 0)
    return g_strdup ("0 ±0");
  offset = format_usec (loom_engine_info_get_clock_offset (e), "+");
  uncertainty = format_usec (loom_engine_info_get_clock_uncertainty (e), "±");
  return g_strdup_printf ("%s %s", offset, uncertainty);
}

/* Pads @text to @width characters (not bytes: "±" is two). */
static void
print_cell (const char *text,
            int         width,
            gboolean    right)
{
  int pad = MAX (0, width - (int) g_utf8_strlen (text, -1));

  if (right)
    g_print ("%*s%s", pad, "", text);
  else
    g_print ("%s%*s", text, pad, "");
}

enum { COL_ID, COL_HOST, COL_PID, COL_STATE, COL_DONE, COL_BUSY, COL_LAUNCHER, COL_JOB, COL_CLOCK, COL_LOG, N_COLS };

/* The engines, one a line, in columns as wide as their widest cell. */
static void
print_engines (GListModel *engines)
{
  /* Translators: the engines table's column heads, upper case. */
  const char *heads[N_COLS] = { N_("ID"), N_("HOST"), N_("PID"), N_("STATE"), N_("DONE"), N_("BUSY"),
                                N_("LAUNCHER"), N_("JOB"), N_("CLOCK"), N_("LOG") };
  const gboolean right[N_COLS] = { [COL_ID] = TRUE, [COL_PID] = TRUE, [COL_DONE] = TRUE, [COL_BUSY] = TRUE,
                                   [COL_CLOCK] = TRUE };
  guint n = g_list_model_get_n_items (engines);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  int width[N_COLS];

  for (guint c = 0; c < N_COLS; c++)
    width[c] = g_utf8_strlen (_(heads[c]), -1);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LoomEngineInfo) e = g_list_model_get_item (engines, i);
      const char *launcher = loom_engine_info_get_launcher (e);
      const char *job = loom_engine_info_get_job_id (e);
      const char *log = loom_engine_info_get_log (e);
      const char *host = loom_engine_info_get_host (e);

      g_ptr_array_add (cells, g_strdup_printf ("%u", loom_engine_info_get_id (e)));
      g_ptr_array_add (cells, g_strdup (host && *host ? host : "-"));
      g_ptr_array_add (cells, g_strdup_printf ("%" PRId64, loom_engine_info_get_pid (e)));
      g_ptr_array_add (cells, g_strdup (loom_engine_state_to_string (loom_engine_info_get_state (e))));
      g_ptr_array_add (cells, g_strdup_printf ("%" PRIu64, loom_engine_info_get_tasks_done (e)));
      g_ptr_array_add (cells, g_strdup_printf ("%.1f%%", 100 * loom_engine_info_get_busy_fraction (e)));
      g_ptr_array_add (cells, g_strdup (launcher ? launcher : "-"));
      g_ptr_array_add (cells, g_strdup (job ? job : "-"));
      g_ptr_array_add (cells, format_clock (e));
      g_ptr_array_add (cells, g_strdup (log ? log : "-"));
      for (guint c = 0; c < N_COLS; c++)
        width[c] = MAX (width[c], (int) g_utf8_strlen (g_ptr_array_index (cells, i * N_COLS + c), -1));
    }

  for (guint c = 0; c < N_COLS; c++)
    {
      print_cell (_(heads[c]), c == COL_LOG ? 0 : width[c], right[c]);
      g_print (c + 1 < N_COLS ? "  " : "\n");
    }
  for (guint i = 0; i < n; i++)
    for (guint c = 0; c < N_COLS; c++)
      {
        print_cell (g_ptr_array_index (cells, i * N_COLS + c), c == COL_LOG ? 0 : width[c], right[c]);
        g_print (c + 1 < N_COLS ? "  " : "\n");
      }
}

int
cmd_cluster_status (const Command *command,
                    int            argc,
                    char         **argv)
{
  g_auto(Loomctl) ctl = { .needs = LOOMCTL_CONNECT };
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *reasons;
  int code;
  GOptionEntry entries[] = {
    LOOMCTL_PROFILE_OPTION (&ctl),
    LOOMCTL_JSON_OPTION (&ctl, N_("Print the status as JSON")),
    { NULL }
  };

  if ((code = loomctl_prologue (&ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  if (!(status = loom_client_get_status (ctl.client, &error)))
    return loomctl_fail_with (error);

  if (ctl.json)
    {
      g_autoptr(JsonNode) node = loom_cluster_status_to_json (status);
      loomctl_print_json (node);
      return EXIT_OK;
    }

  {
    g_autofree char *hwm = loom_cluster_status_get_hwm (status) ? g_strdup_printf ("%u", loom_cluster_status_get_hwm (status))
                                                                : g_strdup (_("auto"));

    g_print (_("Cluster “%s”: controller pid %" PRId64 " on %s, scheme %s, hwm %s\n"),
             loom_cluster_status_get_profile (status), loom_cluster_status_get_pid (status),
             loom_cluster_status_get_host (status), loom_scheme_to_string (loom_cluster_status_get_scheme (status)),
             hwm);
  }
  g_print (_("Connection file: %s\n"), loom_client_get_connection_file (ctl.client));
  print_endpoints (loom_client_get_connection_file (ctl.client));
  g_print (_("Jobs: %u, tasks queued %u, running %u, finished %" PRIu64 "\n"),
           loom_cluster_status_get_n_jobs (status), loom_cluster_status_get_n_queued (status),
           loom_cluster_status_get_n_running (status), loom_cluster_status_get_tasks_finished (status));
  loomctl_print_store (status);
  g_print (_("Dropped messages:"));
  reasons = loom_cluster_status_get_drop_reasons (status);
  for (guint i = 0; reasons[i]; i++)
    g_print (" %s %" PRIu64, reasons[i], loom_cluster_status_get_dropped (status, reasons[i]));
  g_print (_("; replies to clients %" PRIu64 ", results %" PRIu64 "\n"),
           loom_cluster_status_get_replies_dropped (status), loom_cluster_status_get_results_dropped (status));
  print_limits (status);
  g_print ("\n");
  print_engines (loom_cluster_status_get_engines (status));
  return EXIT_OK;
}

int
cmd_engines_add (const Command *command,
                 int            argc,
                 char         **argv)
{
  g_autofree char *usage = g_strdup_printf (_("usage: loomctl engines add N, a number of engines from 1 to %d"),
                                            LOOMCTL_MAX_ENGINES);
  g_autofree char *description = g_strdup_printf (_("N is from 1 to %d, as for “cluster start -n”."),
                                                  LOOMCTL_MAX_ENGINES);
  g_auto(Loomctl) ctl = {
    .needs = LOOMCTL_CONNECT | LOOMCTL_NUMBER,
    .usage = usage,
    .description = description,
    .min = 1,
    .max = LOOMCTL_MAX_ENGINES,
  };
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = NULL;
  gint64 begin = g_get_monotonic_time ();
  g_auto(EngineRights) rights = { 0 };
  g_auto(LoomctlLaunch) launch = LOOMCTL_LAUNCH_INIT;
  g_autoptr(LoomLauncher) launcher = NULL;
  g_auto(GStrv) launch_args = NULL;
  gboolean no_commands = FALSE;
  int code;
  GOptionEntry entries[] = {
    LOOMCTL_PROFILE_OPTION (&ctl),
    { "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rights.plugin_dirs,
      N_("The new engines load plugins from DIR only (repeatable; default: what “cluster start” was given)"), "DIR" },
    { "no-commands", 0, 0, G_OPTION_ARG_NONE, &no_commands,
      N_("The new engines refuse command tasks (default: as “cluster start” said)"), NULL },
    LOOMCTL_LAUNCH_OPTIONS (&launch),
    { NULL }
  };

  if ((code = loomctl_prologue (&ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  if (!engine_rights_check (&rights, &error))
    return loomctl_fail (EXIT_USAGE, "%s", error->message);
  if (!(ids = loom_client_get_ids (ctl.client, &error)))
    return loomctl_fail_with (error);

  state_dir = loom_state_dir (loomctl_profile_or_default (ctl.profile));
  /* What cluster start was given, unless named here. */
  if (rights.plugin_dirs == NULL)
    {
      engine_rights_load (&rights, state_dir);
      rights.no_commands |= no_commands;
    }
  else
    {
      EngineRights saved = { 0 };

      engine_rights_load (&saved, state_dir);
      rights.no_commands = saved.no_commands || no_commands;
      engine_rights_clear (&saved);
    }
  launch_args = engine_args (&rights, 0, loomctl_launch_is_local (&launch));
  if (!(launcher = loomctl_launch_new (&launch, loom_client_get_connection_file (ctl.client), state_dir,
                                       (const char * const *) launch_args, &error)))
    return loomctl_fail (EXIT_USAGE, "%s", error->message);
  if (!loomctl_launch_start (&launch, launcher, ctl.client, loomctl_profile_or_default (ctl.profile), ctl.number,
                             ids->len, &error))
    {
      /* Nothing half-started is left, and the record says so. */
      loom_launcher_stop (launcher);
      if (loom_launcher_get_n_started (launcher) > 0)
        loom_launcher_record (launcher, loomctl_profile_or_default (ctl.profile), NULL);
      return loomctl_fail (EXIT_NO_CLUSTER, "%s (logs: %s)", error->message, state_dir);
    }

  {
    g_autoptr(GArray) now = loom_client_get_ids (ctl.client, NULL);
    guint64 running = now ? now->len : 0;

    /* A batch system's engines may still wait in its queue. */
    if (running < ids->len + ctl.number)
      g_print (_("Started %" PRIu64 " engines in %.2f s; %" PRIu64 " registered so far\n"), ctl.number,
               (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC, running);
    else
      g_print (_("Added %" PRIu64 " engines in %.2f s; %" PRIu64 " running\n"), ctl.number,
               (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC, ids->len + ctl.number);
  }
  return EXIT_OK;
}

int
cmd_engines_stop (const Command *command,
                  int            argc,
                  char         **argv)
{
  g_auto(Loomctl) ctl = {
    .needs = LOOMCTL_CONNECT | LOOMCTL_NUMBER,
    .usage = "usage: loomctl engines stop ID",
    .min = 0,
    .max = G_MAXINT,
  };
  g_autoptr(GError) error = NULL;
  int code;

  if ((code = loomctl_prologue (&ctl, command, NULL, &argc, &argv)) != EXIT_OK)
    return code;
  if (!loom_client_stop_engine (ctl.client, ctl.number, &error))
    return loomctl_fail (EXIT_USAGE, "cannot stop engine %" PRIu64 ": %s (see “loomctl cluster status”)",
                         ctl.number, error->message);
  g_print (_("Engine %" PRIu64 " told to stop\n"), ctl.number);
  return EXIT_OK;
}

int
cmd_jobs_purge (const Command *command,
                int            argc,
                char         **argv)
{
  g_auto(Loomctl) ctl = { .needs = LOOMCTL_CONNECT };
  g_autoptr(GError) error = NULL;
  g_autofree char *older_than_text = NULL;
  gint64 older_than = 0, age = 0, purged;
  gint keep = -1;
  int code;
  GOptionEntry entries[] = {
    LOOMCTL_PROFILE_OPTION (&ctl),
    { "older-than", 0, 0, G_OPTION_ARG_STRING, &older_than_text,
      N_("Remove only jobs that finished longer ago than D (seconds, or 90s, 30m, 12h, 7d, 2w)"), "D" },
    { "keep", 0, 0, G_OPTION_ARG_INT, &keep, N_("Keep the newest N finished jobs whatever their age"), "N" },
    { NULL }
  };

  if ((code = loomctl_prologue (&ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  if (older_than_text != NULL && !loom_duration_parse (older_than_text, &age))
    return loomctl_fail (EXIT_USAGE, "--older-than takes a duration such as 3600, 90s, 30m, 12h, 7d or 2w, got “%s”",
                         older_than_text);
  if (keep < -1)
    return loomctl_fail (EXIT_USAGE, "--keep takes a number of jobs, 0 or more");
  if (older_than_text != NULL)
    older_than = MAX (g_get_real_time () - age, 1);

  if ((purged = loom_client_purge_jobs (ctl.client, older_than, keep, &error)) < 0)
    return loomctl_fail_with (error);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Removed %" PRId64 " finished job\n", "Removed %" PRId64 " finished jobs\n",
                        purged), purged);
  return EXIT_OK;
}
