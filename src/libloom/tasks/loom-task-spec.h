/* loom-task-spec.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib-object.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_TYPE_TASK_SPEC (loom_task_spec_get_type ())

/**
 * LOOM_OUTPUT_LIMIT_DEFAULT:
 *
 * Bytes of a command's stdout, and of its stderr, that are kept unless
 * loom_task_spec_set_output_limit() says otherwise: 1 MiB.
 */
#define LOOM_OUTPUT_LIMIT_DEFAULT (G_GUINT64_CONSTANT (1024) * 1024)

/**
 * LOOM_TASK_TIMEOUT_MAX:
 *
 * The longest timeout a task may have, in seconds (about 31 years).
 */
#define LOOM_TASK_TIMEOUT_MAX 1000000000

/**
 * LOOM_OUTPUT_LIMIT_MAX:
 *
 * The largest output limit a command task may have: 1 GiB.
 */
#define LOOM_OUTPUT_LIMIT_MAX (G_GUINT64_CONSTANT (1024) * 1024 * 1024)

/**
 * LoomTaskKind:
 * @LOOM_TASK_KIND_BUILTIN: a function compiled into every engine
 * @LOOM_TASK_KIND_COMMAND: a program run with an argv template
 * @LOOM_TASK_KIND_PLUGIN: a function of a shared object (see loom-plugin.h)
 *
 * What a task runs; the nicks are the `kind` of a spec on the wire.
 */
typedef enum
{
  LOOM_TASK_KIND_BUILTIN,  /*< nick=builtin >*/
  LOOM_TASK_KIND_COMMAND,  /*< nick=command >*/
  LOOM_TASK_KIND_PLUGIN,   /*< nick=plugin >*/
} LoomTaskKind;

typedef struct _LoomTaskSpec LoomTaskSpec;

LOOM_AVAILABLE_IN_ALL
GType         loom_task_spec_get_type        (void) G_GNUC_CONST;
LOOM_AVAILABLE_IN_ALL
LoomTaskSpec *loom_task_spec_new_builtin     (const char          *name);
LOOM_AVAILABLE_IN_ALL
LoomTaskSpec *loom_task_spec_new_plugin      (const char          *module_path,
                                              const char          *function);
LOOM_AVAILABLE_IN_ALL
LoomTaskSpec *loom_task_spec_new_command     (const char * const  *argv);
LOOM_AVAILABLE_IN_ALL
LoomTaskSpec *loom_task_spec_new_for_function (const char         *function,
                                              GError             **error);
LOOM_AVAILABLE_IN_ALL
LoomTaskSpec *loom_task_spec_ref             (LoomTaskSpec        *spec);
LOOM_AVAILABLE_IN_ALL
void          loom_task_spec_unref           (LoomTaskSpec        *spec);
LOOM_AVAILABLE_IN_ALL
LoomTaskKind  loom_task_spec_get_kind        (LoomTaskSpec        *spec);
LOOM_AVAILABLE_IN_ALL
const char   *loom_task_spec_get_function    (LoomTaskSpec        *spec);
LOOM_AVAILABLE_IN_ALL
void          loom_task_spec_set_cwd         (LoomTaskSpec        *spec,
                                              const char          *cwd);
LOOM_AVAILABLE_IN_ALL
void          loom_task_spec_setenv          (LoomTaskSpec        *spec,
                                              const char          *name,
                                              const char          *value);
LOOM_AVAILABLE_IN_ALL
void          loom_task_spec_set_timeout     (LoomTaskSpec        *spec,
                                              double               seconds);
LOOM_AVAILABLE_IN_ALL
gboolean      loom_task_spec_set_output_limit (LoomTaskSpec       *spec,
                                              guint64              bytes,
                                              GError             **error);
LOOM_AVAILABLE_IN_ALL
guint64       loom_task_spec_get_output_limit (LoomTaskSpec       *spec);
LOOM_AVAILABLE_IN_ALL
char         *loom_task_spec_to_json         (LoomTaskSpec        *spec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomTaskSpec, loom_task_spec_unref)

G_END_DECLS
