/* test-form.c: the sweep form's real widgets under Xvfb
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Drives LoomSweepForm as a person would — the “Add Parameter” button, the
 * row's fields, its kind, the remove button, the combine drop-down, the
 * constant arguments and the options — and checks the task count, the
 * form's validity, where an error is shown, the sweep it builds and the
 * text it remembers.  The rows are LoomParamRow and LoomConstantRow, each
 * with its text property and its message under it; the form speaks German
 * from its templates as from its code.  It renders the form at the width
 * of the window's side pane to a PNG kept as an artifact.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "loom-constant-row.h"
#include "loom-param-row.h"
#include "loom-resources.h"
#include "loom-sweep-form.h"
#include "loom-ui-test-util.h"

/* --- finding widgets ------------------------------------------------------- */

static void
click_button_labelled (GtkWidget  *root,
                       const char *text)
{
  GtkWidget *label = find_label_with (root, text);
  GtkWidget *button = label ? gtk_widget_get_ancestor (label, GTK_TYPE_BUTTON) : NULL;

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
}

static guint
n_rows (LoomSweepForm *form,
        const char    *list_name)
{
  GtkListBox *list = GTK_LIST_BOX (find_widget_named (GTK_WIDGET (form), list_name));
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, n))
    n++;
  return n;
}

static GtkWidget *
row_at (LoomSweepForm *form,
        const char    *list_name,
        guint          index)
{
  GtkListBox *list = GTK_LIST_BOX (find_widget_named (GTK_WIDGET (form), list_name));
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, index);

  g_assert_nonnull (row);
  return GTK_WIDGET (row);
}

static GtkWidget *
param_row (LoomSweepForm *form,
           guint          index)
{
  return row_at (form, "parameters", index);
}

static void
set_text (GtkWidget  *row,
          const char *name,
          const char *text)
{
  GtkWidget *entry = find_widget_named (row, name);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

typedef enum { LIST, RANGE, LIN, LOG, RANDOM } Kind;

/* Fills a parameter row's fields: the name, the kind and its fields. */
static void
fill (GtkWidget  *row,
      const char *name,
      Kind        kind,
      const char *a,
      const char *b,
      const char *c)
{
  set_text (row, "name", name);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (find_widget_named (row, "kind")), kind);
  if (kind == LIST)
    {
      set_text (row, "values", a);
      return;
    }
  set_text (row, "field0", a);
  set_text (row, "field1", b);
  set_text (row, "field2", c);
}

/* The row's message, if it shows one. */
static const char *
message_of (GtkWidget *row)
{
  GtkWidget *label = find_widget_named (row, "message");

  g_assert_nonnull (label);
  return gtk_widget_get_visible (label) ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
}

static void
assert_row_error (GtkWidget  *row,
                  const char *fragment)
{
  const char *message = message_of (row);

  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_nonnull (message);
  if (strstr (message, fragment) == NULL)
    g_error ("expected “%s” in the message “%s”", fragment, message);
}

static void
assert_row_fine (GtkWidget *row)
{
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_assert_null (message_of (row));
}

static char *
text_of_row (GtkWidget *row)
{
  char *text = NULL;

  g_object_get (row, "text", &text, NULL);
  return text;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* Where @widget is in @row, once the window has laid it out. */
static graphene_rect_t
bounds_in (GtkWidget *widget,
           GtkWidget *row)
{
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, 0, 0);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while ((!gtk_widget_compute_bounds (widget, row, &bounds) || bounds.size.height == 0 ||
          gtk_widget_get_width (row) == 0) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (gtk_widget_compute_bounds (widget, row, &bounds));
  g_assert_cmpfloat (bounds.size.height, >, 0);
  return bounds;
}

static GtkWindow *
form_window (LoomSweepForm **form_out)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *form = loom_sweep_form_new ();

  gtk_widget_set_margin_top (form, 12);
  gtk_widget_set_margin_bottom (form, 12);
  gtk_widget_set_margin_start (form, 12);
  gtk_widget_set_margin_end (form, 12);
  gtk_window_set_child (GTK_WINDOW (window), form);
  gtk_window_set_default_size (GTK_WINDOW (window), 420, -1);
  gtk_window_present (GTK_WINDOW (window));
  *form_out = LOOM_SWEEP_FORM (form);
  return GTK_WINDOW (window);
}

