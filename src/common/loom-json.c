/* loom-json.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * JSON helpers shared by every part of Loom: compact writing (strings,
 * nodes, doubles as the shortest text that reads back the same), parsing,
 * type-checked readers of what a peer sent, and the buffers of one JSON
 * line per task that batched messages carry.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <math.h>
#include <string.h>

#include "loom-json-private.h"

static void
append_escaped (GString    *out,
                const char *str,
                const char *end)
{
  for (const char *p = str; p < end; p++)
    {
      guchar c = *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
        }
    }
}

/* @str as a JSON string.  JSON text is UTF-8, and what is not (a string
 * json-glib read from a lone surrogate escape, "\ud83d", or bytes from a
 * peer) would make the whole text unreadable: each invalid byte is
 * written as U+FFFD instead. */
void
loom_json_append_string_len (GString    *out,
                             const char *str,
                             gssize      len)
{
  const char *end;

  if (len < 0)
    len = strlen (str);
  end = str + len;

  g_string_append_c (out, '"');
  while (str < end)
    {
      const char *valid_end;

      g_utf8_validate_len (str, end - str, &valid_end);
      append_escaped (out, str, valid_end);
      if (valid_end == end)
        break;
      if (*valid_end == '\0')
        g_string_append (out, "\\u0000");
      else
        g_string_append (out, "\xef\xbf\xbd");
      str = valid_end + 1;
    }
  g_string_append_c (out, '"');
}

void
loom_json_append_string (GString    *out,
                         const char *str)
{
  loom_json_append_string_len (out, str, -1);
}

/* Compact JSON, with doubles as the shortest text that reads back the
 * same (0.4, not json-glib's 0.40000000000000002) and still a double
 * (1.0, not 1). */
void
loom_json_append_node (GString  *out,
                       JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "null");
      return;
    }

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            loom_json_append_string (out, name);
            g_string_append_c (out, ':');
            loom_json_append_node (out, member);
          }
        g_string_append_c (out, '}');
        break;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        g_string_append_c (out, '[');
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            loom_json_append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
        break;
      }

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_STRING:
          loom_json_append_string (out, json_node_get_string (node));
          break;
        case G_TYPE_DOUBLE:
          {
            g_autofree char *text = NULL;

            /* json-glib reads 1e999 as infinity, which JSON cannot
             * write: null, as JavaScript's JSON.stringify() writes it. */
            if (!isfinite (json_node_get_double (node)))
              {
                g_string_append (out, "null");
                break;
              }
            text = loom_double_to_text (json_node_get_double (node));

            g_string_append (out, text);
            if (strpbrk (text, ".eEnN") == NULL)
              g_string_append (out, ".0");
            break;
          }
        default:
          g_string_append (out, "null");
        }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
    }
}

char *
loom_json_to_string (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  loom_json_append_node (out, node);
  return g_string_free (out, FALSE);
}

/* Whether @data nests arrays and objects at most LOOM_JSON_MAX_DEPTH deep,
 * looked at in one pass without parsing: brackets inside strings and
 * comments do not count.  It must skip exactly what json-glib's scanner
 * skips, no more: besides JSON's strings in double quotes (with \
 * escapes), json-glib reads strings in single quotes (no escapes) and C
 * comments, and a '"' inside either would otherwise hide every bracket
 * after it (['"', [[[[… overflowed the stack past this check).  Malformed
 * text passes, for the parser to refuse. */
gboolean
loom_json_check_depth (const char  *data,
                       gsize        len,
                       GError     **error)
{
  enum { CODE, DOUBLE_QUOTED, SINGLE_QUOTED, COMMENT } state = CODE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      switch (state)
        {
        case DOUBLE_QUOTED:
          if (c == '\\')
            i++;
          else if (c == '"')
            state = CODE;
          break;

        case SINGLE_QUOTED:
          if (c == '\'')
            state = CODE;
          break;

        case COMMENT:
          if (c == '*' && i + 1 < len && data[i + 1] == '/')
            {
              i++;
              state = CODE;
            }
          break;

        case CODE:
        default:
          if (c == '"')
            state = DOUBLE_QUOTED;
          else if (c == '\'')
            state = SINGLE_QUOTED;
          else if (c == '/' && i + 1 < len && data[i + 1] == '*')
            {
              i++;
              state = COMMENT;
            }
          else if (c == '[' || c == '{')
            {
              if (++depth > LOOM_JSON_MAX_DEPTH)
                {
                  g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                               "JSON nested more than %d deep", LOOM_JSON_MAX_DEPTH);
                  return FALSE;
                }
            }
          else if ((c == ']' || c == '}') && depth > 0)
            depth--;
        }
    }
  return TRUE;
}

JsonNode *
loom_json_from_data (const char  *data,
                     gssize       len,
                     GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (len < 0)
    len = strlen (data);

  if (len == 0)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, "empty JSON text");
      return NULL;
    }

  if (!loom_json_check_depth (data, len, error) ||
      !json_parser_load_from_data (parser, data, len, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, "empty JSON text");
      return NULL;
    }

  return json_node_ref (root);
}

