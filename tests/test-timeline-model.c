/* test-timeline-model.c: the timeline's model on known data
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * LoomTimelineModel fed by hand, one event at a time or from a job
 * report, with the expected lanes, bars, statistics and summaries worked
 * out in the comments.  Times are µs; every job's zero is Z.
 */

#define G_LOG_DOMAIN "Loom-Test"

#include "config.h"

#include <string.h>

#include "loom.h"
#include "loom-timeline-model.h"

#define Z G_GINT64_CONSTANT (1000000000)   /* a job's first submission */
#define S G_USEC_PER_SEC

static const LoomTimelineLane *
lane (LoomTimelineModel *model,
      guint              l)
{
  g_assert_cmpuint (l, <, loom_timeline_model_get_n_lanes (model));
  return loom_timeline_model_get_lane (model, l);
}

static void
count_change (guint *changes)
{
  (*changes)++;
}

static void
assert_lane (LoomTimelineModel *model,
             guint              l,
             gint               engine_id,
             guint              sub,
             guint              n_bars,
             guint              n_running)
{
  const LoomTimelineLane *ln = lane (model, l);

  g_assert_cmpint (ln->engine_id, ==, engine_id);
  g_assert_cmpuint (ln->sub, ==, sub);
  g_assert_cmpuint (ln->n_bars, ==, n_bars);
  g_assert_cmpuint (ln->n_running, ==, n_running);
}

static void
assert_bar (const LoomTimelineBar *bar,
            guint                  index,
            gint64                 start,
            gint64                 end,
            LoomTaskStatus         status)
{
  g_assert_cmpuint (bar->index, ==, index);
  g_assert_cmpint (bar->start, ==, start);
  g_assert_cmpint (bar->end, ==, end);
  g_assert_cmpuint (bar->status, ==, status);
}

/* Running bars, finished bars, a lane per engine, a sub-lane when two
 * tasks overlap on one engine, and a start that arrives before the end
 * of the task before it, repacked once that end arrives. */
