/* test-launch-env.c: what launchers hand an engine, and what it tells
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Real loom-engine processes against a controller in the test process,
 * started the ways a launcher starts them: connection info in
 * LOOM_CONNECTION or on standard input instead of a file, before their
 * controller (--wait), with MPI's or srun's rank variables (the engine
 * asks for its rank as its id), with the launcher's name and job id; and
 * what the controller reports of them: ids, launcher, job, clock offset.
 * Raw peers check that the controller keeps only sane values of what an
 * engine says about itself.
 */

#define G_LOG_DOMAIN "Loom-Test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <zmq.h>

#include <glib/gstdio.h>

#include "loom-json-private.h"
#include "loom-peer-util.h"
#include "loom-test-util.h"

#define WAIT_S 30

/* What a launcher may set; the test's own environment must not leak any
 * into the engines it starts. */
static const char *launch_variables[] = {
  "LOOM_CONNECTION", "LOOM_ENGINE_RANK", "LOOM_ENGINE_ID_BASE", "PMI_RANK", "OMPI_COMM_WORLD_RANK",
  "SLURM_PROCID", "LOOM_LAUNCHER", "LOOM_LAUNCH_JOB", "SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID", "JOB_ID",
};

typedef struct
{
  GSubprocess *proc;
  GPid         pid;
  char        *err_path;   /* its stderr */
} Engine;

static char *
tmp_path (const char *name)
{
  static char *dir;

  if (dir == NULL)
    dir = g_dir_make_tmp ("loom-launch-env-XXXXXX", NULL);
  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

/* Starts loom-engine with @env ("NAME=value", NULL-terminated, may be
 * NULL) on top of the test's environment less the launch variables, and
 * @args after the program; @stdin_text, if given, is its standard input. */
static Engine *
engine_spawn (const char * const *env,
              const char         *stdin_text,
              const char * const *args)
{
  static guint n;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (stdin_text ? G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                                                  : G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("engine-%u.err", n++);
  Engine *engine = g_new0 (Engine, 1);

  for (guint i = 0; i < G_N_ELEMENTS (launch_variables); i++)
    g_subprocess_launcher_unsetenv (launcher, launch_variables[i]);
  /* The case's isolated directory (GLib sets it for this process only). */
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  for (guint i = 0; env && env[i]; i++)
    {
      g_auto(GStrv) kv = g_strsplit (env[i], "=", 2);
      g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
    }
  engine->err_path = tmp_path (name);
  g_subprocess_launcher_set_stderr_file_path (launcher, engine->err_path);

  g_ptr_array_add (argv, (char *) g_getenv ("LOOM_ENGINE"));
  for (guint i = 0; args && args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  engine->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  engine->pid = atoi (g_subprocess_get_identifier (engine->proc));

  if (stdin_text)
    {
      GOutputStream *in = g_subprocess_get_stdin_pipe (engine->proc);

      g_assert_true (g_output_stream_write_all (in, stdin_text, strlen (stdin_text), NULL, NULL, &error));
      g_assert_no_error (error);
      g_output_stream_close (in, NULL, NULL);
    }
  return engine;
}

static char *
engine_stderr (Engine *engine)
{
  char *text = NULL;

  g_file_get_contents (engine->err_path, &text, NULL, NULL);
  return text ? text : g_strdup ("");
}

/* Waits for @engine to exit, which it must within WAIT_S; its status. */
static int
engine_wait (Engine *engine)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  /* GLib's worker thread reaps it: its identifier goes then. */
  while (g_subprocess_get_identifier (engine->proc) != NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
  g_subprocess_wait (engine->proc, NULL, NULL);
  return g_subprocess_get_if_exited (engine->proc) ? g_subprocess_get_exit_status (engine->proc) : -1;
}

static void
engine_free (Engine *engine)
{
  if (g_subprocess_get_identifier (engine->proc) != NULL)
    {
      g_subprocess_send_signal (engine->proc, SIGTERM);
      g_subprocess_wait (engine->proc, NULL, NULL);
    }
  g_object_unref (engine->proc);
  g_unlink (engine->err_path);
  g_free (engine->err_path);
  g_free (engine);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Engine, engine_free)

static char *
engine_file (TestController *tc)
{
  return loom_connection_engine_path (loom_controller_get_connection_file (tc->ctl));
}

static LoomClient *
client_for (TestController *tc)
{
  g_autoptr(GError) error = NULL;
  LoomClient *client = loom_client_new_for_file (loom_controller_get_connection_file (tc->ctl), &error);

  g_assert_no_error (error);
  return client;
}

/* The engine with process id @pid as the controller reports it, once it
 * has registered and (with @clock) told its clock; NULL after WAIT_S. */
static LoomEngineInfo *
wait_engine_full (LoomClient *client,
                  GPid        pid,
                  gboolean    clock)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LoomClusterStatus) status = loom_client_get_status (client, &error);
      GListModel *engines;

      g_assert_no_error (error);
      engines = loom_cluster_status_get_engines (status);
      for (guint i = 0; i < g_list_model_get_n_items (engines); i++)
        {
          g_autoptr(LoomEngineInfo) info = g_list_model_get_item (engines, i);

          if (loom_engine_info_get_pid (info) == pid && loom_engine_info_is_alive (info) &&
              (!clock || loom_engine_info_get_clock_uncertainty (info) >= 0))
            return g_steal_pointer (&info);
        }
      g_usleep (50 * 1000);
    }
  return NULL;
}

