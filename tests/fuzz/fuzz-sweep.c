/* fuzz-sweep.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Fuzz target: the sweep language, as `loomctl map --sweep`, `--const`,
 * `--zip` and `--csv` and the app's form hand it text.  An input is lines:
 * `=NAME=VALUE` adds a constant, `%NAMES` sets the zipped names, `!` makes
 * the rest of the input CSV data, and any other line is a spec
 * (`x=range:0:10`).  The sweep must then answer for its first, middle and
 * last task and describe itself.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <loom.h>

#include "loom-fuzz.h"

static void
check_params (LoomSweep *sweep,
              guint64    index)
{
  g_autoptr(JsonNode) params = loom_sweep_get_params (sweep, index);
  g_autofree char *text = NULL;

  LOOM_FUZZ_CHECK (params != NULL);
  text = loom_value_to_json (params);
  LOOM_FUZZ_CHECK (text != NULL);
  loom_fuzz_check_json (text, strlen (text));
}

int
loom_fuzz_sweep (const guint8 *data,
                 gsize         size)
{
  g_autoptr(LoomSweep) sweep = loom_sweep_new ();
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) lines = NULL;
  g_autofree char *preview = NULL;
  guint64 count;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (lines[i][0] == '!')
        {
          g_autofree char *csv = g_strjoinv ("\n", lines + i);

          ok = loom_sweep_add_csv_data (sweep, csv + 1, -1, &error);
          LOOM_FUZZ_CHECK (ok == (error == NULL));
          break;
        }
      if (lines[i][0] == '=')
        ok = loom_sweep_add_constant (sweep, lines[i] + 1, &error);
      else if (lines[i][0] == '%')
        ok = loom_sweep_set_zip (sweep, lines[i] + 1, &error);
      else
        ok = loom_sweep_add_spec (sweep, lines[i], &error);
      LOOM_FUZZ_CHECK (ok == (error == NULL));
    }

  count = loom_sweep_get_count (sweep);
  if (count > 0)
    {
      check_params (sweep, 0);
      check_params (sweep, count / 2);
      check_params (sweep, count - 1);
    }
  preview = loom_sweep_describe_preview (sweep, 2, 2);
  LOOM_FUZZ_CHECK (preview != NULL);

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
  return loom_fuzz_sweep (data, size);
}
#endif
