/* loomctl-bench-scale.c: `loomctl bench --scale`
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Loom at the scale the issue asks for, each figure beside its target:
 * N no-op tasks through the real `loomctl map` (a child process) on a
 * cluster of 2 engines with default settings — wall time, tasks/s, the
 * peak RSS of the client and of the controller, and bytes per task in the
 * controller and in the job store; the adaptive hwm against the best
 * fixed one; and the makespan of a mixed job on 4 engines against the
 * ideal.  The clusters are named profiles of a temporary
 * XDG_RUNTIME_DIR and XDG_STATE_HOME, so the user's clusters and job store
 * are untouched; all of it is stopped and removed at the end.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "loomctl-private.h"
#include "loom-util-private.h"

#define SCALE_ENGINES 2
#define MIXED_ENGINES 4
#define MIXED_SHUFFLE_SEED 1

/* The targets. */
#define TARGET_TASKS_PER_S 50000.0
#define TARGET_CLIENT_MB 100.0
#define TARGET_CONTROLLER_MB 300.0
#define TARGET_ADAPTIVE_RATIO 0.9
#define TARGET_MIXED_RATIO 1.1

static const guint fixed_hwms[] = { 1, 4, 16, 64 };

typedef struct
{
  char      *root;      /* the temporary folder of everything below */
  char     **env;       /* the children's environment */
  char      *loomctl;
  GPtrArray *running;   /* profiles with a cluster to stop */
  gboolean   keep;      /* a cluster did not start: keep its logs */
} ScaleBench;

typedef struct
{
  /* 1: no-op tasks through loomctl map */
  int     tasks;
  double  wall_s;
  double  tasks_per_s;
  guint64 client_peak_rss;
  guint64 controller_idle_rss;
  guint64 controller_peak_rss;
  guint64 store_bytes;
  double  controller_bytes_per_task;
  double  store_bytes_per_task;

  /* 2: adaptive against fixed hwm */
  int     adaptive_tasks;
  double  adaptive_tasks_per_s;
  double  fixed_tasks_per_s[G_N_ELEMENTS (fixed_hwms)];
  guint   best_fixed;   /* index into fixed_hwms */
  double  adaptive_ratio;

  /* 3: the mixed job */
  int     mixed_short;
  double  mixed_short_s;
  int     mixed_long;
  double  mixed_long_s;
  double  mixed_makespan_s;
  double  mixed_ideal_s;
  double  mixed_ratio;
} ScaleFigures;

/* rm -r @path, without following symbolic links. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) && (dir = g_dir_open (path, 0, NULL)))
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        remove_tree (child);
      }
  g_remove (path);
}

static void
scale_bench_clear (ScaleBench *bench)
{
  if (bench->running != NULL)
    {
      /* Left running by an error or an interrupt (or half started):
       * newest first, quietly, as some may not be running at all. */
      for (guint i = bench->running->len; i > 0; i--)
        {
          const char *argv[] = { bench->loomctl, "cluster", "stop", "--profile",
                                 g_ptr_array_index (bench->running, i - 1), NULL };

          g_spawn_sync (NULL, (char **) argv, bench->env,
                        G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, NULL, NULL, NULL, NULL);
        }
      g_clear_pointer (&bench->running, g_ptr_array_unref);
    }
  if (bench->root != NULL && !bench->keep)
    remove_tree (bench->root);
  g_clear_pointer (&bench->root, g_free);
  g_clear_pointer (&bench->env, g_strfreev);
  g_clear_pointer (&bench->loomctl, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ScaleBench, scale_bench_clear)

