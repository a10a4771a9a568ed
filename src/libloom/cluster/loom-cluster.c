/* loom-cluster.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A local cluster: an embedded controller on its own thread, engine
 * processes started on this machine, and a client connected to both.  This
 * is the launcher seam: SSH, Slurm and MPI launchers will start engines the
 * same way (a command line given the connection file) somewhere else.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <signal.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "loom-cluster.h"
#include "loom-error.h"
#include "loom-launcher-private.h"
#include "loom-launcher-registry-private.h"
#include "loom-util-private.h"

#define REGISTER_TIMEOUT_USEC (30 * G_USEC_PER_SEC)

/**
 * LoomCluster:
 *
 * A local cluster in one call, like `ipcluster start`: a #LoomController
 * on its own thread in this process, engine processes on this machine and
 * a #LoomClient connected to both (over `inproc://`).
 *
 * The cluster keeps its strength: an engine that dies, or that ends itself
 * to stop a task it cannot interrupt (a timeout, an abort), is replaced at
 * once by the controller (loom_controller_set_replace_engines()).  Engines
 * stopped on purpose are not.
 */
struct _LoomCluster
{
  GObject          parent_instance;

  LoomController  *controller;
  LoomClient      *client;
  LoomLauncher    *launcher;     /* the local one: engines on this machine */
  char            *log_dir;
  guint            engine_grace_ms;
  gboolean         private_cluster;
  guint            n_engines;
  double           start_time;
};

G_DEFINE_FINAL_TYPE (LoomCluster, loom_cluster, G_TYPE_OBJECT)

static void
loom_cluster_dispose (GObject *object)
{
  LoomCluster *self = (LoomCluster *) object;

  loom_cluster_stop (self);

  G_OBJECT_CLASS (loom_cluster_parent_class)->dispose (object);
}

static void
loom_cluster_finalize (GObject *object)
{
  LoomCluster *self = (LoomCluster *) object;

  g_clear_object (&self->controller);
  g_clear_object (&self->launcher);
  g_clear_pointer (&self->log_dir, g_free);

  G_OBJECT_CLASS (loom_cluster_parent_class)->finalize (object);
}

static void
loom_cluster_class_init (LoomClusterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = loom_cluster_dispose;
  object_class->finalize = loom_cluster_finalize;
}

static void
loom_cluster_init (LoomCluster *self)
{
  self->launcher = loom_launcher_new ("local", NULL);
}

/**
 * loom_cluster_new:
 * @profile: (nullable): the profile to publish, or %NULL for a private cluster
 *
 * Returns: (transfer full): a cluster, not started yet; set its
 *   controller's options through loom_cluster_get_controller()
 */
LoomCluster *
loom_cluster_new (const char *profile)
{
  LoomCluster *self = g_object_new (LOOM_TYPE_CLUSTER, NULL);

  self->controller = loom_controller_new (profile);
  self->private_cluster = profile == NULL;
  return self;
}

/**
 * loom_cluster_get_controller:
 * @self: a #LoomCluster
 *
 * Returns: (transfer none): the embedded controller
 */
LoomController *
loom_cluster_get_controller (LoomCluster *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER (self), NULL);
  return self->controller;
}

/**
 * loom_cluster_get_client:
 * @self: a #LoomCluster
 *
 * Returns: (transfer none) (nullable): the client, once started
 */
LoomClient *
loom_cluster_get_client (LoomCluster *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER (self), NULL);
  return self->client;
}

/**
 * loom_cluster_set_log_dir:
 * @self: a #LoomCluster
 * @log_dir: (nullable): where engines write engine-PID.log; %NULL to inherit
 *   this process's stdout and stderr
 */
void
loom_cluster_set_log_dir (LoomCluster *self,
                          const char  *log_dir)
{
  g_return_if_fail (LOOM_IS_CLUSTER (self));
  g_free (self->log_dir);
  self->log_dir = g_strdup (log_dir);
}

/**
 * loom_cluster_set_engine_grace:
 * @self: a #LoomCluster
 * @grace_ms: how long engines outlive a silent controller; 0 for the default
 */
void
loom_cluster_set_engine_grace (LoomCluster *self,
                               guint        grace_ms)
{
  g_return_if_fail (LOOM_IS_CLUSTER (self));
  self->engine_grace_ms = grace_ms;
}

/* Nothing can restart a private controller: its engines need not wait a
 * minute for it. */
static guint
engine_grace_ms (LoomCluster *self)
{
  return self->engine_grace_ms ? self->engine_grace_ms
         : self->private_cluster ? LOOM_PRIVATE_ENGINE_GRACE_MS : 0;
}

static gboolean
spawn_engines (LoomCluster  *self,
               guint         n,
               GError      **error)
{
  g_autofree char *grace = g_strdup_printf ("%u", engine_grace_ms (self));
  const char *args[] = { "--grace-ms", grace, NULL };

  loom_launcher_set_connection_file (self->launcher, loom_controller_get_connection_file (self->controller));
  loom_launcher_set_log_dir (self->launcher, self->log_dir);
  loom_launcher_set_engine_args (self->launcher, engine_grace_ms (self) ? args : NULL);
  return loom_launcher_start (self->launcher, n, error);
}

