/* loom-controller-engines.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The engine table: engines as clients and the status report describe them,
 * heartbeats and what happens to an engine's tasks when it dies or stops,
 * and the commands the controller sends engines (stop, abort).
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <signal.h>

#include <glib/gi18n-lib.h>

#include "loom-controller-private.h"
#include "loom-launcher-private.h"

void
ctl_engine_free (CtlEngine *engine)
{
  g_clear_pointer (&engine->identity, g_bytes_unref);
  g_clear_pointer (&engine->hb_identity, g_bytes_unref);
  g_clear_pointer (&engine->outstanding, g_array_unref);
  g_clear_pointer (&engine->out_jobs, g_array_unref);
  if (engine->out_tasks)
    g_string_free (engine->out_tasks, TRUE);
  if (engine->out_params)
    g_string_free (engine->out_params, TRUE);
  g_free (engine->host);
  g_free (engine->log);
  g_free (engine->launcher);
  g_free (engine->job_id);
  g_free (engine);
}

static void
append_engine_json (LoomController *self,
                    GString        *out,
                    CtlEngine      *engine)
{
  gint64 now = g_get_real_time ();
  double lifetime = MAX (1, now - engine->registered_at);

  g_string_append_printf (out, "{\"id\":%u,\"host\":", engine->id);
  loom_json_append_string (out, engine->host ? engine->host : "");
  g_string_append_printf (out,
                          ",\"pid\":%" G_GINT64_FORMAT ",\"state\":\"%s\",\"tasks_done\":%" G_GUINT64_FORMAT
                          ",\"outstanding\":%u,\"registered_at\":%" G_GINT64_FORMAT
                          ",\"last_heartbeat\":%" G_GINT64_FORMAT ",\"busy_fraction\":%.4f}",
                          engine->pid, loom_engine_state_to_string (engine->state),
                          engine->tasks_done, engine->outstanding->len,
                          engine->registered_at, engine->last_heartbeat_real,
                          MIN (1.0, engine->busy_usec / lifetime));
  /* What is known only of some engines: left out when not. */
  g_string_truncate (out, out->len - 1);
  if (engine->log)
    {
      g_string_append (out, ",\"log\":");
      loom_json_append_string (out, engine->log);
    }
  if (engine->launcher)
    {
      g_string_append (out, ",\"launcher\":");
      loom_json_append_string (out, engine->launcher);
    }
  if (engine->job_id)
    {
      g_string_append (out, ",\"job_id\":");
      loom_json_append_string (out, engine->job_id);
    }
  if (engine->clock_uncertainty >= 0)
    g_string_append_printf (out, ",\"clock_offset\":%" G_GINT64_FORMAT ",\"clock_uncertainty\":%" G_GINT64_FORMAT,
                            engine->clock_offset, engine->clock_uncertainty);
  g_string_append_c (out, '}');
}

void
ctl_append_engines_json (LoomController *self,
                         GString        *out)
{
  guint gone_left = CTL_MAX_GONE_LISTED;
  guint first = self->engines->len;

  /* Every live engine, and the newest of the gone: a cluster that saw
   * thousands of engines come and go does not answer with all of them. */
  while (first > 0 && gone_left > 0)
    if (!ctl_engine_is_alive (g_ptr_array_index (self->engines, --first)))
      gone_left--;

  g_string_append (out, "\"engines\":[");
  for (guint i = 0; i < self->engines->len; i++)
    {
      CtlEngine *engine = g_ptr_array_index (self->engines, i);

      /* An id kept for an engine of the controller before a restart. */
      if (engine->identity == NULL)
        continue;
      if (i < first && !ctl_engine_is_alive (engine))
        continue;
      if (out->str[out->len - 1] != '[')
        g_string_append_c (out, ',');
      append_engine_json (self, out, engine);
    }
  g_string_append_c (out, ']');
}

static char *
engine_label (CtlEngine *engine)
{
  return g_strdup_printf ("engine %u (%s, pid %" G_GINT64_FORMAT ")",
                          engine->id, engine->host ? engine->host : "?", engine->pid);
}

/* The engine stopped answering or stopped cleanly: every task it held goes
 * back to the queue, or ends "lost" once its retries are used up. */
