/* loom-test-util.h: helpers shared by the lib tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A small static library (tests/meson.build), not code copied into every
 * test.
 */

#pragma once

#include "loom.h"

G_BEGIN_DECLS

typedef struct
{
  guint      n_engines;
  guint      hwm;
  guint      heartbeat_ms;
  gint       retries;
  LoomScheme scheme;
} ClusterOptions;

LoomCluster * test_cluster_start (const ClusterOptions *opts);
LoomCluster *test_cluster_start  (const ClusterOptions  *opts);
JsonArray   *test_params_range   (const char            *name,
                                  guint                  n,
                                  const char            *extra_name,
                                  double                 extra_value);
JsonArray   *test_params_repeat  (guint                  n,
                                  const char            *name,
                                  double                 value);
gboolean     test_pid_gone       (GPid                   pid);
/* Waits until @func returns TRUE, iterating the default main context, for
 * at most @seconds. */
gboolean     test_wait_until     (gboolean             (*func) (gpointer),
                                  gpointer               data,
                                  double                 seconds);

/* For a suite that cannot run here: a TAP plan that says so, and exit 0
 * (under meson's TAP protocol exit 77 counts as an error, not a skip). */
G_NORETURN void test_skip_all (const char *reason);

G_END_DECLS
