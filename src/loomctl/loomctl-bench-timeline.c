/* loomctl-bench-timeline.c: `loomctl bench --timeline`
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The timeline's model and drawing on synthetic jobs of 10^4 to 10^6
 * tasks, with no cluster and no display.  Built with the app only.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <inttypes.h>

#include <malloc.h>
#include <math.h>
#include <string.h>

#include "loomctl-private.h"
#include "loom-timeline-render.h"

#define TIMELINE_ENGINES 64

typedef struct
{
  gint64  started;
  gint64  completed;   /* 0: a start event */
  guint32 index;
  gint32  engine_id;
  guint8  status;
} TimelineEvent;

static gint64
timeline_exponential (GRand  *rand,
                      double  mean_us)
{
  return (gint64) (-mean_us * log (1 - g_rand_double (rand)));
}

static guint
timeline_first_free (const gint64 *free_at,
                     guint         skip)
{
  guint best = skip == 0 ? 1 : 0;

  for (guint e = 0; e < TIMELINE_ENGINES; e++)
    if (e != skip && free_at[e] < free_at[best])
      best = e;
  return best;
}

/* The events a controller would report for @n_tasks tasks on 64 engines:
 * each task goes to the engine free first, runs an exponential 50 ms
 * (at least 100 µs) after a 0.2–2 ms dispatch gap; 1.5 % fail, 0.1 % are
 * lost with their engine and started again on another one. */
static GArray *
timeline_bench_events (guint  n_tasks,
                       gint64 zero)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611 + n_tasks);
  GArray *events = g_array_sized_new (FALSE, FALSE, sizeof (TimelineEvent), 2 * n_tasks + 2 * TIMELINE_ENGINES);
  gint64 free_at[TIMELINE_ENGINES];
  TimelineEvent current[TIMELINE_ENGINES];

  for (guint e = 0; e < TIMELINE_ENGINES; e++)
    {
      free_at[e] = zero + 1000 + g_rand_int_range (rand, 0, 20000);
      current[e].completed = 0;
    }

#define FINISH(e)                                                   \
  G_STMT_START {                                                    \
    if (current[e].completed != 0)                                  \
      g_array_append_val (events, current[e]);                      \
    current[e].completed = 0;                                       \
  } G_STMT_END

  for (guint i = 0; i < n_tasks; i++)
    {
      guint e = timeline_first_free (free_at, TIMELINE_ENGINES);
      TimelineEvent start = { free_at[e], 0, i, e, LOOM_TASK_RUNNING };
      gint64 duration = MAX (100, timeline_exponential (rand, 50000));

      FINISH (e);
      g_array_append_val (events, start);

      if (g_rand_double (rand) < 0.001)
        {
          /* The engine dies mid-task; the controller notices and sends
           * the task to the engine free first among the others. */
          gint64 lost_at = start.started + MAX (100, timeline_exponential (rand, 50000));
          guint other = timeline_first_free (free_at, e);

          FINISH (other);
          start.started = MAX (free_at[other], lost_at);
          start.engine_id = other;
          g_array_append_val (events, start);
          free_at[e] = start.started + g_rand_int_range (rand, 200, 2000);
          e = other;
        }

      current[e] = start;
      current[e].completed = start.started + duration;
      current[e].status = g_rand_double (rand) < 0.015 ? LOOM_TASK_FAILED : LOOM_TASK_DONE;
      free_at[e] = current[e].completed + g_rand_int_range (rand, 200, 2000);
    }
  for (guint e = 0; e < TIMELINE_ENGINES; e++)
    FINISH (e);
#undef FINISH

  return events;
}

static gsize
timeline_heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  /* Large arrays are mmapped by malloc: count them too. */
  return info.uordblks + info.hblkhd;
}

/* Feeds @events into a new model as they would arrive.  The heap's growth
 * while doing so is what the model costs. */
