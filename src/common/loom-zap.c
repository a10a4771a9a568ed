/* loom-zap.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Who may connect over TCP: a ZAP handler (ZeroMQ RFC 27) for the CURVE
 * server sockets of the controllers in this process.
 *
 * libzmq asks the handler bound at inproc://zeromq.zap.01 of the socket's
 * context about every CURVE handshake, naming the socket's ZAP domain and
 * the peer's public key.  Each controller socket has a domain of its own,
 * and each domain admits the keys of one role: the client socket and the
 * event socket admit the clients' key, the engine socket the engines'.
 * So an engine's credentials open no client socket, and a peer without a
 * key of the cluster never gets past the handshake.
 *
 * One handler serves the whole process (a context has one ZAP endpoint, and
 * the app can embed a controller beside other sockets), in a thread of its
 * own so handshakes never wait for a busy controller loop.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>
#include <zmq.h>

#include "loom-connection-private.h"
#include "loom-error.h"
#include "loom-zap-private.h"

typedef struct
{
  GHashTable *keys;      /* Z85 public key -> user id (the role's name) */
  guint64     refused;
  gint64      last_said; /* monotonic: when a refusal was last logged */
} ZapDomain;

static GMutex      zap_lock;
static GHashTable *zap_domains;   /* domain -> ZapDomain */

static void
zap_domain_free (gpointer data)
{
  ZapDomain *domain = data;

  g_hash_table_unref (domain->keys);
  g_free (domain);
}

/* Decides one handshake: the user id to admit it with, or NULL. */
static char *
zap_decide (const char   *domain_name,
            const char   *mechanism,
            const guint8 *credential,
            gsize         credential_len,
            const char   *address)
{
  char z85[LOOM_CURVE_KEY_SIZE] = "";
  char *user = NULL;
  ZapDomain *domain;

  if (g_str_equal (mechanism, "CURVE") && credential_len == 32)
    zmq_z85_encode (z85, credential, 32);

  g_mutex_lock (&zap_lock);
  domain = zap_domains ? g_hash_table_lookup (zap_domains, domain_name) : NULL;
  if (domain != NULL && z85[0] != '\0')
    user = g_strdup (g_hash_table_lookup (domain->keys, z85));
  if (domain != NULL && user == NULL)
    {
      gint64 now = g_get_monotonic_time ();

      domain->refused++;
      /* Said at most every 10 s: a scan must not flood the log. */
      if (now - domain->last_said > 10 * G_USEC_PER_SEC)
        {
          g_message ("Refused a %s connection from %s to %s: its key is not one of this cluster's "
                     "(%" G_GUINT64_FORMAT " refused so far)",
                     mechanism, address, domain_name, domain->refused);
          domain->last_said = now;
        }
    }
  g_mutex_unlock (&zap_lock);
  return user;
}

static gboolean
recv_frame (void   *sock,
            GBytes **out,
            gboolean *more)
{
  zmq_msg_t msg;
  int rc;

  zmq_msg_init (&msg);
  rc = zmq_msg_recv (&msg, sock, 0);
  if (rc < 0)
    {
      zmq_msg_close (&msg);
      return FALSE;
    }
  *out = g_bytes_new (zmq_msg_data (&msg), zmq_msg_size (&msg));
  *more = zmq_msg_more (&msg);
  zmq_msg_close (&msg);
  return TRUE;
}

static char *
frame_string (GBytes *frame)
{
  gsize len;
  const char *data = g_bytes_get_data (frame, &len);

  return g_strndup (data, len);
}

static gpointer
zap_thread (gpointer data)
{
  void *sock = data;

  for (;;)
    {
      g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_autofree char *version = NULL, *domain = NULL, *address = NULL, *mechanism = NULL;
      g_autofree char *user = NULL;
      gboolean more = TRUE;
      const guint8 *credential = NULL;
      gsize credential_len = 0;
      GBytes *frame;

      while (more)
        {
          if (!recv_frame (sock, &frame, &more))
            {
              if (zmq_errno () == ETERM)
                goto out;
              more = FALSE;
              break;
            }
          g_ptr_array_add (frames, frame);
        }
      /* version, request id, domain, address, routing id, mechanism,
       * credentials… */
      if (frames->len < 6)
        {
          /* A REP socket must answer every request it took. */
          zmq_send (sock, "1.0", 3, ZMQ_SNDMORE);
          zmq_send (sock, "", 0, ZMQ_SNDMORE);
          zmq_send (sock, "500", 3, ZMQ_SNDMORE);
          zmq_send (sock, "malformed ZAP request", 21, ZMQ_SNDMORE);
          zmq_send (sock, "", 0, ZMQ_SNDMORE);
          zmq_send (sock, "", 0, 0);
          continue;
        }
      version = frame_string (frames->pdata[0]);
      domain = frame_string (frames->pdata[2]);
      address = frame_string (frames->pdata[3]);
      mechanism = frame_string (frames->pdata[5]);
      if (frames->len > 6)
        credential = g_bytes_get_data (frames->pdata[6], &credential_len);
      user = zap_decide (domain, mechanism, credential, credential_len, address);

      {
        gsize id_len;
        const void *id = g_bytes_get_data (frames->pdata[1], &id_len);
        const char *status = user ? "200" : "400";
        const char *text = user ? "OK" : "key not admitted";

        zmq_send (sock, "1.0", 3, ZMQ_SNDMORE);
        zmq_send (sock, id, id_len, ZMQ_SNDMORE);
        zmq_send (sock, status, 3, ZMQ_SNDMORE);
        zmq_send (sock, text, strlen (text), ZMQ_SNDMORE);
        zmq_send (sock, user ? user : "", user ? strlen (user) : 0, ZMQ_SNDMORE);
        zmq_send (sock, "", 0, 0);
      }
    }

out:
  zmq_close (sock);
  return NULL;
}

