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

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

/* --- replay ---------------------------------------------------------------- */

/* The status reply's content, parsed (owned by @reply). */
static JsonObject *
status_of (TestController *tc,
           void           *sock,
           LoomMessage   **reply)
{
  g_autofree char *id = NULL;

  loom_wire_send (tc->wire, sock, NULL, "status", NULL, "{}", 2, NULL, 0);
  id = g_strdup (loom_wire_last_msg_id (tc->wire));
  for (;;)
    {
      *reply = peer_recv (tc->wire, sock, WAIT_MS);
      g_assert_nonnull (*reply);
      if (g_strcmp0 ((*reply)->parent, id) == 0)
        break;
      g_clear_pointer (reply, loom_message_free);
    }
  g_assert_cmpstr ((*reply)->msg_type, ==, "status_reply");
  return loom_message_get_content (*reply, NULL);
}

/* A captured submit, replayed after 70,000 other messages (more than the
 * 65,536 digests the controller used to remember), is refused as
 * replayed; a submit dated an hour ago (or ahead), correctly signed, is
 * refused as stale; neither makes a job, and the controller still
 * answers. */
static void
test_replay_window (void)
{
  TestController tc = { 0 };
  g_autoptr(GPtrArray) captured = NULL;
  g_autoptr(LoomMessage) submitted = NULL;
  g_autoptr(LoomMessage) st = NULL;
  const char *submit = "{\"spec\":{\"function\":\"noop\"},\"count\":1}";
  g_autoptr(GBytes) line = g_bytes_new_static ("{}", 2);
  JsonObject *status, *dropped;
  guint n_pongs = 0;
  void *sock;

  test_controller_start (&tc, 0);
  sock = peer_connect (tc.conn->client_url, ZMQ_DEALER);

  captured = loom_wire_encode (tc.wire, NULL, "submit", NULL, submit, -1, &line, 1);
  peer_send_frames (sock, captured);
  submitted = peer_recv (tc.wire, sock, WAIT_MS);
  g_assert_nonnull (submitted);
  g_assert_cmpstr (submitted->msg_type, ==, "submit_reply");

  /* 70,000 pings, 500 at a time. */
  for (guint sent = 0; sent < 70000; sent += 500)
    {
      for (guint i = 0; i < 500; i++)
        loom_wire_send (tc.wire, sock, NULL, "ping", NULL, "{}", 2, NULL, 0);
      for (guint i = 0; i < 500; i++)
        {
          g_autoptr(LoomMessage) pong = peer_recv (tc.wire, sock, WAIT_MS);

          g_assert_nonnull (pong);
          g_assert_cmpstr (pong->msg_type, ==, "pong");
          n_pongs++;
        }
    }
  g_assert_cmpuint (n_pongs, ==, 70000);

  /* The replay, then submits dated an hour ago and an hour ahead. */
  peer_send_frames (sock, captured);
  {
    const gint64 offsets[] = { -3600, 3600 };

    for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
      {
        g_autofree char *header = g_strdup_printf ("{\"msg_id\":\"old-%u\",\"msg_type\":\"submit\",\"parent\":null,"
                                                   "\"date\":%" G_GINT64_FORMAT ",\"version\":1}",
                                                   i, g_get_real_time () + offsets[i] * G_USEC_PER_SEC);
        g_autoptr(GPtrArray) frames = peer_sign_frames (tc.conn->key, header, submit, "{}");

        peer_send_frames (sock, frames);
      }
  }

  /* No reply to any of them (the status reply is the next message), and
   * each counted for its reason. */
  loom_wire_send (tc.wire, sock, NULL, "status", NULL, "{}", 2, NULL, 0);
  st = peer_recv (tc.wire, sock, WAIT_MS);
  g_assert_nonnull (st);
  g_assert_cmpstr (st->msg_type, ==, "status_reply");
  status = loom_message_get_content (st, NULL);
  dropped = loom_json_object (status, "dropped");
  g_assert_nonnull (dropped);
  g_assert_cmpint (loom_json_int (dropped, "replayed", -1), ==, 1);
  g_assert_cmpint (loom_json_int (dropped, "stale", -1), ==, 2);
  g_assert_cmpint (loom_json_int (status, "jobs", -1), ==, 1);
  g_clear_pointer (&st, loom_message_free);

  /* Still serving. */
  status = status_of (&tc, sock, &st);
  g_assert_cmpint (loom_json_int (status, "jobs", -1), ==, 1);
  zmq_close (sock);
  g_assert_true (loom_controller_is_running (tc.ctl));
  test_controller_stop (&tc);
}

