/* fuzz-wire.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Fuzz target: the wire decoder, loom_wire_decode(), the path every
 * received message takes (loom_wire_recv() reads the frames off the socket
 * and hands them to it), then what a receiver reads next: the content as
 * a JSON object, the buffers split into JSON lines.
 *
 * An input is one flags byte (LoomFuzzWireFlags) and frames separated by
 * LOOM_FUZZ_FRAME_SEPARATOR.  Without LOOM_FUZZ_WIRE_SIGN the frames go to
 * the decoder as they are: the checks before and at the signature.  With
 * it they are routing ids, header, content and buffers, and the target
 * signs them with the fixed key as a peer holding the key would: a fuzzer
 * cannot forge HMAC-SHA256, so this is how the header and content parsers
 * behind the signature get fuzzed at all.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include "loom-fuzz.h"
#include "loom-json-private.h"

static const guint8 fuzz_key[LOOM_FUZZ_KEY_SIZE] = {
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
  0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
  0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static void
hmac_part (GHmac  *hmac,
           GBytes *part)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (part, &len);
  guint64 be = GUINT64_TO_BE ((guint64) len);

  g_hmac_update (hmac, (const guint8 *) &be, sizeof be);
  if (len > 0)
    g_hmac_update (hmac, data, len);
}

/* @header with the digits of its first "date": replaced by the current
 * time (µs since the epoch), or @header itself without one. */
static GBytes *
date_now (GBytes *header)
{
  gsize len;
  const char *data = g_bytes_get_data (header, &len);
  const char *key = data ? g_strstr_len (data, len, "\"date\":") : NULL;
  const char *digits, *end;
  GString *out;

  if (key == NULL)
    return g_bytes_ref (header);
  digits = key + strlen ("\"date\":");
  end = digits;
  while (end < data + len && g_ascii_isdigit (*end))
    end++;
  if (end == digits)
    return g_bytes_ref (header);
  out = g_string_new_len (data, digits - data);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, g_get_real_time ());
  g_string_append_len (out, end, data + len - end);
  return g_string_free_to_bytes (out);
}

/* The signature of frames[first…], as a sender computes it: HMAC-SHA256
 * over the number of parts, then each part with its 64-bit big-endian
 * length in front (see compute_digest() in loom-wire.c). */
static GBytes *
sign (GPtrArray *frames,
      guint      first)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, fuzz_key, sizeof fuzz_key);
  guint64 n_parts = GUINT64_TO_BE ((guint64) (frames->len - first));

  g_hmac_update (hmac, (const guint8 *) &n_parts, sizeof n_parts);
  for (guint i = first; i < frames->len; i++)
    hmac_part (hmac, g_ptr_array_index (frames, i));
  return g_bytes_new (g_hmac_get_string (hmac), 64);
}

static GPtrArray *
split_frames (const guint8 *data,
              gsize         size)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize start = 0;

  for (gsize i = 0; i <= size; i++)
    if (i == size || data[i] == (guint8) LOOM_FUZZ_FRAME_SEPARATOR)
      {
        g_ptr_array_add (pieces, g_bytes_new (data + start, i - start));
        start = i + 1;
      }
  return pieces;
}

static gboolean
bytes_is (GBytes     *bytes,
          const char *str)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return len == strlen (str) && memcmp (data, str, len) == 0;
}

/* What a receiver of @msg reads next. */
static gboolean
read_message (LoomMessage *msg)
{
  g_autoptr(GError) error = NULL;
  JsonObject *content;
  gsize len;
  const char *data = g_bytes_get_data (msg->content, &len);

  LOOM_FUZZ_CHECK (msg->msg_type != NULL && *msg->msg_type != '\0');
  LOOM_FUZZ_CHECK (msg->msg_id != NULL);

  loom_fuzz_check_json (data, len);
  content = loom_message_get_content (msg, &error);
  LOOM_FUZZ_CHECK ((content == NULL) == (error != NULL));
  /* Read once, kept. */
  if (content != NULL)
    LOOM_FUZZ_CHECK (loom_message_get_content (msg, NULL) == content);

  for (guint i = 0; i < msg->buffers->len; i++)
    {
      g_autoptr(GPtrArray) lines = loom_lines_split (loom_message_get_buffer (msg, i));

      for (guint j = 0; j < lines->len; j++)
        {
          GBytes *line = g_ptr_array_index (lines, j);

          data = g_bytes_get_data (line, &len);
          loom_fuzz_check_json (data, len);
        }
    }
  LOOM_FUZZ_CHECK (loom_message_get_buffer (msg, msg->buffers->len) == NULL);

  return content != NULL;
}

