/* loom-test-util.c: helpers shared by the lib tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "loom-test-util.h"

LoomCluster *
test_cluster_start (const ClusterOptions *opts)
{
  g_autoptr(GError) error = NULL;
  LoomCluster *cluster = loom_cluster_new (NULL);
  LoomController *ctl = loom_cluster_get_controller (cluster);

  if (opts->hwm)
    loom_controller_set_hwm (ctl, opts->hwm);
  if (opts->heartbeat_ms)
    loom_controller_set_heartbeat_timeout (ctl, opts->heartbeat_ms);
  if (opts->retries >= 0)
    loom_controller_set_retries (ctl, opts->retries);
  loom_controller_set_scheme (ctl, opts->scheme);

  loom_cluster_start (cluster, opts->n_engines, &error);
  g_assert_no_error (error);
  return cluster;
}

JsonArray *
test_params_range (const char *name,
                   guint       n,
                   const char *extra_name,
                   double      extra_value)
{
  JsonArray *params = json_array_new ();

  for (guint i = 0; i < n; i++)
    {
      JsonObject *p = json_object_new ();
      json_object_set_int_member (p, name, i);
      if (extra_name)
        json_object_set_double_member (p, extra_name, extra_value);
      json_array_add_object_element (params, p);
    }
  return params;
}

JsonArray *
test_params_repeat (guint       n,
                    const char *name,
                    double      value)
{
  JsonArray *params = json_array_new ();

  for (guint i = 0; i < n; i++)
    {
      JsonObject *p = json_object_new ();
      if (name)
        json_object_set_double_member (p, name, value);
      json_array_add_object_element (params, p);
    }
  return params;
}

gboolean
test_pid_gone (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d", (int) pid);
  return !g_file_test (path, G_FILE_TEST_EXISTS);
}

/* Waits until @func returns TRUE, iterating the default main context, for
 * at most @seconds. */
gboolean
test_wait_until (gboolean (*func) (gpointer),
                 gpointer  data,
                 double    seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!func (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5 * 1000);
    }
  return TRUE;
}

void
test_skip_all (const char *reason)
{
  g_printerr ("skipping: %s\n", reason);
  printf ("1..0 # SKIP %s\n", reason);
  fflush (stdout);
  exit (0);
}
