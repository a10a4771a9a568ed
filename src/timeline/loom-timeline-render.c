/* loom-timeline-render.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Draws a LoomTimelineModel into a GtkSnapshot: the code the LoomTimeline
 * widget, image export (PNG, SVG, PDF through Cairo) and `loomctl bench
 * --timeline` share, so what is exported and measured is what is seen.
 *
 * Fast at any count because nothing is drawn per task unless it shows:
 * lanes off screen are skipped; in a lane, the first visible bar is found
 * by binary search on ends (a lane's bars never overlap, so ends are
 * sorted like starts); bars that fall into the pixels a run already
 * covers are merged into it, and the run skips over them by binary search
 * on starts, so a lane costs O(min(bars, pixels) · log bars).  Marked bars
 * (failed, lost, retried, aborted) are listed per lane and drawn on top,
 * so merging never hides them.  The stats count what each rectangle
 * stands for, so the tests can check nothing was lost.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "loom-timeline-render.h"

#define SUMMARY_HEIGHT 24
#define AXIS_HEIGHT    22
#define JOB_HEIGHT     22
#define RIGHT_MARGIN   8
#define MAX_LABELS     2000

typedef struct
{
  guint8 r, g, b;
} Rgb;

/* GNOME palette colours for jobs; red, orange and grey are kept for
 * failed, lost and aborted tasks. */
static const Rgb job_colors[] = {
  { 0x35, 0x84, 0xe4 },   /* blue */
  { 0x26, 0xa2, 0x69 },   /* green */
  { 0x91, 0x41, 0xac },   /* purple */
  { 0x21, 0x90, 0xa4 },   /* teal */
  { 0x98, 0x6a, 0x44 },   /* brown */
  { 0xc0, 0x61, 0xcb },   /* pink */
  { 0x1a, 0x5f, 0xb4 },   /* dark blue */
  { 0x63, 0x8a, 0x2a },   /* olive */
};

static GdkRGBA
rgba (Rgb    c,
      double alpha)
{
  return (GdkRGBA) { c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha };
}

static GdkRGBA
with_alpha (const GdkRGBA *c,
            double         alpha)
{
  return (GdkRGBA) { c->red, c->green, c->blue, alpha };
}

void
loom_timeline_view_init (LoomTimelineView *view,
                         int               width,
                         int               height)
{
  memset (view, 0, sizeof *view);
  view->width = width;
  view->height = height;
  view->us_per_px = 1000;
  view->lane_height = 18;
  view->now = g_get_real_time ();
  view->fg = (GdkRGBA) { 0.14, 0.14, 0.16, 1 };
  view->selected_lane = -1;
  view->hover_lane = -1;
}

double
loom_timeline_view_plot_x (const LoomTimelineView *view)
{
  return LOOM_TIMELINE_LABEL_WIDTH;
}

double
loom_timeline_view_plot_width (const LoomTimelineView *view)
{
  return MAX (1, view->width - LOOM_TIMELINE_LABEL_WIDTH - RIGHT_MARGIN);
}

double
loom_timeline_view_time_to_x (const LoomTimelineView *view,
                              double                  t)
{
  return LOOM_TIMELINE_LABEL_WIDTH + (t - view->t_left) / view->us_per_px;
}

double
loom_timeline_view_x_to_time (const LoomTimelineView *view,
                              double                  x)
{
  return view->t_left + (x - LOOM_TIMELINE_LABEL_WIDTH) * view->us_per_px;
}

static double
top_band (LoomTimelineModel *model)
{
  return (loom_timeline_model_get_n_jobs (model) >= 2 ? SUMMARY_HEIGHT : 0) + AXIS_HEIGHT;
}

double
loom_timeline_view_lanes_top (const LoomTimelineView *view,
                              LoomTimelineModel      *model)
{
  return top_band (model);
}

static double
row_gap (const LoomTimelineView *view)
{
  return view->lane_height >= 10 ? 2 : view->lane_height >= 4 ? 1 : 0;
}

/* The rows below the axis, in content coordinates (not scrolled): per
 * job a header, then its lanes.  job_y has one more entry, the height of
 * it all, so job j's rows end where job j + 1's begin. */
typedef struct
{
  double *lane_y;
  double *job_y;
  double  height;
} Rows;

static void
rows_layout (const LoomTimelineView *view,
             LoomTimelineModel      *model,
             Rows                   *rows)
{
  guint n_jobs = loom_timeline_model_get_n_jobs (model);
  guint n_lanes = loom_timeline_model_get_n_lanes (model);
  double pitch = view->lane_height + row_gap (view);
  double y = 0;
  guint l = 0;

  rows->lane_y = g_new (double, MAX (1, n_lanes));
  rows->job_y = g_new (double, n_jobs + 1);
  for (guint j = 0; j < n_jobs; j++)
    {
      rows->job_y[j] = y;
      y += JOB_HEIGHT;
      for (; l < n_lanes && loom_timeline_model_get_lane (model, l)->job == j; l++)
        {
          rows->lane_y[l] = y;
          y += pitch;
        }
    }
  rows->job_y[n_jobs] = rows->height = y;
}

