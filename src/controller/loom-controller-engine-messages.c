/* loom-controller-engine-messages.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Messages from engines: registration, heartbeats, tasks that started,
 * results, unregistering.  Reports about tasks an engine no longer holds
 * (it was declared dead meanwhile) are counted as stale and dropped.
 *
 * What an engine says of itself:
 *   register   {host, pid, time, heartbeat_id, log?, launcher?, job_id?,
 *               id?, holding?}: "id" is the id it asks for (its rank plus
 *               LOOM_ENGINE_ID_BASE, or the id it had before a restart,
 *               with the tasks it is "holding"); launcher and job_id as
 *               its launcher set them (LOOM_LAUNCHER, LOOM_LAUNCH_JOB, …)
 *   heartbeat  {held, clock_offset?, clock_uncertainty?}: what it holds,
 *               and in µs what it adds to its clock to read ours and half
 *               the round trip that estimate came from
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-controller-private.h"
#include "loom-util-private.h"

/* Keeps an engine id free for the engine that had it before a restart. */
static CtlEngine *
placeholder_engine (guint id)
{
  CtlEngine *engine = g_new0 (CtlEngine, 1);

  engine->id = id;
  engine->state = LOOM_ENGINE_STOPPED;
  engine->clock_uncertainty = -1;
  engine->outstanding = g_array_new (FALSE, FALSE, sizeof (TaskRef));
  return engine;
}

/* Where an engine came from, as it says: a launcher's name or a job id,
 * kept only if short and printable (status prints them). */
static char *
launch_label (JsonObject *content,
              const char *member)
{
  const char *value = loom_json_string (content, member, NULL);

  if (value == NULL)
    return NULL;
  if (!loom_launch_label_is_valid (value))
    {
      g_message ("engine on %s (pid %" G_GINT64_FORMAT "): its %s is not 1 to %d printable characters "
                 "without spaces: not kept", loom_json_string (content, "host", "?"),
                 loom_json_int (content, "pid", 0), member, LOOM_LAUNCH_LABEL_MAX);
      return NULL;
    }
  return g_strdup (value);
}

/* The id for an engine that asks for @wanted (its rank, or the id it had
 * before a restart): that one if no engine ever had it, else the next
 * id never given out.  Ids below @wanted are kept free (placeholders) for
 * the engines of the same launch that will ask for them. */
static guint
grant_engine_id (LoomController *self,
                 gint64          wanted)
{
  if (wanted < 0 || wanted >= CTL_MAX_ENGINE_ID)
    return self->engines->len;
  while (self->engines->len < (guint) wanted)
    g_ptr_array_add (self->engines, placeholder_engine (self->engines->len));
  if ((guint) wanted == self->engines->len)
    return wanted;
  if (((CtlEngine *) g_ptr_array_index (self->engines, wanted))->identity == NULL)
    {
      ctl_engine_free (g_ptr_array_index (self->engines, wanted));
      g_ptr_array_index (self->engines, wanted) = NULL;
      return wanted;
    }
  return self->engines->len;
}

/* Tasks a re-registering engine still holds (queued in it, or running),
 * [job, index, attempt] each: they stay its, instead of running twice. */
