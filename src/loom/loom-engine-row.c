/* loom-engine-row.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A row of the engines panel: the engine's id, tasks done, how busy, its
 * pid, its state, bound to its LoomEngineInfo, and a button that stops it
 * (win.stop-engine) or, once it is dead or stopped, starts a new one in
 * its place (win.restart-engine).
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "loom-engine-row.h"

struct _LoomEngineRow
{
  AdwActionRow    parent_instance;

  GtkWidget      *state_box;
  GtkImage       *state_image;
  GtkLabel       *state_label;
  GtkButton      *action_button;

  LoomEngineInfo *engine;
};

G_DEFINE_FINAL_TYPE (LoomEngineRow, loom_engine_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gboolean
loom_engine_state_is_alive (LoomEngineState state)
{
  return state == LOOM_ENGINE_IDLE || state == LOOM_ENGINE_BUSY;
}

static const char *
state_icon (LoomEngineState state)
{
  switch (state)
    {
    case LOOM_ENGINE_IDLE: return "emblem-ok-symbolic";
    case LOOM_ENGINE_BUSY: return "media-playback-start-symbolic";
    case LOOM_ENGINE_DEAD: return "dialog-error-symbolic";
    case LOOM_ENGINE_STOPPED: return "media-playback-stop-symbolic";
    case LOOM_ENGINE_STARTING:
    default: return "content-loading-symbolic";
    }
}

static const char *
state_label (LoomEngineState state)
{
  switch (state)
    {
    case LOOM_ENGINE_IDLE: return _("Idle");
    case LOOM_ENGINE_BUSY: return _("Busy");
    case LOOM_ENGINE_DEAD: return _("Dead");
    case LOOM_ENGINE_STOPPED: return _("Stopped");
    case LOOM_ENGINE_STARTING:
    default: return _("Starting");
    }
}

/* The row follows its engine's properties. */
static void
sync_row (LoomEngineRow *self)
{
  LoomEngineInfo *info = self->engine;
  LoomEngineState state = loom_engine_info_get_state (info);
  gboolean alive = loom_engine_state_is_alive (state);
  guint64 done = loom_engine_info_get_tasks_done (info);
  g_autofree char *title = g_strdup_printf (_("Engine %u"), loom_engine_info_get_id (info));
  g_autofree char *tasks = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " task done",
                                                         "%" PRIu64 " tasks done", done), done);
  g_autofree char *subtitle = NULL;
  const char *tooltip = alive ? _("Stop this engine") : _("Start a new engine in its place");
  /* ui/style.css colours the icon by these. */
  const char *classes[] = { "engine-state", loom_engine_state_to_string (state), NULL };

  /* TRANSLATORS: tasks done, how busy, the engine's process id */
  subtitle = g_strdup_printf (_("%s · %.0f %% busy · pid %" PRId64), tasks,
                              100 * loom_engine_info_get_busy_fraction (info), loom_engine_info_get_pid (info));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
  gtk_widget_set_css_classes (self->state_box, classes);
  gtk_image_set_from_icon_name (self->state_image, state_icon (state));
  gtk_label_set_text (self->state_label, state_label (state));

  /* The name before the target: the target must fit the action. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->action_button), alive ? "win.stop-engine" : "win.restart-engine");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->action_button), "u", loom_engine_info_get_id (info));
  gtk_button_set_icon_name (self->action_button, alive ? "process-stop-symbolic" : "view-refresh-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->action_button), tooltip);
  /* An icon button is read by what it does. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->action_button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
}

static void
loom_engine_row_dispose (GObject *object)
{
  LoomEngineRow *self = (LoomEngineRow *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), LOOM_TYPE_ENGINE_ROW);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (loom_engine_row_parent_class)->dispose (object);
}

static void
loom_engine_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LoomEngineRow *self = LOOM_ENGINE_ROW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_engine_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LoomEngineRow *self = LOOM_ENGINE_ROW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_assert (self->engine == NULL);
      self->engine = g_value_dup_object (value);
      g_signal_connect_object (self->engine, "notify", G_CALLBACK (sync_row), self, G_CONNECT_SWAPPED);
      sync_row (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_engine_row_class_init (LoomEngineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = loom_engine_row_dispose;
  object_class->get_property = loom_engine_row_get_property;
  object_class->set_property = loom_engine_row_set_property;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, LOOM_TYPE_ENGINE_INFO,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/loom/Loom/loom-engine-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LoomEngineRow, state_box);
  gtk_widget_class_bind_template_child (widget_class, LoomEngineRow, state_image);
  gtk_widget_class_bind_template_child (widget_class, LoomEngineRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, LoomEngineRow, action_button);
}

static void
loom_engine_row_init (LoomEngineRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
loom_engine_row_new (LoomEngineInfo *engine)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_INFO (engine), NULL);
  return g_object_new (LOOM_TYPE_ENGINE_ROW, "engine", engine, NULL);
}

/**
 * loom_engine_row_get_engine:
 * @self: a #LoomEngineRow
 *
 * Returns: (transfer none): the engine shown
 */
LoomEngineInfo *
loom_engine_row_get_engine (LoomEngineRow *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_ROW (self), NULL);
  return self->engine;
}
