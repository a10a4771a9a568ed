/* loom-wire.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The wire codec: signing and encoding messages into ZeroMQ frames,
 * checking and decoding received frames (size limits, HMAC signatures,
 * replayed messages), counting and logging what is dropped, and the
 * messages' accessors.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

#include "loom-common-enums.h"
#include "loom-enum-private.h"
#include "loom-json-private.h"
#include "loom-wire-private.h"

#define DIGEST_SIZE       32
/* A header is a few names and numbers: anything longer is not one. */
#define MAX_HEADER_SIZE   (64 * 1024)
#define LOG_INTERVAL_USEC (10 * G_USEC_PER_SEC)

typedef struct
{
  guint8 digest[DIGEST_SIZE];
  gint64 date;
} SeenDigest;

struct _LoomWire
{
  GHmac     *hmac;            /* keyed template, copied per message */
  gsize      max_message;
  char      *who;
  char      *session;
  guint64    counter;
  char       last_msg_id[64];

  /* Replay protection: the digests of the messages accepted, in the order
   * they came, each with its header date, until that date leaves the
   * window (see LOOM_DATE_WINDOW).  The ring grows by doubling up to
   * max_digests; the hash set's keys point into it. */
  SeenDigest *ring;
  guint      ring_cap;
  guint      ring_head;
  guint      ring_len;
  GHashTable *seen;
  gint64     date_window;
  guint      max_digests;
  gint64     forgotten_until;  /* dates up to this one were forgotten early */
  char       drop_detail[160];

  guint64    drops[LOOM_DROP_N_REASONS];
  guint64    drops_at_log[LOOM_DROP_N_REASONS];
  gint64     last_log[LOOM_DROP_N_REASONS];
};

/* LoomDropReason's type.  loom-common is in a process twice when a program
 * that needs its internals (the tests, loomctl, the engine) also loads
 * libloom-1.so, which links it whole: each copy has its own
 * loom_drop_reason_get_type(), and only the first to run may register the
 * name, so a copy uses the type if it is there already.  loom_wire_new()
 * asks first, on the thread that sets things up, before any worker thread
 * of the other copy counts a drop. */
static GType
drop_reason_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      GType registered = g_type_from_name ("LoomDropReason");

      g_once_init_leave (&type, registered ? registered : loom_drop_reason_get_type ());
    }
  return type;
}

static const char *
drop_name (LoomDropReason reason)
{
  return loom_enum_to_nick (drop_reason_type (), reason, NULL);
}

const char *
loom_drop_reason_to_string (LoomDropReason reason)
{
  g_return_val_if_fail (reason < LOOM_DROP_N_REASONS, NULL);
  return drop_name (reason);
}

static guint
digest_hash (gconstpointer p)
{
  guint h;
  memcpy (&h, p, sizeof h);
  return h;
}

static gboolean
digest_equal (gconstpointer a,
              gconstpointer b)
{
  return memcmp (a, b, DIGEST_SIZE) == 0;
}

LoomWire *
loom_wire_new (const guint8 *key,
               gsize         key_len,
               gsize         max_message_size)
{
  LoomWire *wire;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (key_len > 0, NULL);

  wire = g_new0 (LoomWire, 1);
  wire->hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  wire->max_message = max_message_size ? max_message_size : LOOM_DEFAULT_MAX_MESSAGE;
  wire->who = g_strdup ("peer");
  wire->session = g_uuid_string_random ();
  wire->session[8] = '\0';  /* short and still unique per process start */
  wire->date_window = LOOM_DATE_WINDOW;
  wire->max_digests = LOOM_REPLAY_MAX_DIGESTS;
  wire->seen = g_hash_table_new (digest_hash, digest_equal);
  g_type_ensure (drop_reason_type ());

  return wire;
}

void
loom_wire_free (LoomWire *wire)
{
  if (wire == NULL)
    return;

  g_hmac_unref (wire->hmac);
  g_hash_table_unref (wire->seen);
  g_free (wire->ring);
  g_free (wire->session);
  g_free (wire->who);
  g_free (wire);
}

const char *
loom_wire_last_msg_id (LoomWire *wire)
{
  return wire->last_msg_id;
}

gsize
loom_wire_get_max_message (LoomWire *wire)
{
  return wire->max_message;
}

