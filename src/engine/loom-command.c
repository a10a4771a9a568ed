/* loom-command.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Command tasks: an argv template with {name} placeholders filled from the
 * task's parameters, run as a child with a working directory, environment
 * and timeout; stdout and stderr are captured up to the spec's
 * "output_limit" bytes each (LOOM_OUTPUT_CAP unless set), byte for byte.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "loom-engine-private.h"
#include "loom.h"
#include "loom-json-private.h"

void
loom_outcome_set_error (LoomTaskOutcome *outcome,
                        const char      *type,
                        const char      *message)
{
  outcome->ok = FALSE;
  if (outcome->detail->len > 1)
    g_string_append_c (outcome->detail, ',');
  g_string_append (outcome->detail, "\"error\":{\"type\":");
  loom_json_append_string (outcome->detail, type);
  g_string_append (outcome->detail, ",\"message\":");
  loom_json_append_string (outcome->detail, message);
  g_string_append_c (outcome->detail, '}');
}

typedef struct
{
  GInputStream *stream;
  GByteArray   *data;
  guint64       limit;
  guint64       dropped;
  gboolean      eof;
  guint8        chunk[65536];
} Capture;

typedef struct
{
  GSubprocess *proc;
  Capture      out;
  Capture      err;
  gboolean     exited;
} Run;

static void
capture_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Capture *cap = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0)
    {
      cap->eof = TRUE;
      return;
    }

  /* Keep the first cap->limit bytes, read and count the rest so a
   * chatty child never blocks on a full pipe. */
  if (cap->data->len < cap->limit)
    {
      guint keep = (guint) MIN ((guint64) n, cap->limit - cap->data->len);
      g_byte_array_append (cap->data, cap->chunk, keep);
      cap->dropped += n - keep;
    }
  else
    cap->dropped += n;

  g_input_stream_read_async (cap->stream, cap->chunk, sizeof cap->chunk,
                             G_PRIORITY_DEFAULT, NULL, capture_read_cb, cap);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  run->exited = TRUE;
}

/* The error of a task stopped by its timeout: how long it ran, and the
 * limit. */
char *
loom_timeout_message (LoomRunContext *ctx)
{
  double ran = (g_get_monotonic_time () - ctx->started_mono) / (double) G_USEC_PER_SEC;

  return g_strdup_printf (_("the task ran for %.1f s, past its timeout of %g s, and was stopped"),
                          ran, ctx->timeout_us / (double) G_USEC_PER_SEC);
}

static void
child_setup (gpointer data)
{
  /* A process group of its own, so killing the task (timeout, abort, the
   * engine stopping) reaches everything it started; and it dies with the
   * engine, so no task outlives its engine. */
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Kills a command started by loom_command_run() and its process group:
 * what it started goes too. */
void
loom_kill_process_group (GPid pid)
{
  if (pid > 0)
    {
      kill (-pid, SIGKILL);
      kill (pid, SIGKILL);
    }
}

static void
append_output (GString    *detail,
               const char *name,
               Capture    *cap)
{
  loom_json_append_output (detail, name, cap->data->data, cap->data->len, cap->dropped);
}

/* The spec's "output_limit": bytes of stdout and of stderr kept, a whole
 * number from 0 to LOOM_OUTPUT_LIMIT_MAX; LOOM_OUTPUT_CAP when absent. */
static gboolean
output_limit (JsonObject  *spec,
              guint64     *limit,
              GError     **error)
{
  JsonNode *node = json_object_get_member (spec, "output_limit");

  *limit = LOOM_OUTPUT_CAP;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0 || json_node_get_int (node) > (gint64) LOOM_OUTPUT_LIMIT_MAX)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("output_limit must be a whole number of bytes from 0 to %" PRId64),
                   (gint64) LOOM_OUTPUT_LIMIT_MAX);
      return FALSE;
    }
  *limit = json_node_get_int (node);
  return TRUE;
}

