/* loom-controller-store.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The controller's side of the job store (loom-store.c).  A named profile
 * keeps its jobs in $XDG_STATE_HOME/loom/<profile>/jobs.db:
 *
 *  - The loop thread collects what changed in a wake-up (jobs submitted,
 *    tasks that reached a final state, jobs that finished) into a batch and
 *    hands it to a writer thread, which stores every batch waiting in one
 *    transaction: storing is off the dispatch path.
 *  - Written batches come back; the results of their tasks are then freed
 *    from memory (job queries read them from the store), and a finished
 *    job leaves memory altogether.
 *  - On start, the jobs that had not finished are read back: their stored
 *    tasks stay done, the rest run again.
 *
 * A batch that cannot be written (a full disk) fails the jobs it holds
 * with a clear error; the controller keeps serving, with those results in
 * memory.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "loom-controller-private.h"
#include "loom-error.h"
#include "loom-launcher-private.h"
#include "loom-util-private.h"

#define STORE_FAILED_DETAIL_FMT "{\"error\":{\"type\":\"StoreFailed\",\"message\":%s}}"

typedef struct
{
  guint    job;
  gint64   finished;
} StoreFinish;

struct _CtlStoreBatch
{
  GArray    *tasks;      /* LoomStoreTask, pointing into @keep */
  GPtrArray *keep;       /* GBytes */
  GArray    *refs;       /* TaskRef, one a task */
  GPtrArray *jobs;       /* LoomStoreJob to add */
  GArray    *finished;   /* StoreFinish */
  GError    *error;      /* set by the writer */

  /* A purge, alone in its batch: done by the writer after what came
   * before it, answered (to @reply_routing, when a client asked) once back. */
  gboolean   purge;
  gint64     older_than;
  gint64     keep_jobs;
  gint64     purged;
  GPtrArray *reply_routing;
  char      *reply_id;
};

/* Pushed to the writer to make it stop. */
static CtlStoreBatch stop_marker;

static CtlStoreBatch *
batch_new (void)
{
  CtlStoreBatch *batch = g_new0 (CtlStoreBatch, 1);

  batch->tasks = g_array_new (FALSE, FALSE, sizeof (LoomStoreTask));
  batch->keep = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  batch->refs = g_array_new (FALSE, FALSE, sizeof (TaskRef));
  batch->jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) loom_store_job_free);
  batch->finished = g_array_new (FALSE, FALSE, sizeof (StoreFinish));
  return batch;
}

static void
batch_free (CtlStoreBatch *batch)
{
  g_array_unref (batch->tasks);
  g_ptr_array_unref (batch->keep);
  g_array_unref (batch->refs);
  g_ptr_array_unref (batch->jobs);
  g_array_unref (batch->finished);
  g_clear_error (&batch->error);
  g_clear_pointer (&batch->reply_routing, g_ptr_array_unref);
  g_free (batch->reply_id);
  g_free (batch);
}

static gboolean
batch_is_empty (CtlStoreBatch *batch)
{
  return batch->tasks->len == 0 && batch->jobs->len == 0 && batch->finished->len == 0;
}

/* --- the writer thread ---------------------------------------------------- */

