/* loomctl-map.c: map and run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A function (`map`) or a command (`run`) over a sweep, on the profile's
 * cluster or on a private one; GNU Parallel's --results, --joblog,
 * --resume and --retry-failed for commands.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "loomctl-private.h"
#include "loom-util-private.h"
#include "loom-json-private.h"

static MapOptions *parsing_options;

void
map_options_clear (MapOptions *o)
{
  loomctl_clear (&o->ctl);
  g_free (o->scheme_help);
  g_free (o->hwm_text);
  g_free (o->help_text);
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

/* -n N sizes a private cluster only: against a running cluster of another
 * size, says so on stderr and goes on with that cluster. */
static void
warn_engines_option (MapOptions *o,
                     LoomClient *client)
{
  g_autoptr(LoomClusterStatus) status = loom_client_get_status (client, NULL);
  const char *profile = loomctl_profile_or_default (o->ctl.profile);
  g_autofree char *option = o->ctl.profile ? g_strdup_printf (" --profile %s", o->ctl.profile) : g_strdup ("");
  g_autofree char *has = NULL;
  GListModel *engines;
  guint alive = 0;

  if (status == NULL)
    return;
  engines = loom_cluster_status_get_engines (status);
  for (guint i = 0; i < g_list_model_get_n_items (engines); i++)
    {
      g_autoptr(LoomEngineInfo) e = g_list_model_get_item (engines, i);

      alive += loom_engine_info_is_alive (e);
    }
  if (alive == (guint) o->n_engines)
    return;

  has = g_strdup_printf (ngettext ("the cluster “%s” has %u engine", "the cluster “%s” has %u engines", alive),
                         profile, alive);
  if (alive < (guint) o->n_engines)
    g_printerr (_("loomctl: %s; -n %d applies only to a private cluster (stop the cluster, "
                  "or add engines with “loomctl engines add %u%s”)\n"),
                has, o->n_engines, o->n_engines - alive, option);
  else
    g_printerr (_("loomctl: %s; -n %d applies only to a private cluster (stop the cluster "
                  "with “loomctl cluster stop%s” to run on a private one of %d)\n"),
                has, o->n_engines, option, o->n_engines);
}

/* The client of the profile's cluster or, with none running, of a private
 * cluster started for this command (@cluster keeps it alive). */
LoomClient *
map_options_acquire_client (MapOptions   *o,
                            LoomCluster **cluster,
                            LoomClient  **owned,
                            int          *code)
{
  g_autoptr(GError) error = NULL;

  /* A file left by a killed controller is no cluster: replace it as if none. */
  loomctl_remove_stale (o->ctl.profile, TRUE);
  if (loomctl_cluster_file_exists (o->ctl.profile))
    {
      *owned = loomctl_connect_profile (o->ctl.profile, code);
      if (*owned != NULL && o->n_engines > 0)
        warn_engines_option (o, *owned);
      return *owned;
    }
  if (o->async)
    {
      *code = loomctl_fail (EXIT_NO_CLUSTER, "no cluster for profile “%s”: --async needs one that outlives this command; "
                            "run “loomctl cluster start -n 4%s%s”", loomctl_profile_or_default (o->ctl.profile),
                            o->ctl.profile ? " --profile " : "", o->ctl.profile ? o->ctl.profile : "");
      return NULL;
    }

  /* The embedded default: a private cluster for this one command. */
  *cluster = loom_cluster_new (NULL);
  loom_controller_set_hwm (loom_cluster_get_controller (*cluster), o->hwm);
  if (!loom_cluster_start (*cluster, o->n_engines, &error))
    {
      *code = loomctl_fail (EXIT_NO_CLUSTER, "cannot start a private cluster: %s", error->message);
      return NULL;
    }
  if (isatty (STDERR_FILENO))
    g_printerr (_("loomctl: no cluster for profile “%s”; running on a private one of %u engines\n"),
                loomctl_profile_or_default (o->ctl.profile),
                o->n_engines ? (guint) o->n_engines : g_get_num_processors ());
  return loom_cluster_get_client (*cluster);
}

LoomSweep *
map_options_build_sweep (MapOptions  *o,
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
      char seed[32];

      /* A seed this command chose is shown always, so the order can be
       * repeated even when stderr went to a log. */
      loom_sweep_set_shuffle (sweep, o->shuffle_seed);
      g_snprintf (seed, sizeof seed, "%" PRIu64, o->shuffle_seed);
      if (!o->shuffle_seed_given || isatty (STDERR_FILENO))
        g_printerr (_("loomctl: shuffled with seed %s (--shuffle=%s repeats it)\n"), seed, seed);
    }
  return g_steal_pointer (&sweep);
}



