/* loom-window.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The main window: the engines of the app's cluster, the sweep form, the
 * jobs submitted (a GListStore of LoomJob, a LoomJobRow each) and, for
 * the job selected, its timeline and its tasks.  The list also shows the
 * controller's other jobs (other clients', earlier runs'), listed every
 * few seconds; their tasks load when one is selected.  Its actions are in
 * loom-window-actions.c, its exports in loom-window-export.c.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "loom-json-private.h"
#include "loom-job-row.h"
#include "loom-window-private.h"

G_DEFINE_FINAL_TYPE (LoomWindow, loom_window, ADW_TYPE_APPLICATION_WINDOW)

static GtkWidget *
create_job_row (gpointer item,
                gpointer data)
{
  return loom_job_row_new (item);
}

void
loom_window_toast (LoomWindow *self,
                   const char *text)
{
  g_autofree char *title = NULL;

  /* A request answered as the window closed has no one to tell. */
  if (self->toasts == NULL)
    return;
  /* A toast's title is markup; a file's name or an error is not. */
  title = g_markup_escape_text (text, -1);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (title));
}

LoomClient *
loom_window_get_client (LoomWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return app ? loom_application_get_client (LOOM_APPLICATION (app)) : NULL;
}

/* A job of this window by its id, the per-job actions' parameter. */
LoomJob *
loom_window_find_job (LoomWindow *self,
                      guint       id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->job_store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LoomJob) job = g_list_model_get_item (G_LIST_MODEL (self->job_store), i);

      if (loom_job_get_id (job) == id)
        return job;   /* the store holds it */
    }
  return NULL;
}

/* Shows @job's timeline and tasks (again, if it is shown already). */
void
loom_window_select_job (LoomWindow *self,
                        LoomJob    *job)
{
  guint position;

  if (!g_list_store_find (self->job_store, job, &position))
    return;
  gtk_list_box_unselect_all (self->jobs);
  gtk_list_box_select_row (self->jobs, gtk_list_box_get_row_at_index (self->jobs, position));
}

static void load_selected (LoomWindow *self);

/* A listed job by the controller's id, and its position. */
static LoomJob *
find_listed_job (LoomWindow *self,
                 gint        job_id,
                 guint      *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->job_store));

  for (guint i = 0; job_id >= 0 && i < n; i++)
    {
      g_autoptr(LoomJob) job = g_list_model_get_item (G_LIST_MODEL (self->job_store), i);

      if (loom_job_get_info (job) != NULL && loom_job_get_job_id (job) == job_id)
        {
          if (position)
            *position = i;
          return job;   /* the store holds it */
        }
    }
  return NULL;
}

/* A listing that came before the controller's answer to a submission
 * showed the window's own job as another's: one row is enough. */
static void
on_own_job_id (LoomWindow *self,
               GParamSpec *pspec,
               LoomJob    *job)
{
  guint position;

  if (find_listed_job (self, loom_job_get_job_id (job), &position))
    g_list_store_remove (self->job_store, position);
}

/* The newest job goes on top, and is the one shown. */
void
loom_window_add_job (LoomWindow *self,
                     LoomJob    *job)
{
  g_list_store_insert (self->job_store, 0, job);
  g_signal_connect_object (job, "notify::job-id", G_CALLBACK (on_own_job_id), self, G_CONNECT_SWAPPED);
  on_own_job_id (self, NULL, job);
  loom_window_select_job (self, job);
}

/* Where a listed job goes: the newest first, the window's jobs not yet
 * accepted (no id) on top. */
static guint
listed_position (LoomWindow *self,
                 guint       job_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->job_store));
  guint i;

  for (i = 0; i < n; i++)
    {
      g_autoptr(LoomJob) job = g_list_model_get_item (G_LIST_MODEL (self->job_store), i);
      gint id = loom_job_get_job_id (job);

      if (id >= 0 && (guint) id < job_id)
        break;
    }
  return i;
}

/* The controller's jobs: new ones get a row, listed ones their new
 * figures, and rows of jobs it no longer keeps (purged) go. */
