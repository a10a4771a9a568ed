/* loom-add-engines-form.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LOOM_TYPE_ADD_ENGINES_FORM (loom_add_engines_form_get_type ())

G_DECLARE_FINAL_TYPE (LoomAddEnginesForm, loom_add_engines_form, LOOM, ADD_ENGINES_FORM, GtkWidget)

const char *loom_add_engines_form_get_way     (LoomAddEnginesForm *self);
void        loom_add_engines_form_set_way     (LoomAddEnginesForm *self,
                                               const char         *way);
gboolean    loom_add_engines_form_submit      (LoomAddEnginesForm *self);
void        loom_add_engines_form_show_error  (LoomAddEnginesForm *self,
                                               const char         *message);
const char *loom_add_engines_form_get_message (LoomAddEnginesForm *self);
void        loom_add_engines_form_reset       (LoomAddEnginesForm *self);

G_END_DECLS
