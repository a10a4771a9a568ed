/* loom-job-row.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "loom-job.h"

G_BEGIN_DECLS

#define LOOM_TYPE_JOB_ROW (loom_job_row_get_type ())

G_DECLARE_FINAL_TYPE (LoomJobRow, loom_job_row, LOOM, JOB_ROW, GtkListBoxRow)

GtkWidget *loom_job_row_new     (LoomJob    *job);
LoomJob   *loom_job_row_get_job (LoomJobRow *self);

G_END_DECLS
