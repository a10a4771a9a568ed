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
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-json-private.h"
#include "loom-sweep.h"

#define MAX_TASKS   (G_GUINT64_CONSTANT (1) << 48)
#define GOLDEN      G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)
#define N_ROUNDS    4

typedef enum
{
  PARAM_LIST,
  PARAM_CSV,
  PARAM_RANGE_INT,
  PARAM_RANGE_FLOAT,
  PARAM_LIN,
  PARAM_LOG,
  PARAM_RANDOM_UNIFORM,
  PARAM_RANDOM_LOGUNIFORM,
  PARAM_RANDOM_INT,
} ParamKind;

typedef struct
{
  char      *name;
  ParamKind  kind;
  guint64    count;
  GPtrArray *values;     /* JsonNode: LIST, CSV */
  guint      csv_group;  /* CSV: which file, from 1 */
  gboolean   zipped;
  guint      axis;       /* position in the product */

  /* Ranges, lin and log: start, stop, step.  Random: low and high. */
  double     start;
  double     stop;
  double     step;
  /* Integer ranges and random:int; float ranges with decimal ends, scaled
   * by @scale so that values come out as the nearest double to a decimal. */
  gint64     istart;
  gint64     istop;
  gint64     istep;
  double     scale;
  guint64    seed;       /* random */
} Param;

struct _LoomSweep
{
  GObject     parent_instance;

  GPtrArray  *params;     /* Param */
  JsonObject *constants;
  guint       n_csv;

  GArray     *axes;       /* guint64: the length of each factor */
  guint64     count;      /* saturates above MAX_TASKS */

  gboolean    shuffle;
  guint64     shuffle_seed;
  guint       half_bits;
  guint64     keys[N_ROUNDS];
};

G_DEFINE_FINAL_TYPE (LoomSweep, loom_sweep, G_TYPE_OBJECT)

/* A number as given, with its integer value when it is one. */
typedef struct
{
  double   d;
  gint64   i;
  gboolean is_int;
} Num;

static void
param_free (Param *param)
{
  g_free (param->name);
  g_clear_pointer (&param->values, g_ptr_array_unref);
  g_free (param);
}

static Param *
param_new (ParamKind kind,
           guint64   count)
{
  Param *param = g_new0 (Param, 1);

  param->kind = kind;
  param->count = count;
  return param;
}

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
  self->params = g_ptr_array_new_with_free_func ((GDestroyNotify) param_free);
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

/* --- numbers and hashing -------------------------------------------------- */

/* The finaliser of splitmix64: a bijective mix of 64 bits. */
static inline guint64
mix64 (guint64 z)
{
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Random bits for value @index of a stream: needs no earlier value. */
static inline guint64
random_bits (guint64 seed,
             guint64 index)
{
  return mix64 (mix64 (seed ^ G_GUINT64_CONSTANT (0x6a09e667f3bcc909)) + (index + 1) * GOLDEN);
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

/* The shortest text that reads back as @value. */
static const char *
format_double (char   *buf,
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

static const char *
format_num (char *buf,
            gsize size,
            Num   num)
{
  if (num.is_int)
    {
      g_snprintf (buf, size, "%" G_GINT64_FORMAT, num.i);
      return buf;
    }
  return format_double (buf, size, num.d);
}

static Num
num_from_double (double value)
{
  Num num = { value, 0, FALSE };
  return num;
}

static Num
num_from_int (gint64 value)
{
  Num num = { (double) value, value, TRUE };
  return num;
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

static JsonNode *
object_node_take (JsonObject *obj)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, obj);
  return node;
}

/* --- errors and values ---------------------------------------------------- */

static gboolean sweep_error (GError     **error,
                             const char  *name,
                             const char  *format,
                             ...) G_GNUC_PRINTF (3, 4);

/* “sweep “NAME”: DETAIL”; returns FALSE. */
static gboolean
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

static gboolean
too_many_error (GError     **error,
                const char  *name)
{
  return sweep_error (error, name, _("the sweep would have more than 2^48 tasks"));
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

static gboolean
node_is_finite (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node))
    return json_node_get_value_type (node) != G_TYPE_DOUBLE || isfinite (json_node_get_double (node));
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!node_is_finite (json_array_get_element (array, i)))
          return FALSE;
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) members = json_object_get_values (json_node_get_object (node));

      for (GList *l = members; l; l = l->next)
        if (!node_is_finite (l->data))
          return FALSE;
    }
  return TRUE;
}

