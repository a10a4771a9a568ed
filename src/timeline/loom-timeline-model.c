/* loom-timeline-model.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the timeline draws, kept compact and ready to cull: jobs, and for
 * each job one lane per engine (more, "sub-lanes", where an engine runs
 * several tasks at once), and in each lane its bars in a plain array
 * sorted by start.  Bars in a lane never overlap, so their ends are sorted
 * too: a range of time maps to a range of positions by binary search, on
 * starts or on ends.  Failed, lost and retried bars are also listed per
 * lane, so they can be marked at any zoom however many bars are merged
 * around them.
 *
 * The model is updated one event at a time (a task started, a task
 * finished) as the controller reports them, or filled from a job report
 * (loom-timeline-model-report.c).  Nothing is ever dropped or summarised
 * here; loom-timeline-model-query.c answers questions about what it holds.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include "loom.h"
#include "loom-timeline-model-private.h"

G_DEFINE_FINAL_TYPE (LoomTimelineModel, loom_timeline_model, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A palette index for a job's name and mode: the same job, the same colour. */
#define N_JOB_COLORS 8

static gpointer
group_key (guint job,
           gint  engine_id)
{
  return GSIZE_TO_POINTER (((guint64) job << 32) | (guint32) engine_id);
}

static gpointer
task_key (guint job,
          guint index)
{
  return GSIZE_TO_POINTER ((((guint64) job << 32) | index) + 1);
}

static gboolean
is_marked (const LoomTimelineBar *bar)
{
  return (bar->flags & LOOM_TIMELINE_BAR_RETRIED) ||
         (bar->end != LOOM_TIMELINE_RUNNING && bar->status != LOOM_TASK_DONE);
}

static void
lane_free (gpointer data)
{
  Lane *lane = data;

  g_free (lane->bars);
  g_free (lane->marked);
  g_free (lane->lod_busy);
  g_free (lane->lod_mark);
  g_free (lane);
}

static void
job_free (gpointer data)
{
  LoomTimelineJob *job = data;

  g_free (job->name);
  g_free (job->finished);
  g_free (job);
}

static void
loom_timeline_model_finalize (GObject *object)
{
  LoomTimelineModel *self = (LoomTimelineModel *) object;

  g_clear_pointer (&self->running, g_hash_table_unref);
  g_clear_pointer (&self->groups, g_hash_table_unref);
  g_clear_pointer (&self->hosts, g_hash_table_unref);
  g_clear_pointer (&self->lanes, g_ptr_array_unref);
  g_clear_pointer (&self->jobs, g_ptr_array_unref);

  G_OBJECT_CLASS (loom_timeline_model_parent_class)->finalize (object);
}

static void
loom_timeline_model_class_init (LoomTimelineModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = loom_timeline_model_finalize;

  /**
   * LoomTimelineModel::changed:
   * @self: a #LoomTimelineModel
   *
   * Bars were added or finished, or jobs or lanes appeared.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
loom_timeline_model_init (LoomTimelineModel *self)
{
  self->jobs = g_ptr_array_new_with_free_func (job_free);
  self->lanes = g_ptr_array_new_with_free_func (lane_free);
  self->groups = g_hash_table_new (NULL, NULL);
  self->running = g_hash_table_new (NULL, NULL);
  self->hosts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

LoomTimelineModel *
loom_timeline_model_new (void)
{
  return g_object_new (LOOM_TYPE_TIMELINE_MODEL, NULL);
}

static void
changed (LoomTimelineModel *self)
{
  self->generation++;
  g_signal_emit (self, signals[CHANGED], 0);
}

/**
 * loom_timeline_model_add_job:
 * @self: a #LoomTimelineModel
 * @job_id: the controller's job id, or -1
 * @name: (nullable): the job's name
 * @mode: parallel or serial
 * @zero: the job's first submission, µs since the epoch, or 0 to take the
 *   first bar's start
 *
 * Returns: the job's slot, for the other calls
 */
guint
loom_timeline_model_add_job (LoomTimelineModel *self,
                             gint               job_id,
                             const char        *name,
                             LoomJobMode        mode,
                             gint64             zero)
{
  LoomTimelineJob *job;

  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), 0);

  job = g_new0 (LoomTimelineJob, 1);
  job->job_id = job_id;
  job->name = g_strdup (name);
  job->mode = mode;
  job->zero = zero;
  job->color = ((name ? g_str_hash (name) : 0) + (mode == LOOM_JOB_SERIAL ? 5 : 0)) % N_JOB_COLORS;
  job->first_start = G_MAXINT64;
  g_ptr_array_add (self->jobs, job);
  changed (self);
  return self->jobs->len - 1;
}