static void
rows_clear (Rows *rows)
{
  g_clear_pointer (&rows->lane_y, g_free);
  g_clear_pointer (&rows->job_y, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Rows, rows_clear)

double
loom_timeline_view_content_height (const LoomTimelineView *view,
                                   LoomTimelineModel      *model)
{
  guint n_jobs = loom_timeline_model_get_n_jobs (model);
  guint n_lanes = loom_timeline_model_get_n_lanes (model);

  /* What rows_layout () adds up, without the positions. */
  return n_jobs * JOB_HEIGHT + n_lanes * (view->lane_height + row_gap (view));
}

/**
 * loom_timeline_view_fit:
 * @view: a view
 * @model: what it shows
 * @fit_lanes: also shrink lanes (down to 4 px) so they all fit
 *
 * Zooms out to show every bar.
 */
void
loom_timeline_view_fit (LoomTimelineView  *view,
                        LoomTimelineModel *model,
                        gboolean           fit_lanes)
{
  loom_timeline_view_fit_extent (view, model, loom_timeline_model_get_extent (model, view->now), fit_lanes);
}

/**
 * loom_timeline_view_fit_extent:
 * @view: a view
 * @model: what it shows
 * @extent: the time to show, µs from zero
 * @fit_lanes: also shrink lanes (down to 4 px) so they all fit
 */
void
loom_timeline_view_fit_extent (LoomTimelineView  *view,
                               LoomTimelineModel *model,
                               gint64             extent,
                               gboolean           fit_lanes)
{
  double plot = loom_timeline_view_plot_width (view);

  extent = MAX (extent, 1);

  view->us_per_px = MAX (1e-3, extent * 1.02 / plot);
  view->t_left = -extent * 0.01;
  view->scroll_y = 0;

  if (fit_lanes)
    {
      guint n_lanes = loom_timeline_model_get_n_lanes (model);
      guint n_jobs = loom_timeline_model_get_n_jobs (model);
      double room = view->height - top_band (model) - n_jobs * JOB_HEIGHT;

      if (n_lanes > 0)
        view->lane_height = CLAMP (floor (room / n_lanes) - 2, 4, 18);
    }
}

gboolean
loom_timeline_view_lane_at (const LoomTimelineView *view,
                            LoomTimelineModel      *model,
                            double                  y,
                            guint                  *lane)
{
  guint n_lanes = loom_timeline_model_get_n_lanes (model);
  g_auto(Rows) rows = { 0 };
  double content_y = y - top_band (model) + view->scroll_y;

  if (y < top_band (model))
    return FALSE;
  rows_layout (view, model, &rows);
  for (guint l = 0; l < n_lanes; l++)
    if (content_y >= rows.lane_y[l] && content_y < rows.lane_y[l] + view->lane_height)
      {
        *lane = l;
        return TRUE;
      }
  return FALSE;
}

/**
 * loom_timeline_view_lane_rect:
 * @view: a view
 * @model: what it shows
 * @lane: a lane
 * @rect: (out): where the lane is drawn, in widget coordinates
 *
 * Returns: whether @lane exists
 */
gboolean
loom_timeline_view_lane_rect (const LoomTimelineView *view,
                              LoomTimelineModel      *model,
                              guint                   lane,
                              graphene_rect_t        *rect)
{
  g_auto(Rows) rows = { 0 };

  if (lane >= loom_timeline_model_get_n_lanes (model))
    return FALSE;
  rows_layout (view, model, &rows);
  graphene_rect_init (rect, LOOM_TIMELINE_LABEL_WIDTH, top_band (model) + rows.lane_y[lane] - view->scroll_y,
                      loom_timeline_view_plot_width (view), view->lane_height);
  return TRUE;
}

/**
 * loom_timeline_view_hit:
 * @view: a view
 * @model: what it shows
 * @x: widget coordinate
 * @y: widget coordinate
 * @lane: (out): the lane hit
 * @position: (out): the bar's position in the lane
 *
 * Hit-testing: the bar under (@x, @y), or the nearest within 3 px in its
 * lane, as it is drawn at this zoom.
 *
 * Returns: whether a bar is there
 */
gboolean
loom_timeline_view_hit (const LoomTimelineView *view,
                        LoomTimelineModel      *model,
                        double                  x,
                        double                  y,
                        guint                  *lane,
                        guint                  *position)
{
  if (x < LOOM_TIMELINE_LABEL_WIDTH || !loom_timeline_view_lane_at (view, model, y, lane))
    return FALSE;
  return loom_timeline_model_find_bar (model, *lane,
                                       (gint64) loom_timeline_view_x_to_time (view, x),
                                       (gint64) (3 * view->us_per_px), view->now, position);
}

/* Time axis ticks: a 1-2-5 series from 1 µs to an hour, then hours. */
static double
tick_step (double us_per_px)
{
  static const double steps[] = {
    1, 2, 5, 10, 20, 50, 100, 200, 500,
    1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5,
    1e6, 2e6, 5e6, 1e7, 15e6, 3e7, 6e7, 12e7, 3e8, 6e8, 9e8, 18e8,
    36e8, 72e8, 108e8, 216e8, 432e8, 864e8,
  };   /* µs: … 1 s, 2 s, 5 s, 10 s, 15 s, 30 s, 1 min, 2 min, 5 min, 10 min, 15 min, 30 min, 1 h … */
  double want = 90 * us_per_px;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] >= want)
      return steps[i];
  return ceil (want / 864e8) * 864e8;
}