static char *
lines_of (LoomSweepForm *form)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomSweep) sweep = loom_sweep_form_build_sweep (form, &error);
  g_autoptr(GBytes) lines = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (sweep);
  lines = loom_sweep_to_lines (sweep);
  return g_strndup (g_bytes_get_data (lines, NULL), g_bytes_get_size (lines));
}

/* --- the cases --------------------------------------------------------------- */

/* Rows added with the button, filled, switched between kinds, combined as
 * a product and as a zip, made invalid in each way and removed. */
static void
test_rows (void)
{
  LoomSweepForm *form;
  GtkWindow *window = form_window (&form);
  GtkWidget *x, *y;

  /* The default form: t=range:0:10 and sleep=1. */
  g_assert_true (loom_sweep_form_is_valid (form));
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 10);
  g_assert_cmpuint (n_rows (form, "parameters"), ==, 2);

  loom_sweep_form_set_parameters (form, "");
  g_assert_cmpuint (n_rows (form, "parameters"), ==, 0);
  g_assert_true (loom_sweep_form_is_valid (form));
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 1);

  /* A new row is empty: Run waits for it, but it is not marked red yet. */
  click_button_labelled (GTK_WIDGET (form), "Add Parameter");
  g_assert_cmpuint (n_rows (form, "parameters"), ==, 1);
  x = param_row (form, 0);
  g_assert_false (loom_sweep_form_is_valid (form));
  g_assert_false (gtk_widget_has_css_class (x, "error"));
  g_assert_nonnull (message_of (x));

  fill (x, "x", RANGE, "0", "10", "1");
  g_assert_true (loom_sweep_form_is_valid (form));
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 10);
  assert_row_fine (x);
  g_assert_nonnull (find_label_with (GTK_WIDGET (form), "10 tasks"));
  set_text (x, "field2", "");
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 10);
  set_text (x, "field2", "3");
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 4);

  fill (x, "x", LIN, "0", "1", "5");
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 5);
  g_assert_nonnull (find_label_with (GTK_WIDGET (form), "5 tasks"));
  fill (x, "x", LOG, "1e-4", "1e-1", "4");
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 4);
  fill (x, "x", RANDOM, "0", "1", "8");
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 8);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (find_widget_named (x, "distribution")), 2);
  set_text (x, "field3", "42");
  {
    g_autofree char *text = loom_sweep_form_get_parameters (form);
    g_assert_cmpstr (text, ==, "x=random:int:0:1:8:42");
  }
  fill (x, "x", LIST, "1,2,5", NULL, NULL);
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 3);
  fill (x, "x", LIN, "0", "1", "5");

  /* Two rows: every combination multiplies, a zip pairs them up. */
  click_button_labelled (GTK_WIDGET (form), "Add Parameter");
  y = param_row (form, 1);
  fill (y, "y", LIST, "a,b,c", NULL, NULL);
  g_assert_true (loom_sweep_form_is_valid (form));
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 15);

  adw_combo_row_set_selected (ADW_COMBO_ROW (find_widget_named (GTK_WIDGET (form), "combine")), 1);
  g_assert_true (loom_sweep_form_get_zip (form));
  g_assert_false (loom_sweep_form_is_valid (form));
  {
    GtkWidget *zip_message = find_widget_named (GTK_WIDGET (form), "zip-message");

    g_assert_true (gtk_widget_get_visible (zip_message));
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (zip_message)), "same number of values"));
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (zip_message)), "x has 5, y has 3"));

    fill (y, "y", LIST, "a,b,c,d,e", NULL, NULL);
    g_assert_true (loom_sweep_form_is_valid (form));
    g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 5);
    g_assert_false (gtk_widget_get_visible (zip_message));
  }
  {
    g_autofree char *lines = lines_of (form);
    g_assert_nonnull (strstr (lines, "{\"x\":0.25,\"y\":\"b\"}"));
  }
  loom_sweep_form_set_zip (form, FALSE);
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 25);

  /* An invalid row is marked, with its message under it. */
  fill (x, "x", LOG, "0", "1", "3");
  g_assert_false (loom_sweep_form_is_valid (form));
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 0);
  assert_row_error (x, "log scale needs START > 0, got 0");
  assert_row_fine (y);
  set_text (x, "field0", "1e-3");
  g_assert_true (loom_sweep_form_is_valid (form));
  assert_row_fine (x);
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 15);

  set_text (y, "name", "");
  g_assert_false (loom_sweep_form_is_valid (form));
  assert_row_error (y, "name");
  g_assert_true (gtk_widget_has_css_class (find_widget_named (y, "name"), "error"));
  assert_row_fine (x);

  set_text (y, "name", "x");
  g_assert_false (loom_sweep_form_is_valid (form));
  assert_row_error (y, "twice");
  assert_row_fine (x);

  set_text (y, "name", "y");
  set_text (y, "values", "");
  assert_row_error (y, "empty");
  g_assert_false (loom_sweep_form_is_valid (form));

  /* Removing the bad row makes the form valid again. */
  g_signal_emit_by_name (find_widget_named (y, "remove"), "clicked");
  g_assert_cmpuint (n_rows (form, "parameters"), ==, 1);
  g_assert_true (loom_sweep_form_is_valid (form));
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 3);

  gtk_window_destroy (window);
}

