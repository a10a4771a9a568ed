/* test-launchers-remote.c: the launchers that start engines elsewhere
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What runs without a real batch system or remote host: every shipped
 * template (PBS, SGE, LSF, HTCondor) loads, expands and goes through
 * submit, poll and cancel against a tiny fake of its batch system (shell
 * scripts named qsub, bsub, condor_submit… on the PATH, which run the job
 * script at once and print a job id as the real one does); the job script
 * really runs, and a fake engine checks that it got the engine file's JSON
 * both in LOOM_CONNECTION and on its stdin.  A user's own template, found
 * in $XDG_CONFIG_HOME/loom/launchers/ and by path; broken templates; a
 * launcher for other hosts refuses a controller on loopback or ipc://;
 * options are checked and the state survives serialisation.  Real Slurm,
 * ssh and MPI are in the scaleout suite.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "loom.h"
#include "loom-connection-private.h"

static char *tmp_dir;
static char *fake_dir;

/* The fake batch system: one script, named as each command it stands for.
 * A submit runs the job script in the background, as a scheduler would
 * start it at once, and prints the job id the way the real command does. */
static const char fake_batch[] =
  "#!/bin/sh\n"
  "dir=$(dirname \"$0\")\n"
  "name=$(basename \"$0\")\n"
  "echo \"$name $*\" >>\"$dir/calls\"\n"
  "case $name in\n"
  "  qsub)\n"
  "    if [ \"$1\" = -terse ]; then script=$2; id=4242; echo \"$id.1-3:1\"\n"
  "    else script=$1; id=1234; echo \"$id[].pbs-server\"; fi\n"
  "    cp \"$script\" \"$dir/submitted-$name\"\n"
  "    sh \"$script\" >\"$dir/job.out\" 2>&1 &\n"
  "    ;;\n"
  "  bsub)\n"
  "    cat >\"$dir/submitted-$name\"\n"
  "    sh \"$dir/submitted-$name\" >\"$dir/job.out\" 2>&1 &\n"
  "    echo 'Job <5151> is submitted to queue <normal>.'\n"
  "    ;;\n"
  "  condor_submit)\n"
  "    cp \"$2\" \"$dir/submitted-$name\"\n"
  "    exe=$(sed -n 's/^executable = //p' \"$2\")\n"
  "    \"$exe\" >\"$dir/job.out\" 2>&1 &\n"
  "    echo '777.0 - 777.2'\n"
  "    ;;\n"
  "  qstat|bjobs|condor_q)\n"
  "    [ -f \"$dir/status\" ] || exit 1\n"
  "    cat \"$dir/status\"\n"
  "    ;;\n"
  "esac\n"
  "exit 0\n";

/* The fake engine: what it was handed, then it ends. */
static const char fake_engine[] =
  "#!/bin/sh\n"
  "dir=$(dirname \"$0\")\n"
  "printf '%s' \"$LOOM_CONNECTION\" >\"$dir/engine-env.tmp\"\n"
  "cat >\"$dir/engine-stdin.tmp\"\n"
  "echo \"$@\" >\"$dir/engine-args.tmp\"\n"
  "echo \"$LOOM_LAUNCHER $LOOM_LAUNCH_JOB\" >\"$dir/engine-launch.tmp\"\n"
  "for f in env stdin args launch; do mv \"$dir/engine-$f.tmp\" \"$dir/engine-$f\"; done\n";

static char *
fake_path (const char *name)
{
  return g_build_filename (fake_dir, name, NULL);
}

static void
write_executable (const char *path,
                  const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0700, &error);
  g_assert_no_error (error);
}

static void
reset_fakes (void)
{
  const char *outputs[] = { "calls", "status", "engine-env", "engine-stdin", "engine-args", "engine-launch", "job.out" };

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_autofree char *path = fake_path (outputs[i]);
      g_unlink (path);
    }
}

static char *
read_fake (const char *name)
{
  g_autofree char *path = fake_path (name);
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, NULL);
  return text;
}

/* A cluster's connection files that nothing listens behind: what start
 * reads to hand the engines their connection.  @ip: where the controller
 * would listen. */
