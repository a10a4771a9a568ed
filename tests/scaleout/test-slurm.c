/* test-slurm.c: engines as tasks of a real Slurm job, by the slurm launcher
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A single-node Slurm (munged, slurmctld, slurmd started by the test, as
 * root, under its private directory) runs loom-engine as the tasks of the
 * jobs `loomctl cluster start --launcher slurm` submits: one sbatch of
 * --ntasks=N whose script runs srun (--slurm-mode job), or one job per
 * group of engines (--slurm-mode group).  The controller listens on an
 * address of this host that is not loopback (the slurm launcher refuses
 * loopback: its engines may run anywhere).  The engines run the seed, and
 * `cluster stop` cancels the jobs: squeue is empty after, and no engine is
 * left.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "loom-scaleout-util.h"

#define ROUNDS 3

static LoomScaleoutSlurm *slurm;
static char *address;   /* of this host, not loopback */

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
      /* loomctl and the launcher's sbatch, squeue, scancel find it so. */
      g_setenv ("SLURM_CONF", slurm->conf, TRUE);
      address = loom_scaleout_host_address_add (&error);
      g_assert_no_error (error);
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

/* The job ids the slurm launcher recorded for the profile. */
static GPtrArray *
recorded_jobs (const char *profile)
{
  g_autofree char *name = g_strdup_printf ("xdg-state/loom/%s/launchers.json", profile);
  g_autofree char *path = loom_scaleout_path (name);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  JsonArray *launchers;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  launchers = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (launchers); i++)
    {
      JsonObject *launcher = json_array_get_object_element (launchers, i);
      JsonObject *state = json_object_get_object_member (launcher, "state");
      JsonArray *jobs = json_object_get_array_member (state, "jobs");

      g_assert_cmpstr (json_object_get_string_member (launcher, "launcher"), ==, "slurm");
      for (guint j = 0; j < json_array_get_length (jobs); j++)
        g_ptr_array_add (ids, g_strdup (json_object_get_string_member (json_array_get_object_element (jobs, j), "id")));
    }
  return ids;
}

/* Every engine is a task of one of @jobs, with the launcher's variables;
 * how many engines each job has, in the order of @jobs. */
static GArray *
engines_per_job (LoomScaleoutController *ctl,
                 GPtrArray              *jobs,
                 GArray                 *pids)
{
  GArray *counts = g_array_new (FALSE, TRUE, sizeof (guint));

  g_array_set_size (counts, jobs->len);
  for (guint i = 0; i < pids->len; i++)
    {
      GPid pid = g_array_index (pids, GPid, i);
      g_autofree char *job_id = loom_scaleout_pid_getenv (pid, "SLURM_JOB_ID");
      g_autofree char *procid = loom_scaleout_pid_getenv (pid, "SLURM_PROCID");
      g_autofree char *launcher = loom_scaleout_pid_getenv (pid, "LOOM_LAUNCHER");
      g_autofree char *launch_job = loom_scaleout_pid_getenv (pid, "LOOM_LAUNCH_JOB");
      guint index;

      g_assert_nonnull (procid);
      g_assert_cmpstr (launcher, ==, "slurm");
      g_assert_cmpstr (launch_job, ==, job_id);
      g_assert_true (g_ptr_array_find_with_equal_func (jobs, job_id, g_str_equal, &index));
      g_array_index (counts, guint, index)++;
    }
  return counts;
}

static void
assert_gone (GArray *pids)
{
  for (guint i = 0; i < pids->len; i++)
    {
      GPid pid = g_array_index (pids, GPid, i);

      if (!loom_scaleout_wait_pid_gone (pid, 15))
        g_test_message ("engine pid %d outlived cluster stop", (int) pid);
      g_assert_false (loom_scaleout_pid_alive (pid));
    }
}

static void
assert_stopped (GArray *pids)
{
  g_autofree char *queue = NULL;

  assert_gone (pids);
  queue = squeue_all ();
  g_assert_cmpstr (queue, ==, "");
  loom_scaleout_assert_nothing_left ();
}

