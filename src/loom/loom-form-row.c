/* loom-form-row.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the sweep form's rows have in common: a name, a message under the
 * row, a remove button.  A subclass (LoomParamRow, LoomConstantRow) brings
 * its template, with a `name` entry and a `message` label this class
 * binds, and the fields of its value; this class checks the name, adds the
 * row to a sweep the subclass's way and shows what is wrong where it is:
 * in red once the row was edited, as a dim hint while it is new.
 *
 * The row reads and writes itself as a line of text, `name=value` (the
 * `text` property, notified on every edit), and asks to be removed with
 * the `remove` signal, from its `row.remove` action; the form that holds
 * the rows does the rest.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "loom-form-row.h"

typedef struct
{
  GtkEditable *name;
  GtkLabel    *message;
  gboolean     touched;   /* edited, or set from text */
} LoomFormRowPrivate;

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

enum {
  REMOVE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LoomFormRow, loom_form_row, GTK_TYPE_LIST_BOX_ROW)

/**
 * loom_form_row_text_of:
 * @editable: an entry of the row
 *
 * Returns: (transfer full): the entry's text without the blanks around it
 */
char *
loom_form_row_text_of (GtkEditable *editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (editable)));
}

static void
set_css_class (GtkWidget  *widget,
               const char *css_class,
               gboolean    set)
{
  if (set)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

/* Names go into `name=spec` and into the comma-separated zip. */
static gboolean
check_name (LoomFormRow  *self,
            const char   *name,
            gboolean      name_taken,
            GError      **error)
{
  if (*name == '\0')
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, "%s",
                   _(LOOM_FORM_ROW_GET_CLASS (self)->missing_name));
      return FALSE;
    }
  if (strpbrk (name, "=,") != NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("“%s”: a name cannot contain “=” or “,”"), name);
      return FALSE;
    }
  if (name_taken)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("“%s”: the name is given twice"), name);
      return FALSE;
    }
  return TRUE;
}

/* Shows what is wrong with the row under it: in red once it was edited,
 * as a hint while it is new and untouched. */
static void
show_error (LoomFormRow  *self,
            const GError *error,
            gboolean      name_is_wrong)
{
  LoomFormRowPrivate *priv = loom_form_row_get_instance_private (self);
  gboolean marked = error != NULL && priv->touched;

  gtk_label_set_text (priv->message, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (priv->message), error != NULL);
  set_css_class (GTK_WIDGET (self), "error", marked);
  set_css_class (GTK_WIDGET (priv->message), "error", marked);
  set_css_class (GTK_WIDGET (priv->message), "dim-label", !marked);
  set_css_class (GTK_WIDGET (priv->name), "error", marked && name_is_wrong);
}

/**
 * loom_form_row_check:
 * @self: a #LoomFormRow
 * @sweep: the sweep to add the row to
 * @name_taken: whether a row before this one has the same name
 * @show: whether to show the outcome on the row
 * @error: return location for what is wrong with the row
 *
 * Checks the row's name, then adds the row to @sweep, which checks the
 * rest; with @show the row is marked with its message, or unmarked.
 *
 * Returns: %TRUE if the row was added
 */
gboolean
loom_form_row_check (LoomFormRow  *self,
                     LoomSweep    *sweep,
                     gboolean      name_taken,
                     gboolean      show,
                     GError      **error)
{
  g_autofree char *name = NULL;
  g_autoptr(GError) row_error = NULL;
  gboolean name_is_wrong;

  g_return_val_if_fail (LOOM_IS_FORM_ROW (self), FALSE);
  g_return_val_if_fail (sweep != NULL, FALSE);

  name = loom_form_row_dup_name (self);
  name_is_wrong = !check_name (self, name, name_taken, &row_error);
  if (!name_is_wrong)
    {
      g_autofree char *text = loom_form_row_dup_text (self);

      LOOM_FORM_ROW_GET_CLASS (self)->add_to_sweep (sweep, text, &row_error);
    }
  if (show)
    show_error (self, row_error, name_is_wrong);
  if (row_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&row_error));
      return FALSE;
    }
  return TRUE;
}

/**
 * loom_form_row_dup_name:
 * @self: a #LoomFormRow
 *
 * Returns: (transfer full): the row's name, without the blanks around it
 */
char *
loom_form_row_dup_name (LoomFormRow *self)
{
  LoomFormRowPrivate *priv = loom_form_row_get_instance_private (self);

  g_return_val_if_fail (LOOM_IS_FORM_ROW (self), NULL);
  return loom_form_row_text_of (priv->name);
}

/**
 * loom_form_row_dup_text:
 * @self: a #LoomFormRow
 *
 * Returns: (transfer full): the row as a line of text, `name=value`,
 *   whatever is in it
 */
char *
loom_form_row_dup_text (LoomFormRow *self)
{
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;

  g_return_val_if_fail (LOOM_IS_FORM_ROW (self), NULL);

  name = loom_form_row_dup_name (self);
  value = LOOM_FORM_ROW_GET_CLASS (self)->dup_value (self);
  return g_strconcat (name, "=", value, NULL);
}

