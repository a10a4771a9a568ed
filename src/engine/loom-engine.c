/* loom-engine.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The engine: a blank worker process.  Its main thread owns the task
 * socket (a DEALER: registration, tasks in, results out) and runs the tasks
 * itself, one at a time, with no thread hand-off on the way.  A heartbeat
 * thread owns a second DEALER of its own, so a long task never delays a
 * heartbeat; it also carries out stopping (from the controller, a signal, or
 * a controller gone silent), killing a running command on the way out, and
 * ends tasks past their timeout or aborted, and reports fatal signals
 * (loom-engine-faults.c).  The two threads and the running task share a
 * LoomRunContext: the task being run, its abort flag and deadline, the
 * command's pid and the clock offset.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <gmodule.h>
#include <glib/gi18n-lib.h>

#include "loom.h"
#include "loom-connection-private.h"
#include "loom-engine-private.h"
#include "loom-enum-private.h"
#include "loom-json-private.h"
#include "loom-wire-private.h"


typedef struct
{
  guint            job;
  guint            index;
  guint            attempt;
  JsonNode        *spec;
  GBytes          *params;
  gint64           started;
  gint64           completed;
  LoomTaskOutcome  outcome;
} EngineTask;

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

/* What this engine may run, set by loom-engine's options before it starts.
 *
 * A plugin runs in the engine's process with its rights, so an engine
 * loads one only from a directory it was given (--plugin-dir, repeatable).
 * Directories and plugin paths are resolved with realpath(), so neither
 * ".." nor a symbolic link leads out of an allowed directory, and the
 * engine loads the resolved path it checked.
 *
 * --allow-own-plugins is what the engines of a local cluster get when
 * their owner names no directory (loomctl cluster start, engines add, a
 * private cluster, the app): a plugin file that this user (or root) owns
 * and that only its owner can write, in a directory that only its owner
 * can write, owned by this user or root.  Whoever can put such a file
 * there can already run code as this user; a path in /tmp, or a file
 * someone else could replace, is refused.  Engines on other hosts are
 * started by hand or by a launcher and allow nothing unless given
 * --plugin-dir. */
static GPtrArray *plugin_dirs;     /* resolved, with no trailing '/' */
static gboolean   own_plugins;
static gboolean   commands_allowed = TRUE;

gboolean
loom_engine_allow_plugin_dir (const char  *dir,
                              GError     **error)
{
  char resolved[PATH_MAX];

  g_return_val_if_fail (dir != NULL, FALSE);

  if (realpath (dir, resolved) == NULL || !g_file_test (resolved, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED,
                   _("--plugin-dir %s: not a directory"), dir);
      return FALSE;
    }
  if (plugin_dirs == NULL)
    plugin_dirs = g_ptr_array_new_with_free_func (g_free);
  /* "/" allows every path: keep it as the empty prefix. */
  g_ptr_array_add (plugin_dirs, g_strdup (g_str_equal (resolved, "/") ? "" : resolved));
  return TRUE;
}

void
loom_engine_allow_own_plugins (gboolean allow)
{
  own_plugins = allow;
}

void
loom_engine_allow_commands (gboolean allow)
{
  commands_allowed = allow;
}

