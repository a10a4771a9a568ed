/* loom-timeline-model-query.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Questions to the timeline model: its jobs, lanes and counts, the extent
 * of time it covers, hit-testing (the bar at a time), the statistics of a
 * time range (tasks started and finished, busy and idle time, utilisation,
 * throughput), a job's summary (wall time, speedup, efficiency) and the
 * memory it holds.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include "loom-timeline-model-private.h"

guint
loom_timeline_model_get_n_jobs (LoomTimelineModel *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), 0);
  return self->jobs->len;
}

/**
 * loom_timeline_model_get_job:
 * @self: a #LoomTimelineModel
 * @job: a job slot
 *
 * Returns: (transfer none): the job
 */
const LoomTimelineJob *
loom_timeline_model_get_job (LoomTimelineModel *self,
                             guint              job)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), NULL);
  g_return_val_if_fail (job < self->jobs->len, NULL);
  return g_ptr_array_index (self->jobs, job);
}

guint
loom_timeline_model_get_n_lanes (LoomTimelineModel *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), 0);
  return self->lanes->len;
}

/**
 * loom_timeline_model_get_lane:
 * @self: a #LoomTimelineModel
 * @lane: a lane number, in drawing order
 *
 * Returns: (transfer none): the lane
 */
const LoomTimelineLane *
loom_timeline_model_get_lane (LoomTimelineModel *self,
                              guint              lane)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), NULL);
  g_return_val_if_fail (lane < self->lanes->len, NULL);
  return g_ptr_array_index (self->lanes, lane);
}

guint64
loom_timeline_model_get_n_bars (LoomTimelineModel *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), 0);
  return self->n_bars;
}

guint
loom_timeline_model_get_n_running (LoomTimelineModel *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), 0);
  return self->n_running;
}

/**
 * loom_timeline_model_get_generation:
 * @self: a #LoomTimelineModel
 *
 * Returns: a number that changes whenever the model does
 */
guint64
loom_timeline_model_get_generation (LoomTimelineModel *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), 0);
  return self->generation;
}

/**
 * loom_timeline_model_get_extent:
 * @self: a #LoomTimelineModel
 * @now: µs since the epoch, where running bars end
 *
 * Returns: the latest end over all jobs, relative to each job's zero (µs, ≥ 1)
 */
gint64
loom_timeline_model_get_extent (LoomTimelineModel *self,
                                gint64             now)
{
  gint64 extent = 1;

  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), 1);

  for (guint i = 0; i < self->jobs->len; i++)
    {
      LoomTimelineJob *job = g_ptr_array_index (self->jobs, i);

      extent = MAX (extent, job->last_end);
      if (job->n_running > 0)
        extent = MAX (extent, now - job->zero);
    }
  return extent;
}

/**
 * loom_timeline_model_get_engine_host:
 * @self: a #LoomTimelineModel
 * @engine_id: an engine
 *
 * Returns: (nullable): the engine's host, if known
 */
const char *
loom_timeline_model_get_engine_host (LoomTimelineModel *self,
                                     gint               engine_id)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), NULL);
  return g_hash_table_lookup (self->hosts, GINT_TO_POINTER (engine_id));
}

/**
 * loom_timeline_model_get_n_lane_hosts:
 * @self: a #LoomTimelineModel
 *
 * Returns: on how many hosts the engines of the lanes ran, as far as
 *   their hosts are known (0 if none is)
 */
guint
loom_timeline_model_get_n_lane_hosts (LoomTimelineModel *self)
{
  g_autoptr(GHashTable) hosts = NULL;
  const char *first = NULL;

  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), 0);

  /* Usually one: that needs no table. */
  for (guint l = 0; l < self->lanes->len; l++)
    {
      const LoomTimelineLane *lane = g_ptr_array_index (self->lanes, l);
      const char *host = g_hash_table_lookup (self->hosts, GINT_TO_POINTER (lane->engine_id));

      if (host == NULL)
        continue;
      if (first == NULL)
        first = host;
      else if (hosts == NULL && !g_str_equal (host, first))
        {
          hosts = g_hash_table_new (g_str_hash, g_str_equal);
          g_hash_table_add (hosts, (gpointer) first);
        }
      if (hosts != NULL)
        g_hash_table_add (hosts, (gpointer) host);
    }
  return hosts ? g_hash_table_size (hosts) : first ? 1 : 0;
}

static gint64
bar_end (const LoomTimelineBar *bar,
         gint64                 now_rel)
{
  return bar->end == LOOM_TIMELINE_RUNNING ? MAX (now_rel, bar->start) : bar->end;
}

/**
 * loom_timeline_model_find_bar:
 * @self: a #LoomTimelineModel
 * @lane: a lane
 * @t: a time, relative to the lane's job's zero
 * @slack: how far from a bar @t may be and still hit it, µs
 * @now: µs since the epoch, where running bars end
 * @position: (out): the bar's position in the lane
 *
 * Hit-testing: the bar under @t, or the nearest within @slack.
 *
 * Returns: whether a bar was found
 */
gboolean
loom_timeline_model_find_bar (LoomTimelineModel *self,
                              guint              lane,
                              gint64             t,
                              gint64             slack,
                              gint64             now,
                              guint             *position)
{
  const Lane *l;
  const LoomTimelineJob *job;
  gint64 now_rel, best_distance = G_MAXINT64;
  guint first;
  gboolean found = FALSE;

  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), FALSE);
  g_return_val_if_fail (position != NULL, FALSE);

  if (lane >= self->lanes->len)
    return FALSE;
  l = g_ptr_array_index (self->lanes, lane);
  job = g_ptr_array_index (self->jobs, l->job);
  now_rel = now - job->zero;

  first = loom_timeline_model_first_ending_after (l, t - slack - 1);
  for (guint pos = first; pos < l->n_bars && l->bars[pos].start <= t + slack; pos++)
    {
      const LoomTimelineBar *bar = &l->bars[pos];
      gint64 end = bar_end (bar, now_rel);
      gint64 distance = t < bar->start ? bar->start - t : t > end ? t - end : 0;

      if (distance <= slack && distance < best_distance)
        {
          best_distance = distance;
          *position = pos;
          found = TRUE;
        }
    }
  return found;
}

