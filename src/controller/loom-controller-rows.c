/* loom-controller-rows.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reading a job's tasks back, a page at a time, for job queries (show,
 * export) and attach: an in-memory job's rows from memory (its stored
 * tasks from the store), a finished job's from the store, with each
 * task's parameters.  The parameters of the stored job last read are kept
 * for its next page.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include "loom-controller-private.h"

#define STORE_CHUNK 512

/* The parameters of the stored job last read page by page (a finished
 * job's show or export): read and made ready once, not for every page. */
struct _CtlParamsCache
{
  guint64    job;
  LoomSweep *sweep;      /* nullable: a sweep job's */
  GBytes    *params;     /* nullable: or a list's lines */
  guint32   *offsets;    /* where each line starts */
  guint      n_lines;
};

static void
params_cache_free (CtlParamsCache *cache)
{
  g_clear_object (&cache->sweep);
  g_clear_pointer (&cache->params, g_bytes_unref);
  g_free (cache->offsets);
  g_free (cache);
}

void
ctl_store_forget_params (LoomController *self)
{
  g_clear_pointer (&self->params_cache, params_cache_free);
}

static CtlParamsCache *
params_cache_get (LoomController *self,
                  LoomStoreJob   *stored)
{
  CtlParamsCache *cache = self->params_cache;

  if (cache != NULL && cache->job == stored->id)
    return cache;

  ctl_store_forget_params (self);
  cache = self->params_cache = g_new0 (CtlParamsCache, 1);
  cache->job = stored->id;
  if (stored->sweep != NULL)
    {
      g_autoptr(JsonNode) node = loom_json_from_data (stored->sweep, -1, NULL);

      cache->sweep = loom_sweep_new ();
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
          !loom_sweep_add_spec_json (cache->sweep, json_node_get_object (node), NULL))
        g_clear_object (&cache->sweep);
    }
  else if (self->store != NULL)
    {
      g_autoptr(LoomStoreJob) row = loom_store_get_job (self->store, stored->id, TRUE, NULL);
      const char *data;
      gsize size;
      guint n_empty;

      if (row == NULL || row->params == NULL)
        return cache;
      cache->params = g_bytes_ref (row->params);
      data = g_bytes_get_data (cache->params, &size);
      cache->n_lines = ctl_count_lines (data, size, &n_empty);
      cache->offsets = g_try_new (guint32, MAX (cache->n_lines, 1));
      if (cache->offsets == NULL)
        cache->n_lines = 0;
      else
        ctl_index_lines (cache->offsets, 0, cache->n_lines, data, size, 0);
    }
  return cache;
}

typedef struct
{
  LoomController *self;
  CtlRows        *rows;
  guint64         job;
  /* The stored tasks of a chunk of an in-memory job. */
  guint64         cache_first;
  GPtrArray      *cache;         /* LoomStoreTask copies, NULL where not stored */
  /* A job that is only in the store: its parameters. */
  CtlParamsCache *params;
  guint64         next;
  gboolean        full;
} RowReader;

static void
stored_task_free (gpointer data)
{
  LoomStoreTask *task = data;

  if (task == NULL)
    return;
  g_free ((char *) task->result);
  g_free ((char *) task->detail);
  g_free (task);
}

static gboolean
cache_task (const LoomStoreTask *row,
            gpointer             user_data)
{
  RowReader *reader = user_data;
  LoomStoreTask *copy = g_memdup2 (row, sizeof *row);

  copy->result = row->result ? g_strndup (row->result, row->result_len) : NULL;
  copy->detail = row->detail ? g_strndup (row->detail, row->detail_len) : NULL;
  copy->result_len = copy->detail_len = 0;
  if (row->index - reader->cache_first < reader->cache->len)
    {
      stored_task_free (g_ptr_array_index (reader->cache, row->index - reader->cache_first));
      g_ptr_array_index (reader->cache, row->index - reader->cache_first) = copy;
    }
  else
    stored_task_free (copy);
  return TRUE;
}

/* The stored copy of task @index of an in-memory job. */
static const LoomStoreTask *
cached_task (RowReader *reader,
             guint      index)
{
  if (reader->cache == NULL || index < reader->cache_first || index - reader->cache_first >= reader->cache->len)
    {
      g_clear_pointer (&reader->cache, g_ptr_array_unref);
      reader->cache = g_ptr_array_new_full (STORE_CHUNK, stored_task_free);
      g_ptr_array_set_size (reader->cache, STORE_CHUNK);
      reader->cache_first = index;
      if (reader->self->store != NULL)
        loom_store_read_tasks (reader->self->store, reader->job, index, STORE_CHUNK, cache_task, reader, NULL);
    }
  return g_ptr_array_index (reader->cache, index - reader->cache_first);
}

static gboolean
rows_full (CtlRows *rows)
{
  return (rows->max_rows > 0 && rows->n_rows >= rows->max_rows) ||
         rows->meta->len >= rows->budget || rows->results->len >= rows->budget ||
         rows->details->len >= rows->budget || (rows->params && rows->params->len >= rows->budget);
}