static gboolean
write_batches (LoomStore  *store,
               GPtrArray  *batches,
               GError    **error)
{
  g_autoptr(GArray) tasks = g_array_new (FALSE, FALSE, sizeof (LoomStoreTask));

  for (guint b = 0; b < batches->len; b++)
    {
      CtlStoreBatch *batch = g_ptr_array_index (batches, b);

      for (guint i = 0; i < batch->jobs->len; i++)
        if (!loom_store_add_job (store, g_ptr_array_index (batch->jobs, i), error))
          return FALSE;
      g_array_append_vals (tasks, batch->tasks->data, batch->tasks->len);
    }
  if (tasks->len > 0 &&
      !loom_store_add_tasks (store, (LoomStoreTask *) tasks->data, tasks->len, NULL, error))
    return FALSE;
  for (guint b = 0; b < batches->len; b++)
    {
      CtlStoreBatch *batch = g_ptr_array_index (batches, b);

      for (guint i = 0; i < batch->finished->len; i++)
        {
          StoreFinish *finish = &g_array_index (batch->finished, StoreFinish, i);
          if (!loom_store_finish_job (store, finish->job, finish->finished, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gpointer
store_writer (gpointer data)
{
  LoomController *self = data;
  g_autoptr(LoomStore) store = NULL;
  g_autoptr(GError) open_error = NULL;
  gboolean stopping = FALSE;

  store = loom_store_open (loom_store_get_path (self->store), NULL, &open_error);

  while (!stopping)
    {
      g_autoptr(GPtrArray) batches = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      CtlStoreBatch *batch = g_async_queue_pop (self->store_in);

      /* Everything waiting goes in one transaction. */
      do
        {
          if (batch == &stop_marker)
            stopping = TRUE;
          else
            g_ptr_array_add (batches, batch);
        }
      while ((batch = g_async_queue_try_pop (self->store_in)) != NULL);

      if (batches->len == 0)
        continue;

      if (store == NULL)
        error = g_error_copy (open_error);
      else
        write_batches (store, batches, &error);
      /* Purges after the writes, each on its own: a purge that fails
       * fails nothing else. */
      for (guint b = 0; b < batches->len; b++)
        {
          batch = g_ptr_array_index (batches, b);
          if (!batch->purge)
            continue;
          if (store == NULL)
            batch->error = g_error_copy (open_error);
          else
            batch->purged = loom_store_purge (store, batch->older_than, batch->keep_jobs, &batch->error);
        }

      for (guint b = 0; b < batches->len; b++)
        {
          batch = g_ptr_array_index (batches, b);
          if (error != NULL && !batch->purge)
            batch->error = g_error_copy (error);
          g_async_queue_push (self->store_out, batch);
        }
      loom_eventfd_signal (self->wake_fd);
    }

  return NULL;
}

/* --- the loop thread's side ----------------------------------------------- */

static CtlStoreBatch *
current_batch (LoomController *self)
{
  if (self->store_batch == NULL)
    self->store_batch = batch_new ();
  return self->store_batch;
}

static char *
job_options_json (CtlJob *job)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_string_append_printf (out, "{\"retries\":%u,\"scheme\":\"%s\"", job->retries,
                          loom_scheme_to_string (job->scheme));
  if (job->retry_failed > 0)
    g_string_append_printf (out, ",\"retry_failed\":%u", job->retry_failed);
  if (job->targets != NULL)
    {
      g_string_append (out, ",\"targets\":[");
      for (guint i = 0; i < job->targets->len; i++)
        g_string_append_printf (out, "%s%u", i ? "," : "", g_array_index (job->targets, guint, i));
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, '}');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A new job: stored with what is needed to run it again. */
void
ctl_store_job_added (LoomController *self,
                     CtlJob         *job)
{
  LoomStoreJob *row;

  if (self->store == NULL)
    return;

  row = g_new0 (LoomStoreJob, 1);
  row->id = job->id;
  row->name = g_strdup (job->name);
  row->mode = g_strdup (loom_enum_to_nick (LOOM_TYPE_JOB_MODE, job->mode, "parallel"));
  row->spec = g_strdup (job->spec);
  row->sweep = job->sweep_spec ? g_strdup (job->sweep_spec) : NULL;
  row->params = job->params ? g_bytes_ref (job->params) : NULL;
  row->options = job_options_json (job);
  row->n_tasks = job->n_tasks;
  row->created = job->created;
  g_ptr_array_add (current_batch (self)->jobs, row);
}

void
ctl_store_task_final (LoomController *self,
                      CtlJob         *job,
                      guint           index)
{
  CtlStoreBatch *batch;
  CtlTask *task = ctl_job_task (job, index);
  LoomStoreTask row = { 0 };
  TaskRef ref = { job->id, index };

  if (self->store == NULL || task->stored)
    return;

  batch = current_batch (self);
  row.job = job->id;
  row.index = index;
  row.status = task->status;
  row.engine = task->engine;
  row.attempts = task->attempts;
  row.submitted = task->submitted;
  row.dispatched = task->dispatched;
  row.started = task->started;
  row.completed = task->completed;
  row.received = task->received;
  if (task->result)
    {
      row.result = g_bytes_get_data (task->result, &row.result_len);
      g_ptr_array_add (batch->keep, g_bytes_ref (task->result));
    }
  if (task->detail)
    {
      row.detail = g_bytes_get_data (task->detail, &row.detail_len);
      g_ptr_array_add (batch->keep, g_bytes_ref (task->detail));
    }
  g_array_append_val (batch->tasks, row);
  g_array_append_val (batch->refs, ref);
}

void
ctl_store_job_finished (LoomController *self,
                        CtlJob         *job)
{
  StoreFinish finish = { job->id, job->finished };

  if (self->store == NULL)
    return;
  g_array_append_val (current_batch (self)->finished, finish);
}

/* End of a wake-up: what changed goes to the writer. */
void
ctl_store_flush (LoomController *self)
{
  if (self->store_batch == NULL || batch_is_empty (self->store_batch))
    return;
  g_async_queue_push (self->store_in, g_steal_pointer (&self->store_batch));
  self->store_batches_out++;
}

/* The jobs of a batch that could not be stored fail: their queued tasks
 * never run, and the error says why. */
static void
fail_jobs_of_batch (LoomController *self,
                    CtlStoreBatch  *batch)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GString) message = g_string_new (NULL);

  g_string_printf (message, _("the job store could not be written (%s); the job was stopped, "
                              "its finished results are still in the controller's memory"),
                   batch->error->message);
  g_string_append (detail, "{\"error\":{\"type\":\"StoreFailed\",\"message\":");
  loom_json_append_string (detail, message->str);
  g_string_append (detail, "}}");
  bytes = g_string_free_to_bytes (g_steal_pointer (&detail));

  g_warning ("%s", batch->error->message);

  for (guint i = 0; i < batch->refs->len; i++)
    g_hash_table_add (seen, GUINT_TO_POINTER (g_array_index (batch->refs, TaskRef, i).job));
  for (guint i = 0; i < batch->jobs->len; i++)
    g_hash_table_add (seen, GUINT_TO_POINTER ((guint) ((LoomStoreJob *) g_ptr_array_index (batch->jobs, i))->id));

  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, seen);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        CtlJob *job = g_hash_table_lookup (self->jobs, key);

        if (job == NULL)
          continue;
        job->store_failed = TRUE;
        ctl_job_end_pending (self, job, LOOM_TASK_FAILED, bytes);
      }
  }
}