/* --- a client that never reads ------------------------------------------- */

static gint64
rss_kb (void)
{
  g_autofree char *text = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &text, NULL, NULL));
  line = strstr (text, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen ("VmRSS:"), NULL, 10);
}

/* A client sends 100,000 pings and never reads a pong.  The controller
 * queues at most CTL_CLIENT_QUEUE replies for it and drops and counts the
 * rest, so its memory stays bounded (the controller runs in this process:
 * its RSS is ours); another client is served all along, and the first is
 * answered again once it reads. */
static void
test_client_never_reads (void)
{
  TestController tc = { 0 };
  g_autoptr(LoomMessage) st = NULL;
  JsonObject *status, *limits;
  gint64 before, after, dropped = 0;
  gint64 deadline;
  void *deaf, *other;
  guint drained = 0;

  test_controller_start (&tc, 0);
  deaf = peer_connect (tc.conn->client_url, ZMQ_DEALER);
  other = peer_connect (tc.conn->client_url, ZMQ_DEALER);
  status = status_of (&tc, other, &st);
  limits = loom_json_object (status, "limits");
  g_assert_nonnull (limits);
  g_assert_cmpint (loom_json_int (loom_json_object (limits, "client_queue"), "limit", 0), ==, 1000);
  g_clear_pointer (&st, loom_message_free);

  before = rss_kb ();
  /* Blocking sends (loom_wire_send does not wait): every ping goes. */
  for (guint i = 0; i < 100000; i++)
    {
      g_autoptr(GPtrArray) frames = loom_wire_encode (tc.wire, NULL, "ping", NULL, "{}", 2, NULL, 0);

      peer_send_frames (deaf, frames);
    }

  /* Until all are handled: the count of dropped replies stops growing.
   * What is not dropped sits in the two sockets' queues and, over TCP,
   * in the kernel's socket buffers (bounded, and not the controller's
   * memory). */
  deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  for (gint64 last = -1; g_get_monotonic_time () < deadline; last = dropped)
    {
      status = status_of (&tc, other, &st);
      dropped = loom_json_int (status, "replies_dropped", -1);
      g_clear_pointer (&st, loom_message_free);
      if (dropped > 0 && dropped == last)
        break;
      g_usleep (500000);
    }
  after = rss_kb ();
  g_test_message ("replies dropped %" G_GINT64_FORMAT ", RSS %" G_GINT64_FORMAT " kB -> %" G_GINT64_FORMAT " kB",
                  dropped, before, after);
  g_assert_cmpint (dropped, >, 0);
  g_assert_cmpint (dropped, <, 100000);
  /* 100,000 queued replies took +112 MB before the bound. */
  g_assert_cmpint (after - before, <, 40 * 1024);

  /* The deaf client reads what was kept, then is answered again. */
  {
    LoomMessage *msg;

    while ((msg = peer_recv (tc.wire, deaf, 1000)) != NULL)
      {
        drained++;
        loom_message_free (msg);
      }
    g_test_message ("%u replies were kept for it", drained);
    g_assert_cmpuint (drained, >, 0);
    g_assert_cmpuint (drained + dropped, ==, 100000);
    loom_wire_send (tc.wire, deaf, NULL, "ping", NULL, "{}", 2, NULL, 0);
    msg = peer_recv (tc.wire, deaf, WAIT_MS);
    g_assert_nonnull (msg);
    g_assert_cmpstr (msg->msg_type, ==, "pong");
    loom_message_free (msg);
  }

  zmq_close (deaf);
  zmq_close (other);
  g_assert_true (loom_controller_is_running (tc.ctl));
  test_controller_stop (&tc);
}

/* --- limits on what a client makes the controller hold ------------------- */

/* Sends a request and returns its reply, skipping anything else. */
static LoomMessage *
request_reply (TestController *tc,
               void           *sock,
               const char     *type,
               const char     *content,
               GBytes         *buffer)
{
  g_autofree char *id = NULL;

  loom_wire_send (tc->wire, sock, NULL, type, NULL, content, -1, &buffer, buffer ? 1 : 0);
  id = g_strdup (loom_wire_last_msg_id (tc->wire));
  for (;;)
    {
      LoomMessage *reply = peer_recv (tc->wire, sock, WAIT_MS);

      g_assert_nonnull (reply);
      if (g_strcmp0 (reply->parent, id) == 0)
        return reply;
      loom_message_free (reply);
    }
}