static char *
write_connection (const char *profile,
                  const char *url_host)
{
  LoomConnection *conn = loom_connection_new (profile);
  g_autofree char *name = g_strdup_printf ("%s.json", profile);
  char *path = g_build_filename (tmp_dir, name, NULL);
  g_autofree char *engine_path = loom_connection_engine_path (path);
  g_autoptr(GError) error = NULL;

  if (g_str_has_prefix (url_host, "ipc://"))
    {
      conn->transport = g_strdup ("ipc");
      conn->client_url = g_strdup_printf ("%s-client", url_host);
      conn->engine_url = g_strdup_printf ("%s-engine", url_host);
      conn->event_url = g_strdup_printf ("%s-event", url_host);
    }
  else
    {
      conn->transport = g_strdup ("tcp");
      conn->ip = g_strdup (url_host);
      conn->client_port = 5001;
      conn->engine_port = 5002;
      conn->event_port = 5003;
      conn->client_url = g_strdup_printf ("tcp://%s:5001", url_host);
      conn->engine_url = g_strdup_printf ("tcp://%s:5002", url_host);
      conn->event_url = g_strdup_printf ("tcp://%s:5003", url_host);
    }
  loom_connection_save_as (conn, LOOM_ROLE_CLIENT, path, &error);
  g_assert_no_error (error);
  loom_connection_save_as (conn, LOOM_ROLE_ENGINE, engine_path, &error);
  g_assert_no_error (error);
  /* not freed member by member: the test process ends soon */
  return path;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
wait_for_file (const char *path)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!file_exists ((gpointer) path))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
}

/* The one job a template launcher's saved state names. */
static char *
saved_job_id (LoomLauncher *launcher)
{
  g_autoptr(JsonNode) node = loom_launcher_serialize (launcher);
  JsonObject *state = json_object_get_object_member (json_node_get_object (node), "state");
  JsonArray *jobs = json_object_get_array_member (state, "jobs");

  if (json_array_get_length (jobs) == 0)
    return NULL;
  g_assert_cmpuint (json_array_get_length (jobs), ==, 1);
  return g_strdup (json_object_get_string_member (json_array_get_object_element (jobs, 0), "id"));
}

typedef struct
{
  const char *name;
  const char *job_id;          /* as the launcher should parse it */
  const char *submitted;       /* the file the fake submit kept */
  const char *directives[4];   /* lines the script must hold */
  const char *absent;          /* a directive of an option left empty */
  const char *running_status;  /* what the status command prints for a running job */
  const char *cancel_call;     /* what the fake saw for the cancel */
} TemplateCase;

static const TemplateCase template_cases[] = {
  { "pbs", "1234[].pbs-server", "submitted-qsub",
    { "#PBS -N loom-engines\n", "#PBS -J 1-3\n", "#PBS -q debug\n", "#PBS -l walltime=01:00:00\n" }, "#PBS -A",
    "Job id            Name             User              Time Use S Queue\n"
    "----------------  ---------------- ----------------  -------- - -----\n"
    "1234[].pbs-server loom-engines     me                       0 B debug\n"
    "1234[1].pbs-serv  loom-engines     me                00:00:01 R debug\n"
    "1234[2].pbs-serv  loom-engines     me                00:00:01 R debug\n"
    "1234[3].pbs-serv  loom-engines     me                       0 Q debug\n",
    "qdel -W force 1234[].pbs-server" },
  { "sge", "4242", "submitted-qsub",
    { "#$ -N loom-engines\n", "#$ -t 1-3\n", "#$ -q debug\n", "#$ -l h_rt=01:00:00\n" }, "#$ -A",
    "job-ID  prior   name       user         state submit/start at     queue          slots ja-task-ID\n"
    "-----------------------------------------------------------------------------------------------\n"
    "   4242 0.55500 loom-engin me           r     12/05/2026 12:00:00 debug@n1           1 1\n"
    "   4242 0.55500 loom-engin me           r     12/05/2026 12:00:00 debug@n1           1 2\n"
    "   4242 0.55500 loom-engin me           qw    12/05/2026 12:00:00                    1 3\n"
    "   9999 0.55500 other      me           r     12/05/2026 12:00:00 debug@n1           1\n",
    "qdel 4242" },
  { "lsf", "5151", "submitted-bsub",
    { "#BSUB -J \"loom-engines[1-3]\"\n", "#BSUB -q debug\n", "#BSUB -W 60\n", "#BSUB -n 1\n" }, "#BSUB -P",
    "RUN\nRUN\nPEND\n",
    "bkill 5151" },
  { "htcondor", "777", "submitted-condor_submit",
    { "queue 3\n", "universe = vanilla\n", "batch_name = loom-engines\n", "requirements = (Arch == \"X86_64\")\n" },
    "accounting_group",
    "2\n2\n1\n",
    "condor_rm 777" },
};

