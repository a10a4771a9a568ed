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

#define LOOM_ENGINE_DEFAULT_GRACE_MS 60000
#define LOOM_OUTPUT_CAP              LOOM_OUTPUT_LIMIT_DEFAULT

typedef struct
{
  gboolean  ok;
  char     *result;   /* JSON text of the result, or NULL for null */
  GString  *detail;   /* JSON object text: error, stdout, stderr, exit_status */
} LoomTaskOutcome;

/* What the engine shares with the task it runs and with its heartbeat
 * thread, which may abort that task: loom_engine_main() makes one and hands
 * it down to the task's code.  Every field is read and written atomically. */
typedef struct
{
  gint    job;           /* the job of the task being run, or 0 */
  gint    abort;         /* the task being run is to stop */
  gint    child;         /* the pid of the command being run, or 0 */
  gint64  clock_offset;  /* µs from this host's clock to the controller's */
} LoomRunContext;

/* Built-ins that take time poll this and return early. */
static inline gboolean
loom_run_context_abort_requested (LoomRunContext *ctx)
{
  return g_atomic_int_get (&ctx->abort) != 0;
}

/* A command says which process to kill if its job is aborted (0: none). */
static inline void
loom_run_context_set_child (LoomRunContext *ctx,
                            GPid            pid)
{
  g_atomic_int_set (&ctx->child, pid);
}

/* The controller's time, µs since the epoch, as this host best knows it. */
static inline gint64
loom_run_context_now (LoomRunContext *ctx)
{
  return g_get_real_time () + __atomic_load_n (&ctx->clock_offset, __ATOMIC_RELAXED);
}

gboolean  loom_engine_allow_plugin_dir (const char     *dir,
                                        GError        **error);
void      loom_engine_allow_own_plugins (gboolean       allow);
void      loom_engine_allow_commands    (gboolean       allow);

int       loom_engine_main           (const char       *connection_file,
                                      guint             grace_ms,
                                      const char       *log_path);

/* Runs one task on the calling thread; used by the engine's worker. */
void      loom_engine_execute        (LoomRunContext   *ctx,
                                      JsonObject       *spec,
                                      GBytes           *params,
                                      LoomTaskOutcome  *outcome);

gboolean  loom_builtin_run           (LoomRunContext   *ctx,
                                      const char       *name,
                                      JsonNode         *params,
                                      GBytes           *params_text,
                                      char            **result,
                                      GError          **error);

void      loom_command_run           (LoomRunContext   *ctx,
                                      JsonObject       *spec,
                                      JsonNode         *params,
                                      LoomTaskOutcome  *outcome);

void      loom_kill_process_group    (GPid              pid);

void      loom_outcome_set_error     (LoomTaskOutcome  *outcome,
                                      const char       *type,
                                      const char       *message);

G_END_DECLS
