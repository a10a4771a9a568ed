/* loom-window.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "loom-application.h"
#include "loom-engines-view.h"
#include "loom-sweep-form.h"
#include "loom-timeline.h"

G_BEGIN_DECLS

#define LOOM_TYPE_WINDOW (loom_window_get_type ())

G_DECLARE_FINAL_TYPE (LoomWindow, loom_window, LOOM, WINDOW, AdwApplicationWindow)

LoomWindow *loom_window_new          (LoomApplication *application);
GListModel    *loom_window_get_engines  (LoomWindow      *self);
LoomSweepForm *loom_window_get_form     (LoomWindow      *self);
GListModel    *loom_window_get_jobs     (LoomWindow      *self);
LoomTimeline  *loom_window_get_timeline (LoomWindow      *self);
LoomEnginesView *loom_window_get_engines_view (LoomWindow *self);
char          *loom_window_get_details_text (LoomWindow  *self);
char          *loom_window_copy_selected_task (LoomWindow *self);
gint           loom_window_get_selected_task_index (LoomWindow *self);
void           loom_window_export_job_async (LoomWindow          *self,
                                             LoomAsyncResult     *result,
                                             LoomExportFormat     format,
                                             GFile               *file,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void           loom_window_export_timeline_async (LoomWindow              *self,
                                                  GPtrArray               *results,
                                                  LoomExportFormat         format,
                                                  GFile                   *file,
                                                  GCancellable            *cancellable,
                                                  GAsyncReadyCallback      callback,
                                                  gpointer                 user_data);
gboolean       loom_window_export_finish    (LoomWindow          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