/* A tick's label: the largest unit that still shows the step with at most
 * three decimals (so "2.5 s", "1.25 min", "1500 µs" stay readable). */
static char *
tick_label (double t,
            double step)
{
  static const struct { double us; const char *unit; } units[] = {
    { 1e6, "s" }, { 1e3, "ms" }, { 1, "µs" },
  };

  if (t == 0)
    return g_strdup ("0");

  /* Whole seconds past a minute: "1 min 10 s", "2 h 30 min". */
  if (step >= 1e6 && fabs (t) >= 6e7)
    {
      gint64 total = (gint64) llround (fabs (t) / 1e6);
      gint64 h = total / 3600, m = total % 3600 / 60, sec = total % 60;
      GString *text = g_string_new (t < 0 ? "−" : "");

      if (h)
        g_string_append_printf (text, "%" G_GINT64_FORMAT " h", h);
      if (m)
        g_string_append_printf (text, "%s%" G_GINT64_FORMAT " min", h ? " " : "", m);
      if (sec)
        g_string_append_printf (text, "%s%" G_GINT64_FORMAT " s", h || m ? " " : "", sec);
      return g_string_free (text, FALSE);
    }

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      double in_unit = step / units[i].us;

      if ((in_unit >= 1e-3 && fabs (t) >= units[i].us) || i + 1 == G_N_ELEMENTS (units))
        {
          int decimals = in_unit >= 1 ? 0 : MIN (3, (int) ceil (-log10 (in_unit) - 1e-9));

          return g_strdup_printf ("%.*f %s", decimals, t / units[i].us, units[i].unit);
        }
    }
  g_assert_not_reached ();
}

/**
 * loom_timeline_format_time:
 * @seconds: a duration
 *
 * Returns: (transfer full): the duration with a readable unit
 */
char *
loom_timeline_format_time (double seconds)
{
  if (seconds >= 3600)
    return g_strdup_printf ("%.2f h", seconds / 3600);
  if (seconds >= 60)
    return g_strdup_printf ("%.2f min", seconds / 60);
  if (seconds >= 1)
    return g_strdup_printf ("%.3f s", seconds);
  if (seconds >= 1e-3)
    return g_strdup_printf ("%.3f ms", seconds * 1e3);
  return g_strdup_printf ("%.0f µs", seconds * 1e6);
}

/* A layout per size and weight, kept between labels and frames: making one
 * and setting its font costs more than shaping a short label.  A layout
 * holds its context, so the pointer stays valid; the context's serial
 * tells when its fonts changed. */
