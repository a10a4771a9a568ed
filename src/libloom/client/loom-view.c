/* loom-view.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A load-balanced view, like ipyparallel's: map and apply over the engines,
 * optionally restricted to a subset, in parallel or serially.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "loom-client-private.h"
#include "loom-enum-private.h"
#include "loom-enums.h"
#include "loom-error.h"

/**
 * LoomView:
 *
 * A load-balanced view of a cluster's engines, like ipyparallel's
 * `LoadBalancedView`: map and apply functions, commands or plugin
 * functions over parameters, on every engine or a subset, in parallel or
 * serially.  Each submission is a job, whose results come in a
 * #LoomAsyncResult.
 */
struct _LoomView
{
  GObject      parent_instance;

  LoomClient  *client;
  GArray      *targets;
  LoomJobMode  mode;
  gint         retries;
  guint        retry_failed;
  LoomScheme   scheme;
  gboolean     has_scheme;  /* otherwise the controller's */
  char        *name;
};

G_DEFINE_FINAL_TYPE (LoomView, loom_view, G_TYPE_OBJECT)

static void
loom_view_finalize (GObject *object)
{
  LoomView *self = (LoomView *) object;

  g_clear_object (&self->client);
  g_clear_pointer (&self->targets, g_array_unref);
  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (loom_view_parent_class)->finalize (object);
}

static void
loom_view_class_init (LoomViewClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_view_finalize;
}

static void
loom_view_init (LoomView *self)
{
  self->retries = -1;
}

LoomView *
loom_view_new (LoomClient *client)
{
  LoomView *self = g_object_new (LOOM_TYPE_VIEW, NULL);

  self->client = g_object_ref (client);
  return self;
}

/**
 * loom_view_set_targets:
 * @self: a #LoomView
 * @targets: (array length=n_targets) (nullable): engine ids
 * @n_targets: the number of ids; 0 for all engines
 *
 * Restricts the view to a subset of the engines.
 */
void
loom_view_set_targets (LoomView    *self,
                       const guint *targets,
                       guint        n_targets)
{
  g_return_if_fail (LOOM_IS_VIEW (self));

  g_clear_pointer (&self->targets, g_array_unref);
  if (targets != NULL && n_targets > 0)
    {
      self->targets = g_array_sized_new (FALSE, FALSE, sizeof (guint), n_targets);
      g_array_append_vals (self->targets, targets, n_targets);
    }
}

/**
 * loom_view_set_mode:
 * @self: a #LoomView
 * @mode: parallel (load-balanced) or serial (in order, on one engine)
 */
void
loom_view_set_mode (LoomView    *self,
                    LoomJobMode  mode)
{
  g_return_if_fail (LOOM_IS_VIEW (self));
  self->mode = mode;
}

/**
 * loom_view_get_mode:
 * @self: a #LoomView
 *
 * Returns: how the jobs this view submits run
 */
LoomJobMode
loom_view_get_mode (LoomView *self)
{
  g_return_val_if_fail (LOOM_IS_VIEW (self), LOOM_JOB_PARALLEL);
  return self->mode;
}

/**
 * loom_view_set_retries:
 * @self: a #LoomView
 * @retries: how often a task whose engine died runs again; -1 for the
 *   controller's default
 */
void
loom_view_set_retries (LoomView *self,
                       gint      retries)
{
  g_return_if_fail (LOOM_IS_VIEW (self));
  self->retries = retries;
}

/**
 * loom_view_set_retry_failed:
 * @self: a #LoomView
 * @retry_failed: how often a task that failed (raised, or exited non-zero)
 *   runs again, on another engine where there is one: 0 (the default) to
 *   %LOOM_RETRY_FAILED_MAX
 *
 * As IPython Parallel's `retries`.  Each run counts in the task's attempts.
 */
void
loom_view_set_retry_failed (LoomView *self,
                            guint     retry_failed)
{
  g_return_if_fail (LOOM_IS_VIEW (self));
  g_return_if_fail (retry_failed <= LOOM_RETRY_FAILED_MAX);
  self->retry_failed = retry_failed;
}

