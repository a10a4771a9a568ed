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

/* A CURVE key in Z85: 40 characters and a NUL. */
#define LOOM_CURVE_KEY_SIZE   41

G_BEGIN_DECLS

typedef enum
{
  LOOM_ROLE_CLIENT,
  LOOM_ROLE_ENGINE,
  LOOM_ROLE_CONTROLLER,   /* both roles' credentials and the server secret */
} LoomRole;

typedef struct
{
  char    *profile;
  char    *transport;          /* "ipc" or "tcp" */
  char    *ip;                 /* tcp only: the address it listens on */
  char    *host;               /* the controller's host name */
  int      client_port;        /* tcp only, else 0 */
  int      engine_port;
  int      event_port;
  char    *client_url;
  char    *engine_url;
  char    *event_url;
  LoomRole role;
  guint8   key[LOOM_KEY_SIZE];     /* the HMAC key of the file's role; the
                                    * clients' for the controller */
  char     curve_server[LOOM_CURVE_KEY_SIZE];   /* the controller's public key */
  char     curve_public[LOOM_CURVE_KEY_SIZE];   /* the role's keypair (clients' */
  char     curve_secret[LOOM_CURVE_KEY_SIZE];   /* for the controller) */
  /* The controller's alone: */
  guint8   engine_key[LOOM_KEY_SIZE];
  char     engine_public[LOOM_CURVE_KEY_SIZE];
  char     engine_secret[LOOM_CURVE_KEY_SIZE];
  char     server_secret[LOOM_CURVE_KEY_SIZE];
  char    *signature_scheme;
  gint64   controller_pid;
  gint64   created;            /* µs since the epoch */
} LoomConnection;

char           *loom_connection_dir               (void);
gboolean        loom_runtime_dir_check            (GError         **error);
char           *loom_connection_path_for_profile  (const char      *profile);
char           *loom_connection_engine_path       (const char      *client_path);
const char     *loom_role_to_string               (LoomRole         role);
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
LoomConnection *loom_connection_load_from_data    (const char      *data,
                                                   gssize           len,
                                                   const char      *origin,
                                                   GError         **error);
LoomConnection *loom_connection_load_for_role     (const char      *path,
                                                   LoomRole         role,
                                                   GError         **error);
LoomConnection *loom_connection_load_data_for_role (const char     *data,
                                                    gssize          len,
                                                    const char     *origin,
                                                    LoomRole        role,
                                                    GError        **error);
gboolean        loom_connection_save              (LoomConnection  *conn,
                                                   const char      *path,
                                                   GError         **error);
gboolean        loom_connection_save_as           (LoomConnection  *conn,
                                                   LoomRole         role,
                                                   const char      *path,
                                                   GError         **error);
char           *loom_connection_to_json           (LoomConnection  *conn,
                                                   LoomRole         role);
gboolean        loom_connection_take_keys         (LoomConnection  *conn,
                                                   LoomConnection  *from);
gboolean        loom_connection_secure_socket     (LoomConnection  *conn,
                                                   void            *socket,
                                                   const char      *url,
                                                   GError         **error);
gboolean        loom_connection_ping              (LoomConnection  *conn,
                                                   guint            timeout_ms);
gboolean        loom_connection_is_live           (LoomConnection  *conn);
char           *loom_connection_url               (LoomConnection  *conn,
                                                   const char      *url);
gboolean        loom_address_is_wildcard          (const char      *ip);
gboolean        loom_connection_is_stale          (LoomConnection  *conn);
void            loom_connection_remove_files      (LoomConnection  *conn,
                                                   const char      *path);
gboolean        loom_pid_is_gone                  (gint64           pid);
guint64         loom_pid_start_time               (gint64           pid);
void            loom_connection_free              (LoomConnection  *conn);
void           *loom_zmq_context                  (void);
char           *loom_connection_inproc_url        (LoomConnection  *conn,
                                                   const char      *kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomConnection, loom_connection_free)

G_END_DECLS