/* Starts the process's handler once.  The socket is bound here, before any
 * CURVE server socket exists, so no handshake can come first. */
static gboolean
zap_ensure (GError **error)
{
  static gsize started;
  static gboolean ok;

  if (g_once_init_enter (&started))
    {
      void *sock = zmq_socket (loom_zmq_context (), ZMQ_REP);
      int linger = 0;

      zmq_setsockopt (sock, ZMQ_LINGER, &linger, sizeof linger);
      ok = zmq_bind (sock, "inproc://zeromq.zap.01") == 0;
      if (ok)
        g_thread_unref (g_thread_new ("loom-zap", zap_thread, sock));
      else
        {
          g_warning ("Cannot start the CURVE authenticator: %s", zmq_strerror (zmq_errno ()));
          zmq_close (sock);
        }
      g_once_init_leave (&started, 1);
    }
  if (!ok)
    g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                         "The CURVE authenticator (inproc://zeromq.zap.01) could not start");
  return ok;
}

/**
 * loom_zap_secure_server:
 * @socket: a socket that will bind a tcp:// endpoint
 * @secret_key: the controller's CURVE secret key, Z85
 * @domain: the ZAP domain of @socket, as given to loom_zap_allow()
 * @error: return location for a #GError
 *
 * Makes @socket a CURVE server whose peers the process's ZAP handler
 * admits by @domain.  Call before binding.
 */
gboolean
loom_zap_secure_server (void        *socket,
                        const char  *secret_key,
                        const char  *domain,
                        GError     **error)
{
  int one = 1;

  if (!zap_ensure (error))
    return FALSE;
  if (zmq_setsockopt (socket, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
      zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, secret_key, LOOM_CURVE_KEY_SIZE - 1) != 0 ||
      zmq_setsockopt (socket, ZMQ_ZAP_DOMAIN, domain, strlen (domain)) != 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                   "Cannot make a CURVE server socket: %s", zmq_strerror (zmq_errno ()));
      return FALSE;
    }
  return TRUE;
}

/**
 * loom_zap_allow:
 * @domain: a ZAP domain
 * @public_key: a CURVE public key, Z85
 * @user_id: what the messages of its connections carry as "User-Id"
 *
 * Admits @public_key to the sockets of @domain.
 */
void
loom_zap_allow (const char *domain,
                const char *public_key,
                const char *user_id)
{
  ZapDomain *d;

  g_mutex_lock (&zap_lock);
  if (zap_domains == NULL)
    zap_domains = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, zap_domain_free);
  d = g_hash_table_lookup (zap_domains, domain);
  if (d == NULL)
    {
      d = g_new0 (ZapDomain, 1);
      d->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (zap_domains, g_strdup (domain), d);
    }
  g_hash_table_insert (d->keys, g_strdup (public_key), g_strdup (user_id));
  g_mutex_unlock (&zap_lock);
}

/* How many handshakes @domain has refused. */
guint64
loom_zap_get_refused (const char *domain)
{
  ZapDomain *d;
  guint64 n = 0;

  g_mutex_lock (&zap_lock);
  d = zap_domains ? g_hash_table_lookup (zap_domains, domain) : NULL;
  if (d != NULL)
    n = d->refused;
  g_mutex_unlock (&zap_lock);
  return n;
}

/* Forgets @domain: its sockets admit no one any more. */
void
loom_zap_forget (const char *domain)
{
  g_mutex_lock (&zap_lock);
  if (zap_domains != NULL)
    g_hash_table_remove (zap_domains, domain);
  g_mutex_unlock (&zap_lock);
}