/**
 * loom_view_set_scheme:
 * @self: a #LoomView
 * @scheme: how the tasks of the jobs this view submits pick engines
 *
 * Overrides the controller's scheme for the jobs this view submits from
 * now on; loom_view_reset_scheme() goes back to it.
 */
void
loom_view_set_scheme (LoomView   *self,
                      LoomScheme  scheme)
{
  g_return_if_fail (LOOM_IS_VIEW (self));
  g_return_if_fail (scheme <= LOOM_SCHEME_RANDOM);
  self->scheme = scheme;
  self->has_scheme = TRUE;
}

/**
 * loom_view_reset_scheme:
 * @self: a #LoomView
 *
 * Lets the jobs this view submits from now on pick engines with the
 * controller's scheme (the default).
 */
void
loom_view_reset_scheme (LoomView *self)
{
  g_return_if_fail (LOOM_IS_VIEW (self));
  self->has_scheme = FALSE;
}

/**
 * loom_view_set_name:
 * @self: a #LoomView
 * @name: (nullable): a name for the jobs this view submits
 */
void
loom_view_set_name (LoomView   *self,
                    const char *name)
{
  g_return_if_fail (LOOM_IS_VIEW (self));
  g_free (self->name);
  self->name = g_strdup (name);
}

static LoomAsyncResult *
submit (LoomView      *self,
        LoomTaskSpec  *spec,
        GBytes        *lines,
        const char    *sweep_json,
        guint          n_tasks,
        gboolean       single,
        gboolean       ack,
        GError       **error)
{
  g_autoptr(GString) content = g_string_new ("{\"name\":");
  g_autofree char *spec_json = NULL;
  LoomAsyncResult *result;

  /* Nothing to run: no job (the controller refuses jobs of no tasks), and
   * a result that is ready at once with no results, as ipyparallel's map
   * over an empty list. */
  if (n_tasks == 0)
    return loom_async_result_new (self->client, 0, single);

  spec_json = loom_task_spec_to_json (spec);
  loom_json_append_string (content, self->name ? self->name
                                    : loom_task_spec_get_function (spec) ? loom_task_spec_get_function (spec)
                                    : "command");
  g_string_append_printf (content, ",\"mode\":\"%s\",\"count\":%u,\"spec\":%s",
                          loom_enum_to_nick (LOOM_TYPE_JOB_MODE, self->mode, "parallel"), n_tasks, spec_json);
  if (sweep_json != NULL)
    g_string_append_printf (content, ",\"sweep\":%s", sweep_json);
  if (self->retries >= 0)
    g_string_append_printf (content, ",\"retries\":%d", self->retries);
  if (self->retry_failed > 0)
    g_string_append_printf (content, ",\"retry_failed\":%u", self->retry_failed);
  if (self->has_scheme)
    g_string_append_printf (content, ",\"scheme\":\"%s\"", loom_scheme_to_string (self->scheme));
  if (self->targets != NULL)
    {
      g_string_append (content, ",\"targets\":[");
      for (guint i = 0; i < self->targets->len; i++)
        g_string_append_printf (content, "%s%u", i ? "," : "", g_array_index (self->targets, guint, i));
      g_string_append_c (content, ']');
    }

  result = loom_async_result_new (self->client, n_tasks, single);
  loom_client_submit (self->client, result, g_string_free (g_steal_pointer (&content), FALSE), lines, ack);
  return result;
}

/**
 * loom_view_map_lines_async:
 * @self: a #LoomView
 * @spec: what each task runs
 * @param_lines: the tasks' parameters, one compact JSON value per line
 * @n_tasks: the number of lines
 * @error: return location for a #GError
 *
 * The fastest way in: parameters already encoded travel as they are.
 *
 * With @n_tasks 0 no job is submitted: the result is ready at once, its
 * loom_async_result_get() is an empty array and its job id stays -1.
 *
 * Returns: (transfer full) (nullable): the job's results, filled as they arrive
 */
