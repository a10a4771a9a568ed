/* test-scheduler.c: the controller's choices of engine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

static GArray *
engines_of_sequential_applies_with (LoomCluster *cluster,
                                    guint        n,
                                    gint         scheme)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  GArray *engines = g_array_new (FALSE, FALSE, sizeof (gint));

  if (scheme >= 0)
    loom_view_set_scheme (view, scheme);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LoomAsyncResult) res = loom_view_apply_async (view, "noop", NULL, &error);
      g_autoptr(JsonNode) value = NULL;
      g_autoptr(LoomTaskInfo) info = NULL;

      g_assert_no_error (error);
      value = loom_async_result_get (res, 30, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_NULL (value));
      info = loom_async_result_get_task_info (res, 0);
      g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
      g_array_append_val (engines, info->engine_id);
    }
  return engines;
}

static GArray *
engines_of_sequential_applies (LoomCluster *cluster,
                               guint        n)
{
  return engines_of_sequential_applies_with (cluster, n, -1);
}

static void
test_leastload (void)
{
  ClusterOptions opts = { .n_engines = 3, .retries = -1, .scheme = LOOM_SCHEME_LEASTLOAD };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(GArray) engines = engines_of_sequential_applies (cluster, 6);

  /* Every engine is idle each time: least load ties go to the lowest id. */
  for (guint i = 0; i < engines->len; i++)
    g_assert_cmpint (g_array_index (engines, gint, i), ==, 0);
}

static void
test_lru (void)
{
  ClusterOptions opts = { .n_engines = 3, .retries = -1, .scheme = LOOM_SCHEME_LRU };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(GArray) engines = engines_of_sequential_applies (cluster, 6);

  /* Least recently used: round robin. */
  for (guint i = 0; i < engines->len; i++)
    g_assert_cmpint (g_array_index (engines, gint, i), ==, i % 3);
}

static void
test_random (void)
{
  ClusterOptions opts = { .n_engines = 3, .retries = -1, .scheme = LOOM_SCHEME_RANDOM };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(GArray) engines = engines_of_sequential_applies (cluster, 30);
  gboolean seen[3] = { FALSE, FALSE, FALSE };

  for (guint i = 0; i < engines->len; i++)
    {
      gint id = g_array_index (engines, gint, i);
      g_assert_cmpint (id, >=, 0);
      g_assert_cmpint (id, <, 3);
      seen[id] = TRUE;
    }
  /* All 30 on one engine would happen with probability 3 × 3^-30. */
  g_assert_true (seen[0] + seen[1] + seen[2] >= 2);
}

/* A job may choose its own scheme: the controller's stays for the rest. */
static void
test_job_scheme (void)
{
  ClusterOptions opts = { .n_engines = 3, .retries = -1, .scheme = LOOM_SCHEME_LEASTLOAD };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(GArray) lru = engines_of_sequential_applies_with (cluster, 6, LOOM_SCHEME_LRU);
  g_autoptr(GArray) least = engines_of_sequential_applies (cluster, 3);
  g_autoptr(GError) error = NULL;

  for (guint i = 1; i < lru->len; i++)
    g_assert_cmpint (g_array_index (lru, gint, i), !=, g_array_index (lru, gint, i - 1));
  for (guint i = 0; i < least->len; i++)
    g_assert_cmpint (g_array_index (least, gint, i), ==, 0);

  /* Random, per job, runs too (test-protocol sends unknown schemes). */
  {
    g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
    g_autoptr(LoomAsyncResult) res = NULL;
    g_autoptr(JsonNode) value = NULL;

    loom_view_set_scheme (view, LOOM_SCHEME_RANDOM);
    res = loom_view_apply_async (view, "noop", NULL, &error);
    g_assert_no_error (error);
    value = loom_async_result_get (res, 30, &error);
    g_assert_no_error (error);
  }
}

/* A client that does not read for a while (an app busy drawing) loses
 * nothing: thousands of result messages queue for it instead of being
 * dropped at a high-water mark. */
static void
test_slow_client (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1, .hwm = 1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_builtin ("noop");
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  GString *text = g_string_new (NULL);
  g_autoptr(GBytes) lines = NULL;
  const guint n = 6000;

  for (guint i = 0; i < n; i++)
    g_string_append (text, i ? "\n{}" : "{}");
  lines = g_string_free_to_bytes (text);
  res = loom_view_map_lines_async (view, spec, lines, n, &error);
  g_assert_no_error (error);

  /* One task at a time per engine: a results message per task, far more
   * than ZeroMQ's default high-water mark of 1000, all while we sleep. */
  g_usleep (3 * G_USEC_PER_SEC);
  values = loom_async_result_get (res, 60, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (values)), ==, n);
  g_assert_cmpuint (loom_async_result_get_n_failed (res), ==, 0);
}

