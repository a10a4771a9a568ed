/* loom-local-launcher.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Engines on this machine: what `loomctl cluster start` and the app have
 * always done, behind the launcher interface.  It remembers each engine by
 * its pid and the time that process started, so a launcher read back in
 * another process never signals a stranger that got the pid since.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <signal.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "loom-connection-private.h"
#include "loom-error.h"
#include "loom-launcher-private.h"
#include "loom-launcher-registry-private.h"

#define STOP_GRACE_USEC (3 * G_USEC_PER_SEC)

typedef struct
{
  gint64   pid;
  guint64  start_time;   /* loom_pid_start_time() */
} LocalEngine;

struct _LoomLocalLauncher
{
  LoomLauncher  parent_instance;

  GArray       *engines;   /* LocalEngine */
  GPtrArray    *children;  /* GSubprocess: those this process started */
  gboolean      detach;
};

G_DEFINE_FINAL_TYPE (LoomLocalLauncher, loom_local_launcher, LOOM_TYPE_LAUNCHER)

/* Still the process we started? */
static gboolean
local_engine_alive (const LocalEngine *engine)
{
  return engine->start_time != 0 && loom_pid_start_time (engine->pid) == engine->start_time;
}

static gboolean
loom_local_launcher_start (LoomLauncher  *launcher,
                           guint          n_engines,
                           GError       **error)
{
  LoomLocalLauncher *self = LOOM_LOCAL_LAUNCHER (launcher);
  g_autoptr(GPtrArray) started = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) args = loom_launcher_get_engine_argv (launcher, "loom-engine");
  g_autofree char *launcher_env = g_strconcat ("LOOM_LAUNCHER=", loom_launcher_get_name (launcher), NULL);
  const char *environ[] = { launcher_env, NULL };
  LoomEngineLaunch launch = {
    .connection_file = loom_launcher_get_connection_file (launcher),
    .log_dir = loom_launcher_get_log_dir (launcher),
    .detached = self->detach,
    /* What follows the program's name. */
    .extra_args = (const char * const *) args + 1,
    .environ = environ,
  };

  if (launch.connection_file == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER, _("The local launcher has no cluster to start engines for"));
      return FALSE;
    }

  if (!loom_launch_engines (&launch, n_engines, started, error))
    {
      for (guint i = 0; i < started->len; i++)
        g_subprocess_force_exit (g_ptr_array_index (started, i));
      return FALSE;
    }

  for (guint i = 0; i < started->len; i++)
    {
      GSubprocess *proc = g_ptr_array_index (started, i);
      const char *id = g_subprocess_get_identifier (proc);
      LocalEngine engine = { .pid = id ? g_ascii_strtoll (id, NULL, 10) : 0 };

      engine.start_time = loom_pid_start_time (engine.pid);
      g_array_append_val (self->engines, engine);
      g_ptr_array_add (self->children, g_object_ref (proc));
    }
  return TRUE;
}

static GSubprocess *
find_child (LoomLocalLauncher *self,
            gint64             pid)
{
  for (guint i = 0; i < self->children->len; i++)
    {
      GSubprocess *proc = g_ptr_array_index (self->children, i);
      const char *id = g_subprocess_get_identifier (proc);

      if (id != NULL && g_ascii_strtoll (id, NULL, 10) == pid)
        return proc;
    }
  return NULL;
}

static gboolean
loom_local_launcher_send_signal (LoomLauncher  *launcher,
                                 int            signum,
                                 GError       **error)
{
  LoomLocalLauncher *self = LOOM_LOCAL_LAUNCHER (launcher);

  for (guint i = 0; i < self->engines->len; i++)
    {
      const LocalEngine *engine = &g_array_index (self->engines, LocalEngine, i);
      GSubprocess *child = find_child (self, engine->pid);

      if (child != NULL)
        g_subprocess_send_signal (child, signum);
      else if (local_engine_alive (engine))
        kill ((pid_t) engine->pid, signum);
    }
  return TRUE;
}

static guint
loom_local_launcher_poll (LoomLauncher *launcher,
                          guint        *n_pending)
{
  LoomLocalLauncher *self = LOOM_LOCAL_LAUNCHER (launcher);
  guint running = 0;

  for (guint i = 0; i < self->engines->len; i++)
    {
      const LocalEngine *engine = &g_array_index (self->engines, LocalEngine, i);
      GSubprocess *child = find_child (self, engine->pid);

      /* Our own children are reaped by GLib's worker thread: their
       * identifier goes once they exit. */
      if (child != NULL || (self->children->len == 0 && local_engine_alive (engine)))
        running++;
    }
  *n_pending = 0;
  return running;
}

static void
loom_local_launcher_stop (LoomLauncher *launcher)
{
  LoomLocalLauncher *self = LOOM_LOCAL_LAUNCHER (launcher);
  gint64 deadline;
  guint n_pending;

  loom_local_launcher_send_signal (launcher, SIGTERM, NULL);

  deadline = g_get_monotonic_time () + STOP_GRACE_USEC;
  while (loom_local_launcher_poll (launcher, &n_pending) > 0 && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);

  if (loom_local_launcher_poll (launcher, &n_pending) > 0)
    loom_local_launcher_send_signal (launcher, SIGKILL, NULL);
  for (guint i = 0; i < self->children->len; i++)
    g_subprocess_wait (g_ptr_array_index (self->children, i), NULL, NULL);

  g_array_set_size (self->engines, 0);
  g_ptr_array_set_size (self->children, 0);
}

