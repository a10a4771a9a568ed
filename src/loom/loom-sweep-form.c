/* loom-sweep-form.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What to run and over which parameters, as a form in the window's side
 * pane (ui/loom-sweep-form.ui).
 *
 * What runs: a built-in function (with a one-line description of each), a
 * command (an argv template) or a plugin function.
 *
 * The parameters: one LoomParamRow each, with a name, a kind and that
 * kind's fields; the constant arguments (name=value, given to every task):
 * one LoomConstantRow each.  A row checks itself through libloom, so a bad
 * row is marked where it is with the message under it; the form checks
 * what is between rows (a name given twice, a zip of parameters of
 * different lengths).  The rows combine as every combination or as a zip.
 * The options — scheduler, retries, task timeout, a serial run to compare
 * — follow, folded.
 *
 * The task count previews live, and the form says when it is invalid so
 * the window keeps Run insensitive.  The rows read and write the sweep
 * language as text, one `name=spec` a line: that is how the window
 * remembers the last form.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "loom-constant-row.h"
#include "loom-param-row.h"
#include "loom-sweep-form.h"

struct _LoomSweepForm
{
  GtkWidget       parent_instance;

  GtkWidget      *box;          /* the template's one child */
  GtkDropDown    *kind;         /* built-in, command, plugin */
  GtkStack       *kind_stack;
  GtkEntry       *command;      /* argv template */
  GtkEntry       *cwd;
  GtkEntry       *module;       /* plugin .so */
  GtkEntry       *symbol;
  GtkLabel       *kind_error;
  GtkDropDown    *function;
  GtkLabel       *description;

  GtkListBox     *param_list;   /* LoomParamRow */
  AdwComboRow    *combine;
  GtkLabel       *zip_message;
  GtkListBox     *constant_list; /* LoomConstantRow */

  AdwExpanderRow *options;
  AdwComboRow    *scheme;
  GtkSpinButton  *retries;
  GtkSpinButton  *timeout;
  GtkWidget      *timeout_row;
  GtkSwitch      *also_serial;
  GtkLabel       *preview;

  GtkSizeGroup   *kind_sizes;   /* the rows' kind drop-downs, aligned */
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

/* The drop-downs of what runs and of the scheduler list the values of
 * LoomTaskKind and LoomScheme (AdwEnumListModel); these are the words a
 * person reads for them.  A value newer than these words shows its nick. */
static char *
task_kind_label (gpointer item,
                 int      kind)
{
  switch ((LoomTaskKind) kind)
    {
    case LOOM_TASK_KIND_BUILTIN:
      return g_strdup (_("Built-in function"));
    case LOOM_TASK_KIND_COMMAND:
      return g_strdup (_("Command"));
    case LOOM_TASK_KIND_PLUGIN:
      return g_strdup (_("Plugin function"));
    }
  return g_strdup (g_enum_get_value (g_type_class_peek (LOOM_TYPE_TASK_KIND), kind)->value_nick);
}

static char *
scheme_label (gpointer item,
              int      scheme)
{
  switch ((LoomScheme) scheme)
    {
    case LOOM_SCHEME_LEASTLOAD:
      return g_strdup (_("Least loaded engine"));
    case LOOM_SCHEME_LRU:
      return g_strdup (_("Least recently used"));
    case LOOM_SCHEME_RANDOM:
      return g_strdup (_("Random"));
    }
  return g_strdup (loom_scheme_to_string (scheme));
}

/* The value of an enum drop-down's selected item. */
static int
selected_value (gpointer item,
                int      fallback)
{
  return item ? adw_enum_list_item_get_value (item) : fallback;
}

/* What runs: a page of the stack each, named by the kind's nick. */
static LoomTaskKind
get_kind (LoomSweepForm *self)
{
  return selected_value (gtk_drop_down_get_selected_item (self->kind), LOOM_TASK_KIND_BUILTIN);
}

/* --- the rows -------------------------------------------------------------- */

static void
on_row_remove (LoomSweepForm *self,
               LoomFormRow   *row)
{
  gtk_list_box_remove (GTK_LIST_BOX (gtk_widget_get_parent (GTK_WIDGET (row))), GTK_WIDGET (row));
  revalidate (self);
}