static void
purge_reply (LoomController *self,
             LoomMessage    *request,
             gint64          purged,
             const GError   *error)
{
  char buf[64];

  if (error != NULL)
    {
      ctl_reply_error (self, self->client_sock, request, "StoreFailed", error->message);
      return;
    }
  g_snprintf (buf, sizeof buf, "{\"purged\":%" G_GINT64_FORMAT "}", purged);
  ctl_reply (self, self->client_sock, request, "purge_reply", buf, -1, NULL, 0);
}

/* A purge the writer is done with: the client that asked learns how many
 * jobs went. */
static void
purge_done (LoomController *self,
            CtlStoreBatch  *batch)
{
  LoomMessage request = { .routing = batch->reply_routing, .msg_id = batch->reply_id };

  ctl_store_forget_params (self);

  if (batch->reply_routing != NULL)
    purge_reply (self, &request, batch->purged, batch->error);
  else
    {
      self->retention_queued = FALSE;
      if (batch->error != NULL)
        g_warning ("Cannot remove old jobs: %s", batch->error->message);
    }
}

/* Start of a wake-up: batches the writer is done with. */
void
ctl_store_collect (LoomController *self)
{
  CtlStoreBatch *batch;
  gboolean any_finished = FALSE;

  if (self->store_out == NULL)
    return;

  while ((batch = g_async_queue_try_pop (self->store_out)) != NULL)
    {
      self->store_batches_out--;
      if (batch->purge)
        {
          purge_done (self, batch);
          batch_free (batch);
          continue;
        }
      if (batch->error != NULL)
        {
          fail_jobs_of_batch (self, batch);
          batch_free (batch);
          continue;
        }

      /* Stored results need not stay in memory. */
      for (guint i = 0; i < batch->refs->len; i++)
        {
          TaskRef *ref = &g_array_index (batch->refs, TaskRef, i);
          CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (ref->job));

          if (job == NULL || job->store_failed)
            continue;
          ctl_job_task_stored (job, ref->index);
        }

      /* Nor do finished jobs: the store answers for them from now on. */
      for (guint i = 0; i < batch->finished->len; i++)
        {
          StoreFinish *finish = &g_array_index (batch->finished, StoreFinish, i);
          CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (finish->job));

          if (job != NULL && !job->store_failed && job->finished != 0 && !job->in_pending &&
              job->n_outstanding == 0 && job->out_meta == NULL)
            g_hash_table_remove (self->jobs, GUINT_TO_POINTER (finish->job));
          any_finished = TRUE;
        }
      batch_free (batch);
    }
  if (any_finished)
    ctl_apply_retention (self);
}

