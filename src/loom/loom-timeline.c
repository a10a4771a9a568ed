/* loom-timeline.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A job's tasks in time: one labelled lane per engine, one bar per task
 * from its start to its end, running tasks growing to "now" while the
 * frame clock ticks (and no ticks once nothing runs), failed tasks in the
 * error colour with a mark.  The first version; issue 6 makes it deep
 * and fast (culling, merging, caching, zoom and pan).
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "loom-timeline.h"

#define LANE_HEIGHT  22
#define LANE_GAP     4
#define LABEL_WIDTH  76
#define AXIS_HEIGHT  18

typedef struct
{
  gint64 start;
  gint64 end;       /* 0 while running */
  gint   lane;
  guint8 status;
} Bar;

struct _LoomTimeline
{
  GtkWidget        parent_instance;

  LoomAsyncResult *result;
  GArray          *bars;      /* Bar */
  GArray          *lanes;     /* gint engine id, by lane */
  gint64           t0;
  gint64           t1;
  guint            tick_id;
};

G_DEFINE_FINAL_TYPE (LoomTimeline, loom_timeline, GTK_TYPE_WIDGET)

static gint
lane_of (LoomTimeline *self,
         gint          engine)
{
  for (guint i = 0; i < self->lanes->len; i++)
    if (g_array_index (self->lanes, gint, i) == engine)
      return i;
  g_array_append_val (self->lanes, engine);
  return self->lanes->len - 1;
}

static gboolean
reload (LoomTimeline *self)
{
  gboolean running = FALSE;
  guint n;

  g_array_set_size (self->bars, 0);
  self->t0 = G_MAXINT64;
  self->t1 = 0;
  if (self->result == NULL)
    return FALSE;

  n = loom_async_result_get_n_tasks (self->result);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (self->result, i);
      Bar bar;

      if (info->submitted > 0)
        self->t0 = MIN (self->t0, info->submitted);
      if (info->started <= 0 || info->engine_id < 0)
        continue;
      bar.start = info->started;
      bar.end = loom_task_status_is_final (info->status) ? MAX (info->completed, info->started) : 0;
      bar.lane = lane_of (self, info->engine_id);
      bar.status = info->status;
      running |= bar.end == 0;
      self->t0 = MIN (self->t0, bar.start);
      self->t1 = MAX (self->t1, bar.end ? bar.end : g_get_real_time ());
      g_array_append_val (self->bars, bar);
    }
  if (self->t0 == G_MAXINT64)
    self->t0 = g_get_real_time ();
  self->t1 = MAX (self->t1, self->t0 + 1000);
  return running;
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  LoomTimeline *self = LOOM_TIMELINE (widget);

  if (!reload (self) && self->result && loom_async_result_ready (self->result))
    {
      self->tick_id = 0;
      gtk_widget_queue_draw (widget);
      return G_SOURCE_REMOVE;
    }
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static void
ensure_ticking (LoomTimeline *self)
{
  if (self->tick_id == 0 && self->result && !loom_async_result_ready (self->result))
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
}

