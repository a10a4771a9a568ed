/* loomctl.c: the Loom command line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A thin layer over libloom: clusters (`cluster start|stop|status`,
 * `engines add|stop`), the seed workflow (`ids`, `map`, `run`, `ready`,
 * `get`) and the measurements (`bench`, `seed`).
 *
 * Exit codes: 0 every task succeeded, 1 some tasks failed (or another
 * runtime failure), 2 usage or input error, 3 no cluster / cannot connect.
 */

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "loom.h"
#include "loom-connection-private.h"
#include "loom-launcher-private.h"
#include "loom-protocol-private.h"
#if HAVE_TIMELINE_RENDER
#include "loom-timeline-render.h"
#endif

enum {
  EXIT_OK = 0,
  EXIT_TASKS_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_NO_CLUSTER = 3,
};

typedef struct _Command Command;
typedef int (*CommandFunc) (const Command *command, int argc, char **argv);

struct _Command
{
  const char  *name;
  CommandFunc  func;
  const char  *parameter;
  const char  *summary;
};

static const Command *find_command (const char *name);

/* --- helpers ------------------------------------------------------------- */

#define PROFILE_OPTION(var) \
  { "profile", 'p', 0, G_OPTION_ARG_STRING, &(var), "Cluster profile (default: default)", "NAME" }

static int
fail (int         code,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static int
fail (int         code,
      const char *format,
      ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("loomctl: %s\n", msg);
  return code;
}

static int
exit_code_for (const GError *error)
{
  if (error->domain == LOOM_ERROR &&
      (error->code == LOOM_ERROR_NO_CLUSTER || error->code == LOOM_ERROR_CONNECTION))
    return EXIT_NO_CLUSTER;
  if (error->domain == LOOM_ERROR && error->code == LOOM_ERROR_INVALID_ARGUMENT)
    return EXIT_USAGE;
  return EXIT_TASKS_FAILED;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  double pos;
  guint lo;

  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_doubles);
  pos = p * (values->len - 1);
  lo = (guint) pos;
  if (lo + 1 >= values->len)
    return g_array_index (values, double, values->len - 1);
  return g_array_index (values, double, lo) * (1 - (pos - lo)) +
         g_array_index (values, double, lo + 1) * (pos - lo);
}

static double
median (GArray *values)
{
  return percentile (values, 0.5);
}

static gboolean
parse_options (const Command  *command,
               GOptionEntry   *entries,
               int            *argc,
               char         ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *usage = g_strdup_printf ("%s", command->parameter ? command->parameter : "");

  /* “Usage: loomctl map [OPTION…] FUNCTION”, not the word alone. */
  {
    g_autofree char *prgname = g_strdup_printf ("loomctl %s", command->name);
    g_set_prgname (prgname);
  }
  context = g_option_context_new (usage);
  g_option_context_set_summary (context, _(command->summary));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("loomctl %s: %s (see “loomctl %s --help”)\n", command->name, error->message, command->name);
      return FALSE;
    }
  return TRUE;
}

static const char *
profile_or_default (const char *profile)
{
  return profile ? profile : "default";
}

static gboolean
check_profile (const char *profile)
{
  if (!loom_profile_name_is_valid (profile_or_default (profile)))
    {
      fail (EXIT_USAGE, "“%s” is not a valid profile name (letters, digits, “-”, “_”, “.”)", profile);
      return FALSE;
    }
  return TRUE;
}

static gboolean
cluster_file_exists (const char *profile)
{
  g_autofree char *path = loom_connection_path_for_profile (profile_or_default (profile));
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* Connects to the cluster of @profile, or explains what to do. */
static LoomClient *
connect_profile (const char *profile,
                 int        *code)
{
  g_autoptr(GError) error = NULL;
  LoomClient *client = loom_client_new_for_profile (profile_or_default (profile), &error);

  if (client == NULL)
    {
      if (g_error_matches (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER) && !cluster_file_exists (profile))
        *code = fail (EXIT_NO_CLUSTER, "no cluster for profile “%s”: run “loomctl cluster start -n 4%s%s”",
                      profile_or_default (profile), profile ? " --profile " : "", profile ? profile : "");
      else
        *code = fail (exit_code_for (error), "%s", error->message);
    }
  return client;
}

/* Python's repr of a JSON value, so results read like the seed's
 * `res.get()`: None/True/False, 'strings', (tuples) inside lists. */
static void
append_py (GString  *out,
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
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
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
            append_py (out, json_array_get_element (array, i), depth + 1);
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
            append_py (out, key, depth + 1);
            g_string_append (out, ": ");
            append_py (out, json_object_get_member (obj, l->data), depth + 1);
          }
        g_string_append_c (out, '}');
      }
      break;

    default:
      break;
    }
}

static void
print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

/* The name of an enum value: the nick of its GEnumClass. */
static const char *
loom_enum_nick (GType type,
                gint  value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);

  return v ? v->value_nick : "";
}

static char *
params_text (JsonObject *task)
{
  g_autoptr(GString) out = g_string_new (NULL);
  JsonNode *params = json_object_get_member (task, "params");

  if (params && JSON_NODE_HOLDS_OBJECT (params))
    {
      g_autoptr(GList) names = json_object_get_members (json_node_get_object (params));
      for (GList *l = names; l; l = l->next)
        {
          g_autoptr(GString) value = g_string_new (NULL);
          append_py (value, json_object_get_member (json_node_get_object (params), l->data), 1);
          g_string_append_printf (out, "%s%s=%s", out->len ? ", " : "", (char *) l->data, value->str);
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Prints a finished job: its results like res.get() (or each command's
 * stdout in order), failures on stderr.  Returns the exit code. */
static int
print_report (JsonNode *report,
              gboolean  json,
              gboolean  command_output)
{
  JsonObject *root = json_node_get_object (report);
  JsonArray *tasks = json_object_get_array_member (root, "tasks");
  g_autoptr(GString) out = g_string_new (NULL);
  guint failed = 0;

  if (json)
    print_json (report);
  else if (command_output)
    {
      for (guint i = 0; i < json_array_get_length (tasks); i++)
        {
          JsonObject *task = json_array_get_object_element (tasks, i);
          if (!json_object_get_null_member (task, "stdout"))
            g_print ("%s", json_object_get_string_member (task, "stdout"));
        }
    }
  else
    {
      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (tasks); i++)
        {
          JsonObject *task = json_array_get_object_element (tasks, i);
          if (i)
            g_string_append (out, ", ");
          append_py (out, json_object_get_member (task, "result"), 1);
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

      if (g_str_equal (status, "done"))
        continue;
      failed++;
      params = params_text (task);
      g_printerr ("loomctl: task %" G_GINT64_FORMAT " (%s) %s on engine %" G_GINT64_FORMAT ": %s: %s\n",
                  json_object_get_int_member (task, "index"), params, status,
                  json_object_get_int_member (task, "engine_id"),
                  err && JSON_NODE_HOLDS_OBJECT (err)
                    ? json_object_get_string_member_with_default (json_node_get_object (err), "type", "Error")
                    : "Error",
                  err && JSON_NODE_HOLDS_OBJECT (err)
                    ? json_object_get_string_member_with_default (json_node_get_object (err), "message", "")
                    : status);
      if (!json_object_get_null_member (task, "stderr") && !json && command_output &&
          *json_object_get_string_member (task, "stderr"))
        g_printerr ("%s", json_object_get_string_member (task, "stderr"));
    }

  if (failed > 0)
    {
      g_printerr ("loomctl: %u of %u tasks did not succeed\n", failed, json_array_get_length (tasks));
      return EXIT_TASKS_FAILED;
    }
  return EXIT_OK;
}

/* --- progress ------------------------------------------------------------ */

static void
show_progress (guint  done,
               guint  failed,
               guint  total,
               double elapsed,
               gboolean final)
{
  double rate = elapsed > 0 ? done / elapsed : 0;
  char eta[32] = "?";

  if (rate > 0)
    g_snprintf (eta, sizeof eta, "%.1f s", (total - done) / rate);
  g_printerr ("\r\033[K%u/%u done, %u failed, %.0f tasks/s, ETA %s", done, total, failed, rate, eta);
  if (final)
    g_printerr ("\r\033[K");
}

/* Waits for @result, drawing a progress line on stderr when it is a
 * terminal, and returns FALSE if @timeout (seconds, < 0 for ever) passed. */
static gboolean
wait_with_progress (LoomAsyncResult *result,
                    double           timeout)
{
  gboolean tty = isatty (STDERR_FILENO);
  gint64 begin = g_get_monotonic_time ();
  gint64 last_draw = 0;

  for (;;)
    {
      double elapsed = (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
      double slice = 0.2;

      if (timeout >= 0)
        slice = MIN (slice, MAX (0, timeout - elapsed));
      if (loom_async_result_wait (result, slice))
        break;
      elapsed = (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
      if (timeout >= 0 && elapsed >= timeout)
        {
          if (tty && last_draw)
            show_progress (0, 0, 0, 0, TRUE);
          return FALSE;
        }
      /* Only jobs that take a while get a progress line. */
      if (tty && elapsed > 0.5)
        {
          show_progress (loom_async_result_get_progress (result), loom_async_result_get_n_failed (result),
                         loom_async_result_get_n_tasks (result), elapsed, FALSE);
          last_draw = g_get_monotonic_time ();
        }
    }

  if (tty && last_draw)
    show_progress (0, 0, 0, 0, TRUE);
  return TRUE;
}

/* --- clusters ------------------------------------------------------------ */

static void
kill_procs (GPtrArray *procs)
{
  for (guint i = 0; procs && i < procs->len; i++)
    {
      GSubprocess *proc = g_ptr_array_index (procs, i);
      if (g_subprocess_get_identifier (proc) != NULL)
        {
          g_subprocess_force_exit (proc);
          g_subprocess_wait (proc, NULL, NULL);
        }
    }
}

static char *
tail_of_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, NULL) || len == 0)
    return g_strdup ("");
  g_strchomp (data);
  {
    const char *last = strrchr (data, '\n');
    return g_strdup (last ? last + 1 : data);
  }
}

static gboolean
pid_alive (gint64 pid)
{
  g_autofree char *stat_path = NULL;
  g_autofree char *stat = NULL;
  const char *state;

  if (pid <= 0 || (kill ((pid_t) pid, 0) != 0 && errno == ESRCH))
    return FALSE;
  /* An exited process whose parent has not reaped it yet is not alive. */
  stat_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  if (g_file_get_contents (stat_path, &stat, NULL, NULL) && (state = strrchr (stat, ')')) != NULL)
    return !(state[1] == ' ' && (state[2] == 'Z' || state[2] == 'X'));
  return TRUE;
}

static gboolean
wait_pid_gone (gint64 pid,
               double timeout)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);

  while (pid_alive (pid))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (10 * 1000);
    }
  return TRUE;
}

