/* test-sweep.c: the parameter sweep model, every kind and every refusal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "Loom-Test"

#include "config.h"

#include <math.h>
#include <string.h>

#include "loom.h"
#include "loom-test-util.h"

/* --- helpers ------------------------------------------------------------- */

static LoomSweep *
sweep_of (const char *first,
          ...)
{
  LoomSweep *sweep = loom_sweep_new ();
  va_list args;

  va_start (args, first);
  for (const char *spec = first; spec; spec = va_arg (args, const char *))
    {
      g_autoptr(GError) error = NULL;

      if (!loom_sweep_add_spec (sweep, spec, &error))
        g_error ("%s: %s", spec, error->message);
    }
  va_end (args);
  return sweep;
}

static JsonNode *
member (LoomSweep  *sweep,
        guint64     index,
        const char *name)
{
  g_autoptr(JsonNode) params = loom_sweep_get_params (sweep, index);
  JsonNode *node;

  g_assert_nonnull (params);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (params));
  node = json_object_get_member (json_node_get_object (params), name);
  g_assert_nonnull (node);
  return json_node_copy (node);
}

static gint64
get_int (LoomSweep  *sweep,
         guint64     index,
         const char *name)
{
  g_autoptr(JsonNode) node = member (sweep, index, name);

  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

static double
get_double (LoomSweep  *sweep,
            guint64     index,
            const char *name)
{
  g_autoptr(JsonNode) node = member (sweep, index, name);

  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_DOUBLE);
  return json_node_get_double (node);
}

static char *
get_string (LoomSweep  *sweep,
            guint64     index,
            const char *name)
{
  g_autoptr(JsonNode) node = member (sweep, index, name);

  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  return g_strdup (json_node_get_string (node));
}

static char *
params_text (LoomSweep *sweep,
             guint64    index)
{
  g_autoptr(JsonNode) params = loom_sweep_get_params (sweep, index);

  return json_to_string (params, FALSE);
}

static void
assert_ints (LoomSweep    *sweep,
             const char   *name,
             const gint64 *expected,
             guint         n)
{
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (get_int (sweep, i, name), ==, expected[i]);
}

/* Exact: the values are meant to be the nearest doubles to these. */
static void
assert_doubles (LoomSweep    *sweep,
                const char   *name,
                const double *expected,
                guint         n)
{
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (get_double (sweep, i, name), ==, expected[i]);
}

static void
assert_error_contains (GError     *error,
                       const char *fragment)
{
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” is not in the message “%s”", fragment, error->message);
}

/* @spec is refused, with a message naming its parameter and containing
 * @fragment, and the sweep is left as it was. */
static void
assert_spec_refused (const char *spec,
                     const char *fragment)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("other=1,2", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strndup (spec, strcspn (spec, "="));
  g_autofree char *named = g_strdup_printf ("sweep “%s”: ", name);

  g_test_message ("%s", spec);
  g_assert_false (loom_sweep_add_spec (sweep, spec, &error));
  assert_error_contains (error, named);
  assert_error_contains (error, fragment);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 2);
  g_assert_cmpuint (loom_sweep_get_n_parameters (sweep), ==, 1);
}

static void
assert_csv_refused (const char *text,
                    const char *fragment)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("x=1,2", NULL);
  g_autoptr(GError) error = NULL;

  g_autofree char *shown = g_strescape (text, NULL);

  g_test_message ("%s", shown);
  g_assert_false (loom_sweep_add_csv_data (sweep, text, -1, &error));
  assert_error_contains (error, fragment);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 2);
  g_assert_cmpuint (loom_sweep_get_n_parameters (sweep), ==, 1);
}

static JsonObject *
object_from_text (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Every task's parameters, one JSON object a line. */
static char *
all_tasks (LoomSweep *sweep)
{
  g_autoptr(GBytes) lines = loom_sweep_to_lines (sweep);

  return g_strndup (g_bytes_get_data (lines, NULL), g_bytes_get_size (lines));
}

/* --- kinds --------------------------------------------------------------- */

static void
test_list (void)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("x=1,2,5", NULL);
  g_autoptr(LoomSweep) words = sweep_of ("w=list:a,b,c", NULL);
  g_autoptr(LoomSweep) mixed = sweep_of ("m=1.5,a,true,null,-3", NULL);
  static const gint64 ints[] = { 1, 2, 5 };
  static const char * const strings[] = { "a", "b", "c" };
  g_autoptr(JsonNode) flag = NULL;
  g_autoptr(JsonNode) none = NULL;

  assert_ints (sweep, "x", ints, 3);
  g_assert_cmpuint (loom_sweep_get_count (words), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *value = get_string (words, i, "w");
      g_assert_cmpstr (value, ==, strings[i]);
    }

  g_assert_cmpuint (loom_sweep_get_count (mixed), ==, 5);
  g_assert_cmpfloat (get_double (mixed, 0, "m"), ==, 1.5);
  {
    g_autofree char *a = get_string (mixed, 1, "m");
    g_assert_cmpstr (a, ==, "a");
  }
  flag = member (mixed, 2, "m");
  g_assert_cmpint (json_node_get_value_type (flag), ==, G_TYPE_BOOLEAN);
  g_assert_true (json_node_get_boolean (flag));
  none = member (mixed, 3, "m");
  g_assert_true (JSON_NODE_HOLDS_NULL (none));
  g_assert_cmpint (get_int (mixed, 4, "m"), ==, -3);

  /* A value with a colon goes through list: */
  {
    g_autoptr(LoomSweep) urls = sweep_of ("u=list:http://a,b:c", NULL);
    g_autofree char *url = get_string (urls, 0, "u");
    g_assert_cmpstr (url, ==, "http://a");
  }
}

static void
test_range_int (void)
{
  static const gint64 plain[] = { 0, 1, 2, 3, 4 };
  static const gint64 stepped[] = { 2, 5, 8 };
  static const gint64 negative[] = { -5, -3, -1, 1, 3 };
  g_autoptr(LoomSweep) a = sweep_of ("i=range:0:5", NULL);
  g_autoptr(LoomSweep) b = sweep_of ("i=range:2:11:3", NULL);
  g_autoptr(LoomSweep) c = sweep_of ("i=range:-5:5:2", NULL);

  assert_ints (a, "i", plain, G_N_ELEMENTS (plain));
  assert_ints (b, "i", stepped, G_N_ELEMENTS (stepped));
  assert_ints (c, "i", negative, G_N_ELEMENTS (negative));
}

static void
test_range_negative_step (void)
{
  static const gint64 down[] = { 10, 7, 4, 1 };
  static const double down_float[] = { 0, -0.25, -0.5, -0.75 };
  static const gint64 to_negative[] = { 2, 1, 0, -1 };
  g_autoptr(LoomSweep) a = sweep_of ("i=range:10:0:-3", NULL);
  g_autoptr(LoomSweep) b = sweep_of ("f=range:0:-1:-0.25", NULL);
  g_autoptr(LoomSweep) c = sweep_of ("i=range:2:-2:-1", NULL);

  assert_ints (a, "i", down, G_N_ELEMENTS (down));
  assert_doubles (b, "f", down_float, G_N_ELEMENTS (down_float));
  assert_ints (c, "i", to_negative, G_N_ELEMENTS (to_negative));
}

static void
test_range_float (void)
{
  static const double tenths[] = { 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };
  static const double shifted[] = { 1, 1.1, 1.2 };
  static const double halves[] = { 0.5, 1.5 };
  static const double quarters[] = { 0, 0.25, 0.5, 0.75 };
  g_autoptr(LoomSweep) a = sweep_of ("f=range:0:1:0.1", NULL);
  g_autoptr(LoomSweep) b = sweep_of ("f=range:1:1.3:0.1", NULL);
  g_autoptr(LoomSweep) c = sweep_of ("f=range:0.5:2.5", NULL);
  g_autoptr(LoomSweep) d = sweep_of ("f=range:0:1:0.25", NULL);
  g_autoptr(LoomSweep) e = sweep_of ("f=range:0:1:0.3", NULL);
  g_autoptr(LoomSweep) tiny = sweep_of ("f=range:0:3e-20:1e-20", NULL);

  /* count = ceil ((stop - start) / step), and 3 × 0.1 is 0.3 here */
  assert_doubles (a, "f", tenths, G_N_ELEMENTS (tenths));
  assert_doubles (b, "f", shifted, G_N_ELEMENTS (shifted));
  assert_doubles (c, "f", halves, G_N_ELEMENTS (halves));
  assert_doubles (d, "f", quarters, G_N_ELEMENTS (quarters));
  g_assert_cmpuint (loom_sweep_get_count (e), ==, 4);
  g_assert_cmpfloat (get_double (e, 3, "f"), ==, 0.9);
  /* Numbers with no short decimal form: still ceil ((stop - start) / step) */
  g_assert_cmpuint (loom_sweep_get_count (tiny), ==, 3);
  g_assert_cmpfloat_with_epsilon (get_double (tiny, 2, "f"), 2e-20, 1e-30);
}

