/* loomctl-stream.c: a job's tasks printed as they come
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * map, run and get print each task as soon as every task before it is
 * printed, and keep nothing of it afterwards: memory is bounded by the
 * tasks finished out of order, not by the job.  The results read like the
 * seed's `res.get()` (or are each command's stdout), --json is the job
 * report written task by task (its "tasks" first, then its "job", whose
 * figures need every task), and --json-lines is one task per line.  What
 * goes to stderr about failed tasks waits for the end, as it always did.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "loomctl-private.h"
#include "loom-enum-private.h"
#include "loom-json-private.h"

/* Tasks asked for at once when reading a finished job. */
#define READ_PAGE_TASKS 1024

struct _LoomctlStream
{
  LoomctlFormat  format;
  gboolean       command_output;
  gboolean       live_stderr;  /* a command's stderr as its stdout is printed */
  guint          n_tasks;      /* printed so far */
  guint          n_failed;
  GString       *tail;         /* for stderr, after the results */
  JsonGenerator *generator;
};

/* A stream of tasks in @format; with @command_output, tasks are commands
 * whose stdout is printed (and with @live_stderr their stderr as well, at
 * the same moment, as GNU Parallel groups a job's output). */
LoomctlStream *
loomctl_stream_new (LoomctlFormat format,
                    gboolean      command_output,
                    gboolean      live_stderr)
{
  LoomctlStream *stream = g_new0 (LoomctlStream, 1);

  stream->format = format;
  stream->command_output = command_output;
  stream->live_stderr = live_stderr;
  stream->tail = g_string_new (NULL);
  stream->generator = json_generator_new ();
  return stream;
}

void
loomctl_stream_free (LoomctlStream *stream)
{
  if (stream == NULL)
    return;
  g_string_free (stream->tail, TRUE);
  g_object_unref (stream->generator);
  g_free (stream);
}

static void
write_string (const char *text)
{
  loomctl_stdout_write (text, strlen (text));
}

/* @node as JsonGenerator writes it, pretty or not; pretty, each line after
 * the first begins with @indent, as if it were nested that deep. */
static void
write_node (LoomctlStream *stream,
            JsonNode      *node,
            const char    *indent)
{
  g_autoptr(GString) text = g_string_new (NULL);

  json_generator_set_pretty (stream->generator, indent != NULL);
  json_generator_set_root (stream->generator, node);
  json_generator_to_gstring (stream->generator, text);
  /* Strings have their newlines escaped: every newline is the layout's. */
  if (indent != NULL)
    {
      g_autofree char *newline = g_strconcat ("\n", indent, NULL);
      g_string_replace (text, "\n", newline, 0);
    }
  loomctl_stdout_write (text->str, text->len);
}

/* Writes the bytes of a task's output @name ("stdout", "stderr") to @f
 * exactly, however the report carries them (see loom_json_output_bytes()). */
static void
write_output (FILE       *f,
              JsonObject *task,
              const char *name)
{
  g_autoptr(GBytes) bytes = loom_json_output_bytes (task, name);
  gsize len = 0;
  const void *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  if (f == stdout)
    loomctl_stdout_write (data, len);
  else if (len > 0)
    {
      loomctl_stdout_flush ();
      fwrite (data, 1, len, f);
      fflush (f);
    }
}

/* The task's output @name, for stderr after the results. */
static void
append_output (GString    *out,
               JsonObject *task,
               const char *name)
{
  g_autoptr(GBytes) bytes = loom_json_output_bytes (task, name);
  gsize len = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  g_string_append_len (out, data, len);
}

/* A line for each output of @task that was cut at its limit. */
static void
append_truncated (GString    *out,
                  JsonObject *task)
{
  static const char *names[] = { "stdout", "stderr" };

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autofree char *truncated_name = g_strconcat (names[k], "_truncated", NULL);
      gint64 dropped = loom_json_int (task, truncated_name, 0);
      g_autoptr(GBytes) kept = NULL;

      if (dropped <= 0)
        continue;
      kept = loom_json_output_bytes (task, names[k]);
      /* TRANSLATORS: %s is stdout or stderr */
      g_string_append_printf (out, _("loomctl: task %" PRId64 ": %s was cut at %" PRIu64 " bytes (%" PRId64 " more not kept); "
                                     "raise --output-limit\n"),
                              loom_json_int (task, "index", 0), names[k],
                              (guint64) (kept ? g_bytes_get_size (kept) : 0), dropped);
    }
}

/* The line that says why @task, which did not succeed, did not. */
static void
append_failure (GString    *out,
                JsonObject *task)
{
  JsonObject *err = loom_json_object (task, "error");
  const char *status = loom_json_string (task, "status", "unknown");
  g_autofree char *params = loomctl_params_text (task);
  g_autofree char *where = NULL;

  if (loom_json_int (task, "engine_id", -1) >= 0)
    where = g_strdup_printf ("on engine %" PRId64, loom_json_int (task, "engine_id", -1));
  else
    where = g_strdup ("before it reached an engine");
  g_string_append_printf (out, _("loomctl: task %" PRId64 " (%s) %s %s: %s: %s\n"),
                          loom_json_int (task, "index", 0), params, status, where,
                          err ? loom_json_string (err, "type", "Error") : "Error",
                          err ? loom_json_string (err, "message", "") : status);
}

