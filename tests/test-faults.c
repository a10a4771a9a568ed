/* test-faults.c: faulty tasks, with a real controller and real engines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A task past its timeout ends "timeout" whatever its kind; abort stops
 * a plugin that blocks; a task that crashes its engine is retried, then
 * lost with the signal named; a failed task runs again elsewhere with
 * retry_failed; and the local cluster replaces every engine it loses.
 */

#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "loom.h"
#include "loom-test-util.h"

static char *
plugin_function (const char *name)
{
  const char *plugin = g_getenv ("LOOM_TEST_PLUGIN");

  g_assert_nonnull (plugin);
  return g_strdup_printf ("%s:%s", plugin, name);
}

static gboolean
has_id (GArray *ids,
        guint   id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, guint, i) == id)
      return TRUE;
  return FALSE;
}

typedef struct
{
  LoomClient *client;
  guint       n;
  GArray     *gone;   /* guint: engine ids that must not be among them */
} Strength;

static gboolean
cluster_at_strength (gpointer data)
{
  Strength *s = data;
  g_autoptr(GArray) ids = loom_client_get_ids (s->client, NULL);

  if (ids == NULL || ids->len != s->n)
    return FALSE;
  for (guint i = 0; i < s->gone->len; i++)
    if (has_id (ids, g_array_index (s->gone, guint, i)))
      return FALSE;
  return TRUE;
}

/* Asserts the cluster is back to @n live engines, none of them @gone. */
static void
assert_back_to_strength (LoomClient *client,
                         guint       n,
                         GArray     *gone)
{
  Strength s = { client, n, gone };

  g_assert_true (test_wait_until (cluster_at_strength, &s, 30));
}

/* Waits until a task of @res runs; returns its engine. */
static gint
wait_for_running (LoomClient      *client,
                  LoomAsyncResult *res)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      gint job = loom_async_result_get_job_id (res);

      if (job > 0)
        {
          g_autoptr(JsonNode) report = loom_client_get_job_report (client, job, NULL);
          JsonArray *tasks = report ? json_object_get_array_member (json_node_get_object (report), "tasks") : NULL;

          for (guint i = 0; tasks && i < json_array_get_length (tasks); i++)
            {
              JsonObject *task = json_array_get_object_element (tasks, i);
              if (g_str_equal (json_object_get_string_member (task, "status"), "running"))
                return json_object_get_int_member (task, "engine_id");
            }
        }
      g_usleep (20 * 1000);
    }
  g_assert_not_reached ();
  return -1;
}

/* One task of @spec with @params; its info once final. */
static LoomTaskInfo *
run_one (LoomView     *view,
         LoomTaskSpec *spec,
         JsonNode     *params)
{
  g_autoptr(JsonArray) all = json_array_new ();
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;

  json_array_add_element (all, params);
  res = loom_view_map_spec_async (view, spec, all, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (res, 120, &error);
  g_assert_nonnull (error);
  g_assert_false (g_error_matches (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT));
  return loom_async_result_get_task_info (res, 0);
}

static JsonNode *
params_object (const char *name,
               double      value)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (name != NULL)
    json_object_set_double_member (obj, name, value);
  json_node_take_object (node, obj);
  return node;
}

/* A plugin that never returns, and a built-in that sleeps far past its
 * timeout, end "timeout"; their engines are ended and replaced. */
static void
test_timeout_uninterruptible (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *block = plugin_function ("block");
  const char *functions[] = { block, "sleep" };

  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    {
      g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_for_function (functions[i], NULL);
      g_autoptr(LoomTaskInfo) info = NULL;
      guint engine;

      loom_task_spec_set_timeout (spec, 1);
      info = run_one (view, spec, params_object ("seconds", 3600));
      g_assert_cmpint (info->status, ==, LOOM_TASK_TIMEOUT);
      g_assert_cmpstr (info->error_type, ==, "Timeout");
      g_assert_nonnull (strstr (info->error_message, "timeout of 1 s"));
      g_assert_nonnull (strstr (info->error_message, "ran for "));
      g_assert_cmpint (info->attempts, ==, 1);
      g_assert_cmpint (info->engine_id, >=, 0);

      engine = info->engine_id;
      g_array_append_val (gone, engine);
      assert_back_to_strength (client, 2, gone);
    }
}

