/* test-roles.c: two roles, two credentials, and CURVE on TCP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Clients and engines get different keys in different files.  These tests
 * are attacks by a holder of one role's file on the other role's socket,
 * by peers without keys on a TCP controller, and by a thief of an
 * engine's routing id; each ends with a check that the controller still
 * serves the real peers.
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

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static JsonObject *
read_object (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  node = loom_json_from_data (text, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

/* Sends @msg_type on @sock, signed by @wire, and returns the reply within
 * @timeout_ms, or NULL. */
static LoomMessage *
ask (LoomWire   *wire,
     void       *sock,
     const char *msg_type,
     const char *content,
     guint       timeout_ms)
{
  loom_wire_send (wire, sock, NULL, msg_type, NULL, content, -1, NULL, 0);
  return peer_recv (wire, sock, timeout_ms);
}

/* --- the files ------------------------------------------------------------ */

static void
test_files (void)
{
  TestController tc = { 0 };
  g_autofree char *engine_path = NULL;
  g_autoptr(JsonObject) client_file = NULL;
  g_autoptr(JsonObject) engine_file = NULL;
  g_autoptr(LoomConnection) wrong = NULL;
  g_autoptr(GError) error = NULL;

  test_controller_start_tcp (&tc, 0, "127.0.0.1");
  engine_path = loom_connection_engine_path (loom_controller_get_connection_file (tc.ctl));
  g_assert_true (g_str_has_suffix (engine_path, "-engine.json"));
  g_assert_cmpuint (file_mode (loom_controller_get_connection_file (tc.ctl)), ==, 0600);
  g_assert_cmpuint (file_mode (engine_path), ==, 0600);

  /* Each file carries its own role's secrets and nothing of the other's. */
  client_file = read_object (loom_controller_get_connection_file (tc.ctl));
  engine_file = read_object (engine_path);
  g_assert_cmpstr (loom_json_string (client_file, "role", NULL), ==, "client");
  g_assert_cmpstr (loom_json_string (engine_file, "role", NULL), ==, "engine");
  g_assert_cmpstr (loom_json_string (client_file, "key", NULL), !=, loom_json_string (engine_file, "key", NULL));
  g_assert_cmpstr (loom_json_string (client_file, "curve_public_key", NULL), !=,
                   loom_json_string (engine_file, "curve_public_key", NULL));
  g_assert_cmpstr (loom_json_string (client_file, "curve_server_key", NULL), ==,
                   loom_json_string (engine_file, "curve_server_key", NULL));
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *obj = i ? engine_file : client_file;

      g_assert_false (json_object_has_member (obj, "engine_key"));
      g_assert_false (json_object_has_member (obj, "curve_server_secret_key"));
      g_assert_false (json_object_has_member (obj, "engine_curve_secret_key"));
    }

  /* A file used for the wrong role is refused, naming the right one. */
  wrong = loom_connection_load_for_role (loom_controller_get_connection_file (tc.ctl), LOOM_ROLE_ENGINE, &error);
  g_assert_null (wrong);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, engine_path));
  g_clear_error (&error);
  wrong = loom_connection_load_for_role (engine_path, LOOM_ROLE_CLIENT, &error);
  g_assert_null (wrong);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  {
    g_autoptr(LoomClient) client = loom_client_new_for_file (engine_path, &error);
    g_assert_null (client);
    g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  }

  test_controller_stop (&tc);
  /* A clean stop takes both files away. */
  g_assert_false (g_file_test (engine_path, G_FILE_TEST_EXISTS));
}

/* --- an engine cannot act as a client, nor a client as an engine ---------- */

