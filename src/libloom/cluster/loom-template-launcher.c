/* loom-template-launcher.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Batch systems as data.  A template (JSON, NAME.json in a launchers
 * folder, or any path) holds a job script with placeholders, the commands
 * that submit, cancel, signal and query a job, a pattern that finds the job
 * id in what the submit command prints, and how the query's states map to
 * pending and running.  Each start submits one array job of N tasks, one
 * engine each.  PBS, SGE, LSF and HTCondor ship as templates; a site adds
 * its own in $XDG_CONFIG_HOME/loom/launchers/.
 *
 * Placeholders: {n} {name} {engine} (the sh words that run one engine)
 * {env} (export lines for the engines' environment) {log} (the log
 * folder) {script} (the job script's path) {key} (this start's key), in
 * commands {job} and {signal}, and every option of the template
 * ({queue}, {walltime}, {account}…).  A script line in which an option
 * left empty appears is left out, so `#PBS -q {queue}` goes away when no
 * queue is named.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-launcher-registry-private.h"
#include "loom-remote-private.h"
#include "loom-util-private.h"

#define CANCEL_WAIT_USEC (30 * G_USEC_PER_SEC)
#define MAX_TEMPLATE_BYTES (256 * 1024)

struct _LoomTemplateLauncher
{
  LoomLauncher       parent_instance;

  LoomRemoteOptions  remote;
  char              *path;
  char              *description;
  GStrv              script;        /* lines */
  GStrv              submit_file;   /* lines, nullable: a second file ({submit_file}) */
  GStrv              submit;
  GStrv              cancel;
  GStrv              signal;        /* nullable */
  GStrv              status;        /* nullable */
  GRegex            *job_id;
  char              *state;         /* pattern; {job} is the job's id */
  gboolean           submit_stdin;  /* the script goes to submit's stdin (bsub < script) */
  GHashTable        *states;        /* state → "pending" | "running" | "done" */
  GHashTable        *options;       /* name → value (defaults, then set) */
  GPtrArray         *option_names;  /* in the template's order */

  GArray            *jobs;          /* LoomBatchJob */
};

G_DEFINE_FINAL_TYPE (LoomTemplateLauncher, loom_template_launcher, LOOM_TYPE_LAUNCHER)

/* --- finding and reading templates ----------------------------------------- */

static GPtrArray *
template_dirs (void)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  const char * const *data_dirs = g_get_system_data_dirs ();

  g_ptr_array_add (dirs, g_build_filename (g_get_user_config_dir (), "loom", "launchers", NULL));
  /* Run from the build tree: the source tree's, not an installed Loom's. */
  if (loom_running_from_build_tree ())
    g_ptr_array_add (dirs, g_build_filename (LOOM_SOURCE_ROOT, "data", "launchers", NULL));
  g_ptr_array_add (dirs, g_build_filename (LOOM_DATADIR, "loom", "launchers", NULL));
  for (guint i = 0; data_dirs[i]; i++)
    g_ptr_array_add (dirs, g_build_filename (data_dirs[i], "loom", "launchers", NULL));
  return dirs;
}

static gboolean
name_is_path (const char *name)
{
  return strchr (name, G_DIR_SEPARATOR) != NULL || g_str_has_suffix (name, ".json");
}

static gboolean
name_valid (const char *name)
{
  if (*name == '\0' || *name == '.')
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
      return FALSE;
  return TRUE;
}