static void
adopt_held_tasks (LoomController *self,
                  CtlEngine      *engine,
                  JsonArray      *holding)
{
  gint64 now = g_get_real_time ();

  for (guint i = 0; holding != NULL && i < json_array_get_length (holding); i++)
    {
      gint64 v[3];
      CtlJob *job;
      CtlTask *task;
      TaskRef ref;

      if (!loom_json_row_ints (json_array_get_element (holding, i), v, 3) ||
          !(job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER ((guint) v[0]))) ||
          v[1] < 0 || v[1] >= job->n_tasks || v[2] < 0 || v[2] > G_MAXUINT8)
        continue;
      if (ctl_job_state (job, v[1]) != LOOM_TASK_QUEUED)
        continue;
      task = ctl_job_task (job, v[1]);
      ctl_task_set_status (job, v[1], task, LOOM_TASK_DISPATCHED);
      task->engine = engine->id;
      task->attempts = MAX (task->attempts, (guint8) v[2]);
      task->dispatched = now;
      ref.job = job->id;
      ref.index = v[1];
      g_array_append_val (engine->outstanding, ref);
      job->n_outstanding++;
      engine->state = LOOM_ENGINE_BUSY;
    }
}

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
      loom_wire_count_drop (self->engine_wire, LOOM_DROP_MALFORMED, error->message);
      return;
    }

  engine = g_hash_table_lookup (self->engine_by_identity, identity);
  if (engine == NULL && self->engines->len >= CTL_MAX_ENGINE_ID)
    {
      ctl_reply_error (self, self->engine_sock, msg, "TooManyEngines",
                       _("this controller has given out every engine id it has (65536); restart it"));
      return;
    }
  if (engine == NULL)
    {
      gint64 wanted = loom_json_int (content, "id", -1);

      /* An engine asks for its rank (loom-engine --rank, PMI_RANK, …), or
       * one of the controller before a restart for the id it had: it gets
       * it unless another engine has had it. */
      engine = g_new0 (CtlEngine, 1);
      engine->id = grant_engine_id (self, wanted);
      engine->identity = g_bytes_ref (identity);
      engine->host = g_strdup (loom_json_string (content, "host", "?"));
      engine->pid = loom_json_int (content, "pid", 0);
      engine->log = g_strdup (loom_json_string (content, "log", NULL));
      engine->launcher = launch_label (content, "launcher");
      engine->job_id = launch_label (content, "job_id");
      /* One clock on our own host; elsewhere unknown until its heartbeats
       * tell. */
      engine->clock_uncertainty = g_strcmp0 (engine->host, g_get_host_name ()) == 0 ? 0 : -1;
      if (wanted >= 0 && engine->id != wanted)
        g_message ("engine on %s (pid %" G_GINT64_FORMAT ") asked for engine id %" G_GINT64_FORMAT
                   ", which %s: it is engine %u",
                   engine->host, engine->pid, wanted,
                   wanted < CTL_MAX_ENGINE_ID ? "another engine has had" : "is past the last id", engine->id);
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
      if (engine->id == self->engines->len)
        g_ptr_array_add (self->engines, engine);
      else
        g_ptr_array_index (self->engines, engine->id) = engine;
      g_hash_table_insert (self->engine_by_identity, engine->identity, engine);
      adopt_held_tasks (self, engine, loom_json_array (content, "holding"));

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
                            "\"timeout_ms\":%u,\"max_message_size\":%" G_GSIZE_FORMAT ",\"host\":",
                            engine->id, g_get_real_time (), MAX (50, self->heartbeat_timeout_ms / 4),
                            self->heartbeat_timeout_ms, loom_wire_get_max_message (self->engine_wire));
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
  if (ctl_job_state (job, index) != LOOM_TASK_DISPATCHED && ctl_job_state (job, index) != LOOM_TASK_RUNNING)
    return NULL;
  task = ctl_job_task (job, index);
  if (task->engine != (gint32) engine->id || task->attempts != attempt)
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
      loom_wire_count_drop (self->engine_wire, LOOM_DROP_MALFORMED, "started without tasks");
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
      ctl_task_set_status (job, v[1], task, LOOM_TASK_RUNNING);
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

/* A result from an engine this controller does not know (it ran the task
 * for the controller before a restart): kept if the task is not final
 * yet, even if it was given to another engine since. */
static CtlTask *
lookup_orphan_task (LoomController *self,
                    gint64          job_id,
                    gint64          index,
                    CtlJob        **job_out)
{
  CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER ((guint) job_id));
  CtlTask *task;

  if (job == NULL || index < 0 || index >= job->n_tasks)
    return NULL;
  if (loom_task_status_is_final (ctl_job_state (job, index)))
    return NULL;
  task = ctl_job_task (job, index);
  *job_out = job;
  return task;
}

/* Records the result of @task (row @v: job, index, attempt, status,
 * started, completed), from @engine, or from an engine not registered
 * (yet) with this controller, whose id was @engine_id. */
