/* test-timeline-render.c: the timeline's drawing code, with no display
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Draws synthetic jobs of up to 10^5 tasks with the code the timeline
 * widget and image export share, and checks what comes out: culling and
 * merging keep every task represented at any zoom, the render node holds
 * the rectangles the stats promise, hit-testing finds the bar under a
 * point, failures stay visible when merged, and PNG, SVG and PDF export
 * write what was asked.  Needs GTK's render node types but no display;
 * keeps screenshots/timeline-100k.png in $LOOM_TEST_ARTIFACTS to look at.
 */

#define G_LOG_DOMAIN "Loom-Test"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <pango/pangocairo.h>

#include "loom-test-util.h"
#include "loom-timeline-render.h"

#define Z G_GINT64_CONSTANT (1700000000000000)

static LoomTimelineModel *big_model;   /* 10^5 tasks on 64 engines */
static PangoContext *pango;

/* --- helpers ------------------------------------------------------------- */

static gint64
exponential (GRand  *rand,
             double  mean_us)
{
  return (gint64) (-mean_us * log (1 - g_rand_double (rand)));
}

static guint
first_free (const gint64 *free_at,
            guint         n_engines,
            guint         skip)
{
  guint best = skip == 0 ? 1 : 0;

  for (guint e = 0; e < n_engines; e++)
    if (e != skip && free_at[e] < free_at[best])
      best = e;
  return best;
}

/* @n_tasks tasks of an exponential 50 ms on @n_engines engines, each
 * sent to the engine free first after a 0.2–2 ms gap; 1.5 % fail, 0.1 %
 * are lost with their engine and retried on another; the last @n_running
 * are still running at *@now. */
static LoomTimelineModel *
synthetic_model (guint   n_tasks,
                 guint   n_engines,
                 guint   n_running,
                 gint64 *now)
{
  LoomTimelineModel *model = loom_timeline_model_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (n_tasks * 31 + n_engines);
  g_autofree gint64 *free_at = g_new0 (gint64, n_engines);
  guint job = loom_timeline_model_add_job (model, 1, "synthetic", LOOM_JOB_PARALLEL, Z);
  gint64 last = 0;

  g_assert (n_engines >= 2);
  for (guint e = 0; e < n_engines; e++)
    free_at[e] = Z + 1000 + g_rand_int_range (rand, 0, 20000);

  for (guint i = 0; i < n_tasks; i++)
    {
      guint e = first_free (free_at, n_engines, n_engines);
      gint64 start = free_at[e];
      gint64 duration = MAX (100, exponential (rand, 50000));

      loom_timeline_model_task_started (model, job, i, e, start);
      if (g_rand_double (rand) < 0.001)
        {
          guint other = first_free (free_at, n_engines, e);
          gint64 retry = MAX (free_at[other], start + MAX (100, exponential (rand, 50000)));

          loom_timeline_model_task_started (model, job, i, other, retry);
          free_at[e] = retry + g_rand_int_range (rand, 200, 2000);
          e = other;
          start = retry;
        }
      if (i + n_running < n_tasks)
        loom_timeline_model_task_finished (model, job, i, e,
                                           g_rand_double (rand) < 0.015 ? LOOM_TASK_FAILED : LOOM_TASK_DONE,
                                           start, start + duration);
      free_at[e] = start + duration + g_rand_int_range (rand, 200, 2000);
      last = MAX (last, free_at[e]);
    }
  if (now)
    *now = last;
  return model;
}

static void
view_init (LoomTimelineView  *view,
           LoomTimelineModel *model,
           int                width,
           int                height)
{
  loom_timeline_view_init (view, width, height);
  view->pango = pango;
  loom_timeline_view_fit (view, model, TRUE);
}

/* Shows @fraction of the extent, its left edge at @where (0…1) of the
 * room there is to scroll. */
static void
view_zoom (LoomTimelineView  *view,
           LoomTimelineModel *model,
           double             fraction,
           double             where)
{
  gint64 extent = loom_timeline_model_get_extent (model, view->now);
  double span = extent * fraction;

  view->us_per_px = span / loom_timeline_view_plot_width (view);
  view->t_left = (extent - span) * where;
}

