/* loom-client.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The client owns its sockets on an I/O thread of its own (a DEALER for
 * requests and results, a SUB for events).  Calls from any thread hand
 * requests to it through a queue and an eventfd; results land in
 * LoomAsyncResult objects under their lock, and signals and model updates
 * are delivered on the main context the client was created on.  So the same
 * client serves a blocking program (get() waits on a condition) and a GTK
 * app (signals on its main loop) without re-entering any loop.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include <glib/gi18n-lib.h>

#include "loom-client-private.h"
#include "loom-connection-private.h"
#include "loom-error.h"
#include "loom-util-private.h"

#define DEFAULT_REQUEST_TIMEOUT_MS 10000
#define PING_INTERVAL_USEC         (1 * G_USEC_PER_SEC)
#define LOST_AFTER_USEC            (6 * G_USEC_PER_SEC)

typedef struct _Op Op;
typedef void (*OpComplete) (LoomClient *self, Op *op, LoomMessage *reply, const GError *error);

struct _Op
{
  char            *msg_type;
  char            *content;
  GBytes          *buffer;
  OpComplete       complete;
  LoomAsyncResult *result;       /* submit */
  gint64           deadline;     /* monotonic, set when sent */

  /* Synchronous callers wait here. */
  GMutex           mutex;
  GCond            cond;
  gboolean         done;
  LoomMessage     *reply;
  GError          *error;
  gatomicrefcount  ref_count;
};

struct _LoomClient
{
  GObject          parent_instance;

  char            *connection_path;
  LoomConnection  *conn;
  LoomWire        *wire;            /* I/O thread only once it runs */
  void            *dealer;
  void            *sub;
  int              wake_fd;
  GThread         *thread;
  guint            request_timeout_ms;

  GMutex           lock;            /* guards queue, closing, engines_json */
  GQueue           queue;           /* Op to send */
  gboolean         closing;
  char            *engines_json;

  /* I/O thread only */
  GHashTable      *pending;         /* msg_id -> Op */
  GHashTable      *jobs;            /* job id -> LoomAsyncResult */
  gint64           last_heard;
  gint64           last_ping;
  gboolean         engines_dirty;
  gboolean         engines_in_flight;
  guint64          last_event_seq;

  GMainContext    *context;
  GSource         *engines_source;
  GListStore      *engines;
};

G_DEFINE_FINAL_TYPE (LoomClient, loom_client, G_TYPE_OBJECT)

static Op *
op_new (const char *msg_type,
        char       *content,
        GBytes     *buffer,
        OpComplete  complete)
{
  Op *op = g_new0 (Op, 1);

  op->msg_type = g_strdup (msg_type);
  op->content = content;
  op->buffer = buffer ? g_bytes_ref (buffer) : NULL;
  op->complete = complete;
  g_mutex_init (&op->mutex);
  g_cond_init (&op->cond);
  g_atomic_ref_count_init (&op->ref_count);
  return op;
}

static Op *
op_ref (Op *op)
{
  g_atomic_ref_count_inc (&op->ref_count);
  return op;
}

static void
op_unref (Op *op)
{
  if (!g_atomic_ref_count_dec (&op->ref_count))
    return;

  g_free (op->msg_type);
  g_free (op->content);
  g_clear_pointer (&op->buffer, g_bytes_unref);
  g_clear_object (&op->result);
  g_clear_pointer (&op->reply, loom_message_free);
  g_clear_error (&op->error);
  g_mutex_clear (&op->mutex);
  g_cond_clear (&op->cond);
  g_free (op);
}

/* Completion of a synchronous request: hand the reply to the waiter. */
static void
op_complete_sync (LoomClient   *self,
                  Op           *op,
                  LoomMessage  *reply,
                  const GError *error)
{
  g_mutex_lock (&op->mutex);
  if (error)
    op->error = g_error_copy (error);
  else
    op->reply = reply;
  op->done = TRUE;
  g_cond_signal (&op->cond);
  g_mutex_unlock (&op->mutex);
}

static void
enqueue (LoomClient *self,
         Op         *op)
{
  gboolean closing;

  g_mutex_lock (&self->lock);
  closing = self->closing;
  if (!closing)
    g_queue_push_tail (&self->queue, op_ref (op));
  g_mutex_unlock (&self->lock);

  if (closing)
    {
      g_autoptr(GError) error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION, _("The client is closed"));
      op->complete (self, op, NULL, error);
      return;
    }

  loom_eventfd_signal (self->wake_fd);
}