static void
test_shipped_templates (void)
{
  g_auto(GStrv) names = loom_launcher_list_names ();
  g_autofree char *engine = fake_path ("loom-engine-fake");
  g_autofree char *connection = write_connection ("templates", "10.9.8.7");
  g_autofree char *engine_file = loom_connection_engine_path (connection);
  g_autofree char *engine_json = NULL;
  g_autofree char *log_dir = g_build_filename (tmp_dir, "logs", NULL);

  g_assert_true (g_file_get_contents (engine_file, &engine_json, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (template_cases); i++)
    {
      const TemplateCase *c = &template_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(LoomLauncher) launcher = NULL;
      g_autoptr(LoomLauncher) restored = NULL;
      g_autoptr(JsonNode) saved = NULL;
      g_autofree char *script = NULL;
      g_autofree char *got_env = NULL;
      g_autofree char *got_stdin = NULL;
      g_autofree char *got_args = NULL;
      g_autofree char *got_launch = NULL;
      g_autofree char *calls = NULL;
      g_autofree char *job = NULL;
      g_autofree char *stdin_path = fake_path ("engine-launch");
      g_autofree char *status_path = fake_path ("status");
      const char *queue_option = g_str_equal (c->name, "htcondor") ? "requirements" : "queue";
      const char *queue_value = g_str_equal (c->name, "htcondor") ? "(Arch == \"X86_64\")" : "debug";
      guint running, pending;

      g_test_message ("template %s", c->name);
      g_assert_true (g_strv_contains ((const char * const *) names, c->name));
      reset_fakes ();

      launcher = loom_launcher_new (c->name, &error);
      g_assert_no_error (error);
      g_assert_true (loom_launcher_is_remote (launcher));
      loom_launcher_set_option (launcher, queue_option, queue_value, &error);
      g_assert_no_error (error);
      loom_launcher_set_option (launcher, "engine-path", engine, &error);
      g_assert_no_error (error);
      /* The connection on stdin as well (for engines older than
       * LOOM_CONNECTION); the default, env, is the tiny template's case. */
      loom_launcher_set_option (launcher, "connection", "stdin", &error);
      g_assert_no_error (error);
      loom_launcher_set_connection_file (launcher, connection);
      loom_launcher_set_log_dir (launcher, log_dir);
      loom_launcher_set_engine_args (launcher, (const char * const[]) { "--no-commands", NULL });

      loom_launcher_start (launcher, 3, &error);
      g_assert_no_error (error);
      job = saved_job_id (launcher);
      g_assert_cmpstr (job, ==, c->job_id);

      /* What was submitted: the system's own directives. */
      script = read_fake (c->submitted);
      g_assert_nonnull (script);
      for (guint d = 0; d < G_N_ELEMENTS (c->directives); d++)
        if (strstr (script, c->directives[d]) == NULL)
          {
            g_test_message ("%s lacks %s:\n%s", c->submitted, c->directives[d], script);
            g_assert_not_reached ();
          }
      g_assert_null (strstr (script, c->absent));
      /* no placeholder left (the JSON of the connection has braces) */
      g_assert_false (g_regex_match_simple ("\\{[a-z_]+\\}", script, 0, 0));

      /* The job script ran: the engine got the engine file's JSON in the
       * environment and on its stdin, quoting and all. */
      wait_for_file (stdin_path);
      got_env = read_fake ("engine-env");
      got_stdin = read_fake ("engine-stdin");
      got_args = read_fake ("engine-args");
      got_launch = read_fake ("engine-launch");
      g_assert_cmpstr (got_env, ==, engine_json);
      g_assert_true (g_str_has_prefix (got_stdin, engine_json));
      g_assert_cmpstr (got_args, ==, "--no-commands --connection /dev/stdin\n");
      g_assert_true (g_str_has_prefix (got_launch, c->name));

      /* poll maps the states: 2 running, 1 pending; gone from the queue,
       * none */
      g_assert_true (g_file_set_contents (status_path, c->running_status, -1, NULL));
      running = loom_launcher_poll (launcher, &pending);
      g_assert_cmpuint (running, ==, 2);
      g_assert_cmpuint (pending, ==, 1);

      /* read back in another process, it knows its job */
      saved = loom_launcher_serialize (launcher);
      restored = loom_launcher_deserialize (saved, &error);
      g_assert_no_error (error);
      running = loom_launcher_poll (restored, &pending);
      g_assert_cmpuint (running + pending, ==, 3);

      /* a signal: where the system has a command for it */
      if (g_str_equal (c->name, "pbs") || g_str_equal (c->name, "lsf"))
        {
          g_autofree char *signal_calls = NULL;

          loom_launcher_signal (restored, SIGUSR1, &error);
          g_assert_no_error (error);
          signal_calls = read_fake ("calls");
          g_assert_nonnull (strstr (signal_calls, g_str_equal (c->name, "pbs") ? "qsig -s SIGUSR1 1234[].pbs-server"
                                                                               : "bkill -s USR1 5151"));
        }
      else
        {
          g_assert_false (loom_launcher_signal (restored, SIGUSR1, &error));
          g_assert_nonnull (error);
          g_clear_error (&error);
        }

      g_unlink (status_path);
      loom_launcher_stop (restored);
      calls = read_fake ("calls");
      g_assert_nonnull (strstr (calls, c->cancel_call));
      g_assert_null (saved_job_id (restored));
    }
}

/* A user's own batch system: a template in $XDG_CONFIG_HOME/loom/launchers
 * whose submit command is a script of the test's, and the same template
 * by path. */
static void
test_user_template (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "loom", "launchers", NULL);
  g_autofree char *path = g_build_filename (dir, "tiny.json", NULL);
  g_autofree char *submit = fake_path ("tiny-submit");
  g_autofree char *cancel = fake_path ("tiny-cancel");
  g_autofree char *engine = fake_path ("loom-engine-fake");
  g_autofree char *connection = write_connection ("tiny", "10.9.8.7");
  g_autofree char *engine_file = loom_connection_engine_path (connection);
  g_autofree char *engine_json = NULL;
  g_autofree char *template_text = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) error = NULL;

  write_executable (submit,
                    "#!/bin/sh\n"
                    "# tiny batch system: runs the job now, prints its id\n"
                    "echo \"submit $*\" >>\"$(dirname \"$0\")/calls\"\n"
                    "sh \"$2\" >/dev/null 2>&1 &\n"
                    "echo \"queued as tiny.$!\"\n");
  write_executable (cancel, "#!/bin/sh\necho \"cancel $*\" >>\"$(dirname \"$0\")/calls\"\n");
  template_text = g_strdup_printf (
    "{\n"
    "  \"description\": \"a tiny batch system\",\n"
    "  \"options\": { \"queue\": \"\", \"lane\": \"7\" },\n"
    "  \"script\": [\n"
    "    \"#!/bin/sh\",\n"
    "    \"#TINY queue={queue}\",\n"
    "    \"#TINY lane={lane} n={n} name={name}\",\n"
    "    \"{env}{engine}\"\n"
    "  ],\n"
    "  \"submit\": [\"%s\", \"--lane={lane}\", \"{script}\", \"-q{queue}\"],\n"
    "  \"job_id\": \"queued as (tiny\\\\.[0-9]+)\",\n"
    "  \"cancel\": [\"%s\", \"{job}\"]\n"
    "}\n", submit, cancel);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, template_text, -1, NULL));
  g_assert_true (g_file_get_contents (engine_file, &engine_json, NULL, NULL));

  names = loom_launcher_list_names ();
  g_assert_true (g_strv_contains ((const char * const *) names, "tiny"));

  for (guint by_path = 0; by_path < 2; by_path++)
    {
      g_autoptr(LoomLauncher) launcher = loom_launcher_new (by_path ? path : "tiny", &error);
      g_autofree char *calls = NULL;
      g_autofree char *got_env = NULL;
      g_autofree char *job = NULL;
      g_autofree char *launch_path = fake_path ("engine-launch");

      g_assert_no_error (error);
      reset_fakes ();
      loom_launcher_set_option (launcher, "lane", "9", &error);
      g_assert_no_error (error);
      loom_launcher_set_option (launcher, "engine-path", engine, &error);
      g_assert_no_error (error);
      /* one the template does not have: the message names those it has */
      g_assert_false (loom_launcher_set_option (launcher, "partition", "x", &error));
      g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "queue, lane"));
      g_clear_error (&error);
      loom_launcher_set_connection_file (launcher, connection);
      loom_launcher_set_log_dir (launcher, tmp_dir);
      /* by name, with the connection on stdin too; by path, the default:
       * LOOM_CONNECTION alone */
      if (!by_path)
        {
          loom_launcher_set_option (launcher, "connection", "stdin", &error);
          g_assert_no_error (error);
        }

      loom_launcher_start (launcher, 2, &error);
      g_assert_no_error (error);
      job = saved_job_id (launcher);
      g_assert_true (g_str_has_prefix (job, "tiny."));
      wait_for_file (launch_path);
      got_env = read_fake ("engine-env");
      g_assert_cmpstr (got_env, ==, engine_json);
      {
        g_autofree char *args = read_fake ("engine-args");
        g_autofree char *got_stdin = read_fake ("engine-stdin");

        g_assert_cmpstr (args, ==, by_path ? "\n" : "--connection /dev/stdin\n");
        if (by_path)
          g_assert_cmpstr (got_stdin, ==, "");
        else
          g_assert_true (g_str_has_prefix (got_stdin, engine_json));
      }
      calls = read_fake ("calls");
      /* the empty queue dropped "-q{queue}" */
      g_assert_true (g_str_has_prefix (calls, "submit --lane=9 "));
      g_assert_null (strstr (calls, "-q"));

      /* no status command: running until cancelled */
      g_assert_cmpuint (loom_launcher_poll (launcher, NULL), ==, 2);
      loom_launcher_stop (launcher);
      g_free (calls);
      calls = read_fake ("calls");
      {
        g_autofree char *line = g_strdup_printf ("cancel %s\n", job);
        g_assert_nonnull (strstr (calls, line));
      }
    }
  g_unlink (path);
}

