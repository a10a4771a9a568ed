/* test-ssh.c: engines started over a real ssh
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A throwaway sshd on 127.0.0.1 (its own host key, one authorised key,
 * nothing of ~/.ssh or /etc/ssh read) stands in for a remote host.  What
 * the ssh launcher will do is done here by hand: a small script fed to
 * `ssh HOST -- sh -` exports the engine connection file's JSON as
 * LOOM_CONNECTION (no file is written on the remote side: the engines
 * read it from there) and LOOM_LAUNCHER=ssh, starts the engines in a
 * process group of their own, and prints the group's and the engines'
 * pids.  The engines run a command job; killing the process group over
 * ssh leaves nothing.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "loom-scaleout-util.h"

#define ROUNDS 3

/* @text in single quotes for sh. */
static char *
sh_quote (const char *text)
{
  g_autoptr(GString) quoted = g_string_new ("'");

  for (const char *c = text; *c; c++)
    if (*c == '\'')
      g_string_append (quoted, "'\\''");
    else
      g_string_append_c (quoted, *c);
  g_string_append_c (quoted, '\'');
  return g_string_free (g_steal_pointer (&quoted), FALSE);
}

/* The script a launcher feeds to `ssh HOST -- sh -` to start @n engines.
 * It prints "group PGID", "dir DIR" and one "engine PID" per engine. */
static char *
engine_script (const char *connection_json,
               guint       n)
{
  g_autofree char *json = sh_quote (connection_json);
  g_autofree char *engine = sh_quote (g_getenv ("LOOM_ENGINE"));
  g_autofree char *marker = sh_quote (loom_scaleout_dir ());
  g_autofree char *tmp_path = loom_scaleout_path ("ssh-tmp");
  g_autofree char *tmp = sh_quote (tmp_path);

  return g_strdup_printf (
    "set -eu\n"
    "umask 077\n"
    /* how the test finds what the engines left, if anything */
    "LOOM_SCALEOUT_RUN=%s; export LOOM_SCALEOUT_RUN\n"
    /* the private file goes below the test's private directory, which
     * the test removes even when it fails */
    "TMPDIR=%s; export TMPDIR\n"
    /* the engines read their connection info from the environment */
    "LOOM_CONNECTION=%s; export LOOM_CONNECTION\n"
    "LOOM_LAUNCHER=ssh; export LOOM_LAUNCHER\n"
    "dir=$(mktemp -d \"${TMPDIR:-/tmp}/loom-engine.XXXXXX\")\n"
    "echo \"dir $dir\"\n"
    /* setsid: a process group of their own, so stop is one kill; the
     * group's leader prints the engines' pids, then lets go of ssh's pipe */
    "setsid sh -c '\n"
    "  i=0\n"
    "  while [ $i -lt %u ]; do\n"
    "    exec_engine() { exec \"$1\"; }\n"
    "    exec_engine \"$1\" </dev/null >>\"$2\" 2>&1 &\n"
    "    echo \"engine $!\"\n"
    "    i=$((i + 1))\n"
    "  done\n"
    "  exec >/dev/null 2>&1\n"
    "  wait\n"
    "' sh %s \"$dir/engines.log\" </dev/null &\n"
    "echo \"group $!\"\n",
    marker, tmp, json, n, engine);
}

typedef struct
{
  GPid   group;
  char  *dir;
  GArray *engines;
} Remote;

static void
remote_clear (Remote *r)
{
  g_clear_pointer (&r->dir, g_free);
  g_clear_pointer (&r->engines, g_array_unref);
}

static void
parse_remote (const char *out,
              guint       n,
              Remote     *r)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  r->engines = g_array_new (FALSE, FALSE, sizeof (GPid));
  for (guint i = 0; lines[i]; i++)
    {
      if (g_str_has_prefix (lines[i], "group "))
        r->group = atoi (lines[i] + 6);
      else if (g_str_has_prefix (lines[i], "dir "))
        r->dir = g_strdup (lines[i] + 4);
      else if (g_str_has_prefix (lines[i], "engine "))
        {
          GPid pid = atoi (lines[i] + 7);
          g_array_append_val (r->engines, pid);
        }
    }
  g_assert_cmpint (r->group, >, 0);
  g_assert_nonnull (r->dir);
}

/* The engines' pids come from the group leader, which may print them a
 * moment after ssh returned: ask the remote host for the group's members. */
static GArray *
group_members (LoomScaleoutSshd *sshd,
               GPid              group)
{
  g_autofree char *command = g_strdup_printf ("pgrep -g %d || true", (int) group);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));

  loom_scaleout_ssh (sshd, command, NULL, &out, NULL);
  lines = g_strsplit (out ? out : "", "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      GPid pid = atoi (g_strstrip (lines[i]));

      if (pid > 0)
        g_array_append_val (pids, pid);
    }
  return pids;
}

