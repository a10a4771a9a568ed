/* loom-connection-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The connection file, $XDG_RUNTIME_DIR/loom/<profile>.json (mode 0600): how
 * clients, engines and the app find a running controller, and its key.
 */

#pragma once

#include <glib.h>

#include "loom-wire-private.h"

/* The longest profile name, in bytes. */
#define LOOM_PROFILE_NAME_MAX 64

G_BEGIN_DECLS

typedef struct
{
  char    *profile;
  char    *transport;          /* "ipc" or "tcp" */
  char    *ip;                 /* tcp only */
  int      client_port;        /* tcp only, else 0 */
  int      engine_port;
  int      event_port;
  char    *client_url;
  char    *engine_url;
  char    *event_url;
  guint8   key[LOOM_KEY_SIZE];
  char    *signature_scheme;
  gint64   controller_pid;
  gint64   created;            /* µs since the epoch */
} LoomConnection;

char           *loom_connection_dir               (void);
gboolean        loom_runtime_dir_check            (GError         **error);
char           *loom_connection_path_for_profile  (const char      *profile);
gboolean        loom_profile_name_is_valid        (const char      *profile);
gboolean        loom_profile_name_check           (const char      *profile,
                                                   GError         **error);
gboolean        loom_listen_address_check         (const char      *ip,
                                                   GError         **error);
LoomConnection *loom_connection_new               (const char      *profile);
LoomConnection *loom_connection_load              (const char      *path,
                                                   GError         **error);
gboolean        loom_connection_dir_ensure        (const char      *dir,
                                                   GError         **error);
gboolean        loom_connection_save              (LoomConnection  *conn,
                                                   const char      *path,
                                                   GError         **error);
char           *loom_connection_to_json           (LoomConnection  *conn);
gboolean        loom_connection_ping              (LoomConnection  *conn,
                                                   guint            timeout_ms);
gboolean        loom_connection_is_live           (LoomConnection  *conn);
gboolean        loom_connection_is_stale          (LoomConnection  *conn);
void            loom_connection_remove_files      (LoomConnection  *conn,
                                                   const char      *path);
gboolean        loom_pid_is_gone                  (gint64           pid);
void            loom_connection_free              (LoomConnection  *conn);
void           *loom_zmq_context                  (void);
char           *loom_connection_inproc_url        (LoomConnection  *conn,
                                                   const char      *kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomConnection, loom_connection_free)

G_END_DECLS