/* Whether the joblog @path is a file with something in it (a new or empty
 * one gets GNU Parallel's header first). */
gboolean
loomctl_joblog_has_content (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0;
}

/* Which tasks of the sweep to run: all, or those a joblog does not record
 * as done (--resume: any row; --retry-failed: rows with exit value and
 * signal 0).  A joblog is GNU Parallel's (its header), and each of its
 * rows is a task of this sweep: Seq at most the task count and the same
 * command line as task Seq - 1, or the joblog is refused. */
static GArray *
select_indices (MapOptions  *o,
                LoomSweep   *sweep,
                char       **argv,
                guint64      count,
                GError     **error)
{
  g_autoptr(GHashTable) skip = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint64));
  const char *option = o->resume ? "--resume" : "--retry-failed";

  if (o->joblog && loomctl_joblog_has_content (o->joblog))
    {
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (o->joblog, &text, NULL, error))
        return NULL;
      lines = g_strsplit (text, "\n", -1);
      if (!g_str_equal (lines[0], LOOMCTL_JOBLOG_HEADER))
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("%s is not a joblog: its first line is not GNU Parallel's header "
                         "(Seq, Host, Starttime, JobRuntime, Send, Receive, Exitval, Signal, Command "
                         "separated by tabs); give another --joblog FILE"), o->joblog);
          return NULL;
        }
      for (guint i = 1; (o->resume || o->retry_failed) && lines[i]; i++)
        {
          g_auto(GStrv) cols = NULL;
          g_autoptr(JsonNode) params = NULL;
          g_autofree char *expected = NULL;
          guint64 seq, sig;
          gint64 exitval;

          if (*lines[i] == '\0')
            continue;
          cols = g_strsplit (lines[i], "\t", 9);
          if (g_strv_length (cols) < 9 ||
              !g_ascii_string_to_unsigned (cols[0], 10, 1, G_MAXUINT32, &seq, NULL) ||
              !g_ascii_string_to_signed (cols[6], 10, G_MININT32, G_MAXINT32, &exitval, NULL) ||
              !g_ascii_string_to_unsigned (cols[7], 10, 0, G_MAXINT32, &sig, NULL))
            {
              g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                           _("%s line %u is not a joblog row (Seq, Host, Starttime, JobRuntime, Send, Receive, "
                             "Exitval, Signal, Command separated by tabs): “%s”"), o->joblog, i + 1, lines[i]);
              return NULL;
            }
          if (seq > count)
            {
              g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                           _("the joblog %s is of another sweep or command: its row Seq %" PRIu64 " (line %u) "
                             "records “%s”, but this sweep has %" PRIu64 " tasks, Seq 1 to %" PRIu64 "; "
                             "use another --joblog FILE, or drop %s to run every task"),
                           o->joblog, seq, i + 1, cols[8], count, count, option);
              return NULL;
            }
          params = loom_sweep_get_params (sweep, seq - 1);
          expected = loomctl_command_line (argv, params, FALSE, NULL);
          if (!g_str_equal (expected, cols[8]))
            {
              g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                           _("the joblog %s is of another sweep or command: its row Seq %" PRIu64 " (line %u) "
                             "records “%s”, but task %" PRIu64 " of this sweep runs “%s”; "
                             "use another --joblog FILE, or drop %s to run every task"),
                           o->joblog, seq, i + 1, cols[8], seq - 1, expected, option);
              return NULL;
            }
          if (o->resume || (exitval == 0 && sig == 0))
            g_hash_table_add (skip, GSIZE_TO_POINTER (seq - 1));
        }
    }

  for (guint64 i = 0; i < count; i++)
    if (!g_hash_table_contains (skip, GSIZE_TO_POINTER (i)))
      g_array_append_val (indices, i);
  return g_steal_pointer (&indices);
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

/* An argument as a shell would need it, quoted only where needed. */
static char *
shell_text (const char *arg)
{
  const char *safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";

  if (*arg != '\0' && strspn (arg, safe) == strlen (arg))
    return g_strdup (arg);
  return g_shell_quote (arg);
}

/* The command line a task runs, its arguments shell-quoted if @quote.  An
 * argument that cannot be expanded is an error, or without @error shown
 * as it is. */
