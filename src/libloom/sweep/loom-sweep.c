/* loom-sweep.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A parameter sweep: named parameters combined as a Cartesian product (the
 * last parameter varies fastest, like itertools.product), plus constant
 * arguments.  Parameters that are zipped, and the columns of one CSV file,
 * form a group that advances together; the group takes the place of its
 * first member in the product.  Values are computed from their index when
 * asked for (random values too, from a counter-based hash of seed and
 * index; the shuffled order from a keyed Feistel permutation), so a sweep
 * of 10^7 tasks builds nothing before the first task is sent.
 *
 * Every function that changes a sweep checks the change and refuses it
 * whole, so a sweep is valid after every successful call and the getters
 * never fail.
 *
 * This file holds the object, the product (groups, count, the limit) and
 * changing it: adding parameters and constants, zip, shuffle.  The kinds,
 * their text specs, values, CSV, the JSON form and expanding a sweep into
 * tasks have files of their own (see loom-sweep-private.h).
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-sweep-private.h"

G_DEFINE_FINAL_TYPE (LoomSweep, loom_sweep, G_TYPE_OBJECT)

static void
loom_sweep_finalize (GObject *object)
{
  LoomSweep *self = (LoomSweep *) object;

  g_clear_pointer (&self->params, g_ptr_array_unref);
  g_clear_pointer (&self->constants, json_object_unref);
  g_clear_pointer (&self->axes, g_array_unref);

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
  self->params = g_ptr_array_new_with_free_func ((GDestroyNotify) sweep_param_free);
  self->constants = json_object_new ();
  self->axes = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->count = 1;
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

static gboolean
same_group (Param *a,
            Param *b)
{
  if (a->csv_group != 0)
    return a->csv_group == b->csv_group;
  return a->zipped && b->zipped;
}

/* Recomputes the factors of the product, the count and the shuffle. */
void
sweep_update (LoomSweep *self)
{
  guint64 total = 1;
  guint bits;

  g_array_set_size (self->axes, 0);
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *param = g_ptr_array_index (self->params, i);
      guint axis = G_MAXUINT;

      for (guint j = 0; j < i && axis == G_MAXUINT; j++)
        {
          Param *other = g_ptr_array_index (self->params, j);

          if (same_group (param, other))
            axis = other->axis;
        }
      if (axis == G_MAXUINT)
        {
          axis = self->axes->len;
          g_array_append_val (self->axes, param->count);
        }
      param->axis = axis;
    }

  for (guint a = 0; a < self->axes->len; a++)
    {
      guint64 n = g_array_index (self->axes, guint64, a);

      if (n == 0)
        {
          /* A factor without values (a CSV without rows, an empty range):
           * the product is empty, whatever the other factors hold. */
          total = 0;
          break;
        }
      total = total > G_MAXUINT64 / n ? G_MAXUINT64 : total * n;
    }
  self->count = total;

  /* A balanced Feistel network on 2 × half_bits bits, at most four times
   * the count, walked until it lands below the count. */
  bits = 0;
  for (guint64 v = total > 1 ? total - 1 : 1; v != 0; v >>= 1)
    bits++;
  self->half_bits = MAX (1, (bits + 1) / 2);
  for (guint r = 0; r < N_ROUNDS; r++)
    self->keys[r] = mix64 (self->shuffle_seed + (r + 1) * GOLDEN);
}

/* The limit on the number of tasks, naming the parameter that passes it. */
gboolean
sweep_check_total (LoomSweep  *self,
                   GError    **error)
{
  guint64 total = 1;

  if (self->count <= MAX_TASKS)
    return TRUE;

  for (guint a = 0; a < self->axes->len; a++)
    {
      guint64 n = g_array_index (self->axes, guint64, a);

      if (total > MAX_TASKS / n)
        {
          for (guint i = 0; i < self->params->len; i++)
            {
              Param *param = g_ptr_array_index (self->params, i);

              if (param->axis == a)
                return sweep_too_many_error (error, param->name);
            }
        }
      total *= n;
    }
  return TRUE;
}

static Param *
find_param (LoomSweep  *self,
            const char *name)
{
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *param = g_ptr_array_index (self->params, i);

      if (g_str_equal (param->name, name))
        return param;
    }
  return NULL;
}

gboolean
sweep_name_taken (LoomSweep  *self,
                  const char *name)
{
  return find_param (self, name) != NULL || json_object_has_member (self->constants, name);
}

/* Adds @params (consumed), all or none. */
gboolean
sweep_add_params (LoomSweep   *self,
                  Param      **params,
                  guint        n_params,
                  gboolean     limit,
                  GError     **error)
{
  guint before = self->params->len;

  for (guint i = 0; i < n_params; i++)
    {
      if (*params[i]->name == '\0')
        {
          sweep_error (error, "", _("a parameter needs a name"));
          goto fail;
        }
      if (sweep_name_taken (self, params[i]->name))
        {
          sweep_error (error, params[i]->name, _("the name is given twice"));
          goto fail;
        }
      g_ptr_array_add (self->params, params[i]);
      params[i] = NULL;
    }
  sweep_update (self);
  if (!limit || sweep_check_total (self, error))
    return TRUE;

fail:
  for (guint i = 0; i < n_params; i++)
    g_clear_pointer (&params[i], sweep_param_free);
  g_ptr_array_set_size (self->params, before);
  sweep_update (self);
  return FALSE;
}

