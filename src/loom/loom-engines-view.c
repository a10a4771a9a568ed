/* loom-engines-view.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The engines panel: how many engines run and where, the "Add Engines"
 * form (LoomAddEnginesForm) behind a toggle, and the engines grouped by
 * host (a LoomEngineGroup each, this machine first, then by name), each
 * engine a LoomEngineRow bound to its LoomEngineInfo.  An engine that dies
 * is announced with ::engine-died.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n.h>

#include "loom-add-engines-form.h"
#include "loom-engine-group.h"
#include "loom-engine-row.h"
#include "loom-engines-view.h"

struct _LoomEnginesView
{
  GtkWidget           parent_instance;

  GtkLabel           *summary;
  GtkToggleButton    *add_toggle;
  GtkRevealer        *add_revealer;
  LoomAddEnginesForm *add_form;
  GtkBox             *groups;
  GListModel         *engines;
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

static const char *
engine_host (LoomEngineInfo *info)
{
  const char *host = loom_engine_info_get_host (info);

  return host ? host : "";
}

/* This machine first, then by name. */
static int
compare_hosts (gconstpointer a,
               gconstpointer b)
{
  const char *host_a = *(const char **) a;
  const char *host_b = *(const char **) b;
  const char *local = g_get_host_name ();
  gboolean local_a = g_str_equal (host_a, local);
  gboolean local_b = g_str_equal (host_b, local);

  if (local_a != local_b)
    return local_a ? -1 : 1;
  return g_utf8_collate (host_a, host_b);
}

static LoomEngineGroup *
find_group (LoomEnginesView *self,
            const char      *host)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->groups));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (g_str_equal (loom_engine_group_get_host (LOOM_ENGINE_GROUP (child)), host))
      return LOOM_ENGINE_GROUP (child);
  return NULL;
}

/* A group per host that has engines, in order; a group's own list follows
 * the model, so this only adds, removes and orders groups. */
static void
sync_groups (LoomEnginesView *self,
             gboolean         hosts_changed)
{
  g_autoptr(GPtrArray) hosts = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = self->engines ? g_list_model_get_n_items (self->engines) : 0;
  GtkWidget *child;
  GtkWidget *previous = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (self->engines, i);
      const char *host = engine_host (info);

      /* The model holds the info, and the info its host. */
      if (g_hash_table_add (seen, (gpointer) host))
        g_ptr_array_add (hosts, (gpointer) host);
    }
  g_ptr_array_sort (hosts, compare_hosts);

  child = gtk_widget_get_first_child (GTK_WIDGET (self->groups));
  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (!g_hash_table_contains (seen, loom_engine_group_get_host (LOOM_ENGINE_GROUP (child))))
        gtk_box_remove (self->groups, child);
      else
        loom_engine_group_refresh (LOOM_ENGINE_GROUP (child), hosts_changed);
      child = next;
    }

  for (guint i = 0; i < hosts->len; i++)
    {
      const char *host = g_ptr_array_index (hosts, i);
      GtkWidget *group = (GtkWidget *) find_group (self, host);

      if (group == NULL)
        {
          group = loom_engine_group_new (self->engines, host, g_str_equal (host, g_get_host_name ()));
          gtk_box_insert_child_after (self->groups, group, previous);
        }
      else if (gtk_widget_get_prev_sibling (group) != previous)
        gtk_box_reorder_child_after (self->groups, group, previous);
      previous = group;
    }
}

static void
update_summary (LoomEnginesView *self)
{
  guint n = self->engines ? g_list_model_get_n_items (self->engines) : 0;
  g_autoptr(GHashTable) hosts = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean elsewhere = FALSE;
  guint alive = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (self->engines, i);
      const char *host = engine_host (info);

      if (!loom_engine_state_is_alive (loom_engine_info_get_state (info)))
        continue;
      alive++;
      g_hash_table_add (hosts, (gpointer) host);
      if (!g_str_equal (host, g_get_host_name ()))
        elsewhere = TRUE;
    }
  if (!elsewhere)
    text = g_strdup_printf (ngettext ("%u engine running on this machine", "%u engines running on this machine", alive),
                            alive);
  else
    {
      guint n_hosts = g_hash_table_size (hosts);
      g_autofree char *engines = g_strdup_printf (ngettext ("%u engine running", "%u engines running", alive), alive);

      /* TRANSLATORS: "3 engines running" on "2 hosts" */
      text = g_strdup_printf (ngettext ("%s on %u host", "%s on %u hosts", n_hosts), engines, n_hosts);
    }
  gtk_label_set_text (self->summary, text);
}