static LoomMessage *
submit_listed (TestController *tc,
               void           *sock,
               guint           n)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GBytes) buffer = NULL;
  g_autofree char *content = g_strdup_printf ("{\"spec\":{\"function\":\"noop\"},\"count\":%u}", n);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (lines, "%s{\"x\":%u}", i ? "\n" : "", i);
  buffer = g_bytes_new (lines->str, lines->len);
  return request_reply (tc, sock, "submit", content, buffer);
}

static void
assert_refused_with (LoomMessage *reply,
                     const char  *option)
{
  JsonObject *error = loom_json_object (loom_message_get_content (reply, NULL), "error");

  g_assert_cmpstr (reply->msg_type, ==, "error_reply");
  g_assert_nonnull (error);
  g_test_message ("%s", loom_json_string (error, "message", ""));
  g_assert_nonnull (strstr (loom_json_string (error, "message", ""), option));
}

/* With no engine, jobs stay unfinished: the third is refused by --max-jobs
 * 2; a list of 11 tasks by --max-job-tasks 10; 2,000 bytes of parameters
 * by --max-job-params 1000.  Each refusal names the option, and the status
 * reports each limit with its use. */
static void
small_job_limits (LoomController *ctl)
{
  loom_controller_set_job_limits (ctl, 2, 10, 1000);
}

static void
test_job_limits (void)
{
  TestController tc = { 0 };
  g_autoptr(LoomMessage) st = NULL;
  JsonObject *status, *limits;
  void *sock;

  test_controller_start_with (&tc, 0, small_job_limits);
  sock = peer_connect (tc.conn->client_url, ZMQ_DEALER);

  {
    g_autoptr(LoomMessage) reply = submit_listed (&tc, sock, 11);
    assert_refused_with (reply, "--max-job-tasks N");
    g_assert_nonnull (strstr (loom_json_string (loom_json_object (loom_message_get_content (reply, NULL), "error"),
                                                "message", ""), "at most 10 tasks"));
  }
  {
    g_autoptr(LoomMessage) a = submit_listed (&tc, sock, 10);
    g_autoptr(LoomMessage) b = submit_listed (&tc, sock, 3);
    g_autoptr(LoomMessage) c = submit_listed (&tc, sock, 1);

    g_assert_cmpstr (a->msg_type, ==, "submit_reply");
    g_assert_cmpstr (b->msg_type, ==, "submit_reply");
    assert_refused_with (c, "--max-jobs N");
  }
  {
    /* 2,000 bytes in one line: too many bytes, not too many tasks (the
     * job limit is checked first: abort one of the two jobs). */
    g_autofree char *big = g_strnfill (2000, 'x');
    g_autofree char *line = g_strdup_printf ("{\"s\":\"%s\"}", big);
    g_autoptr(GBytes) buffer = g_bytes_new (line, strlen (line));
    g_autoptr(LoomMessage) reply = NULL;

    g_autoptr(LoomMessage) aborted = NULL;

    aborted = request_reply (&tc, sock, "abort", "{\"job\":1}", NULL);
    g_assert_cmpstr (aborted->msg_type, ==, "abort_reply");
    reply = request_reply (&tc, sock, "submit", "{\"spec\":{\"function\":\"noop\"},\"count\":1}", buffer);
    assert_refused_with (reply, "--max-job-params BYTES");
  }

  status = status_of (&tc, sock, &st);
  limits = loom_json_object (status, "limits");
  g_assert_nonnull (limits);
  g_assert_cmpint (loom_json_int (loom_json_object (limits, "jobs"), "limit", 0), ==, 2);
  g_assert_cmpint (loom_json_int (loom_json_object (limits, "jobs"), "used", -1), ==, 1);
  g_assert_cmpint (loom_json_int (loom_json_object (limits, "job_tasks"), "limit", 0), ==, 10);
  g_assert_cmpint (loom_json_int (loom_json_object (limits, "job_params_bytes"), "limit", 0), ==, 1000);
  g_assert_cmpint (loom_json_int (loom_json_object (limits, "listed_tasks"), "used", -1), >=, 3);
  g_assert_cmpint (loom_json_int (loom_json_object (limits, "replay_digests"), "used", -1), >, 0);
  {
    const char *every[] = { "message_bytes", "replay_digests", "replay_window_s", "engines",
                            "gone_engines_remembered", "gone_engines_listed", "jobs_receiving_params",
                            "listed_tasks", "client_queue", "results_backlog_bytes", "subscription_prefixes" };

    for (guint i = 0; i < G_N_ELEMENTS (every); i++)
      g_assert_cmpint (loom_json_int (loom_json_object (limits, every[i]), "limit", 0), >, 0);
  }

  zmq_close (sock);
  test_controller_stop (&tc);
}

