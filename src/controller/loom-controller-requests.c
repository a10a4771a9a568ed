/* loom-controller-requests.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Client requests: submit, ping, status, engines, jobs, job, abort,
 * stop_engine and shutdown, and the error replies they may get.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "loom-controller-private.h"
#include "loom-error.h"

#define ABORTED_DETAIL "{\"error\":{\"type\":\"Aborted\",\"message\":\"the job was aborted before this task ran\"}}"

void
ctl_reply_error (LoomController *self,
                 void           *sock,
                 LoomMessage    *request,
                 const char     *type,
                 const char     *message)
{
  g_autoptr(GString) out = g_string_new ("{\"error\":{\"type\":");

  loom_json_append_string (out, type);
  g_string_append (out, ",\"message\":");
  loom_json_append_string (out, message);
  g_string_append (out, "}}");
  ctl_reply (self, sock, request, "error_reply", out->str, out->len, NULL, 0);
}

/* What both roles' sockets dropped, reason by reason. */
static void
append_drops (LoomController *self,
              GString        *out)
{
  g_string_append_c (out, '{');
  for (guint i = 0; i < LOOM_DROP_N_REASONS; i++)
    g_string_append_printf (out, "%s\"%s\":%" G_GUINT64_FORMAT, i ? "," : "", loom_drop_reason_to_string (i),
                            loom_wire_get_drops (self->wire, i) + loom_wire_get_drops (self->engine_wire, i));
  g_string_append_c (out, '}');
}

/* A refused submit names the client's ref, so a client that did not ask
 * for an acknowledgement still learns which job failed. */
static void
submit_error (LoomController *self,
              LoomMessage    *msg,
              JsonObject     *content,
              const char     *message)
{
  g_autoptr(GString) out = g_string_new ("{\"error\":{\"type\":\"InvalidRequest\",\"message\":");

  loom_json_append_string (out, message);
  g_string_append_printf (out, "},\"ref\":%" G_GINT64_FORMAT "}", loom_json_int (content, "ref", -1));
  ctl_reply (self, self->client_sock, msg, "error_reply", out->str, out->len, NULL, 0);
}

/* A submit's @member, when it has one, as a value of @enum_type by its
 * nick; anything else is refused with the names it may be (“scheme must be
 * “leastload”, “lru” or “random””). */
static gboolean
submit_enum_member (LoomController *self,
                    LoomMessage    *msg,
                    JsonObject     *content,
                    const char     *member,
                    GType           enum_type,
                    gint           *value)
{
  g_autofree char *choices = NULL;
  g_autofree char *message = NULL;

  if (!json_object_has_member (content, member) ||
      loom_enum_from_nick (enum_type, loom_json_string (content, member, NULL), value))
    return TRUE;

  choices = loom_enum_choices (enum_type, LOOM_ENUM_CHOICES_QUOTED | LOOM_ENUM_CHOICES_TRANSLATED, -1, NULL);
  /* TRANSLATORS: “mode must be “parallel” or “serial””; “mode” stays as it is */
  message = g_strdup_printf (_("%s must be %s"), member, choices);
  submit_error (self, msg, content, message);
  return FALSE;
}

/* The sweep of a submit's "sweep" member.  Its CSV tables must be inline:
 * the controller reads no file a client names. */
static LoomSweep *
sweep_from_submit (JsonNode  *node,
                   GError   **error)
{
  g_autoptr(LoomSweep) sweep = loom_sweep_new ();
  JsonNode *csv;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("a submit's “sweep” must be a JSON object"));
      return NULL;
    }
  csv = json_object_get_member (json_node_get_object (node), "csv");
  if (csv != NULL)
    {
      JsonArray *tables = JSON_NODE_HOLDS_ARRAY (csv) ? json_node_get_array (csv) : NULL;
      gboolean inline_only = JSON_NODE_HOLDS_OBJECT (csv);

      if (tables != NULL)
        {
          inline_only = TRUE;
          for (guint i = 0; i < json_array_get_length (tables); i++)
            inline_only &= JSON_NODE_HOLDS_OBJECT (json_array_get_element (tables, i));
        }
      if (!inline_only)
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("a submitted sweep's CSV tables must be inline ({\"columns\": […], \"rows\": […]}), "
                         "not file names"));
          return NULL;
        }
    }
  if (!loom_sweep_add_spec_json (sweep, json_node_get_object (node), error))
    return NULL;
  return g_steal_pointer (&sweep);
}

static guint
count_unfinished_jobs (LoomController *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((CtlJob *) value)->finished == 0)
      n++;
  return n;
}

/* Tasks of jobs in memory that came with a list of parameters (a sweep's
 * tasks cost a byte each until they run). */
static guint64
count_listed_tasks (LoomController *self)
{
  GHashTableIter iter;
  gpointer value;
  guint64 n = 0;

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CtlJob *job = value;

      if (job->params != NULL || job->params_buf != NULL)
        n += job->n_tasks;
    }
  return n;
}

/* The limits on what a submit makes the controller hold (see
 * loom_controller_set_job_limits()): a refusal says the limit and how to
 * raise it or avoid it. */
