/* loom-controller-clients.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the controller sends to clients, bounded.  The client ROUTER has a
 * send high-water mark of CTL_CLIENT_QUEUE messages per client and
 * ZMQ_ROUTER_MANDATORY, so a send to a client whose queue is full fails
 * (EAGAIN) instead of queueing for ever, and a send to a client that is
 * gone fails (EHOSTUNREACH) instead of vanishing unseen:
 *
 * - a reply to a request is dropped and counted ("replies_dropped"): a
 *   client that sends requests and never reads the replies costs at most
 *   its queue (a reply to a client that is gone is dropped uncounted, as
 *   before);
 * - the results of a client's own jobs are not dropped while it is only
 *   slow: they wait in a backlog of that client, in order, sent as its
 *   queue drains, up to CTL_RESULTS_BACKLOG bytes for all clients together;
 *   past that they are dropped and counted ("results_dropped"), and the
 *   client can read them again from the job (attach, `loomctl get`).
 *   Results for a client that is gone are dropped: it reads them again
 *   when it reattaches.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <errno.h>
#include <zmq.h>

#include "loom-controller-private.h"

typedef struct
{
  GQueue  messages;  /* GPtrArray of frames, oldest first */
  gsize   bytes;
} Backlog;

static void
backlog_free (gpointer data)
{
  Backlog *backlog = data;

  g_queue_clear_full (&backlog->messages, (GDestroyNotify) g_ptr_array_unref);
  g_free (backlog);
}

static gsize
frames_size (GPtrArray *frames)
{
  gsize total = 0;

  for (guint i = 0; i < frames->len; i++)
    total += g_bytes_get_size (g_ptr_array_index (frames, i));
  return total;
}

void
ctl_clients_init (LoomController *self)
{
  self->backlogs = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, backlog_free);
}

void
ctl_clients_clear (LoomController *self)
{
  g_clear_pointer (&self->backlogs, g_hash_table_unref);
  self->backlog_bytes = 0;
}

void
ctl_client_apply_socket_limits (LoomController *self)
{
  int hwm = CTL_CLIENT_QUEUE;
  int one = 1;

  zmq_setsockopt (self->client_sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt (self->client_sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
}

void
ctl_reply (LoomController *self,
           void           *sock,
           LoomMessage    *request,
           const char     *msg_type,
           const char     *content,
           gssize          len,
           GBytes * const *buffers,
           guint           n_buffers)
{
  /* A client that is gone (EHOSTUNREACH) asked and left: nothing to count. */
  if (loom_wire_send (sock == self->engine_sock ? self->engine_wire : self->wire, sock, request->routing,
                      msg_type, request->msg_id,
                      content, len, buffers, n_buffers) < 0 &&
      sock == self->client_sock && zmq_errno () == EAGAIN)
    {
      self->replies_dropped++;
      if (self->replies_dropped == 1 || self->replies_dropped % 100000 == 0)
        g_message ("controller: dropped a %s to a client that does not read its replies "
                   "(%" G_GUINT64_FORMAT " replies dropped so far; at most %d wait for a client)",
                   msg_type, self->replies_dropped, CTL_CLIENT_QUEUE);
    }
}

static void
results_dropped (LoomController *self)
{
  self->results_dropped++;
  if (self->results_dropped == 1 || self->results_dropped % 1000 == 0)
    g_message ("controller: dropped results for a client that does not read them, past the %" G_GSIZE_FORMAT
               "-byte backlog (%" G_GUINT64_FORMAT " dropped so far; they stay in the job, to be read again)",
               (gsize) CTL_RESULTS_BACKLOG, self->results_dropped);
}

/* Sends what waits for @client, in order, until its queue is full. */
static gboolean
backlog_drain (LoomController *self,
               Backlog        *backlog)
{
  GPtrArray *frames;

  while ((frames = g_queue_peek_head (&backlog->messages)) != NULL)
    {
      gsize size = frames_size (frames);

      if (loom_wire_send_frames (self->client_sock, frames) < 0)
        {
          if (zmq_errno () == EAGAIN)
            return FALSE;
          /* Gone: it reads them again when it reattaches. */
        }
      g_queue_pop_head (&backlog->messages);
      g_ptr_array_unref (frames);
      backlog->bytes -= size;
      self->backlog_bytes -= size;
    }
  return TRUE;
}

void
ctl_send_results (LoomController *self,
                  GBytes         *client,
                  const char     *content,
                  gsize           content_len,
                  GBytes * const *buffers,
                  guint           n_buffers)
{
  g_autoptr(GPtrArray) routing = g_ptr_array_new ();
  g_autoptr(GPtrArray) frames = NULL;
  Backlog *backlog;
  gsize size;

  g_ptr_array_add (routing, client);
  frames = loom_wire_encode (self->wire, routing, "results", NULL, content, content_len, buffers, n_buffers);

  backlog = g_hash_table_lookup (self->backlogs, client);
  if (backlog == NULL || backlog_drain (self, backlog))
    {
      if (loom_wire_send_frames (self->client_sock, frames) == 0)
        return;
      if (zmq_errno () != EAGAIN)
        return;  /* gone: it reads them again when it reattaches */
    }

  size = frames_size (frames);
  if (self->backlog_bytes + size > CTL_RESULTS_BACKLOG)
    {
      results_dropped (self);
      return;
    }
  if (backlog == NULL)
    {
      backlog = g_new0 (Backlog, 1);
      g_hash_table_insert (self->backlogs, g_bytes_ref (client), backlog);
    }
  g_queue_push_tail (&backlog->messages, g_steal_pointer (&frames));
  backlog->bytes += size;
  self->backlog_bytes += size;
}

gboolean
ctl_clients_flush (LoomController *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->backlogs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (backlog_drain (self, value))
      g_hash_table_iter_remove (&iter);
  return g_hash_table_size (self->backlogs) > 0;
}
