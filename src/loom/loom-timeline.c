/* loom-timeline.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The live timeline: one lane per engine, one bar per task, for one job
 * or several stacked on a shared zero.  The data lives in a
 * LoomTimelineModel fed by the jobs' task-started and task-finished
 * signals (the controller's task events); drawing is
 * loom-timeline-render.c, whose static part (everything but running bars,
 * hover, selection and the selected range) is cached as one render node
 * until the data, the size or the view changes.  Running bars grow to
 * "now" while the frame clock ticks, and it ticks only while something
 * runs.
 *
 * This file follows the jobs, keeps the view and the selection, and
 * draws; loom-timeline-input.c turns pointer and keys into zoom, pan and
 * selection; loom-timeline-describe.c puts tasks and ranges into words.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n.h>

#include "loom-timeline-private.h"


G_DEFINE_FINAL_TYPE (LoomTimeline, loom_timeline, GTK_TYPE_WIDGET)

enum {
  SELECTION_CHANGED,
  RANGE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
job_source_free (gpointer data)
{
  JobSource *source = data;

  g_clear_object (&source->result);
  g_clear_pointer (&source->params, g_bytes_unref);
  g_free (source);
}

/* --- following the jobs -------------------------------------------------- */

static void
ensure_zero (LoomTimeline *self,
             JobSource    *source)
{
  LoomTaskInfo first;

  if (source->zero_known || loom_async_result_get_n_tasks (source->result) == 0)
    return;
  loom_async_result_get_task_times (source->result, 0, &first);
  if (first.submitted > 0)
    {
      loom_timeline_model_set_job_zero (self->model, source->slot, first.submitted);
      source->zero_known = TRUE;
    }
}

static void
apply_task (LoomTimeline *self,
            JobSource    *source,
            guint         index)
{
  LoomTaskInfo info;

  loom_async_result_get_task_times (source->result, index, &info);
  ensure_zero (self, source);
  if (loom_task_status_is_final (info.status))
    /* A task lost with its engine has no end but when that was noticed. */
    loom_timeline_model_task_finished (self->model, source->slot, index, info.engine_id, info.status,
                                       info.started, info.completed > 0 ? info.completed : info.received);
  else if (info.started > 0 && info.engine_id >= 0)
    loom_timeline_model_task_started (self->model, source->slot, index, info.engine_id, info.started);
}

static JobSource *
find_source (LoomTimeline    *self,
             LoomAsyncResult *result)
{
  for (guint i = 0; i < self->sources->len; i++)
    {
      JobSource *source = g_ptr_array_index (self->sources, i);
      if (source->result == result)
        return source;
    }
  return NULL;
}

static void
on_task_event (LoomAsyncResult *result,
               guint            index,
               LoomTimeline    *self)
{
  JobSource *source = find_source (self, result);

  if (source != NULL)
    apply_task (self, source, index);
}

/* The controller numbers a job a moment after it is shown: its header
 * takes the number. */
