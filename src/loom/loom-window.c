/* loom-window.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The main window: the engines of the app's cluster, live.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n.h>

#include "loom-sweep-form.h"
#include "loom-timeline.h"
#include "loom-json-private.h"
#include "loom-task-list.h"
#include "loom-window.h"

struct _LoomWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toasts;
  GtkColumnView        *engines_view;
  GtkLabel             *summary;
  LoomSweepForm        *form;
  GtkListBox           *jobs;
  GtkColumnView        *tasks_view;
  GtkLabel             *tasks_title;
  LoomTimeline         *timeline;
  GtkLabel             *range_label;
  GtkTextView          *details;
  GtkButton            *zoom_in_button;
  GtkButton            *zoom_out_button;
  GtkButton            *fit_button;
  LoomAsyncResult      *selected;   /* the job whose tasks are shown */
  guint                 selected_slot; /* its job slot in the timeline */
  GPtrArray            *param_columns; /* GtkColumnViewColumn, one per parameter */
  LoomTaskList         *task_list;     /* the selected job's tasks */
  GBytes               *selected_lines; /* its parameters, a line a task */
  gint64                selected_submitted;
  LoomAsyncResult      *selected_partner; /* nullable: compared with the selected job */
  GListModel           *engines;
  GPtrArray            *results;    /* LoomAsyncResult of the jobs shown */
};

G_DEFINE_FINAL_TYPE (LoomWindow, loom_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_summary (LoomWindow *self);
static void run_again      (GtkButton  *button,
                            gpointer    data);

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
      return info->result ? loom_json_to_string (info->result) : g_strdup ("");
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

static void
add_task_column (GtkColumnView *view,
                 const char    *title,
                 TaskColumn     column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_task_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_task_cell), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (col, column == TASK_RESULT);
  gtk_column_view_column_set_resizable (col, TRUE);
  if (column != TASK_RESULT && column != TASK_STATUS)
    {
      g_autoptr(GtkCustomSorter) sorter = gtk_custom_sorter_new (compare_tasks, GINT_TO_POINTER (column), NULL);
      gtk_column_view_column_set_sorter (col, GTK_SORTER (sorter));
    }
  gtk_column_view_append_column (view, col);
}

/* One column per parameter of the selected job, after the index. */
static char *
param_text (LoomTaskItem *item,
            const char   *name)
{
  JsonObject *params = loom_task_item_get_params (item);
  JsonNode *node = params && json_object_has_member (params, name) ? json_object_get_member (params, name) : NULL;

  if (node == NULL)
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return loom_json_to_string (node);
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
  GtkColumnViewColumn *col;
  char *key = g_strdup (name);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_param_cell), NULL);
  g_signal_connect_data (factory, "bind", G_CALLBACK (bind_param_cell), key, free_key, 0);
  col = gtk_column_view_column_new (name, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  {
    g_autoptr(GtkCustomSorter) sorter = gtk_custom_sorter_new (compare_params, g_strdup (name), g_free);
    gtk_column_view_column_set_sorter (col, GTK_SORTER (sorter));
  }
  return col;
}

typedef enum
{
  COLUMN_ID,
  COLUMN_HOST,
  COLUMN_PID,
  COLUMN_STATE,
  COLUMN_DONE,
  COLUMN_BUSY,
  COLUMN_ACTION,
} Column;

static const char *
state_icon (LoomEngineState state)
{
  switch (state)
    {
    case LOOM_ENGINE_IDLE: return "emblem-ok-symbolic";
    case LOOM_ENGINE_BUSY: return "media-playback-start-symbolic";
    case LOOM_ENGINE_DEAD: return "dialog-error-symbolic";
    case LOOM_ENGINE_STOPPED: return "media-playback-stop-symbolic";
    case LOOM_ENGINE_STARTING:
    default: return "content-loading-symbolic";
    }
}

static const char *
state_label (LoomEngineState state)
{
  switch (state)
    {
    case LOOM_ENGINE_IDLE: return _("Idle");
    case LOOM_ENGINE_BUSY: return _("Busy");
    case LOOM_ENGINE_DEAD: return _("Dead");
    case LOOM_ENGINE_STOPPED: return _("Stopped");
    case LOOM_ENGINE_STARTING:
    default: return _("Starting");
    }
}

static void
update_cell (GtkListItem *item)
{
  LoomEngineInfo *info = gtk_list_item_get_item (item);
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (item), "column"));
  GtkWidget *child = gtk_list_item_get_child (item);
  g_autofree char *text = NULL;

  if (info == NULL)
    return;

  switch (column)
    {
    case COLUMN_ID:
      text = g_strdup_printf ("%u", loom_engine_info_get_id (info));
      break;
    case COLUMN_HOST:
      text = g_strdup (loom_engine_info_get_host (info));
      break;
    case COLUMN_PID:
      text = g_strdup_printf ("%" G_GINT64_FORMAT, loom_engine_info_get_pid (info));
      break;
    case COLUMN_DONE:
      text = g_strdup_printf ("%" G_GUINT64_FORMAT, loom_engine_info_get_tasks_done (info));
      break;
    case COLUMN_BUSY:
      text = g_strdup_printf ("%.0f %%", 100 * loom_engine_info_get_busy_fraction (info));
      break;
    case COLUMN_ACTION:
      {
        /* Stop a live engine; a dead or stopped one is replaced by a new one. */
        gboolean alive = loom_engine_info_get_state (info) == LOOM_ENGINE_IDLE ||
                         loom_engine_info_get_state (info) == LOOM_ENGINE_BUSY;

        gtk_button_set_icon_name (GTK_BUTTON (child), alive ? "process-stop-symbolic" : "view-refresh-symbolic");
        gtk_widget_set_tooltip_text (child, alive ? _("Stop this engine") : _("Start a new engine in its place"));
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        alive ? _("Stop this engine") : _("Start a new engine in its place"), -1);
        g_object_set_data (G_OBJECT (child), "engine", info);
        return;
      }
    case COLUMN_STATE:
      {
        /* State by icon and word, not by colour alone. */
        GtkWidget *icon = gtk_widget_get_first_child (child);
        GtkWidget *label = gtk_widget_get_next_sibling (icon);
        LoomEngineState state = loom_engine_info_get_state (info);

        gtk_image_set_from_icon_name (GTK_IMAGE (icon), state_icon (state));
        gtk_label_set_text (GTK_LABEL (label), state_label (state));
        for (LoomEngineState s = LOOM_ENGINE_STARTING; s <= LOOM_ENGINE_STOPPED; s++)
          gtk_widget_remove_css_class (child, loom_engine_state_to_string (s));
        gtk_widget_add_css_class (child, loom_engine_state_to_string (state));
        return;
      }
    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (GTK_LABEL (child), text ? text : "");
}