/**
 * loom_timeline_model_set_job_zero:
 * @self: a #LoomTimelineModel
 * @job: a job slot
 * @zero: µs since the epoch of the job's first submission
 *
 * Sets the job's zero once it is known; ignored once the job has bars.
 */
void
loom_timeline_model_set_job_zero (LoomTimelineModel *self,
                                  guint              job,
                                  gint64             zero)
{
  LoomTimelineJob *j;

  g_return_if_fail (LOOM_IS_TIMELINE_MODEL (self));
  g_return_if_fail (job < self->jobs->len);

  j = g_ptr_array_index (self->jobs, job);
  if (j->n_bars == 0)
    j->zero = zero;
}

/**
 * loom_timeline_model_set_job_id:
 * @self: a #LoomTimelineModel
 * @job: a job slot
 * @job_id: the controller's id of the job, once known
 */
void
loom_timeline_model_set_job_id (LoomTimelineModel *self,
                                guint              job,
                                gint               job_id)
{
  LoomTimelineJob *j;

  g_return_if_fail (LOOM_IS_TIMELINE_MODEL (self));
  g_return_if_fail (job < self->jobs->len);

  j = g_ptr_array_index (self->jobs, job);
  if (j->job_id == job_id)
    return;
  j->job_id = job_id;
  changed (self);
}

static gint
compare_lanes (gconstpointer a,
               gconstpointer b)
{
  const Lane *la = *(const Lane **) a;
  const Lane *lb = *(const Lane **) b;

  if (la->job != lb->job)
    return la->job < lb->job ? -1 : 1;
  if (la->engine_id != lb->engine_id)
    return la->engine_id < lb->engine_id ? -1 : 1;
  return la->sub < lb->sub ? -1 : la->sub > lb->sub;
}

static Lane *
new_lane (LoomTimelineModel *self,
          guint              job,
          gint               engine_id,
          guint              sub)
{
  Lane *lane = g_new0 (Lane, 1);

  lane->job = job;
  lane->engine_id = engine_id;
  lane->sub = sub;
  g_ptr_array_add (self->lanes, lane);
  g_ptr_array_sort (self->lanes, compare_lanes);
  return lane;
}

/**
 * loom_timeline_model_lower_bound:
 * @lane: a lane
 * @t: a time
 *
 * Returns: the position of the first bar that starts at or after @t
 */
