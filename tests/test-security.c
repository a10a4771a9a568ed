/* test-security.c: hostile peers against a real controller
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test is an attack, written against libzmq by hand (loom-peer-util),
 * on a controller running in this process over real sockets, followed by
 * a check that the attack failed and the controller still serves.
 */

#define G_LOG_DOMAIN "Loom-Test"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include <glib/gstdio.h>

#include "loom-json-private.h"
#include "loom-peer-util.h"
#include "loom-test-util.h"

#define WAIT_MS 5000

/* --- a fake engine -------------------------------------------------------- */

typedef struct
{
  void *sock;
  gint  id;
} FakeEngine;

static void
fake_engine_register (FakeEngine     *fe,
                      TestController *tc)
{
  g_autoptr(LoomMessage) reply = NULL;
  JsonObject *content;

  fe->sock = peer_connect (tc->conn->engine_url, ZMQ_DEALER);
  loom_wire_send (tc->engine_wire, fe->sock, NULL, "register", NULL,
                  "{\"host\":\"fake\",\"pid\":1}", -1, NULL, 0);
  reply = peer_recv (tc->engine_wire, fe->sock, WAIT_MS);
  g_assert_nonnull (reply);
  g_assert_cmpstr (reply->msg_type, ==, "register_reply");
  content = loom_message_get_content (reply, NULL);
  fe->id = loom_json_int (content, "engine", -1);
  g_assert_cmpint (fe->id, >=, 0);
}

/* Stays alive, as a real engine does. */
static void
fake_engine_heartbeat (FakeEngine     *fe,
                       TestController *tc)
{
  loom_wire_send (tc->engine_wire, fe->sock, NULL, "heartbeat", NULL, "{}", 2, NULL, 0);
}

/* The next "tasks" message, skipping heartbeats and the like. */
static LoomMessage *
fake_engine_next_tasks (FakeEngine     *fe,
                        TestController *tc)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      LoomMessage *msg = peer_recv (tc->engine_wire, fe->sock, 200);

      if (msg != NULL && g_str_equal (msg->msg_type, "tasks"))
        return msg;
      g_clear_pointer (&msg, loom_message_free);
      fake_engine_heartbeat (fe, tc);
    }
  return NULL;
}

/* Answers the first task of @tasks with a result row built by @row_fmt
 * (job, index, attempt already filled in) and the given buffers. */
static void
fake_engine_answer (FakeEngine     *fe,
                    TestController *tc,
                    LoomMessage    *tasks,
                    guint           status,
                    gint64          started,
                    gint64          completed,
                    const char     *result,
                    const char     *detail)
{
  JsonArray *row = json_array_get_array_element (loom_json_array (loom_message_get_content (tasks, NULL), "tasks"), 0);
  g_autofree char *content = NULL;
  g_autoptr(GBytes) results = g_bytes_new (result, strlen (result));
  g_autoptr(GBytes) details = g_bytes_new (detail, strlen (detail));
  GBytes *buffers[2] = { results, details };

  content = g_strdup_printf ("{\"engine\":%d,\"tasks\":[[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                             ",%u,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]]}",
                             fe->id, json_array_get_int_element (row, 0), json_array_get_int_element (row, 1),
                             json_array_get_int_element (row, 2), status, started, completed);
  loom_wire_send (tc->engine_wire, fe->sock, NULL, "results", NULL, content, -1, buffers, 2);
}

static void
fake_engine_close (FakeEngine *fe)
{
  g_clear_pointer (&fe->sock, zmq_close);
}

/* --- engine-supplied text and times --------------------------------------- */

/* Every event batch published while @sub listened is one JSON object, and
 * none is an event of @forbidden_type. */
static guint
assert_events_clean (TestController *tc,
                     FakeEngine     *fe,
                     void           *sub,
                     const char     *forbidden_type)
{
  guint batches = 0;
  LoomMessage *msg;

  while ((msg = peer_recv (tc->wire, sub, 300)) != NULL)
    {
      g_autoptr(GError) error = NULL;
      JsonObject *content = loom_message_get_content (msg, &error);
      JsonArray *events;

      g_assert_no_error (error);
      events = loom_json_array (content, "events");
      g_assert_nonnull (events);
      for (guint i = 0; i < json_array_get_length (events); i++)
        g_assert_cmpstr (loom_json_string (json_array_get_object_element (events, i), "type", ""), !=,
                         forbidden_type);
      batches++;
      loom_message_free (msg);
      fake_engine_heartbeat (fe, tc);
    }
  return batches;
}

