/* loom-client.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "loom-view.h"

G_BEGIN_DECLS

#define LOOM_TYPE_CLIENT (loom_client_get_type ())

G_DECLARE_FINAL_TYPE (LoomClient, loom_client, LOOM, CLIENT, GObject)

LoomClient  *loom_client_new_for_profile      (const char   *profile,
                                               GError      **error);
LoomClient  *loom_client_new_for_file         (const char   *path,
                                               GError      **error);
const char  *loom_client_get_connection_file  (LoomClient   *self);
GArray      *loom_client_get_ids              (LoomClient   *self,
                                               GError      **error);
GListModel  *loom_client_get_engines          (LoomClient   *self);
LoomView    *loom_client_load_balanced_view   (LoomClient   *self);
JsonObject  *loom_client_get_status           (LoomClient   *self,
                                               GError      **error);
JsonObject  *loom_client_query_job            (LoomClient   *self,
                                               guint         job_id,
                                               GError      **error);
JsonObject  *loom_client_list_jobs            (LoomClient   *self,
                                               GError      **error);
JsonObject  *loom_client_abort_job            (LoomClient   *self,
                                               guint         job_id,
                                               GError      **error);
JsonNode    *loom_client_get_job_report       (LoomClient   *self,
                                               guint         job_id,
                                               GError      **error);
gboolean     loom_client_stop_engine          (LoomClient   *self,
                                               guint         engine_id,
                                               GError      **error);
gboolean     loom_client_shutdown             (LoomClient   *self,
                                               GError      **error);
void         loom_client_set_request_timeout  (LoomClient   *self,
                                               guint         timeout_ms);
void         loom_client_set_follow_tasks     (LoomClient   *self,
                                               gboolean      follow);
void         loom_client_close                (LoomClient   *self);

G_END_DECLS
