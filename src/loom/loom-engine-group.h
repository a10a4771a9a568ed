/* loom-engine-group.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "loom.h"

G_BEGIN_DECLS

#define LOOM_TYPE_ENGINE_GROUP (loom_engine_group_get_type ())

G_DECLARE_FINAL_TYPE (LoomEngineGroup, loom_engine_group, LOOM, ENGINE_GROUP, GtkWidget)

GtkWidget  *loom_engine_group_new         (GListModel      *engines,
                                           const char      *host,
                                           gboolean         is_local);
void        loom_engine_group_refresh     (LoomEngineGroup *self,
                                           gboolean         hosts_changed);
const char *loom_engine_group_get_host    (LoomEngineGroup *self);
gboolean    loom_engine_group_get_is_local (LoomEngineGroup *self);
GListModel *loom_engine_group_get_engines (LoomEngineGroup *self);

G_END_DECLS
