/* test-netns.c: a controller and engines on two "hosts"
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two network namespaces on a bridge stand in for hosts A (10.251.0.1) and
 * B (10.251.0.2).  The controller listens on A's address (--ip, --location);
 * engines run in B (nsenter --net, and a UTS namespace of their own so they
 * report B's host name) and one in A; the client runs in B.  Nothing
 * connects to these addresses from the root namespace, where they do not
 * exist.  A raw AF_PACKET socket on B's end of the bridge records every
 * frame: the ZMTP greetings name CURVE, and no parameter string crosses in
 * plaintext.  Every engine estimates its clock's offset to the
 * controller's within the uncertainty it reports.  Killing B's engines
 * mid-job requeues their tasks on A's.
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "loom-scaleout-util.h"

/* Appears in every task's parameters and output, never on the wire. */
#define PROBE "loomPlaintextProbe"

static GSubprocess *
spawn_engine (LoomScaleoutNet        *net,
              guint                   host,
              LoomScaleoutController *ctl)
{
  g_autofree char *net_opt = g_strdup_printf ("--net=%s", net->netns_path[host]);
  g_autofree char *hostname = g_strdup_printf ("loom-test-%c", 'a' + host);
  g_autofree char *log_name = g_strdup_printf ("engines-%c.log", 'a' + host);
  g_autofree char *log = loom_scaleout_path (log_name);
  g_autofree char *script = g_strdup_printf ("hostname %s && exec \"$0\" \"$@\"", hostname);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_auto(GStrv) env = loom_scaleout_environ (NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  /* nsenter switches only the network (ip netns exec would remount /sys);
   * unshare --uts gives the host its own name; both exec, so the pid is
   * the engine's. */
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  proc = g_subprocess_launcher_spawn (launcher, &error, "nsenter", net_opt, "unshare", "--uts", "sh", "-c", script,
                                      g_getenv ("LOOM_ENGINE"), "--connection", ctl->engine_file, NULL);
  g_assert_no_error (error);
  loom_scaleout_track_pid (atoi (g_subprocess_get_identifier (proc)), "loom-engine");
  return proc;
}

static void
stop_engine (GSubprocess *proc,
             int          sig)
{
  const char *id = g_subprocess_get_identifier (proc);
  GPid pid = id ? atoi (id) : 0;

  g_subprocess_send_signal (proc, sig);
  g_subprocess_wait (proc, NULL, NULL);
  if (pid)
    loom_scaleout_untrack_pid (pid);
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
  g_autoptr(GPtrArray) engines_b = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSubprocess) engine_a = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autofree char *json = NULL;
  g_autofree char *veth_b = NULL;
  LoomScaleoutCapture *capture;
  LoomScaleoutController *ctl;
  LoomScaleoutNet *net;
  gint64 begin;
  gint64 engine_a_id = -1;
  guint frames = 0;
  double seconds;

  if (!loom_scaleout_require_netns ())
    return;

  begin = g_get_monotonic_time ();
  net = loom_scaleout_net_new (2, &error);
  g_assert_no_error (error);
  g_test_message ("namespaces %s (%s) and %s (%s) on bridge %s in %.2f s", net->netns[0], net->address[0],
                  net->netns[1], net->address[1], net->bridge, loom_scaleout_seconds_since (begin));

  /* B's end of its veth pair, in the root namespace: all of B's traffic. */
  veth_b = g_strdup_printf ("lt%db", (int) getpid ());
  capture = loom_scaleout_capture_start (veth_b, &error);
  g_assert_no_error (error);

  /* The controller on A's address; what it advertises is that address. */
  ctl = loom_scaleout_controller_start ("hosts", net->address[0], net->address[0], net->netns[0]);
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

  /* 4 engines on B */
  begin = g_get_monotonic_time ();
  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (engines_b, spawn_engine (net, 1, ctl));
  seconds = loom_scaleout_wait_engines (ctl, 4, begin, 30);
  g_assert_cmpfloat (seconds, >=, 0);
  g_test_message ("netns (4 engines in B, controller in A, CURVE over the bridge): registered %.3f s after start",
                  seconds);

  /* and one on A */
  engine_a = spawn_engine (net, 0, ctl);
  g_assert_cmpfloat (loom_scaleout_wait_engines (ctl, 5, g_get_monotonic_time (), 30), >=, 0);

  /* The engines report their own host; the controller its own. */
  {
    g_autoptr(JsonNode) status = loom_scaleout_status (ctl);
    JsonObject *root = json_node_get_object (status);
    JsonArray *engines = json_object_get_array_member (root, "engines");
    guint on_a = 0;
    guint on_b = 0;

    for (guint i = 0; i < json_array_get_length (engines); i++)
      {
        const char *host = json_object_get_string_member (json_array_get_object_element (engines, i), "host");

        if (g_str_equal (host, "loom-test-a"))
          engine_a_id = json_object_get_int_member (json_array_get_object_element (engines, i), "id");
        on_a += g_str_equal (host, "loom-test-a");
        on_b += g_str_equal (host, "loom-test-b");
      }
    g_assert_cmpuint (on_a, ==, 1);
    g_assert_cmpuint (on_b, ==, 4);
  }

  /* Each engine tells its clock's offset to the controller's, from its
   * heartbeats (the controller runs under the machine's own host name,
   * the engines under theirs).  It is one clock, so every estimate is
   * within its uncertainty, half the best round trip. */
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
            g_assert_cmpint (uncertainty, >, 0);
            g_assert_cmpint (ABS (offset), <=, uncertainty);
            told++;
          }
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        if (told < 5)
          g_usleep (100 * 1000);
      }
    {
      g_autofree char *out = NULL;

      g_assert_cmpint (loom_scaleout_loomctl (ctl, NULL, &out, NULL, "cluster", "status", NULL), ==, 0);
      g_test_message ("%s", strstr (out, "\nID ") ? strstr (out, "\nID ") + 1 : out);
    }
  }

  /* A client on B: a map whose parameters and results carry the probe. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

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

  /* Kill B's engines mid-job: their tasks run again on A's engine. */
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
    for (guint i = 0; i < engines_b->len; i++)
      stop_engine (g_ptr_array_index (engines_b, i), SIGKILL);
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

  /* Stop: the engines, the controller, then the namespaces, empty. */
  stop_engine (engine_a, SIGTERM);
  loom_scaleout_controller_stop (ctl);
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