void
loom_command_run (LoomRunContext  *ctx,
                  JsonObject      *spec,
                  JsonNode        *params,
                  LoomTaskOutcome *outcome)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *template_;
  const char *cwd;
  guint64 limit;
  Run run = { 0 };

  if (!json_object_has_member (spec, "argv") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (spec, "argv")) ||
      json_array_get_length (loom_json_array (spec, "argv")) == 0)
    {
      loom_outcome_set_error (outcome, "InvalidCommand", _("a command task needs a non-empty argv"));
      return;
    }

  if (!output_limit (spec, &limit, &error))
    {
      loom_outcome_set_error (outcome, "InvalidCommand", error->message);
      return;
    }

  template_ = loom_json_array (spec, "argv");
  for (guint i = 0; i < json_array_get_length (template_); i++)
    {
      JsonNode *node = json_array_get_element (template_, i);
      char *arg;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          loom_outcome_set_error (outcome, "InvalidCommand", _("argv must hold only strings"));
          return;
        }
      if (!(arg = loom_command_expand (json_node_get_string (node), params, &error)))
        {
          loom_outcome_set_error (outcome, "UnknownPlaceholder", error->message);
          return;
        }
      g_ptr_array_add (argv, arg);
    }
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  cwd = loom_json_string (spec, "cwd", NULL);
  if (cwd != NULL && *cwd != '\0')
    {
      if (!g_file_test (cwd, G_FILE_TEST_IS_DIR))
        {
          g_autofree char *msg = g_strdup_printf (_("the working directory %s does not exist"), cwd);
          loom_outcome_set_error (outcome, "CommandNotStarted", msg);
          return;
        }
      g_subprocess_launcher_set_cwd (launcher, cwd);
    }

  if (json_object_has_member (spec, "env") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (spec, "env")))
    {
      JsonObject *env = loom_json_object (spec, "env");
      g_autoptr(GList) names = json_object_get_members (env);

      for (GList *l = names; l; l = l->next)
        {
          g_autofree char *value = loom_command_value_to_text (json_object_get_member (env, l->data));
          g_subprocess_launcher_setenv (launcher, l->data, value, TRUE);
        }
    }

  run.proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (run.proc == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("cannot run “%s”: %s"),
                                              (char *) g_ptr_array_index (argv, 0), error->message);
      loom_outcome_set_error (outcome, "CommandNotStarted", msg);
      return;
    }

  /* A quick child may be reaped already, and then has no identifier. */
  {
    const char *id = g_subprocess_get_identifier (run.proc);
    loom_run_context_set_child (ctx, id ? atoi (id) : 0);
  }

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);

  run.out.stream = g_subprocess_get_stdout_pipe (run.proc);
  run.err.stream = g_subprocess_get_stderr_pipe (run.proc);
  run.out.data = g_byte_array_new ();
  run.err.data = g_byte_array_new ();
  run.out.limit = run.err.limit = limit;
  g_input_stream_read_async (run.out.stream, run.out.chunk, sizeof run.out.chunk,
                             G_PRIORITY_DEFAULT, NULL, capture_read_cb, &run.out);
  g_input_stream_read_async (run.err.stream, run.err.chunk, sizeof run.err.chunk,
                             G_PRIORITY_DEFAULT, NULL, capture_read_cb, &run.err);
  g_subprocess_wait_async (run.proc, NULL, wait_cb, &run);

  /* The task's timeout is the heartbeat thread's to enforce, as for
   * every kind of task: it kills the process group, and the loop below
   * ends as the pipes close. */
  while (!run.exited || !run.out.eof || !run.err.eof)
    g_main_context_iteration (context, TRUE);

  g_main_context_pop_thread_default (context);

  append_output (outcome->detail, "stdout", &run.out);
  append_output (outcome->detail, "stderr", &run.err);

  if (g_subprocess_get_if_exited (run.proc))
    {
      int status = g_subprocess_get_exit_status (run.proc);

      g_string_append_printf (outcome->detail, ",\"exit_status\":%d", status);
      outcome->result = g_strdup_printf ("%d", status);
      outcome->ok = status == 0;
      if (status != 0)
        {
          g_autofree char *msg = g_strdup_printf (_("%s exited with status %d"),
                                                  (char *) g_ptr_array_index (argv, 0), status);
          loom_outcome_set_error (outcome, "CommandFailed", msg);
        }
    }
  else
    {
      int sig = g_subprocess_get_term_sig (run.proc);
      g_autofree char *msg = NULL;

      g_string_append_printf (outcome->detail, ",\"exit_status\":null,\"signal\":%d", sig);
      if (g_atomic_int_get (&ctx->timed_out))
        {
          msg = loom_timeout_message (ctx);
          loom_outcome_set_error (outcome, "Timeout", msg);
          outcome->timed_out = TRUE;
        }
      else
        {
          msg = g_strdup_printf (_("%s was killed by signal %d (%s)"),
                                 (char *) g_ptr_array_index (argv, 0), sig, g_strsignal (sig));
          loom_outcome_set_error (outcome, "CommandFailed", msg);
        }
    }

  loom_run_context_set_child (ctx, 0);
  g_byte_array_unref (run.out.data);
  g_byte_array_unref (run.err.data);
  g_object_unref (run.proc);
}