static PangoLayout *
text_layout (PangoContext *context,
             int           size,
             gboolean      bold)
{
  static struct { PangoLayout *layout; guint serial; int size; gboolean bold; } cache[4];
  static guint next;
  PangoFontDescription *desc;
  guint slot;

  for (guint i = 0; i < G_N_ELEMENTS (cache); i++)
    if (cache[i].layout != NULL && pango_layout_get_context (cache[i].layout) == context &&
        cache[i].serial == pango_context_get_serial (context) &&
        cache[i].size == size && cache[i].bold == bold)
      return cache[i].layout;

  slot = next++ % G_N_ELEMENTS (cache);
  g_clear_object (&cache[slot].layout);
  cache[slot].layout = pango_layout_new (context);
  cache[slot].serial = pango_context_get_serial (context);
  cache[slot].size = size;
  cache[slot].bold = bold;
  desc = pango_font_description_copy (pango_context_get_font_description (context));
  pango_font_description_set_absolute_size (desc, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (cache[slot].layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_ellipsize (cache[slot].layout, PANGO_ELLIPSIZE_END);
  return cache[slot].layout;
}

static gboolean
draw_text (const LoomTimelineView *view,
           GtkSnapshot            *snapshot,
           const char             *text,
           double                  x,
           double                  y,
           double                  max_width,
           double                  max_height,
           const GdkRGBA          *color,
           gboolean                bold)
{
  /* 11 px, smaller in thin lanes (down to 7 px) so every lane keeps its label. */
  PangoLayout *layout = text_layout (view->pango, CLAMP ((int) max_height - 1, 7, 11), bold);
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
  pango_layout_get_pixel_size (layout, &w, &h);
  if (h > max_height + 3)
    return FALSE;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (floor (x), floor (y + (max_height - h) / 2)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
  return TRUE;
}

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
  return (GdkRGBA) { 0.88, 0.11, 0.14, 1 };      /* red */
}

/* Snapped pixel span of a bar: whole pixels, at least one wide, and
 * clamped to just past the plot (render nodes hold floats: a bar that
 * ends 10^9 pixels away would end at the wrong pixel). */
static inline void
bar_span (const LoomTimelineView *view,
          gint64                  start,
          gint64                  end,
          double                 *x0,
          double                 *x1)
{
  double lo = LOOM_TIMELINE_LABEL_WIDTH - 2;
  double hi = LOOM_TIMELINE_LABEL_WIDTH + loom_timeline_view_plot_width (view) + 2;

  *x0 = CLAMP (floor (loom_timeline_view_time_to_x (view, start)), lo, hi);
  *x1 = CLAMP (floor (loom_timeline_view_time_to_x (view, end)), lo, hi);
  if (*x1 < *x0 + 1)
    *x1 = *x0 + 1;
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
  int width = (int) loom_timeline_view_plot_width (view);
  g_autofree float *cover = g_new0 (float, width);
  g_autofree guint8 *marks = g_new0 (guint8, width);
  g_autofree guint32 *pixels = g_new0 (guint32, width);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  double scale = 1.0 / view->us_per_px;
  double left = view->t_left;
  GdkRGBA kinds[4];
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

static void
draw_lane_bars (const LoomTimelineView *view,
                const LoomTimelineLane *lane,
                double                  y,
                const GdkRGBA          *color,
                GtkSnapshot            *snapshot,
                LoomTimelineDrawStats  *stats)
{
  double t_right = loom_timeline_view_x_to_time (view, LOOM_TIMELINE_LABEL_WIDTH + loom_timeline_view_plot_width (view) + 1);
  double h = view->lane_height;
  guint n_finished = lane->n_bars - lane->n_running;
  guint pos = loom_timeline_model_first_ending_after (lane, (gint64) floor (view->t_left));
  guint limit = MIN (n_finished, loom_timeline_model_lower_bound (lane, (gint64) ceil (t_right)));
  double run0 = 0, run1 = 0;
  guint run_count = 0, run_first = 0;
  gboolean have = FALSE;

  /* For the tests: the finished bars in view, counted one by one. */
  stats->n_visible += limit > pos ? limit - pos : 0;

  if (limit > pos && (limit - pos) * 16.0 > loom_timeline_view_plot_width (view))
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
            draw_text (view, snapshot, label, run0 + 3, y, run1 - run0 - 5, h,          \
                       &(GdkRGBA) { 1, 1, 1, 0.9 }, FALSE))                              \
          stats->n_labels++;                                                            \
      }                                                                                 \
  } G_STMT_END

  for (; pos < limit; pos++)
    {
      const LoomTimelineBar *bar = &lane->bars[pos];
      double x0, x1;
      guint k;

      bar_span (view, bar->start, bar->end, &x0, &x1);

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
      k = loom_timeline_model_lower_bound (lane, (gint64) ceil (loom_timeline_view_x_to_time (view, run1)));
      k = MIN (k, limit);
      if (k > pos + 1)
        {
          const LoomTimelineBar *last = &lane->bars[k - 1];

          bar_span (view, last->start, last->end, &x0, &x1);
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
        bar_span (view, bar->start, bar->end, &x0, &x1);
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

static char *
describe_job (LoomTimelineModel *model,
              guint              j)
{
  const LoomTimelineJob *job = loom_timeline_model_get_job (model, j);
  LoomTimelineSummary summary;
  g_autofree char *wall = NULL;
  g_autofree char *busy = NULL;
  g_autofree char *retried = NULL;
  guint64 n_tasks = job->n_bars - job->n_retried;
  const char *mode = job->mode == LOOM_JOB_SERIAL ? _("serial") : _("parallel");

  loom_timeline_model_get_summary (model, j, &summary);
  wall = loom_timeline_format_time (summary.wall);
  busy = loom_timeline_format_time (summary.task_time);

  /* Tasks, not attempts: a retried task counts once, and says so. */
  if (job->n_retried > 0)
    retried = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, " (%u retried)", " (%u retried)", job->n_retried),
                               job->n_retried);
  if (job->job_id >= 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Job %d · %s · %s · %" PRIu64 " tasks%s · wall %s · Σ %s · %.2f× on %u engine",
                                         "Job %d · %s · %s · %" PRIu64 " tasks%s · wall %s · Σ %s · %.2f× on %u engines",
                                         summary.engines),
                            job->job_id, job->name ? job->name : "", mode, n_tasks, retried ? retried : "",
                            wall, busy, summary.speedup, summary.engines);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s · %s · %" PRIu64 " tasks%s · wall %s · Σ %s · %.2f× on %u engine",
                                       "%s · %s · %" PRIu64 " tasks%s · wall %s · Σ %s · %.2f× on %u engines",
                                       summary.engines),
                          job->name ? job->name : "", mode, n_tasks, retried ? retried : "",
                          wall, busy, summary.speedup, summary.engines);
}