static GError *
error_from_reply (LoomMessage *reply)
{
  JsonObject *content = loom_message_get_content (reply, NULL);
  JsonObject *err = NULL;

  if (content && json_object_has_member (content, "error") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (content, "error")))
    err = loom_json_object (content, "error");

  return g_error_new (LOOM_ERROR, LOOM_ERROR_PROTOCOL, _("The controller refused the request: %s"),
                      err ? loom_json_string (err, "message", "?") : "?");
}

/**
 * loom_client_request: (skip)
 *
 * Sends a request and blocks until its reply, an error reply, or the
 * request timeout.
 */
LoomMessage *
loom_client_request (LoomClient  *self,
                     const char  *msg_type,
                     const char  *content,
                     GError     **error)
{
  Op *op;
  LoomMessage *reply = NULL;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);

  op = op_new (msg_type, g_strdup (content ? content : "{}"), NULL, op_complete_sync);
  enqueue (self, op);

  g_mutex_lock (&op->mutex);
  while (!op->done)
    g_cond_wait (&op->cond, &op->mutex);
  g_mutex_unlock (&op->mutex);

  if (op->error)
    g_propagate_error (error, g_steal_pointer (&op->error));
  else if (g_str_equal (op->reply->msg_type, "error_reply"))
    g_propagate_error (error, error_from_reply (op->reply));
  else
    reply = g_steal_pointer (&op->reply);

  op_unref (op);
  return reply;
}

/**
 * loom_client_request_object: (skip)
 *
 * Like loom_client_request() but returns the reply's content.
 */
JsonObject *
loom_client_request_object (LoomClient  *self,
                            const char  *msg_type,
                            const char  *content,
                            GError     **error)
{
  g_autoptr(LoomMessage) reply = loom_client_request (self, msg_type, content, error);
  JsonObject *obj;

  if (reply == NULL)
    return NULL;
  if (!(obj = loom_message_get_content (reply, error)))
    return NULL;
  return json_object_ref (obj);
}

static void
op_complete_submit (LoomClient   *self,
                    Op           *op,
                    LoomMessage  *reply,
                    const GError *error)
{
  g_autoptr(GError) refused = NULL;
  JsonObject *content;

  if (error == NULL && g_str_equal (reply->msg_type, "error_reply"))
    error = refused = error_from_reply (reply);

  if (error != NULL)
    {
      loom_async_result_fail (op->result, error);
      g_clear_pointer (&reply, loom_message_free);
      return;
    }

  content = loom_message_get_content (reply, NULL);
  if (content != NULL)
    {
      guint job = loom_json_int (content, "job", 0);
      loom_async_result_set_job (op->result, job);
      /* Only the I/O thread touches the table, and it runs this. */
      g_hash_table_insert (self->jobs, GUINT_TO_POINTER (job), g_object_ref (op->result));
    }
  loom_message_free (reply);
}

/**
 * loom_client_submit: (skip)
 * @content: (transfer full): the submit request
 *
 * Hands a job to the controller; @result receives its job id and results.
 */
void
loom_client_submit (LoomClient      *self,
                    LoomAsyncResult *result,
                    char            *content,
                    GBytes          *params)
{
  Op *op = op_new ("submit", content, params, op_complete_submit);

  op->result = g_object_ref (result);
  enqueue (self, op);
  op_unref (op);
}

/* --- engines model ------------------------------------------------------- */

static gboolean
engines_source_dispatch (gpointer data)
{
  LoomClient *self = data;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;
  JsonArray *array;

  g_mutex_lock (&self->lock);
  json = g_steal_pointer (&self->engines_json);
  g_mutex_unlock (&self->lock);

  if (json == NULL || !(root = loom_json_from_data (json, -1, NULL)) || !JSON_NODE_HOLDS_OBJECT (root))
    return G_SOURCE_CONTINUE;

  obj = json_node_get_object (root);
  if (!(array = loom_json_array (obj, "engines")))
    return G_SOURCE_CONTINUE;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *e = loom_json_array_object (array, i);
      gint64 id = loom_json_int (e, "id", -1);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->engines));

      if (e == NULL || id < 0)
        continue;
      if (id < n)
        {
          g_autoptr(LoomEngineInfo) info = g_list_model_get_item (G_LIST_MODEL (self->engines), id);
          loom_engine_info_update (info, e);
        }
      else if (id == n)
        {
          g_autoptr(LoomEngineInfo) info = loom_engine_info_new (id);
          loom_engine_info_update (info, e);
          g_list_store_append (self->engines, info);
        }
    }

  return G_SOURCE_CONTINUE;
}

