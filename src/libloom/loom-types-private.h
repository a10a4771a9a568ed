/* loom-types-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Enum values by name: the nicks of the GEnumClass that gnome.mkenums
 * registers are the only table of names (the wire protocol's, the JSON
 * reports', the command line's).
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

const char *loom_enum_to_nick   (GType       enum_type,
                                 gint        value,
                                 const char *fallback);
gboolean    loom_enum_from_nick (GType       enum_type,
                                 const char *nick,
                                 gint       *value);

G_END_DECLS
