/* loomctl-bench.c: measurements
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * No-op throughput, single-task round trip, start-up of N engines and, for
 * scale, a raw libzmq round trip, each on a private cluster; `bench
 * --timeline` is in loomctl-bench-timeline.c, `bench --scale` in
 * loomctl-bench-scale.c.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include <glib/gstdio.h>

#include "loom-connection-private.h"
#include "loomctl-private.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  double pos;
  guint lo;

  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_doubles);
  pos = p * (values->len - 1);
  lo = (guint) pos;
  if (lo + 1 >= values->len)
    return g_array_index (values, double, values->len - 1);
  return g_array_index (values, double, lo) * (1 - (pos - lo)) +
         g_array_index (values, double, lo + 1) * (pos - lo);
}

double
loomctl_median (GArray *values)
{
  return percentile (values, 0.5);
}

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

static gboolean
bench_latency (LoomClient *client,
               guint       n,
               GArray     *times_us,
               GError    **error)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);

  for (guint i = 0; i < n; i++)
    {
      gint64 begin = g_get_monotonic_time ();
      g_autoptr(JsonNode) value = loom_view_apply_sync (view, "noop", NULL, error);
      double us;

      if (value == NULL)
        return FALSE;
      us = g_get_monotonic_time () - begin;
      g_array_append_val (times_us, us);
    }
  return TRUE;
}

/* The floor: a libzmq REQ/REP round trip between two processes, over
 * ipc://, or over loopback TCP with or without CURVE (what encryption
 * costs, apart from Loom). */
typedef enum
{
  RTT_IPC,
  RTT_TCP,
  RTT_TCP_CURVE,
} RttTransport;

static double
bench_zmq_rtt (guint        n,
               RttTransport transport)
{
  g_autofree char *dir = g_dir_make_tmp (NULL, NULL);
  g_autofree char *url = transport == RTT_IPC ? g_strdup_printf ("ipc://%s/rtt", dir)
                                              : g_strdup ("tcp://127.0.0.1:*");
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  char server_public[41], server_secret[41], client_public[41], client_secret[41];
  char endpoint[256] = "";
  char buf[16];
  int fds[2];
  double result;
  pid_t child;

  if (transport == RTT_TCP_CURVE &&
      (zmq_curve_keypair (server_public, server_secret) != 0 ||
       zmq_curve_keypair (client_public, client_secret) != 0))
    return -1;
  if (pipe (fds) != 0)
    return -1;

  child = fork ();
  if (child == 0)
    {
      void *ctx = zmq_ctx_new ();
      void *rep = zmq_socket (ctx, ZMQ_REP);
      size_t len = sizeof endpoint;

      if (transport == RTT_TCP_CURVE)
        {
          int one = 1;
          zmq_setsockopt (rep, ZMQ_CURVE_SERVER, &one, sizeof one);
          zmq_setsockopt (rep, ZMQ_CURVE_SECRETKEY, server_secret, 40);
        }
      zmq_bind (rep, url);
      /* The port the kernel chose goes to the parent. */
      zmq_getsockopt (rep, ZMQ_LAST_ENDPOINT, endpoint, &len);
      if (write (fds[1], endpoint, sizeof endpoint) != (ssize_t) sizeof endpoint)
        _exit (1);
      for (guint i = 0; i < n + 1; i++)
        {
          int got = zmq_recv (rep, buf, sizeof buf, 0);
          if (got < 0)
            break;
          zmq_send (rep, buf, got, 0);
        }
      zmq_close (rep);
      zmq_ctx_term (ctx);
      _exit (0);
    }
  close (fds[1]);
  if (read (fds[0], endpoint, sizeof endpoint) != (ssize_t) sizeof endpoint)
    endpoint[0] = '\0';
  close (fds[0]);

  if (endpoint[0] != '\0')
    {
      void *ctx = zmq_ctx_new ();
      void *req = zmq_socket (ctx, ZMQ_REQ);

      if (transport == RTT_TCP_CURVE)
        {
          zmq_setsockopt (req, ZMQ_CURVE_SERVERKEY, server_public, 40);
          zmq_setsockopt (req, ZMQ_CURVE_PUBLICKEY, client_public, 40);
          zmq_setsockopt (req, ZMQ_CURVE_SECRETKEY, client_secret, 40);
        }
      zmq_connect (req, endpoint);
      /* The first exchange waits for the connection. */
      zmq_send (req, "x", 1, 0);
      zmq_recv (req, buf, sizeof buf, 0);
      for (guint i = 0; i < n; i++)
        {
          gint64 begin = g_get_monotonic_time ();
          double us;

          zmq_send (req, "ping", 4, 0);
          zmq_recv (req, buf, sizeof buf, 0);
          us = g_get_monotonic_time () - begin;
          g_array_append_val (times, us);
        }
      zmq_close (req);
      zmq_ctx_term (ctx);
    }

  waitpid (child, NULL, 0);
  {
    g_autofree char *sock = g_build_filename (dir, "rtt", NULL);
    g_unlink (sock);
    g_rmdir (dir);
  }
  result = times->len ? loomctl_median (times) : -1;
  return result;
}

