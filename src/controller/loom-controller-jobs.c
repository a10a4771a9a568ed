/* loom-controller-jobs.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The job store: freeing jobs, the rows a job's tasks are reported in (to
 * the submitting client as they finish, and to job queries), counting a
 * task's final state, and sending each dirty job's new results to its
 * client at the end of a wake-up.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include "loom-controller-private.h"

static guint
block_length (CtlJob *job,
              guint   block)
{
  return MIN (CTL_BLOCK_SIZE, job->n_tasks - (block << CTL_BLOCK_BITS));
}

/* Makes the per-task state of a job of @job->n_tasks tasks; FALSE if there
 * is no memory for it. */
gboolean
ctl_job_alloc (CtlJob *job)
{
  guint n_blocks = (job->n_tasks + CTL_BLOCK_SIZE - 1) >> CTL_BLOCK_BITS;

  job->state = g_try_malloc0 (job->n_tasks);
  job->blocks = g_try_new0 (CtlTask *, n_blocks);
  job->block_stored = g_try_new0 (guint16, n_blocks);
  return job->state != NULL && job->blocks != NULL && job->block_stored != NULL;
}

CtlTask *
ctl_job_new_block (CtlJob *job,
                   guint   block)
{
  guint n = block_length (job, block);
  CtlTask *tasks = g_new0 (CtlTask, n);

  for (guint i = 0; i < n; i++)
    {
      guint index = (block << CTL_BLOCK_BITS) + i;

      tasks[i].engine = -1;
      tasks[i].submitted = job->created;
      tasks[i].status = job->state[index];
      /* A block made again after it was freed: its tasks are stored. */
      tasks[i].stored = loom_task_status_is_final (tasks[i].status);
    }
  job->blocks[block] = tasks;
  return tasks;
}

/* Task @index of @job is now in the store: once every task of its block
 * is, the block goes (the store answers for them; a list's parameters
 * stay in the job). */
void
ctl_job_task_stored (CtlJob *job,
                     guint   index)
{
  guint block = index >> CTL_BLOCK_BITS;
  CtlTask *task = ctl_job_task (job, index);

  if (task->stored)
    return;
  task->stored = TRUE;
  g_clear_pointer (&task->result, g_bytes_unref);
  g_clear_pointer (&task->detail, g_bytes_unref);
  if (++job->block_stored[block] == block_length (job, block))
    g_clear_pointer (&job->blocks[block], g_free);
}

void
ctl_job_free (CtlJob *job)
{
  guint n_blocks = (job->n_tasks + CTL_BLOCK_SIZE - 1) >> CTL_BLOCK_BITS;

  for (guint b = 0; job->blocks != NULL && b < n_blocks; b++)
    {
      CtlTask *tasks = job->blocks[b];

      if (tasks == NULL)
        continue;
      for (guint i = 0; i < block_length (job, b); i++)
        {
          g_clear_pointer (&tasks[i].result, g_bytes_unref);
          g_clear_pointer (&tasks[i].detail, g_bytes_unref);
        }
      g_free (tasks);
    }
  g_clear_pointer (&job->failed_on, g_hash_table_unref);
  g_free (job->blocks);
  g_free (job->block_stored);
  g_free (job->state);
  g_free (job->params_offsets);
  g_free (job->name);
  g_free (job->spec);
  g_free (job->sweep_spec);
  g_clear_pointer (&job->client, g_bytes_unref);
  g_clear_pointer (&job->params, g_bytes_unref);
  if (job->params_buf)
    g_byte_array_unref (job->params_buf);
  g_clear_object (&job->sweep);
  g_clear_pointer (&job->retry, g_array_unref);
  g_clear_pointer (&job->targets, g_array_unref);
  if (job->out_meta)
    g_string_free (job->out_meta, TRUE);
  if (job->out_results)
    g_string_free (job->out_results, TRUE);
  if (job->out_details)
    g_string_free (job->out_details, TRUE);
  g_free (job);
}

/* Lines of parameters are separated by '\n': n newlines make n + 1 lines,
 * and no data none.  Counts them in @data, and (in @n_empty) those that are
 * empty. */
guint
ctl_count_lines (const char *data,
                 gsize       len,
                 guint      *n_empty)
{
  const char *p = data, *end = data + len;
  guint n = 0, empty = 0;

  if (len == 0)
    {
      *n_empty = 0;
      return 0;
    }
  for (;;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl ? nl : end;

      n++;
      empty += line_end == p;
      if (nl == NULL)
        break;
      p = nl + 1;
    }
  *n_empty = empty;
  return n;
}

