/* loom-store-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The job store: one SQLite database (WAL) a profile, holding its jobs and
 * every finished task, so that jobs outlive the controller that ran them.
 */

#pragma once

#include <glib.h>

#include "loom-types.h"

G_BEGIN_DECLS

/* The schema this code writes; a store of a newer one is not opened. */
#define LOOM_STORE_VERSION 1

typedef struct _LoomStore LoomStore;

/* A job as stored.  Strings are owned by the store's caller when read
 * (loom_store_job_free()), borrowed when written. */
typedef struct
{
  guint64  id;
  char    *name;
  char    *mode;       /* "parallel" or "serial" */
  char    *spec;       /* the task spec, JSON */
  char    *sweep;      /* the sweep spec, JSON, or NULL for explicit params */
  GBytes  *params;     /* explicit params, a line each; read by loom_store_get_job() only */
  char    *options;    /* JSON: retries, retry_failed, scheme, targets */
  guint64  n_tasks;
  gint64   created;    /* µs since the epoch */
  gint64   finished;   /* 0 while the job runs */
  guint64  n_stored;   /* finished tasks in the store (when read) */
  guint64  n_failed;   /* of which did not succeed, once the job finished */
} LoomStoreJob;

/* A finished task.  Borrowed strings, valid during the call that gives or
 * takes it. */
typedef struct
{
  guint64         job;
  guint64         index;
  LoomTaskStatus  status;
  gint            engine;      /* -1 for none */
  guint           attempts;
  gint64          submitted;
  gint64          dispatched;
  gint64          started;
  gint64          completed;
  gint64          received;
  const char     *result;      /* compact JSON, or NULL */
  const char     *detail;      /* the engine's detail JSON, or NULL */
  gsize           result_len;  /* 0: @result is nul-terminated */
  gsize           detail_len;
} LoomStoreTask;

/* Called for each task read; return FALSE to stop. */
typedef gboolean (*LoomStoreTaskFunc) (const LoomStoreTask *task,
                                       gpointer             user_data);

LoomStore *loom_store_open         (const char           *path,
                                    char                **notice,
                                    GError              **error);
void       loom_store_close        (LoomStore            *self);
const char *loom_store_get_path    (LoomStore            *self);
guint64    loom_store_get_size     (LoomStore            *self);
guint64    loom_store_get_max_job_id (LoomStore          *self);

gboolean   loom_store_add_job      (LoomStore            *self,
                                    const LoomStoreJob   *job,
                                    GError              **error);
gboolean   loom_store_add_tasks    (LoomStore            *self,
                                    const LoomStoreTask  *tasks,
                                    guint                 n_tasks,
                                    guint                *n_added,
                                    GError              **error);
gboolean   loom_store_finish_job   (LoomStore            *self,
                                    guint64               job,
                                    gint64                finished,
                                    GError              **error);
GPtrArray *loom_store_list_jobs    (LoomStore            *self,
                                    GError              **error);
LoomStoreJob *loom_store_get_job   (LoomStore            *self,
                                    guint64               id,
                                    gboolean              with_params,
                                    GError              **error);
guint64    loom_store_count_jobs   (LoomStore            *self);
gboolean   loom_store_read_tasks   (LoomStore            *self,
                                    guint64               job,
                                    guint64               first,
                                    guint64               n_tasks,
                                    LoomStoreTaskFunc     func,
                                    gpointer              user_data,
                                    GError              **error);
gint64     loom_store_purge        (LoomStore            *self,
                                    gint64                older_than,
                                    gint64                keep,
                                    GError              **error);

void       loom_store_job_free     (LoomStoreJob         *job);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomStore, loom_store_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomStoreJob, loom_store_job_free)

G_END_DECLS