static void
on_engine_button (GtkButton *button)
{
  LoomEngineInfo *info = g_object_get_data (G_OBJECT (button), "engine");
  LoomWindow *self = LOOM_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));
  LoomApplication *app = LOOM_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  LoomClient *client = loom_application_get_client (app);
  g_autoptr(GError) error = NULL;
  LoomEngineState state;

  if (info == NULL || client == NULL)
    return;
  state = loom_engine_info_get_state (info);
  if (state == LOOM_ENGINE_IDLE || state == LOOM_ENGINE_BUSY)
    loom_client_stop_engine (client, loom_engine_info_get_id (info), &error);
  else
    loom_application_spawn_engines (app, 1, &error);
  if (error)
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  Column column = GPOINTER_TO_INT (data);

  g_object_set_data (G_OBJECT (item), "column", data);
  if (column == COLUMN_ACTION)
    {
      GtkWidget *button = gtk_button_new ();
      gtk_widget_add_css_class (button, "flat");
      g_signal_connect (button, "clicked", G_CALLBACK (on_engine_button), NULL);
      gtk_list_item_set_child (item, button);
    }
  else if (column == COLUMN_STATE)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      gtk_box_append (GTK_BOX (box), gtk_image_new ());
      gtk_box_append (GTK_BOX (box), gtk_label_new (NULL));
      gtk_widget_add_css_class (box, "engine-state");
      gtk_list_item_set_child (item, box);
    }
  else
    {
      GtkWidget *label = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_HOST ? 0 : 1);
      gtk_widget_add_css_class (label, "numeric");
      gtk_list_item_set_child (item, label);
    }
}

static void
on_info_notify (GtkListItem *item)
{
  update_cell (item);
}

/* An engine that dies shows at once: a toast, besides its state. */
static void
on_engine_state (LoomWindow     *self,
                 GParamSpec     *pspec,
                 LoomEngineInfo *info)
{
  LoomEngineState state = loom_engine_info_get_state (info);

  if (state == LOOM_ENGINE_DEAD)
    {
      g_autofree char *text = g_strdup_printf (_("Engine %u (pid %" PRId64 ") died; its tasks run elsewhere"),
                                               loom_engine_info_get_id (info), loom_engine_info_get_pid (info));
      AdwToast *toast = adw_toast_new (text);

      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_overlay_add_toast (self->toasts, toast);
    }
  update_summary (self);
}

static void
watch_engines (LoomWindow *self,
               guint       position,
               guint       removed,
               guint       added)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (self->engines, i);
      g_signal_connect_object (info, "notify::state", G_CALLBACK (on_engine_state), self, G_CONNECT_SWAPPED);
    }
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  data)
{
  LoomEngineInfo *info = gtk_list_item_get_item (item);

  g_signal_connect_object (info, "notify", G_CALLBACK (on_info_notify), item, G_CONNECT_SWAPPED);
  update_cell (item);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  data)
{
  LoomEngineInfo *info = gtk_list_item_get_item (item);

  if (info)
    g_signal_handlers_disconnect_by_func (info, on_info_notify, item);
}

static void
add_column (LoomWindow *self,
            const char *title,
            Column      column,
            gboolean    expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_append_column (self->engines_view, col);
}

static void
update_summary (LoomWindow *self)
{
  guint n = g_list_model_get_n_items (self->engines);
  guint alive = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (self->engines, i);
      LoomEngineState state = loom_engine_info_get_state (info);
      if (state == LOOM_ENGINE_IDLE || state == LOOM_ENGINE_BUSY)
        alive++;
    }
  text = g_strdup_printf (ngettext ("%u engine running on this machine", "%u engines running on this machine", alive),
                          alive);
  gtk_label_set_text (self->summary, text);
}

static void
on_engines_changed (LoomWindow *self,
                    guint       position,
                    guint       removed,
                    guint       added)
{
  watch_engines (self, position, removed, added);
  update_summary (self);
}

static void
add_engines_action (GtkWidget  *widget,
                    const char *action,
                    GVariant   *parameter)
{
  LoomWindow *self = LOOM_WINDOW (widget);
  LoomApplication *app = LOOM_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GError) error = NULL;

  if (!loom_application_spawn_engines (app, 2, &error))
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
}

static void
stop_all_action (GtkWidget  *widget,
                 const char *action,
                 GVariant   *parameter)
{
  LoomWindow *self = LOOM_WINDOW (widget);
  LoomApplication *app = LOOM_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  LoomClient *client = loom_application_get_client (app);

  for (guint i = 0; client && self->engines && i < g_list_model_get_n_items (self->engines); i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (self->engines, i);
      LoomEngineState state = loom_engine_info_get_state (info);

      if (state == LOOM_ENGINE_IDLE || state == LOOM_ENGINE_BUSY)
        loom_client_stop_engine (client, loom_engine_info_get_id (info), NULL);
    }
}

/* A row of the jobs list: name, progress bar, counts; kept up to date
 * from the job's result on the main loop. */
