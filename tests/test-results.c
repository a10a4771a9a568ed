/* test-results.c: reading results as they come
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A result that keeps no results gives each task once, in any order, and
 * forgets it; one that keeps them still gives everything to get(); a job
 * read page by page from the controller has every task once, in order,
 * with the same results.
 */

#include "config.h"

#include <string.h>

#include "loom-test-util.h"

#define N_TASKS 3000

static LoomCluster *
start_cluster (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1, .scheme = LOOM_SCHEME_LEASTLOAD };

  return test_cluster_start (&opts);
}

static LoomAsyncResult *
map_echo (LoomCluster *cluster,
          guint        n)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(JsonArray) params = test_params_range ("i", n, NULL, 0);
  g_autoptr(GError) error = NULL;
  LoomAsyncResult *result;

  result = loom_view_map_async (view, "echo", params, &error);
  g_assert_no_error (error);
  return result;
}

static gint64
echoed_index (JsonNode *result)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
  return json_object_get_int_member (json_node_get_object (result), "i");
}

/* Takes every task in input order as soon as it can, as loomctl does. */
static void
test_steal_in_order (void)
{
  g_autoptr(LoomCluster) cluster = start_cluster ();
  g_autoptr(LoomAsyncResult) result = map_echo (cluster, N_TASKS);
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  guint next = 0;

  loom_async_result_set_keep_results (result, FALSE);
  g_assert_false (loom_async_result_get_keep_results (result));
  while (next < N_TASKS)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_steal_task (result, next);

      if (info == NULL)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          loom_async_result_wait (result, 0.01);
          continue;
        }
      g_assert_cmpuint (info->index, ==, next);
      g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
      g_assert_cmpint (echoed_index (info->result), ==, next);
      /* Taken once: it is gone, its times stay. */
      g_assert_null (loom_async_result_steal_task (result, next));
      next++;
    }
  g_assert_true (loom_async_result_ready (result));

  {
    LoomTaskInfo times;

    loom_async_result_get_task_times (result, N_TASKS - 1, &times);
    g_assert_cmpint (times.status, ==, LOOM_TASK_DONE);
    g_assert_cmpint (times.completed, >, 0);
  }
  /* get() cannot give what was not kept. */
  all = loom_async_result_get (result, 0, &error);
  g_assert_null (all);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_FAILED);
}

/* Keeping results (the default), a task taken is still there for get(). */
static void
test_steal_keeps (void)
{
  g_autoptr(LoomCluster) cluster = start_cluster ();
  g_autoptr(LoomAsyncResult) result = map_echo (cluster, 100);
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(JsonNode) task = NULL;
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *obj;

  g_assert_true (loom_async_result_get_keep_results (result));
  g_assert_true (loom_async_result_wait (result, 120));
  info = loom_async_result_steal_task (result, 42);
  g_assert_nonnull (info);
  g_assert_cmpint (echoed_index (info->result), ==, 42);
  task = loom_async_result_steal_task_json (result, 42);
  g_assert_nonnull (task);
  obj = json_node_get_object (task);
  g_assert_cmpint (json_object_get_int_member (obj, "index"), ==, 42);
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "done");
  g_assert_true (json_object_get_null_member (obj, "params"));
  g_assert_cmpint (echoed_index (json_object_get_member (obj, "result")), ==, 42);

  all = loom_async_result_get (result, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (all)), ==, 100);
  g_assert_cmpint (echoed_index (json_array_get_element (json_node_get_array (all), 42)), ==, 42);
}

/* Tasks can be taken in any order; one not finished gives NULL. */
static void
test_steal_out_of_order (void)
{
  g_autoptr(LoomCluster) cluster = start_cluster ();
  g_autoptr(LoomAsyncResult) result = map_echo (cluster, 200);

  loom_async_result_set_keep_results (result, FALSE);
  g_assert_true (loom_async_result_wait (result, 120));
  for (guint i = 200; i-- > 0;)
    {
      g_autoptr(JsonNode) task = loom_async_result_steal_task_json (result, i);

      g_assert_nonnull (task);
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (task), "index"), ==, i);
      g_assert_null (loom_async_result_steal_task_json (result, i));
    }
}