static LoomScaleoutController *
start_cluster (const char  *profile,
               guint        n,
               const char  *mode,
               double      *seconds)
{
  g_autofree char *ip = g_strdup_printf ("--ip=%s", address);
  g_autofree char *n_text = g_strdup_printf ("%u", n);
  g_autofree char *engine = g_strdup_printf ("--engine-path=%s", g_getenv ("LOOM_ENGINE"));
  g_autofree char *err = NULL;
  const char *args[] = {
    ip, "-n", n_text, "--launcher=slurm", engine, "--partition=loomtest", "--time=10:00",
    /* more tasks than the node's 8 CPUs */
    "--sbatch-line=--overcommit", "--wait-engines=60", "--slurm-mode", mode, "--group-size=2", NULL,
  };
  LoomScaleoutController *ctl = loom_scaleout_cluster_start (profile, NULL, args, seconds, &err);

  if (ctl == NULL)
    {
      g_autofree char *queue = squeue_all ();

      g_test_message ("squeue: %s", queue);
    }
  g_assert_nonnull (ctl);
  return ctl;
}

/* --- cases --------------------------------------------------------------- */

/* One sbatch job of --ntasks=N whose script runs `srun loom-engine`. */
static void
test_sbatch_seed (void)
{
  const guint sizes[] = { 4, 16 };

  if (!require_slurm ())
    return;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      guint n = sizes[s];

      for (guint round = 0; round < ROUNDS; round++)
        {
          g_autoptr(GPtrArray) jobs = NULL;
          g_autoptr(GArray) pids = NULL;
          g_autoptr(GArray) counts = NULL;
          LoomScaleoutController *ctl;
          double seconds;

          ctl = start_cluster ("slurm", n, "job", &seconds);
          g_test_message ("slurm launcher (one sbatch --ntasks=%u, srun), round %u: cluster start until all "
                          "registered %.3f s", n, round + 1, seconds);
          g_array_append_val (times, seconds);

          /* One job; its tasks, on ranks 0..n-1, are the engines. */
          jobs = recorded_jobs ("slurm");
          g_assert_cmpuint (jobs->len, ==, 1);
          pids = loom_scaleout_engine_pids (ctl);
          g_assert_cmpuint (pids->len, ==, n);
          counts = engines_per_job (ctl, jobs, pids);
          loom_scaleout_assert_launched (ctl, "slurm");
          g_assert_cmpuint (g_array_index (counts, guint, 0), ==, n);

          if (s == 0 && round == 0)
            {
              /* The script is kept for the user to read, and holds no key. */
              g_autofree char *name = g_strdup_printf ("xdg-state/loom/slurm/slurm-%s.sbatch",
                                                       (char *) g_ptr_array_index (jobs, 0));
              g_autofree char *path = loom_scaleout_path (name);
              g_autofree char *script = NULL;
              g_autofree char *engine_json = NULL;

              g_assert_true (g_file_get_contents (path, &script, NULL, NULL));
              g_assert_nonnull (strstr (script, "#SBATCH --ntasks=4\n"));
              g_assert_nonnull (strstr (script, "#SBATCH --partition=loomtest\n"));
              g_assert_nonnull (strstr (script, "#SBATCH --time=10:00\n"));
              g_assert_nonnull (strstr (script, "#SBATCH --overcommit\n"));
              g_assert_true (g_file_get_contents (ctl->engine_file, &engine_json, NULL, NULL));
              {
                g_autoptr(JsonParser) parser = json_parser_new ();
                JsonObject *conn;

                g_assert_true (json_parser_load_from_data (parser, engine_json, -1, NULL));
                conn = json_node_get_object (json_parser_get_root (parser));
                g_assert_null (strstr (script, json_object_get_string_member (conn, "curve_secret_key")));
                g_assert_null (strstr (script, json_object_get_string_member (conn, "key")));
              }
              g_assert_null (strstr (script, "LOOM_CONNECTION="));
              loom_scaleout_assert_seed (ctl, NULL);
            }

          loom_scaleout_cluster_stop (ctl);
          assert_stopped (pids);
        }
      g_test_message ("figure: slurm launcher (sbatch --ntasks=%u, srun), %u engines: median %.3f s from cluster start "
                      "until all registered (%u rounds)", n, n, loom_scaleout_median (times), ROUNDS);
    }
}

