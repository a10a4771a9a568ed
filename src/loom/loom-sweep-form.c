/* loom-sweep-form.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What to run and over which parameters, as a form in the window's side
 * pane.
 *
 * What runs: a built-in function (with a one-line description of each), a
 * command (an argv template) or a plugin function.
 *
 * The parameters: one row each, with a name, a kind (list, range, lin, log
 * or random) and that kind's fields.  A row writes the spec `loomctl
 * --sweep` reads (`t=range:0:10`, `lr=log:1e-4:1e-1:4`, …) and is checked
 * by loom_sweep_add_spec() on its own, so a bad row is marked where it is
 * with the message under it.  The rows combine as every combination or as
 * a zip; constant arguments (name=value) go to every task.  The options —
 * scheduler, retries, task timeout, a serial run to compare — follow.
 *
 * The task count previews live, and the form says when it is invalid so
 * the window keeps Run insensitive.  The rows read and write the sweep
 * language as text, one `name=spec` a line: that is how the window
 * remembers the last form.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "loom-sweep-form.h"

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
static const char * const kind_labels[N_KINDS] = {
  N_("List"), N_("Range"), N_("Linear"), N_("Log scale"), N_("Random"),
};
static const char * const distribution_words[] = { "uniform", "loguniform", "int" };
static const char * const distribution_labels[] = { N_("Uniform"), N_("Log-uniform"), N_("Integers") };

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

/* One parameter: its widgets, kept on its GtkListBoxRow. */
typedef struct
{
  LoomSweepForm *form;
  GtkWidget     *row;
  GtkEditable   *name;
  GtkDropDown   *kind;
  GtkWidget     *values_box;
  GtkEditable   *values;          /* list */
  GtkWidget     *distribution_box;
  GtkDropDown   *distribution;    /* random */
  GtkWidget     *field_box[N_FIELDS];
  GtkLabel      *caption[N_FIELDS];
  GtkEditable   *field[N_FIELDS];
  GtkLabel      *message;
  gboolean       touched;         /* edited, or set from text */
} ParamRow;

/* One constant argument. */
typedef struct
{
  LoomSweepForm *form;
  GtkWidget     *row;
  GtkEditable   *name;
  GtkEditable   *value;
  GtkLabel      *message;
  gboolean       touched;
} ConstantRow;

struct _LoomSweepForm
{
  GtkWidget       parent_instance;

  GtkWidget      *box;
  GtkDropDown    *kind;         /* built-in, command, plugin */
  GtkStack       *kind_stack;
  GtkEntry       *command;      /* argv template */
  GtkEntry       *cwd;
  GtkEntry       *module;       /* plugin .so */
  GtkEntry       *symbol;
  GtkLabel       *kind_error;
  GtkDropDown    *function;
  GtkLabel       *description;

  GtkListBox     *param_list;
  GPtrArray      *param_rows;   /* GtkListBoxRow, with a ParamRow */
  GtkSizeGroup   *kind_sizes;   /* the rows' kind drop-downs, aligned */
  AdwComboRow    *combine;
  GtkLabel       *zip_message;
  GtkListBox     *constant_list;
  GPtrArray      *constant_rows; /* GtkListBoxRow, with a ConstantRow */

  AdwExpanderRow *options;
  AdwComboRow    *scheme;
  GtkSpinButton  *retries;
  GtkSpinButton  *timeout;
  GtkWidget      *timeout_row;
  GtkSwitch      *also_serial;
  GtkLabel       *preview;

  guint           frozen;
  gboolean        valid;
  guint64         count;
};

enum {
  PROP_0,
  PROP_VALID,
  PROP_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LoomSweepForm, loom_sweep_form, GTK_TYPE_WIDGET)

static void revalidate (LoomSweepForm *self);

/* An editable's text without the blanks around it. */
static char *
text_of (GtkEditable *editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (editable)));
}

static ParamRow *
param_row_of (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "loom-param-row");
}

static ConstantRow *
constant_row_of (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "loom-constant-row");
}

/* Names go into `name=spec` and into the comma-separated zip. */
static gboolean
check_name (const char  *name,
            const char  *what,
            GError     **error)
{
  if (*name == '\0')
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, "%s", what);
      return FALSE;
    }
  if (strpbrk (name, "=,") != NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("“%s”: a name cannot contain “=” or “,”"), name);
      return FALSE;
    }
  return TRUE;
}

/* --- parameter rows -------------------------------------------------------- */

/* The row as a line of the sweep language, whatever is in it. */
static char *
param_row_to_text (ParamRow *prow)
{
  RowKind kind = gtk_drop_down_get_selected (prow->kind);
  g_autofree char *name = text_of (prow->name);
  g_auto(GStrv) f = g_new0 (char *, N_FIELDS + 1);
  GString *out = g_string_new (name);

  for (guint i = 0; i < N_FIELDS; i++)
    f[i] = text_of (prow->field[i]);
  g_string_append_c (out, '=');

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
        guint d = gtk_drop_down_get_selected (prow->distribution);

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
        g_autofree char *values = text_of (prow->values);

        /* A value with a colon would read as a kind without “list:”. */
        if (strchr (values, ':') != NULL)
          g_string_append (out, "list:");
        g_string_append (out, values);
      }
      break;
    }
  return g_string_free (out, FALSE);
}

static gboolean
param_row_is_empty (ParamRow *prow)
{
  if (*gtk_editable_get_text (prow->name) != '\0' || *gtk_editable_get_text (prow->values) != '\0')
    return FALSE;
  for (guint i = 0; i < N_FIELDS; i++)
    if (*gtk_editable_get_text (prow->field[i]) != '\0')
      return FALSE;
  return TRUE;
}

/* Fills the row from a line of the sweep language.  What does not fit a
 * kind's fields stays in its last field, so the line reads back the same
 * and loom_sweep_add_spec() says what is wrong with it. */
