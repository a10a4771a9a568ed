/* loom-application.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "loom.h"

G_BEGIN_DECLS

#define LOOM_TYPE_APPLICATION (loom_application_get_type ())

G_DECLARE_FINAL_TYPE (LoomApplication, loom_application, LOOM, APPLICATION, AdwApplication)

LoomApplication *loom_application_new          (void);
LoomCluster     *loom_application_get_cluster  (LoomApplication  *self);
gboolean         loom_application_ensure_cluster (LoomApplication *self,
                                                  GError         **error);
GSettings       *loom_application_get_settings (LoomApplication  *self);
LoomClient      *loom_application_get_client   (LoomApplication  *self);
char            *loom_application_find_running (LoomApplication  *self);
gboolean         loom_application_attach       (LoomApplication  *self,
                                                const char       *profile,
                                                GError          **error);
gboolean         loom_application_spawn_engines (LoomApplication *self,
                                                 guint            n,
                                                 GError         **error);
gboolean         loom_application_launch_engines (LoomApplication     *self,
                                                  const char          *launcher_name,
                                                  guint                n,
                                                  const char * const  *options,
                                                  GError             **error);
GPtrArray       *loom_application_get_launchers  (LoomApplication     *self);
void             loom_application_stop_own_engines (LoomApplication   *self);

G_END_DECLS