/* Constant arguments reach every task; a clash of names is marked. */
static void
test_constants (void)
{
  LoomSweepForm *form;
  GtkWindow *window = form_window (&form);
  GtkWidget *constant;

  loom_sweep_form_set_parameters (form, "t=range:0:3");
  g_assert_false (gtk_widget_get_visible (find_widget_named (GTK_WIDGET (form), "constants")));
  click_button_labelled (GTK_WIDGET (form), "Add Argument");
  g_assert_true (gtk_widget_get_visible (find_widget_named (GTK_WIDGET (form), "constants")));
  g_assert_cmpuint (n_rows (form, "constants"), ==, 1);
  constant = row_at (form, "constants", 0);
  g_assert_false (loom_sweep_form_is_valid (form));
  g_assert_false (gtk_widget_has_css_class (constant, "error"));

  set_text (constant, "name", "mode");
  set_text (constant, "value", "fast");
  g_assert_true (loom_sweep_form_is_valid (form));
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 3);
  {
    g_autofree char *lines = lines_of (form);
    g_assert_cmpstr (lines, ==,
                     "{\"mode\":\"fast\",\"t\":0}\n{\"mode\":\"fast\",\"t\":1}\n{\"mode\":\"fast\",\"t\":2}");
  }
  {
    g_autofree char *text = loom_sweep_form_get_constants (form);
    g_assert_cmpstr (text, ==, "mode=fast");
  }

  set_text (constant, "name", "t");
  g_assert_false (loom_sweep_form_is_valid (form));
  assert_row_error (constant, "twice");
  assert_row_fine (param_row (form, 0));

  loom_sweep_form_set_constants (form, "a=1\nb=[1,2]\nc=inf");
  g_assert_cmpuint (n_rows (form, "constants"), ==, 3);
  assert_row_error (row_at (form, "constants", 2), "not a finite number");
  g_signal_emit_by_name (find_widget_named (row_at (form, "constants", 2), "remove"), "clicked");
  g_assert_true (loom_sweep_form_is_valid (form));
  {
    g_autofree char *lines = lines_of (form);
    g_autofree char *text = loom_sweep_form_get_constants (form);

    g_assert_true (g_str_has_prefix (lines, "{\"a\":1,\"b\":[1,2],\"t\":0}\n"));
    g_assert_cmpstr (text, ==, "a=1\nb=[1,2]");
  }

  gtk_window_destroy (window);
}