/* A new, empty row at the end of @list: a hint of what to fill in. */
static LoomFormRow *
add_row (LoomSweepForm *self,
         GtkListBox    *list)
{
  LoomFormRow *row;

  if (list == self->param_list)
    row = LOOM_FORM_ROW (loom_param_row_new (self->kind_sizes));
  else
    row = LOOM_FORM_ROW (loom_constant_row_new ());
  g_signal_connect_object (row, "notify::text", G_CALLBACK (revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "remove", G_CALLBACK (on_row_remove), self, G_CONNECT_SWAPPED);
  gtk_list_box_append (list, GTK_WIDGET (row));
  return row;
}

static void
on_add_param (LoomSweepForm *self)
{
  LoomFormRow *row = add_row (self, self->param_list);

  revalidate (self);
  loom_form_row_focus_name (row);
}

static void
on_add_constant (LoomSweepForm *self)
{
  LoomFormRow *row = add_row (self, self->constant_list);

  revalidate (self);
  loom_form_row_focus_name (row);
}

/* Replaces the rows of @list with one row per line of @text; blank lines
 * and lines starting with `#` are skipped. */
static void
set_rows (LoomSweepForm *self,
          GtkListBox    *list,
          const char    *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GtkListBoxRow *row;

  self->frozen++;
  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
  for (guint i = 0; lines[i]; i++)
    {
      g_strstrip (lines[i]);
      if (*lines[i] == '\0' || *lines[i] == '#')
        continue;
      loom_form_row_set_text (add_row (self, list), lines[i]);
    }
  self->frozen--;
  revalidate (self);
}

/* The rows of @list, one line each; empty rows are left out. */
static char *
get_rows (GtkListBox *list)
{
  GString *out = g_string_new (NULL);
  GtkListBoxRow *row;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    {
      g_autofree char *line = NULL;

      if (loom_form_row_is_empty (LOOM_FORM_ROW (row)))
        continue;
      line = loom_form_row_dup_text (LOOM_FORM_ROW (row));
      if (out->len > 0)
        g_string_append_c (out, '\n');
      g_string_append (out, line);
    }
  return g_string_free (out, FALSE);
}

/* --- the sweep ------------------------------------------------------------- */

/* Adds the rows of @list to @sweep, each checked on its own and, with
 * @show, marked with its own message.  @names holds the names of the rows
 * so far; @added (nullable) gets those of the rows added.  The first
 * problem goes to @first.  Returns %TRUE if every row was added. */
static gboolean
add_rows (GtkListBox  *list,
          LoomSweep   *sweep,
          GHashTable  *names,
          GPtrArray   *added,
          gboolean     show,
          GError     **first)
{
  gboolean all = TRUE;
  GtkListBoxRow *row;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    {
      g_autofree char *name = loom_form_row_dup_name (LOOM_FORM_ROW (row));
      g_autoptr(GError) row_error = NULL;

      if (loom_form_row_check (LOOM_FORM_ROW (row), sweep, g_hash_table_contains (names, name), show, &row_error))
        {
          if (added != NULL)
            g_ptr_array_add (added, g_strdup (name));
        }
      else
        {
          all = FALSE;
          if (*first == NULL)
            *first = g_steal_pointer (&row_error);
        }
      if (*name != '\0')
        g_hash_table_add (names, g_steal_pointer (&name));
    }
  return all;
}

/* Shows @error in @label and marks @widget, or hides and unmarks them. */
static void
show_error (GtkLabel     *label,
            GtkWidget    *widget,
            const GError *error)
{
  gtk_label_set_text (label, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), error != NULL);
  if (error != NULL)
    gtk_widget_add_css_class (widget, "error");
  else
    gtk_widget_remove_css_class (widget, "error");
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
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) param_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) first = NULL;
  g_autoptr(GError) zip_error = NULL;
  gboolean all_params;

  all_params = add_rows (self->param_list, sweep, names, param_names, show, &first);
  add_rows (self->constant_list, sweep, names, NULL, show, &first);

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
    show_error (self->zip_message, GTK_WIDGET (self->combine), zip_error);

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