typedef struct
{
  guint counts[GSK_DEBUG_NODE + 1];
  guint other;
} NodeCounts;

static void
count_nodes (GskRenderNode *node,
             NodeCounts    *counts)
{
  GskRenderNodeType type;

  if (node == NULL)
    return;
  type = gsk_render_node_get_node_type (node);
  if (type <= GSK_DEBUG_NODE)
    counts->counts[type]++;
  else
    counts->other++;

  switch (type)
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        count_nodes (gsk_container_node_get_child (node, i), counts);
      break;
    case GSK_CLIP_NODE:
      count_nodes (gsk_clip_node_get_child (node), counts);
      break;
    case GSK_ROUNDED_CLIP_NODE:
      count_nodes (gsk_rounded_clip_node_get_child (node), counts);
      break;
    case GSK_TRANSFORM_NODE:
      count_nodes (gsk_transform_node_get_child (node), counts);
      break;
    case GSK_OPACITY_NODE:
      count_nodes (gsk_opacity_node_get_child (node), counts);
      break;
    case GSK_COLOR_MATRIX_NODE:
      count_nodes (gsk_color_matrix_node_get_child (node), counts);
      break;
    case GSK_DEBUG_NODE:
      count_nodes (gsk_debug_node_get_child (node), counts);
      break;
    case GSK_SHADOW_NODE:
      count_nodes (gsk_shadow_node_get_child (node), counts);
      break;
    default:
      break;
    }
}