/* The file of the template @name (a name or a path), or NULL. */
char *
loom_template_launcher_find (const char *name)
{
  g_autoptr(GPtrArray) dirs = NULL;
  g_autofree char *file = NULL;

  if (name_is_path (name))
    return g_file_test (name, G_FILE_TEST_IS_REGULAR) ? g_canonicalize_filename (name, NULL) : NULL;
  if (!name_valid (name))
    return NULL;
  file = g_strconcat (name, ".json", NULL);
  dirs = template_dirs ();
  for (guint i = 0; i < dirs->len; i++)
    {
      g_autofree char *path = g_build_filename (g_ptr_array_index (dirs, i), file, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }
  return NULL;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names of the templates found, each once, sorted. */
char **
loom_template_launcher_list (void)
{
  g_autoptr(GPtrArray) dirs = template_dirs ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < dirs->len; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (g_ptr_array_index (dirs, i), 0, NULL);
      const char *entry;

      while (dir && (entry = g_dir_read_name (dir)))
        {
          g_autofree char *name = NULL;

          if (!g_str_has_suffix (entry, ".json"))
            continue;
          name = g_strndup (entry, strlen (entry) - strlen (".json"));
          if (name_valid (name) && !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
            g_ptr_array_add (names, g_steal_pointer (&name));
        }
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_steal (names, NULL);
}

static gboolean
template_error (GError    **error,
                const char *path,
                const char *what)
{
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, _("The launcher template %s: %s"), path, what);
  return FALSE;
}

/* A member that is a list of strings; NULL when missing. */
static gboolean
string_list (JsonObject  *object,
             const char  *member,
             gboolean     required,
             GStrv       *out,
             const char  *path,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (node == NULL)
    {
      if (!required)
        return TRUE;
      g_autofree char *what = g_strdup_printf (_("it has no “%s”"), member);

      return template_error (error, path, what);
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    goto invalid;
  array = json_node_get_array (node);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (json_node_get_value_type (element) != G_TYPE_STRING)
        goto invalid;
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  *out = g_strv_builder_end (builder);
  if (required && (*out)[0] == NULL)
    goto invalid;
  return TRUE;

invalid:
  {
    g_autofree char *what = g_strdup_printf (_("“%s” is not a list of strings"), member);
    return template_error (error, path, what);
  }
}

static GRegex *
regex_member (JsonObject  *object,
              const char  *member,
              gboolean     required,
              const char  *path,
              GError     **error)
{
  const char *pattern = json_object_get_string_member_with_default (object, member, NULL);
  g_autoptr(GError) local_error = NULL;
  GRegex *regex;

  if (pattern == NULL)
    {
      if (required)
        {
          g_autofree char *what = g_strdup_printf (_("it has no “%s”"), member);
          template_error (error, path, what);
        }
      return NULL;
    }
  regex = g_regex_new (pattern, G_REGEX_MULTILINE, 0, &local_error);
  if (regex == NULL || g_regex_get_capture_count (regex) < 1)
    {
      g_autofree char *what = g_strdup_printf (_("“%s” is not a pattern with a group in parentheses: %s"), member,
                                               local_error ? local_error->message : pattern);
      g_clear_pointer (&regex, g_regex_unref);
      template_error (error, path, what);
    }
  return regex;
}

static gboolean
load_template (LoomTemplateLauncher  *self,
               const char            *path,
               GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;
  JsonNode *root, *member;
  JsonObject *object;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    return template_error (error, path, local_error->message);
  if (len > MAX_TEMPLATE_BYTES)
    return template_error (error, path, _("it is larger than 256 KiB"));
  if (!json_parser_load_from_data (parser, contents, len, &local_error))
    return template_error (error, path, local_error->message);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return template_error (error, path, _("it is not a JSON object"));
  object = json_node_get_object (root);

  self->path = g_strdup (path);
  self->description = g_strdup (json_object_get_string_member_with_default (object, "description", ""));
  if (!string_list (object, "script", TRUE, &self->script, path, error) ||
      !string_list (object, "submit_file", FALSE, &self->submit_file, path, error) ||
      !string_list (object, "submit", TRUE, &self->submit, path, error) ||
      !string_list (object, "cancel", TRUE, &self->cancel, path, error) ||
      !string_list (object, "signal", FALSE, &self->signal, path, error) ||
      !string_list (object, "status", FALSE, &self->status, path, error))
    return FALSE;
  if (!(self->job_id = regex_member (object, "job_id", TRUE, path, error)))
    return FALSE;
  if (json_object_has_member (object, "state"))
    {
      g_autoptr(GRegex) check = NULL;
      g_autoptr(JsonObject) probe = json_object_new ();
      const char *pattern = json_object_get_string_member_with_default (object, "state", "");
      g_auto(GStrv) parts = g_strsplit (pattern, "{job}", -1);
      g_autofree char *joined = g_strjoinv ("0", parts);

      json_object_set_string_member (probe, "state", joined);
      if (!(check = regex_member (probe, "state", TRUE, path, error)))
        return FALSE;
      self->state = g_strdup (pattern);
    }
  self->submit_stdin = json_object_get_boolean_member_with_default (object, "submit_stdin", FALSE);

  member = json_object_get_member (object, "states");
  if (member != NULL)
    {
      JsonObject *states;
      g_autoptr(GList) names = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (member))
        return template_error (error, path, _("“states” is not an object"));
      states = json_node_get_object (member);
      names = json_object_get_members (states);
      for (GList *l = names; l; l = l->next)
        {
          const char *value = json_object_get_string_member_with_default (states, l->data, "");

          if (!g_str_equal (value, "pending") && !g_str_equal (value, "running") && !g_str_equal (value, "done"))
            return template_error (error, path, _("a state maps to something other than pending, running or done"));
          g_hash_table_insert (self->states, g_strdup (l->data), g_strdup (value));
        }
    }

  member = json_object_get_member (object, "options");
  if (member != NULL)
    {
      JsonObject *options;
      g_autoptr(GList) names = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (member))
        return template_error (error, path, _("“options” is not an object"));
      options = json_node_get_object (member);
      names = json_object_get_members (options);
      for (GList *l = names; l; l = l->next)
        {
          JsonNode *value = json_object_get_member (options, l->data);

          if (json_node_get_value_type (value) != G_TYPE_STRING || !name_valid (l->data))
            return template_error (error, path, _("an option's default is not a string"));
          g_hash_table_insert (self->options, g_strdup (l->data), g_strdup (json_node_get_string (value)));
          g_ptr_array_add (self->option_names, g_strdup (l->data));
        }
    }
  return TRUE;
}

LoomLauncher *
loom_template_launcher_new (const char  *name,
                            GError     **error)
{
  g_autoptr(LoomTemplateLauncher) self = NULL;
  g_autofree char *path = loom_template_launcher_find (name);

  if (path == NULL)
    return NULL;
  self = g_object_new (LOOM_TYPE_TEMPLATE_LAUNCHER, "name", name, NULL);
  if (!load_template (self, path, error))
    return NULL;
  return LOOM_LAUNCHER (g_steal_pointer (&self));
}

/* --- expanding ------------------------------------------------------------------ */

typedef struct
{
  LoomTemplateLauncher *self;
  GHashTable           *values;      /* placeholder → value */
  gboolean              empty_option;
  char                 *unknown;
} Expansion;

static gboolean
expand_cb (const GMatchInfo *info,
           GString          *result,
           gpointer          data)
{
  Expansion *expansion = data;
  g_autofree char *name = g_match_info_fetch (info, 1);
  const char *value = g_hash_table_lookup (expansion->values, name);

  if (value == NULL && (value = g_hash_table_lookup (expansion->self->options, name)) != NULL && *value == '\0')
    expansion->empty_option = TRUE;
  if (value == NULL)
    {
      if (expansion->unknown == NULL)
        expansion->unknown = g_steal_pointer (&name);
      return FALSE;
    }
  g_string_append (result, value);
  return FALSE;
}

static GRegex *
placeholder_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new ("\\{([a-z_][a-z0-9_-]*)\\}", G_REGEX_OPTIMIZE, 0, NULL));
  return regex;
}