void
loom_wire_set_log_domain (LoomWire   *wire,
                          const char *who)
{
  g_free (wire->who);
  wire->who = g_strdup (who);
}

void
loom_wire_apply_socket_limits (LoomWire *wire,
                               void     *socket)
{
  gint64 max = wire->max_message;
  int linger = 0;

  zmq_setsockopt (socket, ZMQ_MAXMSGSIZE, &max, sizeof max);
  zmq_setsockopt (socket, ZMQ_LINGER, &linger, sizeof linger);
}

void
loom_wire_count_drop (LoomWire       *wire,
                      LoomDropReason  reason,
                      const char     *detail)
{
  gint64 now;

  g_assert (reason < LOOM_DROP_N_REASONS);

  wire->drops[reason]++;

  /* Log the first drop of each reason at once, then at most one summary per
   * interval, so that a flood of bad messages cannot flood the log. */
  now = g_get_monotonic_time ();
  if (wire->last_log[reason] == 0 || now - wire->last_log[reason] >= LOG_INTERVAL_USEC)
    {
      guint64 since = wire->drops[reason] - wire->drops_at_log[reason];

      if (wire->last_log[reason] == 0)
        g_message ("%s: dropped a %s message%s%s",
                   wire->who, drop_name (reason),
                   detail ? ": " : "", detail ? detail : "");
      else
        g_message ("%s: dropped %" G_GUINT64_FORMAT " %s messages in the last %d s (%" G_GUINT64_FORMAT " in all)%s%s",
                   wire->who, since, drop_name (reason),
                   (int) ((now - wire->last_log[reason]) / G_USEC_PER_SEC),
                   wire->drops[reason],
                   detail ? "; last: " : "", detail ? detail : "");
      wire->last_log[reason] = now;
      wire->drops_at_log[reason] = wire->drops[reason];
    }
}

guint64
loom_wire_get_drops (LoomWire       *wire,
                     LoomDropReason  reason)
{
  g_return_val_if_fail (reason < LOOM_DROP_N_REASONS, 0);
  return wire->drops[reason];
}

guint64
loom_wire_get_total_drops (LoomWire *wire)
{
  guint64 total = 0;

  for (guint i = 0; i < LOOM_DROP_N_REASONS; i++)
    total += wire->drops[i];
  return total;
}

void
loom_wire_append_drops_json (LoomWire *wire,
                             GString  *out)
{
  g_string_append_c (out, '{');
  for (guint i = 0; i < LOOM_DROP_N_REASONS; i++)
    g_string_append_printf (out, "%s\"%s\":%" G_GUINT64_FORMAT,
                            i ? "," : "", drop_name (i), wire->drops[i]);
  g_string_append_c (out, '}');
}

static void
hmac_update_part (GHmac        *hmac,
                  const guint8 *data,
                  gsize         len)
{
  guint64 be = GUINT64_TO_BE ((guint64) len);

  g_hmac_update (hmac, (const guint8 *) &be, sizeof be);
  if (len > 0)
    g_hmac_update (hmac, data, len);
}

/* HMAC-SHA256 over the number of parts and each part with its length in
 * front (64-bit big endian), so bytes cannot be moved between frames or
 * frames added or removed without breaking the signature. */
static void
compute_digest (LoomWire      *wire,
                const void    *header,
                gsize          header_len,
                const void    *content,
                gsize          content_len,
                GBytes * const *buffers,
                guint          n_buffers,
                guint8         digest[DIGEST_SIZE])
{
  GHmac *hmac = g_hmac_copy (wire->hmac);
  guint64 n_parts = GUINT64_TO_BE ((guint64) n_buffers + 2);
  gsize len = DIGEST_SIZE;

  g_hmac_update (hmac, (const guint8 *) &n_parts, sizeof n_parts);
  hmac_update_part (hmac, header, header_len);
  hmac_update_part (hmac, content, content_len);
  for (guint i = 0; i < n_buffers; i++)
    {
      gsize blen;
      const guint8 *data = g_bytes_get_data (buffers[i], &blen);
      hmac_update_part (hmac, data, blen);
    }
  g_hmac_get_digest (hmac, digest, &len);
  g_hmac_unref (hmac);
}

