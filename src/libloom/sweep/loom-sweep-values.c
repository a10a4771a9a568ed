/* loom-sweep-values.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Values in a sweep: reading them from text as a person types them (numbers
 * stay numbers, nothing that is not finite), reading the numbers of a
 * kind's text spec, writing numbers back as the shortest text that reads
 * the same, and the errors that name the parameter.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>
#include <stdarg.h>

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-json-private.h"
#include "loom-sweep-private.h"

/* The shortest text that reads back as @value. */
const char *
sweep_format_double (char   *buf,
                     gsize   size,
                     double  value)
{
  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, size, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  return buf;
}

const char *
sweep_format_num (char *buf,
                  gsize size,
                  Num   num)
{
  if (num.is_int)
    {
      g_snprintf (buf, size, "%" G_GINT64_FORMAT, num.i);
      return buf;
    }
  return sweep_format_double (buf, size, num.d);
}

JsonNode *
sweep_object_node_take (JsonObject *obj)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, obj);
  return node;
}

/* “sweep “NAME”: DETAIL”; returns FALSE. */
gboolean
sweep_error (GError     **error,
             const char  *name,
             const char  *format,
             ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("sweep “%s”: %s"), name, detail);
  return FALSE;
}

/* “sweep “NAME”: [PREFIX]“TEXT” is not a finite number (…)”, for a value
 * given as text, where quotes make it a string; returns FALSE. */
gboolean
sweep_non_finite_error (GError     **error,
                        const char  *name,
                        const char  *prefix,
                        const char  *text)
{
  return sweep_error (error, name, _("%s“%s” is not a finite number (JSON has no NaN or Infinity; "
                                     "write \"%s\" in double quotes if you mean the text)"),
                      prefix, text, text);
}

gboolean
sweep_too_many_error (GError     **error,
                      const char  *name)
{
  return sweep_error (error, name, _("the sweep would have more than 2^48 tasks"));
}

/**
 * loom_value_to_json:
 * @value: (nullable): a value: a parameter, a task's result
 *
 * The value as Loom writes it everywhere (loomctl, reports, the app):
 * compact JSON, doubles in their shortest form that reads back the same
 * (0.4, not 0.40000000000000002 as json-glib 1.6 writes it).
 *
 * Returns: (transfer full): the JSON text; "null" for %NULL
 */
char *
loom_value_to_json (JsonNode *value)
{
  return loom_json_to_string (value);
}

/**
 * loom_value_from_text:
 * @text: a value as a person types it
 *
 * Numbers, true, false, null and JSON arrays or objects are read as JSON;
 * anything else is a string.
 *
 * Returns: (transfer full): the value
 */
JsonNode *
loom_value_from_text (const char *text)
{
  JsonNode *node;

  g_return_val_if_fail (text != NULL, NULL);

  if (*text != '\0' && !g_ascii_isspace (*text) &&
      (node = loom_json_from_data (text, -1, NULL)) != NULL)
    {
      /* A bare word that json-glib accepted (it does not) or a string in
       * quotes: both fine. */
      return node;
    }

  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, text);
  return node;
}

/* @text without the spaces around it. */
char *
sweep_strip_dup (const char *text)
{
  return g_strstrip (g_strdup (text));
}

gboolean
sweep_node_is_finite (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node))
    return json_node_get_value_type (node) != G_TYPE_DOUBLE || isfinite (json_node_get_double (node));
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!sweep_node_is_finite (json_array_get_element (array, i)))
          return FALSE;
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) members = json_object_get_values (json_node_get_object (node));

      for (GList *l = members; l; l = l->next)
        if (!sweep_node_is_finite (l->data))
          return FALSE;
    }
  return TRUE;
}

/* loom_value_from_text(), or NULL for text that reads as a number that is
 * not finite (inf, nan, 1e999): those are refused everywhere. */
JsonNode *
sweep_value_from_text_finite (const char *text)
{
  const char *p = text;
  char *end = NULL;
  JsonNode *node;
  double value;

  while (g_ascii_isspace (*p))
    p++;
  value = g_ascii_strtod (p, &end);
  if (end != p)
    {
      while (g_ascii_isspace (*end))
        end++;
      if (*end == '\0' && !isfinite (value))
        return NULL;
    }

  node = loom_value_from_text (text);
  if (!sweep_node_is_finite (node))
    g_clear_pointer (&node, json_node_unref);
  return node;
}