static void
test_roles (gconstpointer data)
{
  const char *ip = data;
  TestController tc = { 0 };
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomMessage) reply = NULL;
  void *sock;

  test_controller_start_tcp (&tc, 0, ip);
  client = loom_client_new_for_file (loom_controller_get_connection_file (tc.ctl), &error);
  g_assert_no_error (error);

  /* The engines' key on the client socket: a submit and a stop, with the
   * engines' CURVE keys too where there is TCP. */
  sock = peer_connect_with (tc.engine_conn, tc.conn->client_url, ZMQ_DEALER);
  {
    g_autoptr(GBytes) line = g_bytes_new_static ("{}", 2);

    loom_wire_send (tc.engine_wire, sock, NULL, "submit", NULL,
                    "{\"count\":1,\"spec\":{\"kind\":\"builtin\",\"function\":\"noop\"}}", -1, &line, 1);
  }
  reply = ask (tc.engine_wire, sock, "shutdown", "{}", 1000);
  g_assert_null (reply);
  zmq_close (sock);

  /* The clients' key on the engine socket: registering. */
  sock = peer_connect_with (tc.conn, tc.conn->engine_url, ZMQ_DEALER);
  reply = ask (tc.wire, sock, "register", "{\"host\":\"thief\",\"pid\":1}", 1000);
  g_assert_null (reply);
  zmq_close (sock);

  /* Still serving, with no job and no engine from either. */
  g_assert_true (loom_controller_is_running (tc.ctl));
  status = loom_client_get_status (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (loom_cluster_status_get_engines (status)), ==, 0);
  {
    g_autoptr(GListModel) jobs = loom_client_list_jobs (client, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 0);
  }
  if (ip == NULL)
    g_assert_cmpuint (loom_cluster_status_get_dropped (status, "bad_signature"), >=, 2);

  /* And the right key on the right socket works. */
  sock = peer_connect (tc.conn->engine_url, ZMQ_DEALER);
  g_clear_pointer (&reply, loom_message_free);
  reply = ask (tc.engine_wire, sock, "register", "{\"host\":\"real\",\"pid\":1}", WAIT_MS);
  g_assert_nonnull (reply);
  g_assert_cmpstr (reply->msg_type, ==, "register_reply");
  zmq_close (sock);

  g_clear_object (&client);
  test_controller_stop (&tc);
}

/* --- CURVE on TCP --------------------------------------------------------- */

static void
test_curve (void)
{
  TestController tc = { 0 };
  g_autoptr(LoomConnection) stranger = NULL;
  g_autoptr(LoomConnection) wrong_server = NULL;
  g_autoptr(LoomMessage) reply = NULL;
  void *sock;

  test_controller_start_tcp (&tc, 0, "127.0.0.1");
  g_assert_cmpuint (strlen (tc.conn->curve_server), ==, 40);

  /* No keys at all: the handshake never completes, even with the HMAC key
   * (which alone no longer opens anything over TCP). */
  sock = peer_connect_plain (tc.conn->client_url, ZMQ_DEALER);
  reply = ask (tc.wire, sock, "ping", "{}", 1000);
  g_assert_null (reply);
  zmq_close (sock);

  /* Keys of its own, the right server key: not admitted (ZAP). */
  stranger = loom_connection_load (loom_controller_get_connection_file (tc.ctl), NULL);
  g_assert_cmpint (zmq_curve_keypair (stranger->curve_public, stranger->curve_secret), ==, 0);
  sock = peer_connect_with (stranger, tc.conn->client_url, ZMQ_DEALER);
  reply = ask (tc.wire, sock, "ping", "{}", 1000);
  g_assert_null (reply);
  zmq_close (sock);

  /* The clients' keys but a wrong server key (a man in the middle's). */
  wrong_server = loom_connection_load (loom_controller_get_connection_file (tc.ctl), NULL);
  {
    char secret[LOOM_CURVE_KEY_SIZE];
    g_assert_cmpint (zmq_curve_keypair (wrong_server->curve_server, secret), ==, 0);
  }
  sock = peer_connect_with (wrong_server, tc.conn->client_url, ZMQ_DEALER);
  reply = ask (tc.wire, sock, "ping", "{}", 1000);
  g_assert_null (reply);
  zmq_close (sock);

  /* The engines' CURVE keys on the client and event sockets: refused by
   * role, whatever is signed. */
  sock = peer_connect_with (tc.engine_conn, tc.conn->client_url, ZMQ_DEALER);
  reply = ask (tc.wire, sock, "ping", "{}", 1000);
  g_assert_null (reply);
  zmq_close (sock);

  /* The clients' keys: a pong. */
  sock = peer_connect (tc.conn->client_url, ZMQ_DEALER);
  reply = ask (tc.wire, sock, "ping", "{}", WAIT_MS);
  g_assert_nonnull (reply);
  g_assert_cmpstr (reply->msg_type, ==, "pong");
  zmq_close (sock);

  test_controller_stop (&tc);
}

/* A real client and real engine processes over CURVE, end to end. */
static void
test_curve_real_engines (void)
{
  TestController tc = { 0 };
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomView) view = NULL;
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *engine_path = NULL;
  GSubprocess *engines[2];

  test_controller_start_tcp (&tc, 0, "127.0.0.1");
  engine_path = loom_connection_engine_path (loom_controller_get_connection_file (tc.ctl));
  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    {
      engines[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, g_getenv ("LOOM_ENGINE"),
                                     "--connection", engine_path, NULL);
      g_assert_no_error (error);
    }

  client = loom_client_new_for_file (loom_controller_get_connection_file (tc.ctl), &error);
  g_assert_no_error (error);
  for (guint tries = 0; tries < 200; tries++)
    {
      g_autoptr(LoomClusterStatus) status = loom_client_get_status (client, &error);

      g_assert_no_error (error);
      if (g_list_model_get_n_items (loom_cluster_status_get_engines (status)) == 2)
        break;
      g_usleep (50 * 1000);
    }

  for (guint i = 0; i < 200; i++)
    json_array_add_int_element (params, i);
  view = loom_client_load_balanced_view (client);
  result = loom_view_map_async (view, "echo", params, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (result, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (values)), ==, 200);

  g_clear_object (&result);
  g_clear_object (&view);
  g_clear_object (&client);
  test_controller_stop (&tc);
  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    {
      g_subprocess_wait (engines[i], NULL, NULL);
      g_object_unref (engines[i]);
    }
}

