/* loom-cluster-status.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "loom-types.h"

#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_TYPE_CLUSTER_STATUS (loom_cluster_status_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomClusterStatus, loom_cluster_status, LOOM, CLUSTER_STATUS, GObject)

LOOM_AVAILABLE_IN_ALL
const char         *loom_cluster_status_get_profile           (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
const char         *loom_cluster_status_get_store_path        (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint64             loom_cluster_status_get_store_size        (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
const char         *loom_cluster_status_get_connection_file   (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
const char         *loom_cluster_status_get_host              (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
gint64              loom_cluster_status_get_pid               (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
gint64              loom_cluster_status_get_started           (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
LoomScheme          loom_cluster_status_get_scheme            (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint               loom_cluster_status_get_hwm               (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint               loom_cluster_status_get_heartbeat_timeout (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint               loom_cluster_status_get_retries           (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint64             loom_cluster_status_get_max_message_size  (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
GListModel         *loom_cluster_status_get_engines           (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint               loom_cluster_status_get_n_jobs            (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint               loom_cluster_status_get_n_queued          (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint               loom_cluster_status_get_n_running         (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint64             loom_cluster_status_get_tasks_finished    (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint64             loom_cluster_status_get_stale_results     (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
const char * const *loom_cluster_status_get_drop_reasons      (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint64             loom_cluster_status_get_dropped           (LoomClusterStatus *self,
                                                               const char        *reason);
LOOM_AVAILABLE_IN_ALL
guint64             loom_cluster_status_get_replies_dropped   (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint64             loom_cluster_status_get_results_dropped   (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
const char * const *loom_cluster_status_get_limit_names       (LoomClusterStatus *self);
LOOM_AVAILABLE_IN_ALL
guint64             loom_cluster_status_get_limit             (LoomClusterStatus *self,
                                                               const char        *name,
                                                               gint64            *used);
LOOM_AVAILABLE_IN_ALL
JsonNode           *loom_cluster_status_to_json               (LoomClusterStatus *self);

G_END_DECLS