static void
on_job_id (LoomAsyncResult *result,
           GParamSpec      *pspec,
           LoomTimeline    *self)
{
  JobSource *source = find_source (self, result);

  if (source != NULL)
    loom_timeline_model_set_job_id (self->model, source->slot, loom_async_result_get_job_id (result));
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  LoomTimeline *self = LOOM_TIMELINE (widget);

  gtk_widget_queue_draw (widget);
  if (loom_timeline_model_get_n_running (self->model) == 0)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_model_changed (LoomTimeline *self)
{
  if (self->tick_id == 0 && loom_timeline_model_get_n_running (self->model) > 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* --- geometry and selection ---------------------------------------------- */

void
loom_timeline_update_view (LoomTimeline *self)
{
  LoomTimelineView *view = &self->view;
  double plot_w;

  view->width = gtk_widget_get_width (GTK_WIDGET (self));
  view->height = gtk_widget_get_height (GTK_WIDGET (self));
  view->now = g_get_real_time ();
  view->pango = gtk_widget_get_pango_context (GTK_WIDGET (self));
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &view->fg);
  plot_w = loom_timeline_view_plot_width (view);

  if (self->auto_fit)
    {
      /* While tasks run, fit with room to grow, so the cached static
       * part stays valid for many frames instead of one. */
      gint64 extent = loom_timeline_model_get_extent (self->model, view->now);

      if (loom_timeline_model_get_n_running (self->model) == 0)
        self->fitted_extent = extent;
      else if (extent > self->fitted_extent || extent < self->fitted_extent / 4)
        self->fitted_extent = extent + extent / 2;
      loom_timeline_view_fit_extent (view, self->model, self->fitted_extent, TRUE);
    }
  else if (self->follow && loom_timeline_model_get_n_running (self->model) > 0)
    {
      gint64 extent = loom_timeline_model_get_extent (self->model, view->now);
      double right = view->t_left + plot_w * view->us_per_px;

      if (extent > right)
        view->t_left = extent - 0.9 * plot_w * view->us_per_px;
    }

  /* Never scroll past the lanes. */
  {
    double room = view->height - loom_timeline_view_lanes_top (view, self->model);
    double content = loom_timeline_view_content_height (view, self->model);
    view->scroll_y = CLAMP (view->scroll_y, 0, MAX (0, content - room));
  }
}

/* The selected attempt's bar (its task and start): where it is now, as
 * bars move when others are inserted before them.  A binary search per
 * lane of its job. */
void
loom_timeline_locate_selection (LoomTimeline *self)
{
  guint n_lanes = loom_timeline_model_get_n_lanes (self->model);

  self->view.selected_lane = -1;
  if (self->selected_job < 0)
    return;
  for (guint l = 0; l < n_lanes; l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (self->model, l);

      if (lane->job != (guint) self->selected_job)
        continue;
      for (guint pos = loom_timeline_model_lower_bound (lane, self->selected_start);
           pos < lane->n_bars && lane->bars[pos].start == self->selected_start; pos++)
        if (lane->bars[pos].index == self->selected_index)
          {
            self->view.selected_lane = l;
            self->view.selected_pos = pos;
            return;
          }
    }
}

void
loom_timeline_set_selection (LoomTimeline *self,
               gint          lane_n,
               guint         pos)
{
  g_autofree char *detail = NULL;

  if (lane_n >= 0)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (self->model, lane_n);

      self->selected_job = lane->job;
      self->selected_index = lane->bars[pos].index;
      self->view.selected_lane = lane_n;
      self->view.selected_pos = pos;
      self->selected_start = lane->bars[pos].start;
      detail = loom_timeline_describe_bar (self, lane_n, pos, TRUE);
    }
  else
    {
      self->selected_job = -1;
      self->view.selected_lane = -1;
    }

  /* What a screen reader reads: the selected task's details. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  detail ? detail : _("No task selected. Click a bar or press Shift and an arrow key."),
                                  -1);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * loom_timeline_select_at:
 * @self: a #LoomTimeline
 * @x: widget coordinate
 * @y: widget coordinate
 *
 * Selects the task drawn at (@x, @y), or nothing.
 *
 * Returns: whether a task is there
 */
gboolean
loom_timeline_select_at (LoomTimeline *self,
                         double        x,
                         double        y)
{
  guint lane, pos;

  g_return_val_if_fail (LOOM_IS_TIMELINE (self), FALSE);

  loom_timeline_update_view (self);
  if (loom_timeline_view_hit (&self->view, self->model, x, y, &lane, &pos))
    {
      loom_timeline_set_selection (self, lane, pos);
      return TRUE;
    }
  loom_timeline_set_selection (self, -1, 0);
  return FALSE;
}

/**
 * loom_timeline_get_selected:
 * @self: a #LoomTimeline
 * @job: (out) (optional): the selected task's job slot
 * @index: (out) (optional): its index
 *
 * Returns: whether a task is selected
 */
gboolean
loom_timeline_get_selected (LoomTimeline *self,
                            guint        *job,
                            guint        *index)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), FALSE);

  if (self->selected_job < 0)
    return FALSE;
  if (job)
    *job = self->selected_job;
  if (index)
    *index = self->selected_index;
  return TRUE;
}

/**
 * loom_timeline_select_range:
 * @self: a #LoomTimeline
 * @from: µs since the jobs' zero
 * @to: µs since the jobs' zero; @from == @to clears the range
 */
void
loom_timeline_select_range (LoomTimeline *self,
                            gint64        from,
                            gint64        to)
{
  g_return_if_fail (LOOM_IS_TIMELINE (self));

  self->view.has_range = from != to;
  self->view.range_from = MIN (from, to);
  self->view.range_to = MAX (from, to);
  g_signal_emit (self, signals[RANGE_CHANGED], 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * loom_timeline_get_ticking:
 * @self: a #LoomTimeline
 *
 * Returns: whether the frame clock drives the widget (only while tasks run)
 */
gboolean
loom_timeline_get_ticking (LoomTimeline *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), FALSE);
  return self->tick_id != 0;
}

/* --- drawing --------------------------------------------------------------- */

