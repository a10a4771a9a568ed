/* loom-timeline-render.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Draws a LoomTimelineModel into a GtkSnapshot: the code the LoomTimeline
 * widget, image export (PNG, SVG, PDF through Cairo) and `loomctl bench
 * --timeline` share, so what is exported and measured is what is seen.
 *
 * Fast at any count because nothing is drawn per task unless it shows:
 * lanes off screen are skipped; in a lane, the first visible bar is found
 * by binary search on ends (a lane's bars never overlap, so ends are
 * sorted like starts); bars that fall into the pixels a run already
 * covers are merged into it, and the run skips over them by binary search
 * on starts, so a lane costs O(min(bars, pixels) · log bars).  Marked bars
 * (failed, lost, retried, aborted) are listed per lane and drawn on top,
 * so merging never hides them.  The stats count what each rectangle
 * stands for, so the tests can check nothing was lost.
 *
 * This file holds the view's geometry and hit-testing and the static and
 * live parts of a frame; text and the axis, a lane's bars and image export
 * have files of their own (see loom-timeline-render-private.h).
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "loom-timeline-render-private.h"

typedef struct
{
  guint8 r, g, b;
} Rgb;

/* GNOME palette colours for jobs; red, orange and grey are kept for
 * failed, lost and aborted tasks. */
static const Rgb job_colors[] = {
  { 0x35, 0x84, 0xe4 },   /* blue */
  { 0x26, 0xa2, 0x69 },   /* green */
  { 0x91, 0x41, 0xac },   /* purple */
  { 0x21, 0x90, 0xa4 },   /* teal */
  { 0x98, 0x6a, 0x44 },   /* brown */
  { 0xc0, 0x61, 0xcb },   /* pink */
  { 0x1a, 0x5f, 0xb4 },   /* dark blue */
  { 0x63, 0x8a, 0x2a },   /* olive */
};

static GdkRGBA
rgba (Rgb    c,
      double alpha)
{
  return (GdkRGBA) { c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha };
}

void
loom_timeline_view_init (LoomTimelineView *view,
                         int               width,
                         int               height)
{
  memset (view, 0, sizeof *view);
  view->width = width;
  view->height = height;
  view->us_per_px = 1000;
  view->lane_height = 18;
  view->now = g_get_real_time ();
  view->fg = (GdkRGBA) { 0.14, 0.14, 0.16, 1 };
  view->selected_lane = -1;
  view->hover_lane = -1;
}

double
loom_timeline_view_plot_x (const LoomTimelineView *view)
{
  return LOOM_TIMELINE_LABEL_WIDTH;
}

double
loom_timeline_view_plot_width (const LoomTimelineView *view)
{
  return timeline_plot_width (view);
}

double
loom_timeline_view_time_to_x (const LoomTimelineView *view,
                              double                  t)
{
  return timeline_time_to_x (view, t);
}

double
loom_timeline_view_x_to_time (const LoomTimelineView *view,
                              double                  x)
{
  return timeline_x_to_time (view, x);
}

double
loom_timeline_view_lanes_top (const LoomTimelineView *view,
                              LoomTimelineModel      *model)
{
  return timeline_top_band (model);
}

static double
row_gap (const LoomTimelineView *view)
{
  return view->lane_height >= 10 ? 2 : view->lane_height >= 4 ? 1 : 0;
}

/* The rows below the axis, in content coordinates (not scrolled): per
 * job a header, then its lanes.  job_y has one more entry, the height of
 * it all, so job j's rows end where job j + 1's begin. */
typedef struct
{
  double *lane_y;
  double *job_y;
  double  height;
} Rows;

static void
rows_layout (const LoomTimelineView *view,
             LoomTimelineModel      *model,
             Rows                   *rows)
{
  guint n_jobs = loom_timeline_model_get_n_jobs (model);
  guint n_lanes = loom_timeline_model_get_n_lanes (model);
  double pitch = view->lane_height + row_gap (view);
  double y = 0;
  guint l = 0;

  rows->lane_y = g_new (double, MAX (1, n_lanes));
  rows->job_y = g_new (double, n_jobs + 1);
  for (guint j = 0; j < n_jobs; j++)
    {
      rows->job_y[j] = y;
      y += JOB_HEIGHT;
      for (; l < n_lanes && loom_timeline_model_get_lane (model, l)->job == j; l++)
        {
          rows->lane_y[l] = y;
          y += pitch;
        }
    }
  rows->job_y[n_jobs] = rows->height = y;
}