/* --- opening, restoring, closing ------------------------------------------ */

static gboolean
restore_task (const LoomStoreTask *row,
              gpointer             user_data)
{
  CtlJob *job = user_data;
  CtlTask *block;

  if (row->index >= job->n_tasks || loom_task_status_is_final (ctl_job_state (job, row->index)) ||
      !loom_task_status_is_final (row->status))
    return TRUE;
  /* Only the status stays in memory; a block made already learns the
   * task is stored. */
  job->state[row->index] = row->status;
  if ((block = job->blocks[row->index >> CTL_BLOCK_BITS]) != NULL)
    {
      CtlTask *task = &block[row->index & (CTL_BLOCK_SIZE - 1)];

      task->status = row->status;
      task->stored = TRUE;
      task->started_seen = TRUE;
    }
  job->block_stored[row->index >> CTL_BLOCK_BITS]++;
  job->n_final++;
  if (row->status == LOOM_TASK_DONE)
    job->n_done++;
  else
    job->n_failed++;
  return TRUE;
}

/* A job that had not finished when the controller stopped: its stored
 * tasks are kept, every other task is queued again. */
static CtlJob *
restore_job (LoomController  *self,
             LoomStoreJob    *row,
             GError         **error)
{
  g_autoptr(JsonNode) options = NULL;
  g_autoptr(JsonNode) sweep_node = NULL;
  JsonObject *opts = NULL;
  CtlJob *job;
  gint mode = LOOM_JOB_PARALLEL;
  gint scheme = self->scheme;

  if (row->n_tasks == 0 || row->n_tasks > G_MAXINT32 || row->created <= 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED, "job %" G_GUINT64_FORMAT ": bad task count", row->id);
      return NULL;
    }

  job = g_new0 (CtlJob, 1);
  job->id = row->id;
  job->name = g_strdup (row->name);
  loom_enum_from_nick (LOOM_TYPE_JOB_MODE, row->mode, &mode);
  job->mode = mode;
  job->spec = g_strdup (row->spec);
  job->ref = -1;
  job->pinned = -1;
  job->created = row->created;
  job->n_tasks = row->n_tasks;
  job->retry = g_array_new (FALSE, FALSE, sizeof (guint));
  job->retries = self->retries;
  job->scheme = self->scheme;
  job->n_ready = job->n_tasks;
  if (!ctl_job_alloc (job))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED, "job %" G_GUINT64_FORMAT ": no memory", row->id);
      ctl_job_free (job);
      return NULL;
    }

  if (row->options && (options = loom_json_from_data (row->options, -1, NULL)) && JSON_NODE_HOLDS_OBJECT (options))
    {
      JsonArray *targets;

      opts = json_node_get_object (options);
      job->retries = loom_json_int (opts, "retries", self->retries);
      job->retry_failed = CLAMP (loom_json_int (opts, "retry_failed", 0), 0, LOOM_RETRY_FAILED_MAX);
      if (loom_enum_from_nick (LOOM_TYPE_SCHEME, loom_json_string (opts, "scheme", ""), &scheme))
        job->scheme = scheme;
      if ((targets = loom_json_array (opts, "targets")))
        {
          job->targets = g_array_new (FALSE, FALSE, sizeof (guint));
          for (guint i = 0; i < json_array_get_length (targets); i++)
            {
              guint id = json_array_get_int_element (targets, i);
              g_array_append_val (job->targets, id);
            }
        }
    }

  if (row->sweep != NULL)
    {
      job->sweep = loom_sweep_new ();
      job->sweep_spec = g_strdup (row->sweep);
      if (!(sweep_node = loom_json_from_data (row->sweep, -1, error)) || !JSON_NODE_HOLDS_OBJECT (sweep_node) ||
          !loom_sweep_add_spec_json (job->sweep, json_node_get_object (sweep_node), error) ||
          loom_sweep_get_count (job->sweep) != row->n_tasks)
        {
          if (error && *error == NULL)
            g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED, "job %" G_GUINT64_FORMAT ": bad sweep", row->id);
          ctl_job_free (job);
          return NULL;
        }
    }
  else
    {
      const char *data;
      gsize size;
      guint n_empty;

      job->params = row->params ? g_bytes_ref (row->params) : g_bytes_new (NULL, 0);
      data = g_bytes_get_data (job->params, &size);
      job->params_offsets = g_try_new (guint32, job->n_tasks);
      if (job->params_offsets == NULL || ctl_count_lines (data, size, &n_empty) != row->n_tasks)
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED,
                       "job %" G_GUINT64_FORMAT ": its parameters do not match its task count", row->id);
          ctl_job_free (job);
          return NULL;
        }
      ctl_job_index_lines (job, 0, data, size, 0);
    }

  if (!loom_store_read_tasks (self->store, job->id, 0, job->n_tasks, restore_task, job, error))
    {
      ctl_job_free (job);
      return NULL;
    }
  return job;
}

