/* loom-job.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "loom.h"

G_BEGIN_DECLS

#define LOOM_TYPE_JOB (loom_job_get_type ())

G_DECLARE_FINAL_TYPE (LoomJob, loom_job, LOOM, JOB, GObject)

LoomJob         *loom_job_submit        (LoomClient    *client,
                                         guint          id,
                                         LoomTaskSpec  *spec,
                                         GBytes        *lines,
                                         guint          count,
                                         LoomJobMode    mode,
                                         gint           retries,
                                         LoomScheme     scheme,
                                         GError       **error);
LoomJob         *loom_job_run_again     (LoomJob       *self,
                                         LoomClient    *client,
                                         guint          id,
                                         GError       **error);
void             loom_job_abort_async   (LoomJob             *self,
                                         LoomClient          *client,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean         loom_job_abort_finish  (LoomJob       *self,
                                         GAsyncResult  *result,
                                         guint         *n_aborted,
                                         guint         *n_killing,
                                         GError       **error);
guint            loom_job_get_id        (LoomJob       *self);
LoomAsyncResult *loom_job_get_result    (LoomJob       *self);
const char      *loom_job_get_name      (LoomJob       *self);
const char      *loom_job_get_title     (LoomJob       *self);
const char      *loom_job_get_summary   (LoomJob       *self);
double           loom_job_get_fraction  (LoomJob       *self);
gboolean         loom_job_get_ready     (LoomJob       *self);
LoomJobMode      loom_job_get_mode      (LoomJob       *self);
gint             loom_job_get_retries   (LoomJob       *self);
double           loom_job_get_elapsed   (LoomJob       *self);
double           loom_job_get_remaining (LoomJob       *self);
GBytes          *loom_job_get_lines     (LoomJob       *self);
gint64           loom_job_get_submitted (LoomJob       *self);
LoomJob         *loom_job_get_partner   (LoomJob       *self);
void             loom_job_set_partner   (LoomJob       *self,
                                         LoomJob       *partner);
LoomJob         *loom_job_new_for_info  (guint          id,
                                         LoomJobInfo   *info);
LoomJobInfo     *loom_job_get_info      (LoomJob       *self);
void             loom_job_set_info      (LoomJob       *self,
                                         LoomJobInfo   *info);
gint             loom_job_get_job_id    (LoomJob       *self);
gboolean         loom_job_is_stale      (LoomJob       *self);
void             loom_job_load_async    (LoomJob             *self,
                                         LoomClient          *client,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean         loom_job_load_finish   (LoomJob       *self,
                                         GAsyncResult  *result,
                                         GError       **error);

G_END_DECLS
