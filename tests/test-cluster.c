/* test-cluster.c: end to end, with real engine processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <zmq.h>

#include <glib/gstdio.h>

#include "loom-connection-private.h"
#include "loom-json-private.h"
#include "loom-test-util.h"
#include "loom-wire-private.h"

/* --- the seed workflow --------------------------------------------------- */

static void
test_seed_parallel (void)
{
  ClusterOptions opts = { .n_engines = 15, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(JsonArray) params = test_params_range ("t", 10, "sleep", 0.5);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) engines = g_hash_table_new (NULL, NULL);
  gint64 first_end = G_MAXINT64;
  JsonArray *list;

  res = loom_view_map_async (view, "printtime", params, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_async_result_get_n_tasks (res), ==, 10);
  values = loom_async_result_get (res, 30, &error);
  g_assert_no_error (error);
  g_assert_true (loom_async_result_ready (res));
  g_assert_true (loom_async_result_successful (res));
  g_assert_cmpuint (loom_async_result_get_progress (res), ==, 10);

  list = json_node_get_array (values);
  g_assert_cmpint (json_array_get_length (list), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      JsonArray *pair = json_array_get_array_element (list, i);
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);

      /* [time in seconds, t], in input order */
      g_assert_cmpint (json_array_get_length (pair), ==, 2);
      g_assert_cmpint (json_array_get_int_element (pair, 1), ==, i);
      g_assert_cmpfloat_with_epsilon (json_array_get_double_element (pair, 0),
                                      info->started / (double) G_USEC_PER_SEC, 0.05);
      g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
      g_assert_cmpint (info->submitted, >, 0);
      g_assert_cmpint (info->dispatched, >=, info->submitted);
      g_assert_cmpint (info->completed - info->started, >=, 490000);
      g_assert_cmpint (info->received, >=, info->dispatched);
      g_hash_table_add (engines, GINT_TO_POINTER (info->engine_id));
      first_end = MIN (first_end, info->completed);
    }

  /* Ten distinct engines, all running at one moment: every task started
   * before any ended, so the job took less time than its tasks added up. */
  g_assert_cmpint (g_hash_table_size (engines), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);
      g_assert_cmpint (info->started, <, first_end);
    }
  g_assert_cmpfloat (loom_async_result_get_serial_time (res), >=, 4.9);
  g_assert_cmpfloat (loom_async_result_get_wall_time (res), <, loom_async_result_get_serial_time (res));
}

static void
test_seed_serial (void)
{
  ClusterOptions opts = { .n_engines = 15, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(JsonArray) params = test_params_range ("t", 10, "sleep", 0.5);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomTaskInfo) first = NULL;

  loom_view_set_mode (view, LOOM_JOB_SERIAL);
  res = loom_view_map_async (view, "printtime", params, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (res, 60, &error);
  g_assert_no_error (error);

  first = loom_async_result_get_task_info (res, 0);
  for (guint i = 1; i < 10; i++)
    {
      g_autoptr(LoomTaskInfo) prev = loom_async_result_get_task_info (res, i - 1);
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);

      g_assert_cmpint (info->engine_id, ==, first->engine_id);
      g_assert_cmpint (info->started, >=, prev->completed);
    }
  g_assert_cmpfloat (loom_async_result_get_wall_time (res), >=, 5.0);
}

static void
test_ids_and_model (void)
{
  ClusterOptions opts = { .n_engines = 4, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *engines;
  gint64 deadline;

  ids = loom_client_get_ids (client, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ids->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (g_array_index (ids, guint, i), ==, i);

  /* The engines model fills on this thread's main context. */
  engines = loom_client_get_engines (client);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_list_model_get_n_items (engines) < 4 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
  g_assert_cmpint (g_list_model_get_n_items (engines), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (engines, i);
      g_assert_cmpint (loom_engine_info_get_id (info), ==, i);
      g_assert_cmpint (loom_engine_info_get_pid (info), >, 0);
      g_assert_cmpstr (loom_engine_info_get_host (info), ==, g_get_host_name ());
      g_assert_cmpint (loom_engine_info_get_state (info), ==, LOOM_ENGINE_IDLE);
    }

  /* Stopping one shows in the model. */
  loom_client_stop_engine (client, 1, &error);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (engines, 1);
      if (loom_engine_info_get_state (info) == LOOM_ENGINE_STOPPED || g_get_monotonic_time () > deadline)
        {
          g_assert_cmpint (loom_engine_info_get_state (info), ==, LOOM_ENGINE_STOPPED);
          break;
        }
      g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
    }
  g_clear_pointer (&ids, g_array_unref);
  ids = loom_client_get_ids (client, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ids->len, ==, 3);
}

/* --- failures ------------------------------------------------------------ */

static JsonArray *
query_tasks (LoomClient *client,
             gint        job)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) report = loom_client_get_job_report (client, job, &error);

  g_assert_no_error (error);
  return json_array_ref (json_object_get_array_member (json_node_get_object (report), "tasks"));
}

static gint64
engine_pid (LoomClient *client,
            guint       id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomClusterStatus) status = loom_client_get_status (client, &error);
  g_autoptr(LoomEngineInfo) engine = NULL;

  g_assert_no_error (error);
  engine = g_list_model_get_item (loom_cluster_status_get_engines (status), id);
  g_assert_nonnull (engine);
  g_assert_cmpuint (loom_engine_info_get_id (engine), ==, id);
  return loom_engine_info_get_pid (engine);
}