static void
append_params_line (RowReader *reader,
                    guint64    index)
{
  CtlRows *rows = reader->rows;

  if (rows->params == NULL)
    return;
  if (rows->params->len > 0 || rows->n_rows > 1)
    g_string_append_c (rows->params, '\n');
  if (reader->params->sweep != NULL)
    {
      g_autoptr(JsonNode) params = loom_sweep_get_params (reader->params->sweep, index);
      loom_json_append_node (rows->params, params);
    }
  else if (reader->params->params != NULL && index < reader->params->n_lines)
    {
      gsize size;
      const char *data = g_bytes_get_data (reader->params->params, &size);
      gsize start = reader->params->offsets[index];
      gsize end = index + 1 < reader->params->n_lines ? reader->params->offsets[index + 1] - 1 : size;

      if (end > start)
        g_string_append_len (rows->params, data + start, end - start);
      else
        g_string_append (rows->params, "{}");
    }
  else
    g_string_append (rows->params, "{}");
}

static gboolean
append_stored_row (const LoomStoreTask *row,
                   gpointer             user_data)
{
  RowReader *reader = user_data;
  CtlRows *rows = reader->rows;

  if (rows->n_rows > 0 && rows_full (rows))
    {
      reader->full = TRUE;
      return FALSE;
    }
  ctl_append_row (rows->meta, rows->results, rows->details, row);
  rows->n_rows++;
  append_params_line (reader, row->index);
  reader->next = row->index + 1;
  return TRUE;
}

/* Appends rows of a job to @rows, from task @first on, until a buffer
 * passes @rows->budget (after one row at least): from memory for an
 * in-memory @job (its stored tasks from the store), from the store for a
 * @stored one.  With @rows->final_only, tasks not yet final are left out.
 * Returns the index after the last task looked at: the job's task count
 * when every task was. */
guint64
ctl_append_job_rows (LoomController *self,
                     CtlJob         *job,
                     LoomStoreJob   *stored,
                     guint64         first,
                     CtlRows        *rows)
{
  RowReader reader = { .self = self, .rows = rows };
  guint64 i;

  if (job != NULL)
    {
      reader.job = job->id;
      for (i = first; i < job->n_tasks; i++)
        {
          CtlTask *block = job->blocks[i >> CTL_BLOCK_BITS];
          CtlTask *task = block ? &block[i & (CTL_BLOCK_SIZE - 1)] : NULL;
          LoomTaskStatus status = ctl_job_state (job, i);

          if (rows->final_only && !loom_task_status_is_final (status))
            continue;
          if (rows->n_rows > 0 && rows_full (rows))
            break;
          /* A task without a record is stored (its block was freed), or
           * never touched: queued. */
          if (task == NULL && !loom_task_status_is_final (status))
            task = ctl_job_task (job, i);
          if (task == NULL || (task->stored && task->result == NULL))
            {
              const LoomStoreTask *copy = cached_task (&reader, i);
              LoomStoreTask row;

              if (copy != NULL)
                row = *copy;
              else
                row = (LoomStoreTask) { .engine = task ? task->engine : -1, .status = status };
              row.index = i;
              ctl_append_row (rows->meta, rows->results, rows->details, &row);
            }
          else
            ctl_append_task_row (rows->meta, rows->results, rows->details, i, task);
          rows->n_rows++;
          if (rows->params != NULL)
            {
              if (rows->params->len > 0 || rows->n_rows > 1)
                g_string_append_c (rows->params, '\n');
              ctl_job_append_params (job, i, rows->params);
            }
        }
      g_clear_pointer (&reader.cache, g_ptr_array_unref);
      return i;
    }

  g_return_val_if_fail (stored != NULL, first);

  reader.job = stored->id;
  reader.next = first;
  if (rows->params != NULL)
    reader.params = params_cache_get (self, stored);

  while (!reader.full)
    {
      guint before = rows->n_rows;
      gboolean read = self->store != NULL &&
                      loom_store_read_tasks (self->store, stored->id, reader.next, STORE_CHUNK,
                                             append_stored_row, &reader, NULL);

      /* A page that is full stops the reading: more may be stored. */
      if (reader.full)
        break;
      if (!read || rows->n_rows == before)
        {
          /* Nothing more is stored. */
          reader.next = stored->n_tasks;
          break;
        }
    }
  return reader.next;
}

/* A stored job's summary, as ctl_append_job_summary() writes one. */
void
ctl_append_stored_job_summary (GString      *out,
                               LoomStoreJob *job)
{
  g_string_append_printf (out, "{\"id\":%" G_GUINT64_FORMAT ",\"name\":", job->id);
  loom_json_append_string (out, job->name ? job->name : "");
  g_string_append (out, ",\"mode\":");
  loom_json_append_string (out, job->mode ? job->mode : "parallel");
  g_string_append_printf (out, ",\"tasks\":%" G_GUINT64_FORMAT ",\"done\":%" G_GUINT64_FORMAT
                          ",\"failed\":%" G_GUINT64_FORMAT ",\"outstanding\":0"
                          ",\"created\":%" G_GINT64_FORMAT ",\"finished\":%" G_GINT64_FORMAT ",\"spec\":%s}",
                          job->n_tasks, job->n_stored - MIN (job->n_failed, job->n_stored), job->n_failed,
                          job->created, job->finished, job->spec ? job->spec : "{}");
}