/* One job per group of 2 engines: they join as each job starts. */
static void
test_job_per_group (void)
{
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autoptr(GArray) counts = NULL;
  LoomScaleoutController *ctl;
  double seconds;

  if (!require_slurm ())
    return;

  ctl = start_cluster ("groups", 4, "group", &seconds);
  g_test_message ("slurm launcher (2 jobs of --ntasks=2): cluster start until 4 engines registered %.3f s", seconds);
  jobs = recorded_jobs ("groups");
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (jobs, 0), !=, g_ptr_array_index (jobs, 1));
  pids = loom_scaleout_engine_pids (ctl);
  g_assert_cmpuint (pids->len, ==, 4);
  counts = engines_per_job (ctl, jobs, pids);
  loom_scaleout_assert_launched (ctl, "slurm");
  g_assert_cmpuint (g_array_index (counts, guint, 0), ==, 2);
  g_assert_cmpuint (g_array_index (counts, guint, 1), ==, 2);
  loom_scaleout_assert_seed (ctl, NULL);

  loom_scaleout_cluster_stop (ctl);
  assert_stopped (pids);
}

/* The controller killed: `cluster stop` cancels the recorded job (the
 * engines would wait two minutes for their controller otherwise). */
static void
test_stop_without_controller (void)
{
  g_autofree char *ip = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GArray) pids = NULL;
  LoomScaleoutController *ctl;

  if (!require_slurm ())
    return;
  ip = g_strdup_printf ("--ip=%s", address);
  engine = g_strdup_printf ("--engine-path=%s", g_getenv ("LOOM_ENGINE"));
  ctl = loom_scaleout_cluster_start ("slurmcrash", NULL,
                                     (const char * const[]) { ip, "-n", "3", "--reconnect-timeout=120",
                                                              "--launcher=slurm", engine, NULL }, NULL, &err);
  g_assert_nonnull (ctl);
  pids = loom_scaleout_engine_pids (ctl);
  g_assert_cmpuint (pids->len, ==, 3);
  loom_scaleout_cluster_crash (ctl);
  {
    g_autofree char *queue = squeue_all ();
    g_assert_cmpstr (queue, !=, "");
  }
  loom_scaleout_cluster_stop (ctl);
  assert_stopped (pids);
}

/* Engines held in the queue: cluster start does not fail on them, it says
 * they are pending; cluster stop cancels the pending job. */
static void
test_pending (void)
{
  g_autofree char *ip = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *queue = NULL;
  g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (GPid));
  LoomScaleoutController *ctl;

  if (!require_slurm ())
    return;
  ip = g_strdup_printf ("--ip=%s", address);
  engine = g_strdup_printf ("--engine-path=%s", g_getenv ("LOOM_ENGINE"));
  ctl = loom_scaleout_cluster_start ("pending", NULL,
                                     (const char * const[]) { ip, "-n", "4", "--launcher=slurm", engine,
                                                              "--sbatch-line=--begin=now+1hour", "--wait-engines=3",
                                                              NULL }, NULL, &err);
  g_assert_nonnull (ctl);
  g_assert_cmpint (loom_scaleout_loomctl (ctl, NULL, &out, NULL, "ids", NULL), ==, 0);
  /* the job is held for an hour: nothing registered, and no error */
  g_assert_cmpstr (g_strstrip (out), ==, "[]");
  queue = squeue_all ();
  g_assert_nonnull (strstr (queue, " PD "));
  loom_scaleout_cluster_stop (ctl);
  assert_stopped (none);
}

/* scancel, then squeue until the job is gone (polled: `sbatch --wait`
 * backs off to 10 s). */
static void
cancel_job (const char *job)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

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
}

/* Inside an allocation (SLURM_JOB_ID set, as in an salloc shell or a batch
 * script), the launcher runs `srun --ntasks=N` in it at once: no new job. */
