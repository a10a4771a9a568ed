/* loom-launcher-registry-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The launchers loom_launcher_new() knows by name, and the subclasses.
 */

#pragma once

#include "loom-launcher.h"

G_BEGIN_DECLS

#define LOOM_TYPE_LOCAL_LAUNCHER (loom_local_launcher_get_type ())
G_DECLARE_FINAL_TYPE (LoomLocalLauncher, loom_local_launcher, LOOM, LOCAL_LAUNCHER, LoomLauncher)

#define LOOM_TYPE_SSH_LAUNCHER (loom_ssh_launcher_get_type ())
G_DECLARE_FINAL_TYPE (LoomSshLauncher, loom_ssh_launcher, LOOM, SSH_LAUNCHER, LoomLauncher)

#define LOOM_TYPE_SLURM_LAUNCHER (loom_slurm_launcher_get_type ())
G_DECLARE_FINAL_TYPE (LoomSlurmLauncher, loom_slurm_launcher, LOOM, SLURM_LAUNCHER, LoomLauncher)

#define LOOM_TYPE_MPI_LAUNCHER (loom_mpi_launcher_get_type ())
G_DECLARE_FINAL_TYPE (LoomMpiLauncher, loom_mpi_launcher, LOOM, MPI_LAUNCHER, LoomLauncher)

/* Batch systems as data: see loom-template-launcher.c. */
#define LOOM_TYPE_TEMPLATE_LAUNCHER (loom_template_launcher_get_type ())
G_DECLARE_FINAL_TYPE (LoomTemplateLauncher, loom_template_launcher, LOOM, TEMPLATE_LAUNCHER, LoomLauncher)

char         *loom_template_launcher_find (const char  *name);
char        **loom_template_launcher_list (void);
/* NULL without @error set when there is no template of that name. */
LoomLauncher *loom_template_launcher_new  (const char  *name,
                                           GError     **error);

GArray       *loom_local_launcher_get_pids (LoomLocalLauncher *self);

LoomLauncher *loom_launcher_registry_new  (const char  *name,
                                           GError     **error);
char        **loom_launcher_registry_list (void);

G_END_DECLS