static void
hex_encode (const guint8 *data,
            gsize         len,
            char         *hex)
{
  static const char hexdigits[] = "0123456789abcdef";

  for (gsize i = 0; i < len; i++)
    {
      hex[i * 2] = hexdigits[data[i] >> 4];
      hex[i * 2 + 1] = hexdigits[data[i] & 0xf];
    }
  hex[len * 2] = '\0';
}

char *
loom_key_to_hex (const guint8 *key,
                 gsize         len)
{
  char *hex = g_malloc (len * 2 + 1);

  hex_encode (key, len, hex);
  return hex;
}

gboolean
loom_key_from_hex (const char *hex,
                   guint8     *key,
                   gsize       len)
{
  if (hex == NULL || strlen (hex) != len * 2)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      int hi = g_ascii_xdigit_value (hex[i * 2]);
      int lo = g_ascii_xdigit_value (hex[i * 2 + 1]);
      if (hi < 0 || lo < 0)
        return FALSE;
      key[i] = (hi << 4) | lo;
    }
  return TRUE;
}

GPtrArray *
loom_wire_encode (LoomWire        *wire,
                  GPtrArray       *routing,
                  const char      *msg_type,
                  const char      *parent,
                  const char      *content,
                  gssize           content_len,
                  GBytes * const  *buffers,
                  guint            n_buffers)
{
  GPtrArray *frames;
  GString *header;
  guint8 digest[DIGEST_SIZE];
  char hex[DIGEST_SIZE * 2 + 1];

  g_return_val_if_fail (wire != NULL, NULL);
  g_return_val_if_fail (msg_type != NULL, NULL);

  if (content == NULL)
    content = "{}";
  if (content_len < 0)
    content_len = strlen (content);

  g_snprintf (wire->last_msg_id, sizeof wire->last_msg_id, "%s-%" G_GUINT64_FORMAT,
              wire->session, ++wire->counter);
  header = g_string_sized_new (128);
  g_string_append_printf (header, "{\"msg_id\":\"%s\",\"msg_type\":", wire->last_msg_id);
  loom_json_append_string (header, msg_type);
  g_string_append (header, ",\"parent\":");
  if (parent)
    loom_json_append_string (header, parent);
  else
    g_string_append (header, "null");
  g_string_append_printf (header, ",\"date\":%" G_GINT64_FORMAT ",\"version\":1}",
                          g_get_real_time ());

  compute_digest (wire, header->str, header->len, content, content_len,
                  buffers, n_buffers, digest);
  hex_encode (digest, DIGEST_SIZE, hex);

  frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  if (routing)
    for (guint i = 0; i < routing->len; i++)
      g_ptr_array_add (frames, g_bytes_ref (g_ptr_array_index (routing, i)));
  g_ptr_array_add (frames, g_bytes_new_static (LOOM_PROTOCOL_DELIMITER, strlen (LOOM_PROTOCOL_DELIMITER)));
  g_ptr_array_add (frames, g_bytes_new (hex, DIGEST_SIZE * 2));
  g_ptr_array_add (frames, g_string_free_to_bytes (header));
  g_ptr_array_add (frames, g_bytes_new (content, content_len));
  for (guint i = 0; i < n_buffers; i++)
    g_ptr_array_add (frames, g_bytes_ref (buffers[i]));

  return frames;
}

int
loom_wire_send_frames (void      *socket,
                       GPtrArray *frames)
{
  for (guint i = 0; i < frames->len; i++)
    {
      gsize len;
      const void *data = g_bytes_get_data (g_ptr_array_index (frames, i), &len);
      int flags = (i + 1 < frames->len) ? ZMQ_SNDMORE : 0;

      /* Sockets are never full in practice (ROUTER drops on HWM), but never
       * block the loop on one that is. */
      if (zmq_send (socket, data, len, flags | ZMQ_DONTWAIT) < 0)
        return -1;
    }
  return 0;
}

int
loom_wire_send (LoomWire        *wire,
                void            *socket,
                GPtrArray       *routing,
                const char      *msg_type,
                const char      *parent,
                const char      *content,
                gssize           content_len,
                GBytes * const  *buffers,
                guint            n_buffers)
{
  g_autoptr(GPtrArray) frames = NULL;

  frames = loom_wire_encode (wire, routing, msg_type, parent, content, content_len,
                             buffers, n_buffers);
  return loom_wire_send_frames (socket, frames);
}