static void
test_incremental (void)
{
  g_autoptr(LoomTimelineModel) model = loom_timeline_model_new ();
  const LoomTimelineJob *job;
  guint j, changes = 0;
  guint64 generation;

  g_signal_connect_swapped (model, "changed", G_CALLBACK (count_change), &changes);
  j = loom_timeline_model_add_job (model, 7, "inc", LOOM_JOB_PARALLEL, Z);
  g_assert_cmpuint (j, ==, 0);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (loom_timeline_model_get_n_jobs (model), ==, 1);
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 0);
  generation = loom_timeline_model_get_generation (model);

  /* Task 0 starts on engine 1 at 0: one lane, one running bar. */
  loom_timeline_model_task_started (model, j, 0, 1, Z + 0);
  g_assert_cmpuint (loom_timeline_model_get_generation (model), >, generation);
  g_assert_cmpuint (changes, ==, 2);
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 1);
  g_assert_cmpuint (loom_timeline_model_get_n_running (model), ==, 1);
  assert_lane (model, 0, 1, 0, 1, 1);
  assert_bar (&lane (model, 0)->bars[0], 0, 0, LOOM_TIMELINE_RUNNING, LOOM_TASK_RUNNING);

  /* Task 1 starts on engine 2 at 100 µs: a second lane. */
  loom_timeline_model_task_started (model, j, 1, 2, Z + 100);
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 2);
  g_assert_cmpuint (loom_timeline_model_get_n_running (model), ==, 2);
  assert_lane (model, 1, 2, 0, 1, 1);

  /* Starting again on the same engine changes nothing. */
  loom_timeline_model_task_started (model, j, 1, 2, Z + 150);
  g_assert_cmpuint (loom_timeline_model_get_n_bars (model), ==, 2);

  /* Task 0 finishes at 1000: running → finished; 1000 µs busy. */
  loom_timeline_model_task_finished (model, j, 0, 1, LOOM_TASK_DONE, Z + 0, Z + 1000);
  g_assert_cmpuint (loom_timeline_model_get_n_running (model), ==, 1);
  assert_lane (model, 0, 1, 0, 1, 0);
  assert_bar (&lane (model, 0)->bars[0], 0, 0, 1000, LOOM_TASK_DONE);
  job = loom_timeline_model_get_job (model, j);
  g_assert_cmpint (job->busy, ==, 1000);
  g_assert_cmpint (job->last_end, ==, 1000);
  g_assert_cmpint (job->first_start, ==, 0);
  g_assert_cmpuint (job->n_running, ==, 1);
  g_assert_cmpint (loom_timeline_model_get_extent (model, Z + 500), ==, 1000);
  /* A running bar reaches now: the extent follows it. */
  g_assert_cmpint (loom_timeline_model_get_extent (model, Z + 7000), ==, 7000);

  /* Tasks 2 (at 2000) and 3 (at 2500) overlap on engine 1: task 3 goes
   * to sub-lane 1 of engine 1, drawn right below engine 1's first lane. */
  loom_timeline_model_task_started (model, j, 2, 1, Z + 2000);
  loom_timeline_model_task_started (model, j, 3, 1, Z + 2500);
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 3);
  g_assert_cmpuint (loom_timeline_model_get_n_running (model), ==, 3);
  assert_lane (model, 0, 1, 0, 2, 1);
  assert_lane (model, 1, 1, 1, 1, 1);
  assert_lane (model, 2, 2, 0, 1, 1);

  /* Task 3 ends at 3000, task 2 at 4000: task 3 overlapped task 2, so it
   * stays in its sub-lane. */
  loom_timeline_model_task_finished (model, j, 3, 1, LOOM_TASK_DONE, Z + 2500, Z + 3000);
  loom_timeline_model_task_finished (model, j, 2, 1, LOOM_TASK_DONE, Z + 2000, Z + 4000);
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 3);
  assert_lane (model, 0, 1, 0, 2, 0);
  assert_lane (model, 1, 1, 1, 1, 0);
  assert_bar (&lane (model, 1)->bars[0], 3, 2500, 3000, LOOM_TASK_DONE);

  /* Engine 2 starts task 4 at 5000, and we hear of it before task 1's
   * end (4900): task 1 still runs, so task 4 lands in a sub-lane of
   * engine 2 (lane 3). */
  loom_timeline_model_task_started (model, j, 4, 2, Z + 5000);
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 4);
  assert_lane (model, 2, 2, 0, 1, 1);
  assert_lane (model, 3, 2, 1, 1, 1);

  /* Task 1's end arrives: 4900 ≤ 5000, so task 4 moves up into engine
   * 2's first lane and the empty sub-lane goes. */
  loom_timeline_model_task_finished (model, j, 1, 2, LOOM_TASK_DONE, Z + 100, Z + 4900);
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 3);
  assert_lane (model, 2, 2, 0, 2, 1);
  assert_bar (&lane (model, 2)->bars[0], 1, 100, 4900, LOOM_TASK_DONE);
  assert_bar (&lane (model, 2)->bars[1], 4, 5000, LOOM_TIMELINE_RUNNING, LOOM_TASK_RUNNING);
  g_assert_cmpuint (loom_timeline_model_get_n_running (model), ==, 1);

  /* Task 4, moved, still finishes where it now is: failed, so marked. */
  loom_timeline_model_task_finished (model, j, 4, 2, LOOM_TASK_FAILED, Z + 5000, Z + 6000);
  g_assert_cmpuint (loom_timeline_model_get_n_running (model), ==, 0);
  assert_lane (model, 2, 2, 0, 2, 0);
  assert_bar (&lane (model, 2)->bars[1], 4, 5000, 6000, LOOM_TASK_FAILED);
  g_assert_cmpuint (lane (model, 2)->n_marked, ==, 1);
  g_assert_cmpuint (lane (model, 2)->marked[0], ==, 1);

  /* Σ busy: 1000 + 2000 + 500 + 4800 + 1000 = 9300; 5 bars; last end 6000. */
  job = loom_timeline_model_get_job (model, j);
  g_assert_cmpint (job->busy, ==, 9300);
  g_assert_cmpuint (job->n_bars, ==, 5);
  g_assert_cmpuint (loom_timeline_model_get_n_bars (model), ==, 5);
  g_assert_cmpuint (job->n_running, ==, 0);
  g_assert_cmpint (job->last_end, ==, 6000);

  /* A task whose start we never saw: a finished bar of its own. */
  loom_timeline_model_task_finished (model, j, 5, 3, LOOM_TASK_DONE, Z + 7000, Z + 8000);
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 4);
  assert_lane (model, 3, 3, 0, 1, 0);
  /* One that never ran (no engine, no start): nothing to draw. */
  loom_timeline_model_task_finished (model, j, 6, -1, LOOM_TASK_ABORTED, 0, 0);
  g_assert_cmpuint (loom_timeline_model_get_n_bars (model), ==, 6);

  /* Each change was announced once: the job, 5 starts (not the repeated
   * one), 6 ends (not the task that never ran). */
  g_assert_cmpuint (changes, ==, 1 + 5 + 6);

  loom_timeline_model_clear (model);
  g_assert_cmpuint (loom_timeline_model_get_n_jobs (model), ==, 0);
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 0);
  g_assert_cmpuint (loom_timeline_model_get_n_bars (model), ==, 0);
}