static gboolean
scale_bench_init (ScaleBench  *bench,
                  GError     **error)
{
  g_autofree char *run = NULL;
  g_autofree char *state = NULL;

  bench->root = g_dir_make_tmp ("loom-bench-scale-XXXXXX", error);
  if (bench->root == NULL)
    return FALSE;
  run = g_build_filename (bench->root, "run", NULL);
  state = g_build_filename (bench->root, "state", NULL);
  if (g_mkdir (run, 0700) != 0 || g_mkdir (state, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("cannot make a folder in %s: %s"), bench->root, g_strerror (saved));
      return FALSE;
    }
  bench->env = g_get_environ ();
  bench->env = g_environ_setenv (bench->env, "XDG_RUNTIME_DIR", run, TRUE);
  bench->env = g_environ_setenv (bench->env, "XDG_STATE_HOME", state, TRUE);
  bench->loomctl = loom_find_program ("loomctl", "LOOMCTL");
  bench->running = g_ptr_array_new_with_free_func (g_free);
  return TRUE;
}

/* Runs loomctl with @args (NULL-terminated), its stdout in @out (or to
 * /dev/null when @out is %NULL), its stderr on ours. */
static gboolean
scale_bench_loomctl (ScaleBench   *bench,
                     const char  **args,
                     char        **out,
                     GError      **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) local_error = NULL;
  int status;

  g_ptr_array_add (argv, bench->loomctl);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, bench->env,
                     out ? G_SPAWN_DEFAULT : G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, out, NULL, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, &local_error))
    {
      g_autofree char *line = g_strjoinv (" ", (char **) args);

      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED, _("“loomctl %s” failed: %s"),
                   line, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
scale_bench_start (ScaleBench  *bench,
                   const char  *profile,
                   int          n_engines,
                   const char  *hwm,
                   GError     **error)
{
  g_autofree char *n = g_strdup_printf ("%d", n_engines);
  const char *args[] = { "cluster", "start", "--profile", profile, "-n", n,
                         hwm ? "--hwm" : NULL, hwm, NULL };
  g_autoptr(GError) local_error = NULL;

  /* Listed first: a start that fails half-way is stopped too. */
  g_ptr_array_add (bench->running, g_strdup (profile));
  if (!scale_bench_loomctl (bench, args, NULL, &local_error))
    {
      bench->keep = TRUE;
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER,
                   _("cannot start a cluster for the bench: %s (its folder %s is kept for the logs)"),
                   local_error->message, bench->root);
      return FALSE;
    }
  return TRUE;
}

static gboolean
scale_bench_stop (ScaleBench  *bench,
                  const char  *profile,
                  GError     **error)
{
  const char *args[] = { "cluster", "stop", "--profile", profile, NULL };

  if (!scale_bench_loomctl (bench, args, NULL, error))
    return FALSE;
  for (guint i = 0; i < bench->running->len; i++)
    if (g_str_equal (g_ptr_array_index (bench->running, i), profile))
      {
        g_ptr_array_remove_index (bench->running, i);
        break;
      }
  return TRUE;
}

/* The controller's pid and the job store's size, from `cluster status --json`. */
static gboolean
scale_bench_status (ScaleBench  *bench,
                    const char  *profile,
                    gint64      *controller_pid,
                    guint64     *store_bytes,
                    GError     **error)
{
  const char *args[] = { "cluster", "status", "--profile", profile, "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  JsonObject *root, *controller, *store;

  if (!scale_bench_loomctl (bench, args, &out, error) ||
      !json_parser_load_from_data (parser, out, -1, error))
    return FALSE;
  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
    ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  controller = root && json_object_has_member (root, "controller")
    ? json_object_get_object_member (root, "controller") : NULL;
  store = root && json_object_has_member (root, "store")
    ? json_object_get_object_member (root, "store") : NULL;
  if (controller == NULL || store == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED,
                   _("“loomctl cluster status --json” has no controller or no store"));
      return FALSE;
    }
  *controller_pid = json_object_get_int_member (controller, "pid");
  *store_bytes = json_object_get_int_member (store, "bytes");
  return TRUE;
}

