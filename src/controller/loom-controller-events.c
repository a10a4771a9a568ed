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

G_STATIC_ASSERT (sizeof LOOM_EVENT_TOPIC_TASKS - 1 < 32);

/* The XPUB socket reports the first subscription to a prefix and the last
 * unsubscription from it, whoever sends them.  Only the prefixes of the
 * task topic matter (they decide whether task events are written at all),
 * so there is one bit per prefix length and nothing to grow, whatever a
 * peer subscribes to. */
void
ctl_drain_subscriptions (LoomController *self)
{
  char buf[sizeof LOOM_EVENT_TOPIC_TASKS + 1];
  int len;

  while ((len = zmq_recv (self->event_sock, buf, sizeof buf, ZMQ_DONTWAIT)) >= 0)
    {
      gsize n = (gsize) len - 1;

      if (len < 1 || (gsize) len > sizeof buf || (buf[0] != 0 && buf[0] != 1) ||
          n > sizeof LOOM_EVENT_TOPIC_TASKS - 1 || memcmp (buf + 1, LOOM_EVENT_TOPIC_TASKS, n) != 0)
        continue;
      if (buf[0] == 1)
        self->task_prefixes |= 1u << n;
      else
        self->task_prefixes &= ~(1u << n);
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
