/* main.c: the loom program
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <locale.h>
#include <signal.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "loom-application.h"
#include "loom-util-private.h"

static gboolean
quit_on_signal (gpointer data)
{
  g_application_quit (G_APPLICATION (data));
  return G_SOURCE_CONTINUE;
}

/* Run from the build tree: the schema is compiled in <build>/data, as
 * `meson devenv` would say. */
static void
use_build_tree_schemas (void)
{
  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL && loom_running_from_build_tree ())
    g_setenv ("GSETTINGS_SCHEMA_DIR", LOOM_BUILD_ROOT G_DIR_SEPARATOR_S "data", TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LoomApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, loom_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  use_build_tree_schemas ();
  app = loom_application_new ();
  /* SIGTERM and SIGINT quit properly, so the app's engines stop with it. */
  g_unix_signal_add (SIGTERM, quit_on_signal, app);
  g_unix_signal_add (SIGINT, quit_on_signal, app);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
