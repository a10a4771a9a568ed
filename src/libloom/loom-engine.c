/* loom-engine.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The engine: a blank worker process.  Its main thread owns the DEALER
 * socket to the controller (registration, heartbeats, tasks in, results
 * out) and never runs a task; a worker thread runs them one at a time, so a
 * long task never delays a heartbeat.  The two talk over an inproc PAIR
 * socket that carries task pointers.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include <gmodule.h>
#include <glib/gi18n-lib.h>

#include "loom-builtins.h"
#include "loom-connection-private.h"
#include "loom-engine-private.h"
#include "loom-error.h"
#include "loom-plugin.h"
#include "loom-protocol-private.h"
#include "loom-types.h"

typedef struct
{
  guint       job;
  guint       index;
  guint       attempt;
  JsonNode   *spec;
  GBytes     *params;
  gint64      clock_offset;
  gint64      started;
  gint64      completed;
  LoomTaskOutcome outcome;
  gboolean    finished;   /* main thread only */
} EngineTask;

typedef struct
{
  char  kind;             /* 'S' started, 'D' done */
  EngineTask *task;
} WorkerNote;

static void
engine_task_free (EngineTask *task)
{
  g_clear_pointer (&task->spec, json_node_unref);
  g_clear_pointer (&task->params, g_bytes_unref);
  g_free (task->outcome.result);
  if (task->outcome.detail)
    g_string_free (task->outcome.detail, TRUE);
  g_free (task);
}

/* --- running one task ---------------------------------------------------- */

static GHashTable *plugins;  /* worker thread only: path -> GModule */