static void
param_row_set_text (ParamRow   *prow,
                    const char *line)
{
  const char *eq = strchr (line, '=');
  g_autofree char *name = eq ? g_strndup (line, eq - line) : g_strdup (line);
  const char *body = eq ? eq + 1 : "";
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

  gtk_editable_set_text (prow->name, name);
  gtk_editable_set_text (prow->values, kind == KIND_LIST ? rest : "");
  for (guint i = 0; i < N_FIELDS; i++)
    gtk_editable_set_text (prow->field[i], parts && i < g_strv_length (parts) ? parts[i] : "");
  gtk_drop_down_set_selected (prow->distribution, distribution);
  gtk_drop_down_set_selected (prow->kind, kind);
  prow->touched = TRUE;
}

/* Shows what is wrong with the row under it: in red once it was edited,
 * as a hint while it is new and untouched. */
static void
show_row_message (GtkWidget   *row,
                  GtkLabel    *message,
                  GtkEditable *name,
                  gboolean     touched,
                  const GError *error,
                  gboolean     name_is_wrong)
{
  gboolean marked = error != NULL && touched;

  gtk_label_set_text (message, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (message), error != NULL);
  if (marked)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_widget_add_css_class (GTK_WIDGET (message), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (message), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (row, "error");
      gtk_widget_remove_css_class (GTK_WIDGET (message), "error");
      gtk_widget_add_css_class (GTK_WIDGET (message), "dim-label");
    }
  if (marked && name_is_wrong)
    gtk_widget_add_css_class (GTK_WIDGET (name), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (name), "error");
}

static void
on_param_row_edited (ParamRow *prow)
{
  prow->touched = TRUE;
  revalidate (prow->form);
}

static void
update_param_fields (ParamRow *prow)
{
  RowKind kind = gtk_drop_down_get_selected (prow->kind);

  gtk_widget_set_visible (prow->values_box, kind == KIND_LIST);
  gtk_widget_set_visible (prow->distribution_box, kind == KIND_RANDOM);
  for (guint i = 0; i < N_FIELDS; i++)
    {
      const char *caption = kind < N_KINDS ? field_captions[kind][i] : NULL;
      const char *tooltip = kind < N_KINDS ? field_tooltips[kind][i] : NULL;
      const char *placeholder = kind < N_KINDS ? field_placeholders[kind][i] : NULL;

      gtk_widget_set_visible (prow->field_box[i], caption != NULL);
      if (caption == NULL)
        continue;
      gtk_label_set_text (prow->caption[i], _(caption));
      gtk_widget_set_tooltip_text (GTK_WIDGET (prow->field[i]), tooltip ? _(tooltip) : NULL);
      gtk_entry_set_placeholder_text (GTK_ENTRY (prow->field[i]), placeholder ? _(placeholder) : NULL);
    }
}

static void
on_param_kind_changed (ParamRow *prow)
{
  update_param_fields (prow);
  on_param_row_edited (prow);
}

static void
remove_row (GtkListBox *list,
            GPtrArray  *rows,
            GtkWidget  *row)
{
  gtk_list_box_remove (list, row);
  g_ptr_array_remove (rows, row);
}

static void
on_remove_param (GtkButton *button,
                 ParamRow  *prow)
{
  LoomSweepForm *self = prow->form;

  remove_row (self->param_list, self->param_rows, prow->row);
  revalidate (self);
}

/* A small entry with a dim caption above it; the caption labels it. */
static GtkWidget *
captioned (GtkWidget  *widget,
           const char *caption,
           GtkLabel  **caption_out)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label = gtk_label_new (caption);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_hexpand (box, TRUE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL,
                                  -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), widget);
  if (caption_out)
    *caption_out = GTK_LABEL (label);
  return box;
}

static GtkEditable *
small_entry (const char *widget_name,
             int         width_chars)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_widget_set_name (entry, widget_name);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), width_chars);
  gtk_widget_set_hexpand (entry, TRUE);
  return GTK_EDITABLE (entry);
}

/* A list model of the translations of @labels. */
static GListModel *
string_list_of (const char * const *labels,
                guint               n_labels)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; i < n_labels; i++)
    gtk_string_list_append (list, _(labels[i]));
  return G_LIST_MODEL (list);
}

static GtkDropDown *
drop_down_of (const char * const *labels,
              guint               n_labels)
{
  return GTK_DROP_DOWN (gtk_drop_down_new (string_list_of (labels, n_labels), NULL));
}

static GtkWidget *
remove_button (const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_name (button, "remove");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static GtkLabel *
row_message_new (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_name (label, "message");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_set_visible (label, FALSE);
  return GTK_LABEL (label);
}

static GtkWidget *
list_row_new (GtkWidget *child)
{
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_widget_set_margin_top (child, 6);
  gtk_widget_set_margin_bottom (child, 6);
  gtk_widget_set_margin_start (child, 8);
  gtk_widget_set_margin_end (child, 4);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), child);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