static gboolean
submit_within_limits (LoomController *self,
                      LoomMessage    *msg,
                      JsonObject     *content,
                      gboolean        explicit_params,
                      gint64          count,
                      gint64          n_ready)
{
  g_autofree char *message = NULL;
  GBytes *params = loom_message_get_buffer (msg, 0);

  if (count_unfinished_jobs (self) >= self->max_jobs)
    message = g_strdup_printf (_("the controller holds %u unfinished jobs, its limit: wait for some to finish, "
                                 "abort some, or raise the limit with loom-controller --max-jobs N"),
                               self->max_jobs);
  else if (explicit_params && (guint64) count > self->max_job_tasks)
    message = g_strdup_printf (_("a job with a list of parameters may have at most %u tasks, this one has %" PRId64
                                 ": give them as a sweep (no such limit), split the job, or raise the limit with "
                                 "loom-controller --max-job-tasks N"),
                               self->max_job_tasks, count);
  else if (explicit_params && count_listed_tasks (self) + (guint64) count > MAX (CTL_MAX_LISTED_TASKS, 2 * (guint64) self->max_job_tasks))
    message = g_strdup_printf (_("the controller holds %" PRIu64 " tasks with a list of parameters, and "
                                 "%" PRId64 " more would pass its limit of %" PRIu64 ": wait for jobs to "
                                 "finish, give the parameters as a sweep, or raise it with loom-controller "
                                 "--max-job-tasks N (the limit is twice that)"),
                               count_listed_tasks (self), count,
                               MAX (CTL_MAX_LISTED_TASKS, 2 * (guint64) self->max_job_tasks));
  else if (explicit_params && params != NULL && g_bytes_get_size (params) > self->max_job_params)
    message = g_strdup_printf (_("a job's parameters may take at most %" PRIu64 " bytes, these take %"
                                 PRIu64 ": raise the limit with loom-controller --max-job-params BYTES"),
                               (guint64) self->max_job_params, (guint64) g_bytes_get_size (params));
  else if (explicit_params && n_ready < count && self->incomplete_jobs->len >= CTL_MAX_INCOMPLETE_JOBS)
    message = g_strdup_printf (_("%u jobs are still receiving their parameters, the most the controller takes at "
                                 "once: submit this one when they are in"),
                               (guint) CTL_MAX_INCOMPLETE_JOBS);
  if (message == NULL)
    return TRUE;
  submit_error (self, msg, content, message);
  return FALSE;
}