static void
update_job_row (GtkWidget *row)
{
  LoomAsyncResult *result = g_object_get_data (G_OBJECT (row), "result");
  GtkProgressBar *bar = g_object_get_data (G_OBJECT (row), "bar");
  GtkLabel *counts = g_object_get_data (G_OBJECT (row), "counts");
  guint total = loom_async_result_get_n_tasks (result);
  guint done = loom_async_result_get_progress (result);
  guint failed = loom_async_result_get_n_failed (result);
  g_autofree char *text = NULL;

  gtk_progress_bar_set_fraction (bar, total ? done / (double) total : 0);
  if (loom_async_result_ready (result))
    text = g_strdup_printf (_("%u done, %u failed — wall %.3f s, Σ task time %.3f s"),
                            done - failed, failed, loom_async_result_get_wall_time (result),
                            loom_async_result_get_serial_time (result));
  else
    {
      gint64 begun = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "begun"));
      double elapsed = (g_get_monotonic_time () / 1000 - begun) / 1000.0;

      guint queued;
      guint running = loom_async_result_get_n_running (result, &queued);

      if (done > 0)
        text = g_strdup_printf (_("%u of %u finished, %u failed, %u running, %u queued — %.1f s, about %.1f s to go"),
                                done, total, failed, running, queued, elapsed, elapsed / done * (total - done));
      else
        text = g_strdup_printf (_("%u of %u finished, %u failed, %u running, %u queued — %.1f s"),
                                done, total, failed, running, queued, elapsed);
    }
  gtk_label_set_text (counts, text);
}

/* Elapsed time moves while a job runs, results or not. */
static gboolean
tick_job_row (gpointer data)
{
  GtkWidget *row = data;
  LoomAsyncResult *result = g_object_get_data (G_OBJECT (row), "result");

  update_job_row (row);
  return loom_async_result_ready (result) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void on_task_row_selected (LoomWindow         *self,
                                  guint               position,
                                  guint               n_items,
                                  GtkSingleSelection *selection);

/* The selected job's tasks, in a list made lazily (loom-task-list.c):
 * selecting a job of any size costs an index of its parameter lines.
 * Rows change in place as tasks start and finish; the sorted view and
 * the selection follow. */
static void
show_tasks (LoomWindow *self)
{
  g_autoptr(GtkSingleSelection) selection = NULL;
  GtkSortListModel *sorted;
  gint64 t0 = 0;

  g_clear_object (&self->task_list);
  if (self->selected == NULL)
    return;

  /* Times count from the first submission (the first task's); until the
   * controller has said when that was, from when this window submitted. */
  if (loom_async_result_get_n_tasks (self->selected) > 0)
    {
      LoomTaskInfo first;

      loom_async_result_get_task_times (self->selected, 0, &first);
      t0 = first.submitted;
    }
  self->task_list = loom_task_list_new (self->selected, self->selected_lines,
                                        t0 > 0 ? t0 : self->selected_submitted);

  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->task_list)),
                                    g_object_ref (gtk_column_view_get_sorter (self->tasks_view)));
  selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (selection, "selection-changed", G_CALLBACK (on_task_row_selected), self, G_CONNECT_SWAPPED);
  /* The view takes its own reference. */
  gtk_column_view_set_model (self->tasks_view, GTK_SELECTION_MODEL (selection));
}

/* One task of the selected job started or finished: its row changes. */
static void
on_task_changed (LoomWindow      *self,
                 guint            index,
                 LoomAsyncResult *result)
{
  if (result == self->selected && self->task_list != NULL)
    loom_task_list_task_changed (self->task_list, index);
}

static void
show_details (LoomWindow *self,
              guint       slot,
              guint       index)
{
  g_autofree char *text = loom_timeline_describe_task (self->timeline, slot, index, TRUE);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->details), text, -1);
}

/* A bar clicked in the timeline: its task's whole story beside the list. */
static void
on_timeline_selection (LoomWindow *self)
{
  g_autofree char *text = loom_timeline_describe_selected (self->timeline);

  /* The attempt clicked: a lost one's engine and times, not the retry's. */
  if (text != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->details), text, -1);
}

static void
on_timeline_range (LoomWindow *self)
{
  g_autofree char *text = loom_timeline_describe_range (self->timeline);

  gtk_label_set_text (self->range_label, text ? text :
                      _("Drag across the time axis to measure a range · Ctrl+scroll or +/− zooms · 0 shows everything"));
}

/* A row of the tasks list selected: the same details, one click away. */
static void
on_task_row_selected (LoomWindow         *self,
                      guint               position,
                      guint               n_items,
                      GtkSingleSelection *selection)
{
  g_autoptr(LoomTaskItem) item = g_list_model_get_item (G_LIST_MODEL (selection),
                                                        gtk_single_selection_get_selected (selection));

  if (item != NULL)
    show_details (self, self->selected_slot, loom_task_item_get_index (item));
}

/**
 * loom_window_get_selected_task_index:
 * @self: a #LoomWindow
 *
 * Returns: the index of the task selected in the tasks list, or -1
 */
gint
loom_window_get_selected_task_index (LoomWindow *self)
{
  GtkSelectionModel *model;
  LoomTaskItem *item;

  g_return_val_if_fail (LOOM_IS_WINDOW (self), -1);

  model = gtk_column_view_get_model (self->tasks_view);
  if (!GTK_IS_SINGLE_SELECTION (model) ||
      !(item = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (model))))
    return -1;
  return loom_task_item_get_index (item);
}

/**
 * loom_window_copy_selected_task:
 * @self: a #LoomWindow
 *
 * Copies the selected row of the tasks list to the clipboard, its cells
 * separated by tabs (so it pastes into a spreadsheet as a row).
 *
 * Returns: (transfer full) (nullable): the text copied, or %NULL if no
 *   row is selected
 */
char *
loom_window_copy_selected_task (LoomWindow *self)
{
  GtkSelectionModel *model;
  g_autoptr(LoomTaskItem) item = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  static const TaskColumn after[] = { TASK_ENGINE, TASK_START, TASK_DURATION, TASK_STATUS, TASK_RESULT };
  g_autofree char *index = NULL;

  g_return_val_if_fail (LOOM_IS_WINDOW (self), NULL);

  model = gtk_column_view_get_model (self->tasks_view);
  if (!GTK_IS_SINGLE_SELECTION (model) ||
      !(item = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (model))))
    return NULL;
  g_object_ref (item);

  index = task_text (item, TASK_INDEX);
  g_string_append (text, index);
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

static gboolean
copy_task_shortcut (GtkWidget *widget,
                    GVariant  *args,
                    gpointer   data)
{
  LoomWindow *self = LOOM_WINDOW (gtk_widget_get_root (widget));
  g_autofree char *text = loom_window_copy_selected_task (self);

  if (text == NULL)
    return FALSE;
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (_("Task copied, tab-separated")));
  return TRUE;
}