/* Engine 1 is lost while it runs task 10; the controller sends the task to
 * engine 3. */
static void
test_retried (void)
{
  g_autoptr(LoomTimelineModel) model = loom_timeline_model_new ();
  const LoomTimelineLane *e1, *e3;
  guint j = loom_timeline_model_add_job (model, 1, "retry", LOOM_JOB_PARALLEL, Z);

  loom_timeline_model_task_started (model, j, 9, 1, Z + 0);
  loom_timeline_model_task_finished (model, j, 9, 1, LOOM_TASK_DONE, Z + 0, Z + 8000);
  loom_timeline_model_task_started (model, j, 10, 1, Z + 10000);
  loom_timeline_model_task_started (model, j, 10, 3, Z + 12000);

  /* Lanes: engine 1 [task 9 done, task 10 lost at 12000], engine 3
   * [task 10 running]; one task running, not two. */
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 2);
  g_assert_cmpuint (loom_timeline_model_get_n_running (model), ==, 1);
  e1 = lane (model, 0);
  e3 = lane (model, 1);
  g_assert_cmpint (e1->engine_id, ==, 1);
  g_assert_cmpint (e3->engine_id, ==, 3);
  g_assert_cmpuint (e1->n_bars, ==, 2);
  g_assert_cmpuint (e1->n_running, ==, 0);
  assert_bar (&e1->bars[1], 10, 10000, 12000, LOOM_TASK_LOST);
  g_assert_true (e1->bars[1].flags & LOOM_TIMELINE_BAR_RETRIED);
  g_assert_false (e1->bars[0].flags & LOOM_TIMELINE_BAR_RETRIED);
  g_assert_cmpuint (e1->n_marked, ==, 1);
  g_assert_cmpuint (e1->marked[0], ==, 1);
  assert_bar (&e3->bars[0], 10, 12000, LOOM_TIMELINE_RUNNING, LOOM_TASK_RUNNING);
  g_assert_cmpuint (e3->n_marked, ==, 0);

  /* The retry finishes on engine 3; the lost attempt stays as it was. */
  loom_timeline_model_task_finished (model, j, 10, 3, LOOM_TASK_DONE, Z + 12000, Z + 15000);
  g_assert_cmpuint (loom_timeline_model_get_n_running (model), ==, 0);
  assert_bar (&e3->bars[0], 10, 12000, 15000, LOOM_TASK_DONE);
  assert_bar (&e1->bars[1], 10, 10000, 12000, LOOM_TASK_LOST);
  /* Two attempts of task 10, three bars: 8000 + 2000 + 3000 busy. */
  g_assert_cmpuint (loom_timeline_model_get_n_bars (model), ==, 3);
  g_assert_cmpint (loom_timeline_model_get_job (model, j)->busy, ==, 13000);

  /* A retry we only hear of by its end: the running attempt is lost. */
  loom_timeline_model_task_started (model, j, 11, 3, Z + 16000);
  loom_timeline_model_task_finished (model, j, 11, 1, LOOM_TASK_DONE, Z + 17000, Z + 18000);
  g_assert_cmpuint (loom_timeline_model_get_n_running (model), ==, 0);
  assert_bar (&e3->bars[1], 11, 16000, 17000, LOOM_TASK_LOST);
  g_assert_true (e3->bars[1].flags & LOOM_TIMELINE_BAR_RETRIED);
  g_assert_cmpuint (e3->n_marked, ==, 1);
  assert_bar (&e1->bars[2], 11, 17000, 18000, LOOM_TASK_DONE);
}