static void
op_complete_engines (LoomClient   *self,
                     Op           *op,
                     LoomMessage  *reply,
                     const GError *error)
{
  self->engines_in_flight = FALSE;

  if (reply != NULL)
    {
      g_autofree char *json = g_strndup (g_bytes_get_data (reply->content, NULL),
                                         g_bytes_get_size (reply->content));

      g_mutex_lock (&self->lock);
      g_free (self->engines_json);
      self->engines_json = g_steal_pointer (&json);
      g_mutex_unlock (&self->lock);
      loom_wakeup_source_wake (self->engines_source);
      loom_message_free (reply);
    }
}

static void
op_complete_ignore (LoomClient   *self,
                    Op           *op,
                    LoomMessage  *reply,
                    const GError *error)
{
  g_clear_pointer (&reply, loom_message_free);
}

/* --- the I/O thread ------------------------------------------------------ */

static void
send_op (LoomClient *self,
         Op         *op)
{
  GBytes *buffers[1] = { op->buffer };

  if (loom_wire_send (self->wire, self->dealer, NULL, op->msg_type, NULL,
                      op->content, -1, buffers, op->buffer ? 1 : 0) != 0)
    {
      g_autoptr(GError) error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION,
                                             _("Cannot send to the controller at %s: %s"),
                                             self->conn->client_url, zmq_strerror (zmq_errno ()));
      op->complete (self, op, NULL, error);
      op_unref (op);
      return;
    }

  op->deadline = g_get_monotonic_time () + (gint64) self->request_timeout_ms * 1000;
  g_hash_table_insert (self->pending, g_strdup (loom_wire_last_msg_id (self->wire)), op);
}

static void
send_internal (LoomClient *self,
               const char *msg_type,
               OpComplete  complete)
{
  send_op (self, op_new (msg_type, g_strdup ("{}"), NULL, complete));
}

static void
handle_results (LoomClient  *self,
                LoomMessage *msg)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) details = NULL;
  JsonObject *content = loom_message_get_content (msg, NULL);
  LoomAsyncResult *result;
  JsonArray *rows;
  guint job;

  if (content == NULL || !json_object_has_member (content, "tasks"))
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "results without tasks");
      return;
    }

  job = loom_json_int (content, "job", 0);
  result = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (job));
  if (result == NULL)
    return;

  rows = loom_json_array (content, "tasks");
  results = loom_lines_split (loom_message_get_buffer (msg, 0));
  details = loom_lines_split (loom_message_get_buffer (msg, 1));
  if (rows == NULL || results->len != json_array_get_length (rows) || details->len != results->len)
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "results whose buffers do not match");
      return;
    }

  if (loom_async_result_apply (result, rows, results, details))
    g_hash_table_remove (self->jobs, GUINT_TO_POINTER (job));
}

static void
drain_dealer (LoomClient *self)
{
  for (;;)
    {
      LoomMessage *msg;
      gboolean got_any;
      Op *op;

      msg = loom_wire_recv (self->wire, self->dealer, &got_any);
      if (!got_any)
        break;
      if (msg == NULL)
        continue;

      self->last_heard = g_get_monotonic_time ();

      if (g_str_equal (msg->msg_type, "results"))
        {
          handle_results (self, msg);
          loom_message_free (msg);
        }
      else if (msg->parent != NULL && (op = g_hash_table_lookup (self->pending, msg->parent)))
        {
          /* Removing frees the key (a copy of msg_id), never the op. */
          g_hash_table_remove (self->pending, msg->parent);
          op->complete (self, op, msg, NULL);
          op_unref (op);
        }
      else
        loom_message_free (msg);
    }
}