/* Only its owner (this user or root) can write @st's file. */
static gboolean
only_owner_writes (const struct stat *st)
{
  return (st->st_uid == getuid () || st->st_uid == 0) && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* Whether the engine may load the plugin at @resolved (a real path). */
static gboolean
plugin_allowed (const char *resolved)
{
  for (guint i = 0; plugin_dirs && i < plugin_dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (plugin_dirs, i);
      gsize len = strlen (dir);

      if (strncmp (resolved, dir, len) == 0 && resolved[len] == '/')
        return TRUE;
    }
  if (own_plugins)
    {
      g_autofree char *parent = g_path_get_dirname (resolved);
      struct stat st, dst;

      return stat (resolved, &st) == 0 && S_ISREG (st.st_mode) && only_owner_writes (&st) &&
             stat (parent, &dst) == 0 && only_owner_writes (&dst);
    }
  return FALSE;
}

static char *
plugin_refusal (const char *path)
{
  g_autoptr(GString) allowed = g_string_new (NULL);

  for (guint i = 0; plugin_dirs && i < plugin_dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (plugin_dirs, i);

      g_string_append_printf (allowed, "%s%s", allowed->len ? ", " : "", *dir ? dir : "/");
    }
  if (own_plugins)
    g_string_append_printf (allowed, "%s%s", allowed->len ? ", " : "",
                            _("files only their owner can write, in directories only their owner can write"));
  if (allowed->len == 0)
    return g_strdup_printf (_("plugin %s refused: this engine loads plugins only from directories given "
                              "with loom-engine --plugin-dir DIR, and it was given none"), path);
  return g_strdup_printf (_("plugin %s refused: this engine loads plugins only from directories given "
                            "with loom-engine --plugin-dir DIR (it allows: %s)"), path, allowed->str);
}

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
  char resolved[PATH_MAX];
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

  /* The real path, checked against what is allowed each time (the
   * table is by real path too, so a path that now leads elsewhere is
   * checked again). */
  if (realpath (path, resolved) == NULL)
    {
      /* No file is PluginNotFound; a file the loader refuses (an
       * undefined symbol, a wrong architecture) says the loader's why. */
      msg = g_strdup_printf (_("cannot load plugin %s: no such file"), path);
      loom_outcome_set_error (outcome, "PluginNotFound", msg);
      return;
    }
  if (!plugin_allowed (resolved))
    {
      msg = plugin_refusal (path);
      loom_outcome_set_error (outcome, "PluginNotAllowed", msg);
      return;
    }

  module = g_hash_table_lookup (plugins, resolved);
  if (module == NULL)
    {
      module = g_module_open (resolved, G_MODULE_BIND_LOCAL);
      if (module == NULL)
        {
          msg = g_strdup_printf (_("cannot load plugin %s: %s"), path, g_module_error ());
          loom_outcome_set_error (outcome, "PluginLoadFailed", msg);
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
      g_hash_table_insert (plugins, g_strdup (resolved), module);
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

/* What @spec runs: its "kind" (builtin when it has none) as a
 * LoomTaskKind, by the enum's nicks. */
static gboolean
spec_kind (JsonObject   *spec,
           LoomTaskKind *kind)
{
  gint value;

  if (!loom_enum_from_nick (LOOM_TYPE_TASK_KIND, loom_json_string (spec, "kind", "builtin"), &value))
    return FALSE;
  *kind = value;
  return TRUE;
}

void
loom_engine_execute (LoomRunContext  *ctx,
                     JsonObject      *spec,
                     GBytes          *params_text,
                     LoomTaskOutcome *outcome)
{
  g_autoptr(JsonNode) params = NULL;
  g_autoptr(GError) error = NULL;
  LoomTaskKind kind;

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

  if (!spec_kind (spec, &kind))
    {
      g_autofree char *kinds = loom_enum_choices (LOOM_TYPE_TASK_KIND, LOOM_ENUM_CHOICES_TRANSLATED, -1, NULL);
      g_autofree char *msg = g_strdup_printf (_("unknown task kind “%s” (%s)"),
                                              loom_json_string (spec, "kind", "builtin"), kinds);
      loom_outcome_set_error (outcome, "UnknownFunction", msg);
      goto out;
    }

  switch (kind)
    {
    case LOOM_TASK_KIND_BUILTIN:
      {
        const char *function = loom_json_string (spec, "function", "");

        if (loom_builtins_lookup (function) == NULL)
          {
            loom_builtin_run (ctx, function, params, params_text, &outcome->result, &error);
            loom_outcome_set_error (outcome, "UnknownFunction", error->message);
          }
        else if (loom_builtin_run (ctx, function, params, params_text, &outcome->result, &error))
          outcome->ok = TRUE;
        else
          loom_outcome_set_error (outcome,
                                  g_error_matches (error, LOOM_ERROR, LOOM_ERROR_TASK_FAILED)
                                    ? "TaskFailed" : "InvalidArgument",
                                  error->message);
      }
      break;

    case LOOM_TASK_KIND_COMMAND:
      if (commands_allowed)
        loom_command_run (ctx, spec, params, outcome);
      else
        loom_outcome_set_error (outcome, "CommandsDisabled",
                                _("this engine does not run command tasks (it was started with --no-commands)"));
      break;

    case LOOM_TASK_KIND_PLUGIN:
      run_plugin (spec, params, outcome);
      break;

    default:
      g_assert_not_reached ();
    }

out:
  g_string_append_c (outcome->detail, '}');
}

/* --- the engine ---------------------------------------------------------- */

typedef struct
{
  LoomConnection *conn;
  LoomWire       *wire;            /* main thread */
  void           *dealer;          /* main thread: tasks and results */
  char           *identity;
  const LoomEngineSetup *setup;
  gint            id;
  gint64          best_rtt;
  guint           heartbeat_ms;
  guint           grace_ms;
  gint64          register_sent_at;
  guint           registers_unanswered;  /* sent since the last answer */
  gboolean        registered;
  gboolean        same_host;       /* the controller's host: one clock */
  LoomRunContext  run;             /* shared with the heartbeat thread */
  GQueue          queue;           /* EngineTask waiting to run */
  GPtrArray      *done;            /* EngineTask with results to send */
  gsize           max_message;     /* the controller's limit, from register_reply */
  gint64          first_done;      /* monotonic time of the oldest unsent result */
  gint            held;            /* atomic: tasks received and not yet answered,
                                    * told in every heartbeat */
} Engine;

static volatile sig_atomic_t got_signal;
static gint stop_requested;  /* atomic: the heartbeat thread stops the process */
static gint controller_lost; /* atomic: a new controller asks us to register again */

/* Keeps the engine's correction to the controller's clock in @run.  It
 * stays zero on the controller's own host (one clock); elsewhere the
 * estimate of the quickest round trip seen wins, as it errs least. */
static void
clock_sample (LoomRunContext *run,
              gboolean        same_host,
              gint64          sent,
              gint64          received,
              gint64          controller_time,
              gint64         *best_rtt)
{
  gint64 rtt = received - sent;

  if (same_host || rtt < 0 || rtt >= *best_rtt)
    return;
  *best_rtt = rtt;
  /* Assume the answer left the controller half way through the trip. */
  __atomic_store_n (&run->clock_offset, controller_time - (sent + received) / 2, __ATOMIC_RELAXED);
}

static void
on_signal (int sig)
{
  got_signal = sig;
}

static void
send_register (Engine *engine)
{
  g_autoptr(GString) content = g_string_new ("{\"host\":");
  g_autofree char *hb_identity = g_strdup_printf ("%s/hb", engine->identity);

  loom_json_append_string (content, g_get_host_name ());
  engine->register_sent_at = g_get_real_time ();
  engine->registers_unanswered++;
  g_string_append_printf (content, ",\"pid\":%d,\"time\":%" G_GINT64_FORMAT ",\"heartbeat_id\":",
                          (int) getpid (), engine->register_sent_at);
  loom_json_append_string (content, hb_identity);
  if (engine->setup->log_path)
    {
      g_string_append (content, ",\"log\":");
      loom_json_append_string (content, engine->setup->log_path);
    }
  /* Where it came from, as cluster status shows it. */
  if (engine->setup->launcher)
    {
      g_string_append (content, ",\"launcher\":");
      loom_json_append_string (content, engine->setup->launcher);
    }
  if (engine->setup->job_id)
    {
      g_string_append (content, ",\"job_id\":");
      loom_json_append_string (content, engine->setup->job_id);
    }
  /* Registering again with a restarted controller: the same id, and the
   * tasks still to run here, so they do not run twice. */
  if (engine->id >= 0)
    {
      g_string_append_printf (content, ",\"id\":%d,\"holding\":[", engine->id);
      for (GList *l = engine->queue.head; l; l = l->next)
        {
          EngineTask *task = l->data;
          g_string_append_printf (content, "%s[%u,%u,%u]", l == engine->queue.head ? "" : ",",
                                  task->job, task->index, task->attempt);
        }
      g_string_append_c (content, ']');
    }
  /* The first time, the id its rank asks for: the controller gives it
   * if no engine ever had it, else the next free one. */
  else if (engine->setup->wanted_id >= 0)
    g_string_append_printf (content, ",\"id\":%d", engine->setup->wanted_id);
  g_string_append_c (content, '}');
  loom_wire_send (engine->wire, engine->dealer, NULL, "register", NULL, content->str, content->len, NULL, 0);
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
  /* A second answer to a register sent again to a slow controller (or
   * queued for one not there yet, --wait) is no news. */
  if (engine->registered && !g_atomic_int_get (&controller_lost))
    return;

  engine->id = loom_json_int (content, "engine", -1);
  engine->max_message = CLAMP (loom_json_int (content, "max_message_size", LOOM_DEFAULT_MAX_MESSAGE),
                               64 * 1024, G_MAXINT32);
  engine->heartbeat_ms = CLAMP (loom_json_int (content, "heartbeat_ms", 500), 10, 60000);
  controller_time = loom_json_int (content, "time", now);
  engine->same_host = g_strcmp0 (loom_json_string (content, "host", NULL), g_get_host_name ()) == 0;
  engine->best_rtt = G_MAXINT64;
  /* A round trip is known only if one register was waiting for its
   * answer; else the heartbeats make the first estimate. */
  if (engine->registers_unanswered == 1)
    clock_sample (&engine->run, engine->same_host, engine->register_sent_at, now, controller_time,
                  &engine->best_rtt);
  engine->registers_unanswered = 0;
  if (engine->registered && g_atomic_int_get (&controller_lost))
    g_printerr ("loom-engine: registered again, as engine %d, with the restarted controller\n", engine->id);
  else if (!engine->registered && engine->setup->wanted_id >= 0 && engine->id != engine->setup->wanted_id)
    g_printerr (_("loom-engine: asked for engine id %d, which another engine has had: registered as engine %d\n"),
                engine->setup->wanted_id, engine->id);
  engine->registered = TRUE;
  g_atomic_int_set (&controller_lost, 0);
  g_debug ("registered as engine %d, clock offset %" G_GINT64_FORMAT " µs", engine->id,
           __atomic_load_n (&engine->run.clock_offset, __ATOMIC_RELAXED));
}

static void
handle_tasks (Engine      *engine,
              LoomMessage *msg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = NULL;
  JsonObject *content = loom_message_get_content (msg, &error);
  JsonObject *jobs = loom_json_object (content, "jobs");
  JsonArray *rows = loom_json_array (content, "tasks");

  if (jobs == NULL || rows == NULL)
    {
      loom_wire_count_drop (engine->wire, LOOM_DROP_MALFORMED, "tasks without tasks or jobs");
      return;
    }

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
      JsonObject *spec;

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
      /* A task without its job's spec still gets an answer: a failure. */
      spec = loom_json_object (jobs, key);
      task->spec = json_node_init_object (json_node_alloc (), spec ? spec : json_object_new ());
      if (spec == NULL)
        json_object_unref (json_node_get_object (task->spec));
      task->params = g_bytes_ref (g_ptr_array_index (params, i));
      g_queue_push_tail (&engine->queue, task);
      g_atomic_int_inc (&engine->held);
    }
}

/* Replaces what @task produced with an error. */
static void
set_failed (EngineTask *task,
            const char *type,
            const char *message)
{
  task->outcome.ok = FALSE;
  g_clear_pointer (&task->outcome.result, g_free);
  if (task->outcome.detail)
    g_string_free (task->outcome.detail, TRUE);
  task->outcome.detail = g_string_new ("{");
  loom_outcome_set_error (&task->outcome, type, message);
  g_string_append_c (task->outcome.detail, '}');
}

static void
set_aborted (EngineTask *task)
{
  set_failed (task, "Aborted", _("the job was aborted"));
}

/* Bytes a task's row and envelope take in a results message, besides its
 * result and detail. */
#define RESULT_OVERHEAD 256

static gsize
outcome_size (EngineTask *task)
{
  return (task->outcome.result ? strlen (task->outcome.result) : 4) + task->outcome.detail->len + RESULT_OVERHEAD;
}

/* A result the controller would refuse (libzmq drops a message over its
 * limit, and the connection with it) fails here, saying both sizes. */
static void
check_outcome_size (Engine     *engine,
                    EngineTask *task)
{
  gsize size = outcome_size (task);
  g_autofree char *got = NULL;
  g_autofree char *limit = NULL;
  g_autofree char *msg = NULL;

  if (size <= engine->max_message)
    return;
  got = g_format_size_full (size, G_FORMAT_SIZE_LONG_FORMAT);
  limit = g_format_size_full (engine->max_message, G_FORMAT_SIZE_LONG_FORMAT);
  msg = g_strdup_printf (_("the task's result and output take %s, more than the controller's message limit of %s; "
                           "write big results to a file and return its name"), got, limit);
  set_failed (task, "ResultTooLarge", msg);
}

/* Tasks of an aborted job that wait in this engine's queue never run. */
static void
abort_queued (Engine *engine,
              gint64  job)
{
  GList *l = engine->queue.head;

  while (l != NULL)
    {
      GList *next = l->next;
      EngineTask *task = l->data;

      if ((gint64) task->job == job)
        {
          g_queue_delete_link (&engine->queue, l);
          task->started = task->completed = loom_run_context_now (&engine->run);
          set_aborted (task);
          if (engine->done->len == 0)
            engine->first_done = g_get_monotonic_time ();
          g_ptr_array_add (engine->done, task);
        }
      l = next;
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

      if (g_str_equal (msg->msg_type, "register_reply"))
        handle_register_reply (engine, msg);
      else if (g_str_equal (msg->msg_type, "tasks"))
        handle_tasks (engine, msg);
      else if (g_str_equal (msg->msg_type, "stop"))
        g_atomic_int_set (&stop_requested, 1);
      else if (g_str_equal (msg->msg_type, "abort"))
        abort_queued (engine, loom_json_int (loom_message_get_content (msg, NULL), "job", -1));
      else if (g_str_equal (msg->msg_type, "reregister"))
        g_atomic_int_set (&controller_lost, 1);
      else
        loom_wire_count_drop (engine->wire, LOOM_DROP_UNKNOWN_TYPE, msg->msg_type);
    }
}

/* Sends the results of done[first, first + n) in one message. */
static void
send_results (Engine *engine,
              guint   first,
              guint   n)
{
  g_autoptr(GString) content = NULL;
  g_autoptr(GString) results = NULL;
  g_autoptr(GString) details = NULL;
  GBytes *buffers[2];

  /* The engine's id lets a restarted controller that does not know us
   * yet credit the results. */
  content = g_string_new (NULL);
  g_string_printf (content, "{\"engine\":%d,\"tasks\":[", engine->id);
  results = g_string_new (NULL);
  details = g_string_new (NULL);
  for (guint i = first; i < first + n; i++)
    {
      EngineTask *task = g_ptr_array_index (engine->done, i);

      g_string_append_printf (content, "%s[%u,%u,%u,%d,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]",
                              i > first ? "," : "", task->job, task->index, task->attempt,
                              task->outcome.timed_out ? LOOM_TASK_TIMEOUT
                              : task->outcome.ok ? LOOM_TASK_DONE : LOOM_TASK_FAILED,
                              task->started, task->completed);
      if (i > first)
        {
          g_string_append_c (results, '\n');
          g_string_append_c (details, '\n');
        }
      g_string_append (results, task->outcome.result ? task->outcome.result : "null");
      g_string_append (details, task->outcome.detail->str);
    }
  g_string_append (content, "]}");

  buffers[0] = g_string_free_to_bytes (g_steal_pointer (&results));
  buffers[1] = g_string_free_to_bytes (g_steal_pointer (&details));
  loom_wire_send (engine->wire, engine->dealer, NULL, "results", NULL, content->str, content->len, buffers, 2);
  g_bytes_unref (buffers[0]);
  g_bytes_unref (buffers[1]);
}

/* Sends every result held back, in as few messages as fit under the
 * controller's limit (each task's own result fits: see
 * check_outcome_size()). */
static void
flush_results (Engine *engine)
{
  guint first = 0;
  gsize size = 0;

  for (guint i = 0; i < engine->done->len; i++)
    {
      gsize task_size = outcome_size (g_ptr_array_index (engine->done, i));

      if (i > first && size + task_size > engine->max_message)
        {
          send_results (engine, first, i - first);
          first = i;
          size = 0;
        }
      size += task_size;
    }
  if (engine->done->len > first)
    send_results (engine, first, engine->done->len - first);
  g_atomic_int_add (&engine->held, -(gint) engine->done->len);
  g_ptr_array_set_size (engine->done, 0);
}

/* Functions that return at once need no "started" message of their own:
 * their result says when they started. */
static gboolean
is_instant (EngineTask *task)
{
  JsonObject *spec = json_node_get_object (task->spec);
  const char *function;
  LoomTaskKind kind;

  if (!spec_kind (spec, &kind) || kind != LOOM_TASK_KIND_BUILTIN)
    return FALSE;
  function = loom_json_string (spec, "function", "");
  return g_str_equal (function, "noop") || g_str_equal (function, "echo");
}

/* The spec's "timeout" in µs (0: none), for every kind of task. */
static gint64
task_timeout_us (EngineTask *task)
{
  double timeout = loom_json_double (json_node_get_object (task->spec), "timeout", 0);

  if (!(timeout > 0))
    return 0;
  return (gint64) (MIN (timeout, 1e9) * G_USEC_PER_SEC);
}

static gboolean
is_command (EngineTask *task)
{
  LoomTaskKind kind;

  return spec_kind (json_node_get_object (task->spec), &kind) && kind == LOOM_TASK_KIND_COMMAND;
}

static void
run_task (Engine     *engine,
          EngineTask *task)
{
  task->started = loom_run_context_now (&engine->run);
  g_atomic_int_set (&engine->run.abort, 0);
  g_atomic_int_set (&engine->run.timed_out, 0);
  g_atomic_int_set (&engine->run.is_command, is_command (task));
  g_atomic_int_set (&engine->run.index, task->index);
  g_atomic_int_set (&engine->run.attempt, task->attempt);
  __atomic_store_n (&engine->run.abort_at, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&engine->run.started, task->started, __ATOMIC_RELAXED);
  __atomic_store_n (&engine->run.started_mono, g_get_monotonic_time (), __ATOMIC_RELAXED);
  __atomic_store_n (&engine->run.timeout_us, task_timeout_us (task), __ATOMIC_RELAXED);
  /* Last: the heartbeat thread reads the rest once it sees the job.
   * Before the start is told, so an abort that follows it finds the
   * task. */
  g_atomic_int_set (&engine->run.job, task->job);

  if (!is_instant (task))
    {
      char content[128];

      /* Results held back for batching go first, then the start. */
      flush_results (engine);
      g_snprintf (content, sizeof content, "{\"tasks\":[[%u,%u,%u,%" G_GINT64_FORMAT "]]}",
                  task->job, task->index, task->attempt, task->started);
      loom_wire_send (engine->wire, engine->dealer, NULL, "started", NULL, content, -1, NULL, 0);
    }

  loom_engine_execute (&engine->run, json_node_get_object (task->spec), task->params, &task->outcome);
  g_atomic_int_set (&engine->run.job, 0);
  task->completed = loom_run_context_now (&engine->run);
  if (loom_run_context_abort_requested (&engine->run))
    set_aborted (task);
  g_atomic_int_set (&engine->run.abort, 0);
  check_outcome_size (engine, task);

  if (engine->done->len == 0)
    engine->first_done = g_get_monotonic_time ();
  g_ptr_array_add (engine->done, task);
}

/* --- the heartbeat thread ------------------------------------------------ */

typedef struct
{
  LoomConnection *conn;
  char           *identity;
  guint           heartbeat_ms;
  guint           grace_ms;
  gint64          best_rtt;
  gboolean        same_host;
  LoomRunContext *run;             /* the task thread's */
  gint           *held;            /* the task thread's count of tasks it holds */
  const char     *url;             /* where to connect */
} Heart;

/* A heartbeat: what the engine holds, and its clock offset to the
 * controller's with its uncertainty, half the round trip of the sample it
 * came from (0 ± 0 on the controller's host; left out before any). */
static void
heartbeat_content (Heart *heart,
                   gint64 best_rtt,
                   char  *buf,
                   gsize  size)
{
  gint64 offset = __atomic_load_n (&heart->run->clock_offset, __ATOMIC_RELAXED);

  if (heart->same_host)
    g_snprintf (buf, size, "{\"held\":%d,\"clock_offset\":0,\"clock_uncertainty\":0}",
                g_atomic_int_get (heart->held));
  else if (best_rtt < G_MAXINT64)
    g_snprintf (buf, size, "{\"held\":%d,\"clock_offset\":%" G_GINT64_FORMAT ",\"clock_uncertainty\":%"
                G_GINT64_FORMAT "}", g_atomic_int_get (heart->held), offset, (best_rtt + 1) / 2);
  else
    g_snprintf (buf, size, "{\"held\":%d}", g_atomic_int_get (heart->held));
}

static gpointer
heartbeat_thread (gpointer data)
{
  Heart *heart = data;
  LoomWire *wire = loom_wire_new (heart->conn->key, sizeof heart->conn->key, 0);
  void *sock = zmq_socket (loom_zmq_context (), ZMQ_DEALER);
  char beat[128];
  gint64 last_heard = g_get_monotonic_time ();
  gint64 last_sent = 0;
  gint64 sent_real = 0;
  gint64 best_rtt = heart->best_rtt;
  gint64 aborted_job = 0;

  loom_wire_set_log_domain (wire, "engine heartbeat");
  loom_wire_apply_socket_limits (wire, sock);
  zmq_setsockopt (sock, ZMQ_ROUTING_ID, heart->identity, strlen (heart->identity));
  loom_connection_secure_socket (heart->conn, sock, heart->url, NULL);
  zmq_connect (sock, heart->url);

  for (;;)
    {
      zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
      gint64 now;

      zmq_poll (&item, 1, MIN (heart->heartbeat_ms, 100));
      for (;;)
        {
          g_autoptr(LoomMessage) msg = NULL;
          gboolean got_any;

          msg = loom_wire_recv (wire, sock, &got_any);
          if (!got_any)
            break;
          if (msg == NULL)
            continue;
          last_heard = g_get_monotonic_time ();
          if (g_str_equal (msg->msg_type, "stop"))
            g_atomic_int_set (&stop_requested, 1);
          else if (g_str_equal (msg->msg_type, "reregister"))
            {
              if (!g_atomic_int_get (&controller_lost))
                g_printerr ("loom-engine: the controller at %s was restarted: registering again\n",
                            heart->conn->engine_url);
              g_atomic_int_set (&controller_lost, 1);
            }
          else if (g_str_equal (msg->msg_type, "abort"))
            {
              gint64 job = loom_json_int (loom_message_get_content (msg, NULL), "job", -1);

              /* The task is stopped by loom_engine_check_running_task():
               * also if it only starts now (the main thread stops the
               * job's tasks that are queued). */
              if (job > 0)
                aborted_job = job;
            }
          else if (g_str_equal (msg->msg_type, "heartbeat_reply") && sent_real > 0)
            {
              JsonObject *content = loom_message_get_content (msg, NULL);
              gint64 t = loom_json_int (content, "time", 0);
              if (t > 0)
                clock_sample (heart->run, heart->same_host, sent_real, g_get_real_time (), t, &best_rtt);
            }
        }

      if (got_signal || g_atomic_int_get (&stop_requested))
        loom_engine_stop_process (heart->run, wire, sock, "{}", 0);
      if (loom_engine_fatal_signal_caught ())
        loom_engine_report_fatal_signal (wire, sock);
      loom_engine_check_running_task (heart->run, aborted_job, wire, sock);

      now = g_get_monotonic_time ();
      if (now - last_heard > (gint64) heart->grace_ms * 1000)
        {
          g_printerr ("loom-engine: no word from the controller at %s for %u ms "
                      "(--reconnect-timeout): exiting\n",
                      heart->conn->engine_url, heart->grace_ms);
          loom_engine_stop_process (heart->run, wire, sock, NULL, 4);
        }
      if (now - last_sent >= (gint64) heart->heartbeat_ms * 1000)
        {
          /* What the engine holds lets the controller find tasks that
           * never reached it. */
          sent_real = g_get_real_time ();
          heartbeat_content (heart, best_rtt, beat, sizeof beat);
          loom_wire_send (wire, sock, NULL, "heartbeat", NULL, beat, -1, NULL, 0);
          last_sent = now;
        }
    }

  return NULL;
}

/* The engines' connection info, from its file or the JSON it was handed.
 * A clients' file given by mistake leads to the engines' one beside it,
 * when its owner can read that. */
static LoomConnection *
load_connection (const LoomEngineSetup  *setup,
                 GError                **error)
{
  LoomConnection *conn;
  g_autofree char *engine_path = NULL;

  if (setup->connection_data != NULL)
    return loom_connection_load_data_for_role (setup->connection_data, -1, setup->connection_origin,
                                               LOOM_ROLE_ENGINE, error);

  conn = loom_connection_load_for_role (setup->connection_file, LOOM_ROLE_ENGINE, error);
  if (conn != NULL || g_str_has_suffix (setup->connection_file, "-engine.json"))
    return conn;
  engine_path = loom_connection_engine_path (setup->connection_file);
  if (g_file_test (engine_path, G_FILE_TEST_EXISTS) &&
      (conn = loom_connection_load_for_role (engine_path, LOOM_ROLE_ENGINE, NULL)) != NULL)
    g_clear_error (error);
  return conn;
}

/* Waits until @deadline (monotonic) for a connection file that is not
 * there yet, or is one a controller of this host left behind when it
 * died: the next controller writes it anew. */
static LoomConnection *
wait_for_connection (const LoomEngineSetup  *setup,
                     gint64                  deadline,
                     GError                **error)
{
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      LoomConnection *conn = load_connection (setup, &local_error);
      gboolean missing = conn == NULL && g_error_matches (local_error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER);

      if (conn != NULL && (setup->connection_data != NULL || !loom_connection_is_stale (conn)))
        return conn;
      if (conn == NULL && !missing)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (g_get_monotonic_time () >= deadline || got_signal)
        {
          if (conn != NULL)
            g_set_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER,
                         _("waited %.1f s for a controller: %s is still the file of one that is no longer "
                           "running (pid %" PRId64 ")"),
                         setup->wait_ms / 1000.0, setup->connection_file, conn->controller_pid);
          else
            g_set_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER,
                         _("waited %.1f s for the connection file %s to appear (--wait)"),
                         setup->wait_ms / 1000.0, setup->connection_file);
          g_clear_pointer (&conn, loom_connection_free);
          return NULL;
        }
      g_clear_pointer (&conn, loom_connection_free);
      g_usleep (100 * 1000);
    }
}