static int
cmd_cluster_start (const Command *command,
                   int            argc,
                   char         **argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) procs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSubprocess) controller = NULL;
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *ip = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *controller_log = NULL;
  int n_engines = 0;
  int hwm = 1;
  LoomScheme parsed;
  gint64 begin = g_get_monotonic_time ();
  gint64 deadline;
  GOptionEntry entries[] = {
    { "engines", 'n', 0, G_OPTION_ARG_INT, &n_engines, "Engines to start (default: one per CPU)", "N" },
    PROFILE_OPTION (profile),
    { "scheme", 0, 0, G_OPTION_ARG_STRING, &scheme, "Scheduler: leastload (default), lru or random", "SCHEME" },
    { "hwm", 0, 0, G_OPTION_ARG_INT, &hwm, "Tasks an engine may hold at once (default 1; more for tiny tasks)", "K" },
    { "ip", 0, 0, G_OPTION_ARG_STRING, &ip, "Listen on this address over TCP, for remote engines (default: local ipc://)", "ADDR" },
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv))
    return EXIT_USAGE;
  if (!check_profile (profile))
    return EXIT_USAGE;
  if (n_engines < 0 || hwm < 1)
    return fail (EXIT_USAGE, "--engines must be ≥ 1 and --hwm ≥ 1");
  if (scheme && !loom_scheme_from_string (scheme, &parsed))
    return fail (EXIT_USAGE, "unknown scheme “%s”: use leastload, lru or random", scheme);
  if (n_engines == 0)
    n_engines = g_get_num_processors ();

  if (cluster_file_exists (profile))
    {
      g_autoptr(LoomClient) existing = loom_client_new_for_profile (profile_or_default (profile), NULL);
      if (existing != NULL)
        return fail (EXIT_TASKS_FAILED, "a cluster is already running for profile “%s”: stop it with “loomctl cluster stop%s%s”",
                     profile_or_default (profile), profile ? " --profile " : "", profile ? profile : "");
    }

  state_dir = loom_state_dir (profile_or_default (profile));
  controller_log = g_build_filename (state_dir, "controller.log", NULL);
  g_ptr_array_add (args, g_strdup ("--profile"));
  g_ptr_array_add (args, g_strdup (profile_or_default (profile)));
  g_ptr_array_add (args, g_strdup_printf ("--hwm=%d", hwm));
  if (scheme)
    g_ptr_array_add (args, g_strdup_printf ("--scheme=%s", scheme));
  if (ip)
    g_ptr_array_add (args, g_strdup_printf ("--ip=%s", ip));
  g_ptr_array_add (args, NULL);

  controller = loom_launch_controller ((const char * const *) args->pdata, controller_log, &error);
  if (controller == NULL)
    return fail (EXIT_TASKS_FAILED, "%s", error->message);

  /* The controller is up once its connection file answers. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (client == NULL)
    {
      if (g_subprocess_get_identifier (controller) == NULL)
        {
          g_autofree char *why = tail_of_file (controller_log);
          return fail (EXIT_TASKS_FAILED, "the controller exited at start: %s (log: %s)", why, controller_log);
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_subprocess_force_exit (controller);
          return fail (EXIT_TASKS_FAILED, "the controller did not answer within 10 s (log: %s)", controller_log);
        }
      if (cluster_file_exists (profile))
        client = loom_client_new_for_profile (profile_or_default (profile), NULL);
      if (client == NULL)
        g_usleep (5 * 1000);
    }

  {
    LoomEngineLaunch launch = {
      .connection_file = loom_client_get_connection_file (client),
      .log_dir = state_dir,
      .detached = TRUE,
    };

    if (!loom_launch_engines (&launch, n_engines, procs, &error) ||
        !loom_wait_for_engines (client, n_engines, procs, 30, state_dir, &error))
      {
        loom_client_shutdown (client, NULL);
        loom_client_close (client);
        wait_pid_gone (atoi (g_subprocess_get_identifier (controller) ?: "0"), 5);
        kill_procs (procs);
        if (g_subprocess_get_identifier (controller))
          g_subprocess_force_exit (controller);
        return fail (EXIT_TASKS_FAILED, "cluster “%s” did not come up: %s; nothing was left running (logs: %s)",
                     profile_or_default (profile), error->message, state_dir);
      }
  }

  g_print ("Cluster “%s” started: %d engines in %.2f s\n", profile_or_default (profile), n_engines,
           (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);
  g_print ("Connection file: %s\n", loom_client_get_connection_file (client));
  g_print ("Logs: %s\n", state_dir);
  return EXIT_OK;
}

static int
cmd_cluster_stop (const Command *command,
                  int            argc,
                  char         **argv)
{
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *file = NULL;
  g_autoptr(GArray) engine_pids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 controller_pid;
  GListModel *engines;
  int code = 0;
  GOptionEntry entries[] = {
    PROFILE_OPTION (profile),
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv) || !check_profile (profile))
    return EXIT_USAGE;
  if (!(client = connect_profile (profile, &code)))
    return code;
  if (!(status = loom_client_get_status (client, &error)))
    return fail (exit_code_for (error), "%s", error->message);

  file = g_strdup (loom_client_get_connection_file (client));
  controller_pid = loom_cluster_status_get_pid (status);
  engines = loom_cluster_status_get_engines (status);
  for (guint i = 0; i < g_list_model_get_n_items (engines); i++)
    {
      g_autoptr(LoomEngineInfo) e = g_list_model_get_item (engines, i);
      gint64 pid = loom_engine_info_get_pid (e);

      if (loom_engine_info_is_alive (e) && g_strcmp0 (loom_engine_info_get_host (e), g_get_host_name ()) == 0)
        g_array_append_val (engine_pids, pid);
    }

  if (!loom_client_shutdown (client, &error))
    return fail (exit_code_for (error), "%s", error->message);
  loom_client_close (client);

  /* The controller stops its engines and removes its file; make sure. */
  if (!wait_pid_gone (controller_pid, 10))
    {
      kill ((pid_t) controller_pid, SIGTERM);
      if (!wait_pid_gone (controller_pid, 2))
        kill ((pid_t) controller_pid, SIGKILL);
    }
  for (guint i = 0; i < engine_pids->len; i++)
    {
      gint64 pid = g_array_index (engine_pids, gint64, i);
      if (!wait_pid_gone (pid, 3))
        kill ((pid_t) pid, SIGKILL);
    }
  if (g_file_test (file, G_FILE_TEST_EXISTS))
    g_unlink (file);

  g_print ("Cluster “%s” stopped (controller pid %" G_GINT64_FORMAT ", %u engines)\n",
           profile_or_default (profile), controller_pid, engine_pids->len);
  return EXIT_OK;
}

static int
cmd_cluster_status (const Command *command,
                    int            argc,
                    char         **argv)
{
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  gboolean json = FALSE;
  const char * const *reasons;
  GListModel *engines;
  int code = 0;
  GOptionEntry entries[] = {
    PROFILE_OPTION (profile),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the status as JSON", NULL },
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv) || !check_profile (profile))
    return EXIT_USAGE;
  if (!(client = connect_profile (profile, &code)))
    return code;
  if (!(status = loom_client_get_status (client, &error)))
    return fail (exit_code_for (error), "%s", error->message);

  if (json)
    {
      g_autoptr(JsonNode) node = loom_cluster_status_to_json (status);
      print_json (node);
      return EXIT_OK;
    }

  g_print ("Cluster “%s”: controller pid %" G_GINT64_FORMAT " on %s, scheme %s, hwm %u\n",
           loom_cluster_status_get_profile (status), loom_cluster_status_get_pid (status),
           loom_cluster_status_get_host (status), loom_scheme_to_string (loom_cluster_status_get_scheme (status)),
           loom_cluster_status_get_hwm (status));
  g_print ("Connection file: %s\n", loom_client_get_connection_file (client));
  g_print ("Jobs: %u, tasks queued %u, running %u, finished %" G_GUINT64_FORMAT "\n",
           loom_cluster_status_get_n_jobs (status), loom_cluster_status_get_n_queued (status),
           loom_cluster_status_get_n_running (status), loom_cluster_status_get_tasks_finished (status));
  g_print ("Dropped messages:");
  reasons = loom_cluster_status_get_drop_reasons (status);
  for (guint i = 0; reasons[i]; i++)
    g_print (" %s %" G_GUINT64_FORMAT, reasons[i], loom_cluster_status_get_dropped (status, reasons[i]));
  g_print ("\n\n%4s  %-16s %8s  %-8s %10s %6s  %s\n", "ID", "HOST", "PID", "STATE", "DONE", "BUSY", "LOG");
  engines = loom_cluster_status_get_engines (status);
  for (guint i = 0; i < g_list_model_get_n_items (engines); i++)
    {
      g_autoptr(LoomEngineInfo) e = g_list_model_get_item (engines, i);
      const char *log = loom_engine_info_get_log (e);

      g_print ("%4u  %-16s %8" G_GINT64_FORMAT "  %-8s %10" G_GUINT64_FORMAT " %5.1f%%  %s\n",
               loom_engine_info_get_id (e), loom_engine_info_get_host (e), loom_engine_info_get_pid (e),
               loom_engine_state_to_string (loom_engine_info_get_state (e)), loom_engine_info_get_tasks_done (e),
               100 * loom_engine_info_get_busy_fraction (e), log ? log : "-");
    }
  return EXIT_OK;
}

static int
cmd_engines_add (const Command *command,
                 int            argc,
                 char         **argv)
{
  g_autoptr(GPtrArray) procs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *state_dir = NULL;
  gint64 begin = g_get_monotonic_time ();
  guint64 n;
  int code = 0;
  GOptionEntry entries[] = {
    PROFILE_OPTION (profile),
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv) || !check_profile (profile))
    return EXIT_USAGE;
  if (argc != 2 || !g_ascii_string_to_unsigned (argv[1], 10, 1, 1024, &n, NULL))
    return fail (EXIT_USAGE, "usage: loomctl engines add N (1 to 1024)");
  if (!(client = connect_profile (profile, &code)))
    return code;
  if (!(ids = loom_client_get_ids (client, &error)))
    return fail (exit_code_for (error), "%s", error->message);

  state_dir = loom_state_dir (profile_or_default (profile));
  {
    LoomEngineLaunch launch = {
      .connection_file = loom_client_get_connection_file (client),
      .log_dir = state_dir,
      .detached = TRUE,
    };

    if (!loom_launch_engines (&launch, n, procs, &error) ||
        !loom_wait_for_engines (client, ids->len + n, procs, 30, state_dir, &error))
      {
        kill_procs (procs);
        return fail (EXIT_TASKS_FAILED, "%s (logs: %s)", error->message, state_dir);
      }
  }

  g_print ("Added %" G_GUINT64_FORMAT " engines in %.2f s; %" G_GUINT64_FORMAT " running\n", n,
           (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC, ids->len + n);
  return EXIT_OK;
}

static int
cmd_engines_stop (const Command *command,
                  int            argc,
                  char         **argv)
{
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  guint64 id;
  int code = 0;
  GOptionEntry entries[] = {
    PROFILE_OPTION (profile),
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv) || !check_profile (profile))
    return EXIT_USAGE;
  if (argc != 2 || !g_ascii_string_to_unsigned (argv[1], 10, 0, G_MAXINT, &id, NULL))
    return fail (EXIT_USAGE, "usage: loomctl engines stop ID");
  if (!(client = connect_profile (profile, &code)))
    return code;
  if (!loom_client_stop_engine (client, id, &error))
    return fail (EXIT_USAGE, "cannot stop engine %" G_GUINT64_FORMAT ": %s (see “loomctl cluster status”)",
                 id, error->message);
  g_print ("Engine %" G_GUINT64_FORMAT " told to stop\n", id);
  return EXIT_OK;
}

