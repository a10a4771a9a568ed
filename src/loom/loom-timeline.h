/* loom-timeline.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "loom.h"

G_BEGIN_DECLS

#define LOOM_TYPE_TIMELINE (loom_timeline_get_type ())

G_DECLARE_FINAL_TYPE (LoomTimeline, loom_timeline, LOOM, TIMELINE, GtkWidget)

GtkWidget *loom_timeline_new         (void);
void       loom_timeline_set_result  (LoomTimeline    *self,
                                      LoomAsyncResult *result);
guint      loom_timeline_get_n_bars  (LoomTimeline    *self);
guint      loom_timeline_get_n_lanes (LoomTimeline    *self);

G_END_DECLS