/**
 * loom_timeline_describe_jobs:
 * @model: a #LoomTimelineModel
 *
 * The comparison of two or more jobs in one line: each job's wall time,
 * and each one's speedup over the slowest (the serial one, if there is
 * one) and its efficiency on the engines it used.
 *
 * Returns: (transfer full): the summary
 */
char *
loom_timeline_describe_jobs (LoomTimelineModel *model)
{
  guint n_jobs = loom_timeline_model_get_n_jobs (model);
  g_autoptr(GString) text = g_string_new (NULL);
  LoomTimelineSummary base;
  gint base_job = -1;

  for (guint j = 0; j < n_jobs; j++)
    {
      LoomTimelineSummary s;
      const LoomTimelineJob *job = loom_timeline_model_get_job (model, j);

      loom_timeline_model_get_summary (model, j, &s);
      if (base_job < 0 || (job->mode == LOOM_JOB_SERIAL &&
                           loom_timeline_model_get_job (model, base_job)->mode != LOOM_JOB_SERIAL) ||
          (s.wall > base.wall && (job->mode == LOOM_JOB_SERIAL) ==
           (loom_timeline_model_get_job (model, base_job)->mode == LOOM_JOB_SERIAL)))
        {
          base = s;
          base_job = j;
        }
    }

  for (guint j = 0; j < n_jobs; j++)
    {
      const LoomTimelineJob *job = loom_timeline_model_get_job (model, j);
      LoomTimelineSummary s;
      g_autofree char *wall = NULL;

      loom_timeline_model_get_summary (model, j, &s);
      wall = loom_timeline_format_time (s.wall);
      if (text->len)
        g_string_append (text, "   ");
      g_string_append_printf (text, _("%s: %s"),
                              job->mode == LOOM_JOB_SERIAL ? _("serial") : _("parallel"), wall);
      if ((gint) j != base_job && s.wall > 0 && s.engines > 0)
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                   " (speedup %.2f×, efficiency %.0f%% on %u engine)",
                                                   " (speedup %.2f×, efficiency %.0f%% on %u engines)",
                                                   s.engines),
                                base.wall / s.wall, 100 * base.wall / s.wall / s.engines, s.engines);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
draw_axis (const LoomTimelineView *view,
           LoomTimelineModel      *model,
           GtkSnapshot            *snapshot,
           LoomTimelineDrawStats  *stats,
           double                  lanes_bottom)
{
  double step = tick_step (view->us_per_px);
  double plot_w = loom_timeline_view_plot_width (view);
  double t0 = ceil (view->t_left / step) * step;
  double t_right = loom_timeline_view_x_to_time (view, LOOM_TIMELINE_LABEL_WIDTH + plot_w);
  double axis_y = top_band (model) - AXIS_HEIGHT;
  GdkRGBA grid = with_alpha (&view->fg, 0.10);
  GdkRGBA tick = with_alpha (&view->fg, 0.55);
  GdkRGBA dim = with_alpha (&view->fg, 0.75);

  gtk_snapshot_append_color (snapshot, &tick,
                             &GRAPHENE_RECT_INIT (LOOM_TIMELINE_LABEL_WIDTH, axis_y + AXIS_HEIGHT - 1, plot_w, 1));
  for (double t = t0; t <= t_right; t += step)
    {
      double x = floor (loom_timeline_view_time_to_x (view, t));
      g_autofree char *label = tick_label (t, step);

      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (x, axis_y + AXIS_HEIGHT, 1, lanes_bottom - axis_y - AXIS_HEIGHT));
      gtk_snapshot_append_color (snapshot, &tick, &GRAPHENE_RECT_INIT (x, axis_y + AXIS_HEIGHT - 5, 1, 5));
      if (x + 84 <= LOOM_TIMELINE_LABEL_WIDTH + plot_w + RIGHT_MARGIN &&
          draw_text (view, snapshot, label, x + 3, axis_y + 1, 84, AXIS_HEIGHT - 6, &dim, FALSE))
        stats->n_labels++;
    }
}

