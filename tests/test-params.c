/* test-params.c: long explicit parameter lists
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A map over a list of parameters larger than a chunk travels as a submit
 * and "params" messages; every task must get its own parameters, in
 * order, and an abort while chunks are still coming must end the job.
 */

#include "config.h"

#include <string.h>

#include "loom-test-util.h"

/* @n parameter objects {"i": i, "pad": "…"} of about @pad bytes each. */
static JsonArray *
padded_params (guint n,
               guint pad)
{
  JsonArray *params = json_array_new ();
  g_autofree char *padding = g_strnfill (pad, 'p');

  for (guint i = 0; i < n; i++)
    {
      JsonObject *obj = json_object_new ();

      json_object_set_int_member (obj, "i", i);
      json_object_set_string_member (obj, "pad", padding);
      json_array_add_object_element (params, obj);
    }
  return params;
}

static void
test_chunked_map (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1, .scheme = LOOM_SCHEME_LEASTLOAD };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  /* 9,000 × 1 kB: about 9 MB of parameters, three chunks. */
  g_autoptr(JsonArray) params = padded_params (9000, 1000);
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *values;

  result = loom_view_map_async (view, "echo", params, &error);
  g_assert_no_error (error);
  value = loom_async_result_get (result, 120, &error);
  g_assert_no_error (error);
  values = json_node_get_array (value);
  g_assert_cmpuint (json_array_get_length (values), ==, 9000);
  for (guint i = 0; i < 9000; i++)
    {
      JsonObject *echoed = json_array_get_object_element (values, i);

      g_assert_cmpint (json_object_get_int_member (echoed, "i"), ==, i);
      g_assert_cmpuint (strlen (json_object_get_string_member (echoed, "pad")), ==, 1000);
    }
}

static void
test_chunked_abort (void)
{
  ClusterOptions opts = { .n_engines = 1, .retries = -1, .scheme = LOOM_SCHEME_LEASTLOAD };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(JsonArray) params = padded_params (9000, 1000);
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = loom_view_map_async (view, "echo", params, &error);
  g_assert_no_error (error);
  /* However far the chunks got, the job ends: every task done or aborted. */
  while (loom_async_result_get_job_id (result) < 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (loom_client_abort_job (client, loom_async_result_get_job_id (result), NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (loom_async_result_wait (result, 60));
  g_assert_cmpuint (loom_async_result_get_progress (result), ==, 9000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loom/params/chunked-map", test_chunked_map);
  g_test_add_func ("/loom/params/chunked-abort", test_chunked_abort);

  return g_test_run ();
}