/* A fake engine answers with a detail that would close its event and
 * forge an "engine_died", and with times at the ends of gint64: the events
 * stay valid JSON with no forged event, the task fails with
 * MalformedResult, and its times are the controller's. */
static void
test_engine_text_and_times (void)
{
  TestController tc = { 0 };
  FakeEngine fe = { 0 };
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomView) view = NULL;
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(LoomMessage) tasks = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_real_time ();
  void *sub;

  test_controller_start (&tc, 0);
  sub = peer_connect (tc.conn->event_url, ZMQ_SUB);
  g_assert_cmpint (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0), ==, 0);
  g_usleep (100 * 1000);
  fake_engine_register (&fe, &tc);

  client = loom_client_new_for_file (loom_controller_get_connection_file (tc.ctl), &error);
  g_assert_no_error (error);
  view = loom_client_load_balanced_view (client);
  json_array_add_int_element (params, 1);
  result = loom_view_map_async (view, "echo", params, &error);
  g_assert_no_error (error);

  tasks = fake_engine_next_tasks (&fe, &tc);
  g_assert_nonnull (tasks);
  fake_engine_answer (&fe, &tc, tasks, LOOM_TASK_FAILED, G_MAXINT64 - 1, G_MAXINT64, "null",
                      "{\"error\":{}}},{\"type\":\"engine_died\",\"engine\":0,\"requeued\":0,\"lost\":0");

  for (guint i = 0; i < WAIT_MS / 100 && !loom_async_result_ready (result); i++)
    {
      loom_async_result_wait (result, 0.1);
      fake_engine_heartbeat (&fe, &tc);
    }
  values = loom_async_result_get (result, 0, &error);
  g_assert_nonnull (error);
  info = loom_async_result_get_task_info (result, 0);
  g_assert_cmpint (info->status, ==, LOOM_TASK_FAILED);
  g_assert_cmpstr (info->error_type, ==, "MalformedResult");
  g_assert_cmpint (info->started, >=, before);
  g_assert_cmpint (info->completed, <=, g_get_real_time ());
  g_assert_cmpfloat (loom_async_result_get_serial_time (result), <, 60.0);
  g_assert_cmpfloat (loom_async_result_get_serial_time (result), >=, 0.0);

  g_assert_cmpuint (assert_events_clean (&tc, &fe, sub, "engine_died"), >, 0);

  zmq_close (sub);
  fake_engine_close (&fe);
  g_clear_object (&result);
  loom_client_close (client);
  test_controller_stop (&tc);
}

/* --- subscriptions --------------------------------------------------------- */

/* 200 000 distinct subscriptions (no key needed: SUB sends them in the
 * clear) cost the controller nothing per task: a map of 3 000 tasks runs
 * as before, task events still reach a real subscriber, and after the
 * attacker leaves the controller answers. */
