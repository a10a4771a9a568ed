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
 * Zoom with Ctrl+scroll, pinch or +/−; pan by dragging, scrolling or the
 * arrow keys; 0 fits everything and follows the newest time again.
 * Hovering a bar gives a tooltip; clicking selects it (Shift+arrows
 * select from the keyboard); dragging across the time axis (or with
 * Shift held) selects a range, whose statistics describe_range() gives.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n.h>

#include "loom-json-private.h"
#include "loom-timeline.h"

typedef struct
{
  LoomAsyncResult *result;
  GBytes          *params;
  guint            slot;
  gboolean         zero_known;
} JobSource;

struct _LoomTimeline
{
  GtkWidget              parent_instance;

  LoomTimelineModel     *model;
  GPtrArray             *sources;        /* JobSource, by slot */
  LoomTimelineView       view;
  LoomTimelineDrawStats  stats;
  gboolean               auto_fit;       /* zoom out as the data grows */
  gboolean               follow;         /* keep the newest time in view */
  gint64                 fitted_extent;  /* what auto-fit shows, µs */
  guint                  tick_id;

  GskRenderNode         *cache;
  guint64                cache_generation;
  LoomTimelineView       cache_view;

  /* Selection, by task, so it survives bars moving in their lane. */
  gint                   selected_job;   /* -1: none */
  guint                  selected_index;
  gint64                 selected_start;

  /* Interaction */
  double                 pointer_x;
  double                 drag_t_left;
  double                 drag_scroll_y;
  double                 zoom_us_per_px;
  gboolean               drag_range;
  gboolean               dragged;
};

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

static void
update_view (LoomTimeline *self)
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
static void
locate_selection (LoomTimeline *self)
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