/* While a job runs, the client counts its running and queued tasks from
 * the controller's task events (what a job's row in the app shows). */
static void
test_running_counts (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1, .hwm = 1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(JsonArray) params = test_params_repeat (4, "seconds", 0.6);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint queued = 99, running = 0;

  loom_client_set_follow_tasks (client, TRUE);
  res = loom_view_map_async (view, "sleep", params, &error);
  g_assert_no_error (error);
  while (g_get_monotonic_time () < deadline &&
         (running = loom_async_result_get_n_running (res, &queued)) < 2)
    g_usleep (10000);
  /* Two engines, one task each at a time: two run, two wait. */
  g_assert_cmpuint (running, ==, 2);
  g_assert_cmpuint (queued, ==, 2);

  values = loom_async_result_get (res, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_async_result_get_n_running (res, &queued), ==, 0);
  g_assert_cmpuint (queued, ==, 0);
}

typedef struct
{
  LoomAsyncResult *res;
  gboolean         ready;
  GMainLoop       *loop;
} PollInCallback;

static void
poll_until_ready (gpointer data)
{
  PollInCallback *poll = data;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* The loop holds the context but cannot dispatch while we spin here:
   * asking must look at the sockets itself. */
  while (!(poll->ready = loom_async_result_ready (poll->res)) && g_get_monotonic_time () < deadline)
    g_usleep (5000);
  g_main_loop_quit (poll->loop);
}

/* A program that polls ready() from inside a main-loop callback (an
 * activate handler, say) sees its job finish. */
static void
test_poll_in_callback (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(JsonArray) params = test_params_repeat (4, "seconds", 0.1);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  PollInCallback poll = { NULL, FALSE, loop };

  res = loom_view_map_async (view, "sleep", params, &error);
  g_assert_no_error (error);
  poll.res = res;
  /* Let the loop run a while first, as an app's would. */
  g_timeout_add_once (300, poll_until_ready, &poll);
  g_main_loop_run (loop);
  g_assert_true (poll.ready);
  g_assert_cmpuint (loom_async_result_get_progress (res), ==, 4);
}

static LoomAsyncResult *
run_sleeps (LoomCluster *cluster,
            guint        n,
            double       seconds)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(JsonArray) params = test_params_repeat (n, "seconds", seconds);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) values = NULL;
  LoomAsyncResult *res;

  res = loom_view_map_async (view, "sleep", params, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (res, 60, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_length (json_node_get_array (values)), ==, n);
  return res;
}

static void
test_hwm_one (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1, .hwm = 1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomAsyncResult) res = run_sleeps (cluster, 6, 0.1);

  /* With hwm 1 an engine gets its next task only after its last result. */
  for (guint i = 0; i < 6; i++)
    for (guint j = 0; j < 6; j++)
      {
        g_autoptr(LoomTaskInfo) a = loom_async_result_get_task_info (res, i);
        g_autoptr(LoomTaskInfo) b = loom_async_result_get_task_info (res, j);

        if (i == j || a->engine_id != b->engine_id || a->dispatched > b->dispatched)
          continue;
        g_assert_cmpint (b->dispatched, >=, a->received);
      }
}

static void
test_hwm_many (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1, .hwm = 3 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomAsyncResult) res = run_sleeps (cluster, 6, 0.2);
  gint64 first_received = G_MAXINT64;
  guint per_engine[2] = { 0, 0 };

  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);
      first_received = MIN (first_received, info->received);
      g_assert_cmpint (info->engine_id, >=, 0);
      g_assert_cmpint (info->engine_id, <, 2);
      per_engine[info->engine_id]++;
    }
  /* Each engine held three tasks at once: all six left before any came back. */
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);
      g_assert_cmpint (info->dispatched, <, first_received);
    }
  g_assert_cmpint (per_engine[0], ==, 3);
  g_assert_cmpint (per_engine[1], ==, 3);
}

