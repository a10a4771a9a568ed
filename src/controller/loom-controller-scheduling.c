/* loom-controller-scheduling.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Scheduling: which engine a pending task goes to (least load, least
 * recently used or random, within a job's targets, one at a time for serial
 * jobs), recording the dispatch, failing jobs no engine can run, and sending
 * each engine its batch of tasks at the end of a wake-up.
 *
 * With hwm auto (the default) an engine holds more than one task only while
 * its recent tasks are short compared with the round trip of a dispatch, so
 * that prefetched tasks keep it busy while its results travel back; and an
 * engine that holds a task gets another only when no eligible engine is idle.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-controller-private.h"

static gboolean
engine_in_targets (CtlJob    *job,
                   CtlEngine *engine)
{
  if (job->targets == NULL)
    return TRUE;
  for (guint i = 0; i < job->targets->len; i++)
    if (g_array_index (job->targets, guint, i) == engine->id)
      return TRUE;
  return FALSE;
}

/* Moving averages in µs: run times rise fast (a long task must stop
 * prefetching at once) and fall slowly; round trips move by an eighth. */
void
ctl_engine_note_result (CtlEngine *engine,
                        CtlTask   *task)
{
  gint64 run = MAX (0, task->completed - task->started);

  if (engine->est_run < 0 || run > engine->est_run)
    engine->est_run = engine->est_run < 0 ? run : (engine->est_run + run) / 2;
  else
    engine->est_run += (run - engine->est_run) / 8;

  if (task->solo && task->received > task->dispatched)
    {
      gint64 rtt = MAX (0, task->received - task->dispatched - run);

      if (engine->est_rtt < 0)
        engine->est_rtt = rtt;
      else
        engine->est_rtt += (rtt - engine->est_rtt) / 8;
    }
  engine->progress_at = g_get_monotonic_time ();
}

/* How many tasks @engine may hold at once: enough that the ones queued on
 * it cover a round trip, 1 while its tasks are long or not yet measured. */
static guint
engine_limit (LoomController *self,
              CtlEngine      *engine,
              gint64          now)
{
  gint64 extra;

  if (self->hwm > 0)
    return self->hwm;
  if (engine->est_run < 0 || engine->est_rtt < 0)
    return 1;
  /* Held tasks without a result for much longer than they should take:
   * one of them is long, do not queue more behind it. */
  if (engine->outstanding->len > 0 &&
      now - engine->progress_at > 2 * (engine->est_rtt + engine->est_run) + 1000)
    return 1;
  extra = engine->est_rtt / MAX (engine->est_run, 1);
  return (guint) CLAMP (1 + extra, 1, CTL_HWM_AUTO_MAX);
}

static gboolean
engine_eligible (LoomController *self,
                 CtlJob         *job,
                 CtlEngine      *engine,
                 gint64          now)
{
  if (!ctl_engine_is_alive (engine) || engine->outstanding->len >= engine_limit (self, engine, now))
    return FALSE;
  if (!engine_in_targets (job, engine))
    return FALSE;
  if (job->mode == LOOM_JOB_SERIAL)
    {
      if (job->n_outstanding > 0)
        return FALSE;
      if (job->pinned >= 0 && (guint) job->pinned != engine->id)
        {
          CtlEngine *pinned = g_ptr_array_index (self->engines, job->pinned);
          if (ctl_engine_is_alive (pinned))
            return FALSE;
        }
    }
  return TRUE;
}