static void
test_broken_templates (void)
{
  struct { const char *text; const char *says; } cases[] = {
    { "not json", "tiny-broken" },
    { "{ \"script\": [\"x\"], \"submit\": [\"true\"], \"cancel\": [\"true\"] }", "job_id" },
    { "{ \"script\": [\"x\"], \"submit\": [\"true\"], \"cancel\": [\"true\"], \"job_id\": \"(\" }", "job_id" },
    { "{ \"script\": [\"x\"], \"submit\": [\"true\"], \"cancel\": [\"true\"], \"job_id\": \"no group\" }", "group" },
    { "{ \"script\": [\"x\"], \"submit\": \"qsub\", \"cancel\": [\"true\"], \"job_id\": \"(.*)\" }", "submit" },
    { "{ \"script\": [\"x\"], \"submit\": [\"true\"], \"cancel\": [\"true\"], \"job_id\": \"(.*)\", "
      "\"states\": { \"Q\": \"queued\" } }", "pending, running or done" },
  };
  g_autofree char *path = g_build_filename (tmp_dir, "tiny-broken.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomLauncher) none = loom_launcher_new ("no-such-batch-system", &error);

  /* An unknown name lists what there is. */
  g_assert_null (none);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "pbs"));
  g_assert_nonnull (strstr (error->message, "slurm"));
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LoomLauncher) launcher = NULL;

      g_assert_true (g_file_set_contents (path, cases[i].text, -1, NULL));
      launcher = loom_launcher_new (path, &error);
      g_assert_null (launcher);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      g_clear_error (&error);
    }

  /* A placeholder it does not define: said when it would be expanded. */
  {
    g_autofree char *connection = write_connection ("broken", "10.9.8.7");
    g_autoptr(LoomLauncher) launcher = NULL;

    g_assert_true (g_file_set_contents (path, "{ \"script\": [\"{nosuch}\"], \"submit\": [\"true\"], "
                                              "\"cancel\": [\"true\"], \"job_id\": \"(.*)\" }", -1, NULL));
    launcher = loom_launcher_new (path, &error);
    g_assert_no_error (error);
    loom_launcher_set_connection_file (launcher, connection);
    loom_launcher_set_log_dir (launcher, tmp_dir);
    g_assert_false (loom_launcher_start (launcher, 1, &error));
    g_assert_nonnull (strstr (error->message, "{nosuch}"));
  }
}