/* The options: what the getters return is what the controls hold, and
 * the spec of every kind of task carries the timeout. */
static void
test_options (void)
{
  LoomSweepForm *form;
  GtkWindow *window = form_window (&form);
  GtkSpinButton *retries = GTK_SPIN_BUTTON (find_widget_named (GTK_WIDGET (form), "retries"));
  GtkSpinButton *timeout = GTK_SPIN_BUTTON (find_widget_named (GTK_WIDGET (form), "timeout"));
  GtkWidget *timeout_row = gtk_widget_get_ancestor (GTK_WIDGET (timeout), GTK_TYPE_LIST_BOX_ROW);

  g_assert_cmpuint (loom_sweep_form_get_retries (form), ==, 2);
  g_assert_cmpfloat (loom_sweep_form_get_timeout (form), ==, 0);
  g_assert_cmpint (loom_sweep_form_get_scheme (form), ==, LOOM_SCHEME_LEASTLOAD);

  gtk_spin_button_set_value (retries, 5);
  g_assert_cmpuint (loom_sweep_form_get_retries (form), ==, 5);
  gtk_spin_button_set_value (retries, 50);
  g_assert_cmpuint (loom_sweep_form_get_retries (form), ==, 10);
  gtk_spin_button_set_value (timeout, 30);
  g_assert_cmpfloat (loom_sweep_form_get_timeout (form), ==, 30);
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_widget_named (GTK_WIDGET (form), "scheme")), 2);
  g_assert_cmpint (loom_sweep_form_get_scheme (form), ==, LOOM_SCHEME_RANDOM);
  loom_sweep_form_set_scheme (form, LOOM_SCHEME_LRU);
  g_assert_cmpint (loom_sweep_form_get_scheme (form), ==, LOOM_SCHEME_LRU);

  /* The timeout is for every kind of task: a built-in function too. */
  g_assert_true (gtk_widget_get_sensitive (timeout_row));
  {
    g_autoptr(LoomTaskSpec) spec = loom_sweep_form_build_spec (form, NULL);
    g_autofree char *json = loom_task_spec_to_json (spec);
    g_assert_nonnull (strstr (json, "\"timeout\":30"));
  }
  /* A timeout typed out of range: the form says which field and why. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LoomTaskSpec) spec = NULL;

    gtk_editable_set_text (GTK_EDITABLE (timeout), "9999999");
    g_assert_false (loom_sweep_form_is_valid (form));
    spec = loom_sweep_form_build_spec (form, &error);
    g_assert_null (spec);
    g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "Task timeout"));
    g_assert_true (gtk_widget_has_css_class (timeout_row, "error"));
    gtk_editable_set_text (GTK_EDITABLE (timeout), "30");
    gtk_spin_button_update (timeout);
    g_assert_true (loom_sweep_form_is_valid (form));
    g_assert_false (gtk_widget_has_css_class (timeout_row, "error"));
  }
  loom_sweep_form_set_command (form, "sh -c 'echo {t}'", NULL);
  g_assert_true (gtk_widget_get_sensitive (timeout_row));
  {
    g_autoptr(LoomTaskSpec) spec = loom_sweep_form_build_spec (form, NULL);
    g_autofree char *json = loom_task_spec_to_json (spec);
    g_assert_nonnull (strstr (json, "\"timeout\":30"));
  }

  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (find_widget_named (GTK_WIDGET (form), "options-row"))),
                   ==, "Least recently used, 10 retries, 30 s timeout");
  g_assert_false (loom_sweep_form_get_also_serial (form));
  gtk_switch_set_active (GTK_SWITCH (find_widget_named (GTK_WIDGET (form), "also-serial")), TRUE);
  g_assert_true (loom_sweep_form_get_also_serial (form));

  /* The scheduler offers every LoomScheme, in words. */
  {
    AdwComboRow *scheme = ADW_COMBO_ROW (find_widget_named (GTK_WIDGET (form), "scheme"));
    g_autoptr(GEnumClass) schemes = g_type_class_ref (LOOM_TYPE_SCHEME);

    g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (scheme)), ==, schemes->n_values);
    loom_sweep_form_set_scheme (form, LOOM_SCHEME_RANDOM);
    g_assert_cmpuint (adw_combo_row_get_selected (scheme), ==, schemes->n_values - 1);
    g_assert_nonnull (find_label_with (GTK_WIDGET (scheme), "Random"));
  }

  gtk_window_destroy (window);
}