/**
 * loom_form_row_set_text:
 * @self: a #LoomFormRow
 * @text: a line, `name=value`
 *
 * Fills the row from a line of text: the name up to the first `=`, the
 * value after it.  The row then counts as edited: if the line is wrong,
 * it is marked at once.
 */
void
loom_form_row_set_text (LoomFormRow *self,
                        const char  *text)
{
  LoomFormRowPrivate *priv = loom_form_row_get_instance_private (self);
  const char *eq;
  g_autofree char *name = NULL;

  g_return_if_fail (LOOM_IS_FORM_ROW (self));
  g_return_if_fail (text != NULL);

  eq = strchr (text, '=');
  name = eq ? g_strndup (text, eq - text) : g_strdup (text);
  gtk_editable_set_text (priv->name, name);
  LOOM_FORM_ROW_GET_CLASS (self)->set_value (self, eq ? eq + 1 : "");
  priv->touched = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

/**
 * loom_form_row_is_empty:
 * @self: a #LoomFormRow
 *
 * Returns: %TRUE if nothing was written in the row
 */
gboolean
loom_form_row_is_empty (LoomFormRow *self)
{
  g_return_val_if_fail (LOOM_IS_FORM_ROW (self), TRUE);
  return LOOM_FORM_ROW_GET_CLASS (self)->is_empty (self);
}

/**
 * loom_form_row_focus_name:
 * @self: a #LoomFormRow
 *
 * Puts the keyboard focus in the row's name, as for a row just added.
 */
void
loom_form_row_focus_name (LoomFormRow *self)
{
  LoomFormRowPrivate *priv = loom_form_row_get_instance_private (self);

  g_return_if_fail (LOOM_IS_FORM_ROW (self));
  gtk_widget_grab_focus (GTK_WIDGET (priv->name));
}

/**
 * loom_form_row_get_name:
 * @self: a #LoomFormRow
 *
 * Returns: the text of the row's name, as it is written
 */
const char *
loom_form_row_get_name (LoomFormRow *self)
{
  LoomFormRowPrivate *priv = loom_form_row_get_instance_private (self);

  g_return_val_if_fail (LOOM_IS_FORM_ROW (self), NULL);
  return gtk_editable_get_text (priv->name);
}

/**
 * loom_form_row_class_set_template:
 * @klass: a subclass's class
 * @resource_name: the subclass's template
 *
 * For a subclass's class_init: sets its template, whose `name` entry and
 * `message` label this class takes, and in which an edit calls
 * loom_form_row_edited().  The subclass's init calls
 * gtk_widget_init_template(); this class's dispose disposes it.
 */
void
loom_form_row_class_set_template (LoomFormRowClass *klass,
                                  const char       *resource_name)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_return_if_fail (LOOM_IS_FORM_ROW_CLASS (klass));

  gtk_widget_class_set_template_from_resource (widget_class, resource_name);
  gtk_widget_class_bind_template_child_full (widget_class, "name", FALSE,
                                             G_PRIVATE_OFFSET (LoomFormRow, name));
  gtk_widget_class_bind_template_child_full (widget_class, "message", FALSE,
                                             G_PRIVATE_OFFSET (LoomFormRow, message));
  gtk_widget_class_bind_template_callback (widget_class, loom_form_row_edited);
}

/**
 * loom_form_row_edited:
 * @self: a #LoomFormRow
 *
 * For a subclass: a field of the row was edited.
 */
void
loom_form_row_edited (LoomFormRow *self)
{
  LoomFormRowPrivate *priv = loom_form_row_get_instance_private (self);

  g_return_if_fail (LOOM_IS_FORM_ROW (self));
  priv->touched = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

static void
loom_form_row_dispose (GObject *object)
{
  /* The template of the row's class: see loom_form_row_class_set_template(). */
  gtk_widget_dispose_template (GTK_WIDGET (object), G_OBJECT_TYPE (object));

  G_OBJECT_CLASS (loom_form_row_parent_class)->dispose (object);
}

static void
loom_form_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LoomFormRow *self = LOOM_FORM_ROW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_take_string (value, loom_form_row_dup_text (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_form_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LoomFormRow *self = LOOM_FORM_ROW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      loom_form_row_set_text (self, g_value_get_string (value) ?: "");
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
remove_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  g_signal_emit (widget, signals[REMOVE], 0);
}

static void
loom_form_row_class_init (LoomFormRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = loom_form_row_dispose;
  object_class->get_property = loom_form_row_get_property;
  object_class->set_property = loom_form_row_set_property;

  /**
   * LoomFormRow:text:
   *
   * The row as a line, `name=…`; notified on every edit.
   */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LoomFormRow::remove:
   *
   * The person asked to remove the row (its `row.remove` action).
   */
  signals[REMOVE] =
    g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "row.remove", NULL, remove_activated);
}

static void
loom_form_row_init (LoomFormRow *self)
{
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (self), FALSE);
}