static void
test_subscription_flood (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomConnection) conn = NULL;
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  LoomWire *wire;
  void *attacker, *watcher;
  guint task_events = 0;
  LoomMessage *msg;

  conn = loom_connection_load (loom_controller_get_connection_file (loom_cluster_get_controller (cluster)), &error);
  g_assert_no_error (error);
  wire = loom_wire_new (conn->key, sizeof conn->key, 0);

  attacker = zmq_socket (loom_zmq_context (), ZMQ_SUB);
  /* No high-water mark: every subscription goes out. */
  g_assert_cmpint (zmq_setsockopt (attacker, ZMQ_SNDHWM, &(int) { 0 }, sizeof (int)), ==, 0);
  g_assert_cmpint (zmq_setsockopt (attacker, ZMQ_LINGER, &(int) { 0 }, sizeof (int)), ==, 0);
  /* The worst case: the attacker holds the clients' keys (over TCP,
   * a peer without them never gets past the handshake). */
  g_assert_true (loom_connection_secure_socket (conn, attacker, conn->event_url, NULL));
  g_assert_cmpint (zmq_connect (attacker, conn->event_url), ==, 0);
  for (guint i = 0; i < 200000; i++)
    {
      char topic[32];
      int len = g_snprintf (topic, sizeof topic, "flood-%u", i);

      g_assert_cmpint (zmq_setsockopt (attacker, ZMQ_SUBSCRIBE, topic, len), ==, 0);
      /* In steps the controller's receive queue can take. */
      if (i % 500 == 499)
        g_usleep (2000);
    }
  watcher = peer_connect_with (conn, conn->event_url, ZMQ_SUB);
  g_assert_cmpint (zmq_setsockopt (watcher, ZMQ_SUBSCRIBE, LOOM_EVENT_TOPIC_TASKS, strlen (LOOM_EVENT_TOPIC_TASKS)),
                   ==, 0);
  g_usleep (500 * 1000);

  for (guint i = 0; i < 3000; i++)
    json_array_add_int_element (params, i);
  /* Not a timing: 71 s when every subscription was scanned per event. */
  result = loom_view_map_async (view, "echo", params, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (result, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (values)), ==, 3000);

  while ((msg = peer_recv (wire, watcher, 500)) != NULL)
    {
      JsonArray *events = loom_json_array (loom_message_get_content (msg, NULL), "events");

      task_events += events ? json_array_get_length (events) : 0;
      loom_message_free (msg);
    }
  g_assert_cmpuint (task_events, >=, 3000);

  zmq_close (attacker);
  zmq_close (watcher);
  g_usleep (200 * 1000);
  status = loom_client_get_status (client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (status);
  loom_wire_free (wire);
  loom_cluster_stop (cluster);
}

/* --- results over the message limit --------------------------------------- */

/* With a controller that takes messages of at most 256 KiB: a command
 * whose output is 600 KB fails with ResultTooLarge, giving both sizes,
 * instead of being cut off by libzmq and staying "running" for ever; its
 * neighbours, batched in the same messages, arrive. */
static void
test_result_too_large (void)
{
  g_autoptr(LoomCluster) cluster = loom_cluster_new (NULL);
  const char *argv[] = { "sh", "-c", "if [ {x} = 1 ]; then yes | head -c 600000; else echo {x}; fi", NULL };
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_command (argv);
  g_autoptr(LoomView) view = NULL;
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;

  loom_controller_set_max_message_size (loom_cluster_get_controller (cluster), 256 * 1024);
  g_assert_true (loom_cluster_start (cluster, 1, &error));
  g_assert_no_error (error);
  view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) p = json_object_new ();

      json_object_set_int_member (p, "x", i);
      json_array_add_object_element (params, g_steal_pointer (&p));
    }
  result = loom_view_map_spec_async (view, spec, params, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (result, 30, &error);
  g_assert_nonnull (error);
  g_assert_true (loom_async_result_ready (result));
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (result, i);

      if (i == 1)
        {
          g_assert_cmpint (info->status, ==, LOOM_TASK_FAILED);
          g_assert_cmpstr (info->error_type, ==, "ResultTooLarge");
          g_test_message ("%s", info->error_message);
          g_assert_nonnull (strstr (info->error_message, "(262144 bytes)"));
          g_assert_nonnull (strstr (info->error_message, "bytes), more than the controller's message limit"));
        }
      else
        {
          g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
          g_assert_nonnull (info->stdout_text);
        }
    }
  loom_cluster_stop (cluster);
}

/* --- tables that could grow for ever --------------------------------------- */

/* A job aimed at an engine that never registers does not wait (in
 * memory) for ever: after 30 heartbeat timeouts its tasks fail with
 * NoEngine.  An id no engine can have is refused at once. */
static void
test_targets_never_registered (void)
{
  ClusterOptions opts = { .n_engines = 1, .heartbeat_ms = 100, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  const guint never[] = { 7 };
  const guint impossible[] = { 70000 };

  json_array_add_int_element (params, 1);
  loom_view_set_targets (view, impossible, 1);
  result = loom_view_map_async (view, "echo", params, &error);
  if (result != NULL)
    values = loom_async_result_get (result, 10, &error);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "0 to 65535"));
  g_clear_error (&error);
  g_clear_object (&result);

  loom_view_set_targets (view, never, 1);
  result = loom_view_map_async (view, "echo", params, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (result, 20, &error);
  g_assert_nonnull (error);
  g_assert_true (loom_async_result_ready (result));
  info = loom_async_result_get_task_info (result, 0);
  g_assert_cmpstr (info->error_type, ==, "NoEngine");
  g_assert_nonnull (strstr (info->error_message, "within 3 s"));
  loom_cluster_stop (cluster);
}