LoomAsyncResult *
loom_view_map_lines_async (LoomView      *self,
                           LoomTaskSpec  *spec,
                           GBytes        *param_lines,
                           guint          n_tasks,
                           GError       **error)
{
  g_return_val_if_fail (LOOM_IS_VIEW (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (param_lines != NULL, NULL);

  return submit (self, spec, param_lines, NULL, n_tasks, FALSE, TRUE, error);
}

/* Sweeps whose JSON form is longer than this travel as lines, if they
 * have at most as many tasks as a controller takes in a list by default
 * (loom-controller --max-job-tasks). */
#define SWEEP_JSON_MAX            ((gsize) 1024 * 1024)
#define SWEEP_AS_LINES_MAX_TASKS  1000000

/**
 * loom_view_map_sweep_async:
 * @self: a #LoomView
 * @spec: what each task runs
 * @sweep: the tasks' parameters: task i gets loom_sweep_get_params()
 *   of index i
 * @error: return location for a #GError
 *
 * Like loom_view_map_lines_async() with the lines of
 * loom_sweep_to_lines(), but the job travels as the sweep's JSON form
 * (loom_sweep_to_json()) and the controller computes each task's
 * parameters as it dispatches the task: submitting costs the same at any
 * size, and the controller keeps no parameters for queued tasks.  Job
 * reports still give each task's parameters.  A sweep whose JSON form
 * passes 1 MiB (a long CSV table) and that has at most 10^6 tasks goes
 * as its tasks' lines instead, in chunks.  A sweep of no tasks gives a
 * result that is ready at once, with no job.
 *
 * Returns: (transfer full) (nullable): the job's result, or %NULL with
 *   @error set
 */
LoomAsyncResult *
loom_view_map_sweep_async (LoomView      *self,
                           LoomTaskSpec  *spec,
                           LoomSweep     *sweep,
                           GError       **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) json = NULL;
  guint64 count;

  g_return_val_if_fail (LOOM_IS_VIEW (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (LOOM_IS_SWEEP (sweep), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  count = loom_sweep_get_count (sweep);
  if (count > G_MAXINT32)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("The sweep has %" PRIu64 " tasks; a job holds at most 2^31 − 1"), count);
      return NULL;
    }
  node = loom_sweep_to_json (sweep);
  json = g_string_new (NULL);
  loom_json_append_node (json, node);
  /* A long CSV table makes a long sweep: as JSON the controller would
   * parse it in one piece and keep every value as a node.  Such a job
   * travels as its tasks' lines, in chunks, kept as they came. */
  if (json->len > SWEEP_JSON_MAX && count <= SWEEP_AS_LINES_MAX_TASKS)
    {
      g_autoptr(GBytes) lines = loom_sweep_to_lines (sweep);

      return submit (self, spec, lines, NULL, count, FALSE, TRUE, error);
    }
  return submit (self, spec, NULL, json->str, count, FALSE, TRUE, error);
}

static GBytes *
encode_params (JsonArray *params)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (params); i++)
    {
      if (i > 0)
        g_string_append_c (out, '\n');
      json_generator_set_root (gen, json_array_get_element (params, i));
      json_generator_to_gstring (gen, out);
    }
  return g_string_free_to_bytes (out);
}

/**
 * loom_view_map_spec_async:
 * @self: a #LoomView
 * @spec: what each task runs
 * @params: one element per task: its parameters (an object of named
 *   values, an array of positional ones, or a single value)
 * @error: return location for a #GError
 *
 * Over an empty @params no job is submitted; see loom_view_map_async().
 *
 * Returns: (transfer full) (nullable): the job's results, filled as they arrive
 */
