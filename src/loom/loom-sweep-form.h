/* loom-sweep-form.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "loom.h"

G_BEGIN_DECLS

#define LOOM_TYPE_SWEEP_FORM (loom_sweep_form_get_type ())

G_DECLARE_FINAL_TYPE (LoomSweepForm, loom_sweep_form, LOOM, SWEEP_FORM, GtkWidget)

GtkWidget    *loom_sweep_form_new             (void);
gboolean      loom_sweep_form_is_valid        (LoomSweepForm  *self);
guint64       loom_sweep_form_get_count       (LoomSweepForm  *self);
const char   *loom_sweep_form_get_function    (LoomSweepForm  *self);
gboolean      loom_sweep_form_get_also_serial (LoomSweepForm  *self);
LoomSweep    *loom_sweep_form_build_sweep     (LoomSweepForm  *self,
                                               GError        **error);
LoomTaskSpec *loom_sweep_form_build_spec      (LoomSweepForm  *self,
                                               GError        **error);
const char   *loom_sweep_form_get_command     (LoomSweepForm  *self);
const char   *loom_sweep_form_get_cwd         (LoomSweepForm  *self);
void          loom_sweep_form_set_command     (LoomSweepForm  *self,
                                               const char     *command,
                                               const char     *cwd);
void          loom_sweep_form_set_function    (LoomSweepForm  *self,
                                               const char     *function);
char         *loom_sweep_form_get_parameters  (LoomSweepForm  *self);
void          loom_sweep_form_set_parameters  (LoomSweepForm  *self,
                                               const char     *text);
char         *loom_sweep_form_get_constants   (LoomSweepForm  *self);
void          loom_sweep_form_set_constants   (LoomSweepForm  *self,
                                               const char     *text);
gboolean      loom_sweep_form_get_zip         (LoomSweepForm  *self);
void          loom_sweep_form_set_zip         (LoomSweepForm  *self,
                                               gboolean        zip);
guint         loom_sweep_form_get_retries     (LoomSweepForm  *self);
void          loom_sweep_form_set_retries     (LoomSweepForm  *self,
                                               guint           retries);
double        loom_sweep_form_get_timeout     (LoomSweepForm  *self);
void          loom_sweep_form_set_timeout     (LoomSweepForm  *self,
                                               double          seconds);
LoomScheme    loom_sweep_form_get_scheme      (LoomSweepForm  *self);
void          loom_sweep_form_set_scheme      (LoomSweepForm  *self,
                                               LoomScheme      scheme);

G_END_DECLS
