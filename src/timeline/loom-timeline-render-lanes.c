/* loom-timeline-render-lanes.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A lane's bars.  A dense lane (bars narrower than a few pixels on
 * average) becomes one row of pixels shaded by how busy each column is;
 * otherwise bars that fall into the pixels a run already covers merge into
 * it, the run skipping over them by binary search on starts.  Marked bars
 * (failed, lost, retried, aborted, timeout) are drawn on top, striped, so merging
 * never hides them.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>
#include <string.h>

#include "loom-timeline-render-private.h"

static void
append_stripes (GtkSnapshot           *snapshot,
                const graphene_rect_t *rect,
                const GdkRGBA         *color)
{
  GdkRGBA light = *color;
  GskColorStop stops[4];

  light.red = 0.5 + light.red / 2;
  light.green = 0.5 + light.green / 2;
  light.blue = 0.5 + light.blue / 2;
  stops[0] = (GskColorStop) { 0.0, *color };
  stops[1] = (GskColorStop) { 0.5, *color };
  stops[2] = (GskColorStop) { 0.5, light };
  stops[3] = (GskColorStop) { 1.0, light };
  gtk_snapshot_append_repeating_linear_gradient (snapshot, rect,
                                                 &GRAPHENE_POINT_INIT (rect->origin.x, rect->origin.y),
                                                 &GRAPHENE_POINT_INIT (rect->origin.x + 4, rect->origin.y + 4),
                                                 stops, G_N_ELEMENTS (stops));
}

static GdkRGBA
mark_color (const LoomTimelineBar *bar)
{
  if (bar->flags & LOOM_TIMELINE_BAR_RETRIED || bar->status == LOOM_TASK_LOST)
    return (GdkRGBA) { 1.0, 0.47, 0.0, 1 };      /* orange */
  if (bar->status == LOOM_TASK_ABORTED)
    return (GdkRGBA) { 0.47, 0.46, 0.48, 1 };    /* grey */
  if (bar->status == LOOM_TASK_TIMEOUT)
    return (GdkRGBA) { 0.57, 0.25, 0.67, 1 };    /* purple */
  return (GdkRGBA) { 0.88, 0.11, 0.14, 1 };      /* red */
}

/* Premultiplied ARGB, as Cairo and GDK_MEMORY_DEFAULT lay it out. */
static guint32
argb (const GdkRGBA *c,
      double         alpha)
{
  double a = c->alpha * alpha;

  return ((guint32) (a * 255 + 0.5) << 24) |
         ((guint32) (c->red * a * 255 + 0.5) << 16) |
         ((guint32) (c->green * a * 255 + 0.5) << 8) |
         (guint32) (c->blue * a * 255 + 0.5);
}

/* A dense lane — bars narrower than a few pixels on average — becomes one
 * row of pixels: each column shaded by how much of it tasks cover, marked
 * columns in the mark's colour.  One linear pass over the visible bars,
 * one texture node, whatever the count; the row is as wide as the plot,
 * so nothing is scaled sideways. */
