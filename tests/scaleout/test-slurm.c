/* test-slurm.c: engines as tasks of a real Slurm job
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A single-node Slurm (munged, slurmctld, slurmd started by the test, as
 * root, under its private directory) runs loom-engine as the tasks of an
 * sbatch job: `srun` inside a job of --ntasks=N, or one job per group of
 * engines.  The engines join a controller the test started on 127.0.0.1,
 * run the seed, and `scancel` ends them: squeue is empty after, and no
 * engine is left.  The engines report the Slurm job (SLURM_JOB_ID) and
 * ask for their task's rank (SLURM_PROCID) as their id.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "loom-scaleout-util.h"

#define ROUNDS 3

static LoomScaleoutSlurm *slurm;

static gboolean
require_slurm (void)
{
  g_autoptr(GError) error = NULL;

  if (!loom_scaleout_require_root ("munged, slurmctld and slurmd") ||
      !loom_scaleout_require_programs ((const char * const[]) { "/usr/sbin/munged", NULL }, "munge") ||
      !loom_scaleout_require_programs ((const char * const[]) { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "sbatch",
                                                                "srun", "squeue", "scancel", "sinfo", NULL },
                                       "slurm-wlm"))
    return FALSE;
  if (!slurm)
    {
      gint64 begin = g_get_monotonic_time ();

      slurm = loom_scaleout_slurm_start (&error);
      g_assert_no_error (error);
      g_test_message ("Slurm up (munged %d, slurmctld %d, slurmd %d) in %.2f s", (int) slurm->munged,
                      (int) slurm->slurmctld, (int) slurm->slurmd, loom_scaleout_seconds_since (begin));
    }
  return TRUE;
}

static int
slurm_run (char       **out,
           char       **err,
           const char  *first_arg,
           ...) G_GNUC_NULL_TERMINATED;

static int
slurm_run (char       **out,
           char       **err,
           const char  *first_arg,
           ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *a = first_arg; a; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return loom_scaleout_runv ((const char * const *) args->pdata, (const char * const *) slurm->env, NULL, out, err);
}

/* The job ids squeue lists (all of them: the cluster is ours alone). */
static char *
squeue_all (void)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (slurm_run (&out, NULL, "squeue", "-h", "-o", "%i %t %R", NULL), ==, 0);
  return g_strstrip (g_steal_pointer (&out));
}

/* Submits a job of @n_tasks engines; its id. */
static char *
submit_engines (LoomScaleoutController *ctl,
                guint                   n_tasks)
{
  g_autofree char *script_path = loom_scaleout_path ("slurm/engines.sbatch");
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autofree char *ntasks = g_strdup_printf ("--ntasks=%u", n_tasks);
  g_autofree char *output = g_strdup_printf ("--output=%s/slurm/job-%%j.out", loom_scaleout_dir ());
  g_autoptr(GError) error = NULL;

  /* What the launcher will write: one queue wait, srun starts the tasks. */
  script = g_strdup_printf ("#!/bin/sh\n"
                            "#SBATCH --job-name=loom-engines\n"
                            "exec srun %s --connection %s\n",
                            g_getenv ("LOOM_ENGINE"), ctl->engine_file);
  g_file_set_contents (script_path, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (slurm_run (&out, NULL, "sbatch", "--parsable", ntasks, output, script_path, NULL), ==, 0);
  g_strstrip (out);
  g_assert_cmpstr (out, !=, "");
  return g_steal_pointer (&out);
}

/* scancel, then squeue until the job is gone (polled: `sbatch --wait`
 * backs off to 10 s). */
static void
cancel_job (const char *job)
{
  gint64 begin = g_get_monotonic_time ();
  gint64 deadline = begin + 30 * G_USEC_PER_SEC;

  g_assert_cmpint (slurm_run (NULL, NULL, "scancel", job, NULL), ==, 0);
  for (;;)
    {
      g_autofree char *out = NULL;

      g_assert_cmpint (slurm_run (&out, NULL, "squeue", "-h", "-j", job, NULL), ==, 0);
      if (*g_strstrip (out) == '\0')
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
  g_test_message ("scancel %s: out of squeue in %.2f s", job, loom_scaleout_seconds_since (begin));
}

static void
wait_no_engines (LoomScaleoutController *ctl)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *out = NULL;

      g_assert_cmpint (loom_scaleout_loomctl (ctl, NULL, &out, NULL, "ids", NULL), ==, 0);
      if (g_str_equal (g_strstrip (out), "[]"))
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
}

static void
assert_gone (GArray *pids)
{
  for (guint i = 0; i < pids->len; i++)
    {
      GPid pid = g_array_index (pids, GPid, i);

      if (!loom_scaleout_wait_pid_gone (pid, 15))
        g_test_message ("engine pid %d outlived scancel", (int) pid);
      g_assert_false (loom_scaleout_pid_alive (pid));
    }
}

/* --- cases --------------------------------------------------------------- */

/* One sbatch job of --ntasks=4 whose script runs `srun loom-engine`. */
static void
test_sbatch_seed (void)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  LoomScaleoutController *ctl;

  if (!require_slurm ())
    return;
  ctl = loom_scaleout_controller_start ("slurm", "127.0.0.1", NULL, NULL);

  for (guint round = 0; round < ROUNDS; round++)
    {
      gint64 begin = g_get_monotonic_time ();
      g_autofree char *job = submit_engines (ctl, 4);
      double seconds = loom_scaleout_wait_engines (ctl, 4, begin, 60);
      g_autoptr(GArray) pids = NULL;

      if (seconds < 0)
        {
          g_autofree char *queue = squeue_all ();
          g_test_message ("squeue: %s", queue);
        }
      g_assert_cmpfloat (seconds, >=, 0);
      g_test_message ("slurm (sbatch --ntasks=4, srun), round %u: 4 engines registered %.3f s after sbatch",
                      round + 1, seconds);
      g_array_append_val (times, seconds);

      /* They are the job's tasks, on ranks 0..3. */
      pids = loom_scaleout_engine_pids (ctl);
      g_assert_cmpuint (pids->len, ==, 4);
      {
        guint ranks = 0;

        for (guint i = 0; i < pids->len; i++)
          {
            GPid pid = g_array_index (pids, GPid, i);
            g_autofree char *job_id = loom_scaleout_pid_getenv (pid, "SLURM_JOB_ID");
            g_autofree char *procid = loom_scaleout_pid_getenv (pid, "SLURM_PROCID");

            g_assert_cmpstr (job_id, ==, job);
            g_assert_nonnull (procid);
            ranks |= 1u << atoi (procid);
          }
        g_assert_cmpuint (ranks, ==, 0xf);
      }

      /* The status tells each engine's job; in the first round, when no
       * engine had them before, the ids are the tasks' ranks. */
      {
        g_autoptr(JsonNode) status = loom_scaleout_status (ctl);
        JsonArray *engines = json_object_get_array_member (json_node_get_object (status), "engines");
        guint live = 0;

        for (guint i = 0; i < json_array_get_length (engines); i++)
          {
            JsonObject *e = json_array_get_object_element (engines, i);
            const char *state = json_object_get_string_member (e, "state");
            g_autofree char *procid = NULL;

            if (!g_str_equal (state, "idle") && !g_str_equal (state, "busy"))
              continue;
            live++;
            g_assert_cmpstr (json_object_get_string_member_with_default (e, "job_id", NULL), ==, job);
            procid = loom_scaleout_pid_getenv (json_object_get_int_member (e, "pid"), "SLURM_PROCID");
            g_assert_nonnull (procid);
            if (round == 0)
              g_assert_cmpint (json_object_get_int_member (e, "id"), ==, atoi (procid));
          }
        g_assert_cmpuint (live, ==, 4);
      }

      if (round == 0)
        loom_scaleout_assert_seed (ctl, NULL);

      cancel_job (job);
      assert_gone (pids);
      wait_no_engines (ctl);
      {
        g_autofree char *queue = squeue_all ();
        g_assert_cmpstr (queue, ==, "");
      }
    }
  g_test_message ("slurm (sbatch --ntasks=4, srun): median %.3f s until 4 engines registered (%u rounds)",
                  loom_scaleout_median (times), ROUNDS);

  loom_scaleout_controller_stop (ctl);
  loom_scaleout_assert_nothing_left ();
}