/* Latency (warmed up) and throughput medians on @client's cluster. */
static gboolean
bench_cluster (LoomClient  *client,
               guint        n_calls,
               guint        n_tasks,
               int          runs,
               GArray      *latencies,
               GArray      *rates,
               GError     **error)
{
  g_autoptr(GArray) warm_up = g_array_new (FALSE, FALSE, sizeof (double));

  if (!bench_latency (client, 500, warm_up, error) || !bench_latency (client, n_calls, latencies, error))
    return FALSE;
  for (int r = 0; r < runs; r++)
    {
      double rate = bench_throughput (client, n_tasks, error);

      if (rate < 0)
        return FALSE;
      g_array_append_val (rates, rate);
    }
  return TRUE;
}

/* `bench --profile P`: a running cluster, its engines wherever they run
 * (other hosts, say), beside a private cluster of as many engines over
 * ipc:// on this machine, in one run. */
static int
bench_profile (Loomctl *ctl,
               guint    n_calls,
               guint    n_tasks,
               int      runs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ipc_rates = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ipc_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(GHashTable) hosts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) host_list = g_string_new (NULL);
  g_autofree char *url = NULL;
  GListModel *engines;
  guint n_engines = 0, hwm;
  int code;

  if (!loomctl_check_profile (ctl->profile))
    return EXIT_USAGE;
  if ((code = loomctl_connect (ctl)) != EXIT_OK)
    return code;
  if (!(status = loom_client_get_status (ctl->client, &error)))
    return loomctl_fail_with (error);
  engines = loom_cluster_status_get_engines (status);
  for (guint i = 0; i < g_list_model_get_n_items (engines); i++)
    {
      g_autoptr(LoomEngineInfo) e = g_list_model_get_item (engines, i);
      const char *host = loom_engine_info_get_host (e);

      if (!loom_engine_info_is_alive (e))
        continue;
      n_engines++;
      if (host != NULL && g_hash_table_add (hosts, (gpointer) host))
        g_string_append_printf (host_list, "%s%s", host_list->len ? ", " : "", host);
    }
  if (n_engines == 0)
    return loomctl_fail (EXIT_NO_CLUSTER, "cluster “%s” has no engine to measure: add some with “loomctl engines add”",
                         loomctl_profile_or_default (ctl->profile));
  hwm = loom_cluster_status_get_hwm (status);

  if (!bench_cluster (ctl->client, n_calls, n_tasks, runs, latencies, rates, &error))
    return loomctl_fail_with (error);
  {
    g_autoptr(LoomCluster) cluster = loomctl_start_private_cluster (n_engines, hwm);

    if (cluster == NULL)
      return EXIT_NO_CLUSTER;
    if (!bench_cluster (loom_cluster_get_client (cluster), n_calls, n_tasks, runs, ipc_latencies, ipc_rates, &error))
      return loomctl_fail_with (error);
  }

  {
    g_autoptr(LoomConnection) conn = loom_connection_load (loom_client_get_connection_file (ctl->client), NULL);
    url = g_strdup (conn ? conn->client_url : "?");
  }
  if (ctl->json)
    g_print ("{\"profile\": \"%s\", \"url\": \"%s\", \"engines\": %u, \"hosts\": %u, "
             "\"throughput_tasks_per_s\": %.0f, \"latency_median_us\": %.1f, \"latency_p99_us\": %.1f, "
             "\"ipc_throughput_tasks_per_s\": %.0f, \"ipc_latency_median_us\": %.1f, \"ipc_latency_p99_us\": %.1f, "
             "\"hwm\": %u, \"tasks\": %u, \"calls\": %u, \"runs\": %d}\n",
             loomctl_profile_or_default (ctl->profile), url, n_engines, g_hash_table_size (hosts),
             loomctl_median (rates), loomctl_median (latencies), percentile (latencies, 0.99),
             loomctl_median (ipc_rates), loomctl_median (ipc_latencies), percentile (ipc_latencies, 0.99),
             hwm, n_tasks, n_calls, runs);
  else
    {
      g_print (_("Cluster “%s” at %s: %u engines on %s (medians of %d runs)\n"),
               loomctl_profile_or_default (ctl->profile), url, n_engines, host_list->str, runs);
      g_print (_("  no-op throughput, %u tasks:                     %10.0f tasks/s\n"), n_tasks, loomctl_median (rates));
      g_print (_("  single-task round trip, %u calls:        median %7.1f µs, p99 %7.1f µs\n"),
               n_calls, loomctl_median (latencies), percentile (latencies, 0.99));
      g_print (_("A private cluster of %u engines on this machine, over ipc://, in the same run:\n"), n_engines);
      g_print (_("  no-op throughput:                               %10.0f tasks/s (the cluster: %.2f×)\n"),
               loomctl_median (ipc_rates), loomctl_median (rates) / MAX (loomctl_median (ipc_rates), 1));
      g_print (_("  single-task round trip:                  median %7.1f µs, p99 %7.1f µs\n"),
               loomctl_median (ipc_latencies), percentile (ipc_latencies, 0.99));
    }
  return EXIT_OK;
}