char *
loomctl_command_line (char      **argv,
                      JsonNode   *params,
                      gboolean    quote,
                      GError    **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; argv && argv[i]; i++)
    {
      g_autofree char *arg = loom_command_expand (argv[i], params, error);
      g_autofree char *text = NULL;

      if (arg == NULL && error != NULL)
        return NULL;
      text = quote ? shell_text (arg ? arg : argv[i]) : g_strdup (arg ? arg : argv[i]);
      g_string_append_printf (out, "%s%s", i ? " " : "", text);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The command line of task @index of @sweep. */
static char *
sweep_command_line (char      **argv,
                    LoomSweep  *sweep,
                    guint64     index,
                    GError    **error)
{
  g_autoptr(JsonNode) params = loom_sweep_get_params (sweep, index);

  return loomctl_command_line (argv, params, TRUE, error);
}

/* --dry-run: the preview, and after the task count the first and last
 * command lines as they will run. */
static void
print_dry_run (LoomSweep  *sweep,
               char      **argv,
               const char *first_command)
{
  g_autofree char *preview = loom_sweep_describe_preview (sweep, 5, 3);
  const char *rest = strchr (preview, '\n');
  guint64 count = loom_sweep_get_count (sweep);

  rest = rest ? rest + 1 : preview + strlen (preview);
  g_print ("%.*s", (int) (rest - preview), preview);
  if (first_command != NULL && count == 1)
    g_print (_("command: %s\n"), first_command);
  else if (first_command != NULL)
    {
      g_autofree char *last = sweep_command_line (argv, sweep, count - 1, NULL);
      g_print (_("first command: %s\n"), first_command);
      g_print (_("last command:  %s\n"), last);
    }
  g_print ("%s", rest);
}

/* A sweep of no tasks, as ipyparallel's map over an empty list: no job,
 * and what a job of no tasks would print: [], no output, or a report with
 * an empty task list whose job has no id. */
static int
print_no_tasks (MapOptions    *o,
                LoomTaskSpec  *spec,
                LoomctlFormat  format,
                gboolean       command_output)
{
  g_autoptr(LoomctlStream) stream = loomctl_stream_new (format, command_output, FALSE);
  g_autoptr(JsonNode) job_node = NULL;
  g_autoptr(JsonObject) extra = json_object_new ();
  g_autofree char *spec_json = NULL;
  JsonObject *job;
  gint64 now = g_get_real_time ();

  if (o->async)
    {
      g_printerr (_("loomctl: the sweep has no tasks; no job was submitted\n"));
      return EXIT_OK;
    }
  if (format != LOOMCTL_FORMAT_JSON)
    return loomctl_stream_finish (stream, NULL, NULL);

  spec_json = loom_task_spec_to_json (spec);
  job = json_object_new ();
  json_object_set_null_member (job, "id");
  json_object_set_string_member (job, "name", loom_task_spec_get_function (spec) ? loom_task_spec_get_function (spec)
                                                                                 : "command");
  json_object_set_string_member (job, "mode", o->serial ? "serial" : "parallel");
  json_object_set_int_member (job, "tasks", 0);
  json_object_set_int_member (job, "done", 0);
  json_object_set_int_member (job, "failed", 0);
  json_object_set_int_member (job, "engines", 0);
  json_object_set_double_member (job, "wall_time", 0);
  json_object_set_double_member (job, "serial_time", 0);
  json_object_set_double_member (job, "speedup", 0);
  json_object_set_double_member (job, "efficiency", 0);
  json_object_set_int_member (job, "created", now);
  json_object_set_int_member (job, "finished", now);
  json_object_set_member (job, "spec", loom_json_from_data (spec_json, -1, NULL));
  job_node = json_node_init_object (json_node_alloc (), job);
  json_object_unref (job);
  if (o->shuffle)
    json_object_set_int_member (extra, "shuffle_seed", (gint64) o->shuffle_seed);
  return loomctl_stream_finish (stream, job_node, extra);
}

/* Ctrl-C or SIGTERM while waiting: a private cluster stops with its job
 * (the caller's reference to it is the last); on the profile's cluster the
 * job goes on. */
int
map_options_interrupted (MapOptions  *o,
                         LoomCluster *cluster,
                         int          job)
{
  const char *profile = loomctl_profile_or_default (o->ctl.profile);
  g_autofree char *option = o->ctl.profile ? g_strdup_printf (" --profile %s", o->ctl.profile) : g_strdup ("");

  if (cluster != NULL)
    g_printerr (_("loomctl: interrupted; the private cluster stops with its job\n"));
  else if (job >= 0)
    g_printerr (_("loomctl: interrupted; job %d goes on in cluster “%s”: “loomctl abort %d%s” stops it\n"),
                job, profile, job, option);
  else
    g_printerr (_("loomctl: interrupted before cluster “%s” answered; see “loomctl jobs%s”\n"), profile, option);
  return EXIT_INTERRUPTED;
}

/* --retries, --retry-failed-tasks and --scheme on @view. */
int
map_options_apply_view (MapOptions *o,
                        LoomView   *view)
{
  if (o->retries >= 0)
    loom_view_set_retries (view, o->retries);
  if (o->retry_failed_tasks < 0 || o->retry_failed_tasks > LOOM_RETRY_FAILED_MAX)
    return loomctl_fail (EXIT_USAGE, _("--retry-failed-tasks takes a whole number from 0 to %d, got %d"),
                         LOOM_RETRY_FAILED_MAX, o->retry_failed_tasks);
  loom_view_set_retry_failed (view, o->retry_failed_tasks);
  if (o->scheme != NULL)
    {
      g_autofree char *schemes = loom_enum_choices (LOOM_TYPE_SCHEME, LOOM_ENUM_CHOICES_PLAIN, -1, NULL);
      LoomScheme scheme;

      if (!loom_scheme_from_string (o->scheme, &scheme))
        return loomctl_fail (EXIT_USAGE, "unknown scheme “%s”: use %s", o->scheme, schemes);
      loom_view_set_scheme (view, scheme);
    }
  return EXIT_OK;
}

/* What looks at a job while loomctl waits for it. */
typedef struct
{
  LoomctlStream   *stream;
  LoomctlRecorder *recorder;
  LoomAsyncResult *result;
  LoomSweep       *sweep;
  GArray          *indices;
} Watch;

static void
watch_clear (Watch *watch)
{
  g_clear_pointer (&watch->stream, loomctl_stream_free);
  if (watch->recorder)
    loomctl_recorder_finish (g_steal_pointer (&watch->recorder), NULL);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Watch, watch_clear)

static gboolean
watch_tick (gpointer data)
{
  Watch *watch = data;

  /* The recorder first: it reads results the stream then forgets. */
  if (watch->recorder)
    loomctl_recorder_poll (watch->recorder);
  return loomctl_stream_poll_result (watch->stream, watch->result, watch->sweep, watch->indices);
}

/* The root members of a --json document besides "job" and "tasks". */
static JsonObject *
report_extra (MapOptions *o)
{
  JsonObject *extra = json_object_new ();

  if (o->shuffle)
    json_object_set_int_member (extra, "shuffle_seed", (gint64) o->shuffle_seed);
  return extra;
}

/* The end of a job that finished: the rest of its tasks, its summary. */
static int
print_finished (MapOptions *o,
                LoomClient *client,
                Watch      *watch)
{
  g_autoptr(JsonNode) job = NULL;
  g_autoptr(JsonObject) extra = report_extra (o);
  g_autoptr(GError) error = NULL;

  loomctl_stream_poll_result (watch->stream, watch->result, watch->sweep, watch->indices);
  if (!(job = loomctl_stream_result_summary (client, watch->result, &error)))
    {
      loomctl_stream_stop (watch->stream);
      return loomctl_fail_with (error);
    }
  return loomctl_stream_finish (watch->stream, job, extra);
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
  g_autoptr(GBytes) lines = NULL;
  g_autoptr(GArray) indices = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Watch) watch = { NULL, };
  LoomctlFormat format;
  gboolean finished;
  g_autofree char *first_command = NULL;
  gboolean command_output = argv != NULL;
  LoomClient *client;
  guint64 count;
  int code = 0;

  if (!loomctl_check_profile (o->ctl.profile))
    return EXIT_USAGE;
  if ((code = loomctl_format_from_options (&o->ctl, &format)) != EXIT_OK)
    return code;
  if (o->n_engines < 0)
    return loomctl_fail (EXIT_USAGE, "--engines must not be negative");
  if (!loom_hwm_parse (o->hwm_text, &o->hwm))
    return loomctl_fail (EXIT_USAGE, "--hwm takes “auto” or a number from 1 to %d, got “%s”", LOOM_HWM_MAX, o->hwm_text);
  if ((o->resume || o->retry_failed) && o->joblog == NULL)
    return loomctl_fail (EXIT_USAGE, "--resume and --retry-failed need --joblog FILE");
  if (!(sweep = map_options_build_sweep (o, &error)))
    return loomctl_fail (EXIT_USAGE, "%s", error->message);
  count = loom_sweep_get_count (sweep);
  if (count > 10000000 && !o->force)
    return loomctl_fail (EXIT_USAGE, "the sweep has %" PRIu64 " tasks, more than 10^7: add --force if you mean it", count);
  if (count > G_MAXINT32)
    return loomctl_fail (EXIT_USAGE, "the sweep has %" PRIu64 " tasks; a job holds at most 2^31", count);

  /* A placeholder no parameter fills is one error now, not one per task
   * later: every task has the same parameter names as the first. */
  if (argv != NULL && count > 0 && !(first_command = sweep_command_line (argv, sweep, 0, &error)))
    return loomctl_fail (EXIT_USAGE, _("the command cannot run: %s"), error->message);

  if (o->dry_run)
    {
      print_dry_run (sweep, argv, first_command);
      return EXIT_OK;
    }

  if (count == 0)
    return print_no_tasks (o, spec, format, command_output);

  /* What will be written must be writable before anything runs. */
  if ((code = loomctl_check_output (o->joblog)) != EXIT_OK ||
      (code = loomctl_check_output_folder (o->results)) != EXIT_OK)
    return code;
  if (!(indices = select_indices (o, sweep, argv, count, &error)))
    return loomctl_fail (EXIT_USAGE, "%s", error->message);
  if (indices->len == 0)
    {
      g_printerr (_("loomctl: every task is already recorded in %s; nothing to run\n"), o->joblog);
      return EXIT_OK;
    }

  /* Ctrl-C while the job runs stops a private cluster cleanly. */
  if (!o->async)
    loomctl_catch_interrupts ();
  if (!(client = map_options_acquire_client (o, &cluster, &owned, &code)))
    return code;
  if (cluster != NULL && loomctl_interrupted ())
    return map_options_interrupted (o, cluster, -1);

  view = loom_client_load_balanced_view (client);
  if (o->serial)
    loom_view_set_mode (view, LOOM_JOB_SERIAL);
  if ((code = map_options_apply_view (o, view)) != EXIT_OK)
    return code;
  /* Every task: the job travels as its sweep.  A resumed subset: as the
   * lines of its tasks' parameters. */
  if (indices->len == count)
    result = loom_view_map_sweep_async (view, spec, sweep, &error);
  else
    {
      lines = lines_for (sweep, indices);
      result = loom_view_map_lines_async (view, spec, lines, indices->len, &error);
    }
  if (result == NULL)
    return loomctl_fail (EXIT_USAGE, "%s", error->message);

  if (o->async)
    {
      /* The job id comes with the controller's answer to the submit. */
      while (loom_async_result_get_job_id (result) < 0 && !loom_async_result_wait (result, 0.01))
        ;
      if (loom_async_result_get_job_id (result) < 0)
        {
          g_autoptr(JsonNode) none = loom_async_result_get (result, 0, &error);
          return loomctl_fail_with (error);
        }
      g_print ("%d\n", loom_async_result_get_job_id (result));
      return EXIT_OK;
    }

  /* Every task is printed in input order as soon as it can be (a
   * command's output as GNU Parallel's -k has it), and then forgotten,
   * unless --results or --joblog, written as tasks finish, read it too. */
  if (o->results || o->joblog)
    watch.recorder = loomctl_recorder_new (o, argv, sweep, indices, result);
  else
    loom_async_result_set_keep_results (result, FALSE);
  watch.stream = loomctl_stream_new (format, command_output, TRUE);
  watch.result = result;
  watch.sweep = sweep;
  watch.indices = indices;
  finished = loomctl_wait_with_progress (result, client, o->timeout, watch_tick, &watch);
  if (watch.recorder && !loomctl_recorder_finish (g_steal_pointer (&watch.recorder), &error))
    code = loomctl_fail (EXIT_CANNOT_WRITE, "%s", error->message);
  if (!finished)
    {
      loomctl_stream_stop (watch.stream);
      if (loomctl_interrupted ())
        return map_options_interrupted (o, cluster, loom_async_result_get_job_id (result));
      return loomctl_fail (EXIT_TIMEOUT, "job %d is not done after %g s (%u of %u tasks finished); "
                           "it goes on: see “loomctl get %d”", loom_async_result_get_job_id (result), o->timeout,
                           loom_async_result_get_progress (result), indices->len, loom_async_result_get_job_id (result));
    }
  if (code != EXIT_OK)
    return code;

  if (loom_async_result_get_job_id (result) < 0)
    {
      g_autoptr(JsonNode) none = loom_async_result_get (result, 0, &error);
      return loomctl_fail_with (error);
    }
  return print_finished (o, client, &watch);
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
  o->shuffle_seed_given = value != NULL;
  if (value == NULL)
    {
      /* Below 2^53: the report's JSON carries it exactly to any reader. */
      o->shuffle_seed = (((guint64) g_random_int () << 32) | g_random_int ()) & ((G_GUINT64_CONSTANT (1) << 53) - 1);
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &o->shuffle_seed, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--shuffle takes a seed, a whole number from 0 to 2^63 - 1, got “%s”", value);
      return FALSE;
    }
  return TRUE;
}

