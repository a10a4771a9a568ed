/* loom-export.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Job reports (loom_client_get_job_report()) as files other tools open:
 * Chrome trace events (one process per job, one thread per engine), CSV
 * (one row per task) and JSON.  The image formats of LoomExportFormat are
 * the timeline's (src/timeline), which needs GTK.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-enum-private.h"
#include "loom-enums.h"
#include "loom-error.h"
#include "loom-export.h"
#include "loom-json-private.h"

/**
 * loom_export_format_from_string:
 * @name: (nullable): a format's name: "chrome", "csv", "json", "png",
 *   "svg" or "pdf"
 * @format: (out): the format
 *
 * Returns: %TRUE if @name is a format
 */
gboolean
loom_export_format_from_string (const char       *name,
                                LoomExportFormat *format)
{
  gint value;

  g_return_val_if_fail (format != NULL, FALSE);

  if (!loom_enum_from_nick (LOOM_TYPE_EXPORT_FORMAT, name, &value))
    return FALSE;
  *format = value;
  return TRUE;
}

/**
 * loom_export_format_to_string:
 * @format: a #LoomExportFormat
 *
 * Returns: (transfer none): the format's name: "chrome", "csv", "json",
 *   "png", "svg" or "pdf"
 */
const char *
loom_export_format_to_string (LoomExportFormat format)
{
  return loom_enum_to_nick (LOOM_TYPE_EXPORT_FORMAT, format, "unknown");
}

/**
 * loom_export_format_is_image:
 * @format: a #LoomExportFormat
 *
 * Returns: %TRUE if @format is a picture of the timeline (PNG, SVG or PDF),
 *   which the timeline's drawing code makes, not loom_export_reports()
 */
gboolean
loom_export_format_is_image (LoomExportFormat format)
{
  switch (format)
    {
    case LOOM_EXPORT_PNG:
    case LOOM_EXPORT_SVG:
    case LOOM_EXPORT_PDF:
      return TRUE;

    case LOOM_EXPORT_CHROME:
    case LOOM_EXPORT_CSV:
    case LOOM_EXPORT_JSON:
    default:
      return FALSE;
    }
}

/**
 * loom_export_format_get_extension:
 * @format: a #LoomExportFormat
 *
 * Returns: (transfer none): the usual extension of a file in @format,
 *   without the dot: the format's name, but "json" for Chrome traces
 */
const char *
loom_export_format_get_extension (LoomExportFormat format)
{
  if (format == LOOM_EXPORT_CHROME)
    return loom_export_format_to_string (LOOM_EXPORT_JSON);
  return loom_export_format_to_string (format);
}

static gboolean
is_text_format (gint format)
{
  return !loom_export_format_is_image (format);
}

static JsonObject *
report_job (JsonNode *report)
{
  return loom_json_object (JSON_NODE_HOLDS_OBJECT (report) ? json_node_get_object (report) : NULL, "job");
}

static JsonArray *
report_tasks (JsonNode *report)
{
  return loom_json_array (JSON_NODE_HOLDS_OBJECT (report) ? json_node_get_object (report) : NULL, "tasks");
}

static JsonNode *
copy_member (JsonObject *obj,
             const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;
  return node ? json_node_copy (node) : json_node_new (JSON_NODE_NULL);
}

