/* loom-application.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The application: owns the embedded cluster (controller and local engines)
 * that the windows show, and stops it on quit.  Engines added later come
 * from launchers (this machine, SSH, Slurm…): the app keeps the ones it
 * started and stops them with its own cluster; for an attached cluster it
 * records them with the profile, so `loomctl cluster stop` stops them, and
 * leaves them running.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n.h>

#include "loom-application.h"
#include "loom-launch-fields.h"
#include "loom-preferences-window.h"
#include "loom-resources.h"
#include "loom-window.h"
#include "loom-connection-private.h"
#include "loom-launcher-private.h"

struct _LoomApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  LoomCluster    *cluster;    /* the app's own cluster, or NULL when attached */
  LoomClient     *attached;   /* a client of a cluster someone else runs */
  char           *attached_profile;
  GPtrArray      *launchers;  /* LoomLauncher: those the app started engines with */
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

  if (loom_application_get_client (self) != NULL)
    return TRUE;

  cluster = loom_cluster_new (NULL);
  scheme_name = g_settings_get_string (self->settings, "scheme");
  loom_scheme_from_string (scheme_name, &scheme);
  loom_controller_set_scheme (loom_cluster_get_controller (cluster), scheme);
  loom_controller_set_hwm (loom_cluster_get_controller (cluster),
                           MAX (0, g_settings_get_int (self->settings, "hwm")));
  /* Not waiting for the engines: the window shows them register. */
  if (!loom_cluster_launch (cluster, g_settings_get_int (self->settings, "engines"), error))
    return FALSE;

  self->cluster = g_steal_pointer (&cluster);
  return TRUE;
}

/**
 * loom_application_get_client:
 * @self: a #LoomApplication
 *
 * Returns: (transfer none) (nullable): the client of the cluster the app
 *   shows: its own, or the one it attached to
 */
LoomClient *
loom_application_get_client (LoomApplication *self)
{
  g_return_val_if_fail (LOOM_IS_APPLICATION (self), NULL);
  if (self->attached)
    return self->attached;
  return self->cluster ? loom_cluster_get_client (self->cluster) : NULL;
}

/**
 * loom_application_find_running:
 * @self: a #LoomApplication
 *
 * Returns: (transfer full) (nullable): the profile of a live cluster that
 *   `loomctl cluster start` runs for the preferred profile, if any
 */
char *
loom_application_find_running (LoomApplication *self)
{
  g_autofree char *profile = g_settings_get_string (self->settings, "profile");
  g_autofree char *path = NULL;
  g_autoptr(LoomConnection) conn = NULL;

  if (!loom_profile_name_is_valid (profile))
    return NULL;
  path = loom_connection_path_for_profile (profile);
  conn = loom_connection_load (path, NULL);
  if (conn == NULL || !loom_connection_is_live (conn))
    return NULL;
  return g_steal_pointer (&profile);
}

/**
 * loom_application_attach:
 * @self: a #LoomApplication
 * @profile: the profile of a running cluster
 * @error: return location for a #GError
 *
 * Shows a cluster the app did not start; quitting leaves it running.
 *
 * Returns: %TRUE if attached
 */
