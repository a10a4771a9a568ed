/* loom-job-row.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A row of the jobs list: the job's title, progress and counts, bound to
 * its LoomJob, and buttons that activate the window's per-job actions
 * (win.run-job, win.abort-job, win.export-job) with the job's id.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include "loom-job-row.h"

struct _LoomJobRow
{
  GtkListBoxRow  parent_instance;

  LoomJob       *job;
};

G_DEFINE_FINAL_TYPE (LoomJobRow, loom_job_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_JOB,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The target of the per-job actions. */
static GVariant *
job_target (LoomJobRow *self,
            guint       id)
{
  return g_variant_new_uint32 (id);
}

static gboolean
running (LoomJobRow *self,
         gboolean    ready)
{
  return !ready;
}

/* The export menu's items name a format; the window's action takes the
 * job too. */
static void
export_action (GtkWidget  *widget,
               const char *action,
               GVariant   *parameter)
{
  LoomJobRow *self = LOOM_JOB_ROW (widget);

  if (self->job != NULL)
    gtk_widget_activate_action (widget, "win.export-job", "(us)",
                                loom_job_get_id (self->job), g_variant_get_string (parameter, NULL));
}

static void
loom_job_row_dispose (GObject *object)
{
  LoomJobRow *self = (LoomJobRow *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), LOOM_TYPE_JOB_ROW);
  g_clear_object (&self->job);

  G_OBJECT_CLASS (loom_job_row_parent_class)->dispose (object);
}

static void
loom_job_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LoomJobRow *self = LOOM_JOB_ROW (object);

  switch (prop_id)
    {
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_job_row_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LoomJobRow *self = LOOM_JOB_ROW (object);

  switch (prop_id)
    {
    case PROP_JOB:
      if (g_set_object (&self->job, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_job_row_class_init (LoomJobRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = loom_job_row_dispose;
  object_class->get_property = loom_job_row_get_property;
  object_class->set_property = loom_job_row_set_property;

  properties[PROP_JOB] =
    g_param_spec_object ("job", NULL, NULL, LOOM_TYPE_JOB,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/loom/Loom/loom-job-row.ui");
  gtk_widget_class_bind_template_callback (widget_class, job_target);
  gtk_widget_class_bind_template_callback (widget_class, running);

  gtk_widget_class_install_action (widget_class, "job.export", "s", export_action);
}

static void
loom_job_row_init (LoomJobRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
loom_job_row_new (LoomJob *job)
{
  g_return_val_if_fail (LOOM_IS_JOB (job), NULL);

  return g_object_new (LOOM_TYPE_JOB_ROW, "job", job, NULL);
}

/**
 * loom_job_row_get_job:
 * @self: a #LoomJobRow
 *
 * Returns: (transfer none): the job the row shows
 */
LoomJob *
loom_job_row_get_job (LoomJobRow *self)
{
  g_return_val_if_fail (LOOM_IS_JOB_ROW (self), NULL);
  return self->job;
}
