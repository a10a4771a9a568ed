/* loom-engine-info.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "loom-types.h"

G_BEGIN_DECLS

#define LOOM_TYPE_ENGINE_INFO (loom_engine_info_get_type ())

G_DECLARE_FINAL_TYPE (LoomEngineInfo, loom_engine_info, LOOM, ENGINE_INFO, GObject)

guint            loom_engine_info_get_id            (LoomEngineInfo *self);
const char      *loom_engine_info_get_host          (LoomEngineInfo *self);
gint64           loom_engine_info_get_pid           (LoomEngineInfo *self);
LoomEngineState  loom_engine_info_get_state         (LoomEngineInfo *self);
guint64          loom_engine_info_get_tasks_done    (LoomEngineInfo *self);
double           loom_engine_info_get_busy_fraction (LoomEngineInfo *self);

G_END_DECLS