/* A command past its timeout is killed; its engine lives on. */
static void
test_timeout_command (void)
{
  ClusterOptions opts = { .n_engines = 1, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  const char *argv[] = { "sleep", "3600", NULL };
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_command (argv);
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autoptr(GArray) ids = NULL;

  loom_task_spec_set_timeout (spec, 1);
  info = run_one (view, spec, params_object (NULL, 0));
  g_assert_cmpint (info->status, ==, LOOM_TASK_TIMEOUT);
  g_assert_cmpstr (info->error_type, ==, "Timeout");
  g_assert_nonnull (strstr (info->error_message, "timeout of 1 s"));

  ids = loom_client_get_ids (client, NULL);
  g_assert_nonnull (ids);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_true (has_id (ids, info->engine_id));
}

/* Abort of a job whose plugin blocks: the task ends "aborted", its engine
 * is ended and replaced. */
static void
test_abort_blocking_plugin (void)
{
  ClusterOptions opts = { .n_engines = 1, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autofree char *block = plugin_function ("block");
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (guint));
  guint engine;

  json_array_add_element (params, params_object (NULL, 0));
  res = loom_view_map_async (view, block, params, &error);
  g_assert_no_error (error);
  engine = wait_for_running (client, res);

  g_assert_true (loom_async_result_abort (res, &error));
  g_assert_no_error (error);
  values = loom_async_result_get (res, 60, &error);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_ABORTED);

  info = loom_async_result_get_task_info (res, 0);
  g_assert_cmpint (info->status, ==, LOOM_TASK_ABORTED);
  g_assert_cmpstr (info->error_type, ==, "Aborted");
  g_array_append_val (gone, engine);
  assert_back_to_strength (client, 1, gone);
}

/* A plugin that crashes its engine runs 1 + retries times, each time
 * killing an engine, then ends lost with the signal named; every engine
 * it killed is replaced. */
static void
test_poison_task (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autofree char *crash = plugin_function ("crash");
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_for_function (crash, NULL);
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *engine_name = NULL;
  guint engine;

  loom_view_set_retries (view, 1);
  info = run_one (view, spec, params_object (NULL, 0));
  g_assert_cmpint (info->status, ==, LOOM_TASK_LOST);
  g_assert_cmpint (info->attempts, ==, 2);
  g_assert_cmpstr (info->error_type, ==, "EngineDied");
  g_assert_nonnull (strstr (info->error_message, "died of signal 11 ("));
  g_assert_nonnull (strstr (info->error_message, g_strsignal (11)));
  engine = info->engine_id;
  engine_name = g_strdup_printf ("engine %u ", engine);
  g_assert_nonnull (strstr (info->error_message, engine_name));

  /* Both engines it ran on are gone and replaced (ids are never reused,
   * so the two first ids, 0 and 1, must both be gone). */
  for (guint id = 0; id < 2; id++)
    g_array_append_val (gone, id);
  assert_back_to_strength (client, 2, gone);
}

static gboolean
replacements_used_up (gpointer data)
{
  LoomClient *client = data;
  g_autoptr(LoomClusterStatus) status = loom_client_get_status (client, NULL);
  gint64 used = -1;
  guint64 limit;

  if (status == NULL)
    return FALSE;
  limit = loom_cluster_status_get_limit (status, "engine_replacements_per_minute", &used);
  return limit > 0 && used >= 0 && (guint64) used >= limit;
}

/* A task that kills every engine it meets, allowed many retries: the
 * cluster replaces engines up to its limit per minute, then stops
 * replacing them (rather than start engines for ever), says so in
 * `cluster status`, and keeps serving. */
