/* loomctl-output.c: what loomctl prints
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Results as Python would show them (the seed's `res.get()`), job reports,
 * JSON, the progress line and durations.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "loomctl-private.h"
#include "loom-json-private.h"

/* Python's repr of a JSON value, so results read like the seed's
 * `res.get()`: None/True/False, 'strings', (tuples) inside lists. */
void
loomctl_append_py (GString  *out,
                   JsonNode *node,
                   guint     depth)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_NULL:
      g_string_append (out, "None");
      break;

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "True" : "False");
        else if (type == G_TYPE_INT64)
          g_string_append_printf (out, "%" PRId64, json_node_get_int (node));
        else if (type == G_TYPE_DOUBLE)
          {
            g_autofree char *text = loom_double_to_text (json_node_get_double (node));

            g_strlcpy (buf, text, sizeof buf);
            g_string_append (out, buf);
            if (!strpbrk (buf, ".eEn"))
              g_string_append (out, ".0");
          }
        else
          {
            const char *s = json_node_get_string (node);
            g_string_append_c (out, '\'');
            for (const char *p = s; *p; p++)
              {
                if (*p == '\'' || *p == '\\')
                  g_string_append_c (out, '\\');
                if (*p == '\n')
                  g_string_append (out, "\\n");
                else
                  g_string_append_c (out, *p);
              }
            g_string_append_c (out, '\'');
          }
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, depth == 0 ? '[' : '(');
        for (guint i = 0; i < n; i++)
          {
            if (i)
              g_string_append (out, ", ");
            loomctl_append_py (out, json_array_get_element (array, i), depth + 1);
          }
        if (depth > 0 && n == 1)
          g_string_append_c (out, ',');
        g_string_append_c (out, depth == 0 ? ']' : ')');
      }
      break;

    case JSON_NODE_OBJECT:
      {
        JsonObject *obj = json_node_get_object (node);
        g_autoptr(GList) names = json_object_get_members (obj);
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        for (GList *l = names; l; l = l->next)
          {
            g_autoptr(JsonNode) key = json_node_new (JSON_NODE_VALUE);

            json_node_set_string (key, l->data);
            if (!first)
              g_string_append (out, ", ");
            first = FALSE;
            loomctl_append_py (out, key, depth + 1);
            g_string_append (out, ": ");
            loomctl_append_py (out, json_object_get_member (obj, l->data), depth + 1);
          }
        g_string_append_c (out, '}');
      }
      break;

    default:
      break;
    }
}

void
loomctl_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

char *
loomctl_params_text (JsonObject *task)
{
  g_autoptr(GString) out = g_string_new (NULL);
  JsonNode *params = json_object_get_member (task, "params");

  if (params && JSON_NODE_HOLDS_OBJECT (params))
    {
      g_autoptr(GList) names = json_object_get_members (json_node_get_object (params));
      for (GList *l = names; l; l = l->next)
        {
          g_autoptr(GString) value = g_string_new (NULL);
          loomctl_append_py (value, json_object_get_member (json_node_get_object (params), l->data), 1);
          g_string_append_printf (out, "%s%s=%s", out->len ? ", " : "", (char *) l->data, value->str);
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The first error writing standard output (a full disk, a closed pipe). */
static int stdout_errno;

/* Writes @len bytes to standard output, remembering why if it fails. */
void
loomctl_stdout_write (const void *data,
                      gsize       len)
{
  if (len > 0 && fwrite (data, 1, len, stdout) != len && stdout_errno == 0)
    stdout_errno = errno ? errno : EIO;
}

/* Flushes standard output.  Returns the first error writing it, or 0. */
int
loomctl_stdout_flush (void)
{
  if ((fflush (stdout) != 0 || ferror (stdout)) && stdout_errno == 0)
    stdout_errno = errno ? errno : EIO;
  return stdout_errno;
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
    fwrite (data, 1, len, f);
}

/* One line on stderr for each output of @task that was cut at its limit. */
static void
warn_truncated (JsonObject *task)
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
      g_printerr (_("loomctl: task %" PRId64 ": %s was cut at %" PRIu64 " bytes (%" PRId64 " more not kept); "
                    "raise --output-limit\n"),
                  loom_json_int (task, "index", 0), names[k],
                  (guint64) (kept ? g_bytes_get_size (kept) : 0), dropped);
    }
}

/* Prints a finished job: its results like res.get() (or each command's
 * stdout in order, unless @stdout_printed says a LoomctlOrderedPrinter
 * did that already), failures on stderr, and a line for each output cut
 * at its limit.  Returns the exit code. */
int
loomctl_print_report (JsonNode *report,
                      gboolean  json,
                      gboolean  command_output,
                      gboolean  stdout_printed)
{
  JsonObject *root = json_node_get_object (report);
  JsonArray *tasks = json_object_get_array_member (root, "tasks");
  g_autoptr(GString) out = g_string_new (NULL);
  guint failed = 0;

  if (json)
    loomctl_print_json (report);
  else if (command_output)
    {
      for (guint i = 0; i < json_array_get_length (tasks) && !stdout_printed; i++)
        write_output (stdout, json_array_get_object_element (tasks, i), "stdout");
      loomctl_stdout_flush ();
    }
  else
    {
      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (tasks); i++)
        {
          JsonObject *task = json_array_get_object_element (tasks, i);
          if (i)
            g_string_append (out, ", ");
          loomctl_append_py (out, json_object_get_member (task, "result"), 1);
        }
      g_string_append (out, "]\n");
      g_print ("%s", out->str);
    }

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonObject *task = json_array_get_object_element (tasks, i);
      const char *status = json_object_get_string_member (task, "status");
      JsonNode *err = json_object_get_member (task, "error");
      g_autofree char *params = NULL;
      g_autofree char *where = NULL;

      if (command_output)
        warn_truncated (task);
      if (g_str_equal (status, "done"))
        continue;
      failed++;
      params = loomctl_params_text (task);
      if (loom_json_int (task, "engine_id", -1) >= 0)
        where = g_strdup_printf ("on engine %" PRId64, loom_json_int (task, "engine_id", -1));
      else
        where = g_strdup ("before it reached an engine");
      g_printerr (_("loomctl: task %" PRId64 " (%s) %s %s: %s: %s\n"),
                  json_object_get_int_member (task, "index"), params, status, where,
                  err && JSON_NODE_HOLDS_OBJECT (err)
                    ? json_object_get_string_member_with_default (json_node_get_object (err), "type", "Error")
                    : "Error",
                  err && JSON_NODE_HOLDS_OBJECT (err)
                    ? json_object_get_string_member_with_default (json_node_get_object (err), "message", "")
                    : status);
      if (!json && command_output && !stdout_printed)
        {
          fflush (stderr);
          write_output (stderr, task, "stderr");
        }
    }

  if (failed > 0)
    {
      g_printerr (_("loomctl: %u of %u tasks did not succeed\n"), failed, json_array_get_length (tasks));
      return EXIT_TASKS_FAILED;
    }
  return EXIT_OK;
}

