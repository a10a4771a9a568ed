/* loom-constant-row.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One constant argument of the sweep form, `name = value`: the same for
 * every task, the value as loom_value_from_text() reads it.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n.h>

#include "loom-constant-row.h"

struct _LoomConstantRow
{
  LoomFormRow  parent_instance;

  GtkEditable *value;
};

G_DEFINE_FINAL_TYPE (LoomConstantRow, loom_constant_row, LOOM_TYPE_FORM_ROW)

static char *
loom_constant_row_dup_value (LoomFormRow *row)
{
  return loom_form_row_text_of (LOOM_CONSTANT_ROW (row)->value);
}

static void
loom_constant_row_set_value (LoomFormRow *row,
                             const char  *value)
{
  gtk_editable_set_text (LOOM_CONSTANT_ROW (row)->value, value);
}

static gboolean
loom_constant_row_is_empty (LoomFormRow *row)
{
  g_autofree char *name = loom_form_row_dup_name (row);
  g_autofree char *value = loom_constant_row_dup_value (row);

  return *name == '\0' && *value == '\0';
}

static void
loom_constant_row_class_init (LoomConstantRowClass *klass)
{
  LoomFormRowClass *row_class = LOOM_FORM_ROW_CLASS (klass);

  row_class->dup_value = loom_constant_row_dup_value;
  row_class->set_value = loom_constant_row_set_value;
  row_class->is_empty = loom_constant_row_is_empty;
  row_class->add_to_sweep = loom_sweep_add_constant;
  row_class->missing_name = N_("Give the argument a name");

  loom_form_row_class_set_template (row_class, "/dev/loom/Loom/loom-constant-row.ui");
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LoomConstantRow, value);
}

static void
loom_constant_row_init (LoomConstantRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * loom_constant_row_new:
 *
 * Returns: (transfer floating): a new, empty row
 */
LoomConstantRow *
loom_constant_row_new (void)
{
  return g_object_new (LOOM_TYPE_CONSTANT_ROW, NULL);
}