/* Waits until a task of @res runs and returns the engine it runs on. */
static gint
wait_for_running_task (LoomClient      *client,
                       LoomAsyncResult *res,
                       guint           *index)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      gint job = loom_async_result_get_job_id (res);

      if (job > 0)
        {
          g_autoptr(JsonArray) tasks = query_tasks (client, job);
          for (guint i = 0; i < json_array_get_length (tasks); i++)
            {
              JsonObject *task = json_array_get_object_element (tasks, i);
              if (g_str_equal (json_object_get_string_member (task, "status"), "running"))
                {
                  *index = json_object_get_int_member (task, "index");
                  return json_object_get_int_member (task, "engine_id");
                }
            }
        }
      g_usleep (10 * 1000);
    }
  g_assert_not_reached ();
  return -1;
}

/* kill -9 the engine of a running task of @res; returns that engine. */
static gint
kill_engine_of_running_task (LoomClient      *client,
                             LoomAsyncResult *res,
                             guint           *index)
{
  gint victim = wait_for_running_task (client, res, index);

  g_assert_cmpint (kill ((pid_t) engine_pid (client, victim), SIGKILL), ==, 0);
  return victim;
}

static void
test_kill_engine_mid_task (void)
{
  ClusterOptions opts = { .n_engines = 3, .retries = -1, .heartbeat_ms = 500 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(JsonArray) params = test_params_repeat (6, "seconds", 1.0);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autoptr(GArray) ids = NULL;
  guint index = 0;
  gint victim;

  res = loom_view_map_async (view, "sleep", params, &error);
  g_assert_no_error (error);
  victim = kill_engine_of_running_task (client, res, &index);

  /* Every result arrives all the same: the lost task ran elsewhere. */
  values = loom_async_result_get (res, 60, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_length (json_node_get_array (values)), ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpfloat (json_array_get_double_element (json_node_get_array (values), i), ==, 1.0);

  info = loom_async_result_get_task_info (res, index);
  g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
  g_assert_cmpint (info->attempts, ==, 2);
  g_assert_cmpint (info->engine_id, !=, victim);

  /* The dead engine is not listed, and the cluster started another in
   * its place: three again. */
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC; g_get_monotonic_time () < deadline;)
    {
      gboolean victim_listed = FALSE;

      g_clear_pointer (&ids, g_array_unref);
      ids = loom_client_get_ids (client, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < ids->len; i++)
        victim_listed |= g_array_index (ids, guint, i) == (guint) victim;
      g_assert_false (victim_listed);
      if (ids->len == 3)
        break;
      g_usleep (20 * 1000);
    }
  g_assert_cmpint (ids->len, ==, 3);
}

static void
test_lost_after_retries (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1, .heartbeat_ms = 500 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(JsonArray) params = test_params_repeat (1, "seconds", 3.0);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autofree char *engine_name = NULL;
  guint index = 0;
  gint victim;

  loom_view_set_retries (view, 0);
  res = loom_view_map_async (view, "sleep", params, &error);
  g_assert_no_error (error);
  victim = kill_engine_of_running_task (client, res, &index);

  values = loom_async_result_get (res, 30, &error);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TASK_FAILED);
  g_assert_null (values);
  g_assert_false (loom_async_result_successful (res));

  info = loom_async_result_get_task_info (res, 0);
  engine_name = g_strdup_printf ("engine %d ", victim);
  g_assert_cmpint (info->status, ==, LOOM_TASK_LOST);
  g_assert_cmpstr (info->error_type, ==, "EngineDied");
  g_assert_nonnull (strstr (info->error_message, engine_name));
  g_assert_nonnull (strstr (info->error_message, "died"));
  g_assert_nonnull (strstr (error->message, "lost"));
}

static void
test_forged_while_working (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(JsonArray) params = test_params_repeat (20, "seconds", 0.02);
  g_autoptr(LoomConnection) conn = NULL;
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  guint8 wrong_key[LOOM_KEY_SIZE] = { 1, 2, 3 };
  LoomWire *forger;
  void *to_clients, *to_engines;

  conn = loom_connection_load (loom_controller_get_connection_file (loom_cluster_get_controller (cluster)), &error);
  g_assert_no_error (error);

  res = loom_view_map_async (view, "sleep", params, &error);
  g_assert_no_error (error);

  /* Forged submits and forged results, signed with the wrong key. */
  forger = loom_wire_new (wrong_key, sizeof wrong_key, 0);
  to_clients = zmq_socket (loom_zmq_context (), ZMQ_DEALER);
  to_engines = zmq_socket (loom_zmq_context (), ZMQ_DEALER);
  g_assert_cmpint (zmq_connect (to_clients, conn->client_url), ==, 0);
  g_assert_cmpint (zmq_connect (to_engines, conn->engine_url), ==, 0);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GBytes) line = g_bytes_new_static ("{}", 2);
      loom_wire_send (forger, to_clients, NULL, "submit", NULL,
                      "{\"count\":1,\"spec\":{\"kind\":\"builtin\",\"function\":\"noop\"}}", -1, &line, 1);
      loom_wire_send (forger, to_engines, NULL, "results", NULL,
                      "{\"tasks\":[[1,0,1,3,0,0]]}", -1, NULL, 0);
    }

  values = loom_async_result_get (res, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_length (json_node_get_array (values)), ==, 20);
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);
      g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
      g_assert_cmpint (info->completed - info->started, >=, 15000);
    }

  /* Let the last forgeries arrive, then read the counters. */
  for (guint tries = 0; tries < 500; tries++)
    {
      g_clear_object (&status);
      status = loom_client_get_status (client, &error);
      g_assert_no_error (error);
      if (loom_cluster_status_get_dropped (status, "bad_signature") >= 20)
        break;
      g_usleep (10 * 1000);
    }
  g_assert_cmpuint (loom_cluster_status_get_dropped (status, "bad_signature"), ==, 20);
  g_assert_cmpuint (loom_cluster_status_get_n_jobs (status), ==, 1);

  zmq_close (to_clients);
  zmq_close (to_engines);
  loom_wire_free (forger);
}

