/* loom-sweep.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_TYPE_SWEEP (loom_sweep_get_type ())

/**
 * LoomSweep:
 *
 * A parameter sweep: named parameters (list, range, lin, log, random or the
 * columns of a CSV file) combined as a Cartesian product, with zipped groups
 * and constant arguments, optionally shuffled.  The tasks are computed from
 * their index when asked for, so a sweep of any size costs nothing up front.
 *
 * A #LoomSweep is valid after every successful call: each function that
 * changes it checks the change and refuses it, leaving the sweep as it was,
 * with a %LOOM_ERROR_INVALID_ARGUMENT error that names the parameter.
 */
LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomSweep, loom_sweep, LOOM, SWEEP, GObject)

LOOM_AVAILABLE_IN_ALL
LoomSweep  *loom_sweep_new               (void);
LOOM_AVAILABLE_IN_ALL
gboolean    loom_sweep_add_spec          (LoomSweep    *self,
                                          const char   *spec,
                                          GError      **error);
LOOM_AVAILABLE_IN_ALL
gboolean    loom_sweep_add_spec_json     (LoomSweep    *self,
                                          JsonObject   *spec,
                                          GError      **error);
LOOM_AVAILABLE_IN_ALL
gboolean    loom_sweep_add_constant      (LoomSweep    *self,
                                          const char   *assignment,
                                          GError      **error);
LOOM_AVAILABLE_IN_ALL
gboolean    loom_sweep_add_csv           (LoomSweep    *self,
                                          const char   *path,
                                          GError      **error);
LOOM_AVAILABLE_IN_ALL
gboolean    loom_sweep_add_csv_data      (LoomSweep    *self,
                                          const char   *text,
                                          gssize        len,
                                          GError      **error);
LOOM_AVAILABLE_IN_ALL
gboolean    loom_sweep_set_zip           (LoomSweep    *self,
                                          const char   *names,
                                          GError      **error);
LOOM_AVAILABLE_IN_ALL
void        loom_sweep_set_shuffle       (LoomSweep    *self,
                                          guint64       seed);
LOOM_AVAILABLE_IN_ALL
guint64     loom_sweep_get_count         (LoomSweep    *self);
LOOM_AVAILABLE_IN_ALL
guint       loom_sweep_get_n_parameters  (LoomSweep    *self);
LOOM_AVAILABLE_IN_ALL
JsonNode   *loom_sweep_get_params        (LoomSweep    *self,
                                          guint64       index);
LOOM_AVAILABLE_IN_ALL
GBytes     *loom_sweep_to_lines          (LoomSweep    *self);
LOOM_AVAILABLE_IN_ALL
JsonNode   *loom_sweep_to_json           (LoomSweep    *self);
LOOM_AVAILABLE_IN_ALL
char       *loom_sweep_describe_preview  (LoomSweep    *self,
                                          guint         n_head,
                                          guint         n_tail);
LOOM_AVAILABLE_IN_ALL
JsonNode   *loom_value_from_text         (const char   *text);
LOOM_AVAILABLE_IN_ALL
char       *loom_value_to_json           (JsonNode     *value);

G_END_DECLS