static void
run_plugin (JsonObject      *spec,
            JsonNode        *params,
            LoomTaskOutcome *outcome)
{
  const char *path = loom_json_string (spec, "module", NULL);
  const char *symbol = loom_json_string (spec, "function", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;
  const unsigned int *abi = NULL;
  LoomPluginFunc func = NULL;
  GModule *module;
  JsonNode *result;

  if (path == NULL || symbol == NULL)
    {
      loom_outcome_set_error (outcome, "InvalidPlugin", _("a plugin task needs “module” and “function”"));
      return;
    }

  if (plugins == NULL)
    plugins = g_hash_table_new (g_str_hash, g_str_equal);

  module = g_hash_table_lookup (plugins, path);
  if (module == NULL)
    {
      module = g_module_open (path, G_MODULE_BIND_LOCAL);
      if (module == NULL)
        {
          msg = g_strdup_printf (_("cannot load plugin %s: %s"), path, g_module_error ());
          loom_outcome_set_error (outcome, "PluginNotFound", msg);
          return;
        }
      if (!g_module_symbol (module, "loom_plugin_abi_version", (gpointer *) &abi) || abi == NULL ||
          *abi != LOOM_PLUGIN_ABI_VERSION)
        {
          msg = g_strdup_printf (_("%s is not a Loom plugin of ABI version %d (add LOOM_PLUGIN_DECLARE () from loom-plugin.h)"),
                                 path, LOOM_PLUGIN_ABI_VERSION);
          g_module_close (module);
          loom_outcome_set_error (outcome, "InvalidPlugin", msg);
          return;
        }
      g_hash_table_insert (plugins, g_strdup (path), module);
    }

  if (!g_module_symbol (module, symbol, (gpointer *) &func) || func == NULL)
    {
      msg = g_strdup_printf (_("plugin %s has no function “%s”"), path, symbol);
      loom_outcome_set_error (outcome, "UnknownFunction", msg);
      return;
    }

  result = func (params, &error);
  if (error != NULL)
    {
      g_clear_pointer (&result, json_node_unref);
      loom_outcome_set_error (outcome, "PluginError", error->message);
      return;
    }

  outcome->ok = TRUE;
  outcome->result = result ? loom_json_to_string (result) : NULL;
  g_clear_pointer (&result, json_node_unref);
}

void
loom_engine_execute (JsonObject      *spec,
                     GBytes          *params_text,
                     gint64           clock_offset,
                     LoomTaskOutcome *outcome)
{
  g_autoptr(JsonNode) params = NULL;
  g_autoptr(GError) error = NULL;
  const char *kind = loom_json_string (spec, "kind", "builtin");

  outcome->ok = FALSE;
  outcome->detail = g_string_new ("{");

  if (params_text != NULL && g_bytes_get_size (params_text) > 0)
    {
      params = loom_json_from_data (g_bytes_get_data (params_text, NULL),
                                    g_bytes_get_size (params_text), &error);
      if (params == NULL)
        {
          g_autofree char *msg = g_strdup_printf (_("the task's parameters are not valid JSON: %s"), error->message);
          loom_outcome_set_error (outcome, "InvalidParameters", msg);
          goto out;
        }
    }

  if (g_str_equal (kind, "builtin"))
    {
      const char *function = loom_json_string (spec, "function", "");

      if (loom_builtins_lookup (function) == NULL)
        {
          loom_builtin_run (function, params, params_text, clock_offset, &outcome->result, &error);
          loom_outcome_set_error (outcome, "UnknownFunction", error->message);
        }
      else if (loom_builtin_run (function, params, params_text, clock_offset, &outcome->result, &error))
        outcome->ok = TRUE;
      else
        loom_outcome_set_error (outcome,
                                g_error_matches (error, LOOM_ERROR, LOOM_ERROR_TASK_FAILED)
                                  ? "TaskFailed" : "InvalidArgument",
                                error->message);
    }
  else if (g_str_equal (kind, "command"))
    loom_command_run (spec, params, outcome);
  else if (g_str_equal (kind, "plugin"))
    run_plugin (spec, params, outcome);
  else
    {
      g_autofree char *msg = g_strdup_printf (_("unknown task kind “%s” (builtin, command or plugin)"), kind);
      loom_outcome_set_error (outcome, "UnknownFunction", msg);
    }

out:
  g_string_append_c (outcome->detail, '}');
}

static gpointer
worker_thread (gpointer data)
{
  void *pair = data;

  for (;;)
    {
      EngineTask *task = NULL;
      WorkerNote note;

      if (zmq_recv (pair, &task, sizeof task, 0) != sizeof task)
        {
          if (zmq_errno () == EINTR)
            continue;
          break;
        }
      if (task == NULL)
        break;

      task->started = g_get_real_time () + task->clock_offset;
      note.kind = 'S';
      note.task = task;
      zmq_send (pair, &note, sizeof note, 0);

      loom_engine_execute (json_node_get_object (task->spec), task->params,
                           task->clock_offset, &task->outcome);

      task->completed = g_get_real_time () + task->clock_offset;
      note.kind = 'D';
      zmq_send (pair, &note, sizeof note, 0);
    }

  zmq_close (pair);
  return NULL;
}

/* --- the engine's main loop ---------------------------------------------- */

typedef struct
{
  LoomWire   *wire;
  void       *dealer;
  void       *pair;
  gint        id;
  gint64      clock_offset;
  guint       heartbeat_ms;
  guint       grace_ms;
  gint64      last_heard;       /* monotonic */
  gint64      last_sent;        /* monotonic */
  gint64      register_sent_at; /* real, for the clock offset */
  gboolean    registered;
  gboolean    stop;
  const char *log_path;
  GPtrArray  *started;          /* EngineTask, this wake-up */
  GPtrArray  *done;
} Engine;

static volatile sig_atomic_t got_signal;

static void
on_signal (int sig)
{
  got_signal = sig;
}

static void
send_register (Engine *engine)
{
  g_autoptr(GString) content = g_string_new ("{\"host\":");

  loom_json_append_string (content, g_get_host_name ());
  engine->register_sent_at = g_get_real_time ();
  g_string_append_printf (content, ",\"pid\":%d,\"time\":%" G_GINT64_FORMAT,
                          (int) getpid (), engine->register_sent_at);
  if (engine->log_path)
    {
      g_string_append (content, ",\"log\":");
      loom_json_append_string (content, engine->log_path);
    }
  g_string_append_c (content, '}');
  loom_wire_send (engine->wire, engine->dealer, NULL, "register", NULL, content->str, content->len, NULL, 0);
  engine->last_sent = g_get_monotonic_time ();
}

static void
handle_register_reply (Engine      *engine,
                       LoomMessage *msg)
{
  g_autoptr(GError) error = NULL;
  JsonObject *content = loom_message_get_content (msg, &error);
  gint64 now = g_get_real_time ();
  gint64 controller_time;

  if (content == NULL)
    return;

  engine->id = loom_json_int (content, "engine", -1);
  engine->heartbeat_ms = loom_json_int (content, "heartbeat_ms", 500);
  controller_time = loom_json_int (content, "time", now);
  /* Assume the reply left the controller half way through the round trip. */
  engine->clock_offset = controller_time - (engine->register_sent_at + now) / 2;
  engine->registered = TRUE;
  g_debug ("registered as engine %d, clock offset %" G_GINT64_FORMAT " µs", engine->id, engine->clock_offset);
}

static void
handle_tasks (Engine      *engine,
              LoomMessage *msg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = NULL;
  JsonObject *content = loom_message_get_content (msg, &error);
  JsonObject *jobs;
  JsonArray *rows;

  if (content == NULL || !json_object_has_member (content, "tasks") ||
      !json_object_has_member (content, "jobs") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (content, "tasks")) ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (content, "jobs")))
    {
      loom_wire_count_drop (engine->wire, LOOM_DROP_MALFORMED, "tasks without tasks or jobs");
      return;
    }

  jobs = loom_json_object (content, "jobs");
  rows = loom_json_array (content, "tasks");
  params = loom_lines_split (loom_message_get_buffer (msg, 0));
  if (params->len != json_array_get_length (rows))
    {
      loom_wire_count_drop (engine->wire, LOOM_DROP_MALFORMED, "tasks whose parameters do not match");
      return;
    }

  for (guint i = 0; i < params->len; i++)
    {
      gint64 v[3];
      EngineTask *task;
      char key[24];
      JsonNode *spec;

      if (!loom_json_row_ints (json_array_get_element (rows, i), v, 3))
        {
          loom_wire_count_drop (engine->wire, LOOM_DROP_MALFORMED, "bad task row");
          continue;
        }

      task = g_new0 (EngineTask, 1);
      task->job = v[0];
      task->index = v[1];
      task->attempt = v[2];
      g_snprintf (key, sizeof key, "%u", task->job);
      spec = json_object_get_member (jobs, key);
      if (spec == NULL || !JSON_NODE_HOLDS_OBJECT (spec))
        {
          /* Answer with a failure rather than leave the task hanging. */
          task->spec = json_node_init_object (json_node_alloc (), json_object_new ());
        }
      else
        task->spec = json_node_ref (spec);
      task->params = g_bytes_ref (g_ptr_array_index (params, i));
      task->clock_offset = engine->clock_offset;
      zmq_send (engine->pair, &task, sizeof task, 0);
    }
}