/* --retries N: a whole number ≥ 0 (-1, the default, is the cluster's
 * number, which no one can ask for by writing it). */
static gboolean
parse_retries (const char  *name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  guint64 retries;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT, &retries, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--retries takes a whole number ≥ 0 (times a task runs again), got “%s”"), value);
      return FALSE;
    }
  parsing_options->retries = retries;
  return TRUE;
}

/* --output-limit BYTES: a whole number of bytes, or of KiB, MiB or GiB
 * with a suffix K, M or G (KiB, MiB, GiB too), at most 1 GiB. */
static gboolean
parse_output_limit (const char  *name,
                    const char  *value,
                    gpointer     data,
                    GError     **error)
{
  static const struct { const char *suffix; guint64 factor; } units[] = {
    { "", 1 }, { "b", 1 },
    { "k", 1024 }, { "kib", 1024 }, { "kb", 1024 },
    { "m", 1024 * 1024 }, { "mib", 1024 * 1024 }, { "mb", 1024 * 1024 },
    { "g", 1024 * 1024 * 1024 }, { "gib", 1024 * 1024 * 1024 }, { "gb", 1024 * 1024 * 1024 },
  };
  const char *end = value;
  guint64 number;

  while (g_ascii_isdigit (*end))
    end++;
  if (end > value && end - value <= 12)
    {
      g_autofree char *digits = g_strndup (value, end - value);

      if (g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT64, &number, NULL))
        for (guint i = 0; i < G_N_ELEMENTS (units); i++)
          if (g_ascii_strcasecmp (end, units[i].suffix) == 0 &&
              number <= LOOM_OUTPUT_LIMIT_MAX / units[i].factor)
            {
              parsing_options->output_limit = number * units[i].factor;
              return TRUE;
            }
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--output-limit takes the bytes to keep of each task's stdout and stderr, from 0 to 1G "
                 "(such as 65536, 64K or 16M), got “%s”"), value);
  return FALSE;
}

