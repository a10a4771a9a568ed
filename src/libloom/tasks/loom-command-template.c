/* loom-command-template.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A command task's argv template: {name} placeholders filled from the
 * task's parameters.  Engines expand it before they run a command; loomctl
 * expands it to show what would run.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-command-template.h"
#include "loom-error.h"
#include "loom-json-private.h"

/**
 * loom_command_value_to_text:
 * @node: (nullable): a parameter's value
 *
 * The text a parameter stands for on a command line or in the environment:
 * strings as they are, numbers in their shortest form, null as nothing.
 *
 * Returns: (transfer full): the text
 */
char *
loom_command_value_to_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (type == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      if (type == G_TYPE_DOUBLE)
        return loom_double_to_text (json_node_get_double (node));
      if (type == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    }
  return loom_json_to_string (node);
}

/* The names of the parameters, for a message: "x, y", or "none". */
static char *
parameter_names (JsonObject *obj)
{
  g_autoptr(GString) have = g_string_new (NULL);

  if (obj != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (obj);
      for (GList *l = members; l; l = l->next)
        g_string_append_printf (have, "%s%s", have->len ? ", " : "", (char *) l->data);
    }
  if (have->len == 0)
    return g_strdup (_("none"));
  return g_string_free (g_steal_pointer (&have), FALSE);
}

/* The value {name} stands for: a parameter, or with {} the only one. */
static JsonNode *
placeholder_value (const char  *template_,
                   const char  *name,
                   JsonObject  *obj,
                   GError     **error)
{
  g_autofree char *have = NULL;

  if (*name != '\0' && obj != NULL && json_object_has_member (obj, name))
    return json_object_get_member (obj, name);
  if (*name == '\0' && obj != NULL && json_object_get_size (obj) == 1)
    {
      g_autoptr(GList) members = json_object_get_members (obj);
      return json_object_get_member (obj, members->data);
    }

  have = parameter_names (obj);
  if (*name == '\0')
    g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                 _("“%s” uses {}, which stands for the only parameter, but the task has %u (%s): "
                   "write {name} instead"),
                 template_, obj ? json_object_get_size (obj) : 0, have);
  else
    g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                 _("“%s” uses {%s}, but the task has no parameter “%s” (it has: %s)"),
                 template_, name, name, have);
  return NULL;
}

/**
 * loom_command_expand:
 * @template_: one argv element with {name} placeholders; {{ and }} stand
 *   for literal braces; {} stands for the only parameter when there is
 *   exactly one (as in GNU Parallel)
 * @params: the task's parameters, an object
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the expanded text
 */
char *
loom_command_expand (const char  *template_,
                     JsonNode    *params,
                     GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  JsonObject *obj = params && JSON_NODE_HOLDS_OBJECT (params) ? json_node_get_object (params) : NULL;

  for (const char *p = template_; *p; p++)
    {
      if (p[0] == '{' && p[1] == '{')
        {
          g_string_append_c (out, '{');
          p++;
        }
      else if (p[0] == '}' && p[1] == '}')
        {
          g_string_append_c (out, '}');
          p++;
        }
      else if (p[0] == '{')
        {
          const char *end = strchr (p, '}');
          g_autofree char *name = NULL;
          g_autofree char *text = NULL;
          JsonNode *value;

          if (end == NULL)
            {
              g_autofree char *have = parameter_names (obj);
              g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                           _("“%s” has a placeholder “%s” without a closing } (the parameters: %s; "
                             "{{ stands for a literal {)"),
                           template_, p, have);
              return NULL;
            }
          name = g_strndup (p + 1, end - p - 1);
          if (!(value = placeholder_value (template_, name, obj, error)))
            return NULL;
          text = loom_command_value_to_text (value);
          g_string_append (out, text);
          p = end;
        }
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
