/* loom-cluster.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib-object.h>

#include "loom-client.h"
#include "loom-controller.h"

#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_TYPE_CLUSTER (loom_cluster_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomCluster, loom_cluster, LOOM, CLUSTER, GObject)

LOOM_AVAILABLE_IN_ALL
LoomCluster    *loom_cluster_new               (const char   *profile);
LOOM_AVAILABLE_IN_ALL
LoomController *loom_cluster_get_controller    (LoomCluster  *self);
LOOM_AVAILABLE_IN_ALL
LoomClient     *loom_cluster_get_client        (LoomCluster  *self);
LOOM_AVAILABLE_IN_ALL
void            loom_cluster_set_log_dir       (LoomCluster  *self,
                                                const char   *log_dir);
LOOM_AVAILABLE_IN_ALL
void            loom_cluster_set_engine_grace  (LoomCluster  *self,
                                                guint         grace_ms);
LOOM_AVAILABLE_IN_ALL
gboolean        loom_cluster_start             (LoomCluster  *self,
                                                guint         n_engines,
                                                GError      **error);
LOOM_AVAILABLE_IN_ALL
gboolean        loom_cluster_launch            (LoomCluster  *self,
                                                guint         n_engines,
                                                GError      **error);
LOOM_AVAILABLE_IN_ALL
gboolean        loom_cluster_spawn_engines     (LoomCluster  *self,
                                                guint         n_engines,
                                                GError      **error);
LOOM_AVAILABLE_IN_ALL
gboolean        loom_cluster_add_engines       (LoomCluster  *self,
                                                guint         n_engines,
                                                GError      **error);
LOOM_AVAILABLE_IN_ALL
GArray         *loom_cluster_get_engine_pids   (LoomCluster  *self);
LOOM_AVAILABLE_IN_ALL
double          loom_cluster_get_start_time    (LoomCluster  *self);
LOOM_AVAILABLE_IN_ALL
void            loom_cluster_stop              (LoomCluster  *self);

G_END_DECLS
