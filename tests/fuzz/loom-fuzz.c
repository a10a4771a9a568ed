/* loom-fuzz.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the fuzz targets share: setting up, and the checks every piece of
 * JSON that got past Loom's parser must pass.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "loom-fuzz.h"
#include "loom-json-private.h"

void
loom_fuzz_fail (const char *format,
                ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  abort ();
}

/* A critical is a programming error (a check on arguments failed), and
 * input must never cause one; nor may it reach a g_error().  Both abort
 * here, which libFuzzer keeps, rather than at GLib's G_BREAKPOINT. */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  GLogWriterOutput out = g_log_writer_standard_streams (level, fields, n_fields, user_data);

  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    abort ();
  return out;
}

void
loom_fuzz_init (void)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* How deep @node nests arrays and objects, as loom_json_check_depth()
 * counts: a scalar is 0, [] is 1, [[1]] is 2.  (Not MAX () around the
 * call: the macro would call it twice a level.) */
guint
loom_fuzz_node_depth (JsonNode *node)
{
  guint deepest = 0;

  if (node == NULL)
    return 0;

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            guint depth = loom_fuzz_node_depth (json_array_get_element (array, i));

            deepest = MAX (deepest, depth);
          }
        return deepest + 1;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          {
            guint depth = loom_fuzz_node_depth (member);

            deepest = MAX (deepest, depth);
          }
        return deepest + 1;
      }

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      return 0;
    }
}

/* @data through loom_json_from_data(), as every process reads what a peer
 * sent.  What it accepts must nest no deeper than the limit (else the
 * depth check missed brackets the parser saw, and deep enough input
 * overflows the stack), and Loom's own writer must turn it back into JSON
 * that reads back the same. */
void
loom_fuzz_check_json (const char *data,
                      gsize       size)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autoptr(GError) error = NULL;
  gboolean shallow;

  shallow = loom_json_check_depth (data, size, NULL);
  node = loom_json_from_data (data, size, &error);
  if (node == NULL)
    {
      LOOM_FUZZ_CHECK (error != NULL);
      return;
    }
  LOOM_FUZZ_CHECK (shallow);
  LOOM_FUZZ_CHECK (loom_fuzz_node_depth (node) <= LOOM_JSON_MAX_DEPTH);

  text = loom_json_to_string (node);
  again = loom_json_from_data (text, -1, &error);
  if (again == NULL)
    loom_fuzz_fail ("Loom wrote JSON it cannot read back: %s: %s", error->message, text);
  text_again = loom_json_to_string (again);
  if (g_strcmp0 (text, text_again) != 0)
    loom_fuzz_fail ("JSON changed on a round trip: %s became %s", text, text_again);
}