static void
test_lin (void)
{
  static const double quarters[] = { 0, 0.25, 0.5, 0.75, 1 };
  static const double down[] = { 1, 0.5, 0 };
  static const double one[] = { 5 };
  g_autoptr(LoomSweep) a = sweep_of ("x=lin:0:1:5", NULL);
  g_autoptr(LoomSweep) b = sweep_of ("x=lin:1:0:3", NULL);
  g_autoptr(LoomSweep) c = sweep_of ("x=lin:5:9:1", NULL);
  g_autoptr(LoomSweep) d = sweep_of ("x=lin:0:1:11", NULL);
  g_autoptr(LoomSweep) e = sweep_of ("x=lin:0.1:0.7:7", NULL);

  assert_doubles (a, "x", quarters, G_N_ELEMENTS (quarters));
  assert_doubles (b, "x", down, G_N_ELEMENTS (down));
  assert_doubles (c, "x", one, G_N_ELEMENTS (one));
  g_assert_cmpuint (loom_sweep_get_count (d), ==, 11);
  g_assert_cmpfloat (get_double (d, 3, "x"), ==, 0.3);
  g_assert_cmpfloat (get_double (d, 10, "x"), ==, 1.0);
  /* Both ends exact, whatever the rounding in between */
  g_assert_cmpuint (loom_sweep_get_count (e), ==, 7);
  g_assert_cmpfloat (get_double (e, 0, "x"), ==, 0.1);
  g_assert_cmpfloat (get_double (e, 6, "x"), ==, 0.7);
  for (guint i = 0; i < 7; i++)
    g_assert_cmpfloat_with_epsilon (get_double (e, i, "x"), 0.1 + 0.1 * i, 1e-15);
  /* 0.1 + 3 × (0.9 - 0.1) / 3 is 0.9000000000000001: the end is STOP */
  {
    g_autoptr(LoomSweep) f = sweep_of ("x=lin:0.1:0.9:4", NULL);

    g_assert_cmpfloat (get_double (f, 3, "x"), ==, 0.9);
  }
}

static void
test_log (void)
{
  static const double decades[] = { 1e-4, 1e-3, 1e-2, 0.1 };
  g_autoptr(LoomSweep) a = sweep_of ("lr=log:1e-4:0.1:4", NULL);
  g_autoptr(LoomSweep) b = sweep_of ("x=log:1:1000:7", NULL);
  g_autoptr(LoomSweep) c = sweep_of ("x=log:100:1:3", NULL);

  g_assert_cmpuint (loom_sweep_get_count (a), ==, 4);
  g_assert_cmpfloat (get_double (a, 0, "lr"), ==, 1e-4);
  g_assert_cmpfloat (get_double (a, 3, "lr"), ==, 0.1);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (get_double (a, i, "lr") / decades[i], 1.0, 1e-12);

  /* Half decades: 1, √10, 10, … 1000 */
  g_assert_cmpuint (loom_sweep_get_count (b), ==, 7);
  for (guint i = 0; i < 7; i++)
    g_assert_cmpfloat_with_epsilon (get_double (b, i, "x") / pow (10, i / 2.0), 1.0, 1e-12);
  g_assert_cmpfloat (get_double (b, 6, "x"), ==, 1000);

  /* Downwards */
  g_assert_cmpfloat (get_double (c, 0, "x"), ==, 100);
  g_assert_cmpfloat_with_epsilon (get_double (c, 1, "x"), 10, 1e-12);
  g_assert_cmpfloat (get_double (c, 2, "x"), ==, 1);
}

static void
test_random_seed (void)
{
  g_autoptr(LoomSweep) a = sweep_of ("z=random:uniform:0:1:50:7", NULL);
  g_autoptr(LoomSweep) b = sweep_of ("z=random:uniform:0:1:50:7", NULL);
  g_autoptr(LoomSweep) other = sweep_of ("z=random:uniform:0:1:50:8", NULL);
  g_autoptr(LoomSweep) longer = sweep_of ("z=random:uniform:0:1:100000:7", NULL);
  g_autoptr(LoomSweep) unseeded = sweep_of ("z=random:uniform:0:1:50", NULL);
  g_autoptr(LoomSweep) unseeded2 = sweep_of ("z=random:uniform:0:1:50", NULL);
  g_autoptr(LoomSweep) shifted = sweep_of ("z=random:uniform:-10:-5:50:7", NULL);
  guint differ = 0, differ_unseeded = 0;
  double sum = 0;

  g_assert_cmpuint (loom_sweep_get_count (a), ==, 50);
  for (guint i = 0; i < 50; i++)
    {
      double value = get_double (a, i, "z");

      g_assert_cmpfloat (value, >=, 0);
      g_assert_cmpfloat (value, <, 1);
      sum += value;
      /* same seed, same values; value i needs nothing but i */
      g_assert_cmpfloat (get_double (b, i, "z"), ==, value);
      g_assert_cmpfloat (get_double (longer, i, "z"), ==, value);
      /* other seed, other values */
      differ += get_double (other, i, "z") != value;
      /* without a seed: stable for one sweep, different between two */
      g_assert_cmpfloat (get_double (unseeded, i, "z"), ==, get_double (unseeded, i, "z"));
      differ_unseeded += get_double (unseeded, i, "z") != get_double (unseeded2, i, "z");
      g_assert_cmpfloat (get_double (shifted, i, "z"), >=, -10);
      g_assert_cmpfloat (get_double (shifted, i, "z"), <, -5);
    }
  g_assert_cmpuint (differ, >=, 49);
  g_assert_cmpuint (differ_unseeded, >=, 49);
  /* Not all alike: the mean of 50 uniform values is near 0.5 */
  g_assert_cmpfloat (sum / 50, >, 0.3);
  g_assert_cmpfloat (sum / 50, <, 0.7);
  g_assert_cmpfloat (get_double (a, 0, "z"), !=, get_double (a, 1, "z"));
  g_assert_cmpfloat (get_double (longer, 99999, "z"), !=, get_double (longer, 99998, "z"));
}

static void
test_random_int (void)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("k=random:int:-3:3:2000:11", NULL);
  g_autoptr(LoomSweep) single = sweep_of ("k=random:int:5:5:3", NULL);
  g_autoptr(LoomSweep) wide = sweep_of ("k=random:int:-9223372036854775808:9223372036854775807:20:1", NULL);
  guint seen[7] = { 0 };

  for (guint i = 0; i < 2000; i++)
    {
      gint64 value = get_int (sweep, i, "k");

      g_assert_cmpint (value, >=, -3);
      g_assert_cmpint (value, <=, 3);
      seen[value + 3]++;
    }
  /* Both ends included, and roughly even: about 286 each */
  for (guint v = 0; v < 7; v++)
    {
      g_assert_cmpuint (seen[v], >, 200);
      g_assert_cmpuint (seen[v], <, 380);
    }
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (get_int (single, i, "k"), ==, 5);
  g_assert_cmpint (get_int (wide, 0, "k"), !=, get_int (wide, 1, "k"));
}

static void
test_random_loguniform (void)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("lr=random:loguniform:1e-3:10:4000:3", NULL);
  guint per_decade[4] = { 0 };

  for (guint i = 0; i < 4000; i++)
    {
      double value = get_double (sweep, i, "lr");

      g_assert_cmpfloat (value, >=, 1e-3);
      g_assert_cmpfloat (value, <, 10);
      per_decade[MIN (3, (guint) floor (log10 (value) + 3))]++;
    }
  /* Even on a log scale: about 1000 per decade */
  for (guint d = 0; d < 4; d++)
    {
      g_assert_cmpuint (per_decade[d], >, 850);
      g_assert_cmpuint (per_decade[d], <, 1150);
    }
}

/* --- combining ----------------------------------------------------------- */

