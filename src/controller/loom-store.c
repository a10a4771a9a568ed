/* loom-store.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The job store, in SQLite with a write-ahead log: a table of jobs and a
 * table of finished tasks keyed by (job, index), so a result that arrives
 * twice (a task run again after a restart) is kept once.  Tasks are added
 * in batches, one transaction each.  A file that is not a Loom store (not
 * SQLite, another program's database, damaged) is moved aside, never
 * written over; one of a newer schema is left alone and refused.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "loom-error.h"
#include "loom-store-private.h"

/* PRAGMA application_id: "LOOM" */
#define LOOM_STORE_APPLICATION_ID 0x4C4F4F4D

struct _LoomStore
{
  sqlite3      *db;
  char         *path;
  sqlite3_stmt *add_task;
};

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS jobs ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  mode TEXT NOT NULL,"
  "  spec TEXT NOT NULL,"
  "  sweep TEXT,"
  "  params BLOB,"
  "  options TEXT,"
  "  n_tasks INTEGER NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  finished INTEGER NOT NULL DEFAULT 0,"
  "  n_done INTEGER NOT NULL DEFAULT 0,"
  "  n_failed INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE IF NOT EXISTS tasks ("
  "  job INTEGER NOT NULL,"
  "  idx INTEGER NOT NULL,"
  "  status INTEGER NOT NULL,"
  "  engine INTEGER NOT NULL,"
  "  attempts INTEGER NOT NULL,"
  "  submitted INTEGER NOT NULL,"
  "  dispatched INTEGER NOT NULL,"
  "  started INTEGER NOT NULL,"
  "  completed INTEGER NOT NULL,"
  "  received INTEGER NOT NULL,"
  "  result TEXT,"
  "  detail TEXT,"
  "  PRIMARY KEY (job, idx)) WITHOUT ROWID;";

static void
set_db_error (GError     **error,
              sqlite3     *db,
              const char  *path,
              const char  *what)
{
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED, _("The job store %s: %s: %s"),
               path, what, db ? sqlite3_errmsg (db) : "out of memory");
}

static gboolean
exec (LoomStore   *self,
      const char  *sql,
      GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      set_db_error (error, self->db, self->path, sql);
      return FALSE;
    }
  return TRUE;
}

/* One integer from a PRAGMA or a query; -1 if it cannot be read. */
static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Moves @path (and its -wal and -shm files) aside as @path.@why-<time>,
 * so nothing of it is lost.  Returns the new name. */
static char *
move_aside (const char  *path,
            const char  *why,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");
  g_autofree char *aside = g_strdup_printf ("%s.%s-%s", path, why, stamp);
  const char *suffixes[] = { "-wal", "-shm" };

  if (g_rename (path, aside) != 0)
    {
      int saved = errno;
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED, _("The job store %s cannot be moved aside: %s"),
                   path, g_strerror (saved));
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (aside, suffixes[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS))
        g_rename (from, to);
    }
  return g_steal_pointer (&aside);
}

typedef enum {
  STORE_OK,
  STORE_NOT_OURS,     /* not SQLite, damaged, or another program's */
  STORE_NEWER,
  STORE_FAILED,
} StoreCheck;

/* Opens @path and looks at what it is.  Sets up the schema on a new or
 * empty database. */
static StoreCheck
open_and_check (LoomStore  *self,
                char      **why,
                GError    **error)
{
  gint64 app_id, version, n_tables;
  int fd;

  /* Results and captured output are private: a new store (and the WAL
   * and shared-memory files SQLite gives the same mode) is the user's
   * alone, whatever the umask. */
  if ((fd = g_open (self->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0)
    g_close (fd, NULL);

  if (sqlite3_open_v2 (self->path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL)
      != SQLITE_OK)
    {
      set_db_error (error, self->db, self->path, _("cannot open"));
      return STORE_FAILED;
    }
  sqlite3_busy_timeout (self->db, 5000);

  /* A file that is not SQLite fails at its first read. */
  app_id = query_int (self->db, "PRAGMA application_id");
  version = query_int (self->db, "PRAGMA user_version");
  n_tables = query_int (self->db, "SELECT count(*) FROM sqlite_master");
  if (app_id < 0 || version < 0 || n_tables < 0)
    {
      *why = g_strdup ("corrupt");
      return STORE_NOT_OURS;
    }

  if (n_tables > 0 && app_id != LOOM_STORE_APPLICATION_ID)
    {
      *why = g_strdup ("foreign");
      return STORE_NOT_OURS;
    }
  if (version > LOOM_STORE_VERSION)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED,
                   _("The job store %s was written by a newer Loom (schema %" PRId64 ", this one knows %d); "
                     "use that Loom, or another profile"), self->path, version, LOOM_STORE_VERSION);
      return STORE_NEWER;
    }

  /* A new store gives the pages of purged jobs back to the file system
   * (it must be said before the first table exists). */
  if (n_tables == 0 && !exec (self, "PRAGMA auto_vacuum = INCREMENTAL", error))
    return STORE_FAILED;
  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !exec (self, schema, error))
    return STORE_FAILED;
  if (n_tables == 0)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %d",
                                              LOOM_STORE_APPLICATION_ID, LOOM_STORE_VERSION);
      if (!exec (self, sql, error))
        return STORE_FAILED;
    }
  return STORE_OK;
}