static void
accept_result (LoomController *self,
               CtlEngine      *engine,
               gint            engine_id,
               CtlJob         *job,
               CtlTask        *task,
               const gint64   *v,
               GBytes         *result,
               GBytes         *detail,
               gint64          now)
{
  CtlEngine *holder = engine;
  LoomTaskStatus status;
  GString *ev;

  /* An orphan result for a task some engine holds: that engine's copy
   * will come back stale. */
  if (holder == NULL && (task->status == LOOM_TASK_DISPATCHED || task->status == LOOM_TASK_RUNNING) &&
      task->engine >= 0 && (guint) task->engine < self->engines->len)
    holder = g_ptr_array_index (self->engines, task->engine);

  if (holder != NULL)
    for (guint j = 0; j < holder->outstanding->len; j++)
      {
        TaskRef *ref = &g_array_index (holder->outstanding, TaskRef, j);
        if (ref->job == job->id && ref->index == v[1])
          {
            g_array_remove_index (holder->outstanding, j);
            job->n_outstanding--;
            if (holder != engine && holder->outstanding->len == 0 && ctl_engine_is_alive (holder))
              holder->state = LOOM_ENGINE_IDLE;
            break;
          }
      }

  status = v[3] == LOOM_TASK_DONE ? LOOM_TASK_DONE
           : job->aborted ? LOOM_TASK_ABORTED
           : v[3] == LOOM_TASK_TIMEOUT ? LOOM_TASK_TIMEOUT : LOOM_TASK_FAILED;
  if (engine != NULL)
    {
      engine->tasks_done++;
      engine->busy_usec += MAX (0, CLAMP (v[5], 0, now) - CLAMP (v[4], 0, now));
    }
  /* A task that raised or exited non-zero runs again, elsewhere if it
   * can (--retry-failed-tasks). */
  if (status == LOOM_TASK_FAILED && engine != NULL && ctl_retry_failed_task (self, job, v[1], task))
    return;

  ctl_task_set_status (job, v[1], task, status);
  task->engine = engine_id;
  task->attempts = MAX (task->attempts, (guint8) CLAMP (v[2], 0, G_MAXUINT8));
  task->started = v[4];
  task->completed = v[5];
  task->received = now;
  g_clear_pointer (&task->result, g_bytes_unref);
  g_clear_pointer (&task->detail, g_bytes_unref);
  task->result = g_bytes_ref (result);
  task->detail = g_bytes_ref (detail);

  if (engine != NULL)
    ctl_engine_note_result (engine, task);
  self->tasks_finished++;

  if (!task->started_seen)
    emit_started (self, job, v[1], task);

  if (ctl_task_events_wanted (self))
    {
      ev = ctl_event_begin (self, task->status == LOOM_TASK_DONE ? "task_finished" : "task_failed");
      g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"engine\":%d,\"status\":\"%s\",\"started\":%"
                              G_GINT64_FORMAT ",\"completed\":%" G_GINT64_FORMAT,
                              job->id, (guint) v[1], engine_id,
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

/* An engine's clock may be off, but not by more than this; times outside
 * [job created - slack, now + slack] are not believed. */
#define ENGINE_CLOCK_SLACK_USEC ((gint64) 3600 * G_USEC_PER_SEC)

/* The start and end an engine reports for a task of @job, checked against
 * the controller's own clock: nonsense (negative, reversed, far from now,
 * near the ends of gint64) becomes the time the result arrived, so sums
 * of busy time cannot overflow. */
static void
check_task_times (CtlJob *job,
                  gint64 *v,
                  gint64  now)
{
  gint64 earliest = job->created - ENGINE_CLOCK_SLACK_USEC;
  gint64 latest = now + ENGINE_CLOCK_SLACK_USEC;

  if (v[4] < earliest || v[4] > latest || v[5] < v[4] || v[5] > latest)
    v[4] = v[5] = now;
}

/* What an engine says about a task besides its result (an error, captured
 * output) is pasted into events and replies: it must be one JSON object
 * (or null), never text that could end the object it is put in. */
static GBytes *
check_task_detail (LoomController *self,
                   GBytes         *detail)
{
  gsize len;
  const char *data = g_bytes_get_data (detail, &len);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) out = NULL;

  if ((len == 2 && memcmp (data, "{}", 2) == 0) || (len == 4 && memcmp (data, "null", 4) == 0))
    return g_bytes_ref (detail);
  if ((node = loom_json_from_data (data, len, NULL)) != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return g_bytes_ref (detail);

  loom_wire_count_drop (self->engine_wire, LOOM_DROP_MALFORMED, "a task detail that is not a JSON object");
  out = g_string_new ("{\"error\":{\"type\":\"MalformedResult\",\"message\":");
  loom_json_append_string (out, _("the engine sent this task's error or output as something other than a JSON "
                                  "object; it was dropped"));
  g_string_append (out, "}}");
  return g_string_free_to_bytes (g_steal_pointer (&out));
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
      loom_wire_count_drop (self->engine_wire, LOOM_DROP_MALFORMED, "results without tasks");
      return;
    }

  rows = loom_json_array (content, "tasks");
  n_rows = json_array_get_length (rows);
  results = loom_lines_split (loom_message_get_buffer (msg, 0));
  details = loom_lines_split (loom_message_get_buffer (msg, 1));
  if (results->len != n_rows || details->len != n_rows ||
      !lines_all_non_empty (results) || !lines_all_non_empty (details))
    {
      loom_wire_count_drop (self->engine_wire, LOOM_DROP_MALFORMED, "results whose buffers do not match their rows");
      return;
    }

  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(GBytes) detail = NULL;
      gint64 v[6];
      CtlJob *job;
      CtlTask *task;

      if (!loom_json_row_ints (json_array_get_element (rows, i), v, 6))
        {
          loom_wire_count_drop (self->engine_wire, LOOM_DROP_MALFORMED, "bad result row");
          continue;
        }
      /* A result for a task not given to this engine, but not final
       * either, is one it ran for the controller before a restart. */
      task = engine ? lookup_held_task (self, engine, v[0], v[1], v[2], &job) : NULL;
      if (task == NULL)
        task = lookup_orphan_task (self, v[0], v[1], &job);
      if (task == NULL)
        {
          self->stale_results++;
          continue;
        }
      check_task_times (job, v, now);
      detail = check_task_detail (self, g_ptr_array_index (details, i));
      /* An error in place of the engine's detail: the task failed. */
      if (detail != g_ptr_array_index (details, i))
        v[3] = LOOM_TASK_FAILED;
      accept_result (self, engine, engine ? (gint) engine->id : (gint) loom_json_int (content, "engine", -1),
                     job, task, v, g_ptr_array_index (results, i), detail, now);
    }

  if (engine != NULL && engine->outstanding->len == 0 && ctl_engine_is_alive (engine))
    engine->state = LOOM_ENGINE_IDLE;
}

