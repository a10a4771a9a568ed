/* loom-controller-engine-messages.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Messages from engines: registration, heartbeats, tasks that started,
 * results, unregistering.  Reports about tasks an engine no longer holds
 * (it was declared dead meanwhile) are counted as stale and dropped.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include "loom-controller-private.h"

static void
handle_register (LoomController *self,
                 LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  GBytes *identity = g_ptr_array_index (msg->routing, 0);
  JsonObject *content;
  CtlEngine *engine;
  GString *ev;

  if (!(content = loom_message_get_content (msg, &error)))
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, error->message);
      return;
    }

  engine = g_hash_table_lookup (self->engine_by_identity, identity);
  if (engine == NULL)
    {
      engine = g_new0 (CtlEngine, 1);
      engine->id = self->engines->len;
      engine->identity = g_bytes_ref (identity);
      engine->host = g_strdup (loom_json_string (content, "host", "?"));
      engine->pid = loom_json_int (content, "pid", 0);
      engine->log = g_strdup (loom_json_string (content, "log", NULL));
      if (loom_json_string (content, "heartbeat_id", NULL))
        {
          const char *hb = loom_json_string (content, "heartbeat_id", NULL);
          engine->hb_identity = g_bytes_new (hb, strlen (hb));
          if (!g_hash_table_contains (self->engine_by_identity, engine->hb_identity))
            g_hash_table_insert (self->engine_by_identity, engine->hb_identity, engine);
        }
      engine->state = LOOM_ENGINE_IDLE;
      engine->outstanding = g_array_new (FALSE, FALSE, sizeof (TaskRef));
      engine->est_run = -1;
      engine->est_rtt = -1;
      engine->registered_at = g_get_real_time ();
      g_ptr_array_add (self->engines, engine);
      g_hash_table_insert (self->engine_by_identity, engine->identity, engine);

      ev = ctl_event_begin (self, "engine_registered");
      g_string_append_printf (ev, ",\"engine\":%u,\"pid\":%" G_GINT64_FORMAT ",\"host\":", engine->id, engine->pid);
      loom_json_append_string (ev, engine->host);
      ctl_event_end (self);
    }
  engine->last_heartbeat = g_get_monotonic_time ();
  engine->last_heartbeat_real = g_get_real_time ();

  {
    g_autoptr(GString) out = g_string_new (NULL);

    g_string_append_printf (out, "{\"engine\":%u,\"time\":%" G_GINT64_FORMAT ",\"heartbeat_ms\":%u,"
                            "\"timeout_ms\":%u,\"host\":",
                            engine->id, g_get_real_time (), MAX (50, self->heartbeat_timeout_ms / 4),
                            self->heartbeat_timeout_ms);
    loom_json_append_string (out, g_get_host_name ());
    g_string_append_c (out, '}');
    ctl_reply (self, self->engine_sock, msg, "register_reply", out->str, out->len, NULL, 0);
  }
}

/* Finds the record of a task that @engine holds; NULL for stale reports
 * (a task given to another engine after this one was declared dead). */
static CtlTask *
lookup_held_task (LoomController *self,
                  CtlEngine      *engine,
                  gint64          job_id,
                  gint64          index,
                  gint64          attempt,
                  CtlJob        **job_out)
{
  CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER ((guint) job_id));
  CtlTask *task;

  if (job == NULL || index < 0 || index >= job->n_tasks)
    return NULL;
  task = &job->tasks[index];
  if (task->engine != (gint32) engine->id || task->attempts != attempt ||
      (task->status != LOOM_TASK_DISPATCHED && task->status != LOOM_TASK_RUNNING))
    return NULL;
  *job_out = job;
  return task;
}

static void
emit_started (LoomController *self,
              CtlJob         *job,
              guint           index,
              CtlTask        *task)
{
  GString *ev;

  task->started_seen = TRUE;
  if (ctl_task_events_wanted (self))
    {
      ev = ctl_event_begin (self, "task_started");
      g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"engine\":%d,\"started\":%" G_GINT64_FORMAT,
                              job->id, index, task->engine, task->started);
      ctl_event_end (self);
    }
}

static void
handle_started (LoomController *self,
                CtlEngine      *engine,
                LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  JsonObject *content;
  JsonArray *rows;

  if (!(content = loom_message_get_content (msg, &error)) ||
      !json_object_has_member (content, "tasks") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (content, "tasks")))
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "started without tasks");
      return;
    }

  rows = loom_json_array (content, "tasks");
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      gint64 v[4];
      CtlJob *job;
      CtlTask *task;

      if (!loom_json_row_ints (json_array_get_element (rows, i), v, 4))
        continue;
      if (!(task = lookup_held_task (self, engine, v[0], v[1], v[2], &job)))
        continue;
      task->status = LOOM_TASK_RUNNING;
      task->started = v[3];
      emit_started (self, job, v[1], task);
    }
}

static gboolean
lines_all_non_empty (GPtrArray *lines)
{
  for (guint i = 0; i < lines->len; i++)
    if (g_bytes_get_size (g_ptr_array_index (lines, i)) == 0)
      return FALSE;
  return TRUE;
}