/**
 * loom_timeline_draw_static:
 * @model: what to draw
 * @view: which part, how
 * @snapshot: where to
 * @stats: (out caller-allocates): what was drawn
 *
 * Everything that does not change while time passes: job headers, lanes
 * and their labels, the axis and grid, finished bars; the widget caches
 * it as one render node.
 */
void
loom_timeline_draw_static (LoomTimelineModel      *model,
                           const LoomTimelineView *view,
                           GtkSnapshot            *snapshot,
                           LoomTimelineDrawStats  *stats)
{
  guint n_jobs = loom_timeline_model_get_n_jobs (model);
  guint n_lanes = loom_timeline_model_get_n_lanes (model);
  g_auto(Rows) rows = { 0 };
  double top = top_band (model);
  double plot_x = LOOM_TIMELINE_LABEL_WIDTH;
  double plot_w = loom_timeline_view_plot_width (view);
  double bottom;
  GdkRGBA band = with_alpha (&view->fg, 0.07);
  GdkRGBA stripe = with_alpha (&view->fg, 0.035);
  GdkRGBA text = with_alpha (&view->fg, 0.85);
  GdkRGBA dim = with_alpha (&view->fg, 0.65);

  memset (stats, 0, sizeof *stats);
  rows_layout (view, model, &rows);
  bottom = MIN (view->height, top + rows.height - view->scroll_y);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, top, view->width, MAX (0, view->height - top)));

  for (guint j = 0; j < n_jobs; j++)
    {
      double y = top + rows.job_y[j] - view->scroll_y;
      g_autofree char *label = NULL;
      const LoomTimelineJob *job = loom_timeline_model_get_job (model, j);
      GdkRGBA swatch = rgba (job_colors[job->color % G_N_ELEMENTS (job_colors)], 1);

      if (y + JOB_HEIGHT < top || y > view->height)
        continue;
      gtk_snapshot_append_color (snapshot, &band, &GRAPHENE_RECT_INIT (0, y + 2, view->width, JOB_HEIGHT - 3));
      gtk_snapshot_append_color (snapshot, &swatch, &GRAPHENE_RECT_INIT (4, y + 7, 10, 10));
      label = describe_job (model, j);
      if (draw_text (view, snapshot, label, 20, y + 2, view->width - 28, JOB_HEIGHT - 3, &text, TRUE))
        stats->n_labels++;
    }

  for (guint l = 0; l < n_lanes; l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (model, l);
      const LoomTimelineJob *job = loom_timeline_model_get_job (model, lane->job);
      double y = top + rows.lane_y[l] - view->scroll_y;
      GdkRGBA color = rgba (job_colors[job->color % G_N_ELEMENTS (job_colors)], 1);

      if (y + view->lane_height < top || y > view->height)
        continue;

      if (l % 2 == 0)
        gtk_snapshot_append_color (snapshot, &stripe, &GRAPHENE_RECT_INIT (plot_x, y, plot_w, view->lane_height));

      if (view->lane_height >= 6)
        {
          const char *host = loom_timeline_model_get_engine_host (model, lane->engine_id);
          g_autofree char *label = NULL;

          if (lane->sub > 0)
            label = g_strdup_printf (_("engine %d (%u)"), lane->engine_id, lane->sub + 1);
          else if (host)
            label = g_strdup_printf (_("engine %d · %s"), lane->engine_id, host);
          else
            label = g_strdup_printf (_("engine %d"), lane->engine_id);
          if (draw_text (view, snapshot, label, 8, y, LOOM_TIMELINE_LABEL_WIDTH - 12, view->lane_height, &dim, FALSE))
            stats->n_labels++;
        }

      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (plot_x, y, plot_w, view->lane_height));
      draw_lane_bars (view, lane, y, &color, snapshot, stats);
      gtk_snapshot_pop (snapshot);
    }

  gtk_snapshot_pop (snapshot);

  draw_axis (view, model, snapshot, stats, MAX (bottom, top));

  /* Nothing is dropped, but dense lanes are drawn as shades: say so. */
  if (stats->n_textures > 0 &&
      draw_text (view, snapshot, _("shade = busy share"), 8, top - AXIS_HEIGHT + 1,
                 LOOM_TIMELINE_LABEL_WIDTH - 12, AXIS_HEIGHT - 6, &dim, FALSE))
    stats->n_labels++;

  if (n_jobs >= 2)
    {
      g_autofree char *summary = loom_timeline_describe_jobs (model);

      if (draw_text (view, snapshot, summary, 8, 2, view->width - 16, SUMMARY_HEIGHT - 4, &text, TRUE))
        stats->n_labels++;
    }
}