/* The --scheme option's help, with the names of the schemes. */
static const char *
scheme_option_help (MapOptions *o)
{
  g_autofree char *schemes = loom_enum_choices (LOOM_TYPE_SCHEME, LOOM_ENUM_CHOICES_PLAIN, -1, NULL);

  g_free (o->scheme_help);
  o->scheme_help = g_strdup_printf (_("How this job's tasks pick engines: %s (default: the cluster's)"), schemes);
  return o->scheme_help;
}

/* --task-timeout: seconds, 0 (the default) for none. */
gboolean
map_options_check_task_timeout (MapOptions *o)
{
  if (o->task_timeout >= 0 && o->task_timeout <= LOOM_TASK_TIMEOUT_MAX)
    return TRUE;
  loomctl_fail (EXIT_USAGE, _("--task-timeout takes seconds, from 0 (no limit) to %d, got %g"),
                LOOM_TASK_TIMEOUT_MAX, o->task_timeout);
  return FALSE;
}

/* A command task's working directory, environment and output limit.  The directory is
 * --cwd or the one loomctl runs in, made absolute as plugin paths are, so
 * that ./program means the same on every engine of this host. */
int
map_options_apply_command (MapOptions   *o,
                           LoomTaskSpec *spec)
{
  g_autofree char *cwd = o->cwd ? g_canonicalize_filename (o->cwd, NULL) : g_get_current_dir ();
  g_autoptr(GError) error = NULL;

  if (!g_file_test (cwd, G_FILE_TEST_IS_DIR))
    return loomctl_fail (EXIT_USAGE, _("--cwd %s is not a directory; nothing ran"), cwd);
  loom_task_spec_set_cwd (spec, cwd);
  for (guint i = 0; o->env && o->env[i]; i++)
    {
      g_auto(GStrv) kv = g_strsplit (o->env[i], "=", 2);
      if (kv[0] == NULL || kv[1] == NULL || *kv[0] == '\0')
        return loomctl_fail (EXIT_USAGE, "--env “%s” is not of the form NAME=VALUE", o->env[i]);
      loom_task_spec_setenv (spec, kv[0], kv[1]);
    }
  if (o->output_limit >= 0 && !loom_task_spec_set_output_limit (spec, o->output_limit, &error))
    return loomctl_fail (EXIT_USAGE, "%s", error->message);
  return EXIT_OK;
}

