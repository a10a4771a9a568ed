/* loomctl-query.c: what a running cluster knows
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `ids`, `ready`, `get`, `jobs`, `show` and `abort`: the client of
 * ipyparallel on the command line.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "loomctl-private.h"
#include "loom-json-private.h"

/* Tasks read from the controller at a time by `show`. */
#define SHOW_PAGE_TASKS 1024

int
cmd_ids (const Command *command,
         int            argc,
         char         **argv)
{
  g_auto(Loomctl) ctl = { .needs = LOOMCTL_CONNECT };
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new ("[");
  int code;

  if ((code = loomctl_prologue (&ctl, command, NULL, &argc, &argv)) != EXIT_OK)
    return code;
  if (!(ids = loom_client_get_ids (ctl.client, &error)))
    return loomctl_fail_with (error);
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (out, "%s%u", i ? ", " : "", g_array_index (ids, guint, i));
  g_print ("%s]\n", out->str);
  return EXIT_OK;
}

int
cmd_ready (const Command *command,
           int            argc,
           char         **argv)
{
  g_auto(Loomctl) ctl = { LOOMCTL_JOB_ARGUMENT ("usage: loomctl ready JOB (a job id, as map --async printed it)") };
  g_autoptr(LoomJobInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  int code;

  if ((code = loomctl_prologue (&ctl, command, NULL, &argc, &argv)) != EXIT_OK)
    return code;
  if (!(info = loom_client_query_job (ctl.client, ctl.number, &error)))
    return loomctl_fail (EXIT_USAGE, "job %u: %s (see “loomctl cluster status”)", (guint) ctl.number, error->message);
  g_print ("%s\n", loom_job_info_is_ready (info) ? "True" : "False");
  return EXIT_OK;
}

int
cmd_get (const Command *command,
         int            argc,
         char         **argv)
{
  g_auto(Loomctl) ctl = { LOOMCTL_JOB_ARGUMENT ("usage: loomctl get JOB [--timeout S]") };
  g_autoptr(LoomJobInfo) info = NULL;
  g_autoptr(LoomctlStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  LoomctlFormat format;
  double timeout = -1;
  gint64 deadline;
  guint job;
  int code;
  GOptionEntry entries[] = {
    LOOMCTL_PROFILE_OPTION (&ctl),
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, N_("Wait at most S seconds (default: until done)"), "S" },
    LOOMCTL_JSON_OPTION (&ctl, N_("Print the job and every task with its metadata as JSON")),
    LOOMCTL_JSON_LINES_OPTION (&ctl),
    { NULL }
  };

  if ((code = loomctl_prologue (&ctl, command, entries, &argc, &argv)) != EXIT_OK ||
      (code = loomctl_format_from_options (&ctl, &format)) != EXIT_OK)
    return code;

  job = ctl.number;
  deadline = timeout < 0 ? G_MAXINT64 : g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  for (;;)
    {
      g_clear_object (&info);
      if (!(info = loomctl_job_summary (ctl.client, job, &error)))
        return loomctl_fail (EXIT_USAGE, "job %u: %s", job, error->message);
      if (loom_job_info_is_ready (info))
        break;
      if (g_get_monotonic_time () >= deadline)
        return loomctl_fail (EXIT_TIMEOUT, "job %u is not ready after %g s: %u of %u tasks finished", job, timeout,
                             loom_job_info_get_n_done (info) + loom_job_info_get_n_failed (info),
                             loom_job_info_get_n_tasks (info));
      g_usleep (20 * 1000);
    }

  /* Page by page, each printed as it comes: a job may be of millions. */
  stream = loomctl_stream_new (format, loom_job_info_get_kind (info) == LOOM_TASK_KIND_COMMAND, FALSE);
  return loomctl_stream_read_job (stream, ctl.client, info, NULL);
}

int
cmd_jobs (const Command *command,
          int            argc,
          char         **argv)
{
  g_auto(Loomctl) ctl = { .needs = LOOMCTL_CONNECT };
  g_autoptr(GListModel) jobs = NULL;
  g_autoptr(GError) error = NULL;
  int code;
  GOptionEntry entries[] = {
    LOOMCTL_PROFILE_OPTION (&ctl),
    LOOMCTL_JSON_OPTION (&ctl, N_("Print the list as JSON")),
    { NULL }
  };

  if ((code = loomctl_prologue (&ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  if (!(jobs = loom_client_list_jobs (ctl.client, &error)))
    return loomctl_fail_with (error);

  if (ctl.json)
    {
      g_autoptr(JsonObject) root = json_object_new ();
      g_autoptr(JsonNode) node = NULL;
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
        {
          g_autoptr(LoomJobInfo) job = g_list_model_get_item (jobs, i);
          json_array_add_element (array, loom_job_info_to_json (job));
        }
      json_object_set_array_member (root, "jobs", array);
      node = json_node_init_object (json_node_alloc (), root);
      loomctl_print_json (node);
      return EXIT_OK;
    }

  g_print ("%5s  %-20s %-9s %7s %7s %7s %10s\n", "JOB", "NAME", "MODE", "TASKS", "DONE", "FAILED", "WALL");
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(LoomJobInfo) job = g_list_model_get_item (jobs, i);
      gint64 created = loom_job_info_get_created (job);
      gint64 finished = loom_job_info_get_finished (job);
      g_autofree char *wall = finished > 0 ? g_strdup_printf ("%.3f s", (finished - created) / 1e6)
                                           : g_strdup ("running");

      g_print ("%5u  %-20.20s %-9s %7u %7u %7u %10s\n",
               loom_job_info_get_id (job), loom_job_info_get_name (job),
               loom_enum_to_nick (LOOM_TYPE_JOB_MODE, loom_job_info_get_mode (job), ""),
               loom_job_info_get_n_tasks (job), loom_job_info_get_n_done (job), loom_job_info_get_n_failed (job), wall);
    }
  return EXIT_OK;
}

static void
print_task_row (JsonObject *task,
                guint       i,
                gint64      created)
{
  gint64 started = loom_json_int (task, "started", 0);
  gint64 completed = loom_json_int (task, "completed", 0);
  g_autofree char *params = loomctl_params_text (task);
  g_autoptr(GString) result = g_string_new (NULL);
  JsonObject *err = loom_json_object (task, "error");
  gint64 engine = loom_json_int (task, "engine_id", -1);
  /* A task that never ran has no engine, start or duration: “—” (3 bytes,
   * one column, hence the wider fields), not -1 and 0 s. */
  g_autofree char *engine_text = engine >= 0 ? g_strdup_printf ("%6" PRId64, engine) : g_strdup ("     —");
  g_autofree char *start_text = started > 0 ? g_strdup_printf ("%9.3fs", (started - created) / 1e6)
                                            : g_strdup ("         —");
  g_autofree char *duration_text = started > 0 && completed >= started
                                   ? g_strdup_printf ("%9.3fs", (completed - started) / 1e6)
                                   : g_strdup ("         —");

  if (err)
    g_string_printf (result, "%s: %s", loom_json_string (err, "type", "Error"), loom_json_string (err, "message", ""));
  else
    loomctl_append_py (result, json_object_get_member (task, "result"), 1);
  g_print ("%6" PRId64 "  %s  %-8s %s %s  %s → %s\n",
           loom_json_int (task, "index", i), engine_text, loom_json_string (task, "status", ""),
           start_text, duration_text, params, result->str);
}

/* Hands every task of job @job_id (@n tasks) to @func, reading the job
 * from the controller a page at a time: a job of 10^7 tasks is never
 * whole in memory. */
static gboolean
foreach_task (LoomClient  *client,
              guint        job_id,
              guint        n,
              void       (*func) (JsonObject *task, guint index, gpointer data),
              gpointer     data,
              GError     **error)
{
  guint first = 0;

  while (first < n)
    {
      g_autoptr(JsonNode) page = NULL;
      guint start = first;
      JsonArray *tasks;

      if (!(page = loom_client_read_job (client, job_id, first, SHOW_PAGE_TASKS, &first, NULL, error)))
        return FALSE;
      tasks = json_node_get_array (page);
      for (guint i = 0; i < json_array_get_length (tasks); i++)
        func (json_array_get_object_element (tasks, i), start + i, data);
      if (first <= start)
        break;
    }
  return TRUE;
}

static void
add_task_times (JsonObject *task,
                guint       index,
                gpointer    data)
{
  LoomTaskInfo times;

  loomctl_task_times (task, &times);
  loom_job_info_add_task_times (data, &times);
}

static void
print_task_row_cb (JsonObject *task,
                   guint       index,
                   gpointer    data)
{
  print_task_row (task, index, *(gint64 *) data);
}

int
cmd_show (const Command *command,
          int            argc,
          char         **argv)
{
  g_auto(Loomctl) ctl = { LOOMCTL_JOB_ARGUMENT ("usage: loomctl show JOB [--json]") };
  g_autoptr(LoomJobInfo) info = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *job;
  gint64 created;
  int code;
  GOptionEntry entries[] = {
    LOOMCTL_PROFILE_OPTION (&ctl),
    LOOMCTL_JSON_OPTION (&ctl, N_("Print the job and every task with its metadata as JSON")),
    { NULL }
  };

  if ((code = loomctl_prologue (&ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  if (!(info = loomctl_job_summary (ctl.client, ctl.number, &error)))
    return loomctl_fail (EXIT_USAGE, "job %u: %s (see “loomctl jobs”)", (guint) ctl.number, error->message);
  /* The JSON report is still built whole (it is what `show` always
   * printed, running tasks and all, with exit status 0). */
  if (ctl.json)
    {
      g_autoptr(JsonNode) report = loom_client_get_job_report (ctl.client, ctl.number, &error);

      if (report == NULL)
        return loomctl_fail (EXIT_USAGE, "job %u: %s (see “loomctl jobs”)", (guint) ctl.number, error->message);
      loomctl_print_json (report);
      return EXIT_OK;
    }

  /* The figures come first and count every task: a first pass over the
   * pages adds up the times, a second prints the rows. */
  if (!foreach_task (ctl.client, ctl.number, loom_job_info_get_n_tasks (info), add_task_times, info, &error))
    return loomctl_fail_with (error);
  summary = loom_job_info_to_report_json (info);
  job = json_node_get_object (summary);
  created = loom_json_int (job, "created", 0);
  g_print (_("Job %" PRId64 " “%s” (%s): %" PRId64 " tasks, %" PRId64 " done, %"
           PRId64 " failed\n"),
           loom_json_int (job, "id", 0), loom_json_string (job, "name", ""), loom_json_string (job, "mode", ""),
           loom_json_int (job, "tasks", 0), loom_json_int (job, "done", 0), loom_json_int (job, "failed", 0));
  g_print (_("wall %.3f s, Σ task time %.3f s, speedup %.2f×, %" PRId64 " engines, efficiency %.0f%%"),
           loom_json_double (job, "wall_time", 0), loom_json_double (job, "serial_time", 0),
           loom_json_double (job, "speedup", 0), loom_json_int (job, "engines", 0),
           100 * loom_json_double (job, "efficiency", 0));
  /* The figures count the tasks that ran: say which did not. */
  if (loom_json_int (job, "never_ran", 0) > 0)
    {
      gint64 never = loom_json_int (job, "never_ran", 0);
      g_autofree char *n = g_strdup_printf ("%" PRId64, never);

      g_print (ngettext (" (over the tasks that ran; %s task never ran)", " (over the tasks that ran; %s tasks never ran)",
                         (gulong) never), n);
    }
  g_print ("\n");
  if ((status = loom_client_get_status (ctl.client, NULL)))
    loomctl_print_store (status);
  g_print ("\n");
  g_print ("%6s  %6s  %-8s %10s %10s  %s\n", "INDEX", "ENGINE", "STATUS", "START", "DURATION", "PARAMETERS → RESULT");
  if (!foreach_task (ctl.client, ctl.number, loom_job_info_get_n_tasks (info), print_task_row_cb, &created, &error))
    return loomctl_fail_with (error);
  return EXIT_OK;
}

int
cmd_abort (const Command *command,
           int            argc,
           char         **argv)
{
  g_auto(Loomctl) ctl = { LOOMCTL_JOB_ARGUMENT ("usage: loomctl abort JOB") };
  g_autoptr(GError) error = NULL;
  guint aborted, killing;
  int code;

  if ((code = loomctl_prologue (&ctl, command, NULL, &argc, &argv)) != EXIT_OK)
    return code;
  if (!loom_client_abort_job (ctl.client, ctl.number, &aborted, &killing, &error))
    return loomctl_fail (EXIT_USAGE, "job %u: %s (see “loomctl jobs”)", (guint) ctl.number, error->message);
  g_print (_("Job %u: %u queued tasks aborted, %u running tasks being killed\n"), (guint) ctl.number, aborted, killing);
  return EXIT_OK;
}