/* --- what engines may run ------------------------------------------------ */

/* A real loom-engine for @tc's controller, with @args; returns its engine
 * id once it has registered. */
static guint
spawn_engine (TestController  *tc,
              LoomClient      *client,
              GPtrArray       *procs,
              const char     **args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) before = loom_client_get_ids (client, &error);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  /* Engines get the engines' file. */
  g_autofree char *engine_file = loom_connection_engine_path (loom_controller_get_connection_file (tc->ctl));
  GSubprocess *proc;

  g_assert_no_error (error);
  g_ptr_array_add (argv, (gpointer) g_getenv ("LOOM_ENGINE"));
  g_ptr_array_add (argv, (gpointer) "--connection");
  g_ptr_array_add (argv, engine_file);
  g_ptr_array_add (argv, (gpointer) "--reconnect-timeout=5");
  for (guint i = 0; args && args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_ptr_array_add (procs, proc);
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GArray) ids = loom_client_get_ids (client, &error);

      g_assert_no_error (error);
      if (ids->len > before->len)
        return g_array_index (ids, guint, ids->len - 1);
      g_usleep (10000);
    }
  g_error ("engine %s did not register", args && args[0] ? args[0] : "");
  return 0;
}

static void
stop_engines (GPtrArray *procs)
{
  for (guint i = 0; i < procs->len; i++)
    {
      GSubprocess *proc = g_ptr_array_index (procs, i);

      g_subprocess_send_signal (proc, SIGTERM);
      g_subprocess_wait (proc, NULL, NULL);
    }
}

/* Runs @spec with @params on engine @id; the task's info. */
static LoomTaskInfo *
run_on (LoomClient   *client,
        guint         id,
        LoomTaskSpec *spec,
        JsonObject   *params)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(JsonArray) list = json_array_new ();
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;

  json_array_add_object_element (list, params ? json_object_ref (params) : json_object_new ());
  loom_view_set_targets (view, &id, 1);
  res = loom_view_map_spec_async (view, spec, list, &error);
  g_assert_no_error (error);
  g_assert_true (loom_async_result_wait (res, 30));
  return loom_async_result_get_task_info (res, 0);
}

static LoomTaskInfo *
run_plugin_on (LoomClient *client,
               guint       id,
               const char *path)
{
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_plugin (path, "square");
  g_autoptr(JsonObject) params = json_object_new ();

  json_object_set_int_member (params, "x", 7);
  return run_on (client, id, spec, params);
}

static void
assert_refused (LoomTaskInfo *info,
                const char   *path)
{
  g_test_message ("%s: %s", path, info->error_message);
  g_assert_cmpint (info->status, ==, LOOM_TASK_FAILED);
  g_assert_cmpstr (info->error_type, ==, "PluginNotAllowed");
  g_assert_nonnull (strstr (info->error_message, "--plugin-dir"));
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (from, &data, &len, NULL));
  g_assert_true (g_file_set_contents_full (to, data, len, G_FILE_SET_CONTENTS_NONE, 0755, NULL));
}

/* An engine given --plugin-dir loads plugins from there and from nowhere
 * else: not the test plugin where it is built, not through "..", not
 * through a symbolic link that leads out.  An engine given nothing loads
 * none.  A local cluster's default (--allow-own-plugins) loads a file
 * only its owner can write, in a directory only its owner can write, and
 * refuses a world-writable one. */