/* A finished job read back page by page: every task once, in order. */
static void
test_read_job (void)
{
  g_autoptr(LoomCluster) cluster = start_cluster ();
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomAsyncResult) result = map_echo (cluster, N_TASKS);
  g_autoptr(LoomJobInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  guint job, first = 0, pages = 0;

  g_assert_true (loom_async_result_wait (result, 120));
  job = loom_async_result_get_job_id (result);
  while (first < N_TASKS)
    {
      g_autoptr(JsonNode) page = NULL;
      guint next = 0;
      JsonArray *tasks;

      g_clear_object (&info);
      page = loom_client_read_job (client, job, first, 700, &next, &info, &error);
      g_assert_no_error (error);
      tasks = json_node_get_array (page);
      g_assert_cmpuint (json_array_get_length (tasks), ==, MIN (700, N_TASKS - first));
      g_assert_cmpuint (next, ==, first + json_array_get_length (tasks));
      for (guint i = 0; i < json_array_get_length (tasks); i++)
        {
          JsonObject *task = json_array_get_object_element (tasks, i);
          JsonObject *params = json_object_get_object_member (task, "params");

          g_assert_cmpint (json_object_get_int_member (task, "index"), ==, first + i);
          g_assert_cmpint (json_object_get_int_member (params, "i"), ==, first + i);
          g_assert_cmpint (echoed_index (json_object_get_member (task, "result")), ==, first + i);
          loom_job_info_add_task_times (info, &(LoomTaskInfo) {
            .engine_id = json_object_get_int_member (task, "engine_id"),
            .status = LOOM_TASK_DONE,
            .started = json_object_get_int_member (task, "started"),
            .completed = json_object_get_int_member (task, "completed"),
          });
        }
      first = next;
      pages++;
    }
  g_assert_cmpuint (pages, ==, (N_TASKS + 699) / 700);
  g_assert_cmpuint (loom_job_info_get_n_tasks (info), ==, N_TASKS);
  g_assert_true (loom_job_info_has_task_figures (info));
  g_assert_cmpuint (loom_job_info_get_n_engines (info), >=, 1);

  {
    g_autoptr(JsonNode) summary = loom_job_info_to_report_json (info);
    JsonObject *obj = json_node_get_object (summary);

    g_assert_cmpint (json_object_get_int_member (obj, "tasks"), ==, N_TASKS);
    g_assert_cmpint (json_object_get_int_member (obj, "done"), ==, N_TASKS);
  }
}

/* A page past the end is empty; the async variant gives the same page. */
static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static void
on_read (GObject      *source,
         GAsyncResult *res,
         gpointer      data)
{
  g_autoptr(GError) error = NULL;
  guint next = 0;

  *(JsonNode **) data = loom_client_read_job_finish (LOOM_CLIENT (source), res, &next, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (next, ==, 15);
}

static void
test_read_job_async (void)
{
  g_autoptr(LoomCluster) cluster = start_cluster ();
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomAsyncResult) result = map_echo (cluster, 20);
  g_autoptr(JsonNode) page = NULL;
  g_autoptr(JsonNode) end = NULL;
  g_autoptr(GError) error = NULL;
  guint next = 0;

  g_assert_true (loom_async_result_wait (result, 120));
  loom_client_read_job_async (client, loom_async_result_get_job_id (result), 10, 5, NULL, on_read, &page);
  g_assert_true (test_wait_until (is_set, &page, 60));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (page)), ==, 5);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_node_get_array (page), 0), "index"), ==, 10);

  end = loom_client_read_job (client, loom_async_result_get_job_id (result), 20, 0, &next, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (end)), ==, 0);
  g_assert_cmpuint (next, ==, 20);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loom/results/steal-in-order", test_steal_in_order);
  g_test_add_func ("/loom/results/steal-keeps", test_steal_keeps);
  g_test_add_func ("/loom/results/steal-out-of-order", test_steal_out_of_order);
  g_test_add_func ("/loom/results/read-job", test_read_job);
  g_test_add_func ("/loom/results/read-job-async", test_read_job_async);

  return g_test_run ();
}
