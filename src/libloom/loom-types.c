/* loom-types.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The names of Loom's enums are the nicks of their GEnumClass (see the
 * `nick=` annotations in loom-types.h, looked up by loom-enum-private.h):
 * no table of strings here.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-enum-private.h"
#include "loom-enums.h"
#include "loom-types.h"

/**
 * loom_task_status_to_string:
 * @status: a #LoomTaskStatus
 *
 * Returns: (transfer none): the status's name on the wire and in JSON:
 *   "queued", "dispatched", "running", "done", "failed", "aborted" or "lost"
 */
const char *
loom_task_status_to_string (LoomTaskStatus status)
{
  return loom_enum_to_nick (LOOM_TYPE_TASK_STATUS, status, "unknown");
}

/**
 * loom_task_status_get_label:
 * @status: a #LoomTaskStatus
 *
 * Returns: (transfer none): the status as a person reads it, translated
 *   (the wire and the JSON use loom_task_status_to_string())
 */
const char *
loom_task_status_get_label (LoomTaskStatus status)
{
  /* Translations, indexed by status: the names themselves are the nicks. */
  static const char *labels[] = {
    N_("queued"), N_("dispatched"), N_("running"), N_("done"), N_("failed"), N_("aborted"), N_("lost"),
    N_("timeout"),
  };

  g_return_val_if_fail (status <= LOOM_TASK_TIMEOUT, _("unknown"));
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

/**
 * loom_scheme_to_string:
 * @scheme: a #LoomScheme
 *
 * Returns: (transfer none): the scheme's name: "leastload", "lru" or "random"
 */
const char *
loom_scheme_to_string (LoomScheme scheme)
{
  return loom_enum_to_nick (LOOM_TYPE_SCHEME, scheme, "unknown");
}

/**
 * loom_scheme_from_string:
 * @str: (nullable): a scheme name
 * @scheme: (out): the scheme
 *
 * Returns: %TRUE if @str names a scheme
 */
gboolean
loom_scheme_from_string (const char *str,
                         LoomScheme *scheme)
{
  gint value;

  g_return_val_if_fail (scheme != NULL, FALSE);

  if (!loom_enum_from_nick (LOOM_TYPE_SCHEME, str, &value))
    return FALSE;
  *scheme = value;
  return TRUE;
}

/**
 * loom_engine_state_to_string:
 * @state: a #LoomEngineState
 *
 * Returns: (transfer none): the state's name: "starting", "idle", "busy",
 *   "dead" or "stopped"
 */
const char *
loom_engine_state_to_string (LoomEngineState state)
{
  return loom_enum_to_nick (LOOM_TYPE_ENGINE_STATE, state, "unknown");
}

/**
 * loom_engine_state_from_string:
 * @str: (nullable): a state name
 * @state: (out): the state
 *
 * Returns: %TRUE if @str names a state
 */
gboolean
loom_engine_state_from_string (const char      *str,
                               LoomEngineState *state)
{
  gint value;

  g_return_val_if_fail (state != NULL, FALSE);

  if (!loom_enum_from_nick (LOOM_TYPE_ENGINE_STATE, str, &value))
    return FALSE;
  *state = value;
  return TRUE;
}
