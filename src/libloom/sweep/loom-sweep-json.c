/* loom-sweep-json.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The JSON form of a sweep, as job files and the app write it: parameters
 * as objects with a "kind" (or arrays, or text specs), zip, CSV tables,
 * constants and shuffle, added all or nothing; and writing a sweep back in
 * that form so that it gives the same tasks again.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "loom-enum-private.h"
#include "loom-error.h"
#include "loom-json-private.h"
#include "loom-private-enums.h"
#include "loom-sweep-private.h"

static gboolean
num_from_node (const char  *name,
               JsonObject  *obj,
               const char  *member,
               const char  *what,
               gboolean     required,
               Num         *num,
               GError     **error)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL)
    {
      if (required)
        return sweep_error (error, name, _("%s (“%s”) is missing"), what, member);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *num = sweep_num_from_int (json_node_get_int (node));
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE &&
      isfinite (json_node_get_double (node)))
    {
      *num = sweep_num_from_double (json_node_get_double (node));
      return TRUE;
    }

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return sweep_error (error, name, _("%s must be a finite number (JSON has no NaN or Infinity)"), what);

  {
    g_autofree char *text = loom_json_to_string (node);
    return sweep_error (error, name, _("%s must be a finite number, got “%s”"), what, text);
  }
}

static gboolean
count_from_node (const char  *name,
                 JsonObject  *obj,
                 gint64      *n,
                 GError     **error)
{
  JsonNode *node = json_object_get_member (obj, "n");
  g_autofree char *text = NULL;

  if (node == NULL)
    return sweep_error (error, name, _("%s (“%s”) is missing"), "N", "n");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *n = json_node_get_int (node);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      if (isfinite (value) && value == floor (value) && fabs (value) < 4e18)
        {
          *n = (gint64) value;
          return TRUE;
        }
    }
  text = loom_json_to_string (node);
  return sweep_error (error, name, _("N must be a whole number, got “%s”"), text);
}

static gboolean
check_members (const char  *name,
               JsonObject  *obj,
               const char  *kind,
               const char  *allowed,
               GError     **error)
{
  g_auto(GStrv) names = g_strsplit (allowed, " ", -1);
  g_autoptr(GList) members = json_object_get_members (obj);

  for (GList *l = members; l; l = l->next)
    if (!g_strv_contains ((const char * const *) names, l->data))
      return sweep_error (error, name, _("unknown member “%s” for kind %s (expected %s)"),
                          (const char *) l->data, kind, allowed);
  return TRUE;
}

static Param *
list_from_array (const char  *name,
                 JsonArray   *array,
                 GError     **error)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!sweep_node_is_finite (node))
        {
          sweep_error (error, name, _("value %u of the list is not a finite number (JSON has no NaN or Infinity)"), i + 1);
          return NULL;
        }
      g_ptr_array_add (values, json_node_copy (node));
    }
  return sweep_make_list (name, values, error);
}

static Param *
param_from_json (const char  *name,
                 JsonNode    *node,
                 GError     **error)
{
  JsonObject *obj;
  const char *kind;
  JsonNode *kind_node;

  if (JSON_NODE_HOLDS_ARRAY (node))
    return list_from_array (name, json_node_get_array (node), error);
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return sweep_parse_body (name, json_node_get_string (node), error);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      sweep_error (error, name, _("must be an object with a “kind”, an array of values or a text "
                                  "such as “range:0:10”"));
      return NULL;
    }

  obj = json_node_get_object (node);
  kind_node = json_object_get_member (obj, "kind");
  if (kind_node == NULL || !JSON_NODE_HOLDS_VALUE (kind_node) ||
      json_node_get_value_type (kind_node) != G_TYPE_STRING)
    {
      sweep_error (error, name, _("“kind” is missing (expected list, range, lin, log or random)"));
      return NULL;
    }
  kind = json_node_get_string (kind_node);

  if (g_str_equal (kind, "list"))
    {
      JsonArray *values = loom_json_array (obj, "values");

      if (!check_members (name, obj, kind, "kind values", error))
        return NULL;
      if (values == NULL)
        {
          sweep_error (error, name, _("a list needs “values”, an array"));
          return NULL;
        }
      return list_from_array (name, values, error);
    }
  else if (g_str_equal (kind, "range"))
    {
      char b1[G_ASCII_DTOSTR_BUF_SIZE], b2[G_ASCII_DTOSTR_BUF_SIZE], b3[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *shown = NULL;
      Num start, stop, step = sweep_num_from_int (1);

      if (!check_members (name, obj, kind, "kind start stop step", error) ||
          !num_from_node (name, obj, "start", "START", TRUE, &start, error) ||
          !num_from_node (name, obj, "stop", "STOP", TRUE, &stop, error) ||
          !num_from_node (name, obj, "step", "STEP", FALSE, &step, error))
        return NULL;
      shown = g_strdup_printf ("%s:%s:%s", sweep_format_num (b1, sizeof b1, start),
                               sweep_format_num (b2, sizeof b2, stop), sweep_format_num (b3, sizeof b3, step));
      return sweep_make_range (name, shown, start, stop, step, error);
    }
  else if (g_str_equal (kind, "lin") || g_str_equal (kind, "log"))
    {
      Num start, stop;
      gint64 n;

      if (!check_members (name, obj, kind, "kind start stop n", error) ||
          !num_from_node (name, obj, "start", "START", TRUE, &start, error) ||
          !num_from_node (name, obj, "stop", "STOP", TRUE, &stop, error) ||
          !count_from_node (name, obj, &n, error))
        return NULL;
      return sweep_make_space (name, g_str_equal (kind, "log") ? PARAM_LOG : PARAM_LIN, start, stop, n, error);
    }
  else if (g_str_equal (kind, "random"))
    {
      LoomSweepDistribution distribution = LOOM_SWEEP_UNIFORM;
      JsonNode *seed_node = json_object_get_member (obj, "seed");
      Num low, high;
      gint64 n;

      if (!check_members (name, obj, kind, "kind distribution low high n seed", error) ||
          !num_from_node (name, obj, "low", "LOW", TRUE, &low, error) ||
          !num_from_node (name, obj, "high", "HIGH", TRUE, &high, error) ||
          !count_from_node (name, obj, &n, error))
        return NULL;
      if (seed_node != NULL &&
          (!JSON_NODE_HOLDS_VALUE (seed_node) || json_node_get_value_type (seed_node) != G_TYPE_INT64))
        {
          g_autofree char *text = loom_json_to_string (seed_node);
          sweep_error (error, name, _("SEED must be a whole number ≥ 0, got “%s”"), text);
          return NULL;
        }
      if (json_object_has_member (obj, "distribution") &&
          !sweep_distribution_parse (name, loom_json_string (obj, "distribution", "uniform"), &distribution, error))
        return NULL;
      /* A seed above 2^63 travels as its two's complement. */
      return sweep_make_random (name, distribution, low, high, n, seed_node != NULL,
                                seed_node ? (guint64) json_node_get_int (seed_node) : 0, error);
    }

  sweep_error (error, name, _("unknown kind “%s” (expected list, range, lin, log or random)"), kind);
  return NULL;
}