static void
draw_lane_pixels (const LoomTimelineView *view,
                  const LoomTimelineLane *lane,
                  guint                   first,
                  guint                   limit,
                  double                  y,
                  const GdkRGBA          *color,
                  GtkSnapshot            *snapshot,
                  LoomTimelineDrawStats  *stats)
{
  int width = (int) timeline_plot_width (view);
  g_autofree float *cover = g_new0 (float, width);
  g_autofree guint8 *marks = g_new0 (guint8, width);
  g_autofree guint32 *pixels = g_new0 (guint32, width);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  double scale = 1.0 / view->us_per_px;
  double left = view->t_left;
  GdkRGBA kinds[5];
  guint32 shades[17];

  if (lane->lod_busy != NULL && view->us_per_px >= lane->lod_bin_us)
    {
      /* Zoomed out past the level of detail: a pixel spans at least one
       * bin, so read the bins, not the bars (busy time assumed even
       * within a bin: a task may shade the pixel next to its own). */
      double bin = lane->lod_bin_us;

      for (int i = 0; i < width; i++)
        {
          double ta = left + i * view->us_per_px;
          double tb = ta + view->us_per_px;
          gint64 b0 = (gint64) floor (MAX (0, ta) / bin);
          gint64 b1 = (gint64) floor (MAX (0, tb) / bin);
          double busy = 0;

          if (tb <= 0)
            continue;
          for (gint64 b = b0; b <= b1 && b < lane->lod_n_bins; b++)
            {
              double lo = MAX (ta, b * bin), hi = MIN (tb, (b + 1) * bin);

              if (hi <= lo)
                continue;
              busy += lane->lod_busy[b] * (hi - lo) / bin;
              marks[i] = MAX (marks[i], lane->lod_mark[b]);
            }
          cover[i] = (float) (busy / view->us_per_px);
        }
    }
  else for (guint pos = first; pos < limit; pos++)
    {
      const LoomTimelineBar *bar = &lane->bars[pos];
      double x0 = (bar->start - left) * scale;
      double x1 = (bar->end - left) * scale;
      guint8 kind = 0;
      int a, b;

      if (x1 - x0 >= 3)
        x1 -= 1;   /* a gap of a pixel between bars wide enough to show it */
      x0 = MAX (x0, 0);
      x1 = MIN (x1, width);
      if (x1 <= x0)
        x1 = x0 + 1e-3;
      if (G_UNLIKELY (bar->status != LOOM_TASK_DONE || bar->flags))
        kind = loom_timeline_bar_mark_kind (bar);

      a = (int) x0;
      if (a >= width)
        continue;
      b = MIN ((int) x1, width - 1);   /* a bar reaching the right edge fills to it */
      if (a == b)
        cover[a] += (float) (MIN (x1, a + 1) - x0);
      else
        {
          cover[a] += (float) (a + 1 - x0);
          for (int i = a + 1; i < b; i++)
            cover[i] = 1;
          cover[b] += (float) (MIN (x1, b + 1) - b);
        }
      if (kind)
        for (int i = a; i <= b; i++)
          marks[i] = MAX (marks[i], kind);
    }

  kinds[1] = (GdkRGBA) { 0.88, 0.11, 0.14, 1 };
  kinds[2] = (GdkRGBA) { 1.0, 0.47, 0.0, 1 };
  kinds[3] = (GdkRGBA) { 0.47, 0.46, 0.48, 1 };
  kinds[4] = (GdkRGBA) { 0.57, 0.25, 0.67, 1 };
  /* Any task in a column shows; a full column is solid. */
  for (guint i = 0; i < G_N_ELEMENTS (shades); i++)
    shades[i] = argb (color, i == 0 ? 0 : 0.35 + 0.65 * i / 16.0);
  for (int i = 0; i < width; i++)
    {
      if (marks[i])
        {
          pixels[i] = argb (&kinds[marks[i]], 1);
          stats->n_mark_pixels++;
        }
      else
        pixels[i] = shades[(int) (MIN (cover[i], 1.0f) * 16 + 0.999f)];
    }

  bytes = g_bytes_new_take (g_steal_pointer (&pixels), width * sizeof (guint32));
  texture = gdk_memory_texture_new (width, 1, GDK_MEMORY_DEFAULT, bytes, width * sizeof (guint32));
  gtk_snapshot_append_texture (snapshot, texture,
                               &GRAPHENE_RECT_INIT (LOOM_TIMELINE_LABEL_WIDTH, y, width, view->lane_height));
  stats->n_textures++;
  stats->n_covered += limit - first;
}