static void
timeline_button_clicked (GtkButton  *button,
                         LoomWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self->timeline), g_object_get_data (G_OBJECT (button), "action"), NULL);
}

static void
set_engine_hosts (LoomWindow *self)
{
  LoomTimelineModel *model = loom_timeline_get_model (self->timeline);

  for (guint i = 0; self->engines && i < g_list_model_get_n_items (self->engines); i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (self->engines, i);
      loom_timeline_model_set_engine_host (model, loom_engine_info_get_id (info), loom_engine_info_get_host (info));
    }
}

/* Adds a job of the jobs list to the timeline. */
static guint
show_job_in_timeline (LoomWindow *self,
                      GObject    *row)
{
  LoomAsyncResult *result = g_object_get_data (row, "result");
  LoomTaskSpec *spec = g_object_get_data (row, "spec");
  const char *name = spec && loom_task_spec_get_function (spec) ? loom_task_spec_get_function (spec) : _("command");

  return loom_timeline_add_result (self->timeline, result, name,
                                   GPOINTER_TO_INT (g_object_get_data (row, "mode")),
                                   g_object_get_data (row, "lines"),
                                   *(gint64 *) g_object_get_data (row, "submitted"));
}

/* A column for each of the selected job's parameters, named by its first
 * task's; the values are read row by row as they show. */
static void
show_param_columns (LoomWindow *self,
                    GObject    *row)
{
  GBytes *lines = g_object_get_data (row, "lines");
  gsize size = 0;
  const char *data = lines ? g_bytes_get_data (lines, &size) : NULL;
  const char *nl = data ? memchr (data, '\n', size) : NULL;
  g_autofree char *first = data ? g_strndup (data, nl ? (gsize) (nl - data) : size) : NULL;
  g_autoptr(JsonNode) node = first ? json_from_string (first, NULL) : NULL;

  for (guint i = 0; i < self->param_columns->len; i++)
    gtk_column_view_remove_column (self->tasks_view, g_ptr_array_index (self->param_columns, i));
  g_ptr_array_set_size (self->param_columns, 0);

  if (node && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) names = json_object_get_members (json_node_get_object (node));
      guint position = 1;

      for (GList *l = names; l; l = l->next)
        {
          GtkColumnViewColumn *col = param_column (l->data);

          gtk_column_view_insert_column (self->tasks_view, position++, col);
          g_ptr_array_add (self->param_columns, col);
        }
    }
}

/* The job's id comes with the controller's answer, a moment after the
 * job is shown. */
static void
update_tasks_title (LoomWindow *self)
{
  g_autofree char *title = NULL;
  gint id = self->selected ? loom_async_result_get_job_id (self->selected) : -1;
  gint other = self->selected_partner ? loom_async_result_get_job_id (self->selected_partner) : -1;

  if (self->selected == NULL)
    return;
  if (id < 0)
    title = g_strdup (_("Tasks of the new job"));
  else if (self->selected_partner)
    title = g_strdup_printf (_("Tasks of job %d, compared with job %d"), id, other);
  else
    title = g_strdup_printf (_("Tasks of job %d"), id);
  /* Called on every batch of results: relabel only on a change. */
  if (g_strcmp0 (gtk_label_get_text (self->tasks_title), title) != 0)
    gtk_label_set_text (self->tasks_title, title);
}

static void
on_job_selected (LoomWindow    *self,
                 GtkListBoxRow *row)
{
  GObject *child = row ? G_OBJECT (gtk_list_box_row_get_child (row)) : NULL;
  LoomAsyncResult *result = child ? g_object_get_data (child, "result") : NULL;
  GObject *partner = child ? g_object_get_data (child, "partner") : NULL;
  if (self->selected)
    {
      g_signal_handlers_disconnect_by_func (self->selected, on_task_changed, self);
      g_signal_handlers_disconnect_by_func (self->selected, update_tasks_title, self);
    }
  g_set_object (&self->selected, result);
  if (self->timeline == NULL)
    return;   /* disposing */
  loom_timeline_clear (self->timeline);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->details),
                            _("Select a task, in the list or in the timeline, to see its parameters, result or error, output and timings here."), -1);
  if (result == NULL)
    return;

  /* A job run serially and in parallel for comparison: both, serial
   * first, on a shared zero. */
  set_engine_hosts (self);
  if (partner && GPOINTER_TO_INT (g_object_get_data (partner, "mode")) == LOOM_JOB_SERIAL)
    {
      show_job_in_timeline (self, partner);
      self->selected_slot = show_job_in_timeline (self, child);
    }
  else
    {
      self->selected_slot = show_job_in_timeline (self, child);
      if (partner)
        show_job_in_timeline (self, partner);
    }
  on_timeline_range (self);

  show_param_columns (self, child);

  self->selected_partner = partner ? g_object_get_data (partner, "result") : NULL;
  update_tasks_title (self);
  g_signal_connect_object (result, "notify::job-id", G_CALLBACK (update_tasks_title), self, G_CONNECT_SWAPPED);
  self->selected_submitted = *(gint64 *) g_object_get_data (child, "submitted");
  g_clear_pointer (&self->selected_lines, g_bytes_unref);
  if (g_object_get_data (child, "lines"))
    self->selected_lines = g_bytes_ref (g_object_get_data (child, "lines"));
  g_signal_connect_object (result, "task-started", G_CALLBACK (on_task_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (result, "task-finished", G_CALLBACK (on_task_changed), self, G_CONNECT_SWAPPED);
  show_tasks (self);
}

/**
 * loom_window_export_job:
 * @self: a #LoomWindow
 * @result: a job of this window
 * @format: the export format
 * @file: where to write
 * @error: return location for a #GError
 *
 * Writes a job as a Chrome trace, CSV or JSON (what `loomctl export` writes).
 *
 * Returns: %TRUE if the file was written
 */
gboolean
loom_window_export_job (LoomWindow        *self,
                        LoomAsyncResult   *result,
                        LoomExportFormat   format,
                        GFile             *file,
                        GError           **error)
{
  LoomApplication *app = LOOM_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *text = NULL;
  JsonNode *report;

  if (loom_async_result_get_job_id (result) < 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("The job has not reached the controller yet"));
      return FALSE;
    }
  report = loom_client_get_job_report (loom_application_get_client (app),
                                       loom_async_result_get_job_id (result), error);
  if (report == NULL)
    return FALSE;
  g_ptr_array_add (reports, report);
  if (!(text = loom_export_reports (reports, format, error)))
    return FALSE;
  return g_file_replace_contents (file, text, strlen (text), NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL, error);
}