static gboolean
shuffle_from_json (LoomSweep  *self,
                   JsonNode   *node,
                   GError    **error)
{
  if (JSON_NODE_HOLDS_NULL (node))
    self->shuffle = FALSE;
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    loom_sweep_set_shuffle (self, (guint64) json_node_get_int (node));
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      if (json_node_get_boolean (node))
        loom_sweep_set_shuffle (self, g_random_int ());
      else
        self->shuffle = FALSE;
    }
  else
    {
      g_autofree char *text = loom_json_to_string (node);
      return sweep_error (error, "shuffle", _("must be a seed (a whole number), true or false, got “%s”"), text);
    }
  sweep_update (self);
  return TRUE;
}

static gboolean
add_json (LoomSweep   *self,
          JsonObject  *spec,
          GError     **error)
{
  static const char * const members[] = { "params", "combine", "zip", "constants", "csv", "shuffle", NULL };
  g_autoptr(GList) names = json_object_get_members (spec);
  JsonNode *node;
  const char *combine = "product";

  for (GList *l = names; l; l = l->next)
    if (!g_strv_contains (members, l->data))
      {
        g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                     _("sweep: unknown member “%s” (expected params, combine, zip, constants, csv or shuffle)"),
                     (const char *) l->data);
        return FALSE;
      }

  if ((node = json_object_get_member (spec, "params")) != NULL)
    {
      g_autoptr(GList) params = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return sweep_error (error, "params", _("must be an object of parameters by name"));
      params = json_object_get_members (json_node_get_object (node));
      for (GList *l = params; l; l = l->next)
        {
          const char *name = l->data;

          if (sweep_name_taken (self, name))
            return sweep_error (error, name, _("the name is given twice"));
          if (!sweep_add_param (self, name,
                                param_from_json (name, json_object_get_member (json_node_get_object (node), name), error),
                                FALSE, error))
            return FALSE;
        }
    }

  if ((node = json_object_get_member (spec, "csv")) != NULL)
    {
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            if (!sweep_add_csv_json (self, json_array_get_element (array, i), error))
              return FALSE;
        }
      else if (!sweep_add_csv_json (self, node, error))
        return FALSE;
    }

  if ((node = json_object_get_member (spec, "constants")) != NULL)
    {
      JsonObject *obj;
      g_autoptr(GList) constants = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return sweep_error (error, "constants", _("must be an object of values by name"));
      obj = json_node_get_object (node);
      constants = json_object_get_members (obj);
      for (GList *l = constants; l; l = l->next)
        {
          JsonNode *value = json_object_get_member (obj, l->data);

          if (!sweep_node_is_finite (value))
            {
              g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                           _("argument “%s”: the value is not a finite number (JSON has no NaN or Infinity)"),
                           (const char *) l->data);
              return FALSE;
            }
          if (!sweep_add_constant_node (self, l->data, json_node_copy (value), error))
            return FALSE;
        }
    }

  if ((node = json_object_get_member (spec, "combine")) != NULL)
    {
      combine = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                ? json_node_get_string (node) : "";
      if (!g_str_equal (combine, "product") && !g_str_equal (combine, "zip"))
        return sweep_error (error, "combine", _("must be “product” or “zip”"));
    }

  if ((node = json_object_get_member (spec, "zip")) != NULL)
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
      g_autoptr(GPtrArray) zip = g_ptr_array_new ();

      if (g_str_equal (combine, "zip"))
        return sweep_error (error, "zip", _("give either “combine”: “zip” (all parameters) or a “zip” list"));
      for (guint i = 0; array && i < json_array_get_length (array); i++)
        {
          JsonNode *name = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (name) || json_node_get_value_type (name) != G_TYPE_STRING)
            {
              array = NULL;
              break;
            }
          g_ptr_array_add (zip, (gpointer) json_node_get_string (name));
        }
      if (array == NULL)
        return sweep_error (error, "zip", _("must be an array of parameter names"));
      g_ptr_array_add (zip, NULL);
      if (!sweep_set_zip_names (self, (const char * const *) zip->pdata, zip->len - 1, error))
        return FALSE;
    }
  else if (g_str_equal (combine, "zip"))
    {
      g_autoptr(GPtrArray) zip = g_ptr_array_new ();

      for (guint i = 0; i < self->params->len; i++)
        {
          Param *param = g_ptr_array_index (self->params, i);

          if (param->csv_group == 0)
            g_ptr_array_add (zip, param->name);
        }
      g_ptr_array_add (zip, NULL);
      /* One parameter zipped is the same as one alone. */
      if (zip->len > 2 && !sweep_set_zip_names (self, (const char * const *) zip->pdata, zip->len - 1, error))
        return FALSE;
    }

  if (!sweep_check_total (self, error))
    return FALSE;

  if ((node = json_object_get_member (spec, "shuffle")) != NULL &&
      !shuffle_from_json (self, node, error))
    return FALSE;

  return TRUE;
}

