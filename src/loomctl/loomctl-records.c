/* loomctl-records.c: GNU Parallel's --results and --joblog, as tasks finish
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each task is written down as soon as it is over, not when the whole job
 * is: a job stopped by Ctrl-C, a --timeout or a crash keeps the records of
 * what finished, so --resume runs only the rest.  Tasks that never started
 * (aborted in the queue, or killed with a private cluster) get no record.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <glib/gstdio.h>

#include "loomctl-private.h"

struct _LoomctlRecorder
{
  MapOptions      *options;
  char           **argv;
  LoomSweep       *sweep;
  GArray          *indices;   /* job index → sweep index */
  LoomAsyncResult *result;
  guint8          *recorded;  /* one flag a task */
  guint            low;       /* every task before it is recorded */
  FILE            *joblog;
  GError          *error;     /* the first write that failed */
};

static void
recorder_fail (LoomctlRecorder *self,
               const char      *path,
               int              saved_errno)
{
  if (self->error == NULL)
    g_set_error (&self->error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 _("cannot write %s: %s"), path, g_strerror (saved_errno));
}

/* Opens the joblog for appending, with GNU Parallel's header when it is
 * new or empty. */
LoomctlRecorder *
loomctl_recorder_new (MapOptions      *options,
                      char           **argv,
                      LoomSweep       *sweep,
                      GArray          *indices,
                      LoomAsyncResult *result)
{
  LoomctlRecorder *self = g_new0 (LoomctlRecorder, 1);

  self->options = options;
  self->argv = argv;
  self->sweep = g_object_ref (sweep);
  self->indices = g_array_ref (indices);
  self->result = g_object_ref (result);
  self->recorded = g_new0 (guint8, MAX (indices->len, 1));

  if (options->joblog != NULL)
    {
      gboolean fresh = !loomctl_joblog_has_content (options->joblog);

      if ((self->joblog = fopen (options->joblog, "a")) == NULL)
        recorder_fail (self, options->joblog, errno);
      else if (fresh && (fputs (LOOMCTL_JOBLOG_HEADER "\n", self->joblog) == EOF || fflush (self->joblog) != 0))
        recorder_fail (self, options->joblog, errno);
    }
  return self;
}

/* DIR/<index>/{stdout,stderr,exit_status}, byte for byte. */
static void
write_results (LoomctlRecorder *self,
               guint64          index,
               LoomTaskInfo    *info)
{
  g_autofree char *dir = g_strdup_printf ("%s/%" PRIu64, self->options->results, index);
  struct { const char *name; GBytes *bytes; } files[] = {
    { "stdout", info->stdout_bytes },
    { "stderr", info->stderr_bytes },
  };
  g_autofree char *exit_text = g_strdup_printf ("%d\n", info->exit_status);
  g_autofree char *exit_path = g_build_filename (dir, "exit_status", NULL);
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      recorder_fail (self, dir, errno);
      return;
    }
  for (guint k = 0; k < G_N_ELEMENTS (files); k++)
    {
      g_autofree char *path = g_build_filename (dir, files[k].name, NULL);
      gsize len = 0;
      const char *data = files[k].bytes ? g_bytes_get_data (files[k].bytes, &len) : "";

      if (!g_file_set_contents (path, data ? data : "", len, &error))
        break;
    }
  if (error == NULL)
    g_file_set_contents (exit_path, exit_text, -1, &error);
  if (error != NULL && self->error == NULL)
    self->error = g_steal_pointer (&error);
}

/* One joblog row: Seq, Host, Starttime, JobRuntime, Send, Receive,
 * Exitval, Signal, Command.  As GNU Parallel: a command that could not
 * start exited 255 with signal 0; one a signal killed has that signal. */
static void
write_joblog_row (LoomctlRecorder *self,
                  guint64          index,
                  LoomTaskInfo    *info)
{
  g_autoptr(JsonNode) params = loom_sweep_get_params (self->sweep, index);
  g_autofree char *cmd = loomctl_command_line (self->argv, params, FALSE, NULL);
  gboolean not_started = g_strcmp0 (info->error_type, "CommandNotStarted") == 0;
  char start_text[G_ASCII_DTOSTR_BUF_SIZE], runtime[G_ASCII_DTOSTR_BUF_SIZE];
  gsize received = info->stdout_bytes ? g_bytes_get_size (info->stdout_bytes) : 0;

  g_ascii_formatd (start_text, sizeof start_text, "%.3f", info->started / 1e6);
  g_ascii_formatd (runtime, sizeof runtime, "%.3f",
                   info->started > 0 && info->completed >= info->started ? (info->completed - info->started) / 1e6 : 0);
  if (fprintf (self->joblog, "%" PRIu64 "\t%s\t%s\t%s\t0\t%zu\t%d\t%d\t%s\n",
               index + 1, g_get_host_name (), start_text, runtime, received,
               info->exit_status >= 0 ? info->exit_status : 255,
               not_started ? 0 : info->signal, cmd) < 0)
    recorder_fail (self, self->options->joblog, errno);
}

/* Writes down the tasks that are over since the last poll.  Tasks are
 * dispatched in order, so the scan stops at the first one still queued. */
gboolean
loomctl_recorder_poll (gpointer data)
{
  LoomctlRecorder *self = data;
  guint n = self->indices->len;
  gboolean wrote = FALSE;

  for (guint i = self->low; i < n && self->error == NULL; i++)
    {
      g_autoptr(LoomTaskInfo) info = NULL;
      LoomTaskInfo times;
      guint64 index = g_array_index (self->indices, guint64, i);

      if (self->recorded[i])
        {
          if (i == self->low)
            self->low++;
          continue;
        }
      loom_async_result_get_task_times (self->result, i, &times);
      if (times.status == LOOM_TASK_QUEUED && times.attempts == 0)
        break;
      if (!loom_task_status_is_final (times.status))
        continue;

      self->recorded[i] = TRUE;
      if (i == self->low)
        self->low++;
      /* Never started: no record, so that --resume runs it. */
      if (times.status == LOOM_TASK_ABORTED && times.started == 0)
        continue;

      info = loom_async_result_get_task_info (self->result, i);
      if (self->options->results != NULL)
        write_results (self, index, info);
      if (self->joblog != NULL)
        {
          write_joblog_row (self, index, info);
          wrote = TRUE;
        }
    }
  if (wrote && fflush (self->joblog) != 0)
    recorder_fail (self, self->options->joblog, errno);
  return self->low == n;
}

/* Records what is over, closes the joblog and frees @self.  Returns FALSE
 * with @error if something could not be written. */
gboolean
loomctl_recorder_finish (LoomctlRecorder  *self,
                         GError          **error)
{
  gboolean ok;

  loomctl_recorder_poll (self);
  if (self->joblog != NULL && fclose (self->joblog) != 0)
    recorder_fail (self, self->options->joblog, errno);
  ok = self->error == NULL;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&self->error));

  g_object_unref (self->sweep);
  g_array_unref (self->indices);
  g_object_unref (self->result);
  g_free (self->recorded);
  g_free (self);
  return ok;
}
