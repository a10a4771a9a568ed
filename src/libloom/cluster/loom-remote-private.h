/* loom-remote-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the launchers that start engines elsewhere share: the options every
 * one of them takes (engine-path, connection, env), the shell words that
 * start one engine with its connection in the environment, and running a
 * command (ssh, sbatch, qsub…) to its end.
 */

#pragma once

#include <gio/gio.h>

#include "loom-launcher.h"

G_BEGIN_DECLS

/* How long a launching command (ssh, sbatch…) may take. */
#define LOOM_LAUNCHER_COMMAND_TIMEOUT_S 60

typedef struct
{
  char      *engine_path;   /* nullable: the launcher's default */
  gboolean   via_env;       /* connection=env: LOOM_CONNECTION only */
  GPtrArray *env;           /* NAME=VALUE, from the env option */
} LoomRemoteOptions;

/* A job a batch system runs engines in (Slurm's, a template's). */
typedef struct
{
  char  *id;
  guint  n;               /* engines */
} LoomBatchJob;

/* An empty GArray of LoomBatchJob that frees their ids. */
GArray    *loom_batch_jobs_new           (void);
/* The member "jobs" of a launcher's saved state, and back: each job
 * must have an id @id_valid accepts. */
void       loom_batch_jobs_save          (GArray              *jobs,
                                          JsonBuilder         *builder);
gboolean   loom_batch_jobs_load          (GArray              *jobs,
                                          JsonObject          *state,
                                          gboolean           (*id_valid) (const char *id));

void       loom_remote_options_init      (LoomRemoteOptions   *options);
void       loom_remote_options_clear     (LoomRemoteOptions   *options);
/* TRUE with *handled set when @name is one of the common options. */
gboolean   loom_remote_options_set       (LoomRemoteOptions   *options,
                                          LoomLauncher        *launcher,
                                          const char          *name,
                                          const char          *value,
                                          gboolean            *handled,
                                          GError             **error);

/* The engines' environment (LOOM_CONNECTION, LOOM_LAUNCHER,
 * LOOM_LAUNCH_JOB when @job_id is set, then the env option's), as
 * NAME=VALUE strings. */
char     **loom_remote_engine_environ    (LoomLauncher        *launcher,
                                          LoomRemoteOptions   *options,
                                          const char          *job_id,
                                          GError             **error);
/* `export NAME='VALUE'` lines for sh. */
char      *loom_remote_exports           (const char * const  *environ);
/* The shell command that runs one engine, its connection in the
 * environment: handed on stdin (`--connection /dev/stdin`: works with
 * every engine, nothing written to disk) or, with connection=env, left to
 * the engine to read from LOOM_CONNECTION.  @exec_form: `exec` and a
 * here-document, for `sh -c` and job scripts (ends with a newline); else
 * a pipeline that can take redirections and `&` after it. */
char      *loom_remote_engine_command    (LoomLauncher        *launcher,
                                          LoomRemoteOptions   *options,
                                          const char          *default_engine,
                                          gboolean             exec_form);
/* @argv run to its end, @input on its stdin, with @environ added to this
 * process's environment; stdout in @out.  A failure (exit status not 0)
 * says what the command printed on stderr. */
gboolean   loom_remote_run               (const char * const  *argv,
                                          const char * const  *environ,
                                          const char          *input,
                                          char               **out,
                                          GError             **error);
/* The same, and the exit status instead of failing on one not 0. */
gboolean   loom_remote_run_status        (const char * const  *argv,
                                          const char * const  *environ,
                                          const char          *input,
                                          char               **out,
                                          char               **err,
                                          int                 *status,
                                          GError             **error);
GSubprocessLauncher *loom_remote_subprocess_launcher (const char * const *environ,
                                                      GSubprocessFlags    flags);
/* A file's tail, for get_output. */
char      *loom_remote_file_tail         (const char          *path,
                                          gsize                max_bytes);
const char *loom_remote_signal_name      (int                  signum);

G_END_DECLS

G_BEGIN_DECLS
/* The launcher's log directory (made 0700 if missing), or one of the
 * user's state directory when none was set. */
char      *loom_remote_log_dir           (LoomLauncher        *launcher,
                                          GError             **error);
/* Writes a job script (0700: it is run, and may hold the environment). */
gboolean   loom_remote_write_script      (const char          *path,
                                          const char          *contents,
                                          GError             **error);
G_END_DECLS
