/* loom-tasks-view.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The tasks of the job shown: a sortable list, a column per parameter
 * besides index, engine, start, duration, status and result, and a
 * details pane beside it with one task's whole story.  The list is made
 * lazily (loom-task-list.c): showing a job of any size costs an index of
 * its parameter lines.  Rows change in place as tasks start and finish;
 * the sorted view and the selection follow.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "loom-json-private.h"
#include "loom-task-list.h"
#include "loom-tasks-view.h"

struct _LoomTasksView
{
  GtkWidget            parent_instance;

  GtkColumnView       *column_view;
  GtkColumnViewColumn *index_column;
  GtkColumnViewColumn *engine_column;
  GtkColumnViewColumn *start_column;
  GtkColumnViewColumn *duration_column;
  GtkColumnViewColumn *status_column;
  GtkColumnViewColumn *result_column;
  GtkTextView         *details;

  LoomJob             *job;
  LoomAsyncResult     *result;   /* the job's result the view follows */
  LoomTaskList        *task_list;
  GPtrArray           *param_columns;   /* GtkColumnViewColumn, one per parameter */
};

G_DEFINE_FINAL_TYPE (LoomTasksView, loom_tasks_view, GTK_TYPE_WIDGET)

enum {
  TASK_SELECTED,
  TASK_COPIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum
{
  TASK_INDEX,
  TASK_ENGINE,
  TASK_START,
  TASK_DURATION,
  TASK_STATUS,
  TASK_RESULT,
} TaskColumn;

static double
task_duration (LoomTaskItem *item)
{
  const LoomTaskInfo *info = loom_task_item_get_info (item);
  return info->started > 0 && info->completed >= info->started ? (info->completed - info->started) / 1e6 : 0;
}

static char *
task_text (LoomTaskItem *item,
           TaskColumn    column)
{
  const LoomTaskInfo *info = loom_task_item_get_info (item);

  switch (column)
    {
    case TASK_INDEX:
      return g_strdup_printf ("%u", info->index);
    case TASK_ENGINE:
      return info->engine_id >= 0 ? g_strdup_printf ("%d", info->engine_id) : g_strdup ("—");
    case TASK_START:
      return info->started > 0 ? g_strdup_printf ("%.3f s", (info->started - loom_task_item_get_t0 (item)) / 1e6) : g_strdup ("—");
    case TASK_DURATION:
      return info->started > 0 ? g_strdup_printf ("%.3f s", task_duration (item)) : g_strdup ("—");
    case TASK_STATUS:
      return g_strdup (loom_task_status_get_label (info->status));
    case TASK_RESULT:
      if (info->error_type)
        return g_strdup_printf ("%s: %s", info->error_type, info->error_message ? info->error_message : "");
      return info->result ? loom_value_to_json (info->result) : g_strdup ("");
    default:
      g_assert_not_reached ();
    }
}

static void
setup_task_cell (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (data) == TASK_RESULT ? 0 : 1);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  /* Rows are copyable: the text can be selected. */
  gtk_label_set_selectable (GTK_LABEL (label), GPOINTER_TO_INT (data) == TASK_RESULT);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_task_cell (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  data)
{
  LoomTaskItem *task = gtk_list_item_get_item (item);
  g_autofree char *text = task_text (task, GPOINTER_TO_INT (data));
  GtkWidget *label = gtk_list_item_get_child (item);

  gtk_label_set_text (GTK_LABEL (label), text);
  /* No tooltip here: setting one asks the display where the pointer is,
   * a round trip per bound row; the details pane beside the list shows
   * a task's whole output and error on a click. */
  if (GPOINTER_TO_INT (data) == TASK_STATUS && loom_task_item_get_info (task)->status != LOOM_TASK_DONE)
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
}

static int
compare_tasks (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  LoomTaskItem *x = (LoomTaskItem *) a, *y = (LoomTaskItem *) b;
  double dx, dy;

  switch (GPOINTER_TO_INT (data))
    {
    case TASK_DURATION:
      dx = task_duration (x), dy = task_duration (y);
      break;
    case TASK_START:
      dx = loom_task_item_get_info (x)->started, dy = loom_task_item_get_info (y)->started;
      break;
    case TASK_ENGINE:
      dx = loom_task_item_get_info (x)->engine_id, dy = loom_task_item_get_info (y)->engine_id;
      break;
    default:
      dx = loom_task_item_get_index (x), dy = loom_task_item_get_index (y);
    }
  return (dx > dy) - (dx < dy);
}

/* The cells of a column of the template, and its sorting. */
static void
set_up_column (GtkColumnViewColumn *col,
               TaskColumn           column)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_task_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_task_cell), GINT_TO_POINTER (column));
  gtk_column_view_column_set_factory (col, factory);
  if (column != TASK_RESULT && column != TASK_STATUS)
    {
      g_autoptr(GtkCustomSorter) sorter = gtk_custom_sorter_new (compare_tasks, GINT_TO_POINTER (column), NULL);
      gtk_column_view_column_set_sorter (col, GTK_SORTER (sorter));
    }
}