static void
on_result_changed (LoomTimeline *self)
{
  reload (self);
  ensure_ticking (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static char *
time_label (double seconds)
{
  if (seconds >= 3600)
    return g_strdup_printf ("%.1f h", seconds / 3600);
  if (seconds >= 60)
    return g_strdup_printf ("%.1f min", seconds / 60);
  if (seconds >= 1)
    return g_strdup_printf ("%.2f s", seconds);
  if (seconds >= 1e-3)
    return g_strdup_printf ("%.1f ms", seconds * 1e3);
  return g_strdup_printf ("%.0f µs", seconds * 1e6);
}

static void
append_text (LoomTimeline *self,
             GtkSnapshot  *snapshot,
             const char   *text,
             float         x,
             float         y,
             const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
loom_timeline_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  LoomTimeline *self = LOOM_TIMELINE (widget);
  int width = gtk_widget_get_width (widget);
  float plot = MAX (1, width - LABEL_WIDTH - 8);
  double span = (double) (self->t1 - self->t0);
  gint64 now = g_get_real_time ();
  GdkRGBA fg, bar_color = { 0.21, 0.52, 0.89, 1 }, fail_color = { 0.88, 0.11, 0.14, 1 };
  GdkRGBA lane_color, dim;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  lane_color = fg;
  lane_color.alpha = 0.06;
  dim = fg;
  dim.alpha = 0.6;

  for (guint l = 0; l < self->lanes->len; l++)
    {
      g_autofree char *label = g_strdup_printf (_("engine %d"), g_array_index (self->lanes, gint, l));
      float y = AXIS_HEIGHT + l * (LANE_HEIGHT + LANE_GAP);

      gtk_snapshot_append_color (snapshot, &lane_color,
                                 &GRAPHENE_RECT_INIT (LABEL_WIDTH, y, plot, LANE_HEIGHT));
      append_text (self, snapshot, label, 4, y + 3, &dim);
    }

  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);
      gint64 end = bar->end ? bar->end : now;
      float x0 = LABEL_WIDTH + (bar->start - self->t0) / span * plot;
      float x1 = LABEL_WIDTH + (end - self->t0) / span * plot;
      float y = AXIS_HEIGHT + bar->lane * (LANE_HEIGHT + LANE_GAP) + 2;
      gboolean failed = bar->end && bar->status != LOOM_TASK_DONE;
      GdkRGBA color = failed ? fail_color : bar_color;

      if (bar->end == 0)
        color.alpha = 0.55;   /* running: growing, lighter */
      /* Whole pixels, at least one wide. */
      x0 = floorf (x0);
      x1 = MAX (x0 + 1, floorf (x1));
      gtk_snapshot_append_color (snapshot, &color,
                                 &GRAPHENE_RECT_INIT (x0, y, MAX (1, x1 - x0 - 1), LANE_HEIGHT - 4));
      if (failed && x1 - x0 > 10)
        append_text (self, snapshot, "✕", x0 + 2, y, &(GdkRGBA) { 1, 1, 1, 1 });
    }

  /* The time axis: zero at the job's first submission, and its length. */
  {
    g_autofree char *end_label = time_label (span / 1e6);
    append_text (self, snapshot, "0", LABEL_WIDTH, 0, &dim);
    append_text (self, snapshot, end_label, LABEL_WIDTH + plot - 48, 0, &dim);
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
    *minimum = *natural = LABEL_WIDTH + 100;
  else
    *minimum = *natural = AXIS_HEIGHT + MAX (1, self->lanes->len) * (LANE_HEIGHT + LANE_GAP);
}

static void
loom_timeline_dispose (GObject *object)
{
  LoomTimeline *self = (LoomTimeline *) object;

  loom_timeline_set_result (self, NULL);

  G_OBJECT_CLASS (loom_timeline_parent_class)->dispose (object);
}

static void
loom_timeline_finalize (GObject *object)
{
  LoomTimeline *self = (LoomTimeline *) object;

  g_clear_pointer (&self->bars, g_array_unref);
  g_clear_pointer (&self->lanes, g_array_unref);

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

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
loom_timeline_init (LoomTimeline *self)
{
  self->bars = g_array_new (FALSE, FALSE, sizeof (Bar));
  self->lanes = g_array_new (FALSE, FALSE, sizeof (gint));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Timeline of the job's tasks, one lane per engine"), -1);
}

GtkWidget *
loom_timeline_new (void)
{
  return g_object_new (LOOM_TYPE_TIMELINE, NULL);
}

/**
 * loom_timeline_set_result:
 * @self: a #LoomTimeline
 * @result: (nullable): the job to show
 */
void
loom_timeline_set_result (LoomTimeline    *self,
                          LoomAsyncResult *result)
{
  g_return_if_fail (LOOM_IS_TIMELINE (self));

  if (self->result)
    g_signal_handlers_disconnect_by_func (self->result, on_result_changed, self);
  if (self->tick_id)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  g_set_object (&self->result, result);
  g_array_set_size (self->lanes, 0);

  if (result)
    {
      g_signal_connect_object (result, "notify::progress", G_CALLBACK (on_result_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (result, "finished", G_CALLBACK (on_result_changed), self, G_CONNECT_SWAPPED);
    }
  on_result_changed (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
loom_timeline_get_n_bars (LoomTimeline *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), 0);
  return self->bars->len;
}

guint
loom_timeline_get_n_lanes (LoomTimeline *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), 0);
  return self->lanes->len;
}