static gboolean
bytes_equal_str (GBytes     *bytes,
                 const char *str)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  return len == strlen (str) && memcmp (data, str, len) == 0;
}

void
loom_wire_set_replay_limits (LoomWire *wire,
                             gint64    date_window,
                             guint     max_digests)
{
  g_return_if_fail (wire != NULL);
  g_return_if_fail (date_window > 0);
  g_return_if_fail (max_digests > 0);

  wire->date_window = date_window;
  wire->max_digests = max_digests;
}

guint
loom_wire_get_n_digests (LoomWire *wire)
{
  return wire->ring_len;
}

static SeenDigest *
ring_at (LoomWire *wire,
         guint     i)
{
  return &wire->ring[(wire->ring_head + i) % wire->ring_cap];
}

static void
ring_pop (LoomWire *wire)
{
  g_hash_table_remove (wire->seen, ring_at (wire, 0)->digest);
  wire->ring_head = (wire->ring_head + 1) % wire->ring_cap;
  wire->ring_len--;
}

/* Doubles the ring (moving its entries to the front), up to max_digests. */
static void
ring_grow (LoomWire *wire)
{
  guint cap = MAX (MIN (MAX (wire->ring_cap * 2, 4096u), wire->max_digests), wire->ring_len + 1);
  SeenDigest *ring = g_new (SeenDigest, cap);

  for (guint i = 0; i < wire->ring_len; i++)
    ring[i] = *ring_at (wire, i);
  g_free (wire->ring);
  wire->ring = ring;
  wire->ring_cap = cap;
  wire->ring_head = 0;
  g_hash_table_remove_all (wire->seen);
  for (guint i = 0; i < wire->ring_len; i++)
    g_hash_table_add (wire->seen, ring[i].digest);
}

/* Whether @date is inside the window around @now (and after what was
 * forgotten early); if not, says why in drop_detail. */
static gboolean
date_acceptable (LoomWire *wire,
                 gint64    date,
                 gint64    now)
{
  gint64 off;

  if (date <= 0)
    {
      g_snprintf (wire->drop_detail, sizeof wire->drop_detail, "no date in its header");
      return FALSE;
    }
  /* In seconds, as the check is: no overflow for any gint64 date. */
  off = date / G_USEC_PER_SEC - now / G_USEC_PER_SEC;
  if (off > wire->date_window / G_USEC_PER_SEC || off < -(wire->date_window / G_USEC_PER_SEC))
    {
      g_snprintf (wire->drop_detail, sizeof wire->drop_detail,
                  "dated %" G_GINT64_FORMAT " s %s this host's clock; more than %" G_GINT64_FORMAT " s either way is refused",
                  ABS (off), off < 0 ? "behind" : "ahead of", wire->date_window / G_USEC_PER_SEC);
      return FALSE;
    }
  if (date <= wire->forgotten_until)
    {
      g_snprintf (wire->drop_detail, sizeof wire->drop_detail,
                  "dated before the oldest of the %u messages the replay check remembers",
                  wire->max_digests);
      return FALSE;
    }
  return TRUE;
}

static gboolean
remember_digest (LoomWire     *wire,
                 const guint8  digest[DIGEST_SIZE],
                 gint64        date,
                 gint64        now)
{
  SeenDigest *slot;

  if (g_hash_table_contains (wire->seen, digest))
    return FALSE;

  /* Forget what has left the window: a replay of it is refused by date. */
  while (wire->ring_len > 0 && ring_at (wire, 0)->date < now - wire->date_window)
    ring_pop (wire);

  /* Full: forget the oldest early, and refuse its date from now on. */
  while (wire->ring_len >= wire->max_digests)
    {
      wire->forgotten_until = MAX (wire->forgotten_until, ring_at (wire, 0)->date);
      ring_pop (wire);
    }
  if (wire->ring_len == wire->ring_cap)
    ring_grow (wire);

  slot = ring_at (wire, wire->ring_len);
  memcpy (slot->digest, digest, DIGEST_SIZE);
  slot->date = date;
  wire->ring_len++;
  g_hash_table_add (wire->seen, slot->digest);

  return TRUE;
}