/* The timeout field's upper bound, as the template's adjustment has it. */
#define TIMEOUT_MAX 604800

/* What is typed in the timeout field, before the spin button takes it:
 * a number of seconds in range, or nothing. */
static gboolean
timeout_text_valid (LoomSweepForm *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->timeout));
  char *end = NULL;
  double value;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return TRUE;
  value = g_ascii_strtod (text, &end);
  while (end && g_ascii_isspace (*end))
    end++;
  return end != NULL && *end == '\0' && value >= 0 && value <= TIMEOUT_MAX;
}

/**
 * loom_sweep_form_build_spec:
 * @self: a #LoomSweepForm
 * @error: return location for a #GError naming the bad field
 *
 * Every kind of task gets the form's task timeout: a command past it is
 * killed, a built-in or plugin function (which cannot be interrupted)
 * ends its engine, which the cluster replaces.
 *
 * Returns: (transfer full) (nullable): what each task runs
 */
LoomTaskSpec *
loom_sweep_form_build_spec (LoomSweepForm  *self,
                            GError        **error)
{
  LoomTaskSpec *spec = NULL;

  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);

  switch (get_kind (self))
    {
    case LOOM_TASK_KIND_COMMAND:
      {
        g_auto(GStrv) argv = NULL;
        const char *text = gtk_editable_get_text (GTK_EDITABLE (self->command));
        const char *cwd = gtk_editable_get_text (GTK_EDITABLE (self->cwd));

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
      }
      break;

    case LOOM_TASK_KIND_PLUGIN:
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
        spec = loom_task_spec_new_plugin (module, symbol);
      }
      break;

    case LOOM_TASK_KIND_BUILTIN:
    default:
      spec = loom_task_spec_new_builtin (loom_sweep_form_get_function (self));
      break;
    }

  if (spec != NULL && !timeout_text_valid (self))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Task timeout: give a number of seconds from 0 (no limit) to %d (a week)"), TIMEOUT_MAX);
      g_clear_pointer (&spec, loom_task_spec_unref);
      return NULL;
    }
  if (spec != NULL)
    loom_task_spec_set_timeout (spec, loom_sweep_form_get_timeout (self));
  return spec;
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
  if (self->frozen > 0)
    return;

  sweep = build_sweep (self, TRUE, &error);
  spec = loom_sweep_form_build_spec (self, &spec_error);
  count = sweep ? loom_sweep_get_count (sweep) : 0;
  /* A sweep of no tasks (a CSV without rows) is no error, but there is
   * nothing to run: the preview says “0 tasks” and Run waits. */
  valid = sweep != NULL && spec != NULL && count > 0;

  /* What runs: its own message, where it is; the timeout field is marked
   * when it is the field at fault. */
  show_error (self->kind_error, GTK_WIDGET (self->kind_stack), spec_error);
  if (timeout_text_valid (self))
    gtk_widget_remove_css_class (self->timeout_row, "error");
  else
    gtk_widget_add_css_class (self->timeout_row, "error");

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

  gtk_widget_set_sensitive (GTK_WIDGET (self->combine), gtk_list_box_get_row_at_index (self->param_list, 1) != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->constant_list), gtk_list_box_get_row_at_index (self->constant_list, 0) != NULL);

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

/* --- what runs ------------------------------------------------------------- */

static void
on_kind_changed (LoomSweepForm *self)
{
  AdwEnumListItem *kind = gtk_drop_down_get_selected_item (self->kind);

  if (kind != NULL)
    gtk_stack_set_visible_child_name (self->kind_stack, adw_enum_list_item_get_nick (kind));
  revalidate (self);
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
                     GtkEditable     *entry)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path)
        gtk_editable_set_text (entry, path);
    }
  g_object_unref (dialog);
}

/* Fills @entry with a path chosen in a file chooser. */
static void
choose_path (LoomSweepForm        *self,
             GtkEntry             *entry,
             GtkFileChooserAction  action,
             const char           *title)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, action,
                                        _("_Choose"), _("_Cancel"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_chooser_response), entry, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_choose_cwd (LoomSweepForm *self)
{
  choose_path (self, self->cwd, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("Choose the Working Directory"));
}

