/* loom-peer-util.h: a controller in the test process, and raw libzmq peers
 * that speak (or abuse) the wire protocol to it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "loom-connection-private.h"
#include "loom-wire-private.h"
#include "loom.h"

G_BEGIN_DECLS

typedef struct
{
  LoomController *ctl;
  LoomConnection *conn;
  LoomWire       *wire;         /* keyed with the clients' key */
  LoomConnection *engine_conn;  /* the engines' file */
  LoomWire       *engine_wire;  /* keyed with the engines' key */
} TestController;

void         test_controller_start (TestController *tc,
                                    gsize           max_message);
void         test_controller_start_tcp (TestController *tc,
                                        gsize           max_message,
                                        const char     *ip);
void         test_controller_stop  (TestController *tc);

void        *peer_connect          (const char     *url,
                                    int             type);
void        *peer_connect_plain    (const char     *url,
                                    int             type);
void        *peer_connect_with     (LoomConnection *conn,
                                    const char     *url,
                                    int             type);
void         peer_send_frames      (void           *sock,
                                    GPtrArray      *frames);
LoomMessage *peer_recv             (LoomWire       *wire,
                                    void           *sock,
                                    guint           timeout_ms);

G_END_DECLS
