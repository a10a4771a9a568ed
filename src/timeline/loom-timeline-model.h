/* loom-timeline-model.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "loom.h"

G_BEGIN_DECLS

#define LOOM_TYPE_TIMELINE_MODEL (loom_timeline_model_get_type ())

G_DECLARE_FINAL_TYPE (LoomTimelineModel, loom_timeline_model, LOOM, TIMELINE_MODEL, GObject)

/* A bar that is still running ends at "now". */
#define LOOM_TIMELINE_RUNNING G_MAXINT64

/**
 * LoomTimelineBarFlags:
 * @LOOM_TIMELINE_BAR_RETRIED: this attempt was lost with its engine and the
 *   task was sent again
 */
typedef enum
{
  LOOM_TIMELINE_BAR_RETRIED = 1 << 0,
} LoomTimelineBarFlags;

/**
 * LoomTimelineBar:
 * @start: µs since the job's zero (its first submission)
 * @end: µs since the job's zero, or %LOOM_TIMELINE_RUNNING
 * @index: the task's index in its job
 * @status: a #LoomTaskStatus
 * @flags: #LoomTimelineBarFlags
 *
 * One attempt of one task on one engine: 24 bytes.
 */
typedef struct
{
  gint64  start;
  gint64  end;
  guint32 index;
  guint8  status;
  guint8  flags;
  guint16 reserved;
} LoomTimelineBar;

/**
 * LoomTimelineLane:
 * @job: the job's slot in the model
 * @engine_id: the engine
 * @sub: 0, or the sub-lane for tasks that overlap on one engine
 * @bars: (array length=n_bars): sorted by start; in one lane bars never
 *   overlap, so their ends are sorted too
 * @n_bars: bars in the lane
 * @marked: (array length=n_marked): positions in @bars of failed, lost,
 *   aborted and retried bars, sorted
 * @n_marked: marked bars
 * @n_running: bars still running
 * @lod_busy: (array length=lod_n_bins): level of detail for zoomed-out
 *   views: busy µs of finished bars per bin of @lod_bin_us
 * @lod_mark: (array length=lod_n_bins): per bin, the worst mark in it
 *   (0 none, 1 failed, 2 lost or retried, 3 aborted)
 * @lod_n_bins: bins in use
 * @lod_bin_us: µs per bin, a power of two that doubles as the lane grows
 *
 * One row of the timeline.
 */
#define LOOM_TIMELINE_LOD_BINS 4096
#define LOOM_TIMELINE_LOD_MIN_BARS 1024

typedef struct
{
  guint            job;
  gint             engine_id;
  guint            sub;
  LoomTimelineBar *bars;
  guint            n_bars;
  guint           *marked;
  guint            n_marked;
  guint            n_running;
  float           *lod_busy;
  guint8          *lod_mark;
  guint            lod_n_bins;
  gint64           lod_bin_us;
  /*< private >*/
  guint            cap_bars;
  guint            cap_marked;
  gpointer         next_sub;
} LoomTimelineLane;

/**
 * LoomTimelineJob:
 * @job_id: the controller's job id, or -1
 * @name: (nullable): the job's name
 * @mode: parallel or serial
 * @zero: µs since the epoch of the job's first submission; bars count from it
 * @color: a palette index, stable for a job name
 * @n_bars: bars of this job (attempts: a retried task has more than one)
 * @n_running: bars of this job still running
 * @n_retried: attempts lost with their engine and run again
 * @first_start: earliest start (relative), or G_MAXINT64
 * @last_end: latest end of a finished bar (relative), or 0
 * @busy: Σ of finished bars' durations, µs
 */
typedef struct
{
  gint        job_id;
  char       *name;
  LoomJobMode mode;
  gint64      zero;
  guint       color;
  guint64     n_bars;
  guint       n_running;
  guint       n_retried;
  gint64      first_start;
  gint64      last_end;
  gint64      busy;
  /*< private >*/
  guint8     *finished;     /* a bit per task index */
  guint       n_finished_bytes;
} LoomTimelineJob;

/**
 * LoomTimelineStats:
 * @from: start of the range (µs, relative to the jobs' zero)
 * @to: end of the range
 * @started: bars that started in the range
 * @finished: bars that ended in the range
 * @busy: Σ over lanes of the time bars cover inside the range, µs
 * @idle: Σ over lanes of the time nothing runs inside the range, µs
 * @utilisation: @busy / (lanes × range), 0…1
 * @throughput: @finished per second
 * @n_lanes: lanes counted
 *
 * What happened in a time range, over the lanes asked for.
 */