static char *
to_text (JsonNode *node,
         gboolean  pretty)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_pretty (gen, pretty);
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static char *
export_chrome (GPtrArray *reports)
{
  g_autoptr(JsonNode) root = NULL;
  JsonArray *events = json_array_new ();
  JsonObject *top = json_object_new ();

  for (guint r = 0; r < reports->len; r++)
    {
      JsonNode *report = g_ptr_array_index (reports, r);
      JsonObject *job = report_job (report);
      JsonArray *tasks = report_tasks (report);
      g_autoptr(GHashTable) threads = g_hash_table_new (NULL, NULL);
      gint64 pid = loom_json_int (job, "id", r + 1);
      g_autofree char *process = g_strdup_printf ("job %" G_GINT64_FORMAT ": %s (%s)", pid,
                                                  loom_json_string (job, "name", ""),
                                                  loom_json_string (job, "mode", "parallel"));
      JsonObject *meta = json_object_new ();
      JsonObject *args = json_object_new ();

      json_object_set_string_member (meta, "name", "process_name");
      json_object_set_string_member (meta, "ph", "M");
      json_object_set_int_member (meta, "pid", pid);
      json_object_set_string_member (args, "name", process);
      json_object_set_object_member (meta, "args", args);
      json_array_add_object_element (events, meta);

      for (guint i = 0; tasks && i < json_array_get_length (tasks); i++)
        {
          JsonObject *task = loom_json_array_object (tasks, i);
          gint64 engine = loom_json_int (task, "engine_id", -1);
          gint64 started = loom_json_int (task, "started", 0);
          gint64 completed = loom_json_int (task, "completed", 0);
          g_autofree char *name = NULL;
          JsonObject *ev, *ev_args;

          /* A task that never started (aborted in the queue) has no extent. */
          if (task == NULL || started <= 0 || engine < 0)
            continue;

          if (!g_hash_table_contains (threads, GINT_TO_POINTER ((gint) engine)))
            {
              g_autofree char *thread = g_strdup_printf ("engine %" G_GINT64_FORMAT, engine);
              JsonObject *tmeta = json_object_new ();
              JsonObject *targs = json_object_new ();

              g_hash_table_add (threads, GINT_TO_POINTER ((gint) engine));
              json_object_set_string_member (tmeta, "name", "thread_name");
              json_object_set_string_member (tmeta, "ph", "M");
              json_object_set_int_member (tmeta, "pid", pid);
              json_object_set_int_member (tmeta, "tid", engine);
              json_object_set_string_member (targs, "name", thread);
              json_object_set_object_member (tmeta, "args", targs);
              json_array_add_object_element (events, tmeta);
            }

          name = g_strdup_printf ("%s #%" G_GINT64_FORMAT, loom_json_string (job, "name", "task"),
                                  loom_json_int (task, "index", i));
          ev = json_object_new ();
          ev_args = json_object_new ();
          json_object_set_string_member (ev, "name", name);
          json_object_set_string_member (ev, "cat", loom_json_string (task, "status", "done"));
          json_object_set_string_member (ev, "ph", "X");
          json_object_set_int_member (ev, "ts", started);
          json_object_set_int_member (ev, "dur", MAX (0, completed - started));
          json_object_set_int_member (ev, "pid", pid);
          json_object_set_int_member (ev, "tid", engine);
          json_object_set_int_member (ev_args, "index", loom_json_int (task, "index", i));
          json_object_set_string_member (ev_args, "status", loom_json_string (task, "status", ""));
          json_object_set_member (ev_args, "params", copy_member (task, "params"));
          json_object_set_member (ev_args, "result", copy_member (task, "result"));
          json_object_set_member (ev_args, "error", copy_member (task, "error"));
          json_object_set_object_member (ev, "args", ev_args);
          json_array_add_object_element (events, ev);
        }
    }

  json_object_set_array_member (top, "traceEvents", events);
  json_object_set_string_member (top, "displayTimeUnit", "ms");
  root = json_node_init_object (json_node_alloc (), top);
  json_object_unref (top);
  return to_text (root, FALSE);
}

