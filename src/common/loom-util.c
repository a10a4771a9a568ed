/* loom-util.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "loom-util-private.h"

static gboolean
wakeup_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback ? callback (user_data) : G_SOURCE_CONTINUE;
}

static GSourceFuncs wakeup_funcs = {
  .dispatch = wakeup_dispatch,
};

GSource *
loom_wakeup_source_new (GMainContext *context,
                        GSourceFunc   func,
                        gpointer      data,
                        const char   *name)
{
  GSource *source = g_source_new (&wakeup_funcs, sizeof (GSource));

  g_source_set_callback (source, func, data, NULL);
  g_source_set_ready_time (source, -1);
  g_source_set_static_name (source, name);
  g_source_attach (source, context);
  return source;
}

void
loom_wakeup_source_wake (GSource *source)
{
  /* Thread-safe: g_source_set_ready_time() takes the context's lock. */
  g_source_set_ready_time (source, 0);
}

int
loom_eventfd_new (void)
{
  return eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
}

void
loom_eventfd_signal (int fd)
{
  guint64 one = 1;

  if (write (fd, &one, sizeof one) < 0)
    {
      /* The counter is saturated: the loop is awake anyway. */
    }
}

void
loom_eventfd_clear (int fd)
{
  guint64 value;

  if (read (fd, &value, sizeof value) < 0)
    {
      /* Nothing was pending. */
    }
}

/* Whether the running program is one of the build tree's (not installed). */
gboolean
loom_hwm_parse (const char *text,
                guint      *hwm)
{
  guint64 n;

  g_assert (hwm != NULL);

  if (text == NULL || g_ascii_strcasecmp (text, "auto") == 0)
    {
      *hwm = 0;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 1, LOOM_HWM_MAX, &n, NULL))
    return FALSE;
  *hwm = (guint) n;
  return TRUE;
}

gboolean
loom_running_from_build_tree (void)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);

  return self_exe != NULL && g_str_has_prefix (self_exe, LOOM_BUILD_ROOT G_DIR_SEPARATOR_S);
}

/* Where the translations are: the build tree's po/ for a program run from
 * the build tree (as its schema and programs are found there), otherwise
 * the install prefix's. */
const char *
loom_locale_dir (void)
{
  return loom_running_from_build_tree () ? LOOM_BUILD_ROOT G_DIR_SEPARATOR_S "po" : LOCALEDIR;
}

/* Where a Loom program is: $env_var, its folder in the build tree when the
 * running program is one of the build tree's, next to the running program,
 * the install prefix, then $PATH. */
char *
loom_find_program (const char *name,
                   const char *env_var)
{
  const char *env = env_var ? g_getenv (env_var) : NULL;
  g_autofree char *self_exe = NULL;
  char *path;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  /* Run from the build tree (not installed): the programs are in the
   * folders of their concerns there. */
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (loom_running_from_build_tree ())
    {
      const char *folders[] = { "src/engine", "src/libloom", "src/loomctl", "src/loom" };

      for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
        {
          path = g_build_filename (LOOM_BUILD_ROOT, folders[i], name, NULL);
          if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
            return path;
          g_free (path);
        }
    }
  else if (self_exe != NULL)
    {
      /* Installed: next to this program. */
      g_autofree char *dir = g_path_get_dirname (self_exe);

      path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return path;
      g_free (path);
    }

  path = g_build_filename (LOOM_BINDIR, name, NULL);
  if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    return path;
  g_free (path);

  return g_find_program_in_path (name);
}

int
loom_program_parse_options (const char          *program,
                            const char          *summary,
                            const char          *description,
                            const GOptionEntry  *entries,
                            int                 *argc,
                            char              ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  gboolean version = FALSE;
  const GOptionEntry version_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, version_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s: %s\n", program, error->message);
      return 2;
    }
  if (version)
    {
      g_print ("%s %s\n", program, PACKAGE_VERSION);
      return 0;
    }
  return -1;
}

/* A duration: a number of seconds, or with a unit: 90s, 30m, 12h, 7d, 2w. */
gboolean
loom_duration_parse (const char *text,
                gint64     *usec)
{
  static const struct { char unit; gint64 seconds; } units[] = {
    { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 7 * 86400 },
  };
  char *end = NULL;
  double value;
  gint64 scale = 1;

  if (text == NULL || *text == '\0')
    return FALSE;
  value = g_ascii_strtod (text, &end);
  if (end == text || !(value >= 0) || value > 1e9)
    return FALSE;
  if (*end != '\0')
    {
      guint i;

      for (i = 0; i < G_N_ELEMENTS (units) && units[i].unit != *end; i++)
        ;
      if (i == G_N_ELEMENTS (units) || end[1] != '\0')
        return FALSE;
      scale = units[i].seconds;
    }
  *usec = (gint64) (value * scale * G_USEC_PER_SEC);
  return TRUE;
}

/* A launcher's name or job id, as an engine reports it and status
 * prints it: short, one word, nothing a terminal would act on. */
gboolean
loom_launch_label_is_valid (const char *text)
{
  gsize len = 0;

  if (text == NULL)
    return FALSE;
  for (; text[len] != '\0'; len++)
    if (len >= LOOM_LAUNCH_LABEL_MAX || (guchar) text[len] <= ' ' || (guchar) text[len] > '~')
      return FALSE;
  return len > 0;
}