static LoomEngineInfo *
wait_engine (LoomClient *client,
             Engine     *engine)
{
  LoomEngineInfo *info = wait_engine_full (client, engine->pid, FALSE);

  if (info == NULL)
    {
      g_autofree char *said = engine_stderr (engine);
      g_test_message ("engine %d said: %s", (int) engine->pid, said);
    }
  g_assert_nonnull (info);
  return info;
}

/* --- connection info without files ---------------------------------------- */

static void
test_connection_env (gconstpointer data)
{
  const char *ip = data;
  TestController tc = { 0 };
  g_autoptr(LoomClient) client = NULL;
  g_autofree char *engine_json = NULL;
  g_autofree char *client_json = NULL;
  g_autofree char *env = NULL;
  g_autofree char *path = NULL;

  test_controller_start_tcp (&tc, 0, ip);
  path = engine_file (&tc);
  g_assert_true (g_file_get_contents (path, &engine_json, NULL, NULL));
  g_assert_true (g_file_get_contents (loom_controller_get_connection_file (tc.ctl), &client_json, NULL, NULL));
  client = client_for (&tc);

  /* LOOM_CONNECTION holds the engines' file: no file is read.  The
   * profile's file is moved away to show it. */
  {
    g_autofree char *aside = g_strconcat (path, ".aside", NULL);
    g_autoptr(Engine) engine = NULL;
    g_autoptr(LoomEngineInfo) info = NULL;

    g_assert_cmpint (g_rename (path, aside), ==, 0);
    env = g_strconcat ("LOOM_CONNECTION=", engine_json, NULL);
    engine = engine_spawn ((const char *[]) { env, NULL }, NULL, NULL);
    info = wait_engine (client, engine);
    g_assert_cmpint (g_rename (aside, path), ==, 0);

    /* The engine's key is not handed on to the commands it runs. */
    {
      const char *argv[] = { g_getenv ("LOOMCTL"), "run", "--profile", loom_controller_get_profile (tc.ctl),
                             "--sweep", "x=range:0:1", "--", "sh", "-c",
                             "test -z \"$LOOM_CONNECTION\" && echo not-inherited", NULL };
      g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(GError) error = NULL;
      gint exit_status = -1;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, 0, NULL, NULL, &out, &err, &exit_status, &error));
      g_assert_no_error (error);
      g_test_message ("loomctl run: %s%s", out, err);
      g_assert_cmpint (exit_status, ==, 0);
      g_assert_cmpstr (out, ==, "not-inherited\n");
    }
  }

  /* --connection - reads it from standard input. */
  {
    g_autoptr(Engine) engine = engine_spawn (NULL, engine_json, (const char *[]) { "--connection", "-", NULL });
    g_autoptr(LoomEngineInfo) info = wait_engine (client, engine);
  }

  /* --connection FILE still works, and wins over LOOM_CONNECTION. */
  {
    g_autoptr(Engine) engine = engine_spawn ((const char *[]) { "LOOM_CONNECTION={}", NULL }, NULL,
                                             (const char *[]) { "--connection", path, NULL });
    g_autoptr(LoomEngineInfo) info = wait_engine (client, engine);
  }

  /* The clients' JSON is refused, naming the engines' file; so is junk. */
  {
    g_autofree char *client_env = g_strconcat ("LOOM_CONNECTION=", client_json, NULL);
    g_autofree char *engine_name = g_path_get_basename (path);
    g_autoptr(Engine) engine = engine_spawn ((const char *[]) { client_env, NULL }, NULL, NULL);
    g_autoptr(Engine) from_stdin = engine_spawn (NULL, client_json, (const char *[]) { "--connection", "-", NULL });
    g_autoptr(Engine) junk = engine_spawn ((const char *[]) { "LOOM_CONNECTION=not json", NULL }, NULL, NULL);
    g_autofree char *said = NULL;
    g_autofree char *said_stdin = NULL;
    g_autofree char *said_junk = NULL;

    g_assert_cmpint (engine_wait (engine), ==, 3);
    said = engine_stderr (engine);
    g_assert_nonnull (strstr (said, "LOOM_CONNECTION"));
    g_assert_nonnull (strstr (said, "clients'"));
    g_assert_nonnull (strstr (said, engine_name));
    g_assert_cmpint (engine_wait (from_stdin), ==, 3);
    said_stdin = engine_stderr (from_stdin);
    g_assert_nonnull (strstr (said_stdin, engine_name));
    g_assert_cmpint (engine_wait (junk), ==, 3);
    said_junk = engine_stderr (junk);
    g_assert_nonnull (strstr (said_junk, "LOOM_CONNECTION"));
    g_assert_nonnull (strstr (said_junk, "not valid JSON"));
  }

  g_clear_object (&client);
  test_controller_stop (&tc);
}

