/* loom-timeline-model-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The model's instance struct, shared by the file that fills it
 * (loom-timeline-model.c) and the one that answers questions about it
 * (loom-timeline-model-query.c).
 */

#pragma once

#include "loom-timeline-model.h"

G_BEGIN_DECLS

typedef LoomTimelineLane Lane;

struct _LoomTimelineModel
{
  GObject     parent_instance;

  GPtrArray  *jobs;       /* LoomTimelineJob */
  GPtrArray  *lanes;      /* Lane, sorted by job, engine, sub */
  GHashTable *groups;     /* job << 32 | engine → first Lane */
  GHashTable *running;    /* job << 32 | index + 1 → Lane */
  GHashTable *hosts;      /* engine id → host */
  guint64     n_bars;
  guint       n_running;
  guint64     generation;
};

G_END_DECLS