int
cmd_bench (const Command *command,
           int            argc,
           char         **argv)
{
  g_auto(Loomctl) ctl = { .needs = LOOMCTL_PARSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tcp_rates = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tcp_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  double zmq_rtt_tcp, zmq_rtt_curve;
  int runs = 5;
  int n_engines = 2;
  /* G_MININT: not given, so each mode's default (a given 0 is an error). */
  int n_tasks = G_MININT;
  int n_calls = 2000;
  int n_start = 15;
  int hwm = 16;
  gboolean timeline = FALSE;
  gboolean scale = FALSE;
  gboolean quick = FALSE;
  double zmq_rtt;
  int code;
  GOptionEntry entries[] = {
    { "engines", 'n', 0, G_OPTION_ARG_INT, &n_engines, N_("Engines for throughput and latency (default 2)"), "N" },
    { "tasks", 't', 0, G_OPTION_ARG_INT, &n_tasks, N_("No-op tasks per throughput run (default 20000; with --scale 10^6)"), "N" },
    { "calls", 'c', 0, G_OPTION_ARG_INT, &n_calls, N_("Round trips for the latency figures (default 2000, at least 1000)"), "N" },
    { "startup-engines", 0, 0, G_OPTION_ARG_INT, &n_start, N_("Engines for the start-up figure (default 15)"), "N" },
    { "hwm", 0, 0, G_OPTION_ARG_INT, &hwm, N_("Tasks an engine may hold at once, for throughput (default 16)"), "K" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, N_("Repetitions of throughput and start-up, or frames per view with --timeline (default 5; medians)"), "N" },
    LOOMCTL_JSON_OPTION (&ctl, N_("Print the figures as JSON")),
    { "timeline", 0, 0, G_OPTION_ARG_NONE, &timeline,
      N_("Instead: build and draw timelines of 10^4, 10^5 and 10^6 synthetic tasks (no cluster, no display)"), NULL },
    { "scale", 0, 0, G_OPTION_ARG_NONE, &scale,
      N_("Instead: 10^6 no-op tasks through loomctl map, adaptive against fixed hwm and a mixed job, beside their targets"), NULL },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, N_("With --scale: small jobs, in seconds (for tests)"), NULL },
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &ctl.profile,
      N_("Instead: throughput and round trip on this running cluster (its engines wherever they run), beside a "
         "private cluster of as many engines over ipc://"), "NAME" },
    { NULL }
  };

  if ((code = loomctl_prologue (&ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  if (n_tasks != G_MININT && n_tasks < 1)
    return loomctl_fail (EXIT_USAGE, "--tasks must be ≥ 1");
  if (quick && !scale)
    return loomctl_fail (EXIT_USAGE, "--quick needs --scale");
  if (scale && timeline)
    return loomctl_fail (EXIT_USAGE, "--scale and --timeline are two benchmarks: choose one");
  if (scale)
    return loomctl_bench_scale (n_tasks == G_MININT ? 0 : n_tasks, quick, ctl.json);
  if (n_tasks == G_MININT)
    n_tasks = 20000;
  if (timeline)
    {
#if HAVE_TIMELINE_RENDER
      if (runs < 1)
        return loomctl_fail (EXIT_USAGE, "--runs must be ≥ 1");
      return loomctl_bench_timeline (runs, ctl.json);
#else
      return loomctl_no_timeline ("bench --timeline needs");
#endif
    }
  if (runs < 1 || n_engines < 1 || n_tasks < 1 || n_start < 1 || hwm < 1 || n_calls < 1000)
    return loomctl_fail (EXIT_USAGE, "--runs, --engines, --tasks, --startup-engines and --hwm must be ≥ 1, --calls ≥ 1000");
  if (ctl.profile != NULL)
    return bench_profile (&ctl, n_calls, n_tasks, runs);

  /* Latency with the default hwm 1: one task, one round trip. */
  {
    g_autoptr(LoomCluster) cluster = loomctl_start_private_cluster (n_engines, 1);
    g_autoptr(GArray) warm_up = g_array_new (FALSE, FALSE, sizeof (double));

    if (cluster == NULL)
      return EXIT_NO_CLUSTER;
    /* Warm up (connections, allocator, caches) before measuring. */
    if (!bench_latency (loom_cluster_get_client (cluster), 500, warm_up, &error) ||
        !bench_latency (loom_cluster_get_client (cluster), n_calls, latencies, &error))
      return loomctl_fail (EXIT_OTHER_ERROR, "%s", error->message);
  }

  /* Throughput with prefetch (hwm) — tiny tasks are what it is for. */
  {
    g_autoptr(LoomCluster) cluster = loomctl_start_private_cluster (n_engines, hwm);
    if (cluster == NULL)
      return EXIT_NO_CLUSTER;
    for (int r = 0; r < runs; r++)
      {
        double rate = bench_throughput (loom_cluster_get_client (cluster), n_tasks, &error);
        if (rate < 0)
          return loomctl_fail (EXIT_OTHER_ERROR, "%s", error->message);
        g_array_append_val (rates, rate);
      }
  }

  for (int r = 0; r < runs; r++)
    {
      g_autoptr(LoomCluster) cluster = loomctl_start_private_cluster (n_start, 1);
      double t;

      if (cluster == NULL)
        return EXIT_NO_CLUSTER;
      t = loom_cluster_get_start_time (cluster);
      g_array_append_val (starts, t);
    }

  /* The same over loopback TCP, where every endpoint is CURVE. */
  {
    g_autoptr(LoomCluster) cluster = loomctl_start_private_cluster_tcp (n_engines, 1, "127.0.0.1");
    g_autoptr(GArray) warm_up = g_array_new (FALSE, FALSE, sizeof (double));

    if (cluster == NULL)
      return EXIT_NO_CLUSTER;
    if (!bench_latency (loom_cluster_get_client (cluster), 500, warm_up, &error) ||
        !bench_latency (loom_cluster_get_client (cluster), n_calls, tcp_latencies, &error))
      return loomctl_fail (EXIT_OTHER_ERROR, "%s", error->message);
  }
  {
    g_autoptr(LoomCluster) cluster = loomctl_start_private_cluster_tcp (n_engines, hwm, "127.0.0.1");
    if (cluster == NULL)
      return EXIT_NO_CLUSTER;
    for (int r = 0; r < runs; r++)
      {
        double rate = bench_throughput (loom_cluster_get_client (cluster), n_tasks, &error);
        if (rate < 0)
          return loomctl_fail (EXIT_OTHER_ERROR, "%s", error->message);
        g_array_append_val (tcp_rates, rate);
      }
  }

  zmq_rtt = bench_zmq_rtt (2000, RTT_IPC);
  zmq_rtt_tcp = bench_zmq_rtt (2000, RTT_TCP);
  zmq_rtt_curve = bench_zmq_rtt (2000, RTT_TCP_CURVE);

  if (ctl.json)
    g_print ("{\"throughput_tasks_per_s\": %.0f, \"latency_median_us\": %.1f, \"latency_p99_us\": %.1f, "
             "\"tcp_curve_throughput_tasks_per_s\": %.0f, \"tcp_curve_latency_median_us\": %.1f, "
             "\"tcp_curve_latency_p99_us\": %.1f, "
             "\"startup_engines\": %d, \"startup_seconds\": %.3f, \"zmq_rtt_median_us\": %.1f, "
             "\"zmq_tcp_rtt_median_us\": %.1f, \"zmq_tcp_curve_rtt_median_us\": %.1f, "
             "\"engines\": %d, \"hwm\": %d, \"tasks\": %d, \"calls\": %d, \"runs\": %d}\n",
             loomctl_median (rates), loomctl_median (latencies), percentile (latencies, 0.99),
             loomctl_median (tcp_rates), loomctl_median (tcp_latencies), percentile (tcp_latencies, 0.99),
             n_start, loomctl_median (starts), zmq_rtt, zmq_rtt_tcp, zmq_rtt_curve, n_engines, hwm, n_tasks, n_calls, runs);
  else
    {
      g_print (_("Loom on %u CPUs (medians of %d runs)\n"), g_get_num_processors (), runs);
      g_print (_("  no-op throughput, %d tasks over %d engines, hwm %d:  %10.0f tasks/s\n"),
               n_tasks, n_engines, hwm, loomctl_median (rates));
      g_print (_("  single-task round trip, %d calls:        median %7.1f µs, p99 %7.1f µs\n"),
               n_calls, loomctl_median (latencies), percentile (latencies, 0.99));
      g_print (_("  over loopback TCP with CURVE (every TCP endpoint):\n"));
      g_print (_("    no-op throughput:                             %10.0f tasks/s (%.2f× ipc)\n"),
               loomctl_median (tcp_rates), loomctl_median (tcp_rates) / MAX (loomctl_median (rates), 1));
      g_print (_("    single-task round trip:                median %7.1f µs, p99 %7.1f µs\n"),
               loomctl_median (tcp_latencies), percentile (tcp_latencies, 0.99));
      g_print (_("  %d engines started until all registered:         %10.3f s\n"), n_start, loomctl_median (starts));
      g_print (_("  for scale: raw libzmq REQ/REP round trip, ipc:%10.1f µs\n"), zmq_rtt);
      g_print (_("                                            tcp:%10.1f µs\n"), zmq_rtt_tcp);
      g_print (_("                                    tcp + CURVE:%10.1f µs\n"), zmq_rtt_curve);
    }
  return EXIT_OK;
}