LoomAsyncResult *
loom_view_map_spec_async (LoomView      *self,
                          LoomTaskSpec  *spec,
                          JsonArray     *params,
                          GError       **error)
{
  g_autoptr(GBytes) lines = NULL;

  g_return_val_if_fail (LOOM_IS_VIEW (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  lines = encode_params (params);
  return submit (self, spec, lines, NULL, json_array_get_length (params), FALSE, TRUE, error);
}

/**
 * loom_view_map_async:
 * @self: a #LoomView
 * @function: a built-in name or `module.so:function`
 * @params: one element per task
 * @error: return location for a #GError
 *
 * Like `LoadBalancedView.map_async`: returns at once.
 *
 * Over an empty @params, like ipyparallel's map over an empty list, no job
 * is submitted (the controller refuses jobs of no tasks): the result is
 * ready at once, loom_async_result_get() gives an empty array and the job
 * id stays -1.
 *
 * Returns: (transfer full) (nullable): the job's results, filled as they arrive
 */
LoomAsyncResult *
loom_view_map_async (LoomView    *self,
                     const char  *function,
                     JsonArray   *params,
                     GError     **error)
{
  g_autoptr(LoomTaskSpec) spec = NULL;

  g_return_val_if_fail (LOOM_IS_VIEW (self), NULL);
  g_return_val_if_fail (function != NULL, NULL);

  if (!(spec = loom_task_spec_new_for_function (function, error)))
    return NULL;
  return loom_view_map_spec_async (self, spec, params, error);
}

/**
 * loom_view_map_sync:
 * @self: a #LoomView
 * @function: a built-in name or `module.so:function`
 * @params: one element per task
 * @error: return location for a #GError
 *
 * Like `LoadBalancedView.map_sync`: waits for every result.
 *
 * Returns: (transfer full) (nullable): an array of results in input order
 */
JsonNode *
loom_view_map_sync (LoomView    *self,
                    const char  *function,
                    JsonArray   *params,
                    GError     **error)
{
  g_autoptr(LoomTaskSpec) spec = NULL;
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(GBytes) lines = NULL;

  g_return_val_if_fail (LOOM_IS_VIEW (self), NULL);
  g_return_val_if_fail (function != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  if (!(spec = loom_task_spec_new_for_function (function, error)))
    return NULL;
  lines = encode_params (params);
  result = submit (self, spec, lines, NULL, json_array_get_length (params), FALSE, FALSE, error);

  if (result == NULL)
    return NULL;
  return loom_async_result_get (result, -1, error);
}

static LoomAsyncResult *
apply (LoomView    *self,
       const char  *function,
       JsonNode    *params,
       gboolean     ack,
       GError     **error)
{
  g_autoptr(LoomTaskSpec) spec = NULL;
  g_autoptr(GBytes) line = NULL;
  char *text;

  if (!(spec = loom_task_spec_new_for_function (function, error)))
    return NULL;
  text = params ? loom_json_to_string (params) : g_strdup ("{}");
  line = g_bytes_new_take (text, strlen (text));
  return submit (self, spec, line, NULL, 1, TRUE, ack, error);
}

/**
 * loom_view_apply_async:
 * @self: a #LoomView
 * @function: a built-in name or `module.so:function`
 * @params: (nullable): the task's parameters
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the task's result, filled when it arrives
 */
LoomAsyncResult *
loom_view_apply_async (LoomView    *self,
                       const char  *function,
                       JsonNode    *params,
                       GError     **error)
{
  g_return_val_if_fail (LOOM_IS_VIEW (self), NULL);
  g_return_val_if_fail (function != NULL, NULL);

  return apply (self, function, params, TRUE, error);
}

/**
 * loom_view_apply_sync:
 * @self: a #LoomView
 * @function: a built-in name or `module.so:function`
 * @params: (nullable): the task's parameters
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the task's result
 */
JsonNode *
loom_view_apply_sync (LoomView    *self,
                      const char  *function,
                      JsonNode    *params,
                      GError     **error)
{
  g_autoptr(LoomAsyncResult) result = NULL;

  g_return_val_if_fail (LOOM_IS_VIEW (self), NULL);
  g_return_val_if_fail (function != NULL, NULL);

  /* Nobody sees the job id before the result: skip the acknowledgement. */
  result = apply (self, function, params, FALSE, error);

  if (result == NULL)
    return NULL;
  return loom_async_result_get (result, -1, error);
}