/* Notes in @offsets[@first…@n - 1] where the lines of @data start, @data
 * being at offset @base of the whole; the number of lines noted. */
guint
ctl_index_lines (guint32    *offsets,
                 guint       first,
                 guint       n,
                 const char *data,
                 gsize       len,
                 guint32     base)
{
  const char *p = data, *end = data + len;
  guint i = first;

  if (len == 0)
    return 0;
  while (i < n)
    {
      const char *nl = memchr (p, '\n', end - p);

      offsets[i++] = base + (guint32) (p - data);
      if (nl == NULL)
        break;
      p = nl + 1;
    }
  return i - first;
}

/* Notes where the lines of @data start, for tasks @first on: @data was
 * appended to the job's parameters at offset @base.  The caller counted
 * them (ctl_count_lines()). */
void
ctl_job_index_lines (CtlJob     *job,
                     guint       first,
                     const char *data,
                     gsize       len,
                     guint32     base)
{
  g_assert (job->params_offsets != NULL);

  ctl_index_lines (job->params_offsets, first, job->n_tasks, data, len, base);
}

/* Appends the parameters of task @index, one compact JSON object: the
 * line the client sent, or the sweep's task @index, computed now (a sweep
 * job keeps no parameters for its tasks). */
void
ctl_job_append_params (CtlJob  *job,
                       guint    index,
                       GString *out)
{
  const char *data;
  gsize size, start, end;

  g_assert (index < job->n_tasks);

  if (job->sweep != NULL)
    {
      g_autoptr(JsonNode) params = loom_sweep_get_params (job->sweep, index);

      loom_json_append_node (out, params);
      return;
    }

  if (job->params != NULL)
    data = g_bytes_get_data (job->params, &size);
  else if (job->params_buf != NULL)
    {
      data = (const char *) job->params_buf->data;
      size = job->params_buf->len;
    }
  else
    data = NULL;
  if (data == NULL || job->params_offsets == NULL || index >= job->n_ready)
    {
      g_string_append (out, "{}");  /* never came: the job was aborted first */
      return;
    }
  /* A line ends at the newline before the next one, the last at the end. */
  start = job->params_offsets[index];
  end = index + 1 < job->n_ready ? job->params_offsets[index + 1] - 1 : size;
  if (end <= start || end > size)
    g_string_append (out, "{}");
  else
    g_string_append_len (out, data + start, end - start);
}

static void
job_mark_dirty (LoomController *self,
                CtlJob         *job)
{
  if (job->out_meta == NULL)
    {
      job->out_meta = g_string_new (NULL);
      job->out_results = g_string_new (NULL);
      job->out_details = g_string_new (NULL);
      g_ptr_array_add (self->dirty_jobs, job);
    }
}

/* Appends one line to a buffer of lines: @text, or @fallback for none. */
static void
append_line (GString    *out,
             const char *text,
             gsize       len,
             const char *fallback)
{
  if (out->len > 0)
    g_string_append_c (out, '\n');
  if (text == NULL || len == 0)
    g_string_append (out, fallback);
  else
    g_string_append_len (out, text, len);
}

/* Appends a task's metadata row and its result and detail lines, as both
 * the results pushed to clients and job queries carry them. */
void
ctl_append_row (GString             *meta,
                GString             *results,
                GString             *details,
                const LoomStoreTask *row)
{
  if (meta->len > 0 && meta->str[meta->len - 1] != '[')
    g_string_append_c (meta, ',');
  g_string_append_printf (meta,
                          "[%" G_GUINT64_FORMAT ",%d,%u,%u,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                          ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]",
                          row->index, row->engine, row->status, row->attempts,
                          row->submitted, row->dispatched, row->started,
                          row->completed, row->received);
  /* A line per task in each buffer, in the same order as the rows. */
  append_line (results, row->result, row->result ? (row->result_len ? row->result_len : strlen (row->result)) : 0,
               "null");
  append_line (details, row->detail, row->detail ? (row->detail_len ? row->detail_len : strlen (row->detail)) : 0,
               "{}");
}

void
ctl_append_task_row (GString *meta,
                     GString *results,
                     GString *details,
                     guint    index,
                     CtlTask *task)
{
  LoomStoreTask row = {
    .index = index,
    .status = task->status,
    .engine = task->engine,
    .attempts = task->attempts,
    .submitted = task->submitted,
    .dispatched = task->dispatched,
    .started = task->started,
    .completed = task->completed,
    .received = task->received,
  };

  if (task->result)
    row.result = g_bytes_get_data (task->result, &row.result_len);
  if (task->detail)
    row.detail = g_bytes_get_data (task->detail, &row.detail_len);
  ctl_append_row (meta, results, details, &row);
}

