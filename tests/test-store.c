/* test-store.c: the job store on disk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Jobs and their finished tasks written, read back page by page, read
 * back again after the store is closed and opened (a restart), kept once
 * when a result arrives twice, purged; and files that are not a Loom store
 * moved aside, never written over or crashed on.
 */

#define G_LOG_DOMAIN "Loom-Test"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "loom.h"
#include "loom-store-private.h"

static char *
store_path (const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "loom", "test", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return g_build_filename (dir, name, NULL);
}

static void
add_job (LoomStore *store,
         guint64    id,
         guint64    n_tasks,
         gint64     finished)
{
  g_autoptr(GError) error = NULL;
  LoomStoreJob job = {
    .id = id,
    .name = (char *) "echo",
    .mode = (char *) "parallel",
    .spec = (char *) "{\"function\":\"echo\"}",
    .sweep = (char *) "{\"params\":{\"x\":\"range:0:10\"}}",
    .n_tasks = n_tasks,
    .created = 1000 * id,
    .finished = finished,
  };

  g_assert_true (loom_store_add_job (store, &job, &error));
  g_assert_no_error (error);
}

/* Tasks [first, first + n) of @job, each with its index as result. */
static void
add_tasks (LoomStore *store,
           guint64    job,
           guint64    first,
           guint      n,
           guint      expect_added)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree LoomStoreTask *tasks = g_new0 (LoomStoreTask, n);
  guint added = G_MAXUINT;

  for (guint i = 0; i < n; i++)
    {
      char *result = g_strdup_printf ("{\"x\":%" G_GUINT64_FORMAT "}", first + i);

      g_ptr_array_add (texts, result);
      tasks[i] = (LoomStoreTask) {
        .job = job, .index = first + i, .status = LOOM_TASK_DONE, .engine = (first + i) % 2, .attempts = 1,
        .submitted = 1, .dispatched = 2, .started = 3, .completed = 4, .received = 5,
        .result = result, .detail = (first + i) % 7 == 0 ? "{\"stdout\":\"hi\\n\",\"exit_status\":0}" : NULL,
      };
    }
  g_assert_true (loom_store_add_tasks (store, tasks, n, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, expect_added);
}

typedef struct
{
  guint64 next;
  guint   seen;
} Reading;

static gboolean
check_task (const LoomStoreTask *task,
            gpointer             user_data)
{
  Reading *r = user_data;
  g_autofree char *expected = g_strdup_printf ("{\"x\":%" G_GUINT64_FORMAT "}", task->index);

  g_assert_cmpuint (task->index, ==, r->next);
  g_assert_cmpstr (task->result, ==, expected);
  g_assert_cmpint (task->status, ==, LOOM_TASK_DONE);
  g_assert_cmpint (task->engine, ==, (int) (task->index % 2));
  g_assert_cmpint (task->received, ==, 5);
  if (task->index % 7 == 0)
    g_assert_nonnull (strstr (task->detail, "\"stdout\""));
  else
    g_assert_null (task->detail);
  r->next++;
  r->seen++;
  return TRUE;
}

/* Every task of @job, read in pages of @page. */
static guint
read_all (LoomStore *store,
          guint64    job,
          guint64    page)
{
  Reading r = { 0, 0 };

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      guint before = r.seen;

      g_assert_true (loom_store_read_tasks (store, job, r.next, page, check_task, &r, &error));
      g_assert_no_error (error);
      if (r.seen == before)
        break;
      g_assert_cmpuint (r.seen - before, <=, page);
    }
  return r.seen;
}