/* --- a stolen routing id, and tasks that never arrive --------------------- */

typedef struct
{
  TestController *tc;
  void           *sock;
  gint            id;
  gint            stop;        /* atomic */
  gint            tasks_seen;  /* atomic */
} SilentEngine;

static void *
engine_socket_with_id (TestController *tc,
                       const char     *identity)
{
  void *sock = zmq_socket (loom_zmq_context (), ZMQ_DEALER);

  zmq_setsockopt (sock, ZMQ_LINGER, &(int) { 0 }, sizeof (int));
  zmq_setsockopt (sock, ZMQ_ROUTING_ID, identity, strlen (identity));
  g_assert_true (loom_connection_secure_socket (tc->engine_conn, sock, tc->conn->engine_url, NULL));
  g_assert_cmpint (zmq_connect (sock, tc->conn->engine_url), ==, 0);
  return sock;
}

static void
silent_engine_register (SilentEngine   *se,
                        TestController *tc,
                        const char     *identity)
{
  g_autoptr(LoomMessage) reply = NULL;

  se->tc = tc;
  se->sock = engine_socket_with_id (tc, identity);
  reply = ask (tc->engine_wire, se->sock, "register", "{\"host\":\"silent\",\"pid\":1}", WAIT_MS);
  g_assert_nonnull (reply);
  g_assert_cmpstr (reply->msg_type, ==, "register_reply");
  se->id = loom_json_int (loom_message_get_content (reply, NULL), "engine", -1);
}

/* Heartbeats that say it holds nothing, and never a result. */
static gpointer
silent_engine_thread (gpointer data)
{
  SilentEngine *se = data;

  while (!g_atomic_int_get (&se->stop))
    {
      LoomMessage *msg = peer_recv (se->tc->engine_wire, se->sock, 100);

      if (msg != NULL && g_str_equal (msg->msg_type, "tasks"))
        g_atomic_int_add (&se->tasks_seen,
                          json_array_get_length (loom_json_array (loom_message_get_content (msg, NULL), "tasks")));
      g_clear_pointer (&msg, loom_message_free);
      loom_wire_send (se->tc->engine_wire, se->sock, NULL, "heartbeat", NULL, "{\"held\":0}", -1, NULL, 0);
    }
  return NULL;
}

static void
test_stolen_identity (void)
{
  TestController tc = { 0 };
  SilentEngine victim = { 0 };
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomView) view = NULL;
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LoomMessage *msg;
  void *thief;
  guint stolen = 0;

  test_controller_start (&tc, 0);
  silent_engine_register (&victim, &tc, "engine-victim");

  /* The thief saw the routing id; it even holds the engines' keys. */
  thief = engine_socket_with_id (&tc, "engine-victim");
  loom_wire_send (tc.engine_wire, thief, NULL, "heartbeat", NULL, "{}", 2, NULL, 0);
  g_usleep (300 * 1000);

  client = loom_client_new_for_file (loom_controller_get_connection_file (tc.ctl), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    json_array_add_int_element (params, i);
  view = loom_client_load_balanced_view (client);
  result = loom_view_map_async (view, "echo", params, &error);
  g_assert_no_error (error);

  /* The tasks reach the engine the id belongs to, never the thief. */
  msg = peer_recv (tc.engine_wire, victim.sock, WAIT_MS);
  while (msg != NULL && !g_str_equal (msg->msg_type, "tasks"))
    {
      loom_message_free (msg);
      msg = peer_recv (tc.engine_wire, victim.sock, WAIT_MS);
    }
  g_assert_nonnull (msg);
  loom_message_free (msg);
  while ((msg = peer_recv (tc.engine_wire, thief, 500)) != NULL)
    {
      if (g_str_equal (msg->msg_type, "tasks"))
        stolen++;
      loom_message_free (msg);
    }
  g_assert_cmpuint (stolen, ==, 0);

  zmq_close (thief);
  zmq_close (victim.sock);
  g_clear_object (&result);
  g_clear_object (&view);
  g_clear_object (&client);
  test_controller_stop (&tc);
}