/**
 * loom_sweep_add_spec_json:
 * @self: a #LoomSweep
 * @spec: a sweep in its JSON form
 * @error: return location for a #GError
 *
 * Adds a sweep written as JSON, the form of job files and the app:
 *
 * |[
 * {"params": {"x": {"kind": "range", "start": 0, "stop": 10, "step": 1},
 *             "y": {"kind": "list", "values": [1, "a"]},
 *             "lr": {"kind": "log", "start": 1e-4, "stop": 0.1, "n": 4},
 *             "z": {"kind": "random", "distribution": "uniform",
 *                   "low": 0, "high": 1, "n": 5, "seed": 7}},
 *  "combine": "product",
 *  "zip": ["a", "b"],
 *  "csv": [{"columns": ["p", "q"], "rows": [[1, "a"], [2, "b"]]}],
 *  "constants": {"k": 1},
 *  "shuffle": 42}
 * ]|
 *
 * Every member is optional.  A parameter may also be an array (a list) or
 * a text spec as loom_sweep_add_spec() takes after `NAME=`.  “combine”:
 * “zip” zips all parameters (not CSV columns); “zip” names one group as
 * loom_sweep_set_zip() does.  “csv” is one CSV table or an array of them,
 * each inline or the name of a file; they come after “params” in the
 * product.  “shuffle” is a seed, or true for a random one.  The same checks
 * as the text forms apply, with the same messages.
 *
 * Returns: %TRUE if @spec was valid and added; otherwise the sweep is as
 *   it was before the call
 */
