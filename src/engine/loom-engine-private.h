/* loom-engine-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The engine runtime: what loom-engine runs.  Exposed to the tree (not
 * installed) so the daemon stays a thin main.
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LOOM_ENGINE_DEFAULT_GRACE_MS 5000
#define LOOM_OUTPUT_CAP              (1024 * 1024)

typedef struct
{
  gboolean  ok;
  char     *result;   /* JSON text of the result, or NULL for null */
  GString  *detail;   /* JSON object text: error, stdout, stderr, exit_status */
} LoomTaskOutcome;

int       loom_engine_main           (const char       *connection_file,
                                      guint             grace_ms,
                                      const char       *log_path);

/* Runs one task on the calling thread; used by the engine's worker. */
void      loom_engine_execute        (JsonObject       *spec,
                                      GBytes           *params,
                                      gint64            clock_offset,
                                      LoomTaskOutcome  *outcome);

gboolean  loom_builtin_run           (const char       *name,
                                      JsonNode         *params,
                                      GBytes           *params_text,
                                      gint64            clock_offset,
                                      char            **result,
                                      GError          **error);

void      loom_command_run           (JsonObject       *spec,
                                      JsonNode         *params,
                                      LoomTaskOutcome  *outcome);


void      loom_engine_set_running_child (GPid           pid);
gboolean  loom_engine_abort_requested   (void);
void      loom_kill_process_group       (GPid            pid);

void      loom_outcome_set_error     (LoomTaskOutcome  *outcome,
                                      const char       *type,
                                      const char       *message);

G_END_DECLS
