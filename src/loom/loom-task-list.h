/* loom-task-list.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "loom.h"

G_BEGIN_DECLS

#define LOOM_TYPE_TASK_ITEM (loom_task_item_get_type ())
#define LOOM_TYPE_TASK_LIST (loom_task_list_get_type ())

G_DECLARE_FINAL_TYPE (LoomTaskItem, loom_task_item, LOOM, TASK_ITEM, GObject)
G_DECLARE_FINAL_TYPE (LoomTaskList, loom_task_list, LOOM, TASK_LIST, GObject)

guint               loom_task_item_get_index   (LoomTaskItem    *self);
gint64              loom_task_item_get_t0      (LoomTaskItem    *self);
const LoomTaskInfo *loom_task_item_get_info    (LoomTaskItem    *self);
JsonObject         *loom_task_item_get_params  (LoomTaskItem    *self);

LoomTaskList       *loom_task_list_new         (LoomAsyncResult *result,
                                                GBytes          *params,
                                                gint64           t0);
void                loom_task_list_task_changed (LoomTaskList   *self,
                                                guint            index);

G_END_DECLS
