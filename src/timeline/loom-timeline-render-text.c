/* loom-timeline-render-text.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The timeline's text: labels through a small cache of Pango layouts, the
 * time axis with its 1-2-5 ticks and their labels, readable durations, and
 * the one-line descriptions of a job and of several jobs compared.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n.h>

#include "loom-timeline-render-private.h"

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

gboolean
timeline_draw_text (const LoomTimelineView *view,
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

char *
timeline_describe_job (LoomTimelineModel *model,
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

void
timeline_draw_axis (const LoomTimelineView *view,
                    LoomTimelineModel      *model,
                    GtkSnapshot            *snapshot,
                    LoomTimelineDrawStats  *stats,
                    double                  lanes_bottom)
{
  double step = tick_step (view->us_per_px);
  double plot_w = loom_timeline_view_plot_width (view);
  double t0 = ceil (view->t_left / step) * step;
  double t_right = loom_timeline_view_x_to_time (view, LOOM_TIMELINE_LABEL_WIDTH + plot_w);
  double axis_y = timeline_top_band (model) - AXIS_HEIGHT;
  GdkRGBA grid = timeline_with_alpha (&view->fg, 0.10);
  GdkRGBA tick = timeline_with_alpha (&view->fg, 0.55);
  GdkRGBA dim = timeline_with_alpha (&view->fg, 0.75);

  gtk_snapshot_append_color (snapshot, &tick,
                             &GRAPHENE_RECT_INIT (LOOM_TIMELINE_LABEL_WIDTH, axis_y + AXIS_HEIGHT - 1, plot_w, 1));
  for (double t = t0; t <= t_right; t += step)
    {
      double x = floor (loom_timeline_view_time_to_x (view, t));
      g_autofree char *label = tick_label (t, step);

      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (x, axis_y + AXIS_HEIGHT, 1, lanes_bottom - axis_y - AXIS_HEIGHT));
      gtk_snapshot_append_color (snapshot, &tick, &GRAPHENE_RECT_INIT (x, axis_y + AXIS_HEIGHT - 5, 1, 5));
      if (x + 84 <= LOOM_TIMELINE_LABEL_WIDTH + plot_w + RIGHT_MARGIN &&
          timeline_draw_text (view, snapshot, label, x + 3, axis_y + 1, 84, AXIS_HEIGHT - 6, &dim, FALSE))
        stats->n_labels++;
    }
}