/* Where the cluster keeps its jobs, and how big that is. */
void
loomctl_print_store (LoomClusterStatus *status)
{
  if (loom_cluster_status_get_store_path (status))
    {
      g_autofree char *size = g_format_size (loom_cluster_status_get_store_size (status));

      g_print (_("Job store: %s (%s; “loomctl jobs purge” removes old jobs)\n"),
               loom_cluster_status_get_store_path (status), size);
    }
  else
    g_print (_("Job store: none (jobs are kept in memory only)\n"));
}

/* --- printing command output in input order as it comes ----------------- */

struct _LoomctlOrderedPrinter
{
  LoomAsyncResult *result;
  guint            next_index;
};

/* A printer of @result's command output: see loomctl_ordered_printer_poll(). */
LoomctlOrderedPrinter *
loomctl_ordered_printer_new (LoomAsyncResult *result)
{
  LoomctlOrderedPrinter *printer = g_new0 (LoomctlOrderedPrinter, 1);

  printer->result = g_object_ref (result);
  return printer;
}

void
loomctl_ordered_printer_free (LoomctlOrderedPrinter *printer)
{
  if (printer == NULL)
    return;
  g_clear_object (&printer->result);
  g_free (printer);
}

/* Writes to stdout, byte for byte, the output of every task that has
 * finished after all tasks before it (GNU Parallel's -k), from the first
 * not yet written; a task still running stops it until the next poll.
 * Returns TRUE once every task's output is written.  A LoomctlWaitTick. */
gboolean
loomctl_ordered_printer_poll (gpointer data)
{
  LoomctlOrderedPrinter *printer = data;
  guint n = loom_async_result_get_n_tasks (printer->result);
  gboolean wrote = FALSE;

  while (printer->next_index < n)
    {
      g_autoptr(LoomTaskInfo) info = NULL;
      LoomTaskInfo times;
      gsize len = 0;
      const void *bytes;

      /* The cheap look first: most polls find the next task running. */
      loom_async_result_get_task_times (printer->result, printer->next_index, &times);
      if (!loom_task_status_is_final (times.status))
        break;
      info = loom_async_result_get_task_info (printer->result, printer->next_index);
      bytes = info->stdout_bytes ? g_bytes_get_data (info->stdout_bytes, &len) : NULL;
      if (len > 0)
        {
          loomctl_stdout_write (bytes, len);
          wrote = TRUE;
        }
      /* Its stderr goes to stderr at the same moment, as GNU Parallel
       * groups a job's output. */
      len = 0;
      bytes = info->stderr_bytes ? g_bytes_get_data (info->stderr_bytes, &len) : NULL;
      if (len > 0)
        {
          if (wrote)
            loomctl_stdout_flush ();
          fwrite (bytes, 1, len, stderr);
          fflush (stderr);
        }
      printer->next_index++;
    }
  if (wrote)
    loomctl_stdout_flush ();
  return printer->next_index == n;
}

/* When a waiting command first looks for live engines, and how often. */
#define NO_ENGINE_FIRST_CHECK_USEC (2 * G_USEC_PER_SEC)
#define NO_ENGINE_CHECK_INTERVAL_USEC (5 * G_USEC_PER_SEC)

