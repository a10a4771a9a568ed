/* loom-task-spec.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What a task runs: a built-in, a command template or a plugin function.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "loom-enum-private.h"
#include "loom-enums.h"
#include "loom-error.h"
#include "loom-json-private.h"
#include "loom-task-spec.h"

/**
 * LoomTaskSpec:
 *
 * What each task of a job runs: a built-in function, a command with an
 * argv template (with its working directory, environment and timeout), or
 * a function of a plugin module.  A reference-counted boxed type.
 */
struct _LoomTaskSpec
{
  gatomicrefcount  ref_count;
  LoomTaskKind     kind;
  char            *function;     /* builtin or plugin function */
  char            *module;       /* plugin */
  GStrv            argv;         /* command */
  char            *cwd;
  GHashTable      *env;
  double           timeout;
  guint64          output_limit; /* command: bytes of stdout and of stderr kept */
};

G_DEFINE_BOXED_TYPE (LoomTaskSpec, loom_task_spec, loom_task_spec_ref, loom_task_spec_unref)

static LoomTaskSpec *
spec_new (LoomTaskKind kind)
{
  LoomTaskSpec *spec = g_new0 (LoomTaskSpec, 1);

  g_atomic_ref_count_init (&spec->ref_count);
  spec->kind = kind;
  spec->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  spec->output_limit = LOOM_OUTPUT_LIMIT_DEFAULT;
  return spec;
}

/**
 * loom_task_spec_new_builtin:
 * @name: a built-in function such as "printtime"
 *
 * Returns: (transfer full): a new spec
 */
LoomTaskSpec *
loom_task_spec_new_builtin (const char *name)
{
  LoomTaskSpec *spec;

  g_return_val_if_fail (name != NULL, NULL);

  spec = spec_new (LOOM_TASK_KIND_BUILTIN);
  spec->function = g_strdup (name);
  return spec;
}

/**
 * loom_task_spec_new_plugin:
 * @module_path: the plugin's shared object, as the engines see it
 * @function: the function in it
 *
 * Returns: (transfer full): a new spec
 */
LoomTaskSpec *
loom_task_spec_new_plugin (const char *module_path,
                           const char *function)
{
  LoomTaskSpec *spec;

  g_return_val_if_fail (module_path != NULL, NULL);
  g_return_val_if_fail (function != NULL, NULL);

  spec = spec_new (LOOM_TASK_KIND_PLUGIN);
  /* Engines may run in another directory: give them an absolute path. */
  spec->module = g_canonicalize_filename (module_path, NULL);
  spec->function = g_strdup (function);
  return spec;
}

/**
 * loom_task_spec_new_command:
 * @argv: (array zero-terminated=1): the program and its arguments, with
 *   {name} placeholders for parameters
 *
 * Returns: (transfer full): a new spec
 */
LoomTaskSpec *
loom_task_spec_new_command (const char * const *argv)
{
  LoomTaskSpec *spec;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  spec = spec_new (LOOM_TASK_KIND_COMMAND);
  spec->argv = g_strdupv ((char **) argv);
  return spec;
}

/**
 * loom_task_spec_new_for_function:
 * @function: a built-in name, or `path/to/module.so:function` for a plugin
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a new spec
 */
LoomTaskSpec *
loom_task_spec_new_for_function (const char  *function,
                                 GError     **error)
{
  const char *colon;

  g_return_val_if_fail (function != NULL, NULL);

  if (*function == '\0')
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("The function name is empty"));
      return NULL;
    }

  colon = strrchr (function, ':');
  if (colon != NULL)
    {
      g_autofree char *module = g_strndup (function, colon - function);

      if (*module == '\0' || colon[1] == '\0')
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not of the form path/to/module.so:function"), function);
          return NULL;
        }
      return loom_task_spec_new_plugin (module, colon + 1);
    }

  return loom_task_spec_new_builtin (function);
}

/**
 * loom_task_spec_ref:
 * @spec: a #LoomTaskSpec
 *
 * Returns: (transfer full): @spec
 */
LoomTaskSpec *
loom_task_spec_ref (LoomTaskSpec *spec)
{
  g_return_val_if_fail (spec != NULL, NULL);
  g_atomic_ref_count_inc (&spec->ref_count);
  return spec;
}

/**
 * loom_task_spec_unref:
 * @spec: (transfer full): a #LoomTaskSpec
 *
 * Drops a reference; the last one frees @spec.
 */
void
loom_task_spec_unref (LoomTaskSpec *spec)
{
  g_return_if_fail (spec != NULL);

  if (g_atomic_ref_count_dec (&spec->ref_count))
    {
      g_free (spec->function);
      g_free (spec->module);
      g_strfreev (spec->argv);
      g_free (spec->cwd);
      g_hash_table_unref (spec->env);
      g_free (spec);
    }
}

/**
 * loom_task_spec_get_kind:
 * @spec: a #LoomTaskSpec
 *
 * Returns: what @spec runs: a built-in, a command or a plugin function
 */
LoomTaskKind
loom_task_spec_get_kind (LoomTaskSpec *spec)
{
  g_return_val_if_fail (spec != NULL, LOOM_TASK_KIND_BUILTIN);
  return spec->kind;
}

/**
 * loom_task_spec_get_function:
 * @spec: a #LoomTaskSpec
 *
 * Returns: (nullable): the function name, %NULL for commands
 */
const char *
loom_task_spec_get_function (LoomTaskSpec *spec)
{
  g_return_val_if_fail (spec != NULL, NULL);
  return spec->function;
}

/**
 * loom_task_spec_set_cwd:
 * @spec: a command #LoomTaskSpec
 * @cwd: (nullable): the working directory of the command
 */