static void
on_jobs_listed (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(LoomWindow) self = data;
  g_autoptr(GListModel) listing = NULL;
  g_autoptr(GHashTable) own = NULL;
  g_autoptr(GHashTable) listed = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  listing = loom_client_list_jobs_finish (LOOM_CLIENT (source), result, &error);
  if (self->job_store == NULL)
    return;   /* disposed */
  self->listing = FALSE;
  if (listing == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Listing the controller's jobs: %s", error->message);
      return;
    }

  own = g_hash_table_new (NULL, NULL);
  listed = g_hash_table_new (NULL, NULL);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->job_store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LoomJob) job = g_list_model_get_item (G_LIST_MODEL (self->job_store), i);
      gint id = loom_job_get_job_id (job);

      if (id >= 0)
        g_hash_table_insert (loom_job_get_info (job) ? listed : own, GINT_TO_POINTER (id), job);
    }

  for (guint i = 0; i < g_list_model_get_n_items (listing); i++)
    {
      g_autoptr(LoomJobInfo) info = g_list_model_get_item (listing, i);
      gpointer id = GUINT_TO_POINTER (loom_job_info_get_id (info));
      LoomJob *job;

      if (g_hash_table_contains (own, id))
        continue;
      if ((job = g_hash_table_lookup (listed, id)))
        {
          loom_job_set_info (job, info);
          g_hash_table_remove (listed, id);
          /* The job shown ran on: its tasks again. */
          if (job == self->selected && loom_job_is_stale (job))
            load_selected (self);
        }
      else
        {
          g_autoptr(LoomJob) added = loom_job_new_for_info (self->next_job_id++, info);

          g_list_store_insert (self->job_store, listed_position (self, loom_job_info_get_id (info)), added);
        }
    }

  /* What is left of the listed rows, the controller no longer keeps. */
  if (g_hash_table_size (listed) > 0)
    {
      GHashTableIter iter;
      gpointer job;

      g_hash_table_iter_init (&iter, listed);
      while (g_hash_table_iter_next (&iter, NULL, &job))
        {
          guint position;

          if (g_list_store_find (self->job_store, job, &position))
            g_list_store_remove (self->job_store, position);
        }
    }
}

static gboolean
list_jobs (gpointer data)
{
  LoomWindow *self = data;
  LoomClient *client = loom_window_get_client (self);

  /* One listing at a time: a slow controller is not asked again. */
  if (client != NULL && !self->listing)
    {
      self->listing = TRUE;
      loom_client_list_jobs_async (client, self->cancellable, on_jobs_listed, g_object_ref (self));
    }
  return G_SOURCE_CONTINUE;
}