/* The store's size once three reads 100 ms apart agree (at most 30 s). */
static gboolean
scale_bench_settled_store (ScaleBench  *bench,
                           const char  *profile,
                           guint64     *store_bytes,
                           GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint64 last = G_MAXUINT64;
  guint same = 0;
  gint64 pid;

  for (;;)
    {
      if (!scale_bench_status (bench, profile, &pid, store_bytes, error))
        return FALSE;
      same = *store_bytes == last ? same + 1 : 0;
      last = *store_bytes;
      if (same == 2 || g_get_monotonic_time () > deadline || loomctl_interrupted ())
        return TRUE;
      g_usleep (100 * 1000);
    }
}

/* A line of /proc/PID/status such as “VmHWM:  1234 kB”, in bytes; 0 when
 * there is none. */
static guint64
proc_status_bytes (gint64      pid,
                   const char *key)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/status", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], key) && lines[i][strlen (key)] == ':')
      return g_ascii_strtoull (lines[i] + strlen (key) + 1, NULL, 10) * 1024;
  return 0;
}

/* Runs `loomctl map --profile @profile noop --sweep i=range:0:@n_tasks`
 * with its output to /dev/null; its wall time from spawn to exit and its
 * peak RSS (ru_maxrss). */
static gboolean
scale_bench_map_noop (ScaleBench  *bench,
                      const char  *profile,
                      int          n_tasks,
                      double      *wall_s,
                      guint64     *peak_rss,
                      GError     **error)
{
  g_autofree char *sweep = g_strdup_printf ("i=range:0:%d", n_tasks);
  const char *argv[] = { bench->loomctl, "map", "--profile", profile, "noop", "--sweep", sweep, NULL };
  g_autoptr(GError) local_error = NULL;
  struct rusage usage;
  gint64 begin;
  GPid pid;
  int status;

  begin = g_get_monotonic_time ();
  if (!g_spawn_async (NULL, (char **) argv, bench->env,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, &pid, error))
    return FALSE;
  /* Polled, so that an interrupt of the bench alone (SIGTERM) is passed
   * on to the map, which then aborts its job and exits. */
  for (gboolean told = FALSE;;)
    {
      pid_t done = wait4 (pid, &status, WNOHANG, &usage);

      if (done == pid)
        break;
      if (done < 0 && errno != EINTR)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("cannot wait for loomctl map: %s"), g_strerror (saved));
          return FALSE;
        }
      if (loomctl_interrupted () && !told)
        {
          kill (pid, SIGINT);
          told = TRUE;
        }
      g_usleep (10 * 1000);
    }
  *wall_s = (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
  *peak_rss = (guint64) usage.ru_maxrss * 1024;
  if (!g_spawn_check_wait_status (status, &local_error))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED, _("“loomctl map noop --sweep %s” failed: %s"),
                   sweep, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Figure 1: @f->tasks no-op tasks on 2 engines with default settings. */
static gboolean
bench_scale_noop (ScaleBench    *bench,
                  ScaleFigures  *f,
                  GError       **error)
{
  const char *profile = "scale";
  guint64 store_before, store_after;
  gint64 pid;

  if (!scale_bench_start (bench, profile, SCALE_ENGINES, NULL, error) ||
      !scale_bench_status (bench, profile, &pid, &store_before, error))
    return FALSE;
  f->controller_idle_rss = proc_status_bytes (pid, "VmRSS");
  if (!scale_bench_map_noop (bench, profile, f->tasks, &f->wall_s, &f->client_peak_rss, error))
    return FALSE;
  f->controller_peak_rss = proc_status_bytes (pid, "VmHWM");
  /* The controller's writer thread may still be storing the last results
   * when the client has them: the store's size once it holds still. */
  if (!scale_bench_settled_store (bench, profile, &store_after, error))
    return FALSE;
  if (!scale_bench_stop (bench, profile, error))
    return FALSE;

  f->tasks_per_s = f->tasks / MAX (1e-9, f->wall_s);
  f->store_bytes = store_after;
  f->store_bytes_per_task = (store_after - MIN (store_before, store_after)) / (double) f->tasks;
  f->controller_bytes_per_task = (f->controller_peak_rss - MIN (f->controller_idle_rss, f->controller_peak_rss)) /
                                 (double) f->tasks;
  return TRUE;
}

/* One no-op job of @n_tasks on a fresh cluster of 2 engines with @hwm. */
static gboolean
bench_scale_hwm (ScaleBench  *bench,
                 const char  *hwm,
                 int          n_tasks,
                 double      *tasks_per_s,
                 GError     **error)
{
  g_autofree char *profile = g_strdup_printf ("hwm-%s", hwm);
  guint64 rss;
  double wall;

  if (!scale_bench_start (bench, profile, SCALE_ENGINES, hwm, error) ||
      !scale_bench_map_noop (bench, profile, n_tasks, &wall, &rss, error))
    return FALSE;
  if (!scale_bench_stop (bench, profile, error))
    return FALSE;
  *tasks_per_s = n_tasks / MAX (1e-9, wall);
  return TRUE;
}

/* Figure 2: the default hwm (auto) against the best of 1, 4, 16 and 64. */
static gboolean
bench_scale_adaptive (ScaleBench    *bench,
                      ScaleFigures  *f,
                      GError       **error)
{
  if (!bench_scale_hwm (bench, "auto", f->adaptive_tasks, &f->adaptive_tasks_per_s, error))
    return FALSE;
  f->best_fixed = 0;
  for (guint i = 0; i < G_N_ELEMENTS (fixed_hwms); i++)
    {
      g_autofree char *hwm = g_strdup_printf ("%u", fixed_hwms[i]);

      if (!bench_scale_hwm (bench, hwm, f->adaptive_tasks, &f->fixed_tasks_per_s[i], error))
        return FALSE;
      if (f->fixed_tasks_per_s[i] > f->fixed_tasks_per_s[f->best_fixed])
        f->best_fixed = i;
    }
  f->adaptive_ratio = f->adaptive_tasks_per_s / MAX (1e-9, f->fixed_tasks_per_s[f->best_fixed]);
  return TRUE;
}

/* Figure 3: short and long sleeps in shuffled order on 4 engines; the
 * makespan is the job's, from its creation to its end. */
static gboolean
bench_scale_mixed (ScaleBench    *bench,
                   ScaleFigures  *f,
                   GError       **error)
{
  const char *profile = "mixed";
  g_autofree char *csv_path = g_build_filename (bench->root, "mixed.csv", NULL);
  g_autofree char *seed = g_strdup_printf ("--shuffle=%d", MIXED_SHUFFLE_SEED);
  const char *args[] = { "map", "--profile", profile, "sleep", "--sweep-csv", csv_path, seed, "--json", NULL };
  g_autoptr(GString) csv = g_string_new ("seconds\n");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  JsonObject *root, *job;
  double serial;

  for (int i = 0; i < f->mixed_short; i++)
    g_string_append_printf (csv, "%s\n", g_ascii_dtostr (buf, sizeof buf, f->mixed_short_s));
  for (int i = 0; i < f->mixed_long; i++)
    g_string_append_printf (csv, "%s\n", g_ascii_dtostr (buf, sizeof buf, f->mixed_long_s));
  if (!g_file_set_contents (csv_path, csv->str, csv->len, error))
    return FALSE;

  if (!scale_bench_start (bench, profile, MIXED_ENGINES, NULL, error) ||
      !scale_bench_loomctl (bench, args, &out, error))
    return FALSE;
  if (!scale_bench_stop (bench, profile, error))
    return FALSE;

  if (!json_parser_load_from_data (parser, out, -1, error))
    return FALSE;
  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
    ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  job = root && json_object_has_member (root, "job") ? json_object_get_object_member (root, "job") : NULL;
  if (job == NULL || !json_object_has_member (job, "created") || !json_object_has_member (job, "finished"))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED, _("the report of the mixed job has no job times"));
      return FALSE;
    }
  f->mixed_makespan_s = (json_object_get_int_member (job, "finished") - json_object_get_int_member (job, "created")) /
                        (double) G_USEC_PER_SEC;
  serial = f->mixed_short * f->mixed_short_s + f->mixed_long * f->mixed_long_s;
  f->mixed_ideal_s = MAX (serial / MIXED_ENGINES, MAX (f->mixed_short_s, f->mixed_long_s));
  f->mixed_ratio = f->mixed_makespan_s / f->mixed_ideal_s;
  return TRUE;
}

