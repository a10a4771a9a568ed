/* loom-client.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The client: a DEALER for requests and results and a SUB for events.  Its
 * sockets belong to the thread that created it, and so do its views and
 * results.  Nothing moves between threads on the way:
 *
 *  - a blocking call (a request, loom_async_result_get()) sends and then
 *    pumps the sockets itself until its answer is in;
 *  - a program with a main loop gets a GSource on the sockets' ZMQ_FD,
 *    which feeds results, signals and the engines model as they come.
 *
 * libzmq's ZMQ_FD is edge-triggered, so the source asks ZMQ_EVENTS in
 * prepare and check on every iteration rather than trusting the fd alone.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include <glib/gi18n-lib.h>

#include "loom-client-state-private.h"
#include "loom-connection-private.h"
#include "loom-error.h"

#define DEFAULT_REQUEST_TIMEOUT_MS 10000
#define TICK_USEC                  (100 * 1000)
#define PING_INTERVAL_USEC         (1 * G_USEC_PER_SEC)
#define DRAIN_BUDGET_USEC          (8 * 1000)
#define DEFAULT_RECONNECT_TIMEOUT_MS 60000
#define PARAMS_CHUNK_BYTES         (4 * 1024 * 1024)

typedef struct
{
  GSource     source;
  LoomClient *client;            /* not owned */
} ClientSource;

G_DEFINE_FINAL_TYPE (LoomClient, loom_client, G_TYPE_OBJECT)

static void client_pump (LoomClient *self);

Op *
loom_client_op_new (const char *msg_type,
                    OpComplete  complete)
{
  Op *op = g_new0 (Op, 1);

  op->msg_type = g_strdup (msg_type);
  op->complete = complete;
  return op;
}

void
loom_client_op_free (Op *op)
{
  g_free (op->msg_type);
  g_free (op->msg_id);
  g_clear_object (&op->result);
  if (op->cancel_source)
    {
      g_source_destroy (op->cancel_source);
      g_clear_pointer (&op->cancel_source, g_source_unref);
    }
  g_clear_object (&op->task);
  g_clear_pointer (&op->reply, loom_message_free);
  g_clear_error (&op->error);
  g_free (op);
}

static gboolean
check_owner (LoomClient *self)
{
  if (self->owner != g_thread_self ())
    {
      g_critical ("A LoomClient (and its views and results) must be used from the thread that created it");
      return FALSE;
    }
  return TRUE;
}

/* Completion of a synchronous request: keep the reply for the caller. */
static void
op_complete_sync (LoomClient   *self,
                  Op           *op,
                  LoomMessage  *reply,
                  const GError *error)
{
  if (error)
    op->error = g_error_copy (error);
  else
    op->reply = reply;
  op->done = TRUE;
}

GError *
loom_client_error_from_reply (LoomMessage *reply)
{
  JsonObject *content = loom_message_get_content (reply, NULL);
  JsonObject *err = loom_json_object (content, "error");

  return g_error_new (LOOM_ERROR, LOOM_ERROR_PROTOCOL, _("The controller refused the request: %s"),
                      err ? loom_json_string (err, "message", "?") : "?");
}

/* Sends @op; on failure completes it at once.  Returns FALSE if it failed. */
gboolean
loom_client_send_op (LoomClient *self,
                     Op         *op,
                     const char *content,
                     GBytes     *buffer,
                     gboolean    track)
{
  GBytes *buffers[1] = { buffer };
  g_autoptr(GError) error = NULL;

  if (self->closed)
    error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION, _("The client is closed"));
  else if (loom_wire_send (self->wire, self->dealer, NULL, op->msg_type, NULL,
                           content, -1, buffers, buffer ? 1 : 0) != 0)
    error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION, _("Cannot send to the controller at %s: %s"),
                         self->conn->client_url, zmq_strerror (zmq_errno ()));

  if (error != NULL)
    {
      op->complete (self, op, NULL, error);
      return FALSE;
    }

  if (track)
    {
      op->deadline = g_get_monotonic_time () + (gint64) self->request_timeout_ms * 1000;
      op->msg_id = g_strdup (loom_wire_last_msg_id (self->wire));
      g_hash_table_insert (self->pending, g_strdup (op->msg_id), op);
    }
  else
    loom_client_op_free (op);
  /* A send can swallow the edge of ZMQ_FD: let the source look again. */
  if (self->source)
    g_source_set_ready_time (self->source, 0);
  return TRUE;
}

