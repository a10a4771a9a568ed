/* loom-enum.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The names of Loom's enums are the nicks of their GEnumClass (see the
 * `nick=` annotations on the enums gnome.mkenums reads): no table of
 * strings anywhere else, and lists of choices in messages are made from
 * the same nicks.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-enum-private.h"

/* The class of a static enum type lives as long as the program: the one
 * reference taken on first use is never given back, and later calls only
 * peek (the controller names a task status per event). */
static GEnumClass *
enum_class (GType enum_type)
{
  GEnumClass *klass = g_type_class_peek (enum_type);

  return klass ? klass : g_type_class_ref (enum_type);
}

/**
 * loom_enum_to_nick: (skip)
 * @enum_type: a registered enum type
 * @value: one of its values
 * @fallback: what to return for a value the type does not have
 *
 * Returns: (transfer none): the value's nick, interned by the type system
 */
const char *
loom_enum_to_nick (GType       enum_type,
                   gint        value,
                   const char *fallback)
{
  GEnumValue *v = g_enum_get_value (enum_class (enum_type), value);

  return v ? v->value_nick : fallback;
}

/**
 * loom_enum_from_nick: (skip)
 * @enum_type: a registered enum type
 * @nick: (nullable): a nick
 * @value: (out): where to store the value
 *
 * Returns: %TRUE if @nick names a value of @enum_type
 */
gboolean
loom_enum_from_nick (GType       enum_type,
                     const char *nick,
                     gint       *value)
{
  GEnumValue *v;

  if (nick == NULL || !(v = g_enum_get_value_by_nick (enum_class (enum_type), nick)))
    return FALSE;
  *value = v->value;
  return TRUE;
}

/**
 * loom_enum_choices: (skip)
 * @enum_type: a registered enum type
 * @flags: quoting, language, separators
 * @default_value: the value to mark “(default)”, or -1
 * @keep: (nullable): which values to list; %NULL for all
 *
 * The nicks of @enum_type's values in their order, for a message that
 * says what may be given: “leastload (default), lru or random”, or for a
 * usage line: “leastload|lru|random”.
 *
 * Returns: (transfer full): the list
 */
char *
loom_enum_choices (GType                 enum_type,
                   LoomEnumChoicesFlags  flags,
                   gint                  default_value,
                   LoomEnumFilter        keep)
{
  GEnumClass *klass = enum_class (enum_type);
  gboolean translated = (flags & LOOM_ENUM_CHOICES_TRANSLATED) != 0;
  /* TRANSLATORS: joins the last two of a list: “leastload, lru or random” */
  const char *last_separator = translated ? _(" or ") : " or ";
  /* TRANSLATORS: after the default of a list: “leastload (default), lru” */
  const char *default_marker = translated ? _(" (default)") : " (default)";
  GString *out = g_string_new (NULL);
  guint n = 0, listed = 0;

  for (guint i = 0; i < klass->n_values; i++)
    if (keep == NULL || keep (klass->values[i].value))
      n++;

  for (guint i = 0; i < klass->n_values; i++)
    {
      const GEnumValue *v = &klass->values[i];

      if (keep != NULL && !keep (v->value))
        continue;
      if (listed > 0 && (flags & LOOM_ENUM_CHOICES_BARS))
        g_string_append_c (out, '|');
      else if (listed > 0)
        g_string_append (out, listed + 1 == n ? last_separator : ", ");
      listed++;
      if (flags & LOOM_ENUM_CHOICES_QUOTED)
        /* TRANSLATORS: a name in a list, in your language's quotes */
        g_string_append_printf (out, translated ? _("“%s”") : "“%s”", v->value_nick);
      else
        g_string_append (out, v->value_nick);
      if (v->value == default_value)
        g_string_append (out, default_marker);
    }
  return g_string_free (out, FALSE);
}