static void
handle_submit (LoomController *self,
               LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) targets = NULL;
  g_autoptr(LoomSweep) sweep = NULL;
  gboolean listed = FALSE;
  guint n_lines = 0;
  gint64 retries = -1;
  gint64 retry_failed = 0;
  gint mode = LOOM_JOB_PARALLEL;
  gint scheme = self->scheme;
  JsonObject *content;
  JsonNode *spec_node;
  CtlJob *job;
  gint64 count;
  gint64 n_ready = 0;
  gint64 now = g_get_real_time ();
  GString *ev;
  char buf[96];

  /* Parsing JSON holds the loop (a second for some 10 MB) and makes a
   * node of every value: long lists come as lines, in the buffers. */
  if (msg->content != NULL && g_bytes_get_size (msg->content) > CTL_MAX_SUBMIT_JSON)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("a submit's JSON may take at most %" PRIu64 " bytes, this one takes %"
                                   PRIu64 ": give long lists of parameters (long CSV tables) as lines, "
                                   "as loomctl and libloom do for up to 10^6 tasks, or split the job"),
                                 (guint64) CTL_MAX_SUBMIT_JSON, (guint64) g_bytes_get_size (msg->content));
      submit_error (self, msg, NULL, message);
      return;
    }
  if (!(content = loom_message_get_content (msg, &error)))
    {
      submit_error (self, msg, content, error->message);
      return;
    }

  count = loom_json_int (content, "count", -1);
  spec_node = json_object_get_member (content, "spec");

  if (spec_node == NULL || !JSON_NODE_HOLDS_OBJECT (spec_node))
    {
      submit_error (self, msg, content, _("submit needs a “spec” object saying what to run"));
      return;
    }
  if (json_object_has_member (content, "sweep"))
    {
      /* The tasks' parameters as a sweep, expanded here as tasks are
       * dispatched: a submit of any size is a small message. */
      if (!(sweep = sweep_from_submit (json_object_get_member (content, "sweep"), &error)))
        {
          submit_error (self, msg, content, error->message);
          return;
        }
      if (count < 1 || count > G_MAXINT32 || loom_sweep_get_count (sweep) != (guint64) count)
        {
          submit_error (self, msg, content, _("submit says “count” tasks but its sweep has another number of tasks"));
          return;
        }
    }
  else
    {
      GBytes *buffer = loom_message_get_buffer (msg, 0);
      guint n_empty = 0;

      listed = TRUE;
      if (buffer != NULL)
        {
          n_lines = ctl_count_lines (g_bytes_get_data (buffer, NULL), g_bytes_get_size (buffer), &n_empty);
          self->wakeup_params_bytes += g_bytes_get_size (buffer);
        }
      /* The first chunk of a long list: the rest follows in "params". */
      if (json_object_has_member (content, "params_count"))
        n_ready = loom_json_int (content, "params_count", -1);
      else
        n_ready = count;
      if (count < 1 || count > G_MAXINT32 || n_ready < 1 || n_ready > count || (gint64) n_lines != n_ready)
        {
          submit_error (self, msg, content,
                       _("submit says “count” tasks but its parameter buffer does not hold that many lines"));
          return;
        }
      if (n_empty > 0)
        {
          submit_error (self, msg, content, _("a task's parameters are empty"));
          return;
        }
    }
  if (!submit_enum_member (self, msg, content, "mode", LOOM_TYPE_JOB_MODE, &mode))
    return;
  if (json_object_has_member (content, "retries") &&
      (retries = loom_json_int (content, "retries", -1)) < 0)
    {
      submit_error (self, msg, content, _("retries must be an integer ≥ 0"));
      return;
    }
  if (json_object_has_member (content, "retry_failed") &&
      ((retry_failed = loom_json_int (content, "retry_failed", -1)) < 0 || retry_failed > LOOM_RETRY_FAILED_MAX))
    {
      g_autofree char *text = g_strdup_printf (_("retry_failed must be a whole number from 0 to %d"),
                                               LOOM_RETRY_FAILED_MAX);
      submit_error (self, msg, content, text);
      return;
    }
  if (!submit_enum_member (self, msg, content, "scheme", LOOM_TYPE_SCHEME, &scheme))
    return;
  if (json_object_has_member (content, "targets") &&
      !JSON_NODE_HOLDS_NULL (json_object_get_member (content, "targets")))
    {
      JsonArray *array = loom_json_array (content, "targets");

      targets = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 0; array && i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          guint id;

          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
              json_node_get_int (node) < 0 || json_node_get_int (node) >= CTL_MAX_ENGINE_ID)
            break;
          id = json_node_get_int (node);
          g_array_append_val (targets, id);
        }
      if (array == NULL || targets->len != json_array_get_length (array) || targets->len == 0)
        {
          submit_error (self, msg, content,
                       _("targets must be a non-empty list of engine ids (0 to 65535)"));
          return;
        }
    }

  if (!submit_within_limits (self, msg, content, listed, count, n_ready))
    return;

  job = g_new0 (CtlJob, 1);
  job->id = self->next_job_id++;
  job->name = g_strdup (loom_json_string (content, "name", ""));
  job->mode = mode;
  job->spec = loom_json_to_string (spec_node);
  job->client = g_bytes_ref (g_ptr_array_index (msg->routing, 0));
  if (listed && n_ready < count)
    {
      GBytes *first = loom_message_get_buffer (msg, 0);

      job->params_buf = g_byte_array_sized_new (g_bytes_get_size (first) * (count / n_ready + 1));
      g_byte_array_append (job->params_buf, g_bytes_get_data (first, NULL), g_bytes_get_size (first));
    }
  else if (listed)
    job->params = g_bytes_ref (loom_message_get_buffer (msg, 0));
  job->n_ready = listed ? n_ready : count;
  job->sweep = g_steal_pointer (&sweep);
  if (job->sweep != NULL)
    job->sweep_spec = loom_json_to_string (json_object_get_member (content, "sweep"));
  job->n_tasks = count;
  job->created = now;
  if (listed)
    job->params_offsets = g_try_new (guint32, count);
  if (!ctl_job_alloc (job) || (listed && job->params_offsets == NULL))
    {
      ctl_job_free (job);
      submit_error (self, msg, content, _("the controller has no memory for a job of that many tasks"));
      return;
    }
  job->retry = g_array_new (FALSE, FALSE, sizeof (guint));
  job->pinned = -1;
  job->retries = retries >= 0 ? (guint) retries : self->retries;
  job->retry_failed = retry_failed;
  job->scheme = scheme;
  job->targets = g_steal_pointer (&targets);
  job->created = now;

  /* Each task keeps where its line starts: four bytes. */
  if (listed)
    {
      GBytes *first = loom_message_get_buffer (msg, 0);

      ctl_job_index_lines (job, 0, g_bytes_get_data (first, NULL), g_bytes_get_size (first), 0);
    }

  job->ref = loom_json_int (content, "ref", -1);
  g_hash_table_insert (self->jobs, GUINT_TO_POINTER (job->id), job);
  if (job->params_buf != NULL)
    g_ptr_array_add (self->incomplete_jobs, job);
  else
    ctl_store_job_added (self, job);
  ctl_job_mark_pending (self, job);

  /* Blocking callers skip the acknowledgement: their first results carry
   * the job id, and one wake-up less is a shorter round trip. */
  if (!json_object_has_member (content, "ack") ||
      JSON_NODE_TYPE (json_object_get_member (content, "ack")) != JSON_NODE_VALUE ||
      json_node_get_value_type (json_object_get_member (content, "ack")) != G_TYPE_BOOLEAN ||
      json_node_get_boolean (json_object_get_member (content, "ack")))
    {
      g_snprintf (buf, sizeof buf, "{\"job\":%u,\"submitted\":%" G_GINT64_FORMAT "}", job->id, now);
      ctl_reply (self, self->client_sock, msg, "submit_reply", buf, -1, NULL, 0);
    }

  if (ctl_task_events_wanted (self))
    {
      ev = ctl_event_begin (self, "job_submitted");
      g_string_append_printf (ev, ",\"job\":%u,\"tasks\":%u,\"mode\":\"%s\",\"name\":",
                              job->id, job->n_tasks, loom_enum_to_nick (LOOM_TYPE_JOB_MODE, job->mode, "parallel"));
      loom_json_append_string (ev, job->name);
      ctl_event_end (self);
    }
}