static gboolean
wait_for_engines (LoomCluster  *self,
                  guint         expected,
                  GError      **error)
{
  return loom_launcher_wait_for_engines (self->launcher, self->client, expected,
                                         REGISTER_TIMEOUT_USEC / (double) G_USEC_PER_SEC, error);
}

/**
 * loom_cluster_start:
 * @self: a #LoomCluster
 * @n_engines: how many local engines to start; 0 for one per CPU
 * @error: return location for a #GError
 *
 * Starts the controller and the engines and returns once every engine has
 * registered.  On failure nothing is left running.
 *
 * Returns: %TRUE if the cluster is up
 */
gboolean
loom_cluster_start (LoomCluster  *self,
                    guint         n_engines,
                    GError      **error)
{
  gint64 begin = g_get_monotonic_time ();

  g_return_val_if_fail (LOOM_IS_CLUSTER (self), FALSE);

  if (!loom_cluster_launch (self, n_engines, error))
    return FALSE;
  if (!wait_for_engines (self, self->n_engines, error))
    {
      loom_cluster_stop (self);
      return FALSE;
    }

  self->start_time = (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
  return TRUE;
}

/**
 * loom_cluster_launch:
 * @self: a #LoomCluster
 * @n_engines: how many local engines to start; 0 for one per CPU
 * @error: return location for a #GError
 *
 * Like loom_cluster_start() but returns as soon as the controller serves
 * and the engine processes are started: a program with a main loop then
 * watches them register in loom_client_get_engines().
 *
 * Returns: %TRUE if the controller serves and the engines were started
 */
gboolean
loom_cluster_launch (LoomCluster  *self,
                     guint         n_engines,
                     GError      **error)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER (self), FALSE);
  g_return_val_if_fail (self->client == NULL, FALSE);

  if (n_engines == 0)
    n_engines = g_get_num_processors ();

  /* The controller replaces engines that die or are ended for a task,
   * launched as spawn_engines() launches them. */
  loom_controller_set_replace_engines (self->controller, TRUE, self->log_dir, engine_grace_ms (self));
  if (!loom_controller_start (self->controller, error))
    return FALSE;

  self->client = loom_client_new_for_file (loom_controller_get_connection_file (self->controller), error);
  if (self->client == NULL || !spawn_engines (self, n_engines, error))
    {
      loom_cluster_stop (self);
      return FALSE;
    }

  self->n_engines = n_engines;
  return TRUE;
}

/**
 * loom_cluster_spawn_engines:
 * @self: a started #LoomCluster
 * @n_engines: how many engines to add
 * @error: return location for a #GError
 *
 * Starts more engine processes without waiting for them to register.
 *
 * Returns: %TRUE if the processes were started
 */
gboolean
loom_cluster_spawn_engines (LoomCluster  *self,
                            guint         n_engines,
                            GError      **error)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER (self), FALSE);
  g_return_val_if_fail (self->client != NULL, FALSE);

  return spawn_engines (self, n_engines, error);
}

/**
 * loom_cluster_add_engines:
 * @self: a started #LoomCluster
 * @n_engines: how many engines to add
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the new engines have registered
 */
gboolean
loom_cluster_add_engines (LoomCluster  *self,
                          guint         n_engines,
                          GError      **error)
{
  guint before;

  g_return_val_if_fail (LOOM_IS_CLUSTER (self), FALSE);
  g_return_val_if_fail (self->client != NULL, FALSE);

  {
    g_autoptr(GArray) ids = loom_client_get_ids (self->client, error);
    if (ids == NULL)
      return FALSE;
    before = ids->len;
  }
  if (!spawn_engines (self, n_engines, error))
    return FALSE;
  return wait_for_engines (self, before + n_engines, error);
}

/**
 * loom_cluster_get_engine_pids:
 * @self: a #LoomCluster
 *
 * Returns: (transfer full) (element-type GPid): the pids of the engine
 *   processes this cluster started and that have not exited
 */
GArray *
loom_cluster_get_engine_pids (LoomCluster *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER (self), NULL);
  return loom_local_launcher_get_pids (LOOM_LOCAL_LAUNCHER (self->launcher));
}

/**
 * loom_cluster_get_start_time:
 * @self: a #LoomCluster
 *
 * Returns: seconds from loom_cluster_start() until every engine registered
 */
double
loom_cluster_get_start_time (LoomCluster *self)
{
  g_return_val_if_fail (LOOM_IS_CLUSTER (self), 0);
  return self->start_time;
}

/**
 * loom_cluster_stop:
 * @self: a #LoomCluster
 *
 * Stops the engines (politely, then with SIGKILL after a grace period),
 * the controller and the client.  Leaves no process behind.
 */
void
loom_cluster_stop (LoomCluster *self)
{
  gint64 deadline;

  g_return_if_fail (LOOM_IS_CLUSTER (self));

  if (self->client != NULL)
    loom_client_close (self->client);
  g_clear_object (&self->client);

  /* The controller tells its engines to stop and waits for them. */
  loom_controller_stop (self->controller);

  /* They end by themselves, told by the controller; what has not after
   * a grace period is stopped (SIGTERM, then SIGKILL). */
  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (loom_launcher_poll (self->launcher, NULL) > 0 && g_get_monotonic_time () < deadline)
    g_usleep (5 * 1000);
  loom_launcher_stop (self->launcher);
}
