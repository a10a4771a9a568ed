/* loom-util-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A source that does nothing until another thread wakes it with
 * loom_wakeup_source_wake(); then it calls @func once on its context. */
GSource *loom_wakeup_source_new   (GMainContext *context,
                                   GSourceFunc   func,
                                   gpointer      data,
                                   const char   *name);
void     loom_wakeup_source_wake  (GSource      *source);

/* An eventfd a poll loop can wait on next to its ZeroMQ sockets. */
int      loom_eventfd_new         (void);
void     loom_eventfd_signal      (int           fd);
void     loom_eventfd_clear       (int           fd);

/* A daemon's command line: its summary and exit statuses in --help, and a
 * --version option of its own.  Returns -1 to go on, or the status to exit
 * with (0 after --version, 2 after a usage error, which it tells). */
int      loom_program_parse_options (const char          *program,
                                     const char          *summary,
                                     const char          *description,
                                     const GOptionEntry  *entries,
                                     int                 *argc,
                                     char              ***argv);
/* --hwm's value: "auto" (stored as 0) or a number from 1 to 1024. */
#define LOOM_HWM_MAX 1024
gboolean loom_duration_parse      (const char   *text,
                                  gint64       *usec);
gboolean loom_hwm_parse           (const char   *text,
                                   guint        *hwm);

/* What an engine says of its launcher and job: 1 to
 * LOOM_LAUNCH_LABEL_MAX printable ASCII characters, no space. */
#define LOOM_LAUNCH_LABEL_MAX 64
gboolean loom_launch_label_is_valid (const char *text);

gboolean     loom_running_from_build_tree (void);
const char  *loom_locale_dir          (void);
char    *loom_find_program        (const char   *name,
                                   const char   *env_var);

G_END_DECLS