/* An engine's clock is believed off by at most this, as for task times;
 * an uncertainty is at most a heartbeat timeout's round trip. */
#define ENGINE_CLOCK_OFFSET_MAX ENGINE_CLOCK_SLACK_USEC

/* The clock offset an engine's heartbeat tells, with its uncertainty:
 * integers, clamped; 0 ± 0 on our own host whatever it says. */
static void
take_clock (LoomController *self,
            CtlEngine      *engine,
            JsonObject     *content)
{
  JsonNode *offset = json_object_get_member (content, "clock_offset");
  JsonNode *uncertainty = json_object_get_member (content, "clock_uncertainty");

  if (offset == NULL || uncertainty == NULL || g_strcmp0 (engine->host, g_get_host_name ()) == 0)
    return;
  if (!JSON_NODE_HOLDS_VALUE (offset) || json_node_get_value_type (offset) != G_TYPE_INT64 ||
      !JSON_NODE_HOLDS_VALUE (uncertainty) || json_node_get_value_type (uncertainty) != G_TYPE_INT64)
    {
      g_debug ("engine %u: a clock offset that is not a number, ignored", engine->id);
      return;
    }
  engine->clock_offset = CLAMP (json_node_get_int (offset), -ENGINE_CLOCK_OFFSET_MAX, ENGINE_CLOCK_OFFSET_MAX);
  engine->clock_uncertainty = CLAMP (json_node_get_int (uncertainty), 0, (gint64) self->heartbeat_timeout_ms * 1000);
}