/* `loomctl cluster start` and friends: a word, then its own options. */
static int
dispatch_group (const char *group,
                int         argc,
                char      **argv)
{
  g_autofree char *full = NULL;
  const Command *command;

  if (argc < 2 || g_str_has_prefix (argv[1], "-"))
    {
      g_printerr ("loomctl %s: say what to do: ", group);
      if (g_str_equal (group, "cluster"))
        g_printerr ("loomctl cluster start|stop|status\n");
      else
        g_printerr ("loomctl engines add N | loomctl engines stop ID\n");
      return EXIT_USAGE;
    }
  full = g_strdup_printf ("%s %s", group, argv[1]);
  if (!(command = find_command (full)))
    return fail (EXIT_USAGE, "unknown command “%s” (see “loomctl --help”)", full);
  return command->func (command, argc - 1, argv + 1);
}


static int
cmd_ids (const Command *command,
         int            argc,
         char         **argv)
{
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_autoptr(GString) out = g_string_new ("[");
  int code = 0;
  GOptionEntry entries[] = {
    PROFILE_OPTION (profile),
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv) || !check_profile (profile))
    return EXIT_USAGE;
  if (!(client = connect_profile (profile, &code)))
    return code;
  if (!(ids = loom_client_get_ids (client, &error)))
    return fail (exit_code_for (error), "%s", error->message);
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (out, "%s%u", i ? ", " : "", g_array_index (ids, guint, i));
  g_print ("%s]\n", out->str);
  return EXIT_OK;
}

/* --- map and run --------------------------------------------------------- */

typedef struct
{
  char     *profile;
  char    **args;
  char    **sweeps;
  int       n_engines;
  gboolean  async;
  gboolean  json;
  gboolean  serial;
  double    timeout;
  int       hwm;
  int       retries;
  char     *scheme;
  /* run */
  char     *cwd;
  char    **env;
  double    task_timeout;
  char     *results;
  char     *joblog;
  gboolean  resume;
  gboolean  retry_failed;
  gboolean  dry_run;
  gboolean  force;
  char     *zip;
  char    **csv;
  gboolean  shuffle;
  guint64   shuffle_seed;
} MapOptions;

static MapOptions *parsing_options;

static void
map_options_clear (MapOptions *o)
{
  g_free (o->profile);
  g_strfreev (o->args);
  g_strfreev (o->sweeps);
  g_free (o->cwd);
  g_strfreev (o->env);
  g_free (o->results);
  g_free (o->joblog);
  g_free (o->zip);
  g_free (o->scheme);
  g_strfreev (o->csv);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MapOptions, map_options_clear)

/* The client of the profile's cluster or, with none running, of a private
 * cluster started for this command (@cluster keeps it alive). */
static LoomClient *
acquire_client (MapOptions   *o,
                LoomCluster **cluster,
                LoomClient  **owned,
                int          *code)
{
  g_autoptr(GError) error = NULL;

  if (cluster_file_exists (o->profile))
    {
      *owned = connect_profile (o->profile, code);
      return *owned;
    }
  if (o->async)
    {
      *code = fail (EXIT_NO_CLUSTER, "no cluster for profile “%s”: --async needs one that outlives this command; "
                    "run “loomctl cluster start -n 4%s%s”", profile_or_default (o->profile),
                    o->profile ? " --profile " : "", o->profile ? o->profile : "");
      return NULL;
    }

  /* The embedded default: a private cluster for this one command. */
  *cluster = loom_cluster_new (NULL);
  loom_controller_set_hwm (loom_cluster_get_controller (*cluster), MAX (o->hwm, 1));
  if (!loom_cluster_start (*cluster, o->n_engines, &error))
    {
      *code = fail (EXIT_NO_CLUSTER, "cannot start a private cluster: %s", error->message);
      return NULL;
    }
  if (isatty (STDERR_FILENO))
    g_printerr ("loomctl: no cluster for profile “%s”; running on a private one of %u engines\n",
                profile_or_default (o->profile),
                o->n_engines ? (guint) o->n_engines : g_get_num_processors ());
  return loom_cluster_get_client (*cluster);
}

static LoomSweep *
build_sweep (MapOptions  *o,
             GError     **error)
{
  g_autoptr(LoomSweep) sweep = loom_sweep_new ();

  for (guint i = 0; o->args && o->args[i]; i++)
    if (!loom_sweep_add_constant (sweep, o->args[i], error))
      return NULL;
  for (guint i = 0; o->sweeps && o->sweeps[i]; i++)
    if (!loom_sweep_add_spec (sweep, o->sweeps[i], error))
      return NULL;
  for (guint i = 0; o->csv && o->csv[i]; i++)
    if (!loom_sweep_add_csv (sweep, o->csv[i], error))
      return NULL;
  if (o->zip && !loom_sweep_set_zip (sweep, o->zip, error))
    return NULL;
  if (o->shuffle)
    {
      loom_sweep_set_shuffle (sweep, o->shuffle_seed);
      if (isatty (STDERR_FILENO))
        g_printerr ("loomctl: shuffled with seed %" G_GUINT64_FORMAT " (--shuffle=%" G_GUINT64_FORMAT " repeats it)\n",
                    o->shuffle_seed, o->shuffle_seed);
    }
  return g_steal_pointer (&sweep);
}

/* Which tasks of the sweep to run: all, or those a joblog does not record
 * as done (--resume: any row; --retry-failed: rows with exit value 0). */
static GArray *
select_indices (MapOptions  *o,
                guint64      count,
                GError     **error)
{
  g_autoptr(GHashTable) skip = g_hash_table_new (NULL, NULL);
  GArray *indices = g_array_new (FALSE, FALSE, sizeof (guint64));

  if ((o->resume || o->retry_failed) && o->joblog && g_file_test (o->joblog, G_FILE_TEST_EXISTS))
    {
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (o->joblog, &text, NULL, error))
        {
          g_array_unref (indices);
          return NULL;
        }
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 1; lines[i]; i++)
        {
          g_auto(GStrv) cols = g_strsplit (lines[i], "\t", 9);
          guint64 seq;

          if (g_strv_length (cols) < 9 || !g_ascii_string_to_unsigned (cols[0], 10, 1, G_MAXUINT32, &seq, NULL))
            continue;
          if (o->resume || g_str_equal (cols[6], "0"))
            g_hash_table_add (skip, GSIZE_TO_POINTER (seq - 1));
        }
    }

  for (guint64 i = 0; i < count; i++)
    if (!g_hash_table_contains (skip, GSIZE_TO_POINTER (i)))
      g_array_append_val (indices, i);
  return indices;
}

static GBytes *
lines_for (LoomSweep *sweep,
           GArray    *indices)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < indices->len; i++)
    {
      g_autoptr(JsonNode) params = loom_sweep_get_params (sweep, g_array_index (indices, guint64, i));

      if (i > 0)
        g_string_append_c (out, '\n');
      json_generator_set_root (gen, params);
      json_generator_to_gstring (gen, out);
    }
  return g_string_free_to_bytes (out);
}