/* loom_value_from_text(), or NULL for text that reads as a number that is
 * not finite (inf, nan, 1e999): those are refused everywhere. */
static JsonNode *
value_from_text_finite (const char *text)
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
  if (!node_is_finite (node))
    g_clear_pointer (&node, json_node_unref);
  return node;
}

static gboolean
num_parse (const char  *name,
           const char  *text,
           const char  *what,
           Num         *num,
           GError     **error)
{
  char *end = NULL;

  if (*text == '\0')
    return sweep_error (error, name, _("%s is empty"), what);
  num->d = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (num->d))
    return sweep_error (error, name, _("%s must be a finite number, got “%s”"), what, text);
  num->is_int = strpbrk (text, ".eEnNiIxXpP") == NULL &&
                g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &num->i, NULL);
  return TRUE;
}

static gboolean
count_parse (const char  *name,
             const char  *text,
             gint64      *n,
             GError     **error)
{
  char *end = NULL;
  double value;

  if (g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, n, NULL))
    return TRUE;
  value = g_ascii_strtod (text, &end);
  if (*text != '\0' && end != text && *end == '\0' && isfinite (value) &&
      value == floor (value) && fabs (value) < 4e18)
    {
      *n = (gint64) value;
      return TRUE;
    }
  return sweep_error (error, name, _("N must be a whole number, got “%s”"), text);
}

static gboolean
seed_parse (const char  *name,
            const char  *text,
            guint64     *seed,
            GError     **error)
{
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, seed, NULL))
    return TRUE;
  return sweep_error (error, name, _("SEED must be a whole number ≥ 0, got “%s”"), text);
}

/* --- the kinds ------------------------------------------------------------ */

static Param *
make_list (const char  *name,
           GPtrArray   *values,
           GError     **error)
{
  Param *param;

  if (values->len == 0)
    {
      sweep_error (error, name, _("the list of values is empty"));
      return NULL;
    }
  param = param_new (PARAM_LIST, values->len);
  param->values = g_ptr_array_ref (values);
  return param;
}

/* @shown: the range as the user gave it, without “range:”, for messages. */
static Param *
make_range (const char  *name,
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
      param = param_new (PARAM_RANGE_INT, count);
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
          param = param_new (PARAM_RANGE_FLOAT, count);
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
              too_many_error (error, name);
              return NULL;
            }
          count = n >= 1 ? (guint64) n : 0;
          param = param_new (PARAM_RANGE_FLOAT, count);
        }
    }
  param->start = start.d;
  param->stop = stop.d;
  param->step = step.d;

  if (count == 0)
    {
      param_free (param);
      sweep_error (error, name, _("range:%s is empty (with STEP %s, START must go towards STOP)"),
                   shown, format_num (buf, sizeof buf, step));
      return NULL;
    }
  if (count > MAX_TASKS)
    {
      param_free (param);
      too_many_error (error, name);
      return NULL;
    }
  return param;
}

/* lin and log: N points from START to STOP, both included. */
static Param *
make_space (const char  *name,
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
      sweep_error (error, name, _("log scale needs START > 0, got %s"), format_num (buf, sizeof buf, start));
      return NULL;
    }
  if (kind == PARAM_LOG && stop.d <= 0)
    {
      sweep_error (error, name, _("log scale needs STOP > 0, got %s"), format_num (buf, sizeof buf, stop));
      return NULL;
    }
  if (kind == PARAM_LIN && !isfinite (stop.d - start.d))
    {
      sweep_error (error, name, _("START and STOP are too far apart"));
      return NULL;
    }
  if (n < 1)
    {
      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, n);
      sweep_error (error, name, _("N must be at least 1, got %s"), buf);
      return NULL;
    }
  if ((guint64) n > MAX_TASKS)
    {
      too_many_error (error, name);
      return NULL;
    }

  param = param_new (kind, n);
  param->start = start.d;
  param->stop = stop.d;
  return param;
}

