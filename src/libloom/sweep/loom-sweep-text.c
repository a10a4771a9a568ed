/* loom-sweep-text.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The text specs of parameters, as `loomctl --sweep NAME=SPEC` and the
 * JSON form's strings give them: `a,b,c` or `list:…`, `range:START:STOP[:STEP]`,
 * `lin:` and `log:START:STOP:N`, `random:DISTRIBUTION:LOW:HIGH:N[:SEED]`;
 * the numbers in them are read strictly and named in errors.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-sweep-private.h"

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
  if (end != text && *end == '\0' && !isfinite (num->d))
    return sweep_error (error, name, _("%s must be a finite number, got “%s” (JSON has no NaN or Infinity)"),
                        what, text);
  if (end == text || *end != '\0')
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

/* The fields of a kind's spec, spaces around each dropped. */
static GStrv
split_parts (const char *body)
{
  GStrv parts = g_strsplit (body, ":", -1);

  for (guint i = 0; parts[i]; i++)
    g_strstrip (parts[i]);
  return parts;
}

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

  /* Spaces around an item are no part of it: “1, 2” is “1,2”. */
  items = g_strsplit (body, ",", -1);
  for (guint i = 0; items[i]; i++)
    {
      gboolean blank = *items[i] != '\0';
      JsonNode *node;

      g_strstrip (items[i]);
      if (*items[i] == '\0' && blank)
        {
          sweep_error (error, name, _("value %u of the list “%s” is only spaces (write \" \" in double "
                                      "quotes if you mean them)"), i + 1, body);
          return NULL;
        }
      if (*items[i] == '\0')
        {
          sweep_error (error, name, _("value %u of the list “%s” is empty"), i + 1, body);
          return NULL;
        }
      if ((node = sweep_value_from_text_finite (items[i])) == NULL)
        {
          sweep_non_finite_error (error, name, "", items[i]);
          return NULL;
        }
      g_ptr_array_add (values, node);
    }
  return sweep_make_list (name, values, error);
}

static Param *
parse_range (const char  *name,
             const char  *body,
             GError     **error)
{
  g_auto(GStrv) parts = split_parts (body);
  guint n = g_strv_length (parts);
  Num start, stop, step = sweep_num_from_int (1);

  if (n < 2 || n > 3)
    {
      sweep_error (error, name, _("range needs START:STOP[:STEP], got “range:%s”"), body);
      return NULL;
    }
  if (!num_parse (name, parts[0], "START", &start, error) ||
      !num_parse (name, parts[1], "STOP", &stop, error) ||
      (n == 3 && !num_parse (name, parts[2], "STEP", &step, error)))
    return NULL;
  return sweep_make_range (name, body, start, stop, step, error);
}

static Param *
parse_space (const char  *name,
             ParamKind    kind,
             const char  *body,
             GError     **error)
{
  const char *kind_name = kind == PARAM_LOG ? "log" : "lin";
  g_auto(GStrv) parts = split_parts (body);
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
  return sweep_make_space (name, kind, start, stop, n, error);
}

static Param *
parse_random (const char  *name,
              const char  *body,
              GError     **error)
{
  g_auto(GStrv) parts = split_parts (body);
  guint n_parts = g_strv_length (parts);
  LoomSweepDistribution distribution;
  Num low, high;
  guint64 seed = 0;
  gint64 n;

  if (n_parts < 4 || n_parts > 5)
    {
      sweep_error (error, name, _("random needs DISTRIBUTION:LOW:HIGH:N[:SEED], got “random:%s”"), body);
      return NULL;
    }
  if (!sweep_distribution_parse (name, parts[0], &distribution, error) ||
      !num_parse (name, parts[1], "LOW", &low, error) ||
      !num_parse (name, parts[2], "HIGH", &high, error) ||
      !count_parse (name, parts[3], &n, error) ||
      (n_parts == 5 && !seed_parse (name, parts[4], &seed, error)))
    return NULL;
  return sweep_make_random (name, distribution, low, high, n, n_parts == 5, seed, error);
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

Param *
sweep_parse_body (const char  *name,
                  const char  *text,
                  GError     **error)
{
  g_autofree char *body = sweep_strip_dup (text);
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