static char *
command_line (char     **argv,
              JsonNode  *params)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; argv && argv[i]; i++)
    {
      g_autofree char *arg = loom_command_expand (argv[i], params, NULL);
      g_string_append_printf (out, "%s%s", i ? " " : "", arg ? arg : argv[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* --results DIR and --joblog FILE, as GNU Parallel writes them. */
static gboolean
write_command_records (MapOptions  *o,
                       char       **argv,
                       JsonNode    *report,
                       GArray      *indices,
                       GError     **error)
{
  JsonArray *tasks = loom_json_array (json_node_get_object (report), "tasks");
  g_autoptr(GString) log = g_string_new (NULL);

  if (o->joblog && !g_file_test (o->joblog, G_FILE_TEST_EXISTS))
    g_string_append (log, "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n");

  for (guint i = 0; tasks && i < json_array_get_length (tasks); i++)
    {
      JsonObject *task = loom_json_array_object (tasks, i);
      guint64 seq = g_array_index (indices, guint64, loom_json_int (task, "index", i)) + 1;
      const char *out = loom_json_string (task, "stdout", "");
      const char *err = loom_json_string (task, "stderr", "");
      gint64 exit_status = loom_json_int (task, "exit_status", -1);
      gint64 started = loom_json_int (task, "started", 0);
      gint64 completed = loom_json_int (task, "completed", 0);
      char start_text[G_ASCII_DTOSTR_BUF_SIZE], runtime[G_ASCII_DTOSTR_BUF_SIZE];

      if (o->results)
        {
          g_autofree char *dir = g_strdup_printf ("%s/%" G_GUINT64_FORMAT, o->results, seq - 1);
          g_autofree char *out_path = g_build_filename (dir, "stdout", NULL);
          g_autofree char *err_path = g_build_filename (dir, "stderr", NULL);
          g_autofree char *exit_path = g_build_filename (dir, "exit_status", NULL);
          g_autofree char *exit_text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", exit_status);

          if (g_mkdir_with_parents (dir, 0755) != 0)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s: %s", dir, g_strerror (errno));
              return FALSE;
            }
          if (!g_file_set_contents (out_path, out, -1, error) ||
              !g_file_set_contents (err_path, err, -1, error) ||
              !g_file_set_contents (exit_path, exit_text, -1, error))
            return FALSE;
        }

      if (o->joblog)
        {
          g_autofree char *cmd = command_line (argv, json_object_get_member (task, "params"));
          const char *status = loom_json_string (task, "status", "");

          g_ascii_formatd (start_text, sizeof start_text, "%.3f", started / 1e6);
          g_ascii_formatd (runtime, sizeof runtime, "%.3f", started > 0 && completed >= started ? (completed - started) / 1e6 : 0);
          g_string_append_printf (log, "%" G_GUINT64_FORMAT "\t%s\t%s\t%s\t0\t%zu\t%" G_GINT64_FORMAT "\t%d\t%s\n",
                                  seq, g_get_host_name (), start_text, runtime, strlen (out),
                                  exit_status >= 0 ? exit_status : (gint64) 255,
                                  exit_status < 0 && g_str_equal (status, "failed") ? 9 : 0, cmd);
        }
    }

  if (o->joblog && log->len > 0)
    {
      FILE *f = fopen (o->joblog, "a");
      if (f == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s: %s", o->joblog, g_strerror (errno));
          return FALSE;
        }
      fputs (log->str, f);
      fclose (f);
    }
  return TRUE;
}

static int
submit_and_wait (MapOptions   *o,
                 LoomTaskSpec *spec,
                 char        **argv)
{
  g_autoptr(LoomSweep) sweep = NULL;
  g_autoptr(LoomCluster) cluster = NULL;
  g_autoptr(LoomClient) owned = NULL;
  g_autoptr(LoomView) view = NULL;
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GBytes) lines = NULL;
  g_autoptr(GArray) indices = NULL;
  g_autoptr(GError) error = NULL;
  gboolean command_output = argv != NULL;
  LoomClient *client;
  guint64 count;
  int code = 0;

  if (!check_profile (o->profile))
    return EXIT_USAGE;
  if (o->n_engines < 0 || o->hwm < 0 || o->retries < -1)
    return fail (EXIT_USAGE, "--engines, --hwm and --retries must not be negative");
  if ((o->resume || o->retry_failed) && o->joblog == NULL)
    return fail (EXIT_USAGE, "--resume and --retry-failed need --joblog FILE");
  if (!(sweep = build_sweep (o, &error)))
    return fail (EXIT_USAGE, "%s", error->message);
  count = loom_sweep_get_count (sweep);
  if (count > 10000000 && !o->force)
    return fail (EXIT_USAGE, "the sweep has %" G_GUINT64_FORMAT " tasks, more than 10^7: add --force if you mean it", count);
  if (count > G_MAXINT32)
    return fail (EXIT_USAGE, "the sweep has %" G_GUINT64_FORMAT " tasks; a job holds at most 2^31", count);

  if (o->dry_run)
    {
      g_autofree char *preview = loom_sweep_describe_preview (sweep, 5, 3);
      g_print ("%s", preview);
      return EXIT_OK;
    }

  if (!(indices = select_indices (o, count, &error)))
    return fail (EXIT_USAGE, "%s", error->message);
  if (indices->len == 0)
    {
      g_printerr ("loomctl: every task is already recorded in %s; nothing to run\n", o->joblog);
      return EXIT_OK;
    }

  if (!(client = acquire_client (o, &cluster, &owned, &code)))
    return code;

  view = loom_client_load_balanced_view (client);
  if (o->serial)
    loom_view_set_mode (view, LOOM_JOB_SERIAL);
  if (o->retries >= 0)
    loom_view_set_retries (view, o->retries);
  if (o->scheme != NULL)
    {
      LoomScheme scheme;

      if (!loom_scheme_from_string (o->scheme, &scheme))
        return fail (EXIT_USAGE, "unknown scheme “%s”: use leastload, lru or random", o->scheme);
      loom_view_set_scheme (view, scheme);
    }
  lines = indices->len == count ? loom_sweep_to_lines (sweep) : lines_for (sweep, indices);
  result = loom_view_map_lines_async (view, spec, lines, indices->len, &error);
  if (result == NULL)
    return fail (EXIT_USAGE, "%s", error->message);

  if (o->async)
    {
      /* The job id comes with the controller's answer to the submit. */
      while (loom_async_result_get_job_id (result) < 0 && !loom_async_result_wait (result, 0.01))
        ;
      if (loom_async_result_get_job_id (result) < 0)
        {
          g_autoptr(JsonNode) none = loom_async_result_get (result, 0, &error);
          return fail (exit_code_for (error), "%s", error->message);
        }
      g_print ("%d\n", loom_async_result_get_job_id (result));
      return EXIT_OK;
    }

  if (!wait_with_progress (result, o->timeout))
    return fail (EXIT_TASKS_FAILED, "job %d is not done after %g s (%u of %u tasks finished); "
                 "it goes on: see “loomctl get %d”", loom_async_result_get_job_id (result), o->timeout,
                 loom_async_result_get_progress (result), indices->len, loom_async_result_get_job_id (result));

  if (loom_async_result_get_job_id (result) < 0)
    {
      g_autoptr(JsonNode) none = loom_async_result_get (result, 0, &error);
      return fail (exit_code_for (error), "%s", error->message);
    }
  if (!(report = loom_client_get_job_report (client, loom_async_result_get_job_id (result), &error)))
    return fail (exit_code_for (error), "%s", error->message);
  if ((o->results || o->joblog) && !write_command_records (o, argv, report, indices, &error))
    return fail (EXIT_TASKS_FAILED, "%s", error->message);
  return print_report (report, o->json, command_output);
}

/* --shuffle or --shuffle=SEED */
static gboolean
parse_shuffle (const char  *name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  MapOptions *o = parsing_options;

  o->shuffle = TRUE;
  if (value == NULL)
    {
      o->shuffle_seed = ((guint64) g_random_int () << 32) | g_random_int ();
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &o->shuffle_seed, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--shuffle takes a seed, a whole number, got “%s”", value);
      return FALSE;
    }
  return TRUE;
}

static GOptionEntry *
map_entries (MapOptions *o,
             gboolean    run)
{
  GOptionEntry common[] = {
    { "sweep", 's', 0, G_OPTION_ARG_STRING_ARRAY, &o->sweeps, "A swept parameter: name=range:START:STOP[:STEP] or name=1,2,5 (repeatable; combined as a product)", "SPEC" },
    { "arg", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &o->args, "A constant parameter for every task (repeatable)", "NAME=VALUE" },
    { "engines", 'n', 0, G_OPTION_ARG_INT, &o->n_engines, "Engines of the private cluster when none is running (default: one per CPU)", "N" },
    PROFILE_OPTION (o->profile),
    { "async", 0, 0, G_OPTION_ARG_NONE, &o->async, "Submit, print the job id and return (needs a running cluster)", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, "Print the job and every task with its metadata as JSON", NULL },
    { "serial", 0, 0, G_OPTION_ARG_NONE, &o->serial, "Run the tasks one after another on one engine", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->timeout, "Give up waiting after S seconds (the job goes on)", "S" },
    { "hwm", 0, 0, G_OPTION_ARG_INT, &o->hwm, "Tasks an engine of the private cluster may hold at once (default 1)", "K" },
    { "retries", 0, 0, G_OPTION_ARG_INT, &o->retries, "Times a task whose engine died runs again (default 2)", "N" },
    { "scheme", 0, 0, G_OPTION_ARG_STRING, &o->scheme, "How this job's tasks pick engines: leastload, lru or random (default: the cluster's)", "SCHEME" },
    { "zip", 0, 0, G_OPTION_ARG_STRING, &o->zip, "Advance these swept parameters together instead of as a product", "A,B" },
    { "sweep-csv", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->csv, "One task per row of a CSV file with a header of parameter names", "FILE" },
    { "shuffle", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, parse_shuffle, "Run the tasks in a random order (reproducible with a seed)", "[SEED]" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &o->dry_run, "Print the number of tasks and the first and last parameter sets; run nothing", NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &o->force, "Run sweeps of more than 10^7 tasks", NULL },
  };
  GOptionEntry command_only[] = {
    { "cwd", 0, 0, G_OPTION_ARG_FILENAME, &o->cwd, "Working directory of the commands", "DIR" },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &o->env, "An environment variable for the commands (repeatable)", "NAME=VALUE" },
    { "task-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->task_timeout, "Kill a command after S seconds", "S" },
    { "results", 0, 0, G_OPTION_ARG_FILENAME, &o->results, "Write each task's stdout, stderr and exit_status under DIR/<index>/", "DIR" },
    { "joblog", 0, 0, G_OPTION_ARG_FILENAME, &o->joblog, "Append a GNU Parallel joblog row per task to FILE", "FILE" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &o->resume, "Skip the tasks the joblog already records", NULL },
    { "retry-failed", 0, 0, G_OPTION_ARG_NONE, &o->retry_failed, "Run again the tasks the joblog records as failed (and those not run)", NULL },
  };
  GArray *entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));

  parsing_options = o;
  g_array_append_vals (entries, common, G_N_ELEMENTS (common));
  if (run)
    g_array_append_vals (entries, command_only, G_N_ELEMENTS (command_only));
  return (GOptionEntry *) g_array_free (entries, FALSE);
}

static int
cmd_map (const Command *command,
         int            argc,
         char         **argv)
{
  g_auto(MapOptions) o = { .timeout = -1, .retries = -1 };
  g_autofree GOptionEntry *entries = map_entries (&o, FALSE);
  g_autoptr(LoomTaskSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  if (!parse_options (command, entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return fail (EXIT_USAGE, "usage: loomctl map FUNCTION [--sweep name=SPEC]… (see “loomctl map --help”)");
  if (!(spec = loom_task_spec_new_for_function (argv[1], &error)))
    return fail (EXIT_USAGE, "%s", error->message);
  if (loom_task_spec_get_kind (spec) == LOOM_TASK_KIND_BUILTIN && !loom_builtins_lookup (argv[1]))
    {
      guint n;
      const LoomBuiltinInfo *all = loom_builtins_get_all (&n);
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < n; i++)
        g_string_append_printf (names, "%s%s", i ? ", " : "", all[i].name);
      return fail (EXIT_USAGE, "unknown function “%s”: the built-ins are %s; a plugin is path/to/module.so:function",
                   argv[1], names->str);
    }
  return submit_and_wait (&o, spec, NULL);
}

static int
cmd_run (const Command *command,
         int            argc,
         char         **argv)
{
  g_auto(MapOptions) o = { .timeout = -1, .retries = -1 };
  g_autofree GOptionEntry *entries = map_entries (&o, TRUE);
  g_autoptr(LoomTaskSpec) spec = NULL;
  int first = 1;

  if (!parse_options (command, entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1 && g_str_equal (argv[1], "--"))
    first = 2;
  if (argc <= first)
    return fail (EXIT_USAGE, "usage: loomctl run [--sweep name=SPEC]… -- COMMAND ARGS… (use {name} for parameters)");
  if (o.task_timeout < 0)
    return fail (EXIT_USAGE, "--task-timeout must not be negative");

  spec = loom_task_spec_new_command ((const char * const *) argv + first);
  if (o.cwd)
    {
      if (!g_file_test (o.cwd, G_FILE_TEST_IS_DIR))
        return fail (EXIT_USAGE, "--cwd %s is not a directory", o.cwd);
      loom_task_spec_set_cwd (spec, o.cwd);
    }
  for (guint i = 0; o.env && o.env[i]; i++)
    {
      g_auto(GStrv) kv = g_strsplit (o.env[i], "=", 2);
      if (kv[0] == NULL || kv[1] == NULL || *kv[0] == '\0')
        return fail (EXIT_USAGE, "--env “%s” is not of the form NAME=VALUE", o.env[i]);
      loom_task_spec_setenv (spec, kv[0], kv[1]);
    }
  loom_task_spec_set_timeout (spec, o.task_timeout);
  return submit_and_wait (&o, spec, argv + first);
}

static gboolean
parse_job_id (const char *text,
              guint      *job)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT, &v, NULL))
    return FALSE;
  *job = v;
  return TRUE;
}

static int
cmd_ready (const Command *command,
           int            argc,
           char         **argv)
{
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomJobInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  guint job;
  int code = 0;
  GOptionEntry entries[] = {
    PROFILE_OPTION (profile),
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv) || !check_profile (profile))
    return EXIT_USAGE;
  if (argc != 2 || !parse_job_id (argv[1], &job))
    return fail (EXIT_USAGE, "usage: loomctl ready JOB (a job id, as map --async printed it)");
  if (!(client = connect_profile (profile, &code)))
    return code;
  if (!(info = loom_client_query_job (client, job, &error)))
    return fail (EXIT_USAGE, "job %u: %s (see “loomctl cluster status”)", job, error->message);
  g_print ("%s\n", loom_job_info_is_ready (info) ? "True" : "False");
  return EXIT_OK;
}

static int
cmd_get (const Command *command,
         int            argc,
         char         **argv)
{
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  gboolean json = FALSE;
  double timeout = -1;
  gint64 deadline;
  guint job;
  int code = 0;
  GOptionEntry entries[] = {
    PROFILE_OPTION (profile),
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, "Wait at most S seconds (default: until done)", "S" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the job and every task with its metadata as JSON", NULL },
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv) || !check_profile (profile))
    return EXIT_USAGE;
  if (argc != 2 || !parse_job_id (argv[1], &job))
    return fail (EXIT_USAGE, "usage: loomctl get JOB [--timeout S]");
  if (!(client = connect_profile (profile, &code)))
    return code;

  deadline = timeout < 0 ? G_MAXINT64 : g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  for (;;)
    {
      g_autoptr(LoomJobInfo) info = loom_client_query_job (client, job, &error);

      if (info == NULL)
        return fail (EXIT_USAGE, "job %u: %s", job, error->message);
      if (loom_job_info_is_ready (info))
        break;
      if (g_get_monotonic_time () >= deadline)
        return fail (EXIT_TASKS_FAILED, "job %u is not ready after %g s: %u of %u tasks finished", job, timeout,
                     loom_job_info_get_n_done (info) + loom_job_info_get_n_failed (info),
                     loom_job_info_get_n_tasks (info));
      g_usleep (20 * 1000);
    }

  if (!(report = loom_client_get_job_report (client, job, &error)))
    return fail (exit_code_for (error), "%s", error->message);
  {
    JsonObject *spec = loom_json_object (loom_json_object (json_node_get_object (report), "job"), "spec");
    return print_report (report, json, g_strcmp0 (loom_json_string (spec, "kind", ""), "command") == 0);
  }
}