/* --- --wait: an engine started before its controller ----------------------- */

static void
test_wait (void)
{
  g_autoptr(LoomController) ctl = loom_controller_new ("waited");
  g_autoptr(GError) error = NULL;
  g_autofree char *client_path = loom_connection_path_for_profile ("waited");
  g_autofree char *path = loom_connection_engine_path (client_path);
  g_autoptr(Engine) engine = NULL;
  g_autoptr(Engine) by_profile = NULL;
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomEngineInfo) info = NULL;
  g_autoptr(LoomEngineInfo) info2 = NULL;
  gint64 begin;

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  engine = engine_spawn (NULL, NULL, (const char *[]) { "--connection", path, "--wait", "60", NULL });
  by_profile = engine_spawn (NULL, NULL, (const char *[]) { "--profile", "waited", "--wait", "60", NULL });

  /* The scenario itself: the controller comes a while after its engines. */
  begin = g_get_monotonic_time ();
  while (g_get_monotonic_time () - begin < 1500 * 1000)
    {
      Engine *engines[] = { engine, by_profile };

      for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
        if (g_subprocess_get_identifier (engines[i]->proc) == NULL)
          {
            g_autofree char *said = engine_stderr (engines[i]);
            g_error ("engine %u exited before its controller came: %s", i, said);
          }
      g_usleep (100 * 1000);
    }
  g_assert_true (loom_controller_start (ctl, &error));
  g_assert_no_error (error);

  client = loom_client_new_for_file (loom_controller_get_connection_file (ctl), &error);
  g_assert_no_error (error);
  info = wait_engine (client, engine);
  info2 = wait_engine (client, by_profile);

  g_clear_object (&client);
  loom_controller_stop (ctl);
  g_assert_cmpint (engine_wait (engine), ==, 0);
  g_assert_cmpint (engine_wait (by_profile), ==, 0);
}

/* Writes at @path an engines' connection file of a controller that does
 * not answer: process @pid (ours: live; an exited one: stale), a socket
 * nobody listens on. */
static void
write_silent_file (const char *path,
                   GPid        pid)
{
  TestController tc = { 0 };
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *nowhere = tmp_path ("nowhere.ipc");
  g_autofree char *url = g_strconcat ("ipc://", nowhere, NULL);
  JsonObject *obj;

  test_controller_start (&tc, 0);
  {
    g_autofree char *real = engine_file (&tc);
    g_assert_true (g_file_get_contents (real, &json, NULL, NULL));
  }
  test_controller_stop (&tc);
  node = loom_json_from_data (json, -1, NULL);
  obj = json_node_get_object (node);
  json_object_set_int_member (obj, "controller_pid", pid);
  json_object_set_string_member (obj, "transport", "ipc");
  json_object_set_string_member (obj, "engine_url", url);
  g_clear_pointer (&json, g_free);
  json = loom_json_to_string (node);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
}