static void
drain_sub (LoomClient *self)
{
  for (;;)
    {
      g_autoptr(LoomMessage) msg = NULL;
      JsonObject *content;
      JsonArray *events;
      guint64 seq;
      gboolean got_any;

      msg = loom_wire_recv (self->wire, self->sub, &got_any);
      if (!got_any)
        break;
      if (msg == NULL || !(content = loom_message_get_content (msg, NULL)))
        continue;

      /* A gap means PUB/SUB dropped something: re-read the state. */
      seq = loom_json_int (content, "seq", 0);
      if (self->last_event_seq != 0 && seq != self->last_event_seq + 1)
        self->engines_dirty = TRUE;
      self->last_event_seq = seq;

      if (!json_object_has_member (content, "events"))
        continue;
      events = loom_json_array (content, "events");
      for (guint i = 0; events && i < json_array_get_length (events); i++)
        {
          JsonObject *ev = loom_json_array_object (events, i);
          const char *type = ev ? loom_json_string (ev, "type", "") : "";

          if (g_str_has_prefix (type, "engine_") || g_str_equal (type, "job_finished"))
            self->engines_dirty = TRUE;
        }
    }
}

static void
fail_everything (LoomClient   *self,
                 const GError *error)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Op *op = value;
      g_hash_table_iter_remove (&iter);
      op->complete (self, op, NULL, error);
      op_unref (op);
    }

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    loom_async_result_fail (value, error);
  g_hash_table_remove_all (self->jobs);
}

static void
check_deadlines (LoomClient *self)
{
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Op *op = value;

      if (now >= op->deadline)
        {
          g_autoptr(GError) error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION,
                                                 _("The controller at %s did not answer “%s” within %u ms"),
                                                 self->conn->client_url, op->msg_type,
                                                 self->request_timeout_ms);
          g_hash_table_iter_remove (&iter);
          op->complete (self, op, NULL, error);
          op_unref (op);
        }
    }

  /* While results are awaited, make sure the controller is still there. */
  if (g_hash_table_size (self->jobs) > 0)
    {
      if (now - self->last_heard > LOST_AFTER_USEC)
        {
          g_autoptr(GError) error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION,
                                                 _("Lost the controller at %s: no answer for %d s"),
                                                 self->conn->client_url,
                                                 (int) (LOST_AFTER_USEC / G_USEC_PER_SEC));
          fail_everything (self, error);
        }
      else if (now - self->last_heard > PING_INTERVAL_USEC && now - self->last_ping > PING_INTERVAL_USEC)
        {
          send_internal (self, "ping", op_complete_ignore);
          self->last_ping = now;
        }
    }
  else
    self->last_heard = MAX (self->last_heard, now - PING_INTERVAL_USEC);
}

static gpointer
io_thread (gpointer data)
{
  LoomClient *self = data;
  gboolean closing = FALSE;

  self->last_heard = g_get_monotonic_time ();

  while (!closing)
    {
      zmq_pollitem_t items[3] = {
        { self->dealer, 0, ZMQ_POLLIN, 0 },
        { self->sub, 0, ZMQ_POLLIN, 0 },
        { NULL, self->wake_fd, ZMQ_POLLIN, 0 },
      };
      GQueue ops = G_QUEUE_INIT;
      Op *op;

      zmq_poll (items, 3, 100);
      if (items[2].revents & ZMQ_POLLIN)
        loom_eventfd_clear (self->wake_fd);

      g_mutex_lock (&self->lock);
      ops = self->queue;
      g_queue_init (&self->queue);
      closing = self->closing;
      g_mutex_unlock (&self->lock);

      while ((op = g_queue_pop_head (&ops)))
        send_op (self, op);

      drain_dealer (self);
      drain_sub (self);

      if (self->engines_dirty && !self->engines_in_flight)
        {
          self->engines_dirty = FALSE;
          self->engines_in_flight = TRUE;
          send_internal (self, "engines", op_complete_engines);
        }

      check_deadlines (self);
    }

  {
    g_autoptr(GError) error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION, _("The client is closed"));
    fail_everything (self, error);
  }

  return NULL;
}

/* --- the object ---------------------------------------------------------- */

/**
 * loom_client_close:
 * @self: a #LoomClient
 *
 * Stops the client's I/O thread and closes its sockets.  Results still
 * awaited fail with %LOOM_ERROR_CONNECTION.  Called by dispose as well.
 */
void
loom_client_close (LoomClient *self)
{
  g_return_if_fail (LOOM_IS_CLIENT (self));

  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->closing = TRUE;
  g_mutex_unlock (&self->lock);
  loom_eventfd_signal (self->wake_fd);
  g_thread_join (self->thread);
  self->thread = NULL;

  /* Requests queued after the thread took its last batch. */
  {
    g_autoptr(GError) error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION, _("The client is closed"));
    Op *op;

    while ((op = g_queue_pop_head (&self->queue)))
      {
        op->complete (self, op, NULL, error);
        op_unref (op);
      }
  }

  g_clear_pointer (&self->dealer, zmq_close);
  g_clear_pointer (&self->sub, zmq_close);
}