/* --- compare ------------------------------------------------------------- */

typedef struct
{
  guint  tasks;
  guint  engines;
  guint  used;
  double wall;
  double busy;
  double overhead;
  double spread;
} JobFigures;

static JobFigures
job_figures (JsonNode *report,
             guint     engines)
{
  JsonObject *job = loom_json_object (json_node_get_object (report), "job");
  JsonArray *tasks = loom_json_array (json_node_get_object (report), "tasks");
  JobFigures f = { 0 };
  gint64 first = G_MAXINT64, last = 0;
  double ideal;

  f.tasks = tasks ? json_array_get_length (tasks) : 0;
  f.engines = engines;
  /* The engines the job ran on: fewer than the cluster's when there are
   * fewer tasks than engines. */
  f.used = MIN (engines, (guint) loom_json_int (job, "engines", engines));
  f.wall = loom_json_double (job, "wall_time", 0);
  f.busy = loom_json_double (job, "serial_time", 0);
  for (guint i = 0; i < f.tasks; i++)
    {
      gint64 started = loom_json_int (loom_json_array_object (tasks, i), "started", 0);
      if (started > 0)
        {
          first = MIN (first, started);
          last = MAX (last, started);
        }
    }
  f.spread = last >= first ? (last - first) / 1e6 : 0;
  ideal = f.busy / MAX (1, MIN (engines, f.tasks));
  f.overhead = f.tasks ? (f.wall - ideal) / f.tasks : 0;
  return f;
}

static char *
seconds_text (double s)
{
  if (s >= 1)
    return g_strdup_printf ("%.3f s", s);
  if (s >= 1e-3)
    return g_strdup_printf ("%.1f ms", s * 1e3);
  return g_strdup_printf ("%.0f µs", s * 1e6);
}

static void
print_row (const char *label,
           char       *left,
           char       *right)
{
  /* Pad by characters, not bytes: “Σ” and “µ” take two. */
  g_print ("  %s%*s%*s%s%*s%s\n", label, (int) (22 - g_utf8_strlen (label, -1)), "",
           (int) (15 - g_utf8_strlen (left, -1)), "", left,
           (int) (15 - g_utf8_strlen (right, -1)), "", right);
  g_free (left);
  g_free (right);
}

static int
cmd_compare (const Command *command,
             int            argc,
             char         **argv)
{
  g_auto(MapOptions) o = { .timeout = -1, .retries = -1 };
  g_autofree GOptionEntry *entries = map_entries (&o, TRUE);
  g_autoptr(LoomTaskSpec) spec = NULL;
  g_autoptr(LoomSweep) sweep = NULL;
  g_autoptr(LoomCluster) cluster = NULL;
  g_autoptr(LoomClient) owned = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GBytes) lines = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *reports[2] = { NULL, NULL };
  const char *modes[2] = { "serial", "parallel" };
  JobFigures fig[2];
  gboolean is_command = FALSE;
  int first;
  LoomClient *client;
  guint64 count;
  double speedup, efficiency;
  int code = 0;

  /* GOption drops the “--”: remember whether a command follows. */
  for (int i = 1; i < argc && !is_command; i++)
    is_command = g_str_equal (argv[i], "--");
  if (!parse_options (command, entries, &argc, &argv))
    return EXIT_USAGE;
  first = argc > 1 && g_str_equal (argv[1], "--") ? 2 : 1;
  if (is_command && argc > first)
    spec = loom_task_spec_new_command ((const char * const *) argv + first);
  else if (!is_command && argc == 2 && !(spec = loom_task_spec_new_for_function (argv[1], &error)))
    return fail (EXIT_USAGE, "%s", error->message);
  if (spec == NULL)
    return fail (EXIT_USAGE, "usage: loomctl compare FUNCTION [--sweep …] | loomctl compare [--sweep …] -- COMMAND ARGS");
  if (o.async || o.serial)
    return fail (EXIT_USAGE, "compare runs both a serial and a parallel job itself: drop --async and --serial");
  if (o.task_timeout > 0)
    loom_task_spec_set_timeout (spec, o.task_timeout);
  if (!check_profile (o.profile))
    return EXIT_USAGE;
  if (!(sweep = build_sweep (&o, &error)))
    return fail (EXIT_USAGE, "%s", error->message);
  count = loom_sweep_get_count (sweep);
  if (count > 10000000 && !o.force)
    return fail (EXIT_USAGE, "the sweep has %" G_GUINT64_FORMAT " tasks, more than 10^7: add --force if you mean it", count);

  if (!(client = acquire_client (&o, &cluster, &owned, &code)))
    return code;
  if (!(ids = loom_client_get_ids (client, &error)))
    return fail (exit_code_for (error), "%s", error->message);
  lines = loom_sweep_to_lines (sweep);

  for (guint m = 0; m < 2; m++)
    {
      g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
      g_autoptr(LoomAsyncResult) result = NULL;
      g_autofree char *name = g_strdup_printf ("%s (%s)", loom_task_spec_get_function (spec) ?: "command", modes[m]);

      loom_view_set_name (view, name);
      loom_view_set_mode (view, m == 0 ? LOOM_JOB_SERIAL : LOOM_JOB_PARALLEL);
      if (!(result = loom_view_map_lines_async (view, spec, lines, count, &error)))
        return fail (EXIT_USAGE, "%s", error->message);
      if (isatty (STDERR_FILENO))
        g_printerr ("loomctl: running %" G_GUINT64_FORMAT " tasks %s…\n", count,
                    m == 0 ? "serially on one engine" : "in parallel");
      wait_with_progress (result, -1);
      if (loom_async_result_get_job_id (result) < 0)
        {
          g_autoptr(JsonNode) none = loom_async_result_get (result, 0, &error);
          return fail (exit_code_for (error), "%s", error->message);
        }
      if (!(reports[m] = loom_client_get_job_report (client, loom_async_result_get_job_id (result), &error)))
        return fail (exit_code_for (error), "%s", error->message);
    }

  fig[0] = job_figures (reports[0], 1);
  fig[1] = job_figures (reports[1], ids->len);
  speedup = fig[1].wall > 0 ? fig[0].wall / fig[1].wall : 0;
  efficiency = fig[1].used ? speedup / fig[1].used : 0;

  if (o.json)
    {
      g_autoptr(JsonObject) root = json_object_new ();
      g_autoptr(JsonNode) node = NULL;

      json_object_set_member (root, "serial", json_node_ref (reports[0]));
      json_object_set_member (root, "parallel", json_node_ref (reports[1]));
      json_object_set_double_member (root, "speedup", speedup);
      json_object_set_double_member (root, "efficiency", efficiency);
      json_object_set_int_member (root, "engines", fig[1].engines);
      json_object_set_int_member (root, "engines_used", fig[1].used);
      node = json_node_init_object (json_node_alloc (), root);
      print_json (node);
    }
  else
    {
      g_print ("  %22s %14s %14s\n", "", "serial", "parallel");
      print_row ("tasks", g_strdup_printf ("%u", fig[0].tasks), g_strdup_printf ("%u", fig[1].tasks));
      print_row ("engines", g_strdup_printf ("%u", fig[0].used),
                 fig[1].used < fig[1].engines ? g_strdup_printf ("%u of %u", fig[1].used, fig[1].engines)
                                              : g_strdup_printf ("%u", fig[1].engines));
      print_row ("wall time", seconds_text (fig[0].wall), seconds_text (fig[1].wall));
      print_row ("Σ task time", seconds_text (fig[0].busy), seconds_text (fig[1].busy));
      print_row ("speedup", g_strdup ("1.00x"), g_strdup_printf ("%.2fx", speedup));
      print_row ("efficiency", g_strdup ("100%"), g_strdup_printf ("%.0f%%", 100 * efficiency));
      print_row ("overhead per task", seconds_text (fig[0].overhead), seconds_text (fig[1].overhead));
      print_row ("spread of start times", seconds_text (fig[0].spread), seconds_text (fig[1].spread));
      g_print ("\nParallel on %u engines took %.2f%% of the serial wall time: %.2fx faster.\n",
               fig[1].used, 100 / MAX (speedup, 1e-9), speedup);
    }

  {
    int worst = EXIT_OK;
    for (guint m = 0; m < 2; m++)
      {
        JsonObject *job = loom_json_object (json_node_get_object (reports[m]), "job");
        if (loom_json_int (job, "failed", 0) > 0)
          {
            g_printerr ("loomctl: %" G_GINT64_FORMAT " tasks of the %s job failed (see “loomctl show %" G_GINT64_FORMAT "”)\n",
                        loom_json_int (job, "failed", 0), modes[m], loom_json_int (job, "id", 0));
            worst = EXIT_TASKS_FAILED;
          }
      }
    json_node_unref (reports[0]);
    json_node_unref (reports[1]);
    return worst;
  }
}

/* --- jobs, show, abort, export ------------------------------------------- */

static int
cmd_jobs (const Command *command,
          int            argc,
          char         **argv)
{
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GListModel) jobs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  gboolean json = FALSE;
  int code = 0;
  GOptionEntry entries[] = {
    PROFILE_OPTION (profile),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the list as JSON", NULL },
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv) || !check_profile (profile))
    return EXIT_USAGE;
  if (!(client = connect_profile (profile, &code)))
    return code;
  if (!(jobs = loom_client_list_jobs (client, &error)))
    return fail (exit_code_for (error), "%s", error->message);

  if (json)
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
      print_json (node);
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
               loom_enum_nick (LOOM_TYPE_JOB_MODE, loom_job_info_get_mode (job)), loom_job_info_get_n_tasks (job),
               loom_job_info_get_n_done (job), loom_job_info_get_n_failed (job), wall);
    }
  return EXIT_OK;
}

