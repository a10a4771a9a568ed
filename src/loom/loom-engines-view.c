/* loom-engines-view.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The engines panel: how many engines run, and a row per engine — id,
 * host, pid, state, tasks done, how busy — bound to its LoomEngineInfo,
 * with a button that stops it (win.stop-engine) or, once it is dead or
 * stopped, starts a new one in its place (win.restart-engine).  An engine
 * that dies is announced with ::engine-died.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n.h>

#include "loom-engines-view.h"

struct _LoomEnginesView
{
  GtkWidget       parent_instance;

  GtkLabel       *summary;
  GtkNoSelection *selection;
  GListModel     *engines;
};

G_DEFINE_FINAL_TYPE (LoomEnginesView, loom_engines_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENGINES,
  N_PROPS
};

enum {
  ENGINE_DIED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
is_alive (LoomEngineState state)
{
  return state == LOOM_ENGINE_IDLE || state == LOOM_ENGINE_BUSY;
}

static char *
format_id (GtkListItem *item,
           guint        id)
{
  return g_strdup_printf ("%u", id);
}

static char *
format_pid (GtkListItem *item,
            gint64       pid)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, pid);
}

static char *
format_done (GtkListItem *item,
             guint64      done)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, done);
}

static char *
format_busy (GtkListItem *item,
             double       fraction)
{
  return g_strdup_printf ("%.0f %%", 100 * fraction);
}

static char *
state_icon (GtkListItem *item,
            guint        state)
{
  switch (state)
    {
    case LOOM_ENGINE_IDLE: return g_strdup ("emblem-ok-symbolic");
    case LOOM_ENGINE_BUSY: return g_strdup ("media-playback-start-symbolic");
    case LOOM_ENGINE_DEAD: return g_strdup ("dialog-error-symbolic");
    case LOOM_ENGINE_STOPPED: return g_strdup ("media-playback-stop-symbolic");
    case LOOM_ENGINE_STARTING:
    default: return g_strdup ("content-loading-symbolic");
    }
}

static char *
state_label (GtkListItem *item,
             guint        state)
{
  switch (state)
    {
    case LOOM_ENGINE_IDLE: return g_strdup (_("Idle"));
    case LOOM_ENGINE_BUSY: return g_strdup (_("Busy"));
    case LOOM_ENGINE_DEAD: return g_strdup (_("Dead"));
    case LOOM_ENGINE_STOPPED: return g_strdup (_("Stopped"));
    case LOOM_ENGINE_STARTING:
    default: return g_strdup (_("Starting"));
    }
}

/* ui/style.css colours the icon by these. */
static GStrv
state_classes (GtkListItem *item,
               guint        state)
{
  GStrv classes = g_new0 (char *, 3);

  classes[0] = g_strdup ("engine-state");
  classes[1] = g_strdup (loom_engine_state_to_string (state));
  return classes;
}

static char *
action_name (GtkListItem *item,
             guint        state)
{
  return g_strdup (is_alive (state) ? "win.stop-engine" : "win.restart-engine");
}

static GVariant *
engine_target (GtkListItem *item,
               guint        id)
{
  return g_variant_new_uint32 (id);
}

static char *
action_icon (GtkListItem *item,
             guint        state)
{
  return g_strdup (is_alive (state) ? "process-stop-symbolic" : "view-refresh-symbolic");
}

static char *
action_tooltip (GtkListItem *item,
                guint        state)
{
  return g_strdup (is_alive (state) ? _("Stop this engine") : _("Start a new engine in its place"));
}

/* An icon button is read by what it does. */
static void
sync_accessible_label (GtkWidget *button)
{
  const char *text = gtk_widget_get_tooltip_text (button);

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, text ? text : "", -1);
}

static void
update_summary (LoomEnginesView *self)
{
  guint n = self->engines ? g_list_model_get_n_items (self->engines) : 0;
  guint alive = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (self->engines, i);

      if (is_alive (loom_engine_info_get_state (info)))
        alive++;
    }
  text = g_strdup_printf (ngettext ("%u engine running on this machine", "%u engines running on this machine", alive),
                          alive);
  gtk_label_set_text (self->summary, text);
}