gboolean
loom_sweep_add_spec_json (LoomSweep   *self,
                          JsonObject  *spec,
                          GError     **error)
{
  g_autofree gboolean *zipped = NULL;
  g_autoptr(JsonObject) constants = json_object_new ();
  g_autoptr(GList) names = NULL;
  guint n_params, n_csv;
  gboolean shuffle;
  guint64 shuffle_seed;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  /* What to go back to if any of it is refused. */
  n_params = self->params->len;
  n_csv = self->n_csv;
  shuffle = self->shuffle;
  shuffle_seed = self->shuffle_seed;
  zipped = g_new (gboolean, n_params + 1);
  for (guint i = 0; i < n_params; i++)
    zipped[i] = ((Param *) g_ptr_array_index (self->params, i))->zipped;
  names = json_object_get_members (self->constants);
  for (GList *l = names; l; l = l->next)
    json_object_set_member (constants, l->data, json_node_ref (json_object_get_member (self->constants, l->data)));

  if (add_json (self, spec, error))
    return TRUE;

  g_ptr_array_set_size (self->params, n_params);
  for (guint i = 0; i < n_params; i++)
    ((Param *) g_ptr_array_index (self->params, i))->zipped = zipped[i];
  json_object_unref (self->constants);
  self->constants = g_steal_pointer (&constants);
  self->n_csv = n_csv;
  self->shuffle = shuffle;
  self->shuffle_seed = shuffle_seed;
  sweep_update (self);
  return FALSE;
}

static JsonNode *
param_to_json (Param *param)
{
  JsonObject *obj = json_object_new ();

  switch (param->kind)
    {
    case PARAM_LIST:
    case PARAM_CSV:
      {
        JsonArray *values = json_array_sized_new (param->values->len);

        json_object_set_string_member (obj, "kind", "list");
        for (guint i = 0; i < param->values->len; i++)
          json_array_add_element (values, json_node_copy (g_ptr_array_index (param->values, i)));
        json_object_set_array_member (obj, "values", values);
      }
      break;

    case PARAM_RANGE_INT:
      json_object_set_string_member (obj, "kind", "range");
      json_object_set_int_member (obj, "start", param->istart);
      json_object_set_int_member (obj, "stop", param->istop);
      json_object_set_int_member (obj, "step", param->istep);
      break;

    case PARAM_RANGE_FLOAT:
      json_object_set_string_member (obj, "kind", "range");
      json_object_set_double_member (obj, "start", param->start);
      json_object_set_double_member (obj, "stop", param->stop);
      json_object_set_double_member (obj, "step", param->step);
      break;

    case PARAM_LIN:
    case PARAM_LOG:
      json_object_set_string_member (obj, "kind", param->kind == PARAM_LIN ? "lin" : "log");
      json_object_set_double_member (obj, "start", param->start);
      json_object_set_double_member (obj, "stop", param->stop);
      json_object_set_int_member (obj, "n", param->count);
      break;

    case PARAM_RANDOM_UNIFORM:
    case PARAM_RANDOM_LOGUNIFORM:
    case PARAM_RANDOM_INT:
      json_object_set_string_member (obj, "kind", "random");
      json_object_set_string_member (obj, "distribution",
                                     loom_enum_to_nick (LOOM_TYPE_SWEEP_DISTRIBUTION,
                                                        PARAM_DISTRIBUTION (param->kind), NULL));
      if (param->kind == PARAM_RANDOM_INT)
        {
          json_object_set_int_member (obj, "low", param->istart);
          json_object_set_int_member (obj, "high", param->istop);
        }
      else
        {
          json_object_set_double_member (obj, "low", param->start);
          json_object_set_double_member (obj, "high", param->stop);
        }
      json_object_set_int_member (obj, "n", param->count);
      json_object_set_int_member (obj, "seed", (gint64) param->seed);
      break;

    default:
      g_assert_not_reached ();
    }

  return sweep_object_node_take (obj);
}