static const char * const distributions[] = { "uniform", "loguniform", "int", NULL };

static Param *
make_random (const char  *name,
             const char  *distribution,
             Num          low,
             Num          high,
             gint64       n,
             gboolean     seeded,
             guint64      seed,
             GError     **error)
{
  char lo_buf[G_ASCII_DTOSTR_BUF_SIZE], hi_buf[G_ASCII_DTOSTR_BUF_SIZE];
  const char *lo_text = format_num (lo_buf, sizeof lo_buf, low);
  const char *hi_text = format_num (hi_buf, sizeof hi_buf, high);
  ParamKind kind;
  Param *param;

  if (g_str_equal (distribution, "uniform"))
    {
      kind = PARAM_RANDOM_UNIFORM;
      if (!(low.d < high.d))
        {
          sweep_error (error, name, _("random:uniform needs LOW < HIGH, got %s and %s"), lo_text, hi_text);
          return NULL;
        }
    }
  else if (g_str_equal (distribution, "loguniform"))
    {
      kind = PARAM_RANDOM_LOGUNIFORM;
      if (!(low.d > 0 && low.d < high.d))
        {
          sweep_error (error, name, _("random:loguniform needs 0 < LOW < HIGH, got %s and %s"), lo_text, hi_text);
          return NULL;
        }
    }
  else if (g_str_equal (distribution, "int"))
    {
      kind = PARAM_RANDOM_INT;
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
    }
  else
    {
      sweep_error (error, name, _("unknown random distribution “%s” (expected uniform, loguniform or int)"),
                   distribution);
      return NULL;
    }

  if (n < 1)
    {
      char buf[32];

      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, n);
      sweep_error (error, name, _("N must be at least 1, got %s"), buf);
      return NULL;
    }
  if ((guint64) n > MAX_TASKS)
    {
      too_many_error (error, name);
      return NULL;
    }

  param = param_new (kind, n);
  param->start = low.d;
  param->stop = high.d;
  param->istart = low.i;
  param->istop = high.i;
  /* Without a seed, one chosen now: the same sweep gives the same values
   * each time it is asked, and loom_sweep_to_json() writes it down. */
  param->seed = seeded ? seed : g_random_int ();
  return param;
}

/* --- text specs ----------------------------------------------------------- */

static Param *
parse_list (const char  *name,
            const char  *body,
            GError     **error)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto(GStrv) items = NULL;

  if (*body == '\0')
    {
      sweep_error (error, name, _("the list of values is empty"));
      return NULL;
    }

  items = g_strsplit (body, ",", -1);
  for (guint i = 0; items[i]; i++)
    {
      JsonNode *node;

      if (*items[i] == '\0')
        {
          sweep_error (error, name, _("value %u of the list “%s” is empty"), i + 1, body);
          return NULL;
        }
      if ((node = value_from_text_finite (items[i])) == NULL)
        {
          sweep_error (error, name, _("“%s” is not a finite number"), items[i]);
          return NULL;
        }
      g_ptr_array_add (values, node);
    }
  return make_list (name, values, error);
}

static Param *
parse_range (const char  *name,
             const char  *body,
             GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (body, ":", -1);
  guint n = g_strv_length (parts);
  Num start, stop, step = num_from_int (1);

  if (n < 2 || n > 3)
    {
      sweep_error (error, name, _("range needs START:STOP[:STEP], got “range:%s”"), body);
      return NULL;
    }
  if (!num_parse (name, parts[0], "START", &start, error) ||
      !num_parse (name, parts[1], "STOP", &stop, error) ||
      (n == 3 && !num_parse (name, parts[2], "STEP", &step, error)))
    return NULL;
  return make_range (name, body, start, stop, step, error);
}

static Param *
parse_space (const char  *name,
             ParamKind    kind,
             const char  *body,
             GError     **error)
{
  const char *kind_name = kind == PARAM_LOG ? "log" : "lin";
  g_auto(GStrv) parts = g_strsplit (body, ":", -1);
  Num start, stop;
  gint64 n;

  if (g_strv_length (parts) != 3)
    {
      sweep_error (error, name, _("%s needs START:STOP:N, got “%s:%s”"), kind_name, kind_name, body);
      return NULL;
    }
  if (!num_parse (name, parts[0], "START", &start, error) ||
      !num_parse (name, parts[1], "STOP", &stop, error) ||
      !count_parse (name, parts[2], &n, error))
    return NULL;
  return make_space (name, kind, start, stop, n, error);
}

