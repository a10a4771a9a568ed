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

G_END_DECLS