/* The task socket, connected to the controller of @engine->conn, with a
 * wire of its key. */
static gboolean
engine_connect (Engine  *engine,
                char   **url,
                GError **error)
{
  LoomConnection *conn = engine->conn;

  g_clear_pointer (&engine->wire, loom_wire_free);
  g_clear_pointer (url, g_free);
  if (engine->dealer != NULL)
    {
      /* Registrations to a controller that was not there: drop them. */
      zmq_setsockopt (engine->dealer, ZMQ_LINGER, &(int) { 0 }, sizeof (int));
      zmq_close (engine->dealer);
    }

  engine->wire = loom_wire_new (conn->key, sizeof conn->key, 0);
  loom_wire_set_log_domain (engine->wire, "engine");
  engine->dealer = zmq_socket (loom_zmq_context (), ZMQ_DEALER);
  loom_wire_apply_socket_limits (engine->wire, engine->dealer);
  zmq_setsockopt (engine->dealer, ZMQ_ROUTING_ID, engine->identity, strlen (engine->identity));
  /* Over loopback when the controller is on this host. */
  *url = loom_connection_url (conn, conn->engine_url);
  if (!loom_connection_secure_socket (conn, engine->dealer, *url, error))
    return FALSE;
  if (zmq_connect (engine->dealer, *url) != 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION, _("cannot connect to %s: %s"),
                   conn->engine_url, zmq_strerror (zmq_errno ()));
      return FALSE;
    }
  return TRUE;
}