static char *
loom_local_launcher_get_output (LoomLauncher *launcher)
{
  LoomLocalLauncher *self = LOOM_LOCAL_LAUNCHER (launcher);
  const char *log_dir = loom_launcher_get_log_dir (launcher);
  GString *output = g_string_new (NULL);

  /* Each engine writes engine-PID.log in the log directory. */
  for (guint i = 0; log_dir != NULL && i < self->engines->len; i++)
    {
      const LocalEngine *engine = &g_array_index (self->engines, LocalEngine, i);
      g_autofree char *name = g_strdup_printf ("engine-%" G_GINT64_FORMAT ".log", engine->pid);
      g_autofree char *path = g_build_filename (log_dir, name, NULL);
      g_autofree char *contents = NULL;

      /* Named even when empty: the reader learns where to look. */
      if (g_file_get_contents (path, &contents, NULL, NULL))
        g_string_append_printf (output, "==> %s <==\n%s%s", path, contents,
                                *contents == '\0' || g_str_has_suffix (contents, "\n") ? "" : "\n");
    }
  return g_string_free (output, FALSE);
}

static gboolean
loom_local_launcher_set_option (LoomLauncher  *launcher,
                                const char    *name,
                                const char    *value,
                                GError       **error)
{
  LoomLocalLauncher *self = LOOM_LOCAL_LAUNCHER (launcher);

  /* detach: the engines get a session of their own and outlive the
   * program that started them (Ctrl+C in its terminal does not reach
   * them). */
  if (g_strcmp0 (name, "detach") == 0)
    {
      if (g_strcmp0 (value, "yes") != 0 && g_strcmp0 (value, "no") != 0)
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("The local launcher's option detach takes yes or no, got “%s”"), value);
          return FALSE;
        }
      self->detach = g_strcmp0 (value, "yes") == 0;
      return TRUE;
    }

  return LOOM_LAUNCHER_CLASS (loom_local_launcher_parent_class)->set_option (launcher, name, value, error);
}

static void
loom_local_launcher_save_state (LoomLauncher *launcher,
                                JsonBuilder  *builder)
{
  LoomLocalLauncher *self = LOOM_LOCAL_LAUNCHER (launcher);

  json_builder_set_member_name (builder, "engines");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->engines->len; i++)
    {
      const LocalEngine *engine = &g_array_index (self->engines, LocalEngine, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "pid");
      json_builder_add_int_value (builder, engine->pid);
      json_builder_set_member_name (builder, "start_time");
      json_builder_add_int_value (builder, (gint64) engine->start_time);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static gboolean
loom_local_launcher_load_state (LoomLauncher  *launcher,
                                JsonObject    *state,
                                GError       **error)
{
  LoomLocalLauncher *self = LOOM_LOCAL_LAUNCHER (launcher);
  JsonNode *member = json_object_get_member (state, "engines");
  JsonArray *engines;

  if (member == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (member))
    goto invalid;
  engines = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (engines); i++)
    {
      JsonNode *node = json_array_get_element (engines, i);
      JsonObject *object;
      LocalEngine engine;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        goto invalid;
      object = json_node_get_object (node);
      engine.pid = json_object_get_int_member_with_default (object, "pid", 0);
      engine.start_time = (guint64) json_object_get_int_member_with_default (object, "start_time", 0);
      if (engine.pid <= 0)
        goto invalid;
      g_array_append_val (self->engines, engine);
    }
  return TRUE;

invalid:
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("Not a local launcher's saved state: its engines are not pids"));
  return FALSE;
}

static gboolean
loom_local_launcher_is_remote (LoomLauncher *launcher)
{
  return FALSE;
}

static void
loom_local_launcher_finalize (GObject *object)
{
  LoomLocalLauncher *self = (LoomLocalLauncher *) object;

  g_clear_pointer (&self->engines, g_array_unref);
  g_clear_pointer (&self->children, g_ptr_array_unref);

  G_OBJECT_CLASS (loom_local_launcher_parent_class)->finalize (object);
}

static void
loom_local_launcher_class_init (LoomLocalLauncherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LoomLauncherClass *launcher_class = LOOM_LAUNCHER_CLASS (klass);

  object_class->finalize = loom_local_launcher_finalize;

  launcher_class->start = loom_local_launcher_start;
  launcher_class->stop = loom_local_launcher_stop;
  launcher_class->send_signal = loom_local_launcher_send_signal;
  launcher_class->poll = loom_local_launcher_poll;
  launcher_class->get_output = loom_local_launcher_get_output;
  launcher_class->set_option = loom_local_launcher_set_option;
  launcher_class->save_state = loom_local_launcher_save_state;
  launcher_class->load_state = loom_local_launcher_load_state;
  launcher_class->is_remote = loom_local_launcher_is_remote;
}

static void
loom_local_launcher_init (LoomLocalLauncher *self)
{
  self->engines = g_array_new (FALSE, FALSE, sizeof (LocalEngine));
  self->children = g_ptr_array_new_with_free_func (g_object_unref);
}

/* The pids (GPid) of the engines started that still run. */
GArray *
loom_local_launcher_get_pids (LoomLocalLauncher *self)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));

  for (guint i = 0; i < self->engines->len; i++)
    {
      const LocalEngine *engine = &g_array_index (self->engines, LocalEngine, i);
      GSubprocess *child = find_child (self, engine->pid);

      if (child != NULL || (self->children->len == 0 && local_engine_alive (engine)))
        {
          GPid pid = (GPid) engine->pid;
          g_array_append_val (pids, pid);
        }
    }
  return pids;
}