/**
 * loom_sweep_to_json:
 * @self: a #LoomSweep
 *
 * The sweep in the JSON form loom_sweep_add_spec_json() reads, so that
 * adding it to a new sweep gives the same tasks.  Random parameters carry
 * their seed, the one chosen if none was given.  CSV data is written
 * inline, after the other parameters.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
loom_sweep_to_json (LoomSweep *self)
{
  JsonObject *obj, *params;
  JsonArray *zip;
  guint n_plain = 0;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), NULL);

  obj = json_object_new ();
  params = json_object_new ();
  zip = json_array_new ();
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *param = g_ptr_array_index (self->params, i);

      if (param->csv_group != 0)
        continue;
      n_plain++;
      json_object_set_member (params, param->name, param_to_json (param));
      if (param->zipped)
        json_array_add_string_element (zip, param->name);
    }
  json_object_set_object_member (obj, "params", params);

  if (json_array_get_length (zip) > 1 && json_array_get_length (zip) == n_plain)
    {
      json_object_set_string_member (obj, "combine", "zip");
      json_array_unref (zip);
    }
  else
    {
      json_object_set_string_member (obj, "combine", "product");
      if (json_array_get_length (zip) > 0)
        json_object_set_array_member (obj, "zip", zip);
      else
        json_array_unref (zip);
    }

  if (self->n_csv > 0)
    {
      JsonArray *tables = json_array_new ();

      for (guint group = 1; group <= self->n_csv; group++)
        {
          JsonObject *table = json_object_new ();
          JsonArray *columns = json_array_new ();
          JsonArray *rows = json_array_new ();
          g_autoptr(GPtrArray) members = g_ptr_array_new ();

          for (guint i = 0; i < self->params->len; i++)
            {
              Param *param = g_ptr_array_index (self->params, i);

              if (param->csv_group == group)
                {
                  g_ptr_array_add (members, param);
                  json_array_add_string_element (columns, param->name);
                }
            }
          for (guint64 r = 0; members->len > 0 && r < ((Param *) members->pdata[0])->count; r++)
            {
              JsonArray *row = json_array_sized_new (members->len);

              for (guint i = 0; i < members->len; i++)
                json_array_add_element (row, json_node_copy (((Param *) members->pdata[i])->values->pdata[r]));
              json_array_add_array_element (rows, row);
            }
          json_object_set_array_member (table, "columns", columns);
          json_object_set_array_member (table, "rows", rows);
          json_array_add_object_element (tables, table);
        }
      json_object_set_array_member (obj, "csv", tables);
    }

  if (json_object_get_size (self->constants) > 0)
    {
      JsonObject *constants = json_object_new ();
      g_autoptr(GList) names = json_object_get_members (self->constants);

      for (GList *l = names; l; l = l->next)
        json_object_set_member (constants, l->data, json_node_copy (json_object_get_member (self->constants, l->data)));
      json_object_set_object_member (obj, "constants", constants);
    }

  if (self->shuffle)
    json_object_set_int_member (obj, "shuffle", (gint64) self->shuffle_seed);

  return sweep_object_node_take (obj);
}
