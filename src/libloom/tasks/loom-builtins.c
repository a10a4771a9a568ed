/* loom-builtins.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The functions compiled into every engine.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-builtins.h"
#include "loom-error.h"

static const LoomBuiltinInfo builtins[] = {
  { "noop", "noop()", N_("Does nothing and returns null: measures the scheduler itself") },
  { "echo", "echo(...)", N_("Returns its parameters as an object") },
  { "sleep", "sleep(seconds)", N_("Sleeps for the given seconds and returns them") },
  { "printtime", "printtime(t, sleep=1)", N_("Records the time, sleeps, returns [time in seconds, t]") },
  { "spin", "spin(ms)", N_("Keeps a CPU busy for the given milliseconds; returns the iterations done") },
  { "fail", "fail(message)", N_("Ends the task with the given error message") },
};

G_DEFINE_BOXED_TYPE (LoomBuiltinInfo, loom_builtin_info, loom_builtin_info_copy, loom_builtin_info_free)

/**
 * loom_builtin_info_copy:
 * @info: a #LoomBuiltinInfo
 *
 * Returns: (transfer full): a copy of @info (its strings are static)
 */
LoomBuiltinInfo *
loom_builtin_info_copy (const LoomBuiltinInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);
  return g_memdup2 (info, sizeof *info);
}

/**
 * loom_builtin_info_free:
 * @info: (transfer full): a copy from loom_builtin_info_copy()
 *
 * Frees a copy of a #LoomBuiltinInfo.
 */
void
loom_builtin_info_free (LoomBuiltinInfo *info)
{
  g_free (info);
}

/**
 * loom_builtins_get_all:
 * @n_builtins: (out): the number of built-in functions
 *
 * Returns: (array length=n_builtins) (transfer none): every built-in function
 */
const LoomBuiltinInfo *
loom_builtins_get_all (guint *n_builtins)
{
  g_return_val_if_fail (n_builtins != NULL, NULL);
  *n_builtins = G_N_ELEMENTS (builtins);
  return builtins;
}

/**
 * loom_builtins_lookup:
 * @name: a function name
 *
 * Returns: (nullable) (transfer none): the built-in called @name
 */
const LoomBuiltinInfo *
loom_builtins_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
    if (g_strcmp0 (builtins[i].name, name) == 0)
      return &builtins[i];
  return NULL;
}
