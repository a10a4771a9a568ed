/* test-mpi.c: engines started by MPICH's mpiexec
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `mpiexec.mpich -n 4 loom-engine --connection FILE` against a controller
 * the test started on 127.0.0.1: the 4 engines register and run a job,
 * and the test records which rank variables (PMI_RANK, PMI_SIZE, …) each
 * sees, from its /proc/PID/environ.  Each engine asks for its rank as its
 * id: round r runs with LOOM_ENGINE_ID_BASE=4r (the ids of the rounds
 * before stay theirs), and every engine's id is base + its PMI_RANK.  The
 * launcher's name (LOOM_LAUNCHER=mpi, as an MPI launcher sets it) shows in
 * the status.  SIGTERM to mpiexec ends them all.
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
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  LoomScaleoutController *ctl;

  if (!loom_scaleout_require_programs ((const char * const[]) { "mpiexec.mpich", NULL }, "mpich"))
    return;
  ctl = loom_scaleout_controller_start ("mpi", "127.0.0.1", NULL, NULL);

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autofree char *log_name = g_strdup_printf ("mpiexec-%u.log", round);
      g_autofree char *log = loom_scaleout_path (log_name);
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      g_autoptr(GSubprocess) mpiexec = NULL;
      g_autoptr(GArray) pids = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *base_var = g_strdup_printf ("LOOM_ENGINE_ID_BASE=%u", 4 * round);
      g_auto(GStrv) env = loom_scaleout_environ ((const char * const[]) { base_var, "LOOM_LAUNCHER=mpi", NULL });
      gint64 begin = g_get_monotonic_time ();
      guint ranks = 0;
      GPid mpiexec_pid;
      double seconds;

      g_subprocess_launcher_set_environ (launcher, env);
      g_subprocess_launcher_set_stdout_file_path (launcher, log);
      g_subprocess_launcher_set_stderr_file_path (launcher, log);
      mpiexec = g_subprocess_launcher_spawn (launcher, &error, "mpiexec.mpich", "-n", "4", g_getenv ("LOOM_ENGINE"),
                                             "--connection", ctl->engine_file, NULL);
      g_assert_no_error (error);
      mpiexec_pid = atoi (g_subprocess_get_identifier (mpiexec));
      loom_scaleout_track_pid (mpiexec_pid, "mpiexec");

      seconds = loom_scaleout_wait_engines (ctl, 4, begin, 30);
      if (seconds < 0)
        {
          g_autofree char *said = NULL;

          g_file_get_contents (log, &said, NULL, NULL);
          g_test_message ("mpiexec said: %s", said ? said : "");
        }
      g_assert_cmpfloat (seconds, >=, 0);
      g_test_message ("mpi (mpiexec.mpich -n 4), round %u: 4 engines registered %.3f s after mpiexec started",
                      round + 1, seconds);
      g_array_append_val (times, seconds);

      /* the rank variables each engine sees, by engine id */
      {
        g_autoptr(JsonNode) status = loom_scaleout_status (ctl);
        JsonArray *engines = json_object_get_array_member (json_node_get_object (status), "engines");

        guint live = 0;

        for (guint i = 0; i < json_array_get_length (engines); i++)
          {
            JsonObject *e = json_array_get_object_element (engines, i);
            const char *state = json_object_get_string_member (e, "state");
            GPid pid = json_object_get_int_member (e, "pid");
            g_autoptr(GString) seen = g_string_new (NULL);
            g_autofree char *rank = loom_scaleout_pid_getenv (pid, "PMI_RANK");
            g_autofree char *size = loom_scaleout_pid_getenv (pid, "PMI_SIZE");

            /* the engines of earlier rounds are listed too, stopped */
            if (!g_str_equal (state, "idle") && !g_str_equal (state, "busy"))
              continue;
            live++;
            for (guint v = 0; v < G_N_ELEMENTS (rank_vars); v++)
              {
                g_autofree char *value = loom_scaleout_pid_getenv (pid, rank_vars[v]);

                if (value)
                  g_string_append_printf (seen, " %s=%s", rank_vars[v], value);
              }
            if (round == 0)
              g_test_message ("engine id %" G_GINT64_FORMAT " (pid %d) sees:%s", json_object_get_int_member (e, "id"),
                              (int) pid, seen->len ? seen->str : " no rank variable");
            g_assert_nonnull (rank);
            g_assert_cmpstr (size, ==, "4");
            ranks |= 1u << atoi (rank);
            /* Engine ids follow ranks. */
            g_assert_cmpint (json_object_get_int_member (e, "id"), ==, 4 * round + atoi (rank));
            g_assert_cmpstr (json_object_get_string_member_with_default (e, "launcher", NULL), ==, "mpi");
          }
        g_assert_cmpuint (live, ==, 4);
        g_assert_cmpuint (ranks, ==, 0xf);
      }

      if (round == 0)
        {
          g_autofree char *out = NULL;

          g_assert_cmpint (loom_scaleout_loomctl (ctl, NULL, &out, NULL, "run", "--sweep", "x=range:0:4", "--",
                                                  "echo", "rank job {x}", NULL), ==, 0);
          g_assert_cmpstr (out, ==, "rank job 0\nrank job 1\nrank job 2\nrank job 3\n");
        }

      /* stop: mpiexec forwards SIGTERM to its processes */
      pids = loom_scaleout_engine_pids (ctl);
      g_subprocess_send_signal (mpiexec, SIGTERM);
      g_subprocess_wait (mpiexec, NULL, NULL);
      loom_scaleout_untrack_pid (mpiexec_pid);
      for (guint i = 0; i < pids->len; i++)
        g_assert_true (loom_scaleout_wait_pid_gone (g_array_index (pids, GPid, i), 10));
      loom_scaleout_assert_nothing_left ();
      {
        gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

        for (;;)
          {
            g_autofree char *ids = NULL;

            g_assert_cmpint (loom_scaleout_loomctl (ctl, NULL, &ids, NULL, "ids", NULL), ==, 0);
            if (g_str_equal (g_strstrip (ids), "[]"))
              break;
            g_assert_cmpint (g_get_monotonic_time (), <, deadline);
            g_usleep (50 * 1000);
          }
      }
    }
  g_test_message ("mpi: median %.3f s until 4 engines registered (%u rounds)", loom_scaleout_median (times), ROUNDS);

  loom_scaleout_controller_stop (ctl);
  loom_scaleout_assert_nothing_left ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  loom_scaleout_init (&argc, &argv);

  g_test_add_func ("/loom/scaleout/mpi/ranks", test_ranks);

  status = g_test_run ();
  loom_scaleout_cleanup ();
  return status;
}
