/* test-ssh.c: engines started over a real ssh, by the ssh launcher
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A throwaway sshd on 127.0.0.1 (its own host key, one authorised key,
 * nothing of ~/.ssh or /etc/ssh read) stands in for a remote host.
 * `loomctl cluster start --launcher ssh --host …` starts the engines there:
 * one `ssh -- sh -` per host whose script exports the connection and
 * starts the engines in a session of their own.  They get their
 * connection in the environment, run a command job, `engines add` puts
 * more on a second "host" (localhost), and `cluster stop` leaves nothing
 * on either.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "loom-scaleout-util.h"

#define ROUNDS 3

static LoomScaleoutSshd *sshd;

/* The ssh launcher's options for the test's sshd. */
static GPtrArray *
ssh_args (const char *host)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *known = g_build_filename (sshd->dir, "known_hosts", NULL);
  g_autofree char *tmp = loom_scaleout_path ("ssh-tmp");

  g_mkdir_with_parents (tmp, 0700);
  g_ptr_array_add (args, g_strdup ("--launcher=ssh"));
  g_ptr_array_add (args, g_strdup_printf ("--host=%s", host));
  g_ptr_array_add (args, g_strdup_printf ("--ssh-port=%u", sshd->port));
  g_ptr_array_add (args, g_strdup_printf ("--identity=%s", sshd->key));
  /* nothing of ~/.ssh or /etc/ssh/ssh_config */
  g_ptr_array_add (args, g_strdup ("--ssh-config=/dev/null"));
  g_ptr_array_add (args, g_strdup ("--ssh-option=IdentitiesOnly=yes"));
  g_ptr_array_add (args, g_strdup_printf ("--ssh-option=UserKnownHostsFile=%s", known));
  g_ptr_array_add (args, g_strdup ("--ssh-option=StrictHostKeyChecking=accept-new"));
  g_ptr_array_add (args, g_strdup ("--ssh-option=LogLevel=ERROR"));
  g_ptr_array_add (args, g_strdup_printf ("--engine-path=%s", g_getenv ("LOOM_ENGINE")));
  /* the run marker, by which the test finds anything left; the engines'
   * log under the test's private directory */
  g_ptr_array_add (args, g_strdup_printf ("--launcher-option=env=LOOM_SCALEOUT_RUN=%s", loom_scaleout_dir ()));
  g_ptr_array_add (args, g_strdup_printf ("--launcher-option=env=TMPDIR=%s", tmp));
  return args;
}

static gboolean
require_sshd (void)
{
  g_autoptr(GError) error = NULL;

  if (!loom_scaleout_require_root ("an sshd that logs in as root with a throwaway key") ||
      !loom_scaleout_require_programs ((const char * const[]) { "/usr/sbin/sshd", "ssh-keygen", NULL }, "openssh-server") ||
      !loom_scaleout_require_programs ((const char * const[]) { "ssh", NULL }, "openssh-client") ||
      !loom_scaleout_require_programs ((const char * const[]) { "setsid", NULL }, "util-linux"))
    return FALSE;
  if (sshd == NULL)
    {
      gint64 begin = g_get_monotonic_time ();
      g_autofree char *out = NULL;

      sshd = loom_scaleout_sshd_start (&error);
      g_assert_no_error (error);
      g_assert_cmpint (loom_scaleout_ssh (sshd, "echo hello", NULL, &out, NULL), ==, 0);
      g_assert_cmpstr (out, ==, "hello\n");
      g_test_message ("sshd on 127.0.0.1:%u (pid %d); up and one `ssh … echo hello` in %.3f s", sshd->port,
                      (int) sshd->pid, loom_scaleout_seconds_since (begin));
    }
  return TRUE;
}

/* The engines' LOOM_LAUNCH_JOB values and how many engines carry each. */
static GHashTable *
launch_jobs (LoomScaleoutController *ctl,
             const char             *engine_json)
{
  g_autoptr(GArray) pids = loom_scaleout_engine_pids (ctl);
  GHashTable *jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < pids->len; i++)
    {
      GPid pid = g_array_index (pids, GPid, i);
      g_autofree char *env_json = loom_scaleout_pid_getenv (pid, "LOOM_CONNECTION");
      g_autofree char *launcher = loom_scaleout_pid_getenv (pid, "LOOM_LAUNCHER");
      char *job = loom_scaleout_pid_getenv (pid, "LOOM_LAUNCH_JOB");

      /* Handed the engine file's JSON, not the client's, in the environment. */
      g_assert_cmpstr (env_json, ==, engine_json);
      g_assert_cmpstr (launcher, ==, "ssh");
      g_assert_true (g_str_has_prefix (job, "ssh-"));
      g_hash_table_insert (jobs, job, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (jobs, job)) + 1));
    }
  return jobs;
}

