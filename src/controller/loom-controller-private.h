/* loom-controller-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the files of the scheduler share: the controller's instance struct,
 * its records of jobs, tasks and engines, the small helpers the dispatch
 * loop calls per task (inline, as they were when the scheduler was one
 * file) and the functions each part offers the others.
 */

#pragma once

#include "loom-connection-private.h"
#include "loom-controller.h"
#include "loom-enum-private.h"
#include "loom-enums.h"
#include "loom-json-private.h"
#include "loom-store-private.h"
#include "loom-sweep.h"
#include "loom-types.h"
#include "loom-view.h"
#include "loom-wire-private.h"

G_BEGIN_DECLS

typedef struct
{
  guint32  job;
  guint32  index;
} TaskRef;

typedef struct
{
  gint64   submitted;
  gint64   dispatched;
  gint64   started;
  gint64   completed;
  gint64   received;
  GBytes  *result;      /* one JSON value, opaque */
  GBytes  *detail;      /* JSON object {error, stdout, stderr, exit_status}, opaque */
  gint32   engine;
  guint8   status;
  guint8   attempts;
  guint8   started_seen;
  guint8   solo;        /* sent to an engine that held nothing: times a round trip */
  guint8   stored;      /* final and in the job store: result and detail are there */
} CtlTask;

typedef struct
{
  guint      id;
  char      *name;
  LoomJobMode mode;
  char      *spec;            /* compact JSON of what to run, sent as is to engines */
  GBytes    *client;          /* routing id of the submitting client */
  gint64     ref;             /* the client's own name for the job */
  GBytes    *params;          /* nullable: the params lines as received */
  GByteArray *params_buf;     /* nullable: or those received so far, while
                               * the client sends them in chunks */
  guint32   *params_offsets;  /* nullable: where each task's line starts in
                               * them (it ends where the next one starts) */
  guint      n_ready;         /* tasks whose parameters are known */
  LoomSweep *sweep;           /* nullable: or the sweep they are expanded from,
                               * task by task as they are dispatched */
  char      *sweep_spec;      /* nullable: that sweep as submitted, compact JSON */
  /* Tasks in blocks of CTL_BLOCK_SIZE, made as tasks are first touched
   * and freed once every task in them is stored: what stays in memory for
   * every task is its status byte in @state (and, for a list, its
   * parameters' offset). */
  CtlTask  **blocks;
  guint16   *block_stored;    /* stored tasks, a block */
  guint8    *state;           /* LoomTaskStatus, a task */
  guint      n_tasks;
  guint      next;            /* next never-dispatched index */
  GArray    *retry;           /* guint: indices to run again, first */
  guint      retry_head;      /* the next of them */
  GArray    *targets;         /* nullable, guint engine ids */
  gint       pinned;          /* serial jobs: the one engine, or -1 */
  LoomScheme scheme;          /* how its tasks pick engines */
  guint      retries;
  guint      retry_failed;    /* times a failed task runs again */
  GHashTable *failed_on;      /* nullable: index -> GArray of engine ids it failed on */
  guint      n_outstanding;
  guint      n_done;
  guint      n_failed;
  guint      n_final;
  gboolean   in_pending;
  gboolean   aborted;
  gboolean   store_failed;    /* the store could not take its results */
  gint64     created;
  gint64     finished;
  GString   *out_meta;        /* results waiting to go to the client */
  GString   *out_results;
  GString   *out_details;
} CtlJob;

typedef struct
{
  guint            id;
  GBytes          *identity;
  GBytes          *hb_identity;     /* nullable: the engine's heartbeat socket */
  char            *host;
  char            *log;
  char            *launcher;        /* nullable: what started it (LOOM_LAUNCHER) */
  char            *job_id;          /* nullable: the launcher's job */
  gint64           pid;
  /* Its clock's offset to ours and the uncertainty of that, in µs, from
   * its heartbeats; uncertainty -1 until it tells. */
  gint64           clock_offset;
  gint64           clock_uncertainty;
  LoomEngineState  state;
  GArray          *outstanding;  /* TaskRef */
  guint64          tasks_done;
  gint64           busy_usec;
  gint64           registered_at;
  gint64           last_heartbeat;  /* monotonic */
  gint64           last_heartbeat_real;
  gint64           last_dispatch;   /* monotonic */
  gint64           empty_since;     /* monotonic: since when its heartbeats say it
                                     * holds no task while we think it does */
  guint            undelivered;     /* times that happened */
  GString         *out_tasks;       /* batch being built this wake-up */
  GString         *out_params;
  GArray          *out_jobs;        /* guint */
  /* hwm auto: moving estimates in µs, -1 until the first result. */
  gint64           est_run;         /* a task's run time, engine-reported */
  gint64           est_rtt;         /* dispatch to result, less the run time */
  gint64           progress_at;     /* monotonic: last result, or dispatch from idle */
  gint             death_signal;    /* the fatal signal it reported, or 0 */
  gboolean         replace;         /* ended for a task: start another in its place */
} CtlEngine;