gboolean
loom_application_attach (LoomApplication  *self,
                         const char       *profile,
                         GError          **error)
{
  g_return_val_if_fail (LOOM_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (loom_application_get_client (self) == NULL, FALSE);

  self->attached = loom_client_new_for_profile (profile, error);
  if (self->attached != NULL)
    self->attached_profile = g_strdup (profile);
  return self->attached != NULL;
}

/**
 * loom_application_launch_engines:
 * @self: a #LoomApplication
 * @launcher_name: a launcher's name ("local", "ssh", "slurm"…)
 * @n: how many engines to start
 * @options: (array zero-terminated=1) (nullable): the launcher's options,
 *   as name, value, name, value…
 * @error: return location for a #GError
 *
 * Starts @n engines for the cluster shown through the launcher named
 * @launcher_name, without waiting for them to register: they log under
 * $XDG_STATE_HOME/loom/<profile>/.  The app keeps the launcher: quitting
 * stops the engines of its own cluster; those of an attached cluster are
 * recorded with its profile and left running.
 *
 * Returns: %TRUE if the launcher started the engines (or submitted them)
 */
gboolean
loom_application_launch_engines (LoomApplication     *self,
                                 const char          *launcher_name,
                                 guint                n,
                                 const char * const  *options,
                                 GError             **error)
{
  g_autoptr(LoomLauncher) launcher = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *log_dir = NULL;
  LoomClient *client;

  g_return_val_if_fail (LOOM_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (launcher_name != NULL, FALSE);

  if ((client = loom_application_get_client (self)) == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER, _("There is no cluster to add engines to"));
      return FALSE;
    }
  if (!(launcher = loom_launcher_new (launcher_name, error)))
    return FALSE;

  /* Engines of this machine outlive the app only with an attached cluster. */
  if (g_str_equal (launcher_name, "local") &&
      !loom_launcher_set_option (launcher, "detach", self->attached ? "yes" : "no", error))
    return FALSE;
  for (guint i = 0; options && options[i] && options[i + 1]; i += 2)
    if (!loom_launcher_set_option (launcher, options[i], options[i + 1], error))
      return FALSE;

  if (self->cluster && !loom_launcher_is_remote (launcher))
    {
      /* Nothing can restart the app's own controller: its engines need not
       * wait long for it, as loom_cluster_spawn_engines() starts them. */
      g_autofree char *grace = g_strdup_printf ("%u", LOOM_PRIVATE_ENGINE_GRACE_MS);
      const char *args[] = { "--grace-ms", grace, NULL };

      loom_launcher_set_engine_args (launcher, args);
    }

  /* An attached cluster's profile; the app's own logs where the profile
   * preferred would. */
  profile = self->attached_profile ? g_strdup (self->attached_profile)
                                   : g_settings_get_string (self->settings, "profile");
  if (!loom_profile_name_is_valid (profile))
    {
      g_free (profile);
      profile = g_strdup ("default");
    }
  log_dir = loom_state_dir (profile);
  loom_launcher_set_connection_file (launcher, loom_client_get_connection_file (client));
  loom_launcher_set_log_dir (launcher, log_dir);

  if (!loom_launcher_start (launcher, n, error))
    {
      /* Whatever it started before it failed goes too. */
      loom_launcher_stop (launcher);
      return FALSE;
    }

  /* `loomctl cluster stop` stops what was added to a profile's cluster. */
  if (self->attached)
    {
      g_autoptr(GError) record_error = NULL;

      if (!loom_launcher_record (launcher, profile, &record_error))
        g_warning ("Cannot record the %s launcher with the profile “%s”: %s",
                   launcher_name, profile, record_error->message);
    }

  g_ptr_array_add (self->launchers, g_steal_pointer (&launcher));
  return TRUE;
}

/**
 * loom_application_get_launchers:
 * @self: a #LoomApplication
 *
 * Returns: (transfer none) (element-type LoomLauncher): the launchers the
 *   app started engines with
 */
GPtrArray *
loom_application_get_launchers (LoomApplication *self)
{
  g_return_val_if_fail (LOOM_IS_APPLICATION (self), NULL);
  return self->launchers;
}

/**
 * loom_application_spawn_engines:
 * @self: a #LoomApplication
 * @n: how many engines to start on this machine
 * @error: return location for a #GError
 *
 * Starts engines on this machine for the cluster shown, through the local
 * launcher (see loom_application_launch_engines()).
 *
 * Returns: %TRUE if the engines were started
 */
gboolean
loom_application_spawn_engines (LoomApplication  *self,
                                guint             n,
                                GError          **error)
{
  g_return_val_if_fail (LOOM_IS_APPLICATION (self), FALSE);

  return loom_application_launch_engines (self, "local", n, NULL, error);
}

/**
 * loom_application_stop_own_engines:
 * @self: a #LoomApplication
 *
 * What quitting does: the app's own cluster stops, with the engines its
 * launchers added; an attached cluster stays, with the engines the app
 * added to it (recorded with its profile).
 */
void
loom_application_stop_own_engines (LoomApplication *self)
{
  g_return_if_fail (LOOM_IS_APPLICATION (self));

  if (self->cluster)
    {
      for (guint i = 0; i < self->launchers->len; i++)
        loom_launcher_stop (g_ptr_array_index (self->launchers, i));
      loom_cluster_stop (self->cluster);
    }
  g_ptr_array_set_size (self->launchers, 0);
  g_clear_object (&self->cluster);
}

static void
on_attach_response (AdwMessageDialog *dialog,
                    const char       *response,
                    LoomApplication  *self)
{
  g_autofree char *profile = g_settings_get_string (self->settings, "profile");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "attach") == 0 && !loom_application_attach (self, profile, &error))
    g_message ("Cannot attach to the cluster “%s”: %s; starting Loom's own", profile, error->message);
  gtk_window_present (GTK_WINDOW (loom_window_new (self)));
}