static void
csv_field (GString    *out,
           const char *text)
{
  if (strpbrk (text, ",\"\n\r") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static char *
value_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return loom_double_to_text (json_node_get_double (node));
  return to_text (node, FALSE);
}

static char *
export_csv (GPtrArray *reports)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  static const char *times[] = { "submitted", "dispatched", "started", "completed", "received" };
  GString *out = g_string_new (NULL);

  /* Parameter columns: every name any task has, in order of appearance. */
  for (guint r = 0; r < reports->len; r++)
    {
      JsonArray *tasks = report_tasks (g_ptr_array_index (reports, r));

      for (guint i = 0; tasks && i < json_array_get_length (tasks); i++)
        {
          JsonObject *params = loom_json_object (loom_json_array_object (tasks, i), "params");
          g_autoptr(GList) members = params ? json_object_get_members (params) : NULL;

          for (GList *l = members; l; l = l->next)
            if (g_hash_table_add (seen, l->data))
              g_ptr_array_add (names, l->data);
        }
    }

  g_string_append (out, "job,index");
  for (guint i = 0; i < names->len; i++)
    {
      g_string_append_c (out, ',');
      csv_field (out, g_ptr_array_index (names, i));
    }
  g_string_append (out, ",engine,status,submitted,dispatched,started,completed,received,duration,exit_status,result\n");

  for (guint r = 0; r < reports->len; r++)
    {
      JsonNode *report = g_ptr_array_index (reports, r);
      gint64 job = loom_json_int (report_job (report), "id", 0);
      JsonArray *tasks = report_tasks (report);

      for (guint i = 0; tasks && i < json_array_get_length (tasks); i++)
        {
          JsonObject *task = loom_json_array_object (tasks, i);
          JsonObject *params = loom_json_object (task, "params");
          gint64 started = loom_json_int (task, "started", 0);
          gint64 completed = loom_json_int (task, "completed", 0);
          g_autofree char *result = value_text (task ? json_object_get_member (task, "result") : NULL);
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          g_string_append_printf (out, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT, job, loom_json_int (task, "index", i));
          for (guint n = 0; n < names->len; n++)
            {
              g_autofree char *text = value_text (params ? json_object_get_member (params, g_ptr_array_index (names, n)) : NULL);
              g_string_append_c (out, ',');
              csv_field (out, text);
            }
          /* A task that never reached an engine: an empty field. */
          if (loom_json_int (task, "engine_id", -1) >= 0)
            g_string_append_printf (out, ",%" G_GINT64_FORMAT, loom_json_int (task, "engine_id", -1));
          else
            g_string_append_c (out, ',');
          g_string_append_printf (out, ",%s", loom_json_string (task, "status", ""));
          for (guint t = 0; t < G_N_ELEMENTS (times); t++)
            g_string_append_printf (out, ",%" G_GINT64_FORMAT, loom_json_int (task, times[t], 0));
          g_string_append_printf (out, ",%s,", started > 0 && completed >= started
                                  ? g_ascii_formatd (buf, sizeof buf, "%.6f", (completed - started) / 1e6) : "");
          if (loom_json_int (task, "exit_status", -1) >= 0)
            g_string_append_printf (out, "%" G_GINT64_FORMAT, loom_json_int (task, "exit_status", -1));
          g_string_append_c (out, ',');
          csv_field (out, result);
          g_string_append_c (out, '\n');
        }
    }

  return g_string_free (out, FALSE);
}

/**
 * loom_export_reports:
 * @reports: (element-type JsonNode): job reports from loom_client_get_job_report()
 * @format: what to write: a text format (not one that
 *   loom_export_format_is_image())
 * @error: return location for a #GError
 *
 * Writes job reports as Chrome trace events, CSV or JSON.  The image
 * formats are the timeline's drawing, which needs GTK: for them, and when
 * @reports is empty, this fails with %LOOM_ERROR_INVALID_ARGUMENT.
 *
 * Returns: (transfer full) (nullable): the file's text
 */
char *
loom_export_reports (GPtrArray         *reports,
                     LoomExportFormat   format,
                     GError           **error)
{
  g_return_val_if_fail (reports != NULL, NULL);

  if (loom_export_format_is_image (format))
    {
      g_autofree char *text_formats = loom_enum_choices (LOOM_TYPE_EXPORT_FORMAT, LOOM_ENUM_CHOICES_TRANSLATED,
                                                         -1, is_text_format);

      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("“%s” images are drawn by the timeline: loom_export_reports() writes %s"),
                   loom_export_format_to_string (format), text_formats);
      return NULL;
    }

  if (reports->len == 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("There is no job to export"));
      return NULL;
    }

  switch (format)
    {
    case LOOM_EXPORT_CHROME:
      return export_chrome (reports);

    case LOOM_EXPORT_CSV:
      return export_csv (reports);

    case LOOM_EXPORT_JSON:
      if (reports->len == 1)
        return to_text (g_ptr_array_index (reports, 0), TRUE);
      else
        {
          g_autoptr(JsonNode) root = NULL;
          JsonArray *array = json_array_new ();

          for (guint i = 0; i < reports->len; i++)
            json_array_add_element (array, json_node_copy (g_ptr_array_index (reports, i)));
          root = json_node_init_array (json_node_alloc (), array);
          json_array_unref (array);
          return to_text (root, TRUE);
        }

    default:
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("Unknown export format"));
      return NULL;
    }
}