static Param *
parse_random (const char  *name,
              const char  *body,
              GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (body, ":", -1);
  guint n_parts = g_strv_length (parts);
  Num low, high;
  guint64 seed = 0;
  gint64 n;

  if (n_parts < 4 || n_parts > 5)
    {
      sweep_error (error, name, _("random needs DISTRIBUTION:LOW:HIGH:N[:SEED], got “random:%s”"), body);
      return NULL;
    }
  if (!g_strv_contains (distributions, parts[0]))
    {
      sweep_error (error, name, _("unknown random distribution “%s” (expected uniform, loguniform or int)"),
                   parts[0]);
      return NULL;
    }
  if (!num_parse (name, parts[1], "LOW", &low, error) ||
      !num_parse (name, parts[2], "HIGH", &high, error) ||
      !count_parse (name, parts[3], &n, error) ||
      (n_parts == 5 && !seed_parse (name, parts[4], &seed, error)))
    return NULL;
  return make_random (name, parts[0], low, high, n, n_parts == 5, seed, error);
}

/* A word and a colon where a kind goes: “foo:1:2”. */
static char *
leading_kind (const char *body)
{
  const char *p = body;

  if (!g_ascii_isalpha (*p))
    return NULL;
  while (g_ascii_isalnum (*p) || *p == '_' || *p == '-')
    p++;
  return *p == ':' ? g_strndup (body, p - body) : NULL;
}

static Param *
parse_body (const char  *name,
            const char  *body,
            GError     **error)
{
  g_autofree char *kind = NULL;

  if (g_str_has_prefix (body, "list:"))
    return parse_list (name, body + strlen ("list:"), error);
  if (g_str_has_prefix (body, "range:"))
    return parse_range (name, body + strlen ("range:"), error);
  if (g_str_has_prefix (body, "lin:"))
    return parse_space (name, PARAM_LIN, body + strlen ("lin:"), error);
  if (g_str_has_prefix (body, "log:"))
    return parse_space (name, PARAM_LOG, body + strlen ("log:"), error);
  if (g_str_has_prefix (body, "random:"))
    return parse_random (name, body + strlen ("random:"), error);
  if ((kind = leading_kind (body)) != NULL)
    {
      sweep_error (error, name,
                   _("unknown kind “%s” in “%s” (expected list, range, lin, log or random; "
                     "write list:%s for text with a colon)"), kind, body, body);
      return NULL;
    }
  return parse_list (name, body, error);
}

/* --- JSON specs ----------------------------------------------------------- */

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
      *num = num_from_int (json_node_get_int (node));
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE &&
      isfinite (json_node_get_double (node)))
    {
      *num = num_from_double (json_node_get_double (node));
      return TRUE;
    }

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

      if (!node_is_finite (node))
        {
          sweep_error (error, name, _("value %u of the list is not a finite number"), i + 1);
          return NULL;
        }
      g_ptr_array_add (values, json_node_copy (node));
    }
  return make_list (name, values, error);
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
    return parse_body (name, json_node_get_string (node), error);
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
      Num start, stop, step = num_from_int (1);

      if (!check_members (name, obj, kind, "kind start stop step", error) ||
          !num_from_node (name, obj, "start", "START", TRUE, &start, error) ||
          !num_from_node (name, obj, "stop", "STOP", TRUE, &stop, error) ||
          !num_from_node (name, obj, "step", "STEP", FALSE, &step, error))
        return NULL;
      shown = g_strdup_printf ("%s:%s:%s", format_num (b1, sizeof b1, start),
                               format_num (b2, sizeof b2, stop), format_num (b3, sizeof b3, step));
      return make_range (name, shown, start, stop, step, error);
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
      return make_space (name, g_str_equal (kind, "log") ? PARAM_LOG : PARAM_LIN, start, stop, n, error);
    }
  else if (g_str_equal (kind, "random"))
    {
      const char *distribution = loom_json_string (obj, "distribution", "uniform");
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
      /* A seed above 2^63 travels as its two's complement. */
      return make_random (name, distribution, low, high, n, seed_node != NULL,
                          seed_node ? (guint64) json_node_get_int (seed_node) : 0, error);
    }

  sweep_error (error, name, _("unknown kind “%s” (expected list, range, lin, log or random)"), kind);
  return NULL;
}