static void
test_product_order (void)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("x=1,2", "y=list:a,b,c", "z=range:0:2", NULL);
  g_autofree char *lines = NULL;

  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 12);
  g_assert_cmpuint (loom_sweep_get_n_parameters (sweep), ==, 3);
  lines = all_tasks (sweep);
  /* The last parameter varies fastest, like itertools.product */
  g_assert_cmpstr (lines, ==,
                   "{\"x\":1,\"y\":\"a\",\"z\":0}\n{\"x\":1,\"y\":\"a\",\"z\":1}\n"
                   "{\"x\":1,\"y\":\"b\",\"z\":0}\n{\"x\":1,\"y\":\"b\",\"z\":1}\n"
                   "{\"x\":1,\"y\":\"c\",\"z\":0}\n{\"x\":1,\"y\":\"c\",\"z\":1}\n"
                   "{\"x\":2,\"y\":\"a\",\"z\":0}\n{\"x\":2,\"y\":\"a\",\"z\":1}\n"
                   "{\"x\":2,\"y\":\"b\",\"z\":0}\n{\"x\":2,\"y\":\"b\",\"z\":1}\n"
                   "{\"x\":2,\"y\":\"c\",\"z\":0}\n{\"x\":2,\"y\":\"c\",\"z\":1}");

  /* No parameters: one task */
  {
    g_autoptr(LoomSweep) empty = loom_sweep_new ();
    g_autofree char *task = NULL;

    g_assert_cmpuint (loom_sweep_get_count (empty), ==, 1);
    task = params_text (empty, 0);
    g_assert_cmpstr (task, ==, "{}");
  }
}

static void
test_zip (void)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("a=1,2,3", "c=10,20", "b=list:x,y,z", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *lines = NULL;

  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 18);
  g_assert_true (loom_sweep_set_zip (sweep, "a, b", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 6);
  lines = all_tasks (sweep);
  /* The group takes the place of its first member, a */
  g_assert_cmpstr (lines, ==,
                   "{\"a\":1,\"c\":10,\"b\":\"x\"}\n{\"a\":1,\"c\":20,\"b\":\"x\"}\n"
                   "{\"a\":2,\"c\":10,\"b\":\"y\"}\n{\"a\":2,\"c\":20,\"b\":\"y\"}\n"
                   "{\"a\":3,\"c\":10,\"b\":\"z\"}\n{\"a\":3,\"c\":20,\"b\":\"z\"}");

  /* Zipping everything: one task per value */
  {
    g_autoptr(LoomSweep) all = sweep_of ("p=lin:0:1:3", "q=range:5:8", "r=a,b,c", NULL);
    g_autofree char *last = NULL;

    g_assert_true (loom_sweep_set_zip (all, "p,q,r", &error));
    g_assert_cmpuint (loom_sweep_get_count (all), ==, 3);
    last = params_text (all, 2);
    g_assert_cmpstr (last, ==, "{\"p\":1.0,\"q\":7,\"r\":\"c\"}");
  }
}

static void
test_zip_errors (void)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("a=1,2,3", "b=1,2", "c=4,5,6", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_sweep_add_constant (sweep, "k=1", &error));
  g_assert_false (loom_sweep_set_zip (sweep, "a,b", &error));
  assert_error_contains (error, "sweep “a”, “b”: ");
  assert_error_contains (error, "a has 3, b has 2");
  g_clear_error (&error);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 18);

  g_assert_false (loom_sweep_set_zip (sweep, "a,nosuch", &error));
  assert_error_contains (error, "sweep “nosuch”: there is no such parameter");
  g_clear_error (&error);
  g_assert_false (loom_sweep_set_zip (sweep, "a,k", &error));
  assert_error_contains (error, "sweep “k”: a constant argument cannot be zipped");
  g_clear_error (&error);
  g_assert_false (loom_sweep_set_zip (sweep, "a", &error));
  assert_error_contains (error, "two or more");
  g_clear_error (&error);
  g_assert_false (loom_sweep_set_zip (sweep, "a,a", &error));
  assert_error_contains (error, "sweep “a”: the name is given twice");
  g_clear_error (&error);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 18);

  /* A valid zip, then a refused one: the valid one stays */
  g_assert_true (loom_sweep_set_zip (sweep, "a,c", &error));
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 6);
  g_assert_false (loom_sweep_set_zip (sweep, "b,c", &error));
  g_clear_error (&error);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 6);
}

static void
test_constants (void)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("x=1,2", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_sweep_add_constant (sweep, "k=v", &error));
  g_assert_true (loom_sweep_add_constant (sweep, "n=3", &error));
  g_assert_true (loom_sweep_add_constant (sweep, "list=[1,2]", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *task = params_text (sweep, i);
      g_autofree char *expected = g_strdup_printf ("{\"k\":\"v\",\"n\":3,\"list\":[1,2],\"x\":%u}", i + 1);

      g_assert_cmpstr (task, ==, expected);
    }

  g_assert_false (loom_sweep_add_constant (sweep, "x=5", &error));
  assert_error_contains (error, "argument “x”: the name is given twice");
  g_clear_error (&error);
  g_assert_false (loom_sweep_add_spec (sweep, "k=1,2", &error));
  assert_error_contains (error, "sweep “k”: the name is given twice");
  g_clear_error (&error);
  g_assert_false (loom_sweep_add_constant (sweep, "novalue", &error));
  assert_error_contains (error, "not of the form NAME=VALUE");
  g_clear_error (&error);
  g_assert_false (loom_sweep_add_constant (sweep, "big=-inf", &error));
  assert_error_contains (error, "argument “big”: “-inf” is not a finite number");
  g_clear_error (&error);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 2);
}

/* --- CSV ----------------------------------------------------------------- */

