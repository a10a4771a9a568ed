/* loom-client-engines.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What a client keeps up to date besides its requests: the live model of
 * the engines, and its jobs when the controller comes back from a restart.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-client-state-private.h"
#include "loom-error.h"

/* --- engines model ------------------------------------------------------- */

static void
update_engines (LoomClient *self,
                JsonObject *obj)
{
  JsonArray *array = loom_json_array (obj, "engines");

  /* Sorted by id; ids may come with gaps (engines ask for their ranks,
   * in any order). */
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonObject *e = loom_json_array_object (array, i);
      gint64 id = e ? loom_json_int (e, "id", -1) : -1;
      guint lo = 0, hi = g_list_model_get_n_items (G_LIST_MODEL (self->engines));

      if (id < 0 || id > G_MAXUINT)
        continue;
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;
          g_autoptr(LoomEngineInfo) info = g_list_model_get_item (G_LIST_MODEL (self->engines), mid);

          if (loom_engine_info_get_id (info) < id)
            lo = mid + 1;
          else
            hi = mid;
        }
      {
        g_autoptr(LoomEngineInfo) info = g_list_model_get_item (G_LIST_MODEL (self->engines), lo);

        if (info != NULL && loom_engine_info_get_id (info) == id)
          loom_engine_info_update (info, e);
        else
          {
            g_clear_object (&info);
            info = loom_engine_info_new (id);
            loom_engine_info_update (info, e);
            g_list_store_insert (self->engines, lo, info);
          }
      }
    }
}

void
loom_client_complete_engines (LoomClient   *self,
                              Op           *op,
                              LoomMessage  *reply,
                              const GError *error)
{
  JsonObject *content;

  self->engines_in_flight = FALSE;
  if (reply != NULL && (content = loom_message_get_content (reply, NULL)) != NULL)
    update_engines (self, content);
  g_clear_pointer (&reply, loom_message_free);
  loom_client_op_free (op);
}


/* --- a restarted controller ---------------------------------------------- */

typedef struct
{
  LoomClient *client;
  guint       ref;
} AttachData;

static void
op_complete_attach (LoomClient   *self,
                    Op           *op,
                    LoomMessage  *reply,
                    const GError *error)
{
  LoomAsyncResult *result = g_hash_table_lookup (self->jobs, GUINT_TO_POINTER (op->ref));
  g_autoptr(GError) local_error = NULL;

  if (result != NULL && reply != NULL && g_str_equal (reply->msg_type, "error_reply"))
    {
      g_autoptr(GError) refused = loom_client_error_from_reply (reply);

      local_error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION,
                                 _("The controller at %s was restarted and does not know job %d any more "
                                   "(%s); submit it again"),
                                 self->conn->client_url, loom_async_result_peek_job_id (result), refused->message);
      loom_async_result_fail (result, local_error);
      g_hash_table_remove (self->jobs, GUINT_TO_POINTER (op->ref));
    }
  g_clear_pointer (&reply, loom_message_free);
  loom_client_op_free (op);
}

/* The controller came back after a restart: it sends the results of our
 * jobs to us again (we drop those we have), from its job store. */
static void
attach_jobs (LoomClient *self)
{
  g_autoptr(GList) refs = g_hash_table_get_keys (self->jobs);

  for (GList *l = refs; l; l = l->next)
    {
      guint ref = GPOINTER_TO_UINT (l->data);
      LoomAsyncResult *result = g_hash_table_lookup (self->jobs, l->data);
      gint job = loom_async_result_peek_job_id (result);
      char content[96];
      Op *op;

      if (job < 0)
        {
          g_autoptr(GError) error = g_error_new (LOOM_ERROR, LOOM_ERROR_CONNECTION,
                                                 _("The controller at %s was restarted before it took the job; "
                                                   "submit it again"), self->conn->client_url);
          loom_async_result_fail (result, error);
          g_hash_table_remove (self->jobs, l->data);
          continue;
        }
      g_snprintf (content, sizeof content, "{\"job\":%d,\"ref\":%u}", job, ref);
      op = loom_client_op_new ("attach", op_complete_attach);
      op->ref = ref;
      loom_client_send_op (self, op, content, NULL, TRUE);
    }
}

void
loom_client_complete_pong (LoomClient   *self,
                           Op           *op,
                           LoomMessage  *reply,
                           const GError *error)
{
  gint64 started = reply ? loom_json_int (loom_message_get_content (reply, NULL), "started", 0) : 0;

  if (started > 0)
    {
      if (self->controller_started != 0 && started != self->controller_started)
        {
          g_debug ("The controller at %s was restarted: asking it for the results of our jobs",
                     self->conn->client_url);
          self->controller_started = started;
          attach_jobs (self);
        }
      self->controller_started = started;
    }
  g_clear_pointer (&reply, loom_message_free);
  loom_client_op_free (op);
}
