/* loom-launch-fields.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The most engines one request of the app starts (the settings' "engines"
 * key has the same bound). */
#define LOOM_APP_MAX_ENGINES 256

gboolean  loom_launch_fields_parse_count      (const char  *text,
                                               guint       *n_engines,
                                               GError     **error);
char    **loom_launch_fields_parse_hosts      (const char  *text,
                                               guint       *n_engines,
                                               GError     **error);
gboolean  loom_launch_fields_parse_port       (const char  *text,
                                               GError     **error);
gboolean  loom_launch_fields_parse_time_limit (const char  *text,
                                               GError     **error);

G_END_DECLS