static void
test_csv (void)
{
  static const char csv[] =
    "name, lr ,note,n\r\n"
    "first,0.5,\"a \"\"b\"\", c\",1\r\n"
    "\r\n"
    "\"second\",1e-3,\"multi\nline\",\"2\"\n"
    "third,-2,plain text,\n";
  g_autoptr(LoomSweep) sweep = sweep_of ("x=1,2", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *path = NULL;

  g_assert_true (loom_sweep_add_csv_data (sweep, csv, -1, &error));
  g_assert_no_error (error);
  /* Rows zipped together, combined with x as a product */
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 6);
  g_assert_cmpuint (loom_sweep_get_n_parameters (sweep), ==, 5);
  lines = all_tasks (sweep);
  g_assert_cmpstr (lines, ==,
                   "{\"x\":1,\"name\":\"first\",\"lr\":0.5,\"note\":\"a \\\"b\\\", c\",\"n\":1}\n"
                   "{\"x\":1,\"name\":\"second\",\"lr\":0.001,\"note\":\"multi\\nline\",\"n\":\"2\"}\n"
                   "{\"x\":1,\"name\":\"third\",\"lr\":-2,\"note\":\"plain text\",\"n\":null}\n"
                   "{\"x\":2,\"name\":\"first\",\"lr\":0.5,\"note\":\"a \\\"b\\\", c\",\"n\":1}\n"
                   "{\"x\":2,\"name\":\"second\",\"lr\":0.001,\"note\":\"multi\\nline\",\"n\":\"2\"}\n"
                   "{\"x\":2,\"name\":\"third\",\"lr\":-2,\"note\":\"plain text\",\"n\":null}");

  /* From a file, alone: one task per row */
  {
    g_autoptr(LoomSweep) from_file = loom_sweep_new ();
    g_autofree char *second = NULL;

    path = g_build_filename (g_get_user_data_dir (), "sweep.csv", NULL);
    g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
    g_assert_true (g_file_set_contents (path, "a,b\n1,x\n2,y\n3,z\n", -1, &error));
    g_assert_true (loom_sweep_add_csv (from_file, path, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (loom_sweep_get_count (from_file), ==, 3);
    second = params_text (from_file, 1);
    g_assert_cmpstr (second, ==, "{\"a\":2,\"b\":\"y\"}");

    /* Names must not clash, with the file named */
    g_assert_false (loom_sweep_add_csv (from_file, path, &error));
    assert_error_contains (error, "sweep “a”: the name is given twice");
    g_clear_error (&error);
  }

  /* Two CSVs: two groups, a product of them */
  {
    g_autoptr(LoomSweep) two = loom_sweep_new ();

    g_assert_true (loom_sweep_add_csv_data (two, "p\n1\n2\n", -1, &error));
    g_assert_true (loom_sweep_add_csv_data (two, "q,r\n1,2\n3,4\n5,6", -1, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (loom_sweep_get_count (two), ==, 6);
  }
}

static void
test_csv_errors (void)
{
  g_autoptr(LoomSweep) sweep = loom_sweep_new ();
  g_autoptr(GError) error = NULL;

  assert_csv_refused ("a,b,c\n1,2,3\n4,5\n", "sweep “CSV”: line 3 has 2 fields, the header has 3");
  assert_csv_refused ("a,b\n1,2\n\n\"x,y\",2,3\n", "line 4 has 3 fields, the header has 2");
  assert_csv_refused ("", "the CSV data is empty");
  assert_csv_refused ("\n\n", "the CSV data is empty");
  assert_csv_refused ("a,b\n1,\"open\n", "sweep “CSV”: line 2: a quoted field is not closed");
  assert_csv_refused ("a,b\n1,\"q\"x\n", "line 2: text after the closing quote");
  assert_csv_refused ("a,a\n1,2\n", "sweep “a”: the name is given twice");
  assert_csv_refused ("a,,c\n1,2,3\n", "column 2 of the header has no name");
  assert_csv_refused ("x,y\n1,2\n", "sweep “x”: the name is given twice");
  assert_csv_refused ("a,b\n1,nan\n", "sweep “b”: line 2: “nan” is not a finite number (JSON has no NaN "
                      "or Infinity; write \"nan\" in double quotes if you mean the text)");
  assert_csv_refused ("a\nInfinity\n", "sweep “a”: line 2: “Infinity” is not a finite number");
  assert_csv_refused ("a\n1e999\n", "sweep “a”: line 2: “1e999” is not a finite number");
  assert_csv_refused ("a\n\xff\n", "not UTF-8");

  g_assert_false (loom_sweep_add_csv (sweep, "/nonexistent/sweep.csv", &error));
  assert_error_contains (error, "sweep “/nonexistent/sweep.csv”: ");
  g_clear_error (&error);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 1);
}

/* --- shuffle ------------------------------------------------------------- */

static guint64 *
order_of (guint64 count,
          guint64 seed)
{
  g_autofree char *spec = g_strdup_printf ("i=range:0:%" G_GUINT64_FORMAT, count);
  g_autoptr(LoomSweep) sweep = sweep_of (spec, NULL);
  guint64 *order = g_new (guint64, count);

  loom_sweep_set_shuffle (sweep, seed);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, count);
  for (guint64 i = 0; i < count; i++)
    order[i] = get_int (sweep, i, "i");
  return order;
}

static void
test_shuffle (void)
{
  static const guint64 counts[] = { 1, 2, 3, 7, 64, 1000, 4099 };

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      guint64 count = counts[c];
      g_autofree guint64 *order = order_of (count, 42);
      g_autofree guint64 *again = order_of (count, 42);
      g_autofree guint64 *other = order_of (count, 43);
      g_autofree guint8 *seen = g_new0 (guint8, count);
      guint64 moved = 0, differ = 0;

      /* A permutation: every index once */
      for (guint64 i = 0; i < count; i++)
        {
          g_assert_cmpuint (order[i], <, count);
          g_assert_cmpuint (seen[order[i]], ==, 0);
          seen[order[i]] = 1;
          g_assert_cmpuint (order[i], ==, again[i]);
          moved += order[i] != i;
          differ += order[i] != other[i];
        }
      if (count >= 64)
        {
          g_assert_cmpuint (moved, >, count / 2);
          g_assert_cmpuint (differ, >, count / 2);
        }
    }

  /* Shuffling a product shuffles whole parameter sets */
  {
    g_autoptr(LoomSweep) sweep = sweep_of ("x=range:0:30", "y=range:0:30", NULL);
    g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    loom_sweep_set_shuffle (sweep, 5);
    for (guint i = 0; i < 900; i++)
      g_assert_true (g_hash_table_add (seen, params_text (sweep, i)));
    g_assert_cmpuint (g_hash_table_size (seen), ==, 900);
  }
}

/* --- refusals ------------------------------------------------------------ */

static void
test_duplicate_name (void)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("x=1,2", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (loom_sweep_add_spec (sweep, "x=range:0:3", &error));
  assert_error_contains (error, "sweep “x”: the name is given twice");
  g_clear_error (&error);
  g_assert_false (loom_sweep_add_spec (sweep, "=1,2", &error));
  assert_error_contains (error, "not of the form NAME=VALUE");
  g_clear_error (&error);
  g_assert_false (loom_sweep_add_spec (sweep, "y", &error));
  assert_error_contains (error, "not of the form NAME=VALUE");
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 2);
}

static void
test_unknown_kind (void)
{
  assert_spec_refused ("x=foo:1:2", "unknown kind “foo” in “foo:1:2”");
  assert_spec_refused ("x=Range:0:3", "unknown kind “Range”");
  assert_spec_refused ("x=random:normal:0:1:3", "unknown random distribution “normal”");
  assert_spec_refused ("x=range:1", "range needs START:STOP[:STEP], got “range:1”");
  assert_spec_refused ("x=range:1:2:3:4", "range needs START:STOP[:STEP]");
  assert_spec_refused ("x=lin:0:1", "lin needs START:STOP:N, got “lin:0:1”");
  assert_spec_refused ("x=random:uniform:0:1", "random needs DISTRIBUTION:LOW:HIGH:N[:SEED]");
  assert_spec_refused ("x=range:a:3", "START must be a finite number, got “a”");
  assert_spec_refused ("x=range::3", "START is empty");
  assert_spec_refused ("x=random:uniform:0:1:3:-1", "SEED must be a whole number ≥ 0, got “-1”");
}

static void
test_zero_step (void)
{
  assert_spec_refused ("x=range:0:10:0", "range STEP must not be 0");
  assert_spec_refused ("x=range:0:1:0.0", "range STEP must not be 0");
  assert_spec_refused ("x=range:0:1:-0", "range STEP must not be 0");
}

static void
test_n_below_one (void)
{
  assert_spec_refused ("x=log:1:10:-2", "N must be at least 0, got -2");
  assert_spec_refused ("x=random:int:0:9:-1", "N must be at least 0, got -1");
  assert_spec_refused ("x=lin:0:1:2.5", "N must be a whole number, got “2.5”");
  assert_spec_refused ("x=lin:0:1:many", "N must be a whole number, got “many”");
}

static void assert_json_refused (const char *text,
                                 const char *fragment);

static void
test_non_finite (void)
{
  assert_spec_refused ("x=1,nan", "“nan” is not a finite number (JSON has no NaN or Infinity; "
                       "write \"nan\" in double quotes if you mean the text)");
  assert_spec_refused ("x=inf", "“inf” is not a finite number (JSON has no NaN or Infinity");
  assert_spec_refused ("x=1, NaN ", "“NaN” is not a finite number");
  assert_spec_refused ("x=-infinity", "“-infinity” is not a finite number");
  assert_spec_refused ("x=list:-Infinity", "“-Infinity” is not a finite number");
  assert_spec_refused ("x=1e999", "“1e999” is not a finite number");
  assert_spec_refused ("x=[2e400]", "“[2e400]” is not a finite number");
  assert_spec_refused ("x=range:0:inf", "STOP must be a finite number, got “inf” (JSON has no NaN or Infinity)");
  assert_spec_refused ("x=range:nan:3", "START must be a finite number, got “nan”");
  assert_spec_refused ("x=range:0:1:1e999", "STEP must be a finite number, got “1e999”");
  assert_spec_refused ("x=lin:nan:1:3", "START must be a finite number, got “nan”");
  assert_spec_refused ("x=log:1:inf:3", "STOP must be a finite number, got “inf”");
  assert_spec_refused ("x=random:uniform:0:1e999:3", "HIGH must be a finite number, got “1e999”");
  assert_spec_refused ("x=lin:-1e308:1e308:3", "START and STOP are too far apart");

  /* Words that merely start like a number are strings */
  {
    g_autoptr(LoomSweep) sweep = sweep_of ("x=information,nano", NULL);
    g_autofree char *word = get_string (sweep, 0, "x");

    g_assert_cmpstr (word, ==, "information");
  }

  /* In double quotes they are the text, here and in a CSV */
  {
    g_autoptr(LoomSweep) sweep = sweep_of ("x=\"nan\", \"inf\"", NULL);
    g_autofree char *nan_text = get_string (sweep, 0, "x");
    g_autofree char *inf_text = get_string (sweep, 1, "x");
    g_autoptr(GError) error = NULL;

    g_assert_cmpstr (nan_text, ==, "nan");
    g_assert_cmpstr (inf_text, ==, "inf");
    g_assert_true (loom_sweep_add_csv_data (sweep, "y\n\"nan\"\n", -1, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 2);
  }

  /* Constants, and the JSON form (json-glib reads 1e999 as Infinity) */
  {
    g_autoptr(LoomSweep) sweep = loom_sweep_new ();
    g_autoptr(GError) error = NULL;

    g_assert_false (loom_sweep_add_constant (sweep, "x=nan", &error));
    assert_error_contains (error, "argument “x”: “nan” is not a finite number (JSON has no NaN or Infinity; "
                                  "write \"nan\" in double quotes if you mean the text)");
    g_clear_error (&error);
    g_assert_true (loom_sweep_add_constant (sweep, "x=\"nan\"", &error));
    g_assert_no_error (error);
  }
  assert_json_refused ("{\"params\": {\"x\": [1, 1e999]}}", "(JSON has no NaN or Infinity)");
  assert_json_refused ("{\"params\": {\"x\": {\"kind\": \"range\", \"start\": 0, \"stop\": 1e999}}}",
                       "sweep “x”: STOP must be a finite number (JSON has no NaN or Infinity)");
  assert_json_refused ("{\"constants\": {\"c\": -1e999}}", "argument “c”: the value is not a finite number (JSON");
  assert_json_refused ("{\"csv\": {\"columns\": [\"p\"], \"rows\": [[1e999]]}}",
                       "sweep “p”: row 1: the value is not a finite number (JSON has no NaN or Infinity)");
}

/* A sweep of no tasks, as map over an empty list: a factor without
 * values makes the whole product empty. */
static void
assert_no_tasks (LoomSweep *sweep)
{
  g_autoptr(GBytes) lines = loom_sweep_to_lines (sweep);
  g_autofree char *preview = loom_sweep_describe_preview (sweep, 5, 3);

  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 0);
  g_assert_cmpuint (g_bytes_get_size (lines), ==, 0);
  g_assert_true (g_str_has_prefix (preview, "0 tasks\n"));
}