/* What runs: a choice per LoomTaskKind, in words, each showing its own
 * fields and making a spec of its kind. */
static void
test_what_runs (void)
{
  LoomSweepForm *form;
  GtkWindow *window = form_window (&form);
  GtkDropDown *kind = GTK_DROP_DOWN (find_widget_named (GTK_WIDGET (form), "what-runs"));
  GtkStack *pages = GTK_STACK (gtk_widget_get_next_sibling (GTK_WIDGET (kind)));
  g_autoptr(GEnumClass) kinds = g_type_class_ref (LOOM_TYPE_TASK_KIND);
  static const char *labels[] = { "Built-in function", "Command", "Plugin function" };

  g_assert_cmpuint (G_N_ELEMENTS (labels), ==, kinds->n_values);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (kind)), ==, kinds->n_values);
  for (guint i = 0; i < kinds->n_values; i++)
    {
      g_autoptr(LoomTaskSpec) spec = NULL;
      g_autoptr(GError) error = NULL;

      gtk_drop_down_set_selected (kind, i);
      g_assert_cmpstr (gtk_stack_get_visible_child_name (pages), ==, kinds->values[i].value_nick);
      g_assert_nonnull (find_label_with (GTK_WIDGET (kind), labels[i]));
      /* A built-in function is chosen already; a command or a plugin
       * still needs its fields, and says so. */
      spec = loom_sweep_form_build_spec (form, &error);
      if (kinds->values[i].value == LOOM_TASK_KIND_BUILTIN)
        g_assert_cmpint (loom_task_spec_get_kind (spec), ==, LOOM_TASK_KIND_BUILTIN);
      else
        g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
    }
  loom_sweep_form_set_command (form, "echo {t}", NULL);
  g_assert_cmpuint (gtk_drop_down_get_selected (kind), ==, LOOM_TASK_KIND_COMMAND);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (pages), ==, "command");
  {
    g_autoptr(LoomTaskSpec) spec = loom_sweep_form_build_spec (form, NULL);
    g_assert_cmpint (loom_task_spec_get_kind (spec), ==, LOOM_TASK_KIND_COMMAND);
  }

  gtk_window_destroy (window);
}

/* The text the window remembers reads back the same, and text that is not
 * valid still gets its rows, marked. */
static void
test_text (void)
{
  static const char *texts[] = {
    "t=range:0:4\nsleep=0.2",
    "x=range:0:2",
    "lr=log:0.0001:0.1:4\nseed=random:int:0:9:3:7\nx=lin:0:1:5\nmode=list:a:b,c\nn=1,2,5\nu=random:loguniform:1:2:3",
    "r=range:1:0:-0.25",
  };
  LoomSweepForm *form;
  GtkWindow *window = form_window (&form);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *text = NULL;

      loom_sweep_form_set_parameters (form, texts[i]);
      g_assert_true (loom_sweep_form_is_valid (form));
      text = loom_sweep_form_get_parameters (form);
      g_assert_cmpstr (text, ==, texts[i]);
    }
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 4);

  /* Blank lines and comments are skipped; “list:” stays only where needed. */
  {
    g_autofree char *text = NULL;

    loom_sweep_form_set_parameters (form, "  a = 1,2 \n\n# note\nb=list:x,y");
    text = loom_sweep_form_get_parameters (form);
    g_assert_cmpstr (text, ==, "a=1,2\nb=x,y");
    g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 4);
  }

  /* What test-ui relies on: a bad line is a marked row with its message. */
  loom_sweep_form_set_parameters (form, "t=range:0:10\nlr=log:-1:1:3");
  g_assert_false (loom_sweep_form_is_valid (form));
  assert_row_fine (param_row (form, 0));
  assert_row_error (param_row (form, 1), "log scale needs START > 0, got -1");
  {
    g_autofree char *text = loom_sweep_form_get_parameters (form);
    g_assert_cmpstr (text, ==, "t=range:0:10\nlr=log:-1:1:3");
  }

  /* Lines that fit no row's fields keep their text and their error. */
  loom_sweep_form_set_parameters (form, "a=range:1:2:3:4\nb=lin:0:1\nnoequals");
  g_assert_false (loom_sweep_form_is_valid (form));
  assert_row_error (param_row (form, 0), "START:STOP[:STEP]");
  assert_row_error (param_row (form, 1), "whole number");
  assert_row_error (param_row (form, 2), "empty");

  gtk_window_destroy (window);
}

