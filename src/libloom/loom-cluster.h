/* loom-cluster.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "loom-client.h"
#include "loom-controller.h"

G_BEGIN_DECLS

#define LOOM_TYPE_CLUSTER (loom_cluster_get_type ())

G_DECLARE_FINAL_TYPE (LoomCluster, loom_cluster, LOOM, CLUSTER, GObject)

LoomCluster    *loom_cluster_new               (const char   *profile);
LoomController *loom_cluster_get_controller    (LoomCluster  *self);
LoomClient     *loom_cluster_get_client        (LoomCluster  *self);
void            loom_cluster_set_log_dir       (LoomCluster  *self,
                                                const char   *log_dir);
void            loom_cluster_set_engine_grace  (LoomCluster  *self,
                                                guint         grace_ms);
gboolean        loom_cluster_start             (LoomCluster  *self,
                                                guint         n_engines,
                                                GError      **error);
gboolean        loom_cluster_launch            (LoomCluster  *self,
                                                guint         n_engines,
                                                GError      **error);
gboolean        loom_cluster_spawn_engines     (LoomCluster  *self,
                                                guint         n_engines,
                                                GError      **error);
gboolean        loom_cluster_add_engines       (LoomCluster  *self,
                                                guint         n_engines,
                                                GError      **error);
GArray         *loom_cluster_get_engine_pids   (LoomCluster  *self);
double          loom_cluster_get_start_time    (LoomCluster  *self);
void            loom_cluster_stop              (LoomCluster  *self);

G_END_DECLS
