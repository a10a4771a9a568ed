/* loom-export.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib.h>
#include <json-glib/json-glib.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

/**
 * LoomExportFormat:
 * @LOOM_EXPORT_CHROME: Chrome trace event JSON (Perfetto, chrome://tracing)
 * @LOOM_EXPORT_CSV: one row per task
 * @LOOM_EXPORT_JSON: the job reports themselves
 * @LOOM_EXPORT_PNG: the timeline, as a PNG image
 * @LOOM_EXPORT_SVG: the timeline, as an SVG image
 * @LOOM_EXPORT_PDF: the timeline, as a PDF document
 *
 * What jobs can be exported as; the nicks are the names `loomctl export
 * --format` takes.  loom_export_reports() writes the text formats; the
 * image formats (loom_export_format_is_image()) are the timeline's
 * drawing, which needs GTK and lives with the app.
 */
typedef enum
{
  LOOM_EXPORT_CHROME,  /*< nick=chrome >*/
  LOOM_EXPORT_CSV,     /*< nick=csv >*/
  LOOM_EXPORT_JSON,    /*< nick=json >*/
  LOOM_EXPORT_PNG,     /*< nick=png >*/
  LOOM_EXPORT_SVG,     /*< nick=svg >*/
  LOOM_EXPORT_PDF,     /*< nick=pdf >*/
} LoomExportFormat;

LOOM_AVAILABLE_IN_ALL
gboolean    loom_export_format_from_string   (const char        *name,
                                              LoomExportFormat  *format);
LOOM_AVAILABLE_IN_ALL
const char *loom_export_format_to_string     (LoomExportFormat   format);
LOOM_AVAILABLE_IN_ALL
gboolean    loom_export_format_is_image      (LoomExportFormat   format);
LOOM_AVAILABLE_IN_ALL
const char *loom_export_format_get_extension (LoomExportFormat   format);
LOOM_AVAILABLE_IN_ALL
char       *loom_export_reports              (GPtrArray         *reports,
                                              LoomExportFormat   format,
                                              GError           **error);

G_END_DECLS
