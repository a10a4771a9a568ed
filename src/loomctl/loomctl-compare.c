/* loomctl-compare.c: compare and seed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The same sweep serially and in parallel, side by side (`compare`), and
 * the seed workflow of ipyparallel on a private cluster (`seed`).
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <inttypes.h>

#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "loomctl-private.h"
#include "loom-json-private.h"

typedef struct
{
  guint  id;
  guint  failed;
  guint  tasks;
  guint  engines;
  guint  used;
  double wall;
  double busy;
  double overhead;
  double spread;
} JobFigures;

static JobFigures
job_figures (JsonNode *report,
             guint     engines)
{
  JsonObject *job = loom_json_object (json_node_get_object (report), "job");
  JsonArray *tasks = loom_json_array (json_node_get_object (report), "tasks");
  JobFigures f = { 0 };
  gint64 first = G_MAXINT64, last = 0;
  double ideal;

  f.id = loom_json_int (job, "id", 0);
  f.failed = loom_json_int (job, "failed", 0);
  f.tasks = tasks ? json_array_get_length (tasks) : 0;
  f.engines = engines;
  /* The engines the job ran on: fewer than the cluster's when there are
   * fewer tasks than engines. */
  f.used = MIN (engines, (guint) loom_json_int (job, "engines", engines));
  f.wall = loom_json_double (job, "wall_time", 0);
  f.busy = loom_json_double (job, "serial_time", 0);
  for (guint i = 0; i < f.tasks; i++)
    {
      gint64 started = loom_json_int (loom_json_array_object (tasks, i), "started", 0);
      if (started > 0)
        {
          first = MIN (first, started);
          last = MAX (last, started);
        }
    }
  f.spread = last >= first ? (last - first) / 1e6 : 0;
  ideal = f.busy / MAX (1, MIN (engines, f.tasks));
  f.overhead = f.tasks ? (f.wall - ideal) / f.tasks : 0;
  return f;
}

static void
print_row (const char *label,
           char       *left,
           char       *right)
{
  /* Pad by characters, not bytes: “Σ” and “µ” take two. */
  g_print ("  %s%*s%*s%s%*s%s\n", label, (int) (22 - g_utf8_strlen (label, -1)), "",
           (int) (15 - g_utf8_strlen (left, -1)), "", left,
           (int) (15 - g_utf8_strlen (right, -1)), "", right);
  g_free (left);
  g_free (right);
}

