/* loom-engines-view.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "loom.h"
#include "loom-add-engines-form.h"

G_BEGIN_DECLS

#define LOOM_TYPE_ENGINES_VIEW (loom_engines_view_get_type ())

G_DECLARE_FINAL_TYPE (LoomEnginesView, loom_engines_view, LOOM, ENGINES_VIEW, GtkWidget)

GListModel *loom_engines_view_get_engines (LoomEnginesView *self);
void        loom_engines_view_set_engines (LoomEnginesView *self,
                                           GListModel      *engines);
void        loom_engines_view_set_message (LoomEnginesView *self,
                                           const char      *message);

LoomAddEnginesForm *loom_engines_view_get_add_form      (LoomEnginesView *self);
void                loom_engines_view_open_add_form     (LoomEnginesView *self,
                                                         const char      *way);
void                loom_engines_view_close_add_form    (LoomEnginesView *self);
gboolean            loom_engines_view_get_add_form_open (LoomEnginesView *self);
void                loom_engines_view_show_launch_error (LoomEnginesView *self,
                                                         const char      *message);

G_END_DECLS
