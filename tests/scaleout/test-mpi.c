/* test-mpi.c: engines started by MPICH's mpiexec, through the mpi launcher
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `loomctl cluster start --launcher mpi --mpiexec mpiexec.mpich -n N` on
 * 127.0.0.1 (mpiexec without a hostfile runs here: no remote hosts): the
 * engines register and run a job, and the test records which rank
 * variables (PMI_RANK, PMI_SIZE, …) each sees, from its /proc/PID/environ.
 * Engines do not take their id from the rank yet: the mapping is printed,
 * not checked.  `cluster stop` leaves nothing; SIGTERM to mpiexec alone
 * ends the engines too.
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "loom-scaleout-util.h"

#define ROUNDS 3

/* What a process started by mpiexec or srun may learn its rank from. */
static const char *rank_vars[] = {
  "PMI_RANK", "PMI_SIZE", "PMI_FD", "PMI_PORT", "PMI_ID", "MPI_LOCALRANKID", "MPI_LOCALNRANKS",
  "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "SLURM_PROCID", "SLURM_NTASKS",
};

static void
test_ranks (void)
{
  const guint sizes[] = { 4, 16 };

  if (!loom_scaleout_require_programs ((const char * const[]) { "mpiexec.mpich", NULL }, "mpich"))
    return;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      guint n = sizes[s];

      for (guint round = 0; round < ROUNDS; round++)
        {
          g_autofree char *n_text = g_strdup_printf ("%u", n);
          g_autofree char *engine = g_strdup_printf ("--engine-path=%s", g_getenv ("LOOM_ENGINE"));
          g_autofree char *err = NULL;
          const char *args[] = {
            "--ip=127.0.0.1", "-n", n_text, "--launcher=mpi", "--mpiexec=mpiexec.mpich", engine, NULL,
          };
          g_autoptr(GArray) pids = NULL;
          g_autoptr(JsonNode) status = NULL;
          LoomScaleoutController *ctl;
          JsonArray *engines;
          guint64 ranks = 0;
          double seconds;

          ctl = loom_scaleout_cluster_start ("mpi", NULL, args, &seconds, &err);
          g_assert_nonnull (ctl);
          g_test_message ("mpi launcher (mpiexec.mpich -n %u), round %u: cluster start until all registered %.3f s",
                          n, round + 1, seconds);
          g_array_append_val (times, seconds);

          /* The rank variables each engine sees, by engine id: the
           * engines are mpiexec's ranks 0..n-1, and their ids the ranks. */
          status = loom_scaleout_status (ctl);
          engines = json_object_get_array_member (json_node_get_object (status), "engines");
          g_assert_cmpuint (json_array_get_length (engines), ==, n);
          for (guint i = 0; i < json_array_get_length (engines); i++)
            {
              JsonObject *e = json_array_get_object_element (engines, i);
              GPid pid = json_object_get_int_member (e, "pid");
              g_autoptr(GString) seen = g_string_new (NULL);
              g_autofree char *rank = loom_scaleout_pid_getenv (pid, "PMI_RANK");
              g_autofree char *size = loom_scaleout_pid_getenv (pid, "PMI_SIZE");
              g_autofree char *launcher = loom_scaleout_pid_getenv (pid, "LOOM_LAUNCHER");
              g_autofree char *job = loom_scaleout_pid_getenv (pid, "LOOM_LAUNCH_JOB");

              for (guint v = 0; v < G_N_ELEMENTS (rank_vars); v++)
                {
                  g_autofree char *value = loom_scaleout_pid_getenv (pid, rank_vars[v]);

                  if (value)
                    g_string_append_printf (seen, " %s=%s", rank_vars[v], value);
                }
              if (s == 0 && round == 0)
                g_test_message ("engine id %" G_GINT64_FORMAT " (pid %d) sees:%s", json_object_get_int_member (e, "id"),
                                (int) pid, seen->len ? seen->str : " no rank variable");
              g_assert_nonnull (rank);
              g_assert_cmpstr (size, ==, n_text);
              g_assert_cmpstr (launcher, ==, "mpi");
              g_assert_true (g_str_has_prefix (job, "mpi-"));
              ranks |= G_GUINT64_CONSTANT (1) << atoi (rank);
              /* Engine ids follow ranks (a fresh cluster: all are free),
               * and the status says where each engine came from. */
              g_assert_cmpint (json_object_get_int_member (e, "id"), ==, atoi (rank));
              g_assert_cmpstr (json_object_get_string_member_with_default (e, "launcher", NULL), ==, "mpi");
              g_assert_cmpstr (json_object_get_string_member_with_default (e, "job_id", NULL), ==, job);
            }
          g_assert_cmpuint (ranks, ==, (G_GUINT64_CONSTANT (1) << n) - 1);

          if (s == 0 && round == 0)
            {
              g_autofree char *out = NULL;

              g_assert_cmpint (loom_scaleout_loomctl (ctl, NULL, &out, NULL, "run", "--sweep", "x=range:0:4", "--",
                                                      "echo", "rank job {x}", NULL), ==, 0);
              g_assert_cmpstr (out, ==, "rank job 0\nrank job 1\nrank job 2\nrank job 3\n");
            }

          /* stop: the controller, then the launcher signals mpiexec (it
           * forwards) and its process group */
          pids = loom_scaleout_engine_pids (ctl);
          loom_scaleout_cluster_stop (ctl);
          for (guint i = 0; i < pids->len; i++)
            g_assert_true (loom_scaleout_wait_pid_gone (g_array_index (pids, GPid, i), 10));
          loom_scaleout_assert_nothing_left ();
        }
      g_test_message ("figure: mpi launcher (mpiexec.mpich), %u engines: median %.3f s from cluster start until all "
                      "registered (%u rounds)", n, loom_scaleout_median (times), ROUNDS);
    }
}

