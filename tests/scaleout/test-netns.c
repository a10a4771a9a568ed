/* test-netns.c: a controller and engines on two "hosts", through launchers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two network namespaces on a bridge stand in for hosts A (10.251.0.1) and
 * B (10.251.0.2), each with a host name of its own (unshare --uts).  In A,
 * `loomctl cluster start --ip A --location A -n 1` starts the controller
 * and one local engine; `loomctl engines add 4 --launcher ssh --host B`
 * starts four engines on B through an sshd that runs in B.  Every client
 * runs inside a namespace; nothing connects to these addresses from the
 * root namespace, where they do not exist.  A raw AF_PACKET socket on B's
 * end of the bridge records every frame: the ZMTP greetings name CURVE, and
 * no parameter string crosses in plaintext.  Every engine estimates its
 * clock's offset to the controller's within the uncertainty it reports.  Killing the engine processes
 * in B mid-job requeues their tasks on A's engine; `cluster stop` from A
 * leaves nothing on either host.
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "loom-scaleout-util.h"

/* Appears in every task's parameters and output, never on the wire. */
#define PROBE "loomPlaintextProbe"

/* Kills, as a host's crash would, every loom-engine process in @netns;
 * how many. */
static guint
kill_engines_in (const char *netns)
{
  g_autofree char *pids = NULL;
  g_auto(GStrv) lines = NULL;
  guint killed = 0;

  g_assert_cmpint (loom_scaleout_run (&pids, NULL, "ip", "netns", "pids", netns, NULL), ==, 0);
  lines = g_strsplit (pids, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      GPid pid = atoi (lines[i]);
      g_autofree char *comm_path = g_strdup_printf ("/proc/%d/comm", (int) pid);
      g_autofree char *comm = NULL;

      if (pid > 0 && g_file_get_contents (comm_path, &comm, NULL, NULL) && g_str_equal (g_strstrip (comm), "loom-engine"))
        {
          kill (pid, SIGKILL);
          killed++;
        }
    }
  return killed;
}

