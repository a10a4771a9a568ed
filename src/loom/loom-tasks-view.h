/* loom-tasks-view.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "loom-job.h"

G_BEGIN_DECLS

#define LOOM_TYPE_TASKS_VIEW (loom_tasks_view_get_type ())

G_DECLARE_FINAL_TYPE (LoomTasksView, loom_tasks_view, LOOM, TASKS_VIEW, GtkWidget)

void     loom_tasks_view_set_job            (LoomTasksView *self,
                                             LoomJob       *job);
void     loom_tasks_view_set_details        (LoomTasksView *self,
                                             const char    *text);
char    *loom_tasks_view_get_details_text   (LoomTasksView *self);
gint     loom_tasks_view_get_selected_index (LoomTasksView *self);
char    *loom_tasks_view_copy_selected      (LoomTasksView *self);

G_END_DECLS