struct _LoomController
{
  GObject          parent_instance;

  char            *profile;
  char            *connection_path;
  char            *engine_connection_path; /* <profile>-engine.json */
  char            *state_connection_path;  /* the controller's own file, in the state directory */
  gboolean         private_profile;
  LoomConnection  *conn;
  LoomWire        *wire;             /* the clients' key: client and event sockets */
  LoomWire        *engine_wire;      /* the engines' key: the engine socket */
  char            *zap_domain;       /* nullable: TCP only, see loom-zap.c */

  LoomScheme       scheme;
  guint            hwm;              /* 0: auto, per engine from its estimates */
  guint            heartbeat_timeout_ms;
  guint            retries;
  gsize            max_message;
  /* Replacing local engines that died or were ended for a task
   * (ctl_replace_engine()); the launch of the replacements. */
  gboolean         replace_engines;
  char            *engine_log_dir;
  guint            engine_grace_ms;
  GPtrArray       *replacements;     /* GSubprocess */
  GArray          *replaced_at;      /* gint64, monotonic: the last minute's */
  char            *tcp_ip;
  char            *location;         /* nullable: the address advertised */

  void            *client_sock;
  void            *engine_sock;
  void            *event_sock;
  int              wake_fd;
  int              lock_fd;          /* flock on <profile>.lock while we serve */
  char            *lock_path;
  GThread         *thread;
  gint             stop_requested;   /* atomic */
  gboolean         running;
  gboolean         bound;
  gint64           started_at;
  gint64           longest_wakeup_usec;
  gint64           engines_read_at;  /* monotonic: every engine message sent
                                      * before this was read */
  gsize            wakeup_params_bytes; /* parameters taken in this wake-up */
  GRand           *rand;

  GPtrArray       *engines;          /* CtlEngine, index = id */
  GHashTable      *engine_by_identity;
  GHashTable      *jobs;             /* id -> CtlJob */
  GQueue           pending_jobs;
  GPtrArray       *dirty_jobs;       /* jobs with results to flush to clients */
  GPtrArray       *dirty_engines;    /* engines with tasks to flush */
  guint            next_job_id;
  /* Two streams, each with its own sequence numbers, told apart by a topic
   * frame: subscribers that only follow engines (a client's engines model)
   * are not woken by every task. */
  GString         *events[2];       /* task and job events, engine events */
  guint64          event_seq[2];
  GString         *current_events;
  guint32          task_prefixes;   /* bit n: someone subscribes to the first
                                       n bytes of LOOM_EVENT_TOPIC_TASKS */
  guint64          stale_results;
  guint64          tasks_finished;
  GHashTable      *gone_identities;  /* GBytes: engines declared dead or stopped */
  GPtrArray       *incomplete_jobs;  /* CtlJob whose parameters are still coming */
  GQueue           resends;          /* CtlResend: attached clients' results, oldest first */

  /* The job store (loom-controller-store.c); NULL for private profiles. */
  char            *store_path;
  gboolean         store_disabled;
  LoomStore       *store;            /* the loop thread's connection: reads, purges */
  struct _CtlStoreBatch *store_batch;  /* what this wake-up changed */
  GAsyncQueue     *store_in;         /* to the writer */
  GAsyncQueue     *store_out;        /* written, back to the loop */
  GThread         *store_thread;
  guint            store_batches_out;
  gint64           keep_for_usec;    /* retention: 0 keeps jobs for ever */
  gint64           keep_jobs;        /* retention: -1 keeps every job */
  gboolean         retention_queued; /* a retention purge is with the writer */
  struct _CtlParamsCache *params_cache; /* nullable: a stored job's parameters */

