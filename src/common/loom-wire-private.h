/* loom-wire-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The wire protocol: a multipart ZeroMQ message
 *
 *   [routing ids…] "LOOM/1" signature header content [buffers…]
 *
 * header and content are compact JSON; signature is the hex HMAC-SHA256 of
 * header, content and every buffer, keyed by the cluster key.  Batched forms
 * carry one JSON line per task in a buffer so the controller can route task
 * parameters and results without parsing them.  The JSON helpers are in
 * loom-json-private.h.
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LOOM_PROTOCOL_DELIMITER     "LOOM/1"
#define LOOM_DEFAULT_MAX_MESSAGE    (64 * 1024 * 1024)
#define LOOM_KEY_SIZE               32
/* Replay protection.  A message whose header date is further than
 * LOOM_DATE_WINDOW from the receiver's clock is refused ("stale"); the
 * digest of every message accepted is remembered until its date has left
 * that window, so a message can be neither replayed inside the window nor
 * after it.  At most LOOM_REPLAY_MAX_DIGESTS are remembered (48 bytes each
 * and the hash table's share): past that the oldest is forgotten, and the
 * window's near edge moves up to its date, so what was forgotten is
 * refused as stale rather than accepted again. */
#define LOOM_DATE_WINDOW            (G_GINT64_CONSTANT (5 * 60) * G_USEC_PER_SEC)
#define LOOM_REPLAY_MAX_DIGESTS     (1024 * 1024)

/* Event streams on the PUB socket: the first frame of each message, so a
 * subscriber picks them by prefix. */
#define LOOM_EVENT_TOPIC_TASKS      "loom.tasks"
#define LOOM_EVENT_TOPIC_ENGINES    "loom.engines"

/* Why a received message was dropped.  The nicks are the reasons' names in
 * the log and in the status reply's "dropped" object (the wire protocol:
 * keep them); gnome.mkenums registers the type (loom-common-enums.h). */
typedef enum
{
  LOOM_DROP_MALFORMED,      /*< nick=malformed >*/
  LOOM_DROP_UNSIGNED,       /*< nick=unsigned >*/
  LOOM_DROP_BAD_SIGNATURE,  /*< nick=bad_signature >*/
  LOOM_DROP_REPLAYED,       /*< nick=replayed >*/
  LOOM_DROP_TOO_LARGE,      /*< nick=too_large >*/
  LOOM_DROP_UNKNOWN_TYPE,   /*< nick=unknown_type >*/
  LOOM_DROP_STALE,          /*< nick=stale >*/
  LOOM_DROP_N_REASONS       /*< skip >*/
} LoomDropReason;

typedef struct _LoomWire LoomWire;

typedef struct
{
  GPtrArray  *routing;    /* GBytes, the ROUTER envelope */
  char       *msg_type;
  char       *msg_id;
  char       *parent;     /* nullable: msg_id of the request this answers */
  gint64      date;       /* sender's clock, µs since the epoch */
  GBytes     *content;
  GPtrArray  *buffers;    /* GBytes */
  JsonNode   *content_node;
} LoomMessage;

LoomWire     *loom_wire_new                (const guint8    *key,
                                            gsize            key_len,
                                            gsize            max_message_size);
void          loom_wire_free               (LoomWire        *wire);
gsize         loom_wire_get_max_message    (LoomWire        *wire);
const char   *loom_wire_last_msg_id        (LoomWire        *wire);
void          loom_wire_set_log_domain     (LoomWire        *wire,
                                            const char      *who);
void          loom_wire_apply_socket_limits(LoomWire        *wire,
                                            void            *socket);
GPtrArray    *loom_wire_encode             (LoomWire        *wire,
                                            GPtrArray       *routing,
                                            const char      *msg_type,
                                            const char      *parent,
                                            const char      *content,
                                            gssize           content_len,
                                            GBytes * const  *buffers,
                                            guint            n_buffers);
int           loom_wire_send               (LoomWire        *wire,
                                            void            *socket,
                                            GPtrArray       *routing,
                                            const char      *msg_type,
                                            const char      *parent,
                                            const char      *content,
                                            gssize           content_len,
                                            GBytes * const  *buffers,
                                            guint            n_buffers);
int           loom_wire_send_frames        (void            *socket,
                                            GPtrArray       *frames);
LoomMessage  *loom_wire_decode             (LoomWire        *wire,
                                            GPtrArray       *frames,
                                            LoomDropReason  *reason);
LoomMessage  *loom_wire_recv               (LoomWire        *wire,
                                            void            *socket,
                                            gboolean        *got_any);
void          loom_wire_count_drop         (LoomWire        *wire,
                                            LoomDropReason   reason,
                                            const char      *detail);
guint64       loom_wire_get_drops          (LoomWire        *wire,
                                            LoomDropReason   reason);
guint64       loom_wire_get_total_drops    (LoomWire        *wire);
void          loom_wire_append_drops_json  (LoomWire        *wire,
                                            GString         *out);
const char   *loom_drop_reason_to_string   (LoomDropReason   reason);
guint         loom_wire_get_n_digests      (LoomWire        *wire);
void          loom_wire_set_replay_limits  (LoomWire        *wire,
                                            gint64           date_window,
                                            guint            max_digests);

JsonObject   *loom_message_get_content     (LoomMessage     *message,
                                            GError         **error);
GBytes       *loom_message_get_buffer      (LoomMessage     *message,
                                            guint            index);
void          loom_message_free            (LoomMessage     *message);

char         *loom_key_to_hex              (const guint8    *key,
                                            gsize            len);
gboolean      loom_key_from_hex            (const char      *hex,
                                            guint8          *key,
                                            gsize            len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomMessage, loom_message_free)

G_END_DECLS