static void
drain_controller (Engine *engine)
{
  for (;;)
    {
      g_autoptr(LoomMessage) msg = NULL;
      gboolean got_any;

      msg = loom_wire_recv (engine->wire, engine->dealer, &got_any);
      if (!got_any)
        break;
      if (msg == NULL)
        continue;

      engine->last_heard = g_get_monotonic_time ();

      if (g_str_equal (msg->msg_type, "register_reply"))
        handle_register_reply (engine, msg);
      else if (g_str_equal (msg->msg_type, "tasks"))
        handle_tasks (engine, msg);
      else if (g_str_equal (msg->msg_type, "heartbeat_reply"))
        ;
      else if (g_str_equal (msg->msg_type, "stop"))
        engine->stop = TRUE;
      else
        loom_wire_count_drop (engine->wire, LOOM_DROP_UNKNOWN_TYPE, msg->msg_type);
    }
}

static void
drain_worker (Engine *engine)
{
  WorkerNote note;

  while (zmq_recv (engine->pair, &note, sizeof note, ZMQ_DONTWAIT) == sizeof note)
    {
      if (note.kind == 'S')
        g_ptr_array_add (engine->started, note.task);
      else
        {
          note.task->finished = TRUE;
          g_ptr_array_add (engine->done, note.task);
        }
    }
}