static gboolean
same_static_view (const LoomTimelineView *a,
                  const LoomTimelineView *b)
{
  return a->width == b->width && a->height == b->height && a->t_left == b->t_left &&
         a->us_per_px == b->us_per_px && a->scroll_y == b->scroll_y &&
         a->lane_height == b->lane_height && gdk_rgba_equal (&a->fg, &b->fg);
}

static void
loom_timeline_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  LoomTimeline *self = LOOM_TIMELINE (widget);
  guint64 generation = loom_timeline_model_get_generation (self->model);
  LoomTimelineDrawStats live = { 0 };

  loom_timeline_update_view (self);
  loom_timeline_locate_selection (self);

  if (self->cache == NULL || self->cache_generation != generation ||
      !same_static_view (&self->cache_view, &self->view))
    {
      GtkSnapshot *inner = gtk_snapshot_new ();

      loom_timeline_draw_static (self->model, &self->view, inner, &self->stats);
      g_clear_pointer (&self->cache, gsk_render_node_unref);
      self->cache = gtk_snapshot_free_to_node (inner);
      self->cache_generation = generation;
      self->cache_view = self->view;
    }

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, self->view.width, self->view.height));
  if (self->cache)
    gtk_snapshot_append_node (snapshot, self->cache);
  loom_timeline_draw_live (self->model, &self->view, snapshot, &live);
  self->stats.n_running = live.n_running;
  gtk_snapshot_pop (snapshot);

  if (loom_timeline_model_get_n_jobs (self->model) == 0)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, _("Run a sweep to see its tasks here."));
      GdkRGBA dim = self->view.fg;
      int w, h;

      dim.alpha = 0.55;
      pango_layout_get_pixel_size (layout, &w, &h);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((self->view.width - w) / 2.0, (self->view.height - h) / 2.0));
      gtk_snapshot_append_layout (snapshot, layout, &dim);
      gtk_snapshot_restore (snapshot);
    }
}

static void
loom_timeline_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  LoomTimeline *self = LOOM_TIMELINE (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = LOOM_TIMELINE_LABEL_WIDTH + 120;
      *natural = LOOM_TIMELINE_LABEL_WIDTH + 600;
    }
  else
    {
      LoomTimelineView view;
      double content;

      loom_timeline_view_init (&view, 800, 600);
      content = loom_timeline_view_lanes_top (&view, self->model) +
                loom_timeline_view_content_height (&view, self->model);
      *minimum = 140;
      *natural = (int) CLAMP (content + 4, 140, 520);
    }
}

/* --- GObject --------------------------------------------------------------- */

static void
loom_timeline_dispose (GObject *object)
{
  LoomTimeline *self = (LoomTimeline *) object;

  loom_timeline_clear (self);
  if (self->tick_id)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;

  G_OBJECT_CLASS (loom_timeline_parent_class)->dispose (object);
}

static void
loom_timeline_finalize (GObject *object)
{
  LoomTimeline *self = (LoomTimeline *) object;

  g_clear_pointer (&self->cache, gsk_render_node_unref);
  g_clear_pointer (&self->sources, g_ptr_array_unref);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (loom_timeline_parent_class)->finalize (object);
}

