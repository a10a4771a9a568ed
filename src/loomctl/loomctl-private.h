/* loomctl-private.h: what the command groups of loomctl share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every command starts with loomctl_prologue(): its options (and the
 * common --profile and --json, through LOOMCTL_PROFILE_OPTION and
 * LOOMCTL_JSON_OPTION), the profile's check, its one numeric argument and
 * the connection to the profile's cluster, each when the command asks.
 */

#pragma once

#include <gio/gio.h>

#include <glib/gi18n.h>

#include "loom.h"
#include "loom-enum-private.h"

G_BEGIN_DECLS

/* Exit codes, as the README and loomctl(1) list them.  1 means tasks
 * failed and nothing else. */
enum {
  EXIT_OK = 0,
  EXIT_TASKS_FAILED = 1,      /* some tasks did not succeed */
  EXIT_USAGE = 2,             /* usage or input error; nothing ran */
  EXIT_NO_CLUSTER = 3,        /* no cluster, no connection, or it could not start */
  EXIT_TIMEOUT = 4,           /* --timeout passed; the job goes on */
  EXIT_ALREADY_RUNNING = 5,   /* cluster start: the profile has a running cluster */
  EXIT_CANNOT_WRITE = 6,      /* output could not be written (a full disk, a bad path) */
  EXIT_OTHER_ERROR = 7,           /* anything else that went wrong */
  EXIT_INTERRUPTED = 130,     /* Ctrl-C (SIGINT) or SIGTERM */
};

/* The most engines one `cluster start -n N` or `engines add N` starts. */
#define LOOMCTL_MAX_ENGINES 1024

typedef struct _Command Command;
typedef int (*CommandFunc) (const Command *command, int argc, char **argv);

struct _Command
{
  const char  *name;
  CommandFunc  func;
  const char  *parameter;
  const char  *summary;
};

/* --- launchers (loomctl-launch.c) ------------------------------------------ */

/* What `cluster start` and `engines add` take to start engines through a
 * launcher: --launcher NAME and each launcher's options. */
typedef struct
{
  char    *name;
  GStrv    hosts;
  GStrv    ssh_options;
  char    *identity;
  char    *ssh_port;
  char    *ssh_config;
  char    *partition;
  char    *account;
  char    *time;
  char    *qos;
  GStrv    sbatch_lines;
  char    *slurm_mode;
  char    *group_size;
  char    *mpiexec;
  GStrv    mpi_args;
  char    *engine_path;
  GStrv    options;       /* --launcher-option NAME=VALUE */
  double   wait;          /* --wait-engines; < 0: the launcher's default */
} LoomctlLaunch;

#define LOOMCTL_LAUNCH_INIT { .wait = -1 }