/* An engine that dies shows at once: a signal, besides its state. */
static void
on_engine_state (LoomEnginesView *self,
                 GParamSpec      *pspec,
                 LoomEngineInfo  *info)
{
  if (loom_engine_info_get_state (info) == LOOM_ENGINE_DEAD)
    g_signal_emit (self, signals[ENGINE_DIED], 0, info);
  update_summary (self);
}

static void
on_engines_changed (LoomEnginesView *self,
                    guint            position,
                    guint            removed,
                    guint            added)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (self->engines, i);

      g_signal_connect_object (info, "notify::state", G_CALLBACK (on_engine_state), self, G_CONNECT_SWAPPED);
    }
  update_summary (self);
}

static void
loom_engines_view_dispose (GObject *object)
{
  LoomEnginesView *self = (LoomEnginesView *) object;
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), LOOM_TYPE_ENGINES_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->engines);

  G_OBJECT_CLASS (loom_engines_view_parent_class)->dispose (object);
}

static void
loom_engines_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LoomEnginesView *self = LOOM_ENGINES_VIEW (object);

  switch (prop_id)
    {
    case PROP_ENGINES:
      g_value_set_object (value, self->engines);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_engines_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  LoomEnginesView *self = LOOM_ENGINES_VIEW (object);

  switch (prop_id)
    {
    case PROP_ENGINES:
      loom_engines_view_set_engines (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_engines_view_class_init (LoomEnginesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = loom_engines_view_dispose;
  object_class->get_property = loom_engines_view_get_property;
  object_class->set_property = loom_engines_view_set_property;

  properties[PROP_ENGINES] =
    g_param_spec_object ("engines", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LoomEnginesView::engine-died:
   * @self: a #LoomEnginesView
   * @info: the engine
   *
   * An engine shown died.
   */
  signals[ENGINE_DIED] =
    g_signal_new ("engine-died", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LOOM_TYPE_ENGINE_INFO);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/loom/Loom/loom-engines-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LoomEnginesView, summary);
  gtk_widget_class_bind_template_child (widget_class, LoomEnginesView, selection);
  gtk_widget_class_bind_template_callback (widget_class, format_id);
  gtk_widget_class_bind_template_callback (widget_class, format_pid);
  gtk_widget_class_bind_template_callback (widget_class, format_done);
  gtk_widget_class_bind_template_callback (widget_class, format_busy);
  gtk_widget_class_bind_template_callback (widget_class, state_icon);
  gtk_widget_class_bind_template_callback (widget_class, state_label);
  gtk_widget_class_bind_template_callback (widget_class, state_classes);
  gtk_widget_class_bind_template_callback (widget_class, action_name);
  gtk_widget_class_bind_template_callback (widget_class, engine_target);
  gtk_widget_class_bind_template_callback (widget_class, action_icon);
  gtk_widget_class_bind_template_callback (widget_class, action_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, sync_accessible_label);
}

static void
loom_engines_view_init (LoomEnginesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * loom_engines_view_get_engines:
 * @self: a #LoomEnginesView
 *
 * Returns: (transfer none) (nullable): the engines shown
 */
GListModel *
loom_engines_view_get_engines (LoomEnginesView *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINES_VIEW (self), NULL);
  return self->engines;
}

/**
 * loom_engines_view_set_engines:
 * @self: a #LoomEnginesView
 * @engines: (nullable): a #GListModel of #LoomEngineInfo
 */
void
loom_engines_view_set_engines (LoomEnginesView *self,
                               GListModel      *engines)
{
  g_return_if_fail (LOOM_IS_ENGINES_VIEW (self));
  g_return_if_fail (!engines || G_IS_LIST_MODEL (engines));

  if (self->engines == engines)
    return;
  if (self->engines)
    g_signal_handlers_disconnect_by_func (self->engines, on_engines_changed, self);
  g_set_object (&self->engines, engines);
  gtk_no_selection_set_model (self->selection, engines);
  if (engines)
    {
      g_signal_connect_object (engines, "items-changed", G_CALLBACK (on_engines_changed), self, G_CONNECT_SWAPPED);
      on_engines_changed (self, 0, 0, g_list_model_get_n_items (engines));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINES]);
}

/* Says why there are no engines to show. */
void
loom_engines_view_set_message (LoomEnginesView *self,
                               const char      *message)
{
  g_return_if_fail (LOOM_IS_ENGINES_VIEW (self));
  gtk_label_set_text (self->summary, message);
}