/* After the options in --help: every kind of sweep, as loomctl(1) and
 * the README list them. */
static const char sweep_help[] = N_(
  "Sweeps (--sweep NAME=SPEC, repeatable; combined as a product unless --zip):\n"
  "  x=1,2,5 or x=list:a,b,c        the values given (\"1\" in quotes is text)\n"
  "  x=range:START:STOP[:STEP]      like Python's range: STOP excluded\n"
  "  x=lin:START:STOP:N             N evenly spaced points, both ends included\n"
  "  x=log:START:STOP:N             N points evenly spaced on a log scale\n"
  "  x=random:uniform|loguniform|int:LOW:HIGH:N[:SEED]\n"
  "                                 N random values, the same for the same SEED\n"
  "--sweep-csv FILE gives one task per row.  A sweep of no tasks prints []\n"
  "(run: nothing) and exits 0.  NaN and infinities are refused: JSON has none.\n");
static const char command_help[] = N_(
  "In the command, {name} is a parameter, {} the only one, {{ and }} braces.\n"
  "Commands run in this directory, or in --cwd DIR.\n");
static const char ordered_help[] = N_(
  "Each task's stdout is printed in input order as soon as the tasks before it\n"
  "are done.\n");

GOptionEntry *
map_options_entries (MapOptions    *o,
                     MapOptionsFor  what)
{
  const char *scheme_help = scheme_option_help (o);
  GOptionEntry common[] = {
    { "sweep", 's', 0, G_OPTION_ARG_STRING_ARRAY, &o->sweeps, N_("A swept parameter: a list (x=1,2,5), range, lin, log or random; see below (repeatable)"), "SPEC" },
    { "arg", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &o->args, N_("A constant parameter for every task (repeatable)"), "NAME=VALUE" },
    { "engines", 'n', 0, G_OPTION_ARG_INT, &o->n_engines, N_("Engines of the private cluster when none is running (default: one per CPU)"), "N" },
    LOOMCTL_PROFILE_OPTION (&o->ctl),
    LOOMCTL_JSON_OPTION (&o->ctl, N_("Print the job and every task with its metadata as JSON")),
    { "hwm", 0, 0, G_OPTION_ARG_STRING, &o->hwm_text, N_("Tasks an engine of the private cluster may hold at once: auto (the default) or 1 to 1024"), "K|auto" },
    { "retries", 0, 0, G_OPTION_ARG_CALLBACK, parse_retries, N_("Times a task whose engine died runs again (default 2)"), "N" },
    { "task-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->task_timeout, N_("Stop a task that runs longer than S seconds: it ends “timeout” (a command is killed; a built-in or plugin ends its engine, which is replaced)"), "S" },
    { "scheme", 0, 0, G_OPTION_ARG_STRING, &o->scheme, scheme_help, "SCHEME" },
    { "zip", 0, 0, G_OPTION_ARG_STRING, &o->zip, N_("Advance these swept parameters together instead of as a product"), "A,B" },
    { "sweep-csv", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->csv, N_("One task per row of a CSV file with a header of parameter names"), "FILE" },
    { "shuffle", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, parse_shuffle, N_("Run the tasks in a random order (reproducible with a seed)"), "[SEED]" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &o->force, N_("Run sweeps of more than 10^7 tasks"), NULL },
  };
  /* map and run: one job, waited for or not. */
  GOptionEntry one_job[] = {
    { "async", 0, 0, G_OPTION_ARG_NONE, &o->async, N_("Submit, print the job id and return (needs a running cluster)"), NULL },
    { "serial", 0, 0, G_OPTION_ARG_NONE, &o->serial, N_("Run the tasks one after another on one engine"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->timeout, N_("Give up waiting after S seconds (the job goes on)"), "S" },
    { "retry-failed-tasks", 0, 0, G_OPTION_ARG_INT, &o->retry_failed_tasks, N_("Run a task that failed (raised, or exited non-zero) again, up to N more times, on another engine where there is one"), "N" },
    LOOMCTL_JSON_LINES_OPTION (&o->ctl),
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &o->dry_run, N_("Print the number of tasks, the first and last command lines (run) and parameter sets; run nothing"), NULL },
  };
  /* run and compare: commands. */
  GOptionEntry commands[] = {
    { "cwd", 0, 0, G_OPTION_ARG_FILENAME, &o->cwd, N_("Working directory of the commands"), "DIR" },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &o->env, N_("An environment variable for the commands (repeatable)"), "NAME=VALUE" },
    { "output-limit", 0, 0, G_OPTION_ARG_CALLBACK, parse_output_limit, N_("Keep the first BYTES of each task's stdout and of its stderr (default 1M; K, M and G suffixes; at most 1G)"), "BYTES" },
  };
  /* run: GNU Parallel's records. */
  GOptionEntry records[] = {
    { "results", 0, 0, G_OPTION_ARG_FILENAME, &o->results, N_("Write each task's stdout, stderr and exit_status under DIR/<index>/"), "DIR" },
    { "joblog", 0, 0, G_OPTION_ARG_FILENAME, &o->joblog, N_("Append a GNU Parallel joblog row per task to FILE"), "FILE" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &o->resume, N_("Skip the tasks the joblog already records"), NULL },
    { "retry-failed", 0, 0, G_OPTION_ARG_NONE, &o->retry_failed, N_("Run again the tasks the joblog records as failed (and those not run)"), NULL },
  };
  GArray *entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));

  parsing_options = o;
  g_free (o->help_text);
  if (what == MAP_OPTIONS_RUN)
    o->help_text = g_strconcat (_(sweep_help), "\n", _(command_help), _(ordered_help), NULL);
  else if (what == MAP_OPTIONS_COMPARE)
    o->help_text = g_strconcat (_(sweep_help), "\n", _(command_help), NULL);
  else
    o->help_text = g_strdup (_(sweep_help));
  o->ctl.description = o->help_text;
  g_array_append_vals (entries, common, G_N_ELEMENTS (common));
  if (what != MAP_OPTIONS_COMPARE)
    g_array_append_vals (entries, one_job, G_N_ELEMENTS (one_job));
  if (what != MAP_OPTIONS_MAP)
    g_array_append_vals (entries, commands, G_N_ELEMENTS (commands));
  if (what == MAP_OPTIONS_RUN)
    g_array_append_vals (entries, records, G_N_ELEMENTS (records));
  return (GOptionEntry *) g_array_free (entries, FALSE);
}

