/* loom-sweep.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

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
G_DECLARE_FINAL_TYPE (LoomSweep, loom_sweep, LOOM, SWEEP, GObject)

LoomSweep  *loom_sweep_new               (void);
gboolean    loom_sweep_add_spec          (LoomSweep    *self,
                                          const char   *spec,
                                          GError      **error);
gboolean    loom_sweep_add_spec_json     (LoomSweep    *self,
                                          JsonObject   *spec,
                                          GError      **error);
gboolean    loom_sweep_add_constant      (LoomSweep    *self,
                                          const char   *assignment,
                                          GError      **error);
gboolean    loom_sweep_add_csv           (LoomSweep    *self,
                                          const char   *path,
                                          GError      **error);
gboolean    loom_sweep_add_csv_data      (LoomSweep    *self,
                                          const char   *text,
                                          gssize        len,
                                          GError      **error);
gboolean    loom_sweep_set_zip           (LoomSweep    *self,
                                          const char   *names,
                                          GError      **error);
void        loom_sweep_set_shuffle       (LoomSweep    *self,
                                          guint64       seed);
guint64     loom_sweep_get_count         (LoomSweep    *self);
guint       loom_sweep_get_n_parameters  (LoomSweep    *self);
JsonNode   *loom_sweep_get_params        (LoomSweep    *self,
                                          guint64       index);
GBytes     *loom_sweep_to_lines          (LoomSweep    *self);
JsonNode   *loom_sweep_to_json           (LoomSweep    *self);
char       *loom_sweep_describe_preview  (LoomSweep    *self,
                                          guint         n_head,
                                          guint         n_tail);
JsonNode   *loom_value_from_text         (const char   *text);

G_END_DECLS