/* Engines elsewhere cannot reach loopback or ipc://: refused, saying what to do. */
static void
test_loopback_refused (void)
{
  const char *hosts[] = { "127.0.0.1", "ipc:///tmp/loom-test-nowhere" };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autofree char *profile = g_strdup_printf ("loopback%u", i);
      g_autofree char *connection = write_connection (profile, hosts[i]);
      const char *remote[] = { "ssh", "slurm", "pbs" };

      for (guint j = 0; j < G_N_ELEMENTS (remote); j++)
        {
          g_autoptr(LoomLauncher) launcher = loom_launcher_new (remote[j], NULL);
          g_autoptr(GError) error = NULL;

          g_assert_nonnull (launcher);
          if (g_str_equal (remote[j], "ssh"))
            loom_launcher_set_option (launcher, "host", "node7.example.org:2", NULL);
          loom_launcher_set_connection_file (launcher, connection);
          g_assert_true (loom_launcher_is_remote (launcher));
          g_assert_false (loom_launcher_start (launcher, 2, &error));
          g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
          g_assert_nonnull (strstr (error->message, "only this machine can reach"));
          g_assert_nonnull (strstr (error->message, remote[j]));
          g_assert_nonnull (strstr (error->message, "--ip 0.0.0.0"));
          g_assert_cmpuint (loom_launcher_get_n_started (launcher), ==, 0);
        }
    }
}