/**
 * loom_store_open:
 * @path: the database file; made if missing
 * @notice: (out) (optional) (nullable): a message for the log when a file
 *   that was not a Loom store had to be moved aside
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the store
 */
LoomStore *
loom_store_open (const char  *path,
                 char       **notice,
                 GError     **error)
{
  g_autoptr(LoomStore) self = g_new0 (LoomStore, 1);
  g_autofree char *why = NULL;
  StoreCheck check;

  g_return_val_if_fail (path != NULL, NULL);

  if (notice)
    *notice = NULL;
  self->path = g_strdup (path);

  check = open_and_check (self, &why, error);
  if (check == STORE_NOT_OURS)
    {
      g_autofree char *aside = NULL;

      sqlite3_close (self->db);
      self->db = NULL;
      if (!(aside = move_aside (path, why, error)))
        return NULL;
      if (notice)
        *notice = g_strdup_printf (_("%s was not a Loom job store (%s); it was moved to %s and a new store begun"),
                                   path, why, aside);
      check = open_and_check (self, &why, error);
    }
  if (check != STORE_OK)
    return NULL;

  if (sqlite3_prepare_v3 (self->db,
                          "INSERT INTO tasks (job, idx, status, engine, attempts, submitted, dispatched, started,"
                          " completed, received, result, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
                          " ON CONFLICT (job, idx) DO NOTHING",
                          -1, SQLITE_PREPARE_PERSISTENT, &self->add_task, NULL) != SQLITE_OK)
    {
      set_db_error (error, self->db, path, _("cannot prepare"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
loom_store_close (LoomStore *self)
{
  if (self == NULL)
    return;
  sqlite3_finalize (self->add_task);
  sqlite3_close (self->db);
  g_free (self->path);
  g_free (self);
}

const char *
loom_store_get_path (LoomStore *self)
{
  return self->path;
}

/* Bytes on disk: the database and its write-ahead log. */
guint64
loom_store_get_size (LoomStore *self)
{
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);
  GStatBuf st;
  guint64 size = 0;

  if (g_stat (self->path, &st) == 0)
    size += st.st_size;
  if (g_stat (wal, &st) == 0)
    size += st.st_size;
  return size;
}

/* The highest job id stored, 0 with none: a restarted controller numbers
 * on from there. */
guint64
loom_store_get_max_job_id (LoomStore *self)
{
  return MAX (query_int (self->db, "SELECT coalesce(max(id), 0) FROM jobs"), 0);
}

gboolean
loom_store_add_job (LoomStore           *self,
                    const LoomStoreJob  *job,
                    GError             **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT OR REPLACE INTO jobs (id, name, mode, spec, sweep, n_tasks, created, finished,"
                          " params, options) VALUES (?,?,?,?,?,?,?,?,?,?)", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, self->db, self->path, _("cannot add a job"));
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, job->id);
  sqlite3_bind_text (stmt, 2, job->name ? job->name : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, job->mode ? job->mode : "parallel", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, job->spec ? job->spec : "{}", -1, SQLITE_STATIC);
  if (job->sweep)
    sqlite3_bind_text (stmt, 5, job->sweep, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 5);
  sqlite3_bind_int64 (stmt, 6, job->n_tasks);
  sqlite3_bind_int64 (stmt, 7, job->created);
  sqlite3_bind_int64 (stmt, 8, job->finished);
  if (job->params)
    sqlite3_bind_blob64 (stmt, 9, g_bytes_get_data (job->params, NULL), g_bytes_get_size (job->params),
                         SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 9);
  if (job->options)
    sqlite3_bind_text (stmt, 10, job->options, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 10);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, self->path, _("cannot add a job"));
      return FALSE;
    }
  return TRUE;
}

/* Adds @n_tasks finished tasks in one transaction.  A task already stored
 * (the same job and index) is kept as it was: @n_added counts the new
 * ones.  On error nothing of the batch is stored. */