static LoomTimelineModel *
timeline_bench_build (GArray *events,
                      gint64  zero,
                      double *build_ms,
                      gsize  *heap_bytes)
{
  LoomTimelineModel *model;
  gsize heap_before = timeline_heap_in_use ();
  gint64 begin = g_get_monotonic_time ();
  guint job;

  model = loom_timeline_model_new ();
  job = loom_timeline_model_add_job (model, 1, "bench", LOOM_JOB_PARALLEL, zero);
  for (guint i = 0; i < events->len; i++)
    {
      const TimelineEvent *ev = &g_array_index (events, TimelineEvent, i);

      if (ev->completed == 0)
        loom_timeline_model_task_started (model, job, ev->index, ev->engine_id, ev->started);
      else
        loom_timeline_model_task_finished (model, job, ev->index, ev->engine_id, ev->status,
                                           ev->started, ev->completed);
    }
  *build_ms = (g_get_monotonic_time () - begin) / 1000.0;
  *heap_bytes = timeline_heap_in_use () - MIN (heap_before, timeline_heap_in_use ());
  return model;
}

typedef struct
{
  double                node_ms;
  double                draw_ms;
  double                frame_ms;
  LoomTimelineDrawStats stats;
} TimelineFrames;

/* Cold frames, as after every zoom or scroll: the render node built anew,
 * then drawn into a Cairo image the size of the view.  Medians. */
static void
timeline_bench_frames (LoomTimelineModel      *model,
                       const LoomTimelineView *view,
                       guint                   n_frames,
                       TimelineFrames         *out)
{
  g_autoptr(GArray) node_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) draw_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, view->width, view->height);

  for (guint i = 0; i < n_frames; i++)
    {
      gint64 t0 = g_get_monotonic_time (), t1, t2;
      g_autoptr(GskRenderNode) node = loom_timeline_render_node (model, view, &out->stats);
      cairo_t *cr;
      double ms;

      t1 = g_get_monotonic_time ();
      cr = cairo_create (surface);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      if (node)
        gsk_render_node_draw (node, cr);
      cairo_destroy (cr);
      cairo_surface_flush (surface);
      t2 = g_get_monotonic_time ();

      ms = (t1 - t0) / 1000.0;
      g_array_append_val (node_ms, ms);
      ms = (t2 - t1) / 1000.0;
      g_array_append_val (draw_ms, ms);
      ms = (t2 - t0) / 1000.0;
      g_array_append_val (frame_ms, ms);
    }
  cairo_surface_destroy (surface);

  out->node_ms = loomctl_median (node_ms);
  out->draw_ms = loomctl_median (draw_ms);
  out->frame_ms = loomctl_median (frame_ms);
}

static char *
timeline_group_digits (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" PRIu64, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  guint          tasks;
  double         build_ms;
  double         model_bytes;   /* per task */
  double         heap_bytes;    /* per task */
  TimelineFrames fit;
  TimelineFrames mid;
} TimelineFigures;

static void
print_timeline_frames (guint                 tasks,
                       const char           *view,
                       const TimelineFrames *frames)
{
  g_autofree char *n = timeline_group_digits (tasks);
  g_autofree char *rects = timeline_group_digits (frames->stats.n_rects);
  g_autofree char *bars = timeline_group_digits (frames->stats.n_visible);

  g_print ("  %9s  %-8s %7.2f ms %7.2f ms %7.2f ms  %9s %11u %6u %10u  %10s\n",
           n, view, frames->frame_ms, frames->node_ms, frames->draw_ms,
           rects, frames->stats.n_textures, frames->stats.n_marks, frames->stats.n_mark_pixels, bars);
}