gboolean
sweep_add_param (LoomSweep  *self,
                 const char *name,
                 Param      *param,
                 gboolean    limit,
                 GError    **error)
{
  if (param == NULL)
    return FALSE;
  param->name = g_strdup (name);
  return sweep_add_params (self, &param, 1, limit, error);
}

static void
split_assignment_error (GError     **error,
                        const char  *what,
                        const char  *text)
{
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("%s “%s” is not of the form NAME=VALUE"), what, text);
}

/* NAME=VALUE, without the spaces around NAME, = and VALUE. */
static gboolean
split_assignment (const char  *text,
                  const char  *what,
                  char       **name,
                  char       **value,
                  GError     **error)
{
  const char *eq = strchr (text, '=');

  if (eq != NULL)
    *name = g_strstrip (g_strndup (text, eq - text));
  if (eq == NULL || **name == '\0')
    {
      if (eq != NULL)
        g_clear_pointer (name, g_free);
      split_assignment_error (error, what, text);
      return FALSE;
    }
  *value = sweep_strip_dup (eq + 1);
  return TRUE;
}

/**
 * loom_sweep_add_spec:
 * @self: a #LoomSweep
 * @spec: `NAME=KIND:…` or `NAME=a,b,c`
 * @error: return location for a #GError
 *
 * Adds a parameter.  The kinds:
 *
 * - `x=1,2,5` or `x=list:a,b,c`: the values given; numbers stay numbers,
 *   true, false, null and JSON arrays or objects are read as JSON, other
 *   values are strings.  A value with a colon needs `list:`.
 * - `range:START:STOP[:STEP]`: like Python's range, STOP excluded, with
 *   integers or floats and negative steps.  Floats written as decimals
 *   count and step exactly (range:0:1:0.1 gives 10 values, the fourth 0.3).
 * - `lin:START:STOP:N`: N evenly spaced points, both ends included.
 * - `log:START:STOP:N`: N points evenly spaced on a log scale, both ends
 *   included; START and STOP must be above 0.
 * - `random:uniform:LOW:HIGH:N[:SEED]` (in [LOW, HIGH)),
 *   `random:loguniform:LOW:HIGH:N[:SEED]` (0 < LOW < HIGH) and
 *   `random:int:LOW:HIGH:N[:SEED]` (whole numbers in [LOW, HIGH]): N values
 *   drawn from a counter-based generator, the same for the same seed.
 *   Without a seed one is chosen now and kept (see loom_sweep_to_json()).
 *
 * Spaces around NAME, `=`, the items of a list and the fields of a kind
 * are no part of them (`x = 1, 2` is `x=1,2`); an item that is only spaces
 * is refused, as is a list without values (`x=`).  A value in double
 * quotes is a string as it is written (`x="nan"`, `x=" "`).
 *
 * Nothing that is not finite is accepted (inf, nan, 1e999): JSON, in
 * which tasks travel, has no NaN or Infinity.  To mean the text, quote it.
 *
 * A range from a START equal to STOP and a lin, log or random of N = 0
 * have no values, and the sweep then none: it expands to zero tasks, as
 * Python's range(0) does.  A range whose STEP leads away from STOP is
 * refused as a mistake.  The sweep may not grow beyond 2^48 tasks,
 * counting zipped groups as they are now.
 *
 * Returns: %TRUE if @spec was valid and added; otherwise @error names the
 *   parameter and the problem and the sweep is unchanged
 */
gboolean
loom_sweep_add_spec (LoomSweep   *self,
                     const char  *spec,
                     GError     **error)
{
  g_autofree char *name = NULL;
  g_autofree char *body = NULL;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  if (!split_assignment (spec, _("sweep"), &name, &body, error))
    return FALSE;
  if (sweep_name_taken (self, name))
    return sweep_error (error, name, _("the name is given twice"));
  return sweep_add_param (self, name, sweep_parse_body (name, body, error), TRUE, error);
}

gboolean
sweep_add_constant_node (LoomSweep   *self,
                         const char  *name,
                         JsonNode    *value,
                         GError     **error)
{
  if (sweep_name_taken (self, name))
    {
      json_node_unref (value);
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("argument “%s”: the name is given twice"), name);
      return FALSE;
    }
  json_object_set_member (self->constants, name, value);
  return TRUE;
}

