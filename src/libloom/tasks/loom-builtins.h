/* loom-builtins.h
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

/**
 * LoomBuiltinInfo:
 * @name: the function's name, as tasks give it
 * @signature: its parameters, as a person would write the call
 * @description: one line saying what it does
 *
 * A function compiled into every engine.
 */
typedef struct
{
  const char *name;
  const char *signature;
  const char *description;
} LoomBuiltinInfo;

#define LOOM_TYPE_BUILTIN_INFO (loom_builtin_info_get_type ())

LOOM_AVAILABLE_IN_ALL
GType                  loom_builtin_info_get_type (void) G_GNUC_CONST;
LOOM_AVAILABLE_IN_ALL
LoomBuiltinInfo       *loom_builtin_info_copy     (const LoomBuiltinInfo *info);
LOOM_AVAILABLE_IN_ALL
void                   loom_builtin_info_free     (LoomBuiltinInfo       *info);
LOOM_AVAILABLE_IN_ALL
const LoomBuiltinInfo *loom_builtins_get_all      (guint                 *n_builtins);
LOOM_AVAILABLE_IN_ALL
const LoomBuiltinInfo *loom_builtins_lookup       (const char            *name);

G_END_DECLS