/* The next chunk of a job's parameters: {ref, first, count} and the lines. */
static void
handle_params (LoomController *self,
               LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  GBytes *client = g_ptr_array_index (msg->routing, 0);
  JsonObject *content = loom_message_get_content (msg, &error);
  GBytes *chunk = loom_message_get_buffer (msg, 0);
  gint64 ref, first, count;
  CtlJob *job = NULL;
  guint i, base, n_lines, n_empty;

  if (content == NULL || chunk == NULL)
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "params without content or lines");
      return;
    }
  ref = loom_json_int (content, "ref", -1);
  first = loom_json_int (content, "first", -1);
  count = loom_json_int (content, "count", -1);
  for (i = 0; i < self->incomplete_jobs->len && job == NULL; i++)
    {
      CtlJob *candidate = g_ptr_array_index (self->incomplete_jobs, i);
      if (candidate->ref == ref && g_bytes_equal (candidate->client, client))
        job = candidate;
    }
  if (job == NULL)
    return;  /* aborted, or refused before */

  n_lines = ctl_count_lines (g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk), &n_empty);
  if (first != job->n_ready || count < 1 || (gint64) n_lines != count || job->n_ready + count > job->n_tasks)
    {
      g_autofree char *message = g_strdup_printf (_("job %u: a chunk of parameters does not follow the ones before "
                                                    "(it starts at task %" PRId64 ", %u came so far); "
                                                    "the tasks still without parameters fail"),
                                                  job->id, first, job->n_ready);
      g_warning ("%s", message);
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "params out of order");
      return;
    }

  if (job->params_buf->len + 1 + g_bytes_get_size (chunk) > self->max_job_params)
    {
      g_autofree char *message = g_strdup_printf (_("job %u: its parameters take more than %" PRIu64
                                                    " bytes, the limit (loom-controller --max-job-params BYTES); "
                                                    "the tasks still without parameters fail"),
                                                  job->id, self->max_job_params);
      g_warning ("%s", message);
      loom_wire_count_drop (self->wire, LOOM_DROP_TOO_LARGE, "a job's parameters past --max-job-params");
      return;
    }

  /* Offsets into the growing buffer: the newline before, then the lines. */
  g_byte_array_append (job->params_buf, (const guint8 *) "\n", 1);
  base = job->params_buf->len;
  g_byte_array_append (job->params_buf, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  ctl_job_index_lines (job, job->n_ready, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk), base);
  if (n_empty > 0)
    loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "empty parameters");
  job->n_ready += n_lines;
  self->wakeup_params_bytes += g_bytes_get_size (chunk);

  if (job->n_ready == job->n_tasks)
    {
      job->params = g_byte_array_free_to_bytes (g_steal_pointer (&job->params_buf));
      g_ptr_array_remove (self->incomplete_jobs, job);
      ctl_store_job_added (self, job);
    }
  if (!job->aborted)
    ctl_job_mark_pending (self, job);
}

/* The job a request names in its "job" member: in memory, or (finished,
 * or from an earlier run) in the store.  FALSE once the client has been
 * told what is wrong. */
static gboolean
requested_job (LoomController  *self,
               LoomMessage     *msg,
               CtlJob         **job_out,
               LoomStoreJob   **stored_out)
{
  g_autoptr(GError) error = NULL;
  JsonObject *content;
  gint64 id;

  *job_out = NULL;
  if (stored_out)
    *stored_out = NULL;

  if (!(content = loom_message_get_content (msg, &error)))
    {
      ctl_reply_error (self, self->client_sock, msg, "InvalidRequest", error->message);
      return FALSE;
    }

  id = loom_json_int (content, "job", 0);
  if (id > 0 && id <= G_MAXUINT32)
    *job_out = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER ((guint) id));
  if (*job_out == NULL && id > 0 && stored_out != NULL && self->store != NULL)
    {
      *stored_out = loom_store_get_job (self->store, id, FALSE, &error);
      if (error != NULL)
        {
          ctl_reply_error (self, self->client_sock, msg, "StoreFailed", error->message);
          return FALSE;
        }
    }
  if (*job_out == NULL && (stored_out == NULL || *stored_out == NULL))
    {
      ctl_reply_error (self, self->client_sock, msg, "NoSuchJob", _("there is no job with that id"));
      return FALSE;
    }
  return TRUE;
}

