/* loom-json-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * JSON helpers: compact writing, parsing, type-checked readers of JSON that
 * came from a peer (a member of the wrong type reads as the fallback), and
 * buffers of one JSON line per task.
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void          loom_json_append_node        (GString         *out,
                                            JsonNode        *node);
void          loom_json_append_string      (GString         *out,
                                            const char      *str);
void          loom_json_append_string_len  (GString         *out,
                                            const char      *str,
                                            gssize           len);
char         *loom_json_to_string          (JsonNode        *node);
/* Deeper JSON than this is refused before it is parsed: json-glib
 * recurses once a level, and 100 000 levels overflow the stack. */
#define LOOM_JSON_MAX_DEPTH 256

gboolean      loom_json_check_depth        (const char      *data,
                                            gsize            len,
                                            GError         **error);
JsonNode     *loom_json_from_data          (const char      *data,
                                            gssize           len,
                                            GError         **error);

const char   *loom_json_string             (JsonObject      *obj,
                                            const char      *name,
                                            const char      *fallback);
gint64        loom_json_int                (JsonObject      *obj,
                                            const char      *name,
                                            gint64           fallback);
double        loom_json_double             (JsonObject      *obj,
                                            const char      *name,
                                            double           fallback);
JsonArray    *loom_json_array              (JsonObject      *obj,
                                            const char      *name);
JsonObject   *loom_json_object             (JsonObject      *obj,
                                            const char      *name);
JsonObject   *loom_json_array_object       (JsonArray       *array,
                                            guint            index);
gboolean      loom_json_row_ints           (JsonNode        *row,
                                            gint64          *values,
                                            guint            n);

/* A command's captured stdout or stderr in a task's detail object. */
void          loom_json_append_output      (GString         *out,
                                            const char      *name,
                                            const guint8    *data,
                                            gsize            len,
                                            guint64          dropped);
GBytes       *loom_json_output_bytes       (JsonObject      *obj,
                                            const char      *name);
char         *loom_output_bytes_to_text    (GBytes          *bytes);

char         *loom_double_to_text          (double           value);

/* Splits a buffer of newline-separated JSON lines into @n slices. */
GPtrArray    *loom_lines_split             (GBytes          *bytes);
void          loom_lines_append            (GString         *out,
                                            GBytes          *line,
                                            const char      *fallback);

G_END_DECLS