/* Pumps the sockets until @done is set or @deadline (monotonic) passes. */
static void
pump_until (LoomClient *self,
            gboolean   *done,
            gint64      deadline)
{
  /* What has arrived already counts, even with no time to wait. */
  client_pump (self);

  while (!*done && !self->closed)
    {
      zmq_pollitem_t items[2] = {
        { self->dealer, 0, ZMQ_POLLIN, 0 },
        { self->sub, 0, ZMQ_POLLIN, 0 },
      };
      gint64 now = g_get_monotonic_time ();
      gint64 wait = TICK_USEC;

      if (deadline >= 0)
        {
          if (now >= deadline)
            break;
          wait = MIN (wait, deadline - now);
        }
      zmq_poll (items, 2, MAX (wait / 1000, 1));
      client_pump (self);
    }
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
  LoomMessage *reply = NULL;
  Op *op;

  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);
  g_return_val_if_fail (check_owner (self), NULL);

  op = loom_client_op_new (msg_type, op_complete_sync);
  if (loom_client_send_op (self, op, content ? content : "{}", NULL, TRUE))
    pump_until (self, &op->done, -1);

  if (!op->done)
    g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION, _("The client is closed"));
  else if (op->error)
    g_propagate_error (error, g_steal_pointer (&op->error));
  else if (g_str_equal (op->reply->msg_type, "error_reply"))
    g_propagate_error (error, loom_client_error_from_reply (op->reply));
  else
    reply = g_steal_pointer (&op->reply);

  /* A request that timed out or was answered is out of the table. */
  if (op->done)
    loom_client_op_free (op);
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

/* Completion of an asynchronous request: its task gets the reply. */
static void
op_complete_task (LoomClient   *self,
                  Op           *op,
                  LoomMessage  *reply,
                  const GError *error)
{
  if (error != NULL)
    g_task_return_error (op->task, g_error_copy (error));
  else if (g_str_equal (reply->msg_type, "error_reply"))
    {
      g_task_return_error (op->task, loom_client_error_from_reply (reply));
      loom_message_free (reply);
    }
  else
    g_task_return_pointer (op->task, reply, (GDestroyNotify) loom_message_free);
  loom_client_op_free (op);
}

/* The caller gave up: the request leaves the table, its reply (if one
 * comes) is dropped as unknown, and the task returns at once. */
static gboolean
op_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  Op *op = data;
  LoomClient *self = g_task_get_source_object (op->task);

  g_hash_table_remove (self->pending, op->msg_id);
  g_clear_pointer (&op->cancel_source, g_source_unref);
  g_task_return_error_if_cancelled (op->task);
  loom_client_op_free (op);
  return G_SOURCE_REMOVE;
}

/**
 * loom_client_request_async: (skip)
 * @source_tag: the public function the request is for
 *
 * Sends a request; @callback runs on the client's main context when its
 * reply, an error reply or the request timeout comes, or at once when
 * @cancellable is cancelled.  loom_client_request_finish() gives the reply.
 */
void
loom_client_request_async (LoomClient          *self,
                           const char          *msg_type,
                           const char          *content,
                           gpointer             source_tag,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Op *op;

  g_return_if_fail (LOOM_IS_CLIENT (self));
  g_return_if_fail (check_owner (self));

  op = loom_client_op_new (msg_type, op_complete_task);
  op->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, source_tag);
  g_task_set_name (op->task, msg_type);
  if (g_task_return_error_if_cancelled (op->task))
    {
      loom_client_op_free (op);
      return;
    }
  if (!loom_client_send_op (self, op, content ? content : "{}", NULL, TRUE))
    return;
  if (cancellable != NULL)
    {
      op->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (op->cancel_source, (GSourceFunc) G_CALLBACK (op_cancelled), op, NULL);
      g_source_set_static_name (op->cancel_source, "[loom] request cancelled");
      g_source_attach (op->cancel_source, self->context);
    }
}

/**
 * loom_client_request_finish: (skip)
 *
 * Returns: (transfer full) (nullable): the reply of a request sent with
 *   loom_client_request_async()
 */
