/* loom-sweep.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A parameter sweep: named parameters, each a list or a range, combined as a
 * Cartesian product (the last parameter varies fastest, like
 * itertools.product), plus constant arguments.  Values are computed from
 * their index when asked for, so a large sweep costs nothing until used.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-protocol-private.h"
#include "loom-sweep.h"

typedef enum
{
  PARAM_LIST,
  PARAM_RANGE_INT,
  PARAM_RANGE_FLOAT,
} ParamKind;

typedef struct
{
  char      *name;
  ParamKind  kind;
  GPtrArray *values;     /* JsonNode, PARAM_LIST */
  double     start;
  double     step;
  guint64    count;
} Param;

struct _LoomSweep
{
  GObject     parent_instance;

  GPtrArray  *params;     /* Param */
  JsonObject *constants;
};

G_DEFINE_FINAL_TYPE (LoomSweep, loom_sweep, G_TYPE_OBJECT)

#define MAX_TASKS (G_GUINT64_CONSTANT (1) << 48)

static void
param_free (Param *param)
{
  g_free (param->name);
  g_clear_pointer (&param->values, g_ptr_array_unref);
  g_free (param);
}

static void
loom_sweep_finalize (GObject *object)
{
  LoomSweep *self = (LoomSweep *) object;

  g_clear_pointer (&self->params, g_ptr_array_unref);
  g_clear_pointer (&self->constants, json_object_unref);

  G_OBJECT_CLASS (loom_sweep_parent_class)->finalize (object);
}

static void
loom_sweep_class_init (LoomSweepClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_sweep_finalize;
}

static void
loom_sweep_init (LoomSweep *self)
{
  self->params = g_ptr_array_new_with_free_func ((GDestroyNotify) param_free);
  self->constants = json_object_new ();
}

/**
 * loom_sweep_new:
 *
 * Returns: (transfer full): an empty sweep (one task with no parameters)
 */
LoomSweep *
loom_sweep_new (void)
{
  return g_object_new (LOOM_TYPE_SWEEP, NULL);
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

static gboolean
parse_number (const char  *name,
              const char  *text,
              const char  *what,
              double      *value,
              gboolean    *is_int,
              GError     **error)
{
  char *end = NULL;

  if (*text == '\0')
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("sweep “%s”: %s is empty"), name, what);
      return FALSE;
    }
  *value = g_ascii_strtod (text, &end);
  if (end == NULL || *end != '\0' || !isfinite (*value))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("sweep “%s”: %s must be a finite number, got “%s”"), name, what, text);
      return FALSE;
    }
  *is_int = strpbrk (text, ".eEnN") == NULL;
  return TRUE;
}

static Param *
parse_range (const char  *name,
             const char  *body,
             GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (body, ":", -1);
  guint n = g_strv_length (parts);
  double start, stop, step = 1;
  gboolean i1, i2, i3 = TRUE;
  double count;
  Param *param;

  if (n < 2 || n > 3)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("sweep “%s”: range needs START:STOP[:STEP], got “range:%s”"), name, body);
      return NULL;
    }
  if (!parse_number (name, parts[0], "START", &start, &i1, error) ||
      !parse_number (name, parts[1], "STOP", &stop, &i2, error) ||
      (n == 3 && !parse_number (name, parts[2], "STEP", &step, &i3, error)))
    return NULL;
  if (step == 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("sweep “%s”: range STEP must not be 0"), name);
      return NULL;
    }

  /* Like Python's range: ceil((stop - start) / step), never negative. */
  count = ceil ((stop - start) / step - 1e-9);
  if (count < 1)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("sweep “%s”: range:%s is empty (with STEP %g, START must go towards STOP)"),
                   name, body, step);
      return NULL;
    }

  param = g_new0 (Param, 1);
  param->kind = (i1 && i2 && i3) ? PARAM_RANGE_INT : PARAM_RANGE_FLOAT;
  param->start = start;
  param->step = step;
  param->count = (guint64) count;
  return param;
}

static Param *
parse_list (const char  *name,
            const char  *body,
            GError     **error)
{
  g_auto(GStrv) items = g_strsplit (body, ",", -1);
  Param *param;

  if (*body == '\0')
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("sweep “%s”: the list of values is empty"), name);
      return NULL;
    }

  param = g_new0 (Param, 1);
  param->kind = PARAM_LIST;
  param->values = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  for (guint i = 0; items[i]; i++)
    {
      JsonNode *node = loom_value_from_text (items[i]);
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE &&
          !isfinite (json_node_get_double (node)))
        {
          json_node_unref (node);
          param_free (param);
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("sweep “%s”: “%s” is not a finite number"), name, items[i]);
          return NULL;
        }
      g_ptr_array_add (param->values, node);
    }
  param->count = param->values->len;
  return param;
}

static gboolean
split_assignment (const char  *text,
                  const char  *what,
                  char       **name,
                  const char **value,
                  GError     **error)
{
  const char *eq = strchr (text, '=');

  if (eq == NULL || eq == text)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("%s “%s” is not of the form NAME=VALUE"), what, text);
      return FALSE;
    }
  *name = g_strndup (text, eq - text);
  *value = eq + 1;
  return TRUE;
}