/* The rows are objects of their own: a LoomParamRow or a LoomConstantRow
 * whose text property follows every edit, whose message stands under its
 * fields, and which removes itself with its row.remove action. */
static void
test_row_classes (void)
{
  LoomSweepForm *form;
  GtkWindow *window = form_window (&form);
  GtkWidget *x, *constant;
  guint notified = 0;

  loom_sweep_form_set_parameters (form, "x=range:0:3");
  x = param_row (form, 0);
  g_assert_true (LOOM_IS_PARAM_ROW (x));
  {
    g_autofree char *text = text_of_row (x);
    g_assert_cmpstr (text, ==, "x=range:0:3");
  }

  g_signal_connect (x, "notify::text", G_CALLBACK (count_notify), &notified);
  set_text (x, "field1", "5");
  g_assert_cmpuint (notified, >, 0);
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 5);
  {
    g_autofree char *text = text_of_row (x);
    g_assert_cmpstr (text, ==, "x=range:0:5");
  }

  /* Text set on the row itself: it counts as edited, and the form follows. */
  g_object_set (x, "text", "x=log:0:1:3", NULL);
  g_assert_cmpint (gtk_drop_down_get_selected (GTK_DROP_DOWN (find_widget_named (x, "kind"))), ==, LOG);
  g_assert_false (loom_sweep_form_is_valid (form));
  assert_row_error (x, "log scale needs START > 0, got 0");
  {
    /* The message is inside the row, under its fields. */
    GtkWidget *message = find_widget_named (x, "message");
    graphene_rect_t message_bounds = bounds_in (message, x);
    graphene_rect_t field_bounds = bounds_in (find_widget_named (x, "field0"), x);

    g_assert_true (gtk_widget_is_ancestor (message, x));
    g_assert_cmpfloat (message_bounds.origin.y, >=, field_bounds.origin.y + field_bounds.size.height);
  }

  click_button_labelled (GTK_WIDGET (form), "Add Argument");
  constant = row_at (form, "constants", 0);
  g_assert_true (LOOM_IS_CONSTANT_ROW (constant));
  g_assert_false (LOOM_IS_PARAM_ROW (constant));
  g_object_set (constant, "text", "mode = fast", NULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_widget_named (constant, "value"))), ==, " fast");
  {
    g_autofree char *text = text_of_row (constant);
    g_assert_cmpstr (text, ==, "mode=fast");
  }

  /* The remove button's action, asked of the row directly. */
  g_assert_true (gtk_widget_activate_action (x, "row.remove", NULL));
  g_assert_cmpuint (n_rows (form, "parameters"), ==, 0);
  g_assert_true (loom_sweep_form_is_valid (form));
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 1);
  {
    g_autofree char *params = loom_sweep_form_get_parameters (form);
    g_autofree char *constants = loom_sweep_form_get_constants (form);

    g_assert_cmpstr (params, ==, "");
    g_assert_cmpstr (constants, ==, "mode=fast");
  }

  gtk_window_destroy (window);
}

/* With LANGUAGE=de the form speaks German (po/de.po as built in the tree):
 * the words of its templates as those of its code. */
