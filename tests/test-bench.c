/* test-bench.c: `loomctl bench --scale`
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The real loomctl runs the quick scale bench: every figure is there and
 * plausible (never timed: a test asserts no upper bound on wall time), its
 * clusters are gone afterwards and so is its temporary folder, and the
 * user's job store is untouched.  Bad values are usage errors.
 */

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "loom-cli-test-util.h"

/* A TMPDIR of this case's own, in which the bench makes its folder. */
static char *
use_own_tmpdir (void)
{
  char *dir = g_build_filename (g_get_user_data_dir (), "bench-tmp", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_setenv ("TMPDIR", dir, TRUE);
  return dir;
}

/* Whether a process runs with an XDG_RUNTIME_DIR inside @dir. */
static gboolean
process_runs_in (const char *dir)
{
  g_autofree char *entry = g_strdup_printf ("XDG_RUNTIME_DIR=%s/", dir);
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)))
    {
      g_autofree char *path = g_build_filename ("/proc", name, "environ", NULL);
      g_autofree char *env = NULL;
      gsize len = 0;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &env, &len, NULL))
        continue;
      for (gsize i = 0; i < len; i += strlen (env + i) + 1)
        if (g_str_has_prefix (env + i, entry))
          return TRUE;
    }
  return FALSE;
}

/* The bench leaves nothing: no process of its clusters, no folder in
 * @tmpdir, no job store of the user's. */
static void
assert_bench_left_nothing (const char *tmpdir)
{
  g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
  g_autofree char *store = g_build_filename (g_get_user_state_dir (), "loom", NULL);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)))
    {
      g_test_message ("left in TMPDIR: %s", name);
      g_assert_not_reached ();
    }
  while (process_runs_in (tmpdir) && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_false (process_runs_in (tmpdir));
  g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));
  assert_nothing_left ();
}

static double
number (JsonObject *obj,
        const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  return json_node_get_double (node);
}

/* `bench --scale --quick --json`: one object, every figure positive and
 * plausible. */