/* The launcher's stop on its own, the controller still up: SIGTERM to
 * mpiexec reaches the engines (each execs in place of its shell). */
static void
test_signal (void)
{
  g_autofree char *engine = g_strdup_printf ("--engine-path=%s", g_getenv ("LOOM_ENGINE"));
  g_autofree char *err = NULL;
  g_autofree char *record = NULL;
  const char *args[] = {
    "--ip=127.0.0.1", "-n", "4", "--launcher=mpi", "--mpiexec=mpiexec.mpich", "--launcher-option=flavour=mpich",
    engine, NULL,
  };
  g_autoptr(GArray) pids = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  LoomScaleoutController *ctl;
  GPid mpiexec;

  if (!loom_scaleout_require_programs ((const char * const[]) { "mpiexec.mpich", NULL }, "mpich"))
    return;
  ctl = loom_scaleout_cluster_start ("mpisig", NULL, args, NULL, &err);
  g_assert_nonnull (ctl);
  pids = loom_scaleout_engine_pids (ctl);
  g_assert_cmpuint (pids->len, ==, 4);

  /* mpiexec, as the launcher recorded it */
  record = loom_scaleout_path ("xdg-state/loom/mpisig/launchers.json");
  json_parser_load_from_file (parser, record, &error);
  g_assert_no_error (error);
  {
    JsonObject *launcher = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0);
    JsonArray *runs = json_object_get_array_member (json_object_get_object_member (launcher, "state"), "runs");

    g_assert_cmpstr (json_object_get_string_member (launcher, "launcher"), ==, "mpi");
    mpiexec = json_object_get_int_member (json_array_get_object_element (runs, 0), "pid");
  }
  g_assert_true (loom_scaleout_pid_alive (mpiexec));
  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *parent = NULL;
      g_autofree char *stat_path = g_strdup_printf ("/proc/%d/comm", (int) g_array_index (pids, GPid, i));

      /* the engine itself, not a shell around it */
      g_assert_true (g_file_get_contents (stat_path, &parent, NULL, NULL));
      g_assert_cmpstr (g_strstrip (parent), ==, "loom-engine");
    }

  g_assert_cmpint (kill (mpiexec, SIGTERM), ==, 0);
  for (guint i = 0; i < pids->len; i++)
    g_assert_true (loom_scaleout_wait_pid_gone (g_array_index (pids, GPid, i), 10));
  g_assert_true (loom_scaleout_wait_pid_gone (mpiexec, 10));
  loom_scaleout_cluster_stop (ctl);
  loom_scaleout_assert_nothing_left ();
}

/* The controller killed: `cluster stop` stops mpiexec and its ranks from
 * the launcher's record, long before they would give up on it. */
static void
test_stop_without_controller (void)
{
  g_autofree char *engine = g_strdup_printf ("--engine-path=%s", g_getenv ("LOOM_ENGINE"));
  g_autofree char *err = NULL;
  const char *args[] = {
    "--ip=127.0.0.1", "-n", "3", "--reconnect-timeout=120", "--launcher=mpi", "--mpiexec=mpiexec.mpich", engine, NULL,
  };
  g_autoptr(GArray) pids = NULL;
  LoomScaleoutController *ctl;

  if (!loom_scaleout_require_programs ((const char * const[]) { "mpiexec.mpich", NULL }, "mpich"))
    return;
  ctl = loom_scaleout_cluster_start ("mpicrash", NULL, args, NULL, &err);
  g_assert_nonnull (ctl);
  pids = loom_scaleout_engine_pids (ctl);
  g_assert_cmpuint (pids->len, ==, 3);
  loom_scaleout_cluster_crash (ctl);
  for (guint i = 0; i < pids->len; i++)
    g_assert_true (loom_scaleout_pid_alive (g_array_index (pids, GPid, i)));
  loom_scaleout_cluster_stop (ctl);
  for (guint i = 0; i < pids->len; i++)
    g_assert_true (loom_scaleout_wait_pid_gone (g_array_index (pids, GPid, i), 10));
  loom_scaleout_assert_nothing_left ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  loom_scaleout_init (&argc, &argv);

  g_test_add_func ("/loom/scaleout/mpi/ranks", test_ranks);
  g_test_add_func ("/loom/scaleout/mpi/signal", test_signal);
  g_test_add_func ("/loom/scaleout/mpi/stop-without-controller", test_stop_without_controller);

  status = g_test_run ();
  loom_scaleout_cleanup ();
  return status;
}