/**
 * loom_timeline_draw_live:
 * @model: what to draw
 * @view: which part, how
 * @snapshot: where to
 * @stats: (inout): what was drawn, added to
 *
 * What changes as time passes or the pointer moves: running bars growing
 * to now, the now line, hover, selection and the selected range.
 */
void
loom_timeline_draw_live (LoomTimelineModel      *model,
                         const LoomTimelineView *view,
                         GtkSnapshot            *snapshot,
                         LoomTimelineDrawStats  *stats)
{
  guint n_jobs = loom_timeline_model_get_n_jobs (model);
  guint n_lanes = loom_timeline_model_get_n_lanes (model);
  g_auto(Rows) rows = { 0 };
  double top = top_band (model);
  double plot_x = LOOM_TIMELINE_LABEL_WIDTH;
  double plot_w = loom_timeline_view_plot_width (view);
  GdkRGBA now_color = { 0.88, 0.11, 0.14, 0.8 };

  rows_layout (view, model, &rows);
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (plot_x, top, plot_w, MAX (0, view->height - top)));

  for (guint l = 0; l < n_lanes; l++)
    {
      const LoomTimelineLane *lane = loom_timeline_model_get_lane (model, l);
      const LoomTimelineJob *job = loom_timeline_model_get_job (model, lane->job);
      double y = top + rows.lane_y[l] - view->scroll_y;
      GdkRGBA color = rgba (job_colors[job->color % G_N_ELEMENTS (job_colors)], 0.5);
      GdkRGBA edge = rgba (job_colors[job->color % G_N_ELEMENTS (job_colors)], 1);

      if (lane->n_running == 0 || y + view->lane_height < top || y > view->height)
        continue;
      for (guint pos = lane->n_bars; pos > 0 && lane->bars[pos - 1].end == LOOM_TIMELINE_RUNNING; pos--)
        {
          const LoomTimelineBar *bar = &lane->bars[pos - 1];
          double x0, x1;

          bar_span (view, bar->start, MAX (bar->start, view->now - job->zero), &x0, &x1);
          gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x0, y, x1 - x0, view->lane_height));
          gtk_snapshot_append_color (snapshot, &edge, &GRAPHENE_RECT_INIT (MAX (x0, x1 - 2), y, MIN (2, x1 - x0), view->lane_height));
          stats->n_running++;
        }
    }

  /* Now, for each job still running, across its lanes. */
  for (guint j = 0; j < n_jobs; j++)
    {
      const LoomTimelineJob *job = loom_timeline_model_get_job (model, j);
      double x = floor (loom_timeline_view_time_to_x (view, view->now - job->zero));
      double y0 = top + rows.job_y[j] - view->scroll_y + JOB_HEIGHT;
      double y1 = top + rows.job_y[j + 1] - view->scroll_y;

      if (job->n_running > 0 && y1 > y0)
        gtk_snapshot_append_color (snapshot, &now_color, &GRAPHENE_RECT_INIT (x, y0, 1, y1 - y0));
    }

  if (view->has_range)
    {
      double x0 = loom_timeline_view_time_to_x (view, MIN (view->range_from, view->range_to));
      double x1 = loom_timeline_view_time_to_x (view, MAX (view->range_from, view->range_to));
      GdkRGBA shade = { 0.21, 0.52, 0.89, 0.18 };
      GdkRGBA line = { 0.21, 0.52, 0.89, 0.9 };
      double h = MAX (0, view->height - top);

      gtk_snapshot_append_color (snapshot, &shade, &GRAPHENE_RECT_INIT (x0, top, MAX (1, x1 - x0), h));
      gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (floor (x0), top, 1, h));
      gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (floor (x1), top, 1, h));
    }

  for (guint i = 0; i < 2; i++)
    {
      gint lane_n = i == 0 ? view->hover_lane : view->selected_lane;
      guint pos = i == 0 ? view->hover_pos : view->selected_pos;
      const LoomTimelineLane *lane;
      const LoomTimelineJob *job;
      const LoomTimelineBar *bar;
      double x0, x1, y, w = i == 0 ? 1 : 2;
      GdkRGBA c = i == 0 ? with_alpha (&view->fg, 0.6) : view->fg;

      if (lane_n < 0 || (guint) lane_n >= n_lanes)
        continue;
      lane = loom_timeline_model_get_lane (model, lane_n);
      if (pos >= lane->n_bars)
        continue;
      job = loom_timeline_model_get_job (model, lane->job);
      bar = &lane->bars[pos];
      bar_span (view, bar->start, bar->end == LOOM_TIMELINE_RUNNING ? MAX (bar->start, view->now - job->zero) : bar->end, &x0, &x1);
      y = top + rows.lane_y[lane_n] - view->scroll_y;
      gtk_snapshot_append_border (snapshot,
                                  &GSK_ROUNDED_RECT_INIT (x0 - w, y - w, x1 - x0 + 2 * w, view->lane_height + 2 * w),
                                  (float[4]) { w, w, w, w },
                                  (GdkRGBA[4]) { c, c, c, c });
    }

  gtk_snapshot_pop (snapshot);
}