/* --- the product ---------------------------------------------------------- */

static gboolean
same_group (Param *a,
            Param *b)
{
  if (a->csv_group != 0)
    return a->csv_group == b->csv_group;
  return a->zipped && b->zipped;
}

/* Recomputes the factors of the product, the count and the shuffle. */
static void
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
static gboolean
check_total (LoomSweep  *self,
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
                return too_many_error (error, param->name);
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

static gboolean
name_taken (LoomSweep  *self,
            const char *name)
{
  return find_param (self, name) != NULL || json_object_has_member (self->constants, name);
}

/* Adds @params (consumed), all or none. */
static gboolean
add_params (LoomSweep   *self,
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
      if (name_taken (self, params[i]->name))
        {
          sweep_error (error, params[i]->name, _("the name is given twice"));
          goto fail;
        }
      g_ptr_array_add (self->params, params[i]);
      params[i] = NULL;
    }
  sweep_update (self);
  if (!limit || check_total (self, error))
    return TRUE;

fail:
  for (guint i = 0; i < n_params; i++)
    g_clear_pointer (&params[i], param_free);
  g_ptr_array_set_size (self->params, before);
  sweep_update (self);
  return FALSE;
}

static gboolean
add_param (LoomSweep  *self,
           const char *name,
           Param      *param,
           gboolean    limit,
           GError    **error)
{
  if (param == NULL)
    return FALSE;
  param->name = g_strdup (name);
  return add_params (self, &param, 1, limit, error);
}

static void
split_assignment_error (GError     **error,
                        const char  *what,
                        const char  *text)
{
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("%s “%s” is not of the form NAME=VALUE"), what, text);
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
      split_assignment_error (error, what, text);
      return FALSE;
    }
  *name = g_strndup (text, eq - text);
  *value = eq + 1;
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
 * Nothing that is not finite is accepted (inf, nan, 1e999).  The sweep may
 * not grow beyond 2^48 tasks, counting zipped groups as they are now.
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
  const char *body;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  if (!split_assignment (spec, _("sweep"), &name, &body, error))
    return FALSE;
  if (name_taken (self, name))
    return sweep_error (error, name, _("the name is given twice"));
  return add_param (self, name, parse_body (name, body, error), TRUE, error);
}

static gboolean
add_constant_node (LoomSweep   *self,
                   const char  *name,
                   JsonNode    *value,
                   GError     **error)
{
  if (name_taken (self, name))
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
  const char *text;
  JsonNode *value;

  g_return_val_if_fail (LOOM_IS_SWEEP (self), FALSE);
  g_return_val_if_fail (assignment != NULL, FALSE);

  if (!split_assignment (assignment, _("argument"), &name, &text, error))
    return FALSE;
  if ((value = value_from_text_finite (text)) == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("argument “%s”: “%s” is not a finite number"), name, text);
      return FALSE;
    }
  return add_constant_node (self, name, value, error);
}

/* --- zip ------------------------------------------------------------------ */

static gboolean
set_zip_names (LoomSweep          *self,
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
  if (check_total (self, error))
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
  return set_zip_names (self, (const char * const *) parts, g_strv_length (parts), error);
}

/* --- shuffle -------------------------------------------------------------- */

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

/* --- CSV ------------------------------------------------------------------ */

typedef enum
{
  CSV_ROW,
  CSV_END,
  CSV_ERROR,
} CsvStatus;

typedef struct
{
  const char *pos;
  const char *end;
  guint       line;
  const char *label;
} CsvReader;

static gboolean
csv_is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* Reads the next row that is not blank into @fields (char *) and @quoted
 * (gboolean); @row_line is the line it starts on. */