static void
test_remote_or_not (void)
{
  struct { const char *launcher; const char *option; const char *value; gboolean remote; } cases[] = {
    { "ssh", "host", "127.0.0.1:4", FALSE },
    { "ssh", "host", "me@localhost", FALSE },
    { "ssh", "host", "[::1]:2", FALSE },
    { "ssh", "host", "node1", TRUE },
    { "mpi", NULL, NULL, FALSE },
    { "mpi", "mpi-arg", "-f", TRUE },
    { "mpi", "mpi-arg", "--hostfile=hosts", TRUE },
    { "slurm", NULL, NULL, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LoomLauncher) launcher = loom_launcher_new (cases[i].launcher, NULL);
      g_autoptr(GError) error = NULL;

      if (cases[i].option)
        {
          loom_launcher_set_option (launcher, cases[i].option, cases[i].value, &error);
          g_assert_no_error (error);
        }
      g_assert_cmpint (loom_launcher_is_remote (launcher), ==, cases[i].remote);
    }
}

static void
test_options (void)
{
  struct { const char *launcher; const char *name; const char *value; gboolean ok; } cases[] = {
    { "ssh", "host", "node1:4", TRUE },
    { "ssh", "host", "user@node1", TRUE },
    { "ssh", "host", "node1:0", FALSE },
    { "ssh", "host", "node1:many", FALSE },
    { "ssh", "host", "-oProxyCommand=x", FALSE },
    { "ssh", "port", "22022", TRUE },
    { "ssh", "port", "0", FALSE },
    { "ssh", "ssh-option", "StrictHostKeyChecking=no", TRUE },
    { "ssh", "env", "OMP_NUM_THREADS=1", TRUE },
    { "ssh", "env", "1BAD=x", FALSE },
    { "ssh", "env", "LOOM_CONNECTION={}", FALSE },
    { "ssh", "connection", "env", TRUE },
    { "ssh", "connection", "file", FALSE },
    { "ssh", "partition", "debug", FALSE },
    { "slurm", "mode", "group", TRUE },
    { "slurm", "mode", "array", FALSE },
    { "slurm", "group-size", "0", FALSE },
    { "slurm", "time", "1:00:00", TRUE },
    { "slurm", "sbatch-line", "--mem=1G\nrm -rf /", FALSE },
    { "slurm", "partition", "debug\nrm", FALSE },
    { "mpi", "flavour", "openmpi", TRUE },
    { "mpi", "flavour", "lam", FALSE },
    { "mpi", "mpiexec", "mpiexec.mpich", TRUE },
    { "pbs", "walltime", "2:00:00", TRUE },
    { "pbs", "walltime", "2\n#PBS -l x", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LoomLauncher) launcher = loom_launcher_new (cases[i].launcher, NULL);
      g_autoptr(GError) error = NULL;
      gboolean ok = loom_launcher_set_option (launcher, cases[i].name, cases[i].value, &error);

      if (ok != cases[i].ok)
        g_test_message ("%s %s=%s: %s", cases[i].launcher, cases[i].name, cases[i].value,
                        error ? error->message : "taken");
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
    }
}

/* What an ssh launcher started is read back from its saved state, and a
 * state that would put something else than numbers into a script is not. */