static void
assert_gone (GArray *pids)
{
  for (guint i = 0; i < pids->len; i++)
    g_assert_true (loom_scaleout_wait_pid_gone (g_array_index (pids, GPid, i), 15));
}

static void
test_command_job (void)
{
  g_autofree char *target = NULL;
  const guint sizes[] = { 4, 16 };

  if (!require_sshd ())
    return;
  target = g_strdup_printf ("%s@127.0.0.1", g_get_user_name ());

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      guint n = sizes[s];

      for (guint round = 0; round < ROUNDS; round++)
        {
          g_autofree char *host = g_strdup_printf ("%s:%u", target, n);
          g_autoptr(GPtrArray) args = ssh_args (host);
          g_autofree char *n_text = g_strdup_printf ("%u", n);
          g_autofree char *engine_json = NULL;
          g_autofree char *err = NULL;
          g_autoptr(GArray) pids = NULL;
          g_autoptr(GHashTable) jobs = NULL;
          LoomScaleoutController *ctl;
          double seconds;

          g_ptr_array_insert (args, 0, g_strdup ("--ip=127.0.0.1"));
          g_ptr_array_insert (args, 1, g_strdup ("-n"));
          g_ptr_array_insert (args, 2, g_strdup (n_text));
          g_ptr_array_add (args, NULL);
          ctl = loom_scaleout_cluster_start ("ssh", NULL, (const char * const *) args->pdata, &seconds, &err);
          g_assert_nonnull (ctl);
          g_test_message ("ssh launcher, %u engines, round %u: cluster start until all registered %.3f s", n,
                          round + 1, seconds);
          g_array_append_val (times, seconds);

          g_file_get_contents (ctl->engine_file, &engine_json, NULL, NULL);
          g_assert_nonnull (engine_json);
          pids = loom_scaleout_engine_pids (ctl);
          g_assert_cmpuint (pids->len, ==, n);
          jobs = launch_jobs (ctl, engine_json);
          /* The status says who started each engine, and its job. */
          loom_scaleout_assert_launched (ctl, "ssh");
          /* one host, one group */
          g_assert_cmpuint (g_hash_table_size (jobs), ==, 1);

          if (s == 0 && round == 0)
            {
              g_autofree char *job_out = NULL;
              g_autofree char *add_out = NULL;
              g_autofree char *add_err = NULL;
              g_autofree char *second = g_strdup_printf ("%s@localhost", g_get_user_name ());
              g_autoptr(GPtrArray) add = ssh_args (second);
              g_autoptr(GPtrArray) add_argv = g_ptr_array_new ();
              g_autoptr(GArray) all = NULL;
              g_autoptr(GHashTable) all_jobs = NULL;
              g_autoptr(GList) counts = NULL;
              guint total = 0;

              g_assert_cmpint (loom_scaleout_loomctl (ctl, NULL, &job_out, NULL, "run", "--sweep", "x=range:0:8", "--",
                                                      "echo", "task {x}", NULL), ==, 0);
              g_assert_cmpstr (job_out, ==, "task 0\ntask 1\ntask 2\ntask 3\ntask 4\ntask 5\ntask 6\ntask 7\n");

              /* engines add over ssh to a second name of this host:
               * 3 engines, two groups: the launcher records both. */
              {
                g_autofree char *out = NULL;
                g_autofree char *e = NULL;
                g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

                g_ptr_array_add (argv, g_strdup (g_getenv ("LOOMCTL")));
                g_ptr_array_add (argv, g_strdup ("engines"));
                g_ptr_array_add (argv, g_strdup ("add"));
                g_ptr_array_add (argv, g_strdup ("3"));
                g_ptr_array_add (argv, g_strdup ("--profile=ssh"));
                for (guint i = 0; i < add->len; i++)
                  g_ptr_array_add (argv, g_strdup (g_ptr_array_index (add, i)));
                /* 127.0.0.1:1 first, then localhost for the rest */
                g_ptr_array_add (argv, g_strdup_printf ("--host=%s:1", target));
                g_ptr_array_add (argv, NULL);
                g_assert_cmpint (loom_scaleout_runv ((const char * const *) argv->pdata, NULL, NULL, &add_out,
                                                     &add_err), ==, 0);
                g_test_message ("engines add 3 --launcher ssh --host localhost --host 127.0.0.1:1: %s",
                                g_strstrip (add_out));
              }
              all = loom_scaleout_engine_pids (ctl);
              g_assert_cmpuint (all->len, ==, n + 3);
              all_jobs = launch_jobs (ctl, engine_json);
              g_assert_cmpuint (g_hash_table_size (all_jobs), ==, 3);
              counts = g_hash_table_get_values (all_jobs);
              for (GList *l = counts; l; l = l->next)
                total += GPOINTER_TO_UINT (l->data);
              g_assert_cmpuint (total, ==, n + 3);
              g_array_append_vals (pids, all->data, all->len);
            }

          /* stop: the controller, then every recorded launcher (one
           * kill of each process group over ssh) */
          loom_scaleout_cluster_stop (ctl);
          assert_gone (pids);
          loom_scaleout_assert_nothing_left ();
          {
            g_autofree char *record = loom_scaleout_path ("xdg-state/loom/ssh/launchers.json");

            g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
          }
        }
      g_test_message ("figure: ssh launcher, %u engines: median %.3f s from cluster start until all registered "
                      "(%u rounds)", n, loom_scaleout_median (times), ROUNDS);
    }
}