/* “3/10 done, 0 failed, 2 tasks/s, ETA 3.5 s”, over the previous line;
 * nothing while no task is known. */
static void
show_progress (guint  done,
               guint  failed,
               guint  total,
               double elapsed)
{
  double rate = elapsed > 0 ? done / elapsed : 0;
  char eta[32] = "?";

  if (total == 0)
    return;
  if (rate > 0)
    g_snprintf (eta, sizeof eta, "%.1f s", (total - done) / rate);
  g_printerr ("\r\033[K");
  g_printerr (_("%u/%u done, %u failed, %.0f tasks/s, ETA %s"), done, total, failed, rate, eta);
}

/* Erases the progress line, leaving the cursor where it began. */
static void
clear_progress (void)
{
  g_printerr ("\r\033[K");
}

/* Says on stderr when no engine of @client's cluster is alive to run the
 * @waiting tasks, rather than letting them wait in silence. */
static void
warn_if_no_engine (LoomClient *client,
                   guint       waiting)
{
  g_autoptr(LoomClusterStatus) status = loom_client_get_status (client, NULL);
  g_autofree char *option = NULL;
  GListModel *engines;
  const char *profile;

  if (status == NULL)
    return;
  engines = loom_cluster_status_get_engines (status);
  for (guint i = 0; i < g_list_model_get_n_items (engines); i++)
    {
      g_autoptr(LoomEngineInfo) e = g_list_model_get_item (engines, i);
      if (loom_engine_info_is_alive (e))
        return;
    }
  profile = loom_cluster_status_get_profile (status);
  option = g_strcmp0 (profile, "default") == 0 ? g_strdup ("") : g_strdup_printf (" --profile %s", profile);
  if (isatty (STDERR_FILENO))
    clear_progress ();
  g_printerr (_("loomctl: no live engine in cluster “%s”: %u tasks wait; start engines with “loomctl engines add N%s”\n"),
              profile, waiting, option);
}

static volatile sig_atomic_t interrupted_by;

static void
on_interrupt (int sig)
{
  interrupted_by = sig;
}

/* From now on SIGINT and SIGTERM only set a flag that the waiting loop
 * sees, so that the command can end cleanly (a private cluster stopped,
 * its files removed).  A second one ends loomctl at once. */
void
loomctl_catch_interrupts (void)
{
  struct sigaction action = { 0 };

  action.sa_handler = on_interrupt;
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
}

/* The signal caught since loomctl_catch_interrupts(), or 0. */
int
loomctl_interrupted (void)
{
  return interrupted_by;
}

/* Waits for @result, drawing a progress line on stderr when it is a
 * terminal, and returns FALSE if @timeout (seconds, < 0 for ever) passed
 * or, after loomctl_catch_interrupts(), loomctl_interrupted() says so.
 * With @client, says every few seconds when its cluster has no engine.
 * @tick (nullable) runs with @tick_data about five times a second and
 * once when the job is ready, with the progress line erased. */
gboolean
loomctl_wait_with_progress (LoomAsyncResult *result,
                            LoomClient      *client,
                            double           timeout,
                            LoomctlWaitTick  tick,
                            gpointer         tick_data)
{
  gboolean tty = isatty (STDERR_FILENO);
  gint64 begin = g_get_monotonic_time ();
  gint64 last_draw = 0;
  gint64 next_engine_check = begin + NO_ENGINE_FIRST_CHECK_USEC;

  for (;;)
    {
      double elapsed = (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
      double slice = 0.2;

      if (timeout >= 0)
        slice = MIN (slice, MAX (0, timeout - elapsed));
      if (loom_async_result_wait (result, slice))
        break;
      if (interrupted_by)
        {
          if (tty && last_draw)
            clear_progress ();
          return FALSE;
        }
      if (tick != NULL)
        {
          if (tty && last_draw)
            clear_progress ();
          tick (tick_data);
        }
      elapsed = (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
      if (timeout >= 0 && elapsed >= timeout)
        {
          if (tty && last_draw)
            clear_progress ();
          return FALSE;
        }
      if (client != NULL && g_get_monotonic_time () >= next_engine_check)
        {
          warn_if_no_engine (client, loom_async_result_get_n_tasks (result) - loom_async_result_get_progress (result));
          next_engine_check = g_get_monotonic_time () + NO_ENGINE_CHECK_INTERVAL_USEC;
        }
      /* Only jobs that take a while get a progress line. */
      if (tty && elapsed > 0.5)
        {
          show_progress (loom_async_result_get_progress (result), loom_async_result_get_n_failed (result),
                         loom_async_result_get_n_tasks (result), elapsed);
          last_draw = g_get_monotonic_time ();
        }
    }

  if (tty && last_draw)
    clear_progress ();
  if (tick != NULL)
    tick (tick_data);
  return TRUE;
}

/* 1.234 s, 12.3 ms or 123 µs. */
char *
loomctl_seconds_text (double s)
{
  if (s >= 1)
    return g_strdup_printf ("%.3f s", s);
  if (s >= 1e-3)
    return g_strdup_printf ("%.1f ms", s * 1e3);
  return g_strdup_printf ("%.0f µs", s * 1e6);
}