/* Opens the store of a named profile and reads back the jobs that had not
 * finished.  Called with the profile's lock held, before serving. */
gboolean
ctl_store_open (LoomController  *self,
                GError         **error)
{
  g_autofree char *notice = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  guint restored = 0, requeued = 0;

  if (self->store_path == NULL)
    {
      g_autofree char *dir = NULL;

      if (self->private_profile || self->store_disabled)
        return TRUE;
      dir = loom_state_dir (self->profile);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED, _("Cannot create %s: %s"), dir, g_strerror (errno));
          return FALSE;
        }
      self->store_path = g_build_filename (dir, "jobs.db", NULL);
    }

  if (!(self->store = loom_store_open (self->store_path, &notice, error)))
    return FALSE;
  if (notice != NULL)
    g_message ("%s", notice);

  self->next_job_id = MAX (self->next_job_id, loom_store_get_max_job_id (self->store) + 1);

  if (!(rows = loom_store_list_jobs (self->store, error)))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      LoomStoreJob *summary = g_ptr_array_index (rows, i);
      g_autoptr(LoomStoreJob) row = NULL;
      g_autoptr(GError) local_error = NULL;
      CtlJob *job;

      if (summary->finished != 0)
        continue;
      if (!(row = loom_store_get_job (self->store, summary->id, TRUE, &local_error)) ||
          !(job = restore_job (self, row, &local_error)))
        {
          g_warning ("Cannot run job %" G_GUINT64_FORMAT " of %s again: %s", summary->id, self->store_path,
                     local_error ? local_error->message : "it vanished");
          continue;
        }
      g_hash_table_insert (self->jobs, GUINT_TO_POINTER (job->id), job);
      restored++;
      requeued += job->n_tasks - job->n_final;
      if (job->n_final == job->n_tasks)
        {
          job->finished = g_get_real_time ();
          ctl_store_job_finished (self, job);
        }
      else
        ctl_job_mark_pending (self, job);
    }
  if (restored > 0)
    g_message ("Restored %u unfinished jobs from %s: %u tasks will run (again)", restored, self->store_path,
               requeued);

  self->store_in = g_async_queue_new ();
  self->store_out = g_async_queue_new ();
  self->store_thread = g_thread_new ("loom-store", store_writer, self);
  return TRUE;
}

