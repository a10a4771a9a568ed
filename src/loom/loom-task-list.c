/* loom-task-list.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A job's tasks as a GListModel for the tasks view, made lazily: an item
 * exists once the view (or a sorter) asks for it, and it copies its task's
 * metadata from the LoomAsyncResult, and parses its parameters line, only
 * when a cell needs them.  Selecting a job of a million tasks costs an
 * index of its parameter lines, not a million copies; a task that starts
 * or finishes drops its item's copy and tells the view its row changed.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include "loom-json-private.h"
#include "loom-task-list.h"

struct _LoomTaskItem
{
  GObject          parent_instance;

  LoomAsyncResult *result;
  GBytes          *params;     /* the job's parameter lines */
  gsize            line_start;
  gsize            line_len;
  guint            index;
  gint64           t0;
  LoomTaskInfo    *info;       /* copied when asked, dropped on change */
  JsonObject      *object;     /* parsed when asked */
  gboolean         parsed;
};

G_DEFINE_FINAL_TYPE (LoomTaskItem, loom_task_item, G_TYPE_OBJECT)

static void
loom_task_item_finalize (GObject *object)
{
  LoomTaskItem *self = (LoomTaskItem *) object;

  g_clear_pointer (&self->info, loom_task_info_free);
  g_clear_pointer (&self->object, json_object_unref);
  g_clear_pointer (&self->params, g_bytes_unref);
  g_clear_object (&self->result);

  G_OBJECT_CLASS (loom_task_item_parent_class)->finalize (object);
}

static void
loom_task_item_class_init (LoomTaskItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_task_item_finalize;
}

static void
loom_task_item_init (LoomTaskItem *self)
{
}

guint
loom_task_item_get_index (LoomTaskItem *self)
{
  g_return_val_if_fail (LOOM_IS_TASK_ITEM (self), 0);
  return self->index;
}

/**
 * loom_task_item_get_t0:
 * @self: a #LoomTaskItem
 *
 * Returns: where the job's times count from, µs since the epoch
 */
gint64
loom_task_item_get_t0 (LoomTaskItem *self)
{
  g_return_val_if_fail (LOOM_IS_TASK_ITEM (self), 0);
  return self->t0;
}

/**
 * loom_task_item_get_info:
 * @self: a #LoomTaskItem
 *
 * Returns: (transfer none): the task's metadata as it is now
 */
const LoomTaskInfo *
loom_task_item_get_info (LoomTaskItem *self)
{
  g_return_val_if_fail (LOOM_IS_TASK_ITEM (self), NULL);

  if (self->info == NULL)
    self->info = loom_async_result_get_task_info (self->result, self->index);
  return self->info;
}

/**
 * loom_task_item_get_params:
 * @self: a #LoomTaskItem
 *
 * Returns: (transfer none) (nullable): the task's parameters
 */
JsonObject *
loom_task_item_get_params (LoomTaskItem *self)
{
  g_return_val_if_fail (LOOM_IS_TASK_ITEM (self), NULL);

  if (!self->parsed && self->params != NULL)
    {
      const char *data = (const char *) g_bytes_get_data (self->params, NULL) + self->line_start;
      g_autofree char *line = g_strndup (data, self->line_len);
      g_autoptr(JsonNode) node = loom_json_from_data (line, -1, NULL);

      if (node && JSON_NODE_HOLDS_OBJECT (node))
        self->object = json_object_ref (json_node_get_object (node));
    }
  self->parsed = TRUE;
  return self->object;
}

struct _LoomTaskList
{
  GObject          parent_instance;

  LoomAsyncResult *result;
  GBytes          *params;
  GArray          *lines;      /* gsize: start of each parameter line, and the end */
  GPtrArray       *items;      /* LoomTaskItem or NULL, by index */
  gint64           t0;
};

/* Items not made yet are NULL. */
static void
unref_made_item (gpointer data)
{
  if (data != NULL)
    g_object_unref (data);
}