LoomMessage *
loom_client_request_finish (LoomClient    *self,
                            GAsyncResult  *result,
                            gpointer       source_tag,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fail_submit (LoomClient   *self,
             guint         ref,
             const GError *error)
{
  LoomAsyncResult *result = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (ref));

  if (result != NULL)
    {
      loom_async_result_fail (result, error);
      g_hash_table_remove (self->jobs, GUINT_TO_POINTER (ref));
    }
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
    error = refused = loom_client_error_from_reply (reply);

  if (error != NULL)
    fail_submit (self, op->ref, error);
  else if ((content = loom_message_get_content (reply, NULL)) != NULL)
    loom_async_result_set_job (op->result, loom_json_int (content, "job", 0));
  g_clear_pointer (&reply, loom_message_free);
  loom_client_op_free (op);
}

/* Lines of parameters, split into chunks of about @max bytes at line ends
 * (a line longer than @max is a chunk of its own). */
static GPtrArray *
split_lines (GBytes *lines,
             gsize   max)
{
  GPtrArray *chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize size, start = 0;
  const char *data = g_bytes_get_data (lines, &size);

  while (start < size)
    {
      gsize end = MIN (start + max, size);

      if (end < size)
        {
          const char *nl = NULL;

          for (gsize i = end; i > start && nl == NULL; i--)
            if (data[i - 1] == '\n')
              nl = data + i - 1;
          if (nl == NULL)
            nl = memchr (data + end, '\n', size - end);
          end = nl ? (gsize) (nl - data) : size;
        }
      g_ptr_array_add (chunks, g_bytes_new_from_bytes (lines, start, end - start));
      start = end + 1;  /* past the newline */
    }
  return chunks;
}

static guint
count_lines (GBytes *chunk)
{
  gsize size;
  const char *data = g_bytes_get_data (chunk, &size);
  guint n = size > 0;

  for (gsize i = 0; i < size; i++)
    n += data[i] == '\n';
  return n;
}

/**
 * loom_client_submit: (skip)
 * @content: (transfer full): the submit request, an object without its
 *   closing brace: the client adds its ref
 * @ack: whether to ask for an acknowledgement with the job id at once;
 *   without one the id comes with the first results
 *
 * Hands a job to the controller; @result receives its job id and results.
 */
void
loom_client_submit (LoomClient      *self,
                    LoomAsyncResult *result,
                    char            *content,
                    GBytes          *params,
                    gboolean         ack)
{
  g_autoptr(GString) request = g_string_new (content);
  Op *op;

  g_free (content);
  g_return_if_fail (check_owner (self));

  op = loom_client_op_new ("submit", op_complete_submit);
  op->result = g_object_ref (result);
  op->ref = ++self->next_ref;

  /* Long parameter lists go in chunks, never as one giant message: the
   * submit holds the first, "params" messages the others, in order. */
  if (params != NULL && g_bytes_get_size (params) > PARAMS_CHUNK_BYTES)
    {
      g_autoptr(GPtrArray) chunks = split_lines (params, PARAMS_CHUNK_BYTES);
      guint64 first = 0;

      g_string_append_printf (request, ",\"params_count\":%u", count_lines (g_ptr_array_index (chunks, 0)));
      g_string_append_printf (request, ",\"ref\":%u,\"ack\":%s}", op->ref, ack ? "true" : "false");
      g_hash_table_insert (self->jobs, GUINT_TO_POINTER (op->ref), g_object_ref (result));
      if (!loom_client_send_op (self, op, request->str, g_ptr_array_index (chunks, 0), ack))
        return;
      first = count_lines (g_ptr_array_index (chunks, 0));
      for (guint i = 1; i < chunks->len; i++)
        {
          GBytes *chunk = g_ptr_array_index (chunks, i);
          guint n = count_lines (chunk);
          char content_chunk[96];

          g_snprintf (content_chunk, sizeof content_chunk,
                      "{\"ref\":%u,\"first\":%" G_GUINT64_FORMAT ",\"count\":%u}", op->ref, first, n);
          loom_wire_send (self->wire, self->dealer, NULL, "params", NULL, content_chunk, -1, &chunk, 1);
          first += n;
        }
      return;
    }

  g_string_append_printf (request, ",\"ref\":%u,\"ack\":%s}", op->ref, ack ? "true" : "false");
  g_hash_table_insert (self->jobs, GUINT_TO_POINTER (op->ref), g_object_ref (result));
  loom_client_send_op (self, op, request->str, params, ack);
}