/* Two engines, four bars:
 *
 *   engine 1  [0 ───── 4000)      [5000 ──── 8000 failed)
 *   engine 2     [1000 ─ 3000)          [6000 ───── 10000)
 *
 * Range [2000, 7000), 5000 µs:
 *   engine 1 busy 2000 (2000–4000) + 2000 (5000–7000) = 4000 → 0.8
 *   engine 2 busy 1000 (2000–3000) + 1000 (6000–7000) = 2000 → 0.4
 *   busy 6000, idle 2 × 5000 − 6000 = 4000, utilisation 6000 / 10000 = 0.6
 *   started in range: 5000, 6000 → 2; finished: 4000, 3000 → 2
 *   throughput 2 / 0.005 s = 400 /s */
static LoomTimelineModel *
small_schedule (void)
{
  LoomTimelineModel *model = loom_timeline_model_new ();
  guint j = loom_timeline_model_add_job (model, 1, "small", LOOM_JOB_PARALLEL, Z);

  loom_timeline_model_task_finished (model, j, 0, 1, LOOM_TASK_DONE, Z + 0, Z + 4000);
  loom_timeline_model_task_finished (model, j, 1, 2, LOOM_TASK_DONE, Z + 1000, Z + 3000);
  loom_timeline_model_task_finished (model, j, 2, 1, LOOM_TASK_FAILED, Z + 5000, Z + 8000);
  loom_timeline_model_task_finished (model, j, 3, 2, LOOM_TASK_DONE, Z + 6000, Z + 10000);
  return model;
}

static void
test_stats (void)
{
  g_autoptr(LoomTimelineModel) model = small_schedule ();
  g_autoptr(GArray) per_lane = g_array_new (FALSE, FALSE, sizeof (double));
  LoomTimelineStats stats, a, b;

  loom_timeline_model_get_stats (model, 2000, 7000, -1, Z + 20000, &stats, per_lane);
  g_assert_cmpint (stats.from, ==, 2000);
  g_assert_cmpint (stats.to, ==, 7000);
  g_assert_cmpuint (stats.n_lanes, ==, 2);
  g_assert_cmpint (stats.busy, ==, 6000);
  g_assert_cmpint (stats.idle, ==, 4000);
  g_assert_cmpfloat_with_epsilon (stats.utilisation, 0.6, 1e-9);
  g_assert_cmpuint (stats.started, ==, 2);
  g_assert_cmpuint (stats.finished, ==, 2);
  g_assert_cmpfloat_with_epsilon (stats.throughput, 400, 1e-6);
  g_assert_cmpuint (per_lane->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (per_lane, double, 0), 0.8, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (per_lane, double, 1), 0.4, 1e-9);

  /* The range the other way round is the same range. */
  loom_timeline_model_get_stats (model, 7000, 2000, 0, Z + 20000, &stats, NULL);
  g_assert_cmpint (stats.busy, ==, 6000);
  g_assert_cmpuint (stats.n_lanes, ==, 2);

  /* Another job's lanes only: none. */
  loom_timeline_model_get_stats (model, 2000, 7000, 1, Z + 20000, &stats, per_lane);
  g_assert_cmpuint (stats.n_lanes, ==, 0);
  g_assert_cmpuint (per_lane->len, ==, 0);
  g_assert_cmpfloat (stats.utilisation, ==, 0);

  /* The whole job, [0, 10000): busy 4000 + 3000 + 2000 + 4000 = 13000 of
   * 20000 → 0.65; every bar starts in it; the one ending at 10000 ends at
   * the range's end, so it counts in the next range: 3 finished. */
  loom_timeline_model_get_stats (model, 0, 10000, -1, Z + 20000, &stats, NULL);
  g_assert_cmpint (stats.busy, ==, 13000);
  g_assert_cmpfloat_with_epsilon (stats.utilisation, 0.65, 1e-9);
  g_assert_cmpuint (stats.started, ==, 4);
  g_assert_cmpuint (stats.finished, ==, 3);

  /* Adjacent ranges split at an end (4000) add up to the whole: every bar
   * finishes in exactly one of them. */
  loom_timeline_model_get_stats (model, 0, 4000, -1, Z + 20000, &a, NULL);
  loom_timeline_model_get_stats (model, 4000, 11000, -1, Z + 20000, &b, NULL);
  g_assert_cmpuint (a.finished, ==, 1);    /* 3000 */
  g_assert_cmpuint (b.finished, ==, 3);    /* 4000, 8000, 10000 */
  g_assert_cmpuint (a.started + b.started, ==, 4);
  g_assert_cmpint (a.busy + b.busy, ==, 13000);

  /* A running bar counts up to now: task 4 on engine 2 since 12000, now
   * 15000, range [11000, 16000): busy 3000 of 2 × 5000. */
  loom_timeline_model_task_started (model, 0, 4, 2, Z + 12000);
  loom_timeline_model_get_stats (model, 11000, 16000, -1, Z + 15000, &stats, NULL);
  g_assert_cmpint (stats.busy, ==, 3000);
  g_assert_cmpuint (stats.started, ==, 1);
  g_assert_cmpuint (stats.finished, ==, 0);
  g_assert_cmpfloat_with_epsilon (stats.utilisation, 0.3, 1e-9);
}

