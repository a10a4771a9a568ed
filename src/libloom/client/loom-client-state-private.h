/* loom-client-state-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The client's state and its requests in flight, shared by the files of
 * the client itself (loom-client.c: sockets, requests, the pump;
 * loom-client-engines.c: the engines model and a restarted controller).
 * Nothing else includes it.
 */

#pragma once

#include <gio/gio.h>

#include "loom-client-private.h"
#include "loom-connection-private.h"

G_BEGIN_DECLS

typedef struct _Op Op;
typedef void (*OpComplete) (LoomClient *self, Op *op, LoomMessage *reply, const GError *error);

struct _Op
{
  char            *msg_type;
  char            *msg_id;       /* its key in pending, once sent */
  OpComplete       complete;
  LoomAsyncResult *result;       /* submit */
  guint            ref;
  gint64           deadline;     /* monotonic */
  gboolean         done;         /* synchronous callers wait for this */
  LoomMessage     *reply;
  GError          *error;
  GTask           *task;         /* asynchronous requests */
  GSource         *cancel_source;
};

/**
 * LoomClient:
 *
 * A connection to a cluster's controller, like ipyparallel's `Client`:
 * the engines' ids and a live model of them, load-balanced views
 * (loom_client_load_balanced_view()), jobs and their reports, and the
 * controller's status.
 *
 * Blocking calls drive the sockets themselves; the `_async` ones, results
 * and the engines model are served from a source on the main context that
 * was the thread default when the client was made.  A client, its views
 * and its results belong to the thread that created it.
 */
struct _LoomClient
{
  GObject          parent_instance;

  char            *connection_path;
  LoomConnection  *conn;
  LoomWire        *wire;
  void            *dealer;
  void            *sub;
  GThread         *owner;
  guint            request_timeout_ms;
  gboolean         closed;

  GHashTable      *pending;         /* msg_id -> Op */
  GHashTable      *jobs;            /* ref -> LoomAsyncResult, until complete */
  guint            next_ref;
  gint64           last_heard;
  gint64           last_ping;
  gint64           controller_started;  /* from pongs: a new value is a restart */
  guint            reconnect_timeout_ms;
  gint64           last_tick;
  gboolean         engines_dirty;
  gboolean         engines_wanted;  /* someone asked for the model */
  gboolean         follow_tasks;    /* subscribed to task events too */
  guint            pump_depth;      /* inside client_pump () */
  gint64           last_dispatch;   /* when the GSource last ran */
  gint64           drain_budget;    /* µs per socket per dispatch, 0: all */
  gboolean         drain_cut;       /* the last dispatch left messages */
  gboolean         engines_in_flight;
  guint64          last_event_seq;

  GMainContext    *context;
  GSource         *source;
  GListStore      *engines;
};

Op      *loom_client_op_new            (const char   *msg_type,
                                        OpComplete    complete);
void     loom_client_op_free           (Op           *op);
gboolean loom_client_send_op           (LoomClient   *self,
                                        Op           *op,
                                        const char   *content,
                                        GBytes       *buffer,
                                        gboolean      track);
GError  *loom_client_error_from_reply  (LoomMessage  *reply);

/* loom-client-engines.c */
void     loom_client_complete_engines  (LoomClient   *self,
                                        Op           *op,
                                        LoomMessage  *reply,
                                        const GError *error);
void     loom_client_complete_pong     (LoomClient   *self,
                                        Op           *op,
                                        LoomMessage  *reply,
                                        const GError *error);

G_END_DECLS