  /* Sending to clients (loom-controller-clients.c). */
  /* Limits on what a client can make the controller hold. */
  guint            max_jobs;          /* unfinished jobs */
  guint            max_job_tasks;     /* tasks of a job with explicit parameters */
  guint64          max_job_params;    /* bytes of a job's explicit parameters */
  GQueue           gone_order;        /* GBytes, oldest first: gone_identities' order */

  GHashTable      *backlogs;         /* client routing id -> results waiting */
  gsize            backlog_bytes;
  guint64          replies_dropped;
  guint64          results_dropped;
};

/* --- events (loom-controller-events.c) ----------------------------------- */

/* Task events are the bulk of the events (three per task): they are only
 * written while someone (an app's timeline) subscribes to them.  The XPUB
 * socket reports the first subscription to a prefix and the last
 * unsubscription from it. */
static inline gboolean
ctl_task_events_wanted (LoomController *self)
{
  return self->task_prefixes != 0;
}

static inline void
ctl_event_end (LoomController *self)
{
  g_string_append_c (self->current_events, '}');
}

void     ctl_reply_error         (LoomController *self,
                                  void           *sock,
                                  LoomMessage    *request,
                                  const char     *type,
                                  const char     *message);
void     ctl_drain_subscriptions (LoomController *self);
GString *ctl_event_begin         (LoomController *self,
                                  const char     *type);
void     ctl_flush_events        (LoomController *self);

/* --- sending to clients (loom-controller-clients.c) ---------------------- */

/* Messages queued for one client at most (ZMQ_SNDHWM of the client
 * ROUTER): past that, replies are dropped and counted. */
#define CTL_CLIENT_QUEUE     1000
/* Results waiting for slow clients, all clients together. */
#define CTL_RESULTS_BACKLOG  ((gsize) 256 * 1024 * 1024)

void     ctl_clients_init               (LoomController *self);
void     ctl_clients_clear              (LoomController *self);
void     ctl_client_apply_socket_limits (LoomController *self);
void     ctl_reply                      (LoomController *self,
                                         void           *sock,
                                         LoomMessage    *request,
                                         const char     *msg_type,
                                         const char     *content,
                                         gssize          len,
                                         GBytes * const *buffers,
                                         guint           n_buffers);
void     ctl_send_results               (LoomController *self,
                                         GBytes         *client,
                                         const char     *content,
                                         gsize           content_len,
                                         GBytes * const *buffers,
                                         guint           n_buffers);
gboolean ctl_clients_flush              (LoomController *self);

/* --- engines (loom-controller-engines.c) --------------------------------- */

static inline gboolean
ctl_engine_is_alive (CtlEngine *engine)
{
  return engine->state == LOOM_ENGINE_IDLE || engine->state == LOOM_ENGINE_BUSY;
}

void     ctl_engine_free          (CtlEngine       *engine);
void     ctl_append_engines_json  (LoomController  *self,
                                   GString         *out);
void     ctl_engine_gone          (LoomController  *self,
                                   CtlEngine       *engine,
                                   LoomEngineState  state);
void     ctl_check_heartbeats     (LoomController  *self);
void     ctl_engine_check_held    (LoomController  *self,
                                   CtlEngine       *engine,
                                   gint64           held);
void     ctl_send_to_engine       (LoomController  *self,
                                   CtlEngine       *engine,
                                   const char      *msg_type,
                                   const char      *content);
void     ctl_send_stop            (LoomController  *self,
                                   CtlEngine       *engine);
void     ctl_stop_engines         (LoomController  *self);
void     ctl_replace_engine       (LoomController  *self,
                                   CtlEngine       *engine);
void     ctl_reap_replacements    (LoomController  *self);
guint    ctl_recent_replacements  (LoomController  *self);
gboolean ctl_any_engine_alive     (LoomController  *self);

/* --- the job store (loom-controller-jobs.c) ------------------------------ */

static inline void
ctl_job_mark_pending (LoomController *self,
                      CtlJob         *job)
{
  if (!job->in_pending)
    {
      job->in_pending = TRUE;
      g_queue_push_tail (&self->pending_jobs, job);
    }
}

#define CTL_BLOCK_BITS 12
#define CTL_BLOCK_SIZE (1u << CTL_BLOCK_BITS)