/* A "job" request with "first" asks for a page: the rows from task
 * "first" on, as many as fit in CTL_PAGE_BYTES or a quarter of the message
 * size limit (at least one) and at most "count" if it is given, and says in "next" where the next page starts ("next" is the
 * job's task count after the last page).  Without "first", every task
 * (which, for a large job, may not fit in a message). */
static void
handle_job_query (LoomController *self,
                  LoomMessage    *msg)
{
  g_autoptr(GString) out = NULL;
  g_autoptr(LoomStoreJob) stored = NULL;
  JsonObject *content;
  gboolean paged;
  gint64 first = 0;
  guint64 n_tasks, next;
  CtlJob *job;
  CtlRows rows = { .budget = G_MAXSIZE };
  GBytes *buffers[3];

  if (!requested_job (self, msg, &job, &stored))
    return;
  n_tasks = job ? job->n_tasks : stored->n_tasks;
  content = loom_message_get_content (msg, NULL);
  if ((paged = json_object_has_member (content, "first")))
    {
      first = loom_json_int (content, "first", -1);
      if (first < 0 || (guint64) first > n_tasks)
        {
          ctl_reply_error (self, self->client_sock, msg, "InvalidRequest",
                       _("“first” must be a task index of the job, from 0 to its number of tasks"));
          return;
        }
      rows.budget = MAX (MIN (self->max_message / 4, CTL_PAGE_BYTES), 1);
      rows.max_rows = CLAMP (loom_json_int (content, "count", 0), 0, G_MAXUINT);
    }

  out = g_string_new ("{\"job\":");
  rows.meta = out;
  rows.results = g_string_new (NULL);
  rows.details = g_string_new (NULL);
  /* Explicit parameters of a whole in-memory job go as they came. */
  if (paged || job == NULL || job->sweep != NULL || job->params == NULL)
    rows.params = g_string_new (NULL);
  if (job != NULL)
    ctl_append_job_summary (out, job);
  else
    ctl_append_stored_job_summary (out, stored);
  g_string_append (out, ",\"tasks\":[");
  next = ctl_append_job_rows (self, job, stored, first, &rows);
  g_string_append_c (out, ']');
  if (paged)
    g_string_append_printf (out, ",\"first\":%" G_GINT64_FORMAT ",\"next\":%" G_GUINT64_FORMAT, first, next);
  g_string_append_c (out, '}');

  buffers[0] = g_string_free_to_bytes (rows.results);
  buffers[1] = g_string_free_to_bytes (rows.details);
  buffers[2] = rows.params ? g_string_free_to_bytes (rows.params) : g_bytes_ref (job->params);
  ctl_reply (self, self->client_sock, msg, "job_reply", out->str, out->len, buffers, 3);
  for (guint b = 0; b < G_N_ELEMENTS (buffers); b++)
    g_bytes_unref (buffers[b]);
}

void
ctl_resend_free (CtlResend *resend)
{
  g_bytes_unref (resend->client);
  g_free (resend);
}

gboolean
ctl_job_is_resending (LoomController *self,
                      guint           job)
{
  for (GList *l = self->resends.head; l; l = l->next)
    if (((CtlResend *) l->data)->job == job)
      return TRUE;
  return FALSE;
}

/* Sends the next page of the oldest resend; TRUE while pages are left. */
gboolean
ctl_resend_page (LoomController *self)
{
  g_autoptr(LoomStoreJob) stored = NULL;
  g_autoptr(GString) content = g_string_new (NULL);
  CtlResend *resend = g_queue_peek_head (&self->resends);
  CtlRows rows = { .budget = MAX (MIN (self->max_message / 4, CTL_PAGE_BYTES), 1), .final_only = TRUE };
  GBytes *buffers[2];
  guint64 n_tasks;
  gint64 finished;
  CtlJob *job;

  if (resend == NULL)
    return FALSE;
  /* In memory, or (finished since) in the store. */
  job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (resend->job));
  if (job == NULL && self->store != NULL)
    stored = loom_store_get_job (self->store, resend->job, FALSE, NULL);
  if (job == NULL && stored == NULL)
    {
      ctl_resend_free (g_queue_pop_head (&self->resends));
      return !g_queue_is_empty (&self->resends);
    }
  n_tasks = job ? job->n_tasks : stored->n_tasks;
  finished = job ? job->finished : stored->finished;

  rows.meta = g_string_new (NULL);
  rows.results = g_string_new (NULL);
  rows.details = g_string_new (NULL);
  resend->next = ctl_append_job_rows (self, job, stored, resend->next, &rows);
  g_string_append_printf (content, "{\"job\":%u,\"ref\":%" G_GINT64_FORMAT ",\"finished\":%" G_GINT64_FORMAT
                          ",\"tasks\":[%s]}", resend->job, resend->ref, resend->next >= n_tasks ? finished : 0,
                          rows.meta->str);
  g_string_free (rows.meta, TRUE);
  buffers[0] = g_string_free_to_bytes (rows.results);
  buffers[1] = g_string_free_to_bytes (rows.details);
  if (rows.n_rows > 0)
    ctl_send_results (self, resend->client, content->str, content->len, buffers, 2);
  g_bytes_unref (buffers[0]);
  g_bytes_unref (buffers[1]);
  if (resend->next >= n_tasks)
    ctl_resend_free (g_queue_pop_head (&self->resends));
  return !g_queue_is_empty (&self->resends);
}

