/* loom-timeline-render-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the timeline's drawing files share: the layout's fixed sizes, the
 * small helpers drawing calls per bar (inline, as they were in one file)
 * and the parts each file draws for loom-timeline-render.c: text, the
 * axis and job descriptions (loom-timeline-render-text.c) and a lane's
 * bars (loom-timeline-render-lanes.c).
 */

#pragma once

#include <math.h>

#include "loom-timeline-render.h"

G_BEGIN_DECLS

#define SUMMARY_HEIGHT 24
#define AXIS_HEIGHT    22
#define JOB_HEIGHT     22
#define RIGHT_MARGIN   8
#define MAX_LABELS     2000

static inline GdkRGBA
timeline_with_alpha (const GdkRGBA *c,
                     double         alpha)
{
  return (GdkRGBA) { c->red, c->green, c->blue, alpha };
}

/* Where the lanes begin: below the jobs' summary line, if any, and the axis. */
static inline double
timeline_top_band (LoomTimelineModel *model)
{
  return (loom_timeline_model_get_n_jobs (model) >= 2 ? SUMMARY_HEIGHT : 0) + AXIS_HEIGHT;
}

/* The plot's geometry, inline for the code that runs per bar (the public
 * loom_timeline_view_plot_width() and friends are these). */
static inline double
timeline_plot_width (const LoomTimelineView *view)
{
  return MAX (1, view->width - LOOM_TIMELINE_LABEL_WIDTH - RIGHT_MARGIN);
}

static inline double
timeline_time_to_x (const LoomTimelineView *view,
                    double                  t)
{
  return LOOM_TIMELINE_LABEL_WIDTH + (t - view->t_left) / view->us_per_px;
}

static inline double
timeline_x_to_time (const LoomTimelineView *view,
                    double                  x)
{
  return view->t_left + (x - LOOM_TIMELINE_LABEL_WIDTH) * view->us_per_px;
}

/* Snapped pixel span of a bar: whole pixels, at least one wide, and
 * clamped to just past the plot (render nodes hold floats: a bar that
 * ends 10^9 pixels away would end at the wrong pixel). */
static inline void
timeline_bar_span (const LoomTimelineView *view,
                   gint64                  start,
                   gint64                  end,
                   double                 *x0,
                   double                 *x1)
{
  double lo = LOOM_TIMELINE_LABEL_WIDTH - 2;
  double hi = LOOM_TIMELINE_LABEL_WIDTH + timeline_plot_width (view) + 2;

  *x0 = CLAMP (floor (timeline_time_to_x (view, start)), lo, hi);
  *x1 = CLAMP (floor (timeline_time_to_x (view, end)), lo, hi);
  if (*x1 < *x0 + 1)
    *x1 = *x0 + 1;
}

/* --- text, axis, descriptions (loom-timeline-render-text.c) --------------- */

gboolean timeline_draw_text     (const LoomTimelineView *view,
                                 GtkSnapshot            *snapshot,
                                 const char             *text,
                                 double                  x,
                                 double                  y,
                                 double                  max_width,
                                 double                  max_height,
                                 const GdkRGBA          *color,
                                 gboolean                bold);
void     timeline_draw_axis     (const LoomTimelineView *view,
                                 LoomTimelineModel      *model,
                                 GtkSnapshot            *snapshot,
                                 LoomTimelineDrawStats  *stats,
                                 double                  lanes_bottom);
char    *timeline_describe_job  (LoomTimelineModel      *model,
                                 guint                   j);

/* --- lanes (loom-timeline-render-lanes.c) --------------------------------- */

void     timeline_draw_lane_bars (const LoomTimelineView *view,
                                  const LoomTimelineLane *lane,
                                  double                  y,
                                  const GdkRGBA          *color,
                                  GtkSnapshot            *snapshot,
                                  LoomTimelineDrawStats  *stats);

G_END_DECLS