/**
 * loom_window_export_timeline:
 * @self: a #LoomWindow
 * @results: (element-type LoomAsyncResult): jobs of this window, drawn
 *   stacked on a shared zero
 * @format: PNG, SVG or PDF
 * @file: where to write
 * @error: return location for a #GError
 *
 * Draws the jobs' timeline into an image, with the code `loomctl export
 * --format png|svg|pdf` uses.
 *
 * Returns: %TRUE if the file was written
 */
gboolean
loom_window_export_timeline (LoomWindow               *self,
                             GPtrArray                *results,
                             LoomTimelineImageFormat   format,
                             GFile                    *file,
                             GError                  **error)
{
  LoomApplication *app = LOOM_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(LoomTimelineModel) model = loom_timeline_model_new ();
  g_autofree char *path = g_file_get_path (file);
  AdwStyleManager *style = adw_style_manager_get_default ();

  if (path == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("Choose a local file for the image"));
      return FALSE;
    }
  for (guint i = 0; i < results->len; i++)
    {
      LoomAsyncResult *result = g_ptr_array_index (results, i);
      g_autoptr(JsonNode) report = NULL;

      if (loom_async_result_get_job_id (result) < 0)
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("The job has not reached the controller yet"));
          return FALSE;
        }
      if (!(report = loom_client_get_job_report (loom_application_get_client (app),
                                                 loom_async_result_get_job_id (result), error)) ||
          !loom_timeline_model_add_report (model, report, error))
        return FALSE;
    }
  return loom_timeline_export_image (model, format, 1280, 0, adw_style_manager_get_dark (style), path, error);
}

typedef struct
{
  LoomWindow      *self;
  LoomAsyncResult *result;
  LoomAsyncResult *partner;
  gboolean         partner_serial;
  int              format;   /* a LoomExportFormat, then PNG, SVG, PDF */
} ExportRequest;

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         data)
{
  ExportRequest *request = data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;

      gboolean written;

      if (request->format <= LOOM_EXPORT_JSON)
        written = loom_window_export_job (request->self, request->result, request->format, file, &error);
      else
        {
          g_autoptr(GPtrArray) results = g_ptr_array_new ();

          /* With its comparison partner, serial first, as the timeline shows them. */
          if (request->partner && request->partner_serial)
            g_ptr_array_add (results, request->partner);
          g_ptr_array_add (results, request->result);
          if (request->partner && !request->partner_serial)
            g_ptr_array_add (results, request->partner);
          written = loom_window_export_timeline (request->self, results, request->format - LOOM_EXPORT_JSON - 1,
                                                 file, &error);
        }
      if (!written)
        adw_toast_overlay_add_toast (request->self->toasts, adw_toast_new (error->message));
      else
        {
          g_autofree char *name = g_file_get_basename (file);
          g_autofree char *text = g_strdup_printf (_("Exported to %s"), name);
          adw_toast_overlay_add_toast (request->self->toasts, adw_toast_new (text));
        }
    }
  g_object_unref (request->result);
  g_clear_object (&request->partner);
  g_object_unref (request->self);
  g_free (request);
  g_object_unref (dialog);
}

static void
export_clicked (GtkButton *button,
                gpointer   data)
{
  LoomWindow *self = LOOM_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));
  static const char *suffixes[] = { "json", "csv", "json", "png", "svg", "pdf" };
  static const char *names[] = { "trace", "tasks", "job", "timeline", "timeline", "timeline" };
  ExportRequest *request = g_new0 (ExportRequest, 1);
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);
  GObject *child = row ? G_OBJECT (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row))) : NULL;
  GObject *partner = child ? g_object_get_data (child, "partner") : NULL;
  GtkFileChooserNative *dialog;
  g_autofree char *suggested = NULL;

  request->self = g_object_ref (self);   /* the chooser is not modal */
  request->result = g_object_ref (g_object_get_data (G_OBJECT (button), "result"));
  request->format = GPOINTER_TO_INT (data);
  if (partner)
    {
      request->partner = g_object_ref (g_object_get_data (partner, "result"));
      request->partner_serial = GPOINTER_TO_INT (g_object_get_data (partner, "mode")) == LOOM_JOB_SERIAL;
    }
  dialog = gtk_file_chooser_native_new (_("Export Job"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  suggested = g_strdup_printf ("loom-job-%d-%s.%s", loom_async_result_get_job_id (request->result),
                               names[request->format], suffixes[request->format]);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static GtkWidget *
export_button (LoomAsyncResult *result)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  const char *labels[] = { N_("Chrome Trace (Perfetto)…"), N_("CSV…"), N_("JSON…"),
                           N_("Timeline as PNG…"), N_("Timeline as SVG…"), N_("Timeline as PDF…") };

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "document-save-symbolic");
  gtk_widget_set_tooltip_text (button, _("Export the job"));
  gtk_widget_add_css_class (button, "flat");
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      GtkWidget *item = gtk_button_new_with_label (_(labels[i]));
      gtk_widget_add_css_class (item, "flat");
      g_object_set_data_full (G_OBJECT (item), "result", g_object_ref (result), g_object_unref);
      g_signal_connect (item, "clicked", G_CALLBACK (export_clicked), GINT_TO_POINTER (i));
      g_signal_connect_swapped (item, "clicked", G_CALLBACK (gtk_popover_popdown), popover);
      gtk_box_append (GTK_BOX (box), item);
    }
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  return button;
}

static void
abort_job (GtkButton *button,
           LoomWindow *self)
{
  LoomAsyncResult *result = g_object_get_data (G_OBJECT (button), "result");
  g_autoptr(GError) error = NULL;

  if (!loom_async_result_abort (result, &error))
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
}

