/* loom-param-row.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One swept parameter of the sweep form: a name, a kind (list, range,
 * lin, log or random) and that kind's fields.  The row writes the spec
 * `loomctl --sweep` reads (`t=range:0:10`, `lr=log:1e-4:1e-1:4`, …) and
 * reads it back: what does not fit a kind's fields stays in its last
 * field, so a line reads back the same and loom_sweep_add_spec() says
 * what is wrong with it.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "loom-param-row.h"

/* The kinds of a parameter row, in the order of its drop-down. */
typedef enum
{
  KIND_LIST,
  KIND_RANGE,
  KIND_LIN,
  KIND_LOG,
  KIND_RANDOM,
  N_KINDS
} RowKind;

#define N_FIELDS 4

static const char * const kind_words[N_KINDS] = { "list", "range", "lin", "log", "random" };
static const char * const distribution_words[] = { "uniform", "loguniform", "int" };

/* The fields of each kind: start/low, stop/high, step/count, seed. */
static const char * const field_captions[N_KINDS][N_FIELDS] = {
  [KIND_RANGE]  = { N_("Start"), N_("Stop"), N_("Step"), NULL },
  [KIND_LIN]    = { N_("Start"), N_("Stop"), N_("Count"), NULL },
  [KIND_LOG]    = { N_("Start"), N_("Stop"), N_("Count"), NULL },
  [KIND_RANDOM] = { N_("Low"), N_("High"), N_("Count"), N_("Seed") },
};
static const char * const field_tooltips[N_KINDS][N_FIELDS] = {
  [KIND_RANGE]  = { N_("The first value"), N_("The range stops before this value"),
                    N_("The step between values, 1 if empty"), NULL },
  [KIND_LIN]    = { N_("The first value"), N_("The last value"), N_("How many evenly spaced values"), NULL },
  [KIND_LOG]    = { N_("The first value, above 0"), N_("The last value, above 0"),
                    N_("How many values, evenly spaced on a log scale"), NULL },
  [KIND_RANDOM] = { N_("The lowest value"), N_("The highest value (excluded unless drawing integers)"),
                    N_("How many values to draw"), N_("The same seed draws the same values; any if empty") },
};
static const char * const field_placeholders[N_KINDS][N_FIELDS] = {
  [KIND_RANGE]  = { NULL, NULL, "1", NULL },
  [KIND_RANDOM] = { NULL, NULL, NULL, N_("any") },
};

struct _LoomParamRow
{
  LoomFormRow   parent_instance;

  GtkDropDown  *kind;
  GtkWidget    *values_box;
  GtkEditable  *values;          /* list */
  GtkWidget    *distribution_box;
  GtkDropDown  *distribution;    /* random */
  GtkLabel     *caption[N_FIELDS];
  GtkEditable  *field[N_FIELDS];
};

G_DEFINE_FINAL_TYPE (LoomParamRow, loom_param_row, LOOM_TYPE_FORM_ROW)

/* The spec after `name=`, whatever is in the fields. */
static char *
loom_param_row_dup_value (LoomFormRow *row)
{
  LoomParamRow *self = LOOM_PARAM_ROW (row);
  RowKind kind = gtk_drop_down_get_selected (self->kind);
  g_auto(GStrv) f = g_new0 (char *, N_FIELDS + 1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < N_FIELDS; i++)
    f[i] = loom_form_row_text_of (self->field[i]);

  switch (kind)
    {
    case KIND_RANGE:
      g_string_append_printf (out, "range:%s:%s", f[0], f[1]);
      if (*f[2] != '\0')
        g_string_append_printf (out, ":%s", f[2]);
      break;

    case KIND_LIN:
    case KIND_LOG:
      g_string_append_printf (out, "%s:%s:%s:%s", kind_words[kind], f[0], f[1], f[2]);
      break;

    case KIND_RANDOM:
      {
        guint d = gtk_drop_down_get_selected (self->distribution);

        g_string_append_printf (out, "random:%s:%s:%s:%s",
                                distribution_words[MIN (d, G_N_ELEMENTS (distribution_words) - 1)],
                                f[0], f[1], f[2]);
        if (*f[3] != '\0')
          g_string_append_printf (out, ":%s", f[3]);
      }
      break;

    case KIND_LIST:
    case N_KINDS:
    default:
      {
        g_autofree char *values = loom_form_row_text_of (self->values);

        /* A value with a colon would read as a kind without “list:”. */
        if (strchr (values, ':') != NULL)
          g_string_append (out, "list:");
        g_string_append (out, values);
      }
      break;
    }
  return g_string_free (out, FALSE);
}

/* Fills the fields from a spec.  What does not fit a kind's fields stays
 * in its last field. */