/* Remembers @identity as gone, forgetting the oldest past
 * CTL_MAX_GONE_REMEMBERED: such an engine, if it ever speaks again, is
 * told to register again like any stranger. */
static void
remember_gone (LoomController *self,
               GBytes         *identity)
{
  if (!g_hash_table_add (self->gone_identities, g_bytes_ref (identity)))
    return;
  g_queue_push_tail (&self->gone_order, g_bytes_ref (identity));
  while (g_queue_get_length (&self->gone_order) > CTL_MAX_GONE_REMEMBERED)
    {
      GBytes *oldest = g_queue_pop_head (&self->gone_order);

      g_hash_table_remove (self->gone_identities, oldest);
      g_bytes_unref (oldest);
    }
}

void
ctl_engine_gone (LoomController  *self,
                 CtlEngine       *engine,
                 LoomEngineState  state)
{
  g_autofree char *label = engine_label (engine);
  gint64 now = g_get_real_time ();
  guint requeued = 0, lost = 0;
  GString *ev;

  if (!ctl_engine_is_alive (engine))
    return;

  engine->state = state;
  g_hash_table_remove (self->engine_by_identity, engine->identity);
  remember_gone (self, engine->identity);
  if (engine->hb_identity)
    {
      g_hash_table_remove (self->engine_by_identity, engine->hb_identity);
      remember_gone (self, engine->hb_identity);
    }

  for (guint i = 0; i < engine->outstanding->len; i++)
    {
      TaskRef *ref = &g_array_index (engine->outstanding, TaskRef, i);
      CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (ref->job));
      CtlTask *task;

      if (job == NULL)
        continue;

      task = ctl_job_task (job, ref->index);
      job->n_outstanding--;

      /* Runs that failed and were retried (--retry-failed-tasks) do not
       * count against the retries for engines that died. */
      if (task->attempts - ctl_job_failed_runs (job, ref->index) <= job->retries)
        {
          ctl_task_set_status (job, ref->index, task, LOOM_TASK_QUEUED);
          task->started = 0;
          task->started_seen = FALSE;
          g_array_append_val (job->retry, ref->index);
          ctl_job_mark_pending (self, job);
          requeued++;

          if (ctl_task_events_wanted (self))
            {
              ev = ctl_event_begin (self, "task_queued");
              g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"attempts\":%u,\"reason\":\"engine_died\"",
                                      job->id, ref->index, task->attempts);
              ctl_event_end (self);
            }
        }
      else
        {
          g_autoptr(GString) detail = g_string_new ("{\"error\":{\"type\":\"EngineDied\",\"message\":");
          g_autofree char *msg = NULL;

          if (engine->death_signal > 0)
            msg = g_strdup_printf (_("%s died of signal %d (%s) while running this task (attempt %u of %u)"),
                                   label, engine->death_signal, g_strsignal (engine->death_signal),
                                   task->attempts, job->retries + 1);
          else
            msg = g_strdup_printf (_("%s died while running this task (attempt %u of %u)"),
                                   label, task->attempts, job->retries + 1);

          loom_json_append_string (detail, msg);
          g_string_append (detail, "}}");
          ctl_task_set_status (job, ref->index, task, LOOM_TASK_LOST);
          task->received = now;
          g_clear_pointer (&task->detail, g_bytes_unref);
          task->detail = g_string_free_to_bytes (g_steal_pointer (&detail));
          lost++;

          if (ctl_task_events_wanted (self))
            {
              ev = ctl_event_begin (self, "task_failed");
              g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"engine\":%u,\"status\":\"lost\",\"detail\":",
                                      job->id, ref->index, engine->id);
              g_string_append_len (ev, g_bytes_get_data (task->detail, NULL), g_bytes_get_size (task->detail));
              ctl_event_end (self);
            }

          ctl_job_task_final (self, job, ref->index);
        }
    }
  g_array_set_size (engine->outstanding, 0);

  ev = ctl_event_begin (self, state == LOOM_ENGINE_DEAD ? "engine_died" : "engine_stopped");
  g_string_append_printf (ev, ",\"engine\":%u,\"requeued\":%u,\"lost\":%u", engine->id, requeued, lost);
  ctl_event_end (self);

  if (state == LOOM_ENGINE_DEAD && engine->death_signal > 0)
    g_message ("%s died of signal %d (%s); %u tasks requeued, %u lost",
               label, engine->death_signal, g_strsignal (engine->death_signal), requeued, lost);
  else if (state == LOOM_ENGINE_DEAD)
    g_message ("%s missed its heartbeats for %u ms: declared dead; %u tasks requeued, %u lost",
               label, self->heartbeat_timeout_ms, requeued, lost);

  if (state == LOOM_ENGINE_DEAD || engine->replace)
    ctl_replace_engine (self, engine);
}