static CsvStatus
csv_read_row (CsvReader  *r,
              GPtrArray  *fields,
              GArray     *quoted,
              guint      *row_line,
              GError    **error)
{
  g_ptr_array_set_size (fields, 0);
  g_array_set_size (quoted, 0);

  for (;;)
    {
      const char *p = r->pos;

      while (p < r->end && csv_is_blank (*p))
        p++;
      if (p >= r->end)
        return CSV_END;
      if (*p != '\n' && *p != '\r')
        break;
      if (*p == '\r' && p + 1 < r->end && p[1] == '\n')
        p++;
      r->pos = p + 1;
      r->line++;
    }

  *row_line = r->line;
  for (;;)
    {
      g_autoptr(GString) field = g_string_new (NULL);
      gboolean is_quoted = FALSE;

      while (r->pos < r->end && csv_is_blank (*r->pos))
        r->pos++;
      if (r->pos < r->end && *r->pos == '"')
        {
          guint start_line = r->line;

          is_quoted = TRUE;
          r->pos++;
          for (;;)
            {
              if (r->pos >= r->end)
                {
                  sweep_error (error, r->label, _("line %u: a quoted field is not closed"), start_line);
                  return CSV_ERROR;
                }
              if (*r->pos == '"')
                {
                  if (r->pos + 1 < r->end && r->pos[1] == '"')
                    {
                      g_string_append_c (field, '"');
                      r->pos += 2;
                      continue;
                    }
                  r->pos++;
                  break;
                }
              if (*r->pos == '\n')
                r->line++;
              g_string_append_c (field, *r->pos++);
            }
          while (r->pos < r->end && csv_is_blank (*r->pos))
            r->pos++;
          if (r->pos < r->end && *r->pos != ',' && *r->pos != '\n' && *r->pos != '\r')
            {
              sweep_error (error, r->label, _("line %u: text after the closing quote of a field"), r->line);
              return CSV_ERROR;
            }
        }
      else
        {
          while (r->pos < r->end && *r->pos != ',' && *r->pos != '\n' && *r->pos != '\r')
            g_string_append_c (field, *r->pos++);
          while (field->len > 0 && csv_is_blank (field->str[field->len - 1]))
            g_string_truncate (field, field->len - 1);
        }

      g_ptr_array_add (fields, g_string_free (g_steal_pointer (&field), FALSE));
      g_array_append_val (quoted, is_quoted);

      if (r->pos >= r->end)
        return CSV_ROW;
      if (*r->pos == ',')
        {
          r->pos++;
          continue;
        }
      if (*r->pos == '\r')
        r->pos++;
      if (r->pos < r->end && *r->pos == '\n')
        r->pos++;
      r->line++;
      return CSV_ROW;
    }
}

/* The columns of a CSV group become parameters, zipped among themselves. */
static gboolean
add_csv_columns (LoomSweep   *self,
                 const char  *label,
                 GPtrArray   *names,
                 GPtrArray   *columns,
                 gboolean     limit,
                 GError     **error)
{
  g_autofree Param **params = NULL;
  guint group = self->n_csv + 1;
  guint64 n_rows = ((GPtrArray *) columns->pdata[0])->len;

  if (n_rows == 0)
    return sweep_error (error, label, _("the CSV data has a header but no rows"));

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      if (*name == '\0')
        return sweep_error (error, label, _("column %u of the header has no name"), i + 1);
      for (guint j = 0; j < i; j++)
        if (g_str_equal (name, g_ptr_array_index (names, j)))
          return sweep_error (error, name, _("the name is given twice in the header of %s"), label);
    }

  params = g_new0 (Param *, names->len + 1);
  for (guint i = 0; i < names->len; i++)
    {
      params[i] = param_new (PARAM_CSV, n_rows);
      params[i]->name = g_strdup (g_ptr_array_index (names, i));
      params[i]->values = g_ptr_array_ref (g_ptr_array_index (columns, i));
      params[i]->csv_group = group;
    }
  if (!add_params (self, params, names->len, limit, error))
    return FALSE;
  self->n_csv = group;
  return TRUE;
}