static ParamRow *
add_param_row (LoomSweepForm *self)
{
  ParamRow *prow = g_new0 (ParamRow, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *fields = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *remove;

  prow->form = self;

  prow->name = small_entry ("name", 6);
  gtk_entry_set_placeholder_text (GTK_ENTRY (prow->name), _("Name"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (prow->name), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Parameter name"), -1);
  prow->kind = drop_down_of (kind_labels, N_KINDS);
  gtk_widget_set_name (GTK_WIDGET (prow->kind), "kind");
  gtk_widget_set_tooltip_text (GTK_WIDGET (prow->kind), _("How the values are given"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (prow->kind), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Kind of values"), -1);
  remove = remove_button (_("Remove Parameter"));
  gtk_size_group_add_widget (self->kind_sizes, GTK_WIDGET (prow->kind));
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (prow->name));
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (prow->kind));
  gtk_box_append (GTK_BOX (top), remove);
  gtk_box_append (GTK_BOX (box), top);

  prow->values = small_entry ("values", 10);
  gtk_entry_set_placeholder_text (GTK_ENTRY (prow->values), "1, 2, 5");
  gtk_widget_set_tooltip_text (GTK_WIDGET (prow->values),
                               _("Numbers, true, false, null, JSON or text; a value with a comma needs JSON quotes"));
  prow->values_box = captioned (GTK_WIDGET (prow->values), _("Values, separated by commas"), NULL);
  gtk_box_append (GTK_BOX (fields), prow->values_box);

  prow->distribution = drop_down_of (distribution_labels, G_N_ELEMENTS (distribution_labels));
  gtk_widget_set_name (GTK_WIDGET (prow->distribution), "distribution");
  gtk_widget_set_hexpand (GTK_WIDGET (prow->distribution), FALSE);
  prow->distribution_box = captioned (GTK_WIDGET (prow->distribution), _("Distribution"), NULL);
  gtk_widget_set_hexpand (prow->distribution_box, FALSE);
  gtk_box_append (GTK_BOX (fields), prow->distribution_box);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *widget_name = g_strdup_printf ("field%u", i);

      prow->field[i] = small_entry (widget_name, 2);
      prow->field_box[i] = captioned (GTK_WIDGET (prow->field[i]), NULL, &prow->caption[i]);
      gtk_box_append (GTK_BOX (fields), prow->field_box[i]);
    }
  gtk_box_append (GTK_BOX (box), fields);

  prow->message = row_message_new ();
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (prow->message));

  prow->row = list_row_new (box);
  gtk_widget_add_css_class (prow->row, "parameter");
  g_object_set_data_full (G_OBJECT (prow->row), "loom-param-row", prow, g_free);
  update_param_fields (prow);

  g_signal_connect_swapped (prow->name, "changed", G_CALLBACK (on_param_row_edited), prow);
  g_signal_connect_swapped (prow->values, "changed", G_CALLBACK (on_param_row_edited), prow);
  for (guint i = 0; i < N_FIELDS; i++)
    g_signal_connect_swapped (prow->field[i], "changed", G_CALLBACK (on_param_row_edited), prow);
  g_signal_connect_swapped (prow->kind, "notify::selected", G_CALLBACK (on_param_kind_changed), prow);
  g_signal_connect_swapped (prow->distribution, "notify::selected", G_CALLBACK (on_param_row_edited), prow);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_param), prow);

  gtk_list_box_append (self->param_list, prow->row);
  g_ptr_array_add (self->param_rows, g_object_ref (prow->row));
  /* Set up without being touched: a new row is a hint, not an error. */
  prow->touched = FALSE;
  return prow;
}

static void
on_add_param (LoomSweepForm *self)
{
  ParamRow *prow = add_param_row (self);

  revalidate (self);
  gtk_widget_grab_focus (GTK_WIDGET (prow->name));
}

/* --- constant rows --------------------------------------------------------- */

static void
on_constant_row_edited (ConstantRow *crow)
{
  crow->touched = TRUE;
  revalidate (crow->form);
}

static void
on_remove_constant (GtkButton   *button,
                    ConstantRow *crow)
{
  LoomSweepForm *self = crow->form;

  remove_row (self->constant_list, self->constant_rows, crow->row);
  revalidate (self);
}

static ConstantRow *
add_constant_row (LoomSweepForm *self)
{
  ConstantRow *crow = g_new0 (ConstantRow, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *equals = gtk_label_new ("=");
  GtkWidget *remove = remove_button (_("Remove Argument"));

  crow->form = self;
  crow->name = small_entry ("name", 6);
  gtk_entry_set_placeholder_text (GTK_ENTRY (crow->name), _("Name"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (crow->name), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Argument name"), -1);
  crow->value = small_entry ("value", 6);
  gtk_entry_set_placeholder_text (GTK_ENTRY (crow->value), _("Value"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (crow->value), _("A number, true, false, null, JSON or text"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (crow->value), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Argument value"), -1);
  gtk_widget_add_css_class (equals, "dim-label");
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (crow->name));
  gtk_box_append (GTK_BOX (top), equals);
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (crow->value));
  gtk_box_append (GTK_BOX (top), remove);
  gtk_box_append (GTK_BOX (box), top);
  crow->message = row_message_new ();
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (crow->message));

  crow->row = list_row_new (box);
  g_object_set_data_full (G_OBJECT (crow->row), "loom-constant-row", crow, g_free);

  g_signal_connect_swapped (crow->name, "changed", G_CALLBACK (on_constant_row_edited), crow);
  g_signal_connect_swapped (crow->value, "changed", G_CALLBACK (on_constant_row_edited), crow);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_constant), crow);

  gtk_list_box_append (self->constant_list, crow->row);
  g_ptr_array_add (self->constant_rows, g_object_ref (crow->row));
  return crow;
}

static void
on_add_constant (LoomSweepForm *self)
{
  ConstantRow *crow = add_constant_row (self);

  revalidate (self);
  gtk_widget_grab_focus (GTK_WIDGET (crow->name));
}

/* --- the sweep ------------------------------------------------------------- */

static gboolean
name_in (GPtrArray  *names,
         const char *name)
{
  return g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL);
}

/* Builds the sweep row by row, each row through libloom on its own, and
 * with @show marks each row with its own message.  The first problem is
 * the one @error gets. */
