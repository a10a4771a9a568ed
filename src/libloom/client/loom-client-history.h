/* loom-client-history.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <gio/gio.h>

#include "loom-async-result.h"
#include "loom-client.h"
#include "loom-version-macros.h"

G_BEGIN_DECLS

LOOM_AVAILABLE_IN_ALL
void             loom_client_load_job_async  (LoomClient           *self,
                                              guint                 job_id,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
LoomAsyncResult *loom_client_load_job_finish (LoomClient           *self,
                                              GAsyncResult         *result,
                                              GBytes              **params,
                                              GError              **error);

G_END_DECLS