static gboolean
add_csv_text (LoomSweep   *self,
              const char  *label,
              const char  *text,
              gssize       len,
              gboolean     limit,
              GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) quoted = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  CsvReader reader;
  guint line = 0;

  if (len < 0)
    len = strlen (text);
  if (!g_utf8_validate_len (text, len, NULL))
    return sweep_error (error, label, _("the CSV data is not UTF-8 text"));
  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    {
      text += 3;
      len -= 3;
    }

  reader.pos = text;
  reader.end = text + len;
  reader.line = 1;
  reader.label = label;

  switch (csv_read_row (&reader, names, quoted, &line, error))
    {
    case CSV_ERROR:
      return FALSE;
    case CSV_END:
      return sweep_error (error, label, _("the CSV data is empty: it needs a header of parameter names "
                                          "and a row per task"));
    case CSV_ROW:
    default:
      break;
    }
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (columns, g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref));

  for (;;)
    {
      CsvStatus status = csv_read_row (&reader, fields, quoted, &line, error);

      if (status == CSV_ERROR)
        return FALSE;
      if (status == CSV_END)
        break;
      if (fields->len != names->len)
        return sweep_error (error, label, _("line %u has %u fields, the header has %u"),
                            line, fields->len, names->len);

      for (guint i = 0; i < fields->len; i++)
        {
          const char *value = g_ptr_array_index (fields, i);
          JsonNode *node;

          if (g_array_index (quoted, gboolean, i))
            {
              /* Quotes say: this is text. */
              node = json_node_new (JSON_NODE_VALUE);
              json_node_set_string (node, value);
            }
          else if (*value == '\0')
            node = json_node_new (JSON_NODE_NULL);
          else if ((node = value_from_text_finite (value)) == NULL)
            return sweep_error (error, g_ptr_array_index (names, i),
                                _("line %u: “%s” is not a finite number"), line, value);
          g_ptr_array_add (g_ptr_array_index (columns, i), node);
        }
    }

  return add_csv_columns (self, label, names, columns, limit, error);
}

/**
 * loom_sweep_add_csv_data:
 * @self: a #LoomSweep
 * @text: (array length=len) (element-type guint8): CSV text in UTF-8
 * @len: the length of @text, or -1 if it ends with a nul byte
 * @error: return location for a #GError
 *
 * Adds the columns of a CSV table as parameters: the header row gives the
 * names, each further row one task.  The rows are a group zipped together
 * that combines with the other parameters as a product, in the place where
 * it is added (a CSV alone gives one task per row).
 *
 * Fields are separated by commas; a field in double quotes may hold
 * commas, line breaks and doubled quotes (`"a ""b"", c"`) and is always a
 * string.  Other fields are read as by loom_value_from_text(), so numbers
 * stay numbers; an empty one is null.  Spaces around fields and blank
 * lines are ignored.  Rows with another number of fields than the header
 * are refused with their line number, as are data without a header or
 * without rows and names already in the sweep.
 *
 * Returns: %TRUE if the data was valid and added
 */
gboolean
loom_sweep_add_csv_data (LoomSweep   *self,
                         const char  *text,
                         gssize       len,
                         GError     **error)
{
  g_return_val_if_fail (LOOM_IS_SWEEP (self), FALSE);
  g_return_val_if_fail (text != NULL || len == 0, FALSE);

  return add_csv_text (self, "CSV", text ? text : "", len, TRUE, error);
}

static gboolean
add_csv_file (LoomSweep   *self,
              const char  *path,
              gboolean     limit,
              GError     **error)
{
  g_autofree char *label = g_filename_display_name (path);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    return sweep_error (error, label, "%s", local_error->message);
  return add_csv_text (self, label, contents, len, limit, error);
}

/**
 * loom_sweep_add_csv:
 * @self: a #LoomSweep
 * @path: (type filename): a CSV file with a header row
 * @error: return location for a #GError
 *
 * Adds the columns of a CSV file as parameters, as
 * loom_sweep_add_csv_data() does; messages name the file.
 *
 * Returns: %TRUE if the file was read, valid and added
 */