#define LOOMCTL_LAUNCH_OPTIONS(l) \
  { "launcher", 0, 0, G_OPTION_ARG_STRING, &(l)->name, \
    N_("Start the engines with this launcher: local (the default), ssh, slurm, mpi, or a batch system's template (pbs, sge, lsf, htcondor, or a file)"), "NAME" }, \
  { "host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &(l)->hosts, \
    N_("ssh: start engines on HOST, N of them with HOST:N (repeatable; user@host allowed)"), "HOST[:N]" }, \
  { "ssh-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &(l)->ssh_options, N_("ssh: pass -o OPTION to ssh (repeatable)"), "OPTION" }, \
  { "identity", 0, 0, G_OPTION_ARG_FILENAME, &(l)->identity, N_("ssh: the private key to log in with (ssh -i)"), "FILE" }, \
  { "ssh-port", 0, 0, G_OPTION_ARG_STRING, &(l)->ssh_port, N_("ssh: the port sshd listens on (ssh -p)"), "PORT" }, \
  { "ssh-config", 0, 0, G_OPTION_ARG_FILENAME, &(l)->ssh_config, N_("ssh: read this ssh configuration file (ssh -F)"), "FILE" }, \
  { "partition", 0, 0, G_OPTION_ARG_STRING, &(l)->partition, N_("slurm: the partition to submit to"), "NAME" }, \
  { "account", 0, 0, G_OPTION_ARG_STRING, &(l)->account, N_("slurm: the account to charge"), "NAME" }, \
  { "time", 0, 0, G_OPTION_ARG_STRING, &(l)->time, N_("slurm: the jobs' time limit (sbatch --time)"), "TIME" }, \
  { "qos", 0, 0, G_OPTION_ARG_STRING, &(l)->qos, N_("slurm: the quality of service"), "NAME" }, \
  { "sbatch-line", 0, 0, G_OPTION_ARG_STRING_ARRAY, &(l)->sbatch_lines, \
    N_("slurm: add “#SBATCH LINE” to the job script (repeatable)"), "LINE" }, \
  { "slurm-mode", 0, 0, G_OPTION_ARG_STRING, &(l)->slurm_mode, \
    N_("slurm: job (one job of N tasks, the default) or group (one job per --group-size engines)"), "job|group" }, \
  { "group-size", 0, 0, G_OPTION_ARG_STRING, &(l)->group_size, N_("slurm: engines per job with --slurm-mode group (default 1)"), "K" }, \
  { "mpiexec", 0, 0, G_OPTION_ARG_FILENAME, &(l)->mpiexec, N_("mpi: the mpiexec program (default: mpiexec)"), "PROGRAM" }, \
  { "mpi-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &(l)->mpi_args, N_("mpi: pass ARG to mpiexec (repeatable: -f HOSTFILE…)"), "ARG" }, \
  { "engine-path", 0, 0, G_OPTION_ARG_STRING, &(l)->engine_path, \
    N_("The loom-engine program where the engines run (default: loom-engine on the PATH there for ssh, this Loom's for the others)"), "PATH" }, \
  { "launcher-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &(l)->options, \
    N_("Give the launcher any of its options (repeatable: queue=debug, env=NAME=VALUE, connection=env…)"), "NAME=VALUE" }, \
  { "wait-engines", 0, 0, G_OPTION_ARG_DOUBLE, &(l)->wait, \
    N_("Wait at most S seconds for the engines to register (default 30; 120 for batch systems; 0: do not wait)"), "S" }

void          loomctl_launch_clear       (LoomctlLaunch        *launch);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LoomctlLaunch, loomctl_launch_clear)
const char   *loomctl_launch_name        (const LoomctlLaunch  *launch);
gboolean      loomctl_launch_is_local    (const LoomctlLaunch  *launch);
/* The launcher with its options given, for the cluster of @connection_file
 * (NULL: set later); usage errors are LOOM_ERROR_INVALID_ARGUMENT. */
LoomLauncher *loomctl_launch_new         (const LoomctlLaunch  *launch,
                                          const char           *connection_file,
                                          const char           *state_dir,
                                          const char * const   *engine_args,
                                          GError              **error);
/* Starts @n engines, records the launcher in the profile's record, and
 * waits until @n_running + @n are registered (as --wait-engines says). */
gboolean      loomctl_launch_start       (const LoomctlLaunch  *launch,
                                          LoomLauncher         *launcher,
                                          LoomClient           *client,
                                          const char           *profile,
                                          guint                 n,
                                          guint                 n_running,
                                          GError              **error);
/* Stops every launcher recorded for @profile and forgets them; how many. */
guint         loomctl_launch_stop_recorded (const char         *profile);

/* --- the prologue -------------------------------------------------------- */

typedef enum
{
  LOOMCTL_PARSE   = 0,                          /* options only */
  LOOMCTL_PROFILE = 1 << 0,                     /* check --profile */
  LOOMCTL_NUMBER  = 1 << 1,                     /* one argument: a number in [min, max] */
  LOOMCTL_CONNECT = (1 << 2) | LOOMCTL_PROFILE, /* connect to the profile's cluster */
} LoomctlNeeds;

typedef struct
{
  /* What the command asks for, set before loomctl_prologue(). */
  LoomctlNeeds   needs;
  const char    *usage;      /* printed when the argument is wrong */
  const char    *description; /* --help's text after the options, or NULL */
  guint64        min;        /* LOOMCTL_NUMBER */
  guint64        max;

  /* What it gets. */
  const Command *command;
  char          *profile;    /* --profile, or NULL */
  gboolean       json;       /* --json */
  gboolean       json_lines; /* --json-lines */
  guint64        number;     /* LOOMCTL_NUMBER */
  LoomClient    *client;     /* LOOMCTL_CONNECT */
} Loomctl;

/* Ctl initialisers of the commands whose one argument is a job id. */
#define LOOMCTL_JOB_ARGUMENT(usage_text) \
  .needs = LOOMCTL_CONNECT | LOOMCTL_NUMBER, .usage = (usage_text), .min = 1, .max = G_MAXINT

#define LOOMCTL_PROFILE_OPTION(ctl) \
  { "profile", 'p', 0, G_OPTION_ARG_STRING, &(ctl)->profile, N_("Cluster profile (default: default)"), "NAME" }
#define LOOMCTL_JSON_OPTION(ctl, description) \
  { "json", 0, 0, G_OPTION_ARG_NONE, &(ctl)->json, description, NULL }
#define LOOMCTL_JSON_LINES_OPTION(ctl) \
  { "json-lines", 0, 0, G_OPTION_ARG_NONE, &(ctl)->json_lines, \
    N_("Print each task with its metadata as one line of JSON, in input order"), NULL }

int          loomctl_prologue           (Loomctl        *ctl,
                                         const Command  *command,
                                         GOptionEntry   *entries,
                                         int            *argc,
                                         char         ***argv);
int          loomctl_connect            (Loomctl        *ctl);
void         loomctl_clear              (Loomctl        *ctl);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Loomctl, loomctl_clear)

