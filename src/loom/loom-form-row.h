/* loom-form-row.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "loom.h"

G_BEGIN_DECLS

#define LOOM_TYPE_FORM_ROW (loom_form_row_get_type ())

G_DECLARE_DERIVABLE_TYPE (LoomFormRow, loom_form_row, LOOM, FORM_ROW, GtkListBoxRow)

struct _LoomFormRowClass
{
  GtkListBoxRowClass parent_class;

  /* What follows `name=` in the row's text. */
  char     *(*dup_value)    (LoomFormRow  *self);
  void      (*set_value)    (LoomFormRow  *self,
                             const char   *value);
  gboolean  (*is_empty)     (LoomFormRow  *self);

  /* How a row's text joins a sweep: loom_sweep_add_spec() or
   * loom_sweep_add_constant(). */
  gboolean  (*add_to_sweep) (LoomSweep    *sweep,
                             const char   *text,
                             GError      **error);

  /* What a row without a name is told (N_(), translated when shown). */
  const char *missing_name;
};

char       *loom_form_row_dup_text           (LoomFormRow       *self);
void        loom_form_row_set_text           (LoomFormRow       *self,
                                              const char        *text);
gboolean    loom_form_row_is_empty           (LoomFormRow       *self);
char       *loom_form_row_dup_name           (LoomFormRow       *self);
gboolean    loom_form_row_check              (LoomFormRow       *self,
                                              LoomSweep         *sweep,
                                              gboolean           name_taken,
                                              gboolean           show,
                                              GError           **error);
void        loom_form_row_focus_name         (LoomFormRow       *self);

/* For the subclasses. */
void        loom_form_row_class_set_template (LoomFormRowClass  *klass,
                                              const char        *resource_name);
const char *loom_form_row_get_name           (LoomFormRow       *self);
void        loom_form_row_edited             (LoomFormRow       *self);
char       *loom_form_row_text_of            (GtkEditable       *editable);

G_END_DECLS
