/* test-protocol.c: the signed wire protocol, alone and against a real controller
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "Loom-Test"

#include "config.h"

#include <string.h>
#include <zmq.h>

#include "loom-connection-private.h"
#include "loom-json-private.h"
#include "loom-wire-private.h"
#include "loom-peer-util.h"
#include "loom.h"

static const guint8 test_key[LOOM_KEY_SIZE] = {
  0x4c, 0x6f, 0x6f, 0x6d, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x6b, 0x65, 0x79, 0x20, 0x30, 0x31,
  0x90, 0x81, 0x72, 0x63, 0x54, 0x45, 0x36, 0x27, 0x18, 0x09, 0xfa, 0xeb, 0xdc, 0xcd, 0xbe, 0xaf,
};

static const guint8 other_key[LOOM_KEY_SIZE] = {
  0x4c, 0x6f, 0x6f, 0x6d, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x6b, 0x65, 0x79, 0x20, 0x30, 0x32,
  0x90, 0x81, 0x72, 0x63, 0x54, 0x45, 0x36, 0x27, 0x18, 0x09, 0xfa, 0xeb, 0xdc, 0xcd, 0xbe, 0xaf,
};

#define WAIT_SECONDS 5

/* --- helpers ------------------------------------------------------------- */

static GBytes *
bytes_from_string (const char *str)
{
  return g_bytes_new (str, strlen (str));
}

static GPtrArray *
frames_copy (GPtrArray *frames)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < frames->len; i++)
    g_ptr_array_add (copy, g_bytes_ref (g_ptr_array_index (frames, i)));
  return copy;
}

static void
frames_replace (GPtrArray *frames,
                guint      index,
                GBytes    *bytes)
{
  g_assert_cmpuint (index, <, frames->len);
  g_bytes_unref (g_ptr_array_index (frames, index));
  frames->pdata[index] = bytes;
}

static gsize
frames_total_size (GPtrArray *frames)
{
  gsize total = 0;

  for (guint i = 0; i < frames->len; i++)
    total += g_bytes_get_size (g_ptr_array_index (frames, i));
  return total;
}

static guint
frames_find_delimiter (GPtrArray *frames)
{
  for (guint i = 0; i < frames->len; i++)
    {
      gsize len;
      const char *data = g_bytes_get_data (g_ptr_array_index (frames, i), &len);

      if (len == strlen (LOOM_PROTOCOL_DELIMITER) && memcmp (data, LOOM_PROTOCOL_DELIMITER, len) == 0)
        return i;
    }
  g_assert_not_reached ();
}

static void
assert_bytes_equal (GBytes     *bytes,
                    const void *data,
                    gsize       len)
{
  gsize got_len;
  const void *got = g_bytes_get_data (bytes, &got_len);

  g_assert_cmpmem (got, got_len, data, len);
}

static void
assert_bytes_equal_str (GBytes     *bytes,
                        const char *str)
{
  assert_bytes_equal (bytes, str, strlen (str));
}

/* The signature computed independently of the library, from the protocol's
 * description: the hex HMAC-SHA256 of header, content and every buffer
 * (@parts, the frames after the signature).  The one place that knows how
 * messages are signed. */
static char *
sign_parts (const guint8   *key,
            GBytes * const *parts,
            guint           n_parts)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, LOOM_KEY_SIZE);

  guint64 be = GUINT64_TO_BE ((guint64) n_parts);

  /* The number of parts, then each part with its 64-bit big-endian length. */
  g_hmac_update (hmac, (const guint8 *) &be, sizeof be);
  for (guint i = 0; i < n_parts; i++)
    {
      be = GUINT64_TO_BE ((guint64) g_bytes_get_size (parts[i]));
      g_hmac_update (hmac, (const guint8 *) &be, sizeof be);
      g_hmac_update (hmac, g_bytes_get_data (parts[i], NULL), g_bytes_get_size (parts[i]));
    }
  return g_strdup (g_hmac_get_string (hmac));
}

/* Frames built by hand: "LOOM/1" signature header content [buffer].  A
 * header written with "date":1 gets the current time there instead, so
 * that it is inside the receiver's date window (test_replay_dates checks
 * the window itself). */
static GPtrArray *
build_frames (const guint8 *key,
              const char   *header,
              const char   *content,
              const char   *buffer,
              gsize         buffer_len)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *sig = NULL;
  g_autofree char *now = g_strdup_printf ("\"date\":%" G_GINT64_FORMAT, g_get_real_time ());
  g_autoptr(GString) dated = g_string_new (header);

  g_string_replace (dated, "\"date\":1,", "\"date\":1@,", 0);
  g_string_replace (dated, "\"date\":1}", "\"date\":1@}", 0);
  g_string_replace (dated, "\"date\":1@", now, 0);
  header = dated->str;

  g_ptr_array_add (frames, bytes_from_string (LOOM_PROTOCOL_DELIMITER));
  g_ptr_array_add (frames, NULL);
  g_ptr_array_add (frames, bytes_from_string (header));
  g_ptr_array_add (frames, bytes_from_string (content));
  if (buffer != NULL)
    g_ptr_array_add (frames, g_bytes_new (buffer, buffer_len));

  sig = sign_parts (key, (GBytes * const *) frames->pdata + 2, frames->len - 2);
  frames->pdata[1] = bytes_from_string (sig);
  return frames;
}

static void
assert_decode_fails (LoomWire       *wire,
                     GPtrArray      *frames,
                     LoomDropReason  expected)
{
  g_autoptr(LoomMessage) msg = NULL;
  LoomDropReason reason = LOOM_DROP_N_REASONS;

  msg = loom_wire_decode (wire, frames, &reason);
  g_assert_null (msg);
  g_assert_cmpstr (loom_drop_reason_to_string (reason), ==, loom_drop_reason_to_string (expected));
}

static LoomMessage *
decode_ok (LoomWire  *wire,
           GPtrArray *frames)
{
  LoomDropReason reason = LOOM_DROP_N_REASONS;
  LoomMessage *msg = loom_wire_decode (wire, frames, &reason);

  if (msg == NULL)
    g_error ("decode failed: %s", loom_drop_reason_to_string (reason));
  return msg;
}

/* --- round trip ---------------------------------------------------------- */