/* --- what engines run ---------------------------------------------------- */

static LoomAsyncResult *
run_spec (LoomClient   *client,
          LoomTaskSpec *spec,
          JsonArray    *params)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(GError) error = NULL;
  LoomAsyncResult *res = loom_view_map_spec_async (view, spec, params, &error);

  g_assert_no_error (error);
  g_assert_true (loom_async_result_wait (res, 60));
  return res;
}

static JsonArray *
one_param (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonArray *array = json_array_new ();
  JsonNode *node = loom_json_from_data (json, -1, &error);

  g_assert_no_error (error);
  json_array_add_element (array, node);
  return array;
}

/* Runs one task of @spec and returns what became of it. */
static LoomTaskInfo *
run_one (LoomClient   *client,
         LoomTaskSpec *spec,
         const char   *params)
{
  g_autoptr(JsonArray) array = one_param (params);
  g_autoptr(LoomAsyncResult) res = run_spec (client, spec, array);

  return loom_async_result_get_task_info (res, 0);
}

static void
assert_engines_serve (LoomClient *client)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(JsonArray) params = test_params_repeat (4, NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) values = loom_view_map_sync (view, "noop", params, &error);

  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_length (json_node_get_array (values)), ==, 4);
}

static void
test_builtins (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) echo_params = loom_json_from_data ("{\"a\":1,\"b\":[true,\"x\"]}", -1, NULL);
  g_autoptr(JsonNode) sleep_params = loom_json_from_data ("{\"seconds\":0.01}", -1, NULL);
  g_autoptr(JsonNode) spin_params = loom_json_from_data ("[5]", -1, NULL);
  g_autoptr(JsonNode) value = NULL;
  g_autofree char *text = NULL;

  value = loom_view_apply_sync (view, "echo", echo_params, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (value, echo_params));
  g_clear_pointer (&value, json_node_unref);

  value = loom_view_apply_sync (view, "sleep", sleep_params, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (json_node_get_double (value), ==, 0.01);
  g_clear_pointer (&value, json_node_unref);

  /* Positional parameters work too. */
  value = loom_view_apply_sync (view, "spin", spin_params, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_int (value), >, 0);
  g_clear_pointer (&value, json_node_unref);

  value = loom_view_apply_sync (view, "noop", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_NULL (value));
}

static void
test_failing_tasks (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) params = loom_json_from_data ("{\"message\":\"boom at step 3\"}", -1, NULL);
  g_autoptr(JsonNode) bad_sleep = loom_json_from_data ("{\"seconds\":\"long\"}", -1, NULL);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autoptr(JsonNode) value = NULL;

  res = loom_view_apply_async (view, "fail", params, &error);
  g_assert_no_error (error);
  value = loom_async_result_get (res, 30, &error);
  g_assert_null (value);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TASK_FAILED);
  g_assert_nonnull (strstr (error->message, "boom at step 3"));
  g_clear_error (&error);
  info = loom_async_result_get_task_info (res, 0);
  g_assert_cmpint (info->status, ==, LOOM_TASK_FAILED);
  g_assert_cmpstr (info->error_type, ==, "TaskFailed");
  g_assert_cmpstr (info->error_message, ==, "boom at step 3");
  g_assert_cmpint (info->started, >, 0);
  g_assert_cmpint (info->completed, >=, info->started);
  g_clear_pointer (&info, loom_task_info_free);
  g_clear_object (&res);

  res = loom_view_apply_async (view, "no_such_function", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (loom_async_result_wait (res, 30));
  info = loom_async_result_get_task_info (res, 0);
  g_assert_cmpstr (info->error_type, ==, "UnknownFunction");
  g_assert_nonnull (strstr (info->error_message, "no_such_function"));
  g_assert_nonnull (strstr (info->error_message, "printtime"));
  g_clear_pointer (&info, loom_task_info_free);
  g_clear_object (&res);

  res = loom_view_apply_async (view, "sleep", bad_sleep, &error);
  g_assert_no_error (error);
  g_assert_true (loom_async_result_wait (res, 30));
  info = loom_async_result_get_task_info (res, 0);
  g_assert_cmpstr (info->error_type, ==, "InvalidArgument");
  g_assert_nonnull (strstr (info->error_message, "seconds"));

  assert_engines_serve (client);
}

