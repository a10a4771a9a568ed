/* loom-async-result.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "loom-types.h"

#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_TYPE_ASYNC_RESULT (loom_async_result_get_type ())
#define LOOM_TYPE_TASK_INFO    (loom_task_info_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomAsyncResult, loom_async_result, LOOM, ASYNC_RESULT, GObject)

/**
 * LoomTaskInfo:
 * @index: the task's position in its job
 * @engine_id: the engine that ran it last, or -1
 * @status: where the task is
 * @attempts: how often it was sent to an engine
 * @submitted: when the controller got it (µs since the epoch)
 * @dispatched: when the controller sent it to an engine
 * @started: when the engine started it (engine clock, corrected)
 * @completed: when the engine finished it (engine clock, corrected)
 * @received: when its result reached the controller
 * @result: (nullable): the result
 * @error_type: (nullable): the kind of error, for tasks that failed
 * @error_message: (nullable): what went wrong
 * @stdout_text: (nullable): a command's standard output as far as it was
 *   kept, as valid UTF-8 for display (invalid bytes become U+FFFD)
 * @stderr_text: (nullable): a command's standard error, likewise
 * @exit_status: a command's exit status, or -1
 * @stdout_bytes: (nullable): a command's standard output as far as it was
 *   kept, exactly the bytes it wrote
 * @stderr_bytes: (nullable): a command's standard error, likewise
 * @stdout_truncated: bytes of standard output written past the spec's
 *   output limit (loom_task_spec_set_output_limit(), 1 MiB unless set)
 *   and not kept; 0 when all of it was kept
 * @stderr_truncated: bytes of standard error not kept, likewise
 * @signal: the signal that killed a command, or 0
 *
 * One task's metadata, like ipyparallel's AsyncResult.metadata.
 * Timestamps are 0 until they happen.  The output fields are %NULL (and
 * 0) for tasks that are not commands or have not finished.
 */
typedef struct
{
  guint           index;
  gint            engine_id;
  LoomTaskStatus  status;
  guint           attempts;
  gint64          submitted;
  gint64          dispatched;
  gint64          started;
  gint64          completed;
  gint64          received;
  JsonNode       *result;
  char           *error_type;
  char           *error_message;
  char           *stdout_text;
  char           *stderr_text;
  gint            exit_status;
  GBytes         *stdout_bytes;
  GBytes         *stderr_bytes;
  guint64         stdout_truncated;
  guint64         stderr_truncated;
  gint            signal;
} LoomTaskInfo;

LOOM_AVAILABLE_IN_ALL
GType          loom_task_info_get_type            (void) G_GNUC_CONST;
LOOM_AVAILABLE_IN_ALL
LoomTaskInfo  *loom_task_info_copy                (const LoomTaskInfo   *info);
LOOM_AVAILABLE_IN_ALL
void           loom_task_info_free                (LoomTaskInfo         *info);

LOOM_AVAILABLE_IN_ALL
gint           loom_async_result_get_job_id       (LoomAsyncResult      *self);
LOOM_AVAILABLE_IN_ALL
guint          loom_async_result_get_n_tasks      (LoomAsyncResult      *self);
LOOM_AVAILABLE_IN_ALL
guint          loom_async_result_get_progress     (LoomAsyncResult      *self);
LOOM_AVAILABLE_IN_ALL
guint          loom_async_result_get_n_failed     (LoomAsyncResult      *self);
LOOM_AVAILABLE_IN_ALL
void           loom_async_result_get_task_times   (LoomAsyncResult      *self,
                                                   guint                 index,
                                                   LoomTaskInfo         *info);
LOOM_AVAILABLE_IN_ALL
guint          loom_async_result_get_n_running    (LoomAsyncResult      *self,
                                                   guint                *n_queued);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_async_result_ready            (LoomAsyncResult      *self);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_async_result_successful       (LoomAsyncResult      *self);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_async_result_wait             (LoomAsyncResult      *self,
                                                   double                timeout);
LOOM_AVAILABLE_IN_ALL
JsonNode      *loom_async_result_get              (LoomAsyncResult      *self,
                                                   double                timeout,
                                                   GError              **error);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_async_result_abort            (LoomAsyncResult      *self,
                                                   GError              **error);
LOOM_AVAILABLE_IN_ALL
LoomTaskInfo  *loom_async_result_get_task_info    (LoomAsyncResult      *self,
                                                   guint                 index);
LOOM_AVAILABLE_IN_ALL
void           loom_async_result_set_keep_results (LoomAsyncResult      *self,
                                                   gboolean              keep);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_async_result_get_keep_results (LoomAsyncResult      *self);
LOOM_AVAILABLE_IN_ALL
LoomTaskInfo  *loom_async_result_steal_task       (LoomAsyncResult      *self,
                                                   guint                 index);
LOOM_AVAILABLE_IN_ALL
JsonNode      *loom_async_result_steal_task_json  (LoomAsyncResult      *self,
                                                   guint                 index);
LOOM_AVAILABLE_IN_ALL
double         loom_async_result_get_wall_time    (LoomAsyncResult      *self);
LOOM_AVAILABLE_IN_ALL
double         loom_async_result_get_serial_time  (LoomAsyncResult      *self);
LOOM_AVAILABLE_IN_ALL
void           loom_async_result_wait_async       (LoomAsyncResult      *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_async_result_wait_finish      (LoomAsyncResult      *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomTaskInfo, loom_task_info_free)

G_END_DECLS