/* Without a controller, --wait ends: exit 3, saying what it waited for. */
static void
test_wait_gives_up (void)
{
  g_autofree char *missing = tmp_path ("nobody-engine.json");
  g_autofree char *silent = tmp_path ("silent-engine.json");
  g_autoptr(Engine) no_file = NULL;
  g_autoptr(Engine) no_answer = NULL;
  g_autoptr(Engine) no_wait = NULL;
  g_autofree char *said = NULL;

  /* No file at all. */
  no_file = engine_spawn (NULL, NULL, (const char *[]) { "--connection", missing, "--wait", "1", NULL });
  g_assert_cmpint (engine_wait (no_file), ==, 3);
  said = engine_stderr (no_file);
  g_assert_nonnull (strstr (said, "waited 1.0 s"));
  g_assert_nonnull (strstr (said, missing));
  g_clear_pointer (&said, g_free);

  /* Without --wait a missing file ends it at once, as it always did. */
  no_wait = engine_spawn (NULL, NULL, (const char *[]) { "--connection", missing, NULL });
  g_assert_cmpint (engine_wait (no_wait), ==, 3);
  said = engine_stderr (no_wait);
  g_assert_null (strstr (said, "waited"));
  g_clear_pointer (&said, g_free);

  /* A file of a controller that does not answer. */
  write_silent_file (silent, getpid ());
  no_answer = engine_spawn (NULL, NULL, (const char *[]) { "--connection", silent, "--wait", "1", NULL });
  g_assert_cmpint (engine_wait (no_answer), ==, 3);
  said = engine_stderr (no_answer);
  g_assert_nonnull (strstr (said, "waited 1.0 s"));
  g_assert_nonnull (strstr (said, "answer its registration"));
  g_unlink (silent);
}

/* A waiting engine follows the file a new controller writes over the one
 * it read: a file left by a controller that died (stale), or one whose
 * controller does not answer. */