static LoomSweep *
build_sweep (LoomSweepForm  *self,
             gboolean        show,
             GError        **error)
{
  g_autoptr(LoomSweep) sweep = loom_sweep_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) param_names = g_ptr_array_new ();
  g_autoptr(GError) first = NULL;
  g_autoptr(GError) zip_error = NULL;
  gboolean all_params = TRUE;

  for (guint i = 0; i < self->param_rows->len; i++)
    {
      ParamRow *prow = param_row_of (g_ptr_array_index (self->param_rows, i));
      g_autoptr(GError) row_error = NULL;
      g_autofree char *name = text_of (prow->name);
      g_autofree char *spec = NULL;
      gboolean name_is_wrong = TRUE;

      if (!check_name (name, _("Give the parameter a name"), &row_error))
        ;
      else if (name_in (names, name))
        g_set_error (&row_error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                     _("“%s”: the name is given twice"), name);
      else
        {
          name_is_wrong = FALSE;
          spec = param_row_to_text (prow);
          if (loom_sweep_add_spec (sweep, spec, &row_error))
            g_ptr_array_add (param_names, name);
        }
      if (row_error)
        all_params = FALSE;
      if (*name != '\0')
        g_ptr_array_add (names, g_steal_pointer (&name));
      if (show)
        show_row_message (prow->row, prow->message, prow->name, prow->touched, row_error, name_is_wrong);
      if (row_error && !first)
        first = g_steal_pointer (&row_error);
    }

  for (guint i = 0; i < self->constant_rows->len; i++)
    {
      ConstantRow *crow = constant_row_of (g_ptr_array_index (self->constant_rows, i));
      g_autoptr(GError) row_error = NULL;
      g_autofree char *name = text_of (crow->name);
      g_autofree char *value = text_of (crow->value);
      gboolean name_is_wrong = TRUE;

      if (!check_name (name, _("Give the argument a name"), &row_error))
        ;
      else if (name_in (names, name))
        g_set_error (&row_error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                     _("“%s”: the name is given twice"), name);
      else
        {
          g_autofree char *assignment = g_strconcat (name, "=", value, NULL);

          name_is_wrong = FALSE;
          loom_sweep_add_constant (sweep, assignment, &row_error);
        }
      if (*name != '\0')
        g_ptr_array_add (names, g_steal_pointer (&name));
      if (show)
        show_row_message (crow->row, crow->message, crow->name, crow->touched, row_error, name_is_wrong);
      if (row_error && !first)
        first = g_steal_pointer (&row_error);
    }

  /* A zip pairs the parameters up: it needs them all, of one length. */
  if (loom_sweep_form_get_zip (self) && all_params && param_names->len >= 2)
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (param_names, NULL);
      joined = g_strjoinv (",", (char **) param_names->pdata);
      if (!loom_sweep_set_zip (sweep, joined, &zip_error) && !first)
        first = g_error_copy (zip_error);
    }
  if (show)
    {
      gtk_label_set_text (self->zip_message, zip_error ? zip_error->message : "");
      gtk_widget_set_visible (GTK_WIDGET (self->zip_message), zip_error != NULL);
      if (zip_error)
        gtk_widget_add_css_class (GTK_WIDGET (self->combine), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->combine), "error");
    }

  if (first)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return NULL;
    }
  return g_steal_pointer (&sweep);
}

/**
 * loom_sweep_form_build_sweep:
 * @self: a #LoomSweepForm
 * @error: return location for a #GError naming the bad row
 *
 * Returns: (transfer full) (nullable): the sweep the form describes: its
 *   parameters, zipped or not, and its constant arguments
 */
LoomSweep *
loom_sweep_form_build_sweep (LoomSweepForm  *self,
                             GError        **error)
{
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);
  return build_sweep (self, FALSE, error);
}

static const char *kind_names[] = { "builtin", "command", "plugin" };

static void on_chooser_response (GtkNativeDialog *dialog,
                                 int              response,
                                 GtkEntry        *entry);

static void
choose_path (GtkButton *button,
             GtkEntry  *entry)
{
  gboolean folder = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "folder"));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (g_object_get_data (G_OBJECT (button), "title"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Choose"), _("_Cancel"));
  g_signal_connect (dialog, "response", G_CALLBACK (on_chooser_response), entry);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/**
 * loom_sweep_form_build_spec:
 * @self: a #LoomSweepForm
 * @error: return location for a #GError naming the bad field
 *
 * A command gets the form's task timeout; built-in and plugin functions
 * run in the engine's process and cannot be stopped, so they get none.
 *
 * Returns: (transfer full) (nullable): what each task runs
 */
LoomTaskSpec *
loom_sweep_form_build_spec (LoomSweepForm  *self,
                            GError        **error)
{
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);

  switch (gtk_drop_down_get_selected (self->kind))
    {
    case 1:
      {
        g_auto(GStrv) argv = NULL;
        const char *text = gtk_editable_get_text (GTK_EDITABLE (self->command));
        const char *cwd = gtk_editable_get_text (GTK_EDITABLE (self->cwd));
        double timeout = loom_sweep_form_get_timeout (self);
        LoomTaskSpec *spec;

        if (*text == '\0' || !g_shell_parse_argv (text, NULL, &argv, NULL))
          {
            g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                         _("Command: give the program and its arguments, with {name} for parameters"));
            return NULL;
          }
        if (*cwd != '\0' && !g_file_test (cwd, G_FILE_TEST_IS_DIR))
          {
            g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                         _("Working directory: %s is not a directory"), cwd);
            return NULL;
          }
        spec = loom_task_spec_new_command ((const char * const *) argv);
        if (*cwd != '\0')
          loom_task_spec_set_cwd (spec, cwd);
        if (timeout > 0)
          loom_task_spec_set_timeout (spec, timeout);
        return spec;
      }

    case 2:
      {
        const char *module = gtk_editable_get_text (GTK_EDITABLE (self->module));
        const char *symbol = gtk_editable_get_text (GTK_EDITABLE (self->symbol));

        if (!g_file_test (module, G_FILE_TEST_IS_REGULAR))
          {
            g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                         _("Plugin: choose the module (.so) file"));
            return NULL;
          }
        if (*symbol == '\0')
          {
            g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("Plugin: give the function's name"));
            return NULL;
          }
        return loom_task_spec_new_plugin (module, symbol);
      }

    default:
      return loom_task_spec_new_builtin (loom_sweep_form_get_function (self));
    }
}