static gboolean
name_taken (LoomSweep  *self,
            const char *name)
{
  for (guint i = 0; i < self->params->len; i++)
    if (g_str_equal (((Param *) g_ptr_array_index (self->params, i))->name, name))
      return TRUE;
  return json_object_has_member (self->constants, name);
}

/**
 * loom_sweep_add_spec:
 * @self: a #LoomSweep
 * @spec: `name=range:START:STOP[:STEP]`, `name=list:a,b,c` or `name=1,2,5`
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @spec was valid and added
 */
gboolean
loom_sweep_add_spec (LoomSweep   *self,
                     const char  *spec,
                     GError     **error)
{
  g_autofree char *name = NULL;
  guint64 total;
  const char *body;
  Param *param;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  if (!split_assignment (spec, _("sweep"), &name, &body, error))
    return FALSE;
  if (name_taken (self, name))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("sweep “%s”: the name is given twice"), name);
      return FALSE;
    }

  if (g_str_has_prefix (body, "range:"))
    param = parse_range (name, body + strlen ("range:"), error);
  else if (g_str_has_prefix (body, "list:"))
    param = parse_list (name, body + strlen ("list:"), error);
  else
    param = parse_list (name, body, error);
  if (param == NULL)
    return FALSE;

  total = loom_sweep_get_count (self);
  if (param->count > MAX_TASKS || total > MAX_TASKS / param->count)
    {
      param_free (param);
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("sweep “%s”: the sweep would have more than 2^48 tasks"), name);
      return FALSE;
    }

  param->name = g_steal_pointer (&name);
  g_ptr_array_add (self->params, param);
  return TRUE;
}

/**
 * loom_sweep_add_constant:
 * @self: a #LoomSweep
 * @assignment: `name=value`, passed to every task
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @assignment was valid and added
 */
gboolean
loom_sweep_add_constant (LoomSweep   *self,
                         const char  *assignment,
                         GError     **error)
{
  g_autofree char *name = NULL;
  const char *value;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), FALSE);

  if (!split_assignment (assignment, _("argument"), &name, &value, error))
    return FALSE;
  if (name_taken (self, name))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("argument “%s”: the name is given twice"), name);
      return FALSE;
    }
  json_object_set_member (self->constants, name, loom_value_from_text (value));
  return TRUE;
}

/**
 * loom_sweep_get_count:
 * @self: a #LoomSweep
 *
 * Returns: the number of tasks the sweep expands to
 */
guint64
loom_sweep_get_count (LoomSweep *self)
{
  guint64 total = 1;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), 0);
  for (guint i = 0; i < self->params->len; i++)
    total *= ((Param *) g_ptr_array_index (self->params, i))->count;
  return total;
}

guint
loom_sweep_get_n_parameters (LoomSweep *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP (self), 0);
  return self->params->len;
}

static JsonNode *
param_value (Param   *param,
             guint64  i)
{
  JsonNode *node;

  if (param->kind == PARAM_LIST)
    return json_node_copy (g_ptr_array_index (param->values, i));

  node = json_node_new (JSON_NODE_VALUE);
  if (param->kind == PARAM_RANGE_INT)
    json_node_set_int (node, (gint64) param->start + (gint64) i * (gint64) param->step);
  else
    json_node_set_double (node, param->start + i * param->step);
  return node;
}

/**
 * loom_sweep_get_params:
 * @self: a #LoomSweep
 * @index: a task index, below loom_sweep_get_count()
 *
 * Returns: (transfer full): the task's parameters, an object
 */
JsonNode *
loom_sweep_get_params (LoomSweep *self,
                       guint64    index)
{
  JsonObject *obj = json_object_new ();
  g_autoptr(GList) names = NULL;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), NULL);
  g_return_val_if_fail (index < loom_sweep_get_count (self), NULL);

  names = json_object_get_members (self->constants);
  for (GList *l = names; l; l = l->next)
    json_object_set_member (obj, l->data, json_node_copy (json_object_get_member (self->constants, l->data)));

  /* Mixed radix, last parameter fastest. */
  {
    g_autofree guint64 *digits = g_new (guint64, self->params->len + 1);

    for (guint i = self->params->len; i-- > 0;)
      {
        Param *param = g_ptr_array_index (self->params, i);
        digits[i] = index % param->count;
        index /= param->count;
      }
    for (guint i = 0; i < self->params->len; i++)
      {
        Param *param = g_ptr_array_index (self->params, i);
        json_object_set_member (obj, param->name, param_value (param, digits[i]));
      }
  }

  return json_node_init_object (json_node_alloc (), obj);
}

/**
 * loom_sweep_to_lines:
 * @self: a #LoomSweep
 *
 * Returns: (transfer full): every task's parameters, one JSON object a line,
 *   as loom_view_map_lines_async() takes them
 */
GBytes *
loom_sweep_to_lines (LoomSweep *self)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  guint64 count = loom_sweep_get_count (self);
  GString *out = g_string_new (NULL);

  for (guint64 i = 0; i < count; i++)
    {
      g_autoptr(JsonNode) params = loom_sweep_get_params (self, i);

      if (i > 0)
        g_string_append_c (out, '\n');
      json_generator_set_root (gen, params);
      json_generator_to_gstring (gen, out);
    }
  return g_string_free_to_bytes (out);
}