/**
 * loom_client_wait: (skip)
 * @done: the flag to wait for
 * @timeout: seconds; negative waits for ever
 *
 * Pumps the client in the calling thread until *@done or @timeout.
 */
void
loom_client_wait (LoomClient *self,
                  gboolean   *done,
                  double      timeout)
{
  g_return_if_fail (check_owner (self));
  pump_until (self, done, timeout < 0 ? -1 : g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC));
}

/**
 * loom_client_in_main_loop: (skip)
 *
 * Whether the client's main context is being run here, now, and keeps
 * every result current through the client's GSource: quick queries then
 * need not pump.
 */
gboolean
loom_client_in_main_loop (LoomClient *self)
{
  /* Inside our own pump (a signal handler asking a question), or in a
   * loop that dispatched our source lately.  A callback that spins on
   * ready() holds the context but stops the source: it pumps again. */
  return self->pump_depth > 0 ||
         (self->source != NULL && g_main_context_is_owner (self->context) &&
          g_get_monotonic_time () - self->last_dispatch < 2 * TICK_USEC);
}

/* --- the pump ------------------------------------------------------------ */

static void
handle_results (LoomClient  *self,
                LoomMessage *msg)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) details = NULL;
  JsonObject *content = loom_message_get_content (msg, NULL);
  JsonArray *rows = loom_json_array (content, "tasks");
  LoomAsyncResult *result;
  gint64 ref;
  guint job;

  if (rows == NULL)
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "results without tasks");
      return;
    }

  job = loom_json_int (content, "job", 0);
  ref = loom_json_int (content, "ref", -1);
  result = ref >= 0 ? g_hash_table_lookup (self->jobs, GUINT_TO_POINTER ((guint) ref)) : NULL;
  if (result == NULL)
    return;
  if (loom_async_result_peek_job_id (result) < 0)
    loom_async_result_set_job (result, job);

  results = loom_lines_split (loom_message_get_buffer (msg, 0));
  details = loom_lines_split (loom_message_get_buffer (msg, 1));
  if (results->len != json_array_get_length (rows) || details->len != results->len)
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "results whose buffers do not match");
      return;
    }

  if (loom_async_result_apply (result, rows, results, details))
    {
      g_hash_table_remove (self->jobs, GUINT_TO_POINTER ((guint) ref));
      /* Engines' task counts changed: refresh the model if it is shown. */
      if (self->engines_wanted)
        self->engines_dirty = TRUE;
    }
}

/* Whether a drain that began at @start has used its time: a flood of
 * results must not hold the main loop (and the app's frames) for seconds.
 * What is left stays readable and is handled at the next dispatch. */
static gboolean
drain_out_of_time (LoomClient *self,
                   gint64      start)
{
  if (self->drain_budget == 0 || g_get_monotonic_time () - start < self->drain_budget)
    return FALSE;
  self->drain_cut = TRUE;
  return TRUE;
}

static void
drain_dealer (LoomClient *self)
{
  gint64 start = g_get_monotonic_time ();

  while (!drain_out_of_time (self, start))
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
        }
      else if (g_str_equal (msg->msg_type, "error_reply") &&
               loom_json_int (loom_message_get_content (msg, NULL), "ref", -1) >= 0)
        {
          g_autoptr(GError) error = loom_client_error_from_reply (msg);
          fail_submit (self, loom_json_int (loom_message_get_content (msg, NULL), "ref", -1), error);
          loom_message_free (msg);
        }
      else
        loom_message_free (msg);
    }
}

/* A task event for a job of ours: its result learns the task runs. */
static void
note_task_started (LoomClient *self,
                   JsonObject *event)
{
  gint64 job = loom_json_int (event, "job", -1);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (loom_async_result_peek_job_id (value) == job)
      {
        loom_async_result_mark_started (value,
                                        loom_json_int (event, "index", -1),
                                        loom_json_int (event, "engine", -1),
                                        loom_json_int (event, "started", 0));
        break;
      }
}

