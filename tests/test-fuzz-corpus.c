/* test-fuzz-corpus.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Replays the fuzz corpus (tests/fuzz/corpus/TARGET/) through the fuzz
 * targets' entry points in the normal build, so that every input the
 * fuzzer found interesting — and each crash it found, once fixed — runs in
 * CI.  A target aborts when an invariant breaks.  The wire seeds also say
 * what must become of them: `valid-*` decodes and its content reads as a
 * JSON object; `drop-REASON-*` is dropped for REASON.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include "loom-fuzz.h"
#include "loom-json-private.h"

typedef int (*FuzzTarget) (const guint8 *data, gsize size);

static char *
corpus_dir (const char *target)
{
  const char *top = g_getenv ("LOOM_FUZZ_CORPUS");

  g_assert_nonnull (top);
  return g_build_filename (top, target, NULL);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* The corpus of @target, names sorted. */
static GPtrArray *
corpus_files (const char *target)
{
  g_autofree char *dir_path = corpus_dir (target);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (files, g_build_filename (dir_path, name, NULL));
  g_ptr_array_sort (files, compare_paths);
  return files;
}

static void
replay (const char *target,
        FuzzTarget  run,
        guint       at_least)
{
  g_autoptr(GPtrArray) files = corpus_files (target);

  g_assert_cmpuint (files->len, >=, at_least);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *data = NULL;
      gsize len;
      GError *error = NULL;

      g_file_get_contents (files->pdata[i], &data, &len, &error);
      g_assert_no_error (error);
      g_test_message ("%s", (char *) files->pdata[i]);
      g_assert_cmpint (run ((const guint8 *) data, len), ==, 0);
    }
}

static void
test_replay_wire (void)
{
  replay ("wire", loom_fuzz_wire, 10);
}

static void
test_replay_json (void)
{
  replay ("json", loom_fuzz_json, 10);
}

static void
test_replay_sweep (void)
{
  replay ("sweep", loom_fuzz_sweep, 10);
}

/* The seeds get the fuzzer where it should go: past the signature into
 * the parsers, and to each reason for a drop. */
static void
test_wire_seeds (void)
{
  g_autoptr(GPtrArray) files = corpus_files ("wire");
  guint n_valid = 0, n_drop = 0;

  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *base = g_path_get_basename (files->pdata[i]);
      g_autofree char *data = NULL;
      LoomFuzzWireResult result;
      gsize len;

      if (!g_str_has_prefix (base, "valid-") && !g_str_has_prefix (base, "drop-"))
        continue;
      g_assert_true (g_file_get_contents (files->pdata[i], &data, &len, NULL));
      loom_fuzz_wire_run ((const guint8 *) data, len, &result);
      g_test_message ("%s: %s", base,
                      result.decoded ? "decoded" : loom_drop_reason_to_string (result.reason));
      if (g_str_has_prefix (base, "valid-raw-") && !result.decoded)
        {
          /* Signed once, with the date of the day the seeds were made:
           * past the signature, now refused for its date, which is
           * checked after it. */
          g_assert_cmpstr (loom_drop_reason_to_string (result.reason), ==, "stale");
          n_valid++;
        }
      else if (g_str_has_prefix (base, "valid-"))
        {
          g_assert_true (result.decoded);
          g_assert_true (result.content_ok);
          n_valid++;
        }
      else
        {
          const char *reason_start = base + strlen ("drop-");
          const char *reason_end = strrchr (base, '-');
          g_autofree char *reason = g_strndup (reason_start, reason_end - reason_start);

          g_assert_false (result.decoded);
          g_assert_cmpstr (loom_drop_reason_to_string (result.reason), ==, reason);
          n_drop++;
        }
    }
  g_assert_cmpuint (n_valid, >=, 5);
  g_assert_cmpuint (n_drop, >=, 4);
}

/* The checks themselves catch what they are there for. */
static void
test_depth (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);

  for (guint i = 0; i < LOOM_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < LOOM_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, ']');
  g_assert_true (loom_json_check_depth (deep->str, deep->len, NULL));
  {
    g_autoptr(JsonNode) node = loom_json_from_data (deep->str, deep->len, NULL);

    g_assert_nonnull (node);
    g_assert_cmpuint (loom_fuzz_node_depth (node), ==, LOOM_JSON_MAX_DEPTH);
  }
  g_string_prepend_c (deep, '[');
  g_string_append_c (deep, ']');
  g_assert_false (loom_json_check_depth (deep->str, deep->len, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  loom_fuzz_init ();

  g_test_add_func ("/loom/fuzz/depth", test_depth);
  g_test_add_func ("/loom/fuzz/wire-seeds", test_wire_seeds);
  g_test_add_func ("/loom/fuzz/replay/wire", test_replay_wire);
  g_test_add_func ("/loom/fuzz/replay/json", test_replay_json);
  g_test_add_func ("/loom/fuzz/replay/sweep", test_replay_sweep);

  return g_test_run ();
}
