/* loomctl-export.c: jobs as files other tools open
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Chrome traces, CSV and JSON come from libloom; PNG, SVG and PDF are the
 * app's timeline drawing, which a loomctl built with -Dapp=disabled lacks.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <glib/gi18n.h>

#include "loomctl-private.h"
#if HAVE_TIMELINE_RENDER
#include "loom-timeline-render.h"
#endif

#if HAVE_TIMELINE_RENDER
/* PNG, SVG and PDF: the app's timeline drawing, zoomed to fit, with no
 * display needed. */
static gboolean
write_timeline_image (GPtrArray         *reports,
                      LoomExportFormat   format,
                      const char        *output,
                      int                width,
                      int                height,
                      GError           **error)
{
  g_autoptr(LoomTimelineModel) model = loom_timeline_model_new ();

  if (output == NULL || g_str_equal (output, "-"))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   "images are written to a file: give -o FILE");
      return FALSE;
    }
  for (guint i = 0; i < reports->len; i++)
    if (!loom_timeline_model_add_report (model, g_ptr_array_index (reports, i), error))
      return FALSE;
  return loom_timeline_export_image (model, format, width, height, FALSE, output, error);
}
#endif

/* The format @name names.  Image formats are file extensions too (seed
 * --timeline FILE.PNG) and have always been taken in any case; the text
 * formats only as they are spelled. */
static gboolean
export_format_from_name (const char       *name,
                         LoomExportFormat *format)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (loom_export_format_from_string (name, format))
    return TRUE;
  return loom_export_format_from_string (lower, format) && loom_export_format_is_image (*format);
}

gboolean
loomctl_parse_export_format (const char        *name,
                             LoomExportFormat  *format,
                             GError           **error)
{
  g_autofree char *formats = NULL;

  if (export_format_from_name (name, format))
    return TRUE;
  formats = loom_enum_choices (LOOM_TYPE_EXPORT_FORMAT, LOOM_ENUM_CHOICES_PLAIN, -1, NULL);
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("unknown format “%s”: use %s"), name, formats);
  return FALSE;
}

/* Writes @len bytes of @data to @path.  A new or regular file (also at
 * the end of a symbolic link) is replaced at once, never left half
 * written, and keeps its permissions; a character device (/dev/stdout, a
 * terminal) or a pipe is written through; anything else (a directory, a
 * socket, a block device, a link to nowhere) is refused. */
gboolean
loomctl_write_file (const char  *path,
                    const char  *data,
                    gsize        len,
                    GError     **error)
{
  GStatBuf st;
  FILE *f;
  gboolean written;
  int saved;

  if (g_stat (path, &st) != 0)
    {
      saved = errno;
      if (saved == ENOENT && g_lstat (path, &st) == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("cannot write “%s”: it is a symbolic link to a file that does not exist"), path);
          return FALSE;
        }
      return g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0666, error);
    }
  if (S_ISREG (st.st_mode))
    {
      g_autofree char *target = realpath (path, NULL);

      return g_file_set_contents_full (target ? target : path, data, len, G_FILE_SET_CONTENTS_CONSISTENT,
                                       st.st_mode & 07777, error);
    }
  if (!S_ISCHR (st.st_mode) && !S_ISFIFO (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   _("cannot write “%s”: it is not a file, a pipe or a terminal"), path);
      return FALSE;
    }

  if ((f = fopen (path, "w")) == NULL)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot write “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  written = fwrite (data, 1, len, f) == len && fflush (f) == 0;
  saved = errno;
  if (fclose (f) != 0 && written)
    {
      written = FALSE;
      saved = errno;
    }
  if (!written)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot write “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Writes @reports as @format to @output (a file, or standard output for
 * NULL or "-").  Without the app, images are libloom's error. */
gboolean
loomctl_write_export (GPtrArray         *reports,
                      LoomExportFormat   format,
                      const char        *output,
                      int                width,
                      int                height,
                      GError           **error)
{
  g_autofree char *text = NULL;

#if HAVE_TIMELINE_RENDER
  if (loom_export_format_is_image (format))
    return write_timeline_image (reports, format, output, width, height, error);
#endif
  if (!(text = loom_export_reports (reports, format, error)))
    return FALSE;
  if (output == NULL || g_str_equal (output, "-"))
    {
      g_print ("%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n");
      return TRUE;
    }
  return loomctl_write_file (output, text, strlen (text), error);
}

/* Before any work: @path, a file to write or append to (with @folder, a
 * folder to create or fill), must be writable.  A file's folder must exist:
 * a folder missing from the command line is a usage error (EXIT_USAGE);
 * one that refuses, or a file that does, is EXIT_CANNOT_WRITE.  A missing
 * folder for @folder is made later with its parents, so the nearest one
 * that exists must take it. */