/* An engine that dies shows at once: a signal, besides its state. */
static void
on_engine_state (LoomEnginesView *self,
                 GParamSpec      *pspec,
                 LoomEngineInfo  *info)
{
  LoomEngineGroup *group = find_group (self, engine_host (info));

  if (loom_engine_info_get_state (info) == LOOM_ENGINE_DEAD)
    g_signal_emit (self, signals[ENGINE_DIED], 0, info);
  /* Only its host's count changes. */
  if (group != NULL)
    loom_engine_group_refresh (group, FALSE);
  update_summary (self);
}

static void
on_engine_host (LoomEnginesView *self,
                GParamSpec      *pspec,
                LoomEngineInfo  *info)
{
  sync_groups (self, TRUE);
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
      g_signal_connect_object (info, "notify::host", G_CALLBACK (on_engine_host), self, G_CONNECT_SWAPPED);
    }
  sync_groups (self, FALSE);
  update_summary (self);
}

static void
close_add_form_action (GtkWidget  *widget,
                       const char *action,
                       GVariant   *parameter)
{
  loom_engines_view_close_add_form (LOOM_ENGINES_VIEW (widget));
}

static void
on_add_toggled (LoomEnginesView *self)
{
  if (gtk_toggle_button_get_active (self->add_toggle))
    gtk_widget_child_focus (GTK_WIDGET (self->add_form), GTK_DIR_TAB_FORWARD);
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

  g_type_ensure (LOOM_TYPE_ADD_ENGINES_FORM);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/loom/Loom/loom-engines-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LoomEnginesView, summary);
  gtk_widget_class_bind_template_child (widget_class, LoomEnginesView, add_toggle);
  gtk_widget_class_bind_template_child (widget_class, LoomEnginesView, add_revealer);
  gtk_widget_class_bind_template_child (widget_class, LoomEnginesView, add_form);
  gtk_widget_class_bind_template_child (widget_class, LoomEnginesView, groups);

  /* The form's Cancel; Escape in the form does the same. */
  gtk_widget_class_install_action (widget_class, "engines.close-add-form", NULL, close_add_form_action);
}

static void
loom_engines_view_init (LoomEnginesView *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->add_toggle, "toggled", G_CALLBACK (on_add_toggled), self, G_CONNECT_SWAPPED);

  keys = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("engines.close-add-form")));
  gtk_widget_add_controller (GTK_WIDGET (self->add_form), keys);
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
  while (gtk_widget_get_first_child (GTK_WIDGET (self->groups)))
    gtk_box_remove (self->groups, gtk_widget_get_first_child (GTK_WIDGET (self->groups)));
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

/**
 * loom_engines_view_get_add_form:
 * @self: a #LoomEnginesView
 *
 * Returns: (transfer none): the "Add Engines" form
 */
LoomAddEnginesForm *
loom_engines_view_get_add_form (LoomEnginesView *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINES_VIEW (self), NULL);
  return self->add_form;
}

/* Shows the "Add Engines" form, on the page for @way ("local", "ssh",
 * "slurm"), or the page it had if %NULL. */
void
loom_engines_view_open_add_form (LoomEnginesView *self,
                                 const char      *way)
{
  g_return_if_fail (LOOM_IS_ENGINES_VIEW (self));
  if (way != NULL)
    loom_add_engines_form_set_way (self->add_form, way);
  gtk_toggle_button_set_active (self->add_toggle, TRUE);
}

void
loom_engines_view_close_add_form (LoomEnginesView *self)
{
  g_return_if_fail (LOOM_IS_ENGINES_VIEW (self));
  gtk_toggle_button_set_active (self->add_toggle, FALSE);
  loom_add_engines_form_reset (self->add_form);
}

gboolean
loom_engines_view_get_add_form_open (LoomEnginesView *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINES_VIEW (self), FALSE);
  return gtk_toggle_button_get_active (self->add_toggle);
}

/* Why the launcher did not start the engines, in the form that asked. */
void
loom_engines_view_show_launch_error (LoomEnginesView *self,
                                     const char      *message)
{
  g_return_if_fail (LOOM_IS_ENGINES_VIEW (self));
  loom_add_engines_form_show_error (self->add_form, message);
}
