/* loom-timeline-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the timeline's files share: its state, and the few functions one
 * file offers the others (drawing and selection in loom-timeline.c,
 * input in loom-timeline-input.c, words in loom-timeline-describe.c).
 */

#pragma once

#include "loom-timeline.h"

G_BEGIN_DECLS

typedef struct
{
  LoomAsyncResult *result;
  GBytes          *params;
  guint            slot;
  gboolean         zero_known;
} JobSource;

struct _LoomTimeline
{
  GtkWidget              parent_instance;

  LoomTimelineModel     *model;
  GPtrArray             *sources;        /* JobSource, by slot */
  LoomTimelineView       view;
  LoomTimelineDrawStats  stats;
  gboolean               auto_fit;       /* zoom out as the data grows */
  gboolean               follow;         /* keep the newest time in view */
  gint64                 fitted_extent;  /* what auto-fit shows, µs */
  guint                  tick_id;

  GskRenderNode         *cache;
  guint64                cache_generation;
  LoomTimelineView       cache_view;

  /* Selection, by task, so it survives bars moving in their lane. */
  gint                   selected_job;   /* -1: none */
  guint                  selected_index;
  gint64                 selected_start;

  /* Interaction */
  double                 pointer_x;
  double                 drag_t_left;
  double                 drag_scroll_y;
  double                 zoom_us_per_px;
  gboolean               drag_range;
  gboolean               dragged;
};

void loom_timeline_update_view       (LoomTimeline   *self);
void loom_timeline_locate_selection  (LoomTimeline   *self);
void loom_timeline_set_selection     (LoomTimeline   *self,
                                      gint            lane_n,
                                      guint           pos);
void loom_timeline_class_init_input  (GtkWidgetClass *widget_class);
void loom_timeline_init_input        (LoomTimeline   *self);
gboolean loom_timeline_query_tooltip (GtkWidget      *widget,
                                      int             x,
                                      int             y,
                                      gboolean        keyboard,
                                      GtkTooltip     *tooltip);

G_END_DECLS