/* Keeping a local cluster at strength.  Two designs were possible: the
 * program that started the engines watches its children, or the
 * controller replaces them.  `loomctl cluster start` returns once the
 * cluster is up, so no program of it stays to watch; the app's embedded
 * cluster has the controller in-process.  The controller is the one
 * party present in both, and it already knows when an engine dies (its
 * heartbeats stop, or it reports a fatal signal) and when one ends itself
 * for a task it could not interrupt (it says so as it unregisters).  So
 * the controller starts a new loom-engine of its own for each such engine
 * of its host, with the launch it was given
 * (loom_controller_set_replace_engines(), `loom-controller
 * --replace-engines`).  Engines stopped on purpose are not replaced, nor
 * are remote ones (their launcher owns them), nor any while stopping. */
void
ctl_replace_engine (LoomController *self,
                    CtlEngine      *engine)
{
  g_autoptr(GError) error = NULL;
  LoomEngineLaunch launch = {
    .connection_file = self->connection_path,
    .log_dir = self->engine_log_dir,
    .grace_ms = self->engine_grace_ms,
  };
  guint before = self->replacements->len;

  if (!self->replace_engines || g_atomic_int_get (&self->stop_requested) ||
      g_strcmp0 (engine->host, g_get_host_name ()) != 0)
    return;

  if (ctl_recent_replacements (self) >= CTL_MAX_REPLACEMENTS_PER_MINUTE)
    {
      g_message ("engine %u not replaced: %u engines were replaced in the last minute, the limit; "
                 "they keep dying (see their logs%s%s); add engines by hand once that is fixed",
                 engine->id, CTL_MAX_REPLACEMENTS_PER_MINUTE,
                 self->engine_log_dir ? " in " : "", self->engine_log_dir ? self->engine_log_dir : "");
      return;
    }

  if (!loom_launch_engines (&launch, 1, self->replacements, &error))
    {
      g_warning ("cannot replace engine %u: %s", engine->id, error->message);
      return;
    }
  {
    gint64 now = g_get_monotonic_time ();
    g_array_append_val (self->replaced_at, now);
  }
  g_info ("engine %u replaced by a new engine (pid %s)", engine->id,
             g_subprocess_get_identifier (g_ptr_array_index (self->replacements, before)) ?: "?");
}

/* How many engines were replaced in the last minute. */
guint
ctl_recent_replacements (LoomController *self)
{
  gint64 minute_ago = g_get_monotonic_time () - 60 * G_USEC_PER_SEC;
  guint old = 0;

  while (old < self->replaced_at->len && g_array_index (self->replaced_at, gint64, old) < minute_ago)
    old++;
  g_array_remove_range (self->replaced_at, 0, old);
  return self->replaced_at->len;
}

/* Forgets replacements that have exited (GLib's worker thread reaps them). */
void
ctl_reap_replacements (LoomController *self)
{
  for (guint i = self->replacements->len; i > 0; i--)
    if (g_subprocess_get_identifier (g_ptr_array_index (self->replacements, i - 1)) == NULL)
      g_ptr_array_remove_index_fast (self->replacements, i - 1);
}

/* Tasks dispatched to an engine that says it holds none, for longer than
 * a heartbeat timeout: they never reached it (taken on the way, or lost
 * with a connection).  They go back to the queue, their attempt not
 * counted.  An engine that loses tasks twice is stopped: something is
 * wrong between it and us. */
