/* loom-sweep-params.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The kinds of parameter: list, range, lin, log and random, each checked
 * as it is made; their text specs (`range:0:10:2`, `a,b,c`); and the value
 * of a parameter at an index, computed from the index alone (random values
 * from a counter-based hash of seed and index).
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "loom-enum-private.h"
#include "loom-private-enums.h"
#include "loom-sweep-private.h"

void
sweep_param_free (Param *param)
{
  g_free (param->name);
  g_clear_pointer (&param->values, g_ptr_array_unref);
  g_free (param);
}

Param *
sweep_param_new (ParamKind kind,
                 guint64   count)
{
  Param *param = g_new0 (Param, 1);

  param->kind = kind;
  param->count = count;
  return param;
}

/* The high 64 bits of a * b. */
static guint64
mul_high (guint64 a,
          guint64 b)
{
  guint64 a_lo = a & 0xffffffff, a_hi = a >> 32;
  guint64 b_lo = b & 0xffffffff, b_hi = b >> 32;
  guint64 p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo, p3 = a_hi * b_hi;
  guint64 mid = (p0 >> 32) + (p1 & 0xffffffff) + (p2 & 0xffffffff);

  return p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
}

static guint64
int_range_count (gint64 start,
                 gint64 stop,
                 gint64 step)
{
  if (step > 0)
    return stop <= start ? 0 : ((guint64) stop - (guint64) start - 1) / (guint64) step + 1;
  return stop >= start ? 0 : ((guint64) start - (guint64) stop - 1) / ((guint64) 0 - (guint64) step) + 1;
}

/* The scale 10^d (d ≤ 15) at which all of @values are whole numbers below
 * 2^53, or 0 if there is none. */
static double
decimal_scale (const double *values,
               guint         n)
{
  double scale = 1;

  for (guint d = 0; d <= 15; d++, scale *= 10)
    {
      gboolean ok = TRUE;

      for (guint i = 0; i < n && ok; i++)
        {
          double scaled = values[i] * scale;

          ok = fabs (scaled) < 9007199254740992.0 && round (scaled) / scale == values[i];
        }
      if (ok)
        return scale;
    }
  return 0;
}

Param *
sweep_make_list (const char  *name,
                 GPtrArray   *values,
                 GError     **error)
{
  Param *param;

  /* An empty list is a factor without values, as an empty CSV is: the
   * text form refuses `x=` before it comes here. */
  param = sweep_param_new (PARAM_LIST, values->len);
  param->values = g_ptr_array_ref (values);
  return param;
}

/* @shown: the range as the user gave it, without “range:”, for messages. */
Param *
sweep_make_range (const char  *name,
                  const char  *shown,
                  Num          start,
                  Num          stop,
                  Num          step,
                  GError     **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  guint64 count = 0;
  Param *param;

  if (step.d == 0)
    {
      sweep_error (error, name, _("range STEP must not be 0, got “range:%s”"), shown);
      return NULL;
    }

  if (start.is_int && stop.is_int && step.is_int)
    {
      count = int_range_count (start.i, stop.i, step.i);
      param = sweep_param_new (PARAM_RANGE_INT, count);
      param->istart = start.i;
      param->istop = stop.i;
      param->istep = step.i;
    }
  else
    {
      double ends[3] = { start.d, stop.d, step.d };
      double scale = decimal_scale (ends, 3);

      if (scale > 0)
        {
          /* Decimal numbers: count exactly, as integers. */
          gint64 s = (gint64) round (start.d * scale);
          gint64 e = (gint64) round (stop.d * scale);
          gint64 t = (gint64) round (step.d * scale);

          count = int_range_count (s, e, t);
          param = sweep_param_new (PARAM_RANGE_FLOAT, count);
          param->istart = s;
          param->istop = e;
          param->istep = t;
          param->scale = scale;
        }
      else
        {
          /* Like Python's range: ceil((stop - start) / step), never
           * negative; a step that lands a hair short of STOP does not
           * make one more value. */
          double n = ceil ((stop.d - start.d) / step.d - 1e-9);

          if (!(n < (double) MAX_TASKS + 1))
            {
              sweep_too_many_error (error, name);
              return NULL;
            }
          count = n >= 1 ? (guint64) n : 0;
          param = sweep_param_new (PARAM_RANGE_FLOAT, count);
        }
    }
  param->start = start.d;
  param->stop = stop.d;
  param->step = step.d;

  if (count == 0 && start.d != stop.d)
    {
      sweep_param_free (param);
      sweep_error (error, name, _("range:%s is empty (with STEP %s, START must go towards STOP)"),
                   shown, sweep_format_num (buf, sizeof buf, step));
      return NULL;
    }
  if (count > MAX_TASKS)
    {
      sweep_param_free (param);
      sweep_too_many_error (error, name);
      return NULL;
    }
  return param;
}

