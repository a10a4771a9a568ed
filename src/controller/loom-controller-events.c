/* loom-controller-events.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The controller's event stream: task and job events and engine events are
 * gathered per wake-up in two buffers, one per topic, and published on the
 * XPUB socket at its end with a sequence number each.  Task events are only
 * written while someone subscribes to them.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>
#include <zmq.h>

#include "loom-controller-private.h"

static const char *event_topics[2] = { LOOM_EVENT_TOPIC_TASKS, LOOM_EVENT_TOPIC_ENGINES };

void
ctl_drain_subscriptions (LoomController *self)
{
  char buf[256];
  int len;

  while ((len = zmq_recv (self->event_sock, buf, sizeof buf - 1, ZMQ_DONTWAIT)) > 0)
    {
      g_autofree char *prefix = g_strndup (buf + 1, MIN ((gsize) len, sizeof buf - 1) - 1);

      if (buf[0] == 1)
        g_ptr_array_add (self->subscriptions, g_steal_pointer (&prefix));
      else if (buf[0] == 0)
        for (guint i = 0; i < self->subscriptions->len; i++)
          if (g_str_equal (g_ptr_array_index (self->subscriptions, i), prefix))
            {
              g_ptr_array_remove_index_fast (self->subscriptions, i);
              break;
            }
    }
}

GString *
ctl_event_begin (LoomController *self,
                 const char     *type)
{
  GString *events = self->events[g_str_has_prefix (type, "engine_") ? 1 : 0];

  if (events->len > 0)
    g_string_append_c (events, ',');
  g_string_append_printf (events, "{\"type\":\"%s\",\"t\":%" G_GINT64_FORMAT,
                          type, g_get_real_time ());
  self->current_events = events;
  return events;
}

void
ctl_flush_events (LoomController *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->events); i++)
    {
      g_autoptr(GString) content = NULL;
      g_autoptr(GPtrArray) topic = NULL;
      GString *events = self->events[i];

      if (events->len == 0)
        continue;

      content = g_string_sized_new (events->len + 64);
      g_string_append_printf (content, "{\"seq\":%" G_GUINT64_FORMAT ",\"events\":[", ++self->event_seq[i]);
      g_string_append_len (content, events->str, events->len);
      g_string_append (content, "]}");
      topic = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_ptr_array_add (topic, g_bytes_new_static (event_topics[i], strlen (event_topics[i])));
      loom_wire_send (self->wire, self->event_sock, topic, "events", NULL, content->str, content->len, NULL, 0);
      g_string_truncate (events, 0);
    }
}
