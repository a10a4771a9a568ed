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
 * finished) as the controller reports them, or filled from a job report.
 * Nothing is ever dropped or summarised here.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom.h"
#include "loom-timeline-model.h"

typedef LoomTimelineLane Lane;

struct _LoomTimelineModel
{
  GObject     parent_instance;

  GPtrArray  *jobs;       /* LoomTimelineJob */
  GPtrArray  *lanes;      /* Lane, sorted by job, engine, sub */
  GHashTable *groups;     /* job << 32 | engine → first Lane */
  GHashTable *running;    /* job << 32 | index + 1 → Lane */
  GHashTable *hosts;      /* engine id → host */
  guint64     n_bars;
  guint       n_running;
  guint64     generation;
};

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
 * Returns: 0 for a bar drawn plain, 1 failed, 2 lost or retried, 3 aborted
 */
guint8
loom_timeline_bar_mark_kind (const LoomTimelineBar *bar)
{
  if (bar->flags & LOOM_TIMELINE_BAR_RETRIED || bar->status == LOOM_TASK_LOST)
    return 2;
  if (bar->end == LOOM_TIMELINE_RUNNING || bar->status == LOOM_TASK_DONE)
    return 0;
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

typedef struct
{
  gint64         started;
  gint64         completed;
  guint          index;
  gint           engine_id;
  LoomTaskStatus status;
} ReportRow;

static gint
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const ReportRow *ra = a, *rb = b;

  return ra->started < rb->started ? -1 : ra->started > rb->started;
}

static LoomTaskStatus
status_from_string (const char *text)
{
  for (LoomTaskStatus s = LOOM_TASK_QUEUED; s <= LOOM_TASK_LOST; s++)
    if (g_strcmp0 (text, loom_task_status_to_string (s)) == 0)
      return s;
  return LOOM_TASK_FAILED;
}

/**
 * loom_timeline_model_add_report:
 * @self: a #LoomTimelineModel
 * @report: a job report, as loom_client_get_job_report() gives it
 * @error: return location for a #GError
 *
 * Adds the job and every task of it that ran.
 *
 * Returns: %TRUE, or %FALSE if @report is not a job report
 */
gboolean
loom_timeline_model_add_report (LoomTimelineModel  *self,
                                JsonNode           *report,
                                GError            **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (ReportRow));
  JsonObject *root, *job;
  JsonArray *tasks;
  gint64 zero = G_MAXINT64;
  guint slot;

  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), FALSE);

  if (report == NULL || !JSON_NODE_HOLDS_OBJECT (report) ||
      !(root = json_node_get_object (report)) ||
      !json_object_has_member (root, "job") || !json_object_has_member (root, "tasks") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "job")) ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "tasks")))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_PROTOCOL,
                   _("Not a job report: expected {\"job\": {…}, \"tasks\": […]}"));
      return FALSE;
    }
  job = json_object_get_object_member (root, "job");
  tasks = json_object_get_array_member (root, "tasks");

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonNode *node = json_array_get_element (tasks, i);
      JsonObject *task;
      ReportRow row;
      gint64 index;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      task = json_node_get_object (node);
      if (json_object_get_int_member_with_default (task, "submitted", 0) > 0)
        zero = MIN (zero, json_object_get_int_member_with_default (task, "submitted", 0));
      row.started = json_object_get_int_member_with_default (task, "started", 0);
      row.completed = json_object_get_int_member_with_default (task, "completed", 0);
      /* A task lost with its engine has no end but when that was noticed. */
      if (row.completed <= 0)
        row.completed = json_object_get_int_member_with_default (task, "received", 0);
      index = json_object_get_int_member_with_default (task, "index", i);
      if (index < 0 || index >= json_array_get_length (tasks))
        continue;   /* not a task of this report */
      row.index = index;
      row.engine_id = json_object_get_int_member_with_default (task, "engine_id", -1);
      row.status = status_from_string (json_object_get_string_member_with_default (task, "status", NULL));
      if (row.started > 0 && row.engine_id >= 0)
        g_array_append_val (rows, row);
    }
  g_array_sort (rows, compare_rows);

  if (zero == G_MAXINT64)
    zero = json_object_get_int_member_with_default (job, "created", 0);
  slot = loom_timeline_model_add_job (self,
                                      json_object_get_int_member_with_default (job, "id", -1),
                                      json_object_get_string_member_with_default (job, "name", NULL),
                                      g_strcmp0 (json_object_get_string_member_with_default (job, "mode", NULL), "serial") == 0
                                        ? LOOM_JOB_SERIAL : LOOM_JOB_PARALLEL,
                                      zero);
  for (guint i = 0; i < rows->len; i++)
    {
      ReportRow *row = &g_array_index (rows, ReportRow, i);

      if (loom_task_status_is_final (row->status))
        loom_timeline_model_task_finished (self, slot, row->index, row->engine_id, row->status,
                                           row->started, row->completed);
      else
        loom_timeline_model_task_started (self, slot, row->index, row->engine_id, row->started);
    }
  return TRUE;
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
