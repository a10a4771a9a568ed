/* loom-sweep-form.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What to run and over which parameters: a built-in function (with a one-line
 * description of each) and sweep specs, one per line, in the language of
 * `loomctl --sweep` (name=range:0:10, name=1,2,5, name=log:1e-4:1e-1:4 …).
 * The task count previews live from LoomSweep; an invalid line is marked
 * where it is, with the message under it, and the form says it is invalid
 * so the window keeps Run insensitive.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "loom-sweep-form.h"

struct _LoomSweepForm
{
  GtkWidget       parent_instance;

  GtkWidget      *box;
  GtkDropDown    *function;
  GtkLabel       *description;
  GtkTextView    *params;
  GtkLabel       *preview;
  GtkSwitch      *also_serial;

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

/**
 * loom_sweep_form_build_sweep:
 * @self: a #LoomSweepForm
 * @error: return location for a #GError naming the bad line
 *
 * Returns: (transfer full) (nullable): the sweep the form describes
 */
LoomSweep *
loom_sweep_form_build_sweep (LoomSweepForm  *self,
                             GError        **error)
{
  g_autoptr(LoomSweep) sweep = loom_sweep_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->params);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_strstrip (lines[i]);
      if (*lines[i] == '\0' || *lines[i] == '#')
        continue;
      if (!loom_sweep_add_spec (sweep, lines[i], error))
        {
          g_prefix_error (error, _("Line %u: "), i + 1);
          return NULL;
        }
    }
  return g_steal_pointer (&sweep);
}

static void
revalidate (LoomSweepForm *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomSweep) sweep = loom_sweep_form_build_sweep (self, &error);
  gboolean valid = sweep != NULL;
  guint64 count = sweep ? loom_sweep_get_count (sweep) : 0;

  if (valid)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " task",
                                                            "%" PRIu64 " tasks", count), count);
      gtk_widget_remove_css_class (GTK_WIDGET (self->params), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->preview), "error");
      gtk_label_set_text (self->preview, text);
    }
  else
    {
      /* Marked where it is: the field, and the message under it. */
      gtk_widget_add_css_class (GTK_WIDGET (self->params), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->preview), "error");
      gtk_label_set_text (self->preview, error->message);
    }

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
loom_sweep_form_dispose (GObject *object)
{
  LoomSweepForm *self = (LoomSweepForm *) object;

  g_clear_pointer (&self->box, gtk_widget_unparent);

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

static void
loom_sweep_form_init (LoomSweepForm *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GtkWidget *scroller, *row;
  guint n;
  const LoomBuiltinInfo *all = loom_builtins_get_all (&n);

  for (guint i = 0; i < n; i++)
    gtk_string_list_append (names, all[i].name);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  gtk_box_append (GTK_BOX (self->box), heading (_("Function")));
  self->function = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL));
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->function));
  self->description = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->description, 0);
  gtk_label_set_wrap (self->description, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->description), "dim-label");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->description));

  gtk_box_append (GTK_BOX (self->box), heading (_("Parameters, one per line")));
  self->params = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_monospace (self->params, TRUE);
  gtk_text_view_set_top_margin (self->params, 6);
  gtk_text_view_set_left_margin (self->params, 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->params),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Parameters, one per line"), -1);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->params));
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 80);
  gtk_widget_add_css_class (scroller, "card");
  gtk_box_append (GTK_BOX (self->box), scroller);
  self->preview = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->preview, 0);
  gtk_label_set_wrap (self->preview, TRUE);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->preview));

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  self->also_serial = GTK_SWITCH (gtk_switch_new ());
  gtk_box_append (GTK_BOX (row), gtk_label_new (_("Also run serially for comparison")));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->also_serial));
  gtk_box_append (GTK_BOX (self->box), row);

  g_signal_connect_object (self->function, "notify::selected", G_CALLBACK (on_function_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->params), "changed", G_CALLBACK (revalidate), self, G_CONNECT_SWAPPED);

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

void
loom_sweep_form_set_parameters (LoomSweepForm *self,
                                const char    *text)
{
  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->params), text, -1);
  revalidate (self);
}

/**
 * loom_sweep_form_get_parameters:
 * @self: a #LoomSweepForm
 *
 * Returns: (transfer full): the parameter lines as typed
 */
char *
loom_sweep_form_get_parameters (LoomSweepForm *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);
  buffer = gtk_text_view_get_buffer (self->params);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