static void
add_job_row (LoomWindow      *self,
             LoomAsyncResult *result,
             const char      *title)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *name = gtk_label_new (title);
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *counts = gtk_label_new (NULL);

  gtk_widget_set_margin_start (row, 12);
  gtk_widget_set_margin_end (row, 12);
  gtk_widget_set_margin_top (row, 8);
  gtk_widget_set_margin_bottom (row, 8);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (counts), 0);
  /* Narrow windows: the name and the counts shorten (wrapping labels
   * would make the window wider for a given height). */
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_ellipsize (GTK_LABEL (counts), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (counts, "dim-label");
  gtk_widget_add_css_class (counts, "caption");
  {
    GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    GtkWidget *abort = gtk_button_new_from_icon_name ("process-stop-symbolic");

    gtk_widget_set_hexpand (name, TRUE);
    gtk_widget_set_tooltip_text (abort, _("Abort: queued tasks never run, running ones are stopped"));
    gtk_widget_add_css_class (abort, "flat");
    g_object_set_data (G_OBJECT (abort), "result", result);
    g_signal_connect_object (abort, "clicked", G_CALLBACK (abort_job), self, 0);
    g_object_bind_property (result, "ready", abort, "sensitive", G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
    GtkWidget *again = gtk_button_new_from_icon_name ("view-refresh-symbolic");

    gtk_widget_set_tooltip_text (again, _("Run Again"));
    gtk_widget_add_css_class (again, "flat");
    g_signal_connect (again, "clicked", G_CALLBACK (run_again), NULL);
    gtk_box_append (GTK_BOX (header), name);
    gtk_box_append (GTK_BOX (header), again);
    gtk_box_append (GTK_BOX (header), export_button (result));
    gtk_box_append (GTK_BOX (header), abort);
    gtk_box_append (GTK_BOX (row), header);
  }
  gtk_box_append (GTK_BOX (row), bar);
  gtk_box_append (GTK_BOX (row), counts);
  g_object_set_data_full (G_OBJECT (row), "result", g_object_ref (result), g_object_unref);
  g_object_set_data (G_OBJECT (row), "begun", GSIZE_TO_POINTER (g_get_monotonic_time () / 1000));
  /* The job's zero on the timeline until the controller's own is known. */
  g_object_set_data_full (G_OBJECT (row), "submitted", g_memdup2 (&(gint64) { g_get_real_time () }, sizeof (gint64)), g_free);
  g_timeout_add_full (G_PRIORITY_DEFAULT, 500, tick_job_row, g_object_ref (row), g_object_unref);
  g_object_set_data (G_OBJECT (row), "bar", bar);
  g_object_set_data (G_OBJECT (row), "counts", counts);
  g_signal_connect_object (result, "notify::progress", G_CALLBACK (update_job_row), row, G_CONNECT_SWAPPED);
  g_signal_connect_object (result, "finished", G_CALLBACK (update_job_row), row, G_CONNECT_SWAPPED);
  update_job_row (row);
  gtk_list_box_prepend (self->jobs, row);
  g_ptr_array_add (self->results, g_object_ref (result));
  /* The newest job is the one shown. */
  gtk_list_box_select_row (self->jobs, GTK_LIST_BOX_ROW (gtk_widget_get_parent (row)));
}

/* Submits a job and adds its row; the row keeps what it needs to run the
 * job again. */
static gboolean
submit_job (LoomWindow    *self,
            LoomTaskSpec  *spec,
            GBytes        *lines,
            guint          count,
            LoomJobMode    mode,
            gint           retries,
            LoomScheme     scheme)
{
  LoomApplication *app = LOOM_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  LoomClient *client = loom_application_get_client (app);
  g_autoptr(LoomView) view = NULL;
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tasks = NULL;
  g_autofree char *title = NULL;
  const char *function = loom_task_spec_get_function (spec) ? loom_task_spec_get_function (spec) : _("command");
  gint64 submitted;

  if (client == NULL)
    return FALSE;

  submitted = g_get_real_time ();
  view = loom_client_load_balanced_view (client);
  loom_view_set_mode (view, mode);
  loom_view_set_name (view, function);
  loom_view_set_retries (view, retries);
  loom_view_set_scheme (view, scheme);
  if (!(result = loom_view_map_lines_async (view, spec, lines, count, &error)))
    {
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
      return FALSE;
    }

  tasks = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u task", "%u tasks", count), count);
  title = g_strdup_printf ("%s — %s, %s", function, mode == LOOM_JOB_SERIAL ? _("serial") : _("parallel"), tasks);
  add_job_row (self, result, title);
  {
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->jobs, 0);
    GObject *box = G_OBJECT (gtk_list_box_row_get_child (row));

    g_object_set_data_full (box, "spec", loom_task_spec_ref (spec), (GDestroyNotify) loom_task_spec_unref);
    g_object_set_data_full (box, "lines", g_bytes_ref (lines), (GDestroyNotify) g_bytes_unref);
    g_object_set_data (box, "count", GUINT_TO_POINTER (count));
    g_object_set_data (box, "mode", GINT_TO_POINTER (mode));
    g_object_set_data (box, "retries", GINT_TO_POINTER (retries));
    g_object_set_data (box, "scheme", GINT_TO_POINTER (scheme));
    *(gint64 *) g_object_get_data (box, "submitted") = submitted;
  }
  /* Shown now that the row knows what it ran. */
  on_job_selected (self, gtk_list_box_get_selected_row (self->jobs));
  return TRUE;
}

static void
run_again (GtkButton *button,
           gpointer   data)
{
  LoomWindow *self = LOOM_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));
  GtkWidget *box = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);
  GObject *row = G_OBJECT (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (box)));

  submit_job (self, g_object_get_data (row, "spec"), g_object_get_data (row, "lines"),
              GPOINTER_TO_UINT (g_object_get_data (row, "count")),
              GPOINTER_TO_INT (g_object_get_data (row, "mode")),
              GPOINTER_TO_INT (g_object_get_data (row, "retries")),
              GPOINTER_TO_INT (g_object_get_data (row, "scheme")));
}

/* The two newest jobs are one sweep run serially and in parallel: each
 * row knows the other, and the timeline opens on both, stacked. */