/* @text with its placeholders filled in; NULL when one is unknown, and
 * *@empty_option set when an option of the template in it was empty. */
static char *
expand (LoomTemplateLauncher  *self,
        GHashTable            *values,
        const char            *text,
        gboolean              *empty_option,
        GError               **error)
{
  Expansion expansion = { self, values, FALSE, NULL };
  g_autofree char *result = g_regex_replace_eval (placeholder_regex (), text, -1, 0, 0, expand_cb, &expansion, NULL);

  if (expansion.unknown != NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("The launcher template %s has a placeholder {%s} it does not define"), self->path,
                   expansion.unknown);
      g_free (expansion.unknown);
      return NULL;
    }
  if (empty_option)
    *empty_option = expansion.empty_option;
  return g_steal_pointer (&result);
}

static char *
expand_lines (LoomTemplateLauncher  *self,
              GHashTable            *values,
              char                 **lines,
              GError               **error)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; lines[i]; i++)
    {
      gboolean empty = FALSE;
      g_autofree char *line = expand (self, values, lines[i], &empty, error);

      if (line == NULL)
        return g_string_free (text, TRUE), NULL;
      if (!empty)
        g_string_append_printf (text, "%s\n", line);
    }
  return g_string_free (text, FALSE);
}

static char **
expand_argv (LoomTemplateLauncher  *self,
             GHashTable            *values,
             char                 **argv,
             GError               **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; argv[i]; i++)
    {
      gboolean empty = FALSE;
      g_autofree char *arg = expand (self, values, argv[i], &empty, error);

      if (arg == NULL)
        return NULL;
      /* An option left empty drops its argument ("-q{queue}"). */
      if (!empty)
        g_strv_builder_add (builder, arg);
    }
  return g_strv_builder_end (builder);
}