static void
test_scale_json (void)
{
  static const char * const members[] = {
    "quick", "engines", "tasks", "wall_s", "tasks_per_s", "client_peak_rss_bytes",
    "controller_idle_rss_bytes", "controller_peak_rss_bytes", "controller_bytes_per_task",
    "store_bytes", "store_bytes_per_task", "adaptive_tasks", "adaptive_tasks_per_s",
    "fixed_tasks_per_s", "best_fixed_hwm", "adaptive_ratio", "mixed_engines", "mixed_short_tasks",
    "mixed_short_s", "mixed_long_tasks", "mixed_long_s", "mixed_shuffle_seed", "mixed_makespan_s",
    "mixed_ideal_s", "mixed_ratio", "targets_met", NULL
  };
  static const char * const targets[] = {
    "tasks_per_s", "client_peak_rss", "controller_peak_rss", "adaptive_ratio", "mixed_ratio", NULL
  };
  static const char * const hwms[] = { "1", "4", "16", "64", NULL };
  g_autofree char *tmpdir = use_own_tmpdir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj, *fixed, *met;
  double best;

  g_assert_cmpint (run_loomctl (&out, &err, "bench", "--scale", "--quick", "--json", NULL), ==, 0);
  root = parse_json (out);
  obj = json_node_get_object (root);
  assert_has_members (obj, members);

  g_assert_true (json_object_get_boolean_member (obj, "quick"));
  g_assert_cmpint (json_object_get_int_member (obj, "engines"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (obj, "tasks"), ==, 2000);

  /* 1: the no-op job. */
  g_assert_cmpfloat (number (obj, "wall_s"), >, 0);
  g_assert_cmpfloat (number (obj, "tasks_per_s"), >, 0);
  /* Figures are rounded (seconds to ms): consistent to within that. */
  g_assert_cmpfloat_with_epsilon (number (obj, "tasks_per_s") * number (obj, "wall_s") / 2000, 1, 0.02);
  g_assert_cmpfloat (number (obj, "client_peak_rss_bytes"), >, 1e6);
  g_assert_cmpfloat (number (obj, "controller_idle_rss_bytes"), >, 1e6);
  g_assert_cmpfloat (number (obj, "controller_peak_rss_bytes"), >=, number (obj, "controller_idle_rss_bytes"));
  g_assert_cmpfloat (number (obj, "controller_bytes_per_task"), >=, 0);
  g_assert_cmpfloat_with_epsilon (number (obj, "controller_bytes_per_task") * 2000,
                                  number (obj, "controller_peak_rss_bytes") - number (obj, "controller_idle_rss_bytes"),
                                  200);
  /* Every task is stored: the store grows by something for each. */
  g_assert_cmpfloat (number (obj, "store_bytes"), >, 0);
  g_assert_cmpfloat (number (obj, "store_bytes_per_task"), >, 1);
  g_assert_cmpfloat (number (obj, "store_bytes_per_task") * 2000, <=, number (obj, "store_bytes"));

  /* 2: adaptive against fixed; the best fixed is the fastest of them. */
  g_assert_cmpint (json_object_get_int_member (obj, "adaptive_tasks"), ==, 1000);
  g_assert_cmpfloat (number (obj, "adaptive_tasks_per_s"), >, 0);
  fixed = json_object_get_object_member (obj, "fixed_tasks_per_s");
  g_assert_nonnull (fixed);
  assert_has_members (fixed, hwms);
  g_assert_cmpuint (json_object_get_size (fixed), ==, 4);
  {
    g_autofree char *best_name = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                  json_object_get_int_member (obj, "best_fixed_hwm"));

    g_assert_true (g_strv_contains (hwms, best_name));
    best = number (fixed, best_name);
  }
  for (guint i = 0; hwms[i]; i++)
    {
      g_assert_cmpfloat (number (fixed, hwms[i]), >, 0);
      g_assert_cmpfloat (number (fixed, hwms[i]), <=, best);
    }
  g_assert_cmpfloat (number (obj, "adaptive_ratio"), >, 0);
  g_assert_cmpfloat_with_epsilon (number (obj, "adaptive_ratio"), number (obj, "adaptive_tasks_per_s") / best, 0.01);

  /* 3: the mixed job; no makespan is shorter than its longest task. */
  g_assert_cmpint (json_object_get_int_member (obj, "mixed_engines"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (obj, "mixed_long_tasks"), ==, 2);
  g_assert_cmpfloat_with_epsilon (number (obj, "mixed_long_s"), 0.2, 1e-9);
  g_assert_cmpfloat (number (obj, "mixed_short_tasks"), >, 0);
  g_assert_cmpfloat_with_epsilon (number (obj, "mixed_ideal_s"), 0.2, 1e-9);
  g_assert_cmpfloat (number (obj, "mixed_makespan_s"), >=, 0.2 * 0.99);
  g_assert_cmpfloat (number (obj, "mixed_ratio"), >=, 0.98);
  g_assert_cmpfloat_with_epsilon (number (obj, "mixed_ratio"),
                                  number (obj, "mixed_makespan_s") / number (obj, "mixed_ideal_s"), 0.01);

  met = json_object_get_object_member (obj, "targets_met");
  g_assert_nonnull (met);
  assert_has_members (met, targets);
  for (guint i = 0; targets[i]; i++)
    g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (met, targets[i])));

  assert_bench_left_nothing (tmpdir);
}

/* The human output names every figure, with its target where it has one;
 * --tasks sets the size of the no-op job. */
static void
test_scale_text (void)
{
  static const char * const names[] = {
    "3000 no-op tasks", "wall time", "throughput", "client peak RSS", "controller peak RSS",
    "controller bytes per task", "store bytes per task", "hwm auto", "hwm 1 ", "hwm 4 ", "hwm 16 ",
    "hwm 64 ", "auto / best fixed", "makespan ", "ideal", "makespan / ideal",
    "tasks/s", " MB", " B ", "< 100 MB", "< 300 MB", "≥ 50000 tasks/s", "≥ 0.9", "≤ 1.1", "met", NULL
  };
  g_autofree char *tmpdir = use_own_tmpdir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_loomctl (&out, &err, "bench", "--scale", "--quick", "--tasks", "3000", NULL), ==, 0);
  for (guint i = 0; names[i]; i++)
    {
      if (strstr (out, names[i]) == NULL)
        g_test_message ("missing “%s” in:\n%s", names[i], out);
      g_assert_nonnull (strstr (out, names[i]));
    }
  assert_bench_left_nothing (tmpdir);
}

