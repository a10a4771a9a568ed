/* loomctl.c: the Loom command line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A thin layer over libloom: clusters (`cluster start|stop|status`,
 * `engines add|stop`, loomctl-cluster.c), sweeps (`map`, `run`,
 * loomctl-map.c; `compare`, `seed`, loomctl-compare.c), what a cluster
 * knows (`ids`, `ready`, `get`, `jobs`, `show`, `abort`, loomctl-query.c),
 * `export` (loomctl-export.c) and `bench` (loomctl-bench.c).  Every command
 * begins with loomctl_prologue() (loomctl-prologue.c).
 *
 * Exit codes: 0 every task succeeded, 1 some tasks failed (or another
 * runtime failure), 2 usage or input error, 3 no cluster / cannot connect.
 */

#define G_LOG_DOMAIN "loomctl"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "loomctl-private.h"
#include "loom-util-private.h"

static const Command commands[] = {
  { "cluster start", cmd_cluster_start, NULL, N_("Start a controller and N local engines in the background") },
  { "cluster stop", cmd_cluster_stop, NULL, N_("Stop a cluster's engines and controller") },
  { "cluster status", cmd_cluster_status, NULL, N_("Show the controller, its engines and dropped-message counters") },
  { "engines add", cmd_engines_add, "N", N_("Start N more local engines for a running cluster") },
  { "engines stop", cmd_engines_stop, "ID", N_("Stop one engine of a running cluster") },
  { "ids", cmd_ids, NULL, N_("Print the ids of the live engines, like Client.ids") },
  { "map", cmd_map, "FUNCTION", N_("Run a built-in or plugin function over a sweep, load-balanced; print the results in order") },
  { "run", cmd_run, "[--] COMMAND [ARGS]", N_("Run a command over a sweep ({name} in the arguments); print each task's output in order") },
  { "compare", cmd_compare, "FUNCTION | -- COMMAND", N_("Run a sweep serially and in parallel; print wall times, speedup and efficiency side by side") },
  { "ready", cmd_ready, "JOB", N_("Print True if a job is done, like AsyncResult.ready()") },
  { "get", cmd_get, "JOB", N_("Wait for a job and print its results, like AsyncResult.get()") },
  { "jobs", cmd_jobs, NULL, N_("List the jobs of a cluster: id, name, mode, tasks, done, failed, wall time") },
  { "jobs purge", cmd_jobs_purge, NULL, N_("Remove finished jobs from the cluster's job store: --older-than D, --keep N") },
  { "show", cmd_show, "JOB", N_("Print one job and its tasks") },
  { "abort", cmd_abort, "JOB", N_("Abort a job: queued tasks never run, running ones are killed") },
  { "export", cmd_export, "JOB…", N_("Write jobs as a Chrome trace, CSV or JSON, or their timeline as PNG, SVG or PDF") },
  { "bench", cmd_bench, NULL, N_("Measure throughput, round trip and start-up on a private cluster") },
  { "seed", cmd_seed, NULL, N_("Run the seed workflow (printtime over range(10)) on a private cluster") },
};

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

/* `loomctl cluster start` and friends: a word, then its own options. */
static int
dispatch_group (const char *group,
                int         argc,
                char      **argv)
{
  g_autofree char *full = NULL;
  const Command *command;

  if (argc < 2 || g_str_has_prefix (argv[1], "-"))
    {
      g_printerr (_("loomctl %s: say what to do: "), group);
      if (g_str_equal (group, "cluster"))
        g_printerr ("loomctl cluster start|stop|status\n");
      else
        g_printerr ("loomctl engines add N | loomctl engines stop ID\n");
      return EXIT_USAGE;
    }
  full = g_strdup_printf ("%s %s", group, argv[1]);
  if (!(command = find_command (full)))
    return loomctl_fail (EXIT_USAGE, "unknown command “%s” (see “loomctl --help”)", full);
  return command->func (command, argc - 1, argv + 1);
}

static void
usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: loomctl COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n\n", _("Loom: run a function or program over many inputs on a cluster of engines."));
  fprintf (out, "%s\n", _("Commands:"));
  {
    g_autoptr(GPtrArray) lefts = g_ptr_array_new_with_free_func (g_free);
    glong width = 0;

    /* One column for the summaries, as wide as the widest command
     * (counted in characters: “JOB…” is four). */
    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      {
        char *left = g_strdup_printf ("%s%s%s", commands[i].name,
                                      commands[i].parameter ? " " : "",
                                      commands[i].parameter ? commands[i].parameter : "");
        width = MAX (width, g_utf8_strlen (left, -1));
        g_ptr_array_add (lefts, left);
      }
    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      {
        const char *left = g_ptr_array_index (lefts, i);

        fprintf (out, "  %s%*s  %s\n", left, (int) (width - g_utf8_strlen (left, -1)), "",
                 _(commands[i].summary));
      }
  }
  fprintf (out, "\n%s\n", _("Without a running cluster, map and run start a private one for the command."));
  fprintf (out, "%s\n", _("Exit status: 0 all tasks succeeded, 1 some failed, 2 usage or input error, 3 no cluster,\n"
                          "4 --timeout passed, 5 cluster already running, 6 cannot write output, 7 other error,\n"
                          "130 interrupted (see loomctl(1))."));
  fprintf (out, "%s\n", _("Run “loomctl COMMAND --help” for a command's options."));
  fprintf (out, "%s\n", _("Run “loomctl --version” for the version."));
}

/* g_print() as GLib's own (in the console's charset), remembering why a
 * write failed (loomctl_stdout_write()). */
static void
print_to_stdout (const char *text)
{
  g_autofree char *converted = NULL;
  const char *charset;

  if (!g_get_console_charset (&charset))
    converted = g_convert_with_fallback (text, -1, charset, "UTF-8", "?", NULL, NULL, NULL);
  loomctl_stdout_write (converted ? converted : text, strlen (converted ? converted : text));
  loomctl_stdout_flush ();
}

/* Whatever went to standard output must have arrived: if not, say so and
 * exit EXIT_CANNOT_WRITE, unless the command failed already. */
static int
finish_output (int code)
{
  int stdout_errno = loomctl_stdout_flush ();

  if (stdout_errno == 0)
    return code;
  g_printerr (_("loomctl: cannot write the output: %s\n"), g_strerror (stdout_errno));
  return code == EXIT_OK ? EXIT_CANNOT_WRITE : code;
}

static int
run_command (int   argc,
             char *argv[])
{
  const Command *command;

  if (argc < 2)
    {
      usage (stderr);
      return EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      usage (stdout);
      return EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("loomctl %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  if (g_str_equal (argv[1], "cluster") || g_str_equal (argv[1], "engines"))
    return dispatch_group (argv[1], argc - 1, argv + 1);
  if (g_str_equal (argv[1], "jobs") && argc > 2 && g_str_equal (argv[2], "purge"))
    return dispatch_group (argv[1], argc - 1, argv + 1);
  if ((command = find_command (argv[1])))
    return command->func (command, argc - 1, argv + 1);

  g_printerr (_("loomctl: unknown command “%s”\n\n"), argv[1]);
  usage (stderr);
  return EXIT_USAGE;
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, loom_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_print_handler (print_to_stdout);

  return finish_output (run_command (argc, argv));
}
