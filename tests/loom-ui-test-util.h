/* loom-ui-test-util.h: finding and picturing the app's real widgets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared by the ui suites: widgets are found by name or by the text of a
 * label, and windows are saved as PNGs under tests/screenshots/ in the
 * build directory, to be looked at.
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* g_test_init(), then GTK and libadwaita; without a display the suite is
 * reported as skipped. */
void       ui_test_init       (int         *argc,
                               char      ***argv);
/* The first widget, depth first, that @matches. */
GtkWidget *find_widget        (GtkWidget   *widget,
                               gboolean   (*matches) (GtkWidget *widget, const char *text),
                               const char  *text);
GtkWidget *find_widget_named  (GtkWidget   *widget,
                               const char  *name);
GtkWidget *find_label_with    (GtkWidget   *widget,
                               const char  *fragment);
char      *screenshot_path    (const char  *name);
void       save_png           (GtkWidget   *widget,
                               const char  *path);

G_END_DECLS