static void
test_wait_follows_new_file (gconstpointer data)
{
  gboolean stale = GPOINTER_TO_INT (data);
  g_autoptr(LoomController) ctl = loom_controller_new ("relaunched");
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(LoomEngineInfo) info = NULL;
  g_autoptr(Engine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *client_path = loom_connection_path_for_profile ("relaunched");
  g_autofree char *path = loom_connection_engine_path (client_path);
  g_autofree char *dir = g_path_get_dirname (path);
  GPid pid = getpid ();
  gint64 begin;

  if (stale)
    {
      /* The pid of a process that has ended. */
      g_autoptr(GSubprocess) gone = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "true", NULL);

      g_assert_no_error (error);
      pid = atoi (g_subprocess_get_identifier (gone));
      g_assert_true (g_subprocess_wait (gone, NULL, NULL));
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  write_silent_file (path, pid);
  engine = engine_spawn (NULL, NULL, (const char *[]) { "--profile", "relaunched", "--wait", "60", NULL });

  /* It waits, well past a second of reading the file again. */
  begin = g_get_monotonic_time ();
  while (g_get_monotonic_time () - begin < 1500 * 1000)
    {
      if (g_subprocess_get_identifier (engine->proc) == NULL)
        {
          g_autofree char *said = engine_stderr (engine);
          g_error ("the engine exited before its controller came: %s", said);
        }
      g_usleep (100 * 1000);
    }

  g_assert_true (loom_controller_start (ctl, &error));
  g_assert_no_error (error);
  client = loom_client_new_for_file (loom_controller_get_connection_file (ctl), &error);
  g_assert_no_error (error);
  info = wait_engine (client, engine);

  g_clear_object (&client);
  loom_controller_stop (ctl);
  g_assert_cmpint (engine_wait (engine), ==, 0);
}

/* --- engine ids follow ranks ----------------------------------------------- */

static gboolean
has_four (gpointer data)
{
  return g_list_model_get_n_items (data) >= 4;
}

static void
test_ranks (void)
{
  TestController tc = { 0 };
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GPtrArray) engines = g_ptr_array_new_with_free_func ((GDestroyNotify) engine_free);
  g_autofree char *path = NULL;

  test_controller_start (&tc, 0);
  path = engine_file (&tc);
  client = client_for (&tc);

  /* Ranks 3, 2, 1, 0, each registered before the next starts: ids 0–3
   * all the same. */
  for (gint rank = 3; rank >= 0; rank--)
    {
      g_autofree char *env = g_strdup_printf ("PMI_RANK=%d", rank);
      Engine *engine = engine_spawn ((const char *[]) { env, NULL }, NULL,
                                     (const char *[]) { "--connection", path, NULL });
      g_autoptr(LoomEngineInfo) info = wait_engine (client, engine);

      g_assert_cmpuint (loom_engine_info_get_id (info), ==, rank);
      g_ptr_array_add (engines, engine);
    }

  /* The live engines model takes ids with gaps, kept in order. */
  {
    GListModel *model = loom_client_get_engines (client);
    g_autoptr(GArray) ids = NULL;
    g_autoptr(GError) error = NULL;

    ids = loom_client_get_ids (client, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ids->len, ==, 4);
    g_assert_true (test_wait_until (has_four, model, WAIT_S));
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
    for (guint i = 0; i < 4; i++)
      {
        g_autoptr(LoomEngineInfo) info = g_list_model_get_item (model, i);
        g_assert_cmpuint (loom_engine_info_get_id (info), ==, i);
      }
  }

  /* A clash: rank 1 again gets the next id never given out, and says so. */
  {
    Engine *engine = engine_spawn ((const char *[]) { "PMI_RANK=1", NULL }, NULL,
                                   (const char *[]) { "--connection", path, NULL });
    g_autoptr(LoomEngineInfo) info = wait_engine (client, engine);
    g_autofree char *said = NULL;

    g_assert_cmpuint (loom_engine_info_get_id (info), ==, 4);
    g_ptr_array_add (engines, engine);
    said = engine_stderr (engine);
    g_assert_nonnull (strstr (said, "asked for engine id 1"));
    g_assert_nonnull (strstr (said, "registered as engine 4"));
  }

  /* An id once had by an engine that is gone is not given again: the
   * history of its tasks names it. */
  {
    Engine *gone = g_ptr_array_steal_index (engines, 0);   /* rank 3 */
    g_autoptr(Engine) again = NULL;
    g_autoptr(LoomEngineInfo) info = NULL;

    g_subprocess_send_signal (gone->proc, SIGTERM);
    g_assert_cmpint (engine_wait (gone), ==, 0);
    engine_free (gone);
    again = engine_spawn ((const char *[]) { "PMI_RANK=3", NULL }, NULL,
                          (const char *[]) { "--connection", path, NULL });
    info = wait_engine (client, again);
    g_assert_cmpuint (loom_engine_info_get_id (info), ==, 5);
  }

  /* A second launch asks for base + rank, from any of the rank variables;
   * --rank and LOOM_ENGINE_RANK come first. */
  {
    const struct { const char *env[3]; const char *rank; guint id; } cases[] = {
      { { "LOOM_ENGINE_ID_BASE=10", "OMPI_COMM_WORLD_RANK=2", NULL }, NULL, 12 },
      { { "LOOM_ENGINE_ID_BASE=10", "SLURM_PROCID=0", NULL }, NULL, 10 },
      { { "LOOM_ENGINE_RANK=7", "PMI_RANK=1", NULL }, NULL, 7 },
      { { "PMI_RANK=1", "SLURM_PROCID=2", NULL }, "20", 20 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        Engine *engine = engine_spawn (cases[i].env, NULL,
                                       cases[i].rank ? (const char *[]) { "--connection", path, "--rank",
                                                                          cases[i].rank, NULL }
                                                     : (const char *[]) { "--connection", path, NULL });
        g_autoptr(LoomEngineInfo) info = wait_engine (client, engine);

        g_assert_cmpuint (loom_engine_info_get_id (info), ==, cases[i].id);
        g_ptr_array_add (engines, engine);
      }
  }

  /* A rank that is not one is a usage error, naming the variable. */
  {
    g_autoptr(Engine) engine = engine_spawn ((const char *[]) { "PMI_RANK=two", NULL }, NULL,
                                             (const char *[]) { "--connection", path, NULL });
    g_autoptr(Engine) past = engine_spawn ((const char *[]) { "LOOM_ENGINE_ID_BASE=65535", "PMI_RANK=1", NULL },
                                           NULL, (const char *[]) { "--connection", path, NULL });
    g_autofree char *said = NULL;

    g_assert_cmpint (engine_wait (engine), ==, 2);
    said = engine_stderr (engine);
    g_assert_nonnull (strstr (said, "PMI_RANK=two"));
    g_assert_cmpint (engine_wait (past), ==, 2);
  }

  g_clear_object (&client);
  test_controller_stop (&tc);
}

/* --- where an engine came from, and its clock ------------------------------ */

static void
test_launcher (void)
{
  TestController tc = { 0 };
  g_autoptr(LoomClient) client = NULL;
  g_autofree char *path = NULL;

  test_controller_start (&tc, 0);
  path = engine_file (&tc);
  client = client_for (&tc);

  {
    const struct { const char *env[4]; const char *launcher; const char *job; } cases[] = {
      { { "LOOM_LAUNCHER=slurm", "SLURM_JOB_ID=4711", NULL }, "slurm", "4711" },
      { { "LOOM_LAUNCHER=pbs", "PBS_JOBID=12.server", "SLURM_JOB_ID=1", NULL }, "pbs", "1" },
      { { "LOOM_LAUNCHER=ssh", "LOOM_LAUNCH_JOB=ssh-3f2a", "LSB_JOBID=9", NULL }, "ssh", "ssh-3f2a" },
      { { "LSB_JOBID=77", NULL }, NULL, "77" },
      { { "JOB_ID=88", NULL }, NULL, "88" },
      { { NULL }, NULL, NULL },
      /* Not short and printable: left out, with a warning. */
      { { "LOOM_LAUNCHER=two words", "LOOM_LAUNCH_JOB=\x1b[2J", NULL }, NULL, NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(Engine) engine = engine_spawn (cases[i].env, NULL, (const char *[]) { "--connection", path, NULL });
        g_autoptr(LoomEngineInfo) info = wait_engine (client, engine);

        g_assert_cmpstr (loom_engine_info_get_launcher (info), ==, cases[i].launcher);
        g_assert_cmpstr (loom_engine_info_get_job_id (info), ==, cases[i].job);
        /* The controller's host: one clock. */
        g_assert_cmpint (loom_engine_info_get_clock_offset (info), ==, 0);
        g_assert_cmpint (loom_engine_info_get_clock_uncertainty (info), ==, 0);
        if (i == G_N_ELEMENTS (cases) - 1)
          {
            g_autofree char *said = engine_stderr (engine);
            g_assert_nonnull (strstr (said, "ignoring LOOM_LAUNCHER"));
            g_assert_nonnull (strstr (said, "ignoring LOOM_LAUNCH_JOB"));
          }
      }
  }

  g_clear_object (&client);
  test_controller_stop (&tc);
}

/* An engine on "another host": a UTS namespace with a host name of its
 * own, so the engine estimates its offset to the controller's clock.  It
 * is the same clock, so the estimate is within its uncertainty. */
static void
test_clock_offset (void)
{
  TestController tc = { 0 };
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(LoomEngineInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  gint exit_status = -1;
  GPid pid;

  if (!g_spawn_sync (NULL, (char *[]) { "unshare", "-u", "true", NULL }, NULL, G_SPAWN_SEARCH_PATH |
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                     &exit_status, NULL) || exit_status != 0)
    {
      g_test_skip ("no UTS namespace here (unshare -u needs CAP_SYS_ADMIN)");
      return;
    }

  test_controller_start (&tc, 0);
  path = engine_file (&tc);
  client = client_for (&tc);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "unshare", "-u", "sh", "-c",
                           "hostname loom-elsewhere && exec \"$0\" \"$@\"", g_getenv ("LOOM_ENGINE"),
                           "--connection", path, NULL);
  g_assert_no_error (error);
  pid = atoi (g_subprocess_get_identifier (proc));
  info = wait_engine_full (client, pid, TRUE);
  g_assert_nonnull (info);
  g_assert_cmpstr (loom_engine_info_get_host (info), ==, "loom-elsewhere");
  g_test_message ("clock offset %" G_GINT64_FORMAT " µs ± %" G_GINT64_FORMAT " µs",
                  loom_engine_info_get_clock_offset (info), loom_engine_info_get_clock_uncertainty (info));
  g_assert_cmpint (loom_engine_info_get_clock_uncertainty (info), >, 0);
  g_assert_cmpint (ABS (loom_engine_info_get_clock_offset (info)), <=, loom_engine_info_get_clock_uncertainty (info));

  /* loomctl cluster status shows it, in text and JSON. */
  {
    g_autofree char *out = NULL;
    g_autofree char *json = NULL;
    g_autoptr(JsonNode) node = NULL;
    JsonArray *engines;
    gboolean found = FALSE;
    const char *profile = loom_controller_get_profile (tc.ctl);
    const char *text_argv[] = { g_getenv ("LOOMCTL"), "cluster", "status", "--profile", profile, NULL };
    const char *json_argv[] = { g_getenv ("LOOMCTL"), "cluster", "status", "--profile", profile, "--json", NULL };
    g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);

    /* (µ and ± print as "?" in the C locale.) */
    envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);

    g_assert_true (g_spawn_sync (NULL, (char **) text_argv, envp, 0, NULL, NULL, &out, NULL, &exit_status, &error));
    g_assert_no_error (error);
    g_test_message ("%s", out);
    g_assert_cmpint (exit_status, ==, 0);
    g_assert_nonnull (strstr (out, "CLOCK"));
    g_assert_nonnull (strstr (out, "loom-elsewhere"));
    g_assert_true (g_regex_match_simple ("loom-elsewhere .* [+-][0-9.]+ (µs|ms|s) ±[0-9.]+ (µs|ms|s)  -\n", out,
                                         0, 0));

    g_assert_true (g_spawn_sync (NULL, (char **) json_argv, envp, 0, NULL, NULL, &json, NULL, &exit_status, &error));
    g_assert_cmpint (exit_status, ==, 0);
    node = loom_json_from_data (json, -1, &error);
    g_assert_no_error (error);
    engines = json_object_get_array_member (json_node_get_object (node), "engines");
    for (guint i = 0; i < json_array_get_length (engines); i++)
      {
        JsonObject *e = json_array_get_object_element (engines, i);

        if (json_object_get_int_member (e, "pid") != pid)
          continue;
        found = TRUE;
        g_assert_true (json_object_has_member (e, "clock_offset"));
        g_assert_cmpint (json_object_get_int_member (e, "clock_uncertainty"), >, 0);
      }
    g_assert_true (found);
  }

  g_clear_object (&client);
  test_controller_stop (&tc);
  g_subprocess_wait (proc, NULL, NULL);
}