static void
test_ssh_state (void)
{
  const char *good =
    "{ \"launcher\": \"ssh\", \"options\": [[\"host\", \"node1:2\"], [\"port\", \"2222\"]],"
    "  \"state\": { \"groups\": [ { \"host\": \"node1\", \"key\": \"ssh-0123abcd\", \"pgid\": 4242,"
    "  \"log\": \"/tmp/loom-0/engines-ssh-0123abcd.log\", \"pids\": [4243, 4244] } ] } }";
  const char *bad[] = {
    "{ \"launcher\": \"ssh\", \"state\": { \"groups\": [ { \"host\": \"node1\", \"key\": \"x; rm -rf /\", \"pgid\": 42, \"pids\": [43] } ] } }",
    "{ \"launcher\": \"ssh\", \"state\": { \"groups\": [ { \"host\": \"node1\", \"key\": \"ssh-1\", \"pgid\": 1, \"pids\": [43] } ] } }",
    "{ \"launcher\": \"ssh\", \"state\": { \"groups\": [ { \"host\": \"-oProxyCommand=x\", \"key\": \"ssh-1\", \"pgid\": 42, \"pids\": [43] } ] } }",
    "{ \"launcher\": \"slurm\", \"state\": { \"jobs\": [ { \"id\": \"12; scancel -u root\", \"engines\": 2 } ] } }",
    "{ \"launcher\": \"mpi\", \"state\": { \"runs\": [ { \"pid\": 0, \"engines\": 2 } ] } }",
  };
  g_autoptr(JsonNode) node = json_from_string (good, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomLauncher) launcher = loom_launcher_deserialize (node, &error);
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (loom_launcher_get_name (launcher), ==, "ssh");
  again = loom_launcher_serialize (launcher);
  text = json_to_string (again, FALSE);
  g_assert_nonnull (strstr (text, "\"pgid\":4242"));
  g_assert_nonnull (strstr (text, "[4243,4244]"));
  g_assert_nonnull (strstr (text, "[\"port\",\"2222\"]"));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) bad_node = json_from_string (bad[i], NULL);
      g_autoptr(LoomLauncher) refused = loom_launcher_deserialize (bad_node, &error);

      g_assert_null (refused);
      g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
}

/* The ssh launcher's scripts, run by a fake ssh that runs the remote
 * command here (`ssh [options] HOST -- sh -` becomes `sh -`), with
 * engines that only sleep: start over two "hosts", poll, output, signal,
 * the state read back elsewhere, and stop. */
static const char fake_ssh[] =
  "#!/bin/sh\n"
  "echo \"ssh $*\" >>\"$(dirname \"$0\")/ssh-calls\"\n"
  "while [ $# -gt 0 ] && [ \"$1\" != -- ]; do shift; done\n"
  "shift\n"
  "exec \"$@\"\n";

static const char sleeping_engine[] =
  "#!/bin/sh\n"
  "cat >/dev/null\n"
  "echo \"sleeping engine $$ of $LOOM_LAUNCH_JOB\"\n"
  "exec sleep 300\n";

static guint
wait_running (LoomLauncher *launcher,
              guint         expected)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint running;

  while ((running = loom_launcher_poll (launcher, NULL)) != expected && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  return running;
}

