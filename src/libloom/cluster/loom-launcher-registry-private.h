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

GArray       *loom_local_launcher_get_pids (LoomLocalLauncher *self);

LoomLauncher *loom_launcher_registry_new  (const char  *name,
                                           GError     **error);
char        **loom_launcher_registry_list (void);

G_END_DECLS
