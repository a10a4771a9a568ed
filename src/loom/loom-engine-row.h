/* loom-engine-row.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "loom.h"

G_BEGIN_DECLS

#define LOOM_TYPE_ENGINE_ROW (loom_engine_row_get_type ())

G_DECLARE_FINAL_TYPE (LoomEngineRow, loom_engine_row, LOOM, ENGINE_ROW, AdwActionRow)

GtkWidget      *loom_engine_row_new        (LoomEngineInfo *engine);
LoomEngineInfo *loom_engine_row_get_engine (LoomEngineRow  *self);

gboolean        loom_engine_state_is_alive (LoomEngineState state);

G_END_DECLS