int
cmd_map (const Command *command,
         int            argc,
         char         **argv)
{
  g_auto(MapOptions) o = MAP_OPTIONS_INIT;
  g_autofree GOptionEntry *entries = map_options_entries (&o, MAP_OPTIONS_MAP);
  g_autoptr(LoomTaskSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  int code;

  if ((code = loomctl_prologue (&o.ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  if (argc != 2)
    return loomctl_fail (EXIT_USAGE, "usage: loomctl map FUNCTION [--sweep name=SPEC]… (see “loomctl map --help”)");
  if (!(spec = loom_task_spec_new_for_function (argv[1], &error)))
    return loomctl_fail (EXIT_USAGE, "%s", error->message);
  if (loom_task_spec_get_kind (spec) == LOOM_TASK_KIND_BUILTIN && !loom_builtins_lookup (argv[1]))
    {
      guint n;
      const LoomBuiltinInfo *all = loom_builtins_get_all (&n);
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < n; i++)
        g_string_append_printf (names, "%s%s", i ? ", " : "", all[i].name);
      return loomctl_fail (EXIT_USAGE, "unknown function “%s”: the built-ins are %s; a plugin is path/to/module.so:function",
                           argv[1], names->str);
    }
  if (!map_options_check_task_timeout (&o))
    return EXIT_USAGE;
  loom_task_spec_set_timeout (spec, o.task_timeout);
  return submit_and_wait (&o, spec, NULL);
}

int
cmd_run (const Command *command,
         int            argc,
         char         **argv)
{
  g_auto(MapOptions) o = MAP_OPTIONS_INIT;
  g_autofree GOptionEntry *entries = map_options_entries (&o, MAP_OPTIONS_RUN);
  g_autoptr(LoomTaskSpec) spec = NULL;
  int first = 1;
  int code;

  if ((code = loomctl_prologue (&o.ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  if (argc > 1 && g_str_equal (argv[1], "--"))
    first = 2;
  if (argc <= first)
    return loomctl_fail (EXIT_USAGE, "usage: loomctl run [--sweep name=SPEC]… -- COMMAND ARGS… (use {name} for parameters)");
  if (!map_options_check_task_timeout (&o))
    return EXIT_USAGE;

  spec = loom_task_spec_new_command ((const char * const *) argv + first);
  if ((code = map_options_apply_command (&o, spec)) != EXIT_OK)
    return code;
  loom_task_spec_set_timeout (spec, o.task_timeout);
  return submit_and_wait (&o, spec, argv + first);
}