LoomMessage *
loom_wire_decode (LoomWire       *wire,
                  GPtrArray      *frames,
                  LoomDropReason *reason)
{
  g_autoptr(LoomMessage) msg = NULL;
  g_autoptr(JsonParser) parser = NULL;
  guint8 digest[DIGEST_SIZE];
  char hex[DIGEST_SIZE * 2 + 1];
  gsize total = 0;
  guint delim = G_MAXUINT;
  const char *sig;
  gsize sig_len;
  GBytes *header;
  JsonNode *root;
  JsonObject *obj;
  const char *type;
  gsize hlen;
  const char *hdata;

  g_return_val_if_fail (wire != NULL, NULL);
  g_return_val_if_fail (frames != NULL, NULL);
  g_return_val_if_fail (reason != NULL, NULL);

  for (guint i = 0; i < frames->len; i++)
    total += g_bytes_get_size (g_ptr_array_index (frames, i));
  if (total > wire->max_message)
    {
      *reason = LOOM_DROP_TOO_LARGE;
      return NULL;
    }

  for (guint i = 0; i < frames->len; i++)
    if (bytes_equal_str (g_ptr_array_index (frames, i), LOOM_PROTOCOL_DELIMITER))
      {
        delim = i;
        break;
      }

  if (delim == G_MAXUINT || delim + 3 >= frames->len)
    {
      *reason = LOOM_DROP_MALFORMED;
      return NULL;
    }

  sig = g_bytes_get_data (g_ptr_array_index (frames, delim + 1), &sig_len);
  if (sig_len == 0)
    {
      *reason = LOOM_DROP_UNSIGNED;
      return NULL;
    }
  /* Cheap checks before the digest, which costs as much as the message
   * is long: a signature of the wrong length, a header too long to be
   * one. */
  if (sig_len != DIGEST_SIZE * 2)
    {
      *reason = LOOM_DROP_BAD_SIGNATURE;
      return NULL;
    }
  if (g_bytes_get_size (g_ptr_array_index (frames, delim + 2)) > MAX_HEADER_SIZE)
    {
      *reason = LOOM_DROP_MALFORMED;
      return NULL;
    }

  {
    GBytes *h = g_ptr_array_index (frames, delim + 2);
    GBytes *c = g_ptr_array_index (frames, delim + 3);
    gsize clen;
    const char *cdata = g_bytes_get_data (c, &clen);

    hdata = g_bytes_get_data (h, &hlen);
    compute_digest (wire, hdata, hlen, cdata, clen,
                    (GBytes * const *) frames->pdata + delim + 4,
                    frames->len - delim - 4, digest);
  }
  hex_encode (digest, DIGEST_SIZE, hex);

  /* Constant-time comparison: do not leak how much of a forgery matched. */
  {
    guint8 diff = 0;
    for (guint i = 0; i < DIGEST_SIZE * 2; i++)
      diff |= (guint8) (sig[i] ^ hex[i]);
    if (diff != 0)
      {
        *reason = LOOM_DROP_BAD_SIGNATURE;
        return NULL;
      }
  }

  header = g_ptr_array_index (frames, delim + 2);
  hdata = g_bytes_get_data (header, &hlen);
  parser = json_parser_new_immutable ();
  if (hlen == 0 || !loom_json_check_depth (hdata, hlen, NULL) ||
      !json_parser_load_from_data (parser, hdata, hlen, NULL) ||
      !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *reason = LOOM_DROP_MALFORMED;
      return NULL;
    }

  obj = json_node_get_object (root);
  type = loom_json_string (obj, "msg_type", NULL);
  if (type == NULL || *type == '\0')
    {
      *reason = LOOM_DROP_MALFORMED;
      return NULL;
    }

  /* Authentic and well formed: now its date, then whether it was seen,
   * so a stale message takes no room in the replay cache. */
  {
    gint64 now = g_get_real_time ();
    gint64 date = loom_json_int (obj, "date", 0);

    if (!date_acceptable (wire, date, now))
      {
        *reason = LOOM_DROP_STALE;
        return NULL;
      }
    if (!remember_digest (wire, digest, date, now))
      {
        *reason = LOOM_DROP_REPLAYED;
        return NULL;
      }
  }

  msg = g_new0 (LoomMessage, 1);
  msg->routing = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < delim; i++)
    g_ptr_array_add (msg->routing, g_bytes_ref (g_ptr_array_index (frames, i)));
  msg->msg_type = g_strdup (type);
  msg->msg_id = g_strdup (loom_json_string (obj, "msg_id", ""));
  msg->parent = g_strdup (loom_json_string (obj, "parent", NULL));
  msg->date = loom_json_int (obj, "date", 0);
  msg->content = g_bytes_ref (g_ptr_array_index (frames, delim + 3));
  msg->buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = delim + 4; i < frames->len; i++)
    g_ptr_array_add (msg->buffers, g_bytes_ref (g_ptr_array_index (frames, i)));

  return g_steal_pointer (&msg);
}

