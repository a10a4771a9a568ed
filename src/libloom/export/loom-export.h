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
 *
 * The text formats of loom_export_reports(); the nicks are the names
 * `loomctl export --format` takes.
 */
typedef enum
{
  LOOM_EXPORT_CHROME,  /*< nick=chrome >*/
  LOOM_EXPORT_CSV,     /*< nick=csv >*/
  LOOM_EXPORT_JSON,    /*< nick=json >*/
} LoomExportFormat;

LOOM_AVAILABLE_IN_ALL
gboolean  loom_export_format_from_string (const char        *name,
                                          LoomExportFormat  *format);
LOOM_AVAILABLE_IN_ALL
char     *loom_export_reports            (GPtrArray         *reports,
                                          LoomExportFormat   format,
                                          GError           **error);

G_END_DECLS