/**
 * loom_sweep_add_constant:
 * @self: a #LoomSweep
 * @assignment: `name=value`, passed to every task; the value is read as by
 *   loom_value_from_text()
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
  g_autofree char *text = NULL;
  JsonNode *value;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), FALSE);
  g_return_val_if_fail (assignment != NULL, FALSE);

  if (!split_assignment (assignment, _("argument"), &name, &text, error))
    return FALSE;
  if ((value = sweep_value_from_text_finite (text)) == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("argument “%s”: “%s” is not a finite number (JSON has no NaN or Infinity; "
                     "write \"%s\" in double quotes if you mean the text)"), name, text, text);
      return FALSE;
    }
  return sweep_add_constant_node (self, name, value, error);
}

gboolean
sweep_set_zip_names (LoomSweep          *self,
                     const char * const *names,
                     guint               n_names,
                     GError            **error)
{
  g_autofree gboolean *was = NULL;
  g_autoptr(GPtrArray) members = g_ptr_array_new ();
  gboolean same = TRUE;

  if (n_names < 2)
    {
      g_autofree char *joined = g_strjoinv (",", (char **) names);
      return sweep_error (error, joined, _("a zip needs the names of two or more parameters"));
    }

  for (guint i = 0; i < n_names; i++)
    {
      Param *param = find_param (self, names[i]);

      if (param == NULL && json_object_has_member (self->constants, names[i]))
        return sweep_error (error, names[i], _("a constant argument cannot be zipped"));
      if (param == NULL)
        return sweep_error (error, names[i], _("there is no such parameter to zip"));
      if (param->csv_group != 0)
        return sweep_error (error, names[i], _("a CSV column cannot be zipped: the rows of a CSV file "
                                               "are zipped together already"));
      if (g_ptr_array_find (members, param, NULL))
        return sweep_error (error, names[i], _("the name is given twice in the zip"));
      g_ptr_array_add (members, param);
      same = same && param->count == ((Param *) members->pdata[0])->count;
    }

  if (!same)
    {
      GString *quoted = g_string_new (NULL);
      GString *lengths = g_string_new (NULL);

      for (guint i = 0; i < members->len; i++)
        {
          Param *param = g_ptr_array_index (members, i);

          g_string_append_printf (quoted, "%s“%s”", i ? ", " : "", param->name);
          g_string_append_printf (lengths, "%s%s has %" G_GUINT64_FORMAT, i ? ", " : "",
                                  param->name, param->count);
        }
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("sweep %s: zipped parameters need the same number of values, but %s"),
                   quoted->str, lengths->str);
      g_string_free (quoted, TRUE);
      g_string_free (lengths, TRUE);
      return FALSE;
    }

  was = g_new (gboolean, self->params->len + 1);
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *param = g_ptr_array_index (self->params, i);

      was[i] = param->zipped;
      param->zipped = g_ptr_array_find (members, param, NULL);
    }
  sweep_update (self);
  if (sweep_check_total (self, error))
    return TRUE;

  for (guint i = 0; i < self->params->len; i++)
    ((Param *) g_ptr_array_index (self->params, i))->zipped = was[i];
  sweep_update (self);
  return FALSE;
}

/**
 * loom_sweep_set_zip:
 * @self: a #LoomSweep
 * @names: parameter names separated by commas, such as `a,b`
 * @error: return location for a #GError
 *
 * Makes the parameters in @names advance together: task i takes value i of
 * each.  They must have been added already and have the same number of
 * values.  The zipped group combines with the other parameters as a
 * product, in the place of its first member.  A sweep has one zip group:
 * this replaces the previous one.  The columns of a CSV file are zipped
 * among themselves and cannot be named here.
 *
 * Returns: %TRUE if the zip was valid and set; otherwise @error names the
 *   parameters (with their lengths when they differ)
 */
gboolean
loom_sweep_set_zip (LoomSweep   *self,
                    const char  *names,
                    GError     **error)
{
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), FALSE);
  g_return_val_if_fail (names != NULL, FALSE);

  parts = g_strsplit (names, ",", -1);
  for (guint i = 0; parts[i]; i++)
    g_strstrip (parts[i]);
  return sweep_set_zip_names (self, (const char * const *) parts, g_strv_length (parts), error);
}

/**
 * loom_sweep_set_shuffle:
 * @self: a #LoomSweep
 * @seed: the seed of the order
 *
 * Sends the tasks in an order shuffled by @seed: the same seed gives the
 * same order.  Task i is then the sweep point at position p(i) of a
 * permutation p computed from i alone, so nothing count-sized is built.  A
 * caller without a seed picks one (g_random_int()) and shows it, so that
 * the order can be repeated.
 */
void
loom_sweep_set_shuffle (LoomSweep *self,
                        guint64    seed)
{
  g_return_if_fail (LOOM_IS_SWEEP (self));

  self->shuffle = TRUE;
  self->shuffle_seed = seed;
  sweep_update (self);
}

/**
 * loom_sweep_get_count:
 * @self: a #LoomSweep
 *
 * Returns: the number of tasks the sweep expands to, computed without
 *   expanding it (at most 2^48)
 */
guint64
loom_sweep_get_count (LoomSweep *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP (self), 0);
  return self->count;
}

/**
 * loom_sweep_get_n_parameters:
 * @self: a #LoomSweep
 *
 * Returns: the number of swept parameters, CSV columns included and
 *   constants not
 */
guint
loom_sweep_get_n_parameters (LoomSweep *self)
{
  g_return_val_if_fail (LOOM_IS_SWEEP (self), 0);
  return self->params->len;
}
