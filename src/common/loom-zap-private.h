/* loom-zap-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The process's ZAP handler: which CURVE keys the controller's TCP sockets
 * admit, by role (see loom-zap.c).
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  loom_zap_secure_server (void        *socket,
                                  const char  *secret_key,
                                  const char  *domain,
                                  GError     **error);
void      loom_zap_allow         (const char  *domain,
                                  const char  *public_key,
                                  const char  *user_id);
guint64   loom_zap_get_refused   (const char  *domain);
void      loom_zap_forget        (const char  *domain);

G_END_DECLS
