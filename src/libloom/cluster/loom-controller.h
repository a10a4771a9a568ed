/* loom-controller.h
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

#define LOOM_TYPE_CONTROLLER (loom_controller_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomController, loom_controller, LOOM, CONTROLLER, GObject)

LOOM_AVAILABLE_IN_ALL
LoomController *loom_controller_new                    (const char      *profile);
LOOM_AVAILABLE_IN_ALL
const char     *loom_controller_get_profile            (LoomController  *self);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_scheme             (LoomController  *self,
                                                        LoomScheme       scheme);
LOOM_AVAILABLE_IN_ALL
LoomScheme      loom_controller_get_scheme             (LoomController  *self);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_hwm                (LoomController  *self,
                                                        guint            hwm);
LOOM_AVAILABLE_IN_ALL
guint           loom_controller_get_hwm                (LoomController  *self);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_heartbeat_timeout  (LoomController  *self,
                                                        guint            timeout_ms);
LOOM_AVAILABLE_IN_ALL
guint           loom_controller_get_heartbeat_timeout  (LoomController  *self);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_retries            (LoomController  *self,
                                                        guint            retries);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_max_message_size   (LoomController  *self,
                                                        gsize            max_size);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_tcp                (LoomController  *self,
                                                        const char      *ip);
LOOM_AVAILABLE_IN_ALL
gboolean        loom_controller_start                  (LoomController  *self,
                                                        GError         **error);
LOOM_AVAILABLE_IN_ALL
gboolean        loom_controller_run                    (LoomController  *self,
                                                        GError         **error);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_request_stop           (LoomController  *self);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_stop                   (LoomController  *self);
LOOM_AVAILABLE_IN_ALL
gboolean        loom_controller_is_running             (LoomController  *self);
LOOM_AVAILABLE_IN_ALL
const char     *loom_controller_get_connection_file    (LoomController  *self);

G_END_DECLS