static void
flush_to_controller (Engine *engine)
{
  if (engine->started->len > 0)
    {
      g_autoptr(GString) content = g_string_new ("{\"tasks\":[");
      guint n = 0;

      for (guint i = 0; i < engine->started->len; i++)
        {
          EngineTask *task = g_ptr_array_index (engine->started, i);

          /* Finished in the same wake-up: its result says when it started. */
          if (task->finished)
            continue;
          g_string_append_printf (content, "%s[%u,%u,%u,%" G_GINT64_FORMAT "]",
                                  n++ ? "," : "", task->job, task->index, task->attempt, task->started);
        }
      g_string_append (content, "]}");
      if (n > 0)
        loom_wire_send (engine->wire, engine->dealer, NULL, "started", NULL, content->str, content->len, NULL, 0);
      g_ptr_array_set_size (engine->started, 0);
    }

  if (engine->done->len > 0)
    {
      g_autoptr(GString) content = g_string_new ("{\"tasks\":[");
      g_autoptr(GString) results = g_string_new (NULL);
      g_autoptr(GString) details = g_string_new (NULL);
      GBytes *buffers[2];

      for (guint i = 0; i < engine->done->len; i++)
        {
          EngineTask *task = g_ptr_array_index (engine->done, i);

          g_string_append_printf (content, "%s[%u,%u,%u,%d,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]",
                                  i ? "," : "", task->job, task->index, task->attempt,
                                  task->outcome.ok ? LOOM_TASK_DONE : LOOM_TASK_FAILED,
                                  task->started, task->completed);
          if (i > 0)
            {
              g_string_append_c (results, '\n');
              g_string_append_c (details, '\n');
            }
          g_string_append (results, task->outcome.result ? task->outcome.result : "null");
          g_string_append (details, task->outcome.detail->str);
          engine_task_free (task);
        }
      g_string_append (content, "]}");

      buffers[0] = g_string_free_to_bytes (g_steal_pointer (&results));
      buffers[1] = g_string_free_to_bytes (g_steal_pointer (&details));
      loom_wire_send (engine->wire, engine->dealer, NULL, "results", NULL, content->str, content->len, buffers, 2);
      g_bytes_unref (buffers[0]);
      g_bytes_unref (buffers[1]);
      g_ptr_array_set_size (engine->done, 0);
    }
}

/**
 * loom_engine_main:
 * @connection_file: the controller's connection file
 * @grace_ms: how long to go on without hearing from the controller
 * @log_path: (nullable): where this engine's output goes, to tell the controller
 *
 * Runs an engine until the controller stops it, vanishes for @grace_ms, or
 * the process gets SIGTERM/SIGINT.
 *
 * Returns: the process exit status
 */