static void
revalidate (LoomSweepForm *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomSweep) sweep = NULL;
  g_autoptr(GError) spec_error = NULL;
  g_autoptr(LoomTaskSpec) spec = NULL;
  gboolean valid;
  guint64 count;

  /* Not while rows are being filled, nor once the form is going away. */
  if (self->frozen > 0 || self->param_rows == NULL)
    return;

  sweep = build_sweep (self, TRUE, &error);
  spec = loom_sweep_form_build_spec (self, &spec_error);
  valid = sweep != NULL && spec != NULL;
  count = sweep ? loom_sweep_get_count (sweep) : 0;

  /* What runs: its own message, where it is. */
  gtk_label_set_text (self->kind_error, spec_error ? spec_error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->kind_error), spec_error != NULL);
  if (spec_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->kind_stack), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->kind_stack), "error");

  /* The rows carry their own messages: the preview only says there is one. */
  if (sweep != NULL)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " task",
                                                            "%" PRIu64 " tasks", count), count);
      gtk_widget_remove_css_class (GTK_WIDGET (self->preview), "error");
      gtk_label_set_text (self->preview, text);
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->preview), "error");
      gtk_label_set_text (self->preview, _("Complete or correct the parameters"));
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->combine), self->param_rows->len >= 2);
  gtk_widget_set_visible (GTK_WIDGET (self->constant_list), self->constant_rows->len > 0);
  gtk_widget_set_sensitive (self->timeout_row, gtk_drop_down_get_selected (self->kind) == 1);

  if (self->valid != valid)
    {
      self->valid = valid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
    }
  if (self->count != count)
    {
      self->count = count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
    }
}

static void
on_function_changed (LoomSweepForm *self)
{
  guint n;
  const LoomBuiltinInfo *all = loom_builtins_get_all (&n);
  guint selected = gtk_drop_down_get_selected (self->function);

  if (selected < n)
    {
      g_autofree char *text = g_strdup_printf ("%s — %s", all[selected].signature, _(all[selected].description));
      gtk_label_set_text (self->description, text);
    }
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     GtkEntry        *entry)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path)
        gtk_editable_set_text (GTK_EDITABLE (entry), path);
    }
  g_object_unref (dialog);
}

/* A “Choose…” button next to a path entry: a folder for the working
 * directory, a file for the plugin module. */
static GtkWidget *
with_chooser (GtkEntry   *entry,
              gboolean    folder,
              const char *title)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *button = gtk_button_new_from_icon_name (folder ? "folder-open-symbolic" : "document-open-symbolic");

  gtk_widget_set_hexpand (GTK_WIDGET (entry), TRUE);
  gtk_widget_set_tooltip_text (button, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  g_object_set_data_full (G_OBJECT (button), "title", g_strdup (title), g_free);
  g_object_set_data (G_OBJECT (button), "folder", GINT_TO_POINTER (folder));
  g_signal_connect (button, "clicked", G_CALLBACK (choose_path), entry);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (entry));
  gtk_box_append (GTK_BOX (row), button);
  return row;
}

static void
on_kind_changed (LoomSweepForm *self)
{
  guint kind = gtk_drop_down_get_selected (self->kind);

  gtk_stack_set_visible_child_name (self->kind_stack, kind_names[MIN (kind, 2)]);
  revalidate (self);
}

static void
loom_sweep_form_dispose (GObject *object)
{
  LoomSweepForm *self = (LoomSweepForm *) object;

  g_clear_pointer (&self->param_rows, g_ptr_array_unref);
  g_clear_pointer (&self->constant_rows, g_ptr_array_unref);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->kind_sizes);

  G_OBJECT_CLASS (loom_sweep_form_parent_class)->dispose (object);
}

static void
loom_sweep_form_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LoomSweepForm *self = LOOM_SWEEP_FORM (object);

  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, self->valid);
      break;

    case PROP_COUNT:
      g_value_set_uint64 (value, self->count);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_sweep_form_class_init (LoomSweepFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = loom_sweep_form_dispose;
  object_class->get_property = loom_sweep_form_get_property;

  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_COUNT] =
    g_param_spec_uint64 ("count", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sweepform");
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

/* A section's heading, with an “Add …” button at its end. */
static GtkWidget *
section_header (const char  *title,
                const char  *button_label,
                const char  *button_tooltip,
                const char  *button_name,
                GtkWidget  **button_out)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = heading (title);
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_hexpand (label, TRUE);
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "list-add-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), button_label);
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (button), content);
  gtk_widget_set_name (button, button_name);
  gtk_widget_set_tooltip_text (button, button_tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  *button_out = button;
  return box;
}

static GtkListBox *
boxed_list (const char *widget_name)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_widget_set_name (list, widget_name);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  return GTK_LIST_BOX (list);
}

/* Titles and subtitles ellipsized, not wrapped: a row's height then does
 * not depend on its width, which GtkListBox needs to size nested rows. */
static void
one_line (AdwActionRow *row)
{
  adw_action_row_set_title_lines (row, 1);
  adw_action_row_set_subtitle_lines (row, 1);
}

static AdwComboRow *
combo_row (const char         *title,
           const char         *widget_name,
           const char * const *labels,
           guint               n_labels)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GListModel) model = string_list_of (labels, n_labels);

  gtk_widget_set_name (row, widget_name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), model);
  one_line (ADW_ACTION_ROW (row));
  return ADW_COMBO_ROW (row);
}

/* An options row: a title, a dim subtitle, a control at the end. */
static GtkWidget *
action_row (const char *title,
            const char *subtitle,
            GtkWidget  *suffix)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  one_line (ADW_ACTION_ROW (row));
  gtk_widget_set_valign (suffix, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), suffix);
  gtk_accessible_update_property (GTK_ACCESSIBLE (suffix), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  return row;
}