static void
test_in_allocation (void)
{
  g_autofree char *holder = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *job_env = NULL;
  g_autofree char *engine = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  LoomScaleoutController *ctl;
  double seconds;

  if (!require_slurm ())
    return;

  /* An allocation of 2 tasks that only waits. */
  g_assert_cmpint (slurm_run (&holder, NULL, "sbatch", "--parsable", "--ntasks=2",
                              "--job-name=loom-allocation", "--output=/dev/null", "--wrap", "exec sleep 120", NULL), ==, 0);
  g_strstrip (holder);
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    for (;;)
      {
        g_autofree char *state = NULL;

        g_assert_cmpint (slurm_run (&state, NULL, "squeue", "-h", "-j", holder, "-o", "%T", NULL), ==, 0);
        if (g_str_equal (g_strstrip (state), "RUNNING"))
          break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (100 * 1000);
      }
  }

  ctl = start_cluster ("alloc", 1, "job", &seconds);
  {
    g_autoptr(GPtrArray) jobs = recorded_jobs ("alloc");
    g_assert_cmpuint (jobs->len, ==, 1);
  }

  /* engines add 2 from inside the allocation */
  job_env = g_strdup_printf ("SLURM_JOB_ID=%s", holder);
  engine = g_strdup_printf ("--engine-path=%s", g_getenv ("LOOM_ENGINE"));
  g_ptr_array_add (argv, g_strdup (g_getenv ("LOOMCTL")));
  g_ptr_array_add (argv, g_strdup ("engines"));
  g_ptr_array_add (argv, g_strdup ("add"));
  g_ptr_array_add (argv, g_strdup ("2"));
  g_ptr_array_add (argv, g_strdup ("--profile=alloc"));
  g_ptr_array_add (argv, g_strdup ("--launcher=slurm"));
  g_ptr_array_add (argv, g_strdup (engine));
  g_ptr_array_add (argv, NULL);
  g_assert_cmpint (loom_scaleout_runv ((const char * const *) argv->pdata, (const char * const[]) { job_env, NULL },
                                       NULL, &out, &err), ==, 0);
  g_test_message ("engines add 2 --launcher slurm in allocation %s: %s", holder, g_strstrip (out));

  pids = loom_scaleout_engine_pids (ctl);
  g_assert_cmpuint (pids->len, ==, 3);
  {
    guint in_allocation = 0;

    for (guint i = 0; i < pids->len; i++)
      {
        g_autofree char *job_id = loom_scaleout_pid_getenv (g_array_index (pids, GPid, i), "SLURM_JOB_ID");
        g_autofree char *launch_job = loom_scaleout_pid_getenv (g_array_index (pids, GPid, i), "LOOM_LAUNCH_JOB");

        g_assert_cmpstr (launch_job, ==, job_id);
        in_allocation += g_strcmp0 (job_id, holder) == 0;
      }
    g_assert_cmpuint (in_allocation, ==, 2);
  }
  /* still one submitted job: the two ran as a step of the allocation */
  {
    g_autoptr(GPtrArray) jobs = recorded_jobs ("alloc");
    g_assert_cmpuint (jobs->len, ==, 1);
  }

  /* cluster stop ends the step (srun, recorded by pid) and the job */
  loom_scaleout_cluster_stop (ctl);
  assert_gone (pids);
  cancel_job (holder);
  {
    g_autofree char *queue = squeue_all ();
    g_assert_cmpstr (queue, ==, "");
  }
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
  g_test_add_func ("/loom/scaleout/slurm/in-allocation", test_in_allocation);
  g_test_add_func ("/loom/scaleout/slurm/stop-without-controller", test_stop_without_controller);
  g_test_add_func ("/loom/scaleout/slurm/pending", test_pending);

  status = g_test_run ();
  if (address)
    loom_scaleout_host_address_remove ();
  if (slurm)
    {
      gint64 begin = g_get_monotonic_time ();

      loom_scaleout_slurm_stop (g_steal_pointer (&slurm));
      g_test_message ("Slurm down in %.2f s", loom_scaleout_seconds_since (begin));
    }
  loom_scaleout_cleanup ();
  return status;
}