static void
handle_results (LoomController *self,
                CtlEngine      *engine,
                LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) details = NULL;
  gint64 now = g_get_real_time ();
  JsonObject *content;
  JsonArray *rows;
  guint n_rows;

  if (!(content = loom_message_get_content (msg, &error)) ||
      !json_object_has_member (content, "tasks") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (content, "tasks")))
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "results without tasks");
      return;
    }

  rows = loom_json_array (content, "tasks");
  n_rows = json_array_get_length (rows);
  results = loom_lines_split (loom_message_get_buffer (msg, 0));
  details = loom_lines_split (loom_message_get_buffer (msg, 1));
  if (results->len != n_rows || details->len != n_rows ||
      !lines_all_non_empty (results) || !lines_all_non_empty (details))
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "results whose buffers do not match their rows");
      return;
    }

  for (guint i = 0; i < n_rows; i++)
    {
      gint64 v[6];
      CtlJob *job;
      CtlTask *task;
      GString *ev;

      if (!loom_json_row_ints (json_array_get_element (rows, i), v, 6))
        {
          loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "bad result row");
          continue;
        }
      if (!(task = lookup_held_task (self, engine, v[0], v[1], v[2], &job)))
        {
          self->stale_results++;
          continue;
        }

      for (guint j = 0; j < engine->outstanding->len; j++)
        {
          TaskRef *ref = &g_array_index (engine->outstanding, TaskRef, j);
          if (ref->job == job->id && ref->index == v[1])
            {
              g_array_remove_index (engine->outstanding, j);
              break;
            }
        }

      job->n_outstanding--;
      task->status = v[3] == LOOM_TASK_DONE ? LOOM_TASK_DONE
                     : job->aborted ? LOOM_TASK_ABORTED : LOOM_TASK_FAILED;
      task->started = v[4];
      task->completed = v[5];
      task->received = now;
      g_clear_pointer (&task->result, g_bytes_unref);
      g_clear_pointer (&task->detail, g_bytes_unref);
      task->result = g_bytes_ref (g_ptr_array_index (results, i));
      task->detail = g_bytes_ref (g_ptr_array_index (details, i));

      engine->tasks_done++;
      engine->busy_usec += MAX (0, task->completed - task->started);
      ctl_engine_note_result (engine, task);
      self->tasks_finished++;

      if (!task->started_seen)
        emit_started (self, job, v[1], task);

      if (ctl_task_events_wanted (self))
        {
          ev = ctl_event_begin (self, task->status == LOOM_TASK_DONE ? "task_finished" : "task_failed");
          g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"engine\":%u,\"status\":\"%s\",\"started\":%"
                                  G_GINT64_FORMAT ",\"completed\":%" G_GINT64_FORMAT,
                                  job->id, (guint) v[1], engine->id,
                                  loom_task_status_to_string (task->status), task->started, task->completed);
          if (task->status != LOOM_TASK_DONE)
            {
              g_string_append (ev, ",\"detail\":");
              g_string_append_len (ev, g_bytes_get_data (task->detail, NULL), g_bytes_get_size (task->detail));
            }
          ctl_event_end (self);
        }

      ctl_job_task_final (self, job, v[1]);
      if (job->mode == LOOM_JOB_SERIAL && ctl_job_has_pending (job))
        ctl_job_mark_pending (self, job);
    }

  if (engine->outstanding->len == 0 && ctl_engine_is_alive (engine))
    engine->state = LOOM_ENGINE_IDLE;
}

void
ctl_handle_engine_message (LoomController *self,
                           LoomMessage    *msg)
{
  GBytes *identity;
  CtlEngine *engine;

  if (msg->routing->len != 1)
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "engine message without a routing id");
      return;
    }
  identity = g_ptr_array_index (msg->routing, 0);

  if (g_str_equal (msg->msg_type, "register"))
    {
      if (!g_atomic_int_get (&self->stop_requested))
        handle_register (self, msg);
      return;
    }

  engine = g_hash_table_lookup (self->engine_by_identity, identity);
  if (engine == NULL)
    {
      /* An engine we declared dead, or one of a previous controller: it
       * must not run anything for us. */
      if (!g_str_equal (msg->msg_type, "unregister"))
        loom_wire_send (self->wire, self->engine_sock, msg->routing, "stop", NULL, "{}", 2, NULL, 0);
      return;
    }

  engine->last_heartbeat = g_get_monotonic_time ();
  engine->last_heartbeat_real = g_get_real_time ();

  if (g_str_equal (msg->msg_type, "heartbeat"))
    {
      /* The controller's clock, for engines on other hosts to correct theirs. */
      char buf[64];
      g_snprintf (buf, sizeof buf, "{\"time\":%" G_GINT64_FORMAT "}", g_get_real_time ());
      ctl_reply (self, self->engine_sock, msg, "heartbeat_reply", buf, -1, NULL, 0);
    }
  else if (g_str_equal (msg->msg_type, "started"))
    handle_started (self, engine, msg);
  else if (g_str_equal (msg->msg_type, "results"))
    handle_results (self, engine, msg);
  else if (g_str_equal (msg->msg_type, "unregister"))
    {
      ctl_engine_gone (self, engine, LOOM_ENGINE_STOPPED);
      ctl_reply (self, self->engine_sock, msg, "bye", "{}", 2, NULL, 0);
    }
  else
    loom_wire_count_drop (self->wire, LOOM_DROP_UNKNOWN_TYPE, msg->msg_type);
}