static GHashTable *
base_values (LoomTemplateLauncher *self)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  const char *log_dir = loom_launcher_get_log_dir (LOOM_LAUNCHER (self));

  g_hash_table_insert (values, "name", g_strdup ("loom-engines"));
  g_hash_table_insert (values, "log", g_strdup (log_dir ? log_dir : g_get_tmp_dir ()));
  return values;
}

/* The job script for @n engines, and the submit command, expanded. */
static char *
expand_job (LoomLauncher  *launcher,
                                      guint          n,
                                      const char    *script_path,
                                      char        ***submit_argv,
                                      GError       **error)
{
  LoomTemplateLauncher *self = LOOM_TEMPLATE_LAUNCHER (launcher);
  g_autoptr(GHashTable) values = base_values (self);
  g_auto(GStrv) environ = NULL;
  g_autofree char *found = loom_find_program ("loom-engine", "LOOM_ENGINE");
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *key = g_strdup_printf ("%s-%.8s", loom_launcher_get_name (launcher), uuid);
  g_autofree char *script = NULL;
  char *submit_file_path = NULL;

  if (!(environ = loom_remote_engine_environ (launcher, &self->remote, key, error)))
    return NULL;
  g_hash_table_insert (values, "n", g_strdup_printf ("%u", n));
  g_hash_table_insert (values, "key", g_strdup (key));
  g_hash_table_insert (values, "engine",
                       loom_remote_engine_command (launcher, &self->remote, found ? found : "loom-engine", TRUE));
  g_hash_table_insert (values, "env", loom_remote_exports ((const char * const *) environ));
  g_hash_table_insert (values, "script", g_strdup (script_path));
  if (self->submit_file)
    {
      submit_file_path = g_strconcat (script_path, ".submit", NULL);
      g_hash_table_insert (values, "submit_file", submit_file_path);
    }

  if (!(script = expand_lines (self, values, self->script, error)))
    return NULL;
  if (self->submit_file)
    {
      g_autofree char *submit = expand_lines (self, values, self->submit_file, error);

      if (submit == NULL || !loom_remote_write_script (submit_file_path, submit, error))
        return NULL;
    }
  if (submit_argv && !(*submit_argv = expand_argv (self, values, self->submit, error)))
    return NULL;
  return g_steal_pointer (&script);
}

/* --- the launcher ----------------------------------------------------------------- */