static void
test_round_trip (void)
{
  static const guint8 binary[] = { 0x00, 0xff, 0x0a, 0x4c, 0x4f, 0x4f, 0x4d, 0x00 };
  const char *content = "{\"x\":1,\"name\":\"caf\xc3\xa9\"}";
  g_autoptr(GPtrArray) routing = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(LoomMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_sig = NULL;
  g_autofree char *sent_id = NULL;
  LoomWire *sender = loom_wire_new (test_key, sizeof test_key, 0);
  LoomWire *receiver = loom_wire_new (test_key, sizeof test_key, 0);
  GBytes *buffers[3];
  JsonObject *obj;
  gint64 before, after;
  guint delim;

  g_assert_cmpuint (loom_wire_get_max_message (sender), ==, LOOM_DEFAULT_MAX_MESSAGE);

  g_ptr_array_add (routing, bytes_from_string ("client-7"));
  g_ptr_array_add (routing, g_bytes_new (binary, 5));
  buffers[0] = bytes_from_string ("{\"a\":1}\n{\"a\":2}\n{\"a\":3}");
  buffers[1] = g_bytes_new (NULL, 0);
  buffers[2] = g_bytes_new (binary, sizeof binary);

  before = g_get_real_time ();
  frames = loom_wire_encode (sender, routing, "submit", "abcd-41", content, -1, buffers, 3);
  after = g_get_real_time ();
  sent_id = g_strdup (loom_wire_last_msg_id (sender));
  g_assert_cmpstr (sent_id, !=, "");

  /* routing… "LOOM/1" signature header content buffer×3 */
  g_assert_cmpuint (frames->len, ==, 2 + 4 + 3);
  delim = frames_find_delimiter (frames);
  g_assert_cmpuint (delim, ==, 2);

  /* The frames are what was given, signed as the protocol says. */
  assert_bytes_equal_str (g_ptr_array_index (frames, delim + 3), content);
  for (guint i = 0; i < 3; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (frames, delim + 4 + i), buffers[i]));
  expected_sig = sign_parts (test_key, (GBytes * const *) frames->pdata + delim + 2, frames->len - delim - 2);
  assert_bytes_equal_str (g_ptr_array_index (frames, delim + 1), expected_sig);

  msg = decode_ok (receiver, frames);
  g_assert_cmpstr (msg->msg_type, ==, "submit");
  g_assert_cmpstr (msg->parent, ==, "abcd-41");
  g_assert_cmpstr (msg->msg_id, ==, sent_id);
  g_assert_cmpint (msg->date, >=, before);
  g_assert_cmpint (msg->date, <=, after);
  assert_bytes_equal_str (msg->content, content);

  g_assert_cmpuint (msg->routing->len, ==, 2);
  assert_bytes_equal_str (g_ptr_array_index (msg->routing, 0), "client-7");
  assert_bytes_equal (g_ptr_array_index (msg->routing, 1), binary, 5);

  g_assert_cmpuint (msg->buffers->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_true (g_bytes_equal (loom_message_get_buffer (msg, i), buffers[i]));
  g_assert_null (loom_message_get_buffer (msg, 3));

  obj = loom_message_get_content (msg, &error);
  g_assert_no_error (error);
  g_assert_nonnull (obj);
  g_assert_cmpint (json_object_get_int_member (obj, "x"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (obj, "name"), ==, "caf\xc3\xa9");
  /* Parsed once, then cached. */
  g_assert_true (loom_message_get_content (msg, NULL) == obj);
  g_clear_pointer (&msg, loom_message_free);
  g_clear_pointer (&frames, g_ptr_array_unref);

  /* No routing, no parent, no buffers, default content. */
  frames = loom_wire_encode (sender, NULL, "ping", NULL, NULL, -1, NULL, 0);
  g_assert_cmpuint (frames->len, ==, 4);
  msg = decode_ok (receiver, frames);
  g_assert_cmpstr (msg->msg_type, ==, "ping");
  g_assert_null (msg->parent);
  g_assert_cmpstr (msg->msg_id, !=, sent_id);
  g_assert_cmpstr (msg->msg_id, ==, loom_wire_last_msg_id (sender));
  g_assert_cmpuint (msg->routing->len, ==, 0);
  g_assert_cmpuint (msg->buffers->len, ==, 0);
  assert_bytes_equal_str (msg->content, "{}");
  g_clear_pointer (&msg, loom_message_free);
  g_clear_pointer (&frames, g_ptr_array_unref);

  /* A msg_type that needs escaping survives, and content that is not an
   * object is refused by loom_message_get_content(). */
  frames = loom_wire_encode (sender, NULL, "we\"ird\ntype", NULL, "[1,2]", -1, NULL, 0);
  msg = decode_ok (receiver, frames);
  g_assert_cmpstr (msg->msg_type, ==, "we\"ird\ntype");
  g_assert_null (loom_message_get_content (msg, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);

  for (guint i = 0; i < 3; i++)
    g_bytes_unref (buffers[i]);
  loom_wire_free (sender);
  loom_wire_free (receiver);
}

/* --- signatures ---------------------------------------------------------- */

static void
test_signature (void)
{
  g_autoptr(GPtrArray) frames = NULL;
  LoomWire *sender = loom_wire_new (test_key, sizeof test_key, 0);
  LoomWire *receiver = loom_wire_new (test_key, sizeof test_key, 0);
  LoomWire *stranger = loom_wire_new (other_key, sizeof other_key, 0);
  GBytes *buffers[2];
  guint delim;
  guint n_tried = 0;

  buffers[0] = bytes_from_string ("{\"p\":1}\n{\"p\":2}");
  buffers[1] = bytes_from_string ("xyz");
  frames = loom_wire_encode (sender, NULL, "submit", "parent-1", "{\"count\":2}", -1, buffers, 2);
  delim = frames_find_delimiter (frames);

  /* Every single-byte change to header, content or a buffer: each of the
   * 255 other values at each position; then the last byte dropped, and a
   * byte added. */
  for (guint f = delim + 2; f < frames->len; f++)
    {
      gsize len;
      const guint8 *orig = g_bytes_get_data (g_ptr_array_index (frames, f), &len);

      g_assert_cmpuint (len, >, 0);
      for (gsize pos = 0; pos < len; pos++)
        for (guint x = 1; x < 256; x++)
          {
            g_autoptr(GPtrArray) bad = frames_copy (frames);
            guint8 *data = g_memdup2 (orig, len);

            data[pos] ^= x;
            frames_replace (bad, f, g_bytes_new_take (data, len));
            assert_decode_fails (receiver, bad, LOOM_DROP_BAD_SIGNATURE);
            n_tried++;
          }

      {
        g_autoptr(GPtrArray) shorter = frames_copy (frames);
        g_autoptr(GPtrArray) longer = frames_copy (frames);
        guint8 *data = g_malloc (len + 1);

        frames_replace (shorter, f, g_bytes_new (orig, len - 1));
        assert_decode_fails (receiver, shorter, LOOM_DROP_BAD_SIGNATURE);

        memcpy (data, orig, len);
        data[len] = ' ';
        frames_replace (longer, f, g_bytes_new_take (data, len + 1));
        assert_decode_fails (receiver, longer, LOOM_DROP_BAD_SIGNATURE);
        n_tried += 2;
      }
    }
  g_assert_cmpuint (n_tried, >, 100 * 255);

  /* A change to the signature itself. */
  {
    g_autoptr(GPtrArray) bad = frames_copy (frames);
    gsize len;
    guint8 *sig = g_bytes_unref_to_data (g_bytes_ref (g_ptr_array_index (frames, delim + 1)), &len);

    sig[len - 1] = sig[len - 1] == '0' ? '1' : '0';
    frames_replace (bad, delim + 1, g_bytes_new_take (sig, len));
    assert_decode_fails (receiver, bad, LOOM_DROP_BAD_SIGNATURE);
  }

  /* A wire with another key rejects the message, and the right key accepts
   * the very same frames (nothing above was remembered as seen). */
  assert_decode_fails (stranger, frames, LOOM_DROP_BAD_SIGNATURE);
  {
    g_autoptr(LoomMessage) msg = decode_ok (receiver, frames);
    g_assert_cmpstr (msg->msg_type, ==, "submit");
  }

  /* Signatures of the wrong length, then an empty one. */
  {
    g_autoptr(GPtrArray) fresh = loom_wire_encode (sender, NULL, "ping", NULL, "{}", 2, NULL, 0);
    gsize len;
    const char *sig = g_bytes_get_data (g_ptr_array_index (fresh, 1), &len);
    g_autoptr(GPtrArray) truncated = frames_copy (fresh);
    g_autoptr(GPtrArray) extended = frames_copy (fresh);
    g_autoptr(GPtrArray) empty = frames_copy (fresh);
    g_autofree char *longer = g_strdup_printf ("%.*s0", (int) len, sig);

    g_assert_cmpuint (len, ==, 64);
    frames_replace (truncated, 1, g_bytes_new (sig, len - 1));
    assert_decode_fails (receiver, truncated, LOOM_DROP_BAD_SIGNATURE);
    frames_replace (extended, 1, bytes_from_string (longer));
    assert_decode_fails (receiver, extended, LOOM_DROP_BAD_SIGNATURE);
    frames_replace (empty, 1, g_bytes_new (NULL, 0));
    assert_decode_fails (receiver, empty, LOOM_DROP_UNSIGNED);

    /* The intact message is still accepted afterwards. */
    {
      g_autoptr(LoomMessage) msg = decode_ok (receiver, fresh);
      g_assert_cmpstr (msg->msg_type, ==, "ping");
    }
  }

  g_bytes_unref (buffers[0]);
  g_bytes_unref (buffers[1]);
  loom_wire_free (sender);
  loom_wire_free (receiver);
  loom_wire_free (stranger);
}

/* Moving bytes across a frame boundary must break the signature as well: a
 * receiver must not take the tail of one buffer for the head of the next. */
static void
test_signature_framing (void)
{
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GPtrArray) moved = NULL;
  g_autoptr(GPtrArray) padded = NULL;
  g_autoptr(LoomMessage) msg = NULL;
  LoomWire *sender = loom_wire_new (test_key, sizeof test_key, 0);
  LoomWire *receiver = loom_wire_new (test_key, sizeof test_key, 0);
  LoomWire *receiver2 = loom_wire_new (test_key, sizeof test_key, 0);
  LoomDropReason reason;
  GBytes *buffers[2];
  gboolean framing_signed = TRUE;

  /* Like "results": results lines, then details lines. */
  buffers[0] = bytes_from_string ("1\n2");
  buffers[1] = bytes_from_string ("{}\n{}");
  frames = loom_wire_encode (sender, NULL, "results", NULL, "{\"job\":1}", -1, buffers, 2);
  g_assert_cmpuint (frames->len, ==, 6);

  moved = frames_copy (frames);
  frames_replace (moved, 4, bytes_from_string ("1\n2{}"));
  frames_replace (moved, 5, bytes_from_string ("\n{}"));
  msg = loom_wire_decode (receiver, moved, &reason);
  if (msg != NULL)
    framing_signed = FALSE;
  else
    g_assert_cmpint (reason, ==, LOOM_DROP_BAD_SIGNATURE);
  g_clear_pointer (&msg, loom_message_free);

  /* A fresh receiver: the one above may have remembered the digest. */
  padded = frames_copy (frames);
  g_ptr_array_add (padded, g_bytes_new (NULL, 0));
  msg = loom_wire_decode (receiver2, padded, &reason);
  if (msg != NULL)
    framing_signed = FALSE;
  else
    g_assert_cmpint (reason, ==, LOOM_DROP_BAD_SIGNATURE);
  g_clear_pointer (&msg, loom_message_free);

  g_assert_true (framing_signed);

  g_bytes_unref (buffers[0]);
  g_bytes_unref (buffers[1]);
  loom_wire_free (sender);
  loom_wire_free (receiver);
  loom_wire_free (receiver2);
}

/* --- malformed ----------------------------------------------------------- */

/* "[" × @depth, a value, "]" × @depth. */
static char *
nested (guint       depth,
        const char *inner)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (out, '[');
  g_string_append (out, inner);
  for (guint i = 0; i < depth; i++)
    g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

/* JSON nested deeper than LOOM_JSON_MAX_DEPTH is refused before json-glib
 * parses it (100 000 levels overflow its recursion): in a header, in
 * content, anywhere text crosses a process boundary. */
static void
test_json_depth (void)
{
  LoomWire *wire = loom_wire_new (test_key, sizeof test_key, 0);
  g_autofree char *deepest = nested (LOOM_JSON_MAX_DEPTH, "1");
  g_autofree char *too_deep = nested (LOOM_JSON_MAX_DEPTH + 1, "1");
  g_autofree char *attack = nested (100000, "1");
  g_autofree char *header = NULL;
  g_autofree char *in_string = g_strdup_printf ("{\"s\":\"%s\"}", too_deep);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = loom_json_from_data (deepest, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_clear_pointer (&node, json_node_unref);

  g_assert_null (loom_json_from_data (too_deep, -1, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "256"));
  g_clear_error (&error);
  g_assert_null (loom_json_from_data (attack, -1, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
  g_clear_error (&error);

  /* Brackets inside a string are text, not nesting; escaped quotes do not
   * end the string. */
  node = loom_json_from_data (in_string, -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = loom_json_from_data ("{\"s\":\"\\\"[[[\"}", -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);

  /* A signed message whose header or content is the attack: dropped as
   * malformed, or refused when its content is read. */
  header = g_strdup_printf ("{\"msg_id\":\"m-1\",\"msg_type\":\"ping\",\"x\":%s}", attack);
  {
    g_autoptr(GPtrArray) frames = build_frames (test_key, header, "{}", NULL, 0);
    assert_decode_fails (wire, frames, LOOM_DROP_MALFORMED);
  }
  {
    g_autofree char *content = g_strdup_printf ("{\"x\":%s}", attack);
    g_autoptr(GPtrArray) frames = build_frames (test_key,
                                                "{\"msg_id\":\"m-2\",\"msg_type\":\"ping\",\"date\":1}",
                                                content, NULL, 0);
    LoomDropReason reason = LOOM_DROP_N_REASONS;
    LoomMessage *msg = loom_wire_decode (wire, frames, &reason);

    g_assert_nonnull (msg);
    g_assert_null (loom_message_get_content (msg, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    loom_message_free (msg);
  }
  loom_wire_free (wire);
}

static void
test_malformed (void)
{
  LoomWire *wire = loom_wire_new (test_key, sizeof test_key, 0);
  const char *good_header = "{\"msg_id\":\"m-1\",\"msg_type\":\"ping\",\"parent\":null,\"date\":1,\"version\":1}";

  /* No delimiter at all. */
  {
    g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

    g_ptr_array_add (frames, bytes_from_string ("hello"));
    g_ptr_array_add (frames, bytes_from_string ("LOOM/2"));
    g_ptr_array_add (frames, bytes_from_string ("loom/1"));
    g_ptr_array_add (frames, bytes_from_string (good_header));
    g_ptr_array_add (frames, bytes_from_string ("{}"));
    assert_decode_fails (wire, frames, LOOM_DROP_MALFORMED);
  }

  /* No frames at all. */
  {
    g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    assert_decode_fails (wire, frames, LOOM_DROP_MALFORMED);
  }

  /* Too few frames after the delimiter: each prefix of a valid message. */
  {
    g_autoptr(GPtrArray) full = build_frames (test_key, good_header, "{}", NULL, 0);

    g_assert_cmpuint (full->len, ==, 4);
    for (guint n = 1; n < full->len; n++)
      {
        g_autoptr(GPtrArray) prefix = frames_copy (full);

        g_ptr_array_set_size (prefix, n);
        assert_decode_fails (wire, prefix, LOOM_DROP_MALFORMED);
      }
    /* With routing frames in front as well. */
    {
      g_autoptr(GPtrArray) routed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

      g_ptr_array_add (routed, bytes_from_string ("id"));
      for (guint i = 0; i < 3; i++)
        g_ptr_array_add (routed, g_bytes_ref (g_ptr_array_index (full, i)));
      assert_decode_fails (wire, routed, LOOM_DROP_MALFORMED);
    }
  }

  /* Correctly signed, but the header is not JSON, not an object, or lacks
   * a msg_type. */
  {
    const char *headers[] = {
      "not json",
      "{\"msg_type\":\"ping\"",
      "[\"ping\"]",
      "\"ping\"",
      "",
      "{\"msg_id\":\"m-2\",\"parent\":null,\"date\":1,\"version\":1}",
      "{\"msg_id\":\"m-3\",\"msg_type\":\"\"}",
      "{\"msg_id\":\"m-4\",\"msg_type\":null}",
      "{\"msg_id\":\"m-5\",\"msg_type\":42}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
      {
        g_autoptr(GPtrArray) frames = build_frames (test_key, headers[i], "{}", NULL, 0);

        g_test_message ("header %s", headers[i]);
        assert_decode_fails (wire, frames, LOOM_DROP_MALFORMED);
      }
  }

  /* The same frames built by hand with a proper header are accepted: the
   * cases above fail for the reason given, not because of build_frames(). */
  {
    g_autoptr(GPtrArray) frames = build_frames (test_key, good_header, "{}", "buf", 3);
    g_autoptr(LoomMessage) msg = decode_ok (wire, frames);

    g_assert_cmpstr (msg->msg_type, ==, "ping");
    g_assert_cmpstr (msg->msg_id, ==, "m-1");
    g_assert_null (msg->parent);
    g_assert_cmpint (msg->date, >, 1);
    g_assert_cmpuint (msg->buffers->len, ==, 1);
    assert_bytes_equal_str (loom_message_get_buffer (msg, 0), "buf");
  }

  loom_wire_free (wire);
}

/* --- replay -------------------------------------------------------------- */

static void
test_replay (void)
{
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) routed = NULL;
  LoomWire *sender = loom_wire_new (test_key, sizeof test_key, 0);
  LoomWire *receiver = loom_wire_new (test_key, sizeof test_key, 0);
  LoomWire *other_receiver = loom_wire_new (test_key, sizeof test_key, 0);

  first = loom_wire_encode (sender, NULL, "ping", NULL, "{}", 2, NULL, 0);
  {
    g_autoptr(LoomMessage) msg = decode_ok (receiver, first);
    g_assert_cmpstr (msg->msg_type, ==, "ping");
  }
  assert_decode_fails (receiver, first, LOOM_DROP_REPLAYED);
  assert_decode_fails (receiver, first, LOOM_DROP_REPLAYED);

  /* The same signed part under another routing envelope is the same message. */
  routed = frames_copy (first);
  g_ptr_array_insert (routed, 0, bytes_from_string ("someone-else"));
  assert_decode_fails (receiver, routed, LOOM_DROP_REPLAYED);

  /* Each wire remembers what it saw, not what others saw. */
  {
    g_autoptr(LoomMessage) msg = decode_ok (other_receiver, first);
    g_assert_cmpstr (msg->msg_type, ==, "ping");
  }

  /* The same request encoded again is a new message (new msg_id). */
  again = loom_wire_encode (sender, NULL, "ping", NULL, "{}", 2, NULL, 0);
  {
    g_autoptr(LoomMessage) msg = decode_ok (receiver, again);
    g_assert_cmpstr (msg->msg_type, ==, "ping");
  }

  /* The cache is bounded: with room for 1,000 digests, "first" is the
   * oldest of exactly 1,000 after 998 more messages, and is forgotten by
   * the next one; it is then refused as stale (its date is before what
   * the cache still covers), never accepted again. */
  loom_wire_set_replay_limits (receiver, LOOM_DATE_WINDOW, 1000);
  for (guint i = 0; i < 1000 - 2; i++)
    {
      g_autoptr(GPtrArray) frames = loom_wire_encode (sender, NULL, "x", NULL, "{}", 2, NULL, 0);
      LoomDropReason reason;
      g_autoptr(LoomMessage) msg = loom_wire_decode (receiver, frames, &reason);

      if (msg == NULL)
        g_error ("message %u was refused: %s", i, loom_drop_reason_to_string (reason));
    }
  g_assert_cmpuint (loom_wire_get_n_digests (receiver), ==, 1000);
  assert_decode_fails (receiver, first, LOOM_DROP_REPLAYED);
  {
    g_autoptr(GPtrArray) frames = loom_wire_encode (sender, NULL, "x", NULL, "{}", 2, NULL, 0);
    g_autoptr(LoomMessage) msg = decode_ok (receiver, frames);
  }
  g_assert_cmpuint (loom_wire_get_n_digests (receiver), ==, 1000);
  assert_decode_fails (receiver, first, LOOM_DROP_STALE);
  assert_decode_fails (receiver, first, LOOM_DROP_STALE);

  loom_wire_free (sender);
  loom_wire_free (receiver);
  loom_wire_free (other_receiver);
}

/* A header dated an hour ago or an hour ahead, or with no date, is
 * refused as stale whatever its signature; a digest is forgotten once its
 * date has left the window, and a replay of it is then refused by date. */
static void
test_replay_dates (void)
{
  LoomWire *receiver = loom_wire_new (test_key, sizeof test_key, 0);
  LoomWire *sender = loom_wire_new (test_key, sizeof test_key, 0);
  gint64 now = g_get_real_time ();
  const gint64 offsets[] = { G_GINT64_CONSTANT (-3600) * G_USEC_PER_SEC, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC,
                             -LOOM_DATE_WINDOW - G_GINT64_CONSTANT (2) * G_USEC_PER_SEC, G_MININT64 + 1, G_MAXINT64 };
  g_autoptr(GPtrArray) first = NULL;
  gint64 accepted_at;

  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      gint64 date = (offsets[i] == G_MININT64 + 1 || offsets[i] == G_MAXINT64) ? offsets[i] : now + offsets[i];
      g_autofree char *header = g_strdup_printf ("{\"msg_id\":\"d-%u\",\"msg_type\":\"ping\",\"date\":%" G_GINT64_FORMAT "}",
                                                 i, date);
      g_autoptr(GPtrArray) frames = build_frames (test_key, header, "{}", NULL, 0);

      g_test_message ("%s", header);
      assert_decode_fails (receiver, frames, LOOM_DROP_STALE);
    }
  {
    g_autoptr(GPtrArray) frames = build_frames (test_key, "{\"msg_id\":\"d-n\",\"msg_type\":\"ping\"}", "{}", NULL, 0);
    assert_decode_fails (receiver, frames, LOOM_DROP_STALE);
  }
  /* A stale message takes no room in the cache. */
  g_assert_cmpuint (loom_wire_get_n_digests (receiver), ==, 0);

  /* A window of 1 s: once "first"'s date is more than 1 s old, the next
   * message forgets it, and "first" is refused as stale, not accepted. */
  loom_wire_set_replay_limits (receiver, G_USEC_PER_SEC, 1000);
  first = loom_wire_encode (sender, NULL, "ping", NULL, "{}", 2, NULL, 0);
  {
    g_autoptr(LoomMessage) msg = decode_ok (receiver, first);
  }
  accepted_at = g_get_real_time ();
  assert_decode_fails (receiver, first, LOOM_DROP_REPLAYED);
  while (g_get_real_time () < accepted_at + 2 * G_USEC_PER_SEC + 100000)
    g_usleep (50000);
  {
    g_autoptr(GPtrArray) frames = loom_wire_encode (sender, NULL, "x", NULL, "{}", 2, NULL, 0);
    g_autoptr(LoomMessage) msg = decode_ok (receiver, frames);
  }
  g_assert_cmpuint (loom_wire_get_n_digests (receiver), ==, 1);
  assert_decode_fails (receiver, first, LOOM_DROP_STALE);

  loom_wire_free (sender);
  loom_wire_free (receiver);
}

/* --- size limit ---------------------------------------------------------- */

static GPtrArray *
frames_of_total_size (const guint8 *key,
                      const char   *routing,
                      gsize         total)
{
  g_autofree char *header = g_strdup_printf ("{\"msg_id\":\"s-1\",\"msg_type\":\"submit\",\"parent\":null,\"date\":%" G_GINT64_FORMAT ",\"version\":1}",
                                             g_get_real_time ());
  const char *content = "{\"count\":1}";
  g_autoptr(GPtrArray) frames = NULL;
  g_autofree char *buffer = NULL;
  gsize fixed;

  /* delimiter + signature + header + content, then the buffer fills up */
  fixed = strlen (LOOM_PROTOCOL_DELIMITER) + 64 + strlen (header) + strlen (content);
  if (routing)
    fixed += strlen (routing);
  g_assert_cmpuint (total, >, fixed);
  buffer = g_malloc (total - fixed);
  memset (buffer, 'b', total - fixed);

  frames = build_frames (key, header, content, buffer, total - fixed);
  if (routing)
    g_ptr_array_insert (frames, 0, bytes_from_string (routing));
  g_assert_cmpuint (frames_total_size (frames), ==, total);
  return g_steal_pointer (&frames);
}

static void
test_too_large (void)
{
  const gsize max = 1000;
  LoomWire *wire = loom_wire_new (test_key, sizeof test_key, max);
  LoomWire *wire2 = loom_wire_new (test_key, sizeof test_key, max);

  g_assert_cmpuint (loom_wire_get_max_message (wire), ==, max);

  /* One byte over, with or without routing frames (which count too). */
  {
    g_autoptr(GPtrArray) over = frames_of_total_size (test_key, NULL, max + 1);
    g_autoptr(GPtrArray) routed_over = frames_of_total_size (test_key, "router-id", max + 1);
    g_autoptr(GPtrArray) far_over = frames_of_total_size (test_key, NULL, 10 * max);

    assert_decode_fails (wire, over, LOOM_DROP_TOO_LARGE);
    assert_decode_fails (wire, routed_over, LOOM_DROP_TOO_LARGE);
    assert_decode_fails (wire, far_over, LOOM_DROP_TOO_LARGE);
  }

  /* The size is checked before anything else: even garbage is too_large. */
  {
    g_autoptr(GPtrArray) garbage = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (guint i = 0; i < 3; i++)
      g_ptr_array_add (garbage, g_bytes_new_take (g_malloc0 (400), 400));
    assert_decode_fails (wire, garbage, LOOM_DROP_TOO_LARGE);
  }

  /* Exactly the limit and just under are fine. */
  {
    g_autoptr(GPtrArray) at = frames_of_total_size (test_key, NULL, max);
    g_autoptr(GPtrArray) under = frames_of_total_size (test_key, "router-id", max - 1);
    g_autoptr(LoomMessage) msg_at = decode_ok (wire, at);
    g_autoptr(LoomMessage) msg_under = decode_ok (wire2, under);

    g_assert_cmpstr (msg_at->msg_type, ==, "submit");
    g_assert_cmpuint (g_bytes_get_size (loom_message_get_buffer (msg_at, 0)), >, 800);
    g_assert_cmpuint (msg_under->routing->len, ==, 1);
  }

  /* 0 means the default. */
  {
    LoomWire *def = loom_wire_new (test_key, sizeof test_key, 0);
    g_autoptr(GPtrArray) big = frames_of_total_size (test_key, NULL, 100 * max);
    g_autoptr(LoomMessage) msg = decode_ok (def, big);

    g_assert_cmpuint (loom_wire_get_max_message (def), ==, LOOM_DEFAULT_MAX_MESSAGE);
    loom_wire_free (def);
  }

  loom_wire_free (wire);
  loom_wire_free (wire2);
}

/* --- drop counters ------------------------------------------------------- */

static void
test_drop_counting (void)
{
  static const char *names[LOOM_DROP_N_REASONS] = {
    "malformed", "unsigned", "bad_signature", "replayed", "too_large", "unknown_type", "stale",
  };
  LoomWire *wire = loom_wire_new (test_key, sizeof test_key, 0);
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *obj;
  guint64 total = 0;

  for (guint r = 0; r < LOOM_DROP_N_REASONS; r++)
    {
      g_assert_cmpstr (loom_drop_reason_to_string (r), ==, names[r]);
      g_assert_cmpuint (loom_wire_get_drops (wire, r), ==, 0);
    }
  g_assert_cmpuint (loom_wire_get_total_drops (wire), ==, 0);

  loom_wire_append_drops_json (wire, json);
  node = loom_json_from_data (json->str, json->len, &error);
  g_assert_no_error (error);
  obj = json_node_get_object (node);
  g_assert_cmpuint (json_object_get_size (obj), ==, LOOM_DROP_N_REASONS);
  for (guint r = 0; r < LOOM_DROP_N_REASONS; r++)
    g_assert_cmpint (json_object_get_int_member (obj, names[r]), ==, 0);
  g_clear_pointer (&node, json_node_unref);

  /* Reason r is counted 2r+1 times; many drops in a row are not logged one
   * by one, but every one is counted. */
  for (guint r = 0; r < LOOM_DROP_N_REASONS; r++)
    for (guint i = 0; i < 2 * r + 1; i++)
      {
        loom_wire_count_drop (wire, r, i == 0 ? "first" : NULL);
        total++;
        g_assert_cmpuint (loom_wire_get_drops (wire, r), ==, i + 1);
        g_assert_cmpuint (loom_wire_get_total_drops (wire), ==, total);
      }
  g_assert_cmpuint (total, ==, (guint64) LOOM_DROP_N_REASONS * LOOM_DROP_N_REASONS);

  for (guint r = 0; r < LOOM_DROP_N_REASONS; r++)
    g_assert_cmpuint (loom_wire_get_drops (wire, r), ==, 2 * r + 1);

  g_string_truncate (json, 0);
  g_string_append (json, "{\"dropped\":");
  loom_wire_append_drops_json (wire, json);
  g_string_append_c (json, '}');
  node = loom_json_from_data (json->str, json->len, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  obj = json_object_get_object_member (json_node_get_object (node), "dropped");
  g_assert_nonnull (obj);
  g_assert_cmpuint (json_object_get_size (obj), ==, LOOM_DROP_N_REASONS);
  for (guint r = 0; r < LOOM_DROP_N_REASONS; r++)
    {
      g_assert_true (json_object_has_member (obj, names[r]));
      g_assert_cmpint (json_object_get_int_member (obj, names[r]), ==, 2 * r + 1);
    }

  /* loom_wire_decode() only reports; loom_wire_recv() is what counts. */
  {
    g_autoptr(GPtrArray) garbage = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

    g_ptr_array_add (garbage, bytes_from_string ("junk"));
    assert_decode_fails (wire, garbage, LOOM_DROP_MALFORMED);
    g_assert_cmpuint (loom_wire_get_drops (wire, LOOM_DROP_MALFORMED), ==, 1);
    g_assert_cmpuint (loom_wire_get_total_drops (wire), ==, total);
  }

  loom_wire_free (wire);
}

/* --- JSON lines ---------------------------------------------------------- */

static GPtrArray *
split_string (const char *str)
{
  g_autoptr(GBytes) bytes = bytes_from_string (str);
  return loom_lines_split (bytes);
}

static void
test_lines (void)
{
  const char *lines[] = {
    "{\"a\":1}",
    "\"a\\nb\"",
    "{\"text\":\"line one\\nline two\\r\\n\",\"n\":[1,2]}",
    "null",
    "42",
  };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) split = NULL;
  g_autoptr(GBytes) joined = NULL;

  /* Nothing. */
  split = loom_lines_split (NULL);
  g_assert_cmpuint (split->len, ==, 0);
  g_clear_pointer (&split, g_ptr_array_unref);
  split = split_string ("");
  g_assert_cmpuint (split->len, ==, 0);
  g_clear_pointer (&split, g_ptr_array_unref);

  /* A single line, no newline at all. */
  split = split_string ("{\"x\":\"a\\nb\"}");
  g_assert_cmpuint (split->len, ==, 1);
  assert_bytes_equal_str (g_ptr_array_index (split, 0), "{\"x\":\"a\\nb\"}");
  g_clear_pointer (&split, g_ptr_array_unref);

  /* Appending one line adds no separator. */
  {
    g_autoptr(GBytes) one = bytes_from_string ("[1]");
    loom_lines_append (out, one, "null");
    g_assert_cmpstr (out->str, ==, "[1]");
    g_string_truncate (out, 0);
  }

  /* Round trip: escaped newlines inside JSON strings never split a line. */
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr(GBytes) line = bytes_from_string (lines[i]);
      loom_lines_append (out, line, "null");
    }
  loom_lines_append (out, NULL, "null");
  g_assert_cmpuint (out->len, ==, strlen ("{\"a\":1}\n\"a\\nb\"\n") + strlen (lines[2]) + strlen ("\nnull\n42\nnull"));

  joined = g_bytes_new (out->str, out->len);
  split = loom_lines_split (joined);
  g_assert_cmpuint (split->len, ==, G_N_ELEMENTS (lines) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    assert_bytes_equal_str (g_ptr_array_index (split, i), lines[i]);
  assert_bytes_equal_str (g_ptr_array_index (split, G_N_ELEMENTS (lines)), "null");

  /* Every line is valid JSON on its own, and the escaped newline is still
   * there once parsed. */
  for (guint i = 0; i < split->len; i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len;
      const char *data = g_bytes_get_data (g_ptr_array_index (split, i), &len);
      g_autoptr(JsonNode) node = loom_json_from_data (data, len, &error);

      g_assert_no_error (error);
      g_assert_nonnull (node);
      if (i == 1)
        g_assert_cmpstr (json_node_get_string (node), ==, "a\nb");
    }

  /* Slices share the buffer they came from rather than copying it. */
  {
    const char *base = g_bytes_get_data (joined, NULL);
    const char *second = g_bytes_get_data (g_ptr_array_index (split, 1), NULL);

    g_assert_true (second == base + strlen (lines[0]) + 1);
  }
  g_clear_pointer (&split, g_ptr_array_unref);

  /* Lines built from strings with real newlines, through the escaper. */
  {
    const char *values[] = { "x\ny", "\n", "tab\there", "", "end\n\n" };
    g_autoptr(GString) batch = g_string_new (NULL);
    g_autoptr(GBytes) bytes = NULL;

    for (guint i = 0; i < G_N_ELEMENTS (values); i++)
      {
        g_autoptr(GString) line = g_string_new (NULL);
        g_autoptr(GBytes) lb = NULL;

        loom_json_append_string (line, values[i]);
        g_assert_null (strchr (line->str, '\n'));
        lb = g_bytes_new (line->str, line->len);
        loom_lines_append (batch, lb, "null");
      }
    bytes = g_bytes_new (batch->str, batch->len);
    split = loom_lines_split (bytes);
    g_assert_cmpuint (split->len, ==, G_N_ELEMENTS (values));
    for (guint i = 0; i < split->len; i++)
      {
        gsize len;
        const char *data = g_bytes_get_data (g_ptr_array_index (split, i), &len);
        g_autoptr(JsonNode) node = loom_json_from_data (data, len, NULL);

        g_assert_nonnull (node);
        g_assert_cmpstr (json_node_get_string (node), ==, values[i]);
      }
  }
}

/* --- JSON strings -------------------------------------------------------- */

static char *
parse_json_string (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wrapped = g_strdup_printf ("[%s]", json);
  g_autoptr(JsonNode) node = loom_json_from_data (wrapped, -1, &error);
  JsonArray *array;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  return g_strdup (json_array_get_string_element (array, 0));
}

static void
test_json_string (void)
{
  const struct { const char *in; const char *out; } exact[] = {
    { "", "\"\"" },
    { "plain", "\"plain\"" },
    { "a\"b", "\"a\\\"b\"" },
    { "back\\slash", "\"back\\\\slash\"" },
    { "nl\ncr\rtab\t", "\"nl\\ncr\\rtab\\t\"" },
    { "\x01\x08\x0c\x1f", "\"\\u0001\\u0008\\u000c\\u001f\"" },
    { "caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\"" },
    { "</script>\x7f", "\"</script>\x7f\"" },
  };
  const char *roundtrip[] = {
    "",
    "\"\"\"",
    "\\\\\\",
    "\\\"",
    "\"\\n\" is not a newline, \n is",
    "all controls: \x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
      "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
    "{\"json\": [\"inside\", \"a\\tstring\"]}",
    "unicode: \xce\xbb \xf0\x9f\xa7\xb5 \xe2\x80\xa8",
  };

  for (guint i = 0; i < G_N_ELEMENTS (exact); i++)
    {
      g_autoptr(GString) out = g_string_new ("prefix:");

      loom_json_append_string (out, exact[i].in);
      g_assert_cmpstr (out->str + strlen ("prefix:"), ==, exact[i].out);
    }

  for (guint i = 0; i < G_N_ELEMENTS (roundtrip); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autofree char *back = NULL;

      loom_json_append_string (out, roundtrip[i]);
      /* Nothing below 0x20 is left raw. */
      for (gsize j = 0; j < out->len; j++)
        g_assert_cmpint ((guchar) out->str[j], >=, 0x20);
      back = parse_json_string (out->str);
      g_assert_cmpstr (back, ==, roundtrip[i]);
    }

  /* With a length: stops there, and escapes an embedded NUL. */
  {
    g_autoptr(GString) out = g_string_new (NULL);

    loom_json_append_string_len (out, "ab\0cd", 5);
    g_assert_cmpstr (out->str, ==, "\"ab\\u0000cd\"");
    g_string_truncate (out, 0);
    loom_json_append_string_len (out, "abcdef", 3);
    g_assert_cmpstr (out->str, ==, "\"abc\"");
  }

  /* And the other direction, through the library's own helpers. */
  {
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
    g_autofree char *text = NULL;
    g_autofree char *back = NULL;

    json_node_set_string (node, "q\"\\\n");
    text = loom_json_to_string (node);
    back = parse_json_string (text);
    g_assert_cmpstr (back, ==, "q\"\\\n");
  }
  {
    g_autofree char *null_text = loom_json_to_string (NULL);
    g_autoptr(GError) error = NULL;

    g_assert_cmpstr (null_text, ==, "null");
    g_assert_null (loom_json_from_data ("", 0, &error));
    g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
  }
}

/* --- against a real controller ------------------------------------------- */

static void
send_strings (void       *sock,
              const char *first,
              ...)
{
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  va_list args;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    g_ptr_array_add (frames, bytes_from_string (s));
  va_end (args);
  peer_send_frames (sock, frames);
}

static LoomClusterStatus *
get_status (LoomClient *client)
{
  g_autoptr(GError) error = NULL;
  LoomClusterStatus *status = loom_client_get_status (client, &error);

  g_assert_no_error (error);
  g_assert_nonnull (status);
  return status;
}

static gboolean
dropped_equal (LoomClusterStatus *status,
               const gint64       expected[LOOM_DROP_N_REASONS])
{
  for (guint r = 0; r < LOOM_DROP_N_REASONS; r++)
    if (loom_cluster_status_get_dropped (status, loom_drop_reason_to_string (r)) != (guint64) expected[r])
      return FALSE;
  return TRUE;
}

/* Polls the controller's status until its counters are @expected, then
 * asserts them (so a mismatch shows which counter is off). */
static void
assert_dropped_soon (LoomClient   *client,
                     const gint64  expected[LOOM_DROP_N_REASONS])
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  g_autoptr(LoomClusterStatus) status = get_status (client);
  const char * const *reasons;

  while (!dropped_equal (status, expected) && g_get_monotonic_time () < deadline)
    {
      g_usleep (10 * 1000);
      g_object_unref (status);
      status = get_status (client);
    }

  reasons = loom_cluster_status_get_drop_reasons (status);
  g_assert_cmpuint (g_strv_length ((char **) reasons), ==, LOOM_DROP_N_REASONS);
  for (guint r = 0; r < LOOM_DROP_N_REASONS; r++)
    {
      const char *name = loom_drop_reason_to_string (r);
      guint64 dropped = loom_cluster_status_get_dropped (status, name);

      g_assert_true (g_strv_contains (reasons, name));
      if (dropped != (guint64) expected[r])
        g_error ("dropped.%s is %" G_GUINT64_FORMAT ", expected %" G_GINT64_FORMAT, name, dropped, expected[r]);
    }
}

static void
assert_ping_pong (TestController *tc,
                  void           *sock)
{
  g_autoptr(GPtrArray) ping = loom_wire_encode (tc->wire, NULL, "ping", NULL, "{}", 2, NULL, 0);
  g_autofree char *id = g_strdup (loom_wire_last_msg_id (tc->wire));
  g_autoptr(LoomMessage) pong = NULL;

  peer_send_frames (sock, ping);
  pong = peer_recv (tc->wire, sock, WAIT_SECONDS * 1000);
  g_assert_nonnull (pong);
  g_assert_cmpstr (pong->msg_type, ==, "pong");
  g_assert_cmpstr (pong->parent, ==, id);
}

static void
test_controller_drops (void)
{
  TestController tc = { 0 };
  gint64 expected[LOOM_DROP_N_REASONS] = { 0 };
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GPtrArray) ping = NULL;
  g_autofree char *ping_id = NULL;
  g_autofree char *unknown_id = NULL;
  g_autoptr(GError) error = NULL;
  void *sock;

  test_controller_start (&tc, 0);
  sock = peer_connect (tc.conn->client_url, ZMQ_DEALER);

  client = loom_client_new_for_file (loom_controller_get_connection_file (tc.ctl), &error);
  g_assert_no_error (error);
  assert_dropped_soon (client, expected);

  /* Garbage: no delimiter. */
  send_strings (sock, "hello", "world", NULL);
  expected[LOOM_DROP_MALFORMED]++;

  /* Garbage after the delimiter: too few frames. */
  send_strings (sock, LOOM_PROTOCOL_DELIMITER, "sig", NULL);
  expected[LOOM_DROP_MALFORMED]++;

  /* Correctly signed, but with an extra frame before the delimiter the
   * controller sees two routing frames where a client has one. */
  {
    g_autoptr(GPtrArray) frames = loom_wire_encode (tc.wire, NULL, "ping", NULL, "{}", 2, NULL, 0);

    g_ptr_array_insert (frames, 0, bytes_from_string ("fake-envelope"));
    peer_send_frames (sock, frames);
    expected[LOOM_DROP_MALFORMED]++;
  }

  /* Signed with another key. */
  {
    LoomWire *stranger = loom_wire_new (other_key, sizeof other_key, 0);
    g_autoptr(GPtrArray) frames = loom_wire_encode (stranger, NULL, "status", NULL, "{}", 2, NULL, 0);

    peer_send_frames (sock, frames);
    expected[LOOM_DROP_BAD_SIGNATURE]++;
    loom_wire_free (stranger);
  }

  /* Not signed. */
  {
    g_autoptr(GPtrArray) frames = loom_wire_encode (tc.wire, NULL, "status", NULL, "{}", 2, NULL, 0);

    frames_replace (frames, 1, g_bytes_new (NULL, 0));
    peer_send_frames (sock, frames);
    expected[LOOM_DROP_UNSIGNED]++;
  }

  /* A signed ping, sent twice: answered once, then refused as replayed. */
  ping = loom_wire_encode (tc.wire, NULL, "ping", NULL, "{}", 2, NULL, 0);
  ping_id = g_strdup (loom_wire_last_msg_id (tc.wire));
  peer_send_frames (sock, ping);
  {
    /* Nothing before it was answered: the first reply is this pong. */
    g_autoptr(LoomMessage) pong = peer_recv (tc.wire, sock, WAIT_SECONDS * 1000);

    g_assert_nonnull (pong);
    g_assert_cmpstr (pong->msg_type, ==, "pong");
    g_assert_cmpstr (pong->parent, ==, ping_id);
  }
  peer_send_frames (sock, ping);
  expected[LOOM_DROP_REPLAYED]++;

  /* A request the controller does not know: counted and answered. */
  {
    g_autoptr(GPtrArray) frames = loom_wire_encode (tc.wire, NULL, "frobnicate", NULL, "{}", 2, NULL, 0);
    g_autoptr(LoomMessage) reply = NULL;
    JsonObject *content, *err;

    unknown_id = g_strdup (loom_wire_last_msg_id (tc.wire));
    peer_send_frames (sock, frames);
    expected[LOOM_DROP_UNKNOWN_TYPE]++;

    /* Replies come in order: had the replayed ping been answered, its
     * pong would come first. */
    reply = peer_recv (tc.wire, sock, WAIT_SECONDS * 1000);
    g_assert_nonnull (reply);
    g_assert_cmpstr (reply->msg_type, ==, "error_reply");
    g_assert_cmpstr (reply->parent, ==, unknown_id);
    content = loom_message_get_content (reply, &error);
    g_assert_no_error (error);
    err = json_object_get_object_member (content, "error");
    g_assert_nonnull (err);
    g_assert_cmpstr (json_object_get_string_member (err, "type"), ==, "UnknownRequest");
    g_assert_cmpstr (json_object_get_string_member (err, "message"), !=, "");
  }

  assert_dropped_soon (client, expected);

  /* Nothing else came back for all that. */
  {
    g_autoptr(LoomMessage) extra = peer_recv (tc.wire, sock, 50);
    g_assert_null (extra);
  }

  /* Still serving both connections. */
  assert_ping_pong (&tc, sock);
  {
    g_autoptr(LoomClusterStatus) status = get_status (client);

    g_assert_cmpstr (loom_cluster_status_get_profile (status), ==, loom_controller_get_profile (tc.ctl));
    g_assert_cmpuint (loom_cluster_status_get_max_message_size (status), ==, LOOM_DEFAULT_MAX_MESSAGE);
  }
  g_assert_true (loom_controller_is_running (tc.ctl));

  /* A flood of garbage is counted, not logged or answered one by one. */
  for (guint i = 0; i < 200; i++)
    send_strings (sock, "junk", NULL);
  expected[LOOM_DROP_MALFORMED] += 200;
  assert_dropped_soon (client, expected);
  assert_ping_pong (&tc, sock);

  zmq_close (sock);
  g_clear_object (&client);
  test_controller_stop (&tc);
}

/* Waits for @event on a socket monitor. */
static gboolean
wait_for_monitor_event (void     *monitor,
                        guint16   event,
                        guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      zmq_pollitem_t item = { monitor, 0, ZMQ_POLLIN, 0 };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      guint8 head[6];
      char endpoint[256];
      guint16 got;

      if (left <= 0 || zmq_poll (&item, 1, left) <= 0)
        return FALSE;
      if (zmq_recv (monitor, head, sizeof head, 0) < 0)
        return FALSE;
      zmq_recv (monitor, endpoint, sizeof endpoint, 0);
      memcpy (&got, head, sizeof got);
      g_test_message ("monitor event 0x%x", got);
      if (got == event)
        return TRUE;
    }
}

static void
test_controller_max_size (void)
{
  const gsize max = 4096;
  TestController tc = { 0 };
  gint64 expected[LOOM_DROP_N_REASONS] = { 0 };
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GError) error = NULL;
  void *sock;

  test_controller_start (&tc, max);
  client = loom_client_new_for_file (loom_controller_get_connection_file (tc.ctl), &error);
  g_assert_no_error (error);
  {
    g_autoptr(LoomClusterStatus) status = get_status (client);

    g_assert_cmpuint (loom_cluster_status_get_max_message_size (status), ==, max);
  }

  sock = peer_connect (tc.conn->client_url, ZMQ_DEALER);

  /* Under the limit: answered. */
  {
    g_autofree char *pad = g_strnfill (max / 2, 'p');
    g_autoptr(GBytes) buffer = bytes_from_string (pad);
    g_autoptr(GPtrArray) frames = loom_wire_encode (tc.wire, NULL, "ping", NULL, "{}", 2, &buffer, 1);
    g_autofree char *id = g_strdup (loom_wire_last_msg_id (tc.wire));
    g_autoptr(LoomMessage) pong = NULL;

    g_assert_cmpuint (frames_total_size (frames), <, max);
    peer_send_frames (sock, frames);
    pong = peer_recv (tc.wire, sock, WAIT_SECONDS * 1000);
    g_assert_nonnull (pong);
    g_assert_cmpstr (pong->parent, ==, id);
  }

  /* Every frame under the limit, their sum over it: too_large. */
  {
    g_autofree char *pad = g_strnfill (max - 100, 'c');
    g_autofree char *content = g_strdup_printf ("{\"pad\":\"%s\"}", pad);
    g_autofree char *buf = g_strnfill (max - 100, 'b');
    g_autoptr(GBytes) buffer = bytes_from_string (buf);
    g_autoptr(GPtrArray) frames = loom_wire_encode (tc.wire, NULL, "ping", NULL, content, -1, &buffer, 1);

    for (guint i = 0; i < frames->len; i++)
      g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (frames, i)), <, max);
    g_assert_cmpuint (frames_total_size (frames), >, max);
    peer_send_frames (sock, frames);
    expected[LOOM_DROP_TOO_LARGE]++;
  }
  assert_dropped_soon (client, expected);
  /* It was not answered, and the connection still works. */
  assert_ping_pong (&tc, sock);

  /* One frame over the limit: libzmq itself drops the connection
   * (ZMQ_MAXMSGSIZE), so the controller never sees the message. */
  {
    void *big_sock = zmq_socket (loom_zmq_context (), ZMQ_DEALER);
    void *monitor = zmq_socket (loom_zmq_context (), ZMQ_PAIR);
    g_autofree char *mon_url = g_strdup_printf ("inproc://loom-test-monitor-%p", big_sock);
    g_autofree char *pad = g_strnfill (max + 1, 'x');
    g_autoptr(GBytes) buffer = bytes_from_string (pad);
    g_autoptr(GPtrArray) frames = loom_wire_encode (tc.wire, NULL, "ping", NULL, "{}", 2, &buffer, 1);
    int linger = 0;

    zmq_setsockopt (big_sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (monitor, ZMQ_LINGER, &linger, sizeof linger);
    g_assert_cmpint (zmq_socket_monitor (big_sock, mon_url, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED), ==, 0);
    g_assert_cmpint (zmq_connect (monitor, mon_url), ==, 0);
    g_assert_cmpint (zmq_connect (big_sock, tc.conn->client_url), ==, 0);
    g_assert_true (wait_for_monitor_event (monitor, ZMQ_EVENT_CONNECTED, WAIT_SECONDS * 1000));

    peer_send_frames (big_sock, frames);
    g_assert_true (wait_for_monitor_event (monitor, ZMQ_EVENT_DISCONNECTED, WAIT_SECONDS * 1000));

    zmq_socket_monitor (big_sock, NULL, 0);
    zmq_close (monitor);
    zmq_close (big_sock);
  }

  /* The controller serves the old connections and a fresh client. */
  assert_ping_pong (&tc, sock);
  {
    g_autoptr(LoomClient) fresh = loom_client_new_for_file (loom_controller_get_connection_file (tc.ctl), &error);

    g_assert_no_error (error);
    g_assert_nonnull (fresh);
    assert_dropped_soon (fresh, expected);
  }
  assert_dropped_soon (client, expected);
  g_assert_true (loom_controller_is_running (tc.ctl));

  zmq_close (sock);
  g_clear_object (&client);
  test_controller_stop (&tc);
}

/* --- members of the wrong JSON type ---------------------------------------- */

/* json-glib's *_with_default() getters emit a critical for a member that
 * holds an object or an array.  In a test every critical aborts; these
 * count the ones from json-glib instead, from any thread. */
static gint json_criticals;

static void
count_json_critical (const char     *log_domain,
                     GLogLevelFlags  log_level,
                     const char     *message,
                     gpointer        user_data)
{
  g_atomic_int_inc (&json_criticals);
}

static gboolean
json_critical_not_fatal (const char     *log_domain,
                         GLogLevelFlags  log_level,
                         const char     *message,
                         gpointer        user_data)
{
  return g_strcmp0 (log_domain, "Json") != 0;
}

static LoomMessage *
request (TestController *tc,
         void           *sock,
         const char     *msg_type,
         const char     *content,
         const char     *buffer)
{
  g_autoptr(GBytes) bytes = buffer ? bytes_from_string (buffer) : NULL;
  g_autoptr(GPtrArray) frames = loom_wire_encode (tc->wire, NULL, msg_type, NULL, content, -1,
                                                  &bytes, buffer ? 1 : 0);
  g_autofree char *id = g_strdup (loom_wire_last_msg_id (tc->wire));
  LoomMessage *reply;

  peer_send_frames (sock, frames);
  reply = peer_recv (tc->wire, sock, WAIT_SECONDS * 1000);
  g_assert_nonnull (reply);
  g_assert_cmpstr (reply->parent, ==, id);
  return reply;
}

static void
test_wrong_types (void)
{
  const char *headers[] = {
    "{\"msg_id\":\"t-1\",\"msg_type\":{}}",
    "{\"msg_id\":\"t-2\",\"msg_type\":[\"ping\"]}",
  };
  const char *odd_headers[] = {
    "{\"msg_id\":{},\"msg_type\":\"ping\"}",
    "{\"msg_id\":\"t-3\",\"msg_type\":\"ping\",\"parent\":[]}",
    "{\"msg_id\":\"t-4\",\"msg_type\":\"ping\",\"date\":{}}",
  };
  /* Requests a signed-in client could send by mistake. */
  const struct { const char *type; const char *content; const char *buffer; } requests[] = {
    { "submit", "{\"spec\":{},\"count\":{}}", "{}" },
    { "submit", "{\"spec\":{},\"count\":1,\"mode\":[]}", "{}" },
    { "submit", "{\"spec\":{},\"count\":1,\"name\":{}}", "{}" },
    { "submit", "{\"spec\":{},\"count\":1,\"retries\":{}}", "{}" },
    { "submit", "{\"spec\":{},\"count\":1,\"targets\":[{}]}", "{}" },
    { "submit", "{\"spec\":{},\"count\":1,\"scheme\":\"fastest\"}", "{}" },
    { "submit", "{\"spec\":{},\"count\":1,\"scheme\":{}}", "{}" },
    { "job", "{\"job\":{}}", NULL },
    { "abort", "{\"job\":[]}", NULL },
    { "stop_engine", "{\"engine\":{}}", NULL },
  };
  LoomWire *wire = loom_wire_new (test_key, sizeof test_key, 0);
  TestController tc = { 0 };
  guint handler;
  void *sock;

  g_atomic_int_set (&json_criticals, 0);
  handler = g_log_set_handler ("Json", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL,
                               count_json_critical, NULL);
  g_test_log_set_fatal_handler (json_critical_not_fatal, NULL);

  /* A msg_type that is not a string is malformed. */
  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autoptr(GPtrArray) frames = build_frames (test_key, headers[i], "{}", NULL, 0);
      assert_decode_fails (wire, frames, LOOM_DROP_MALFORMED);
    }
  /* Other header members of the wrong type: malformed, ignored, or (a
   * date that is not a number, or none) stale. */
  for (guint i = 0; i < G_N_ELEMENTS (odd_headers); i++)
    {
      g_autoptr(GPtrArray) frames = build_frames (test_key, odd_headers[i], "{}", NULL, 0);
      LoomDropReason reason = LOOM_DROP_N_REASONS;
      g_autoptr(LoomMessage) msg = loom_wire_decode (wire, frames, &reason);

      if (msg != NULL)
        g_assert_cmpstr (msg->msg_type, ==, "ping");
      else
        g_assert_true (reason == LOOM_DROP_MALFORMED || reason == LOOM_DROP_STALE);
    }

  /* The controller answers each request, with a reply or an error. */
  test_controller_start (&tc, 0);
  sock = peer_connect (tc.conn->client_url, ZMQ_DEALER);
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(LoomMessage) reply = NULL;
      g_autofree char *expected = g_strdup_printf ("%s_reply", requests[i].type);

      g_test_message ("%s %s", requests[i].type, requests[i].content);
      reply = request (&tc, sock, requests[i].type, requests[i].content, requests[i].buffer);
      if (!g_str_equal (reply->msg_type, "error_reply"))
        g_assert_cmpstr (reply->msg_type, ==, expected);
    }
  assert_ping_pong (&tc, sock);
  g_assert_true (loom_controller_is_running (tc.ctl));
  zmq_close (sock);
  test_controller_stop (&tc);

  g_test_log_set_fatal_handler (NULL, NULL);
  g_log_remove_handler ("Json", handler);
  loom_wire_free (wire);

  g_assert_cmpint (g_atomic_int_get (&json_criticals), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  /* The per-test runtime dir is named after the program; a short name
   * keeps the controllers' socket paths within what ipc:// allows. */
  g_set_prgname ("lt");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/loom/protocol/round-trip", test_round_trip);
  g_test_add_func ("/loom/protocol/signature", test_signature);
  g_test_add_func ("/loom/protocol/signature-framing", test_signature_framing);
  g_test_add_func ("/loom/protocol/malformed", test_malformed);
  g_test_add_func ("/loom/protocol/json-depth", test_json_depth);
  g_test_add_func ("/loom/protocol/replay", test_replay);
  g_test_add_func ("/loom/protocol/replay-dates", test_replay_dates);
  g_test_add_func ("/loom/protocol/too-large", test_too_large);
  g_test_add_func ("/loom/protocol/drop-counting", test_drop_counting);
  g_test_add_func ("/loom/protocol/lines", test_lines);
  g_test_add_func ("/loom/protocol/json-string", test_json_string);
  g_test_add_func ("/loom/protocol/controller", test_controller_drops);
  g_test_add_func ("/loom/protocol/max-size", test_controller_max_size);
  g_test_add_func ("/loom/protocol/wrong-types", test_wrong_types);

  return g_test_run ();
}
