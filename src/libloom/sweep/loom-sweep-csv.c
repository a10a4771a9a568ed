/* loom-sweep-csv.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * CSV tables as parameters: a small reader (quoted fields, blank lines,
 * CRLF, a UTF-8 byte order mark), the columns of a table becoming
 * parameters zipped among themselves, from text, a file or the inline
 * JSON form.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-json-private.h"
#include "loom-sweep-private.h"

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
      params[i] = sweep_param_new (PARAM_CSV, n_rows);
      params[i]->name = g_strdup (g_ptr_array_index (names, i));
      params[i]->values = g_ptr_array_ref (g_ptr_array_index (columns, i));
      params[i]->csv_group = group;
    }
  if (!sweep_add_params (self, params, names->len, limit, error))
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
          else if ((node = sweep_value_from_text_finite (value)) == NULL)
            {
              g_autofree char *prefix = g_strdup_printf (_("line %u: "), line);

              return sweep_non_finite_error (error, g_ptr_array_index (names, i), prefix, value);
            }
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
 * are refused with their line number, as are data without a header and
 * names already in the sweep.  A header without rows is a group of no
 * values: the sweep then has zero tasks.  A field that reads as a number
 * that is not finite (nan, inf, 1e999) is refused, as JSON has no NaN or
 * Infinity; in double quotes it is the text.
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

gboolean
sweep_add_csv_json (LoomSweep   *self,
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

          if (!sweep_node_is_finite (value))
            return sweep_error (error, g_ptr_array_index (names, i),
                                _("row %u: the value is not a finite number (JSON has no NaN or Infinity)"), r + 1);
          g_ptr_array_add (g_ptr_array_index (columns, i), json_node_copy (value));
        }
    }

  return add_csv_columns (self, "csv", names, columns, FALSE, error);
}