CtlTask *ctl_job_new_block (CtlJob *job,
                            guint   block);

/* The record of task @index, made if need be. */
static inline CtlTask *
ctl_job_task (CtlJob *job,
              guint   index)
{
  CtlTask *block = job->blocks[index >> CTL_BLOCK_BITS];

  if (G_UNLIKELY (block == NULL))
    block = ctl_job_new_block (job, index >> CTL_BLOCK_BITS);
  return &block[index & (CTL_BLOCK_SIZE - 1)];
}

/* Runs of task @index that failed and were retried (--retry-failed-tasks). */
static inline guint
ctl_job_failed_runs (CtlJob *job,
                     guint   index)
{
  GArray *engines = job->failed_on ? g_hash_table_lookup (job->failed_on, GUINT_TO_POINTER (index)) : NULL;

  return engines ? engines->len : 0;
}

static inline LoomTaskStatus
ctl_job_state (CtlJob *job,
               guint   index)
{
  return (LoomTaskStatus) job->state[index];
}

static inline void
ctl_task_set_status (CtlJob         *job,
                     guint           index,
                     CtlTask        *task,
                     LoomTaskStatus  status)
{
  task->status = status;
  job->state[index] = status;
}

/* Tasks that are no longer queued (finished after a restart, or held by
 * an engine that registered again) are skipped. */
static inline gboolean
ctl_job_has_pending (CtlJob *job)
{
  while (job->retry_head < job->retry->len &&
         ctl_job_state (job, g_array_index (job->retry, guint, job->retry_head)) != LOOM_TASK_QUEUED)
    job->retry_head++;
  if (job->retry_head > 0 && job->retry_head == job->retry->len)
    {
      g_array_set_size (job->retry, 0);
      job->retry_head = 0;
    }
  while (job->next < job->n_ready && ctl_job_state (job, job->next) != LOOM_TASK_QUEUED)
    job->next++;
  return job->retry_head < job->retry->len || job->next < job->n_ready;
}

/* Only after ctl_job_has_pending() said TRUE. */
static inline guint
ctl_job_pop_pending (CtlJob *job)
{
  if (job->retry_head < job->retry->len)
    return g_array_index (job->retry, guint, job->retry_head++);
  return job->next++;
}

gboolean ctl_job_alloc      (CtlJob         *job);
void ctl_job_task_stored    (CtlJob         *job,
                             guint           index);
void ctl_job_free           (CtlJob         *job);
void ctl_job_append_params  (CtlJob         *job,
                             guint           index,
                             GString        *out);
guint ctl_count_lines       (const char     *data,
                             gsize           len,
                             guint          *n_empty);
guint ctl_index_lines       (guint32        *offsets,
                             guint           first,
                             guint           n,
                             const char     *data,
                             gsize           len,
                             guint32         base);
void ctl_job_index_lines    (CtlJob         *job,
                             guint           first,
                             const char     *data,
                             gsize           len,
                             guint32         base);
void ctl_append_row         (GString             *meta,
                             GString             *results,
                             GString             *details,
                             const LoomStoreTask *row);
void ctl_append_task_row    (GString        *meta,
                             GString        *results,
                             GString        *details,
                             guint           index,
                             CtlTask        *task);
void ctl_job_end_pending    (LoomController *self,
                             CtlJob         *job,
                             LoomTaskStatus  status,
                             GBytes         *detail);
void ctl_job_task_final     (LoomController *self,
                             CtlJob         *job,
                             guint           index);
void ctl_append_job_summary (GString        *out,
                             CtlJob         *job);
void ctl_flush_results      (LoomController *self);

/* --- the job store (loom-controller-store.c) ---------------------------- */

typedef struct _CtlStoreBatch CtlStoreBatch;
typedef struct _CtlParamsCache CtlParamsCache;

/* A page of a job's tasks (show, export) fills buffers of at most this:
 * one page is one wake-up's work, and the loop serves others between. */
#define CTL_PAGE_BYTES ((gsize) 1024 * 1024)

/* Rows of a job's tasks being gathered for a reply. */
typedef struct
{
  GString  *meta;
  GString  *results;
  GString  *details;
  GString  *params;       /* nullable: each task's parameters too */
  gsize     budget;       /* stop once a buffer is this long */
  guint     max_rows;     /* or once this many rows are in, if not 0 */
  gboolean  final_only;   /* leave out tasks that are not final */
  guint     n_rows;
} CtlRows;

