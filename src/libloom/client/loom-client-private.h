/* loom-client-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "loom-async-result.h"
#include "loom-client.h"
#include "loom-engine-info.h"
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

LoomView        *loom_view_new                   (LoomClient       *client);

G_END_DECLS