int
cmd_compare (const Command *command,
             int            argc,
             char         **argv)
{
  g_auto(MapOptions) o = MAP_OPTIONS_INIT;
  g_autofree GOptionEntry *entries = map_options_entries (&o, MAP_OPTIONS_COMPARE);
  g_autoptr(LoomTaskSpec) spec = NULL;
  g_autoptr(LoomSweep) sweep = NULL;
  g_autoptr(LoomCluster) cluster = NULL;
  g_autoptr(LoomClient) owned = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  const LoomJobMode modes[2] = { LOOM_JOB_SERIAL, LOOM_JOB_PARALLEL };
  JobFigures fig[2];
  gboolean is_command = FALSE;
  int first;
  LoomClient *client;
  guint64 count;
  double speedup, efficiency;
  int worst = EXIT_OK;
  int code;

  /* GOption drops the “--”: remember whether a command follows. */
  for (int i = 1; i < argc && !is_command; i++)
    is_command = g_str_equal (argv[i], "--");
  if ((code = loomctl_prologue (&o.ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  first = argc > 1 && g_str_equal (argv[1], "--") ? 2 : 1;
  if (is_command && argc > first)
    spec = loom_task_spec_new_command ((const char * const *) argv + first);
  else if (!is_command && argc == 2 && !(spec = loom_task_spec_new_for_function (argv[1], &error)))
    return loomctl_fail (EXIT_USAGE, "%s", error->message);
  if (spec == NULL)
    return loomctl_fail (EXIT_USAGE, "usage: loomctl compare FUNCTION [--sweep …] | loomctl compare [--sweep …] -- COMMAND ARGS");
  if (is_command && (code = map_options_apply_command (&o, spec)) != EXIT_OK)
    return code;
  if (!map_options_check_task_timeout (&o))
    return EXIT_USAGE;
  loom_task_spec_set_timeout (spec, o.task_timeout);
  if (!loomctl_check_profile (o.ctl.profile))
    return EXIT_USAGE;
  if (!(sweep = map_options_build_sweep (&o, &error)))
    return loomctl_fail (EXIT_USAGE, "%s", error->message);
  count = loom_sweep_get_count (sweep);
  if (count == 0)
    return loomctl_fail (EXIT_USAGE, _("the sweep has no tasks: there is nothing to compare"));
  if (count > 10000000 && !o.force)
    return loomctl_fail (EXIT_USAGE, "the sweep has %" PRIu64 " tasks, more than 10^7: add --force if you mean it", count);

  /* Ctrl-C stops a private cluster cleanly, as for map and run. */
  loomctl_catch_interrupts ();
  if (!(client = map_options_acquire_client (&o, &cluster, &owned, &code)))
    return code;
  if (!(ids = loom_client_get_ids (client, &error)))
    return loomctl_fail_with (error);

  for (guint m = 0; m < 2; m++)
    {
      g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
      g_autoptr(LoomAsyncResult) result = NULL;
      g_autofree char *name = g_strdup_printf ("%s (%s)", loom_task_spec_get_function (spec) ?: "command",
                                               loom_enum_to_nick (LOOM_TYPE_JOB_MODE, modes[m], ""));
      JsonNode *report;

      loom_view_set_name (view, name);
      loom_view_set_mode (view, modes[m]);
      if ((code = map_options_apply_view (&o, view)) != EXIT_OK)
        return code;
      if (!(result = loom_view_map_sweep_async (view, spec, sweep, &error)))
        return loomctl_fail (EXIT_USAGE, "%s", error->message);
      if (isatty (STDERR_FILENO))
        g_printerr (_("loomctl: running %" PRIu64 " tasks %s…\n"), count,
                    m == 0 ? "serially on one engine" : "in parallel");
      if (!loomctl_wait_with_progress (result, NULL, -1, NULL, NULL) && loomctl_interrupted ())
        return map_options_interrupted (&o, cluster, loom_async_result_get_job_id (result));
      if (loom_async_result_get_job_id (result) < 0)
        {
          g_autoptr(JsonNode) none = loom_async_result_get (result, 0, &error);
          return loomctl_fail_with (error);
        }
      if (!(report = loom_client_get_job_report (client, loom_async_result_get_job_id (result), &error)))
        return loomctl_fail_with (error);
      g_ptr_array_add (reports, report);
      fig[m] = job_figures (report, modes[m] == LOOM_JOB_SERIAL ? 1 : ids->len);
    }

  speedup = fig[1].wall > 0 ? fig[0].wall / fig[1].wall : 0;
  efficiency = fig[1].used ? speedup / fig[1].used : 0;

  if (o.ctl.json)
    {
      g_autoptr(JsonObject) root = json_object_new ();
      g_autoptr(JsonNode) node = NULL;

      for (guint m = 0; m < 2; m++)
        json_object_set_member (root, loom_enum_to_nick (LOOM_TYPE_JOB_MODE, modes[m], ""),
                                json_node_ref (g_ptr_array_index (reports, m)));
      json_object_set_double_member (root, "speedup", speedup);
      json_object_set_double_member (root, "efficiency", efficiency);
      json_object_set_int_member (root, "engines", fig[1].engines);
      json_object_set_int_member (root, "engines_used", fig[1].used);
      node = json_node_init_object (json_node_alloc (), root);
      loomctl_print_json (node);
    }
  else
    {
      g_print ("  %22s %14s %14s\n", "", loom_enum_to_nick (LOOM_TYPE_JOB_MODE, modes[0], ""),
               loom_enum_to_nick (LOOM_TYPE_JOB_MODE, modes[1], ""));
      print_row ("tasks", g_strdup_printf ("%u", fig[0].tasks), g_strdup_printf ("%u", fig[1].tasks));
      print_row ("engines", g_strdup_printf ("%u", fig[0].used),
                 fig[1].used < fig[1].engines ? g_strdup_printf ("%u of %u", fig[1].used, fig[1].engines)
                 : g_strdup_printf ("%u", fig[1].engines));
      print_row ("wall time", loomctl_seconds_text (fig[0].wall), loomctl_seconds_text (fig[1].wall));
      print_row ("Σ task time", loomctl_seconds_text (fig[0].busy), loomctl_seconds_text (fig[1].busy));
      print_row ("speedup", g_strdup ("1.00x"), g_strdup_printf ("%.2fx", speedup));
      print_row ("efficiency", g_strdup ("100%"), g_strdup_printf ("%.0f%%", 100 * efficiency));
      print_row ("overhead per task", loomctl_seconds_text (fig[0].overhead), loomctl_seconds_text (fig[1].overhead));
      print_row ("spread of start times", loomctl_seconds_text (fig[0].spread), loomctl_seconds_text (fig[1].spread));
      g_print (_("\nParallel on %u engines took %.2f%% of the serial wall time: %.2fx faster.\n"),
               fig[1].used, 100 / MAX (speedup, 1e-9), speedup);
    }

  for (guint m = 0; m < 2; m++)
    if (fig[m].failed > 0)
      {
        g_printerr (_("loomctl: %u tasks of the %s job failed (see “loomctl show %u”)\n"),
                    fig[m].failed, loom_enum_to_nick (LOOM_TYPE_JOB_MODE, modes[m], ""), fig[m].id);
        worst = EXIT_TASKS_FAILED;
      }
  return worst;
}

int
cmd_seed (const Command *command,
          int            argc,
          char         **argv)
{
  g_auto(Loomctl) ctl = { .needs = LOOMCTL_PARSE };
  g_autoptr(LoomCluster) cluster = NULL;
  g_autoptr(LoomView) view = NULL;
  g_autoptr(LoomAsyncResult) parallel = NULL;
  g_autoptr(LoomAsyncResult) serial = NULL;
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(JsonNode) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean with_serial = FALSE;
  g_autofree char *timeline = NULL;
  LoomExportFormat format = LOOM_EXPORT_PNG;  /* for a --timeline FILE without an extension */
  int n_engines = 15;
  int n_tasks = 10;
  double sleep_s = 1.0;
  gint64 first_start = G_MAXINT64, last_start = 0;
  int code;
  GOptionEntry entries[] = {
    { "engines", 'n', 0, G_OPTION_ARG_INT, &n_engines, N_("Engines to start (default 15)"), "N" },
    { "tasks", 't', 0, G_OPTION_ARG_INT, &n_tasks, N_("Tasks to run (default 10)"), "N" },
    { "sleep", 's', 0, G_OPTION_ARG_DOUBLE, &sleep_s, N_("Seconds each task sleeps (default 1)"), "S" },
    { "serial", 0, 0, G_OPTION_ARG_NONE, &with_serial, N_("Also run the tasks serially on one engine"), NULL },
    { "timeline", 0, 0, G_OPTION_ARG_FILENAME, &timeline,
      N_("Draw the timeline of the run(s) into FILE (.png, .svg or .pdf)"), "FILE" },
    { NULL }
  };

  if ((code = loomctl_prologue (&ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  if (timeline != NULL && !HAVE_TIMELINE_RENDER)
    return loomctl_no_timeline ("seed --timeline needs");
  if (n_engines < 1 || n_tasks < 1 || sleep_s < 0)
    return loomctl_fail (EXIT_USAGE, "--engines and --tasks must be ≥ 1, --sleep ≥ 0");
  /* The image's format and folder are checked before the workflow runs. */
  if (timeline != NULL)
    {
      const char *dot = strrchr (timeline, '.');

      if (dot != NULL && !loomctl_parse_export_format (dot + 1, &format, &error))
        return loomctl_fail_with (error);
      if (!loom_export_format_is_image (format))
        return loomctl_fail (EXIT_USAGE, _("--timeline draws a picture: “%s” must end in .png, .svg or .pdf"),
                             timeline);
      if ((code = loomctl_check_output (timeline)) != EXIT_OK)
        return code;
    }

  g_print (_("Starting a local cluster of %d engines…\n"), n_engines);
  if (!(cluster = loomctl_start_private_cluster (n_engines, 1)))
    return EXIT_NO_CLUSTER;
  g_print (_("%d engines registered in %.2f s\n"), n_engines, loom_cluster_get_start_time (cluster));

  for (int i = 0; i < n_tasks; i++)
    {
      JsonObject *p = json_object_new ();
      json_object_set_int_member (p, "t", i);
      json_object_set_double_member (p, "sleep", sleep_s);
      json_array_add_object_element (params, p);
    }

  view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_print (_("map_async(printtime, range(%d)) with sleep %g s…\n"), n_tasks, sleep_s);
  parallel = loom_view_map_async (view, "printtime", params, &error);
  if (parallel == NULL || !(results = loom_async_result_get (parallel, -1, &error)))
    return loomctl_fail (EXIT_OTHER_ERROR, "%s", error->message);

  loomctl_append_py (out, results, 0);
  g_print ("%s\n", out->str);

  for (int i = 0; i < n_tasks; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (parallel, i);
      first_start = MIN (first_start, info->started);
      last_start = MAX (last_start, info->started);
    }

  g_print (_("parallel: wall %.3f s, Σ task time %.3f s, speedup %.2f×, start spread %.1f ms\n"),
           loom_async_result_get_wall_time (parallel),
           loom_async_result_get_serial_time (parallel),
           loom_async_result_get_serial_time (parallel) / MAX (1e-9, loom_async_result_get_wall_time (parallel)),
           (last_start - first_start) / 1000.0);

  if (with_serial)
    {
      g_autoptr(JsonNode) serial_results = NULL;

      loom_view_set_mode (view, LOOM_JOB_SERIAL);
      serial = loom_view_map_async (view, "printtime", params, &error);
      if (serial == NULL || !(serial_results = loom_async_result_get (serial, -1, &error)))
        return loomctl_fail (EXIT_OTHER_ERROR, "%s", error->message);
      g_print (_("serial:   wall %.3f s, Σ task time %.3f s\n"),
               loom_async_result_get_wall_time (serial), loom_async_result_get_serial_time (serial));
      g_print (_("parallel is %.2f× faster than serial on %d engines\n"),
               loom_async_result_get_wall_time (serial) / MAX (1e-9, loom_async_result_get_wall_time (parallel)),
               n_engines);
    }

  if (timeline != NULL)
    {
      g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
      LoomAsyncResult *jobs[] = { serial, parallel };

      for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
        {
          JsonNode *report;

          if (jobs[i] == NULL)
            continue;
          if (!(report = loom_client_get_job_report (loom_cluster_get_client (cluster),
                                                     loom_async_result_get_job_id (jobs[i]), &error)))
            return loomctl_fail (EXIT_OTHER_ERROR, "%s", error->message);
          g_ptr_array_add (reports, report);
        }
      if (!loomctl_write_export (reports, format, timeline, 1280, 0, &error))
        return loomctl_fail_with (error);
      g_print (_("timeline written to %s\n"), timeline);
    }

  return EXIT_OK;
}