static GtkSpinButton *
spin_button (const char *widget_name,
             double      max,
             double      value)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (0, max, 1);

  gtk_widget_set_name (spin, widget_name);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  return GTK_SPIN_BUTTON (spin);
}

/* “Least loaded engine, 2 retries, no timeout”: the options, folded. */
static void
update_options_summary (LoomSweepForm *self)
{
  GtkStringObject *scheme = adw_combo_row_get_selected_item (self->scheme);
  guint retries = loom_sweep_form_get_retries (self);
  double timeout = loom_sweep_form_get_timeout (self);
  g_autofree char *retries_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u retry", "%u retries", retries),
                                                   retries);
  g_autofree char *timeout_text = timeout > 0 ? g_strdup_printf (_("%g s timeout"), timeout) : g_strdup (_("no timeout"));
  g_autofree char *summary = NULL;

  summary = g_strdup_printf (loom_sweep_form_get_also_serial (self)
                             /* TRANSLATORS: scheduler, retries, timeout */
                             ? _("%s, %s, %s, and a serial run")
                             : _("%s, %s, %s"),
                             scheme ? gtk_string_object_get_string (scheme) : "", retries_text, timeout_text);
  adw_expander_row_set_subtitle (self->options, summary);
}

static void
loom_sweep_form_init (LoomSweepForm *self)
{
  static const char * const combine_labels[] = { N_("Every combination"), N_("Zip: pair them up") };
  static const char * const scheme_labels[] = { N_("Least loaded engine"), N_("Least recently used"), N_("Random") };
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GtkWidget *add_param, *add_constant, *list, *placeholder;
  guint n;
  const LoomBuiltinInfo *all = loom_builtins_get_all (&n);

  for (guint i = 0; i < n; i++)
    gtk_string_list_append (names, all[i].name);

  self->param_rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->kind_sizes = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);
  self->constant_rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->frozen = 1;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  gtk_box_append (GTK_BOX (self->box), heading (_("What runs")));
  {
    const char *kinds[] = { N_("Built-in function"), N_("Command"), N_("Plugin function"), NULL };
    g_autoptr(GtkStringList) kind_list = gtk_string_list_new (NULL);
    GtkWidget *builtin_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    GtkWidget *command_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    GtkWidget *plugin_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

    for (guint i = 0; kinds[i]; i++)
      gtk_string_list_append (kind_list, _(kinds[i]));
    self->kind = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (kind_list)), NULL));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->kind), GTK_ACCESSIBLE_PROPERTY_LABEL, _("What runs"), -1);
    gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->kind));

    self->function = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->function), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Built-in function"), -1);
    gtk_box_append (GTK_BOX (builtin_box), GTK_WIDGET (self->function));
    self->description = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->description, 0);
    gtk_label_set_wrap (self->description, TRUE);
    gtk_widget_add_css_class (GTK_WIDGET (self->description), "dim-label");
    gtk_box_append (GTK_BOX (builtin_box), GTK_WIDGET (self->description));

    self->command = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->command, _("./sim --x {x} --y {y}"));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->command), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Command, with {name} for parameters"), -1);
    self->cwd = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->cwd, _("Working directory (optional)"));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->cwd), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Working directory"), -1);
    gtk_box_append (GTK_BOX (command_box), GTK_WIDGET (self->command));
    gtk_box_append (GTK_BOX (command_box), with_chooser (self->cwd, TRUE, _("Choose the Working Directory")));

    self->module = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->module, _("path/to/module.so"));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->module), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Plugin module"), -1);
    self->symbol = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->symbol, _("Function name"));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->symbol), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Function name"), -1);
    gtk_box_append (GTK_BOX (plugin_box), with_chooser (self->module, FALSE, _("Choose the Plugin Module")));
    gtk_box_append (GTK_BOX (plugin_box), GTK_WIDGET (self->symbol));

    self->kind_stack = GTK_STACK (gtk_stack_new ());
    /* Each page as wide as it needs: measured at one line's height, the
     * wrapped description would make the form as wide as its text. */
    gtk_stack_set_hhomogeneous (self->kind_stack, FALSE);
    gtk_stack_set_vhomogeneous (self->kind_stack, FALSE);
    gtk_stack_add_named (self->kind_stack, builtin_box, "builtin");
    gtk_stack_add_named (self->kind_stack, command_box, "command");
    gtk_stack_add_named (self->kind_stack, plugin_box, "plugin");
    gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->kind_stack));

    self->kind_error = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->kind_error, 0);
    gtk_label_set_wrap (self->kind_error, TRUE);
    gtk_widget_add_css_class (GTK_WIDGET (self->kind_error), "error");
    gtk_widget_set_visible (GTK_WIDGET (self->kind_error), FALSE);
    gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->kind_error));
  }

  /* The parameters, and how they combine. */
  gtk_box_append (GTK_BOX (self->box),
                  section_header (_("Parameters"), _("Add _Parameter"), _("Add a swept parameter"),
                                  "add-parameter", &add_param));
  self->param_list = boxed_list ("parameters");
  placeholder = gtk_label_new (_("No parameters: the function runs once"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->param_list, placeholder);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->param_list));

  list = GTK_WIDGET (boxed_list ("combine-list"));
  self->combine = combo_row (_("Combine"), "combine", combine_labels, G_N_ELEMENTS (combine_labels));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->combine), _("How the parameters make tasks"));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->combine));
  gtk_box_append (GTK_BOX (self->box), list);
  self->zip_message = row_message_new ();
  gtk_widget_set_name (GTK_WIDGET (self->zip_message), "zip-message");
  gtk_widget_add_css_class (GTK_WIDGET (self->zip_message), "error");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->zip_message));

  /* Constant arguments: the same for every task. */
  gtk_box_append (GTK_BOX (self->box),
                  section_header (_("Constant Arguments"), _("Add _Argument"),
                                  _("Add an argument every task gets"), "add-constant", &add_constant));
  self->constant_list = boxed_list ("constants");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->constant_list));

  /* How the job runs: folded, with what is chosen in its subtitle. */
  list = GTK_WIDGET (boxed_list ("options"));
  gtk_widget_set_margin_top (list, 12);
  self->options = ADW_EXPANDER_ROW (adw_expander_row_new ());
  gtk_widget_set_name (GTK_WIDGET (self->options), "options-row");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->options), _("Options"));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->options));
  self->scheme = combo_row (_("Scheduler"), "scheme", scheme_labels, G_N_ELEMENTS (scheme_labels));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->scheme), _("Which engine gets the next task"));
  adw_expander_row_add_row (self->options, GTK_WIDGET (self->scheme));
  self->retries = spin_button ("retries", 10, 2);
  adw_expander_row_add_row (self->options,
                            action_row (_("Retries"), _("Runs of a task whose engine died"),
                                        GTK_WIDGET (self->retries)));
  self->timeout = spin_button ("timeout", 7 * 24 * 3600, 0);
  self->timeout_row = action_row (_("Task timeout"), _("Seconds per command, 0 for none"),
                                  GTK_WIDGET (self->timeout));
  adw_expander_row_add_row (self->options, self->timeout_row);
  self->also_serial = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_name (GTK_WIDGET (self->also_serial), "also-serial");
  adw_expander_row_add_row (self->options,
                            action_row (_("Also run serially"), _("One engine, one task at a time, to compare"),
                                        GTK_WIDGET (self->also_serial)));
  gtk_box_append (GTK_BOX (self->box), list);

  self->preview = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->preview), "preview");
  gtk_widget_set_margin_top (GTK_WIDGET (self->preview), 6);
  gtk_label_set_xalign (self->preview, 0);
  gtk_label_set_wrap (self->preview, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->preview), "heading");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->preview));

  g_signal_connect_object (self->function, "notify::selected", G_CALLBACK (on_function_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->kind, "notify::selected", G_CALLBACK (on_kind_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->command, "changed", G_CALLBACK (revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->cwd, "changed", G_CALLBACK (revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->module, "changed", G_CALLBACK (revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->symbol, "changed", G_CALLBACK (revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->combine, "notify::selected", G_CALLBACK (revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scheme, "notify::selected", G_CALLBACK (update_options_summary), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->retries, "value-changed", G_CALLBACK (update_options_summary), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->timeout, "value-changed", G_CALLBACK (update_options_summary), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->also_serial, "notify::active", G_CALLBACK (update_options_summary), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (add_param, "clicked", G_CALLBACK (on_add_param), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (add_constant, "clicked", G_CALLBACK (on_add_constant), self, G_CONNECT_SWAPPED);

  self->frozen = 0;
  update_options_summary (self);
  loom_sweep_form_set_function (self, "printtime");
  loom_sweep_form_set_parameters (self, "t=range:0:10\nsleep=1");
}

GtkWidget *
loom_sweep_form_new (void)
{
  return g_object_new (LOOM_TYPE_SWEEP_FORM, NULL);
}

gboolean
loom_sweep_form_is_valid (LoomSweepForm *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), FALSE);
  return self->valid;
}

guint64
loom_sweep_form_get_count (LoomSweepForm *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), 0);
  return self->count;
}

const char *
loom_sweep_form_get_function (LoomSweepForm *self)
{
  guint n;
  const LoomBuiltinInfo *all = loom_builtins_get_all (&n);
  guint selected;

  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);
  selected = gtk_drop_down_get_selected (self->function);
  return selected < n ? all[selected].name : NULL;
}

gboolean
loom_sweep_form_get_also_serial (LoomSweepForm *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), FALSE);
  return gtk_switch_get_active (self->also_serial);
}

void
loom_sweep_form_set_function (LoomSweepForm *self,
                              const char    *function)
{
  guint n;
  const LoomBuiltinInfo *all = loom_builtins_get_all (&n);

  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (all[i].name, function) == 0)
      gtk_drop_down_set_selected (self->function, i);
  on_function_changed (self);
}

