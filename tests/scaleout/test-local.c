/* test-local.c: the local launcher, for comparison with the others
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `loomctl cluster start -n N` (the local launcher, over ipc://) until all
 * engines registered, 4 and 16 engines, three rounds each: the figure the
 * ssh, slurm and mpi launchers' are read against.  `cluster stop` leaves
 * nothing.  Needs no root.
 */

#include "config.h"

#include "loom-scaleout-util.h"

#define ROUNDS 3

static void
test_registration (void)
{
  const guint sizes[] = { 4, 16 };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      g_autofree char *n_text = g_strdup_printf ("%u", sizes[s]);

      for (guint round = 0; round < ROUNDS; round++)
        {
          const char *args[] = { "-n", n_text, "--launcher=local", NULL };
          g_autofree char *err = NULL;
          g_autoptr(GArray) pids = NULL;
          LoomScaleoutController *ctl;
          double seconds;

          ctl = loom_scaleout_cluster_start ("local", NULL, args, &seconds, &err);
          g_assert_nonnull (ctl);
          g_array_append_val (times, seconds);
          pids = loom_scaleout_engine_pids (ctl);
          g_assert_cmpuint (pids->len, ==, sizes[s]);
          loom_scaleout_cluster_stop (ctl);
          for (guint i = 0; i < pids->len; i++)
            g_assert_true (loom_scaleout_wait_pid_gone (g_array_index (pids, GPid, i), 10));
          loom_scaleout_assert_nothing_left ();
        }
      g_test_message ("figure: local launcher, %u engines: median %.3f s from cluster start until all registered "
                      "(%u rounds)", sizes[s], loom_scaleout_median (times), ROUNDS);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  loom_scaleout_init (&argc, &argv);

  g_test_add_func ("/loom/scaleout/local/registration", test_registration);

  status = g_test_run ();
  loom_scaleout_cleanup ();
  return status;
}