/* An engine that dies shows at once: a toast, besides its state. */
static void
on_engine_died (LoomWindow     *self,
                LoomEngineInfo *info)
{
  g_autofree char *text = g_strdup_printf (_("Engine %u (pid %" PRId64 ") died; its tasks run elsewhere"),
                                           loom_engine_info_get_id (info), loom_engine_info_get_pid (info));
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
on_task_copied (LoomWindow *self)
{
  loom_window_toast (self, _("Task copied, tab-separated"));
}

/* A bar clicked in the timeline: its task's whole story beside the list. */
static void
on_timeline_selection (LoomWindow *self)
{
  g_autofree char *text = loom_timeline_describe_selected (self->timeline);

  /* The attempt clicked: a lost one's engine and times, not the retry's. */
  if (text != NULL)
    loom_tasks_view_set_details (self->tasks_view, text);
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
on_task_selected (LoomWindow *self,
                  guint       index)
{
  g_autofree char *text = loom_timeline_describe_task (self->timeline, self->selected_slot, index, TRUE);

  loom_tasks_view_set_details (self->tasks_view, text);
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

static guint
show_in_timeline (LoomWindow *self,
                  LoomJob    *job)
{
  return loom_timeline_add_result (self->timeline, loom_job_get_result (job), loom_job_get_name (job),
                                   loom_job_get_mode (job), loom_job_get_lines (job),
                                   loom_job_get_submitted (job));
}

/* The job's id comes with the controller's answer, a moment after the
 * job is shown. */
static void
update_tasks_title (LoomWindow *self)
{
  g_autofree char *title = NULL;
  LoomJob *partner;
  gint id;

  if (self->selected == NULL)
    return;
  id = loom_job_get_job_id (self->selected);
  partner = loom_job_get_partner (self->selected);
  if (id < 0)
    title = g_strdup (_("Tasks of the new job"));
  else if (loom_job_get_result (self->selected) == NULL)
    title = g_strdup_printf (_("Loading the tasks of job %d…"), id);
  else if (partner)
    title = g_strdup_printf (_("Tasks of job %d, compared with job %d"), id, loom_job_get_job_id (partner));
  else
    title = g_strdup_printf (_("Tasks of job %d"), id);
  gtk_label_set_text (self->tasks_title, title);
}

/* The timeline and tasks of the job selected, once it has them. */
static void
show_selected (LoomWindow *self)
{
  LoomJob *job = self->selected;
  LoomJob *partner = job ? loom_job_get_partner (job) : NULL;

  loom_timeline_clear (self->timeline);
  loom_tasks_view_set_details (self->tasks_view,
                               _("Select a task, in the list or in the timeline, to see its parameters, result or error, output and timings here."));
  if (job == NULL || loom_job_get_result (job) == NULL)
    {
      loom_tasks_view_set_job (self->tasks_view, NULL);
      update_tasks_title (self);
      return;
    }

  /* A job run serially and in parallel for comparison: both, serial
   * first, on a shared zero. */
  set_engine_hosts (self);
  if (partner && loom_job_get_mode (partner) == LOOM_JOB_SERIAL)
    {
      show_in_timeline (self, partner);
      self->selected_slot = show_in_timeline (self, job);
    }
  else
    {
      self->selected_slot = show_in_timeline (self, job);
      if (partner)
        show_in_timeline (self, partner);
    }
  on_timeline_range (self);

  update_tasks_title (self);
  loom_tasks_view_set_job (self->tasks_view, job);
}

static void
on_selected_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(LoomWindow) self = data;
  g_autoptr(GError) error = NULL;

  if (!loom_job_load_finish (LOOM_JOB (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("The tasks of job %d could not be loaded: %s"),
                                                   loom_job_get_job_id (LOOM_JOB (source)), error->message);
          loom_window_toast (self, text);
        }
      return;
    }
  /* Shown if it is still the one selected. */
  if (self->timeline != NULL && LOOM_JOB (source) == self->selected)
    show_selected (self);
}

/* A listed job's tasks come from the controller when it is selected, and
 * again if it runs on: no one else's jobs are loaded. */
static void
load_selected (LoomWindow *self)
{
  LoomClient *client = loom_window_get_client (self);

  if (client != NULL && self->selected != NULL && loom_job_get_info (self->selected) != NULL)
    loom_job_load_async (self->selected, client, self->cancellable, on_selected_loaded, g_object_ref (self));
}

static void
on_job_selected (LoomWindow    *self,
                 GtkListBoxRow *row)
{
  LoomJob *job = row ? loom_job_row_get_job (LOOM_JOB_ROW (row)) : NULL;

  if (self->selected)
    g_signal_handlers_disconnect_by_func (self->selected, update_tasks_title, self);
  g_set_object (&self->selected, job);
  if (self->timeline == NULL)
    return;   /* disposing */
  if (job != NULL)
    g_signal_connect_object (job, "notify::job-id", G_CALLBACK (update_tasks_title), self, G_CONNECT_SWAPPED);
  show_selected (self);
  if (job != NULL && (loom_job_get_result (job) == NULL || loom_job_is_stale (job)))
    load_selected (self);
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
 * Returns: (transfer none): the jobs shown, a #GListModel of #LoomJob,
 *   the newest first
 */
GListModel *
loom_window_get_jobs (LoomWindow *self)
{
  g_return_val_if_fail (LOOM_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->job_store);
}

static GSettings *
get_settings (LoomWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return app ? loom_application_get_settings (LOOM_APPLICATION (app)) : NULL;
}

/* The form as it was last submitted comes back on the next start; its
 * retries and timeout are preferences of their own (see apply_options). */
static char *
form_to_json (LoomSweepForm *form)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *parameters = loom_sweep_form_get_parameters (form);
  g_autofree char *constants = loom_sweep_form_get_constants (form);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "function");
  json_builder_add_string_value (builder, loom_sweep_form_get_function (form));
  json_builder_set_member_name (builder, "parameters");
  json_builder_add_string_value (builder, parameters);
  json_builder_set_member_name (builder, "constants");
  json_builder_add_string_value (builder, constants);
  json_builder_set_member_name (builder, "zip");
  json_builder_add_boolean_value (builder, loom_sweep_form_get_zip (form));
  json_builder_set_member_name (builder, "scheme");
  json_builder_add_string_value (builder, loom_scheme_to_string (loom_sweep_form_get_scheme (form)));
  if (loom_sweep_form_get_command (form))
    {
      json_builder_set_member_name (builder, "command");
      json_builder_add_string_value (builder, loom_sweep_form_get_command (form));
      json_builder_set_member_name (builder, "cwd");
      json_builder_add_string_value (builder, loom_sweep_form_get_cwd (form));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
form_from_json (LoomSweepForm *form,
                const char    *text)
{
  g_autoptr(JsonNode) node = *text ? loom_json_from_data (text, -1, NULL) : NULL;
  LoomScheme scheme = LOOM_SCHEME_LEASTLOAD;
  JsonObject *obj;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  obj = json_node_get_object (node);
  if (json_object_has_member (obj, "function"))
    loom_sweep_form_set_function (form, json_object_get_string_member_with_default (obj, "function", "printtime"));
  if (json_object_has_member (obj, "parameters"))
    loom_sweep_form_set_parameters (form, json_object_get_string_member_with_default (obj, "parameters", ""));
  if (json_object_has_member (obj, "command"))
    loom_sweep_form_set_command (form, json_object_get_string_member_with_default (obj, "command", ""),
                                 json_object_get_string_member_with_default (obj, "cwd", NULL));
  loom_sweep_form_set_constants (form, json_object_get_string_member_with_default (obj, "constants", ""));
  loom_sweep_form_set_zip (form, json_object_get_boolean_member_with_default (obj, "zip", FALSE));
  loom_scheme_from_string (json_object_get_string_member_with_default (obj, "scheme", "leastload"), &scheme);
  loom_sweep_form_set_scheme (form, scheme);
}

/* The retries and task timeout of the preferences are the form's: it
 * starts from them and follows when they change; what it was last run
 * with becomes them when the window closes. */
static void
apply_options (LoomWindow *self,
               const char *key,
               GSettings  *settings)
{
  if (key == NULL || g_str_equal (key, "retries"))
    loom_sweep_form_set_retries (self->form, g_settings_get_int (settings, "retries"));
  if (key == NULL || g_str_equal (key, "task-timeout"))
    loom_sweep_form_set_timeout (self->form, g_settings_get_double (settings, "task-timeout"));
}

static gboolean
loom_window_close_request (GtkWindow *window)
{
  LoomWindow *self = LOOM_WINDOW (window);
  GSettings *settings = get_settings (self);

  if (settings != NULL)
    {
      g_autofree char *text = form_to_json (self->form);

      g_settings_set_string (settings, "last-form", text);
      g_settings_set_int (settings, "retries", loom_sweep_form_get_retries (self->form));
      g_settings_set_double (settings, "task-timeout", loom_sweep_form_get_timeout (self->form));
    }

  return GTK_WINDOW_CLASS (loom_window_parent_class)->close_request (window);
}

static void
on_form_valid (LoomWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", loom_sweep_form_is_valid (self->form));
}

static void
loom_window_dispose (GObject *object)
{
  LoomWindow *self = (LoomWindow *) object;

  /* Requests still out answer no one: their callbacks see them cancelled. */
  g_clear_handle_id (&self->list_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LOOM_TYPE_WINDOW);
  g_clear_object (&self->selected);
  g_clear_object (&self->job_store);
  g_clear_object (&self->engines);

  G_OBJECT_CLASS (loom_window_parent_class)->dispose (object);
}

static void
loom_window_class_init (LoomWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = loom_window_dispose;
  window_class->close_request = loom_window_close_request;

  g_type_ensure (LOOM_TYPE_ENGINES_VIEW);
  g_type_ensure (LOOM_TYPE_SWEEP_FORM);
  g_type_ensure (LOOM_TYPE_TASKS_VIEW);
  g_type_ensure (LOOM_TYPE_TIMELINE);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/loom/Loom/loom-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, engines_view);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, form);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, jobs);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, tasks_title);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, range_label);
  gtk_widget_class_bind_template_child (widget_class, LoomWindow, tasks_view);
  gtk_widget_class_bind_template_callback (widget_class, on_engine_died);
  gtk_widget_class_bind_template_callback (widget_class, on_form_valid);
  gtk_widget_class_bind_template_callback (widget_class, on_job_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_task_copied);
  gtk_widget_class_bind_template_callback (widget_class, on_task_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_timeline_range);
  gtk_widget_class_bind_template_callback (widget_class, on_timeline_selection);

  loom_window_class_install_actions (widget_class);
}