static void
test_command_tasks (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  const char *sh_argv[] = { "sh", "-c", "echo x={x} y={y}; echo err >&2; exit {code}", NULL };
  const char *pwd_argv[] = { "sh", "-c", "pwd; echo $LOOM_TEST_VAR", NULL };
  const char *sleep_argv[] = { "sleep", "10", NULL };
  const char *missing_argv[] = { "/nonexistent/loom-sim", "{x}", NULL };
  const char *placeholder_argv[] = { "echo", "{nope}", NULL };
  const char *chatty_argv[] = { "sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' a", NULL };
  g_autoptr(LoomTaskSpec) sh = loom_task_spec_new_command (sh_argv);
  g_autoptr(LoomTaskSpec) pwd = loom_task_spec_new_command (pwd_argv);
  g_autoptr(LoomTaskSpec) sleeper = loom_task_spec_new_command (sleep_argv);
  g_autoptr(LoomTaskSpec) missing = loom_task_spec_new_command (missing_argv);
  g_autoptr(LoomTaskSpec) placeholder = loom_task_spec_new_command (placeholder_argv);
  g_autoptr(LoomTaskSpec) chatty = loom_task_spec_new_command (chatty_argv);
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(LoomTaskInfo) ok = NULL;
  g_autoptr(LoomTaskInfo) bad = NULL;
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("loom-cwd-XXXXXX", NULL);
  g_autofree char *expected = NULL;

  json_array_add_element (params, loom_json_from_data ("{\"x\":1,\"y\":\"a b\",\"code\":0}", -1, NULL));
  json_array_add_element (params, loom_json_from_data ("{\"x\":2.5,\"y\":\"c\",\"code\":3}", -1, NULL));
  res = run_spec (client, sh, params);
  ok = loom_async_result_get_task_info (res, 0);
  bad = loom_async_result_get_task_info (res, 1);
  g_assert_cmpint (ok->status, ==, LOOM_TASK_DONE);
  g_assert_cmpstr (ok->stdout_text, ==, "x=1 y=a b\n");
  g_assert_cmpstr (ok->stderr_text, ==, "err\n");
  g_assert_cmpint (ok->exit_status, ==, 0);
  g_assert_cmpint (json_node_get_int (ok->result), ==, 0);
  g_assert_cmpint (bad->status, ==, LOOM_TASK_FAILED);
  g_assert_cmpstr (bad->stdout_text, ==, "x=2.5 y=c\n");
  g_assert_cmpint (bad->exit_status, ==, 3);
  g_assert_cmpstr (bad->error_type, ==, "CommandFailed");
  g_assert_nonnull (strstr (bad->error_message, "status 3"));
  g_clear_object (&res);

  /* Working directory and environment */
  loom_task_spec_set_cwd (pwd, tmp);
  loom_task_spec_setenv (pwd, "LOOM_TEST_VAR", "hello");
  info = run_one (client, pwd, "{}");
  expected = g_strdup_printf ("%s\nhello\n", tmp);
  g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
  g_assert_cmpstr (info->stdout_text, ==, expected);
  g_clear_pointer (&info, loom_task_info_free);

  /* A timeout kills the child. */
  loom_task_spec_set_timeout (sleeper, 0.3);
  info = run_one (client, sleeper, "{}");
  g_assert_cmpint (info->status, ==, LOOM_TASK_TIMEOUT);
  g_assert_cmpstr (info->error_type, ==, "Timeout");
  /* Stopped, not run to its end (the command sleeps 10 s). */
  g_assert_cmpint (info->completed - info->started, <, 10 * G_USEC_PER_SEC);
  g_clear_pointer (&info, loom_task_info_free);

  /* … and what the child started: its process group goes with it. */
  {
    const char *nested_argv[] = { "sh", "-c", "sleep 10; echo late", NULL };
    g_autoptr(LoomTaskSpec) nested = loom_task_spec_new_command (nested_argv);

    loom_task_spec_set_timeout (nested, 0.3);
    info = run_one (client, nested, "{}");
    g_assert_cmpstr (info->error_type, ==, "Timeout");
    g_assert_cmpint (info->completed - info->started, <, 10 * G_USEC_PER_SEC);
    g_assert_null (strstr (info->stdout_text ? info->stdout_text : "", "late"));
    g_clear_pointer (&info, loom_task_info_free);
  }

  /* A program that does not exist, a placeholder without a parameter */
  info = run_one (client, missing, "{\"x\":1}");
  g_assert_cmpstr (info->error_type, ==, "CommandNotStarted");
  g_assert_nonnull (strstr (info->error_message, "/nonexistent/loom-sim"));
  g_clear_pointer (&info, loom_task_info_free);

  info = run_one (client, placeholder, "{\"x\":1}");
  g_assert_cmpstr (info->error_type, ==, "UnknownPlaceholder");
  g_assert_nonnull (strstr (info->error_message, "nope"));
  g_clear_pointer (&info, loom_task_info_free);

  /* Output is captured up to 1 MiB; the rest is read and dropped. */
  info = run_one (client, chatty, "{}");
  g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
  g_assert_cmpint (strlen (info->stdout_text), ==, 1024 * 1024);
  g_assert_cmpuint (g_bytes_get_size (info->stdout_bytes), ==, 1024 * 1024);
  g_assert_cmpuint (info->stdout_truncated, ==, 3000000 - 1024 * 1024);
  g_assert_cmpuint (info->stderr_truncated, ==, 0);
  g_clear_pointer (&info, loom_task_info_free);

  /* The limit is the spec's; bytes that are not UTF-8 are kept as they
   * are, and shown with U+FFFD. */
  {
    const char *binary_argv[] = { "sh", "-c", "printf 'ab\\377\\000cdef'; printf '\\377' >&2", NULL };
    g_autoptr(LoomTaskSpec) binary = loom_task_spec_new_command (binary_argv);
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (loom_task_spec_get_output_limit (binary), ==, LOOM_OUTPUT_LIMIT_DEFAULT);
    g_assert_false (loom_task_spec_set_output_limit (binary, LOOM_OUTPUT_LIMIT_MAX + 1, &error));
    g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
    g_assert_true (loom_task_spec_set_output_limit (binary, 4, NULL));
    g_assert_cmpuint (loom_task_spec_get_output_limit (binary), ==, 4);
    info = run_one (client, binary, "{}");
    g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
    g_assert_cmpmem (g_bytes_get_data (info->stdout_bytes, NULL), g_bytes_get_size (info->stdout_bytes), "ab\377", 4);
    g_assert_cmpuint (info->stdout_truncated, ==, 4);
    g_assert_cmpmem (g_bytes_get_data (info->stderr_bytes, NULL), g_bytes_get_size (info->stderr_bytes), "\377", 1);
    g_assert_cmpuint (info->stderr_truncated, ==, 0);
    g_assert_true (g_utf8_validate (info->stdout_text, -1, NULL));
    g_assert_cmpstr (info->stdout_text, ==, "ab\357\277\275\357\277\275");
    g_clear_pointer (&info, loom_task_info_free);
  }

  g_rmdir (tmp);
  assert_engines_serve (client);
}