int
loom_engine_main (const char *connection_file,
                  guint       grace_ms,
                  const char *log_path)
{
  g_autoptr(LoomConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *pair_url = NULL;
  Engine engine = { 0 };
  GThread *worker;
  void *worker_pair;
  struct sigaction sa = { 0 };
  int status = 0;

  conn = loom_connection_load (connection_file, &error);
  if (conn == NULL)
    {
      g_printerr ("loom-engine: %s\n", error->message);
      return 3;
    }

  sa.sa_handler = on_signal;
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);

  engine.wire = loom_wire_new (conn->key, sizeof conn->key, 0);
  loom_wire_set_log_domain (engine.wire, "engine");
  engine.id = -1;
  engine.log_path = log_path;
  engine.grace_ms = grace_ms ? grace_ms : LOOM_ENGINE_DEFAULT_GRACE_MS;
  engine.heartbeat_ms = 250;
  engine.started = g_ptr_array_new ();
  engine.done = g_ptr_array_new ();

  engine.dealer = zmq_socket (loom_zmq_context (), ZMQ_DEALER);
  loom_wire_apply_socket_limits (engine.wire, engine.dealer);
  identity = g_strdup_printf ("engine-%s-%d-%08x", g_get_host_name (), (int) getpid (), g_random_int ());
  zmq_setsockopt (engine.dealer, ZMQ_ROUTING_ID, identity, strlen (identity));
  if (zmq_connect (engine.dealer, conn->engine_url) != 0)
    {
      g_printerr ("loom-engine: cannot connect to %s: %s\n", conn->engine_url, zmq_strerror (zmq_errno ()));
      return 3;
    }

  pair_url = g_strdup_printf ("inproc://loom-engine-worker-%p", (void *) &engine);
  engine.pair = zmq_socket (loom_zmq_context (), ZMQ_PAIR);
  zmq_bind (engine.pair, pair_url);
  worker_pair = zmq_socket (loom_zmq_context (), ZMQ_PAIR);
  zmq_connect (worker_pair, pair_url);
  worker = g_thread_new ("loom-engine-worker", worker_thread, worker_pair);

  engine.last_heard = g_get_monotonic_time ();
  send_register (&engine);

  while (!engine.stop && !got_signal)
    {
      zmq_pollitem_t items[2] = {
        { engine.dealer, 0, ZMQ_POLLIN, 0 },
        { engine.pair, 0, ZMQ_POLLIN, 0 },
      };
      gint64 now;
      guint interval = engine.registered ? engine.heartbeat_ms : 250;

      if (zmq_poll (items, 2, interval) < 0 && zmq_errno () != EINTR)
        break;

      drain_controller (&engine);
      drain_worker (&engine);
      flush_to_controller (&engine);

      now = g_get_monotonic_time ();
      if (now - engine.last_heard > (gint64) engine.grace_ms * 1000)
        {
          g_printerr ("loom-engine: no word from the controller at %s for %u ms: exiting\n",
                      conn->engine_url, engine.grace_ms);
          status = 4;
          break;
        }
      if (now - engine.last_sent >= (gint64) interval * 1000)
        {
          if (engine.registered)
            {
              loom_wire_send (engine.wire, engine.dealer, NULL, "heartbeat", NULL, "{}", 2, NULL, 0);
              engine.last_sent = now;
            }
          else
            send_register (&engine);
        }
    }

  if (engine.registered && status == 0)
    {
      /* Say goodbye and wait (briefly) for the controller's "bye": the
       * message must leave before the process does, or we would be taken
       * for dead instead of stopped. */
      gint64 deadline = g_get_monotonic_time () + 500 * 1000;

      loom_wire_send (engine.wire, engine.dealer, NULL, "unregister", NULL, "{}", 2, NULL, 0);
      while (g_get_monotonic_time () < deadline)
        {
          zmq_pollitem_t item = { engine.dealer, 0, ZMQ_POLLIN, 0 };
          gboolean got_any;
          g_autoptr(LoomMessage) msg = NULL;

          if (zmq_poll (&item, 1, 50) <= 0)
            continue;
          msg = loom_wire_recv (engine.wire, engine.dealer, &got_any);
          if (msg && g_str_equal (msg->msg_type, "bye"))
            break;
        }
    }

  /* The worker may be in the middle of a long task: do not wait for it.
   * Its command children die with it (PR_SET_PDEATHSIG). */
  if (worker != NULL)
    {
      EngineTask *quit = NULL;
      zmq_send (engine.pair, &quit, sizeof quit, ZMQ_DONTWAIT);
      g_thread_unref (worker);
    }

  zmq_close (engine.dealer);
  g_ptr_array_unref (engine.started);
  g_ptr_array_unref (engine.done);
  loom_wire_free (engine.wire);

  return status;
}