static void
link_comparison (LoomWindow *self)
{
  GtkListBoxRow *parallel = gtk_list_box_get_row_at_index (self->jobs, 0);
  GtkListBoxRow *serial = gtk_list_box_get_row_at_index (self->jobs, 1);
  GObject *a, *b;

  if (parallel == NULL || serial == NULL)
    return;
  a = G_OBJECT (gtk_list_box_row_get_child (parallel));
  b = G_OBJECT (gtk_list_box_row_get_child (serial));
  g_object_set_data (a, "partner", b);
  g_object_set_data (b, "partner", a);
  gtk_list_box_unselect_all (self->jobs);
  gtk_list_box_select_row (self->jobs, parallel);
}

static void
run_action (GtkWidget  *widget,
            const char *action,
            GVariant   *parameter)
{
  LoomWindow *self = LOOM_WINDOW (widget);
  g_autoptr(LoomSweep) sweep = NULL;
  g_autoptr(LoomTaskSpec) spec = NULL;
  g_autoptr(GBytes) lines = NULL;
  g_autoptr(GError) error = NULL;
  gint retries;
  LoomScheme scheme;

  if (!loom_sweep_form_is_valid (self->form) ||
      !(sweep = loom_sweep_form_build_sweep (self->form, &error)) ||
      !(spec = loom_sweep_form_build_spec (self->form, &error)))
    return;

  /* The task timeout travels in the spec; retries and the scheduler
   * scheme go with the job. */
  lines = loom_sweep_to_lines (sweep);
  retries = loom_sweep_form_get_retries (self->form);
  scheme = loom_sweep_form_get_scheme (self->form);
  if (loom_sweep_form_get_also_serial (self->form))
    {
      if (submit_job (self, spec, lines, loom_sweep_get_count (sweep), LOOM_JOB_SERIAL, retries, scheme) &&
          submit_job (self, spec, lines, loom_sweep_get_count (sweep), LOOM_JOB_PARALLEL, retries, scheme))
        link_comparison (self);
      return;
    }
  submit_job (self, spec, lines, loom_sweep_get_count (sweep), LOOM_JOB_PARALLEL, retries, scheme);
}

static void
on_form_valid (LoomWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", loom_sweep_form_is_valid (self->form));
}

/**
 * loom_window_get_form:
 * @self: a #LoomWindow
 *
 * Returns: (transfer none): the sweep form
 */
LoomSweepForm *
loom_window_get_form (LoomWindow *self)
{
  g_return_val_if_fail (LOOM_IS_WINDOW (self), NULL);
  return self->form;
}

/**
 * loom_window_get_jobs:
 * @self: a #LoomWindow
 *
 * Returns: (transfer none) (element-type LoomAsyncResult): the jobs shown
 */
GPtrArray *
loom_window_get_jobs (LoomWindow *self)
{
  g_return_val_if_fail (LOOM_IS_WINDOW (self), NULL);
  return self->results;
}

static gboolean
loom_window_close_request (GtkWindow *window)
{
  LoomWindow *self = LOOM_WINDOW (window);
  LoomApplication *app = LOOM_APPLICATION (gtk_window_get_application (window));
  GSettings *settings = app ? loom_application_get_settings (app) : NULL;

  if (settings != NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;
      g_autofree char *parameters = loom_sweep_form_get_parameters (self->form);
      g_autofree char *constants = loom_sweep_form_get_constants (self->form);
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "function");
      json_builder_add_string_value (builder, loom_sweep_form_get_function (self->form));
      json_builder_set_member_name (builder, "parameters");
      json_builder_add_string_value (builder, parameters);
      json_builder_set_member_name (builder, "constants");
      json_builder_add_string_value (builder, constants);
      json_builder_set_member_name (builder, "zip");
      json_builder_add_boolean_value (builder, loom_sweep_form_get_zip (self->form));
      json_builder_set_member_name (builder, "retries");
      json_builder_add_int_value (builder, loom_sweep_form_get_retries (self->form));
      json_builder_set_member_name (builder, "timeout");
      json_builder_add_double_value (builder, loom_sweep_form_get_timeout (self->form));
      json_builder_set_member_name (builder, "scheme");
      json_builder_add_string_value (builder, loom_scheme_to_string (loom_sweep_form_get_scheme (self->form)));
      if (loom_sweep_form_get_command (self->form))
        {
          json_builder_set_member_name (builder, "command");
          json_builder_add_string_value (builder, loom_sweep_form_get_command (self->form));
          json_builder_set_member_name (builder, "cwd");
          json_builder_add_string_value (builder, loom_sweep_form_get_cwd (self->form));
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      text = json_to_string (root, FALSE);
      g_settings_set_string (settings, "last-form", text);
    }

  return GTK_WINDOW_CLASS (loom_window_parent_class)->close_request (window);
}

static void
loom_window_dispose (GObject *object)
{
  LoomWindow *self = (LoomWindow *) object;

  g_clear_object (&self->task_list);
  g_clear_pointer (&self->selected_lines, g_bytes_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), LOOM_TYPE_WINDOW);
  g_clear_object (&self->engines);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->param_columns, g_ptr_array_unref);
  g_clear_object (&self->selected);

  G_OBJECT_CLASS (loom_window_parent_class)->dispose (object);
}

static void
loom_window_class_init (LoomWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = loom_window_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = loom_window_close_request;

  g_type_ensure (LOOM_TYPE_SWEEP_FORM);
  g_type_ensure (LOOM_TYPE_TIMELINE);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/loom/Loom/loom-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, engines_view);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, summary);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, form);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, jobs);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, tasks_view);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, tasks_title);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, range_label);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, details);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, zoom_in_button);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, zoom_out_button);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, fit_button);

  gtk_widget_class_install_action (widget_class, "win.add-engines", NULL, add_engines_action);
  gtk_widget_class_install_action (widget_class, "win.stop-all", NULL, stop_all_action);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.run", NULL);
}