guint
loom_timeline_model_lower_bound (const LoomTimelineLane *lane,
                                 gint64                  t)
{
  guint lo = 0, hi = lane->n_bars;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (lane->bars[mid].start < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/**
 * loom_timeline_model_first_ending_after:
 * @lane: a lane
 * @t: a time
 *
 * Returns: the position of the first bar that ends after @t (running bars
 *   end last); the bars of a lane never overlap, so ends are sorted too
 */
guint
loom_timeline_model_first_ending_after (const LoomTimelineLane *lane,
                                        gint64                  t)
{
  guint lo = 0, hi = lane->n_bars;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (lane->bars[mid].end <= t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/**
 * loom_timeline_bar_mark_kind:
 * @bar: a bar
 *
 * Returns: 0 for a bar drawn plain, 1 failed, 2 lost or retried, 3 aborted,
 *   4 stopped by its timeout
 */
guint8
loom_timeline_bar_mark_kind (const LoomTimelineBar *bar)
{
  if (bar->flags & LOOM_TIMELINE_BAR_RETRIED || bar->status == LOOM_TASK_LOST)
    return 2;
  if (bar->end == LOOM_TIMELINE_RUNNING || bar->status == LOOM_TASK_DONE)
    return 0;
  if (bar->status == LOOM_TASK_TIMEOUT)
    return 4;
  return bar->status == LOOM_TASK_ABORTED ? 3 : 1;
}

/* The level of detail: busy time per bin, so a zoomed-out view costs the
 * same at any count.  Bins start at 256 µs and double (merging pairs)
 * whenever the lane outgrows LOOM_TIMELINE_LOD_BINS of them. */
static void
lod_add_bar (Lane                  *lane,
             const LoomTimelineBar *bar)
{
  gint64 start = MAX (0, bar->start);
  gint64 end = MAX (start, bar->end);
  guint8 kind = loom_timeline_bar_mark_kind (bar);
  gint64 first, last;

  while (end / lane->lod_bin_us >= LOOM_TIMELINE_LOD_BINS)
    {
      for (guint i = 0; i < LOOM_TIMELINE_LOD_BINS / 2; i++)
        {
          lane->lod_busy[i] = lane->lod_busy[2 * i] + lane->lod_busy[2 * i + 1];
          lane->lod_mark[i] = MAX (lane->lod_mark[2 * i], lane->lod_mark[2 * i + 1]);
        }
      memset (lane->lod_busy + LOOM_TIMELINE_LOD_BINS / 2, 0, LOOM_TIMELINE_LOD_BINS / 2 * sizeof (float));
      memset (lane->lod_mark + LOOM_TIMELINE_LOD_BINS / 2, 0, LOOM_TIMELINE_LOD_BINS / 2);
      lane->lod_bin_us *= 2;
      lane->lod_n_bins = (lane->lod_n_bins + 1) / 2;
    }

  first = start / lane->lod_bin_us;
  last = end / lane->lod_bin_us;
  for (gint64 b = first; b <= last; b++)
    {
      gint64 lo = MAX (start, b * lane->lod_bin_us);
      gint64 hi = MIN (end, (b + 1) * lane->lod_bin_us);

      lane->lod_busy[b] += (float) MAX (0, hi - lo);
      lane->lod_mark[b] = MAX (lane->lod_mark[b], kind);
    }
  lane->lod_n_bins = MAX (lane->lod_n_bins, (guint) last + 1);
}

/* A finished bar, already in @lane, enters the level of detail.  Lanes of
 * up to a thousand bars draw fast enough bar by bar and keep no table (it
 * costs 20 KiB, 20 bytes a bar at the threshold); past that the table is
 * built from every bar so far. */
static void
lod_add (Lane                  *lane,
         const LoomTimelineBar *bar)
{
  if (lane->lod_busy != NULL)
    {
      lod_add_bar (lane, bar);
      return;
    }
  if (lane->n_bars < LOOM_TIMELINE_LOD_MIN_BARS)
    return;

  lane->lod_busy = g_new0 (float, LOOM_TIMELINE_LOD_BINS);
  lane->lod_mark = g_new0 (guint8, LOOM_TIMELINE_LOD_BINS);
  lane->lod_bin_us = 256;
  for (guint i = 0; i < lane->n_bars; i++)
    if (lane->bars[i].end != LOOM_TIMELINE_RUNNING)
      lod_add_bar (lane, &lane->bars[i]);
}

static gboolean
fits (const Lane *lane,
      guint       pos,
      gint64      start,
      gint64      end)
{
  return (pos == 0 || lane->bars[pos - 1].end <= start) &&
         (pos == lane->n_bars || end <= lane->bars[pos].start);
}

static void
mark (Lane  *lane,
      guint  pos)
{
  guint at = lane->n_marked;

  while (at > 0 && lane->marked[at - 1] > pos)
    at--;
  if (at > 0 && lane->marked[at - 1] == pos)
    return;
  if (lane->n_marked == lane->cap_marked)
    {
      lane->cap_marked = MAX (8, lane->cap_marked * 2);
      lane->marked = g_renew (guint, lane->marked, lane->cap_marked);
    }
  memmove (&lane->marked[at + 1], &lane->marked[at], (lane->n_marked - at) * sizeof (guint));
  lane->marked[at] = pos;
  lane->n_marked++;
}

/* Puts @bar into the first sub-lane of @engine_id where it overlaps
 * nothing, making a new sub-lane if none has room. */
static Lane *
insert_bar (LoomTimelineModel     *self,
            guint                  job,
            gint                   engine_id,
            const LoomTimelineBar *bar)
{
  Lane *lane = g_hash_table_lookup (self->groups, group_key (job, engine_id));
  Lane *last = NULL;
  guint pos = 0;

  for (; lane != NULL; last = lane, lane = lane->next_sub)
    {
      /* Events come in start order almost always: try the end first. */
      pos = lane->n_bars > 0 && lane->bars[lane->n_bars - 1].start <= bar->start
          ? lane->n_bars : loom_timeline_model_lower_bound (lane, bar->start);
      if (fits (lane, pos, bar->start, bar->end))
        break;
    }

  if (lane == NULL)
    {
      lane = new_lane (self, job, engine_id, last ? last->sub + 1 : 0);
      if (last)
        last->next_sub = lane;
      else
        g_hash_table_insert (self->groups, group_key (job, engine_id), lane);
      pos = 0;
    }

  if (lane->n_bars == lane->cap_bars)
    {
      lane->cap_bars = MAX (16, lane->cap_bars + lane->cap_bars / 2);
      lane->bars = g_renew (LoomTimelineBar, lane->bars, lane->cap_bars);
    }
  if (pos < lane->n_bars)
    {
      memmove (&lane->bars[pos + 1], &lane->bars[pos], (lane->n_bars - pos) * sizeof *bar);
      for (guint i = 0; i < lane->n_marked; i++)
        if (lane->marked[i] >= pos)
          lane->marked[i]++;
    }
  lane->bars[pos] = *bar;
  lane->n_bars++;
  if (is_marked (bar))
    mark (lane, pos);
  if (bar->end != LOOM_TIMELINE_RUNNING)
    lod_add (lane, bar);
  if (bar->end == LOOM_TIMELINE_RUNNING)
    lane->n_running++;
  self->n_bars++;
  return lane;
}

static LoomTimelineJob *
job_at (LoomTimelineModel *self,
        guint              job,
        gint64             t)
{
  LoomTimelineJob *j = g_ptr_array_index (self->jobs, job);

  if (j->zero == 0)
    j->zero = t;
  return j;
}

/* Where the running bar of a task is, if it has one. */
static LoomTimelineBar *
find_running (LoomTimelineModel  *self,
              guint               job,
              guint               index,
              Lane              **lane_out,
              guint              *pos_out)
{
  Lane *lane = g_hash_table_lookup (self->running, task_key (job, index));

  if (lane == NULL)
    return NULL;
  for (guint pos = lane->n_bars; pos > 0; pos--)
    {
      LoomTimelineBar *bar = &lane->bars[pos - 1];

      if (bar->index == index && bar->end == LOOM_TIMELINE_RUNNING)
        {
          *lane_out = lane;
          *pos_out = pos - 1;
          return bar;
        }
    }
  return NULL;
}

/* Each task finishes once: later reports of it (a replay of what was
 * already loaded, a duplicate event) change nothing. */
static gboolean
is_finished (const LoomTimelineJob *job,
             guint                  index)
{
  return index / 8 < job->n_finished_bytes && (job->finished[index / 8] & (1u << (index % 8)));
}

static void
set_finished (LoomTimelineJob *job,
              guint            index)
{
  if (index / 8 >= job->n_finished_bytes)
    {
      guint size = MAX (index / 8 + 1, job->n_finished_bytes * 2);

      job->finished = g_realloc (job->finished, size);
      memset (job->finished + job->n_finished_bytes, 0, size - job->n_finished_bytes);
      job->n_finished_bytes = size;
    }
  job->finished[index / 8] |= 1u << (index % 8);
}

static void
remove_lane (LoomTimelineModel *self,
             Lane              *lane)
{
  Lane *first = g_hash_table_lookup (self->groups, group_key (lane->job, lane->engine_id));

  g_assert (first != lane);
  while (first->next_sub != lane)
    first = first->next_sub;
  first->next_sub = lane->next_sub;
  g_ptr_array_remove (self->lanes, lane);
}

/* A start can reach us before the end of the task the engine ran before
 * it (they travel on different sockets), which put the new bar into a
 * sub-lane of its own.  Once the earlier bar ends, move such a bar back
 * up, and drop the sub-lane it leaves empty. */
static void
repack (LoomTimelineModel *self,
        Lane              *lane)
{
  Lane *next = lane->next_sub;

  while (next != NULL)
    {
      Lane *after = next->next_sub;

      if (lane->n_bars > 0 && next->n_bars == 1 && next->n_marked == 0 &&
          lane->bars[lane->n_bars - 1].end <= next->bars[0].start)
        {
          LoomTimelineBar bar = next->bars[0];

          if (lane->n_bars == lane->cap_bars)
            {
              lane->cap_bars = MAX (16, lane->cap_bars + lane->cap_bars / 2);
              lane->bars = g_renew (LoomTimelineBar, lane->bars, lane->cap_bars);
            }
          lane->bars[lane->n_bars++] = bar;
          if (bar.end != LOOM_TIMELINE_RUNNING)
            lod_add (lane, &bar);
          if (bar.end == LOOM_TIMELINE_RUNNING)
            {
              lane->n_running++;
              g_hash_table_insert (self->running, task_key (lane->job, bar.index), lane);
            }
          remove_lane (self, next);
        }
      next = after;
    }
}

static void
end_bar (LoomTimelineModel *self,
         LoomTimelineJob   *job,
         Lane              *lane,
         guint              pos,
         gint64             end,
         LoomTaskStatus     status,
         guint8             flags)
{
  LoomTimelineBar *bar = &lane->bars[pos];

  bar->end = MAX (end, bar->start);
  /* Keep the lane's ends sorted even if the clocks disagree a little. */
  if (pos + 1 < lane->n_bars)
    bar->end = MIN (bar->end, lane->bars[pos + 1].start);
  bar->status = status;
  bar->flags |= flags;
  if (flags & LOOM_TIMELINE_BAR_RETRIED)
    job->n_retried++;
  lane->n_running--;
  job->n_running--;
  self->n_running--;
  job->busy += bar->end - bar->start;
  job->last_end = MAX (job->last_end, bar->end);
  if (is_marked (bar))
    mark (lane, pos);
  lod_add (lane, bar);
  g_hash_table_remove (self->running, task_key (lane->job, bar->index));
  if (pos + 1 == lane->n_bars)
    repack (self, lane);
}

/**
 * loom_timeline_model_task_started:
 * @self: a #LoomTimelineModel
 * @job: a job slot
 * @index: the task's index
 * @engine_id: the engine it runs on
 * @started: µs since the epoch
 *
 * A task started: a running bar.  If the task was running elsewhere, that
 * attempt is marked lost and retried.
 */
void
loom_timeline_model_task_started (LoomTimelineModel *self,
                                  guint              job,
                                  guint              index,
                                  gint               engine_id,
                                  gint64             started)
{
  LoomTimelineJob *j;
  LoomTimelineBar bar = { 0 }, *old;
  Lane *lane;
  guint pos;

  g_return_if_fail (LOOM_IS_TIMELINE_MODEL (self));
  g_return_if_fail (job < self->jobs->len);

  j = job_at (self, job, started);
  if (is_finished (j, index))
    return;
  if ((old = find_running (self, job, index, &lane, &pos)))
    {
      if (lane->engine_id == engine_id)
        return;
      end_bar (self, j, lane, pos, started - j->zero, LOOM_TASK_LOST, LOOM_TIMELINE_BAR_RETRIED);
    }

  bar.start = started - j->zero;
  bar.end = LOOM_TIMELINE_RUNNING;
  bar.index = index;
  bar.status = LOOM_TASK_RUNNING;
  lane = insert_bar (self, job, engine_id, &bar);
  g_hash_table_insert (self->running, task_key (job, index), lane);
  j->n_bars++;
  j->n_running++;
  j->first_start = MIN (j->first_start, bar.start);
  self->n_running++;
  changed (self);
}

/**
 * loom_timeline_model_task_finished:
 * @self: a #LoomTimelineModel
 * @job: a job slot
 * @index: the task's index
 * @engine_id: the engine it ran on
 * @status: its final status
 * @started: µs since the epoch
 * @completed: µs since the epoch
 *
 * A task reached a final status: its running bar ends, or a finished bar
 * is added if its start was not seen.
 */
void
loom_timeline_model_task_finished (LoomTimelineModel *self,
                                   guint              job,
                                   guint              index,
                                   gint               engine_id,
                                   LoomTaskStatus     status,
                                   gint64             started,
                                   gint64             completed)
{
  LoomTimelineJob *j;
  LoomTimelineBar bar = { 0 }, *old;
  Lane *lane;
  guint pos;

  g_return_if_fail (LOOM_IS_TIMELINE_MODEL (self));
  g_return_if_fail (job < self->jobs->len);

  if (started <= 0 || engine_id < 0)
    {
      /* Not running now (its engine died and it was queued again, then
       * aborted or lost): an attempt still drawn as running ends here. */
      j = g_ptr_array_index (self->jobs, job);
      if (!is_finished (j, index) && (old = find_running (self, job, index, &lane, &pos)))
        {
          set_finished (j, index);
          end_bar (self, j, lane, pos, MAX (completed - j->zero, old->start), status, LOOM_TIMELINE_BAR_RETRIED);
          changed (self);
        }
      return;
    }

  j = job_at (self, job, started);
  if (is_finished (j, index))
    return;
  set_finished (j, index);
  if ((old = find_running (self, job, index, &lane, &pos)))
    {
      if (lane->engine_id == engine_id)
        {
          end_bar (self, j, lane, pos, completed - j->zero, status, 0);
          changed (self);
          return;
        }
      end_bar (self, j, lane, pos, started - j->zero, LOOM_TASK_LOST, LOOM_TIMELINE_BAR_RETRIED);
    }

  bar.start = started - j->zero;
  bar.end = MAX (completed, started) - j->zero;
  bar.index = index;
  bar.status = status;
  insert_bar (self, job, engine_id, &bar);
  j->n_bars++;
  j->busy += bar.end - bar.start;
  j->first_start = MIN (j->first_start, bar.start);
  j->last_end = MAX (j->last_end, bar.end);
  changed (self);
}

/**
 * loom_timeline_model_clear:
 * @self: a #LoomTimelineModel
 *
 * Removes every job, lane and bar.
 */
void
loom_timeline_model_clear (LoomTimelineModel *self)
{
  g_return_if_fail (LOOM_IS_TIMELINE_MODEL (self));

  g_hash_table_remove_all (self->running);
  g_hash_table_remove_all (self->groups);
  g_ptr_array_set_size (self->lanes, 0);
  g_ptr_array_set_size (self->jobs, 0);
  self->n_bars = 0;
  self->n_running = 0;
  changed (self);
}

void
loom_timeline_model_set_engine_host (LoomTimelineModel *self,
                                     gint               engine_id,
                                     const char        *host)
{
  g_return_if_fail (LOOM_IS_TIMELINE_MODEL (self));

  if (g_strcmp0 (host, g_hash_table_lookup (self->hosts, GINT_TO_POINTER (engine_id))) == 0)
    return;
  g_hash_table_insert (self->hosts, GINT_TO_POINTER (engine_id), g_strdup (host));
  changed (self);
}
