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
  char     *scheme;
  char     *scheme_help;
  char     *help_text;     /* --help: the sweep kinds (and templates, run) */
  /* run */
  char     *cwd;
  char    **env;
  double    task_timeout;
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