/* What stderr says of @task after the results: outputs cut short, and
 * why it failed (with its stderr, unless that went out already). */
static void
note_task (LoomctlStream *stream,
           JsonObject    *task)
{
  if (stream->command_output)
    append_truncated (stream->tail, task);
  if (g_strcmp0 (loom_json_string (task, "status", NULL), "done") == 0)
    return;
  stream->n_failed++;
  append_failure (stream->tail, task);
  if (stream->format == LOOMCTL_FORMAT_PYTHON && stream->command_output && !stream->live_stderr)
    append_output (stream->tail, task, "stderr");
}

static void
print_python (LoomctlStream *stream,
              JsonObject    *task)
{
  g_autoptr(GString) out = g_string_new (stream->n_tasks == 0 ? "[" : ", ");
  JsonNode *result = json_object_get_member (task, "result");

  if (stream->command_output)
    {
      write_output (stdout, task, "stdout");
      if (stream->live_stderr)
        write_output (stderr, task, "stderr");
      return;
    }
  if (result != NULL)
    loomctl_append_py (out, result, 1);
  loomctl_stdout_write (out->str, out->len);
}

/* Prints @task, an object of a job report's "tasks", and notes what
 * stderr will say of it. */
void
loomctl_stream_task (LoomctlStream *stream,
                     JsonNode      *task)
{
  g_return_if_fail (JSON_NODE_HOLDS_OBJECT (task));

  switch (stream->format)
    {
    case LOOMCTL_FORMAT_PYTHON:
      print_python (stream, json_node_get_object (task));
      break;

    case LOOMCTL_FORMAT_JSON:
      write_string (stream->n_tasks == 0 ? "{\n  \"tasks\" : [\n    " : ",\n    ");
      write_node (stream, task, "    ");
      break;

    case LOOMCTL_FORMAT_JSON_LINES:
      write_node (stream, task, NULL);
      write_string ("\n");
      break;

    default:
      g_assert_not_reached ();
    }
  note_task (stream, json_node_get_object (task));
  stream->n_tasks++;
}

/* The end of the --json document: the job's summary and @extra's members. */
static void
finish_json (LoomctlStream *stream,
             JsonNode      *job,
             JsonObject    *extra)
{
  g_autoptr(GList) names = extra ? json_object_get_members (extra) : NULL;

  write_string (stream->n_tasks == 0 ? "{\n  \"tasks\" : [],\n  \"job\" : " : "\n  ],\n  \"job\" : ");
  write_node (stream, job, "  ");
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *name = g_strdup_printf (",\n  \"%s\" : ", (const char *) l->data);

      write_string (name);
      write_node (stream, json_object_get_member (extra, l->data), "  ");
    }
  write_string ("\n}\n");
}

/* Ends the output once every task is printed: closes the list or the
 * document (@job, the report's "job", and @extra's members (nullable) for
 * --json), then says on stderr which tasks failed.  Returns the exit code. */
int
loomctl_stream_finish (LoomctlStream *stream,
                       JsonNode      *job,
                       JsonObject    *extra)
{
  if (stream->format == LOOMCTL_FORMAT_JSON)
    finish_json (stream, job, extra);
  else if (stream->format == LOOMCTL_FORMAT_PYTHON && !stream->command_output)
    write_string (stream->n_tasks == 0 ? "[]\n" : "]\n");
  loomctl_stdout_flush ();

  fwrite (stream->tail->str, 1, stream->tail->len, stderr);
  g_string_truncate (stream->tail, 0);
  if (stream->n_failed > 0)
    {
      g_printerr (_("loomctl: %u of %u tasks did not succeed\n"), stream->n_failed, stream->n_tasks);
      return EXIT_TASKS_FAILED;
    }
  return EXIT_OK;
}

/* Leaves what was printed as it is when the job will not be finished
 * (Ctrl-C, --timeout): a list of results begun ends its line. */
void
loomctl_stream_stop (LoomctlStream *stream)
{
  if (stream->format == LOOMCTL_FORMAT_PYTHON && !stream->command_output && stream->n_tasks > 0)
    write_string ("\n");
  loomctl_stdout_flush ();
}

/* --- tasks from a result, as they finish -------------------------------- */

/* Prints every task of @result that has finished after all tasks before
 * it, from the first not printed yet, with its parameters from @sweep:
 * task i is the sweep's task indices[i] (guint64).  A result that keeps
 * no results (loom_async_result_set_keep_results()) then forgets them.
 * Returns TRUE once every task is printed. */