/* The controller killed: its engines would wait for it for two minutes;
 * `cluster stop` finds them in the launcher's record and kills their
 * process group over ssh. */
static void
test_stop_without_controller (void)
{
  g_autofree char *host = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autofree char *err = NULL;
  LoomScaleoutController *ctl;
  gint64 begin;

  if (!require_sshd ())
    return;
  host = g_strdup_printf ("%s@127.0.0.1:3", g_get_user_name ());
  args = ssh_args (host);
  g_ptr_array_insert (args, 0, g_strdup ("--ip=127.0.0.1"));
  g_ptr_array_insert (args, 1, g_strdup ("--engines=3"));
  g_ptr_array_insert (args, 2, g_strdup ("--reconnect-timeout=120"));
  g_ptr_array_add (args, NULL);
  ctl = loom_scaleout_cluster_start ("crash", NULL, (const char * const *) args->pdata, NULL, &err);
  g_assert_nonnull (ctl);
  pids = loom_scaleout_engine_pids (ctl);
  g_assert_cmpuint (pids->len, ==, 3);

  loom_scaleout_cluster_crash (ctl);
  for (guint i = 0; i < pids->len; i++)
    g_assert_true (loom_scaleout_pid_alive (g_array_index (pids, GPid, i)));
  begin = g_get_monotonic_time ();
  loom_scaleout_cluster_stop (ctl);
  assert_gone (pids);
  g_test_message ("cluster stop without a controller: the ssh launcher's engines gone in %.2f s",
                  loom_scaleout_seconds_since (begin));
  loom_scaleout_assert_nothing_left ();
}

/* A host that is not this one, and a controller only this machine can
 * reach: refused before anything starts. */
static void
test_loopback_refused (void)
{
  const char *args[] = {
    "--ip=127.0.0.1", "-n", "2", "--launcher=ssh", "--host=nowhere.invalid", NULL,
  };
  g_autofree char *err = NULL;
  LoomScaleoutController *ctl;

  if (!require_sshd ())
    return;
  ctl = loom_scaleout_cluster_start ("refused", NULL, args, NULL, &err);
  g_assert_null (ctl);
  g_assert_nonnull (strstr (err, "only this machine can reach"));
  g_assert_nonnull (strstr (err, "--ip 0.0.0.0"));
  g_assert_nonnull (strstr (err, "nothing was left running"));
  loom_scaleout_assert_nothing_left ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  loom_scaleout_init (&argc, &argv);

  g_test_add_func ("/loom/scaleout/ssh/command-job", test_command_job);
  g_test_add_func ("/loom/scaleout/ssh/loopback-refused", test_loopback_refused);
  g_test_add_func ("/loom/scaleout/ssh/stop-without-controller", test_stop_without_controller);

  status = g_test_run ();
  if (sshd)
    loom_scaleout_sshd_stop (g_steal_pointer (&sshd));
  loom_scaleout_cleanup ();
  return status;
}
