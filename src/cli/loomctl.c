/* loomctl.c: the Loom command line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "loom.h"

typedef int (*CommandFunc) (int argc, char **argv);

typedef struct
{
  const char  *name;
  CommandFunc  func;
  const char  *summary;
} Command;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_doubles);
  if (values->len % 2)
    return g_array_index (values, double, values->len / 2);
  return (g_array_index (values, double, values->len / 2 - 1) +
          g_array_index (values, double, values->len / 2)) / 2;
}

static gboolean
parse_options (const char     *parameter,
               const char     *summary,
               GOptionEntry   *entries,
               int            *argc,
               char         ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("loomctl: %s (see loomctl %s --help)\n", error->message, (*argv)[0]);
      return FALSE;
    }
  return TRUE;
}

static LoomCluster *
start_cluster (guint n_engines,
               guint hwm)
{
  g_autoptr(LoomCluster) cluster = loom_cluster_new (NULL);
  g_autoptr(GError) error = NULL;

  loom_controller_set_hwm (loom_cluster_get_controller (cluster), hwm);
  if (!loom_cluster_start (cluster, n_engines, &error))
    {
      g_printerr ("loomctl: cannot start a local cluster: %s\n", error->message);
      return NULL;
    }
  return g_steal_pointer (&cluster);
}

/* --- seed ---------------------------------------------------------------- */

static int
cmd_seed (int    argc,
          char **argv)
{
  g_autoptr(LoomCluster) cluster = NULL;
  g_autoptr(LoomView) view = NULL;
  g_autoptr(LoomAsyncResult) parallel = NULL;
  g_autoptr(LoomAsyncResult) serial = NULL;
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(JsonNode) results = NULL;
  g_autoptr(GError) error = NULL;
  gboolean with_serial = FALSE;
  int n_engines = 15;
  int n_tasks = 10;
  double sleep_s = 1.0;
  gint64 first_start = G_MAXINT64, last_start = 0;
  JsonArray *list;
  GOptionEntry entries[] = {
    { "engines", 'n', 0, G_OPTION_ARG_INT, &n_engines, "Engines to start (default 15)", "N" },
    { "tasks", 't', 0, G_OPTION_ARG_INT, &n_tasks, "Tasks to run (default 10)", "N" },
    { "sleep", 's', 0, G_OPTION_ARG_DOUBLE, &sleep_s, "Seconds each task sleeps (default 1)", "S" },
    { "serial", 0, 0, G_OPTION_ARG_NONE, &with_serial, "Also run the tasks serially on one engine", NULL },
    { NULL }
  };

  if (!parse_options (NULL, "Runs the seed workflow: printtime over range(10) on a private local cluster.",
                      entries, &argc, &argv))
    return 2;
  if (n_engines < 1 || n_tasks < 1 || sleep_s < 0)
    {
      g_printerr ("loomctl seed: --engines and --tasks must be ≥ 1, --sleep ≥ 0\n");
      return 2;
    }

  g_print ("Starting a local cluster of %d engines…\n", n_engines);
  if (!(cluster = start_cluster (n_engines, 1)))
    return 3;
  g_print ("%d engines registered in %.2f s\n", n_engines, loom_cluster_get_start_time (cluster));

  for (int i = 0; i < n_tasks; i++)
    {
      JsonObject *p = json_object_new ();
      json_object_set_int_member (p, "t", i);
      json_object_set_double_member (p, "sleep", sleep_s);
      json_array_add_object_element (params, p);
    }

  view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_print ("map_async(printtime, range(%d)) with sleep %g s…\n", n_tasks, sleep_s);
  parallel = loom_view_map_async (view, "printtime", params, &error);
  if (parallel == NULL || !(results = loom_async_result_get (parallel, -1, &error)))
    {
      g_printerr ("loomctl seed: %s\n", error->message);
      return 1;
    }

  /* Print like the seed's res.get(): [(time, t), ...] */
  list = json_node_get_array (results);
  g_print ("[");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonArray *pair = json_array_get_array_element (list, i);
      g_print ("%s(%.3f, %" G_GINT64_FORMAT ")", i ? ", " : "",
               json_array_get_double_element (pair, 0), json_array_get_int_element (pair, 1));
    }
  g_print ("]\n");

  for (int i = 0; i < n_tasks; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (parallel, i);
      first_start = MIN (first_start, info->started);
      last_start = MAX (last_start, info->started);
    }

  g_print ("parallel: wall %.3f s, Σ task time %.3f s, speedup %.2f×, start spread %.1f ms\n",
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
        {
          g_printerr ("loomctl seed: %s\n", error->message);
          return 1;
        }
      g_print ("serial:   wall %.3f s, Σ task time %.3f s\n",
               loom_async_result_get_wall_time (serial), loom_async_result_get_serial_time (serial));
      g_print ("parallel is %.2f× faster than serial on %d engines\n",
               loom_async_result_get_wall_time (serial) / MAX (1e-9, loom_async_result_get_wall_time (parallel)),
               n_engines);
    }

  return 0;
}

/* --- bench --------------------------------------------------------------- */