static void
rows_clear (Rows *rows)
{
  g_clear_pointer (&rows->lane_y, g_free);
  g_clear_pointer (&rows->job_y, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Rows, rows_clear)

double
loom_timeline_view_content_height (const LoomTimelineView *view,
                                   LoomTimelineModel      *model)
{
  guint n_jobs = loom_timeline_model_get_n_jobs (model);
  guint n_lanes = loom_timeline_model_get_n_lanes (model);

  /* What rows_layout () adds up, without the positions. */
  return n_jobs * JOB_HEIGHT + n_lanes * (view->lane_height + row_gap (view));
}

/**
 * loom_timeline_view_fit:
 * @view: a view
 * @model: what it shows
 * @fit_lanes: also shrink lanes (down to 4 px) so they all fit
 *
 * Zooms out to show every bar.
 */
void
loom_timeline_view_fit (LoomTimelineView  *view,
                        LoomTimelineModel *model,
                        gboolean           fit_lanes)
{
  loom_timeline_view_fit_extent (view, model, loom_timeline_model_get_extent (model, view->now), fit_lanes);
}

/**
 * loom_timeline_view_fit_extent:
 * @view: a view
 * @model: what it shows
 * @extent: the time to show, µs from zero
 * @fit_lanes: also shrink lanes (down to 4 px) so they all fit
 */
void
loom_timeline_view_fit_extent (LoomTimelineView  *view,
                               LoomTimelineModel *model,
                               gint64             extent,
                               gboolean           fit_lanes)
{
  double plot = loom_timeline_view_plot_width (view);

  extent = MAX (extent, 1);

  view->us_per_px = MAX (1e-3, extent * 1.02 / plot);
  view->t_left = -extent * 0.01;
  view->scroll_y = 0;

  if (fit_lanes)
    {
      guint n_lanes = loom_timeline_model_get_n_lanes (model);
      guint n_jobs = loom_timeline_model_get_n_jobs (model);
      double room = view->height - timeline_top_band (model) - n_jobs * JOB_HEIGHT;

      if (n_lanes > 0)
        view->lane_height = CLAMP (floor (room / n_lanes) - 2, 4, 18);
    }
}

gboolean
loom_timeline_view_lane_at (const LoomTimelineView *view,
                            LoomTimelineModel      *model,
                            double                  y,
                            guint                  *lane)
{
  guint n_lanes = loom_timeline_model_get_n_lanes (model);
  g_auto(Rows) rows = { 0 };
  double content_y = y - timeline_top_band (model) + view->scroll_y;

  if (y < timeline_top_band (model))
    return FALSE;
  rows_layout (view, model, &rows);
  for (guint l = 0; l < n_lanes; l++)
    if (content_y >= rows.lane_y[l] && content_y < rows.lane_y[l] + view->lane_height)
      {
        *lane = l;
        return TRUE;
      }
  return FALSE;
}

/**
 * loom_timeline_view_lane_rect:
 * @view: a view
 * @model: what it shows
 * @lane: a lane
 * @rect: (out): where the lane is drawn, in widget coordinates
 *
 * Returns: whether @lane exists
 */
gboolean
loom_timeline_view_lane_rect (const LoomTimelineView *view,
                              LoomTimelineModel      *model,
                              guint                   lane,
                              graphene_rect_t        *rect)
{
  g_auto(Rows) rows = { 0 };

  if (lane >= loom_timeline_model_get_n_lanes (model))
    return FALSE;
  rows_layout (view, model, &rows);
  graphene_rect_init (rect, LOOM_TIMELINE_LABEL_WIDTH, timeline_top_band (model) + rows.lane_y[lane] - view->scroll_y,
                      loom_timeline_view_plot_width (view), view->lane_height);
  return TRUE;
}

/**
 * loom_timeline_view_hit:
 * @view: a view
 * @model: what it shows
 * @x: widget coordinate
 * @y: widget coordinate
 * @lane: (out): the lane hit
 * @position: (out): the bar's position in the lane
 *
 * Hit-testing: the bar under (@x, @y), or the nearest within 3 px in its
 * lane, as it is drawn at this zoom.
 *
 * Returns: whether a bar is there
 */
gboolean
loom_timeline_view_hit (const LoomTimelineView *view,
                        LoomTimelineModel      *model,
                        double                  x,
                        double                  y,
                        guint                  *lane,
                        guint                  *position)
{
  if (x < LOOM_TIMELINE_LABEL_WIDTH || !loom_timeline_view_lane_at (view, model, y, lane))
    return FALSE;
  return loom_timeline_model_find_bar (model, *lane,
                                       (gint64) loom_timeline_view_x_to_time (view, x),
                                       (gint64) (3 * view->us_per_px), view->now, position);
}

/* A host's name up to its domain, to fit the label column; addresses whole. */
static char *
short_host (const char *host)
{
  const char *dot = strchr (host, '.');
  gboolean address = TRUE;

  for (const char *p = host; *p && address; p++)
    address = g_ascii_isdigit (*p) || *p == '.' || *p == ':' || *p == '[' || *p == ']';
  if (dot == NULL || dot == host || address || strchr (host, ':'))
    return g_strdup (host);
  return g_strndup (host, dot - host);
}

/**
 * loom_timeline_lane_label:
 * @model: a #LoomTimelineModel
 * @lane: a lane of @model
 * @with_host: whether to name the engine's host (when the lanes' engines
 *   ran on more than one: see loom_timeline_model_get_n_lane_hosts())
 *
 * Returns: (transfer full): the label drawn left of @lane: "engine 3",
 *   "engine 3 · nodeA", or "engine 3 (2)" for its second sub-lane
 */
char *
loom_timeline_lane_label (LoomTimelineModel *model,
                          guint              lane,
                          gboolean           with_host)
{
  const LoomTimelineLane *l;
  const char *host;

  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (model), NULL);
  g_return_val_if_fail (lane < loom_timeline_model_get_n_lanes (model), NULL);

  l = loom_timeline_model_get_lane (model, lane);
  host = with_host ? loom_timeline_model_get_engine_host (model, l->engine_id) : NULL;
  if (l->sub > 0)
    return g_strdup_printf (_("engine %d (%u)"), l->engine_id, l->sub + 1);
  if (host != NULL)
    {
      g_autofree char *name = short_host (host);

      return g_strdup_printf (_("engine %d · %s"), l->engine_id, name);
    }
  return g_strdup_printf (_("engine %d"), l->engine_id);
}