static void
test_replacement_limit (void)
{
  ClusterOptions opts = { .n_engines = 1, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autofree char *crash = plugin_function ("crash");
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_for_function (crash, NULL);
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  gint64 used = -1;
  guint64 limit;

  loom_view_set_retries (view, 100);
  json_array_add_element (params, params_object (NULL, 0));
  res = loom_view_map_spec_async (view, spec, params, &error);
  g_assert_no_error (error);

  g_assert_true (test_wait_until (replacements_used_up, client, 60));
  /* The last replacement dies on the task too; then none is started. */
  g_usleep (2 * G_USEC_PER_SEC);
  status = loom_client_get_status (client, &error);
  g_assert_no_error (error);
  limit = loom_cluster_status_get_limit (status, "engine_replacements_per_minute", &used);
  g_assert_cmpuint (limit, ==, (guint64) used);
  {
    g_autoptr(GArray) ids = loom_client_get_ids (client, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ids->len, ==, 0);
  }
  g_assert_false (loom_async_result_ready (res));

  /* The controller still serves: the job can be aborted. */
  g_assert_true (loom_client_abort_job (client, loom_async_result_get_job_id (res), NULL, NULL, &error));
  g_assert_no_error (error);
}

/* retry_failed 2: a task that fails runs three times, each time on an
 * engine it has not failed on; a built-in that raises likewise. */
static void
test_retry_failed (void)
{
  ClusterOptions opts = { .n_engines = 3, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autofree char *dir = g_dir_make_tmp ("loom-faults-XXXXXX", NULL);
  g_autofree char *log = g_build_filename (dir, "engines", NULL);
  g_autofree char *script = g_strdup_printf ("echo $PPID >> '%s'; exit 3", log);
  const char *argv[] = { "sh", "-c", script, NULL };
  g_autoptr(LoomTaskSpec) command = loom_task_spec_new_command (argv);
  g_autoptr(LoomTaskSpec) fail = loom_task_spec_new_for_function ("fail", NULL);
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autoptr(LoomTaskInfo) info2 = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *message;
  JsonNode *params;

  loom_view_set_retry_failed (view, 2);
  info = run_one (view, command, params_object (NULL, 0));
  g_assert_cmpint (info->status, ==, LOOM_TASK_FAILED);
  g_assert_cmpint (info->attempts, ==, 3);
  g_assert_cmpint (info->exit_status, ==, 3);

  /* The engines (the commands' parents) it ran on: three, all distinct. */
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[0], !=, lines[1]);
  g_assert_cmpstr (lines[1], !=, lines[2]);
  g_assert_cmpstr (lines[0], !=, lines[2]);

  message = json_object_new ();
  json_object_set_string_member (message, "message", "no luck");
  params = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (params, message);
  info2 = run_one (view, fail, params);
  g_assert_cmpint (info2->status, ==, LOOM_TASK_FAILED);
  g_assert_cmpint (info2->attempts, ==, 3);
  g_assert_nonnull (strstr (info2->error_message, "no luck"));

  g_unlink (log);
  g_rmdir (dir);
}

/* What loomctl prints with --json for a job of one task: that task. */
static JsonObject *
loomctl_one_task (const char * const *args,
                  int                  expected_status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonNode *root;
  JsonObject *task;
  int status;

  g_ptr_array_add (argv, (gpointer) g_getenv ("LOOMCTL"));
  g_assert_nonnull (argv->pdata[0]);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, expected_status);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  task = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "tasks"), 0);
  json_object_ref (task);
  json_node_unref (root);
  return task;
}

/* The command line: --task-timeout on map (a plugin) and run (a
 * command), --retry-failed-tasks on run. */
static void
test_cli (void)
{
  g_autofree char *block = plugin_function ("block");
  const char *map_args[] = { "map", block, "--sweep", "x=1", "--task-timeout", "1", "-n", "1", "--json", NULL };
  const char *run_args[] = { "run", "-n", "1", "--task-timeout", "1", "--json", "--", "sleep", "3600", NULL };
  const char *retry_args[] = { "run", "-n", "2", "--retry-failed-tasks", "2", "--json", "--", "sh", "-c", "exit 3",
                               NULL };
  const char *bad_args[] = { "map", "noop", "--task-timeout", "-1", NULL };
  g_autoptr(JsonObject) timed_out = loomctl_one_task (map_args, 1);
  g_autoptr(JsonObject) killed = loomctl_one_task (run_args, 1);
  g_autoptr(JsonObject) retried = loomctl_one_task (retry_args, 1);
  g_autofree char *err = NULL;
  int status;

  g_assert_cmpstr (json_object_get_string_member (timed_out, "status"), ==, "timeout");
  g_assert_cmpstr (json_object_get_string_member (killed, "status"), ==, "timeout");
  g_assert_cmpstr (json_object_get_string_member (retried, "status"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (retried, "attempts"), ==, 3);

  /* A negative timeout is refused, naming the option. */
  {
    g_autoptr(GPtrArray) argv = g_ptr_array_new ();

    g_ptr_array_add (argv, (gpointer) g_getenv ("LOOMCTL"));
    for (guint i = 0; bad_args[i]; i++)
      g_ptr_array_add (argv, (gpointer) bad_args[i]);
    g_ptr_array_add (argv, NULL);
    g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err, &status, NULL));
    g_assert_cmpint (WEXITSTATUS (status), ==, 2);
    g_assert_nonnull (strstr (err, "--task-timeout"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loom/faults/timeout", test_timeout_uninterruptible);
  g_test_add_func ("/loom/faults/timeout-command", test_timeout_command);
  g_test_add_func ("/loom/faults/abort-blocking-plugin", test_abort_blocking_plugin);
  g_test_add_func ("/loom/faults/poison", test_poison_task);
  g_test_add_func ("/loom/faults/replacement-limit", test_replacement_limit);
  g_test_add_func ("/loom/faults/retry-failed", test_retry_failed);
  g_test_add_func ("/loom/faults/cli", test_cli);

  return g_test_run ();
}