gboolean
loomctl_stream_poll_result (LoomctlStream   *stream,
                            LoomAsyncResult *result,
                            LoomSweep       *sweep,
                            GArray          *indices)
{
  guint n = loom_async_result_get_n_tasks (result);
  guint first = stream->n_tasks;

  while (stream->n_tasks < n)
    {
      guint64 index = g_array_index (indices, guint64, stream->n_tasks);
      g_autoptr(JsonNode) task = loom_async_result_steal_task_json (result, stream->n_tasks);
      JsonObject *obj;

      if (task == NULL)
        break;
      obj = json_node_get_object (task);
      json_object_set_int_member (obj, "index", index);
      json_object_set_member (obj, "params", loom_sweep_get_params (sweep, index));
      loomctl_stream_task (stream, task);
    }
  if (stream->n_tasks > first)
    loomctl_stdout_flush ();
  return stream->n_tasks == n;
}

/* The summary of job @job_id without its tasks' figures: one task is
 * read, not the whole job (which may not fit in a message). */
LoomJobInfo *
loomctl_job_summary (LoomClient  *client,
                     guint        job_id,
                     GError     **error)
{
  g_autoptr(JsonNode) page = NULL;
  LoomJobInfo *info = NULL;

  page = loom_client_read_job (client, job_id, 0, 1, NULL, &info, error);
  return page ? info : NULL;
}

/* The report's "job" of @result's job: the controller's summary, with the
 * figures counted from every task's times. */
JsonNode *
loomctl_stream_result_summary (LoomClient       *client,
                               LoomAsyncResult  *result,
                               GError          **error)
{
  g_autoptr(LoomJobInfo) info = NULL;

  if (!(info = loomctl_job_summary (client, loom_async_result_get_job_id (result), error)))
    return NULL;
  for (guint i = 0; i < loom_async_result_get_n_tasks (result); i++)
    {
      LoomTaskInfo times;

      loom_async_result_get_task_times (result, i, &times);
      loom_job_info_add_task_times (info, &times);
    }
  return loom_job_info_to_report_json (info);
}

/* --- a finished job from the controller, page by page ------------------- */

/* The engine, status and times of @task, an object of a report's "tasks". */
void
loomctl_task_times (JsonObject   *task,
                    LoomTaskInfo *times)
{
  gint status = LOOM_TASK_QUEUED;

  loom_enum_from_nick (LOOM_TYPE_TASK_STATUS, loom_json_string (task, "status", ""), &status);
  *times = (LoomTaskInfo) {
    .index = loom_json_int (task, "index", 0),
    .engine_id = loom_json_int (task, "engine_id", -1),
    .status = status,
    .attempts = loom_json_int (task, "attempts", 0),
    .submitted = loom_json_int (task, "submitted", 0),
    .dispatched = loom_json_int (task, "dispatched", 0),
    .started = loom_json_int (task, "started", 0),
    .completed = loom_json_int (task, "completed", 0),
    .received = loom_json_int (task, "received", 0),
  };
}

/* Prints every task of job @job_id, whose summary is @info, reading it
 * from the controller a page at a time; then ends the output.  Returns
 * the exit code. */
int
loomctl_stream_read_job (LoomctlStream *stream,
                         LoomClient    *client,
                         LoomJobInfo   *info,
                         JsonObject    *extra)
{
  g_autoptr(JsonNode) job = NULL;
  guint n = loom_job_info_get_n_tasks (info);
  guint first = 0;

  while (first < n)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) page = NULL;
      JsonArray *tasks;

      if (!(page = loom_client_read_job (client, loom_job_info_get_id (info), first, READ_PAGE_TASKS,
                                         &first, NULL, &error)))
        {
          loomctl_stream_stop (stream);
          return loomctl_fail_with (error);
        }
      tasks = json_node_get_array (page);
      for (guint i = 0; i < json_array_get_length (tasks); i++)
        {
          LoomTaskInfo times;

          loomctl_task_times (json_array_get_object_element (tasks, i), &times);
          loom_job_info_add_task_times (info, &times);
          loomctl_stream_task (stream, json_array_get_element (tasks, i));
        }
      loomctl_stdout_flush ();
    }
  job = loom_job_info_to_report_json (info);
  return loomctl_stream_finish (stream, job, extra);
}

/* The format --json and --json-lines ask for: one of them at most. */
int
loomctl_format_from_options (Loomctl       *ctl,
                             LoomctlFormat *format)
{
  if (ctl->json && ctl->json_lines)
    return loomctl_fail (EXIT_USAGE, _("--json and --json-lines do not go together: choose one"));
  if (ctl->json_lines)
    *format = LOOMCTL_FORMAT_JSON_LINES;
  else
    *format = ctl->json ? LOOMCTL_FORMAT_JSON : LOOMCTL_FORMAT_PYTHON;
  return EXIT_OK;
}
