/* loom-timeline-input.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The timeline's interaction: zoom with Ctrl+scroll, pinch or +/−; pan by
 * dragging, scrolling or the arrow keys; 0 fits everything and follows
 * the newest time again.  Hovering a bar marks it; clicking selects it
 * (Shift+arrows select from the keyboard); dragging across the time axis
 * (or with Shift held) selects a range.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>

#include "loom-timeline-private.h"

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

  loom_timeline_update_view (self);
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

  loom_timeline_update_view (self);
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

gboolean
loom_timeline_get_follow (LoomTimeline *self)
{
  g_return_val_if_fail (LOOM_IS_TIMELINE (self), FALSE);
  return self->follow;
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
  loom_timeline_update_view (self);
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

  loom_timeline_update_view (self);
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

  loom_timeline_update_view (self);
  loom_timeline_locate_selection (self);
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
                loom_timeline_set_selection (self, l, pos);
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
        loom_timeline_set_selection (self, lane_n, pos);
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
          loom_timeline_set_selection (self, next, pos);
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

  loom_timeline_update_view (self);
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
      loom_timeline_set_selection (self, -1, 0);
    }
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

void
loom_timeline_class_init_input (GtkWidgetClass *widget_class)
{
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
}

void
loom_timeline_init_input (LoomTimeline *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

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
}
