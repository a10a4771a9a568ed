/* loom-sweep.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LOOM_TYPE_SWEEP (loom_sweep_get_type ())

G_DECLARE_FINAL_TYPE (LoomSweep, loom_sweep, LOOM, SWEEP, GObject)

LoomSweep  *loom_sweep_new               (void);
gboolean    loom_sweep_add_spec          (LoomSweep    *self,
                                          const char   *spec,
                                          GError      **error);
gboolean    loom_sweep_add_constant      (LoomSweep    *self,
                                          const char   *assignment,
                                          GError      **error);
guint64     loom_sweep_get_count         (LoomSweep    *self);
guint       loom_sweep_get_n_parameters  (LoomSweep    *self);
JsonNode   *loom_sweep_get_params        (LoomSweep    *self,
                                          guint64       index);
GBytes     *loom_sweep_to_lines          (LoomSweep    *self);
JsonNode   *loom_value_from_text         (const char   *text);

G_END_DECLS