/* 300 engines that register and leave: the status lists the newest 64 of
 * them, not all. */
static void
test_gone_engines_listed (void)
{
  TestController tc = { 0 };
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *engines;

  test_controller_start (&tc, 0);
  for (guint i = 0; i < 300; i++)
    {
      FakeEngine fe = { 0 };
      g_autoptr(LoomMessage) bye = NULL;

      fake_engine_register (&fe, &tc);
      loom_wire_send (tc.engine_wire, fe.sock, NULL, "unregister", NULL, "{}", 2, NULL, 0);
      bye = peer_recv (tc.engine_wire, fe.sock, WAIT_MS);
      g_assert_nonnull (bye);
      fake_engine_close (&fe);
    }
  client = loom_client_new_for_file (loom_controller_get_connection_file (tc.ctl), &error);
  g_assert_no_error (error);
  status = loom_client_get_status (client, &error);
  g_assert_no_error (error);
  engines = loom_cluster_status_get_engines (status);
  g_assert_cmpuint (g_list_model_get_n_items (engines), ==, 64);
  {
    g_autoptr(LoomEngineInfo) last = g_list_model_get_item (engines, 63);

    g_assert_cmpint (loom_engine_info_get_id (last), ==, 299);
  }
  loom_client_close (client);
  test_controller_stop (&tc);
}

/* --- files ---------------------------------------------------------------- */

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

/* Under umask 0: the sockets and the connection file are the user's
 * alone; a connection file that others can read is warned about when it is
 * loaded; a connection folder others can write to is refused. */
static void
test_files (void)
{
  TestController tc = { 0 };
  g_autoptr(LoomController) ctl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = loom_connection_dir ();
  g_autofree char *path = NULL;
  mode_t old_umask = umask (0);

  test_controller_start (&tc, 0);
  path = g_strdup (loom_controller_get_connection_file (tc.ctl));
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (dir), ==, 0700);
  if (g_str_has_prefix (tc.conn->client_url, "ipc://"))
    {
      g_assert_cmpuint (file_mode (tc.conn->client_url + 6), ==, 0600);
      g_assert_cmpuint (file_mode (tc.conn->engine_url + 6), ==, 0600);
      g_assert_cmpuint (file_mode (tc.conn->event_url + 6), ==, 0600);
    }

  test_controller_stop (&tc);

  g_assert_cmpint (g_chmod (dir, 0777), ==, 0);
  ctl = loom_controller_new (NULL);
  g_assert_false (loom_controller_start (ctl, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "is not yours alone"));
  g_assert_nonnull (strstr (error->message, "chmod 700"));
  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
  umask (old_umask);
}

/* A connection file others can read is warned about when it is loaded
 * (in a child: warnings are fatal in tests). */
static void
test_readable_connection_file (void)
{
  TestController tc = { 0 };
  g_autofree char *copy = g_build_filename (g_get_user_data_dir (), "readable.json", NULL);
  g_autofree char *text = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(LoomConnection) conn = loom_connection_load (g_getenv ("LOOM_TEST_CONNECTION_FILE"), NULL);

      g_assert_nonnull (conn);
      return;
    }

  test_controller_start (&tc, 0);
  g_assert_true (g_file_get_contents (loom_controller_get_connection_file (tc.ctl), &text, NULL, NULL));
  test_controller_stop (&tc);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents_full (copy, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, NULL));

  g_setenv ("LOOM_TEST_CONNECTION_FILE", copy, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*can be read by others (mode 644)*chmod 600*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/loom/security/engine-text-and-times", test_engine_text_and_times);
  g_test_add_func ("/loom/security/subscription-flood", test_subscription_flood);
  g_test_add_func ("/loom/security/result-too-large", test_result_too_large);
  g_test_add_func ("/loom/security/targets-never-registered", test_targets_never_registered);
  g_test_add_func ("/loom/security/gone-engines-listed", test_gone_engines_listed);
  g_test_add_func ("/loom/security/files", test_files);
  g_test_add_func ("/loom/security/readable-connection-file", test_readable_connection_file);

  return g_test_run ();
}