/* One column per parameter of the job shown, after the index. */
static char *
param_text (LoomTaskItem *item,
            const char   *name)
{
  JsonObject *params = loom_task_item_get_params (item);
  JsonNode *node = params && json_object_has_member (params, name) ? json_object_get_member (params, name) : NULL;

  /* As a command line would have it (strings bare, numbers shortest), but
   * a null shown as one. */
  if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("null");
  return loom_command_value_to_text (node);
}

static void
setup_param_cell (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_param_cell (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 const char               *name)
{
  g_autofree char *text = param_text (gtk_list_item_get_item (item), name);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static int
compare_params (gconstpointer a,
                gconstpointer b,
                gpointer      data)
{
  LoomTaskItem *x = (LoomTaskItem *) a, *y = (LoomTaskItem *) b;
  JsonObject *px = loom_task_item_get_params (x), *py = loom_task_item_get_params (y);
  JsonNode *nx = px && json_object_has_member (px, data) ? json_object_get_member (px, data) : NULL;
  JsonNode *ny = py && json_object_has_member (py, data) ? json_object_get_member (py, data) : NULL;
  g_autofree char *tx = NULL, *ty = NULL;

  /* Numbers by value, anything else by its text. */
  if (nx && ny && JSON_NODE_HOLDS_VALUE (nx) && JSON_NODE_HOLDS_VALUE (ny) &&
      json_node_get_value_type (nx) != G_TYPE_STRING && json_node_get_value_type (ny) != G_TYPE_STRING)
    {
      double dx = json_node_get_double (nx), dy = json_node_get_double (ny);
      return (dx > dy) - (dx < dy);
    }
  tx = param_text (x, data);
  ty = param_text (y, data);
  return g_strcmp0 (tx, ty);
}

static void
free_key (gpointer  data,
          GClosure *closure)
{
  g_free (data);
}

static GtkColumnViewColumn *
param_column (const char *name)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkCustomSorter) sorter = gtk_custom_sorter_new (compare_params, g_strdup (name), g_free);
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_param_cell), NULL);
  g_signal_connect_data (factory, "bind", G_CALLBACK (bind_param_cell), g_strdup (name), free_key, 0);
  col = gtk_column_view_column_new (name, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_sorter (col, GTK_SORTER (sorter));
  return col;
}

/* A column for each of the job's parameters, named by its first task's;
 * the values are read row by row as they show. */
static void
show_param_columns (LoomTasksView *self)
{
  GBytes *lines = self->job ? loom_job_get_lines (self->job) : NULL;
  gsize size = 0;
  const char *data = lines ? g_bytes_get_data (lines, &size) : NULL;
  const char *nl = data ? memchr (data, '\n', size) : NULL;
  g_autofree char *first = data ? g_strndup (data, nl ? (gsize) (nl - data) : size) : NULL;
  g_autoptr(JsonNode) node = first ? loom_json_from_data (first, -1, NULL) : NULL;

  for (guint i = 0; i < self->param_columns->len; i++)
    gtk_column_view_remove_column (self->column_view, g_ptr_array_index (self->param_columns, i));
  g_ptr_array_set_size (self->param_columns, 0);

  if (node && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) names = json_object_get_members (json_node_get_object (node));
      guint position = 1;

      for (GList *l = names; l; l = l->next)
        {
          GtkColumnViewColumn *col = param_column (l->data);

          gtk_column_view_insert_column (self->column_view, position++, col);
          g_ptr_array_add (self->param_columns, col);
        }
    }
}

