/* loom-timeline-render.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "loom.h"
#include "loom-timeline-model.h"

G_BEGIN_DECLS

#define LOOM_TIMELINE_LABEL_WIDTH 136

/**
 * LoomTimelineView:
 *
 * Which part of a #LoomTimelineModel is drawn, and how.  Times are µs
 * relative to each job's zero, so jobs drawn together share their zero.
 */
typedef struct
{
  int           width;
  int           height;
  double        t_left;         /* time at the plot's left edge */
  double        us_per_px;      /* zoom */
  double        scroll_y;       /* lanes scrolled up, px */
  double        lane_height;
  gint64        now;            /* µs since the epoch: where running bars end */
  gboolean      dark;
  GdkRGBA       fg;
  PangoContext *pango;
  gint          selected_lane;  /* -1: none */
  guint         selected_pos;
  gint          hover_lane;     /* -1: none */
  guint         hover_pos;
  gboolean      has_range;
  gint64        range_from;
  gint64        range_to;
} LoomTimelineView;

/**
 * LoomTimelineDrawStats:
 * @n_rects: bar rectangles drawn (merged runs count once)
 * @n_textures: lanes drawn as one row of pixels (dense lanes)
 * @n_marks: marked (failed, lost, retried, aborted) striped rectangles drawn
 * @n_mark_pixels: marked pixel columns in dense lanes
 * @n_labels: text labels drawn
 * @n_covered: finished bars those rectangles stand for
 * @n_running: running bars drawn
 * @n_visible: finished bars in the visible time range, counted one by one
 *
 * What a frame drew; the tests check that @n_covered == @n_visible, so
 * culling and merging never lose a task.
 */
typedef struct
{
  guint   n_rects;
  guint   n_textures;
  guint   n_marks;
  guint   n_mark_pixels;
  guint   n_labels;
  guint64 n_covered;
  guint   n_running;
  guint64 n_visible;
} LoomTimelineDrawStats;

void     loom_timeline_view_init        (LoomTimelineView        *view,
                                         int                      width,
                                         int                      height);
void     loom_timeline_view_fit         (LoomTimelineView        *view,
                                         LoomTimelineModel       *model,
                                         gboolean                 fit_lanes);
void     loom_timeline_view_fit_extent  (LoomTimelineView        *view,
                                         LoomTimelineModel       *model,
                                         gint64                   extent,
                                         gboolean                 fit_lanes);
double   loom_timeline_view_plot_x      (const LoomTimelineView  *view);
double   loom_timeline_view_plot_width  (const LoomTimelineView  *view);
double   loom_timeline_view_lanes_top   (const LoomTimelineView  *view,
                                         LoomTimelineModel       *model);
double   loom_timeline_view_content_height (const LoomTimelineView *view,
                                         LoomTimelineModel       *model);
double   loom_timeline_view_time_to_x   (const LoomTimelineView  *view,
                                         double                   t);
double   loom_timeline_view_x_to_time   (const LoomTimelineView  *view,
                                         double                   x);
gboolean loom_timeline_view_lane_at     (const LoomTimelineView  *view,
                                         LoomTimelineModel       *model,
                                         double                   y,
                                         guint                   *lane);
gboolean loom_timeline_view_lane_rect   (const LoomTimelineView  *view,
                                         LoomTimelineModel       *model,
                                         guint                    lane,
                                         graphene_rect_t         *rect);
gboolean loom_timeline_view_hit         (const LoomTimelineView  *view,
                                         LoomTimelineModel       *model,
                                         double                   x,
                                         double                   y,
                                         guint                   *lane,
                                         guint                   *position);
void     loom_timeline_draw_static      (LoomTimelineModel       *model,
                                         const LoomTimelineView  *view,
                                         GtkSnapshot             *snapshot,
                                         LoomTimelineDrawStats   *stats);
void     loom_timeline_draw_live        (LoomTimelineModel       *model,
                                         const LoomTimelineView  *view,
                                         GtkSnapshot             *snapshot,
                                         LoomTimelineDrawStats   *stats);
GskRenderNode *loom_timeline_render_node (LoomTimelineModel      *model,
                                         const LoomTimelineView  *view,
                                         LoomTimelineDrawStats   *stats);
char    *loom_timeline_format_time      (double                   seconds);
char    *loom_timeline_lane_label       (LoomTimelineModel       *model,
                                         guint                    lane,
                                         gboolean                 with_host);
char    *loom_timeline_describe_jobs    (LoomTimelineModel       *model);
PangoContext *loom_timeline_text_context_new (void);
gboolean loom_timeline_export_image     (LoomTimelineModel       *model,
                                         LoomExportFormat         format,
                                         int                      width,
                                         int                      height,
                                         gboolean                 dark,
                                         const char              *path,
                                         GError                 **error);

G_END_DECLS