/* --- what the controller believes of an engine ----------------------------- */

static LoomMessage *
ask (TestController *tc,
     void           *sock,
     const char     *msg_type,
     const char     *content)
{
  loom_wire_send (tc->engine_wire, sock, NULL, msg_type, NULL, content, -1, NULL, 0);
  return peer_recv (tc->engine_wire, sock, WAIT_S * 1000);
}

static JsonObject *
status_engine (TestController *tc,
               gint64          pid)
{
  g_autoptr(LoomClient) client = client_for (tc);
  g_autoptr(LoomClusterStatus) status = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *engines;

  status = loom_client_get_status (client, &error);
  g_assert_no_error (error);
  node = loom_cluster_status_to_json (status);
  engines = json_object_get_array_member (json_node_get_object (node), "engines");
  for (guint i = 0; i < json_array_get_length (engines); i++)
    {
      JsonObject *e = json_array_get_object_element (engines, i);

      if (json_object_get_int_member (e, "pid") == pid)
        return json_object_ref (e);
    }
  g_assert_not_reached ();
}

static void
test_controller_checks (void)
{
  TestController tc = { 0 };
  void *far, *near;
  g_autoptr(LoomMessage) reply = NULL;
  g_autofree char *register_far = NULL;
  g_autofree char *register_near = NULL;
  g_autoptr(GString) near_host = g_string_new (NULL);

  test_controller_start (&tc, 0);
  far = peer_connect (tc.conn->engine_url, ZMQ_DEALER);
  near = peer_connect (tc.conn->engine_url, ZMQ_DEALER);

  /* A launcher and job that are not short and printable are not kept;
   * an id past the last one is not given. */
  reply = ask (&tc, far, "register",
               "{\"host\":\"far\",\"pid\":101,\"id\":70000,\"launcher\":\"a b\","
               "\"job_id\":\"\\u001b[2J\"}");
  g_assert_nonnull (reply);
  g_assert_cmpint (loom_json_int (loom_message_get_content (reply, NULL), "engine", -1), ==, 0);
  g_clear_pointer (&reply, loom_message_free);
  {
    g_autoptr(JsonObject) e = status_engine (&tc, 101);
    g_assert_false (json_object_has_member (e, "launcher"));
    g_assert_false (json_object_has_member (e, "job_id"));
    /* Unknown until its heartbeats say. */
    g_assert_false (json_object_has_member (e, "clock_offset"));
  }

  /* Offsets are clamped to an hour, uncertainties to [0, heartbeat
   * timeout]; what is not a number is not taken. */
  reply = ask (&tc, far, "heartbeat", "{\"held\":0,\"clock_offset\":-900000000000000,\"clock_uncertainty\":-5}");
  g_assert_nonnull (reply);
  g_clear_pointer (&reply, loom_message_free);
  {
    g_autoptr(JsonObject) e = status_engine (&tc, 101);
    g_assert_cmpint (json_object_get_int_member (e, "clock_offset"), ==, -(gint64) 3600 * G_USEC_PER_SEC);
    g_assert_cmpint (json_object_get_int_member (e, "clock_uncertainty"), ==, 0);
  }
  reply = ask (&tc, far, "heartbeat", "{\"held\":0,\"clock_offset\":\"soon\",\"clock_uncertainty\":[1]}");
  g_assert_nonnull (reply);
  g_clear_pointer (&reply, loom_message_free);
  reply = ask (&tc, far, "heartbeat", "{\"held\":0,\"clock_offset\":1500,\"clock_uncertainty\":99999999999}");
  g_assert_nonnull (reply);
  g_clear_pointer (&reply, loom_message_free);
  {
    g_autoptr(JsonObject) e = status_engine (&tc, 101);
    g_assert_cmpint (json_object_get_int_member (e, "clock_offset"), ==, 1500);
    g_assert_cmpint (json_object_get_int_member (e, "clock_uncertainty"), >, 0);
    g_assert_cmpint (json_object_get_int_member (e, "clock_uncertainty"), <, 99999999999);
  }

  /* On the controller's host it is 0 ± 0, whatever the engine says. */
  g_string_append (near_host, "{\"host\":");
  loom_json_append_string (near_host, g_get_host_name ());
  g_string_append (near_host, ",\"pid\":102,\"launcher\":\"local\",\"job_id\":\"x-1\"}");
  reply = ask (&tc, near, "register", near_host->str);
  g_assert_nonnull (reply);
  g_clear_pointer (&reply, loom_message_free);
  reply = ask (&tc, near, "heartbeat", "{\"held\":0,\"clock_offset\":5000000,\"clock_uncertainty\":10}");
  g_assert_nonnull (reply);
  g_clear_pointer (&reply, loom_message_free);
  {
    g_autoptr(JsonObject) e = status_engine (&tc, 102);
    g_assert_cmpstr (json_object_get_string_member (e, "launcher"), ==, "local");
    g_assert_cmpstr (json_object_get_string_member (e, "job_id"), ==, "x-1");
    g_assert_cmpint (json_object_get_int_member (e, "clock_offset"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (e, "clock_uncertainty"), ==, 0);
  }

  zmq_close (far);
  zmq_close (near);
  test_controller_stop (&tc);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_data_func ("/loom/launch-env/connection-env/ipc", NULL, test_connection_env);
  g_test_add_data_func ("/loom/launch-env/connection-env/tcp", "127.0.0.1", test_connection_env);
  g_test_add_func ("/loom/launch-env/wait", test_wait);
  g_test_add_func ("/loom/launch-env/wait-gives-up", test_wait_gives_up);
  g_test_add_data_func ("/loom/launch-env/wait-follows-new-file/stale", GINT_TO_POINTER (TRUE),
                        test_wait_follows_new_file);
  g_test_add_data_func ("/loom/launch-env/wait-follows-new-file/silent", GINT_TO_POINTER (FALSE),
                        test_wait_follows_new_file);
  g_test_add_func ("/loom/launch-env/ranks", test_ranks);
  g_test_add_func ("/loom/launch-env/launcher", test_launcher);
  g_test_add_func ("/loom/launch-env/clock-offset", test_clock_offset);
  g_test_add_func ("/loom/launch-env/controller-checks", test_controller_checks);

  return g_test_run ();
}