static void
test_plugin_tasks (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  const char *plugin = g_getenv ("LOOM_TEST_PLUGIN");
  const char *not_plugin = g_getenv ("LOOM_TEST_NOT_PLUGIN");
  g_autofree char *square = NULL;
  g_autofree char *boom = NULL;
  g_autofree char *nofunc = NULL;
  g_autofree char *refused = NULL;
  g_autoptr(JsonArray) params = test_params_range ("x", 5, NULL, 0);
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  struct { const char *function; const char *type; const char *text; } failures[4];

  g_assert_nonnull (plugin);
  g_assert_nonnull (not_plugin);
  square = g_strdup_printf ("%s:square", plugin);
  boom = g_strdup_printf ("%s:boom", plugin);
  nofunc = g_strdup_printf ("%s:cube", plugin);
  refused = g_strdup_printf ("%s:square", not_plugin);

  values = loom_view_map_sync (view, square, params, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpfloat (json_array_get_double_element (json_node_get_array (values), i), ==, i * i);

  failures[0] = (typeof (failures[0])) { boom, "PluginError", "went boom" };
  failures[1] = (typeof (failures[0])) { nofunc, "UnknownFunction", "cube" };
  failures[2] = (typeof (failures[0])) { refused, "InvalidPlugin", "LOOM_PLUGIN_DECLARE" };
  failures[3] = (typeof (failures[0])) { "/nonexistent/plugin.so:f", "PluginNotFound", "/nonexistent/plugin.so" };
  for (guint i = 0; i < G_N_ELEMENTS (failures); i++)
    {
      g_autoptr(LoomAsyncResult) res = loom_view_apply_async (view, failures[i].function, NULL, &error);
      g_autoptr(LoomTaskInfo) info = NULL;

      g_assert_no_error (error);
      g_assert_true (loom_async_result_wait (res, 30));
      info = loom_async_result_get_task_info (res, 0);
      g_assert_cmpint (info->status, ==, LOOM_TASK_FAILED);
      g_assert_cmpstr (info->error_type, ==, failures[i].type);
      g_assert_nonnull (strstr (info->error_message, failures[i].text));
    }

  assert_engines_serve (client);
}

/* --- the main loop way --------------------------------------------------- */

typedef struct
{
  guint    finished_signals;
  guint    progress_notifies;
  gboolean waited;
  gboolean finished;
} AsyncState;

static void
on_task_finished (LoomAsyncResult *res,
                  guint            index,
                  AsyncState      *state)
{
  g_assert_cmpuint (index, <, 8);
  state->finished_signals++;
}

static void
on_progress (LoomAsyncResult *res,
             GParamSpec      *pspec,
             AsyncState      *state)
{
  state->progress_notifies++;
}

static void
on_finished (LoomAsyncResult *res,
             AsyncState      *state)
{
  state->finished = TRUE;
}

static void
on_waited (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  AsyncState *state = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_async_result_wait_finish (LOOM_ASYNC_RESULT (object), result, &error));
  g_assert_no_error (error);
  state->waited = TRUE;
}

static gboolean
state_waited (gpointer data)
{
  return ((AsyncState *) data)->waited;
}