void
ctl_handle_engine_message (LoomController *self,
                           LoomMessage    *msg)
{
  GBytes *identity;
  CtlEngine *engine;

  if (msg->routing->len != 1)
    {
      loom_wire_count_drop (self->engine_wire, LOOM_DROP_MALFORMED, "engine message without a routing id");
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
  if (engine == NULL && g_hash_table_contains (self->gone_identities, identity))
    {
      /* An engine we declared dead: it must not run anything for us. */
      if (!g_str_equal (msg->msg_type, "unregister"))
        loom_wire_send (self->engine_wire, self->engine_sock, msg->routing, "stop", NULL, "{}", 2, NULL, 0);
      return;
    }
  if (engine == NULL)
    {
      /* An engine of the controller before a restart: what it finished is
       * kept, and it is asked to register again. */
      if (g_str_equal (msg->msg_type, "results"))
        handle_results (self, NULL, msg);
      if (!g_str_equal (msg->msg_type, "unregister") && !g_atomic_int_get (&self->stop_requested))
        loom_wire_send (self->engine_wire, self->engine_sock, msg->routing, "reregister", NULL, "{}", 2, NULL, 0);
      else if (g_str_equal (msg->msg_type, "unregister"))
        ctl_reply (self, self->engine_sock, msg, "bye", "{}", 2, NULL, 0);
      return;
    }

  engine->last_heartbeat = g_get_monotonic_time ();
  engine->last_heartbeat_real = g_get_real_time ();

  if (g_str_equal (msg->msg_type, "heartbeat"))
    {
      /* The controller's clock, for engines on other hosts to correct theirs. */
      char buf[64];
      JsonObject *content = loom_message_get_content (msg, NULL);

      g_snprintf (buf, sizeof buf, "{\"time\":%" G_GINT64_FORMAT "}", g_get_real_time ());
      ctl_reply (self, self->engine_sock, msg, "heartbeat_reply", buf, -1, NULL, 0);
      /* How many tasks the engine holds (received, not yet answered). */
      if (content != NULL && json_object_has_member (content, "held"))
        ctl_engine_check_held (self, engine, loom_json_int (content, "held", -1));
      if (content != NULL)
        take_clock (self, engine, content);
    }
  else if (g_str_equal (msg->msg_type, "started"))
    handle_started (self, engine, msg);
  else if (g_str_equal (msg->msg_type, "results"))
    handle_results (self, engine, msg);
  else if (g_str_equal (msg->msg_type, "unregister"))
    {
      JsonObject *content = loom_message_get_content (msg, NULL);

      /* An engine that ends itself to stop a task it could not
       * interrupt asks for a replacement. */
      engine->replace = content != NULL && json_object_has_member (content, "replace") &&
                        json_object_get_boolean_member (content, "replace");
      ctl_engine_gone (self, engine, LOOM_ENGINE_STOPPED);
      ctl_reply (self, self->engine_sock, msg, "bye", "{}", 2, NULL, 0);
    }
  else if (g_str_equal (msg->msg_type, "dying"))
    {
      /* A fatal signal (a task crashed it): the engine is dead now, not
       * after its heartbeats time out, and its tasks' errors name the
       * signal. */
      engine->death_signal = CLAMP (loom_json_int (loom_message_get_content (msg, NULL), "signal", 0), 0, 64);
      ctl_engine_gone (self, engine, LOOM_ENGINE_DEAD);
      ctl_reply (self, self->engine_sock, msg, "bye", "{}", 2, NULL, 0);
    }
  else
    loom_wire_count_drop (self->engine_wire, LOOM_DROP_UNKNOWN_TYPE, msg->msg_type);
}