static void
test_hwm_auto_spread (void)
{
  /* The default, auto: long tasks on as many engines, one per engine. */
  ClusterOptions opts = { .n_engines = 10, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomAsyncResult) res = run_sleeps (cluster, 10, 0.5);
  guint per_engine[10] = { 0 };
  gint64 first_received = G_MAXINT64;

  g_assert_cmpuint (loom_controller_get_hwm (loom_cluster_get_controller (cluster)), ==, 0);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);
      first_received = MIN (first_received, info->received);
      g_assert_cmpint (info->engine_id, >=, 0);
      g_assert_cmpint (info->engine_id, <, 10);
      per_engine[info->engine_id]++;
    }
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);
      /* All ten left at once, none waited for another's result. */
      g_assert_cmpint (info->dispatched, <, first_received);
      g_assert_cmpuint (per_engine[i], ==, 1);
    }
}

static void
test_hwm_auto_burst (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(JsonArray) params = test_params_range ("x", 20000, NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  JsonArray *array;
  gboolean prefetched = FALSE;
  gint64 last_received[2] = { 0, 0 };

  res = loom_view_map_async (view, "echo", params, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (res, 120, &error);
  g_assert_no_error (error);
  array = json_node_get_array (values);
  /* Every result once, in order. */
  g_assert_cmpuint (json_array_get_length (array), ==, 20000);
  for (guint i = 0; i < 20000; i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      g_assert_nonnull (row);
      g_assert_cmpint (json_object_get_int_member (row, "x"), ==, i);
    }
  /* Tiny tasks: some engine was given a task before the result of its
   * previous one came back. */
  for (guint i = 0; i < 20000 && !prefetched; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);
      g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
      g_assert_cmpint (info->engine_id, >=, 0);
      g_assert_cmpint (info->engine_id, <, 2);
      if (info->dispatched < last_received[info->engine_id])
        prefetched = TRUE;
      last_received[info->engine_id] = MAX (last_received[info->engine_id], info->received);
    }
  g_assert_true (prefetched);
}

static void
test_targets (void)
{
  ClusterOptions opts = { .n_engines = 3, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(JsonArray) params = test_params_repeat (6, "seconds", 0.02);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  const guint targets[] = { 2 };

  loom_view_set_targets (view, targets, 1);
  res = loom_view_map_async (view, "sleep", params, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (res, 30, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);
      g_assert_cmpint (info->engine_id, ==, 2);
    }
}

static void
test_serial_mode (void)
{
  ClusterOptions opts = { .n_engines = 3, .retries = -1, .hwm = 2 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(JsonArray) params = test_params_repeat (6, "seconds", 0.05);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomTaskInfo) first = NULL;

  loom_view_set_mode (view, LOOM_JOB_SERIAL);
  res = loom_view_map_async (view, "sleep", params, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (res, 30, &error);
  g_assert_no_error (error);

  first = loom_async_result_get_task_info (res, 0);
  for (guint i = 1; i < 6; i++)
    {
      g_autoptr(LoomTaskInfo) prev = loom_async_result_get_task_info (res, i - 1);
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);

      /* One engine, in order, one at a time (even though hwm allows two). */
      g_assert_cmpint (info->engine_id, ==, first->engine_id);
      g_assert_cmpint (info->started, >=, prev->completed);
      g_assert_cmpint (info->dispatched, >=, prev->received);
    }
}

int
main (int   argc,
      char *argv[])
{
  /* The isolated directories are named after the program: a short name
   * keeps the ipc:// socket paths under the 107-byte limit, so the tests
   * use ipc like a local cluster does rather than the TCP fallback. */
  g_set_prgname ("lt");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/loom/scheduler/leastload", test_leastload);
  g_test_add_func ("/loom/scheduler/lru", test_lru);
  g_test_add_func ("/loom/scheduler/random", test_random);
  g_test_add_func ("/loom/scheduler/job-scheme", test_job_scheme);
  g_test_add_func ("/loom/scheduler/slow-client", test_slow_client);
  g_test_add_func ("/loom/scheduler/running-counts", test_running_counts);
  g_test_add_func ("/loom/scheduler/poll-in-callback", test_poll_in_callback);
  g_test_add_func ("/loom/scheduler/hwm-one", test_hwm_one);
  g_test_add_func ("/loom/scheduler/hwm-many", test_hwm_many);
  g_test_add_func ("/loom/scheduler/hwm-auto-spread", test_hwm_auto_spread);
  g_test_add_func ("/loom/scheduler/hwm-auto-burst", test_hwm_auto_burst);
  g_test_add_func ("/loom/scheduler/targets", test_targets);
  g_test_add_func ("/loom/scheduler/serial-mode", test_serial_mode);

  return g_test_run ();
}
