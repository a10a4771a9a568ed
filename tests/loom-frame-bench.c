/* loom-frame-bench.c: what a large job costs the window's frames
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not a test: a program that prints figures (see STYLE.md, Tests).  It
 * opens the real window on the app's own cluster, submits a no-op job of
 * N tasks (10^5 unless told) through the window's own path (the form and
 * win.run), and while the job streams in records
 *
 *  - the interval between frames, from the window's GdkFrameClock
 *    ("after-paint"), with the timeline kept animating so every frame is
 *    asked for;
 *  - the longest main-loop turns, the stalls a person sees as a frozen
 *    window, whatever is drawn.
 *
 * It prints the median, p99 and maximum of each.  Run it under Xvfb from
 * the build directory:
 *
 *   GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=data GTK_A11Y=none \
 *   LOOM_ENGINE=src/engine/loom-engine \
 *   xvfb-run -a tests/loom-frame-bench [N_TASKS] [N_ENGINES]
 */

#include "config.h"

#include <stdlib.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "loom-application.h"
#include "loom-job.h"
#include "loom-window.h"

typedef struct
{
  GArray *frames;      /* gint64 µs between after-paint signals */
  GArray *turns;       /* gint64 µs a main-loop turn took */
  gint64  last_paint;
} Bench;

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *bench)
{
  gint64 now = g_get_monotonic_time ();

  if (bench->last_paint != 0)
    {
      gint64 interval = now - bench->last_paint;
      g_array_append_val (bench->frames, interval);
    }
  bench->last_paint = now;
}

/* Keeps a frame asked for every tick, as a running timeline would. */
static gboolean
tick (GtkWidget     *widget,
      GdkFrameClock *clock,
      gpointer       data)
{
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
print_figures (const char *what,
               GArray     *values)
{
  guint n = values->len;

  if (n == 0)
    {
      g_print ("%s: none\n", what);
      return;
    }
  g_array_sort (values, compare_int64);
  g_print ("%s: n=%u median %.1f ms, p99 %.1f ms, max %.1f ms\n", what, n,
           g_array_index (values, gint64, n / 2) / 1e3,
           g_array_index (values, gint64, MIN (n - 1, (guint) (n * 0.99))) / 1e3,
           g_array_index (values, gint64, n - 1) / 1e3);
}

static void
press_run (gpointer window)
{
  if (!gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL))
    g_error ("win.run is not enabled");
}

static void
job_over (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  loom_async_result_wait_finish (LOOM_ASYNC_RESULT (source), res, NULL);
  *(gboolean *) user_data = TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *runtime = g_dir_make_tmp ("lfb-XXXXXX", NULL);
  guint n_tasks = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  guint n_engines = argc > 2 ? (guint) atoi (argv[2]) : 2;
  g_autofree char *sweep = g_strdup_printf ("i=range:0:%u", n_tasks);
  g_autoptr(LoomApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  Bench bench = { 0 };
  LoomAsyncResult *result;
  LoomWindow *window;
  GdkFrameClock *clock;
  gint64 begun, last, deadline;
  gboolean over = FALSE;

  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("no display\n");
      return 77;
    }
  adw_init ();

  app = g_object_new (LOOM_TYPE_APPLICATION,
                      "application-id", "dev.loom.LoomFrameBench",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/dev/loom/Loom",
                      NULL);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);
  g_settings_set_int (loom_application_get_settings (app), "engines", n_engines);
  g_settings_reset (loom_application_get_settings (app), "last-form");

  window = loom_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);

  bench.frames = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench.turns = g_array_new (FALSE, FALSE, sizeof (gint64));
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &bench);
  gtk_widget_add_tick_callback (GTK_WIDGET (loom_window_get_timeline (window)), tick, NULL, NULL);

  /* The engines register meanwhile; the idle window's frames are the
   * baseline. */
  for (deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC; g_get_monotonic_time () < deadline;)
    g_main_context_iteration (NULL, TRUE);
  print_figures ("idle window: frame interval", bench.frames);
  g_array_set_size (bench.frames, 0);
  bench.last_paint = 0;

  loom_sweep_form_set_function (loom_window_get_form (window), "noop");
  loom_sweep_form_set_parameters (loom_window_get_form (window), sweep);
  g_idle_add_once (press_run, window);
  while (g_list_model_get_n_items (loom_window_get_jobs (window)) == 0)
    g_main_context_iteration (NULL, TRUE);
  {
    g_autoptr(LoomJob) job = g_list_model_get_item (loom_window_get_jobs (window), 0);
    result = g_object_ref (loom_job_get_result (job));
  }

  g_array_set_size (bench.frames, 0);
  bench.last_paint = 0;
  begun = last = g_get_monotonic_time ();
  deadline = begun + 600 * G_USEC_PER_SEC;
  /* Told when the job is over, as the window is: asking ready() here
   * would pump the client outside the main loop and hide every frame. */
  loom_async_result_wait_async (result, NULL, job_over, &over);
  while (!over && g_get_monotonic_time () < deadline)
    {
      gint64 now, turn;

      g_main_context_iteration (NULL, TRUE);
      now = g_get_monotonic_time ();
      turn = now - last;
      g_array_append_val (bench.turns, turn);
      last = now;
    }
  g_print ("%u no-op tasks on %u engines through the window: %s in %.2f s\n", n_tasks, n_engines,
           loom_async_result_successful (result) ? "done" : "NOT done", (last - begun) / 1e6);
  print_figures ("frame interval (after-paint to after-paint)", bench.frames);
  print_figures ("main-loop turn", bench.turns);

  g_object_unref (result);
  gtk_window_destroy (GTK_WINDOW (window));
  loom_cluster_stop (loom_application_get_cluster (app));
  g_array_unref (bench.frames);
  g_array_unref (bench.turns);
  return 0;
}
