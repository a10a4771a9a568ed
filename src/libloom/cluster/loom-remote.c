/* loom-remote.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-remote-private.h"

static void
batch_job_clear (gpointer data)
{
  g_free (((LoomBatchJob *) data)->id);
}

GArray *
loom_batch_jobs_new (void)
{
  GArray *jobs = g_array_new (FALSE, TRUE, sizeof (LoomBatchJob));

  g_array_set_clear_func (jobs, batch_job_clear);
  return jobs;
}

void
loom_batch_jobs_save (GArray      *jobs,
                      JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "jobs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < jobs->len; i++)
    {
      const LoomBatchJob *job = &g_array_index (jobs, LoomBatchJob, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, job->id);
      json_builder_set_member_name (builder, "engines");
      json_builder_add_int_value (builder, job->n);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

gboolean
loom_batch_jobs_load (GArray      *jobs,
                      JsonObject  *state,
                      gboolean   (*id_valid) (const char *id))
{
  JsonNode *member = json_object_get_member (state, "jobs");
  JsonArray *array;

  if (member == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (member))
    return FALSE;
  array = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *id;
      LoomBatchJob job = { 0 };

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !(id = json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL)) ||
          !id_valid (id))
        return FALSE;
      job.id = g_strdup (id);
      job.n = (guint) CLAMP (json_object_get_int_member_with_default (json_node_get_object (node), "engines", 0),
                             0, G_MAXUINT);
      g_array_append_val (jobs, job);
    }
  return TRUE;
}

void
loom_remote_options_init (LoomRemoteOptions *options)
{
  memset (options, 0, sizeof *options);
  options->env = g_ptr_array_new_with_free_func (g_free);
  /* Engines read their connection from LOOM_CONNECTION; stdin is for
   * engines of an older Loom on the hosts. */
  options->via_env = TRUE;
}

void
loom_remote_options_clear (LoomRemoteOptions *options)
{
  g_clear_pointer (&options->engine_path, g_free);
  g_clear_pointer (&options->env, g_ptr_array_unref);
}

static gboolean
env_name_valid (const char *name,
                gsize       len)
{
  if (len == 0 || g_ascii_isdigit (name[0]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '_')
      return FALSE;
  return TRUE;
}

gboolean
loom_remote_options_set (LoomRemoteOptions  *options,
                         LoomLauncher       *launcher,
                         const char         *name,
                         const char         *value,
                         gboolean           *handled,
                         GError            **error)
{
  *handled = TRUE;

  if (g_str_equal (name, "engine-path"))
    {
      if (*value == '\0')
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("The %s launcher's option engine-path needs a program"), loom_launcher_get_name (launcher));
          return FALSE;
        }
      g_free (options->engine_path);
      options->engine_path = g_strdup (value);
      return TRUE;
    }
  if (g_str_equal (name, "connection"))
    {
      if (!g_str_equal (value, "stdin") && !g_str_equal (value, "env"))
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("The %s launcher's option connection takes env (engines read LOOM_CONNECTION, the "
                         "default) or stdin (the connection piped to each engine as well), got “%s”"),
                       loom_launcher_get_name (launcher), value);
          return FALSE;
        }
      options->via_env = g_str_equal (value, "env");
      return TRUE;
    }
  if (g_str_equal (name, "env"))
    {
      const char *eq = strchr (value, '=');

      if (eq == NULL || !env_name_valid (value, eq - value) || g_str_has_prefix (value, "LOOM_CONNECTION="))
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("The %s launcher's option env takes NAME=VALUE, got “%s”"),
                       loom_launcher_get_name (launcher), value);
          return FALSE;
        }
      g_ptr_array_add (options->env, g_strdup (value));
      return TRUE;
    }

  *handled = FALSE;
  return TRUE;
}

char **
loom_remote_engine_environ (LoomLauncher       *launcher,
                            LoomRemoteOptions  *options,
                            const char         *job_id,
                            GError            **error)
{
  g_auto(GStrv) base = loom_launcher_get_engine_environ (launcher, job_id, error);
  GStrvBuilder *builder;
  char **env;

  if (base == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) base);
  for (guint i = 0; i < options->env->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (options->env, i));
  env = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return env;
}

char *
loom_remote_exports (const char * const *environ)
{
  GString *script = g_string_new (NULL);

  for (guint i = 0; environ && environ[i]; i++)
    {
      const char *eq = strchr (environ[i], '=');
      g_autofree char *name = NULL;
      g_autofree char *quoted = NULL;

      if (eq == NULL)
        continue;
      name = g_strndup (environ[i], eq - environ[i]);
      /* g_shell_quote: single quotes, a quote inside as '\'' — POSIX sh. */
      quoted = g_shell_quote (eq + 1);
      g_string_append_printf (script, "%s=%s; export %s\n", name, quoted, name);
    }
  return g_string_free (script, FALSE);
}

