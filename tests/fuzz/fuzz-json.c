/* fuzz-json.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Fuzz target: loom_json_from_data() and its nesting-depth check, which
 * stand between json-glib's recursive parser and every piece of JSON a
 * peer sends (headers, content, task parameters, result lines).  See
 * loom_fuzz_check_json() for what must hold.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include "loom-fuzz.h"
#include "loom-json-private.h"

int
loom_fuzz_json (const guint8 *data,
                gsize         size)
{
  loom_fuzz_check_json ((const char *) data, size);
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
  return loom_fuzz_json (data, size);
}
#endif