static gboolean
loom_template_launcher_start (LoomLauncher  *launcher,
                              guint          n_engines,
                              GError       **error)
{
  LoomTemplateLauncher *self = LOOM_TEMPLATE_LAUNCHER (launcher);
  g_autofree char *log_dir = loom_remote_log_dir (launcher, error);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autofree char *id = NULL;
  g_auto(GStrv) submit = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  LoomBatchJob job = { 0 };

  if (log_dir == NULL)
    return FALSE;
  if (loom_launcher_get_log_dir (launcher) == NULL)
    loom_launcher_set_log_dir (launcher, log_dir);
  file = g_strdup_printf ("%s-%.8s.job", loom_launcher_get_name (launcher), uuid);
  if (name_is_path (loom_launcher_get_name (launcher)))
    {
      g_autofree char *base = g_path_get_basename (loom_launcher_get_name (launcher));

      g_free (file);
      file = g_strdup_printf ("%s-%.8s.job", base, uuid);
    }
  path = g_build_filename (log_dir, file, NULL);

  if (!(script = expand_job (launcher, n_engines, path, &submit, error)) ||
      !loom_remote_write_script (path, script, error) ||
      !loom_remote_run ((const char * const *) submit, NULL, self->submit_stdin ? script : NULL, &out, error))
    return FALSE;
  if (!g_regex_match (self->job_id, out, 0, &match) || !(id = g_match_info_fetch (match, 1)) || *id == '\0')
    {
      g_strstrip (out);
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE, _("%s did not print a job id (it printed “%s”)"),
                   submit[0], out);
      return FALSE;
    }
  job.id = g_steal_pointer (&id);
  job.n = n_engines;
  g_array_append_val (self->jobs, job);
  return TRUE;
}

/* Runs @command for @job; its output. */
static gboolean
job_command (LoomTemplateLauncher  *self,
             char                 **command,
             const LoomBatchJob     *job,
             const char            *signal_name,
             char                 **out,
             int                   *status,
             GError               **error)
{
  g_autoptr(GHashTable) values = base_values (self);
  g_auto(GStrv) argv = NULL;

  g_hash_table_insert (values, "job", g_strdup (job->id));
  g_hash_table_insert (values, "n", g_strdup_printf ("%u", job->n));
  if (signal_name)
    g_hash_table_insert (values, "signal", g_strdup (signal_name));
  if (!(argv = expand_argv (self, values, command, error)))
    return FALSE;
  if (status)
    return loom_remote_run_status ((const char * const *) argv, NULL, NULL, out, NULL, status, error);
  return loom_remote_run ((const char * const *) argv, NULL, NULL, out, error);
}

/* pending, running or done (gone from the queue, or a state not mapped). */
static const char *
job_state (LoomTemplateLauncher *self,
           const LoomBatchJob    *job,
           guint                *n_pending,
           guint                *n_running)
{
  g_autofree char *out = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *pattern = NULL;
  g_auto(GStrv) parts = NULL;
  guint pending = 0, running = 0, matches = 0;
  int status;

  *n_pending = *n_running = 0;
  /* No way to ask: running until cancelled. */
  if (self->status == NULL || self->state == NULL)
    {
      *n_running = job->n;
      return "running";
    }
  if (!job_command (self, self->status, job, NULL, &out, &status, NULL) || status != 0)
    return "done";
  escaped = g_regex_escape_string (job->id, -1);
  parts = g_strsplit (self->state, "{job}", -1);
  pattern = g_strjoinv (escaped, parts);
  if (!(regex = g_regex_new (pattern, G_REGEX_MULTILINE, 0, NULL)))
    return "done";
  g_regex_match (regex, out, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *state = g_match_info_fetch (match, 1);
      const char *mapped = g_hash_table_lookup (self->states, state);

      matches++;
      pending += g_strcmp0 (mapped, "pending") == 0;
      running += g_strcmp0 (mapped, "running") == 0;
    }
  /* One line for the whole array, or one per task. */
  if (matches == 1)
    {
      *n_pending = pending ? job->n : 0;
      *n_running = running ? job->n : 0;
    }
  else
    {
      *n_pending = pending;
      *n_running = running;
    }
  return *n_pending + *n_running > 0 ? (*n_running ? "running" : "pending") : "done";
}