static void
loom_param_row_set_value (LoomFormRow *row,
                          const char  *body)
{
  LoomParamRow *self = LOOM_PARAM_ROW (row);
  const char *rest = body;
  g_auto(GStrv) parts = NULL;
  RowKind kind = KIND_LIST;
  guint distribution = 0;

  for (guint k = 0; k < N_KINDS; k++)
    {
      gsize len = strlen (kind_words[k]);

      if (strncmp (body, kind_words[k], len) == 0 && body[len] == ':')
        {
          kind = k;
          rest = body + len + 1;
          break;
        }
    }

  if (kind == KIND_RANDOM)
    {
      g_auto(GStrv) dist = g_strsplit (rest, ":", 2);
      gboolean known = FALSE;

      for (guint d = 0; d < G_N_ELEMENTS (distribution_words) && dist[0]; d++)
        if (g_str_equal (dist[0], distribution_words[d]))
          {
            distribution = d;
            known = TRUE;
          }
      if (known)
        parts = g_strsplit (dist[1] ? dist[1] : "", ":", N_FIELDS);
      else
        {
          /* No field for an unknown distribution: the text, as a list. */
          kind = KIND_LIST;
          rest = body;
        }
    }
  else if (kind != KIND_LIST)
    parts = g_strsplit (rest, ":", 3);

  gtk_editable_set_text (self->values, kind == KIND_LIST ? rest : "");
  for (guint i = 0; i < N_FIELDS; i++)
    gtk_editable_set_text (self->field[i], parts && i < g_strv_length (parts) ? parts[i] : "");
  gtk_drop_down_set_selected (self->distribution, distribution);
  gtk_drop_down_set_selected (self->kind, kind);
}

static gboolean
loom_param_row_is_empty (LoomFormRow *row)
{
  LoomParamRow *self = LOOM_PARAM_ROW (row);

  if (*loom_form_row_get_name (row) != '\0' || *gtk_editable_get_text (self->values) != '\0')
    return FALSE;
  for (guint i = 0; i < N_FIELDS; i++)
    if (*gtk_editable_get_text (self->field[i]) != '\0')
      return FALSE;
  return TRUE;
}

/* Shows the fields of the row's kind, with their captions. */
static void
update_fields (LoomParamRow *self)
{
  RowKind kind = gtk_drop_down_get_selected (self->kind);

  gtk_widget_set_visible (self->values_box, kind == KIND_LIST);
  gtk_widget_set_visible (self->distribution_box, kind == KIND_RANDOM);
  for (guint i = 0; i < N_FIELDS; i++)
    {
      const char *caption = kind < N_KINDS ? field_captions[kind][i] : NULL;
      const char *tooltip = kind < N_KINDS ? field_tooltips[kind][i] : NULL;
      const char *placeholder = kind < N_KINDS ? field_placeholders[kind][i] : NULL;

      /* The caption and its field share a box. */
      gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->field[i])), caption != NULL);
      if (caption == NULL)
        continue;
      gtk_label_set_text (self->caption[i], _(caption));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->field[i]), tooltip ? _(tooltip) : NULL);
      gtk_entry_set_placeholder_text (GTK_ENTRY (self->field[i]), placeholder ? _(placeholder) : NULL);
    }
}

static void
on_kind_changed (LoomParamRow *self)
{
  update_fields (self);
  loom_form_row_edited (LOOM_FORM_ROW (self));
}

static void
loom_param_row_class_init (LoomParamRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LoomFormRowClass *row_class = LOOM_FORM_ROW_CLASS (klass);

  row_class->dup_value = loom_param_row_dup_value;
  row_class->set_value = loom_param_row_set_value;
  row_class->is_empty = loom_param_row_is_empty;
  row_class->add_to_sweep = loom_sweep_add_spec;
  row_class->missing_name = N_("Give the parameter a name");

  loom_form_row_class_set_template (row_class, "/dev/loom/Loom/loom-param-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LoomParamRow, kind);
  gtk_widget_class_bind_template_child (widget_class, LoomParamRow, values_box);
  gtk_widget_class_bind_template_child (widget_class, LoomParamRow, values);
  gtk_widget_class_bind_template_child (widget_class, LoomParamRow, distribution_box);
  gtk_widget_class_bind_template_child (widget_class, LoomParamRow, distribution);
  gtk_widget_class_bind_template_child_full (widget_class, "caption0", FALSE, G_STRUCT_OFFSET (LoomParamRow, caption[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "caption1", FALSE, G_STRUCT_OFFSET (LoomParamRow, caption[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "caption2", FALSE, G_STRUCT_OFFSET (LoomParamRow, caption[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "caption3", FALSE, G_STRUCT_OFFSET (LoomParamRow, caption[3]));
  gtk_widget_class_bind_template_child_full (widget_class, "field0", FALSE, G_STRUCT_OFFSET (LoomParamRow, field[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "field1", FALSE, G_STRUCT_OFFSET (LoomParamRow, field[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "field2", FALSE, G_STRUCT_OFFSET (LoomParamRow, field[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "field3", FALSE, G_STRUCT_OFFSET (LoomParamRow, field[3]));
  gtk_widget_class_bind_template_callback (widget_class, on_kind_changed);
}

static void
loom_param_row_init (LoomParamRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_fields (self);
}

/**
 * loom_param_row_new:
 * @kind_sizes: (nullable): a size group that aligns the kind drop-downs
 *   of a form's rows
 *
 * Returns: (transfer floating): a new, empty row: a hint of what to fill
 *   in, not an error
 */
LoomParamRow *
loom_param_row_new (GtkSizeGroup *kind_sizes)
{
  LoomParamRow *self;

  g_return_val_if_fail (kind_sizes == NULL || GTK_IS_SIZE_GROUP (kind_sizes), NULL);

  self = g_object_new (LOOM_TYPE_PARAM_ROW, NULL);
  if (kind_sizes != NULL)
    gtk_size_group_add_widget (kind_sizes, GTK_WIDGET (self->kind));
  return self;
}
