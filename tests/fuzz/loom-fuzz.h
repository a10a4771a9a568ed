/* loom-fuzz.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The fuzz targets' entry points.  Each fuzz-*.c is built twice: as a
 * libFuzzer program (-Dfuzzing=true, LOOM_LIBFUZZER defined: it gets a
 * LLVMFuzzerTestOneInput() that calls its entry point), and in every build
 * into the corpus test (test-fuzz-corpus), which replays the inputs kept
 * in tests/fuzz/corpus/ through the same entry points.
 *
 * An entry point aborts (loom_fuzz_fail()) when an invariant breaks; input that is
 * merely invalid is not an error.
 */

#pragma once

#include <glib.h>

#include "loom-wire-private.h"

G_BEGIN_DECLS

/* The wire target's key: 32 bytes 0x00, 0x01, … 0x1f, in hex
 * "000102…1f".  Signed seeds in corpus/wire were signed with it. */
#define LOOM_FUZZ_KEY_SIZE 32

/* Frames in a wire input are separated by this byte (ASCII RS), which JSON
 * text never holds raw. */
#define LOOM_FUZZ_FRAME_SEPARATOR '\x1e'

/* The first byte of a wire input. */
typedef enum
{
  /* The rest is header, content and buffers: the target puts "LOOM/1"
   * and a valid signature in front, so that parsing is reached. */
  LOOM_FUZZ_WIRE_SIGN      = 1 << 0,
  /* With SIGN, this many (0–3) of the leading frames are routing ids. */
  LOOM_FUZZ_WIRE_ROUTING   = 3 << 1,
  /* A message limit of 256 bytes instead of 1 MiB. */
  LOOM_FUZZ_WIRE_SMALL_MAX = 1 << 3,
} LoomFuzzWireFlags;

typedef struct
{
  gboolean        decoded;
  LoomDropReason  reason;       /* when not decoded */
  gboolean        content_ok;   /* when decoded: content is a JSON object */
  guint           n_buffers;
} LoomFuzzWireResult;

#define LOOM_FUZZ_CHECK(cond) \
  G_STMT_START { \
    if (G_UNLIKELY (!(cond))) \
      loom_fuzz_fail ("%s:%d: invariant broken: %s", __FILE__, __LINE__, #cond); \
  } G_STMT_END

/* Prints and aborts: libFuzzer keeps the input of an abort, not of the
 * SIGTRAP g_error() raises. */
G_NORETURN void loom_fuzz_fail (const char *format,
                                ...) G_GNUC_PRINTF (1, 2);
void   loom_fuzz_init       (void);
guint  loom_fuzz_node_depth (JsonNode            *node);
void   loom_fuzz_check_json (const char          *data,
                             gsize                size);
void   loom_fuzz_wire_run   (const guint8        *data,
                             gsize                size,
                             LoomFuzzWireResult  *result);
int    loom_fuzz_wire       (const guint8        *data,
                             gsize                size);
int    loom_fuzz_json       (const guint8        *data,
                             gsize                size);
int    loom_fuzz_sweep      (const guint8        *data,
                             gsize                size);

G_END_DECLS