/* “, "name": value” (no comma first), the value printed with @format
 * whatever the locale. */
static void
append_member (GString    *out,
               const char *name,
               const char *format,
               double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (out, "%s\"%s\": %s", out->str[out->len - 1] == '{' ? "" : ", ", name,
                          g_ascii_formatd (buf, sizeof buf, format, value));
}

static void
append_bool (GString    *out,
             const char *name,
             gboolean    value)
{
  g_string_append_printf (out, "%s\"%s\": %s", out->str[out->len - 1] == '{' ? "" : ", ", name,
                          value ? "true" : "false");
}

static void
print_json (const ScaleFigures *f,
            gboolean            quick)
{
  g_autoptr(GString) out = g_string_new ("{");

  append_bool (out, "quick", quick);
  append_member (out, "engines", "%.0f", SCALE_ENGINES);
  append_member (out, "tasks", "%.0f", f->tasks);
  append_member (out, "wall_s", "%.3f", f->wall_s);
  append_member (out, "tasks_per_s", "%.0f", f->tasks_per_s);
  append_member (out, "client_peak_rss_bytes", "%.0f", f->client_peak_rss);
  append_member (out, "controller_idle_rss_bytes", "%.0f", f->controller_idle_rss);
  append_member (out, "controller_peak_rss_bytes", "%.0f", f->controller_peak_rss);
  append_member (out, "controller_bytes_per_task", "%.1f", f->controller_bytes_per_task);
  append_member (out, "store_bytes", "%.0f", f->store_bytes);
  append_member (out, "store_bytes_per_task", "%.1f", f->store_bytes_per_task);

  append_member (out, "adaptive_tasks", "%.0f", f->adaptive_tasks);
  append_member (out, "adaptive_tasks_per_s", "%.0f", f->adaptive_tasks_per_s);
  g_string_append (out, ", \"fixed_tasks_per_s\": {");
  for (guint i = 0; i < G_N_ELEMENTS (fixed_hwms); i++)
    {
      g_autofree char *hwm = g_strdup_printf ("%u", fixed_hwms[i]);
      append_member (out, hwm, "%.0f", f->fixed_tasks_per_s[i]);
    }
  g_string_append (out, "}");
  append_member (out, "best_fixed_hwm", "%.0f", fixed_hwms[f->best_fixed]);
  append_member (out, "adaptive_ratio", "%.3f", f->adaptive_ratio);

  append_member (out, "mixed_engines", "%.0f", MIXED_ENGINES);
  append_member (out, "mixed_short_tasks", "%.0f", f->mixed_short);
  append_member (out, "mixed_short_s", "%g", f->mixed_short_s);
  append_member (out, "mixed_long_tasks", "%.0f", f->mixed_long);
  append_member (out, "mixed_long_s", "%g", f->mixed_long_s);
  append_member (out, "mixed_shuffle_seed", "%.0f", MIXED_SHUFFLE_SEED);
  append_member (out, "mixed_makespan_s", "%.3f", f->mixed_makespan_s);
  append_member (out, "mixed_ideal_s", "%.3f", f->mixed_ideal_s);
  append_member (out, "mixed_ratio", "%.3f", f->mixed_ratio);

  g_string_append (out, ", \"targets_met\": {");
  append_bool (out, "tasks_per_s", f->tasks_per_s >= TARGET_TASKS_PER_S);
  append_bool (out, "client_peak_rss", f->client_peak_rss < TARGET_CLIENT_MB * 1e6);
  append_bool (out, "controller_peak_rss", f->controller_peak_rss < TARGET_CONTROLLER_MB * 1e6);
  append_bool (out, "adaptive_ratio", f->adaptive_ratio >= TARGET_ADAPTIVE_RATIO);
  append_bool (out, "mixed_ratio", f->mixed_ratio <= TARGET_MIXED_RATIO);
  g_string_append (out, "}}");
  g_print ("%s\n", out->str);
}