GPtrArray *
loom_lines_split (GBytes *bytes)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize len;
  const char *data;
  gsize start = 0;

  if (bytes == NULL)
    return lines;

  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    return lines;

  while (start <= len)
    {
      const char *nl = memchr (data + start, '\n', len - start);
      gsize end = nl ? (gsize) (nl - data) : len;

      g_ptr_array_add (lines, g_bytes_new_from_bytes (bytes, start, end - start));
      if (nl == NULL)
        break;
      start = end + 1;
    }

  return lines;
}

/* Appends @line (or @fallback when it is NULL) as the next line of @out. */
void
loom_lines_append (GString    *out,
                   GBytes     *line,
                   const char *fallback)
{
  g_assert (fallback != NULL && *fallback != '\0');

  /* Lines are never empty (an empty line stands for the fallback), so a
   * non-empty @out always means a line came before. */
  if (out->len > 0)
    g_string_append_c (out, '\n');
  if (line == NULL || g_bytes_get_size (line) == 0)
    g_string_append (out, fallback);
  else
    g_string_append_len (out, g_bytes_get_data (line, NULL), g_bytes_get_size (line));
}

/* Type-checked readers of JSON that came from a peer: a member of the wrong
 * type reads as missing, never as a critical or a made-up value. */

const char *
loom_json_string (JsonObject *obj,
                  const char *name,
                  const char *fallback)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static gboolean
node_int (JsonNode *node,
          gint64   *value)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

gint64
loom_json_int (JsonObject *obj,
               const char *name,
               gint64      fallback)
{
  gint64 value;

  if (obj == NULL || !node_int (json_object_get_member (obj, name), &value))
    return fallback;
  return value;
}

double
loom_json_double (JsonObject *obj,
                  const char *name,
                  double      fallback)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  return fallback;
}

JsonArray *
loom_json_array (JsonObject *obj,
                 const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonObject *
loom_json_object (JsonObject *obj,
                  const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonObject *
loom_json_array_object (JsonArray *array,
                        guint      index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, index);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Reads the first @n elements of @row, which must all be integers. */
gboolean
loom_json_row_ints (JsonNode *row,
                    gint64   *values,
                    guint     n)
{
  JsonArray *array;

  if (row == NULL || !JSON_NODE_HOLDS_ARRAY (row))
    return FALSE;
  array = json_node_get_array (row);
  if (json_array_get_length (array) < n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!node_int (json_array_get_element (array, i), &values[i]))
      return FALSE;
  return TRUE;
}

/* The shortest text that reads back as the same double, as Python's repr()
 * writes it (json-glib writes 17 digits: 0.10000000000000001). */
char *
loom_double_to_text (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  static const char *formats[] = { "%.15g", "%.16g", "%.17g" };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  return g_strdup (buf);
}

/* A command's captured output @name ("stdout", "stderr") as a member of a
 * task's detail object: a JSON string when it is valid UTF-8 without NUL
 * bytes, else its base64 text and `"<name>_encoding":"base64"`, so that
 * every byte survives; then `"<name>_truncated":N` when @dropped bytes
 * were not kept.  A comma comes first unless @out holds only "{". */
void
loom_json_append_output (GString      *out,
                         const char   *name,
                         const guint8 *data,
                         gsize         len,
                         guint64       dropped)
{
  g_string_append_printf (out, "%s\"%s\":", out->len > 1 ? "," : "", name);
  if (len == 0 || g_utf8_validate_len ((const char *) data, len, NULL))
    loom_json_append_string_len (out, len ? (const char *) data : "", len);
  else
    {
      g_autofree char *text = g_base64_encode (data, len);

      g_string_append_printf (out, "\"%s\",\"%s_encoding\":\"base64\"", text, name);
    }
  if (dropped > 0)
    g_string_append_printf (out, ",\"%s_truncated\":%" G_GUINT64_FORMAT, name, dropped);
}

/* The bytes of output @name of a detail object or a job report's task, as
 * loom_json_append_output() wrote them: the string itself, or decoded
 * when `<name>_encoding` is "base64".  NULL when @obj has no such string. */
GBytes *
loom_json_output_bytes (JsonObject *obj,
                        const char *name)
{
  g_autofree char *encoding_name = g_strconcat (name, "_encoding", NULL);
  const char *text = loom_json_string (obj, name, NULL);
  const char *encoding = loom_json_string (obj, encoding_name, NULL);

  if (text == NULL)
    return NULL;
  if (g_strcmp0 (encoding, "base64") == 0)
    {
      gsize len = 0;
      guchar *data = *text ? g_base64_decode (text, &len) : NULL;

      return g_bytes_new_take (data, len);
    }
  return g_bytes_new (text, strlen (text));
}

/* @bytes (nullable) as valid UTF-8 for display: invalid sequences become
 * U+FFFD.  NULL for NULL. */
char *
loom_output_bytes_to_text (GBytes *bytes)
{
  gsize len;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  return len > 0 ? g_utf8_make_valid (data, len) : g_strdup ("");
}
