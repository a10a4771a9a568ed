/* loom-types.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

/**
 * LoomTaskStatus:
 * @LOOM_TASK_QUEUED: waiting at the controller for an engine
 * @LOOM_TASK_DISPATCHED: sent to an engine, not started yet
 * @LOOM_TASK_RUNNING: running on an engine
 * @LOOM_TASK_DONE: finished and returned a result
 * @LOOM_TASK_FAILED: finished with an error
 * @LOOM_TASK_ABORTED: aborted before it ran
 * @LOOM_TASK_LOST: its engine died more often than the retry limit allows
 * @LOOM_TASK_TIMEOUT: ran longer than its timeout and was stopped
 *
 * Where a task is in its life.  The nicks of its #GEnumClass
 * (loom_task_status_to_string()) are the names the wire protocol, the JSON
 * reports and the event stream use.
 */
typedef enum
{
  LOOM_TASK_QUEUED,      /*< nick=queued >*/
  LOOM_TASK_DISPATCHED,  /*< nick=dispatched >*/
  LOOM_TASK_RUNNING,     /*< nick=running >*/
  LOOM_TASK_DONE,        /*< nick=done >*/
  LOOM_TASK_FAILED,      /*< nick=failed >*/
  LOOM_TASK_ABORTED,     /*< nick=aborted >*/
  LOOM_TASK_LOST,        /*< nick=lost >*/
  LOOM_TASK_TIMEOUT,     /*< nick=timeout >*/
} LoomTaskStatus;

/**
 * LoomScheme:
 * @LOOM_SCHEME_LEASTLOAD: the engine with the fewest outstanding tasks
 * @LOOM_SCHEME_LRU: the engine that was given a task least recently
 * @LOOM_SCHEME_RANDOM: any engine with room, at random
 *
 * How the controller picks an engine for the next task.  The nicks
 * ("leastload", "lru", "random") are the names `--scheme` takes and the
 * wire protocol carries.
 */
typedef enum
{
  LOOM_SCHEME_LEASTLOAD,  /*< nick=leastload >*/
  LOOM_SCHEME_LRU,        /*< nick=lru >*/
  LOOM_SCHEME_RANDOM,     /*< nick=random >*/
} LoomScheme;

/**
 * LoomEngineState:
 * @LOOM_ENGINE_STARTING: launched, not registered yet
 * @LOOM_ENGINE_IDLE: registered, no task
 * @LOOM_ENGINE_BUSY: running or holding tasks
 * @LOOM_ENGINE_DEAD: missed its heartbeats
 * @LOOM_ENGINE_STOPPED: stopped cleanly
 *
 * An engine's state as the controller sees it; the nicks are the names
 * the controller's replies carry.
 */
typedef enum
{
  LOOM_ENGINE_STARTING,  /*< nick=starting >*/
  LOOM_ENGINE_IDLE,      /*< nick=idle >*/
  LOOM_ENGINE_BUSY,      /*< nick=busy >*/
  LOOM_ENGINE_DEAD,      /*< nick=dead >*/
  LOOM_ENGINE_STOPPED,   /*< nick=stopped >*/
} LoomEngineState;

LOOM_AVAILABLE_IN_ALL
const char *loom_task_status_to_string   (LoomTaskStatus   status);
LOOM_AVAILABLE_IN_ALL
const char *loom_task_status_get_label   (LoomTaskStatus   status);
LOOM_AVAILABLE_IN_ALL
gboolean    loom_task_status_is_final    (LoomTaskStatus   status);
LOOM_AVAILABLE_IN_ALL
const char *loom_scheme_to_string        (LoomScheme       scheme);
LOOM_AVAILABLE_IN_ALL
gboolean    loom_scheme_from_string      (const char      *str,
                                          LoomScheme      *scheme);
LOOM_AVAILABLE_IN_ALL
const char *loom_engine_state_to_string  (LoomEngineState  state);
LOOM_AVAILABLE_IN_ALL
gboolean    loom_engine_state_from_string (const char     *str,
                                          LoomEngineState *state);

G_END_DECLS