typedef struct
{
  gint64  from;
  gint64  to;
  guint64 started;
  guint64 finished;
  gint64  busy;
  gint64  idle;
  double  utilisation;
  double  throughput;
  guint   n_lanes;
} LoomTimelineStats;

/**
 * LoomTimelineSummary:
 * @wall: first submission to last end, s
 * @task_time: Σ task time, s
 * @speedup: @task_time / @wall
 * @engines: engines the job ran on
 * @efficiency: @speedup / @engines
 *
 * One job as a whole.
 */
typedef struct
{
  double wall;
  double task_time;
  double speedup;
  guint  engines;
  double efficiency;
} LoomTimelineSummary;

LoomTimelineModel      *loom_timeline_model_new              (void);
guint                   loom_timeline_model_add_job          (LoomTimelineModel *self,
                                                              gint               job_id,
                                                              const char        *name,
                                                              LoomJobMode        mode,
                                                              gint64             zero);
void                    loom_timeline_model_set_job_id       (LoomTimelineModel *self,
                                                              guint              job,
                                                              gint               job_id);
void                    loom_timeline_model_set_job_zero     (LoomTimelineModel *self,
                                                              guint              job,
                                                              gint64             zero);
gboolean                loom_timeline_model_add_report       (LoomTimelineModel *self,
                                                              JsonNode          *report,
                                                              GError           **error);
void                    loom_timeline_model_task_started     (LoomTimelineModel *self,
                                                              guint              job,
                                                              guint              index,
                                                              gint               engine_id,
                                                              gint64             started);
void                    loom_timeline_model_task_finished    (LoomTimelineModel *self,
                                                              guint              job,
                                                              guint              index,
                                                              gint               engine_id,
                                                              LoomTaskStatus     status,
                                                              gint64             started,
                                                              gint64             completed);
void                    loom_timeline_model_clear            (LoomTimelineModel *self);
guint                   loom_timeline_model_get_n_jobs       (LoomTimelineModel *self);
const LoomTimelineJob  *loom_timeline_model_get_job          (LoomTimelineModel *self,
                                                              guint              job);
guint                   loom_timeline_model_get_n_lanes      (LoomTimelineModel *self);
const LoomTimelineLane *loom_timeline_model_get_lane         (LoomTimelineModel *self,
                                                              guint              lane);
guint64                 loom_timeline_model_get_n_bars       (LoomTimelineModel *self);
guint                   loom_timeline_model_get_n_running    (LoomTimelineModel *self);
guint64                 loom_timeline_model_get_generation   (LoomTimelineModel *self);
gint64                  loom_timeline_model_get_extent       (LoomTimelineModel *self,
                                                              gint64             now);
void                    loom_timeline_model_set_engine_host  (LoomTimelineModel *self,
                                                              gint               engine_id,
                                                              const char        *host);
const char             *loom_timeline_model_get_engine_host  (LoomTimelineModel *self,
                                                              gint               engine_id);
guint                   loom_timeline_model_get_n_lane_hosts (LoomTimelineModel *self);
guint                   loom_timeline_model_lower_bound      (const LoomTimelineLane *lane,
                                                              gint64             t);
guint                   loom_timeline_model_first_ending_after (const LoomTimelineLane *lane,
                                                              gint64             t);
guint8                  loom_timeline_bar_mark_kind          (const LoomTimelineBar *bar);
gboolean                loom_timeline_model_find_bar         (LoomTimelineModel *self,
                                                              guint              lane,
                                                              gint64             t,
                                                              gint64             slack,
                                                              gint64             now,
                                                              guint             *position);
void                    loom_timeline_model_get_stats        (LoomTimelineModel *self,
                                                              gint64             from,
                                                              gint64             to,
                                                              gint               job,
                                                              gint64             now,
                                                              LoomTimelineStats *stats,
                                                              GArray            *lane_utilisation);
void                    loom_timeline_model_get_summary      (LoomTimelineModel *self,
                                                              guint              job,
                                                              LoomTimelineSummary *summary);
gsize                   loom_timeline_model_get_memory_size  (LoomTimelineModel *self);

G_END_DECLS
