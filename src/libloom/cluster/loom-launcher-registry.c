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
  { "ssh", loom_ssh_launcher_get_type },
  { "slurm", loom_slurm_launcher_get_type },
  { "mpi", loom_mpi_launcher_get_type },
};

LoomLauncher *
loom_launcher_registry_new (const char  *name,
                            GError     **error)
{
  g_autofree char *names = NULL;
  g_auto(GStrv) list = NULL;
  g_autoptr(GError) local_error = NULL;
  LoomLauncher *launcher;

  for (guint i = 0; i < G_N_ELEMENTS (builtin); i++)
    if (g_strcmp0 (builtin[i].name, name) == 0)
      return g_object_new (builtin[i].get_type (), "name", name, NULL);

  /* Then a template of that name, or at that path. */
  if ((launcher = loom_template_launcher_new (name, &local_error)) != NULL)
    return launcher;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

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
  g_auto(GStrv) templates = loom_template_launcher_list ();
  char **names;

  for (guint i = 0; i < G_N_ELEMENTS (builtin); i++)
    g_strv_builder_add (builder, builtin[i].name);
  for (guint i = 0; templates[i]; i++)
    {
      gboolean builtin_name = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (builtin); j++)
        builtin_name |= g_str_equal (builtin[j].name, templates[i]);
      if (!builtin_name)
        g_strv_builder_add (builder, templates[i]);
    }
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return names;
}
