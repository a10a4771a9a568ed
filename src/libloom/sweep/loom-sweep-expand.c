/* loom-sweep-expand.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Expanding a sweep: a task's index, through the shuffle's keyed Feistel
 * permutation when there is one, becomes a digit per factor of the product
 * (mixed radix, last factor fastest) and each digit a parameter's value, in
 * constant time for any size of sweep; all tasks as JSON lines; and the
 * preview a person reads before running them.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-json-private.h"
#include "loom-sweep-private.h"

static guint64
shuffle_index (LoomSweep *self,
               guint64    index)
{
  guint64 mask = (G_GUINT64_CONSTANT (1) << self->half_bits) - 1;
  guint64 x = index;

  if (!self->shuffle || self->count < 2)
    return index;

  /* Cycle walking: the network permutes [0, 2^(2 half_bits)); following
   * the cycle of index until it is back below count permutes [0, count). */
  do
    {
      guint64 left = x >> self->half_bits;
      guint64 right = x & mask;

      for (guint r = 0; r < N_ROUNDS; r++)
        {
          guint64 next = left ^ (mix64 (right ^ self->keys[r]) & mask);

          left = right;
          right = next;
        }
      x = (left << self->half_bits) | right;
    }
  while (x >= self->count);

  return x;
}

/* The value index of each factor of the product for task @index. */
static void
sweep_digits (LoomSweep *self,
              guint64    index,
              guint64   *digits)
{
  index = shuffle_index (self, index);

  /* Mixed radix, last factor fastest. */
  for (guint a = self->axes->len; a-- > 0;)
    {
      guint64 n = g_array_index (self->axes, guint64, a);

      digits[a] = index % n;
      index /= n;
    }
}

/**
 * loom_sweep_get_params:
 * @self: a #LoomSweep
 * @index: a task index, below loom_sweep_get_count()
 *
 * Computes one task's parameters from its index alone, in constant time
 * for any size of sweep.  With loom_sweep_set_shuffle(), @index is the
 * task's place in the shuffled order.
 *
 * Returns: (transfer full): the task's parameters, an object with the
 *   constants first and then the parameters in the order they were added
 */
JsonNode *
loom_sweep_get_params (LoomSweep *self,
                       guint64    index)
{
  g_autofree guint64 *digits = NULL;
  g_autoptr(GList) names = NULL;
  JsonObject *obj;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), NULL);
  g_return_val_if_fail (index < self->count, NULL);

  obj = json_object_new ();
  names = json_object_get_members (self->constants);
  for (GList *l = names; l; l = l->next)
    json_object_set_member (obj, l->data, json_node_copy (json_object_get_member (self->constants, l->data)));

  digits = g_new (guint64, self->axes->len + 1);
  sweep_digits (self, index, digits);
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *param = g_ptr_array_index (self->params, i);

      json_object_set_member (obj, param->name, sweep_param_value (param, digits[param->axis]));
    }

  return sweep_object_node_take (obj);
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
  GString *out;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), NULL);

  out = g_string_new (NULL);
  for (guint64 i = 0; i < self->count; i++)
    {
      g_autoptr(JsonNode) params = loom_sweep_get_params (self, i);

      if (i > 0)
        g_string_append_c (out, '\n');
      loom_json_append_node (out, params);
    }
  return g_string_free_to_bytes (out);
}

/* A value as a person reads it: numbers as numbers (floats with a point),
 * strings in single quotes, the rest as JSON. */
static void
append_value (GString  *out,
              JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING)
        {
          g_string_append_c (out, '\'');
          for (const char *p = json_node_get_string (node); *p; p++)
            {
              if (*p == '\'' || *p == '\\')
                g_string_append_c (out, '\\');
              if (*p == '\n')
                g_string_append (out, "\\n");
              else
                g_string_append_c (out, *p);
            }
          g_string_append_c (out, '\'');
          return;
        }
      if (type == G_TYPE_DOUBLE)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          sweep_format_double (buf, sizeof buf, json_node_get_double (node));
          g_string_append (out, buf);
          if (strpbrk (buf, ".eEni") == NULL)
            g_string_append (out, ".0");
          return;
        }
    }

  {
    g_autofree char *text = loom_json_to_string (node);
    g_string_append (out, text);
  }
}

static void
append_task (LoomSweep *self,
             GString   *out,
             guint64    index,
             guint64   *digits)
{
  sweep_digits (self, index, digits);
  g_string_append_printf (out, "[%" G_GUINT64_FORMAT "]", index);
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *param = g_ptr_array_index (self->params, i);
      g_autoptr(JsonNode) value = sweep_param_value (param, digits[param->axis]);

      g_string_append_printf (out, " %s=", param->name);
      append_value (out, value);
    }
  g_string_append_c (out, '\n');
}

/**
 * loom_sweep_describe_preview:
 * @self: a #LoomSweep
 * @n_head: how many tasks to show from the start
 * @n_tail: how many tasks to show from the end
 *
 * A preview for `loomctl --dry-run` and the app: the number of tasks, the
 * constants, and the first @n_head and last @n_tail parameter sets, one a
 * line as `[index] x=1 y='a'`, with `…` between them when tasks are left
 * out.
 *
 * Returns: (transfer full): the text, each line ending in a newline
 */
char *
loom_sweep_describe_preview (LoomSweep *self,
                             guint      n_head,
                             guint      n_tail)
{
  g_autofree guint64 *digits = NULL;
  g_autofree char *count = NULL;
  g_autoptr(GList) names = NULL;
  GString *out;
  guint64 head, tail_start;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), NULL);

  out = g_string_new (NULL);
  count = g_strdup_printf ("%" G_GUINT64_FORMAT, self->count);
  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%s task", "%s tasks",
                                            (gulong) MIN (self->count, G_MAXULONG)), count);
  if (self->shuffle)
    {
      g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, self->shuffle_seed);
      g_string_append_printf (out, _(", shuffled with seed %s"), seed);
    }
  g_string_append_c (out, '\n');

  names = json_object_get_members (self->constants);
  if (names != NULL)
    {
      g_string_append (out, _("constants:"));
      for (GList *l = names; l; l = l->next)
        {
          g_string_append_printf (out, " %s=", (const char *) l->data);
          append_value (out, json_object_get_member (self->constants, l->data));
        }
      g_string_append_c (out, '\n');
    }

  digits = g_new (guint64, self->axes->len + 1);
  head = MIN ((guint64) n_head, self->count);
  tail_start = self->count - MIN ((guint64) n_tail, self->count);
  if (tail_start < head)
    tail_start = head;
  for (guint64 i = 0; i < head; i++)
    append_task (self, out, i, digits);
  if (tail_start > head)
    g_string_append (out, "…\n");
  for (guint64 i = tail_start; i < self->count; i++)
    append_task (self, out, i, digits);

  return g_string_free (out, FALSE);
}