gboolean ctl_store_open         (LoomController  *self,
                                 GError         **error);
void     ctl_store_close        (LoomController  *self);
void     ctl_store_free         (LoomController  *self);
void     ctl_store_job_added    (LoomController  *self,
                                 CtlJob          *job);
void     ctl_store_task_final   (LoomController  *self,
                                 CtlJob          *job,
                                 guint            index);
void     ctl_store_job_finished (LoomController  *self,
                                 CtlJob          *job);
void     ctl_store_flush        (LoomController  *self);
void     ctl_store_forget_params (LoomController *self);
void     ctl_store_collect      (LoomController  *self);
guint64  ctl_append_job_rows    (LoomController  *self,
                                 CtlJob          *job,
                                 LoomStoreJob    *stored,
                                 guint64          first,
                                 CtlRows         *rows);
void     ctl_append_stored_job_summary (GString      *out,
                                        LoomStoreJob *job);
void     ctl_purge_jobs         (LoomController  *self,
                                 gint64           older_than,
                                 gint64           keep,
                                 LoomMessage     *request);
void     ctl_apply_retention    (LoomController  *self);

/* --- scheduling (loom-controller-scheduling.c) --------------------------- */

/* A job aimed at engines that never registered fails after this many
 * heartbeat timeouts (60 s by default). */
#define CTL_TARGET_WAIT_HEARTBEATS 30
/* Engine ids given out, and a job may aim at: below this. */
#define CTL_MAX_ENGINE_ID    65536
/* Engines that are gone, listed in "engines" and "status": the newest. */
#define CTL_MAX_GONE_LISTED  64
/* Engines replaced in any one minute, at most: engines that keep dying
 * for a reason of their own (no memory, a broken host) are not started
 * again and again. */
#define CTL_MAX_REPLACEMENTS_PER_MINUTE 16

/* Identities of gone engines remembered (to tell them to stop or register
 * again), oldest forgotten first. */
#define CTL_MAX_GONE_REMEMBERED  4096
/* Jobs whose parameters are still coming in chunks, all clients. */
#define CTL_MAX_INCOMPLETE_JOBS  64
#define CTL_DEFAULT_MAX_JOBS         10000
#define CTL_DEFAULT_MAX_JOB_TASKS    1000000
#define CTL_DEFAULT_MAX_JOB_PARAMS   ((guint64) 256 * 1024 * 1024)
/* The JSON of a submit (its sweep, say): lists go as lines, in buffers. */
#define CTL_MAX_SUBMIT_JSON          ((gsize) 4 * 1024 * 1024)
/* Tasks with explicit parameters held in memory, all jobs together: each
 * costs its line, a four-byte offset and a status byte once queued (a
 * list of 10^6 lines of 13 bytes peaks at some 70 MB of the controller's,
 * chunks in flight included). */
#define CTL_MAX_LISTED_TASKS         ((guint64) 2 * CTL_DEFAULT_MAX_JOB_TASKS)

void ctl_append_limits_json (LoomController *self,
                             GString        *out);

/* hwm auto never lets an engine hold more than this. */
#define CTL_HWM_AUTO_MAX 64

void ctl_schedule          (LoomController *self);
gboolean ctl_retry_failed_task (LoomController *self,
                                CtlJob         *job,
                                guint           index,
                                CtlTask        *task);
void ctl_engine_note_result (CtlEngine     *engine,
                             CtlTask       *task);
void ctl_flush_dispatches  (LoomController *self);

/* --- messages (loom-controller-requests.c, -engine-messages.c) ----------- */

void ctl_handle_client_message (LoomController *self,
                                LoomMessage    *msg);

/* The final results of a job sent again to a client that attached to it
 * (after a restart), a page a wake-up; the job's new results wait for
 * them. */
typedef struct
{
  GBytes  *client;
  guint    job;
  gint64   ref;
  guint64  next;
} CtlResend;

void     ctl_resend_free      (CtlResend      *resend);
gboolean ctl_resend_page      (LoomController *self);
gboolean ctl_job_is_resending (LoomController *self,
                               guint           job);
void ctl_handle_engine_message (LoomController *self,
                                LoomMessage    *msg);

G_END_DECLS