static void
test_plugin_dirs (void)
{
  TestController tc = { 0 };
  g_autoptr(GPtrArray) procs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GError) error = NULL;
  const char *plugin = g_getenv ("LOOM_TEST_PLUGIN");
  g_autofree char *tmp = g_dir_make_tmp ("loom-plugins-XXXXXX", &error);
  g_autofree char *allowed = g_build_filename (tmp, "allowed", NULL);
  g_autofree char *open_dir = g_build_filename (tmp, "open", NULL);
  g_autofree char *inside = g_build_filename (allowed, "plugin.so", NULL);
  g_autofree char *outside = g_build_filename (tmp, "plugin.so", NULL);
  g_autofree char *dotdot = g_build_filename (allowed, "..", "plugin.so", NULL);
  g_autofree char *link = g_build_filename (allowed, "link.so", NULL);
  g_autofree char *in_open = g_build_filename (open_dir, "plugin.so", NULL);
  g_autofree char *writable = g_build_filename (allowed, "writable.so", NULL);
  g_autofree char *dir_arg = g_strconcat ("--plugin-dir=", allowed, NULL);
  const char *given_dir[] = { dir_arg, NULL };
  const char *given_nothing[] = { NULL };
  const char *own[] = { "--allow-own-plugins", NULL };
  const char *bad_dir[] = { "--plugin-dir=/nonexistent/dir", NULL };
  guint with_dir, with_nothing, with_own;

  g_assert_no_error (error);
  g_assert_nonnull (plugin);
  g_assert_cmpint (g_mkdir (allowed, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (open_dir, 0755), ==, 0);
  copy_file (plugin, inside);
  copy_file (plugin, outside);
  copy_file (plugin, in_open);
  copy_file (plugin, writable);
  g_assert_cmpint (g_chmod (open_dir, 0777), ==, 0);
  g_assert_cmpint (g_chmod (writable, 0666), ==, 0);
  g_assert_cmpint (symlink (outside, link), ==, 0);

  test_controller_start (&tc, 0);
  client = loom_client_new_for_file (loom_controller_get_connection_file (tc.ctl), &error);
  g_assert_no_error (error);

  /* A directory that is not one: the engine does not start (exit 2). */
  {
    g_autofree char *engine_file = loom_connection_engine_path (loom_controller_get_connection_file (tc.ctl));
    const char *argv[] = { g_getenv ("LOOM_ENGINE"), "--connection", engine_file, bad_dir[0], NULL };
    g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);

    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait (proc, NULL, NULL));
    g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
  }

  with_dir = spawn_engine (&tc, client, procs, given_dir);
  with_nothing = spawn_engine (&tc, client, procs, given_nothing);
  with_own = spawn_engine (&tc, client, procs, own);

  {
    g_autoptr(LoomTaskInfo) info = run_plugin_on (client, with_dir, inside);

    g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
    g_assert_cmpfloat (json_node_get_double (info->result), ==, 49);
  }
  {
    const char *refused[] = { plugin, outside, dotdot, link };

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_autoptr(LoomTaskInfo) info = run_plugin_on (client, with_dir, refused[i]);

        assert_refused (info, refused[i]);
        g_assert_nonnull (strstr (info->error_message, allowed));
      }
  }
  {
    g_autoptr(LoomTaskInfo) info = run_plugin_on (client, with_nothing, inside);

    assert_refused (info, inside);
    g_assert_nonnull (strstr (info->error_message, "given none"));
  }
  {
    g_autoptr(LoomTaskInfo) info = run_plugin_on (client, with_own, plugin);

    g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
  }
  {
    const char *refused[] = { in_open, writable };

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_autoptr(LoomTaskInfo) info = run_plugin_on (client, with_own, refused[i]);

        assert_refused (info, refused[i]);
      }
  }
  /* A file that is not there is still PluginNotFound. */
  {
    g_autoptr(LoomTaskInfo) info = run_plugin_on (client, with_dir, "/nonexistent/plugin.so");

    g_assert_cmpstr (info->error_type, ==, "PluginNotFound");
  }

  stop_engines (procs);
  loom_client_close (client);
  test_controller_stop (&tc);
  g_assert_cmpint (g_chmod (open_dir, 0755), ==, 0);
  {
    const char *files[] = { inside, outside, link, in_open, writable };

    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      g_unlink (files[i]);
    g_rmdir (open_dir);
    g_rmdir (allowed);
    g_rmdir (tmp);
  }
}

/* An engine started with --no-commands fails a command task with
 * CommandsDisabled, and still runs a builtin. */