/* A client that lost the controller (it restarted) asks for the results of
 * a job it waits for: they go to it from now on, and every final task's
 * result is sent again (the client drops what it had), a page a wake-up
 * (ctl_resend_page()): a job of 10^6 tasks does not hold the loop. */
static void
handle_attach (LoomController *self,
               LoomMessage    *msg)
{
  g_autoptr(LoomStoreJob) stored = NULL;
  JsonObject *content;
  CtlResend *resend;
  CtlJob *job;
  char buf[64];

  if (!requested_job (self, msg, &job, &stored))
    return;
  content = loom_message_get_content (msg, NULL);
  resend = g_new0 (CtlResend, 1);
  resend->client = g_bytes_ref (g_ptr_array_index (msg->routing, 0));
  resend->job = job ? job->id : (guint) stored->id;
  resend->ref = loom_json_int (content, "ref", -1);
  if (job != NULL)
    {
      g_clear_pointer (&job->client, g_bytes_unref);
      job->client = g_bytes_ref (resend->client);
      job->ref = resend->ref;
    }
  g_queue_push_tail (&self->resends, resend);

  g_snprintf (buf, sizeof buf, "{\"job\":%u}", resend->job);
  ctl_reply (self, self->client_sock, msg, "attach_reply", buf, -1, NULL, 0);
}

static void
handle_abort (LoomController *self,
              LoomMessage    *msg)
{
  g_autoptr(LoomStoreJob) stored = NULL;
  CtlJob *job;
  guint aborted = 0;
  char buf[64];

  if (!requested_job (self, msg, &job, &stored))
    return;
  if (job == NULL)
    {
      /* Finished: there is nothing left to abort. */
      g_snprintf (buf, sizeof buf, "{\"job\":%" G_GUINT64_FORMAT ",\"aborted\":0,\"killing\":0}", stored->id);
      ctl_reply (self, self->client_sock, msg, "abort_reply", buf, -1, NULL, 0);
      return;
    }

  /* Parameters still to come will not be needed: the tasks without them
   * get "{}" and are aborted with the rest. */
  if (job->params_buf != NULL)
    {
      for (guint i = job->n_ready; i < job->n_tasks; i++)
        {
          g_byte_array_append (job->params_buf, (const guint8 *) "\n{}", 3);
          job->params_offsets[i] = job->params_buf->len - 2;
        }
      job->n_ready = job->n_tasks;
      job->params = g_byte_array_free_to_bytes (g_steal_pointer (&job->params_buf));
      g_ptr_array_remove (self->incomplete_jobs, job);
      ctl_store_job_added (self, job);
    }

  while (ctl_job_has_pending (job))
    {
      guint index = ctl_job_pop_pending (job);
      CtlTask *task = ctl_job_task (job, index);
      GString *ev;

      ctl_task_set_status (job, index, task, LOOM_TASK_ABORTED);
      task->received = g_get_real_time ();
      g_clear_pointer (&task->detail, g_bytes_unref);
      task->detail = g_bytes_new_static (ABORTED_DETAIL, strlen (ABORTED_DETAIL));
      aborted++;
      if (ctl_task_events_wanted (self))
        {
          ev = ctl_event_begin (self, "task_failed");
          g_string_append_printf (ev, ",\"job\":%u,\"index\":%u,\"status\":\"aborted\"", job->id, index);
          ctl_event_end (self);
        }
      ctl_job_task_final (self, job, index);
    }

  /* What runs is killed: every engine holding a task of the job hears it
   * (on its heartbeat socket too, as its task socket is busy). */
  job->aborted = TRUE;
  if (job->n_outstanding > 0)
    {
      g_snprintf (buf, sizeof buf, "{\"job\":%u}", job->id);
      for (guint i = 0; i < self->engines->len; i++)
        {
          CtlEngine *engine = g_ptr_array_index (self->engines, i);
          gboolean holds = FALSE;

          for (guint j = 0; j < engine->outstanding->len && !holds; j++)
            holds = g_array_index (engine->outstanding, TaskRef, j).job == job->id;
          if (holds && ctl_engine_is_alive (engine))
            ctl_send_to_engine (self, engine, "abort", buf);
        }
    }

  g_snprintf (buf, sizeof buf, "{\"job\":%u,\"aborted\":%u,\"killing\":%u}",
              job->id, aborted, job->n_outstanding);
  ctl_reply (self, self->client_sock, msg, "abort_reply", buf, -1, NULL, 0);
}

/* Every job: those of the store, and those in memory (which are newer,
 * or the only ones without a store). */
