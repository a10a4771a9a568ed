/* loom-scaleout-util.h: real Slurm, SSH, MPI and network namespaces for tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The scaleout suite starts real daemons as root: munged, slurmctld and
 * slurmd (one node), a throwaway sshd on 127.0.0.1, and network namespaces
 * on a bridge standing in for hosts.  Everything lives under one private
 * directory /run/loom-test-XXXXXX (munged and sshd's StrictModes refuse
 * world-writable parents such as /tmp), on ports picked free at run time,
 * and is stopped by pid, never by name.
 *
 * What a test starts is registered here and undone by
 * loom_scaleout_cleanup (), which also runs on exit and from the handlers
 * of SIGABRT (a failed assertion), SIGTERM and SIGINT (meson's timeout), so
 * a failing test leaves no daemon, namespace, link or directory behind.
 * Every process a case starts carries LOOM_SCALEOUT_RUN=<private dir> in
 * its environment (engines started over ssh export it themselves); the
 * daemons carry LOOM_SCALEOUT_DAEMON=<private dir> instead.  That is how a
 * case checks that nothing it started is left, and how the cleanup finds
 * what escaped.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* g_test_init, plus the cleanup handlers. */
void         loom_scaleout_init            (int          *argc,
                                            char       ***argv);

/* Each one skips the current case with a reason (g_test_skip) and returns
 * FALSE when the machine cannot do it. */
gboolean     loom_scaleout_require_root    (const char   *what);
gboolean     loom_scaleout_require_programs (const char * const *programs,
                                             const char         *package);
gboolean     loom_scaleout_require_netns   (void);

/* The private directory of this test program (made on first use), and a
 * path in it. */
const char  *loom_scaleout_dir             (void);
char        *loom_scaleout_path            (const char   *name);
/* A TCP port on 127.0.0.1 that nothing listens on now. */
guint        loom_scaleout_free_port       (void);

/* Registering what the cleanup undoes (in reverse order of kinds: swept
 * processes, then pids, then namespaces, links and directories). */
void         loom_scaleout_track_pid       (GPid          pid,
                                            const char   *what);
void         loom_scaleout_untrack_pid     (GPid          pid);
void         loom_scaleout_track_netns     (const char   *name);
void         loom_scaleout_track_link      (const char   *name);
void         loom_scaleout_cleanup         (void);

/* Processes. */
gboolean     loom_scaleout_pid_alive       (GPid          pid);
gboolean     loom_scaleout_wait_pid_gone   (GPid          pid,
                                            double        seconds);
gboolean     loom_scaleout_stop_pid        (GPid          pid,
                                            const char   *what);
/* Live processes whose environment holds LOOM_SCALEOUT_RUN=<private dir>
 * (@daemons FALSE) or LOOM_SCALEOUT_DAEMON=<private dir> (TRUE). */
GArray      *loom_scaleout_find_ours       (gboolean      daemons);
void         loom_scaleout_assert_nothing_left (void);
/* The value of @name in /proc/@pid/environ, or NULL. */
char        *loom_scaleout_pid_getenv      (GPid          pid,
                                            const char   *name);

/* Running commands: the environment of a case (its XDG dirs, a UTF-8
 * locale, the run marker and @extra_env, "NAME=VALUE" strings), stdout
 * and stderr collected, 60 s at most.  Returns the exit status (128 + N
 * for signal N). */
char       **loom_scaleout_environ         (const char * const *extra_env);
GSubprocess *loom_scaleout_spawnv          (const char * const *argv,
                                            const char * const *extra_env,
                                            GSubprocessFlags    flags);
int          loom_scaleout_runv            (const char * const *argv,
                                            const char * const *extra_env,
                                            const char         *input,
                                            char              **out,
                                            char              **err);
int          loom_scaleout_run             (char        **out,
                                            char        **err,
                                            const char   *first_arg,
                                            ...) G_GNUC_NULL_TERMINATED;
double       loom_scaleout_seconds_since   (gint64        begin);
double       loom_scaleout_median          (GArray       *seconds);

/* --- Loom ---------------------------------------------------------------- */

/* A controller over TCP, in a namespace when @netns is set: `loom-controller
 * --ip @ip [--location @location]`, started by the test and stopped by pid. */
typedef struct
{
  char        *profile;
  char        *netns;
  char        *engine_file;
  char        *client_file;
  GSubprocess *process;   /* NULL: started by `loomctl cluster start` */
  GPid         pid;
} LoomScaleoutController;

LoomScaleoutController *loom_scaleout_controller_start (const char *profile,
                                                        const char *ip,
                                                        const char *location,
                                                        const char *netns);
void         loom_scaleout_controller_stop (LoomScaleoutController *ctl);
/* `loomctl cluster start --profile PROFILE ARGS…`, in @netns when set: a
 * cluster started as users start one, through a launcher.  *@seconds: how
 * long the command took (cluster start returns once its engines are
 * registered).  NULL when it failed, its stderr in *@err. */
LoomScaleoutController *loom_scaleout_cluster_start (const char          *profile,
                                                     const char          *netns,
                                                     const char * const  *args,
                                                     double              *seconds,
                                                     char               **err);
