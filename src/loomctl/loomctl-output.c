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