static int
cmd_show (const Command *command,
          int            argc,
          char         **argv)
{
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  gboolean json = FALSE;
  JsonObject *job;
  JsonArray *tasks;
  guint id;
  int code = 0;
  GOptionEntry entries[] = {
    PROFILE_OPTION (profile),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the job and every task with its metadata as JSON", NULL },
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv) || !check_profile (profile))
    return EXIT_USAGE;
  if (argc != 2 || !parse_job_id (argv[1], &id))
    return fail (EXIT_USAGE, "usage: loomctl show JOB [--json]");
  if (!(client = connect_profile (profile, &code)))
    return code;
  if (!(report = loom_client_get_job_report (client, id, &error)))
    return fail (EXIT_USAGE, "job %u: %s (see “loomctl jobs”)", id, error->message);
  if (json)
    {
      print_json (report);
      return EXIT_OK;
    }

  job = loom_json_object (json_node_get_object (report), "job");
  tasks = loom_json_array (json_node_get_object (report), "tasks");
  g_print ("Job %" G_GINT64_FORMAT " “%s” (%s): %" G_GINT64_FORMAT " tasks, %" G_GINT64_FORMAT " done, %"
           G_GINT64_FORMAT " failed\n",
           loom_json_int (job, "id", 0), loom_json_string (job, "name", ""), loom_json_string (job, "mode", ""),
           loom_json_int (job, "tasks", 0), loom_json_int (job, "done", 0), loom_json_int (job, "failed", 0));
  g_print ("wall %.3f s, Σ task time %.3f s, speedup %.2f×, %" G_GINT64_FORMAT " engines, efficiency %.0f%%\n\n",
           loom_json_double (job, "wall_time", 0), loom_json_double (job, "serial_time", 0),
           loom_json_double (job, "speedup", 0), loom_json_int (job, "engines", 0),
           100 * loom_json_double (job, "efficiency", 0));
  g_print ("%6s  %6s  %-8s %10s %10s  %s\n", "INDEX", "ENGINE", "STATUS", "START", "DURATION", "PARAMETERS → RESULT");
  for (guint i = 0; tasks && i < json_array_get_length (tasks); i++)
    {
      JsonObject *task = loom_json_array_object (tasks, i);
      gint64 started = loom_json_int (task, "started", 0);
      gint64 completed = loom_json_int (task, "completed", 0);
      gint64 created = loom_json_int (job, "created", 0);
      g_autofree char *params = params_text (task);
      g_autoptr(GString) result = g_string_new (NULL);
      JsonObject *err = loom_json_object (task, "error");

      if (err)
        g_string_printf (result, "%s: %s", loom_json_string (err, "type", "Error"), loom_json_string (err, "message", ""));
      else
        append_py (result, json_object_get_member (task, "result"), 1);
      g_print ("%6" G_GINT64_FORMAT "  %6" G_GINT64_FORMAT "  %-8s %9.3fs %9.3fs  %s → %s\n",
               loom_json_int (task, "index", i), loom_json_int (task, "engine_id", -1),
               loom_json_string (task, "status", ""), started > 0 ? (started - created) / 1e6 : 0.0,
               started > 0 && completed >= started ? (completed - started) / 1e6 : 0.0, params, result->str);
    }
  return EXIT_OK;
}

static int
cmd_abort (const Command *command,
           int            argc,
           char         **argv)
{
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  guint id, aborted, killing;
  int code = 0;
  GOptionEntry entries[] = {
    PROFILE_OPTION (profile),
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv) || !check_profile (profile))
    return EXIT_USAGE;
  if (argc != 2 || !parse_job_id (argv[1], &id))
    return fail (EXIT_USAGE, "usage: loomctl abort JOB");
  if (!(client = connect_profile (profile, &code)))
    return code;
  if (!loom_client_abort_job (client, id, &aborted, &killing, &error))
    return fail (EXIT_USAGE, "job %u: %s (see “loomctl jobs”)", id, error->message);
  g_print ("Job %u: %u queued tasks aborted, %u running tasks being killed\n", id, aborted, killing);
  return EXIT_OK;
}

/* PNG, SVG and PDF: the app's timeline drawing, zoomed to fit, with no
 * display needed; the rest are text formats of libloom. */
static gboolean
write_timeline_image (GPtrArray               *reports,
                      LoomTimelineImageFormat  format,
                      const char              *output,
                      int                      width,
                      int                      height,
                      GError                 **error)
{
  g_autoptr(LoomTimelineModel) model = loom_timeline_model_new ();

  if (output == NULL || g_str_equal (output, "-"))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   "images are written to a file: give -o FILE");
      return FALSE;
    }
  for (guint i = 0; i < reports->len; i++)
    if (!loom_timeline_model_add_report (model, g_ptr_array_index (reports, i), error))
      return FALSE;
  return loom_timeline_export_image (model, format, width, height, FALSE, output, error);
}

static gboolean
write_export (GPtrArray   *reports,
              const char  *format_name,
              const char  *output,
              int          width,
              int          height,
              GError     **error)
{
  LoomExportFormat format;
  LoomTimelineImageFormat image_format;
  g_autofree char *text = NULL;

  if (loom_timeline_image_format_from_string (format_name, &image_format))
    return write_timeline_image (reports, image_format, output, width, height, error);
  if (!loom_export_format_from_string (format_name, &format))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   "unknown format “%s”: use chrome, csv, json, png, svg or pdf", format_name);
      return FALSE;
    }
  if (!(text = loom_export_reports (reports, format, error)))
    return FALSE;
  if (output == NULL || g_str_equal (output, "-"))
    {
      g_print ("%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n");
      return TRUE;
    }
  return g_file_set_contents (output, text, -1, error);
}

static int
cmd_export (const Command *command,
            int            argc,
            char         **argv)
{
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  int code = 0;
  int width = 1280;
  int height = 0;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "chrome (trace events for Perfetto), csv, json, or the timeline as png, svg or pdf", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE (default: standard output)", "FILE" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Image width in pixels (default 1280)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Image height in pixels (default: what the lanes need)", "H" },
    PROFILE_OPTION (profile),
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv) || !check_profile (profile))
    return EXIT_USAGE;
  if (argc < 2 || format == NULL)
    return fail (EXIT_USAGE, "usage: loomctl export JOB… --format chrome|csv|json|png|svg|pdf [-o FILE] [--width W --height H]");
  if (!(client = connect_profile (profile, &code)))
    return code;
  for (int i = 1; i < argc; i++)
    {
      JsonNode *report;
      guint id;

      if (!parse_job_id (argv[i], &id))
        return fail (EXIT_USAGE, "“%s” is not a job id", argv[i]);
      if (!(report = loom_client_get_job_report (client, id, &error)))
        return fail (EXIT_USAGE, "job %u: %s (see “loomctl jobs”)", id, error->message);
      g_ptr_array_add (reports, report);
    }
  if (!write_export (reports, format, output, width, height, &error))
    return fail (exit_code_for (error), "%s", error->message);
  if (output && !g_str_equal (output, "-"))
    g_printerr ("loomctl: wrote %u jobs as %s to %s\n", reports->len, format, output);
  return EXIT_OK;
}

/* --- seed and bench ------------------------------------------------------ */

static LoomCluster *
start_private_cluster (guint n_engines,
                       guint hwm)
{
  g_autoptr(LoomCluster) cluster = loom_cluster_new (NULL);
  g_autoptr(GError) error = NULL;

  loom_controller_set_hwm (loom_cluster_get_controller (cluster), hwm);
  if (!loom_cluster_start (cluster, n_engines, &error))
    {
      fail (EXIT_NO_CLUSTER, "cannot start a private cluster: %s", error->message);
      return NULL;
    }
  return g_steal_pointer (&cluster);
}

static int
cmd_seed (const Command *command,
          int            argc,
          char         **argv)
{
  g_autoptr(LoomCluster) cluster = NULL;
  g_autoptr(LoomView) view = NULL;
  g_autoptr(LoomAsyncResult) parallel = NULL;
  g_autoptr(LoomAsyncResult) serial = NULL;
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(JsonNode) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean with_serial = FALSE;
  g_autofree char *timeline = NULL;
  int n_engines = 15;
  int n_tasks = 10;
  double sleep_s = 1.0;
  gint64 first_start = G_MAXINT64, last_start = 0;
  GOptionEntry entries[] = {
    { "engines", 'n', 0, G_OPTION_ARG_INT, &n_engines, "Engines to start (default 15)", "N" },
    { "tasks", 't', 0, G_OPTION_ARG_INT, &n_tasks, "Tasks to run (default 10)", "N" },
    { "sleep", 's', 0, G_OPTION_ARG_DOUBLE, &sleep_s, "Seconds each task sleeps (default 1)", "S" },
    { "serial", 0, 0, G_OPTION_ARG_NONE, &with_serial, "Also run the tasks serially on one engine", NULL },
    { "timeline", 0, 0, G_OPTION_ARG_FILENAME, &timeline,
      "Draw the timeline of the run(s) into FILE (.png, .svg or .pdf)", "FILE" },
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv))
    return EXIT_USAGE;
  if (n_engines < 1 || n_tasks < 1 || sleep_s < 0)
    return fail (EXIT_USAGE, "--engines and --tasks must be ≥ 1, --sleep ≥ 0");

  g_print ("Starting a local cluster of %d engines…\n", n_engines);
  if (!(cluster = start_private_cluster (n_engines, 1)))
    return EXIT_NO_CLUSTER;
  g_print ("%d engines registered in %.2f s\n", n_engines, loom_cluster_get_start_time (cluster));

  for (int i = 0; i < n_tasks; i++)
    {
      JsonObject *p = json_object_new ();
      json_object_set_int_member (p, "t", i);
      json_object_set_double_member (p, "sleep", sleep_s);
      json_array_add_object_element (params, p);
    }

  view = loom_client_load_balanced_view (loom_cluster_get_client (cluster));
  g_print ("map_async(printtime, range(%d)) with sleep %g s…\n", n_tasks, sleep_s);
  parallel = loom_view_map_async (view, "printtime", params, &error);
  if (parallel == NULL || !(results = loom_async_result_get (parallel, -1, &error)))
    return fail (EXIT_TASKS_FAILED, "%s", error->message);

  append_py (out, results, 0);
  g_print ("%s\n", out->str);

  for (int i = 0; i < n_tasks; i++)
    {
      g_autoptr(LoomTaskInfo) info = loom_async_result_get_task_info (parallel, i);
      first_start = MIN (first_start, info->started);
      last_start = MAX (last_start, info->started);
    }

  g_print ("parallel: wall %.3f s, Σ task time %.3f s, speedup %.2f×, start spread %.1f ms\n",
           loom_async_result_get_wall_time (parallel),
           loom_async_result_get_serial_time (parallel),
           loom_async_result_get_serial_time (parallel) / MAX (1e-9, loom_async_result_get_wall_time (parallel)),
           (last_start - first_start) / 1000.0);

  if (with_serial)
    {
      g_autoptr(JsonNode) serial_results = NULL;

      loom_view_set_mode (view, LOOM_JOB_SERIAL);
      serial = loom_view_map_async (view, "printtime", params, &error);
      if (serial == NULL || !(serial_results = loom_async_result_get (serial, -1, &error)))
        return fail (EXIT_TASKS_FAILED, "%s", error->message);
      g_print ("serial:   wall %.3f s, Σ task time %.3f s\n",
               loom_async_result_get_wall_time (serial), loom_async_result_get_serial_time (serial));
      g_print ("parallel is %.2f× faster than serial on %d engines\n",
               loom_async_result_get_wall_time (serial) / MAX (1e-9, loom_async_result_get_wall_time (parallel)),
               n_engines);
    }

  if (timeline != NULL)
    {
      g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
      LoomAsyncResult *jobs[] = { serial, parallel };
      const char *dot = strrchr (timeline, '.');

      for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
        {
          JsonNode *report;

          if (jobs[i] == NULL)
            continue;
          if (!(report = loom_client_get_job_report (loom_cluster_get_client (cluster),
                                                     loom_async_result_get_job_id (jobs[i]), &error)))
            return fail (EXIT_TASKS_FAILED, "%s", error->message);
          g_ptr_array_add (reports, report);
        }
      if (!write_export (reports, dot ? dot + 1 : "png", timeline, 1280, 0, &error))
        return fail (exit_code_for (error), "%s", error->message);
      g_print ("timeline written to %s\n", timeline);
    }

  return EXIT_OK;
}

