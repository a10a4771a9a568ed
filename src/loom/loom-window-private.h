/* loom-window-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What loom-window.c shares with its actions, loom-window-actions.c.
 */

#pragma once

#include "loom-engines-view.h"
#include "loom-job.h"
#include "loom-tasks-view.h"
#include "loom-window.h"

G_BEGIN_DECLS

struct _LoomWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toasts;
  LoomEnginesView      *engines_view;
  LoomSweepForm        *form;
  GtkListBox           *jobs;
  GtkLabel             *tasks_title;
  LoomTimeline         *timeline;
  GtkLabel             *range_label;
  LoomTasksView        *tasks_view;

  GListStore           *job_store;      /* LoomJob, the newest first */
  LoomJob              *selected;       /* the job whose tasks are shown */
  guint                 selected_slot;  /* its job slot in the timeline */
  guint                 next_job_id;
  GListModel           *engines;
  GCancellable         *cancellable;    /* the requests the window made, cancelled as it goes */
  guint                 list_id;        /* lists the controller's jobs every few seconds */
  gboolean              listing;        /* a listing is under way */
};

void        loom_window_class_install_actions (GtkWidgetClass *widget_class);
LoomClient *loom_window_get_client            (LoomWindow     *self);
LoomJob    *loom_window_find_job              (LoomWindow     *self,
                                               guint           id);
void        loom_window_add_job               (LoomWindow     *self,
                                               LoomJob        *job);
void        loom_window_select_job            (LoomWindow     *self,
                                               LoomJob        *job);
void        loom_window_toast                 (LoomWindow     *self,
                                               const char     *text);

G_END_DECLS