static void
drain_sub (LoomClient *self)
{
  gint64 start = g_get_monotonic_time ();

  while (!drain_out_of_time (self, start))
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

      events = loom_json_array (content, "events");
      for (guint i = 0; events && i < json_array_get_length (events); i++)
        {
          const char *type = loom_json_string (loom_json_array_object (events, i), "type", "");

          if (g_str_has_prefix (type, "engine_"))
            self->engines_dirty = TRUE;
          else if (g_str_equal (type, "task_started"))
            note_task_started (self, loom_json_array_object (events, i));
        }
    }
}

static void
fail_everything (LoomClient   *self,
                 const GError *error)
{
  g_autoptr(GList) ops = g_hash_table_get_values (self->pending);
  GHashTableIter iter;
  gpointer value;

  /* Empty the table first (it frees only the keys): completions free ops. */
  g_hash_table_remove_all (self->pending);
  for (GList *l = ops; l; l = l->next)
    ((Op *) l->data)->complete (self, l->data, NULL, error);

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    loom_async_result_fail (value, error);
  g_hash_table_remove_all (self->jobs);
}

static void
check_deadlines (LoomClient *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) expired = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (now >= ((Op *) value)->deadline)
      {
        g_ptr_array_add (expired, value);
        g_hash_table_iter_remove (&iter);
      }
  for (guint i = 0; i < expired->len; i++)
    {
      Op *op = g_ptr_array_index (expired, i);
      g_autoptr(GError) error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION,
                                             _("The controller at %s did not answer “%s” within %u ms"),
                                             self->conn->client_url, op->msg_type, self->request_timeout_ms);
      op->complete (self, op, NULL, error);
    }

  /* While results are awaited, make sure the controller is still there:
   * a restarted one gets a reconnect timeout's time to come back. */
  if (g_hash_table_size (self->jobs) > 0)
    {
      if (now - self->last_heard > (gint64) self->reconnect_timeout_ms * 1000)
        {
          g_autoptr(GError) error = NULL;

          if (loom_connection_is_stale (self->conn))
            error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION,
                                 _("Lost the controller at %s: its process (pid %" PRId64 ") is gone "
                                   "and no controller came back within %.0f s. Restart it with “loomctl cluster "
                                   "start --profile %s”; finished tasks are kept in the profile's job store "
                                   "(see “loomctl jobs”)"),
                                 self->conn->client_url, self->conn->controller_pid,
                                 self->reconnect_timeout_ms / 1000.0, self->conn->profile);
          else
            error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION,
                                 _("Lost the controller at %s: no answer for %.0f s"),
                                 self->conn->client_url, self->reconnect_timeout_ms / 1000.0);
          fail_everything (self, error);
        }
      else if (now - self->last_heard > PING_INTERVAL_USEC && now - self->last_ping > PING_INTERVAL_USEC)
        {
          loom_client_send_op (self, loom_client_op_new ("ping", loom_client_complete_pong), "{}", NULL, TRUE);
          self->last_ping = now;
        }
    }
  else
    self->last_heard = MAX (self->last_heard, now - PING_INTERVAL_USEC);
}

/* Handles everything that arrived, without blocking. */
static void
client_pump (LoomClient *self)
{
  gint64 now;

  if (self->closed)
    return;

  self->pump_depth++;
  drain_dealer (self);
  drain_sub (self);
  self->pump_depth--;

  if (self->engines_dirty && !self->engines_in_flight)
    {
      self->engines_dirty = FALSE;
      self->engines_in_flight = TRUE;
      loom_client_send_op (self, loom_client_op_new ("engines", loom_client_complete_engines), "{}", NULL, TRUE);
    }

  now = g_get_monotonic_time ();
  if (now - self->last_tick >= TICK_USEC / 2)
    {
      self->last_tick = now;
      check_deadlines (self);
    }
}

static gboolean
socket_readable (void *sock)
{
  int events = 0;
  size_t len = sizeof events;

  return sock != NULL && zmq_getsockopt (sock, ZMQ_EVENTS, &events, &len) == 0 && (events & ZMQ_POLLIN);
}

static gboolean
client_source_prepare (GSource *source,
                       int     *timeout)
{
  LoomClient *self = ((ClientSource *) source)->client;

  *timeout = (g_hash_table_size (self->pending) || g_hash_table_size (self->jobs)) ? TICK_USEC / 1000 : -1;
  return socket_readable (self->dealer) || socket_readable (self->sub);
}