char *
loom_remote_engine_command (LoomLauncher      *launcher,
                            LoomRemoteOptions *options,
                            const char        *default_engine,
                            gboolean           exec_form)
{
  const char *engine = options->engine_path ? options->engine_path : default_engine;
  g_auto(GStrv) argv = loom_launcher_get_engine_argv (launcher, engine);
  GString *command = g_string_new (NULL);

  /* exec: the engine takes the shell's place (srun's and mpiexec's
   * signals reach it); its stdin a here-document, expanded once ($ in the
   * value is not expanded again). */
  if (exec_form)
    g_string_append (command, "exec ");
  else if (!options->via_env)
    g_string_append (command, "printf '%s\\n' \"$LOOM_CONNECTION\" | ");
  for (guint i = 0; argv[i]; i++)
    {
      g_autofree char *quoted = g_shell_quote (argv[i]);

      if (i > 0)
        g_string_append_c (command, ' ');
      g_string_append (command, quoted);
    }
  if (!options->via_env)
    g_string_append (command, " --connection /dev/stdin");
  if (exec_form && !options->via_env)
    g_string_append (command, " <<LOOM_CONNECTION_END\n$LOOM_CONNECTION\nLOOM_CONNECTION_END\n");
  return g_string_free (command, FALSE);
}

GSubprocessLauncher *
loom_remote_subprocess_launcher (const char * const *environ,
                                 GSubprocessFlags    flags)
{
  GSubprocessLauncher *sub = g_subprocess_launcher_new (flags);

  for (guint i = 0; environ && environ[i]; i++)
    {
      const char *eq = strchr (environ[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL)
        continue;
      name = g_strndup (environ[i], eq - environ[i]);
      g_subprocess_launcher_setenv (sub, name, eq + 1, TRUE);
    }
  return sub;
}

static gboolean
on_timeout (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

gboolean
loom_remote_run_status (const char * const  *argv,
                        const char * const  *environ,
                        const char          *input,
                        char               **out,
                        char               **err,
                        int                 *status,
                        GError             **error)
{
  g_autoptr(GSubprocessLauncher) sub = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  gboolean ok;

  sub = loom_remote_subprocess_launcher (environ, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                  G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (!(proc = g_subprocess_launcher_spawnv (sub, argv, &local_error)))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE, _("Cannot run %s: %s"), argv[0], local_error->message);
      return FALSE;
    }

  /* A command that hangs (an ssh host that does not answer) is ended. */
  g_main_context_push_thread_default (context);
  timeout = g_timeout_source_new_seconds (LOOM_LAUNCHER_COMMAND_TIMEOUT_S);
  g_source_set_callback (timeout, on_timeout, cancellable, NULL);
  g_source_attach (timeout, context);
  ok = g_subprocess_communicate_utf8 (proc, input ? input : "", cancellable, &stdout_text, &stderr_text,
                                      &local_error);
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
  if (!ok)
    {
      g_subprocess_force_exit (proc);
      g_subprocess_wait (proc, NULL, NULL);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT, _("%s did not finish within %d s"), argv[0],
                     LOOM_LAUNCHER_COMMAND_TIMEOUT_S);
      else
        g_set_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE, _("Cannot run %s: %s"), argv[0], local_error->message);
      return FALSE;
    }

  if (g_subprocess_get_if_signaled (proc))
    *status = 128 + g_subprocess_get_term_sig (proc);
  else
    *status = g_subprocess_get_exit_status (proc);
  if (out)
    *out = g_steal_pointer (&stdout_text);
  if (err)
    *err = g_steal_pointer (&stderr_text);
  return TRUE;
}

gboolean
loom_remote_run (const char * const  *argv,
                 const char * const  *environ,
                 const char          *input,
                 char               **out,
                 GError             **error)
{
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  int status;

  if (!loom_remote_run_status (argv, environ, input, &stdout_text, &stderr_text, &status, error))
    return FALSE;
  if (status != 0)
    {
      g_autofree char *command = g_strjoinv (" ", (char **) argv);

      g_strstrip (stderr_text);
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE, _("“%s” failed (exit status %d)%s%s"),
                   command, status, *stderr_text ? ": " : "", stderr_text);
      return FALSE;
    }
  if (out)
    *out = g_steal_pointer (&stdout_text);
  return TRUE;
}

char *
loom_remote_file_tail (const char *path,
                       gsize       max_bytes)
{
  g_autofree char *contents = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  if (len > max_bytes)
    return g_strdup (contents + len - max_bytes);
  return g_steal_pointer (&contents);
}

const char *
loom_remote_signal_name (int signum)
{
  static const struct { int signum; const char *name; } names[] = {
    { SIGTERM, "TERM" }, { SIGKILL, "KILL" }, { SIGINT, "INT" }, { SIGHUP, "HUP" },
    { SIGUSR1, "USR1" }, { SIGUSR2, "USR2" }, { SIGQUIT, "QUIT" }, { SIGCONT, "CONT" },
    { SIGSTOP, "STOP" }, { SIGALRM, "ALRM" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i].signum == signum)
      return names[i].name;
  return NULL;
}

char *
loom_remote_log_dir (LoomLauncher  *launcher,
                     GError       **error)
{
  const char *set = loom_launcher_get_log_dir (launcher);
  g_autofree char *dir = set ? g_strdup (set) : g_build_filename (g_get_user_state_dir (), "loom", "launchers", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot create %s: %s"), dir,
                   g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&dir);
}

gboolean
loom_remote_write_script (const char  *path,
                          const char  *contents,
                          GError     **error)
{
  return g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0700, error);
}
