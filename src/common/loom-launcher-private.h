/* loom-launcher-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Starting Loom processes on this machine.  The seam for other launchers
 * (SSH, Slurm, MPI): each only needs to run `loom-engine --connection FILE`
 * somewhere that can reach the controller.
 */

#pragma once

#include <gio/gio.h>

typedef struct _LoomClient LoomClient;

G_BEGIN_DECLS

/* How long engines of a private cluster outlive its controller. */
#define LOOM_PRIVATE_ENGINE_GRACE_MS 5000

typedef struct
{
  const char *connection_file;
  const char *log_dir;      /* nullable: engines inherit stdout and stderr */
  guint       grace_ms;     /* 0: the engine's default (its --reconnect-timeout) */
  gboolean    detached;     /* own session: outlives the launching program */
  const char * const *plugin_dirs;  /* nullable: --plugin-dir each; none: --allow-own-plugins */
  gboolean    no_commands;  /* --no-commands */
  const char * const *extra_args;   /* nullable: more arguments */
  const char * const *environ;      /* nullable: NAME=VALUE to add */
} LoomEngineLaunch;

char        *loom_state_dir          (const char              *profile);
gboolean     loom_launch_engines     (const LoomEngineLaunch  *launch,
                                      guint                    n,
                                      GPtrArray               *procs,
                                      GError                 **error);
gboolean     loom_wait_for_engines   (LoomClient              *client,
                                      guint                    expected,
                                      GPtrArray               *procs,
                                      double                   timeout,
                                      const char              *log_dir,
                                      GError                 **error);
GSubprocess *loom_launch_controller  (const char * const      *args,
                                      const char              *log_path,
                                      GError                 **error);

G_END_DECLS