static double
bench_throughput (LoomClient *client,
                  guint       n_tasks,
                  GError    **error)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_builtin ("noop");
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(GBytes) lines = NULL;
  g_autoptr(JsonNode) values = NULL;
  GString *text = g_string_sized_new (n_tasks * 3);
  gint64 begin;

  for (guint i = 0; i < n_tasks; i++)
    g_string_append (text, i ? "\n{}" : "{}");
  lines = g_string_free_to_bytes (text);

  begin = g_get_monotonic_time ();
  result = loom_view_map_lines_async (view, spec, lines, n_tasks, error);
  if (result == NULL || !(values = loom_async_result_get (result, -1, error)))
    return -1;
  return n_tasks / ((g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);
}

static double
bench_round_trip (LoomClient *client,
                  guint       n,
                  GError    **error)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < n; i++)
    {
      gint64 begin = g_get_monotonic_time ();
      g_autoptr(JsonNode) value = loom_view_apply_sync (view, "noop", NULL, error);
      double ms;

      if (value == NULL)
        return -1;
      ms = (g_get_monotonic_time () - begin) / 1000.0;
      g_array_append_val (times, ms);
    }
  return median (times);
}

static int
cmd_bench (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rates_hwm = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rtts = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (double));
  gboolean json = FALSE;
  int runs = 5;
  int n_tasks = 20000;
  int n_start = 15;
  GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Repetitions of each measurement (default 5)", "N" },
    { "tasks", 't', 0, G_OPTION_ARG_INT, &n_tasks, "No-op tasks per throughput run (default 20000)", "N" },
    { "start-engines", 0, 0, G_OPTION_ARG_INT, &n_start, "Engines for the start-up measurement (default 15)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the figures as JSON", NULL },
    { NULL }
  };

  if (!parse_options (NULL, "Measures the scheduler: no-op throughput with 2 engines, single-task round trip, engine start-up.",
                      entries, &argc, &argv))
    return 2;
  if (runs < 1 || n_tasks < 1 || n_start < 1)
    {
      g_printerr ("loomctl bench: --runs, --tasks and --start-engines must be ≥ 1\n");
      return 2;
    }

  for (int hwm_pass = 0; hwm_pass < 2; hwm_pass++)
    {
      guint hwm = hwm_pass ? 16 : 1;
      g_autoptr(LoomCluster) cluster = start_cluster (2, hwm);

      if (cluster == NULL)
        return 3;
      for (int r = 0; r < runs; r++)
        {
          double rate = bench_throughput (loom_cluster_get_client (cluster), n_tasks, &error);
          if (rate < 0)
            {
              g_printerr ("loomctl bench: %s\n", error->message);
              return 1;
            }
          g_array_append_val (hwm ? (hwm == 1 ? rates : rates_hwm) : rates, rate);
          if (!hwm_pass)
            {
              double rtt = bench_round_trip (loom_cluster_get_client (cluster), 200, &error);
              if (rtt < 0)
                {
                  g_printerr ("loomctl bench: %s\n", error->message);
                  return 1;
                }
              g_array_append_val (rtts, rtt);
            }
        }
      loom_cluster_stop (cluster);
    }

  for (int r = 0; r < MIN (runs, 3); r++)
    {
      g_autoptr(LoomCluster) cluster = start_cluster (n_start, 1);
      double t;

      if (cluster == NULL)
        return 3;
      t = loom_cluster_get_start_time (cluster);
      g_array_append_val (starts, t);
      loom_cluster_stop (cluster);
    }

  if (json)
    g_print ("{\"noop_tasks_per_s_2_engines\":%.0f,\"noop_tasks_per_s_2_engines_hwm16\":%.0f,"
             "\"round_trip_ms\":%.3f,\"start_%d_engines_s\":%.3f,\"runs\":%d,\"tasks\":%d}\n",
             median (rates), median (rates_hwm), median (rtts), n_start, median (starts), runs, n_tasks);
  else
    {
      g_print ("Loom scheduler figures (medians of %d runs)\n", runs);
      g_print ("  no-op tasks/s, map of %d over 2 engines, hwm 1:   %10.0f\n", n_tasks, median (rates));
      g_print ("  no-op tasks/s, map of %d over 2 engines, hwm 16:  %10.0f\n", n_tasks, median (rates_hwm));
      g_print ("  single-task round trip (apply_sync noop):         %10.3f ms\n", median (rtts));
      g_print ("  start %2d engines until all registered:            %10.3f s\n", n_start, median (starts));
    }
  return 0;
}

static const Command commands[] = {
  { "seed", cmd_seed, N_("Run the seed workflow (printtime over range(10)) on a private cluster") },
  { "bench", cmd_bench, N_("Measure throughput, round trip and start-up") },
};

static void
usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: loomctl COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n\n", _("Loom: run a function or program over many inputs on a cluster of engines."));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “loomctl COMMAND --help” for a command's options."));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].func (argc - 1, argv + 1);

  g_printerr ("loomctl: unknown command “%s”\n\n", argv[1]);
  usage (stderr);
  return 2;
}