static void
loom_window_init (LoomWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->job_store = g_list_store_new (LOOM_TYPE_JOB);
  self->cancellable = g_cancellable_new ();
  self->next_job_id = 1;
  gtk_list_box_bind_model (self->jobs, G_LIST_MODEL (self->job_store), create_job_row, NULL, NULL);
  on_form_valid (self);
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
  GSettings *settings = loom_application_get_settings (application);
  g_autoptr(GError) error = NULL;
  g_autofree char *last = NULL;

  g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  /* The last form comes back, with the preferred options. */
  last = g_settings_get_string (settings, "last-form");
  form_from_json (self->form, last);
  apply_options (self, NULL, settings);
  g_signal_connect_object (settings, "changed", G_CALLBACK (apply_options), self, G_CONNECT_SWAPPED);

  if (!loom_application_ensure_cluster (application, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot start the local engines: %s"), error->message);
      loom_engines_view_set_message (self->engines_view, text);
      return self;
    }

  self->engines = g_object_ref (loom_client_get_engines (loom_application_get_client (application)));
  /* The timeline shows running tasks: follow the task events. */
  loom_client_set_follow_tasks (loom_application_get_client (application), TRUE);
  loom_engines_view_set_engines (self->engines_view, self->engines);

  /* The controller's other jobs, past ones too, and how they go on. */
  list_jobs (self);
  self->list_id = g_timeout_add_seconds (2, list_jobs, self);
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
  g_return_val_if_fail (LOOM_IS_WINDOW (self), NULL);
  return loom_tasks_view_get_details_text (self->tasks_view);
}

/**
 * loom_window_copy_selected_task:
 * @self: a #LoomWindow
 *
 * Copies the selected row of the tasks list to the clipboard, its cells
 * separated by tabs.
 *
 * Returns: (transfer full) (nullable): the text copied, or %NULL if no
 *   row is selected
 */
char *
loom_window_copy_selected_task (LoomWindow *self)
{
  g_return_val_if_fail (LOOM_IS_WINDOW (self), NULL);
  return loom_tasks_view_copy_selected (self->tasks_view);
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
  g_return_val_if_fail (LOOM_IS_WINDOW (self), -1);
  return loom_tasks_view_get_selected_index (self->tasks_view);
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

/**
 * loom_window_get_engines_view:
 * @self: a #LoomWindow
 *
 * Returns: (transfer none): the engines panel
 */
LoomEnginesView *
loom_window_get_engines_view (LoomWindow *self)
{
  g_return_val_if_fail (LOOM_IS_WINDOW (self), NULL);
  return self->engines_view;
}
