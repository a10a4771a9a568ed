/* loom-engine-group.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The engines of one host in the engines panel: a heading with the host's
 * name ("this machine" after it for the local host) and how many engines
 * run there, over a list of their rows in the order of their ids.  The
 * list is the engines model filtered by host, so rows come and go with it.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <glib/gi18n.h>

#include "loom-engine-group.h"
#include "loom-engine-row.h"

struct _LoomEngineGroup
{
  GtkWidget   parent_instance;

  GtkLabel   *title;
  GtkLabel   *subtitle;
  GtkLabel   *count;
  GtkListBox *list;

  char       *host;
  gboolean    is_local;
  GtkFilter  *filter;    /* by host */
  GListModel *engines;   /* the host's, sorted by id */
};

G_DEFINE_FINAL_TYPE (LoomEngineGroup, loom_engine_group, GTK_TYPE_WIDGET)

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  return loom_engine_row_new (item);
}

static gboolean
on_host (gpointer item,
         gpointer user_data)
{
  LoomEngineGroup *self = user_data;
  const char *host = loom_engine_info_get_host (item);

  return g_strcmp0 (host ? host : "", self->host) == 0;
}

static void
update_count (LoomEngineGroup *self)
{
  guint n = g_list_model_get_n_items (self->engines);
  guint alive = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LoomEngineInfo) info = g_list_model_get_item (self->engines, i);

      if (loom_engine_state_is_alive (loom_engine_info_get_state (info)))
        alive++;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u running", "%u of %u running", n), alive, n);
  gtk_label_set_text (self->count, text);
}

static void
loom_engine_group_dispose (GObject *object)
{
  LoomEngineGroup *self = (LoomEngineGroup *) object;
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), LOOM_TYPE_ENGINE_GROUP);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->engines);
  g_clear_object (&self->filter);
  g_clear_pointer (&self->host, g_free);

  G_OBJECT_CLASS (loom_engine_group_parent_class)->dispose (object);
}

static void
loom_engine_group_class_init (LoomEngineGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = loom_engine_group_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/loom/Loom/loom-engine-group.ui");
  gtk_widget_class_bind_template_child (widget_class, LoomEngineGroup, title);
  gtk_widget_class_bind_template_child (widget_class, LoomEngineGroup, subtitle);
  gtk_widget_class_bind_template_child (widget_class, LoomEngineGroup, count);
  gtk_widget_class_bind_template_child (widget_class, LoomEngineGroup, list);
}

static void
loom_engine_group_init (LoomEngineGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * loom_engine_group_new:
 * @engines: every engine of the cluster (#LoomEngineInfo)
 * @host: the host whose engines to show
 * @is_local: whether @host is this machine
 *
 * Returns: (transfer floating): a group
 */
GtkWidget *
loom_engine_group_new (GListModel *engines,
                       const char *host,
                       gboolean    is_local)
{
  LoomEngineGroup *self;
  GtkNumericSorter *sorter;
  GtkFilterListModel *filtered;

  g_return_val_if_fail (G_IS_LIST_MODEL (engines), NULL);
  g_return_val_if_fail (host != NULL, NULL);

  self = g_object_new (LOOM_TYPE_ENGINE_GROUP, NULL);
  self->host = g_strdup (host);
  self->is_local = is_local;

  self->filter = GTK_FILTER (gtk_custom_filter_new (on_host, self, NULL));
  filtered = gtk_filter_list_model_new (g_object_ref (engines), g_object_ref (self->filter));
  sorter = gtk_numeric_sorter_new (gtk_property_expression_new (LOOM_TYPE_ENGINE_INFO, NULL, "id"));
  self->engines = G_LIST_MODEL (gtk_sort_list_model_new (G_LIST_MODEL (filtered), GTK_SORTER (sorter)));

  gtk_label_set_text (self->title, *host ? host : _("Unknown host"));
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle), is_local);
  gtk_list_box_bind_model (self->list, self->engines, create_row, NULL, NULL);
  g_signal_connect_object (self->engines, "items-changed", G_CALLBACK (update_count), self, G_CONNECT_SWAPPED);
  update_count (self);
  return GTK_WIDGET (self);
}

/* An engine's state or host changed. */
void
loom_engine_group_refresh (LoomEngineGroup *self,
                           gboolean         hosts_changed)
{
  g_return_if_fail (LOOM_IS_ENGINE_GROUP (self));
  if (hosts_changed)
    gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
}

const char *
loom_engine_group_get_host (LoomEngineGroup *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_GROUP (self), NULL);
  return self->host;
}

gboolean
loom_engine_group_get_is_local (LoomEngineGroup *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_GROUP (self), FALSE);
  return self->is_local;
}

/**
 * loom_engine_group_get_engines:
 * @self: a #LoomEngineGroup
 *
 * Returns: (transfer none): the engines shown, sorted by id
 */
GListModel *
loom_engine_group_get_engines (LoomEngineGroup *self)
{
  g_return_val_if_fail (LOOM_IS_ENGINE_GROUP (self), NULL);
  return self->engines;
}
