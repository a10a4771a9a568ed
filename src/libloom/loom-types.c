/* loom-types.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-types.h"

static const char *task_status_names[] = {
  "queued", "dispatched", "running", "done", "failed", "aborted", "lost",
};

static const char *scheme_names[] = { "leastload", "lru", "random" };

static const char *engine_state_names[] = { "starting", "idle", "busy", "dead", "stopped" };

const char *
loom_task_status_to_string (LoomTaskStatus status)
{
  g_return_val_if_fail (status <= LOOM_TASK_LOST, "unknown");
  return task_status_names[status];
}

/**
 * loom_task_status_get_label:
 * @status: a #LoomTaskStatus
 *
 * Returns: the status as a person reads it, translated (the wire and the
 *   JSON use loom_task_status_to_string())
 */
const char *
loom_task_status_get_label (LoomTaskStatus status)
{
  static const char *labels[] = {
    N_("queued"), N_("dispatched"), N_("running"), N_("done"), N_("failed"), N_("aborted"), N_("lost"),
  };

  g_return_val_if_fail (status <= LOOM_TASK_LOST, _("unknown"));
  return g_dgettext (GETTEXT_PACKAGE, labels[status]);
}

/**
 * loom_task_status_is_final:
 * @status: a #LoomTaskStatus
 *
 * Returns: %TRUE if a task with @status will not change any more
 */
gboolean
loom_task_status_is_final (LoomTaskStatus status)
{
  return status >= LOOM_TASK_DONE;
}

const char *
loom_scheme_to_string (LoomScheme scheme)
{
  g_return_val_if_fail (scheme <= LOOM_SCHEME_RANDOM, "unknown");
  return scheme_names[scheme];
}

/**
 * loom_scheme_from_string:
 * @str: a scheme name
 * @scheme: (out): the scheme
 *
 * Returns: %TRUE if @str names a scheme
 */
gboolean
loom_scheme_from_string (const char *str,
                         LoomScheme *scheme)
{
  for (guint i = 0; i < G_N_ELEMENTS (scheme_names); i++)
    if (g_strcmp0 (str, scheme_names[i]) == 0)
      {
        *scheme = i;
        return TRUE;
      }
  return FALSE;
}

const char *
loom_engine_state_to_string (LoomEngineState state)
{
  g_return_val_if_fail (state <= LOOM_ENGINE_STOPPED, "unknown");
  return engine_state_names[state];
}

/**
 * loom_engine_state_from_string:
 * @str: a state name
 * @state: (out): the state
 *
 * Returns: %TRUE if @str names a state
 */
gboolean
loom_engine_state_from_string (const char      *str,
                               LoomEngineState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (engine_state_names); i++)
    if (g_strcmp0 (str, engine_state_names[i]) == 0)
      {
        *state = i;
        return TRUE;
      }
  return FALSE;
}