static guint
loom_template_launcher_poll (LoomLauncher *launcher,
                             guint        *n_pending)
{
  LoomTemplateLauncher *self = LOOM_TEMPLATE_LAUNCHER (launcher);
  guint running = 0;

  *n_pending = 0;
  for (guint i = 0; i < self->jobs->len; i++)
    {
      guint pending, run;

      job_state (self, &g_array_index (self->jobs, LoomBatchJob, i), &pending, &run);
      *n_pending += pending;
      running += run;
    }
  return running;
}

static gboolean
loom_template_launcher_send_signal (LoomLauncher  *launcher,
                                    int            signum,
                                    GError       **error)
{
  LoomTemplateLauncher *self = LOOM_TEMPLATE_LAUNCHER (launcher);
  const char *name = loom_remote_signal_name (signum);

  if (self->signal == NULL || name == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED, _("The %s launcher cannot send signal %d"),
                   loom_launcher_get_name (launcher), signum);
      return FALSE;
    }
  for (guint i = 0; i < self->jobs->len; i++)
    if (!job_command (self, self->signal, &g_array_index (self->jobs, LoomBatchJob, i), name, NULL, NULL, error))
      return FALSE;
  return TRUE;
}

static void
loom_template_launcher_stop (LoomLauncher *launcher)
{
  LoomTemplateLauncher *self = LOOM_TEMPLATE_LAUNCHER (launcher);
  gint64 deadline = g_get_monotonic_time () + CANCEL_WAIT_USEC;

  for (guint i = 0; i < self->jobs->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!job_command (self, self->cancel, &g_array_index (self->jobs, LoomBatchJob, i), NULL, NULL, NULL, &error))
        g_warning ("%s", error->message);
    }
  /* Until the queue no longer lists them (when the template can ask). */
  for (guint i = 0; self->status && self->state && i < self->jobs->len && g_get_monotonic_time () < deadline;)
    {
      guint pending, running;

      if (g_str_equal (job_state (self, &g_array_index (self->jobs, LoomBatchJob, i), &pending, &running), "done"))
        i++;
      else
        g_usleep (100 * 1000);
    }
  g_array_set_size (self->jobs, 0);
}

static gboolean
loom_template_launcher_set_option (LoomLauncher  *launcher,
                                   const char    *name,
                                   const char    *value,
                                   GError       **error)
{
  LoomTemplateLauncher *self = LOOM_TEMPLATE_LAUNCHER (launcher);
  gboolean handled;

  if (!loom_remote_options_set (&self->remote, launcher, name, value, &handled, error))
    return FALSE;
  if (handled)
    return TRUE;
  if (g_hash_table_contains (self->options, name))
    {
      /* A value goes into a job script: one line of it. */
      if (strpbrk (value, "\n\r") != NULL)
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("The %s launcher's option %s takes one line of text"), loom_launcher_get_name (launcher),
                       name);
          return FALSE;
        }
      g_hash_table_replace (self->options, g_strdup (name), g_strdup (value));
      return TRUE;
    }

  {
    g_autofree char *names = NULL;

    g_ptr_array_add (self->option_names, NULL);
    names = g_strjoinv (", ", (char **) self->option_names->pdata);
    g_ptr_array_remove_index (self->option_names, self->option_names->len - 1);
    g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                 _("The %s launcher has no option “%s”: its template has %s, and every launcher takes engine-path, "
                   "connection and env"),
                 loom_launcher_get_name (launcher), name, *names ? names : _("none"));
    return FALSE;
  }
}