gboolean
loom_store_add_tasks (LoomStore            *self,
                      const LoomStoreTask  *tasks,
                      guint                 n_tasks,
                      guint                *n_added,
                      GError              **error)
{
  guint added = 0;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (guint i = 0; i < n_tasks; i++)
    {
      const LoomStoreTask *t = &tasks[i];
      sqlite3_stmt *stmt = self->add_task;
      int rc;

      sqlite3_bind_int64 (stmt, 1, t->job);
      sqlite3_bind_int64 (stmt, 2, t->index);
      sqlite3_bind_int (stmt, 3, t->status);
      sqlite3_bind_int (stmt, 4, t->engine);
      sqlite3_bind_int (stmt, 5, t->attempts);
      sqlite3_bind_int64 (stmt, 6, t->submitted);
      sqlite3_bind_int64 (stmt, 7, t->dispatched);
      sqlite3_bind_int64 (stmt, 8, t->started);
      sqlite3_bind_int64 (stmt, 9, t->completed);
      sqlite3_bind_int64 (stmt, 10, t->received);
      if (t->result)
        sqlite3_bind_text (stmt, 11, t->result, t->result_len ? (int) t->result_len : -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 11);
      if (t->detail)
        sqlite3_bind_text (stmt, 12, t->detail, t->detail_len ? (int) t->detail_len : -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 12);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      if (rc != SQLITE_DONE)
        {
          set_db_error (error, self->db, self->path, _("cannot store a task"));
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      added += sqlite3_changes (self->db);
    }
  if (!exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  if (n_added)
    *n_added = added;
  return TRUE;
}

gboolean
loom_store_finish_job (LoomStore  *self,
                       guint64     job,
                       gint64      finished,
                       GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "UPDATE jobs SET finished = ?1,"
                          " n_done = (SELECT count(*) FROM tasks WHERE job = ?2 AND status = ?3),"
                          " n_failed = (SELECT count(*) FROM tasks WHERE job = ?2 AND status != ?3)"
                          " WHERE id = ?2", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, self->db, self->path, _("cannot finish a job"));
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, finished);
  sqlite3_bind_int64 (stmt, 2, job);
  sqlite3_bind_int (stmt, 3, LOOM_TASK_DONE);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, self->path, _("cannot finish a job"));
      return FALSE;
    }
  return TRUE;
}

void
loom_store_job_free (LoomStoreJob *job)
{
  if (job == NULL)
    return;
  g_free (job->name);
  g_free (job->mode);
  g_free (job->spec);
  g_free (job->sweep);
  g_free (job->options);
  g_clear_pointer (&job->params, g_bytes_unref);
  g_free (job);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text ? g_strdup ((const char *) text) : NULL;
}

/**
 * loom_store_list_jobs:
 *
 * Returns: (transfer full) (element-type LoomStoreJob): every job, oldest
 *   first, with the number of its tasks stored
 */
/* A job of a row of JOB_COLUMNS. */
#define JOB_COLUMNS \
  "id, name, mode, spec, sweep, n_tasks, created, finished, options," \
  " CASE WHEN finished = 0 THEN (SELECT count(*) FROM tasks WHERE tasks.job = jobs.id)" \
  " ELSE n_done + n_failed END, n_failed"

static LoomStoreJob *
job_from_row (sqlite3_stmt *stmt)
{
  LoomStoreJob *job = g_new0 (LoomStoreJob, 1);

  job->id = sqlite3_column_int64 (stmt, 0);
  job->name = column_text (stmt, 1);
  job->mode = column_text (stmt, 2);
  job->spec = column_text (stmt, 3);
  job->sweep = column_text (stmt, 4);
  job->n_tasks = sqlite3_column_int64 (stmt, 5);
  job->created = sqlite3_column_int64 (stmt, 6);
  job->finished = sqlite3_column_int64 (stmt, 7);
  job->options = column_text (stmt, 8);
  job->n_stored = sqlite3_column_int64 (stmt, 9);
  job->n_failed = sqlite3_column_int64 (stmt, 10);
  return job;
}

/**
 * loom_store_list_jobs:
 *
 * Returns: (transfer full) (element-type LoomStoreJob): every job, oldest
 *   first, with the number of its tasks stored (but not its parameters)
 */
GPtrArray *
loom_store_list_jobs (LoomStore  *self,
                      GError    **error)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) loom_store_job_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "SELECT " JOB_COLUMNS " FROM jobs ORDER BY id", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, self->db, self->path, _("cannot list jobs"));
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (jobs, job_from_row (stmt));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, self->path, _("cannot list jobs"));
      return NULL;
    }
  return g_steal_pointer (&jobs);
}

/**
 * loom_store_get_job:
 *
 * Returns: (transfer full) (nullable): job @id, with its parameters if
 *   @with_params, or %NULL with @error unset if there is no such job
 */