static void
wire_run (const guint8       *data,
          gsize               size,
          gboolean            fresh_wire,
          LoomFuzzWireResult *result)
{
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(LoomMessage) msg = NULL;
  LoomWire *wire;
  guint8 flags = size > 0 ? data[0] : 0;
  gsize max_message = (flags & LOOM_FUZZ_WIRE_SMALL_MAX) ? 256 : 1024 * 1024;
  gboolean must_pass_signature = FALSE;
  LoomDropReason reason = LOOM_DROP_N_REASONS;

  memset (result, 0, sizeof *result);
  pieces = split_frames (data + (size > 0), size - (size > 0));

  if (flags & LOOM_FUZZ_WIRE_SIGN)
    {
      guint n_routing = MIN ((guint) (flags & LOOM_FUZZ_WIRE_ROUTING) >> 1, pieces->len);
      guint first_signed;
      gsize total = 0;

      frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      must_pass_signature = TRUE;
      for (guint i = 0; i < n_routing; i++)
        {
          GBytes *id = g_ptr_array_index (pieces, i);

          /* The decoder takes the first "LOOM/1" for the delimiter. */
          if (bytes_is (id, LOOM_PROTOCOL_DELIMITER))
            must_pass_signature = FALSE;
          g_ptr_array_add (frames, g_bytes_ref (id));
        }
      g_ptr_array_add (frames, g_bytes_new_static (LOOM_PROTOCOL_DELIMITER, strlen (LOOM_PROTOCOL_DELIMITER)));
      g_ptr_array_add (frames, NULL);   /* the signature, below */
      first_signed = frames->len;
      /* Header and content, empty when the input has no such frame.  A
       * peer with the key also has a clock: the header's date, when it
       * has one, is now's, so signed inputs get past the date window. */
      for (guint i = n_routing; i < MAX (pieces->len, n_routing + 2); i++)
        g_ptr_array_add (frames, i >= pieces->len ? g_bytes_new_static ("", 0)
                                 : i == n_routing ? date_now (g_ptr_array_index (pieces, i))
                                                  : g_bytes_ref (g_ptr_array_index (pieces, i)));
      frames->pdata[first_signed - 1] = sign (frames, first_signed);

      for (guint i = 0; i < frames->len; i++)
        total += g_bytes_get_size (g_ptr_array_index (frames, i));
      if (total > max_message ||
          g_bytes_get_size (g_ptr_array_index (frames, first_signed)) > 64 * 1024)
        must_pass_signature = FALSE;
    }
  else
    frames = g_ptr_array_ref (pieces);

  /* A wire remembers 65,536 digests (2 MiB): one per input costs more
   * than the rest of the input.  The fuzzer keeps one per limit, and an
   * input it runs again is a replay; the corpus test wants each input on
   * its own. */
  if (fresh_wire)
    wire = loom_wire_new (fuzz_key, sizeof fuzz_key, max_message);
  else
    {
      static LoomWire *shared[2];
      guint which = (flags & LOOM_FUZZ_WIRE_SMALL_MAX) ? 1 : 0;

      if (shared[which] == NULL)
        shared[which] = loom_wire_new (fuzz_key, sizeof fuzz_key, max_message);
      wire = shared[which];
    }
  msg = loom_wire_decode (wire, frames, &reason);
  if (msg != NULL)
    {
      LoomDropReason again = LOOM_DROP_N_REASONS;

      result->decoded = TRUE;
      result->n_buffers = msg->buffers->len;
      LOOM_FUZZ_CHECK (msg->routing->len + 4 + msg->buffers->len == frames->len);
      result->content_ok = read_message (msg);

      /* The same frames again are a replay. */
      LOOM_FUZZ_CHECK (loom_wire_decode (wire, frames, &again) == NULL);
      LOOM_FUZZ_CHECK (again == LOOM_DROP_REPLAYED);
    }
  else
    {
      LOOM_FUZZ_CHECK (reason < LOOM_DROP_N_REASONS);
      LOOM_FUZZ_CHECK (reason != LOOM_DROP_UNKNOWN_TYPE);
      result->reason = reason;
      /* A message signed with the key is never refused for its signature. */
      if (must_pass_signature)
        LOOM_FUZZ_CHECK (reason != LOOM_DROP_UNSIGNED &&
                         reason != LOOM_DROP_BAD_SIGNATURE &&
                         (reason != LOOM_DROP_REPLAYED || !fresh_wire));
    }
  if (fresh_wire)
    loom_wire_free (wire);
}

/* One input on a wire of its own: the same input gives the same result. */
void
loom_fuzz_wire_run (const guint8       *data,
                    gsize               size,
                    LoomFuzzWireResult *result)
{
  wire_run (data, size, TRUE, result);
}

int
loom_fuzz_wire (const guint8 *data,
                gsize         size)
{
  LoomFuzzWireResult result;

  wire_run (data, size, FALSE, &result);
  return 0;
}

#ifdef LOOM_LIBFUZZER
int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  loom_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        gsize         size)
{
  return loom_fuzz_wire (data, size);
}
#endif