/* A row of the list selected: its details, one click away. */
static void
on_row_selected (LoomTasksView      *self,
                 guint               position,
                 guint               n_items,
                 GtkSingleSelection *selection)
{
  g_autoptr(LoomTaskItem) item = g_list_model_get_item (G_LIST_MODEL (selection),
                                                        gtk_single_selection_get_selected (selection));

  if (item != NULL)
    g_signal_emit (self, signals[TASK_SELECTED], 0, loom_task_item_get_index (item));
}

static void
show_tasks (LoomTasksView *self)
{
  g_autoptr(GtkSingleSelection) selection = NULL;
  LoomAsyncResult *result = loom_job_get_result (self->job);
  GtkSortListModel *sorted;
  gint64 t0 = 0;

  /* Times count from the first submission (the first task's); until the
   * controller has said when that was, from when the job was submitted. */
  if (loom_async_result_get_n_tasks (result) > 0)
    {
      LoomTaskInfo first;

      loom_async_result_get_task_times (result, 0, &first);
      t0 = first.submitted;
    }
  self->task_list = loom_task_list_new (result, loom_job_get_lines (self->job),
                                        t0 > 0 ? t0 : loom_job_get_submitted (self->job));

  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->task_list)),
                                    g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (selection, "selection-changed", G_CALLBACK (on_row_selected), self, G_CONNECT_SWAPPED);
  /* The view takes its own reference. */
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
}

/* One task of the job started or finished: its row changes. */
static void
on_task_changed (LoomTasksView   *self,
                 guint            index,
                 LoomAsyncResult *result)
{
  if (self->task_list != NULL)
    loom_task_list_task_changed (self->task_list, index);
}

/* Ctrl+C in the list copies the selected row. */
static gboolean
copy_shortcut (GtkWidget *widget,
               GVariant  *args,
               gpointer   data)
{
  LoomTasksView *self = LOOM_TASKS_VIEW (widget);
  g_autofree char *text = loom_tasks_view_copy_selected (self);

  if (text == NULL)
    return FALSE;
  g_signal_emit (self, signals[TASK_COPIED], 0);
  return TRUE;
}

