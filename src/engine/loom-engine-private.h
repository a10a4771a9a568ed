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

#include "loom-wire-private.h"

G_BEGIN_DECLS

#define LOOM_ENGINE_DEFAULT_GRACE_MS 60000
#define LOOM_OUTPUT_CAP              LOOM_OUTPUT_LIMIT_DEFAULT

typedef struct
{
  gboolean  ok;
  gboolean  timed_out; /* ended by its timeout: status "timeout" */
  char     *result;   /* JSON text of the result, or NULL for null */
  GString  *detail;   /* JSON object text: error, stdout, stderr, exit_status */
} LoomTaskOutcome;

/* What the engine shares with the task it runs and with its heartbeat
 * thread, which may abort that task: loom_engine_main() makes one and hands
 * it down to the task's code.  Every field is read and written atomically. */
typedef struct
{
  gint    job;           /* the job of the task being run, or 0 */
  gint    index;         /* and that task's index and attempt */
  gint    attempt;
  gint    abort;         /* the task being run is to stop */
  gint    child;         /* the pid of the command being run, or 0 */
  gint    timed_out;     /* the heartbeat thread killed the command for its timeout */
  gint    is_command;    /* the task is a command: killing its child stops it */
  gint64  clock_offset;  /* µs from this host's clock to the controller's */
  gint64  started;       /* the task's start, controller's clock */
  gint64  started_mono;  /* and on the monotonic clock */
  gint64  timeout_us;    /* the task's timeout, or 0 */
  gint64  abort_at;      /* monotonic time the abort came, or 0 */
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

/* The highest engine id an engine may ask for: the controller's table
 * holds 65536 (CTL_MAX_ENGINE_ID). */
#define LOOM_ENGINE_ID_MAX 65535

/* Where an engine came from and how it reaches its controller, from its
 * options and the environment its launcher gave it. */
typedef struct
{
  const char *connection_file;    /* the engines' connection file, or */
  const char *connection_data;    /* its JSON (LOOM_CONNECTION, --connection -) */
  const char *connection_origin;  /* where that came from, for messages */
  guint       grace_ms;           /* how long a controller may fall silent */
  guint       wait_ms;            /* --wait: how long to wait for one not there yet */
  const char *log_path;           /* nullable: where its output goes */
  gint        wanted_id;          /* the id to ask for (its rank), or -1 */
  const char *launcher;           /* nullable: LOOM_LAUNCHER (local, ssh, slurm, …) */
  const char *job_id;             /* nullable: the launcher's job */
} LoomEngineSetup;

int       loom_engine_main           (const LoomEngineSetup *setup);

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

/* loom-engine-faults.c: the heartbeat thread's side. */

G_NORETURN
void      loom_engine_stop_process   (LoomRunContext   *run,
                                      LoomWire         *wire,
                                      void             *sock,
                                      const char       *goodbye,
                                      int               status);
void      loom_engine_check_running_task (LoomRunContext *run,
                                          gint64          aborted_job,
                                          LoomWire       *wire,
                                          void           *sock);
void      loom_engine_install_fatal_signal_handlers (void);
gboolean  loom_engine_fatal_signal_caught (void);
G_NORETURN
void      loom_engine_report_fatal_signal (LoomWire *wire,
                                           void     *sock);
char     *loom_timeout_message       (LoomRunContext   *ctx);

void      loom_outcome_set_error     (LoomTaskOutcome  *outcome,
                                      const char       *type,
                                      const char       *message);

G_END_DECLS