/* Appends @text and spaces up to @width characters (not bytes: “≤” is
 * one), on the left of them or, with @right, on the right. */
static void
append_padded (GString    *out,
               const char *text,
               glong       width,
               gboolean    right)
{
  glong pad = MAX (0, width - g_utf8_strlen (text, -1));

  if (!right)
    g_string_append (out, text);
  for (glong i = 0; i < pad; i++)
    g_string_append_c (out, ' ');
  if (right)
    g_string_append (out, text);
}

/* One aligned line: the figure's name, its value with units, and, when it
 * has one, its target and whether it is met. */
static void
print_row (const char *label,
           const char *value,
           const char *target,
           int         met)
{
  g_autoptr(GString) line = g_string_new ("  ");

  append_padded (line, label, 28, FALSE);
  append_padded (line, value, 16, TRUE);
  if (target != NULL)
    {
      g_string_append (line, "   ");
      append_padded (line, target, 28, FALSE);
      if (met >= 0)
        g_string_append (line, met ? _("met") : _("not met"));
    }
  while (line->len > 0 && line->str[line->len - 1] == ' ')
    g_string_truncate (line, line->len - 1);
  g_print ("%s\n", line->str);
}

#define PRINT_ROW(label, target, met, ...)                    \
  G_STMT_START {                                              \
    g_autofree char *value_ = g_strdup_printf (__VA_ARGS__);  \
    print_row (label, value_, target, met);                   \
  } G_STMT_END