/* --- helpers ------------------------------------------------------------- */

int          loomctl_fail               (int             code,
                                         const char     *format,
                                         ...) G_GNUC_PRINTF (2, 3);
int          loomctl_fail_with          (const GError   *error);
int          loomctl_no_timeline        (const char     *what_format,
                                         ...) G_GNUC_PRINTF (1, 2);
const char  *loomctl_profile_or_default (const char     *profile);
gboolean     loomctl_check_profile      (const char     *profile);
gboolean     loomctl_cluster_file_exists (const char    *profile);
gint64       loomctl_remove_stale        (const char    *profile,
                                          gboolean       tell);
LoomClient  *loomctl_connect_profile    (const char     *profile,
                                         int            *code);
gboolean     loomctl_parse_job_id       (const char     *text,
                                         guint          *job);
LoomCluster *loomctl_start_private_cluster (guint        n_engines,
                                         guint           hwm);
LoomCluster *loomctl_start_private_cluster_tcp (guint       n_engines,
                                               guint       hwm,
                                               const char *ip);
double       loomctl_median             (GArray         *values);

/* --- output (loomctl-output.c) ------------------------------------------- */

void         loomctl_append_py          (GString        *out,
                                         JsonNode       *node,
                                         guint           depth);
void         loomctl_print_json         (JsonNode       *node);
char        *loomctl_params_text        (JsonObject     *task);
void         loomctl_print_store        (LoomClusterStatus *status);
typedef gboolean (*LoomctlWaitTick) (gpointer data);
gboolean     loomctl_wait_with_progress (LoomAsyncResult *result,
                                         LoomClient      *client,
                                         double           timeout,
                                         LoomctlWaitTick  tick,
                                         gpointer         tick_data);
void         loomctl_catch_interrupts   (void);
int          loomctl_interrupted        (void);

char        *loomctl_seconds_text       (double          s);
void         loomctl_stdout_write       (const void     *data,
                                         gsize           len);
int          loomctl_stdout_flush       (void);

/* --- tasks printed as they come (loomctl-stream.c) ---------------------- */

typedef enum
{
  LOOMCTL_FORMAT_PYTHON,      /* results like res.get(), or each command's stdout */
  LOOMCTL_FORMAT_JSON,        /* the job report */
  LOOMCTL_FORMAT_JSON_LINES,  /* a report's task per line */
} LoomctlFormat;

typedef struct _LoomctlStream LoomctlStream;

int            loomctl_format_from_options   (Loomctl         *ctl,
                                              LoomctlFormat   *format);
LoomctlStream *loomctl_stream_new            (LoomctlFormat    format,
                                              gboolean         command_output,
                                              gboolean         live_stderr);
void           loomctl_stream_free           (LoomctlStream   *stream);
void           loomctl_stream_task           (LoomctlStream   *stream,
                                              JsonNode        *task);
int            loomctl_stream_finish         (LoomctlStream   *stream,
                                              JsonNode        *job,
                                              JsonObject      *extra);
void           loomctl_stream_stop           (LoomctlStream   *stream);
gboolean       loomctl_stream_poll_result    (LoomctlStream   *stream,
                                              LoomAsyncResult *result,
                                              LoomSweep       *sweep,
                                              GArray          *indices);
LoomJobInfo   *loomctl_job_summary           (LoomClient      *client,
                                              guint            job_id,
                                              GError         **error);
void           loomctl_task_times            (JsonObject      *task,
                                              LoomTaskInfo    *times);
JsonNode      *loomctl_stream_result_summary (LoomClient      *client,
                                              LoomAsyncResult *result,
                                              GError         **error);
int            loomctl_stream_read_job       (LoomctlStream   *stream,
                                              LoomClient      *client,
                                              LoomJobInfo     *info,
                                              JsonObject      *extra);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomctlStream, loomctl_stream_free)

/* --- sweeps: map, run and compare (loomctl-map.c) ------------------------ */

