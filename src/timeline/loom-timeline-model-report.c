/* loom-timeline-model-report.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Filling a timeline model from a job report (loom_client_get_job_report()
 * or a saved one): the tasks that ran, in order of start, replayed as the
 * events the model takes from a live job, through its public API only.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom.h"
#include "loom-timeline-model.h"

typedef struct
{
  gint64         started;
  gint64         completed;
  guint          index;
  gint           engine_id;
  LoomTaskStatus status;
} ReportRow;

static gint
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const ReportRow *ra = a, *rb = b;

  return ra->started < rb->started ? -1 : ra->started > rb->started;
}

static LoomTaskStatus
status_from_string (const char *text)
{
  for (LoomTaskStatus s = LOOM_TASK_QUEUED; s <= LOOM_TASK_TIMEOUT; s++)
    if (g_strcmp0 (text, loom_task_status_to_string (s)) == 0)
      return s;
  return LOOM_TASK_FAILED;
}

/**
 * loom_timeline_model_add_report:
 * @self: a #LoomTimelineModel
 * @report: a job report, as loom_client_get_job_report() gives it
 * @error: return location for a #GError
 *
 * Adds the job and every task of it that ran.
 *
 * Returns: %TRUE, or %FALSE if @report is not a job report
 */
gboolean
loom_timeline_model_add_report (LoomTimelineModel  *self,
                                JsonNode           *report,
                                GError            **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (ReportRow));
  JsonObject *root, *job;
  JsonArray *tasks;
  gint64 zero = G_MAXINT64;
  guint slot;

  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (self), FALSE);

  if (report == NULL || !JSON_NODE_HOLDS_OBJECT (report) ||
      !(root = json_node_get_object (report)) ||
      !json_object_has_member (root, "job") || !json_object_has_member (root, "tasks") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "job")) ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "tasks")))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_PROTOCOL,
                   _("Not a job report: expected {\"job\": {…}, \"tasks\": […]}"));
      return FALSE;
    }
  job = json_object_get_object_member (root, "job");
  tasks = json_object_get_array_member (root, "tasks");

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonNode *node = json_array_get_element (tasks, i);
      JsonObject *task;
      ReportRow row;
      gint64 index;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      task = json_node_get_object (node);
      if (json_object_get_int_member_with_default (task, "submitted", 0) > 0)
        zero = MIN (zero, json_object_get_int_member_with_default (task, "submitted", 0));
      row.started = json_object_get_int_member_with_default (task, "started", 0);
      row.completed = json_object_get_int_member_with_default (task, "completed", 0);
      /* A task lost with its engine has no end but when that was noticed. */
      if (row.completed <= 0)
        row.completed = json_object_get_int_member_with_default (task, "received", 0);
      index = json_object_get_int_member_with_default (task, "index", i);
      if (index < 0 || index >= json_array_get_length (tasks))
        continue;   /* not a task of this report */
      row.index = index;
      row.engine_id = json_object_get_int_member_with_default (task, "engine_id", -1);
      row.status = status_from_string (json_object_get_string_member_with_default (task, "status", NULL));
      if (row.started > 0 && row.engine_id >= 0)
        g_array_append_val (rows, row);
    }
  g_array_sort (rows, compare_rows);

  if (zero == G_MAXINT64)
    zero = json_object_get_int_member_with_default (job, "created", 0);
  slot = loom_timeline_model_add_job (self,
                                      json_object_get_int_member_with_default (job, "id", -1),
                                      json_object_get_string_member_with_default (job, "name", NULL),
                                      g_strcmp0 (json_object_get_string_member_with_default (job, "mode", NULL), "serial") == 0
                                        ? LOOM_JOB_SERIAL : LOOM_JOB_PARALLEL,
                                      zero);
  for (guint i = 0; i < rows->len; i++)
    {
      ReportRow *row = &g_array_index (rows, ReportRow, i);

      if (loom_task_status_is_final (row->status))
        loom_timeline_model_task_finished (self, slot, row->index, row->engine_id, row->status,
                                           row->started, row->completed);
      else
        loom_timeline_model_task_started (self, slot, row->index, row->engine_id, row->started);
    }
  return TRUE;
}
