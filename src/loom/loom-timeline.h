/* loom-timeline.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "loom.h"
#include "loom-timeline-render.h"

G_BEGIN_DECLS

#define LOOM_TYPE_TIMELINE (loom_timeline_get_type ())

G_DECLARE_FINAL_TYPE (LoomTimeline, loom_timeline, LOOM, TIMELINE, GtkWidget)

GtkWidget         *loom_timeline_new               (void);
void               loom_timeline_set_result        (LoomTimeline     *self,
                                                    LoomAsyncResult  *result);
guint              loom_timeline_add_result        (LoomTimeline     *self,
                                                    LoomAsyncResult  *result,
                                                    const char       *name,
                                                    LoomJobMode       mode,
                                                    GBytes           *params,
                                                    gint64            submitted);
void               loom_timeline_clear             (LoomTimeline     *self);
LoomTimelineModel *loom_timeline_get_model         (LoomTimeline     *self);
guint              loom_timeline_get_n_bars        (LoomTimeline     *self);
guint              loom_timeline_get_n_lanes       (LoomTimeline     *self);
const LoomTimelineView *loom_timeline_get_view     (LoomTimeline     *self);
const LoomTimelineDrawStats *loom_timeline_get_draw_stats (LoomTimeline *self);
void               loom_timeline_zoom              (LoomTimeline     *self,
                                                    double            factor,
                                                    double            x);
void               loom_timeline_pan               (LoomTimeline     *self,
                                                    double            dx,
                                                    double            dy);
void               loom_timeline_fit               (LoomTimeline     *self);
gboolean           loom_timeline_get_follow        (LoomTimeline     *self);
gboolean           loom_timeline_get_ticking       (LoomTimeline     *self);
gboolean           loom_timeline_select_at         (LoomTimeline     *self,
                                                    double            x,
                                                    double            y);
gboolean           loom_timeline_get_selected      (LoomTimeline     *self,
                                                    guint            *job,
                                                    guint            *index);
void               loom_timeline_select_range      (LoomTimeline     *self,
                                                    gint64            from,
                                                    gint64            to);
char              *loom_timeline_describe_task     (LoomTimeline     *self,
                                                    guint             job,
                                                    guint             index,
                                                    gboolean          full);
char              *loom_timeline_describe_bar      (LoomTimeline     *self,
                                                    guint             lane,
                                                    guint             position,
                                                    gboolean          full);
char              *loom_timeline_describe_selected (LoomTimeline     *self);
char              *loom_timeline_describe_range    (LoomTimeline     *self);

G_END_DECLS