static void
test_summary (void)
{
  g_autoptr(LoomTimelineModel) model = loom_timeline_model_new ();
  LoomTimelineSummary summary;
  guint serial, parallel;

  /* Serial: 10 × 1 s back to back on engine 1.  Wall 10 s, Σ 10 s,
   * speedup 1, one engine, efficiency 1. */
  serial = loom_timeline_model_add_job (model, 1, "serial", LOOM_JOB_SERIAL, Z);
  for (guint i = 0; i < 10; i++)
    loom_timeline_model_task_finished (model, serial, i, 1, LOOM_TASK_DONE, Z + i * S, Z + (i + 1) * S);
  loom_timeline_model_get_summary (model, serial, &summary);
  g_assert_cmpfloat_with_epsilon (summary.wall, 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (summary.task_time, 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (summary.speedup, 1, 1e-9);
  g_assert_cmpuint (summary.engines, ==, 1);
  g_assert_cmpfloat_with_epsilon (summary.efficiency, 1, 1e-9);

  /* Parallel: 10 × 1 s on engines 1…10, started 1 ms apart.  Wall
   * 1.009 s (the last starts at 9 ms), Σ 10 s, speedup 10 / 1.009 =
   * 9.9108, efficiency 0.99108. */
  parallel = loom_timeline_model_add_job (model, 2, "parallel", LOOM_JOB_PARALLEL, Z);
  for (guint i = 0; i < 10; i++)
    loom_timeline_model_task_finished (model, parallel, i, i + 1, LOOM_TASK_DONE,
                                       Z + i * 1000, Z + i * 1000 + S);
  loom_timeline_model_get_summary (model, parallel, &summary);
  g_assert_cmpfloat_with_epsilon (summary.wall, 1.009, 1e-9);
  g_assert_cmpfloat_with_epsilon (summary.task_time, 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (summary.speedup, 9.9108, 1e-4);
  g_assert_cmpuint (summary.engines, ==, 10);
  g_assert_cmpfloat_with_epsilon (summary.efficiency, 0.99108, 1e-5);

  /* Lanes: one per engine per job, the serial job's first. */
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 11);
  g_assert_cmpuint (lane (model, 0)->job, ==, serial);
  g_assert_cmpuint (lane (model, 1)->job, ==, parallel);
  g_assert_cmpint (lane (model, 10)->engine_id, ==, 10);
}

/* Bars [1000, 2000) and [3000, 4000) on one engine. */
static void
test_find_bar (void)
{
  g_autoptr(LoomTimelineModel) model = loom_timeline_model_new ();
  guint j = loom_timeline_model_add_job (model, 1, "hit", LOOM_JOB_PARALLEL, Z);
  guint pos = 99;

  loom_timeline_model_task_finished (model, j, 0, 1, LOOM_TASK_DONE, Z + 1000, Z + 2000);
  loom_timeline_model_task_finished (model, j, 1, 1, LOOM_TASK_DONE, Z + 3000, Z + 4000);

  /* Inside a bar, with or without slack. */
  g_assert_true (loom_timeline_model_find_bar (model, 0, 1500, 0, Z, &pos));
  g_assert_cmpuint (pos, ==, 0);
  g_assert_true (loom_timeline_model_find_bar (model, 0, 3999, 300, Z, &pos));
  g_assert_cmpuint (pos, ==, 1);

  /* In the gap, within slack: the nearer bar.  2400 is 400 from the
   * first's end and 600 from the second's start; 2600 the other way. */
  g_assert_true (loom_timeline_model_find_bar (model, 0, 2400, 500, Z, &pos));
  g_assert_cmpuint (pos, ==, 0);
  g_assert_true (loom_timeline_model_find_bar (model, 0, 2600, 500, Z, &pos));
  g_assert_cmpuint (pos, ==, 1);

  /* Outside slack: 500 from either bar with 100 of slack; before the
   * first, after the last; a lane that does not exist. */
  pos = 99;
  g_assert_false (loom_timeline_model_find_bar (model, 0, 2500, 100, Z, &pos));
  g_assert_false (loom_timeline_model_find_bar (model, 0, 500, 100, Z, &pos));
  g_assert_false (loom_timeline_model_find_bar (model, 0, 4200, 100, Z, &pos));
  g_assert_false (loom_timeline_model_find_bar (model, 1, 1500, 100, Z, &pos));
  g_assert_cmpuint (pos, ==, 99);

  /* A running bar reaches now: from 5000, now at 9000. */
  loom_timeline_model_task_started (model, j, 2, 1, Z + 5000);
  g_assert_true (loom_timeline_model_find_bar (model, 0, 8000, 0, Z + 9000, &pos));
  g_assert_cmpuint (pos, ==, 2);
  g_assert_false (loom_timeline_model_find_bar (model, 0, 9500, 100, Z + 9000, &pos));
}

/* A report as loom_client_get_job_report() gives it (trimmed to what the
 * timeline reads): submitted from 1 000 000 µs, so bars count from there.
 *   engine 4: task 0 [500, 2500) done, task 1 [3000, 4000) failed
 *   engine 5: task 3 running since 1000
 *   task 2 was aborted before it ran: no bar. */
static const char report_json[] =
  "{\"job\": {\"id\": 3, \"name\": \"sweep\", \"mode\": \"serial\", \"tasks\": 4, \"created\": 999000},"
  " \"tasks\": ["
  "  {\"index\": 0, \"engine_id\": 4, \"status\": \"done\", \"attempts\": 1,"
  "   \"submitted\": 1000000, \"started\": 1000500, \"completed\": 1002500},"
  "  {\"index\": 1, \"engine_id\": 4, \"status\": \"failed\", \"attempts\": 1,"
  "   \"submitted\": 1000000, \"started\": 1003000, \"completed\": 1004000},"
  "  {\"index\": 2, \"engine_id\": -1, \"status\": \"aborted\", \"attempts\": 0,"
  "   \"submitted\": 1000000, \"started\": 0, \"completed\": 0},"
  "  {\"index\": 3, \"engine_id\": 5, \"status\": \"running\", \"attempts\": 1,"
  "   \"submitted\": 1000100, \"started\": 1001000, \"completed\": 0}"
  " ]}";

static void
test_report (void)
{
  g_autoptr(LoomTimelineModel) model = loom_timeline_model_new ();
  g_autoptr(JsonNode) report = json_from_string (report_json, NULL);
  g_autoptr(GError) error = NULL;
  const LoomTimelineJob *job;
  LoomTimelineSummary summary;
  const char *bad[] = {
    "[1, 2]",
    "\"job\"",
    "{\"job\": {\"id\": 1}}",
    "{\"job\": 1, \"tasks\": []}",
    "{\"job\": {}, \"tasks\": {}}",
  };

  g_assert_nonnull (report);
  g_assert_true (loom_timeline_model_add_report (model, report, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (loom_timeline_model_get_n_jobs (model), ==, 1);
  job = loom_timeline_model_get_job (model, 0);
  g_assert_cmpint (job->job_id, ==, 3);
  g_assert_cmpstr (job->name, ==, "sweep");
  g_assert_cmpint (job->mode, ==, LOOM_JOB_SERIAL);
  g_assert_cmpint (job->zero, ==, 1000000);
  g_assert_cmpuint (job->n_bars, ==, 3);
  g_assert_cmpuint (job->n_running, ==, 1);
  g_assert_cmpint (job->first_start, ==, 500);
  g_assert_cmpint (job->last_end, ==, 4000);
  g_assert_cmpint (job->busy, ==, 3000);

  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 2);
  assert_lane (model, 0, 4, 0, 2, 0);
  assert_lane (model, 1, 5, 0, 1, 1);
  assert_bar (&lane (model, 0)->bars[0], 0, 500, 2500, LOOM_TASK_DONE);
  assert_bar (&lane (model, 0)->bars[1], 1, 3000, 4000, LOOM_TASK_FAILED);
  g_assert_cmpuint (lane (model, 0)->n_marked, ==, 1);
  assert_bar (&lane (model, 1)->bars[0], 3, 1000, LOOM_TIMELINE_RUNNING, LOOM_TASK_RUNNING);

  /* Wall 0.004 s, Σ 0.003 s, speedup 0.75 on 2 engines → 0.375. */
  loom_timeline_model_get_summary (model, 0, &summary);
  g_assert_cmpfloat_with_epsilon (summary.wall, 0.004, 1e-12);
  g_assert_cmpfloat_with_epsilon (summary.task_time, 0.003, 1e-12);
  g_assert_cmpfloat_with_epsilon (summary.speedup, 0.75, 1e-9);
  g_assert_cmpuint (summary.engines, ==, 2);
  g_assert_cmpfloat_with_epsilon (summary.efficiency, 0.375, 1e-9);

  /* Not reports: refused with an error, the model unchanged. */
  g_assert_false (loom_timeline_model_add_report (model, NULL, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_PROTOCOL);
  g_clear_error (&error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (bad[i], NULL);

      g_assert_nonnull (node);
      g_assert_false (loom_timeline_model_add_report (model, node, &error));
      g_assert_error (error, LOOM_ERROR, LOOM_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "job report"));
      g_clear_error (&error);
    }
  g_assert_cmpuint (loom_timeline_model_get_n_jobs (model), ==, 1);
  g_assert_cmpuint (loom_timeline_model_get_n_bars (model), ==, 3);
}

/* 10^5 tasks on 64 engines back to back: the memory the model reports
 * stays near the 24 bytes of a bar (arrays grow by half, so ≤ 36 + the
 * marks and lanes) and far below 100 bytes a task. */
static void
test_memory (void)
{
  g_autoptr(LoomTimelineModel) model = loom_timeline_model_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  const guint n = 100000;
  gint64 free_at[64] = { 0 };
  gsize size, small_size = 0;
  guint j = loom_timeline_model_add_job (model, 1, "big", LOOM_JOB_PARALLEL, Z);

  for (guint i = 0; i < n; i++)
    {
      guint e = i % 64;
      gint64 start = Z + free_at[e] + g_rand_int_range (rand, 200, 2000);
      gint64 end = start + g_rand_int_range (rand, 1000, 100000);

      loom_timeline_model_task_started (model, j, i, e, start);
      loom_timeline_model_task_finished (model, j, i, e,
                                         g_rand_int_range (rand, 0, 100) < 2 ? LOOM_TASK_FAILED : LOOM_TASK_DONE,
                                         start, end);
      free_at[e] = end - Z;
      if (i == 9999)
        small_size = loom_timeline_model_get_memory_size (model);
    }

  g_assert_cmpuint (loom_timeline_model_get_n_bars (model), ==, n);
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 64);
  size = loom_timeline_model_get_memory_size (model);
  g_test_message ("%.1f bytes per task", (double) size / n);
  g_assert_cmpuint (size, >, small_size);
  g_assert_cmpuint (size, >=, n * sizeof (LoomTimelineBar));
  g_assert_cmpuint (size, <, n * 100);
  /* Growing by half keeps at most half a bar spare per bar; each lane
   * also has its level-of-detail bins (a float and a byte each). */
  g_assert_cmpuint (size, <, n * (sizeof (LoomTimelineBar) * 3 / 2 + 4) + 64 * 1024 +
                             64 * LOOM_TIMELINE_LOD_BINS * (sizeof (float) + 1));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loom/timeline-model/incremental", test_incremental);
  g_test_add_func ("/loom/timeline-model/retried", test_retried);
  g_test_add_func ("/loom/timeline-model/stats", test_stats);
  g_test_add_func ("/loom/timeline-model/summary", test_summary);
  g_test_add_func ("/loom/timeline-model/find-bar", test_find_bar);
  g_test_add_func ("/loom/timeline-model/report", test_report);
  g_test_add_func ("/loom/timeline-model/memory", test_memory);

  return g_test_run ();
}
