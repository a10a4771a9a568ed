/* loom-preferences-window.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Preferences, each bound to its key of dev.loom.Loom: the local
 * cluster's (read when Loom starts its engines) and the options a new
 * sweep starts with (the window's sweep form follows them at once).
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include "loom.h"
#include "loom-preferences-window.h"

struct _LoomPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GtkSpinButton        *engines;
  GtkDropDown          *scheme;
  GtkSpinButton        *hwm;
  GtkSpinButton        *retries;
  GtkSpinButton        *task_timeout;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (LoomPreferencesWindow, loom_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The scheme's name in the settings (its nick), its position in the
 * drop-down (an AdwEnumListModel of LoomScheme). */
static gboolean
scheme_to_position (GValue   *value,
                    GVariant *variant,
                    gpointer  data)
{
  AdwEnumListModel *schemes = ADW_ENUM_LIST_MODEL (gtk_drop_down_get_model (data));
  LoomScheme scheme = LOOM_SCHEME_LEASTLOAD;

  loom_scheme_from_string (g_variant_get_string (variant, NULL), &scheme);
  g_value_set_uint (value, adw_enum_list_model_find_position (schemes, scheme));
  return TRUE;
}

static GVariant *
position_to_scheme (const GValue       *value,
                    const GVariantType *type,
                    gpointer            data)
{
  g_autoptr(AdwEnumListItem) item = g_list_model_get_item (gtk_drop_down_get_model (data), g_value_get_uint (value));

  return item ? g_variant_new_string (adw_enum_list_item_get_nick (item)) : NULL;
}

static void
loom_preferences_window_constructed (GObject *object)
{
  LoomPreferencesWindow *self = (LoomPreferencesWindow *) object;

  G_OBJECT_CLASS (loom_preferences_window_parent_class)->constructed (object);

  g_assert (G_IS_SETTINGS (self->settings));

  g_settings_bind (self->settings, "engines", self->engines, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "scheme", self->scheme, "selected", G_SETTINGS_BIND_DEFAULT,
                                scheme_to_position, position_to_scheme, self->scheme, NULL);
  g_settings_bind (self->settings, "hwm", self->hwm, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "retries", self->retries, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "task-timeout", self->task_timeout, "value", G_SETTINGS_BIND_DEFAULT);
}

static void
loom_preferences_window_dispose (GObject *object)
{
  LoomPreferencesWindow *self = (LoomPreferencesWindow *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), LOOM_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (loom_preferences_window_parent_class)->dispose (object);
}

static void
loom_preferences_window_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  LoomPreferencesWindow *self = LOOM_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_preferences_window_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  LoomPreferencesWindow *self = LOOM_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_preferences_window_class_init (LoomPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = loom_preferences_window_constructed;
  object_class->dispose = loom_preferences_window_dispose;
  object_class->get_property = loom_preferences_window_get_property;
  object_class->set_property = loom_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LOOM_TYPE_SCHEME);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/loom/Loom/loom-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LoomPreferencesWindow, engines);
  gtk_widget_class_bind_template_child (widget_class, LoomPreferencesWindow, scheme);
  gtk_widget_class_bind_template_child (widget_class, LoomPreferencesWindow, hwm);
  gtk_widget_class_bind_template_child (widget_class, LoomPreferencesWindow, retries);
  gtk_widget_class_bind_template_child (widget_class, LoomPreferencesWindow, task_timeout);
}

static void
loom_preferences_window_init (LoomPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * loom_preferences_window_new:
 * @settings: the dev.loom.Loom settings
 *
 * Returns: (transfer full): a window showing Loom's preferences
 */
GtkWidget *
loom_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (LOOM_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}