/* While an engine waits (--wait) for a controller that does not answer,
 * the file it read may be replaced by a new controller's: it reads the
 * file again, and follows the new one. */
static gboolean
connection_replaced (Engine *engine)
{
  g_autoptr(LoomConnection) conn = NULL;

  if (engine->setup->connection_data != NULL || engine->setup->wait_ms == 0)
    return FALSE;
  conn = load_connection (engine->setup, NULL);
  if (conn == NULL || loom_connection_is_stale (conn) ||
      (conn->created == engine->conn->created && conn->controller_pid == engine->conn->controller_pid &&
       g_strcmp0 (conn->engine_url, engine->conn->engine_url) == 0 &&
       memcmp (conn->key, engine->conn->key, sizeof conn->key) == 0))
    return FALSE;
  loom_connection_free (engine->conn);
  engine->conn = g_steal_pointer (&conn);
  return TRUE;
}

/**
 * loom_engine_main:
 * @setup: where the controller is, how long to wait for it, and what to
 *   tell it about this engine
 *
 * Runs an engine until the controller stops it, vanishes for
 * @setup->grace_ms, or the process gets SIGTERM/SIGINT.  Does not return
 * once registered.
 *
 * Returns: the process exit status
 */
int
loom_engine_main (const LoomEngineSetup *setup)
{
  g_autoptr(GError) error = NULL;
  Engine engine = { 0 };
  Heart heart = { 0 };
  g_autofree char *url = NULL;
  struct sigaction sa = { 0 };
  const char *origin = setup->connection_data ? setup->connection_origin : setup->connection_file;
  gint64 begin = g_get_monotonic_time ();
  gint64 wait_until = begin + (gint64) setup->wait_ms * 1000;
  gint64 last_register = 0, last_reload = begin;
  LoomConnection *conn;

  sa.sa_handler = on_signal;
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);

  conn = setup->wait_ms > 0 ? wait_for_connection (setup, wait_until, &error) : load_connection (setup, &error);
  if (conn == NULL)
    {
      if (got_signal)
        return 0;
      g_printerr ("loom-engine: %s\n", error->message);
      return 3;
    }

  loom_engine_install_fatal_signal_handlers ();

  engine.setup = setup;
  engine.conn = conn;
  engine.id = -1;
  engine.grace_ms = setup->grace_ms ? setup->grace_ms : LOOM_ENGINE_DEFAULT_GRACE_MS;
  engine.done = g_ptr_array_new_with_free_func ((GDestroyNotify) engine_task_free);
  engine.max_message = LOOM_DEFAULT_MAX_MESSAGE;
  g_queue_init (&engine.queue);
  engine.identity = g_strdup_printf ("engine-%s-%d-%08x", g_get_host_name (), (int) getpid (), g_random_int ());
  if (!engine_connect (&engine, &url, &error))
    {
      g_printerr ("loom-engine: %s\n", error->message);
      return 3;
    }

  /* Register, asking again every 250 ms until the controller answers. */
  if (setup->wait_ms == 0)
    begin = g_get_monotonic_time ();
  while (!engine.registered)
    {
      zmq_pollitem_t item = { engine.dealer, 0, ZMQ_POLLIN, 0 };
      gint64 now = g_get_monotonic_time ();

      if (got_signal)
        return 0;
      /* Asked to wait (--wait): for that long, from the start, whatever
       * it waits for. */
      if (setup->wait_ms > 0 && now >= wait_until)
        {
          g_printerr (_("loom-engine: waited %.1f s (--wait) for the controller at %s to answer its registration; "
                        "exiting (is it running, and is %s its current file?)\n"),
                      setup->wait_ms / 1000.0, engine.conn->engine_url, origin);
          return 3;
        }
      if (setup->wait_ms == 0 && now - begin > (gint64) engine.grace_ms * 1000)
        {
          /* A controller that drops our messages as badly signed looks
           * just like one that is not there: say what can be checked. */
          if (loom_connection_is_stale (engine.conn))
            g_printerr (_("loom-engine: the controller of %s (pid %" PRId64 ") is no longer running: exiting\n"),
                        origin, engine.conn->controller_pid);
          else
            g_printerr (_("loom-engine: the controller at %s does not answer (no reply to registering within %u ms): "
                          "the key in %s may not match the controller's; exiting\n"),
                        engine.conn->engine_url, engine.grace_ms, origin);
          return 4;
        }
      if (now - last_reload >= G_USEC_PER_SEC)
        {
          last_reload = now;
          if (connection_replaced (&engine) && !engine_connect (&engine, &url, &error))
            {
              g_printerr ("loom-engine: %s\n", error->message);
              return 3;
            }
        }
      if (now - last_register >= 250 * 1000)
        {
          send_register (&engine);
          last_register = now;
        }
      zmq_poll (&item, 1, 50);
      drain_controller (&engine);
    }
  conn = engine.conn;

  heart.conn = conn;
  heart.identity = g_strdup_printf ("%s/hb", engine.identity);
  heart.held = &engine.held;
  heart.url = url;
  heart.heartbeat_ms = engine.heartbeat_ms;
  heart.grace_ms = engine.grace_ms;
  heart.best_rtt = engine.best_rtt;
  heart.same_host = engine.same_host;
  heart.run = &engine.run;
  g_thread_unref (g_thread_new ("loom-engine-heartbeat", heartbeat_thread, &heart));

  /* The heartbeat thread ends the process; this loop only runs tasks. */
  for (;;)
    {
      zmq_pollitem_t item = { engine.dealer, 0, ZMQ_POLLIN, 0 };
      EngineTask *task;

      /* A restarted controller does not know us: register again (the
       * tasks queued here keep running meanwhile). */
      if (g_atomic_int_get (&controller_lost))
        {
          gint64 now = g_get_monotonic_time ();
          if (now - last_register >= 250 * 1000)
            {
              send_register (&engine);
              last_register = now;
            }
        }

      if (g_queue_is_empty (&engine.queue))
        {
          flush_results (&engine);
          zmq_poll (&item, 1, 100);
        }
      drain_controller (&engine);

      if (g_atomic_int_get (&stop_requested) || got_signal)
        {
          /* Leave the exit to the heartbeat thread. */
          g_usleep (50 * 1000);
          continue;
        }

      if ((task = g_queue_pop_head (&engine.queue)))
        {
          run_task (&engine, task);
          /* Batch the results of quick tasks, but never hold one longer
           * than a millisecond. */
          if (g_get_monotonic_time () - engine.first_done >= 1000)
            flush_results (&engine);
        }
    }

  return 0;
}