/* N of lin, log and random: at least 0 (no values), at most the limit. */
static gboolean
check_count (const char  *name,
             gint64       n,
             GError     **error)
{
  if (n < 0)
    {
      char buf[32];

      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, n);
      return sweep_error (error, name, _("N must be at least 0, got %s"), buf);
    }
  if ((guint64) n > MAX_TASKS)
    return sweep_too_many_error (error, name);
  return TRUE;
}

/* lin and log: N points from START to STOP, both included. */
Param *
sweep_make_space (const char  *name,
                  ParamKind    kind,
                  Num          start,
                  Num          stop,
                  gint64       n,
                  GError     **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  Param *param;

  if (kind == PARAM_LOG && start.d <= 0)
    {
      sweep_error (error, name, _("log scale needs START > 0, got %s"), sweep_format_num (buf, sizeof buf, start));
      return NULL;
    }
  if (kind == PARAM_LOG && stop.d <= 0)
    {
      sweep_error (error, name, _("log scale needs STOP > 0, got %s"), sweep_format_num (buf, sizeof buf, stop));
      return NULL;
    }
  if (kind == PARAM_LIN && !isfinite (stop.d - start.d))
    {
      sweep_error (error, name, _("START and STOP are too far apart"));
      return NULL;
    }
  if (!check_count (name, n, error))
    return NULL;

  param = sweep_param_new (kind, n);
  param->start = start.d;
  param->stop = stop.d;
  return param;
}

/* @text, a random parameter's distribution, by LoomSweepDistribution's
 * nicks. */
gboolean
sweep_distribution_parse (const char             *name,
                          const char             *text,
                          LoomSweepDistribution  *distribution,
                          GError                **error)
{
  g_autofree char *choices = NULL;
  gint value;

  if (loom_enum_from_nick (LOOM_TYPE_SWEEP_DISTRIBUTION, text, &value))
    {
      *distribution = value;
      return TRUE;
    }
  choices = loom_enum_choices (LOOM_TYPE_SWEEP_DISTRIBUTION, LOOM_ENUM_CHOICES_TRANSLATED, -1, NULL);
  return sweep_error (error, name, _("unknown random distribution “%s” (expected %s)"), text, choices);
}

