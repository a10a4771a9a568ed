/* loom-client.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <gio/gio.h>

#include "loom-cluster-status.h"
#include "loom-job-info.h"
#include "loom-view.h"

#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_TYPE_CLIENT (loom_client_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomClient, loom_client, LOOM, CLIENT, GObject)

LOOM_AVAILABLE_IN_ALL
LoomClient        *loom_client_new_for_profile       (const char           *profile,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
LoomClient        *loom_client_new_for_file          (const char           *path,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
const char        *loom_client_get_connection_file   (LoomClient           *self);
LOOM_AVAILABLE_IN_ALL
GArray            *loom_client_get_ids               (LoomClient           *self,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
GListModel        *loom_client_get_engines           (LoomClient           *self);
LOOM_AVAILABLE_IN_ALL
LoomView          *loom_client_load_balanced_view    (LoomClient           *self);
LOOM_AVAILABLE_IN_ALL
LoomClusterStatus *loom_client_get_status            (LoomClient           *self,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
void               loom_client_get_status_async      (LoomClient           *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
LoomClusterStatus *loom_client_get_status_finish     (LoomClient           *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
LoomJobInfo       *loom_client_query_job             (LoomClient           *self,
                                                      guint                 job_id,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
void               loom_client_query_job_async       (LoomClient           *self,
                                                      guint                 job_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
LoomJobInfo       *loom_client_query_job_finish      (LoomClient           *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
gint64             loom_client_purge_jobs            (LoomClient           *self,
                                                      gint64                older_than,
                                                      gint64                keep,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
GListModel        *loom_client_list_jobs             (LoomClient           *self,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
void               loom_client_list_jobs_async       (LoomClient           *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
GListModel        *loom_client_list_jobs_finish      (LoomClient           *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
gboolean           loom_client_abort_job             (LoomClient           *self,
                                                      guint                 job_id,
                                                      guint                *n_aborted,
                                                      guint                *n_killing,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
void               loom_client_abort_job_async       (LoomClient           *self,
                                                      guint                 job_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
gboolean           loom_client_abort_job_finish      (LoomClient           *self,
                                                      GAsyncResult         *result,
                                                      guint                *n_aborted,
                                                      guint                *n_killing,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
JsonNode          *loom_client_get_job_report        (LoomClient           *self,
                                                      guint                 job_id,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
void               loom_client_get_job_report_async  (LoomClient           *self,
                                                      guint                 job_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
JsonNode          *loom_client_get_job_report_finish (LoomClient           *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
JsonNode          *loom_client_read_job              (LoomClient           *self,
                                                      guint                 job_id,
                                                      guint                 first,
                                                      guint                 n,
                                                      guint                *next,
                                                      LoomJobInfo         **info,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
void               loom_client_read_job_async        (LoomClient           *self,
                                                      guint                 job_id,
                                                      guint                 first,
                                                      guint                 n,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
JsonNode          *loom_client_read_job_finish       (LoomClient           *self,
                                                      GAsyncResult         *result,
                                                      guint                *next,
                                                      LoomJobInfo         **info,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
gboolean           loom_client_stop_engine           (LoomClient           *self,
                                                      guint                 engine_id,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
void               loom_client_stop_engine_async     (LoomClient           *self,
                                                      guint                 engine_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
gboolean           loom_client_stop_engine_finish    (LoomClient           *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
gboolean           loom_client_shutdown              (LoomClient           *self,
                                                      GError              **error);
LOOM_AVAILABLE_IN_ALL
void               loom_client_set_reconnect_timeout (LoomClient           *self,
                                                      guint                 timeout_ms);
LOOM_AVAILABLE_IN_ALL
void               loom_client_set_request_timeout   (LoomClient           *self,
                                                      guint                 timeout_ms);
LOOM_AVAILABLE_IN_ALL
void               loom_client_set_follow_tasks      (LoomClient           *self,
                                                      gboolean              follow);
LOOM_AVAILABLE_IN_ALL
void               loom_client_close                 (LoomClient           *self);

G_END_DECLS
