/* loom-peer-util.c: a controller in the test process, and raw libzmq
 * peers that speak (or abuse) the wire protocol to it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <zmq.h>

#include "loom-peer-util.h"

/* The controller peers talk to: over TCP they need its CURVE keys. */
static TestController *current;

void
test_controller_start (TestController *tc,
                       gsize           max_message)
{
  test_controller_start_tcp (tc, max_message, NULL);
}

/* A controller listening on TCP at @ip (CURVE), or on ipc:// for NULL. */
void
test_controller_start_tcp (TestController *tc,
                           gsize           max_message,
                           const char     *ip)
{
  g_autoptr(GError) error = NULL;

  tc->ctl = loom_controller_new (NULL);
  if (max_message)
    loom_controller_set_max_message_size (tc->ctl, max_message);
  loom_controller_set_tcp (tc->ctl, ip);
  loom_controller_start (tc->ctl, &error);
  g_assert_no_error (error);

  tc->conn = loom_connection_load (loom_controller_get_connection_file (tc->ctl), &error);
  g_assert_no_error (error);
  g_assert_nonnull (tc->conn);
  /* ipc:// in the per-test runtime dir, unless its path is too long for a
   * Unix socket: then loopback TCP. */
  {
    g_autofree char *dir = loom_connection_dir ();
    g_autofree char *path = g_strdup_printf ("%s/%s-client.ipc", dir, loom_controller_get_profile (tc->ctl));
    g_autofree char *url = g_strconcat ("ipc://", path, NULL);

    g_test_message ("client_url %s", tc->conn->client_url);
    if (ip != NULL)
      g_assert_true (g_str_has_prefix (tc->conn->client_url, "tcp://"));
    else if (strlen (path) < 100)
      g_assert_cmpstr (tc->conn->client_url, ==, url);
    else
      g_assert_true (g_str_has_prefix (tc->conn->client_url, "tcp://127.0.0.1:"));
  }
  tc->wire = loom_wire_new (tc->conn->key, sizeof tc->conn->key, 0);

  /* Fake engines sign with the engines' key, from the engines' file. */
  {
    g_autofree char *engine_path = loom_connection_engine_path (loom_controller_get_connection_file (tc->ctl));

    tc->engine_conn = loom_connection_load_for_role (engine_path, LOOM_ROLE_ENGINE, &error);
    g_assert_no_error (error);
    /* Two roles, two keys. */
    g_assert_true (memcmp (tc->engine_conn->key, tc->conn->key, LOOM_KEY_SIZE) != 0);
    tc->engine_wire = loom_wire_new (tc->engine_conn->key, sizeof tc->engine_conn->key, 0);
  }
  current = tc;
}

void
test_controller_stop (TestController *tc)
{
  loom_controller_stop (tc->ctl);
  g_clear_object (&tc->ctl);
  g_clear_pointer (&tc->conn, loom_connection_free);
  g_clear_pointer (&tc->wire, loom_wire_free);
  g_clear_pointer (&tc->engine_conn, loom_connection_free);
  g_clear_pointer (&tc->engine_wire, loom_wire_free);
  if (current == tc)
    current = NULL;
}

/* A peer with no credentials at all: over TCP, it does not get past the
 * CURVE handshake. */
void *
peer_connect_plain (const char *url,
                    int         type)
{
  void *sock = zmq_socket (loom_zmq_context (), type);
  int linger = 0;

  g_assert_nonnull (sock);
  zmq_setsockopt (sock, ZMQ_LINGER, &linger, sizeof linger);
  g_assert_cmpint (zmq_connect (sock, url), ==, 0);
  return sock;
}

/* A peer that holds the CURVE keys of the role whose socket @url is (the
 * engines' for the engine socket, the clients' otherwise), as anyone with
 * the connection files would: what it may send is up to the signatures. */
void *
peer_connect (const char *url,
              int         type)
{
  LoomConnection *conn = NULL;

  if (current != NULL)
    conn = g_strcmp0 (url, current->conn->engine_url) == 0 ? current->engine_conn : current->conn;
  return peer_connect_with (conn, url, type);
}

/* A peer with the CURVE keys of @conn (nullable: none). */
void *
peer_connect_with (LoomConnection *conn,
                   const char     *url,
                   int             type)
{
  void *sock = zmq_socket (loom_zmq_context (), type);
  int linger = 0;

  g_assert_nonnull (sock);
  zmq_setsockopt (sock, ZMQ_LINGER, &linger, sizeof linger);
  if (conn != NULL)
    g_assert_true (loom_connection_secure_socket (conn, sock, url, NULL));
  g_assert_cmpint (zmq_connect (sock, url), ==, 0);
  return sock;
}

void
peer_send_frames (void      *sock,
                  GPtrArray *frames)
{
  for (guint i = 0; i < frames->len; i++)
    {
      gsize len;
      const void *data = g_bytes_get_data (g_ptr_array_index (frames, i), &len);

      g_assert_cmpint (zmq_send (sock, data, len, i + 1 < frames->len ? ZMQ_SNDMORE : 0), ==, (int) len);
    }
}

/* The next valid message on @sock, or NULL after @timeout_ms. */
LoomMessage *
peer_recv (LoomWire *wire,
           void     *sock,
           guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      gboolean got_any;

      if (left <= 0 || zmq_poll (&item, 1, left) <= 0)
        return NULL;
      do
        {
          LoomMessage *msg = loom_wire_recv (wire, sock, &got_any);
          if (msg != NULL)
            return msg;
        }
      while (got_any);
    }
}

