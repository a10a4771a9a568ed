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

/* The functions of LoomController are documented where they are defined,
 * in src/controller/loom-controller.c; those documented here are the ones
 * that file leaves without a comment. */

/**
 * LoomController:
 *
 * The scheduler of a cluster: it load-balances tasks over engines, keeps
 * every job's records and publishes events.  It runs as the
 * loom-controller daemon (loom_controller_run()) or embedded in a program
 * on a thread of its own (loom_controller_start(), as #LoomCluster does);
 * clients and engines find it through its connection file.
 */

LOOM_AVAILABLE_IN_ALL
LoomController *loom_controller_new                    (const char      *profile);

/**
 * loom_controller_get_profile:
 * @self: a #LoomController
 *
 * Returns: (nullable): the profile the controller publishes its connection
 *   file for, or %NULL for a private controller
 */
LOOM_AVAILABLE_IN_ALL
const char     *loom_controller_get_profile            (LoomController  *self);

/**
 * loom_controller_set_scheme:
 * @self: a #LoomController
 * @scheme: how to pick an engine for the tasks of jobs that do not say
 */
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_scheme             (LoomController  *self,
                                                        LoomScheme       scheme);

/**
 * loom_controller_get_scheme:
 * @self: a #LoomController
 *
 * Returns: how the controller picks engines for jobs that do not say
 */
LOOM_AVAILABLE_IN_ALL
LoomScheme      loom_controller_get_scheme             (LoomController  *self);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_hwm                (LoomController  *self,
                                                        guint            hwm);

/**
 * loom_controller_get_hwm:
 * @self: a #LoomController
 *
 * Returns: how many tasks an engine may hold at once, or 0 for auto
 *   (see loom_controller_set_hwm())
 */
LOOM_AVAILABLE_IN_ALL
guint           loom_controller_get_hwm                (LoomController  *self);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_heartbeat_timeout  (LoomController  *self,
                                                        guint            timeout_ms);

/**
 * loom_controller_get_heartbeat_timeout:
 * @self: a #LoomController
 *
 * Returns: milliseconds without a heartbeat after which an engine is dead
 */
LOOM_AVAILABLE_IN_ALL
guint           loom_controller_get_heartbeat_timeout  (LoomController  *self);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_retries            (LoomController  *self,
                                                        guint            retries);

/**
 * loom_controller_set_max_message_size:
 * @self: a #LoomController, not started yet
 * @max_size: the largest message to accept, in bytes; 0 for the default
 *
 * Larger messages are dropped and counted, never parsed.
 */
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_max_message_size   (LoomController  *self,
                                                        gsize            max_size);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_tcp                (LoomController  *self,
                                                        const char      *ip);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_location           (LoomController  *self,
                                                        const char      *location);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_store              (LoomController  *self,
                                                        gboolean         enabled,
                                                        const char      *path);
LOOM_AVAILABLE_IN_ALL
void            loom_controller_set_retention          (LoomController  *self,
                                                        gint64           keep_jobs,
                                                        gint64           keep_for_usec);
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

/**
 * loom_controller_is_running:
 * @self: a #LoomController
 *
 * Returns: %TRUE while the controller serves and no stop was requested
 */
LOOM_AVAILABLE_IN_ALL
gboolean        loom_controller_is_running             (LoomController  *self);

/**
 * loom_controller_get_connection_file:
 * @self: a #LoomController
 *
 * Returns: (nullable) (type filename): the connection file the controller
 *   wrote, once started
 */
LOOM_AVAILABLE_IN_ALL
const char     *loom_controller_get_connection_file    (LoomController  *self);

G_END_DECLS