static void
loom_application_activate (GApplication *app)
{
  LoomApplication *self = LOOM_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_autofree char *running = NULL;

  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  /* A cluster from `loomctl cluster start` runs: offer it. */
  if (loom_application_get_client (self) == NULL && (running = loom_application_find_running (self)))
    {
      g_autofree char *body = g_strdup_printf (_("A cluster is running for the profile “%s”. Loom can show it "
                                                 "and leave it running when you quit, or start engines of its own."),
                                               running);
      GtkWidget *dialog = adw_message_dialog_new (NULL, _("Attach to the Running Cluster?"), body);

      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "own", _("Start _Own Engines"),
                                        "attach", _("_Attach"),
                                        NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "attach", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "attach");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "own");
      gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_attach_response), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  gtk_window_present (GTK_WINDOW (loom_window_new (self)));
}

static void
loom_application_shutdown (GApplication *app)
{
  LoomApplication *self = LOOM_APPLICATION (app);

  loom_application_stop_own_engines (self);
  if (self->attached)
    loom_client_close (self->attached);
  g_clear_object (&self->attached);

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
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LoomApplication *self = user_data;
  GtkWidget *window = loom_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (window), gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (window));
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
    { "preferences", preferences_action },
    { "quit", quit_action },
  };
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (loom_application_parent_class)->startup (app);

  self->settings = g_settings_new ("dev.loom.Loom");
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
}

/* `loom --version` answers before GTK opens a display, and a missing
 * settings schema is explained, not left to abort the app. */
static int
loom_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("loom %s\n", PACKAGE_VERSION);
      return 0;
    }

  source = g_settings_schema_source_get_default ();
  schema = source ? g_settings_schema_source_lookup (source, g_application_get_application_id (app), TRUE) : NULL;
  if (schema == NULL)
    {
      g_printerr (_("loom: the settings schema %s is not installed: run “meson install”, "
                    "or run Loom from the build tree with “meson devenv -C BUILDDIR loom” "
                    "(or GSETTINGS_SCHEMA_DIR=BUILDDIR/data)\n"),
                  g_application_get_application_id (app));
      return 1;
    }
  return -1;
}

static void
loom_application_finalize (GObject *object)
{
  LoomApplication *self = (LoomApplication *) object;

  g_clear_pointer (&self->launchers, g_ptr_array_unref);
  g_clear_object (&self->cluster);
  g_clear_object (&self->attached);
  g_clear_pointer (&self->attached_profile, g_free);
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
  app_class->handle_local_options = loom_application_handle_local_options;
  app_class->activate = loom_application_activate;
  app_class->startup = loom_application_startup;
  app_class->shutdown = loom_application_shutdown;
}

static void
loom_application_init (LoomApplication *self)
{
  self->launchers = g_ptr_array_new_with_free_func (g_object_unref);
  g_application_add_main_option (G_APPLICATION (self), "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE,
                                 _("Print the version and exit"), NULL);
}
