/* loom-add-engines-form.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The engines panel's "Add Engines" form: on this machine (a count), over
 * SSH (hosts as host[:n], a port, an identity file) or through Slurm (a
 * count, a partition, a time limit).  Fields are checked when Add is
 * pressed: a wrong one is marked, the message says why, and nothing
 * starts.  A good request activates win.launch-engines with the launcher's
 * name, the count and the launcher's options; the window answers with
 * loom_add_engines_form_show_error() if the launcher refused.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n.h>

#include "loom.h"
#include "loom-add-engines-form.h"
#include "loom-launch-fields.h"

struct _LoomAddEnginesForm
{
  GtkWidget    parent_instance;

  AdwComboRow *way_row;
  GtkStack    *stack;
  AdwEntryRow *local_count;
  AdwEntryRow *ssh_hosts;
  AdwEntryRow *ssh_port;
  AdwEntryRow *ssh_identity;
  AdwEntryRow *slurm_count;
  AdwEntryRow *slurm_partition;
  AdwEntryRow *slurm_time;
  GtkLabel    *message;
  GtkButton   *add_button;

  GtkWidget   *wrong;      /* the row the message is about, if any */
};

G_DEFINE_FINAL_TYPE (LoomAddEnginesForm, loom_add_engines_form, GTK_TYPE_WIDGET)

static void
set_message (LoomAddEnginesForm *self,
             GtkWidget          *wrong,
             const char         *text)
{
  if (self->wrong)
    gtk_widget_remove_css_class (self->wrong, "error");
  self->wrong = wrong;
  if (wrong)
    gtk_widget_add_css_class (wrong, "error");
  gtk_label_set_text (self->message, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message), text != NULL && *text != '\0');
}

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static char *
stripped (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (row_text (row)));
}

/* Checks the page shown; on success, @launcher, @n and @options say what
 * to start.  On failure the wrong row is marked and the message set. */
static gboolean
validate (LoomAddEnginesForm  *self,
          const char         **launcher,
          guint               *n,
          GStrv               *options)
{
  const char *way = loom_add_engines_form_get_way (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *wrong = NULL;

  if (g_strcmp0 (way, "ssh") == 0)
    {
      g_auto(GStrv) hosts = loom_launch_fields_parse_hosts (row_text (self->ssh_hosts), n, &error);
      g_autofree char *port = stripped (self->ssh_port);
      g_autofree char *identity = stripped (self->ssh_identity);

      if (hosts == NULL)
        wrong = GTK_WIDGET (self->ssh_hosts);
      else if (!loom_launch_fields_parse_port (port, &error))
        wrong = GTK_WIDGET (self->ssh_port);
      else
        {
          *launcher = "ssh";
          for (guint i = 0; hosts[i]; i++)
            {
              g_strv_builder_add (builder, "host");
              g_strv_builder_add (builder, hosts[i]);
            }
          if (*port)
            {
              g_strv_builder_add (builder, "ssh-port");
              g_strv_builder_add (builder, port);
            }
          if (*identity)
            {
              g_strv_builder_add (builder, "identity");
              g_strv_builder_add (builder, identity);
            }
        }
    }
  else if (g_strcmp0 (way, "slurm") == 0)
    {
      g_autofree char *partition = stripped (self->slurm_partition);
      g_autofree char *time = stripped (self->slurm_time);

      if (!loom_launch_fields_parse_count (row_text (self->slurm_count), n, &error))
        wrong = GTK_WIDGET (self->slurm_count);
      else if (!loom_launch_fields_parse_time_limit (time, &error))
        wrong = GTK_WIDGET (self->slurm_time);
      else
        {
          *launcher = "slurm";
          if (*partition)
            {
              g_strv_builder_add (builder, "partition");
              g_strv_builder_add (builder, partition);
            }
          if (*time)
            {
              g_strv_builder_add (builder, "time");
              g_strv_builder_add (builder, time);
            }
        }
    }
  else
    {
      if (!loom_launch_fields_parse_count (row_text (self->local_count), n, &error))
        wrong = GTK_WIDGET (self->local_count);
      else
        *launcher = "local";
    }

  if (error != NULL)
    {
      set_message (self, wrong, error->message);
      if (wrong)
        gtk_widget_grab_focus (wrong);
      return FALSE;
    }
  set_message (self, NULL, NULL);
  *options = g_strv_builder_end (builder);
  return TRUE;
}

static void
on_add (LoomAddEnginesForm *self)
{
  loom_add_engines_form_submit (self);
}

/* A message is about what was there: a change clears it. */
static void
on_field_changed (LoomAddEnginesForm *self)
{
  set_message (self, NULL, NULL);
}

/* The ways, in the order of the "Where" row and the stack's pages. */
static const char * const ways[] = { "local", "ssh", "slurm" };

static void
on_way_selected (LoomAddEnginesForm *self)
{
  guint selected = adw_combo_row_get_selected (self->way_row);

  if (selected < G_N_ELEMENTS (ways))
    gtk_stack_set_visible_child_name (self->stack, ways[selected]);
}

static void
on_way_changed (LoomAddEnginesForm *self)
{
  const char *way = gtk_stack_get_visible_child_name (self->stack);

  for (guint i = 0; way && i < G_N_ELEMENTS (ways); i++)
    if (g_str_equal (way, ways[i]) && adw_combo_row_get_selected (self->way_row) != i)
      adw_combo_row_set_selected (self->way_row, i);
  set_message (self, NULL, NULL);
}

static void
loom_add_engines_form_dispose (GObject *object)
{
  LoomAddEnginesForm *self = (LoomAddEnginesForm *) object;
  GtkWidget *child;

  self->wrong = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), LOOM_TYPE_ADD_ENGINES_FORM);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (loom_add_engines_form_parent_class)->dispose (object);
}