/**
 * loom_timeline_render_node:
 * @model: what to draw
 * @view: which part, how
 * @stats: (out caller-allocates) (optional): what was drawn
 *
 * Returns: (transfer full) (nullable): one frame, static and live parts
 */
GskRenderNode *
loom_timeline_render_node (LoomTimelineModel      *model,
                           const LoomTimelineView *view,
                           LoomTimelineDrawStats  *stats)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  LoomTimelineDrawStats local;

  if (stats == NULL)
    stats = &local;
  loom_timeline_draw_static (model, view, snapshot, stats);
  loom_timeline_draw_live (model, view, snapshot, stats);
  return gtk_snapshot_free_to_node (snapshot);
}

/**
 * loom_timeline_text_context_new:
 *
 * For drawing without a widget (images, benchmarks, tests): makes sure
 * GTK's render node types exist — GTK registers them while it
 * initialises, even with no display to open — and returns a Pango
 * context on Cairo's font map.
 *
 * Returns: (transfer full): a context for the timeline's text
 */
PangoContext *
loom_timeline_text_context_new (void)
{
  PangoContext *pango;
  PangoFontDescription *desc;

  if (!gtk_is_initialized ())
    gtk_init_check ();
  pango = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  desc = pango_font_description_from_string ("Sans 9");
  pango_context_set_font_description (pango, desc);
  pango_font_description_free (desc);
  return pango;
}

gboolean
loom_timeline_image_format_from_string (const char              *name,
                                        LoomTimelineImageFormat *format)
{
  static const char *names[] = { "png", "svg", "pdf" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      {
        *format = i;
        return TRUE;
      }
  return FALSE;
}

/**
 * loom_timeline_export_image:
 * @model: what to draw
 * @format: PNG, SVG or PDF
 * @width: in pixels (points for PDF)
 * @height: in pixels (points for PDF), or 0 for what the lanes need
 * @dark: draw light on dark
 * @path: the file to write
 * @error: return location for a #GError
 *
 * Draws the whole timeline, zoomed to fit, with the widget's own drawing
 * code into a Cairo surface.  Needs no display.
 *
 * Returns: whether the file was written
 */
gboolean
loom_timeline_export_image (LoomTimelineModel        *model,
                            LoomTimelineImageFormat   format,
                            int                       width,
                            int                       height,
                            gboolean                  dark,
                            const char               *path,
                            GError                  **error)
{
  g_autoptr(GskRenderNode) node = NULL;
  PangoContext *pango;
  LoomTimelineView view;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (model), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (height == 0)
    {
      /* As tall as the lanes need at full height, within reason. */
      loom_timeline_view_init (&view, width, 1);
      height = (int) CLAMP (top_band (model) + loom_timeline_view_content_height (&view, model) + 8, 160, 4000);
    }

  if (width < 200 || height < 100 || width > 20000 || height > 20000)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Image size %d×%d: give a width of 200 to 20000 and a height of 100 to 20000"),
                   width, height);
      return FALSE;
    }

  pango = loom_timeline_text_context_new ();
  loom_timeline_view_init (&view, width, height);
  view.pango = pango;
  view.dark = dark;
  view.fg = dark ? (GdkRGBA) { 1, 1, 1, 1 } : (GdkRGBA) { 0.14, 0.14, 0.16, 1 };
  loom_timeline_view_fit (&view, model, TRUE);
  node = loom_timeline_render_node (model, &view, NULL);
  g_object_unref (pango);

  switch (format)
    {
    case LOOM_TIMELINE_IMAGE_SVG:
      surface = cairo_svg_surface_create (path, width, height);
      break;
    case LOOM_TIMELINE_IMAGE_PDF:
      surface = cairo_pdf_surface_create (path, width, height);
      break;
    case LOOM_TIMELINE_IMAGE_PNG:
    default:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
      break;
    }

  cr = cairo_create (surface);
  if (dark)
    cairo_set_source_rgb (cr, 0.14, 0.14, 0.14);
  else
    cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (node)
    gsk_render_node_draw (node, cr);
  cairo_destroy (cr);

  if (format == LOOM_TIMELINE_IMAGE_PNG)
    status = cairo_surface_write_to_png (surface, path);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write %s: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