static CtlEngine *
pick_engine_among (LoomController *self,
                   CtlJob         *job,
                   gboolean        idle_only,
                   gint64          now)
{
  CtlEngine *best = NULL;
  guint n_seen = 0;

  for (guint i = 0; i < self->engines->len; i++)
    {
      CtlEngine *engine = g_ptr_array_index (self->engines, i);

      if (idle_only && engine->outstanding->len > 0)
        continue;
      if (!engine_eligible (self, job, engine, now))
        continue;

      switch (job->scheme)
        {
        case LOOM_SCHEME_LEASTLOAD:
          if (best == NULL || engine->outstanding->len < best->outstanding->len)
            best = engine;
          break;

        case LOOM_SCHEME_LRU:
          if (best == NULL || engine->last_dispatch < best->last_dispatch)
            best = engine;
          break;

        case LOOM_SCHEME_RANDOM:
          /* Reservoir sampling: uniform over the eligible engines. */
          n_seen++;
          if (g_rand_int_range (self->rand, 0, n_seen) == 0)
            best = engine;
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return best;
}

static CtlEngine *
pick_engine (LoomController *self,
             CtlJob         *job,
             gint64          now)
{
  CtlEngine *engine;

  /* hwm auto: an idle engine first, whatever the scheme. */
  if (self->hwm == 0 && (engine = pick_engine_among (self, job, TRUE, now)))
    return engine;
  return pick_engine_among (self, job, FALSE, now);
}

static void
dispatch (LoomController *self,
          CtlJob         *job,
          guint           index,
          CtlEngine      *engine)
{
  CtlTask *task = ctl_job_task (job, index);
  TaskRef ref = { job->id, index };
  gboolean have_job = FALSE;
  GString *ev;

  ctl_task_set_status (job, index, task, LOOM_TASK_DISPATCHED);
  task->engine = engine->id;
  task->attempts++;
  task->dispatched = g_get_real_time ();
  task->solo = engine->outstanding->len == 0;
  if (task->solo)
    engine->progress_at = g_get_monotonic_time ();
  job->n_outstanding++;
  if (job->mode == LOOM_JOB_SERIAL)
    job->pinned = engine->id;

  g_array_append_val (engine->outstanding, ref);
  engine->state = LOOM_ENGINE_BUSY;
  engine->last_dispatch = g_get_monotonic_time ();

  if (engine->out_tasks == NULL)
    {
      engine->out_tasks = g_string_new (NULL);
      engine->out_params = g_string_new (NULL);
      engine->out_jobs = g_array_new (FALSE, FALSE, sizeof (guint));
      g_ptr_array_add (self->dirty_engines, engine);
    }
  if (engine->out_tasks->len > 0)
    {
      g_string_append_c (engine->out_tasks, ',');
      g_string_append_c (engine->out_params, '\n');
    }
  g_string_append_printf (engine->out_tasks, "[%u,%u,%u]", job->id, index, task->attempts);
  ctl_job_append_params (job, index, engine->out_params);
  for (guint i = 0; i < engine->out_jobs->len && !have_job; i++)
    have_job = g_array_index (engine->out_jobs, guint, i) == job->id;
  if (!have_job)
    g_array_append_val (engine->out_jobs, job->id);

  if (ctl_task_events_wanted (self))
    {
      ev = ctl_event_begin (self, "task_dispatched");
      g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"engine\":%u,\"attempt\":%u",
                              job->id, index, engine->id, task->attempts);
      ctl_event_end (self);
    }
}

/* A job aimed at engines that are all gone can never run: fail its tasks
 * instead of letting it wait for ever. */
static void
fail_unreachable_job (LoomController *self,
                      CtlJob         *job)
{
  g_autoptr(GString) detail = g_string_new ("{\"error\":{\"type\":\"NoEngine\",\"message\":");
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *message = g_strdup_printf (_("none of the target engines of this job is alive, and those that "
                                                "never registered did not within %.0f s"),
                                              CTL_TARGET_WAIT_HEARTBEATS * self->heartbeat_timeout_ms / 1000.0);

  loom_json_append_string (detail, message);
  g_string_append (detail, "}}");
  bytes = g_string_free_to_bytes (g_steal_pointer (&detail));

  ctl_job_end_pending (self, job, LOOM_TASK_LOST, bytes);
}

static gboolean
job_targets_all_gone (LoomController *self,
                      CtlJob         *job)
{
  if (job->targets == NULL)
    return FALSE;

  for (guint i = 0; i < job->targets->len; i++)
    {
      guint id = g_array_index (job->targets, guint, i);
      /* An engine that has not registered yet may still come, but not
       * for ever: the job would wait in memory for nothing. */
      if (id >= self->engines->len)
        return g_get_real_time () - job->created >=
               (gint64) CTL_TARGET_WAIT_HEARTBEATS * self->heartbeat_timeout_ms * 1000;
      if (ctl_engine_is_alive (g_ptr_array_index (self->engines, id)))
        return FALSE;
    }
  return TRUE;
}

void
ctl_schedule (LoomController *self)
{
  GList *link = self->pending_jobs.head;
  gint64 now = g_get_monotonic_time ();

  while (link != NULL)
    {
      CtlJob *job = link->data;
      GList *next = link->next;

      if (job_targets_all_gone (self, job))
        fail_unreachable_job (self, job);

      while (ctl_job_has_pending (job))
        {
          CtlEngine *engine = pick_engine (self, job, now);

          if (engine == NULL)
            break;
          dispatch (self, job, ctl_job_pop_pending (job), engine);
        }

      if (!ctl_job_has_pending (job))
        {
          job->in_pending = FALSE;
          g_queue_delete_link (&self->pending_jobs, link);
        }

      link = next;
    }
}

void
ctl_flush_dispatches (LoomController *self)
{
  for (guint i = 0; i < self->dirty_engines->len; i++)
    {
      CtlEngine *engine = g_ptr_array_index (self->dirty_engines, i);
      g_autoptr(GString) content = g_string_new ("{\"jobs\":{");
      g_autoptr(GBytes) params = NULL;
      g_autoptr(GPtrArray) routing = g_ptr_array_new ();

      for (guint j = 0; j < engine->out_jobs->len; j++)
        {
          guint id = g_array_index (engine->out_jobs, guint, j);
          CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (id));

          g_string_append_printf (content, "%s\"%u\":%s", j ? "," : "", id, job->spec);
        }
      g_string_append (content, "},\"tasks\":[");
      g_string_append_len (content, engine->out_tasks->str, engine->out_tasks->len);
      g_string_append (content, "]}");

      params = g_string_free_to_bytes (engine->out_params);
      engine->out_params = NULL;
      g_ptr_array_add (routing, engine->identity);
      if (ctl_engine_is_alive (engine))
        loom_wire_send (self->engine_wire, self->engine_sock, routing, "tasks", NULL,
                        content->str, content->len, &params, 1);

      g_string_free (engine->out_tasks, TRUE);
      engine->out_tasks = NULL;
      g_clear_pointer (&engine->out_jobs, g_array_unref);
    }
  g_ptr_array_set_size (self->dirty_engines, 0);
}