static gboolean
client_source_check (GSource *source)
{
  LoomClient *self = ((ClientSource *) source)->client;

  return socket_readable (self->dealer) || socket_readable (self->sub) ||
         g_get_monotonic_time () - self->last_tick >= TICK_USEC;
}

static gboolean
client_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  LoomClient *self = ((ClientSource *) source)->client;

  g_source_set_ready_time (source, -1);
  g_object_ref (self);
  self->last_dispatch = g_get_monotonic_time ();
  self->drain_budget = DRAIN_BUDGET_USEC;
  self->drain_cut = FALSE;
  client_pump (self);
  self->drain_budget = 0;
  /* With messages left, the source steps below redrawing and input until
   * it has caught up: a window stays live while a big job pours in, and a
   * program with nothing else to do loses no time. */
  if (!self->closed)
    g_source_set_priority (source, self->drain_cut ? G_PRIORITY_LOW : G_PRIORITY_DEFAULT);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs client_source_funcs = {
  .prepare = client_source_prepare,
  .check = client_source_check,
  .dispatch = client_source_dispatch,
};

static void
attach_source (LoomClient *self)
{
  ClientSource *source = (ClientSource *) g_source_new (&client_source_funcs, sizeof (ClientSource));
  int fd;
  size_t len = sizeof fd;

  source->client = self;
  g_source_set_static_name ((GSource *) source, "[loom] client");
  zmq_getsockopt (self->dealer, ZMQ_FD, &fd, &len);
  g_source_add_unix_fd ((GSource *) source, fd, G_IO_IN);
  len = sizeof fd;
  zmq_getsockopt (self->sub, ZMQ_FD, &fd, &len);
  g_source_add_unix_fd ((GSource *) source, fd, G_IO_IN);
  g_source_attach ((GSource *) source, self->context);
  self->source = (GSource *) source;
}

/* --- the object ---------------------------------------------------------- */

/**
 * loom_client_close:
 * @self: a #LoomClient
 *
 * Closes the client's sockets.  Requests and results still awaited fail
 * with %LOOM_ERROR_CONNECTION.  Called by dispose as well.
 */
void
loom_client_close (LoomClient *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LOOM_IS_CLIENT (self));

  if (self->closed)
    return;

  error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION, _("The client is closed"));
  fail_everything (self, error);
  self->closed = TRUE;

  if (self->source)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  g_clear_pointer (&self->dealer, zmq_close);
  g_clear_pointer (&self->sub, zmq_close);
}

static void
loom_client_dispose (GObject *object)
{
  LoomClient *self = (LoomClient *) object;

  loom_client_close (self);
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
  g_clear_pointer (&self->context, g_main_context_unref);

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
  self->request_timeout_ms = DEFAULT_REQUEST_TIMEOUT_MS;
  self->reconnect_timeout_ms = DEFAULT_RECONNECT_TIMEOUT_MS;
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->jobs = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->engines = g_list_store_new (LOOM_TYPE_ENGINE_INFO);
  self->context = g_main_context_ref_thread_default ();
  self->owner = g_thread_self ();
  self->last_heard = g_get_monotonic_time ();
}

