/* loom-launcher-registry.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-launcher-registry-private.h"

typedef struct
{
  const char *name;
  GType     (*get_type) (void);
} LauncherEntry;

static const LauncherEntry builtin[] = {
  { "local", loom_local_launcher_get_type },
};

LoomLauncher *
loom_launcher_registry_new (const char  *name,
                            GError     **error)
{
  g_autofree char *names = NULL;
  g_auto(GStrv) list = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (builtin); i++)
    if (g_strcmp0 (builtin[i].name, name) == 0)
      return g_object_new (builtin[i].get_type (), "name", name, NULL);

  list = loom_launcher_registry_list ();
  names = g_strjoinv (", ", list);
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("There is no launcher “%s”: use one of %s"), name, names);
  return NULL;
}

char **
loom_launcher_registry_list (void)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **names;

  for (guint i = 0; i < G_N_ELEMENTS (builtin); i++)
    g_strv_builder_add (builder, builtin[i].name);
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return names;
}