static void
job_append_result (LoomController *self,
                   CtlJob         *job,
                   guint           index)
{
  job_mark_dirty (self, job);
  ctl_append_task_row (job->out_meta, job->out_results, job->out_details, index, ctl_job_task (job, index));
}

/* Ends every task of @job that has not been dispatched with @status and
 * @detail (an error object), as if each had come back so. */
void
ctl_job_end_pending (LoomController *self,
                     CtlJob         *job,
                     LoomTaskStatus  status,
                     GBytes         *detail)
{
  while (ctl_job_has_pending (job))
    {
      guint index = ctl_job_pop_pending (job);
      CtlTask *task = ctl_job_task (job, index);

      ctl_task_set_status (job, index, task, status);
      task->received = g_get_real_time ();
      g_clear_pointer (&task->detail, g_bytes_unref);
      task->detail = g_bytes_ref (detail);
      ctl_job_task_final (self, job, index);
    }
}

void
ctl_job_task_final (LoomController *self,
                    CtlJob         *job,
                    guint           index)
{
  CtlTask *task = ctl_job_task (job, index);
  GString *ev;

  job->n_final++;
  if (task->status == LOOM_TASK_DONE)
    job->n_done++;
  else
    job->n_failed++;

  if (job->client != NULL)
    job_append_result (self, job, index);
  ctl_store_task_final (self, job, index);

  if (job->n_final == job->n_tasks)
    {
      job->finished = g_get_real_time ();
      ctl_store_job_finished (self, job);
      if (ctl_task_events_wanted (self))
        {
          ev = ctl_event_begin (self, "job_finished");
          g_string_append_printf (ev, ",\"job\":%u,\"done\":%u,\"failed\":%u,\"wall_time\":%.6f",
                                  job->id, job->n_done, job->n_failed,
                                  (job->finished - job->created) / (double) G_USEC_PER_SEC);
          ctl_event_end (self);
        }
    }
}

void
ctl_append_job_summary (GString *out,
                        CtlJob  *job)
{
  g_string_append_printf (out, "{\"id\":%u,\"name\":", job->id);
  loom_json_append_string (out, job->name);
  g_string_append_printf (out,
                          ",\"mode\":\"%s\",\"tasks\":%u,\"done\":%u,\"failed\":%u,\"outstanding\":%u"
                          ",\"created\":%" G_GINT64_FORMAT ",\"finished\":%" G_GINT64_FORMAT ",\"spec\":%s}",
                          loom_enum_to_nick (LOOM_TYPE_JOB_MODE, job->mode, "parallel"), job->n_tasks, job->n_done,
                          job->n_failed, job->n_outstanding, job->created, job->finished, job->spec);
}

void
ctl_flush_results (LoomController *self)
{
  guint kept = 0;

  for (guint i = 0; i < self->dirty_jobs->len; i++)
    {
      CtlJob *job = g_ptr_array_index (self->dirty_jobs, i);
      g_autoptr(GString) content = NULL;
      GBytes *buffers[2];

      /* A client that attached gets the results it had first: a job's
       * "finished" must not come before them. */
      if (ctl_job_is_resending (self, job->id))
        {
          g_ptr_array_index (self->dirty_jobs, kept++) = job;
          continue;
        }
      content = g_string_sized_new (job->out_meta->len + 64);

      g_string_append_printf (content, "{\"job\":%u,\"ref\":%" G_GINT64_FORMAT ",\"finished\":%" G_GINT64_FORMAT
                              ",\"tasks\":[", job->id, job->ref, job->finished);
      g_string_append_len (content, job->out_meta->str, job->out_meta->len);
      g_string_append (content, "]}");

      buffers[0] = g_string_free_to_bytes (job->out_results);
      buffers[1] = g_string_free_to_bytes (job->out_details);
      job->out_results = job->out_details = NULL;
      g_string_free (job->out_meta, TRUE);
      job->out_meta = NULL;

      ctl_send_results (self, job->client, content->str, content->len, buffers, 2);
      g_bytes_unref (buffers[0]);
      g_bytes_unref (buffers[1]);
    }
  g_ptr_array_set_size (self->dirty_jobs, kept);
}