static char *
loom_template_launcher_get_output (LoomLauncher *launcher)
{
  LoomTemplateLauncher *self = LOOM_TEMPLATE_LAUNCHER (launcher);
  const char *log_dir = loom_launcher_get_log_dir (launcher);
  GString *output = g_string_new (NULL);
  g_autoptr(GDir) dir = log_dir ? g_dir_open (log_dir, 0, NULL) : NULL;
  const char *entry;

  /* The output files the jobs wrote: named after their ids. */
  while (dir && (entry = g_dir_read_name (dir)))
    for (guint i = 0; i < self->jobs->len; i++)
      {
        const char *id = g_array_index (self->jobs, LoomBatchJob, i).id;

        if (g_str_has_suffix (entry, ".out") && strstr (entry, id) != NULL)
          {
            g_autofree char *path = g_build_filename (log_dir, entry, NULL);
            g_autofree char *tail = loom_remote_file_tail (path, 64 * 1024);

            if (tail && *tail)
              g_string_append_printf (output, "==> %s <==\n%s%s", path, tail,
                                      g_str_has_suffix (tail, "\n") ? "" : "\n");
          }
      }
  return g_string_free (output, FALSE);
}

static void
loom_template_launcher_save_state (LoomLauncher *launcher,
                                   JsonBuilder  *builder)
{
  loom_batch_jobs_save (LOOM_TEMPLATE_LAUNCHER (launcher)->jobs, builder);
}

/* A batch system's job id: anything but an option. */
static gboolean
template_job_id_valid (const char *id)
{
  return *id != '\0' && *id != '-';
}

static gboolean
loom_template_launcher_load_state (LoomLauncher  *launcher,
                                   JsonObject    *state,
                                   GError       **error)
{
  if (loom_batch_jobs_load (LOOM_TEMPLATE_LAUNCHER (launcher)->jobs, state, template_job_id_valid))
    return TRUE;
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("Not a %s launcher's saved state: its jobs have no ids"), loom_launcher_get_name (launcher));
  return FALSE;
}

static void
loom_template_launcher_finalize (GObject *object)
{
  LoomTemplateLauncher *self = (LoomTemplateLauncher *) object;

  loom_remote_options_clear (&self->remote);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->script, g_strfreev);
  g_clear_pointer (&self->submit_file, g_strfreev);
  g_clear_pointer (&self->submit, g_strfreev);
  g_clear_pointer (&self->cancel, g_strfreev);
  g_clear_pointer (&self->signal, g_strfreev);
  g_clear_pointer (&self->status, g_strfreev);
  g_clear_pointer (&self->job_id, g_regex_unref);
  g_clear_pointer (&self->state, g_free);
  g_clear_pointer (&self->states, g_hash_table_unref);
  g_clear_pointer (&self->options, g_hash_table_unref);
  g_clear_pointer (&self->option_names, g_ptr_array_unref);
  g_clear_pointer (&self->jobs, g_array_unref);

  G_OBJECT_CLASS (loom_template_launcher_parent_class)->finalize (object);
}

static void
loom_template_launcher_class_init (LoomTemplateLauncherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LoomLauncherClass *launcher_class = LOOM_LAUNCHER_CLASS (klass);

  object_class->finalize = loom_template_launcher_finalize;

  launcher_class->start = loom_template_launcher_start;
  launcher_class->stop = loom_template_launcher_stop;
  launcher_class->send_signal = loom_template_launcher_send_signal;
  launcher_class->poll = loom_template_launcher_poll;
  launcher_class->get_output = loom_template_launcher_get_output;
  launcher_class->set_option = loom_template_launcher_set_option;
  launcher_class->save_state = loom_template_launcher_save_state;
  launcher_class->load_state = loom_template_launcher_load_state;
}

static void
loom_template_launcher_init (LoomTemplateLauncher *self)
{
  loom_remote_options_init (&self->remote);
  self->states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->option_names = g_ptr_array_new_with_free_func (g_free);
  self->jobs = loom_batch_jobs_new ();
}