/* One job per group of 2 engines: they join as each job starts. */
static void
test_job_per_group (void)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (GPid));
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  LoomScaleoutController *ctl;
  gint64 begin;
  double seconds;

  if (!require_slurm ())
    return;
  ctl = loom_scaleout_controller_start ("groups", "127.0.0.1", NULL, NULL);

  begin = g_get_monotonic_time ();
  first = submit_engines (ctl, 2);
  second = submit_engines (ctl, 2);
  g_assert_cmpstr (first, !=, second);
  seconds = loom_scaleout_wait_engines (ctl, 4, begin, 60);
  g_assert_cmpfloat (seconds, >=, 0);
  g_test_message ("slurm (2 jobs of --ntasks=2): 4 engines registered %.3f s after the first sbatch", seconds);

  {
    g_autoptr(GArray) pids = loom_scaleout_engine_pids (ctl);
    guint in_first = 0;

    for (guint i = 0; i < pids->len; i++)
      {
        g_autofree char *job_id = loom_scaleout_pid_getenv (g_array_index (pids, GPid, i), "SLURM_JOB_ID");

        in_first += g_strcmp0 (job_id, first) == 0;
      }
    g_assert_cmpuint (pids->len, ==, 4);
    g_assert_cmpuint (in_first, ==, 2);
    g_array_append_vals (all, pids->data, pids->len);
  }
  loom_scaleout_assert_seed (ctl, NULL);

  /* Cancelling one group leaves the other running. */
  cancel_job (first);
  {
    gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

    for (;;)
      {
        g_autoptr(GArray) pids = loom_scaleout_engine_pids (ctl);

        if (pids->len == 2)
          break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (50 * 1000);
      }
  }
  cancel_job (second);
  assert_gone (all);
  wait_no_engines (ctl);
  {
    g_autofree char *queue = squeue_all ();
    g_assert_cmpstr (queue, ==, "");
  }

  loom_scaleout_controller_stop (ctl);
  loom_scaleout_assert_nothing_left ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  loom_scaleout_init (&argc, &argv);

  g_test_add_func ("/loom/scaleout/slurm/sbatch-seed", test_sbatch_seed);
  g_test_add_func ("/loom/scaleout/slurm/job-per-group", test_job_per_group);

  status = g_test_run ();
  if (slurm)
    {
      gint64 begin = g_get_monotonic_time ();

      loom_scaleout_slurm_stop (g_steal_pointer (&slurm));
      g_test_message ("Slurm down in %.2f s", loom_scaleout_seconds_since (begin));
    }
  loom_scaleout_cleanup ();
  return status;
}