static char *
artifact_path (const char *name)
{
  const char *base = g_getenv ("LOOM_TEST_ARTIFACTS");
  g_autofree char *dir = g_build_filename (base ? base : g_get_tmp_dir (), "screenshots", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  return g_build_filename (dir, name, NULL);
}

/* --- cases --------------------------------------------------------------- */

/* At every zoom and scroll position, the rectangles drawn stand for every
 * finished bar in view, one by one; zoomed out, far fewer rectangles than
 * bars. */
static void
test_culling (void)
{
  static const double fractions[] = { 1.0 / 10, 1.0 / 1000 };
  static const double positions[] = { 0, 0.5, 1 };
  guint64 n_bars = loom_timeline_model_get_n_bars (big_model);
  LoomTimelineDrawStats stats;
  LoomTimelineView view;
  g_autoptr(GskRenderNode) fit_node = NULL;

  view_init (&view, big_model, 1280, 800);
  fit_node = loom_timeline_render_node (big_model, &view, &stats);
  g_assert_nonnull (fit_node);
  g_test_message ("fit: %u rects, %u marks for %" G_GUINT64_FORMAT " bars",
                  stats.n_rects, stats.n_marks, stats.n_visible);
  g_assert_cmpuint (stats.n_visible, ==, n_bars);
  g_assert_cmpuint (stats.n_covered, ==, stats.n_visible);
  g_assert_cmpuint (stats.n_rects, <=, stats.n_visible);
  g_assert_cmpuint (stats.n_rects * 20, <, stats.n_visible);
  g_assert_cmpuint (stats.n_running, ==, 0);
  g_assert_cmpuint (stats.n_labels, >=, 5);   /* the axis, at least */

  for (guint f = 0; f < G_N_ELEMENTS (fractions); f++)
    for (guint p = 0; p < G_N_ELEMENTS (positions); p++)
      {
        g_autoptr(GskRenderNode) node = NULL;

        view_zoom (&view, big_model, fractions[f], positions[p]);
        node = loom_timeline_render_node (big_model, &view, &stats);
        g_test_message ("1/%.0f at %.1f: %u rects for %" G_GUINT64_FORMAT " bars",
                        1 / fractions[f], positions[p], stats.n_rects, stats.n_visible);
        g_assert_nonnull (node);
        g_assert_cmpuint (stats.n_visible, >, 0);
        g_assert_cmpuint (stats.n_visible, <, n_bars);
        g_assert_cmpuint (stats.n_covered, ==, stats.n_visible);
        g_assert_cmpuint (stats.n_rects, <=, stats.n_visible);
      }

  /* Tall lanes scrolled halfway down: lanes out of sight are skipped, and
   * what is drawn still covers what is visible. */
  view_init (&view, big_model, 1280, 800);
  view.lane_height = 18;
  view.scroll_y = loom_timeline_view_content_height (&view, big_model) / 2;
  {
    g_autoptr(GskRenderNode) node = loom_timeline_render_node (big_model, &view, &stats);

    g_assert_nonnull (node);
    g_assert_cmpuint (stats.n_visible, >, 0);
    g_assert_cmpuint (stats.n_visible, <, n_bars * 2 / 3);
    g_assert_cmpuint (stats.n_covered, ==, stats.n_visible);
  }
}

/* The render node holds what the stats count: a colour node per bar
 * rectangle, two per running bar, and the background's few (stripes of
 * even lanes, the job header's band and swatch, the axis line, a grid
 * line and a tick per step of ≥ 90 px); a striped gradient per mark. */
static void
test_nodes (void)
{
  gint64 now;
  g_autoptr(LoomTimelineModel) model = synthetic_model (20000, 16, 5, &now);
  double fractions[] = { 1, 1.0 / 20, 1.0 / 500 };

  for (guint f = 0; f < G_N_ELEMENTS (fractions); f++)
    {
      g_autoptr(GskRenderNode) node = NULL;
      LoomTimelineDrawStats stats;
      LoomTimelineView view;
      NodeCounts counts = { { 0 } };
      guint n_lanes = loom_timeline_model_get_n_lanes (model);
      guint max_ticks;

      loom_timeline_view_init (&view, 1280, 800);
      view.pango = pango;
      view.now = now + 1000;
      loom_timeline_view_fit (&view, model, TRUE);
      if (fractions[f] < 1)
        view_zoom (&view, model, fractions[f], 1);   /* the end, with the running bars */
      node = loom_timeline_render_node (model, &view, &stats);
      count_nodes (node, &counts);
      max_ticks = (guint) (loom_timeline_view_plot_width (&view) / 90) + 2;

      g_test_message ("1/%.0f: %u colour nodes for %u rects, %u running; %u gradients for %u marks; "
                      "%u text nodes for %u labels",
                      1 / fractions[f], counts.counts[GSK_COLOR_NODE], stats.n_rects, stats.n_running,
                      counts.counts[GSK_REPEATING_LINEAR_GRADIENT_NODE], stats.n_marks,
                      counts.counts[GSK_TEXT_NODE], stats.n_labels);
      g_assert_cmpuint (stats.n_running, ==, 5);
      g_assert_cmpuint (stats.n_covered, ==, stats.n_visible);
      g_assert_cmpuint (counts.counts[GSK_COLOR_NODE], >=, stats.n_rects + 2 * stats.n_running + 1);
      g_assert_cmpuint (counts.counts[GSK_COLOR_NODE], <=,
                        stats.n_rects + 2 * stats.n_running + (n_lanes + 1) / 2 + 2 + 1 + 2 * max_ticks);
      g_assert_cmpuint (counts.counts[GSK_REPEATING_LINEAR_GRADIENT_NODE], ==, stats.n_marks);
      g_assert_cmpuint (counts.counts[GSK_TEXT_NODE], >=, stats.n_labels);
      /* Dense lanes are one texture each, a row of pixels. */
      g_assert_cmpuint (counts.counts[GSK_TEXTURE_NODE], ==, stats.n_textures);
      g_assert_cmpuint (counts.counts[GSK_CAIRO_NODE] + counts.other, ==, 0);
    }
}

/* Hits the middle of the bar of lane @l nearest the view's centre, if
 * that middle is in view; returns whether there was one to hit. */
static gboolean
assert_hit (LoomTimelineView *view,
            guint             l)
{
  const LoomTimelineLane *lane = loom_timeline_model_get_lane (big_model, l);
  double plot_x = loom_timeline_view_plot_x (view);
  double t_left = loom_timeline_view_x_to_time (view, plot_x);
  double t_right = loom_timeline_view_x_to_time (view, plot_x + loom_timeline_view_plot_width (view));
  double t_mid = (t_left + t_right) / 2;
  guint pos = loom_timeline_model_lower_bound (lane, (gint64) t_mid);
  const LoomTimelineBar *bar = NULL;
  graphene_rect_t rect;
  double x, y;
  guint hit_lane = G_MAXUINT, hit_pos = G_MAXUINT;

  for (guint p = pos > 0 ? pos - 1 : 0; p <= pos && p < lane->n_bars; p++)
    {
      double middle = (lane->bars[p].start + lane->bars[p].end) / 2.0;

      if (lane->bars[p].end != LOOM_TIMELINE_RUNNING && middle >= t_left && middle < t_right)
        {
          bar = &lane->bars[p];
          pos = p;
          break;
        }
    }
  if (bar == NULL)
    return FALSE;

  g_assert_true (loom_timeline_view_lane_rect (view, big_model, l, &rect));
  x = loom_timeline_view_time_to_x (view, (bar->start + bar->end) / 2.0);
  y = rect.origin.y + rect.size.height / 2;
  g_assert_cmpfloat (x, >=, plot_x);
  g_assert_cmpfloat (y, >=, loom_timeline_view_lanes_top (view, big_model));
  g_assert_cmpfloat (y, <, view->height);

  g_assert_true (loom_timeline_view_hit (view, big_model, x, y, &hit_lane, &hit_pos));
  g_assert_cmpuint (hit_lane, ==, l);
  g_assert_cmpuint (hit_pos, ==, pos);
  g_assert_cmpuint (lane->bars[hit_pos].index, ==, bar->index);

  /* The lane's top and bottom rows hit it too. */
  g_assert_true (loom_timeline_view_hit (view, big_model, x, rect.origin.y, &hit_lane, &hit_pos));
  g_assert_cmpuint (hit_lane, ==, l);
  g_assert_true (loom_timeline_view_hit (view, big_model, x, rect.origin.y + rect.size.height - 0.5,
                                         &hit_lane, &hit_pos));
  g_assert_cmpuint (hit_lane, ==, l);
  return TRUE;
}

/* A point on a bar's middle finds that bar at any zoom; a point where
 * nothing is drawn finds nothing. */
static void
test_hit (void)
{
  LoomTimelineView view;
  const LoomTimelineLane *lane;
  graphene_rect_t rect;
  guint hit_lane, hit_pos;
  gint64 extent;
  guint gap = 0, n_hit = 0;

  view_init (&view, big_model, 1280, 800);
  extent = loom_timeline_model_get_extent (big_model, view.now);
  for (guint l = 0; l < 64; l += 9)
    g_assert_true (assert_hit (&view, l));

  view_zoom (&view, big_model, 1.0 / 10, 0.5);
  for (guint l = 0; l < 64; l += 7)
    g_assert_true (assert_hit (&view, l));

  view_zoom (&view, big_model, 1.0 / 1000, 0.5);
  for (guint l = 0; l < 64; l += 5)
    n_hit += assert_hit (&view, l);
  g_assert_cmpuint (n_hit, >=, 8);   /* of 13: some lanes idle there */

  /* Tall lanes, scrolled down, 1/100 of the time near the end. */
  view.lane_height = 18;
  view.scroll_y = 300;
  view_zoom (&view, big_model, 1.0 / 100, 0.98);
  n_hit = 0;
  for (guint l = 20; l < 50; l += 3)
    n_hit += assert_hit (&view, l);
  g_assert_cmpuint (n_hit, >=, 7);   /* of 10 */

  /* Nothing there: right of every bar (the fitted view leaves 1 % of the
   * extent, ~11 px, after the last end), above the lanes, over the lane
   * labels. */
  view_init (&view, big_model, 1280, 800);
  g_assert_true (loom_timeline_view_lane_rect (&view, big_model, 3, &rect));
  g_assert_cmpfloat (loom_timeline_view_time_to_x (&view, extent), <,
                     loom_timeline_view_plot_x (&view) + loom_timeline_view_plot_width (&view) - 6);
  g_assert_false (loom_timeline_view_hit (&view, big_model,
                                          loom_timeline_view_plot_x (&view) + loom_timeline_view_plot_width (&view) - 1,
                                          rect.origin.y + 2, &hit_lane, &hit_pos));
  g_assert_false (loom_timeline_view_hit (&view, big_model, 600, loom_timeline_view_lanes_top (&view, big_model) - 5,
                                          &hit_lane, &hit_pos));
  g_assert_false (loom_timeline_view_hit (&view, big_model, 20, rect.origin.y + 2, &hit_lane, &hit_pos));

  /* In a gap of ≥ 1.5 ms between two bars, zoomed in so the gap is ~20 px
   * and the 3 px of slack do not reach across. */
  lane = loom_timeline_model_get_lane (big_model, 3);
  for (guint pos = lane->n_bars / 2; pos + 1 < lane->n_bars && gap == 0; pos++)
    if (lane->bars[pos + 1].start - lane->bars[pos].end >= 1500)
      gap = pos;
  g_assert_cmpuint (gap, >, 0);
  {
    double mid = (lane->bars[gap].end + lane->bars[gap + 1].start) / 2.0;
    double x;

    view.us_per_px = 75;
    view.t_left = mid - 75 * loom_timeline_view_plot_width (&view) / 2;
    x = loom_timeline_view_time_to_x (&view, mid);
    g_assert_true (loom_timeline_view_lane_rect (&view, big_model, 3, &rect));
    g_assert_false (loom_timeline_view_hit (&view, big_model, x, rect.origin.y + 2, &hit_lane, &hit_pos));
    /* … while the bars either side are hit, 12 px into them. */
    g_assert_true (loom_timeline_view_hit (&view, big_model, loom_timeline_view_time_to_x (&view, lane->bars[gap].end) - 12,
                                           rect.origin.y + 2, &hit_lane, &hit_pos));
    g_assert_cmpuint (hit_pos, ==, gap);
    g_assert_true (loom_timeline_view_hit (&view, big_model, loom_timeline_view_time_to_x (&view, lane->bars[gap + 1].start) + 12,
                                           rect.origin.y + 2, &hit_lane, &hit_pos));
    g_assert_cmpuint (hit_pos, ==, gap + 1);
  }
}

/* Zoomed out, bars merge into far fewer rectangles, yet every lane with
 * failed or lost bars still shows them as marks. */
static void
test_marks (void)
{
  g_autoptr(GskRenderNode) node = NULL;
  LoomTimelineDrawStats stats;
  LoomTimelineView view;
  NodeCounts counts = { { 0 } };
  guint marked_lanes = 0, n_lanes = loom_timeline_model_get_n_lanes (big_model);
  guint n_retried = 0;

  for (guint l = 0; l < n_lanes; l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (big_model, l);

      marked_lanes += lane->n_marked > 0;
      for (guint m = 0; m < lane->n_marked; m++)
        n_retried += (lane->bars[lane->marked[m]].flags & LOOM_TIMELINE_BAR_RETRIED) != 0;
    }
  /* ~1.5 % of 10^5 failed on every lane, and ~100 lost. */
  g_assert_cmpuint (marked_lanes, ==, n_lanes);
  g_assert_cmpuint (n_retried, >, 20);

  view_init (&view, big_model, 1280, 800);
  node = loom_timeline_render_node (big_model, &view, &stats);
  count_nodes (node, &counts);
  g_assert_cmpuint (stats.n_rects * 20, <, stats.n_visible);
  /* Zoomed out, lanes are dense: marks are pixels of their rows. */
  g_assert_cmpuint (stats.n_textures, ==, n_lanes);
  g_assert_cmpuint (stats.n_mark_pixels, >=, marked_lanes);
  g_assert_cmpuint (counts.counts[GSK_REPEATING_LINEAR_GRADIENT_NODE], ==, stats.n_marks);

  /* Close up, every failed bar is a striped rectangle of its own. */
  view_zoom (&view, big_model, 1.0 / 2000, 0.5);
  g_clear_pointer (&node, gsk_render_node_unref);
  node = loom_timeline_render_node (big_model, &view, &stats);
  memset (&counts, 0, sizeof counts);
  count_nodes (node, &counts);
  g_assert_cmpuint (stats.n_textures, ==, 0);
  g_assert_cmpuint (counts.counts[GSK_REPEATING_LINEAR_GRADIENT_NODE], ==, stats.n_marks);
}

typedef struct
{
  char *width;
  char *height;
  guint elements;
} SvgRoot;

static void
svg_start (GMarkupParseContext  *context,
           const char           *element,
           const char          **names,
           const char          **values,
           gpointer              user_data,
           GError              **error)
{
  SvgRoot *root = user_data;

  if (root->elements++ == 0)
    {
      g_assert_cmpstr (element, ==, "svg");
      for (guint i = 0; names[i]; i++)
        if (g_str_equal (names[i], "width"))
          root->width = g_strdup (values[i]);
        else if (g_str_equal (names[i], "height"))
          root->height = g_strdup (values[i]);
    }
}


/* Lanes say "engine N" while every engine ran on one host, and name the
 * host (up to its domain; addresses whole) once they ran on more. */
static void
test_lane_hosts (void)
{
  g_autoptr(LoomTimelineModel) model = loom_timeline_model_new ();
  guint job = loom_timeline_model_add_job (model, 1, "hosts", LOOM_JOB_PARALLEL, Z);
  const char *expected[] = { "engine 1 · here", "engine 2 · here", "engine 3 · nodeA", "engine 4 · 10.0.0.7" };
  char *label;

  for (guint e = 1; e <= 4; e++)
    {
      loom_timeline_model_task_started (model, job, e, e, Z + 100);
      loom_timeline_model_task_finished (model, job, e, e, LOOM_TASK_DONE, Z + 100, Z + 1000);
    }
  /* Two tasks at once on engine 1: a sub-lane, drawn right below it. */
  loom_timeline_model_task_started (model, job, 9, 1, Z + 200);
  g_assert_cmpuint (loom_timeline_model_get_n_lanes (model), ==, 5);

  g_assert_cmpuint (loom_timeline_model_get_n_lane_hosts (model), ==, 0);
  for (guint e = 1; e <= 4; e++)
    loom_timeline_model_set_engine_host (model, e, "here.example.org");
  g_assert_cmpuint (loom_timeline_model_get_n_lane_hosts (model), ==, 1);
  for (guint l = 0; l < loom_timeline_model_get_n_lanes (model); l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (model, l);
      g_autofree char *want = lane->sub ? g_strdup_printf ("engine %d (2)", lane->engine_id)
                                        : g_strdup_printf ("engine %d", lane->engine_id);

      label = loom_timeline_lane_label (model, l, FALSE);
      g_assert_cmpstr (label, ==, want);
      g_free (label);
    }

  loom_timeline_model_set_engine_host (model, 3, "nodeA.cluster.example.org");
  loom_timeline_model_set_engine_host (model, 4, "10.0.0.7");
  g_assert_cmpuint (loom_timeline_model_get_n_lane_hosts (model), ==, 3);
  for (guint l = 0; l < loom_timeline_model_get_n_lanes (model); l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (model, l);

      label = loom_timeline_lane_label (model, l, TRUE);
      if (lane->sub)
        g_assert_cmpstr (label, ==, "engine 1 (2)");
      else
        g_assert_cmpstr (label, ==, expected[lane->engine_id - 1]);
      g_free (label);
    }
}
/* "640pt" or "640": Cairo writes points. */
static double
svg_length (const char *text)
{
  char *end = NULL;
  double v;

  g_assert_nonnull (text);
  v = g_ascii_strtod (text, &end);
  g_assert_true (*end == '\0' || g_str_equal (end, "pt") || g_str_equal (end, "px"));
  return v;
}

static void
test_export (void)
{
  g_autoptr(LoomTimelineModel) model = synthetic_model (1000, 8, 0, NULL);
  g_autofree char *dir = g_dir_make_tmp ("loom-export-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "t.png", NULL);
  g_autofree char *png_auto = g_build_filename (dir, "auto.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "t.svg", NULL);
  g_autofree char *pdf = g_build_filename (dir, "t.pdf", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GRegex) media_box = g_regex_new ("/MediaBox\\s*\\[\\s*0\\s+0\\s+640(\\.0*)?\\s+360(\\.0*)?\\s*\\]", G_REGEX_RAW, 0, NULL);
  gsize len;

  /* PNG at 640×360. */
  g_assert_true (loom_timeline_export_image (model, LOOM_EXPORT_PNG, 640, 360, FALSE, png, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 640);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 360);
  g_clear_object (&texture);

  /* Width 800, height what 8 lanes of 18 px need: the axis (22), the
   * job's header (22), 8 × (18 + 2) and 8 px below = 212. */
  g_assert_true (loom_timeline_export_image (model, LOOM_EXPORT_PNG, 800, 0, TRUE, png_auto, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_filename (png_auto, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 800);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 212);
  g_clear_object (&texture);

  /* SVG: well-formed XML whose root is 640 × 360 (points). */
  g_assert_true (loom_timeline_export_image (model, LOOM_EXPORT_SVG, 640, 360, FALSE, svg, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &text, &len, &error));
  {
    GMarkupParser parser = { svg_start, NULL, NULL, NULL, NULL };
    SvgRoot root = { NULL, NULL, 0 };
    GMarkupParseContext *context = g_markup_parse_context_new (&parser, 0, &root, NULL);

    g_assert_true (g_markup_parse_context_parse (context, text, len, &error));
    g_assert_true (g_markup_parse_context_end_parse (context, &error));
    g_assert_no_error (error);
    g_markup_parse_context_free (context);
    g_assert_cmpuint (root.elements, >, 100);
    g_assert_cmpfloat (svg_length (root.width), ==, 640);
    g_assert_cmpfloat (svg_length (root.height), ==, 360);
    g_free (root.width);
    g_free (root.height);
  }
  g_clear_pointer (&text, g_free);

  /* PDF: a PDF, one page of 640 × 360 points. */
  g_assert_true (loom_timeline_export_image (model, LOOM_EXPORT_PDF, 640, 360, FALSE, pdf, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf, &text, &len, &error));
  g_assert_cmpuint (len, >, 1000);
  g_assert_true (g_str_has_prefix (text, "%PDF-"));
  g_assert_true (g_regex_match_full (media_box, text, len, 0, 0, NULL, NULL));
  g_clear_pointer (&text, g_free);

  /* Sizes nobody can want: refused, nothing written. */
  g_assert_false (loom_timeline_export_image (model, LOOM_EXPORT_PNG, 100, 360, FALSE, bad, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (loom_timeline_export_image (model, LOOM_EXPORT_SVG, 640, 50, FALSE, bad, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (loom_timeline_export_image (model, LOOM_EXPORT_PDF, 30000, 360, FALSE, bad, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* Text formats are loom_export_reports()'s. */
  g_assert_false (loom_timeline_export_image (model, LOOM_EXPORT_CSV, 640, 360, FALSE, bad, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“csv”"));
  g_clear_error (&error);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));

  /* A directory that does not exist: an error, not a crash. */
  {
    g_autofree char *nowhere = g_build_filename (dir, "no", "such", "t.png", NULL);

    g_assert_false (loom_timeline_export_image (model, LOOM_EXPORT_PNG, 640, 360, FALSE, nowhere, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  g_unlink (png);
  g_unlink (png_auto);
  g_unlink (svg);
  g_unlink (pdf);
  g_rmdir (dir);
}

/* The 10^5-task timeline as the export draws it, kept to look at. */
static void
test_screenshot (void)
{
  g_autofree char *path = artifact_path ("timeline-100k.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  g_assert_true (loom_timeline_export_image (big_model, LOOM_EXPORT_PNG, 1280, 800, FALSE, path, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 1280);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 800);
  g_test_message ("timeline written to %s", path);
}

/* Lanes of more than a thousand bars keep a level-of-detail table: busy time
 * per bin, so a zoomed-out frame reads bins, not bars.  The table holds
 * every finished bar's time, and frames drawn from it or from the bars
 * still stand for every bar in view. */
static void
test_lod (void)
{
  gint64 now;
  g_autoptr(LoomTimelineModel) model = synthetic_model (40000, 4, 0, &now);
  double fractions[] = { 1, 1.0 / 5000 };

  guint big = 0, biggest = 0;

  for (guint l = 0; l < loom_timeline_model_get_n_lanes (model); l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (model, l);
      double in_bins = 0, in_bars = 0;

      /* Sub-lanes of a few overlapping bars keep no table. */
      if (lane->n_bars < LOOM_TIMELINE_LOD_MIN_BARS)
        continue;
      big++;
      if (lane->n_bars > loom_timeline_model_get_lane (model, biggest)->n_bars)
        biggest = l;
      g_assert_nonnull (lane->lod_busy);
      g_assert_cmpuint (lane->lod_n_bins, <=, LOOM_TIMELINE_LOD_BINS);
      for (guint b = 0; b < lane->lod_n_bins; b++)
        in_bins += lane->lod_busy[b];
      for (guint i = 0; i < lane->n_bars; i++)
        in_bars += lane->bars[i].end - MAX (0, lane->bars[i].start);
      g_assert_cmpfloat_with_epsilon (in_bins, in_bars, in_bars * 1e-4);
    }
  g_assert_cmpuint (big, ==, 4);

  for (guint f = 0; f < G_N_ELEMENTS (fractions); f++)
    {
      g_autoptr(GskRenderNode) node = NULL;
      LoomTimelineDrawStats stats;
      LoomTimelineView view;

      view_init (&view, model, 1280, 800);
      if (fractions[f] < 1)
        view_zoom (&view, model, fractions[f], 0.5);
      node = loom_timeline_render_node (model, &view, &stats);
      g_assert_nonnull (node);
      g_assert_cmpuint (stats.n_covered, ==, stats.n_visible);
      if (f == 0)
        {
          /* Zoomed out: one row of pixels per lane, read from the table,
           * failed tasks among them still marked. */
          const LoomTimelineLane *lane = loom_timeline_model_get_lane (model, biggest);

          g_assert_cmpfloat (view.us_per_px, >=, lane->lod_bin_us);
          g_assert_cmpuint (stats.n_visible, ==, loom_timeline_model_get_n_bars (model));
          g_assert_cmpuint (stats.n_textures, >=, big);
          g_assert_cmpuint (stats.n_mark_pixels, >, 0);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);

  /* No display needed: the drawing code's own text context makes sure
   * GTK's render node types exist. */
  pango = loom_timeline_text_context_new ();
  if (g_type_from_name ("GskColorNode") == 0)
    {
      test_skip_all ("GTK's render nodes are not available");
    }
  big_model = synthetic_model (100000, 64, 0, NULL);

  g_test_add_func ("/loom/timeline-render/culling", test_culling);
  g_test_add_func ("/loom/timeline-render/nodes", test_nodes);
  g_test_add_func ("/loom/timeline-render/hit", test_hit);
  g_test_add_func ("/loom/timeline-render/marks", test_marks);
  g_test_add_func ("/loom/timeline-render/lod", test_lod);
  g_test_add_func ("/loom/timeline-render/lane-hosts", test_lane_hosts);
  g_test_add_func ("/loom/timeline-render/export", test_export);
  g_test_add_func ("/loom/timeline-render/screenshot", test_screenshot);

  result = g_test_run ();
  g_clear_object (&big_model);
  g_clear_object (&pango);
  return result;
}
