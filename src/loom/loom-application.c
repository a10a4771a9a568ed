/* loom-application.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The application: owns the embedded cluster (controller and local engines)
 * that the windows show, and stops it on quit.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n.h>

#include "loom-application.h"
#include "loom-resources.h"
#include "loom-window.h"

struct _LoomApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  LoomCluster    *cluster;
};

G_DEFINE_FINAL_TYPE (LoomApplication, loom_application, ADW_TYPE_APPLICATION)

LoomApplication *
loom_application_new (void)
{
  return g_object_new (LOOM_TYPE_APPLICATION,
                       "application-id", "dev.loom.Loom",
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/dev/loom/Loom",
                       NULL);
}

GSettings *
loom_application_get_settings (LoomApplication *self)
{
  g_return_val_if_fail (LOOM_IS_APPLICATION (self), NULL);
  return self->settings;
}

/**
 * loom_application_get_cluster:
 * @self: a #LoomApplication
 *
 * Returns: (transfer none) (nullable): the app's own cluster, once started
 */
LoomCluster *
loom_application_get_cluster (LoomApplication *self)
{
  g_return_val_if_fail (LOOM_IS_APPLICATION (self), NULL);
  return self->cluster;
}

/**
 * loom_application_ensure_cluster:
 * @self: a #LoomApplication
 * @error: return location for a #GError
 *
 * Starts the embedded controller and the engines the preferences ask for
 * (one per CPU by default), unless they run already.
 *
 * Returns: %TRUE if the cluster is up
 */
gboolean
loom_application_ensure_cluster (LoomApplication  *self,
                                 GError          **error)
{
  g_autoptr(LoomCluster) cluster = NULL;
  LoomScheme scheme = LOOM_SCHEME_LEASTLOAD;
  g_autofree char *scheme_name = NULL;

  g_return_val_if_fail (LOOM_IS_APPLICATION (self), FALSE);

  if (self->cluster != NULL)
    return TRUE;

  cluster = loom_cluster_new (NULL);
  scheme_name = g_settings_get_string (self->settings, "scheme");
  loom_scheme_from_string (scheme_name, &scheme);
  loom_controller_set_scheme (loom_cluster_get_controller (cluster), scheme);
  loom_controller_set_hwm (loom_cluster_get_controller (cluster),
                           MAX (1, g_settings_get_int (self->settings, "hwm")));
  if (!loom_cluster_start (cluster, g_settings_get_int (self->settings, "engines"), error))
    return FALSE;

  self->cluster = g_steal_pointer (&cluster);
  return TRUE;
}

static void
loom_application_activate (GApplication *app)
{
  LoomApplication *self = LOOM_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (loom_window_new (self));
  gtk_window_present (window);
}

static void
loom_application_shutdown (GApplication *app)
{
  LoomApplication *self = LOOM_APPLICATION (app);

  /* The app's own engines go with it. */
  if (self->cluster)
    loom_cluster_stop (self->cluster);
  g_clear_object (&self->cluster);

  G_APPLICATION_CLASS (loom_application_parent_class)->shutdown (app);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  LoomApplication *self = user_data;
  const char *developers[] = { "The Loom developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Loom"),
                         "application-icon", "dev.loom.Loom",
                         "developer-name", _("The Loom developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Run a function or program over many inputs on a cluster of engines, and see what parallelism bought."),
                         "developers", developers,
                         "license-type", GTK_LICENSE_LGPL_2_1,
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
loom_application_startup (GApplication *app)
{
  LoomApplication *self = LOOM_APPLICATION (app);
  static const GActionEntry actions[] = {
    { "about", about_action },
    { "quit", quit_action },
  };
  const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (loom_application_parent_class)->startup (app);

  self->settings = g_settings_new ("dev.loom.Loom");
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
}

static void
loom_application_finalize (GObject *object)
{
  LoomApplication *self = (LoomApplication *) object;

  g_clear_object (&self->cluster);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (loom_application_parent_class)->finalize (object);
}

static void
loom_application_class_init (LoomApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = loom_application_finalize;

  loom_register_resource ();
  app_class->activate = loom_application_activate;
  app_class->startup = loom_application_startup;
  app_class->shutdown = loom_application_shutdown;
}

static void
loom_application_init (LoomApplication *self)
{
}