static void
print_text (const ScaleFigures *f)
{
  g_autofree char *wall_target = g_strdup_printf (_("≤ %g s (%.0f tasks/s)"), f->tasks / TARGET_TASKS_PER_S,
                                                  TARGET_TASKS_PER_S);
  g_autofree char *rate_target = g_strdup_printf (_("≥ %.0f tasks/s"), TARGET_TASKS_PER_S);
  g_autofree char *client_target = g_strdup_printf (_("< %.0f MB"), TARGET_CLIENT_MB);
  g_autofree char *controller_target = g_strdup_printf (_("< %.0f MB"), TARGET_CONTROLLER_MB);
  g_autofree char *adaptive_target = g_strdup_printf (_("≥ %.1f"), TARGET_ADAPTIVE_RATIO);
  g_autofree char *mixed_target = g_strdup_printf (_("≤ %.1f"), TARGET_MIXED_RATIO);
  g_autofree char *idle = g_strdup_printf (_("(peak − idle %.1f MB) / tasks"), f->controller_idle_rss / 1e6);
  g_autofree char *store = g_strdup_printf (_("(jobs.db %.1f MB)"), f->store_bytes / 1e6);
  g_autofree char *best = g_strdup_printf (_("auto / best fixed (hwm %u)"), fixed_hwms[f->best_fixed]);
  gboolean rate_met = f->tasks_per_s >= TARGET_TASKS_PER_S;

  g_print (_("Loom at scale on %u CPUs; every figure from one run\n"), g_get_num_processors ());

  g_print (_("\n%d no-op tasks through “loomctl map” on %d engines (default settings):\n"),
           f->tasks, SCALE_ENGINES);
  PRINT_ROW (_("wall time"), wall_target, rate_met, _("%.2f s"), f->wall_s);
  PRINT_ROW (_("throughput"), rate_target, rate_met, _("%.0f tasks/s"), f->tasks_per_s);
  PRINT_ROW (_("client peak RSS"), client_target, f->client_peak_rss < TARGET_CLIENT_MB * 1e6,
             _("%.1f MB"), f->client_peak_rss / 1e6);
  PRINT_ROW (_("controller peak RSS"), controller_target, f->controller_peak_rss < TARGET_CONTROLLER_MB * 1e6,
             _("%.1f MB"), f->controller_peak_rss / 1e6);
  PRINT_ROW (_("controller bytes per task"), idle, -1, _("%.1f B"), f->controller_bytes_per_task);
  PRINT_ROW (_("store bytes per task"), store, -1, _("%.1f B"), f->store_bytes_per_task);

  g_print (_("\nAdaptive against fixed hwm, %d no-op tasks on %d engines:\n"), f->adaptive_tasks, SCALE_ENGINES);
  PRINT_ROW (_("hwm auto"), NULL, -1, _("%.0f tasks/s"), f->adaptive_tasks_per_s);
  for (guint i = 0; i < G_N_ELEMENTS (fixed_hwms); i++)
    {
      g_autofree char *label = g_strdup_printf (_("hwm %u"), fixed_hwms[i]);
      PRINT_ROW (label, NULL, -1, _("%.0f tasks/s"), f->fixed_tasks_per_s[i]);
    }
  PRINT_ROW (best, adaptive_target, f->adaptive_ratio >= TARGET_ADAPTIVE_RATIO, "%.2f", f->adaptive_ratio);

  g_print (_("\nMixed job on %d engines: %d tasks of %g s and %d of %g s, shuffled (seed %d):\n"),
           MIXED_ENGINES, f->mixed_short, f->mixed_short_s, f->mixed_long, f->mixed_long_s, MIXED_SHUFFLE_SEED);
  PRINT_ROW (_("makespan"), NULL, -1, _("%.3f s"), f->mixed_makespan_s);
  PRINT_ROW (_("ideal"), _("max(Σ task time / engines, longest)"), -1, _("%.3f s"), f->mixed_ideal_s);
  PRINT_ROW (_("makespan / ideal"), mixed_target, f->mixed_ratio <= TARGET_MIXED_RATIO, "%.2f", f->mixed_ratio);
}