static void
test_write_read_reopen (void)
{
  g_autofree char *path = store_path ("write-read.db");
  g_autoptr(GError) error = NULL;
  g_autofree char *notice = NULL;
  g_autoptr(LoomStore) store = loom_store_open (path, &notice, &error);
  g_autoptr(GPtrArray) jobs = NULL;
  LoomStoreJob *job;
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_null (notice);
  g_assert_cmpuint (loom_store_get_max_job_id (store), ==, 0);
  /* Results are the user's alone, whatever the umask (022 here). */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  add_job (store, 1, 100000, 0);
  /* In batches, as results arrive. */
  for (guint b = 0; b < 100; b++)
    add_tasks (store, 1, b * 1000, 1000, 1000);
  /* A result that arrives twice (a task run again) is kept once. */
  add_tasks (store, 1, 99980, 20, 0);
  g_assert_true (loom_store_finish_job (store, 1, 5000, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (read_all (store, 1, 4096), ==, 100000);
  g_test_message ("100 000 tasks: %" G_GUINT64_FORMAT " bytes on disk", loom_store_get_size (store));
  g_assert_cmpuint (loom_store_get_size (store), >, 0);

  /* A restart: closed and opened again, it holds the same. */
  g_clear_pointer (&store, loom_store_close);
  store = loom_store_open (path, &notice, &error);
  g_assert_no_error (error);
  g_assert_null (notice);
  g_assert_cmpuint (loom_store_get_max_job_id (store), ==, 1);
  jobs = loom_store_list_jobs (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 1);
  job = g_ptr_array_index (jobs, 0);
  g_assert_cmpuint (job->id, ==, 1);
  g_assert_cmpstr (job->name, ==, "echo");
  g_assert_cmpstr (job->sweep, ==, "{\"params\":{\"x\":\"range:0:10\"}}");
  g_assert_cmpuint (job->n_tasks, ==, 100000);
  g_assert_cmpuint (job->n_stored, ==, 100000);
  g_assert_cmpint (job->finished, ==, 5000);
  g_assert_cmpuint (read_all (store, 1, 100000), ==, 100000);
}

static void
test_purge (void)
{
  g_autofree char *path = store_path ("purge.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomStore) store = loom_store_open (path, NULL, &error);
  g_autoptr(GPtrArray) jobs = NULL;
  guint64 big;

  g_assert_no_error (error);
  /* Jobs 1-5 finished at 100..500, job 6 still running. */
  for (guint64 id = 1; id <= 6; id++)
    {
      add_job (store, id, 10, id <= 5 ? (gint64) id * 100 : 0);
      add_tasks (store, id, 0, 10, 10);
    }

  /* Older than 250, but keep the newest 4 finished: only job 1 goes. */
  g_assert_cmpint (loom_store_purge (store, 250, 4, &error), ==, 1);
  g_assert_no_error (error);
  /* Keep 2: jobs 2 and 3 go; the running job 6 always stays. */
  g_assert_cmpint (loom_store_purge (store, 0, 2, &error), ==, 2);
  jobs = loom_store_list_jobs (store, &error);
  g_assert_cmpuint (jobs->len, ==, 3);
  g_assert_cmpuint (((LoomStoreJob *) g_ptr_array_index (jobs, 0))->id, ==, 4);
  g_assert_cmpuint (((LoomStoreJob *) g_ptr_array_index (jobs, 2))->id, ==, 6);
  g_assert_cmpuint (read_all (store, 2, 100), ==, 0);
  g_assert_cmpuint (read_all (store, 6, 100), ==, 10);
  /* Everything finished. */
  g_assert_cmpint (loom_store_purge (store, 0, 0, &error), ==, 2);
  g_clear_pointer (&jobs, g_ptr_array_unref);
  jobs = loom_store_list_jobs (store, &error);
  g_assert_cmpuint (jobs->len, ==, 1);

  /* The space of a big job that goes is given back to the file system. */
  add_job (store, 7, 50000, 0);
  for (guint b = 0; b < 50; b++)
    add_tasks (store, 7, b * 1000, 1000, 1000);
  g_assert_true (loom_store_finish_job (store, 7, 700, &error));
  g_assert_cmpint (loom_store_purge (store, 0, 1, &error), ==, 0);
  big = loom_store_get_size (store);
  g_assert_cmpint (loom_store_purge (store, 0, 0, &error), ==, 1);
  g_assert_no_error (error);
  g_test_message ("a job of 50 000 tasks purged: %" G_GUINT64_FORMAT " → %" G_GUINT64_FORMAT " bytes",
                  big, loom_store_get_size (store));
  g_assert_cmpuint (loom_store_get_size (store), <, big / 4);
}

/* A file that is not a Loom store: moved aside with a notice, the store
 * begun anew; the file's bytes are kept where the notice says. */
static void
check_moved_aside (const char *path,
                   const char *why,
                   const char *contents,
                   gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *notice = NULL;
  g_autoptr(LoomStore) store = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strdup_printf ("%s.%s-", base, why);
  g_autoptr(GDir) listing = NULL;
  const char *name;
  gboolean found = FALSE;

  store = loom_store_open (path, &notice, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_test_message ("%s", notice);
  g_assert_nonnull (notice);
  g_assert_nonnull (strstr (notice, "was not a Loom job store"));
  g_assert_nonnull (strstr (notice, why));
  add_job (store, 1, 1, 0);

  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)))
    if (g_str_has_prefix (name, prefix))
      {
        g_autofree char *aside = g_build_filename (dir, name, NULL);
        g_autofree char *kept = NULL;
        gsize kept_len = 0;

        g_assert_true (g_file_get_contents (aside, &kept, &kept_len, NULL));
        if (contents != NULL)
          {
            g_assert_cmpuint (kept_len, ==, len);
            g_assert_cmpmem (kept, kept_len, contents, len);
          }
        found = TRUE;
      }
  g_assert_true (found);
}

static void
test_not_a_store (void)
{
  g_autofree char *garbage = store_path ("garbage.db");
  g_autofree char *foreign = store_path ("foreign.db");
  const char junk[] = "this is not a database\n\377\376";
  sqlite3 *db = NULL;

  g_assert_true (g_file_set_contents (garbage, junk, sizeof junk, NULL));
  check_moved_aside (garbage, "corrupt", junk, sizeof junk);

  /* Another program's SQLite database. */
  g_assert_cmpint (sqlite3_open (foreign, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  check_moved_aside (foreign, "foreign", NULL, 0);
}

/* A store of a newer schema is refused and left as it is. */
static void
test_newer (void)
{
  g_autofree char *path = store_path ("newer.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomStore) store = loom_store_open (path, NULL, &error);
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", LOOM_STORE_VERSION + 1);
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  g_clear_pointer (&store, loom_store_close);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = loom_store_open (path, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "newer Loom"));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The usual umask, under which files are readable by all unless the
   * code that creates them says otherwise. */
  umask (022);

  g_test_add_func ("/loom/store/write-read-reopen", test_write_read_reopen);
  g_test_add_func ("/loom/store/purge", test_purge);
  g_test_add_func ("/loom/store/not-a-store", test_not_a_store);
  g_test_add_func ("/loom/store/newer", test_newer);

  return g_test_run ();
}