static void
set_selection (LoomTimeline *self,
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

  update_view (self);
  locate_selection (self);

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

/* --- describing tasks and ranges ------------------------------------------- */

static char *
nth_line (GBytes *bytes,
          guint   n)
{
  gsize size;
  const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;
  const char *end, *line;

  if (data == NULL)
    return NULL;
  end = data + size;
  line = data;
  for (guint i = 0; i < n && line < end; i++)
    {
      const char *nl = memchr (line, '\n', end - line);
      line = nl ? nl + 1 : end;
    }
  if (line >= end)
    return NULL;
  {
    const char *nl = memchr (line, '\n', end - line);
    return g_strndup (line, (nl ? nl : end) - line);
  }
}

static const LoomTimelineBar *
bar_of (LoomTimeline *self,
        guint         job,
        guint         index,
        gint         *engine_id)
{
  const LoomTimelineBar *found = NULL;

  for (guint l = 0; l < loom_timeline_model_get_n_lanes (self->model); l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (self->model, l);

      if (lane->job != job)
        continue;
      for (guint pos = 0; pos < lane->n_bars; pos++)
        if (lane->bars[pos].index == index && (found == NULL || lane->bars[pos].start > found->start))
          {
            found = &lane->bars[pos];
            *engine_id = lane->engine_id;
          }
    }
  return found;
}

/* One attempt of a task (@bar, on @engine_id), or the task as a whole
 * when @bar is %NULL. */
static char *
describe (LoomTimeline          *self,
          guint                  job,
          guint                  index,
          const LoomTimelineBar *bar,
          gint                   engine_id,
          gboolean               full)
{
  const LoomTimelineJob *j;
  JobSource *source;
  g_autoptr(LoomTaskInfo) info = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *params = NULL;
  g_autofree char *start = NULL;
  g_autofree char *duration = NULL;
  const char *host;
  const char *status;

  j = loom_timeline_model_get_job (self->model, job);
  source = g_ptr_array_index (self->sources, job);
  if (source->result == NULL || index >= loom_async_result_get_n_tasks (source->result))
    return g_strdup (_("No such task"));
  info = loom_async_result_get_task_info (source->result, index);

  g_string_append_printf (text, _("Job %d (%s, %s) · task %u"), j->job_id, j->name ? j->name : "",
                          j->mode == LOOM_JOB_SERIAL ? _("serial") : _("parallel"), index);
  if ((params = nth_line (source->params, index)))
    g_string_append_printf (text, "\n%s %s", _("Parameters:"), params);

  if (engine_id < 0)
    engine_id = info->engine_id;
  host = engine_id >= 0 ? loom_timeline_model_get_engine_host (self->model, engine_id) : NULL;
  if (host)
    g_string_append_printf (text, "\n%s %d · %s", _("Engine"), engine_id, host);
  else if (engine_id >= 0)
    g_string_append_printf (text, "\n%s %d", _("Engine"), engine_id);

  if (bar)
    {
      gint64 end = bar->end == LOOM_TIMELINE_RUNNING ? g_get_real_time () - j->zero : bar->end;

      start = loom_timeline_format_time (bar->start / 1e6);
      duration = loom_timeline_format_time ((end - bar->start) / 1e6);
      g_string_append_printf (text, "\n%s +%s · %s %s%s", _("Start"), start, _("duration"), duration,
                              bar->end == LOOM_TIMELINE_RUNNING ? _(" so far") : "");
      status = bar->flags & LOOM_TIMELINE_BAR_RETRIED ? _("lost with its engine, retried")
             : loom_task_status_get_label (bar->status);
    }
  else
    status = loom_task_status_get_label (info->status);
  g_string_append_printf (text, "\n%s %s", _("Status:"), status);
  if (info->attempts > 1)
    g_string_append_printf (text, _(" (attempt %u)"), info->attempts);

  if (info->error_message)
    g_string_append_printf (text, "\n%s %s%s%s", _("Error:"), info->error_type ? info->error_type : "",
                            info->error_type ? ": " : "", info->error_message);
  else if (info->result)
    {
      g_autofree char *json = loom_json_to_string (info->result);
      g_string_append_printf (text, "\n%s %s", _("Result:"), json);
    }
  if (info->exit_status >= 0)
    g_string_append_printf (text, "\n%s %d", _("Exit status:"), info->exit_status);

  if (!full)
    {
      if (info->stdout_text && *info->stdout_text)
        {
          const char *nl = strchr (info->stdout_text, '\n');
          g_autofree char *first = g_strndup (info->stdout_text, nl ? (gsize) (nl - info->stdout_text) : strlen (info->stdout_text));
          g_string_append_printf (text, "\n%s %s", _("Stdout:"), first);
        }
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  g_string_append_printf (text, "\n%s %u", _("Attempts:"), info->attempts);
  if (info->submitted > 0)
    {
      static const char *names[] = { N_("Dispatched"), N_("Started"), N_("Completed"), N_("Received") };
      gint64 stamps[] = { info->dispatched, info->started, info->completed, info->received };

      for (guint i = 0; i < G_N_ELEMENTS (stamps); i++)
        if (stamps[i] > 0)
          g_string_append_printf (text, "\n%s: +%.6f s", _(names[i]), (stamps[i] - info->submitted) / 1e6);
    }
  g_string_append_printf (text, "\n\n%s\n%s", _("Standard output:"),
                          info->stdout_text && *info->stdout_text ? info->stdout_text : _("(none)"));
  g_string_append_printf (text, "\n\n%s\n%s", _("Standard error:"),
                          info->stderr_text && *info->stderr_text ? info->stderr_text : _("(none)"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * loom_timeline_describe_task:
 * @self: a #LoomTimeline
 * @job: a job slot
 * @index: a task of it
 * @full: everything (stdout, stderr, metadata), or a tooltip's worth
 *
 * Returns: (transfer full): the task, as text a person reads; its latest
 *   attempt when it ran more than once
 */
char *
loom_timeline_describe_task (LoomTimeline *self,
                             guint         job,
                             guint         index,
                             gboolean      full)
{
  const LoomTimelineBar *bar;
  gint engine_id = -1;

  g_return_val_if_fail (LOOM_IS_TIMELINE (self), NULL);
  g_return_val_if_fail (job < self->sources->len, NULL);

  bar = bar_of (self, job, index, &engine_id);
  return describe (self, job, index, bar, engine_id, full);
}

/**
 * loom_timeline_describe_bar:
 * @self: a #LoomTimeline
 * @lane: a lane
 * @position: a bar in it
 * @full: everything, or a tooltip's worth
 *
 * Returns: (transfer full) (nullable): the attempt that bar stands for
 */
char *
loom_timeline_describe_bar (LoomTimeline *self,
                            guint         lane,
                            guint         position,
                            gboolean      full)
{
  const LoomTimelineLane *l;

  g_return_val_if_fail (LOOM_IS_TIMELINE (self), NULL);

  if (lane >= loom_timeline_model_get_n_lanes (self->model))
    return NULL;
  l = loom_timeline_model_get_lane (self->model, lane);
  if (position >= l->n_bars || l->job >= self->sources->len)
    return NULL;
  return describe (self, l->job, l->bars[position].index, &l->bars[position], l->engine_id, full);
}

/**
 * loom_timeline_describe_selected:
 * @self: a #LoomTimeline
 *
 * Returns: (transfer full) (nullable): the selected attempt, in full
 */
char *
loom_timeline_describe_selected (LoomTimeline *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), NULL);

  locate_selection (self);
  if (self->view.selected_lane < 0)
    return NULL;
  return loom_timeline_describe_bar (self, self->view.selected_lane, self->view.selected_pos, TRUE);
}

/**
 * loom_timeline_describe_range:
 * @self: a #LoomTimeline
 *
 * Returns: (transfer full) (nullable): statistics of the selected range,
 *   or %NULL if none is selected
 */
char *
loom_timeline_describe_range (LoomTimeline *self)
{
  g_autoptr(GArray) utils = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *from = NULL, *to = NULL, *len = NULL, *idle = NULL;
  LoomTimelineStats stats;
  gint64 now = g_get_real_time ();
  guint l = 0;

  g_return_val_if_fail (LOOM_IS_TIMELINE (self), NULL);

  if (!self->view.has_range)
    return NULL;

  loom_timeline_model_get_stats (self->model, self->view.range_from, self->view.range_to, -1, now, &stats, utils);
  from = loom_timeline_format_time (stats.from / 1e6);
  to = loom_timeline_format_time (stats.to / 1e6);
  len = loom_timeline_format_time ((stats.to - stats.from) / 1e6);
  idle = loom_timeline_format_time (stats.idle / 1e6);
  g_string_append_printf (text, _("%s to %s (%s): %" PRIu64 " started, %" PRIu64 " finished, %.2f tasks/s · "
                                  "utilisation %.0f%% over %u lanes, idle %s"),
                          from, to, len, stats.started, stats.finished, stats.throughput,
                          100 * stats.utilisation, stats.n_lanes, idle);

  g_string_append_c (text, '\n');
  for (guint i = 0; i < loom_timeline_model_get_n_lanes (self->model) && l < utils->len; i++, l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (self->model, i);

      if (l > 0)
        g_string_append (text, ", ");
      if (l == 24)
        {
          g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "… %u more lane", "… %u more lanes", utils->len - l),
                                  utils->len - l);
          break;
        }
      g_string_append_printf (text, _("engine %d: %.0f%%"), lane->engine_id, 100 * g_array_index (utils, double, l));
    }

  /* Whole jobs inside the range: their Σ task time, speedup, efficiency. */
  for (guint j = 0; j < loom_timeline_model_get_n_jobs (self->model); j++)
    {
      const LoomTimelineJob *job = loom_timeline_model_get_job (self->model, j);
      LoomTimelineSummary s;
      g_autofree char *busy = NULL;

      if (job->n_bars == 0 || job->n_running > 0 ||
          MIN (self->view.range_from, self->view.range_to) > 0 ||
          MAX (self->view.range_from, self->view.range_to) < job->last_end)
        continue;
      loom_timeline_model_get_summary (self->model, j, &s);
      busy = loom_timeline_format_time (s.task_time);
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "\nJob %d, whole: Σ task time %s, speedup %.2f×, efficiency %.0f%% on %u engine",
                                                 "\nJob %d, whole: Σ task time %s, speedup %.2f×, efficiency %.0f%% on %u engines",
                                                 s.engines),
                              job->job_id, busy, s.speedup, 100 * s.efficiency, s.engines);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* --- interaction ----------------------------------------------------------- */

/**
 * loom_timeline_zoom:
 * @self: a #LoomTimeline
 * @factor: > 1 zooms in
 * @x: the widget x that stays put
 */
void
loom_timeline_zoom (LoomTimeline *self,
                    double        factor,
                    double        x)
{
  double t;

  g_return_if_fail (LOOM_IS_TIMELINE (self));
  g_return_if_fail (factor > 0);

  update_view (self);
  x = CLAMP (x, LOOM_TIMELINE_LABEL_WIDTH, LOOM_TIMELINE_LABEL_WIDTH + loom_timeline_view_plot_width (&self->view));
  t = loom_timeline_view_x_to_time (&self->view, x);
  self->auto_fit = FALSE;
  /* From a tenth of a microsecond per pixel to a week across the plot. */
  self->view.us_per_px = CLAMP (self->view.us_per_px / factor, 0.1, 6048e8 / loom_timeline_view_plot_width (&self->view));
  self->view.t_left = t - (x - LOOM_TIMELINE_LABEL_WIDTH) * self->view.us_per_px;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * loom_timeline_pan:
 * @self: a #LoomTimeline
 * @dx: pixels to move the view right (the content left)
 * @dy: pixels to scroll the lanes down
 *
 * Stops following the newest time.
 */
void
loom_timeline_pan (LoomTimeline *self,
                   double        dx,
                   double        dy)
{
  g_return_if_fail (LOOM_IS_TIMELINE (self));

  update_view (self);
  if (dx != 0)
    {
      self->auto_fit = FALSE;
      self->follow = FALSE;
      self->view.t_left += dx * self->view.us_per_px;
    }
  self->view.scroll_y += dy;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * loom_timeline_fit:
 * @self: a #LoomTimeline
 *
 * Shows everything, and follows the newest time again.
 */
void
loom_timeline_fit (LoomTimeline *self)
{
  g_return_if_fail (LOOM_IS_TIMELINE (self));

  self->auto_fit = TRUE;
  self->follow = TRUE;
  self->view.scroll_y = 0;
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

gboolean
loom_timeline_get_follow (LoomTimeline *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), FALSE);
  return self->follow;
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

  update_view (self);
  if (loom_timeline_view_hit (&self->view, self->model, x, y, &lane, &pos))
    {
      set_selection (self, lane, pos);
      return TRUE;
    }
  set_selection (self, -1, 0);
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

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           LoomTimeline             *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  double room, content;

  if (state & GDK_CONTROL_MASK)
    {
      loom_timeline_zoom (self, pow (1.2, -dy), self->pointer_x);
      return TRUE;
    }
  if (state & GDK_SHIFT_MASK)
    {
      loom_timeline_pan (self, (dx + dy) * 40, 0);
      return TRUE;
    }

  room = self->view.height - loom_timeline_view_lanes_top (&self->view, self->model);
  content = loom_timeline_view_content_height (&self->view, self->model);
  /* Lanes that fit need no vertical scrolling: the wheel pans time then. */
  if (content <= room)
    loom_timeline_pan (self, (dx + dy) * 40, 0);
  else
    loom_timeline_pan (self, dx * 40, dy * 40);
  return TRUE;
}

static void
on_zoom_begin (GtkGesture       *gesture,
               GdkEventSequence *sequence,
               LoomTimeline     *self)
{
  update_view (self);
  self->zoom_us_per_px = self->view.us_per_px;
}

static void
on_zoom_changed (GtkGestureZoom *gesture,
                 double          scale,
                 LoomTimeline   *self)
{
  double x, y;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    x = self->pointer_x;
  loom_timeline_zoom (self, self->view.us_per_px / (self->zoom_us_per_px / MAX (scale, 1e-3)), x);
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               LoomTimeline   *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  update_view (self);
  self->dragged = FALSE;
  self->drag_t_left = self->view.t_left;
  self->drag_scroll_y = self->view.scroll_y;
  self->drag_range = y < loom_timeline_view_lanes_top (&self->view, self->model) || (state & GDK_SHIFT_MASK);
  if (x < LOOM_TIMELINE_LABEL_WIDTH)
    self->drag_range = FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          ox,
                double          oy,
                LoomTimeline   *self)
{
  double x, y;

  if (!self->dragged && fabs (ox) < 3 && fabs (oy) < 3)
    return;
  self->dragged = TRUE;
  gtk_gesture_drag_get_start_point (gesture, &x, &y);

  if (self->drag_range)
    {
      double t0 = loom_timeline_view_x_to_time (&self->view, x);
      double t1 = loom_timeline_view_x_to_time (&self->view, x + ox);
      loom_timeline_select_range (self, (gint64) t0, (gint64) t1);
      return;
    }

  self->auto_fit = FALSE;
  if (fabs (ox) >= 3)
    self->follow = FALSE;
  self->view.t_left = self->drag_t_left - ox * self->view.us_per_px;
  self->view.scroll_y = self->drag_scroll_y - oy;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_click_released (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   LoomTimeline    *self)
{
  if (self->dragged)
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (y < loom_timeline_view_lanes_top (&self->view, self->model))
    {
      loom_timeline_select_range (self, 0, 0);
      return;
    }
  loom_timeline_select_at (self, x, y);
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           LoomTimeline             *self)
{
  guint lane, pos;
  gint hover_lane = -1;
  guint hover_pos = 0;

  self->pointer_x = x;
  if (loom_timeline_view_hit (&self->view, self->model, x, y, &lane, &pos))
    {
      hover_lane = lane;
      hover_pos = pos;
    }
  if (hover_lane != self->view.hover_lane || hover_pos != self->view.hover_pos)
    {
      self->view.hover_lane = hover_lane;
      self->view.hover_pos = hover_pos;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_leave (GtkEventControllerMotion *controller,
          LoomTimeline             *self)
{
  if (self->view.hover_lane >= 0)
    {
      self->view.hover_lane = -1;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static gboolean
loom_timeline_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard,
                             GtkTooltip *tooltip)
{
  LoomTimeline *self = LOOM_TIMELINE (widget);
  g_autofree char *text = NULL;
  guint lane, pos;

  if (keyboard)
    {
      locate_selection (self);
      if (self->view.selected_lane < 0)
        return FALSE;
      text = loom_timeline_describe_bar (self, self->view.selected_lane, self->view.selected_pos, FALSE);
    }
  else
    {
      if (!loom_timeline_view_hit (&self->view, self->model, x, y, &lane, &pos))
        return FALSE;
      text = loom_timeline_describe_bar (self, lane, pos, FALSE);
    }
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* Keyboard: the next or previous task in the selected lane, or the nearest
 * in time in the lane above or below. */
static void
select_step (LoomTimeline *self,
             int           dx,
             int           dy)
{
  guint n_lanes = loom_timeline_model_get_n_lanes (self->model);
  const LoomTimelineLane *lane;
  gint lane_n;
  gint64 t;

  update_view (self);
  locate_selection (self);
  if (n_lanes == 0)
    return;

  if (self->view.selected_lane < 0)
    {
      /* Start with the first bar in view. */
      t = (gint64) self->view.t_left;
      for (guint l = 0; l < n_lanes; l++)
        {
          lane = loom_timeline_model_get_lane (self->model, l);
          for (guint pos = 0; pos < lane->n_bars; pos++)
            if (lane->bars[pos].end >= t)
              {
                set_selection (self, l, pos);
                return;
              }
        }
      return;
    }

  lane_n = self->view.selected_lane;
  lane = loom_timeline_model_get_lane (self->model, lane_n);
  if (dx != 0)
    {
      gint pos = (gint) self->view.selected_pos + dx;
      if (pos >= 0 && (guint) pos < lane->n_bars)
        set_selection (self, lane_n, pos);
    }
  else
    {
      gint next = lane_n + dy;
      const LoomTimelineLane *other;
      guint pos;

      t = lane->bars[self->view.selected_pos].start;
      for (; next >= 0 && (guint) next < n_lanes; next += dy)
        {
          other = loom_timeline_model_get_lane (self->model, next);
          if (other->n_bars == 0)
            continue;
          pos = MIN (loom_timeline_model_lower_bound (other, t), other->n_bars - 1);
          if (pos > 0 && t - other->bars[pos - 1].start < other->bars[pos].start - t)
            pos--;
          set_selection (self, next, pos);
          break;
        }
    }

  /* Keep the selection in view. */
  {
    const LoomTimelineLane *sel = loom_timeline_model_get_lane (self->model, self->view.selected_lane);
    const LoomTimelineBar *bar = &sel->bars[self->view.selected_pos];
    double x = loom_timeline_view_time_to_x (&self->view, bar->start);
    double plot_w = loom_timeline_view_plot_width (&self->view);
    graphene_rect_t rect;

    if (x < LOOM_TIMELINE_LABEL_WIDTH || x > LOOM_TIMELINE_LABEL_WIDTH + plot_w)
      loom_timeline_pan (self, x - LOOM_TIMELINE_LABEL_WIDTH - plot_w / 2, 0);
    if (loom_timeline_view_lane_rect (&self->view, self->model, self->view.selected_lane, &rect))
      {
        double top = loom_timeline_view_lanes_top (&self->view, self->model);
        if (rect.origin.y < top)
          loom_timeline_pan (self, 0, rect.origin.y - top);
        else if (rect.origin.y + rect.size.height > self->view.height)
          loom_timeline_pan (self, 0, rect.origin.y + rect.size.height - self->view.height);
      }
  }
}

static void
timeline_action (GtkWidget  *widget,
                 const char *action,
                 GVariant   *parameter)
{
  LoomTimeline *self = LOOM_TIMELINE (widget);
  double plot_w, center;

  update_view (self);
  plot_w = loom_timeline_view_plot_width (&self->view);
  center = LOOM_TIMELINE_LABEL_WIDTH + plot_w / 2;

  if (g_str_equal (action, "timeline.zoom-in"))
    loom_timeline_zoom (self, 1.5, center);
  else if (g_str_equal (action, "timeline.zoom-out"))
    loom_timeline_zoom (self, 1 / 1.5, center);
  else if (g_str_equal (action, "timeline.fit"))
    loom_timeline_fit (self);
  else if (g_str_equal (action, "timeline.pan"))
    {
      int dx, dy;
      g_variant_get (parameter, "(ii)", &dx, &dy);
      loom_timeline_pan (self, dx * plot_w / 10, dy * (self->view.lane_height + 2) * 3);
    }
  else if (g_str_equal (action, "timeline.select-step"))
    {
      int dx, dy;
      g_variant_get (parameter, "(ii)", &dx, &dy);
      select_step (self, dx, dy);
    }
  else if (g_str_equal (action, "timeline.select-visible-range"))
    loom_timeline_select_range (self, (gint64) self->view.t_left,
                                (gint64) loom_timeline_view_x_to_time (&self->view, LOOM_TIMELINE_LABEL_WIDTH + plot_w));
  else if (g_str_equal (action, "timeline.clear"))
    {
      loom_timeline_select_range (self, 0, 0);
      set_selection (self, -1, 0);
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
add_binding (GtkWidgetClass  *widget_class,
             guint            key,
             GdkModifierType  mods,
             const char      *action,
             const char      *format,
             int              a,
             int              b)
{
  if (format)
    gtk_widget_class_add_binding_action (widget_class, key, mods, action, format, a, b);
  else
    gtk_widget_class_add_binding_action (widget_class, key, mods, action, NULL);
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

  gtk_widget_class_install_action (widget_class, "timeline.zoom-in", NULL, timeline_action);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-out", NULL, timeline_action);
  gtk_widget_class_install_action (widget_class, "timeline.fit", NULL, timeline_action);
  gtk_widget_class_install_action (widget_class, "timeline.pan", "(ii)", timeline_action);
  gtk_widget_class_install_action (widget_class, "timeline.select-step", "(ii)", timeline_action);
  gtk_widget_class_install_action (widget_class, "timeline.select-visible-range", NULL, timeline_action);
  gtk_widget_class_install_action (widget_class, "timeline.clear", NULL, timeline_action);

  add_binding (widget_class, GDK_KEY_plus, 0, "timeline.zoom-in", NULL, 0, 0);
  add_binding (widget_class, GDK_KEY_equal, 0, "timeline.zoom-in", NULL, 0, 0);
  add_binding (widget_class, GDK_KEY_KP_Add, 0, "timeline.zoom-in", NULL, 0, 0);
  add_binding (widget_class, GDK_KEY_minus, 0, "timeline.zoom-out", NULL, 0, 0);
  add_binding (widget_class, GDK_KEY_KP_Subtract, 0, "timeline.zoom-out", NULL, 0, 0);
  add_binding (widget_class, GDK_KEY_0, 0, "timeline.fit", NULL, 0, 0);
  add_binding (widget_class, GDK_KEY_KP_0, 0, "timeline.fit", NULL, 0, 0);
  add_binding (widget_class, GDK_KEY_Left, 0, "timeline.pan", "(ii)", -1, 0);
  add_binding (widget_class, GDK_KEY_Right, 0, "timeline.pan", "(ii)", 1, 0);
  add_binding (widget_class, GDK_KEY_Up, 0, "timeline.pan", "(ii)", 0, -1);
  add_binding (widget_class, GDK_KEY_Down, 0, "timeline.pan", "(ii)", 0, 1);
  add_binding (widget_class, GDK_KEY_Left, GDK_SHIFT_MASK, "timeline.select-step", "(ii)", -1, 0);
  add_binding (widget_class, GDK_KEY_Right, GDK_SHIFT_MASK, "timeline.select-step", "(ii)", 1, 0);
  add_binding (widget_class, GDK_KEY_Up, GDK_SHIFT_MASK, "timeline.select-step", "(ii)", 0, -1);
  add_binding (widget_class, GDK_KEY_Down, GDK_SHIFT_MASK, "timeline.select-step", "(ii)", 0, 1);
  add_binding (widget_class, GDK_KEY_r, 0, "timeline.select-visible-range", NULL, 0, 0);
  add_binding (widget_class, GDK_KEY_Escape, 0, "timeline.clear", NULL, 0, 0);

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
loom_timeline_init (LoomTimeline *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

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

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (on_zoom_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

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
  update_view (self);
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