/* The same under a UTS name of its own, @hostname: the controller and
 * its local engines report that host name. */
LoomScaleoutController *loom_scaleout_cluster_start_on (const char          *profile,
                                                        const char          *netns,
                                                        const char          *hostname,
                                                        const char * const  *args,
                                                        double              *seconds,
                                                        char               **err);
/* SIGKILL to the controller: its engines wait for it (--reconnect-timeout),
 * and only the launchers' record says where they are. */
void         loom_scaleout_cluster_crash   (LoomScaleoutController *ctl);
/* `loomctl cluster stop`: asserts it succeeds and the controller is gone;
 * frees @ctl. */
void         loom_scaleout_cluster_stop    (LoomScaleoutController *ctl);
/* loomctl ARGS --profile PROFILE, inside the controller's namespace (or
 * @netns when set): a client never runs in the root namespace then. */
int          loom_scaleout_loomctl         (LoomScaleoutController *ctl,
                                            const char             *netns,
                                            char                  **out,
                                            char                  **err,
                                            const char             *first_arg,
                                            ...) G_GNUC_NULL_TERMINATED;
/* Polls `loomctl ids` until @n engines are live; the seconds since @begin
 * when they are, or a negative number after @timeout seconds. */
double       loom_scaleout_wait_engines    (LoomScaleoutController *ctl,
                                            guint                   n,
                                            gint64                  begin,
                                            double                  timeout);
/* `cluster status --json`. */
JsonNode    *loom_scaleout_status          (LoomScaleoutController *ctl);
/* The pids of its engines, as `cluster status` reports them. */
GArray      *loom_scaleout_engine_pids     (LoomScaleoutController *ctl);
/* Checks that every live engine's status names @launcher and, as its
 * job, the LOOM_LAUNCH_JOB its launcher gave it (and reads its pid's
 * environment for that; engines here run on this machine's kernel). */
void         loom_scaleout_assert_launched (LoomScaleoutController *ctl,
                                            const char             *launcher);
/* Checks that printtime over range(10) returns ten (time, t) pairs, in order. */
void         loom_scaleout_assert_seed     (LoomScaleoutController *ctl,
                                            const char             *netns);

/* --- Slurm ---------------------------------------------------------------- */

typedef struct
{
  char  *dir;
  char  *conf;
  char  *env[2];   /* SLURM_CONF=…, NULL */
  GPid   munged;
  GPid   slurmctld;
  GPid   slurmd;
} LoomScaleoutSlurm;

/* munged, slurmctld and slurmd for one node, this host, with 8 CPUs,
 * waited for until the node is idle. */
LoomScaleoutSlurm *loom_scaleout_slurm_start (GError **error);
void         loom_scaleout_slurm_stop      (LoomScaleoutSlurm *slurm);

/* --- SSH ----------------------------------------------------------------- */

typedef struct
{
  char  *dir;
  char  *key;
  guint  port;
  GPid   pid;
} LoomScaleoutSshd;

/* sshd on 127.0.0.1:PORT with its own host key and one authorised key. */
LoomScaleoutSshd *loom_scaleout_sshd_start (GError **error);
/* The same in @netns on @address, under its own UTS name @hostname when
 * set (what it starts reports that host name). */
LoomScaleoutSshd *loom_scaleout_sshd_start_in (const char  *netns,
                                               const char  *address,
                                               const char  *hostname,
                                               GError     **error);
void         loom_scaleout_sshd_stop       (LoomScaleoutSshd *sshd);
/* `ssh -p PORT -i KEY -o BatchMode=yes … root@127.0.0.1 -- COMMAND`,
 * with @script on stdin. */
int          loom_scaleout_ssh             (LoomScaleoutSshd *sshd,
                                            const char       *command,
                                            const char       *script,
                                            char            **out,
                                            char            **err);

/* --- Network namespaces ---------------------------------------------------- */

typedef struct
{
  guint  n_hosts;
  char  *bridge;
  char  *netns[4];
  char  *netns_path[4];
  char  *address[4];
} LoomScaleoutNet;

/* @n_hosts namespaces (names unique to this run) on an address-less
 * bridge, 10.251.0.1, .2, … inside them; no route out. */
LoomScaleoutNet *loom_scaleout_net_new     (guint     n_hosts,
                                            GError  **error);
void         loom_scaleout_net_free        (LoomScaleoutNet *net);

/* An address of this host that is not loopback: a veth link in the root
 * namespace (10.252.X.Y/32, from the pid), for a controller whose
 * launcher refuses loopback while its engines run on this machine
 * (Slurm's one node, say).  Removed by the cleanup, or by _remove. */
char        *loom_scaleout_host_address_add    (GError **error);
void         loom_scaleout_host_address_remove (void);

/* Everything that crosses @ifname (in the root namespace) while it runs:
 * a raw AF_PACKET socket read by a thread. */
typedef struct _LoomScaleoutCapture LoomScaleoutCapture;

LoomScaleoutCapture *loom_scaleout_capture_start (const char  *ifname,
                                                  GError     **error);
/* Stops it; the frames, concatenated. */
GBytes      *loom_scaleout_capture_stop    (LoomScaleoutCapture *capture,
                                            guint               *n_frames);

G_END_DECLS