static void
loom_client_dispose (GObject *object)
{
  LoomClient *self = (LoomClient *) object;

  loom_client_close (self);
  if (self->engines_source)
    {
      g_source_destroy (self->engines_source);
      g_clear_pointer (&self->engines_source, g_source_unref);
    }
  g_clear_object (&self->engines);

  G_OBJECT_CLASS (loom_client_parent_class)->dispose (object);
}

static void
loom_client_finalize (GObject *object)
{
  LoomClient *self = (LoomClient *) object;

  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->jobs, g_hash_table_unref);
  g_clear_pointer (&self->wire, loom_wire_free);
  g_clear_pointer (&self->conn, loom_connection_free);
  g_clear_pointer (&self->connection_path, g_free);
  g_clear_pointer (&self->engines_json, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  if (self->wake_fd >= 0)
    close (self->wake_fd);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (loom_client_parent_class)->finalize (object);
}

static void
loom_client_class_init (LoomClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = loom_client_dispose;
  object_class->finalize = loom_client_finalize;
}

static void
loom_client_init (LoomClient *self)
{
  g_mutex_init (&self->lock);
  g_queue_init (&self->queue);
  self->wake_fd = loom_eventfd_new ();
  self->request_timeout_ms = DEFAULT_REQUEST_TIMEOUT_MS;
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->jobs = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->engines = g_list_store_new (LOOM_TYPE_ENGINE_INFO);
  self->context = g_main_context_ref_thread_default ();
  self->engines_source = loom_wakeup_source_new (self->context, engines_source_dispatch, self,
                                                 "[loom] engines model");
}

/**
 * loom_client_new_for_file:
 * @path: a connection file
 * @error: return location for a #GError
 *
 * Connects to the controller that wrote @path and checks that it answers.
 *
 * Returns: (transfer full) (nullable): a new client
 */
LoomClient *
loom_client_new_for_file (const char  *path,
                          GError     **error)
{
  g_autoptr(LoomClient) self = NULL;
  g_autoptr(LoomMessage) pong = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (LOOM_TYPE_CLIENT, NULL);
  self->connection_path = g_strdup (path);
  if (!(self->conn = loom_connection_load (path, error)))
    return NULL;

  self->wire = loom_wire_new (self->conn->key, sizeof self->conn->key, 0);
  loom_wire_set_log_domain (self->wire, "client");
  self->dealer = zmq_socket (loom_zmq_context (), ZMQ_DEALER);
  self->sub = zmq_socket (loom_zmq_context (), ZMQ_SUB);
  loom_wire_apply_socket_limits (self->wire, self->dealer);
  loom_wire_apply_socket_limits (self->wire, self->sub);
  zmq_setsockopt (self->sub, ZMQ_SUBSCRIBE, "", 0);

  if (zmq_connect (self->dealer, self->conn->client_url) != 0 ||
      zmq_connect (self->sub, self->conn->event_url) != 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                   _("Cannot connect to the controller at %s: %s"),
                   self->conn->client_url, zmq_strerror (zmq_errno ()));
      return NULL;
    }

  self->thread = g_thread_new ("loom-client-io", io_thread, self);

  /* Fail now, with a clear message, rather than at the first request. */
  loom_client_set_request_timeout (self, 3000);
  pong = loom_client_request (self, "ping", "{}", &local_error);
  loom_client_set_request_timeout (self, DEFAULT_REQUEST_TIMEOUT_MS);
  if (pong == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER,
                   _("The controller of %s (pid %" G_GINT64_FORMAT ") does not answer: %s"),
                   path, self->conn->controller_pid, local_error->message);
      return NULL;
    }

  self->engines_dirty = TRUE;
  loom_eventfd_signal (self->wake_fd);

  return g_steal_pointer (&self);
}

/**
 * loom_client_new_for_profile:
 * @profile: (nullable): a profile name; %NULL for "default"
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a new client
 */
LoomClient *
loom_client_new_for_profile (const char  *profile,
                             GError     **error)
{
  g_autofree char *path = NULL;

  if (profile == NULL)
    profile = "default";

  if (!loom_profile_name_is_valid (profile))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid profile name (letters, digits, “-”, “_” and “.”)"), profile);
      return NULL;
    }

  path = loom_connection_path_for_profile (profile);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER,
                   _("No cluster for profile “%s”: run “loomctl cluster start -n 4 --profile %s”"),
                   profile, profile);
      return NULL;
    }

  return loom_client_new_for_file (path, error);
}