gboolean
loom_sweep_add_csv (LoomSweep   *self,
                    const char  *path,
                    GError     **error)
{
  g_return_val_if_fail (LOOM_IS_SWEEP (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return add_csv_file (self, path, TRUE, error);
}

static gboolean
add_csv_json (LoomSweep   *self,
              JsonNode    *node,
              GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  JsonArray *header, *rows;
  JsonObject *obj;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return add_csv_file (self, json_node_get_string (node), FALSE, error);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return sweep_error (error, "csv", _("must be a file name or an object with “columns” and “rows”"));

  obj = json_node_get_object (node);
  header = loom_json_array (obj, "columns");
  rows = loom_json_array (obj, "rows");
  if (header == NULL || rows == NULL || json_object_get_size (obj) != 2)
    return sweep_error (error, "csv", _("must be a file name or an object with “columns” and “rows”"));
  if (json_array_get_length (header) == 0)
    return sweep_error (error, "csv", _("the CSV data is empty: it needs a header of parameter names "
                                        "and a row per task"));

  for (guint i = 0; i < json_array_get_length (header); i++)
    {
      JsonNode *name = json_array_get_element (header, i);

      if (!JSON_NODE_HOLDS_VALUE (name) || json_node_get_value_type (name) != G_TYPE_STRING)
        return sweep_error (error, "csv", _("column %u of the header has no name"), i + 1);
      g_ptr_array_add (names, g_strdup (json_node_get_string (name)));
      g_ptr_array_add (columns, g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref));
    }

  for (guint r = 0; r < json_array_get_length (rows); r++)
    {
      JsonNode *row_node = json_array_get_element (rows, r);
      JsonArray *row = JSON_NODE_HOLDS_ARRAY (row_node) ? json_node_get_array (row_node) : NULL;

      if (row == NULL || json_array_get_length (row) != names->len)
        return sweep_error (error, "csv", _("row %u has %u fields, the header has %u"),
                            r + 1, row ? json_array_get_length (row) : 0, names->len);
      for (guint i = 0; i < names->len; i++)
        {
          JsonNode *value = json_array_get_element (row, i);

          if (!node_is_finite (value))
            return sweep_error (error, g_ptr_array_index (names, i),
                                _("row %u: the value is not a finite number"), r + 1);
          g_ptr_array_add (g_ptr_array_index (columns, i), json_node_copy (value));
        }
    }

  return add_csv_columns (self, "csv", names, columns, FALSE, error);
}

/* --- the JSON form -------------------------------------------------------- */

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

          if (name_taken (self, name))
            return sweep_error (error, name, _("the name is given twice"));
          if (!add_param (self, name,
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
            if (!add_csv_json (self, json_array_get_element (array, i), error))
              return FALSE;
        }
      else if (!add_csv_json (self, node, error))
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

          if (!node_is_finite (value))
            {
              g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                           _("argument “%s”: the value is not a finite number"), (const char *) l->data);
              return FALSE;
            }
          if (!add_constant_node (self, l->data, json_node_copy (value), error))
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
      if (!set_zip_names (self, (const char * const *) zip->pdata, zip->len - 1, error))
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
      if (zip->len > 2 && !set_zip_names (self, (const char * const *) zip->pdata, zip->len - 1, error))
        return FALSE;
    }

  if (!check_total (self, error))
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
      if (param->kind == PARAM_RANDOM_INT)
        {
          json_object_set_string_member (obj, "distribution", "int");
          json_object_set_int_member (obj, "low", param->istart);
          json_object_set_int_member (obj, "high", param->istop);
        }
      else
        {
          json_object_set_string_member (obj, "distribution",
                                         param->kind == PARAM_RANDOM_UNIFORM ? "uniform" : "loguniform");
          json_object_set_double_member (obj, "low", param->start);
          json_object_set_double_member (obj, "high", param->stop);
        }
      json_object_set_int_member (obj, "n", param->count);
      json_object_set_int_member (obj, "seed", (gint64) param->seed);
      break;

    default:
      g_assert_not_reached ();
    }

  return object_node_take (obj);
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

  return object_node_take (obj);
}

/* --- values --------------------------------------------------------------- */

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

static JsonNode *
param_value (Param   *param,
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

      json_object_set_member (obj, param->name, param_value (param, digits[param->axis]));
    }

  return object_node_take (obj);
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

/* --- preview -------------------------------------------------------------- */

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

          format_double (buf, sizeof buf, json_node_get_double (node));
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
      g_autoptr(JsonNode) value = param_value (param, digits[param->axis]);

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