int
loomctl_bench_timeline (int      runs,
                        gboolean json)
{
  static const guint sizes[] = { 10000, 100000, 1000000 };
  const gint64 zero = G_GINT64_CONSTANT (1700000000000000);
  const int width = 1280, height = 800;
  guint n_frames = runs;
  TimelineFigures figures[G_N_ELEMENTS (sizes)];
  const TimelineFigures *last = &figures[G_N_ELEMENTS (sizes) - 1];
  PangoContext *pango;
  double bytes_per_task;

  pango = loom_timeline_text_context_new ();

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      TimelineFigures *f = &figures[s];
      g_autoptr(GArray) events = timeline_bench_events (sizes[s], zero);
      g_autoptr(LoomTimelineModel) model = NULL;
      LoomTimelineView view;
      gsize heap;
      gint64 extent;

      f->tasks = sizes[s];
      model = timeline_bench_build (events, zero, &f->build_ms, &heap);
      g_clear_pointer (&events, g_array_unref);
      f->model_bytes = (double) loom_timeline_model_get_memory_size (model) / sizes[s];
      f->heap_bytes = (double) heap / sizes[s];

      loom_timeline_view_init (&view, width, height);
      view.pango = pango;
      loom_timeline_view_fit (&view, model, TRUE);
      timeline_bench_frames (model, &view, n_frames, &f->fit);

      extent = loom_timeline_model_get_extent (model, view.now);
      view.us_per_px = extent / 50.0 / loom_timeline_view_plot_width (&view);
      view.t_left = extent / 2.0 - extent / 100.0;
      timeline_bench_frames (model, &view, n_frames, &f->mid);
    }
  g_object_unref (pango);
  bytes_per_task = MAX (last->model_bytes, last->heap_bytes);

  if (json)
    {
      g_autoptr(GString) out = g_string_new ("{\"timeline\": [");

      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
        {
          const TimelineFigures *f = &figures[s];

          g_string_append_printf (out,
                                  "%s{\"tasks\": %u, \"frame_ms_fit\": %.3f, \"frame_ms_mid\": %.3f, "
                                  "\"build_ms\": %.1f, \"rects_fit\": %u, \"visible_fit\": %" PRIu64 ", "
                                  "\"marks_fit\": %u, \"rects_mid\": %u, \"visible_mid\": %" PRIu64 ", "
                                  "\"node_ms_fit\": %.3f, \"draw_ms_fit\": %.3f, "
                                  "\"node_ms_mid\": %.3f, \"draw_ms_mid\": %.3f, "
                                  "\"model_bytes_per_task\": %.1f, \"heap_bytes_per_task\": %.1f}",
                                  s ? ", " : "", f->tasks, f->fit.frame_ms, f->mid.frame_ms, f->build_ms,
                                  f->fit.stats.n_rects, f->fit.stats.n_visible, f->fit.stats.n_marks,
                                  f->mid.stats.n_rects, f->mid.stats.n_visible,
                                  f->fit.node_ms, f->fit.draw_ms, f->mid.node_ms, f->mid.draw_ms,
                                  f->model_bytes, f->heap_bytes);
        }
      g_string_append_printf (out, "], \"bytes_per_task\": %.1f, \"engines\": %d, "
                              "\"width\": %d, \"height\": %d, \"frames\": %u}",
                              bytes_per_task, TIMELINE_ENGINES, width, height, n_frames);
      g_print ("%s\n", out->str);
      return EXIT_OK;
    }

  g_print (_("Timeline of one job on %d engines: exponential 50 ms tasks, 1.5 %% failed, 0.1 %% lost and retried\n\n"),
           TIMELINE_ENGINES);
  g_print (_("      tasks     build   bytes per task: model    heap\n"));
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autofree char *n = timeline_group_digits (figures[s].tasks);

      g_print ("  %9s  %5.0f ms                  %6.1f  %6.1f\n",
               n, figures[s].build_ms, figures[s].model_bytes, figures[s].heap_bytes);
    }

  g_print (_("\nCold frames: render node built, then drawn into a %d×%d Cairo image (medians of %u)\n\n"),
           width, height, n_frames);
  g_print ("  %9s  %-8s %10s %10s %10s  %9s %11s %6s %10s  %10s\n",
           "tasks", "view", "frame", "node", "draw", "rects", "pixel lanes", "marks", "marked px", "bars shown");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      print_timeline_frames (figures[s].tasks, "fit all", &figures[s].fit);
      print_timeline_frames (figures[s].tasks, "1/50", &figures[s].mid);
    }

  g_print (_("\nAt 10^6 tasks: %.1f ms a frame fitted, %.1f ms at 1/50 (target < 8 ms); "
           "%.1f bytes a task (target < 100)\n"),
           last->fit.frame_ms, last->mid.frame_ms, bytes_per_task);
  return EXIT_OK;
}