static void
test_main_loop (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(JsonArray) params = test_params_repeat (8, "seconds", 0.05);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  AsyncState state = { 0 };

  res = loom_view_map_async (view, "sleep", params, &error);
  g_assert_no_error (error);
  g_signal_connect (res, "task-finished", G_CALLBACK (on_task_finished), &state);
  g_signal_connect (res, "notify::progress", G_CALLBACK (on_progress), &state);
  g_signal_connect (res, "finished", G_CALLBACK (on_finished), &state);
  loom_async_result_wait_async (res, NULL, on_waited, &state);

  g_assert_true (test_wait_until (state_waited, &state, 30));
  g_assert_true (state.finished);
  g_assert_cmpuint (state.finished_signals, ==, 8);
  g_assert_cmpuint (state.progress_notifies, >=, 1);
  g_assert_true (loom_async_result_successful (res));
}

static void
test_abort (void)
{
  ClusterOptions opts = { .n_engines = 1, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(JsonArray) params = test_params_repeat (10, "seconds", 0.2);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  guint aborted = 0, done = 0;

  res = loom_view_map_async (view, "sleep", params, &error);
  g_assert_no_error (error);
  g_assert_true (loom_async_result_abort (res, &error));
  g_assert_no_error (error);

  values = loom_async_result_get (res, 30, &error);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_ABORTED);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);
      if (info->status == LOOM_TASK_ABORTED)
        aborted++;
      else if (info->status == LOOM_TASK_DONE)
        done++;
    }
  /* The task that was on the engine finishes; the queued ones do not run. */
  g_assert_cmpuint (aborted + done, ==, 10);
  g_assert_cmpuint (aborted, >=, 8);
}

/* --- the typed queries ---------------------------------------------------- */

static guint
run_noops (LoomClient *client,
           guint       n)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(JsonArray) params = test_params_repeat (n, NULL, 0);
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;

  res = loom_view_map_async (view, "noop", params, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (res, 30, &error);
  g_assert_no_error (error);
  return loom_async_result_get_job_id (res);
}