const char *
loom_client_get_connection_file (LoomClient *self)
{
  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);
  return self->connection_path;
}

/**
 * loom_client_set_request_timeout:
 * @self: a #LoomClient
 * @timeout_ms: how long to wait for the controller's answer to a request
 */
void
loom_client_set_request_timeout (LoomClient *self,
                                 guint       timeout_ms)
{
  g_return_if_fail (LOOM_IS_CLIENT (self));
  self->request_timeout_ms = MAX (timeout_ms, 10);
}

/**
 * loom_client_get_ids:
 * @self: a #LoomClient
 * @error: return location for a #GError
 *
 * Asks the controller for the ids of the engines that are alive, like
 * ipyparallel's `Client.ids`.
 *
 * Returns: (transfer full) (element-type guint): the ids, ascending
 */
GArray *
loom_client_get_ids (LoomClient  *self,
                     GError     **error)
{
  g_autoptr(JsonObject) reply = NULL;
  JsonArray *engines;
  GArray *ids;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);

  if (!(reply = loom_client_request_object (self, "engines", "{}", error)))
    return NULL;

  ids = g_array_new (FALSE, FALSE, sizeof (guint));
  engines = loom_json_array (reply, "engines");
  for (guint i = 0; engines && i < json_array_get_length (engines); i++)
    {
      JsonObject *e = loom_json_array_object (engines, i);
      const char *state = loom_json_string (e, "state", "");

      if (g_str_equal (state, "idle") || g_str_equal (state, "busy"))
        {
          gint64 id = loom_json_int (e, "id", -1);
          if (id >= 0 && id <= G_MAXUINT)
            {
              guint uid = id;
              g_array_append_val (ids, uid);
            }
        }
    }

  return ids;
}

/**
 * loom_client_get_engines:
 * @self: a #LoomClient
 *
 * A live list of every engine that registered with the controller, kept up
 * to date from its events on the main context the client was created on.
 *
 * Returns: (transfer none): a #GListModel of #LoomEngineInfo
 */
GListModel *
loom_client_get_engines (LoomClient *self)
{
  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);
  return G_LIST_MODEL (self->engines);
}

/**
 * loom_client_load_balanced_view:
 * @self: a #LoomClient
 *
 * Returns: (transfer full): a view that spreads tasks over all engines
 */
LoomView *
loom_client_load_balanced_view (LoomClient *self)
{
  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);
  return loom_view_new (self);
}

/**
 * loom_client_get_status:
 * @self: a #LoomClient
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the controller's status: its settings, engines,
 *   queue and dropped-message counters
 */
JsonObject *
loom_client_get_status (LoomClient  *self,
                        GError     **error)
{
  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);
  return loom_client_request_object (self, "status", "{}", error);
}

/**
 * loom_client_query_job:
 * @self: a #LoomClient
 * @job_id: a job id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the job's summary and task rows
 */
JsonObject *
loom_client_query_job (LoomClient  *self,
                       guint        job_id,
                       GError     **error)
{
  g_autofree char *content = g_strdup_printf ("{\"job\":%u}", job_id);

  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);
  return loom_client_request_object (self, "job", content, error);
}

/**
 * loom_client_stop_engine:
 * @self: a #LoomClient
 * @engine_id: the engine to stop
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the controller told the engine to stop
 */
gboolean
loom_client_stop_engine (LoomClient  *self,
                         guint        engine_id,
                         GError     **error)
{
  g_autofree char *content = g_strdup_printf ("{\"engine\":%u}", engine_id);
  g_autoptr(JsonObject) reply = NULL;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), FALSE);
  reply = loom_client_request_object (self, "stop_engine", content, error);
  return reply != NULL;
}

/**
 * loom_client_shutdown:
 * @self: a #LoomClient
 * @error: return location for a #GError
 *
 * Asks the controller to stop its engines and exit.
 *
 * Returns: %TRUE if the controller agreed
 */
gboolean
loom_client_shutdown (LoomClient  *self,
                      GError     **error)
{
  g_autoptr(JsonObject) reply = NULL;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), FALSE);
  reply = loom_client_request_object (self, "shutdown", "{}", error);
  return reply != NULL;
}
