/* loom-view.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "loom-async-result.h"
#include "loom-sweep.h"
#include "loom-task-spec.h"

#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_TYPE_VIEW (loom_view_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomView, loom_view, LOOM, VIEW, GObject)

/**
 * LoomJobMode:
 * @LOOM_JOB_PARALLEL: tasks are load-balanced over the engines
 * @LOOM_JOB_SERIAL: tasks run one after another, in order, on one engine
 *
 * How a job's tasks run; the nicks are the modes the wire protocol and
 * the JSON reports name.
 */
typedef enum
{
  LOOM_JOB_PARALLEL,  /*< nick=parallel >*/
  LOOM_JOB_SERIAL,    /*< nick=serial >*/
} LoomJobMode;

/**
 * LOOM_RETRY_FAILED_MAX:
 *
 * The most times loom_view_set_retry_failed() lets a failed task run again.
 */
#define LOOM_RETRY_FAILED_MAX 100

LOOM_AVAILABLE_IN_ALL
void             loom_view_set_targets     (LoomView      *self,
                                            const guint   *targets,
                                            guint          n_targets);
LOOM_AVAILABLE_IN_ALL
void             loom_view_set_mode        (LoomView      *self,
                                            LoomJobMode    mode);
LOOM_AVAILABLE_IN_ALL
LoomJobMode      loom_view_get_mode        (LoomView      *self);
LOOM_AVAILABLE_IN_ALL
void             loom_view_set_scheme      (LoomView      *self,
                                            LoomScheme     scheme);
LOOM_AVAILABLE_IN_ALL
void             loom_view_reset_scheme    (LoomView      *self);
LOOM_AVAILABLE_IN_ALL
void             loom_view_set_retries     (LoomView      *self,
                                            gint           retries);
LOOM_AVAILABLE_IN_ALL
void             loom_view_set_retry_failed (LoomView     *self,
                                             guint         retry_failed);
LOOM_AVAILABLE_IN_ALL
void             loom_view_set_name        (LoomView      *self,
                                            const char    *name);
LOOM_AVAILABLE_IN_ALL
LoomAsyncResult *loom_view_map_async       (LoomView      *self,
                                            const char    *function,
                                            JsonArray     *params,
                                            GError       **error);
LOOM_AVAILABLE_IN_ALL
JsonNode        *loom_view_map_sync        (LoomView      *self,
                                            const char    *function,
                                            JsonArray     *params,
                                            GError       **error);
LOOM_AVAILABLE_IN_ALL
LoomAsyncResult *loom_view_apply_async     (LoomView      *self,
                                            const char    *function,
                                            JsonNode      *params,
                                            GError       **error);
LOOM_AVAILABLE_IN_ALL
JsonNode        *loom_view_apply_sync      (LoomView      *self,
                                            const char    *function,
                                            JsonNode      *params,
                                            GError       **error);
LOOM_AVAILABLE_IN_ALL
LoomAsyncResult *loom_view_map_spec_async  (LoomView      *self,
                                            LoomTaskSpec  *spec,
                                            JsonArray     *params,
                                            GError       **error);
LOOM_AVAILABLE_IN_ALL
LoomAsyncResult *loom_view_map_lines_async (LoomView      *self,
                                            LoomTaskSpec  *spec,
                                            GBytes        *param_lines,
                                            guint          n_tasks,
                                            GError       **error);
LOOM_AVAILABLE_IN_ALL
LoomAsyncResult *loom_view_map_sweep_async (LoomView      *self,
                                            LoomTaskSpec  *spec,
                                            LoomSweep     *sweep,
                                            GError       **error);

G_END_DECLS