void
loom_task_spec_set_cwd (LoomTaskSpec *spec,
                        const char   *cwd)
{
  g_free (spec->cwd);
  spec->cwd = cwd ? g_canonicalize_filename (cwd, NULL) : NULL;
}

/**
 * loom_task_spec_setenv:
 * @spec: a command #LoomTaskSpec
 * @name: an environment variable
 * @value: (nullable): its value for the command; %NULL for empty
 */
void
loom_task_spec_setenv (LoomTaskSpec *spec,
                       const char   *name,
                       const char   *value)
{
  g_return_if_fail (name != NULL);
  g_hash_table_insert (spec->env, g_strdup (name), g_strdup (value ? value : ""));
}

/**
 * loom_task_spec_set_timeout:
 * @spec: a #LoomTaskSpec of any kind
 * @seconds: stop the task after this long, up to %LOOM_TASK_TIMEOUT_MAX;
 *   0 for no limit
 *
 * A task past its timeout ends with the status %LOOM_TASK_TIMEOUT and an
 * error that says how long it ran.  A command is killed with its process
 * group; a built-in or plugin, which runs inside the engine and cannot be
 * interrupted, ends its engine (a local cluster starts another in its
 * place).  In the JSON task spec this is `timeout`, in seconds.
 */
void
loom_task_spec_set_timeout (LoomTaskSpec *spec,
                            double        seconds)
{
  g_return_if_fail (spec != NULL);
  spec->timeout = (seconds > 0) ? MIN (seconds, LOOM_TASK_TIMEOUT_MAX) : 0;
}

/**
 * loom_task_spec_set_output_limit:
 * @spec: a command #LoomTaskSpec
 * @bytes: bytes of a command's stdout, and of its stderr, to keep, from 0
 *   to %LOOM_OUTPUT_LIMIT_MAX
 * @error: return location for a #GError
 *
 * Sets how much output each task of a command keeps (the spec's
 * `output_limit`; %LOOM_OUTPUT_LIMIT_DEFAULT, 1 MiB, unless set).  Output
 * past the limit is read and counted but not kept: a task's
 * `stdout_truncated` and `stderr_truncated` (#LoomTaskInfo, job reports)
 * say how many bytes were dropped.
 *
 * Returns: %TRUE, or %FALSE with @error (%LOOM_ERROR_INVALID_ARGUMENT)
 *   set if @bytes is above %LOOM_OUTPUT_LIMIT_MAX; @spec is then unchanged
 */
gboolean
loom_task_spec_set_output_limit (LoomTaskSpec  *spec,
                                 guint64        bytes,
                                 GError       **error)
{
  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (bytes > LOOM_OUTPUT_LIMIT_MAX)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("an output limit of %" PRIu64 " bytes is more than the most a task may keep, "
                     "%" PRIu64 " bytes (1 GiB)"),
                   bytes, (guint64) LOOM_OUTPUT_LIMIT_MAX);
      return FALSE;
    }
  spec->output_limit = bytes;
  return TRUE;
}

/**
 * loom_task_spec_get_output_limit:
 * @spec: a #LoomTaskSpec
 *
 * Returns: the bytes of stdout, and of stderr, each task of a command
 *   keeps; %LOOM_OUTPUT_LIMIT_DEFAULT unless set
 */
guint64
loom_task_spec_get_output_limit (LoomTaskSpec *spec)
{
  g_return_val_if_fail (spec != NULL, LOOM_OUTPUT_LIMIT_DEFAULT);

  return spec->output_limit;
}

/**
 * loom_task_spec_to_json:
 * @spec: a #LoomTaskSpec
 *
 * Returns: (transfer full): the spec as the wire protocol carries it
 */
char *
loom_task_spec_to_json (LoomTaskSpec *spec)
{
  g_autoptr(GString) out = g_string_new ("{\"kind\":");

  loom_json_append_string (out, loom_enum_to_nick (LOOM_TYPE_TASK_KIND, spec->kind, "builtin"));
  if (spec->function)
    {
      g_string_append (out, ",\"function\":");
      loom_json_append_string (out, spec->function);
    }
  if (spec->module)
    {
      g_string_append (out, ",\"module\":");
      loom_json_append_string (out, spec->module);
    }
  if (spec->argv)
    {
      g_string_append (out, ",\"argv\":[");
      for (guint i = 0; spec->argv[i]; i++)
        {
          if (i)
            g_string_append_c (out, ',');
          loom_json_append_string (out, spec->argv[i]);
        }
      g_string_append_c (out, ']');
    }
  if (spec->cwd)
    {
      g_string_append (out, ",\"cwd\":");
      loom_json_append_string (out, spec->cwd);
    }
  if (g_hash_table_size (spec->env) > 0)
    {
      GHashTableIter iter;
      gpointer k, v;
      gboolean first = TRUE;

      g_string_append (out, ",\"env\":{");
      g_hash_table_iter_init (&iter, spec->env);
      while (g_hash_table_iter_next (&iter, &k, &v))
        {
          if (!first)
            g_string_append_c (out, ',');
          first = FALSE;
          loom_json_append_string (out, k);
          g_string_append_c (out, ':');
          loom_json_append_string (out, v);
        }
      g_string_append_c (out, '}');
    }
  if (spec->timeout > 0)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (out, ",\"timeout\":%s", g_ascii_dtostr (buf, sizeof buf, spec->timeout));
    }
  if (spec->output_limit != LOOM_OUTPUT_LIMIT_DEFAULT)
    g_string_append_printf (out, ",\"output_limit\":%" G_GUINT64_FORMAT, spec->output_limit);
  g_string_append_c (out, '}');

  return g_string_free (g_steal_pointer (&out), FALSE);
}