/**
 * loom_timeline_draw_static:
 * @model: what to draw
 * @view: which part, how
 * @snapshot: where to
 * @stats: (out caller-allocates): what was drawn
 *
 * Everything that does not change while time passes: job headers, lanes
 * and their labels, the axis and grid, finished bars; the widget caches
 * it as one render node.
 */
void
loom_timeline_draw_static (LoomTimelineModel      *model,
                           const LoomTimelineView *view,
                           GtkSnapshot            *snapshot,
                           LoomTimelineDrawStats  *stats)
{
  guint n_jobs = loom_timeline_model_get_n_jobs (model);
  guint n_lanes = loom_timeline_model_get_n_lanes (model);
  g_auto(Rows) rows = { 0 };
  double top = timeline_top_band (model);
  double plot_x = LOOM_TIMELINE_LABEL_WIDTH;
  double plot_w = loom_timeline_view_plot_width (view);
  double bottom;
  GdkRGBA band = timeline_with_alpha (&view->fg, 0.07);
  GdkRGBA stripe = timeline_with_alpha (&view->fg, 0.035);
  GdkRGBA text = timeline_with_alpha (&view->fg, 0.85);
  GdkRGBA dim = timeline_with_alpha (&view->fg, 0.65);
  gboolean with_host;

  memset (stats, 0, sizeof *stats);
  rows_layout (view, model, &rows);
  bottom = MIN (view->height, top + rows.height - view->scroll_y);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, top, view->width, MAX (0, view->height - top)));

  for (guint j = 0; j < n_jobs; j++)
    {
      double y = top + rows.job_y[j] - view->scroll_y;
      g_autofree char *label = NULL;
      const LoomTimelineJob *job = loom_timeline_model_get_job (model, j);
      GdkRGBA swatch = rgba (job_colors[job->color % G_N_ELEMENTS (job_colors)], 1);

      if (y + JOB_HEIGHT < top || y > view->height)
        continue;
      gtk_snapshot_append_color (snapshot, &band, &GRAPHENE_RECT_INIT (0, y + 2, view->width, JOB_HEIGHT - 3));
      gtk_snapshot_append_color (snapshot, &swatch, &GRAPHENE_RECT_INIT (4, y + 7, 10, 10));
      label = timeline_describe_job (model, j);
      if (timeline_draw_text (view, snapshot, label, 20, y + 2, view->width - 28, JOB_HEIGHT - 3, &text, TRUE))
        stats->n_labels++;
    }

  /* Hosts name lanes only where engines ran on more than one. */
  with_host = loom_timeline_model_get_n_lane_hosts (model) > 1;

  for (guint l = 0; l < n_lanes; l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (model, l);
      const LoomTimelineJob *job = loom_timeline_model_get_job (model, lane->job);
      double y = top + rows.lane_y[l] - view->scroll_y;
      GdkRGBA color = rgba (job_colors[job->color % G_N_ELEMENTS (job_colors)], 1);

      if (y + view->lane_height < top || y > view->height)
        continue;

      if (l % 2 == 0)
        gtk_snapshot_append_color (snapshot, &stripe, &GRAPHENE_RECT_INIT (plot_x, y, plot_w, view->lane_height));

      if (view->lane_height >= 6)
        {
          g_autofree char *label = loom_timeline_lane_label (model, l, with_host);

          if (timeline_draw_text (view, snapshot, label, 8, y, LOOM_TIMELINE_LABEL_WIDTH - 12, view->lane_height, &dim, FALSE))
            stats->n_labels++;
        }

      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (plot_x, y, plot_w, view->lane_height));
      timeline_draw_lane_bars (view, lane, y, &color, snapshot, stats);
      gtk_snapshot_pop (snapshot);
    }

  gtk_snapshot_pop (snapshot);

  timeline_draw_axis (view, model, snapshot, stats, MAX (bottom, top));

  /* Nothing is dropped, but dense lanes are drawn as shades: say so. */
  if (stats->n_textures > 0 &&
      timeline_draw_text (view, snapshot, _("shade = busy share"), 8, top - AXIS_HEIGHT + 1,
                          LOOM_TIMELINE_LABEL_WIDTH - 12, AXIS_HEIGHT - 6, &dim, FALSE))
    stats->n_labels++;

  if (n_jobs >= 2)
    {
      g_autofree char *summary = loom_timeline_describe_jobs (model);

      if (timeline_draw_text (view, snapshot, summary, 8, 2, view->width - 16, SUMMARY_HEIGHT - 4, &text, TRUE))
        stats->n_labels++;
    }
}

