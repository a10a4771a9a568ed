/* loom-preferences-window.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LOOM_TYPE_PREFERENCES_WINDOW (loom_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (LoomPreferencesWindow, loom_preferences_window, LOOM, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *loom_preferences_window_new (GSettings *settings);

G_END_DECLS