Param *
sweep_make_random (const char             *name,
                   LoomSweepDistribution   distribution,
                   Num                     low,
                   Num                     high,
                   gint64                  n,
                   gboolean                seeded,
                   guint64                 seed,
                   GError                **error)
{
  char lo_buf[G_ASCII_DTOSTR_BUF_SIZE], hi_buf[G_ASCII_DTOSTR_BUF_SIZE];
  const char *lo_text = sweep_format_num (lo_buf, sizeof lo_buf, low);
  const char *hi_text = sweep_format_num (hi_buf, sizeof hi_buf, high);
  ParamKind kind = PARAM_RANDOM (distribution);
  Param *param;

  switch (distribution)
    {
    case LOOM_SWEEP_UNIFORM:
      if (!(low.d < high.d))
        {
          sweep_error (error, name, _("random:uniform needs LOW < HIGH, got %s and %s"), lo_text, hi_text);
          return NULL;
        }
      break;

    case LOOM_SWEEP_LOGUNIFORM:
      if (!(low.d > 0 && low.d < high.d))
        {
          sweep_error (error, name, _("random:loguniform needs 0 < LOW < HIGH, got %s and %s"), lo_text, hi_text);
          return NULL;
        }
      break;

    case LOOM_SWEEP_INT:
      if (!low.is_int || !high.is_int)
        {
          sweep_error (error, name, _("random:int needs whole numbers, got %s and %s"), lo_text, hi_text);
          return NULL;
        }
      if (low.i > high.i)
        {
          sweep_error (error, name, _("random:int needs LOW ≤ HIGH, got %s and %s"), lo_text, hi_text);
          return NULL;
        }
      break;

    default:
      g_return_val_if_reached (NULL);
    }

  if (!check_count (name, n, error))
    return NULL;

  param = sweep_param_new (kind, n);
  param->start = low.d;
  param->stop = high.d;
  param->istart = low.i;
  param->istop = high.i;
  /* Without a seed, one chosen now: the same sweep gives the same values
   * each time it is asked, and loom_sweep_to_json() writes it down. */
  param->seed = seeded ? seed : g_random_int ();
  return param;
}

JsonNode *
sweep_param_value (Param   *param,
                   guint64  i)
{
  JsonNode *node;
  double div = param->count > 1 ? (double) (param->count - 1) : 1;

  if (param->kind == PARAM_LIST || param->kind == PARAM_CSV)
    return json_node_copy (g_ptr_array_index (param->values, i));

  node = json_node_new (JSON_NODE_VALUE);
  switch (param->kind)
    {
    case PARAM_RANGE_INT:
      json_node_set_int (node, (gint64) ((guint64) param->istart + i * (guint64) param->istep));
      break;

    case PARAM_RANGE_FLOAT:
      if (param->scale > 0)
        json_node_set_double (node, (double) (param->istart + (gint64) i * param->istep) / param->scale);
      else
        json_node_set_double (node, param->start + (double) i * param->step);
      break;

    case PARAM_LIN:
      {
        double delta = param->stop - param->start;
        double t = (double) i * delta;
        double value;

        if (i + 1 == param->count && i > 0)
          value = param->stop;
        else if (isfinite (t))
          value = param->start + t / div;
        else
          value = param->start + delta * ((double) i / div);
        json_node_set_double (node, value);
      }
      break;

    case PARAM_LOG:
      {
        double l0 = log10 (param->start);
        double l1 = log10 (param->stop);
        double value;

        if (i == 0)
          value = param->start;
        else if (i + 1 == param->count)
          value = param->stop;
        else
          value = pow (10, l0 + ((double) i * (l1 - l0)) / div);
        json_node_set_double (node, value);
      }
      break;

    case PARAM_RANDOM_UNIFORM:
    case PARAM_RANDOM_LOGUNIFORM:
      {
        double u = (random_bits (param->seed, i) >> 11) * 0x1.0p-53;
        double value;

        if (param->kind == PARAM_RANDOM_UNIFORM)
          value = param->start * (1 - u) + param->stop * u;
        else
          value = exp (log (param->start) * (1 - u) + log (param->stop) * u);
        if (value >= param->stop)
          value = nextafter (param->stop, param->start);
        if (value < param->start)
          value = param->start;
        json_node_set_double (node, value);
      }
      break;

    case PARAM_RANDOM_INT:
      {
        guint64 span = (guint64) param->istop - (guint64) param->istart + 1;
        guint64 bits = random_bits (param->seed, i);
        guint64 offset = span == 0 ? bits : mul_high (bits, span);

        json_node_set_int (node, (gint64) ((guint64) param->istart + offset));
      }
      break;

    case PARAM_LIST:
    case PARAM_CSV:
    default:
      g_assert_not_reached ();
    }
  return node;
}
