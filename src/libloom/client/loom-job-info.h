/* loom-job-info.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "loom-task-spec.h"
#include "loom-types.h"
#include "loom-view.h"

#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_TYPE_JOB_INFO (loom_job_info_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomJobInfo, loom_job_info, LOOM, JOB_INFO, GObject)

LOOM_AVAILABLE_IN_ALL
guint         loom_job_info_get_id           (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
const char   *loom_job_info_get_name         (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
LoomJobMode   loom_job_info_get_mode         (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
LoomTaskKind  loom_job_info_get_kind         (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
const char   *loom_job_info_get_function     (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
JsonNode     *loom_job_info_get_spec         (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
guint         loom_job_info_get_n_tasks      (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
guint         loom_job_info_get_n_done       (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
guint         loom_job_info_get_n_failed     (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
guint         loom_job_info_get_n_running    (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
guint         loom_job_info_get_n_queued     (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
gboolean      loom_job_info_is_ready         (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
gint64        loom_job_info_get_created      (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
gint64        loom_job_info_get_finished     (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
double        loom_job_info_get_wall_time    (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
gboolean      loom_job_info_has_task_figures (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
guint         loom_job_info_get_n_aborted    (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
guint         loom_job_info_get_n_lost       (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
guint         loom_job_info_get_n_never_ran  (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
guint         loom_job_info_get_n_engines    (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
double        loom_job_info_get_serial_time  (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
double        loom_job_info_get_speedup      (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
double        loom_job_info_get_efficiency   (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
JsonNode     *loom_job_info_to_json          (LoomJobInfo *self);
LOOM_AVAILABLE_IN_ALL
void          loom_job_info_add_task_times   (LoomJobInfo        *self,
                                              const LoomTaskInfo *task);
LOOM_AVAILABLE_IN_ALL
JsonNode     *loom_job_info_to_report_json   (LoomJobInfo *self);

G_END_DECLS