static void
test_no_commands (void)
{
  TestController tc = { 0 };
  g_autoptr(GPtrArray) procs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--no-commands", NULL };
  const char *argv[] = { "echo", "hello", NULL };
  g_autoptr(LoomTaskSpec) command = loom_task_spec_new_command (argv);
  g_autoptr(LoomTaskSpec) echo = loom_task_spec_new_builtin ("echo");
  guint id;

  test_controller_start (&tc, 0);
  client = loom_client_new_for_file (loom_controller_get_connection_file (tc.ctl), &error);
  g_assert_no_error (error);
  id = spawn_engine (&tc, client, procs, args);
  {
    g_autoptr(LoomTaskInfo) info = run_on (client, id, command, NULL);

    g_test_message ("%s", info->error_message);
    g_assert_cmpint (info->status, ==, LOOM_TASK_FAILED);
    g_assert_cmpstr (info->error_type, ==, "CommandsDisabled");
    g_assert_nonnull (strstr (info->error_message, "--no-commands"));
    g_assert_null (info->stdout_text);
  }
  {
    g_autoptr(LoomTaskInfo) info = run_on (client, id, echo, NULL);

    g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
  }
  stop_engines (procs);
  loom_client_close (client);
  test_controller_stop (&tc);
}

/* A parameter that looks like an option reaches the command as one
 * argument, verbatim: `printf %s {x}` prints "-n", "--help", and a value
 * with spaces and shell syntax, unchanged. */