static gboolean
contains (GBytes     *bytes,
          const char *needle,
          gsize       needle_len)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (gsize at = 0; at + needle_len <= len; at++)
    if (memcmp (data + at, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

static void
test_two_hosts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autofree char *json = NULL;
  g_autofree char *veth_b = NULL;
  g_autofree char *ip = NULL;
  g_autofree char *location = NULL;
  g_autofree char *err = NULL;
  LoomScaleoutCapture *capture;
  LoomScaleoutController *ctl;
  LoomScaleoutSshd *sshd;
  LoomScaleoutNet *net;
  gint64 begin;
  gint64 engine_a_id = -1;
  guint frames = 0;
  double seconds;

  if (!loom_scaleout_require_netns () ||
      !loom_scaleout_require_programs ((const char * const[]) { "/usr/sbin/sshd", "ssh-keygen", NULL }, "openssh-server") ||
      !loom_scaleout_require_programs ((const char * const[]) { "ssh", NULL }, "openssh-client"))
    return;

  begin = g_get_monotonic_time ();
  net = loom_scaleout_net_new (2, &error);
  g_assert_no_error (error);
  g_test_message ("namespaces %s (%s) and %s (%s) on bridge %s in %.2f s", net->netns[0], net->address[0],
                  net->netns[1], net->address[1], net->bridge, loom_scaleout_seconds_since (begin));

  /* B's sshd, on B's address, named loom-test-b. */
  sshd = loom_scaleout_sshd_start_in (net->netns[1], net->address[1], "loom-test-b", &error);
  g_assert_no_error (error);

  /* B's end of its veth pair, in the root namespace: all of B's traffic. */
  veth_b = g_strdup_printf ("lt%db", (int) getpid ());
  capture = loom_scaleout_capture_start (veth_b, &error);
  g_assert_no_error (error);

  /* The controller in A on A's address, with one local engine. */
  ip = g_strdup_printf ("--ip=%s", net->address[0]);
  location = g_strdup_printf ("--location=%s", net->address[0]);
  ctl = loom_scaleout_cluster_start_on ("hosts", net->netns[0], "loom-test-a",
                                        (const char * const[]) { ip, location, "-n", "1", NULL }, NULL, &err);
  g_assert_nonnull (ctl);
  g_file_get_contents (ctl->engine_file, &json, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree char *prefix = g_strdup_printf ("tcp://%s:", net->address[0]);
    JsonObject *conn;

    json_parser_load_from_data (parser, json, -1, &error);
    g_assert_no_error (error);
    conn = json_node_get_object (json_parser_get_root (parser));
    g_assert_true (g_str_has_prefix (json_object_get_string_member (conn, "engine_url"), prefix));
    g_assert_true (g_str_has_prefix (json_object_get_string_member (conn, "client_url"), prefix));
  }

  /* 4 engines on B, over ssh from A. */
  {
    g_autofree char *host = g_strdup_printf ("--host=%s@%s:4", g_get_user_name (), net->address[1]);
    g_autofree char *port = g_strdup_printf ("--ssh-port=%u", sshd->port);
    g_autofree char *identity = g_strdup_printf ("--identity=%s", sshd->key);
    g_autofree char *known = g_strdup_printf ("--ssh-option=UserKnownHostsFile=%s/known_hosts", sshd->dir);
    g_autofree char *engine = g_strdup_printf ("--engine-path=%s", g_getenv ("LOOM_ENGINE"));
    g_autofree char *marker = g_strdup_printf ("--launcher-option=env=LOOM_SCALEOUT_RUN=%s", loom_scaleout_dir ());
    g_autofree char *tmp = loom_scaleout_path ("ssh-tmp");
    g_autofree char *tmpdir = g_strdup_printf ("--launcher-option=env=TMPDIR=%s", tmp);
    g_autofree char *out = NULL;

    g_mkdir_with_parents (tmp, 0700);
    begin = g_get_monotonic_time ();
    g_assert_cmpint (loom_scaleout_loomctl (ctl, net->netns[0], &out, &err, "engines", "add", "4", "--launcher=ssh",
                                            host, port, identity, known, "--ssh-config=/dev/null",
                                            "--ssh-option=IdentitiesOnly=yes",
                                            "--ssh-option=StrictHostKeyChecking=accept-new",
                                            "--ssh-option=LogLevel=ERROR", engine, marker, tmpdir, NULL), ==, 0);
    seconds = loom_scaleout_seconds_since (begin);
    g_test_message ("netns: engines add 4 --launcher ssh (sshd in B, controller in A, CURVE over the bridge): "
                    "registered in %.3f s: %s", seconds, g_strstrip (out));
  }

  /* The engines report their own host; the controller its own. */
  {
    g_autoptr(JsonNode) status = loom_scaleout_status (ctl);
    JsonObject *root = json_node_get_object (status);
    JsonArray *engines = json_object_get_array_member (root, "engines");
    guint on_a = 0;
    guint on_b = 0;

    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "controller"), "host"), ==,
                     "loom-test-a");
    for (guint i = 0; i < json_array_get_length (engines); i++)
      {
        JsonObject *e = json_array_get_object_element (engines, i);
        const char *host = json_object_get_string_member (e, "host");

        if (g_str_equal (host, "loom-test-a"))
          engine_a_id = json_object_get_int_member (e, "id");
        on_a += g_str_equal (host, "loom-test-a");
        on_b += g_str_equal (host, "loom-test-b");
      }
    g_assert_cmpuint (on_a, ==, 1);
    g_assert_cmpuint (on_b, ==, 4);
  }

  /* Each engine tells its clock's offset to the controller's, from its
   * heartbeats (the engines in B run under another host name, so they
   * estimate it).  It is one physical clock: every estimate is within the
   * uncertainty it reports, half its best round trip. */
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    guint told = 0;

    while (told < 5)
      {
        g_autoptr(JsonNode) status = loom_scaleout_status (ctl);
        JsonArray *engines = json_object_get_array_member (json_node_get_object (status), "engines");

        told = 0;
        for (guint i = 0; i < json_array_get_length (engines); i++)
          {
            JsonObject *e = json_array_get_object_element (engines, i);
            gint64 offset, uncertainty;

            if (!json_object_has_member (e, "clock_uncertainty"))
              continue;
            offset = json_object_get_int_member (e, "clock_offset");
            uncertainty = json_object_get_int_member (e, "clock_uncertainty");
            g_assert_cmpint (uncertainty, >=, 0);
            g_assert_cmpint (ABS (offset), <=, uncertainty);
            told++;
          }
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        if (told < 5)
          g_usleep (100 * 1000);
      }
    {
      g_autofree char *out = NULL;

      g_assert_cmpint (loom_scaleout_loomctl (ctl, net->netns[0], &out, NULL, "cluster", "status", NULL), ==, 0);
      g_test_message ("%s", strstr (out, "\n  ID ") ? strstr (out, "\n  ID ") + 1 : out);
    }
  }

  /* A client on B: a map whose parameters and results carry the probe. */
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (loom_scaleout_loomctl (ctl, net->netns[1], &out, &err, "map", "echo", "--sweep",
                                            "word=" PROBE "Alpha," PROBE "Beta," PROBE "Gamma", NULL), ==, 0);
    g_assert_nonnull (strstr (out, PROBE "Alpha"));
    g_assert_nonnull (strstr (out, PROBE "Gamma"));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (loom_scaleout_loomctl (ctl, net->netns[1], &out, &err, "run", "--sweep",
                                            "x=range:0:8", "--", "echo", PROBE "{x}", NULL), ==, 0);
    g_assert_cmpstr (out, ==, PROBE "0\n" PROBE "1\n" PROBE "2\n" PROBE "3\n" PROBE "4\n" PROBE "5\n" PROBE "6\n" PROBE "7\n");
  }

  /* The seed from a client on A. */
  loom_scaleout_assert_seed (ctl, net->netns[0]);

  /* Kill B's engine processes mid-job: their tasks run again on A's. */
  {
    g_autofree char *out = NULL;
    g_autofree char *job = NULL;
    gint64 deadline;

    g_assert_cmpint (loom_scaleout_loomctl (ctl, net->netns[1], &out, NULL, "map", "printtime", "--sweep",
                                            "t=range:0:6", "--async", NULL), ==, 0);
    job = g_strdup (g_strstrip (out));
    g_clear_pointer (&out, g_free);
    /* until tasks run on B */
    deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    for (;;)
      {
        g_autoptr(JsonNode) status = loom_scaleout_status (ctl);

        if (json_object_get_int_member (json_node_get_object (status), "running") >= 2)
          break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (20 * 1000);
      }
    g_assert_cmpuint (kill_engines_in (net->netns[1]), ==, 4);
    g_assert_cmpint (loom_scaleout_loomctl (ctl, net->netns[1], &out, NULL, "get", job, NULL), ==, 0);
    g_test_message ("after killing B's engines: %s", out);
    for (guint t = 0; t < 6; t++)
      {
        g_autofree char *pair = g_strdup_printf (", %u)", t);
        g_assert_nonnull (strstr (out, pair));
      }
    g_clear_pointer (&out, g_free);

    /* every task ended on A's engine, the one left */
    g_assert_cmpint (loom_scaleout_loomctl (ctl, net->netns[0], &out, NULL, "show", job, "--json", NULL), ==, 0);
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonArray *tasks;

      json_parser_load_from_data (parser, out, -1, &error);
      g_assert_no_error (error);
      tasks = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "tasks");
      g_assert_cmpuint (json_array_get_length (tasks), ==, 6);
      for (guint t = 0; t < 6; t++)
        g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (tasks, t), "engine_id"), ==,
                         engine_a_id);
    }
  }

  wire = loom_scaleout_capture_stop (capture, &frames);
  g_test_message ("captured %u frames, %" G_GSIZE_FORMAT " bytes on %s", frames, g_bytes_get_size (wire), veth_b);
  g_assert_cmpuint (frames, >, 0);
  /* The ZMTP greeting names its mechanism in plaintext: the capture saw the
   * connections being made, and they were CURVE. */
  {
    /* the greeting's 20-byte mechanism field */
    char curve[20] = "CURVE";
    char null[20] = "NULL";
    char plain[20] = "PLAIN";

    g_assert_true (contains (wire, curve, sizeof curve));
    g_assert_false (contains (wire, null, sizeof null));
    g_assert_false (contains (wire, plain, sizeof plain));
  }
  g_assert_false (contains (wire, PROBE, strlen (PROBE)));

  /* Stop from A: the controller, A's engine, and over ssh what is left of
   * B's process group; then sshd, and the namespaces are empty. */
  loom_scaleout_cluster_stop (ctl);
  loom_scaleout_sshd_stop (sshd);
  loom_scaleout_assert_nothing_left ();
  for (guint i = 0; i < net->n_hosts; i++)
    {
      g_autofree char *pids = NULL;

      g_assert_cmpint (loom_scaleout_run (&pids, NULL, "ip", "netns", "pids", net->netns[i], NULL), ==, 0);
      g_assert_cmpstr (g_strstrip (pids), ==, "");
    }
  loom_scaleout_net_free (net);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  loom_scaleout_init (&argc, &argv);

  g_test_add_func ("/loom/scaleout/netns/two-hosts", test_two_hosts);

  status = g_test_run ();
  loom_scaleout_cleanup ();
  return status;
}
