/* loom-command-template.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

LOOM_AVAILABLE_IN_ALL
char *loom_command_expand (const char  *template_,
                           JsonNode    *params,
                           GError     **error);

LOOM_AVAILABLE_IN_ALL
char *loom_command_value_to_text (JsonNode    *node);

G_END_DECLS