static void
loom_window_init (LoomWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->results = g_ptr_array_new_with_free_func (g_object_unref);
  self->param_columns = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect_object (self->jobs, "row-selected", G_CALLBACK (on_job_selected), self, G_CONNECT_SWAPPED);
  add_task_column (self->tasks_view, _("Index"), TASK_INDEX);
  add_task_column (self->tasks_view, _("Engine"), TASK_ENGINE);
  add_task_column (self->tasks_view, _("Start"), TASK_START);
  add_task_column (self->tasks_view, _("Duration"), TASK_DURATION);
  add_task_column (self->tasks_view, _("Status"), TASK_STATUS);
  add_task_column (self->tasks_view, _("Result or error"), TASK_RESULT);
  g_signal_connect_object (self->form, "notify::valid", G_CALLBACK (on_form_valid), self, G_CONNECT_SWAPPED);
  on_form_valid (self);

  /* Ctrl+C in the tasks list copies the selected row. */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_c, GDK_CONTROL_MASK),
                                                            gtk_callback_action_new (copy_task_shortcut, NULL, NULL)));
    gtk_widget_add_controller (GTK_WIDGET (self->tasks_view), shortcuts);
  }

  g_signal_connect_object (self->timeline, "selection-changed", G_CALLBACK (on_timeline_selection), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->timeline, "range-changed", G_CALLBACK (on_timeline_range), self, G_CONNECT_SWAPPED);
  g_object_set_data (G_OBJECT (self->zoom_in_button), "action", (gpointer) "timeline.zoom-in");
  g_object_set_data (G_OBJECT (self->zoom_out_button), "action", (gpointer) "timeline.zoom-out");
  g_object_set_data (G_OBJECT (self->fit_button), "action", (gpointer) "timeline.fit");
  g_signal_connect_object (self->zoom_in_button, "clicked", G_CALLBACK (timeline_button_clicked), self, 0);
  g_signal_connect_object (self->zoom_out_button, "clicked", G_CALLBACK (timeline_button_clicked), self, 0);
  g_signal_connect_object (self->fit_button, "clicked", G_CALLBACK (timeline_button_clicked), self, 0);

  add_column (self, _("ID"), COLUMN_ID, FALSE);
  add_column (self, _("Host"), COLUMN_HOST, TRUE);
  add_column (self, _("PID"), COLUMN_PID, FALSE);
  add_column (self, _("State"), COLUMN_STATE, FALSE);
  add_column (self, _("Done"), COLUMN_DONE, FALSE);
  add_column (self, _("Busy"), COLUMN_BUSY, FALSE);
  add_column (self, NULL, COLUMN_ACTION, FALSE);
}

/**
 * loom_window_new:
 * @application: the #LoomApplication
 *
 * Returns: (transfer full): a window showing the app's cluster; starts the
 *   cluster if it is not running
 */
LoomWindow *
loom_window_new (LoomApplication *application)
{
  LoomWindow *self = g_object_new (LOOM_TYPE_WINDOW, "application", application, NULL);
  g_autoptr(GError) error = NULL;
  GSettings *settings = loom_application_get_settings (application);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  if (!loom_application_ensure_cluster (application, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot start the local engines: %s"), error->message);
      gtk_label_set_text (self->summary, text);
      return self;
    }

  self->engines = g_object_ref (loom_client_get_engines (loom_application_get_client (application)));
  /* The timeline shows running tasks: follow the task events. */
  loom_client_set_follow_tasks (loom_application_get_client (application), TRUE);
  {
    g_autoptr(GtkNoSelection) none = gtk_no_selection_new (g_object_ref (self->engines));
    gtk_column_view_set_model (self->engines_view, GTK_SELECTION_MODEL (none));
  }
  g_signal_connect_object (self->engines, "items-changed", G_CALLBACK (on_engines_changed), self, G_CONNECT_SWAPPED);
  watch_engines (self, 0, 0, g_list_model_get_n_items (self->engines));
  update_summary (self);

  /* The last form comes back. */
  {
    g_autofree char *last = g_settings_get_string (settings, "last-form");
    g_autoptr(JsonNode) node = *last ? json_from_string (last, NULL) : NULL;

    if (node && JSON_NODE_HOLDS_OBJECT (node))
      {
        JsonObject *obj = json_node_get_object (node);
        if (json_object_has_member (obj, "function"))
          loom_sweep_form_set_function (self->form, json_object_get_string_member_with_default (obj, "function", "printtime"));
        if (json_object_has_member (obj, "parameters"))
          loom_sweep_form_set_parameters (self->form, json_object_get_string_member_with_default (obj, "parameters", ""));
        if (json_object_has_member (obj, "command"))
          loom_sweep_form_set_command (self->form, json_object_get_string_member_with_default (obj, "command", ""),
                                       json_object_get_string_member_with_default (obj, "cwd", NULL));
        loom_sweep_form_set_constants (self->form, json_object_get_string_member_with_default (obj, "constants", ""));
        loom_sweep_form_set_zip (self->form, json_object_get_boolean_member_with_default (obj, "zip", FALSE));
        loom_sweep_form_set_retries (self->form, json_object_get_int_member_with_default (obj, "retries", 2));
        loom_sweep_form_set_timeout (self->form, json_object_get_double_member_with_default (obj, "timeout", 0));
        {
          LoomScheme scheme = LOOM_SCHEME_LEASTLOAD;

          loom_scheme_from_string (json_object_get_string_member_with_default (obj, "scheme", "leastload"), &scheme);
          loom_sweep_form_set_scheme (self->form, scheme);
        }
      }
  }
  return self;
}

/**
 * loom_window_get_engines:
 * @self: a #LoomWindow
 *
 * Returns: (transfer none) (nullable): the engines shown
 */
GListModel *
loom_window_get_engines (LoomWindow *self)
{
  g_return_val_if_fail (LOOM_IS_WINDOW (self), NULL);
  return self->engines;
}

/**
 * loom_window_get_details_text:
 * @self: a #LoomWindow
 *
 * Returns: (transfer full): what the task details pane shows
 */
char *
loom_window_get_details_text (LoomWindow *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (LOOM_IS_WINDOW (self), NULL);
  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (self->details), &start, &end);
  return gtk_text_buffer_get_text (gtk_text_view_get_buffer (self->details), &start, &end, FALSE);
}

/**
 * loom_window_get_timeline:
 * @self: a #LoomWindow
 *
 * Returns: (transfer none): the selected job's timeline
 */
LoomTimeline *
loom_window_get_timeline (LoomWindow *self)
{
  g_return_val_if_fail (LOOM_IS_WINDOW (self), NULL);
  return self->timeline;
}
