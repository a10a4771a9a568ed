/* loom-export.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * LoomExportFormat:
 * @LOOM_EXPORT_CHROME: Chrome trace event JSON (Perfetto, chrome://tracing)
 * @LOOM_EXPORT_CSV: one row per task
 * @LOOM_EXPORT_JSON: the job reports themselves
 */
typedef enum
{
  LOOM_EXPORT_CHROME,
  LOOM_EXPORT_CSV,
  LOOM_EXPORT_JSON,
} LoomExportFormat;

gboolean  loom_export_format_from_string (const char        *name,
                                          LoomExportFormat  *format);
char     *loom_export_reports            (GPtrArray         *reports,
                                          LoomExportFormat   format,
                                          GError           **error);

G_END_DECLS
