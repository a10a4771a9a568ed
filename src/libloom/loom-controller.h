/* loom-controller.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "loom-types.h"

G_BEGIN_DECLS

#define LOOM_TYPE_CONTROLLER (loom_controller_get_type ())

G_DECLARE_FINAL_TYPE (LoomController, loom_controller, LOOM, CONTROLLER, GObject)

LoomController *loom_controller_new                    (const char      *profile);
const char     *loom_controller_get_profile            (LoomController  *self);
void            loom_controller_set_scheme             (LoomController  *self,
                                                        LoomScheme       scheme);
LoomScheme      loom_controller_get_scheme             (LoomController  *self);
void            loom_controller_set_hwm                (LoomController  *self,
                                                        guint            hwm);
guint           loom_controller_get_hwm                (LoomController  *self);
void            loom_controller_set_heartbeat_timeout  (LoomController  *self,
                                                        guint            timeout_ms);
guint           loom_controller_get_heartbeat_timeout  (LoomController  *self);
void            loom_controller_set_retries            (LoomController  *self,
                                                        guint            retries);
void            loom_controller_set_max_message_size   (LoomController  *self,
                                                        gsize            max_size);
void            loom_controller_set_tcp                (LoomController  *self,
                                                        const char      *ip);
gboolean        loom_controller_start                  (LoomController  *self,
                                                        GError         **error);
gboolean        loom_controller_run                    (LoomController  *self,
                                                        GError         **error);
void            loom_controller_request_stop           (LoomController  *self);
void            loom_controller_stop                   (LoomController  *self);
gboolean        loom_controller_is_running             (LoomController  *self);
const char     *loom_controller_get_connection_file    (LoomController  *self);

G_END_DECLS