static void
test_empty (void)
{
  /* A spec without values is a mistake */
  assert_spec_refused ("x=", "the list of values is empty");
  assert_spec_refused ("x=  ", "the list of values is empty");
  assert_spec_refused ("x=list:", "the list of values is empty");
  assert_spec_refused ("x=1,,2", "value 2 of the list “1,,2” is empty");
  /* A range that goes away from STOP too */
  assert_spec_refused ("x=range:1:0", "range:1:0 is empty (with STEP 1, START must go towards STOP)");
  assert_spec_refused ("x=range:0:10:-1", "range:0:10:-1 is empty");
  assert_spec_refused ("x=range:1e-20:0:1e-21", "is empty");

  /* An empty range (START = STOP) or N = 0 has no values, like range(0) */
  {
    const char *specs[] = { "x=range:5:5", "x=range:0.5:0.5:0.1", "x=lin:0:1:0", "x=log:1:10:0",
                            "x=random:uniform:0:1:0:7", "x=random:int:0:9:0" };

    for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
      {
        g_autoptr(LoomSweep) sweep = sweep_of ("a=1,2,3", specs[i], "b=range:0:1000", NULL);

        g_test_message ("%s", specs[i]);
        assert_no_tasks (sweep);
      }
  }

  /* A CSV header without rows, in text and in JSON */
  {
    g_autoptr(LoomSweep) sweep = sweep_of ("x=1,2", NULL);
    g_autoptr(LoomSweep) blank = loom_sweep_new ();
    g_autoptr(GError) error = NULL;

    g_assert_true (loom_sweep_add_csv_data (sweep, "a,b\n", -1, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (loom_sweep_get_n_parameters (sweep), ==, 3);
    assert_no_tasks (sweep);
    g_assert_true (loom_sweep_add_csv_data (blank, "a,b\n\n  \n", -1, &error));
    g_assert_no_error (error);
    assert_no_tasks (blank);
  }
  {
    g_autoptr(JsonObject) spec = object_from_text ("{\"params\": {\"x\": [1, 2], \"y\": []},"
                                                   " \"csv\": {\"columns\": [\"p\"], \"rows\": []}}");
    g_autoptr(LoomSweep) sweep = loom_sweep_new ();
    g_autoptr(LoomSweep) again = loom_sweep_new ();
    g_autoptr(JsonNode) json = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (loom_sweep_add_spec_json (sweep, spec, &error));
    g_assert_no_error (error);
    assert_no_tasks (sweep);

    /* Its JSON form reads back the same */
    json = loom_sweep_to_json (sweep);
    g_assert_true (loom_sweep_add_spec_json (again, json_node_get_object (json), &error));
    g_assert_no_error (error);
    assert_no_tasks (again);
  }
}

/* Spaces around names, “=”, items and fields are no part of them. */
static void
test_spaces (void)
{
  g_autoptr(LoomSweep) tight = sweep_of ("x=1,2", "s=a,b", "r=range:0:3", NULL);
  g_autoptr(LoomSweep) spaced = sweep_of ("x=1, 2", " s = a ,  b ", "r = range: 0 : 3 ", NULL);
  g_autoptr(GBytes) tight_lines = loom_sweep_to_lines (tight);
  g_autoptr(GBytes) spaced_lines = loom_sweep_to_lines (spaced);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (loom_sweep_get_count (spaced), ==, 12);
  g_assert_true (g_bytes_equal (tight_lines, spaced_lines));
  g_assert_cmpint (get_int (spaced, 1, "r"), ==, 1);
  g_assert_cmpint (get_int (spaced, 11, "x"), ==, 2);

  /* A value that is only spaces is refused; in quotes, spaces are text */
  assert_spec_refused ("x=1, ,2", "value 2 of the list “1, ,2” is only spaces");
  assert_spec_refused ("x=1,   ", "value 2 of the list “1,” is empty");
  {
    g_autoptr(LoomSweep) quoted = sweep_of ("x=\" \",\" a \"", NULL);
    g_autofree char *space = get_string (quoted, 0, "x");
    g_autofree char *a = get_string (quoted, 1, "x");

    g_assert_cmpstr (space, ==, " ");
    g_assert_cmpstr (a, ==, " a ");
  }

  /* A name that is only spaces is no name */
  g_assert_false (loom_sweep_add_spec (tight, " =1,2", &error));
  assert_error_contains (error, "is not of the form NAME=VALUE");
  g_clear_error (&error);

  /* Constants too */
  g_assert_true (loom_sweep_add_constant (tight, " k = 5 ", &error));
  g_assert_no_error (error);
  g_assert_cmpint (get_int (tight, 0, "k"), ==, 5);
}

static void
test_log_start (void)
{
  g_autoptr(LoomSweep) sweep = loom_sweep_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (loom_sweep_add_spec (sweep, "lr=log:-1:10:3", &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "sweep “lr”: log scale needs START > 0, got -1");
  g_clear_error (&error);

  assert_spec_refused ("lr=log:0:1:3", "log scale needs START > 0, got 0");
  assert_spec_refused ("lr=log:1e-3:-0.5:3", "log scale needs STOP > 0, got -0.5");
  assert_spec_refused ("lr=random:loguniform:0:1:3", "random:loguniform needs 0 < LOW < HIGH, got 0 and 1");
  assert_spec_refused ("lr=random:loguniform:2:1:3", "random:loguniform needs 0 < LOW < HIGH, got 2 and 1");
  assert_spec_refused ("u=random:uniform:1:1:3", "random:uniform needs LOW < HIGH, got 1 and 1");
  assert_spec_refused ("k=random:int:0.5:2:3", "random:int needs whole numbers, got 0.5 and 2");
  assert_spec_refused ("k=random:int:5:1:3", "random:int needs LOW ≤ HIGH, got 5 and 1");
}

static void
test_too_many (void)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("x=range:0:16777216", "y=range:0:16777216", NULL);
  g_autoptr(GError) error = NULL;

  /* 2^48 is the limit, and allowed */
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, G_GUINT64_CONSTANT (1) << 48);
  g_assert_false (loom_sweep_add_spec (sweep, "z=1,2", &error));
  assert_error_contains (error, "sweep “z”: the sweep would have more than 2^48 tasks");
  g_clear_error (&error);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, G_GUINT64_CONSTANT (1) << 48);
  g_assert_cmpuint (loom_sweep_get_n_parameters (sweep), ==, 2);
  /* A CSV would multiply too */
  g_assert_false (loom_sweep_add_csv_data (sweep, "c\n1\n2\n", -1, &error));
  assert_error_contains (error, "sweep “c”: the sweep would have more than 2^48 tasks");
  g_clear_error (&error);
  g_assert_cmpuint (loom_sweep_get_n_parameters (sweep), ==, 2);

  assert_spec_refused ("x=range:0:1000000000000000", "more than 2^48 tasks");
  assert_spec_refused ("x=range:0:1:1e-20", "more than 2^48 tasks");
  assert_spec_refused ("x=lin:0:1:1000000000000000", "more than 2^48 tasks");
  assert_spec_refused ("x=random:int:0:1:1000000000000000", "more than 2^48 tasks");
}

