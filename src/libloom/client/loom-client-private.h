/* loom-client-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "loom-async-result.h"
#include "loom-client.h"
#include "loom-cluster-status.h"
#include "loom-engine-info.h"
#include "loom-enum-private.h"
#include "loom-job-info.h"
#include "loom-json-private.h"
#include "loom-wire-private.h"

G_BEGIN_DECLS

LoomMessage     *loom_client_request             (LoomClient       *self,
                                                  const char       *msg_type,
                                                  const char       *content,
                                                  GError          **error);
JsonObject      *loom_client_request_object      (LoomClient       *self,
                                                  const char       *msg_type,
                                                  const char       *content,
                                                  GError          **error);
void             loom_client_request_async       (LoomClient       *self,
                                                  const char       *msg_type,
                                                  const char       *content,
                                                  gpointer          source_tag,
                                                  GCancellable     *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer          user_data);
LoomMessage     *loom_client_request_finish      (LoomClient       *self,
                                                  GAsyncResult     *result,
                                                  gpointer          source_tag,
                                                  GError          **error);
gboolean         loom_client_in_main_loop        (LoomClient       *self);
void             loom_client_wait                (LoomClient       *self,
                                                  gboolean         *done,
                                                  double            timeout);
void             loom_client_submit              (LoomClient       *self,
                                                  LoomAsyncResult  *result,
                                                  char             *content,
                                                  GBytes           *params,
                                                  gboolean          ack);

LoomAsyncResult *loom_async_result_new           (LoomClient       *client,
                                                  guint             n_tasks,
                                                  gboolean          single);
void             loom_async_result_set_job       (LoomAsyncResult  *self,
                                                  guint             job_id);
gint             loom_async_result_peek_job_id   (LoomAsyncResult  *self);
void             loom_async_result_fail          (LoomAsyncResult  *self,
                                                  const GError     *error);
void             loom_async_result_mark_started  (LoomAsyncResult  *self,
                                                  gint64            index,
                                                  gint64            engine,
                                                  gint64            started);
gboolean         loom_async_result_apply         (LoomAsyncResult  *self,
                                                  JsonArray        *rows,
                                                  GPtrArray        *results,
                                                  GPtrArray        *details);

LoomEngineInfo  *loom_engine_info_new            (guint             id);
void             loom_engine_info_update         (LoomEngineInfo   *self,
                                                  JsonObject       *obj);
void             loom_engine_info_build_json     (LoomEngineInfo   *self,
                                                  JsonBuilder      *builder);

LoomClusterStatus *loom_cluster_status_new_from_reply (LoomMessage *reply,
                                                       GError     **error);

LoomJobInfo     *loom_job_info_new_from_summary  (JsonObject       *summary);
void             loom_job_info_count_tasks       (LoomJobInfo      *self,
                                                  JsonArray        *rows);
LoomJobInfo     *loom_job_info_new_from_reply    (LoomMessage      *reply,
                                                  GError          **error);
void             loom_job_info_build_report      (LoomJobInfo      *self,
                                                  JsonObject       *job);
GListModel      *loom_job_info_list_from_reply   (LoomMessage      *reply,
                                                  GError          **error);

JsonObject      *loom_report_task_new            (const gint64      v[9],
                                                  GBytes           *result,
                                                  GBytes           *detail,
                                                  JsonNode         *params);

LoomView        *loom_view_new                   (LoomClient       *client);

G_END_DECLS
