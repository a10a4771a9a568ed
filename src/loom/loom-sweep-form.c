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
  GtkDropDown    *kind;         /* built-in, command, plugin */
  GtkStack       *kind_stack;
  GtkEntry       *command;      /* argv template */
  GtkEntry       *cwd;
  GtkEntry       *module;       /* plugin .so */
  GtkEntry       *symbol;
  GtkLabel       *kind_error;
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
 * Returns: (transfer full) (nullable): what each task runs
 */
LoomTaskSpec *
loom_sweep_form_build_spec (LoomSweepForm  *self,
                            GError        **error)
{
  switch (gtk_drop_down_get_selected (self->kind))
    {
    case 1:
      {
        g_auto(GStrv) argv = NULL;
        const char *text = gtk_editable_get_text (GTK_EDITABLE (self->command));
        const char *cwd = gtk_editable_get_text (GTK_EDITABLE (self->cwd));
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
  g_autoptr(LoomSweep) sweep = loom_sweep_form_build_sweep (self, &error);
  g_autoptr(GError) spec_error = NULL;
  g_autoptr(LoomTaskSpec) spec = loom_sweep_form_build_spec (self, &spec_error);
  gboolean valid = sweep != NULL && spec != NULL;
  guint64 count = sweep ? loom_sweep_get_count (sweep) : 0;

  /* What runs: its own message, where it is. */
  gtk_label_set_text (self->kind_error, spec_error ? spec_error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->kind_error), spec_error != NULL);
  if (spec_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->kind_stack), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->kind_stack), "error");

  if (sweep != NULL)
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
    gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->kind));

    self->function = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL));
    gtk_box_append (GTK_BOX (builtin_box), GTK_WIDGET (self->function));
    self->description = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->description, 0);
    gtk_label_set_wrap (self->description, TRUE);
    gtk_widget_add_css_class (GTK_WIDGET (self->description), "dim-label");
    gtk_box_append (GTK_BOX (builtin_box), GTK_WIDGET (self->description));

    self->command = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->command, _("./sim --x {x} --y {y}"));
    self->cwd = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->cwd, _("Working directory (optional)"));
    gtk_box_append (GTK_BOX (command_box), GTK_WIDGET (self->command));
    gtk_box_append (GTK_BOX (command_box), with_chooser (self->cwd, TRUE, _("Choose the Working Directory")));

    self->module = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->module, _("path/to/module.so"));
    self->symbol = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->symbol, _("Function name"));
    gtk_box_append (GTK_BOX (plugin_box), with_chooser (self->module, FALSE, _("Choose the Plugin Module")));
    gtk_box_append (GTK_BOX (plugin_box), GTK_WIDGET (self->symbol));

    self->kind_stack = GTK_STACK (gtk_stack_new ());
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
  g_signal_connect_object (self->kind, "notify::selected", G_CALLBACK (on_kind_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->command, "changed", G_CALLBACK (revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->cwd, "changed", G_CALLBACK (revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->module, "changed", G_CALLBACK (revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->symbol, "changed", G_CALLBACK (revalidate), self, G_CONNECT_SWAPPED);
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