/* An engine that is alive (it heartbeats) but never got its tasks: after
 * a heartbeat timeout they run elsewhere, and the job ends. */
static void
test_undelivered_tasks (void)
{
  ClusterOptions opts = { .n_engines = 1, .heartbeat_ms = 1000, .retries = -1 };
  g_autoptr(LoomCluster) cluster = NULL;
  TestController tc = { 0 };
  SilentEngine silent = { 0 };
  g_autoptr(LoomView) view = NULL;
  g_autoptr(JsonArray) params = NULL;
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *engine_path = NULL;
  GThread *thread;
  guint on_real = 0;

  cluster = test_cluster_start (&opts);
  /* The silent engine joins the cluster's controller with its engine file. */
  tc.ctl = loom_cluster_get_controller (cluster);
  tc.conn = loom_connection_load (loom_controller_get_connection_file (tc.ctl), &error);
  g_assert_no_error (error);
  engine_path = loom_connection_engine_path (loom_controller_get_connection_file (tc.ctl));
  tc.engine_conn = loom_connection_load_for_role (engine_path, LOOM_ROLE_ENGINE, &error);
  g_assert_no_error (error);
  tc.engine_wire = loom_wire_new (tc.engine_conn->key, LOOM_KEY_SIZE, 0);
  silent_engine_register (&silent, &tc, "engine-silent");
  thread = g_thread_new ("silent-engine", silent_engine_thread, &silent);

  params = test_params_repeat (8, "seconds", 0.05);
  view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  result = loom_view_map_async (view, "sleep", params, &error);
  g_assert_no_error (error);
  values = loom_async_result_get (result, 60, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (values)), ==, 8);

  /* It was given some, and the real engine ran every one. */
  g_assert_cmpint (g_atomic_int_get (&silent.tasks_seen), >, 0);
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (result, i);

      g_assert_cmpint (info->status, ==, LOOM_TASK_DONE);
      if (info->engine_id != silent.id)
        on_real++;
    }
  g_assert_cmpuint (on_real, ==, 8);

  g_atomic_int_set (&silent.stop, 1);
  g_thread_join (thread);
  zmq_close (silent.sock);
  g_clear_pointer (&tc.conn, loom_connection_free);
  g_clear_pointer (&tc.engine_conn, loom_connection_free);
  g_clear_pointer (&tc.engine_wire, loom_wire_free);
  g_clear_object (&result);
  g_clear_object (&view);
  loom_cluster_stop (cluster);
}

/* --- bind and advertise -------------------------------------------------- */

static void
test_location (void)
{
  const char *locations[] = { NULL, "127.0.0.1" };

  for (guint i = 0; i < G_N_ELEMENTS (locations); i++)
    {
      g_autoptr(LoomController) ctl = loom_controller_new (NULL);
      g_autoptr(LoomConnection) conn = NULL;
      g_autoptr(LoomClient) client = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("tcp://%s:", locations[i] ? locations[i] : g_get_host_name ());
      g_autofree char *url = NULL;

      loom_controller_set_tcp (ctl, "0.0.0.0");
      loom_controller_set_location (ctl, locations[i]);
      g_assert_true (loom_controller_start (ctl, &error));
      g_assert_no_error (error);

      /* The files name a host others can reach, never 0.0.0.0. */
      conn = loom_connection_load (loom_controller_get_connection_file (ctl), &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (conn->client_url, expected));
      g_assert_true (g_str_has_prefix (conn->engine_url, expected));
      g_assert_true (g_str_has_prefix (conn->event_url, expected));
      g_assert_cmpstr (conn->ip, ==, "0.0.0.0");

      /* On the controller's own host, a client goes over loopback. */
      url = loom_connection_url (conn, conn->client_url);
      g_assert_true (g_str_has_prefix (url, "tcp://127.0.0.1:"));
      client = loom_client_new_for_file (loom_controller_get_connection_file (ctl), &error);
      g_assert_no_error (error);
      g_assert_nonnull (client);

      g_clear_object (&client);
      loom_controller_stop (ctl);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/loom/roles/files", test_files);
  g_test_add_data_func ("/loom/roles/ipc", NULL, test_roles);
  g_test_add_data_func ("/loom/roles/tcp", "127.0.0.1", test_roles);
  g_test_add_func ("/loom/roles/curve", test_curve);
  g_test_add_func ("/loom/roles/curve-real-engines", test_curve_real_engines);
  g_test_add_func ("/loom/roles/stolen-identity", test_stolen_identity);
  g_test_add_func ("/loom/roles/undelivered-tasks", test_undelivered_tasks);
  g_test_add_func ("/loom/roles/location", test_location);

  return g_test_run ();
}
