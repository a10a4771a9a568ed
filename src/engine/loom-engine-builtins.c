/* loom-engine-builtins.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The functions compiled into every engine; their names and descriptions
 * are libloom's table (loom_builtins_get_all).
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "loom.h"
#include "loom-engine-private.h"
#include "loom-json-private.h"

/* A parameter by name (object params) or by position (array params, or a
 * single scalar for the first parameter). */
static JsonNode *
get_param (JsonNode   *params,
           const char *name,
           guint       position)
{
  if (params == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (params))
    return json_object_get_member (json_node_get_object (params), name);
  if (JSON_NODE_HOLDS_ARRAY (params))
    {
      JsonArray *array = json_node_get_array (params);
      return position < json_array_get_length (array) ? json_array_get_element (array, position) : NULL;
    }
  if (JSON_NODE_HOLDS_VALUE (params) && position == 0)
    return params;
  return NULL;
}

/* The longest a built-in waits: about 116 days, far below what gint64
 * microseconds hold, so no time overflows into an instant success. */
#define MAX_WAIT_S 1e7

/* A number ≥ 0 and at most @max. */
static gboolean
get_number (JsonNode    *params,
            const char  *func,
            const char  *name,
            guint        position,
            gboolean     required,
            double       fallback,
            double       max,
            double      *out,
            GError     **error)
{
  JsonNode *node = get_param (params, name, position);
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("%s() needs the parameter “%s”"), func, name);
          return FALSE;
        }
      *out = fallback;
      return TRUE;
    }

  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type == G_TYPE_INT64)
    *out = json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("%s(): “%s” must be a number"), func, name);
      return FALSE;
    }

  if (!isfinite (*out) || *out < 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("%s(): “%s” must be a finite number ≥ 0"), func, name);
      return FALSE;
    }
  if (*out > max)
    {
      g_autofree char *max_text = loom_double_to_text (max);
      g_autofree char *text = loom_double_to_text (*out);

      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("%s(): “%s” must be at most %s, got %s"), func, name, max_text, text);
      return FALSE;
    }
  return TRUE;
}

/* Sleeps in slices, so an aborted job's task stops within 10 ms. */
static void
sleep_seconds (LoomRunContext *ctx,
               double          seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!loom_run_context_abort_requested (ctx))
    {
      gint64 left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        break;
      g_usleep (MIN (left, 10000));
    }
}

gboolean
loom_builtin_run (LoomRunContext  *ctx,
                  const char      *name,
                  JsonNode        *params,
                  GBytes          *params_text,
                  char           **result,
                  GError         **error)
{
  double value;

  *result = NULL;

  if (g_strcmp0 (name, "noop") == 0)
    return TRUE;

  if (g_strcmp0 (name, "echo") == 0)
    {
      if (params_text != NULL)
        *result = g_strndup (g_bytes_get_data (params_text, NULL), g_bytes_get_size (params_text));
      return TRUE;
    }

  if (g_strcmp0 (name, "sleep") == 0)
    {
      JsonNode *node;

      if (!get_number (params, "sleep", "seconds", 0, TRUE, 0, MAX_WAIT_S, &value, error))
        return FALSE;
      sleep_seconds (ctx, value);
      node = get_param (params, "seconds", 0);
      *result = loom_json_to_string (node);
      return TRUE;
    }

  if (g_strcmp0 (name, "printtime") == 0)
    {
      JsonNode *t = get_param (params, "t", 0);
      g_autofree char *t_text = loom_json_to_string (t);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      gint64 now = loom_run_context_now (ctx);

      if (!get_number (params, "printtime", "sleep", 1, FALSE, 1.0, MAX_WAIT_S, &value, error))
        return FALSE;
      g_ascii_formatd (buf, sizeof buf, "%.6f", now / (double) G_USEC_PER_SEC);
      sleep_seconds (ctx, value);
      *result = g_strdup_printf ("[%s,%s]", buf, t_text);
      return TRUE;
    }

  if (g_strcmp0 (name, "spin") == 0)
    {
      gint64 deadline;
      volatile guint64 acc = 0;
      guint64 iterations = 0;

      if (!get_number (params, "spin", "ms", 0, TRUE, 0, MAX_WAIT_S * 1000, &value, error))
        return FALSE;
      deadline = g_get_monotonic_time () + (gint64) (value * 1000);
      do
        {
          for (guint i = 0; i < 1024; i++)
            acc += i * iterations;
          iterations += 1024;
        }
      while (g_get_monotonic_time () < deadline && !loom_run_context_abort_requested (ctx));
      *result = g_strdup_printf ("%" G_GUINT64_FORMAT, iterations);
      return TRUE;
    }

  if (g_strcmp0 (name, "fail") == 0)
    {
      JsonNode *node = get_param (params, "message", 0);
      const char *message = NULL;

      if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        message = json_node_get_string (node);
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_TASK_FAILED,
                           message ? message : _("fail() was called"));
      return FALSE;
    }

  {
    g_autoptr(GString) names = g_string_new (NULL);
    guint n_builtins;
    const LoomBuiltinInfo *builtins = loom_builtins_get_all (&n_builtins);

    for (guint i = 0; i < n_builtins; i++)
      g_string_append_printf (names, "%s%s", i ? ", " : "", builtins[i].name);
    g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                 _("unknown function “%s”: the built-ins are %s; plugins are named path/to/module.so:function"),
                 name, names->str);
  }
  return FALSE;
}