static double
bench_throughput (LoomClient *client,
                  guint       n_tasks,
                  GError    **error)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_builtin ("noop");
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(GBytes) lines = NULL;
  g_autoptr(JsonNode) values = NULL;
  GString *text = g_string_sized_new (n_tasks * 3);
  gint64 begin;

  for (guint i = 0; i < n_tasks; i++)
    g_string_append (text, i ? "\n{}" : "{}");
  lines = g_string_free_to_bytes (text);

  begin = g_get_monotonic_time ();
  result = loom_view_map_lines_async (view, spec, lines, n_tasks, error);
  if (result == NULL || !(values = loom_async_result_get (result, -1, error)))
    return -1;
  return n_tasks / ((g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);
}

static gboolean
bench_latency (LoomClient *client,
               guint       n,
               GArray     *times_us,
               GError    **error)
{
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);

  for (guint i = 0; i < n; i++)
    {
      gint64 begin = g_get_monotonic_time ();
      g_autoptr(JsonNode) value = loom_view_apply_sync (view, "noop", NULL, error);
      double us;

      if (value == NULL)
        return FALSE;
      us = g_get_monotonic_time () - begin;
      g_array_append_val (times_us, us);
    }
  return TRUE;
}

/* The floor: a libzmq REQ/REP round trip between two processes over ipc://. */
static double
bench_zmq_rtt (guint n)
{
  g_autofree char *dir = g_dir_make_tmp (NULL, NULL);
  g_autofree char *url = g_strdup_printf ("ipc://%s/rtt", dir);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  char buf[16];
  double result;
  pid_t child;

  child = fork ();
  if (child == 0)
    {
      void *ctx = zmq_ctx_new ();
      void *rep = zmq_socket (ctx, ZMQ_REP);
      zmq_bind (rep, url);
      for (guint i = 0; i < n + 1; i++)
        {
          int len = zmq_recv (rep, buf, sizeof buf, 0);
          if (len < 0)
            break;
          zmq_send (rep, buf, len, 0);
        }
      zmq_close (rep);
      zmq_ctx_term (ctx);
      _exit (0);
    }

  {
    void *ctx = zmq_ctx_new ();
    void *req = zmq_socket (ctx, ZMQ_REQ);
    zmq_connect (req, url);
    /* The first exchange waits for the connection. */
    zmq_send (req, "x", 1, 0);
    zmq_recv (req, buf, sizeof buf, 0);
    for (guint i = 0; i < n; i++)
      {
        gint64 begin = g_get_monotonic_time ();
        double us;

        zmq_send (req, "ping", 4, 0);
        zmq_recv (req, buf, sizeof buf, 0);
        us = g_get_monotonic_time () - begin;
        g_array_append_val (times, us);
      }
    zmq_close (req);
    zmq_ctx_term (ctx);
  }

  waitpid (child, NULL, 0);
  {
    g_autofree char *sock = g_build_filename (dir, "rtt", NULL);
    g_unlink (sock);
    g_rmdir (dir);
  }
  result = median (times);
  return result;
}

/* `bench --timeline`: the timeline's model and drawing on synthetic jobs,
 * with no cluster and no display. */

#define TIMELINE_ENGINES 64

typedef struct
{
  gint64  started;
  gint64  completed;   /* 0: a start event */
  guint32 index;
  gint32  engine_id;
  guint8  status;
} TimelineEvent;

static gint64
timeline_exponential (GRand  *rand,
                      double  mean_us)
{
  return (gint64) (-mean_us * log (1 - g_rand_double (rand)));
}

static guint
timeline_first_free (const gint64 *free_at,
                     guint         skip)
{
  guint best = skip == 0 ? 1 : 0;

  for (guint e = 0; e < TIMELINE_ENGINES; e++)
    if (e != skip && free_at[e] < free_at[best])
      best = e;
  return best;
}

/* The events a controller would report for @n_tasks tasks on 64 engines:
 * each task goes to the engine free first, runs an exponential 50 ms
 * (at least 100 µs) after a 0.2–2 ms dispatch gap; 1.5 % fail, 0.1 % are
 * lost with their engine and started again on another one. */
static GArray *
timeline_bench_events (guint  n_tasks,
                       gint64 zero)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611 + n_tasks);
  GArray *events = g_array_sized_new (FALSE, FALSE, sizeof (TimelineEvent), 2 * n_tasks + 2 * TIMELINE_ENGINES);
  gint64 free_at[TIMELINE_ENGINES];
  TimelineEvent current[TIMELINE_ENGINES];

  for (guint e = 0; e < TIMELINE_ENGINES; e++)
    {
      free_at[e] = zero + 1000 + g_rand_int_range (rand, 0, 20000);
      current[e].completed = 0;
    }

#define FINISH(e)                                                   \
  G_STMT_START {                                                    \
    if (current[e].completed != 0)                                  \
      g_array_append_val (events, current[e]);                      \
    current[e].completed = 0;                                       \
  } G_STMT_END

  for (guint i = 0; i < n_tasks; i++)
    {
      guint e = timeline_first_free (free_at, TIMELINE_ENGINES);
      TimelineEvent start = { free_at[e], 0, i, e, LOOM_TASK_RUNNING };
      gint64 duration = MAX (100, timeline_exponential (rand, 50000));

      FINISH (e);
      g_array_append_val (events, start);

      if (g_rand_double (rand) < 0.001)
        {
          /* The engine dies mid-task; the controller notices and sends
           * the task to the engine free first among the others. */
          gint64 lost_at = start.started + MAX (100, timeline_exponential (rand, 50000));
          guint other = timeline_first_free (free_at, e);

          FINISH (other);
          start.started = MAX (free_at[other], lost_at);
          start.engine_id = other;
          g_array_append_val (events, start);
          free_at[e] = start.started + g_rand_int_range (rand, 200, 2000);
          e = other;
        }

      current[e] = start;
      current[e].completed = start.started + duration;
      current[e].status = g_rand_double (rand) < 0.015 ? LOOM_TASK_FAILED : LOOM_TASK_DONE;
      free_at[e] = current[e].completed + g_rand_int_range (rand, 200, 2000);
    }
  for (guint e = 0; e < TIMELINE_ENGINES; e++)
    FINISH (e);
#undef FINISH

  return events;
}

static gsize
timeline_heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  /* Large arrays are mmapped by malloc: count them too. */
  return info.uordblks + info.hblkhd;
}

/* Feeds @events into a new model as they would arrive.  The heap's growth
 * while doing so is what the model costs. */
static LoomTimelineModel *
timeline_bench_build (GArray *events,
                      gint64  zero,
                      double *build_ms,
                      gsize  *heap_bytes)
{
  LoomTimelineModel *model;
  gsize heap_before = timeline_heap_in_use ();
  gint64 begin = g_get_monotonic_time ();
  guint job;

  model = loom_timeline_model_new ();
  job = loom_timeline_model_add_job (model, 1, "bench", LOOM_JOB_PARALLEL, zero);
  for (guint i = 0; i < events->len; i++)
    {
      const TimelineEvent *ev = &g_array_index (events, TimelineEvent, i);

      if (ev->completed == 0)
        loom_timeline_model_task_started (model, job, ev->index, ev->engine_id, ev->started);
      else
        loom_timeline_model_task_finished (model, job, ev->index, ev->engine_id, ev->status,
                                           ev->started, ev->completed);
    }
  *build_ms = (g_get_monotonic_time () - begin) / 1000.0;
  *heap_bytes = timeline_heap_in_use () - MIN (heap_before, timeline_heap_in_use ());
  return model;
}

typedef struct
{
  double                node_ms;
  double                draw_ms;
  double                frame_ms;
  LoomTimelineDrawStats stats;
} TimelineFrames;

/* Cold frames, as after every zoom or scroll: the render node built anew,
 * then drawn into a Cairo image the size of the view.  Medians. */
static void
timeline_bench_frames (LoomTimelineModel      *model,
                       const LoomTimelineView *view,
                       guint                   n_frames,
                       TimelineFrames         *out)
{
  g_autoptr(GArray) node_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) draw_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, view->width, view->height);

  for (guint i = 0; i < n_frames; i++)
    {
      gint64 t0 = g_get_monotonic_time (), t1, t2;
      g_autoptr(GskRenderNode) node = loom_timeline_render_node (model, view, &out->stats);
      cairo_t *cr;
      double ms;

      t1 = g_get_monotonic_time ();
      cr = cairo_create (surface);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      if (node)
        gsk_render_node_draw (node, cr);
      cairo_destroy (cr);
      cairo_surface_flush (surface);
      t2 = g_get_monotonic_time ();

      ms = (t1 - t0) / 1000.0;
      g_array_append_val (node_ms, ms);
      ms = (t2 - t1) / 1000.0;
      g_array_append_val (draw_ms, ms);
      ms = (t2 - t0) / 1000.0;
      g_array_append_val (frame_ms, ms);
    }
  cairo_surface_destroy (surface);

  out->node_ms = median (node_ms);
  out->draw_ms = median (draw_ms);
  out->frame_ms = median (frame_ms);
}

static char *
timeline_group_digits (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  guint          tasks;
  double         build_ms;
  double         model_bytes;   /* per task */
  double         heap_bytes;    /* per task */
  TimelineFrames fit;
  TimelineFrames mid;
} TimelineFigures;

static void
print_timeline_frames (guint                 tasks,
                       const char           *view,
                       const TimelineFrames *frames)
{
  g_autofree char *n = timeline_group_digits (tasks);
  g_autofree char *rects = timeline_group_digits (frames->stats.n_rects);
  g_autofree char *bars = timeline_group_digits (frames->stats.n_visible);

  g_print ("  %9s  %-8s %7.2f ms %7.2f ms %7.2f ms  %9s %11u %6u %10u  %10s\n",
           n, view, frames->frame_ms, frames->node_ms, frames->draw_ms,
           rects, frames->stats.n_textures, frames->stats.n_marks, frames->stats.n_mark_pixels, bars);
}

