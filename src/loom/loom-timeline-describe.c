/* loom-timeline-describe.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The timeline in words: a task's or an attempt's story for the details
 * pane, the tooltip and screen readers; a selected range's statistics.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>

#include "loom-timeline-private.h"

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
/* The output limit a truncated output was cut at, its kept size: “1 MiB”,
 * “64 KiB” or “1000 bytes”. */
static char *
limit_text (GBytes *kept)
{
  guint64 n = kept ? g_bytes_get_size (kept) : 0;

  if (n > 0 && n % (1024 * 1024) == 0)
    return g_strdup_printf (_("%" PRIu64 " MiB"), n / (1024 * 1024));
  if (n > 0 && n % 1024 == 0)
    return g_strdup_printf (_("%" PRIu64 " KiB"), n / 1024);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " byte", "%" PRIu64 " bytes", n), n);
}

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
      g_autofree char *json = loom_value_to_json (info->result);
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
  if (info->stdout_truncated > 0)
    {
      g_autofree char *limit = limit_text (info->stdout_bytes);
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("stdout truncated: %" PRIu64 " more bytes not kept (limit %s)"),
                              info->stdout_truncated, limit);
    }
  g_string_append_printf (text, "\n\n%s\n%s", _("Standard error:"),
                          info->stderr_text && *info->stderr_text ? info->stderr_text : _("(none)"));
  if (info->stderr_truncated > 0)
    {
      g_autofree char *limit = limit_text (info->stderr_bytes);
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("stderr truncated: %" PRIu64 " more bytes not kept (limit %s)"),
                              info->stderr_truncated, limit);
    }
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

  loom_timeline_locate_selection (self);
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

gboolean
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
      loom_timeline_locate_selection (self);
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