/* Bad values exit 2 with a message that names the option; nothing runs. */
static void
test_scale_bad_values (void)
{
  static const struct {
    const char *args[6];
    const char *message;
  } cases[] = {
    { { "bench", "--scale", "--tasks", "0", NULL }, "--tasks must be ≥ 1" },
    { { "bench", "--scale", "--tasks", "-5", NULL }, "--tasks must be ≥ 1" },
    { { "bench", "--scale", "--tasks", "foo", NULL }, "foo" },
    { { "bench", "--scale", "--tasks", "99999999999", NULL }, "--tasks" },
    { { "bench", "--quick", NULL }, "--quick needs --scale" },
    { { "bench", "--scale", "--timeline", NULL }, "choose one" },
  };
  g_autofree char *tmpdir = use_own_tmpdir ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocess) proc = spawn_loomctlv (cases[i].args);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (finish_loomctl (proc, cases[i].args[2] ? cases[i].args[2] : cases[i].args[1], &out, &err), ==, 2);
      if (strstr (err, cases[i].message) == NULL)
        g_test_message ("case %u: stderr “%s”, wanted “%s”", i, err, cases[i].message);
      g_assert_nonnull (strstr (err, cases[i].message));
      g_assert_cmpstr (out, ==, "");
    }
  assert_bench_left_nothing (tmpdir);
}

/* `loomctl bench`: the same figures over ipc:// and over TCP with CURVE,
 * and the raw libzmq round trip with and without CURVE, in one run. */
static void
test_bench_curve (void)
{
  static const char * const members[] = {
    "throughput_tasks_per_s", "latency_median_us", "tcp_curve_throughput_tasks_per_s",
    "tcp_curve_latency_median_us", "tcp_curve_latency_p99_us", "zmq_rtt_median_us",
    "zmq_tcp_rtt_median_us", "zmq_tcp_curve_rtt_median_us", NULL
  };
  g_autofree char *tmpdir = use_own_tmpdir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;

  g_assert_cmpint (run_loomctl (&out, &err, "bench", "--json", "--runs", "1", "--tasks", "2000", "--calls", "1000",
                                "--startup-engines", "2", NULL), ==, 0);
  root = parse_json (out);
  obj = json_node_get_object (root);
  assert_has_members (obj, members);
  for (guint i = 0; members[i] != NULL; i++)
    g_assert_cmpfloat (number (obj, members[i]), >, 0);
}

/* `loomctl bench --profile`: a running cluster (here over loopback TCP,
 * so CURVE), beside a private ipc:// one of as many engines. */
static void
test_bench_profile (void)
{
  static const char * const members[] = {
    "throughput_tasks_per_s", "latency_median_us", "latency_p99_us",
    "ipc_throughput_tasks_per_s", "ipc_latency_median_us", "ipc_latency_p99_us", NULL
  };
  g_autofree char *tmpdir = use_own_tmpdir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;

  g_assert_cmpint (run_loomctl (&out, &err, "cluster", "start", "-n", "2", "--ip", "127.0.0.1", "--profile", "bp",
                                NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "bench", "--profile", "bp", "--json", "--runs", "1", "--tasks", "1000",
                                "--calls", "1000", NULL), ==, 0);
  root = parse_json (out);
  obj = json_node_get_object (root);
  assert_has_members (obj, members);
  for (guint i = 0; members[i] != NULL; i++)
    g_assert_cmpfloat (number (obj, members[i]), >, 0);
  g_assert_cmpfloat (number (obj, "engines"), ==, 2);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (obj, "url"), "tcp://127.0.0.1:"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "cluster", "stop", "--profile", "bp", NULL), ==, 0);

  /* No cluster: the usual message, exit 3. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_loomctl (&out, &err, "bench", "--profile", "bp", NULL), ==, 3);
  g_assert_nonnull (strstr (err, "cluster start"));
}

int
main (int   argc,
      char *argv[])
{
  g_set_prgname ("lb");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGABRT, kill_ours_and_abort);

  g_test_add_func ("/loom/bench/scale-json", test_scale_json);
  g_test_add_func ("/loom/bench/scale-text", test_scale_text);
  g_test_add_func ("/loom/bench/scale-bad-values", test_scale_bad_values);
  g_test_add_func ("/loom/bench/curve", test_bench_curve);
  g_test_add_func ("/loom/bench/profile", test_bench_profile);

  return g_test_run ();
}