static void
test_command_job (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *json = NULL;
  LoomScaleoutSshd *sshd;
  LoomScaleoutController *ctl;

  if (!loom_scaleout_require_root ("an sshd that logs in as root with a throwaway key") ||
      !loom_scaleout_require_programs ((const char * const[]) { "/usr/sbin/sshd", "ssh-keygen", NULL }, "openssh-server") ||
      !loom_scaleout_require_programs ((const char * const[]) { "ssh", NULL }, "openssh-client") ||
      !loom_scaleout_require_programs ((const char * const[]) { "setsid", NULL }, "util-linux"))
    return;

  sshd = loom_scaleout_sshd_start (&error);
  g_assert_no_error (error);
  {
    gint64 begin = g_get_monotonic_time ();
    g_autofree char *out = NULL;

    g_assert_cmpint (loom_scaleout_ssh (sshd, "echo hello", NULL, &out, NULL), ==, 0);
    g_assert_cmpstr (out, ==, "hello\n");
    g_test_message ("sshd on 127.0.0.1:%u (pid %d); one `ssh ... echo hello` took %.3f s", sshd->port, (int) sshd->pid,
                    loom_scaleout_seconds_since (begin));
  }

  ctl = loom_scaleout_controller_start ("ssh", "127.0.0.1", NULL, NULL);
  g_file_get_contents (ctl->engine_file, &json, NULL, &error);
  {
    g_autofree char *tmp = loom_scaleout_path ("ssh-tmp");
    g_assert_cmpint (g_mkdir (tmp, 0700), ==, 0);
  }
  g_assert_no_error (error);

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autofree char *script = engine_script (json, 4);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(GArray) members = NULL;
      g_autoptr(GArray) pids = NULL;
      gint64 begin = g_get_monotonic_time ();
      Remote remote = { 0 };
      double seconds;

      g_assert_cmpint (loom_scaleout_ssh (sshd, "sh -", script, &out, &err), ==, 0);
      g_assert_cmpstr (err, ==, "");
      parse_remote (out, 4, &remote);
      seconds = loom_scaleout_wait_engines (ctl, 4, begin, 30);
      g_assert_cmpfloat (seconds, >=, 0);
      g_test_message ("ssh (one `ssh -- sh -` for 4 engines), round %u: registered %.3f s after ssh started (%s)",
                      round + 1, seconds, g_strstrip (out));
      g_array_append_val (times, seconds);

      /* The engines the controller sees are those of the remote group,
       * and they were handed LOOM_CONNECTION. */
      pids = loom_scaleout_engine_pids (ctl);
      members = group_members (sshd, remote.group);
      g_assert_cmpuint (pids->len, ==, 4);
      for (guint i = 0; i < pids->len; i++)
        {
          GPid pid = g_array_index (pids, GPid, i);
          g_autofree char *env_json = loom_scaleout_pid_getenv (pid, "LOOM_CONNECTION");
          gboolean member = FALSE;

          for (guint j = 0; j < members->len; j++)
            member |= g_array_index (members, GPid, j) == pid;
          g_assert_true (member);
          g_assert_cmpstr (env_json, ==, json);
        }
      /* and they say who started them */
      {
        g_autoptr(JsonNode) status = loom_scaleout_status (ctl);
        JsonArray *engines = json_object_get_array_member (json_node_get_object (status), "engines");

        for (guint i = 0; i < json_array_get_length (engines); i++)
          {
            JsonObject *e = json_array_get_object_element (engines, i);
            const char *state = json_object_get_string_member (e, "state");

            if (g_str_equal (state, "idle") || g_str_equal (state, "busy"))
              g_assert_cmpstr (json_object_get_string_member_with_default (e, "launcher", NULL), ==, "ssh");
          }
      }

      if (round == 0)
        {
          g_autofree char *job_out = NULL;
          g_autofree char *job_err = NULL;

          g_assert_cmpint (loom_scaleout_loomctl (ctl, NULL, &job_out, &job_err, "run", "--sweep", "x=range:0:8", "--",
                                                  "echo", "task {x}", NULL), ==, 0);
          g_assert_cmpstr (job_out, ==, "task 0\ntask 1\ntask 2\ntask 3\ntask 4\ntask 5\ntask 6\ntask 7\n");
        }

      /* stop: one kill of the process group, over ssh */
      {
        g_autofree char *kill_command = g_strdup_printf ("kill -TERM -- -%d", (int) remote.group);
        g_autofree char *rm_command = g_strdup_printf ("rm -rf -- '%s'", remote.dir);

        g_assert_cmpint (loom_scaleout_ssh (sshd, kill_command, NULL, NULL, NULL), ==, 0);
        for (guint i = 0; i < pids->len; i++)
          g_assert_true (loom_scaleout_wait_pid_gone (g_array_index (pids, GPid, i), 10));
        g_assert_true (loom_scaleout_wait_pid_gone (remote.group, 10));
        g_assert_cmpint (loom_scaleout_ssh (sshd, rm_command, NULL, NULL, NULL), ==, 0);
        g_assert_false (g_file_test (remote.dir, G_FILE_TEST_EXISTS));
      }
      /* Not `pgrep -g GROUP` again: pids wrap within seconds on a busy
       * machine, and another's process group may have that number by now.
       * Every engine carries the run marker: none may be left. */
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
      remote_clear (&remote);
    }
  g_test_message ("ssh: median %.3f s until 4 engines registered (%u rounds)", loom_scaleout_median (times), ROUNDS);

  loom_scaleout_controller_stop (ctl);
  loom_scaleout_sshd_stop (sshd);
  loom_scaleout_assert_nothing_left ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  loom_scaleout_init (&argc, &argv);

  g_test_add_func ("/loom/scaleout/ssh/command-job", test_command_job);

  status = g_test_run ();
  loom_scaleout_cleanup ();
  return status;
}
