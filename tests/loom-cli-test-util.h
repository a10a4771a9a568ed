/* loom-cli-test-util.h: running the real loomctl from a test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared by the cli suites: loomctl runs with the case's isolated
 * XDG directories, has a time limit, and a failed assertion first ends the
 * processes the case started.
 */

#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* A loomctl that neither finishes nor closes its pipes within this long
 * is a failure, not a hang of the whole suite. */
#define RUN_TIMEOUT_S 60

G_BEGIN_DECLS

/* "XDG_RUNTIME_DIR=<this case's isolated dir>": what the environment of
 * every process the current case started holds. */
extern char our_env_entry[PATH_MAX + 32];

void      kill_ours_and_abort (int sig);
GSubprocess *spawn_loomctlv (const char * const *args);
int       finish_loomctl (GSubprocess *proc, const char *what, char **out, char **err);
double    seconds_since (gint64 begin);
gboolean  pid_gone (gint64 pid);
gboolean  wait_pid_gone (gint64 pid, double seconds);
gboolean  pid_is_ours (const char *pid_name);
GArray   *find_our_processes_running (const char *cmdline, gsize cmdline_len);
GArray   *find_our_processes (void);
void      assert_nothing_left (void);
char     *connection_file (const char *profile);
char     *runtime_files (void);
void      assert_has_members (JsonObject *obj, const char * const *names);
guint     parse_job (const char *out);
char     *case_path (const char *folder, const char *name);
char     *read_text (const char *path);

/* Runs loomctl with the arguments (NULL-terminated) and returns its exit
 * status, its stdout in @out and its stderr in @err (both nullable). */
int
run_loomctl (char       **out,
             char       **err,
             const char  *first_arg,
             ...) G_GNUC_NULL_TERMINATED;

JsonNode   *parse_json_any      (const char *text);
JsonNode   *parse_json          (const char *text);
JsonObject *report_job          (JsonNode   *report);
JsonArray  *report_tasks        (JsonNode   *report);
JsonObject *task_at             (JsonNode   *report,
                                 guint       i);
JsonNode   *show_json           (const char *job);
void        assert_ran_at_once  (JsonNode   *report);
/* The cluster of @profile (NULL: the default one): `cluster status
 * --json`, `cluster start -n N`, and `cluster stop`, which checks that its
 * controller, every engine it ever had and its connection file are gone. */
JsonNode   *cluster_status      (const char *profile);
GArray     *cluster_engine_pids (const char *profile);
void        cluster_start       (const char *profile,
                                 const char *n_engines);
void        cluster_stop        (const char *profile);

G_END_DECLS