static void
handle_jobs (LoomController *self,
             LoomMessage    *msg)
{
  g_autoptr(GString) out = g_string_new ("{\"jobs\":[");
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  guint s = 0;

  if (self->store != NULL && !(stored = loom_store_list_jobs (self->store, &error)))
    {
      ctl_reply_error (self, self->client_sock, msg, "StoreFailed", error->message);
      return;
    }
  for (guint id = 1; id < self->next_job_id; id++)
    {
      CtlJob *job = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (id));
      LoomStoreJob *row = NULL;

      while (stored != NULL && s < stored->len && ((LoomStoreJob *) g_ptr_array_index (stored, s))->id < id)
        s++;
      if (stored != NULL && s < stored->len && ((LoomStoreJob *) g_ptr_array_index (stored, s))->id == id)
        row = g_ptr_array_index (stored, s);
      if (job == NULL && row == NULL)
        continue;
      if (out->str[out->len - 1] != '[')
        g_string_append_c (out, ',');
      if (job != NULL)
        ctl_append_job_summary (out, job);
      else
        ctl_append_stored_job_summary (out, row);
    }
  g_string_append (out, "]}");
  ctl_reply (self, self->client_sock, msg, "jobs_reply", out->str, out->len, NULL, 0);
}

/* Removes finished jobs: those that finished before "older_than" (µs
 * since the epoch, 0 for any), but the newest "keep" (-1: none kept). */
static void
handle_purge (LoomController *self,
              LoomMessage    *msg)
{
  g_autoptr(GError) error = NULL;
  JsonObject *content = loom_message_get_content (msg, &error);
  gint64 older_than, keep;

  if (content == NULL)
    {
      ctl_reply_error (self, self->client_sock, msg, "InvalidRequest", error->message);
      return;
    }
  older_than = loom_json_int (content, "older_than", 0);
  keep = loom_json_int (content, "keep", -1);
  if (older_than < 0 || keep < -1)
    {
      ctl_reply_error (self, self->client_sock, msg, "InvalidRequest",
                   _("“older_than” must be a time (µs since 1970) or 0, “keep” a count or -1"));
      return;
    }
  ctl_purge_jobs (self, older_than, keep, msg);
}

static void
append_status_json (LoomController *self,
                    GString        *out)
{
  guint queued = 0, running = 0;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CtlJob *job = value;
      running += job->n_outstanding;
      queued += job->n_tasks - job->n_final - job->n_outstanding;
    }

  g_string_append (out, "{\"controller\":{\"profile\":");
  loom_json_append_string (out, self->profile);
  g_string_append (out, ",\"connection_file\":");
  loom_json_append_string (out, self->connection_path ? self->connection_path : "");
  g_string_append (out, ",\"host\":");
  loom_json_append_string (out, g_get_host_name ());
  g_string_append_printf (out,
                          ",\"pid\":%d,\"started\":%" G_GINT64_FORMAT ",\"scheme\":\"%s\",\"hwm\":%u,\"hwm_mode\":\"%s\""
                          ",\"heartbeat_timeout_ms\":%u,\"retries\":%u,\"max_message_size\":%" G_GSIZE_FORMAT "},",
                          (int) getpid (), self->started_at, loom_scheme_to_string (self->scheme),
                          self->hwm, self->hwm ? "fixed" : "auto",
                          self->heartbeat_timeout_ms, self->retries, self->max_message);
  ctl_append_engines_json (self, out);
  g_string_append_printf (out, ",\"jobs\":%u,\"queued\":%u,\"running\":%u,\"tasks_finished\":%" G_GUINT64_FORMAT
                          ",\"stale_results\":%" G_GUINT64_FORMAT ",\"dropped\":",
                          self->store ? (guint) loom_store_count_jobs (self->store) : g_hash_table_size (self->jobs),
                          queued, running, self->tasks_finished, self->stale_results);
  append_drops (self, out);
  g_string_append_printf (out, ",\"replies_dropped\":%" G_GUINT64_FORMAT ",\"results_dropped\":%" G_GUINT64_FORMAT
                          ",\"longest_wakeup_us\":%" G_GINT64_FORMAT ",\"limits\":",
                          self->replies_dropped, self->results_dropped, self->longest_wakeup_usec);
  ctl_append_limits_json (self, out);
  g_string_append (out, ",\"store\":");
  if (self->store != NULL)
    {
      g_string_append (out, "{\"path\":");
      loom_json_append_string (out, loom_store_get_path (self->store));
      g_string_append_printf (out, ",\"bytes\":%" G_GUINT64_FORMAT ",\"keep_jobs\":%" G_GINT64_FORMAT
                              ",\"keep_for_s\":%" G_GINT64_FORMAT "}",
                              loom_store_get_size (self->store), self->keep_jobs,
                              self->keep_for_usec / G_USEC_PER_SEC);
    }
  else
    g_string_append (out, "null");
  g_string_append_c (out, '}');
}

static void
append_limit (GString    *out,
              const char *name,
              guint64     limit,
              gint64      used)
{
  g_string_append_printf (out, "%s\"%s\":{\"limit\":%" G_GUINT64_FORMAT, out->str[out->len - 1] == '{' ? "" : ",",
                          name, limit);
  if (used >= 0)
    g_string_append_printf (out, ",\"used\":%" G_GINT64_FORMAT, used);
  g_string_append_c (out, '}');
}