void
timeline_draw_lane_bars (const LoomTimelineView *view,
                         const LoomTimelineLane *lane,
                         double                  y,
                         const GdkRGBA          *color,
                         GtkSnapshot            *snapshot,
                         LoomTimelineDrawStats  *stats)
{
  double t_right = timeline_x_to_time (view, LOOM_TIMELINE_LABEL_WIDTH + timeline_plot_width (view) + 1);
  double h = view->lane_height;
  guint n_finished = lane->n_bars - lane->n_running;
  guint pos = loom_timeline_model_first_ending_after (lane, (gint64) floor (view->t_left));
  guint limit = MIN (n_finished, loom_timeline_model_lower_bound (lane, (gint64) ceil (t_right)));
  double run0 = 0, run1 = 0;
  guint run_count = 0, run_first = 0;
  gboolean have = FALSE;

  /* For the tests: the finished bars in view, counted one by one. */
  stats->n_visible += limit > pos ? limit - pos : 0;

  if (limit > pos && (limit - pos) * 16.0 > timeline_plot_width (view))
    {
      draw_lane_pixels (view, lane, pos, limit, y, color, snapshot, stats);
      return;
    }

#define EMIT_RUN()                                                                      \
  G_STMT_START {                                                                        \
    gboolean single = run_count == 1 && run1 - run0 >= 4;                               \
    gtk_snapshot_append_color (snapshot, color,                                         \
                               &GRAPHENE_RECT_INIT (run0, y, run1 - run0 - (single ? 1 : 0), h)); \
    stats->n_rects++;                                                                   \
    stats->n_covered += run_count;                                                      \
    if (single && stats->n_labels < MAX_LABELS && h >= 12)                              \
      {                                                                                 \
        char label[16];                                                                 \
        g_snprintf (label, sizeof label, "%u", lane->bars[run_first].index);            \
        if (run1 - run0 >= 8 * strlen (label) + 6 &&                                    \
            timeline_draw_text (view, snapshot, label, run0 + 3, y, run1 - run0 - 5, h, \
                                &(GdkRGBA) { 1, 1, 1, 0.9 }, FALSE))                    \
          stats->n_labels++;                                                            \
      }                                                                                 \
  } G_STMT_END

  for (; pos < limit; pos++)
    {
      const LoomTimelineBar *bar = &lane->bars[pos];
      double x0, x1;
      guint k;

      timeline_bar_span (view, bar->start, bar->end, &x0, &x1);

      /* Tiny bars merge with what they touch; wide ones only with what
       * they overlap, so separate tasks stay separate up close. */
      if (have && (x0 < run1 || (x0 == run1 && (x1 - x0 < 3 || run1 - run0 < 3))))
        {
          run1 = MAX (run1, x1);
          run_count++;
        }
      else
        {
          if (have)
            EMIT_RUN ();
          run0 = x0;
          run1 = x1;
          run_count = 1;
          run_first = pos;
          have = TRUE;
        }

      /* Skip what starts inside the run's pixels: all of it ends before
       * the last such bar starts, so only that one can extend the run. */
      k = loom_timeline_model_lower_bound (lane, (gint64) ceil (timeline_x_to_time (view, run1)));
      k = MIN (k, limit);
      if (k > pos + 1)
        {
          const LoomTimelineBar *last = &lane->bars[k - 1];

          timeline_bar_span (view, last->start, last->end, &x0, &x1);
          run1 = MAX (run1, x1);
          run_count += k - 1 - pos;
          pos = k - 1;
        }
    }
  if (have)
    EMIT_RUN ();
#undef EMIT_RUN

  /* Marked bars on top, merged only with marks of the same kind. */
  {
    guint lo = 0, hi = lane->n_marked;
    guint first = loom_timeline_model_first_ending_after (lane, (gint64) floor (view->t_left));
    GdkRGBA mark_run_color = { 0 };

    while (lo < hi)
      {
        guint mid = lo + (hi - lo) / 2;
        if (lane->marked[mid] < first)
          lo = mid + 1;
        else
          hi = mid;
      }
    have = FALSE;
    for (guint m = lo; m < lane->n_marked; m++)
      {
        const LoomTimelineBar *bar = &lane->bars[lane->marked[m]];
        GdkRGBA c = mark_color (bar);
        double x0, x1;

        if (bar->start >= t_right)
          break;
        if (bar->end == LOOM_TIMELINE_RUNNING)
          continue;
        timeline_bar_span (view, bar->start, bar->end, &x0, &x1);
        x1 = MAX (x1, x0 + 2);
        if (have && x0 <= run1 && gdk_rgba_equal (&c, &mark_run_color))
          {
            run1 = MAX (run1, x1);
            continue;
          }
        if (have)
          {
            append_stripes (snapshot, &GRAPHENE_RECT_INIT (run0, y, run1 - run0, h), &mark_run_color);
            stats->n_marks++;
          }
        run0 = x0;
        run1 = x1;
        mark_run_color = c;
        have = TRUE;
      }
    if (have)
      {
        append_stripes (snapshot, &GRAPHENE_RECT_INIT (run0, y, run1 - run0, h), &mark_run_color);
        stats->n_marks++;
      }
  }

}