/**
 * loom_sweep_form_set_parameters:
 * @self: a #LoomSweepForm
 * @text: sweep specs, one `name=spec` a line, as `loomctl --sweep` reads
 *   them (`t=range:0:10`, `x=1,2,5`, `lr=log:1e-4:1e-1:4`, …)
 *
 * Replaces the parameter rows with one row per line; blank lines and
 * lines starting with `#` are skipped.  A line that is not valid still
 * gets its row, marked with what is wrong.
 */
void
loom_sweep_form_set_parameters (LoomSweepForm *self,
                                const char    *text)
{
  g_auto(GStrv) lines = NULL;

  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  g_return_if_fail (text != NULL);

  self->frozen++;
  while (self->param_rows->len > 0)
    remove_row (self->param_list, self->param_rows, g_ptr_array_index (self->param_rows, self->param_rows->len - 1));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_strstrip (lines[i]);
      if (*lines[i] == '\0' || *lines[i] == '#')
        continue;
      param_row_set_text (add_param_row (self), lines[i]);
    }
  self->frozen--;
  revalidate (self);
}

/**
 * loom_sweep_form_get_parameters:
 * @self: a #LoomSweepForm
 *
 * Returns: (transfer full): the parameter rows in the sweep language, one
 *   `name=spec` a line, as loom_sweep_form_set_parameters() reads them;
 *   empty rows are left out
 */