/* Every table and queue a peer can make the controller fill, with its
 * limit and (where the controller knows it) what is in use. */
void
ctl_append_limits_json (LoomController *self,
                        GString        *out)
{
  g_string_append_c (out, '{');
  append_limit (out, "message_bytes", self->max_message, -1);
  /* Each role's wire remembers its own. */
  append_limit (out, "replay_digests", 2 * LOOM_REPLAY_MAX_DIGESTS,
                loom_wire_get_n_digests (self->wire) + loom_wire_get_n_digests (self->engine_wire));
  append_limit (out, "replay_window_s", LOOM_DATE_WINDOW / G_USEC_PER_SEC, -1);
  append_limit (out, "engines", CTL_MAX_ENGINE_ID, self->engines->len);
  append_limit (out, "gone_engines_remembered", CTL_MAX_GONE_REMEMBERED, g_hash_table_size (self->gone_identities));
  append_limit (out, "gone_engines_listed", CTL_MAX_GONE_LISTED, -1);
  append_limit (out, "jobs", self->max_jobs, count_unfinished_jobs (self));
  append_limit (out, "jobs_receiving_params", CTL_MAX_INCOMPLETE_JOBS, self->incomplete_jobs->len);
  append_limit (out, "job_tasks", self->max_job_tasks, -1);
  append_limit (out, "listed_tasks", MAX (CTL_MAX_LISTED_TASKS, 2 * (guint64) self->max_job_tasks),
                count_listed_tasks (self));
  append_limit (out, "job_params_bytes", self->max_job_params, -1);
  append_limit (out, "submit_json_bytes", CTL_MAX_SUBMIT_JSON, -1);
  append_limit (out, "client_queue", CTL_CLIENT_QUEUE, -1);
  append_limit (out, "results_backlog_bytes", CTL_RESULTS_BACKLOG, self->backlog_bytes);
  append_limit (out, "subscription_prefixes", sizeof LOOM_EVENT_TOPIC_TASKS, -1);
  append_limit (out, "engine_replacements_per_minute", CTL_MAX_REPLACEMENTS_PER_MINUTE,
                ctl_recent_replacements (self));
  g_string_append_c (out, '}');
}

void
ctl_handle_client_message (LoomController *self,
                           LoomMessage    *msg)
{
  const char *type = msg->msg_type;

  if (msg->routing->len != 1)
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_MALFORMED, "client message without a routing id");
      return;
    }

  if (g_str_equal (type, "submit"))
    handle_submit (self, msg);
  else if (g_str_equal (type, "ping"))
    {
      /* "started" tells a client that the controller was restarted. */
      char buf[64];
      g_snprintf (buf, sizeof buf, "{\"started\":%" G_GINT64_FORMAT "}", self->started_at);
      ctl_reply (self, self->client_sock, msg, "pong", buf, -1, NULL, 0);
    }
  else if (g_str_equal (type, "status") || g_str_equal (type, "engines"))
    {
      g_autoptr(GString) out = g_string_new (NULL);

      if (g_str_equal (type, "status"))
        append_status_json (self, out);
      else
        {
          g_string_append_c (out, '{');
          ctl_append_engines_json (self, out);
          g_string_append_c (out, '}');
        }
      ctl_reply (self, self->client_sock, msg, g_str_equal (type, "status") ? "status_reply" : "engines_reply",
                 out->str, out->len, NULL, 0);
    }
  else if (g_str_equal (type, "jobs"))
    handle_jobs (self, msg);
  else if (g_str_equal (type, "params"))
    handle_params (self, msg);
  else if (g_str_equal (type, "attach"))
    handle_attach (self, msg);
  else if (g_str_equal (type, "purge"))
    handle_purge (self, msg);
  else if (g_str_equal (type, "job"))
    handle_job_query (self, msg);
  else if (g_str_equal (type, "abort"))
    handle_abort (self, msg);
  else if (g_str_equal (type, "stop_engine"))
    {
      g_autoptr(GError) error = NULL;
      JsonObject *content = loom_message_get_content (msg, &error);
      gint64 id = content ? loom_json_int (content, "engine", -1) : -1;
      CtlEngine *engine;

      if (id < 0 || id >= self->engines->len ||
          !ctl_engine_is_alive (engine = g_ptr_array_index (self->engines, id)))
        {
          ctl_reply_error (self, self->client_sock, msg, "NoSuchEngine", _("there is no live engine with that id"));
          return;
        }
      ctl_send_stop (self, engine);
      ctl_reply (self, self->client_sock, msg, "stop_engine_reply", "{}", 2, NULL, 0);
    }
  else if (g_str_equal (type, "shutdown"))
    {
      ctl_reply (self, self->client_sock, msg, "shutdown_reply", "{}", 2, NULL, 0);
      loom_controller_request_stop (self);
    }
  else
    {
      loom_wire_count_drop (self->wire, LOOM_DROP_UNKNOWN_TYPE, type);
      ctl_reply_error (self, self->client_sock, msg, "UnknownRequest", _("the controller does not know this request"));
    }
}