typedef struct
{
  Loomctl   ctl;       /* --profile and --json */
  char    **args;
  char    **sweeps;
  int       n_engines;
  gboolean  async;
  gboolean  serial;
  double    timeout;
  char     *hwm_text;  /* --hwm: "auto" or a number */
  guint     hwm;       /* parsed: 0 for auto */
  int       retries;
  int       retry_failed_tasks;
  char     *scheme;
  char     *scheme_help;
  char     *help_text;     /* --help: the sweep kinds (and templates, run) */
  /* run */
  char     *cwd;
  char    **env;
  double    task_timeout;  /* every kind of task, despite its place here */
  char     *results;
  char     *joblog;
  gboolean  resume;
  gboolean  retry_failed;
  gboolean  dry_run;
  gboolean  force;
  char     *zip;
  char    **csv;
  gboolean  shuffle;
  guint64   shuffle_seed;
  gboolean  shuffle_seed_given;  /* --shuffle=SEED, not one chosen here */
  gint64    output_limit;  /* run: bytes kept of each output, -1: the default */
} MapOptions;

#define MAP_OPTIONS_INIT { .timeout = -1, .retries = -1, .output_limit = -1 }

void          map_options_clear         (MapOptions     *o);
gboolean      map_options_check_task_timeout (MapOptions *o);
/* Which command's options map_options_entries() gives. */
typedef enum {
  MAP_OPTIONS_MAP,
  MAP_OPTIONS_RUN,
  MAP_OPTIONS_COMPARE,
} MapOptionsFor;

/* GNU Parallel's joblog (loomctl-map.c) and records (loomctl-records.c). */
#define LOOMCTL_JOBLOG_HEADER "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand"

gboolean      loomctl_joblog_has_content (const char    *path);
char         *loomctl_command_line      (char          **argv,
                                         JsonNode       *params,
                                         gboolean        quote,
                                         GError        **error);

typedef struct _LoomctlRecorder LoomctlRecorder;

LoomctlRecorder *loomctl_recorder_new    (MapOptions      *options,
                                          char           **argv,
                                          LoomSweep       *sweep,
                                          GArray          *indices,
                                          LoomAsyncResult *result);
gboolean      loomctl_recorder_poll     (gpointer        recorder);
gboolean      loomctl_recorder_finish   (LoomctlRecorder *recorder,
                                         GError        **error);

int           map_options_interrupted   (MapOptions     *o,
                                         LoomCluster    *cluster,
                                         int             job);
int           map_options_apply_view    (MapOptions     *o,
                                         LoomView       *view);
GOptionEntry *map_options_entries       (MapOptions     *o,
                                         MapOptionsFor   what);
int           map_options_apply_command (MapOptions     *o,
                                         LoomTaskSpec   *spec);
LoomClient   *map_options_acquire_client (MapOptions    *o,
                                         LoomCluster   **cluster,
                                         LoomClient    **owned,
                                         int            *code);
LoomSweep    *map_options_build_sweep   (MapOptions     *o,
                                         GError        **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MapOptions, map_options_clear)

/* --- export (loomctl-export.c) ------------------------------------------- */

gboolean     loomctl_parse_export_format (const char        *name,
                                          LoomExportFormat  *format,
                                          GError           **error);
int          loomctl_check_output        (const char        *path);
int          loomctl_check_output_folder (const char        *path);
gboolean     loomctl_write_file          (const char        *path,
                                          const char        *data,
                                          gsize              len,
                                          GError           **error);
gboolean     loomctl_write_export        (GPtrArray         *reports,
                                          LoomExportFormat   format,
                                          const char        *output,
                                          int                width,
                                          int                height,
                                          GError           **error);

/* --- bench --timeline (loomctl-bench-timeline.c, with the app) ----------- */

int          loomctl_bench_timeline     (int             runs,
                                         gboolean        json);

/* --- bench --scale (loomctl-bench-scale.c) ------------------------------ */

int          loomctl_bench_scale        (int             n_tasks,
                                         gboolean        quick,
                                         gboolean        json);

/* --- the commands -------------------------------------------------------- */

int cmd_cluster_start  (const Command *command, int argc, char **argv);
int cmd_cluster_stop   (const Command *command, int argc, char **argv);
int cmd_cluster_status (const Command *command, int argc, char **argv);
int cmd_engines_add    (const Command *command, int argc, char **argv);
int cmd_jobs_purge     (const Command *command, int argc, char **argv);
int cmd_engines_stop   (const Command *command, int argc, char **argv);
int cmd_ids            (const Command *command, int argc, char **argv);
int cmd_map            (const Command *command, int argc, char **argv);
int cmd_run            (const Command *command, int argc, char **argv);
int cmd_compare        (const Command *command, int argc, char **argv);
int cmd_ready          (const Command *command, int argc, char **argv);
int cmd_get            (const Command *command, int argc, char **argv);
int cmd_jobs           (const Command *command, int argc, char **argv);
int cmd_show           (const Command *command, int argc, char **argv);
int cmd_abort          (const Command *command, int argc, char **argv);
int cmd_export         (const Command *command, int argc, char **argv);
int cmd_bench          (const Command *command, int argc, char **argv);
int cmd_seed           (const Command *command, int argc, char **argv);

G_END_DECLS