/**
 * loom_timeline_model_get_stats:
 * @self: a #LoomTimelineModel
 * @from: start of the range, µs relative to each job's zero
 * @to: end of the range
 * @job: a job slot, or -1 for every job
 * @now: µs since the epoch, where running bars end
 * @stats: (out caller-allocates): what happened in the range
 * @lane_utilisation: (nullable) (element-type double): filled with each
 *   counted lane's utilisation, in lane order
 *
 * Statistics of a time range: tasks started and finished, busy and idle
 * time, utilisation per lane and overall, throughput.
 */
void
loom_timeline_model_get_stats (LoomTimelineModel *self,
                               gint64             from,
                               gint64             to,
                               gint               job,
                               gint64             now,
                               LoomTimelineStats *stats,
                               GArray            *lane_utilisation)
{
  g_return_if_fail (LOOM_IS_TIMELINE_MODEL (self));
  g_return_if_fail (stats != NULL);

  memset (stats, 0, sizeof *stats);
  if (to < from)
    {
      gint64 t = to;
      to = from;
      from = t;
    }
  stats->from = from;
  stats->to = to;
  if (lane_utilisation)
    g_array_set_size (lane_utilisation, 0);

  for (guint i = 0; i < self->lanes->len; i++)
    {
      const Lane *lane = g_ptr_array_index (self->lanes, i);
      const LoomTimelineJob *j = g_ptr_array_index (self->jobs, lane->job);
      gint64 now_rel = now - j->zero, busy = 0;
      double u;

      if (job >= 0 && lane->job != (guint) job)
        continue;

      /* From the first bar ending at or after @from: one that ends right
       * at @from finished in this range, [from, to), not the one before. */
      for (guint pos = loom_timeline_model_first_ending_after (lane, from - 1); pos < lane->n_bars && lane->bars[pos].start < to; pos++)
        {
          const LoomTimelineBar *bar = &lane->bars[pos];
          gint64 end = bar_end (bar, now_rel);

          if (bar->start >= from)
            stats->started++;
          if (bar->end != LOOM_TIMELINE_RUNNING && end >= from && end < to)
            stats->finished++;
          busy += MAX (0, MIN (end, to) - MAX (bar->start, from));
        }
      stats->busy += busy;
      stats->n_lanes++;
      u = to > from ? (double) busy / (double) (to - from) : 0;
      if (lane_utilisation)
        g_array_append_val (lane_utilisation, u);
    }

  stats->idle = (gint64) stats->n_lanes * (to - from) - stats->busy;
  if (to > from && stats->n_lanes > 0)
    stats->utilisation = (double) stats->busy / ((double) stats->n_lanes * (double) (to - from));
  if (to > from)
    stats->throughput = stats->finished / ((to - from) / 1e6);
}

/**
 * loom_timeline_model_get_summary:
 * @self: a #LoomTimelineModel
 * @job: a job slot
 * @summary: (out caller-allocates): the job as a whole
 *
 * Wall time from the first submission to the last end, Σ task time,
 * speedup (Σ task time / wall) and efficiency (speedup / engines used).
 */
void
loom_timeline_model_get_summary (LoomTimelineModel   *self,
                                 guint                job,
                                 LoomTimelineSummary *summary)
{
  const LoomTimelineJob *j;

  g_return_if_fail (LOOM_IS_TIMELINE_MODEL (self));
  g_return_if_fail (job < self->jobs->len);
  g_return_if_fail (summary != NULL);

  memset (summary, 0, sizeof *summary);
  j = g_ptr_array_index (self->jobs, job);
  summary->wall = j->last_end / 1e6;
  summary->task_time = j->busy / 1e6;
  for (guint i = 0; i < self->lanes->len; i++)
    {
      const Lane *lane = g_ptr_array_index (self->lanes, i);

      if (lane->job == job && lane->sub == 0 && lane->n_bars > 0)
        summary->engines++;
    }
  if (summary->wall > 0)
    summary->speedup = summary->task_time / summary->wall;
  if (summary->engines > 0)
    summary->efficiency = summary->speedup / summary->engines;
}

/**
 * loom_timeline_model_get_memory_size:
 * @self: a #LoomTimelineModel
 *
 * Returns: the bytes the model holds for its lanes and bars (arrays as
 *   allocated, not as filled)
 */
gsize
loom_timeline_model_get_memory_size (LoomTimelineModel *self)
{
  gsize size = sizeof *self;

  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), 0);

  for (guint i = 0; i < self->lanes->len; i++)
    {
      const Lane *lane = g_ptr_array_index (self->lanes, i);

      size += sizeof *lane + lane->cap_bars * sizeof (LoomTimelineBar) + lane->cap_marked * sizeof (guint);
      if (lane->lod_busy)
        size += LOOM_TIMELINE_LOD_BINS * (sizeof (float) + 1);
    }
  for (guint i = 0; i < self->jobs->len; i++)
    size += sizeof (LoomTimelineJob) + ((LoomTimelineJob *) g_ptr_array_index (self->jobs, i))->n_finished_bytes;
  size += g_hash_table_size (self->running) * 3 * sizeof (gpointer);
  return size;
}
