/* loom-engine-info.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib-object.h>

#include "loom-types.h"

#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_TYPE_ENGINE_INFO (loom_engine_info_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomEngineInfo, loom_engine_info, LOOM, ENGINE_INFO, GObject)

LOOM_AVAILABLE_IN_ALL
guint            loom_engine_info_get_id             (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
const char      *loom_engine_info_get_host           (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
gint64           loom_engine_info_get_pid            (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
LoomEngineState  loom_engine_info_get_state          (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_engine_info_is_alive           (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
guint64          loom_engine_info_get_tasks_done     (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
guint            loom_engine_info_get_outstanding    (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
gint64           loom_engine_info_get_registered_at  (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
gint64           loom_engine_info_get_last_heartbeat (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
double           loom_engine_info_get_busy_fraction  (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
const char      *loom_engine_info_get_log            (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
const char      *loom_engine_info_get_launcher       (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
const char      *loom_engine_info_get_job_id         (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
gint64           loom_engine_info_get_clock_offset   (LoomEngineInfo *self);
LOOM_AVAILABLE_IN_ALL
gint64           loom_engine_info_get_clock_uncertainty (LoomEngineInfo *self);

G_END_DECLS