static void
test_typed_queries (void)
{
  ClusterOptions opts = { .n_engines = 2, .hwm = 3, .retries = -1, .scheme = LOOM_SCHEME_LRU };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(LoomJobInfo) job = NULL;
  g_autoptr(LoomJobInfo) listed = NULL;
  g_autoptr(GListModel) jobs = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *reasons;
  LoomEngineState state;
  GListModel *engines;
  guint64 total = 0;
  guint id, aborted = 99, killing = 99;

  id = run_noops (client, 5);

  status = loom_client_get_status (client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loom_cluster_status_get_profile (status), ==, loom_controller_get_profile (loom_cluster_get_controller (cluster)));
  g_assert_cmpint (loom_cluster_status_get_pid (status), ==, getpid ());
  g_assert_cmpint (loom_cluster_status_get_scheme (status), ==, LOOM_SCHEME_LRU);
  g_assert_cmpuint (loom_cluster_status_get_hwm (status), ==, 3);
  g_assert_cmpuint (loom_cluster_status_get_n_jobs (status), ==, 1);
  g_assert_cmpuint (loom_cluster_status_get_n_queued (status), ==, 0);
  g_assert_cmpuint (loom_cluster_status_get_n_running (status), ==, 0);
  g_assert_cmpuint (loom_cluster_status_get_tasks_finished (status), ==, 5);
  engines = loom_cluster_status_get_engines (status);
  g_assert_cmpuint (g_list_model_get_n_items (engines), ==, 2);
  g_assert_true (g_list_model_get_item_type (engines) == LOOM_TYPE_ENGINE_INFO);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(LoomEngineInfo) engine = g_list_model_get_item (engines, i);

      g_assert_cmpuint (loom_engine_info_get_id (engine), ==, i);
      g_assert_true (loom_engine_info_is_alive (engine));
      g_assert_cmpint (loom_engine_info_get_registered_at (engine), >, 0);
      /* The state is an enum property. */
      g_assert_true (G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (G_OBJECT_GET_CLASS (engine), "state"))
                     == LOOM_TYPE_ENGINE_STATE);
      g_object_get (engine, "state", &state, NULL);
      g_assert_cmpint (state, ==, loom_engine_info_get_state (engine));
    }
  reasons = loom_cluster_status_get_drop_reasons (status);
  g_assert_true (g_strv_contains (reasons, "bad_signature"));
  for (guint i = 0; reasons[i]; i++)
    total += loom_cluster_status_get_dropped (status, reasons[i]);
  g_assert_cmpuint (loom_cluster_status_get_dropped (status, NULL), ==, total);
  g_assert_cmpuint (loom_cluster_status_get_dropped (status, "no-such-reason"), ==, 0);
  json = loom_cluster_status_to_json (status);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (json), "controller"),
                                                  "scheme"), ==, "lru");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (json), "engines")), ==, 2);

  job = loom_client_query_job (client, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_job_info_get_id (job), ==, id);
  g_assert_cmpstr (loom_job_info_get_name (job), ==, "noop");
  g_assert_cmpstr (loom_job_info_get_function (job), ==, "noop");
  g_assert_cmpint (loom_job_info_get_kind (job), ==, LOOM_TASK_KIND_BUILTIN);
  g_assert_cmpint (loom_job_info_get_mode (job), ==, LOOM_JOB_PARALLEL);
  g_assert_cmpuint (loom_job_info_get_n_tasks (job), ==, 5);
  g_assert_cmpuint (loom_job_info_get_n_done (job), ==, 5);
  g_assert_cmpuint (loom_job_info_get_n_failed (job) + loom_job_info_get_n_running (job) +
                    loom_job_info_get_n_queued (job) + loom_job_info_get_n_aborted (job) +
                    loom_job_info_get_n_lost (job), ==, 0);
  g_assert_true (loom_job_info_is_ready (job));
  g_assert_true (loom_job_info_has_task_figures (job));
  g_assert_cmpuint (loom_job_info_get_n_engines (job), >=, 1);
  g_assert_cmpuint (loom_job_info_get_n_engines (job), <=, 2);
  g_assert_cmpint (loom_job_info_get_finished (job), >=, loom_job_info_get_created (job));
  g_assert_cmpfloat (loom_job_info_get_wall_time (job), >, 0);

  jobs = loom_client_list_jobs (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);
  listed = g_list_model_get_item (jobs, 0);
  g_assert_cmpuint (loom_job_info_get_id (listed), ==, id);
  g_assert_false (loom_job_info_has_task_figures (listed));
  g_assert_cmpuint (loom_job_info_get_n_done (listed), ==, 5);
  g_assert_cmpfloat (loom_job_info_get_speedup (listed), ==, 0);

  /* A finished job aborts nothing. */
  g_assert_true (loom_client_abort_job (client, id, &aborted, &killing, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (aborted, ==, 0);
  g_assert_cmpuint (killing, ==, 0);

  g_assert_null (loom_client_query_job (client, id + 100, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_PROTOCOL);
}

typedef struct
{
  LoomClient        *client;
  LoomClusterStatus *status;
  GListModel        *jobs;
  LoomJobInfo       *job;
  JsonNode          *report;
  GError            *cancelled;
  gboolean           aborted;
  guint              pending;
} TypedState;

static void
on_status (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  TypedState *state = data;
  g_autoptr(GError) error = NULL;

  state->status = loom_client_get_status_finish (LOOM_CLIENT (object), result, &error);
  g_assert_no_error (error);
  state->pending--;
}

static void
on_jobs (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  TypedState *state = data;
  g_autoptr(GError) error = NULL;

  state->jobs = loom_client_list_jobs_finish (LOOM_CLIENT (object), result, &error);
  g_assert_no_error (error);
  state->pending--;
}

static void
on_job (GObject      *object,
        GAsyncResult *result,
        gpointer      data)
{
  TypedState *state = data;
  g_autoptr(GError) error = NULL;

  state->job = loom_client_query_job_finish (LOOM_CLIENT (object), result, &error);
  g_assert_no_error (error);
  state->pending--;
}

static void
on_report (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  TypedState *state = data;
  g_autoptr(GError) error = NULL;

  state->report = loom_client_get_job_report_finish (LOOM_CLIENT (object), result, &error);
  g_assert_no_error (error);
  state->pending--;
}

static void
on_aborted (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  TypedState *state = data;
  g_autoptr(GError) error = NULL;
  guint aborted = 99;

  state->aborted = loom_client_abort_job_finish (LOOM_CLIENT (object), result, &aborted, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (aborted, ==, 0);
  state->pending--;
}

static void
on_cancelled (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  TypedState *state = data;

  g_assert_null (loom_client_get_status_finish (LOOM_CLIENT (object), result, &state->cancelled));
  state->pending--;
}

static gboolean
typed_done (gpointer data)
{
  return ((TypedState *) data)->pending == 0;
}

static void
test_typed_queries_async (void)
{
  ClusterOptions opts = { .n_engines = 1, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TypedState state = { .client = loom_cluster_get_client (cluster) };
  g_autoptr(LoomJobInfo) listed = NULL;
  guint id = run_noops (state.client, 3);

  state.pending = 6;
  loom_client_get_status_async (state.client, NULL, on_status, &state);
  loom_client_list_jobs_async (state.client, NULL, on_jobs, &state);
  loom_client_query_job_async (state.client, id, NULL, on_job, &state);
  loom_client_get_job_report_async (state.client, id, NULL, on_report, &state);
  loom_client_abort_job_async (state.client, id, NULL, on_aborted, &state);
  /* A cancelled request returns at once, whatever the controller does. */
  loom_client_get_status_async (state.client, cancellable, on_cancelled, &state);
  g_cancellable_cancel (cancellable);
  g_assert_true (test_wait_until (typed_done, &state, 10));

  g_assert_error (state.cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (g_list_model_get_n_items (loom_cluster_status_get_engines (state.status)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (state.jobs), ==, 1);
  listed = g_list_model_get_item (state.jobs, 0);
  g_assert_cmpuint (loom_job_info_get_id (listed), ==, id);
  g_assert_cmpuint (loom_job_info_get_n_done (state.job), ==, 3);
  g_assert_true (loom_job_info_has_task_figures (state.job));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (state.report), "tasks")), ==, 3);
  g_assert_true (state.aborted);

  g_clear_object (&state.status);
  g_clear_object (&state.jobs);
  g_clear_object (&state.job);
  g_clear_pointer (&state.report, json_node_unref);
  g_clear_error (&state.cancelled);
}

/* --- processes ----------------------------------------------------------- */

static void
test_shutdown_leaves_nothing (void)
{
  ClusterOptions opts = { .n_engines = 4, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(GArray) pids = loom_cluster_get_engine_pids (cluster);
  g_autofree char *file = g_strdup (loom_controller_get_connection_file (loom_cluster_get_controller (cluster)));

  g_assert_cmpint (pids->len, ==, 4);
  for (guint i = 0; i < pids->len; i++)
    g_assert_false (test_pid_gone (g_array_index (pids, GPid, i)));
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));

  loom_cluster_stop (cluster);

  for (guint i = 0; i < pids->len; i++)
    g_assert_true (test_pid_gone (g_array_index (pids, GPid, i)));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

static GSubprocess *
spawn (GError **error, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  const char *arg;
  va_list args;

  va_start (args, error);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  /* The test's isolated runtime directory is GLib's, not the environment's. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

static LoomClient *
wait_for_daemon (const char *profile)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      LoomClient *client = loom_client_new_for_profile (profile, NULL);
      if (client)
        return client;
      g_usleep (20 * 1000);
    }
  g_assert_not_reached ();
  return NULL;
}

static void
wait_for_engines (LoomClient *client,
                  guint       n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GArray) ids = loom_client_get_ids (client, NULL);
      if (ids && ids->len >= n)
        return;
      g_usleep (20 * 1000);
    }
  g_assert_not_reached ();
}

static void
test_engine_outlives_no_controller (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) controller = NULL;
  g_autoptr(GSubprocess) engine = NULL;
  g_autoptr(LoomClient) client = NULL;

  controller = spawn (&error, g_getenv ("LOOM_CONTROLLER"), "--profile", "orphan", NULL);
  g_assert_no_error (error);
  client = wait_for_daemon ("orphan");
  engine = spawn (&error, g_getenv ("LOOM_ENGINE"), "--profile", "orphan", "--reconnect-timeout", "0.7", NULL);
  g_assert_no_error (error);
  wait_for_engines (client, 1);
  loom_client_close (client);

  /* The controller vanishes without a word: the engine leaves by itself. */
  g_subprocess_force_exit (controller);
  g_subprocess_wait (controller, NULL, NULL);
  g_assert_true (g_subprocess_wait (engine, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (engine));
  g_assert_cmpint (g_subprocess_get_exit_status (engine), ==, 4);
}

static void
test_daemon_sigterm (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) controller = NULL;
  g_autoptr(GSubprocess) engine = NULL;
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomView) view = NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autofree char *file = NULL;

  controller = spawn (&error, g_getenv ("LOOM_CONTROLLER"), "--profile", "daemon", "--scheme", "lru", NULL);
  g_assert_no_error (error);
  client = wait_for_daemon ("daemon");
  file = g_strdup (loom_client_get_connection_file (client));
  engine = spawn (&error, g_getenv ("LOOM_ENGINE"), "--connection", file, NULL);
  g_assert_no_error (error);
  wait_for_engines (client, 1);

  view = loom_client_load_balanced_view (client);
  value = loom_view_apply_sync (view, "echo", NULL, &error);
  g_assert_no_error (error);
  loom_client_close (client);

  /* SIGTERM stops the engines, removes the connection file and exits 0. */
  g_subprocess_send_signal (controller, SIGTERM);
  g_assert_true (g_subprocess_wait_check (controller, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (engine, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

static void
test_no_cluster_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomClient) client = loom_client_new_for_profile ("nobody-here", &error);

  g_assert_null (client);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER);
  g_assert_nonnull (strstr (error->message, "nobody-here"));
  g_assert_nonnull (strstr (error->message, "loomctl cluster start"));
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

  g_test_add_func ("/loom/cluster/seed-parallel", test_seed_parallel);
  g_test_add_func ("/loom/cluster/seed-serial", test_seed_serial);
  g_test_add_func ("/loom/cluster/ids-and-model", test_ids_and_model);
  g_test_add_func ("/loom/cluster/kill-engine-mid-task", test_kill_engine_mid_task);
  g_test_add_func ("/loom/cluster/lost-after-retries", test_lost_after_retries);
  g_test_add_func ("/loom/cluster/forged-while-working", test_forged_while_working);
  g_test_add_func ("/loom/cluster/builtins", test_builtins);
  g_test_add_func ("/loom/cluster/failing-tasks", test_failing_tasks);
  g_test_add_func ("/loom/cluster/command-tasks", test_command_tasks);
  g_test_add_func ("/loom/cluster/plugin-tasks", test_plugin_tasks);
  g_test_add_func ("/loom/cluster/main-loop", test_main_loop);
  g_test_add_func ("/loom/cluster/abort", test_abort);
  g_test_add_func ("/loom/cluster/typed-queries", test_typed_queries);
  g_test_add_func ("/loom/cluster/typed-queries-async", test_typed_queries_async);
  g_test_add_func ("/loom/cluster/shutdown-leaves-nothing", test_shutdown_leaves_nothing);
  g_test_add_func ("/loom/cluster/engine-exits-without-controller", test_engine_outlives_no_controller);
  g_test_add_func ("/loom/cluster/daemon-sigterm", test_daemon_sigterm);
  g_test_add_func ("/loom/cluster/no-cluster-error", test_no_cluster_error);

  return g_test_run ();
}