static void
loom_timeline_class_init (LoomTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = loom_timeline_dispose;
  object_class->finalize = loom_timeline_finalize;
  widget_class->snapshot = loom_timeline_snapshot;
  widget_class->measure = loom_timeline_measure;
  widget_class->query_tooltip = loom_timeline_query_tooltip;

  /**
   * LoomTimeline::selection-changed:
   * @self: a #LoomTimeline
   *
   * A task was selected, or the selection cleared.
   */
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * LoomTimeline::range-changed:
   * @self: a #LoomTimeline
   *
   * A time range was selected, or the range cleared.
   */
  signals[RANGE_CHANGED] =
    g_signal_new ("range-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  loom_timeline_class_init_input (widget_class);

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
loom_timeline_init (LoomTimeline *self)
{
  self->model = loom_timeline_model_new ();
  self->sources = g_ptr_array_new_with_free_func (job_source_free);
  self->auto_fit = TRUE;
  self->follow = TRUE;
  self->selected_job = -1;
  loom_timeline_view_init (&self->view, 1, 1);
  g_signal_connect_object (self->model, "changed", G_CALLBACK (on_model_changed), self, G_CONNECT_SWAPPED);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  loom_timeline_init_input (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Task timeline: one lane per engine, one bar per task"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("No task selected. Click a bar or press Shift and an arrow key."),
                                  -1);
}

GtkWidget *
loom_timeline_new (void)
{
  return g_object_new (LOOM_TYPE_TIMELINE, NULL);
}

/**
 * loom_timeline_clear:
 * @self: a #LoomTimeline
 *
 * Shows nothing.
 */
void
loom_timeline_clear (LoomTimeline *self)
{
  g_return_if_fail (LOOM_IS_TIMELINE (self));

  for (guint i = 0; self->sources && i < self->sources->len; i++)
    {
      JobSource *source = g_ptr_array_index (self->sources, i);
      if (source->result)
        {
          g_signal_handlers_disconnect_by_func (source->result, on_task_event, self);
          g_signal_handlers_disconnect_by_func (source->result, on_job_id, self);
        }
    }
  if (self->sources)
    g_ptr_array_set_size (self->sources, 0);
  if (self->model)
    loom_timeline_model_clear (self->model);
  self->selected_job = -1;
  self->view.selected_lane = -1;
  self->view.hover_lane = -1;
  self->view.has_range = FALSE;
  self->auto_fit = TRUE;
  self->follow = TRUE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/**
 * loom_timeline_add_result:
 * @self: a #LoomTimeline
 * @result: a job
 * @name: (nullable): its name
 * @mode: parallel or serial
 * @params: (nullable): its tasks' parameters, one JSON object per line
 * @submitted: when it was submitted (µs since the epoch), or 0 if not
 *   known; the controller's record of it wins once it arrives
 *
 * Shows one more job, stacked under the others on a shared zero, and
 * follows it as its tasks start and finish.
 *
 * Returns: the job's slot in the model
 */
guint
loom_timeline_add_result (LoomTimeline    *self,
                          LoomAsyncResult *result,
                          const char      *name,
                          LoomJobMode      mode,
                          GBytes          *params,
                          gint64           submitted)
{
  JobSource *source;
  guint n;

  g_return_val_if_fail (LOOM_IS_TIMELINE (self), 0);
  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (result), 0);

  source = g_new0 (JobSource, 1);
  source->result = g_object_ref (result);
  source->params = params ? g_bytes_ref (params) : NULL;
  source->slot = loom_timeline_model_add_job (self->model, loom_async_result_get_job_id (result), name, mode, submitted);
  g_ptr_array_add (self->sources, source);

  g_signal_connect_object (result, "task-started", G_CALLBACK (on_task_event), self, 0);
  g_signal_connect_object (result, "task-finished", G_CALLBACK (on_task_event), self, 0);
  g_signal_connect_object (result, "notify::job-id", G_CALLBACK (on_job_id), self, 0);

  /* What already happened. */
  n = loom_async_result_get_n_tasks (result);
  for (guint i = 0; i < n; i++)
    apply_task (self, source, i);

  gtk_widget_queue_resize (GTK_WIDGET (self));
  return source->slot;
}

/**
 * loom_timeline_set_result:
 * @self: a #LoomTimeline
 * @result: (nullable): the job to show
 *
 * Shows one job only.
 */
void
loom_timeline_set_result (LoomTimeline    *self,
                          LoomAsyncResult *result)
{
  g_return_if_fail (LOOM_IS_TIMELINE (self));

  loom_timeline_clear (self);
  if (result)
    loom_timeline_add_result (self, result, NULL, LOOM_JOB_PARALLEL, NULL, 0);
}

/**
 * loom_timeline_get_model:
 * @self: a #LoomTimeline
 *
 * Returns: (transfer none): what the timeline draws
 */
LoomTimelineModel *
loom_timeline_get_model (LoomTimeline *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), NULL);
  return self->model;
}

guint
loom_timeline_get_n_bars (LoomTimeline *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), 0);
  return loom_timeline_model_get_n_bars (self->model);
}

guint
loom_timeline_get_n_lanes (LoomTimeline *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), 0);
  return loom_timeline_model_get_n_lanes (self->model);
}

/**
 * loom_timeline_get_view:
 * @self: a #LoomTimeline
 *
 * Returns: (transfer none): the view as last drawn or changed
 */
const LoomTimelineView *
loom_timeline_get_view (LoomTimeline *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), NULL);
  loom_timeline_update_view (self);
  return &self->view;
}

/**
 * loom_timeline_get_draw_stats:
 * @self: a #LoomTimeline
 *
 * Returns: (transfer none): what the last frame drew
 */
const LoomTimelineDrawStats *
loom_timeline_get_draw_stats (LoomTimeline *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), NULL);
  return &self->stats;
}