static void
test_german (void)
{
  LoomSweepForm *form;
  GtkWindow *window;
  GtkWidget *row;

  g_setenv ("LANGUAGE", "de", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("LOOM_TEST_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  window = form_window (&form);
  g_assert_nonnull (find_label_with (GTK_WIDGET (form), "Parameter hinzufügen"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (form), "Konstante Argumente"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (form), "Jede Kombination"));
  loom_sweep_form_set_parameters (form, "lr=log:1e-4:1e-1:4\nn=1,2");
  g_assert_nonnull (find_label_with (param_row (form, 0), "Logarithmisch"));
  g_assert_nonnull (find_label_with (param_row (form, 1), "Werte, durch Kommas getrennt"));
  g_assert_nonnull (find_label_with (GTK_WIDGET (form), "8 Aufgaben"));

  click_button_labelled (GTK_WIDGET (form), "Parameter hinzufügen");
  row = param_row (form, 2);
  g_assert_cmpstr (message_of (row), ==, "Geben Sie dem Parameter einen Namen");
  gtk_window_destroy (window);

  g_unsetenv ("LANGUAGE");
  textdomain (GETTEXT_PACKAGE);   /* gettext caches: this makes it look again */
}

/* --- the picture ------------------------------------------------------------- */

static void
render (GtkWindow  *window,
        const char *file)
{
  g_autofree char *png = screenshot_path (file);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  while (gtk_widget_get_width (GTK_WIDGET (window)) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, 420);
  save_png (GTK_WIDGET (window), png);
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));
  g_test_message ("form rendered to %s", png);
}

/* The form at the width of the window's side pane: a command over three
 * kinds of parameter with a constant, then with the errors shown. */
static void
test_screenshot (void)
{
  LoomSweepForm *form;
  GtkWindow *window = form_window (&form);

  loom_sweep_form_set_command (form, "./sim --lr {lr} --seed {seed} --opt {opt}", NULL);
  loom_sweep_form_set_parameters (form, "lr=log:0.0001:0.1:4\nseed=random:int:0:1000:3:7\nopt=sgd,adam");
  loom_sweep_form_set_constants (form, "epochs=20");
  loom_sweep_form_set_timeout (form, 600);
  g_assert_true (loom_sweep_form_is_valid (form));
  g_assert_cmpuint (loom_sweep_form_get_count (form), ==, 24);
  render (window, "form.png");

  /* A bad row, a constant whose name is taken, a new row not filled yet. */
  loom_sweep_form_set_parameters (form, "lr=log:0:0.1:4\nseed=random:int:0:1000:3:7\nopt=sgd,adam");
  loom_sweep_form_set_constants (form, "epochs=20\nseed=1");
  click_button_labelled (GTK_WIDGET (form), "Add Parameter");
  g_assert_false (loom_sweep_form_is_valid (form));
  render (window, "form-errors.png");

  /* A zip of parameters of different lengths. */
  loom_sweep_form_set_parameters (form, "lr=log:0.0001:0.1:4\nseed=random:int:0:1000:3:7\nopt=sgd,adam");
  loom_sweep_form_set_constants (form, "epochs=20");
  loom_sweep_form_set_zip (form, TRUE);
  g_assert_false (loom_sweep_form_is_valid (form));
  g_assert_nonnull (find_label_with (GTK_WIDGET (form), "lr has 4, seed has 3, opt has 2"));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (find_widget_named (GTK_WIDGET (form), "options-row")), TRUE);
  render (window, "form-zip.png");

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);
  /* The templates, as LoomApplication registers them. */
  loom_register_resource ();
  /* Pictures of the end state, not of an animation. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/loom/form/rows", test_rows);
  g_test_add_func ("/loom/form/constants", test_constants);
  g_test_add_func ("/loom/form/options", test_options);
  g_test_add_func ("/loom/form/what-runs", test_what_runs);
  g_test_add_func ("/loom/form/text", test_text);
  g_test_add_func ("/loom/form/screenshot", test_screenshot);
  g_test_add_func ("/loom/form/row-classes", test_row_classes);
  g_test_add_func ("/loom/form/german", test_german);

  return g_test_run ();
}