static int
check_output (const char *path,
              gboolean    folder)
{
  g_autofree char *dir = NULL;

  if (path == NULL || (!folder && g_str_equal (path, "-")))
    return EXIT_OK;

  if (folder)
    {
      g_autofree char *existing = g_strdup (path);

      while (!g_file_test (existing, G_FILE_TEST_EXISTS))
        {
          char *parent = g_path_get_dirname (existing);

          g_free (existing);
          existing = parent;
        }
      if (!g_file_test (existing, G_FILE_TEST_IS_DIR))
        return loomctl_fail (EXIT_CANNOT_WRITE, _("cannot write into “%s”: “%s” is not a folder"), path, existing);
      if (g_access (existing, W_OK | X_OK) != 0)
        return loomctl_fail (EXIT_CANNOT_WRITE, _("cannot write into “%s”: the folder “%s” does not take new files (%s)"),
                             path, existing, g_strerror (errno));
      return EXIT_OK;
    }

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return loomctl_fail (EXIT_CANNOT_WRITE, _("cannot write “%s”: it is a folder"), path);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      /* Opened as it will be appended to, and left as it was. */
      int fd = g_open (path, O_WRONLY | O_APPEND | O_CLOEXEC, 0);

      if (fd < 0)
        return loomctl_fail (EXIT_CANNOT_WRITE, _("cannot write “%s”: %s"), path, g_strerror (errno));
      close (fd);
      return EXIT_OK;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      /* A device or a pipe: opening it may wait for a reader. */
      if (g_access (path, W_OK) != 0)
        return loomctl_fail (EXIT_CANNOT_WRITE, _("cannot write “%s”: %s"), path, g_strerror (errno));
      return EXIT_OK;
    }

  dir = g_path_get_dirname (path);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return loomctl_fail (EXIT_USAGE, _("cannot write “%s”: the folder “%s” does not exist"), path, dir);
  if (g_access (dir, W_OK | X_OK) != 0)
    return loomctl_fail (EXIT_CANNOT_WRITE, _("cannot write “%s”: the folder “%s” does not take new files (%s)"),
                         path, dir, g_strerror (errno));
  return EXIT_OK;
}

/* A file to write (export -o, seed --timeline, run --joblog). */
int
loomctl_check_output (const char *path)
{
  return check_output (path, FALSE);
}

/* A folder to write files into (run --results). */
int
loomctl_check_output_folder (const char *path)
{
  return check_output (path, TRUE);
}

static gboolean
is_text_format (gint format)
{
  return !loom_export_format_is_image (format);
}

int
cmd_export (const Command *command,
            int            argc,
            char         **argv)
{
  g_auto(Loomctl) ctl = { .needs = LOOMCTL_PROFILE };
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  LoomExportFormat export_format;
  int code;
  int width = 1280;
  int height = 0;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      N_("chrome (trace events for Perfetto), csv, json, or the timeline as png, svg or pdf"), "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE (default: standard output)"), "FILE" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, N_("Image width in pixels (default 1280)"), "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, N_("Image height in pixels (default: what the lanes need)"), "H" },
    LOOMCTL_PROFILE_OPTION (&ctl),
    { NULL }
  };

  if ((code = loomctl_prologue (&ctl, command, entries, &argc, &argv)) != EXIT_OK)
    return code;
  if (argc < 2 || format == NULL)
    {
      g_autofree char *formats = loom_enum_choices (LOOM_TYPE_EXPORT_FORMAT, LOOM_ENUM_CHOICES_BARS, -1, NULL);
      return loomctl_fail (EXIT_USAGE, "usage: loomctl export JOB… --format %s [-o FILE] [--width W --height H]",
                           formats);
    }
  /* Without the drawing code, say so before asking the cluster anything. */
  if (!HAVE_TIMELINE_RENDER &&
      (!export_format_from_name (format, &export_format) || loom_export_format_is_image (export_format)))
    {
      g_autofree char *formats = loom_enum_choices (LOOM_TYPE_EXPORT_FORMAT, LOOM_ENUM_CHOICES_PLAIN, -1,
                                                    is_text_format);
      return loomctl_no_timeline ("format “%s” is not %s: image formats need", format, formats);
    }
  if ((code = loomctl_check_output (output)) != EXIT_OK ||
      (code = loomctl_connect (&ctl)) != EXIT_OK)
    return code;
  for (int i = 1; i < argc; i++)
    {
      JsonNode *report;
      guint id;

      if (!loomctl_parse_job_id (argv[i], &id))
        return loomctl_fail (EXIT_USAGE, "“%s” is not a job id", argv[i]);
      if (!(report = loom_client_get_job_report (ctl.client, id, &error)))
        return loomctl_fail (EXIT_USAGE, "job %u: %s (see “loomctl jobs”)", id, error->message);
      g_ptr_array_add (reports, report);
    }
  if (!loomctl_parse_export_format (format, &export_format, &error) ||
      !loomctl_write_export (reports, export_format, output, width, height, &error))
    return loomctl_fail_with (error);
  if (output && !g_str_equal (output, "-"))
    g_printerr (_("loomctl: wrote %u jobs as %s to %s\n"), reports->len, format, output);
  return EXIT_OK;
}