/* Writes what is left and stops the writer. */
void
ctl_store_close (LoomController *self)
{
  if (self->store_thread == NULL)
    return;
  ctl_store_flush (self);
  g_async_queue_push (self->store_in, &stop_marker);
  g_thread_join (self->store_thread);
  self->store_thread = NULL;
  ctl_store_collect (self);
}

void
ctl_store_free (LoomController *self)
{
  ctl_store_close (self);
  ctl_store_forget_params (self);
  g_clear_pointer (&self->store_batch, batch_free);
  g_clear_pointer (&self->store_in, g_async_queue_unref);
  g_clear_pointer (&self->store_out, g_async_queue_unref);
  g_clear_pointer (&self->store, loom_store_close);
  g_clear_pointer (&self->store_path, g_free);
}

/* --- removing finished jobs ------------------------------------------------ */

static int
compare_finished_newest_first (gconstpointer a,
                               gconstpointer b)
{
  const CtlJob *ja = *(CtlJob * const *) a, *jb = *(CtlJob * const *) b;

  if (ja->finished != jb->finished)
    return ja->finished > jb->finished ? -1 : 1;
  return ja->id > jb->id ? -1 : ja->id < jb->id;
}

/* Hands a purge to the writer, after everything before it: deleting a
 * big job's rows takes seconds, which the loop must not wait for. */
static void
queue_purge (LoomController *self,
             gint64          older_than,
             gint64          keep,
             LoomMessage    *request)
{
  CtlStoreBatch *batch = batch_new ();

  batch->purge = TRUE;
  batch->older_than = older_than;
  batch->keep_jobs = keep;
  if (request != NULL)
    {
      batch->reply_routing = g_ptr_array_ref (request->routing);
      batch->reply_id = g_strdup (request->msg_id);
    }
  ctl_store_flush (self);
  g_async_queue_push (self->store_in, batch);
  self->store_batches_out++;
}

/* Removes finished jobs: with a store, from it (by the writer); without,
 * from memory.  See loom_store_purge() for @older_than and @keep.  With
 * @request, answers it with how many went ("purge_reply") or why none
 * could ("error_reply"). */
void
ctl_purge_jobs (LoomController  *self,
                gint64           older_than,
                gint64           keep,
                LoomMessage     *request)
{
  g_autoptr(GPtrArray) finished = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  gint64 purged = 0;

  if (self->store != NULL)
    {
      queue_purge (self, older_than, keep, request);
      return;
    }

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CtlJob *job = value;
      if (job->finished != 0 && job->out_meta == NULL && !job->in_pending && job->n_outstanding == 0)
        g_ptr_array_add (finished, job);
    }
  /* Newest first: the first @keep stay. */
  g_ptr_array_sort (finished, compare_finished_newest_first);
  for (guint i = MAX (keep, 0); i < finished->len; i++)
    {
      CtlJob *job = g_ptr_array_index (finished, i);
      if (older_than == 0 || job->finished < older_than)
        {
          g_hash_table_remove (self->jobs, GUINT_TO_POINTER (job->id));
          purged++;
        }
    }
  if (request != NULL)
    purge_reply (self, request, purged, NULL);
}

/* The controller's retention: after jobs finish, the store keeps the
 * newest keep_jobs and those younger than keep_for. */
void
ctl_apply_retention (LoomController *self)
{
  gint64 older_than = 0;

  if ((self->keep_jobs < 0 && self->keep_for_usec <= 0) || self->retention_queued)
    return;
  if (self->keep_for_usec > 0)
    older_than = g_get_real_time () - self->keep_for_usec;
  if (self->keep_jobs < 0 && older_than == 0)
    return;
  self->retention_queued = self->store != NULL;
  ctl_purge_jobs (self, self->keep_for_usec > 0 ? older_than : 0,
                  self->keep_jobs < 0 ? G_MAXINT32 : self->keep_jobs, NULL);
}