void
ctl_engine_check_held (LoomController *self,
                       CtlEngine      *engine,
                       gint64          held)
{
  g_autofree char *label = NULL;
  gint64 now = g_get_monotonic_time ();
  gint64 limit = (gint64) self->heartbeat_timeout_ms * 1000;
  guint n;

  if (held != 0 || engine->outstanding->len == 0)
    {
      engine->empty_since = 0;
      return;
    }
  if (engine->empty_since == 0 || engine->empty_since < engine->last_dispatch)
    {
      engine->empty_since = now;
      return;
    }
  if (now - engine->empty_since < limit || now - engine->last_dispatch < limit)
    return;

  label = engine_label (engine);
  n = engine->outstanding->len;
  for (guint i = 0; i < n; i++)
    {
      TaskRef *ref = &g_array_index (engine->outstanding, TaskRef, i);
      CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (ref->job));
      CtlTask *task;

      if (job == NULL)
        continue;
      task = ctl_job_task (job, ref->index);
      job->n_outstanding--;
      if (task->attempts > 0)
        task->attempts--;
      ctl_task_set_status (job, ref->index, task, LOOM_TASK_QUEUED);
      task->started = 0;
      task->started_seen = FALSE;
      g_array_append_val (job->retry, ref->index);
      ctl_job_mark_pending (self, job);
      if (ctl_task_events_wanted (self))
        {
          GString *ev = ctl_event_begin (self, "task_queued");
          g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"attempts\":%u,\"reason\":\"undelivered\"",
                                  job->id, ref->index, task->attempts);
          ctl_event_end (self);
        }
    }
  g_array_set_size (engine->outstanding, 0);
  engine->empty_since = 0;
  engine->undelivered++;
  g_message ("%s never received %u of its tasks within %u ms: they are queued again", label, n,
             self->heartbeat_timeout_ms);
  if (engine->undelivered >= 2)
    {
      g_message ("%s lost tasks twice: stopping it", label);
      ctl_send_stop (self, engine);
      ctl_engine_gone (self, engine, LOOM_ENGINE_STOPPED);
    }
}

void
ctl_check_heartbeats (LoomController *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 limit = (gint64) self->heartbeat_timeout_ms * 1000;
  /* Heartbeats are known up to the last time the engine socket was read
   * to the end: a wake-up that held the loop is not the engines' fault
   * (but an engine socket never read to the end excuses no more than one
   * timeout). */
  gint64 known = MAX (MIN (self->engines_read_at, now), now - limit);

  for (guint i = 0; i < self->engines->len; i++)
    {
      CtlEngine *engine = g_ptr_array_index (self->engines, i);

      if (ctl_engine_is_alive (engine) && known - engine->last_heartbeat > limit)
        ctl_engine_gone (self, engine, LOOM_ENGINE_DEAD);
    }
  ctl_reap_replacements (self);
}

/* Sends an engine a command on both its sockets: the task socket is not
 * read while the engine runs a long task, the heartbeat socket always is. */
void
ctl_send_to_engine (LoomController *self,
                    CtlEngine      *engine,
                    const char     *msg_type,
                    const char     *content)
{
  GBytes *identities[2] = { engine->hb_identity, engine->identity };

  for (guint i = 0; i < G_N_ELEMENTS (identities); i++)
    {
      g_autoptr(GPtrArray) routing = g_ptr_array_new ();

      if (identities[i] == NULL)
        continue;
      g_ptr_array_add (routing, identities[i]);
      loom_wire_send (self->engine_wire, self->engine_sock, routing, msg_type, NULL, content, -1, NULL, 0);
    }
}

void
ctl_send_stop (LoomController *self,
               CtlEngine      *engine)
{
  ctl_send_to_engine (self, engine, "stop", "{}");
}

void
ctl_stop_engines (LoomController *self)
{
  for (guint i = 0; i < self->engines->len; i++)
    {
      CtlEngine *engine = g_ptr_array_index (self->engines, i);

      if (ctl_engine_is_alive (engine))
        ctl_send_stop (self, engine);
    }
  /* Replacements that may not have registered yet would look for a
   * connection file that is about to go: SIGTERM stops them at any stage
   * (one that registered unregisters, as for "stop"). */
  for (guint i = 0; i < self->replacements->len; i++)
    g_subprocess_send_signal (g_ptr_array_index (self->replacements, i), SIGTERM);
}

gboolean
ctl_any_engine_alive (LoomController *self)
{
  for (guint i = 0; i < self->engines->len; i++)
    if (ctl_engine_is_alive (g_ptr_array_index (self->engines, i)))
      return TRUE;
  return FALSE;
}