/**
 * loom_client_new_for_file:
 * @path: a connection file
 * @error: return location for a #GError
 *
 * Connects to the controller that wrote @path and checks that it answers.
 * The client, its views and results belong to the calling thread; results
 * and the engines model also update from its thread-default main context.
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
  g_autofree char *client_inproc = NULL;
  g_autofree char *event_inproc = NULL;
  g_autofree char *client_url = NULL;
  g_autofree char *event_url = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (LOOM_TYPE_CLIENT, NULL);
  self->connection_path = g_strdup (path);
  if (!(self->conn = loom_connection_load_for_role (path, LOOM_ROLE_CLIENT, error)))
    return NULL;
  if (loom_connection_is_stale (self->conn))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER,
                   _("The controller of profile “%s” (pid %" PRId64 ") is no longer running; "
                     "“loomctl cluster start” replaces it"),
                   self->conn->profile, self->conn->controller_pid);
      return NULL;
    }

  self->wire = loom_wire_new (self->conn->key, sizeof self->conn->key, 0);
  loom_wire_set_log_domain (self->wire, "client");
  self->dealer = zmq_socket (loom_zmq_context (), ZMQ_DEALER);
  self->sub = zmq_socket (loom_zmq_context (), ZMQ_SUB);
  loom_wire_apply_socket_limits (self->wire, self->dealer);
  loom_wire_apply_socket_limits (self->wire, self->sub);
  /* Results wait here for as long as the program is busy elsewhere. */
  zmq_setsockopt (self->dealer, ZMQ_RCVHWM, &(int) { 0 }, sizeof (int));
  /* The engines model needs engine events only; task events would wake a
   * blocking caller for nothing. */
  zmq_setsockopt (self->sub, ZMQ_SUBSCRIBE, LOOM_EVENT_TOPIC_ENGINES, strlen (LOOM_EVENT_TOPIC_ENGINES));

  client_inproc = loom_connection_inproc_url (self->conn, "client");
  event_inproc = loom_connection_inproc_url (self->conn, "event");
  client_url = client_inproc ? g_strdup (client_inproc) : loom_connection_url (self->conn, self->conn->client_url);
  event_url = event_inproc ? g_strdup (event_inproc) : loom_connection_url (self->conn, self->conn->event_url);
  if (!loom_connection_secure_socket (self->conn, self->dealer, client_url, error) ||
      !loom_connection_secure_socket (self->conn, self->sub, event_url, error))
    return NULL;
  if (zmq_connect (self->dealer, client_url) != 0 ||
      zmq_connect (self->sub, event_url) != 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                   _("Cannot connect to the controller at %s: %s"),
                   self->conn->client_url, zmq_strerror (zmq_errno ()));
      return NULL;
    }

  attach_source (self);

  /* Fail now, with a clear message, rather than at the first request. */
  loom_client_set_request_timeout (self, 3000);
  pong = loom_client_request (self, "ping", "{}", &local_error);
  loom_client_set_request_timeout (self, DEFAULT_REQUEST_TIMEOUT_MS);
  if (pong == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER,
                   _("The controller of %s (pid %" PRId64 ") does not answer: %s"),
                   path, self->conn->controller_pid, local_error->message);
      return NULL;
    }

  self->controller_started = loom_json_int (loom_message_get_content (pong, NULL), "started", 0);
  self->engines_dirty = TRUE;
  if (self->source)
    g_source_set_ready_time (self->source, 0);

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

  if (!loom_profile_name_check (profile, error))
    return NULL;

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

/**
 * loom_client_get_connection_file:
 * @self: a #LoomClient
 *
 * Returns: (type filename): the connection file the client was made from
 */
const char *
loom_client_get_connection_file (LoomClient *self)
{
  g_return_val_if_fail (LOOM_IS_CLIENT (self), NULL);
  return self->connection_path;
}

/**
 * loom_client_set_reconnect_timeout:
 * @self: a #LoomClient
 * @timeout_ms: how long a client waiting for results waits for a
 *   controller that stopped answering (a restart) before it fails them
 *
 * The default is 60 s.  A controller restarted within it (with `loomctl
 * cluster start` on the same profile) sends the results again, and the
 * waiting ends normally.
 */
void
loom_client_set_reconnect_timeout (LoomClient *self,
                                   guint       timeout_ms)
{
  g_return_if_fail (LOOM_IS_CLIENT (self));
  self->reconnect_timeout_ms = MAX (timeout_ms, 100);
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
  self->engines_wanted = TRUE;
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
 * loom_client_set_follow_tasks:
 * @self: a #LoomClient
 * @follow: whether to follow task events
 *
 * Subscribes to the controller's task events, so that results know which
 * tasks are running (and since when) before they finish: what a live
 * timeline needs.  Off by default: a blocking caller is not woken by them.
 */
void
loom_client_set_follow_tasks (LoomClient *self,
                              gboolean    follow)
{
  g_return_if_fail (LOOM_IS_CLIENT (self));

  follow = !!follow;
  if (self->follow_tasks == follow || self->sub == NULL)
    return;
  self->follow_tasks = follow;
  zmq_setsockopt (self->sub, follow ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE,
                  LOOM_EVENT_TOPIC_TASKS, strlen (LOOM_EVENT_TOPIC_TASKS));
}