static void
on_choose_module (LoomSweepForm *self)
{
  choose_path (self, self->module, GTK_FILE_CHOOSER_ACTION_OPEN, _("Choose the Plugin Module"));
}

/* --- options --------------------------------------------------------------- */

/* “Least loaded engine, 2 retries, no timeout”: the options, folded. */
static void
update_options_summary (LoomSweepForm *self)
{
  g_autofree char *scheme = scheme_label (NULL, loom_sweep_form_get_scheme (self));
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
                             scheme, retries_text, timeout_text);
  adw_expander_row_set_subtitle (self->options, summary);
}

/* --- the object ------------------------------------------------------------ */

static void
loom_sweep_form_dispose (GObject *object)
{
  LoomSweepForm *self = (LoomSweepForm *) object;

  self->frozen++;
  gtk_widget_dispose_template (GTK_WIDGET (self), LOOM_TYPE_SWEEP_FORM);
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

  g_type_ensure (LOOM_TYPE_SCHEME);
  g_type_ensure (LOOM_TYPE_TASK_KIND);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/loom/Loom/loom-sweep-form.ui");
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, box);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, kind);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, kind_stack);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, command);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, cwd);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, module);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, symbol);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, kind_error);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, function);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, description);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, param_list);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, combine);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, zip_message);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, constant_list);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, options);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, scheme);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, retries);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, timeout);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, timeout_row);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, also_serial);
  gtk_widget_class_bind_template_child (widget_class, LoomSweepForm, preview);
  gtk_widget_class_bind_template_callback (widget_class, revalidate);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_function_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_cwd);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_module);
  gtk_widget_class_bind_template_callback (widget_class, on_add_param);
  gtk_widget_class_bind_template_callback (widget_class, on_add_constant);
  gtk_widget_class_bind_template_callback (widget_class, update_options_summary);
  gtk_widget_class_bind_template_callback (widget_class, task_kind_label);
  gtk_widget_class_bind_template_callback (widget_class, scheme_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sweepform");
}

static void
loom_sweep_form_init (LoomSweepForm *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint n;
  const LoomBuiltinInfo *all = loom_builtins_get_all (&n);

  /* Quiet until the form is whole. */
  self->frozen = 1;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->kind_sizes = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);

  for (guint i = 0; i < n; i++)
    gtk_string_list_append (names, all[i].name);
  gtk_drop_down_set_model (self->function, G_LIST_MODEL (names));

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
  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  g_return_if_fail (text != NULL);
  set_rows (self, self->param_list, text);
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
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);
  return get_rows (self->param_list);
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
  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  g_return_if_fail (text != NULL);
  set_rows (self, self->constant_list, text);
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
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);
  return get_rows (self->constant_list);
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
 * Returns: the seconds a task may run, 0 for no limit; the spec
 *   loom_sweep_form_build_spec() builds carries it
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
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), LOOM_SCHEME_LEASTLOAD);
  return selected_value (adw_combo_row_get_selected_item (self->scheme), LOOM_SCHEME_LEASTLOAD);
}

void
loom_sweep_form_set_scheme (LoomSweepForm *self,
                            LoomScheme     scheme)
{
  g_return_if_fail (LOOM_IS_SWEEP_FORM (self));
  g_return_if_fail (g_enum_get_value (g_type_class_peek (LOOM_TYPE_SCHEME), scheme) != NULL);
  adw_combo_row_set_selected (self->scheme,
                              adw_enum_list_model_find_position (ADW_ENUM_LIST_MODEL (adw_combo_row_get_model (self->scheme)),
                                                                 scheme));
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
  gtk_drop_down_set_selected (self->kind,
                              adw_enum_list_model_find_position (ADW_ENUM_LIST_MODEL (gtk_drop_down_get_model (self->kind)),
                                                                 LOOM_TASK_KIND_COMMAND));
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
  if (get_kind (self) != LOOM_TASK_KIND_COMMAND)
    return NULL;
  return gtk_editable_get_text (GTK_EDITABLE (self->command));
}

const char *
loom_sweep_form_get_cwd (LoomSweepForm *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP_FORM (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->cwd));
}