static GType
loom_task_list_get_item_type (GListModel *model)
{
  return LOOM_TYPE_TASK_ITEM;
}

static guint
loom_task_list_get_n_items (GListModel *model)
{
  return LOOM_TASK_LIST (model)->items->len;
}

static gpointer
loom_task_list_get_item (GListModel *model,
                         guint       position)
{
  LoomTaskList *self = LOOM_TASK_LIST (model);
  LoomTaskItem *item;

  if (position >= self->items->len)
    return NULL;

  /* Made once and kept: selections compare items by pointer. */
  if (!(item = g_ptr_array_index (self->items, position)))
    {
      item = g_object_new (LOOM_TYPE_TASK_ITEM, NULL);
      item->result = g_object_ref (self->result);
      item->index = position;
      item->t0 = self->t0;
      if (self->params && position + 1 < self->lines->len)
        {
          gsize start = g_array_index (self->lines, gsize, position);
          gsize end = g_array_index (self->lines, gsize, position + 1);

          item->params = g_bytes_ref (self->params);
          item->line_start = start;
          item->line_len = end > start ? end - start - 1 : 0;   /* without its newline */
        }
      g_ptr_array_index (self->items, position) = item;
    }
  return g_object_ref (item);
}

static void
loom_task_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = loom_task_list_get_item_type;
  iface->get_n_items = loom_task_list_get_n_items;
  iface->get_item = loom_task_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomTaskList, loom_task_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, loom_task_list_model_init))

static void
loom_task_list_finalize (GObject *object)
{
  LoomTaskList *self = (LoomTaskList *) object;

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->lines, g_array_unref);
  g_clear_pointer (&self->params, g_bytes_unref);
  g_clear_object (&self->result);

  G_OBJECT_CLASS (loom_task_list_parent_class)->finalize (object);
}

static void
loom_task_list_class_init (LoomTaskListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_task_list_finalize;
}

static void
loom_task_list_init (LoomTaskList *self)
{
}

/**
 * loom_task_list_new:
 * @result: the job
 * @params: (nullable): its parameters, one JSON object a line
 * @t0: where its times count from, µs since the epoch
 *
 * Returns: (transfer full): the job's tasks, one item per task in index order
 */
LoomTaskList *
loom_task_list_new (LoomAsyncResult *result,
                    GBytes          *params,
                    gint64           t0)
{
  LoomTaskList *self;
  guint n;

  g_return_val_if_fail (LOOM_IS_ASYNC_RESULT (result), NULL);

  self = g_object_new (LOOM_TYPE_TASK_LIST, NULL);
  self->result = g_object_ref (result);
  self->t0 = t0;
  n = loom_async_result_get_n_tasks (result);
  self->items = g_ptr_array_new_full (n, unref_made_item);
  g_ptr_array_set_size (self->items, n);
  self->lines = g_array_new (FALSE, FALSE, sizeof (gsize));

  /* Where each line starts (and, last, the end as if a newline followed):
   * a line is parsed when its task's row shows. */
  if (params != NULL)
    {
      gsize size, at = 0;
      const char *data = g_bytes_get_data (params, &size);

      self->params = g_bytes_ref (params);
      while (at < size)
        {
          const char *nl = memchr (data + at, '\n', size - at);

          g_array_append_val (self->lines, at);
          at = nl ? (gsize) (nl - data) + 1 : size + 1;
        }
      g_array_append_val (self->lines, at);
    }
  return self;
}

/**
 * loom_task_list_task_changed:
 * @self: a #LoomTaskList
 * @index: a task that started or finished
 *
 * Its row shows the task as it is now.
 */
void
loom_task_list_task_changed (LoomTaskList *self,
                             guint         index)
{
  LoomTaskItem *item;

  g_return_if_fail (LOOM_IS_TASK_LIST (self));

  if (index >= self->items->len)
    return;
  if ((item = g_ptr_array_index (self->items, index)))
    g_clear_pointer (&item->info, loom_task_info_free);
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 1);
}