static int
bench_timeline (int      runs,
                gboolean json)
{
  static const guint sizes[] = { 10000, 100000, 1000000 };
  const gint64 zero = G_GINT64_CONSTANT (1700000000000000);
  const int width = 1280, height = 800;
  guint n_frames = MAX (runs, 5);
  TimelineFigures figures[G_N_ELEMENTS (sizes)];
  const TimelineFigures *last = &figures[G_N_ELEMENTS (sizes) - 1];
  PangoContext *pango;
  double bytes_per_task;

  pango = loom_timeline_text_context_new ();

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      TimelineFigures *f = &figures[s];
      g_autoptr(GArray) events = timeline_bench_events (sizes[s], zero);
      g_autoptr(LoomTimelineModel) model = NULL;
      LoomTimelineView view;
      gsize heap;
      gint64 extent;

      f->tasks = sizes[s];
      model = timeline_bench_build (events, zero, &f->build_ms, &heap);
      g_clear_pointer (&events, g_array_unref);
      f->model_bytes = (double) loom_timeline_model_get_memory_size (model) / sizes[s];
      f->heap_bytes = (double) heap / sizes[s];

      loom_timeline_view_init (&view, width, height);
      view.pango = pango;
      loom_timeline_view_fit (&view, model, TRUE);
      timeline_bench_frames (model, &view, n_frames, &f->fit);

      extent = loom_timeline_model_get_extent (model, view.now);
      view.us_per_px = extent / 50.0 / loom_timeline_view_plot_width (&view);
      view.t_left = extent / 2.0 - extent / 100.0;
      timeline_bench_frames (model, &view, n_frames, &f->mid);
    }
  g_object_unref (pango);
  bytes_per_task = MAX (last->model_bytes, last->heap_bytes);

  if (json)
    {
      g_autoptr(GString) out = g_string_new ("{\"timeline\": [");

      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
        {
          const TimelineFigures *f = &figures[s];

          g_string_append_printf (out,
                                  "%s{\"tasks\": %u, \"frame_ms_fit\": %.3f, \"frame_ms_mid\": %.3f, "
                                  "\"build_ms\": %.1f, \"rects_fit\": %u, \"visible_fit\": %" G_GUINT64_FORMAT ", "
                                  "\"marks_fit\": %u, \"rects_mid\": %u, \"visible_mid\": %" G_GUINT64_FORMAT ", "
                                  "\"node_ms_fit\": %.3f, \"draw_ms_fit\": %.3f, "
                                  "\"node_ms_mid\": %.3f, \"draw_ms_mid\": %.3f, "
                                  "\"model_bytes_per_task\": %.1f, \"heap_bytes_per_task\": %.1f}",
                                  s ? ", " : "", f->tasks, f->fit.frame_ms, f->mid.frame_ms, f->build_ms,
                                  f->fit.stats.n_rects, f->fit.stats.n_visible, f->fit.stats.n_marks,
                                  f->mid.stats.n_rects, f->mid.stats.n_visible,
                                  f->fit.node_ms, f->fit.draw_ms, f->mid.node_ms, f->mid.draw_ms,
                                  f->model_bytes, f->heap_bytes);
        }
      g_string_append_printf (out, "], \"bytes_per_task\": %.1f, \"engines\": %d, "
                              "\"width\": %d, \"height\": %d, \"frames\": %u}",
                              bytes_per_task, TIMELINE_ENGINES, width, height, n_frames);
      g_print ("%s\n", out->str);
      return EXIT_OK;
    }

  g_print ("Timeline of one job on %d engines: exponential 50 ms tasks, 1.5 %% failed, 0.1 %% lost and retried\n\n",
           TIMELINE_ENGINES);
  g_print ("      tasks     build   bytes per task: model    heap\n");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autofree char *n = timeline_group_digits (figures[s].tasks);

      g_print ("  %9s  %5.0f ms                  %6.1f  %6.1f\n",
               n, figures[s].build_ms, figures[s].model_bytes, figures[s].heap_bytes);
    }

  g_print ("\nCold frames: render node built, then drawn into a %d×%d Cairo image (medians of %u)\n\n",
           width, height, n_frames);
  g_print ("  %9s  %-8s %10s %10s %10s  %9s %11s %6s %10s  %10s\n",
           "tasks", "view", "frame", "node", "draw", "rects", "pixel lanes", "marks", "marked px", "bars shown");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      print_timeline_frames (figures[s].tasks, "fit all", &figures[s].fit);
      print_timeline_frames (figures[s].tasks, "1/50", &figures[s].mid);
    }

  g_print ("\nAt 10^6 tasks: %.1f ms a frame fitted, %.1f ms at 1/50 (target < 8 ms); "
           "%.1f bytes a task (target < 100)\n",
           last->fit.frame_ms, last->mid.frame_ms, bytes_per_task);
  return EXIT_OK;
}

static int
cmd_bench (const Command *command,
           int            argc,
           char         **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (double));
  gboolean json = FALSE;
  int runs = 5;
  int n_engines = 2;
  int n_tasks = 20000;
  int n_calls = 2000;
  int n_start = 15;
  int hwm = 16;
  gboolean timeline = FALSE;
  double zmq_rtt;
  GOptionEntry entries[] = {
    { "engines", 'n', 0, G_OPTION_ARG_INT, &n_engines, "Engines for throughput and latency (default 2)", "N" },
    { "tasks", 't', 0, G_OPTION_ARG_INT, &n_tasks, "No-op tasks per throughput run (default 20000)", "N" },
    { "calls", 'c', 0, G_OPTION_ARG_INT, &n_calls, "Round trips for the latency figures (default 2000, at least 1000)", "N" },
    { "startup-engines", 0, 0, G_OPTION_ARG_INT, &n_start, "Engines for the start-up figure (default 15)", "N" },
    { "hwm", 0, 0, G_OPTION_ARG_INT, &hwm, "Tasks an engine may hold at once, for throughput (default 16)", "K" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Repetitions of throughput and start-up, or frames per view with --timeline (default 5; medians)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the figures as JSON", NULL },
    { "timeline", 0, 0, G_OPTION_ARG_NONE, &timeline,
      "Instead: build and draw timelines of 10^4, 10^5 and 10^6 synthetic tasks (no cluster, no display)", NULL },
    { NULL }
  };

  if (!parse_options (command, entries, &argc, &argv))
    return EXIT_USAGE;
  if (timeline)
    {
      if (runs < 1)
        return fail (EXIT_USAGE, "--runs must be ≥ 1");
      return bench_timeline (runs, json);
    }
  if (runs < 1 || n_engines < 1 || n_tasks < 1 || n_start < 1 || hwm < 1 || n_calls < 1000)
    return fail (EXIT_USAGE, "--runs, --engines, --tasks, --startup-engines and --hwm must be ≥ 1, --calls ≥ 1000");

  /* Latency with the default hwm 1: one task, one round trip. */
  {
    g_autoptr(LoomCluster) cluster = start_private_cluster (n_engines, 1);
    g_autoptr(GArray) warm_up = g_array_new (FALSE, FALSE, sizeof (double));

    if (cluster == NULL)
      return EXIT_NO_CLUSTER;
    /* Warm up (connections, allocator, caches) before measuring. */
    if (!bench_latency (loom_cluster_get_client (cluster), 500, warm_up, &error) ||
        !bench_latency (loom_cluster_get_client (cluster), n_calls, latencies, &error))
      return fail (EXIT_TASKS_FAILED, "%s", error->message);
  }

  /* Throughput with prefetch (hwm) — tiny tasks are what it is for. */
  {
    g_autoptr(LoomCluster) cluster = start_private_cluster (n_engines, hwm);
    if (cluster == NULL)
      return EXIT_NO_CLUSTER;
    for (int r = 0; r < runs; r++)
      {
        double rate = bench_throughput (loom_cluster_get_client (cluster), n_tasks, &error);
        if (rate < 0)
          return fail (EXIT_TASKS_FAILED, "%s", error->message);
        g_array_append_val (rates, rate);
      }
  }

  for (int r = 0; r < runs; r++)
    {
      g_autoptr(LoomCluster) cluster = start_private_cluster (n_start, 1);
      double t;

      if (cluster == NULL)
        return EXIT_NO_CLUSTER;
      t = loom_cluster_get_start_time (cluster);
      g_array_append_val (starts, t);
    }

  zmq_rtt = bench_zmq_rtt (2000);

  if (json)
    g_print ("{\"throughput_tasks_per_s\": %.0f, \"latency_median_us\": %.1f, \"latency_p99_us\": %.1f, "
             "\"startup_engines\": %d, \"startup_seconds\": %.3f, \"zmq_rtt_median_us\": %.1f, "
             "\"engines\": %d, \"hwm\": %d, \"tasks\": %d, \"calls\": %d, \"runs\": %d}\n",
             median (rates), median (latencies), percentile (latencies, 0.99), n_start, median (starts),
             zmq_rtt, n_engines, hwm, n_tasks, n_calls, runs);
  else
    {
      g_print ("Loom on %u CPUs (medians of %d runs)\n", g_get_num_processors (), runs);
      g_print ("  no-op throughput, %d tasks over %d engines, hwm %d:  %10.0f tasks/s\n",
               n_tasks, n_engines, hwm, median (rates));
      g_print ("  single-task round trip, %d calls:        median %7.1f µs, p99 %7.1f µs\n",
               n_calls, median (latencies), percentile (latencies, 0.99));
      g_print ("  %d engines started until all registered:         %10.3f s\n", n_start, median (starts));
      g_print ("  for scale: raw libzmq REQ/REP round trip (ipc):  %10.1f µs\n", zmq_rtt);
    }
  return EXIT_OK;
}

/* --- main ---------------------------------------------------------------- */

static const Command commands[] = {
  { "cluster start", cmd_cluster_start, NULL, N_("Start a controller and N local engines in the background") },
  { "cluster stop", cmd_cluster_stop, NULL, N_("Stop a cluster's engines and controller") },
  { "cluster status", cmd_cluster_status, NULL, N_("Show the controller, its engines and dropped-message counters") },
  { "engines add", cmd_engines_add, "N", N_("Start N more local engines for a running cluster") },
  { "engines stop", cmd_engines_stop, "ID", N_("Stop one engine of a running cluster") },
  { "ids", cmd_ids, NULL, N_("Print the ids of the live engines, like Client.ids") },
  { "map", cmd_map, "FUNCTION", N_("Run a built-in or plugin function over a sweep, load-balanced; print the results in order") },
  { "run", cmd_run, "[--] COMMAND [ARGS]", N_("Run a command over a sweep ({name} in the arguments); print each task's output in order") },
  { "compare", cmd_compare, "FUNCTION | -- COMMAND", N_("Run a sweep serially and in parallel; print wall times, speedup and efficiency side by side") },
  { "ready", cmd_ready, "JOB", N_("Print True if a job is done, like AsyncResult.ready()") },
  { "get", cmd_get, "JOB", N_("Wait for a job and print its results, like AsyncResult.get()") },
  { "jobs", cmd_jobs, NULL, N_("List the jobs of a cluster: id, name, mode, tasks, done, failed, wall time") },
  { "show", cmd_show, "JOB", N_("Print one job and its tasks") },
  { "abort", cmd_abort, "JOB", N_("Abort a job: queued tasks never run, running ones are killed") },
  { "export", cmd_export, "JOB…", N_("Write jobs as a Chrome trace, CSV or JSON") },
  { "bench", cmd_bench, NULL, N_("Measure throughput, round trip and start-up on a private cluster") },
  { "seed", cmd_seed, NULL, N_("Run the seed workflow (printtime over range(10)) on a private cluster") },
};

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

static void
usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: loomctl COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n\n", _("Loom: run a function or program over many inputs on a cluster of engines."));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *left = g_strdup_printf ("%s%s%s", commands[i].name,
                                               commands[i].parameter ? " " : "",
                                               commands[i].parameter ? commands[i].parameter : "");
      fprintf (out, "  %-26s %s\n", left, _(commands[i].summary));
    }
  fprintf (out, "\n%s\n", _("Without a running cluster, map and run start a private one for the command."));
  fprintf (out, "%s\n", _("Exit status: 0 all tasks succeeded, 1 some failed, 2 usage or input error, 3 no cluster."));
  fprintf (out, "%s\n", _("Run “loomctl COMMAND --help” for a command's options."));
}

int
main (int   argc,
      char *argv[])
{
  const Command *command;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      usage (stderr);
      return EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      usage (stdout);
      return EXIT_OK;
    }

  if (g_str_equal (argv[1], "cluster") || g_str_equal (argv[1], "engines"))
    return dispatch_group (argv[1], argc - 1, argv + 1);
  if ((command = find_command (argv[1])))
    return command->func (command, argc - 1, argv + 1);

  g_printerr ("loomctl: unknown command “%s”\n\n", argv[1]);
  usage (stderr);
  return EXIT_USAGE;
}