static void
loom_add_engines_form_class_init (LoomAddEnginesFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = loom_add_engines_form_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/loom/Loom/loom-add-engines-form.ui");
  gtk_widget_class_bind_template_child (widget_class, LoomAddEnginesForm, way_row);
  gtk_widget_class_bind_template_child (widget_class, LoomAddEnginesForm, stack);
  gtk_widget_class_bind_template_child (widget_class, LoomAddEnginesForm, local_count);
  gtk_widget_class_bind_template_child (widget_class, LoomAddEnginesForm, ssh_hosts);
  gtk_widget_class_bind_template_child (widget_class, LoomAddEnginesForm, ssh_port);
  gtk_widget_class_bind_template_child (widget_class, LoomAddEnginesForm, ssh_identity);
  gtk_widget_class_bind_template_child (widget_class, LoomAddEnginesForm, slurm_count);
  gtk_widget_class_bind_template_child (widget_class, LoomAddEnginesForm, slurm_partition);
  gtk_widget_class_bind_template_child (widget_class, LoomAddEnginesForm, slurm_time);
  gtk_widget_class_bind_template_child (widget_class, LoomAddEnginesForm, message);
  gtk_widget_class_bind_template_child (widget_class, LoomAddEnginesForm, add_button);
  gtk_widget_class_bind_template_callback (widget_class, on_add);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_way_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_way_selected);
}

static void
loom_add_engines_form_init (LoomAddEnginesForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * loom_add_engines_form_get_way:
 * @self: a #LoomAddEnginesForm
 *
 * Returns: the page shown: "local", "ssh" or "slurm"
 */
const char *
loom_add_engines_form_get_way (LoomAddEnginesForm *self)
{
  g_return_val_if_fail (LOOM_IS_ADD_ENGINES_FORM (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

void
loom_add_engines_form_set_way (LoomAddEnginesForm *self,
                               const char         *way)
{
  g_return_if_fail (LOOM_IS_ADD_ENGINES_FORM (self));
  g_return_if_fail (way != NULL);
  gtk_stack_set_visible_child_name (self->stack, way);
}

/**
 * loom_add_engines_form_submit:
 * @self: a #LoomAddEnginesForm
 *
 * What Add does: checks the fields of the page shown and, if they are
 * good, asks the window to start the engines (win.launch-engines).
 *
 * Returns: %TRUE if the request went to the window
 */
gboolean
loom_add_engines_form_submit (LoomAddEnginesForm *self)
{
  g_auto(GStrv) options = NULL;
  const char *launcher = NULL;
  GVariantBuilder pairs;
  guint n = 0;

  g_return_val_if_fail (LOOM_IS_ADD_ENGINES_FORM (self), FALSE);

  if (!validate (self, &launcher, &n, &options))
    return FALSE;
  g_variant_builder_init (&pairs, G_VARIANT_TYPE ("a(ss)"));
  for (guint i = 0; options[i] && options[i + 1]; i += 2)
    g_variant_builder_add (&pairs, "(ss)", options[i], options[i + 1]);
  return gtk_widget_activate_action (GTK_WIDGET (self), "win.launch-engines", "(sua(ss))", launcher, n, &pairs);
}

/* The launcher's own words, as it refused. */
void
loom_add_engines_form_show_error (LoomAddEnginesForm *self,
                                  const char         *message)
{
  g_return_if_fail (LOOM_IS_ADD_ENGINES_FORM (self));
  set_message (self, NULL, message);
}

/**
 * loom_add_engines_form_get_message:
 * @self: a #LoomAddEnginesForm
 *
 * Returns: (nullable): what the form says is wrong, if anything
 */
const char *
loom_add_engines_form_get_message (LoomAddEnginesForm *self)
{
  g_return_val_if_fail (LOOM_IS_ADD_ENGINES_FORM (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->message)) ? gtk_label_get_text (self->message) : NULL;
}

/* After engines were added: no message; the fields keep what was typed,
 * for the next time. */
void
loom_add_engines_form_reset (LoomAddEnginesForm *self)
{
  g_return_if_fail (LOOM_IS_ADD_ENGINES_FORM (self));
  set_message (self, NULL, NULL);
}