/* --- size ---------------------------------------------------------------- */

static void
test_large (void)
{
  g_autoptr(LoomSweep) sweep = NULL;
  g_autofree char *last = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  /* 10^7 tasks: counting and computing any one of them builds nothing. */
  sweep = sweep_of ("x=range:0:10000", "y=lin:0:1:1000", NULL);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 10000000);
  last = params_text (sweep, 9999999);
  g_assert_cmpstr (last, ==, "{\"x\":9999,\"y\":1.0}");
  g_assert_cmpint (get_int (sweep, 5000000, "x"), ==, 5000);
  loom_sweep_set_shuffle (sweep, 1);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 10000000);
  for (guint64 i = 9999000; i < 10000000; i++)
    {
      g_autoptr(JsonNode) params = loom_sweep_get_params (sweep, i);
      g_assert_nonnull (params);
    }
  elapsed = g_get_monotonic_time () - start;
  /* Reported, not asserted: the 2^48-task sweep below is what shows that
   * nothing is built (it could not be). */
  g_test_message ("10^7-task sweep: %" G_GINT64_FORMAT " µs", elapsed);

  /* 2^48 tasks, shuffled: the last one is there */
  {
    g_autoptr(LoomSweep) huge = sweep_of ("a=range:0:16777216", "b=random:uniform:0:1:16777216:3", NULL);
    g_autoptr(JsonNode) params = NULL;

    loom_sweep_set_shuffle (huge, 9);
    params = loom_sweep_get_params (huge, (G_GUINT64_CONSTANT (1) << 48) - 1);
    g_assert_nonnull (params);
  }
}

/* --- JSON ---------------------------------------------------------------- */

static const char example_json[] =
  "{\"params\": {"
  "  \"x\": {\"kind\": \"range\", \"start\": 0, \"stop\": 10, \"step\": 4},"
  "  \"y\": {\"kind\": \"list\", \"values\": [1, \"a\"]},"
  "  \"lr\": {\"kind\": \"log\", \"start\": 1e-4, \"stop\": 0.1, \"n\": 4},"
  "  \"z\": {\"kind\": \"random\", \"distribution\": \"uniform\", \"low\": 0, \"high\": 1, \"n\": 4, \"seed\": 7},"
  "  \"f\": {\"kind\": \"range\", \"start\": 1, \"stop\": 0, \"step\": -0.5},"
  "  \"k\": {\"kind\": \"random\", \"distribution\": \"int\", \"low\": 1, \"high\": 6, \"n\": 2},"
  "  \"s\": \"lin:0:1:3\","
  "  \"t\": [true, false]"
  " },"
  " \"combine\": \"product\","
  " \"zip\": [\"lr\", \"z\"],"
  " \"csv\": {\"columns\": [\"p\", \"q\"], \"rows\": [[1, \"u\"], [2.5, \"v\"]]},"
  " \"constants\": {\"c\": \"const\", \"d\": [1, 2]},"
  " \"shuffle\": 99}";