LoomStoreJob *
loom_store_get_job (LoomStore  *self,
                    guint64     id,
                    gboolean    with_params,
                    GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  LoomStoreJob *job = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, with_params ? "SELECT " JOB_COLUMNS ", params FROM jobs WHERE id = ?"
                                                : "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", -1, &stmt, NULL)
      != SQLITE_OK)
    {
      set_db_error (error, self->db, self->path, _("cannot read a job"));
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      job = job_from_row (stmt);
      if (with_params && sqlite3_column_type (stmt, 11) != SQLITE_NULL)
        job->params = g_bytes_new (sqlite3_column_blob (stmt, 11), sqlite3_column_bytes (stmt, 11));
    }
  else if (rc != SQLITE_DONE)
    set_db_error (error, self->db, self->path, _("cannot read a job"));
  sqlite3_finalize (stmt);
  return job;
}

/* How many jobs the store holds. */
guint64
loom_store_count_jobs (LoomStore *self)
{
  return MAX (query_int (self->db, "SELECT count(*) FROM jobs"), 0);
}

/* Calls @func for the stored tasks of @job with index ≥ @first, in index
 * order, at most @n_tasks of them: a page, read without loading the job. */
gboolean
loom_store_read_tasks (LoomStore          *self,
                       guint64             job,
                       guint64             first,
                       guint64             n_tasks,
                       LoomStoreTaskFunc   func,
                       gpointer            user_data,
                       GError            **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT idx, status, engine, attempts, submitted, dispatched, started, completed,"
                          " received, result, detail FROM tasks WHERE job = ? AND idx >= ? ORDER BY idx LIMIT ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, self->db, self->path, _("cannot read tasks"));
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, job);
  sqlite3_bind_int64 (stmt, 2, first);
  sqlite3_bind_int64 (stmt, 3, MIN (n_tasks, (guint64) G_MAXINT64));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LoomStoreTask task = {
        .job = job,
        .index = sqlite3_column_int64 (stmt, 0),
        .status = sqlite3_column_int (stmt, 1),
        .engine = sqlite3_column_int (stmt, 2),
        .attempts = sqlite3_column_int (stmt, 3),
        .submitted = sqlite3_column_int64 (stmt, 4),
        .dispatched = sqlite3_column_int64 (stmt, 5),
        .started = sqlite3_column_int64 (stmt, 6),
        .completed = sqlite3_column_int64 (stmt, 7),
        .received = sqlite3_column_int64 (stmt, 8),
        .result = (const char *) sqlite3_column_text (stmt, 9),
        .detail = (const char *) sqlite3_column_text (stmt, 10),
      };

      task.result_len = sqlite3_column_bytes (stmt, 9);
      task.detail_len = sqlite3_column_bytes (stmt, 10);

      if (!func (&task, user_data))
        {
          rc = SQLITE_DONE;
          break;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, self->db, self->path, _("cannot read tasks"));
      return FALSE;
    }
  return TRUE;
}

/* Removes finished jobs (and their tasks) that finished before
 * @older_than (µs since the epoch; 0: any age), except the newest @keep
 * finished ones (< 0: keep none back).  Jobs still running stay.
 * Returns the number of jobs removed, or -1 with @error. */
gint64
loom_store_purge (LoomStore  *self,
                  gint64      older_than,
                  gint64      keep,
                  GError    **error)
{
  g_autofree char *sql = NULL;
  gint64 removed;

  sql = g_strdup_printf ("CREATE TEMP TABLE IF NOT EXISTS purge_ids (id INTEGER PRIMARY KEY);"
                         "DELETE FROM purge_ids;"
                         "INSERT INTO purge_ids SELECT id FROM jobs WHERE finished > 0"
                         " AND (%" PRId64 " = 0 OR finished < %" PRId64 ")"
                         " AND id NOT IN (SELECT id FROM jobs WHERE finished > 0 ORDER BY finished DESC, id DESC"
                         " LIMIT %" PRId64 ");",
                         older_than, older_than, MAX (keep, 0));
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return -1;
  if (!exec (self, sql, error) ||
      !exec (self, "DELETE FROM tasks WHERE job IN (SELECT id FROM purge_ids)", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return -1;
    }
  removed = query_int (self->db, "SELECT count(*) FROM purge_ids");
  if (!exec (self, "DELETE FROM jobs WHERE id IN (SELECT id FROM purge_ids)", error) ||
      !exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return -1;
    }
  /* Give the space back to the file system: the free pages (stores made
   * before auto_vacuum keep theirs for new jobs), then the WAL. */
  if (removed > 0)
    exec (self, "PRAGMA incremental_vacuum", NULL);
  exec (self, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
  return removed;
}