static void
part_free (gpointer data)
{
  zmq_msg_t *part = data;

  zmq_msg_close (part);
  g_free (part);
}

/* The bytes of a received part, without a copy: a big frame is not held
 * twice.  Small parts are copied (a copy is cheaper than the bookkeeping)
 * and @part is left empty either way. */
static GBytes *
bytes_take_part (zmq_msg_t *part)
{
  zmq_msg_t *kept;

  if (zmq_msg_size (part) < 4096)
    return g_bytes_new (zmq_msg_data (part), zmq_msg_size (part));
  kept = g_new (zmq_msg_t, 1);
  zmq_msg_init (kept);
  zmq_msg_move (kept, part);
  return g_bytes_new_with_free_func (zmq_msg_data (kept), zmq_msg_size (kept), part_free, kept);
}

LoomMessage *
loom_wire_recv (LoomWire *wire,
                void     *socket,
                gboolean *got_any)
{
  g_autoptr(GPtrArray) frames = NULL;
  LoomDropReason reason;
  LoomMessage *msg;
  gsize total = 0;
  gboolean oversized = FALSE;
  int more;

  *got_any = FALSE;

  frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  do
    {
      zmq_msg_t part;
      size_t more_size = sizeof more;

      zmq_msg_init (&part);
      if (zmq_msg_recv (&part, socket, ZMQ_DONTWAIT) < 0)
        {
          zmq_msg_close (&part);
          if (frames->len == 0)
            return NULL;
          /* A multipart message arrives whole; this cannot happen, but if it
           * did the partial message is malformed. */
          break;
        }
      *got_any = TRUE;
      total += zmq_msg_size (&part);
      /* Keep reading the parts of an oversized message, but do not keep them. */
      if (total > wire->max_message)
        oversized = TRUE;
      else
        g_ptr_array_add (frames, bytes_take_part (&part));
      zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &more_size);
      zmq_msg_close (&part);
    }
  while (more);

  if (oversized)
    {
      loom_wire_count_drop (wire, LOOM_DROP_TOO_LARGE, NULL);
      return NULL;
    }

  msg = loom_wire_decode (wire, frames, &reason);
  if (msg == NULL)
    loom_wire_count_drop (wire, reason, reason == LOOM_DROP_STALE ? wire->drop_detail : NULL);

  return msg;
}

JsonObject *
loom_message_get_content (LoomMessage  *message,
                          GError      **error)
{
  if (message->content_node == NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (message->content, &len);
      JsonNode *node = loom_json_from_data (data, len, error);

      if (node == NULL)
        return NULL;
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          json_node_unref (node);
          g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                       "message content is not a JSON object");
          return NULL;
        }
      message->content_node = node;
    }

  return json_node_get_object (message->content_node);
}

GBytes *
loom_message_get_buffer (LoomMessage *message,
                         guint        index)
{
  if (index >= message->buffers->len)
    return NULL;
  return g_ptr_array_index (message->buffers, index);
}

void
loom_message_free (LoomMessage *message)
{
  if (message == NULL)
    return;

  g_clear_pointer (&message->routing, g_ptr_array_unref);
  g_clear_pointer (&message->buffers, g_ptr_array_unref);
  g_clear_pointer (&message->content, g_bytes_unref);
  g_clear_pointer (&message->content_node, json_node_unref);
  g_free (message->msg_type);
  g_free (message->msg_id);
  g_free (message->parent);
  g_free (message);
}