/**
 * loom_timeline_draw_live:
 * @model: what to draw
 * @view: which part, how
 * @snapshot: where to
 * @stats: (inout): what was drawn, added to
 *
 * What changes as time passes or the pointer moves: running bars growing
 * to now, the now line, hover, selection and the selected range.
 */
void
loom_timeline_draw_live (LoomTimelineModel      *model,
                         const LoomTimelineView *view,
                         GtkSnapshot            *snapshot,
                         LoomTimelineDrawStats  *stats)
{
  guint n_jobs = loom_timeline_model_get_n_jobs (model);
  guint n_lanes = loom_timeline_model_get_n_lanes (model);
  g_auto(Rows) rows = { 0 };
  double top = timeline_top_band (model);
  double plot_x = LOOM_TIMELINE_LABEL_WIDTH;
  double plot_w = loom_timeline_view_plot_width (view);
  GdkRGBA now_color = { 0.88, 0.11, 0.14, 0.8 };

  rows_layout (view, model, &rows);
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (plot_x, top, plot_w, MAX (0, view->height - top)));

  for (guint l = 0; l < n_lanes; l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (model, l);
      const LoomTimelineJob *job = loom_timeline_model_get_job (model, lane->job);
      double y = top + rows.lane_y[l] - view->scroll_y;
      GdkRGBA color = rgba (job_colors[job->color % G_N_ELEMENTS (job_colors)], 0.5);
      GdkRGBA edge = rgba (job_colors[job->color % G_N_ELEMENTS (job_colors)], 1);

      if (lane->n_running == 0 || y + view->lane_height < top || y > view->height)
        continue;
      for (guint pos = lane->n_bars; pos > 0 && lane->bars[pos - 1].end == LOOM_TIMELINE_RUNNING; pos--)
        {
          const LoomTimelineBar *bar = &lane->bars[pos - 1];
          double x0, x1;

          timeline_bar_span (view, bar->start, MAX (bar->start, view->now - job->zero), &x0, &x1);
          gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x0, y, x1 - x0, view->lane_height));
          gtk_snapshot_append_color (snapshot, &edge, &GRAPHENE_RECT_INIT (MAX (x0, x1 - 2), y, MIN (2, x1 - x0), view->lane_height));
          stats->n_running++;
        }
    }

  /* Now, for each job still running, across its lanes. */
  for (guint j = 0; j < n_jobs; j++)
    {
      const LoomTimelineJob *job = loom_timeline_model_get_job (model, j);
      double x = floor (loom_timeline_view_time_to_x (view, view->now - job->zero));
      double y0 = top + rows.job_y[j] - view->scroll_y + JOB_HEIGHT;
      double y1 = top + rows.job_y[j + 1] - view->scroll_y;

      if (job->n_running > 0 && y1 > y0)
        gtk_snapshot_append_color (snapshot, &now_color, &GRAPHENE_RECT_INIT (x, y0, 1, y1 - y0));
    }

  if (view->has_range)
    {
      double x0 = loom_timeline_view_time_to_x (view, MIN (view->range_from, view->range_to));
      double x1 = loom_timeline_view_time_to_x (view, MAX (view->range_from, view->range_to));
      GdkRGBA shade = { 0.21, 0.52, 0.89, 0.18 };
      GdkRGBA line = { 0.21, 0.52, 0.89, 0.9 };
      double h = MAX (0, view->height - top);

      gtk_snapshot_append_color (snapshot, &shade, &GRAPHENE_RECT_INIT (x0, top, MAX (1, x1 - x0), h));
      gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (floor (x0), top, 1, h));
      gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (floor (x1), top, 1, h));
    }

  for (guint i = 0; i < 2; i++)
    {
      gint lane_n = i == 0 ? view->hover_lane : view->selected_lane;
      guint pos = i == 0 ? view->hover_pos : view->selected_pos;
      const LoomTimelineLane *lane;
      const LoomTimelineJob *job;
      const LoomTimelineBar *bar;
      double x0, x1, y, w = i == 0 ? 1 : 2;
      GdkRGBA c = i == 0 ? timeline_with_alpha (&view->fg, 0.6) : view->fg;

      if (lane_n < 0 || (guint) lane_n >= n_lanes)
        continue;
      lane = loom_timeline_model_get_lane (model, lane_n);
      if (pos >= lane->n_bars)
        continue;
      job = loom_timeline_model_get_job (model, lane->job);
      bar = &lane->bars[pos];
      timeline_bar_span (view, bar->start, bar->end == LOOM_TIMELINE_RUNNING ? MAX (bar->start, view->now - job->zero) : bar->end, &x0, &x1);
      y = top + rows.lane_y[lane_n] - view->scroll_y;
      gtk_snapshot_append_border (snapshot,
                                  &GSK_ROUNDED_RECT_INIT (x0 - w, y - w, x1 - x0 + 2 * w, view->lane_height + 2 * w),
                                  (float[4]) { w, w, w, w },
                                  (GdkRGBA[4]) { c, c, c, c });
    }

  gtk_snapshot_pop (snapshot);
}

/**
 * loom_timeline_render_node:
 * @model: what to draw
 * @view: which part, how
 * @stats: (out caller-allocates) (optional): what was drawn
 *
 * Returns: (transfer full) (nullable): one frame, static and live parts
 */
GskRenderNode *
loom_timeline_render_node (LoomTimelineModel      *model,
                           const LoomTimelineView *view,
                           LoomTimelineDrawStats  *stats)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  LoomTimelineDrawStats local;

  if (stats == NULL)
    stats = &local;
  loom_timeline_draw_static (model, view, snapshot, stats);
  loom_timeline_draw_live (model, view, snapshot, stats);
  return gtk_snapshot_free_to_node (snapshot);
}
