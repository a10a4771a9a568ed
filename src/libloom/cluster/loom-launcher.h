/* loom-launcher.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "loom-client.h"
#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_TYPE_LAUNCHER (loom_launcher_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (LoomLauncher, loom_launcher, LOOM, LAUNCHER, GObject)

/**
 * LoomLauncherClass:
 * @parent_class: the parent class
 * @start: starts @n_engines more engines; the engines' command line is
 *   loom_launcher_get_engine_argv(), their environment
 *   loom_launcher_get_engine_environ()
 * @stop: stops every engine this launcher started (cancels jobs, kills
 *   process groups) and returns once nothing is left, as far as it can tell
 * @send_signal: sends @signum to every engine this launcher started
 * @poll: counts the engines that run, and those still waiting (in a
 *   queue, say) in @n_pending
 * @get_output: what the launching commands and the engines printed, as far
 *   as the launcher can fetch it
 * @set_option: takes one option of this launcher (see loom_launcher_set_option())
 * @save_state: adds what the launcher started to @builder, inside an
 *   object, so that load_state can find it again
 * @load_state: takes back what save_state wrote
 * @is_remote: whether the engines may run on other hosts (they then need
 *   an address other hosts can reach)
 *
 * The virtual methods of a launcher.  The base class keeps the common
 * settings (the connection file, the engines' extra arguments, the log
 * directory) and serialises them; subclasses keep what they started.
 */
struct _LoomLauncherClass
{
  GObjectClass parent_class;

  gboolean (*start)       (LoomLauncher  *self,
                           guint          n_engines,
                           GError       **error);
  void     (*stop)        (LoomLauncher  *self);
  gboolean (*send_signal) (LoomLauncher  *self,
                           int            signum,
                           GError       **error);
  guint    (*poll)        (LoomLauncher  *self,
                           guint         *n_pending);
  char    *(*get_output)  (LoomLauncher  *self);
  gboolean (*set_option)  (LoomLauncher  *self,
                           const char    *name,
                           const char    *value,
                           GError       **error);
  void     (*save_state)  (LoomLauncher  *self,
                           JsonBuilder   *builder);
  gboolean (*load_state)  (LoomLauncher  *self,
                           JsonObject    *state,
                           GError       **error);
  gboolean (*is_remote)   (LoomLauncher  *self);

  /*< private >*/
  gpointer _reserved[8];
};

LOOM_AVAILABLE_IN_ALL
LoomLauncher  *loom_launcher_new                (const char          *name,
                                                 GError             **error);
LOOM_AVAILABLE_IN_ALL
char         **loom_launcher_list_names         (void);
LOOM_AVAILABLE_IN_ALL
const char    *loom_launcher_get_name           (LoomLauncher        *self);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_launcher_set_option         (LoomLauncher        *self,
                                                 const char          *name,
                                                 const char          *value,
                                                 GError             **error);
LOOM_AVAILABLE_IN_ALL
void           loom_launcher_set_connection_file (LoomLauncher       *self,
                                                  const char         *path);
LOOM_AVAILABLE_IN_ALL
const char    *loom_launcher_get_connection_file (LoomLauncher       *self);
LOOM_AVAILABLE_IN_ALL
void           loom_launcher_set_log_dir        (LoomLauncher        *self,
                                                 const char          *log_dir);
LOOM_AVAILABLE_IN_ALL
const char    *loom_launcher_get_log_dir        (LoomLauncher        *self);
LOOM_AVAILABLE_IN_ALL
void           loom_launcher_set_engine_args    (LoomLauncher        *self,
                                                 const char * const  *args);
LOOM_AVAILABLE_IN_ALL
char         **loom_launcher_get_engine_argv    (LoomLauncher        *self,
                                                 const char          *engine_path);
LOOM_AVAILABLE_IN_ALL
char         **loom_launcher_get_engine_environ (LoomLauncher        *self,
                                                 const char          *job_id,
                                                 GError             **error);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_launcher_is_remote          (LoomLauncher        *self);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_launcher_start              (LoomLauncher        *self,
                                                 guint                n_engines,
                                                 GError             **error);
LOOM_AVAILABLE_IN_ALL
void           loom_launcher_stop               (LoomLauncher        *self);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_launcher_signal             (LoomLauncher        *self,
                                                 int                  signum,
                                                 GError             **error);
LOOM_AVAILABLE_IN_ALL
guint          loom_launcher_poll               (LoomLauncher        *self,
                                                 guint               *n_pending);
LOOM_AVAILABLE_IN_ALL
guint          loom_launcher_get_n_started      (LoomLauncher        *self);
LOOM_AVAILABLE_IN_ALL
char          *loom_launcher_get_output         (LoomLauncher        *self);
LOOM_AVAILABLE_IN_ALL
JsonNode      *loom_launcher_serialize          (LoomLauncher        *self);
LOOM_AVAILABLE_IN_ALL
LoomLauncher  *loom_launcher_deserialize        (JsonNode            *node,
                                                 GError             **error);

LOOM_AVAILABLE_IN_ALL
gboolean       loom_launcher_wait_for_engines   (LoomLauncher        *self,
                                                 LoomClient          *client,
                                                 guint                expected,
                                                 double               timeout,
                                                 GError             **error);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_launcher_record             (LoomLauncher        *self,
                                                 const char          *profile,
                                                 GError             **error);
LOOM_AVAILABLE_IN_ALL
GPtrArray     *loom_launcher_load_recorded      (const char          *profile,
                                                 GError             **error);
LOOM_AVAILABLE_IN_ALL
void           loom_launcher_forget_recorded    (const char          *profile);

G_END_DECLS