char *
loom_sweep_form_get_parameters (LoomSweepForm *self)
{
  GString *out;

  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < self->param_rows->len; i++)
    {
      ParamRow *prow = param_row_of (g_ptr_array_index (self->param_rows, i));
      g_autofree char *line = NULL;

      if (param_row_is_empty (prow))
        continue;
      line = param_row_to_text (prow);
      if (out->len > 0)
        g_string_append_c (out, '\n');
      g_string_append (out, line);
    }
  return g_string_free (out, FALSE);
}

/**
 * loom_sweep_form_set_constants:
 * @self: a #LoomSweepForm
 * @text: constant arguments, one `name=value` a line, the values as
 *   loom_value_from_text() reads them
 *
 * Replaces the constant argument rows with one row per line.
 */
void
loom_sweep_form_set_constants (LoomSweepForm *self,
                               const char    *text)
{
  g_auto(GStrv) lines = NULL;

  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  g_return_if_fail (text != NULL);

  self->frozen++;
  while (self->constant_rows->len > 0)
    remove_row (self->constant_list, self->constant_rows,
                g_ptr_array_index (self->constant_rows, self->constant_rows->len - 1));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      ConstantRow *crow;
      char *eq;

      g_strstrip (lines[i]);
      if (*lines[i] == '\0' || *lines[i] == '#')
        continue;
      crow = add_constant_row (self);
      if ((eq = strchr (lines[i], '=')) != NULL)
        *eq = '\0';
      gtk_editable_set_text (crow->name, lines[i]);
      gtk_editable_set_text (crow->value, eq ? eq + 1 : "");
      crow->touched = TRUE;
    }
  self->frozen--;
  revalidate (self);
}

/**
 * loom_sweep_form_get_constants:
 * @self: a #LoomSweepForm
 *
 * Returns: (transfer full): the constant arguments, one `name=value` a
 *   line; empty rows are left out
 */
char *
loom_sweep_form_get_constants (LoomSweepForm *self)
{
  GString *out;

  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < self->constant_rows->len; i++)
    {
      ConstantRow *crow = constant_row_of (g_ptr_array_index (self->constant_rows, i));
      g_autofree char *name = text_of (crow->name);
      g_autofree char *value = text_of (crow->value);

      if (*name == '\0' && *value == '\0')
        continue;
      g_string_append_printf (out, "%s%s=%s", out->len > 0 ? "\n" : "", name, value);
    }
  return g_string_free (out, FALSE);
}

/**
 * loom_sweep_form_get_zip:
 * @self: a #LoomSweepForm
 *
 * Returns: %TRUE if the parameters are zipped (task i takes value i of
 *   each), %FALSE for every combination
 */
gboolean
loom_sweep_form_get_zip (LoomSweepForm *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), FALSE);
  return adw_combo_row_get_selected (self->combine) == 1;
}

void
loom_sweep_form_set_zip (LoomSweepForm *self,
                         gboolean       zip)
{
  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  adw_combo_row_set_selected (self->combine, zip ? 1 : 0);
}

/**
 * loom_sweep_form_get_retries:
 * @self: a #LoomSweepForm
 *
 * Returns: how often a task whose engine died runs again, for
 *   loom_view_set_retries()
 */
guint
loom_sweep_form_get_retries (LoomSweepForm *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), 0);
  return gtk_spin_button_get_value_as_int (self->retries);
}

void
loom_sweep_form_set_retries (LoomSweepForm *self,
                             guint          retries)
{
  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  gtk_spin_button_set_value (self->retries, retries);
}

/**
 * loom_sweep_form_get_timeout:
 * @self: a #LoomSweepForm
 *
 * Returns: the seconds a command may run, 0 for no limit; the spec
 *   loom_sweep_form_build_spec() builds for a command carries it
 */
double
loom_sweep_form_get_timeout (LoomSweepForm *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), 0);
  return gtk_spin_button_get_value (self->timeout);
}

void
loom_sweep_form_set_timeout (LoomSweepForm *self,
                             double         seconds)
{
  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  gtk_spin_button_set_value (self->timeout, MAX (0, seconds));
  revalidate (self);
}

/**
 * loom_sweep_form_get_scheme:
 * @self: a #LoomSweepForm
 *
 * Returns: the scheduler scheme chosen for the job
 */
LoomScheme
loom_sweep_form_get_scheme (LoomSweepForm *self)
{
  guint selected;

  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), LOOM_SCHEME_LEASTLOAD);
  selected = adw_combo_row_get_selected (self->scheme);
  return selected <= LOOM_SCHEME_RANDOM ? (LoomScheme) selected : LOOM_SCHEME_LEASTLOAD;
}

void
loom_sweep_form_set_scheme (LoomSweepForm *self,
                            LoomScheme     scheme)
{
  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  g_return_if_fail (scheme <= LOOM_SCHEME_RANDOM);
  adw_combo_row_set_selected (self->scheme, scheme);
}

/**
 * loom_sweep_form_set_command:
 * @self: a #LoomSweepForm
 * @command: an argv template, as a shell would split it
 * @cwd: (nullable): the working directory
 *
 * Switches the form to a command.
 */
void
loom_sweep_form_set_command (LoomSweepForm *self,
                             const char    *command,
                             const char    *cwd)
{
  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  gtk_editable_set_text (GTK_EDITABLE (self->command), command);
  gtk_editable_set_text (GTK_EDITABLE (self->cwd), cwd ? cwd : "");
  gtk_drop_down_set_selected (self->kind, 1);
  revalidate (self);
}

/**
 * loom_sweep_form_get_command:
 * @self: a #LoomSweepForm
 *
 * Returns: (nullable): the command template, when the form runs a command
 */
const char *
loom_sweep_form_get_command (LoomSweepForm *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);
  if (gtk_drop_down_get_selected (self->kind) != 1)
    return NULL;
  return gtk_editable_get_text (GTK_EDITABLE (self->command));
}

const char *
loom_sweep_form_get_cwd (LoomSweepForm *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->cwd));
}