static void
test_ssh_scripts (void)
{
  g_autofree char *ssh = fake_path ("ssh");
  g_autofree char *engine = fake_path ("sleeping-engine");
  g_autofree char *connection = write_connection ("sshfake", "10.9.8.7");
  g_autofree char *tmp = g_build_filename (tmp_dir, "remote-tmp", NULL);
  g_autofree char *tmpdir = g_strdup_printf ("TMPDIR=%s", tmp);
  g_autofree char *output = NULL;
  g_autofree char *calls = NULL;
  g_autoptr(LoomLauncher) launcher = loom_launcher_new ("ssh", NULL);
  g_autoptr(LoomLauncher) restored = NULL;
  g_autoptr(JsonNode) saved = NULL;
  g_autoptr(GError) error = NULL;
  const char *options[] = {
    "ssh", ssh, "host", "alpha.example:2", "host", "me@beta.example", "engine-path", engine, "port", "2222",
    "identity", "/nowhere/id", "ssh-option", "ConnectTimeout=3", "env", tmpdir,
  };

  write_executable (ssh, fake_ssh);
  write_executable (engine, sleeping_engine);
  g_mkdir_with_parents (tmp, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (options); i += 2)
    {
      loom_launcher_set_option (launcher, options[i], options[i + 1], &error);
      g_assert_no_error (error);
    }
  loom_launcher_set_connection_file (launcher, connection);

  /* 4 engines: 2 on alpha as asked, then one each in turn */
  loom_launcher_start (launcher, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wait_running (launcher, 4), ==, 4);
  calls = read_fake ("ssh-calls");
  g_assert_nonnull (strstr (calls, "-o ConnectTimeout=3 -o BatchMode=yes"));
  g_assert_nonnull (strstr (calls, "-p 2222 -i /nowhere/id alpha.example -- sh -"));
  g_assert_nonnull (strstr (calls, "me@beta.example -- sh -"));
  {
    g_autofree char *text = NULL;
    g_autoptr(JsonNode) state = loom_launcher_serialize (launcher);
    JsonArray *groups = json_object_get_array_member (json_object_get_object_member (json_node_get_object (state),
                                                                                     "state"), "groups");

    g_assert_cmpuint (json_array_get_length (groups), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (groups, 0), "host"), ==,
                     "alpha.example");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_array_get_object_element (groups, 0),
                                                                           "pids")), ==, 3);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_array_get_object_element (groups, 1),
                                                                           "pids")), ==, 1);
  }

  /* what they printed, fetched from the hosts' logs */
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    do
      {
        g_free (output);
        output = loom_launcher_get_output (launcher);
      }
    while (strstr (output, "me@beta.example:") == NULL && g_get_monotonic_time () < deadline && (g_usleep (50000), 1));
  }
  g_assert_nonnull (strstr (output, "==> alpha.example:"));
  g_assert_nonnull (strstr (output, "sleeping engine"));

  /* another process's view: from the saved state alone */
  saved = loom_launcher_serialize (launcher);
  restored = loom_launcher_deserialize (saved, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_launcher_poll (restored, NULL), ==, 4);

  /* a signal to every group: the sleeping engines end */
  loom_launcher_signal (restored, SIGTERM, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wait_running (launcher, 0), ==, 0);

  /* again, and stop */
  loom_launcher_start (launcher, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wait_running (launcher, 2), ==, 2);
  loom_launcher_stop (launcher);
  {
    g_autoptr(LoomLauncher) after = loom_launcher_deserialize (saved, NULL);

    g_assert_cmpuint (loom_launcher_poll (launcher, NULL), ==, 0);
    g_assert_cmpuint (loom_launcher_poll (after, NULL), ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *path = NULL;
  const char *fakes[] = { "qsub", "qdel", "qsig", "qstat", "bsub", "bkill", "bjobs", "condor_submit", "condor_rm",
                          "condor_q" };
  int status;

  /* Before any thread: the fakes first on the PATH, a private config. */
  tmp_dir = g_dir_make_tmp ("loom-launchers-XXXXXX", &error);
  g_assert_no_error (error);
  fake_dir = g_build_filename (tmp_dir, "bin", NULL);
  config = g_build_filename (tmp_dir, "config", NULL);
  g_mkdir (fake_dir, 0700);
  path = g_strdup_printf ("%s:%s", fake_dir, g_getenv ("PATH"));
  g_setenv ("PATH", path, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", tmp_dir, TRUE);

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fakes); i++)
    {
      g_autofree char *fake = fake_path (fakes[i]);
      write_executable (fake, fake_batch);
    }
  {
    g_autofree char *engine = fake_path ("loom-engine-fake");
    write_executable (engine, fake_engine);
  }

  g_test_add_func ("/loom/launchers/templates/shipped", test_shipped_templates);
  g_test_add_func ("/loom/launchers/templates/user", test_user_template);
  g_test_add_func ("/loom/launchers/templates/broken", test_broken_templates);
  g_test_add_func ("/loom/launchers/loopback-refused", test_loopback_refused);
  g_test_add_func ("/loom/launchers/remote-or-not", test_remote_or_not);
  g_test_add_func ("/loom/launchers/options", test_options);
  g_test_add_func ("/loom/launchers/ssh-state", test_ssh_state);
  g_test_add_func ("/loom/launchers/ssh-scripts", test_ssh_scripts);

  status = g_test_run ();

  /* rm -r of the private directory */
  g_spawn_sync (NULL, (char *[]) { (char *) "rm", (char *) "-rf", tmp_dir, NULL }, NULL, G_SPAWN_SEARCH_PATH,
                NULL, NULL, NULL, NULL, NULL, NULL);
  return status;
}
