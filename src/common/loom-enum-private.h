/* loom-enum-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Enum values by name: the nicks of the GEnumClass that gnome.mkenums
 * registers are the only table of names (the wire protocol's, the JSON
 * reports', the command line's, the lists of choices in messages).
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Whether a value belongs in a list of choices. */
typedef gboolean (*LoomEnumFilter) (gint value);

typedef enum
{
  LOOM_ENUM_CHOICES_PLAIN      = 0,
  LOOM_ENUM_CHOICES_QUOTED     = 1 << 0,  /* “a”, “b” or “c” */
  LOOM_ENUM_CHOICES_TRANSLATED = 1 << 1,  /* the quotes, “or” and “(default)” in the user's language */
  LOOM_ENUM_CHOICES_BARS       = 1 << 2,  /* a|b|c, as in a usage line */
} LoomEnumChoicesFlags;

const char *loom_enum_to_nick   (GType                 enum_type,
                                 gint                  value,
                                 const char           *fallback);
gboolean    loom_enum_from_nick (GType                 enum_type,
                                 const char           *nick,
                                 gint                 *value);
char       *loom_enum_choices   (GType                 enum_type,
                                 LoomEnumChoicesFlags  flags,
                                 gint                  default_value,
                                 LoomEnumFilter        keep);

G_END_DECLS