static void
loom_tasks_view_dispose (GObject *object)
{
  LoomTasksView *self = (LoomTasksView *) object;
  GtkWidget *child;

  loom_tasks_view_set_job (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LOOM_TYPE_TASKS_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_pointer (&self->param_columns, g_ptr_array_unref);

  G_OBJECT_CLASS (loom_tasks_view_parent_class)->dispose (object);
}

static void
loom_tasks_view_class_init (LoomTasksViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = loom_tasks_view_dispose;

  /**
   * LoomTasksView::task-selected:
   * @self: a #LoomTasksView
   * @index: the task's index in its job
   *
   * A row of the list was selected: its details are wanted.
   */
  signals[TASK_SELECTED] =
    g_signal_new ("task-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * LoomTasksView::task-copied:
   * @self: a #LoomTasksView
   *
   * The selected row went to the clipboard from the keyboard.
   */
  signals[TASK_COPIED] =
    g_signal_new ("task-copied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/loom/Loom/loom-tasks-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LoomTasksView, column_view);
  gtk_widget_class_bind_template_child (widget_class, LoomTasksView, index_column);
  gtk_widget_class_bind_template_child (widget_class, LoomTasksView, engine_column);
  gtk_widget_class_bind_template_child (widget_class, LoomTasksView, start_column);
  gtk_widget_class_bind_template_child (widget_class, LoomTasksView, duration_column);
  gtk_widget_class_bind_template_child (widget_class, LoomTasksView, status_column);
  gtk_widget_class_bind_template_child (widget_class, LoomTasksView, result_column);
  gtk_widget_class_bind_template_child (widget_class, LoomTasksView, details);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, copy_shortcut, NULL);
}

static void
loom_tasks_view_init (LoomTasksView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->param_columns = g_ptr_array_new_with_free_func (g_object_unref);
  set_up_column (self->index_column, TASK_INDEX);
  set_up_column (self->engine_column, TASK_ENGINE);
  set_up_column (self->start_column, TASK_START);
  set_up_column (self->duration_column, TASK_DURATION);
  set_up_column (self->status_column, TASK_STATUS);
  set_up_column (self->result_column, TASK_RESULT);
}

/**
 * loom_tasks_view_set_job:
 * @self: a #LoomTasksView
 * @job: (nullable): the job whose tasks to show
 */
void
loom_tasks_view_set_job (LoomTasksView *self,
                         LoomJob       *job)
{
  g_return_if_fail (LOOM_IS_TASKS_VIEW (self));
  g_return_if_fail (!job || LOOM_IS_JOB (job));

  g_return_if_fail (!job || loom_job_get_result (job) != NULL);

  /* A listed job's result is replaced when it is loaded again. */
  if (self->result)
    g_signal_handlers_disconnect_by_func (self->result, on_task_changed, self);
  g_clear_object (&self->result);
  g_clear_object (&self->task_list);
  g_set_object (&self->job, job);
  if (self->column_view == NULL)
    return;   /* disposing */
  show_param_columns (self);
  if (job == NULL)
    {
      gtk_column_view_set_model (self->column_view, NULL);
      return;
    }
  self->result = g_object_ref (loom_job_get_result (job));
  g_signal_connect_object (self->result, "task-started", G_CALLBACK (on_task_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->result, "task-finished", G_CALLBACK (on_task_changed), self, G_CONNECT_SWAPPED);
  show_tasks (self);
}

void
loom_tasks_view_set_details (LoomTasksView *self,
                             const char    *text)
{
  g_return_if_fail (LOOM_IS_TASKS_VIEW (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->details), text, -1);
}

/**
 * loom_tasks_view_get_details_text:
 * @self: a #LoomTasksView
 *
 * Returns: (transfer full): what the details pane shows
 */
char *
loom_tasks_view_get_details_text (LoomTasksView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (LOOM_IS_TASKS_VIEW (self), NULL);

  buffer = gtk_text_view_get_buffer (self->details);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static LoomTaskItem *
get_selected_item (LoomTasksView *self)
{
  GtkSelectionModel *model = gtk_column_view_get_model (self->column_view);

  if (!GTK_IS_SINGLE_SELECTION (model))
    return NULL;
  return gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (model));
}

/**
 * loom_tasks_view_get_selected_index:
 * @self: a #LoomTasksView
 *
 * Returns: the index of the task selected in the list, or -1
 */
gint
loom_tasks_view_get_selected_index (LoomTasksView *self)
{
  LoomTaskItem *item;

  g_return_val_if_fail (LOOM_IS_TASKS_VIEW (self), -1);

  item = get_selected_item (self);
  return item ? (gint) loom_task_item_get_index (item) : -1;
}

/**
 * loom_tasks_view_copy_selected:
 * @self: a #LoomTasksView
 *
 * Copies the selected row to the clipboard, its cells separated by tabs
 * (so it pastes into a spreadsheet as a row).
 *
 * Returns: (transfer full) (nullable): the text copied, or %NULL if no
 *   row is selected
 */
char *
loom_tasks_view_copy_selected (LoomTasksView *self)
{
  static const TaskColumn after[] = { TASK_ENGINE, TASK_START, TASK_DURATION, TASK_STATUS, TASK_RESULT };
  g_autoptr(GString) text = NULL;
  g_autofree char *index = NULL;
  LoomTaskItem *item;

  g_return_val_if_fail (LOOM_IS_TASKS_VIEW (self), NULL);

  if (!(item = get_selected_item (self)))
    return NULL;

  index = task_text (item, TASK_INDEX);
  text = g_string_new (index);
  for (guint i = 0; i < self->param_columns->len; i++)
    {
      g_autofree char *value = param_text (item, gtk_column_view_column_get_title (g_ptr_array_index (self->param_columns, i)));
      g_string_append_printf (text, "\t%s", value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (after); i++)
    {
      g_autofree char *cell = task_text (item, after[i]);
      g_string_append_printf (text, "\t%s", cell);
    }
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text->str);
  return g_string_free (g_steal_pointer (&text), FALSE);
}