/**
 * loomctl_bench_scale:
 * @n_tasks: no-op tasks of the first figure, or 0 for the default
 * @quick: shrink every figure (for tests)
 * @json: print one JSON object
 *
 * Returns: the exit code
 */
int
loomctl_bench_scale (int      n_tasks,
                     gboolean quick,
                     gboolean json)
{
  g_auto(ScaleBench) bench = { NULL };
  g_autoptr(GError) error = NULL;
  ScaleFigures f = { 0 };

  f.tasks = n_tasks > 0 ? n_tasks : quick ? 2000 : 1000000;
  /* A smaller job for the five hwm runs, but not so small it is all start-up. */
  f.adaptive_tasks = MAX (f.tasks / 10, MIN (f.tasks, 1000));
  f.mixed_short = quick ? 100 : 1000;
  f.mixed_short_s = 0.001;
  f.mixed_long = quick ? 2 : 20;
  f.mixed_long_s = quick ? 0.2 : 1.0;

  /* Ctrl-C reaches the loomctl children too; the clusters are stopped and
   * the temporary folder removed on the way out either way. */
  loomctl_catch_interrupts ();
  if (!scale_bench_init (&bench, &error))
    return loomctl_fail (EXIT_OTHER_ERROR, "%s", error->message);
  if (!bench_scale_noop (&bench, &f, &error) ||
      !bench_scale_adaptive (&bench, &f, &error) ||
      !bench_scale_mixed (&bench, &f, &error))
    {
      if (loomctl_interrupted ())
        return loomctl_fail (EXIT_INTERRUPTED, "interrupted; the bench's clusters are stopped");
      return loomctl_fail_with (error);
    }
  if (loomctl_interrupted ())
    return loomctl_fail (EXIT_INTERRUPTED, "interrupted; the bench's clusters are stopped");

  if (json)
    print_json (&f, quick);
  else
    print_text (&f);
  return EXIT_OK;
}