static void
test_command_dash_values (void)
{
  ClusterOptions opts = { .n_engines = 1, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  const char *argv[] = { "printf", "%s", "{x}", NULL };
  const char *values[] = { "-n", "--help", "-- $(id) ; `x` *", "--version" };
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_command (argv);
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(LoomAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(JsonObject) p = json_object_new ();

      json_object_set_string_member (p, "x", values[i]);
      json_array_add_object_element (params, g_steal_pointer (&p));
    }
  res = loom_view_map_spec_async (view, spec, params, &error);
  g_assert_no_error (error);
  g_assert_true (loom_async_result_wait (res, 30));
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (res, i);

      g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
      g_assert_cmpstr (info->stdout_text, ==, values[i]);
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

/* --- a long list of parameters -------------------------------------------- */

#define LONG_LIST_TASKS  200000
#define LONG_CSV_ROWS    100000
/* A generous bound on a status round trip: the loop must never be held
 * for seconds by a long list, whatever the machine. */
#define ANSWER_MS        2000

static void
with_store (LoomController *ctl)
{
  g_autofree char *path = g_build_filename (g_get_user_state_dir (), "long-list.db", NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_state_dir (), 0700), ==, 0);
  loom_controller_set_store (ctl, TRUE, path);
}

/* A status request is answered within ANSWER_MS, and the engines of
 * @ids are all there and alive: none was declared dead and replaced. */
static void
assert_answering_with_engines (TestController *tc,
                               void           *sock,
                               const guint    *ids,
                               guint           n_ids)
{
  g_autofree char *id = NULL;
  g_autoptr(LoomMessage) reply = NULL;
  JsonArray *engines;

  loom_wire_send (tc->wire, sock, NULL, "status", NULL, "{}", 2, NULL, 0);
  id = g_strdup (loom_wire_last_msg_id (tc->wire));
  reply = peer_recv (tc->wire, sock, ANSWER_MS);
  g_assert_nonnull (reply);
  g_assert_cmpstr (reply->parent, ==, id);
  engines = loom_json_array (loom_message_get_content (reply, NULL), "engines");
  g_assert_nonnull (engines);
  g_assert_cmpuint (json_array_get_length (engines), ==, n_ids);
  for (guint i = 0; i < n_ids; i++)
    {
      JsonObject *engine = json_array_get_object_element (engines, i);
      const char *state = loom_json_string (engine, "state", "");

      g_assert_cmpint (loom_json_int (engine, "id", -1), ==, ids[i]);
      if (!g_str_equal (state, "idle") && !g_str_equal (state, "busy"))
        g_error ("engine %u is %s while a long list runs", ids[i], state);
    }
}

/* Waits for @res, asking for the status all along. */
static void
wait_answering (TestController  *tc,
                void            *sock,
                LoomAsyncResult *res,
                const guint     *ids,
                guint            n_ids)
{
  gint64 start = g_get_monotonic_time ();
  guint asked = 0;

  while (!loom_async_result_wait (res, 0.1))
    {
      assert_answering_with_engines (tc, sock, ids, n_ids);
      asked++;
    }
  assert_answering_with_engines (tc, sock, ids, n_ids);
  g_test_message ("%u status requests answered while the job ran (%.1f s)", asked + 1,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

/* Reads the tasks of finished job @job_id back, a page at a time, from
 * task @first on: task i's parameters have x = @x_of (i). */
static void
assert_pages (LoomClient *client,
              guint       job_id,
              guint       first,
              guint       n_tasks,
              guint       (*x_of) (guint index))
{
  gint64 start = g_get_monotonic_time ();
  guint pages = 0;

  while (first < n_tasks)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) page = NULL;
      JsonArray *tasks;
      guint next = 0;

      page = loom_client_read_job (client, job_id, first, 0, &next, NULL, &error);
      g_assert_no_error (error);
      tasks = json_node_get_array (page);
      g_assert_cmpuint (json_array_get_length (tasks), ==, next - first);
      g_assert_cmpuint (next, >, first);
      for (guint i = 0; i < json_array_get_length (tasks); i += 997)
        {
          JsonObject *task = json_array_get_object_element (tasks, i);
          JsonObject *params = loom_json_object (task, "params");

          g_assert_nonnull (params);
          g_assert_cmpint (loom_json_int (params, "x", -1), ==, x_of (first + i));
        }
      first = next;
      pages++;
    }
  g_test_message ("job %u read back in %u pages (%.1f s)", job_id, pages,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

/* A client that attaches to finished job @job_id (as one does after a
 * restart) gets every task's result again, in pages, the last saying the
 * job finished; the controller answers a status request sent after the
 * attach before the last page (the pages do not hold its loop). */
static void
assert_attach_resends (TestController *tc,
                       void           *sock,
                       guint           job_id,
                       guint           n_tasks)
{
  g_autofree char *content = g_strdup_printf ("{\"job\":%u,\"ref\":77}", job_id);
  g_autofree char *status_id = NULL;
  gboolean finished = FALSE, status_answered = FALSE, status_first = FALSE;
  guint n = 0, pages = 0;

  loom_wire_send (tc->wire, sock, NULL, "attach", NULL, content, -1, NULL, 0);
  loom_wire_send (tc->wire, sock, NULL, "status", NULL, "{}", 2, NULL, 0);
  status_id = g_strdup (loom_wire_last_msg_id (tc->wire));
  while (!finished || !status_answered)
    {
      g_autoptr(LoomMessage) msg = peer_recv (tc->wire, sock, WAIT_MS);
      JsonObject *obj;

      g_assert_nonnull (msg);
      obj = loom_message_get_content (msg, NULL);
      if (g_strcmp0 (msg->parent, status_id) == 0)
        {
          status_answered = TRUE;
          status_first = !finished;
          continue;
        }
      if (!g_str_equal (msg->msg_type, "results"))
        continue;
      g_assert_cmpint (loom_json_int (obj, "ref", -1), ==, 77);
      n += json_array_get_length (loom_json_array (obj, "tasks"));
      finished = loom_json_int (obj, "finished", 0) != 0;
      pages++;
    }
  g_assert_cmpuint (n, ==, n_tasks);
  g_assert_cmpuint (pages, >, 1);
  g_assert_true (status_first);
  g_test_message ("attach: %u results sent again in %u pages", n, pages);
}

static guint
x_is_index (guint index)
{
  return index;
}

static guint
x_is_twice_index (guint index)
{
  return 2 * index;
}

/* 200,000 tasks given as a list, and 100,000 as a CSV table (which goes
 * as a list too), on a controller with a store and two real engines: the
 * parameters come in chunks and the tasks run while the controller
 * answers every status request, no engine is declared dead, every task
 * is done, and the jobs read back page by page with their parameters
 * (and, to a client that attaches, as results).  A submit whose JSON is
 * too long to parse in one go is refused, saying what to do. */
static void
test_long_list (void)
{
  TestController tc = { 0 };
  g_autoptr(GPtrArray) procs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomView) view = NULL;
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_builtin ("echo");
  g_autoptr(GError) error = NULL;
  guint ids[2];
  void *sock;

  test_controller_start_with (&tc, 0, with_store);
  client = loom_client_new_for_file (loom_controller_get_connection_file (tc.ctl), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    ids[i] = spawn_engine (&tc, client, procs, NULL);
  sock = peer_connect (tc.conn->client_url, ZMQ_DEALER);
  view = loom_client_load_balanced_view (client);

  {
    g_autoptr(GString) text = g_string_new (NULL);
    g_autoptr(GBytes) lines = NULL;
    g_autoptr(LoomAsyncResult) res = NULL;
    g_autoptr(JsonNode) all = NULL;

    for (guint i = 0; i < LONG_LIST_TASKS; i++)
      g_string_append_printf (text, "%s{\"x\":%u}", i ? "\n" : "", i);
    lines = g_string_free_to_bytes (g_steal_pointer (&text));
    res = loom_view_map_lines_async (view, spec, lines, LONG_LIST_TASKS, &error);
    g_assert_no_error (error);
    /* The first status goes while the chunks are still on their way. */
    wait_answering (&tc, sock, res, ids, G_N_ELEMENTS (ids));
    g_assert_cmpuint (loom_async_result_get_n_tasks (res), ==, LONG_LIST_TASKS);
    g_assert_cmpuint (loom_async_result_get_n_failed (res), ==, 0);
    all = loom_async_result_get (res, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (all)), ==, LONG_LIST_TASKS);
    g_assert_cmpint (loom_json_int (json_array_get_object_element (json_node_get_array (all), LONG_LIST_TASKS - 1),
                                    "x", -1), ==, LONG_LIST_TASKS - 1);
    assert_pages (client, loom_async_result_get_job_id (res), 0, LONG_LIST_TASKS, x_is_index);
    assert_attach_resends (&tc, sock, loom_async_result_get_job_id (res), LONG_LIST_TASKS);
  }

  {
    g_autoptr(GString) csv = g_string_new ("x,name\n");
    g_autoptr(LoomSweep) sweep = loom_sweep_new ();
    g_autoptr(LoomAsyncResult) res = NULL;

    for (guint i = 0; i < LONG_CSV_ROWS; i++)
      g_string_append_printf (csv, "%u,row%u\n", 2 * i, i);
    g_assert_true (loom_sweep_add_csv_data (sweep, csv->str, csv->len, &error));
    g_assert_no_error (error);
    res = loom_view_map_sweep_async (view, spec, sweep, &error);
    g_assert_no_error (error);
    wait_answering (&tc, sock, res, ids, G_N_ELEMENTS (ids));
    g_assert_cmpuint (loom_async_result_get_n_tasks (res), ==, LONG_CSV_ROWS);
    g_assert_cmpuint (loom_async_result_get_n_failed (res), ==, 0);
    /* The last pages: reading is the client's work more than the
     * controller's, and the first job read every page. */
    assert_pages (client, loom_async_result_get_job_id (res), LONG_CSV_ROWS - 5000, LONG_CSV_ROWS, x_is_twice_index);
  }

  {
    g_autoptr(GString) content = g_string_new ("{\"spec\":{\"function\":\"echo\"},\"count\":1,\"name\":\"");
    g_autoptr(LoomMessage) reply = NULL;

    while (content->len < 5 * 1024 * 1024)
      g_string_append (content, "padding padding padding padding ");
    g_string_append (content, "\"}");
    reply = request_reply (&tc, sock, "submit", content->str, NULL);
    assert_refused_with (reply, "as lines");
  }

  zmq_close (sock);
  loom_client_close (client);
  stop_engines (procs);
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
  g_test_add_func ("/loom/security/replay-window", test_replay_window);
  g_test_add_func ("/loom/security/client-never-reads", test_client_never_reads);
  g_test_add_func ("/loom/security/job-limits", test_job_limits);
  g_test_add_func ("/loom/security/plugin-dirs", test_plugin_dirs);
  g_test_add_func ("/loom/security/no-commands", test_no_commands);
  g_test_add_func ("/loom/security/command-dash-values", test_command_dash_values);
  g_test_add_func ("/loom/security/targets-never-registered", test_targets_never_registered);
  g_test_add_func ("/loom/security/gone-engines-listed", test_gone_engines_listed);
  g_test_add_func ("/loom/security/long-list", test_long_list);
  g_test_add_func ("/loom/security/files", test_files);
  g_test_add_func ("/loom/security/readable-connection-file", test_readable_connection_file);

  return g_test_run ();
}