static void
test_json_round_trip (void)
{
  g_autoptr(JsonObject) spec = object_from_text (example_json);
  g_autoptr(LoomSweep) sweep = loom_sweep_new ();
  g_autoptr(LoomSweep) copy = loom_sweep_new ();
  g_autoptr(LoomSweep) unshuffled = loom_sweep_new ();
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) json_again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *lines_copy = NULL;
  guint64 expected;

  g_assert_true (loom_sweep_add_spec_json (sweep, spec, &error));
  g_assert_no_error (error);
  /* x 3 × y 2 × (lr, z) 4 × f 2 × k 2 × s 3 × t 2 × CSV 2 */
  expected = 3 * 2 * 4 * 2 * 2 * 3 * 2 * 2;
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, expected);
  g_assert_cmpuint (loom_sweep_get_n_parameters (sweep), ==, 10);

  /* Through text and back: the same form and the same tasks */
  json = loom_sweep_to_json (sweep);
  text = json_to_string (json, TRUE);
  g_test_message ("%s", text);
  {
    g_autoptr(JsonObject) reread = object_from_text (text);

    g_assert_true (loom_sweep_add_spec_json (copy, reread, &error));
    g_assert_no_error (error);
  }
  json_again = loom_sweep_to_json (copy);
  text_again = json_to_string (json_again, TRUE);
  g_assert_cmpstr (text, ==, text_again);
  g_assert_cmpuint (loom_sweep_get_count (copy), ==, expected);
  lines = all_tasks (sweep);
  lines_copy = all_tasks (copy);
  g_assert_cmpstr (lines, ==, lines_copy);

  /* The values, without the shuffle */
  json_object_remove_member (spec, "shuffle");
  g_assert_true (loom_sweep_add_spec_json (unshuffled, spec, &error));
  {
    g_autofree char *first = params_text (unshuffled, 0);
    g_autofree char *z1 = NULL;

    /* Constants first, then the parameters in order (z and k are random) */
    g_assert_true (g_str_has_prefix (first, "{\"c\":\"const\",\"d\":[1,2],\"x\":0,\"y\":1,\"lr\":0.0001,\"z\":"));
    g_assert_true (g_str_has_suffix (first, ",\"s\":0.0,\"t\":true,\"p\":1,\"q\":\"u\"}"));
    g_assert_cmpfloat (get_double (unshuffled, 0, "f"), ==, 1.0);
    g_assert_cmpint (get_int (unshuffled, 0, "k"), >=, 1);
    g_assert_cmpint (get_int (unshuffled, 0, "k"), <=, 6);
    g_assert_cmpint (get_int (unshuffled, 0, "x"), ==, 0);
    g_assert_cmpint (get_int (unshuffled, expected - 1, "x"), ==, 8);
    g_assert_cmpfloat (get_double (unshuffled, expected - 1, "lr"), ==, 0.1);
    g_assert_cmpfloat (get_double (unshuffled, expected - 1, "f"), ==, 0.5);
    g_assert_cmpfloat (get_double (unshuffled, expected - 1, "s"), ==, 1.0);
    g_assert_cmpfloat (get_double (unshuffled, expected - 1, "p"), ==, 2.5);
    z1 = get_string (unshuffled, expected - 1, "q");
    g_assert_cmpstr (z1, ==, "v");
    /* zipped: lr and z move together, z as a random:uniform seed 7 */
    {
      g_autoptr(LoomSweep) z = sweep_of ("z=random:uniform:0:1:4:7", NULL);
      for (guint64 i = 0; i < expected; i += 97)
        {
          double lr = get_double (unshuffled, i, "lr");
          guint step = (guint) round (log10 (lr) + 4);

          g_assert_cmpfloat (get_double (unshuffled, i, "z"), ==, get_double (z, step, "z"));
        }
    }
  }

  /* From the text forms, to_json gives the same JSON */
  {
    g_autoptr(LoomSweep) text_sweep = sweep_of ("a=range:0:1:0.25", "b=log:1:100:3",
                                                "c=random:loguniform:0.1:1:3:5", "d=x,2", NULL);
    g_autoptr(JsonNode) out = NULL;
    g_autofree char *out_text = NULL;

    g_assert_true (loom_sweep_set_zip (text_sweep, "b,c", &error));
    g_assert_true (loom_sweep_add_constant (text_sweep, "k=1", &error));
    out = loom_sweep_to_json (text_sweep);
    out_text = json_to_string (out, FALSE);
    g_assert_cmpstr (out_text, ==,
                     "{\"params\":{"
                     "\"a\":{\"kind\":\"range\",\"start\":0.0,\"stop\":1.0,\"step\":0.25},"
                     "\"b\":{\"kind\":\"log\",\"start\":1.0,\"stop\":100.0,\"n\":3},"
                     "\"c\":{\"kind\":\"random\",\"distribution\":\"loguniform\",\"low\":0.10000000000000001,"
                     "\"high\":1.0,\"n\":3,\"seed\":5},"
                     "\"d\":{\"kind\":\"list\",\"values\":[\"x\",2]}},"
                     "\"combine\":\"product\",\"zip\":[\"b\",\"c\"],\"constants\":{\"k\":1}}");
  }

  /* "combine": "zip" zips all parameters */
  {
    g_autoptr(JsonObject) zip_all = object_from_text ("{\"params\": {\"a\": [1, 2], \"b\": \"range:5:7\"},"
                                                      " \"combine\": \"zip\", \"shuffle\": false}");
    g_autoptr(LoomSweep) zipped = loom_sweep_new ();
    g_autoptr(JsonNode) out = NULL;
    g_autofree char *out_text = NULL;

    g_assert_true (loom_sweep_add_spec_json (zipped, zip_all, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (loom_sweep_get_count (zipped), ==, 2);
    out = loom_sweep_to_json (zipped);
    out_text = json_to_string (out, FALSE);
    g_assert_nonnull (strstr (out_text, "\"combine\":\"zip\""));
    g_assert_null (strstr (out_text, "\"zip\":["));
  }
}

static void
assert_json_refused (const char *text,
                     const char *fragment)
{
  g_autoptr(JsonObject) spec = object_from_text (text);
  g_autoptr(LoomSweep) sweep = sweep_of ("other=1,2", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(JsonNode) json_before = NULL;
  g_autoptr(JsonNode) json_after = NULL;

  g_assert_true (loom_sweep_add_constant (sweep, "k=1", &error));
  loom_sweep_set_shuffle (sweep, 3);
  json_before = loom_sweep_to_json (sweep);
  before = json_to_string (json_before, FALSE);

  g_test_message ("%s", text);
  g_assert_false (loom_sweep_add_spec_json (sweep, spec, &error));
  assert_error_contains (error, fragment);

  /* Refused whole: nothing of it stays */
  json_after = loom_sweep_to_json (sweep);
  after = json_to_string (json_after, FALSE);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 2);
}

static void
test_json_errors (void)
{
  assert_json_refused ("{\"params\": {\"lr\": {\"kind\": \"log\", \"start\": -1, \"stop\": 1, \"n\": 3}}}",
                       "sweep “lr”: log scale needs START > 0, got -1");
  assert_json_refused ("{\"params\": {\"a\": [1], \"x\": {\"kind\": \"grid\"}}}",
                       "sweep “x”: unknown kind “grid”");
  assert_json_refused ("{\"params\": {\"x\": {\"start\": 1}}}", "sweep “x”: “kind” is missing");
  assert_json_refused ("{\"params\": {\"x\": {\"kind\": \"range\", \"start\": 0, \"stop\": 3, \"stpe\": 1}}}",
                       "sweep “x”: unknown member “stpe” for kind range");
  assert_json_refused ("{\"params\": {\"x\": {\"kind\": \"range\", \"start\": 0, \"stop\": 3, \"step\": 0}}}",
                       "sweep “x”: range STEP must not be 0");
  assert_json_refused ("{\"params\": {\"x\": {\"kind\": \"range\", \"start\": 3, \"stop\": 0}}}",
                       "sweep “x”: range:3:0:1 is empty");
  assert_json_refused ("{\"params\": {\"x\": {\"kind\": \"range\", \"start\": \"0\", \"stop\": 3}}}",
                       "sweep “x”: START must be a finite number, got “\"0\"”");
  assert_json_refused ("{\"params\": {\"x\": {\"kind\": \"lin\", \"start\": 0, \"stop\": 1, \"n\": -1}}}",
                       "sweep “x”: N must be at least 0, got -1");
  assert_json_refused ("{\"params\": {\"x\": {\"kind\": \"lin\", \"start\": 0, \"stop\": 1}}}",
                       "sweep “x”: N (“n”) is missing");
  assert_json_refused ("{\"params\": {\"x\": \"\"}}", "sweep “x”: the list of values is empty");
  assert_json_refused ("{\"params\": {\"x\": [1, 1e999]}}", "sweep “x”: value 2 of the list is not a finite number");
  assert_json_refused ("{\"params\": {\"x\": {\"kind\": \"random\", \"distribution\": \"normal\", \"low\": 0,"
                       " \"high\": 1, \"n\": 2}}}", "sweep “x”: unknown random distribution “normal”");
  assert_json_refused ("{\"params\": {\"x\": \"foo:1\"}}", "sweep “x”: unknown kind “foo”");
  assert_json_refused ("{\"params\": {\"other\": [1]}}", "sweep “other”: the name is given twice");
  assert_json_refused ("{\"params\": {\"a\": [1, 2], \"b\": [1, 2, 3]}, \"zip\": [\"a\", \"b\"]}",
                       "sweep “a”, “b”: zipped parameters need the same number of values, but a has 2, b has 3");
  assert_json_refused ("{\"params\": {\"a\": [1, 2], \"b\": [1, 2, 3]}, \"combine\": \"zip\"}",
                       "a has 2, b has 3");
  assert_json_refused ("{\"params\": {\"a\": [1]}, \"combine\": \"cartesian\"}",
                       "sweep “combine”: must be “product” or “zip”");
  assert_json_refused ("{\"params\": {\"a\": [1]}, \"combine\": \"zip\", \"zip\": [\"a\"]}",
                       "give either");
  assert_json_refused ("{\"csv\": {\"columns\": [\"p\", \"q\"], \"rows\": [[1, 2], [3]]}}",
                       "sweep “csv”: row 2 has 1 fields, the header has 2");
  assert_json_refused ("{\"constants\": {\"k\": 2}}", "argument “k”: the name is given twice");
  assert_json_refused ("{\"params\": {\"a\": [1]}, \"shuffle\": \"yes\"}", "sweep “shuffle”: must be a seed");
  assert_json_refused ("{\"parameters\": {}}", "sweep: unknown member “parameters”");
  assert_json_refused ("{\"params\": {\"a\": {\"kind\": \"range\", \"start\": 0, \"stop\": 16777216},"
                       " \"b\": {\"kind\": \"range\", \"start\": 0, \"stop\": 16777216}}}",
                       "sweep “b”: the sweep would have more than 2^48 tasks");

  /* Zipped groups count as one factor: this fits */
  {
    g_autoptr(JsonObject) spec = object_from_text ("{\"params\": {\"a\": \"range:0:1000000000\","
                                                   " \"b\": \"lin:0:1:1000000000\","
                                                   " \"c\": \"random:int:0:9:1000000000:1\"},"
                                                   " \"combine\": \"zip\"}");
    g_autoptr(LoomSweep) sweep = loom_sweep_new ();
    g_autoptr(GError) error = NULL;

    g_assert_true (loom_sweep_add_spec_json (sweep, spec, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (loom_sweep_get_count (sweep), ==, 1000000000);
  }
}

/* --- preview ------------------------------------------------------------- */

static void
test_preview (void)
{
  g_autoptr(LoomSweep) sweep = sweep_of ("x=1,2,3", "y=list:a,it's", "f=lin:0:1:2", NULL);
  g_autoptr(LoomSweep) one = sweep_of ("x=5", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *all = NULL;
  g_autofree char *single = NULL;
  g_autofree char *shuffled = NULL;
  g_autofree char *lines = NULL;

  g_assert_true (loom_sweep_add_constant (sweep, "k=1", &error));
  g_assert_true (loom_sweep_add_constant (sweep, "name=run", &error));

  text = loom_sweep_describe_preview (sweep, 2, 1);
  g_assert_cmpstr (text, ==,
                   "12 tasks\n"
                   "constants: k=1 name='run'\n"
                   "[0] x=1 y='a' f=0.0\n"
                   "[1] x=1 y='a' f=1.0\n"
                   "…\n"
                   "[11] x=3 y='it\\'s' f=1.0\n");

  all = loom_sweep_describe_preview (sweep, 10, 10);
  g_assert_null (strstr (all, "…"));
  g_assert_nonnull (strstr (all, "[5] x=2 y='a' f=1.0\n"));
  g_assert_nonnull (strstr (all, "[11] x=3 y='it\\'s' f=1.0\n"));

  single = loom_sweep_describe_preview (one, 3, 3);
  g_assert_cmpstr (single, ==, "1 task\n[0] x=5\n");

  /* The shuffled order is the order shown */
  loom_sweep_set_shuffle (sweep, 4);
  shuffled = loom_sweep_describe_preview (sweep, 1, 0);
  g_assert_true (g_str_has_prefix (shuffled, "12 tasks, shuffled with seed 4\n"));
  {
    g_autoptr(JsonNode) first = loom_sweep_get_params (sweep, 0);
    JsonObject *obj = json_node_get_object (first);
    g_autofree char *line = g_strdup_printf ("[0] x=%" G_GINT64_FORMAT " ",
                                             json_object_get_int_member (obj, "x"));

    g_assert_nonnull (strstr (shuffled, line));
  }
}

/* --- a map over no tasks -------------------------------------------------- */

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_async_result_wait_finish (LOOM_ASYNC_RESULT (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* As ipyparallel's map over an empty list: no job, a result ready at once
 * whose get() is [], through every map of LoomView; the cluster goes on. */
static void
test_map_empty (void)
{
  ClusterOptions opts = { .n_engines = 1, .retries = -1 };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(LoomSweep) sweep = loom_sweep_new ();
  g_autoptr(JsonArray) none = json_array_new ();
  g_autoptr(JsonArray) one_param = test_params_range ("x", 1, NULL, 0);
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_for_function ("echo", NULL);
  g_autoptr(GBytes) lines = NULL;
  g_autoptr(LoomAsyncResult) mapped = NULL;
  g_autoptr(LoomAsyncResult) from_lines = NULL;
  g_autoptr(LoomAsyncResult) one = NULL;
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(JsonNode) sync_values = NULL;
  g_autoptr(JsonNode) one_value = NULL;
  g_autoptr(GListModel) jobs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean waited = FALSE;

  g_assert_true (loom_sweep_add_csv_data (sweep, "x\n", -1, &error));
  g_assert_no_error (error);
  lines = loom_sweep_to_lines (sweep);

  mapped = loom_view_map_async (view, "echo", none, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mapped);
  g_assert_true (loom_async_result_ready (mapped));
  g_assert_true (loom_async_result_successful (mapped));
  g_assert_cmpuint (loom_async_result_get_n_tasks (mapped), ==, 0);
  g_assert_cmpint (loom_async_result_get_job_id (mapped), ==, -1);
  values = loom_async_result_get (mapped, 0, &error);
  g_assert_no_error (error);
  text = loom_value_to_json (values);
  g_assert_cmpstr (text, ==, "[]");
  g_assert_true (loom_async_result_abort (mapped, &error));
  g_assert_no_error (error);
  loom_async_result_wait_async (mapped, NULL, on_waited, &waited);
  g_assert_true (test_wait_until (flag_set, &waited, 10));

  from_lines = loom_view_map_lines_async (view, spec, lines, loom_sweep_get_count (sweep), &error);
  g_assert_no_error (error);
  g_assert_true (loom_async_result_wait (from_lines, 0));
  g_clear_pointer (&values, json_node_unref);
  values = loom_async_result_get (from_lines, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (values)), ==, 0);

  sync_values = loom_view_map_sync (view, "echo", none, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (sync_values)), ==, 0);

  /* None of them was a job; a map of one task still is */
  one = loom_view_map_async (view, "echo", one_param, &error);
  g_assert_no_error (error);
  one_value = loom_async_result_get (one, 30, &error);
  g_assert_no_error (error);
  jobs = loom_client_list_jobs (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);
}

/* A sweep submitted as its spec (loom_view_map_sweep_async()): the
 * controller expands it, and each task gets, runs with (echo) and reports
 * the same parameters as the client's own expansion of the same index,
 * with zip, random values with a seed, a CSV table and a shuffle. */
static void
test_submitted_as_spec (void)
{
  ClusterOptions opts = { .n_engines = 2, .retries = -1, .scheme = LOOM_SCHEME_LEASTLOAD };
  g_autoptr(LoomCluster) cluster = test_cluster_start (&opts);
  LoomClient *client = loom_cluster_get_client (cluster);
  g_autoptr(LoomView) view = loom_client_load_balanced_view (client);
  g_autoptr(LoomSweep) sweep = loom_sweep_new ();
  g_autoptr(LoomTaskSpec) spec = loom_task_spec_new_builtin ("echo");
  g_autoptr(LoomAsyncResult) result = NULL;
  g_autoptr(JsonNode) results = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *tasks;
  guint64 count;

  g_assert_true (loom_sweep_add_constant (sweep, "k=const", &error));
  g_assert_true (loom_sweep_add_spec (sweep, "a=range:0:3", &error));
  g_assert_true (loom_sweep_add_spec (sweep, "b=list:x,y,z", &error));
  g_assert_true (loom_sweep_add_spec (sweep, "r=random:uniform:0:1:2:11", &error));
  g_assert_true (loom_sweep_add_spec (sweep, "lr=log:0.0001:0.1:2", &error));
  g_assert_true (loom_sweep_add_spec (sweep, "f=range:0:1:0.5", &error));
  g_assert_true (loom_sweep_add_csv_data (sweep, "p,q\n1,one\n2.5,two\n", -1, &error));
  g_assert_true (loom_sweep_set_zip (sweep, "a,b", &error));
  loom_sweep_set_shuffle (sweep, 7);
  g_assert_no_error (error);
  count = loom_sweep_get_count (sweep);
  g_assert_cmpuint (count, ==, 3 * 2 * 2 * 2 * 2);

  result = loom_view_map_sweep_async (view, spec, sweep, &error);
  g_assert_no_error (error);
  results = loom_async_result_get (result, 60, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (results)), ==, count);
  report = loom_client_get_job_report (client, loom_async_result_get_job_id (result), &error);
  g_assert_no_error (error);
  tasks = json_object_get_array_member (json_node_get_object (report), "tasks");
  g_assert_cmpuint (json_array_get_length (tasks), ==, count);

  for (guint i = 0; i < count; i++)
    {
      g_autoptr(JsonNode) expected = loom_sweep_get_params (sweep, i);
      JsonObject *task = json_array_get_object_element (tasks, i);

      g_assert_cmpint (json_object_get_int_member (task, "index"), ==, i);
      g_assert_true (json_node_equal (json_object_get_member (task, "params"), expected));
      g_assert_true (json_node_equal (json_array_get_element (json_node_get_array (results), i), expected));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_set_prgname ("lt");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/loom/sweep/list", test_list);
  g_test_add_func ("/loom/sweep/submitted-as-spec", test_submitted_as_spec);
  g_test_add_func ("/loom/sweep/range-int", test_range_int);
  g_test_add_func ("/loom/sweep/range-negative-step", test_range_negative_step);
  g_test_add_func ("/loom/sweep/range-float", test_range_float);
  g_test_add_func ("/loom/sweep/lin", test_lin);
  g_test_add_func ("/loom/sweep/log", test_log);
  g_test_add_func ("/loom/sweep/random-seed", test_random_seed);
  g_test_add_func ("/loom/sweep/random-int", test_random_int);
  g_test_add_func ("/loom/sweep/random-loguniform", test_random_loguniform);
  g_test_add_func ("/loom/sweep/product-order", test_product_order);
  g_test_add_func ("/loom/sweep/zip", test_zip);
  g_test_add_func ("/loom/sweep/zip-errors", test_zip_errors);
  g_test_add_func ("/loom/sweep/constants", test_constants);
  g_test_add_func ("/loom/sweep/csv", test_csv);
  g_test_add_func ("/loom/sweep/csv-errors", test_csv_errors);
  g_test_add_func ("/loom/sweep/shuffle", test_shuffle);
  g_test_add_func ("/loom/sweep/duplicate-name", test_duplicate_name);
  g_test_add_func ("/loom/sweep/unknown-kind", test_unknown_kind);
  g_test_add_func ("/loom/sweep/zero-step", test_zero_step);
  g_test_add_func ("/loom/sweep/n-below-one", test_n_below_one);
  g_test_add_func ("/loom/sweep/non-finite", test_non_finite);
  g_test_add_func ("/loom/sweep/empty", test_empty);
  g_test_add_func ("/loom/sweep/spaces", test_spaces);
  g_test_add_func ("/loom/sweep/map-empty", test_map_empty);
  g_test_add_func ("/loom/sweep/log-start", test_log_start);
  g_test_add_func ("/loom/sweep/too-many", test_too_many);
  g_test_add_func ("/loom/sweep/large", test_large);
  g_test_add_func ("/loom/sweep/json-round-trip", test_json_round_trip);
  g_test_add_func ("/loom/sweep/json-errors", test_json_errors);
  g_test_add_func ("/loom/sweep/preview", test_preview);

  return g_test_run ();
}
