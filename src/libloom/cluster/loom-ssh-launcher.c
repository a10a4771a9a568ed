/* loom-ssh-launcher.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Engines on other hosts over ssh.  For each host, one `ssh [options] HOST
 * -- sh -` reads a short POSIX sh script on its stdin: it exports the
 * engines' environment (the connection among it, so no shared file system
 * is needed), starts the engines in a session of their own (setsid) with
 * their output in a log file on that host, and prints the process group
 * and the engines' pids, which are all the launcher keeps.  Stopping is
 * one `kill -TERM -PGID` over ssh per host, then KILL after a grace.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-launcher-registry-private.h"
#include "loom-remote-private.h"

#define STOP_GRACE_TENTHS 50

typedef struct
{
  char  *host;    /* as given: [user@]host */
  guint  count;   /* engines asked for there; 0: a share of what is left */
} SshHost;

typedef struct
{
  char   *host;
  char   *key;    /* LOOM_LAUNCH_JOB of the group */
  gint64  pgid;
  char   *log;    /* on the host */
  GArray *pids;   /* gint64 */
} SshGroup;

struct _LoomSshLauncher
{
  LoomLauncher       parent_instance;

  LoomRemoteOptions  remote;
  GArray            *hosts;        /* SshHost */
  GPtrArray         *ssh_options;  /* -o VALUE each */
  char              *identity;
  char              *port;
  char              *config;
  char              *ssh;          /* the ssh program */
  GPtrArray         *groups;       /* SshGroup */
};

G_DEFINE_FINAL_TYPE (LoomSshLauncher, loom_ssh_launcher, LOOM_TYPE_LAUNCHER)

static void
ssh_host_clear (gpointer data)
{
  SshHost *host = data;

  g_free (host->host);
}

static void
ssh_group_free (gpointer data)
{
  SshGroup *group = data;

  g_free (group->host);
  g_free (group->key);
  g_free (group->log);
  g_array_unref (group->pids);
  g_free (group);
}

/* `ssh [options] HOST -- sh -`: what every command here runs.  The user's
 * -o options go first: ssh keeps the first value it reads of each. */
static char **
ssh_argv (LoomSshLauncher *self,
          const char      *host)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **argv;

  g_strv_builder_add (builder, self->ssh ? self->ssh : "ssh");
  for (guint i = 0; i < self->ssh_options->len; i++)
    {
      g_strv_builder_add (builder, "-o");
      g_strv_builder_add (builder, g_ptr_array_index (self->ssh_options, i));
    }
  /* Fail rather than ask for a password nobody is there to type. */
  g_strv_builder_add_many (builder, "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", NULL);
  if (self->port)
    g_strv_builder_add_many (builder, "-p", self->port, NULL);
  if (self->identity)
    g_strv_builder_add_many (builder, "-i", self->identity, NULL);
  if (self->config)
    g_strv_builder_add_many (builder, "-F", self->config, NULL);
  g_strv_builder_add_many (builder, host, "--", "sh", "-", NULL);
  argv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return argv;
}

static gboolean
ssh_run (LoomSshLauncher  *self,
         const char       *host,
         const char       *script,
         char            **out,
         GError          **error)
{
  g_auto(GStrv) argv = ssh_argv (self, host);

  if (!loom_remote_run ((const char * const *) argv, NULL, script, out, error))
    {
      g_prefix_error (error, _("On %s: "), host);
      return FALSE;
    }
  return TRUE;
}

/* How many engines each host gets: the counts given, in order, then one
 * each in turn for what is left. */
static guint *
distribute (LoomSshLauncher *self,
            guint            n_engines)
{
  guint *share = g_new0 (guint, self->hosts->len);
  guint left = n_engines;

  for (guint i = 0; i < self->hosts->len && left > 0; i++)
    {
      guint count = MIN (g_array_index (self->hosts, SshHost, i).count, left);

      share[i] = count;
      left -= count;
    }
  for (guint i = 0; left > 0; i = (i + 1) % self->hosts->len, left--)
    share[i]++;
  return share;
}

static char *
start_script (LoomSshLauncher  *self,
              const char       *key,
              guint             n,
              GError          **error)
{
  LoomLauncher *launcher = LOOM_LAUNCHER (self);
  g_auto(GStrv) environ = loom_remote_engine_environ (launcher, &self->remote, key, error);
  g_autofree char *exports = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *inner = NULL;
  g_autofree char *inner_quoted = NULL;

  if (environ == NULL)
    return NULL;
  exports = loom_remote_exports ((const char * const *) environ);
  engine = loom_remote_engine_command (launcher, &self->remote, "loom-engine", FALSE);

  /* The session's leader starts the engines, prints their pids, lets go
   * of ssh's pipe and waits: it names the group (its pid is the group's)
   * for as long as the engines run. */
  inner = g_strdup_printf ("i=0\n"
                           "while [ $i -lt %u ]; do\n"
                           "  %s >>\"$0\" 2>&1 &\n"
                           "  echo \"engine $!\"\n"
                           "  i=$((i + 1))\n"
                           "done\n"
                           "exec >/dev/null 2>&1\n"
                           "wait\n",
                           n, engine);
  inner_quoted = g_shell_quote (inner);

  return g_strdup_printf ("set -e\n"
                          "umask 077\n"
                          "%s"
                          "dir=\"${TMPDIR:-/tmp}/loom-$(id -u)\"\n"
                          "mkdir -p \"$dir\"\n"
                          "if [ ! -O \"$dir\" ]; then echo \"$dir is not yours\" >&2; exit 1; fi\n"
                          "chmod 700 \"$dir\"\n"
                          "log=\"$dir/engines-%s.log\"\n"
                          "echo \"log $log\"\n"
                          "setsid sh -c %s \"$log\" </dev/null &\n"
                          "echo \"group $!\"\n",
                          exports, key, inner_quoted);
}

static gboolean
parse_started (const char  *out,
               SshGroup    *group,
               GError     **error)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (g_str_has_prefix (line, "group "))
        group->pgid = g_ascii_strtoll (line + 6, NULL, 10);
      else if (g_str_has_prefix (line, "log "))
        {
          g_free (group->log);
          group->log = g_strdup (line + 4);
        }
      else if (g_str_has_prefix (line, "engine "))
        {
          gint64 pid = g_ascii_strtoll (line + 7, NULL, 10);

          if (pid > 0)
            g_array_append_val (group->pids, pid);
        }
    }
  if (group->pgid <= 1 || group->pids->len == 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_ENGINE,
                   _("On %s: the engines' start script did not say what it started (it printed “%s”)"),
                   group->host, out);
      return FALSE;
    }
  return TRUE;
}

/* One sh word per process group of @host's groups, and the test that
 * each is still the one started (its leader carries the group's key; a
 * group whose leader is gone keeps its number while any engine lives). */
static char *
groups_script (LoomSshLauncher *self,
               const char      *host,
               const char      *body)
{
  GString *groups = g_string_new (NULL);

  for (guint i = 0; i < self->groups->len; i++)
    {
      SshGroup *group = g_ptr_array_index (self->groups, i);

      if (g_str_equal (group->host, host))
        g_string_append_printf (groups, " %" G_GINT64_FORMAT ":%s", group->pgid, group->key);
    }
  g_autofree char *listed = g_string_free (groups, FALSE);

  return g_strdup_printf ("groups=\n"
                          "for gk in%s; do\n"
                          "  g=${gk%%%%:*}; k=${gk#*:}\n"
                          "  if [ -r /proc/$g/environ ] && ! tr '\\000' '\\n' </proc/$g/environ | grep -qx \"LOOM_LAUNCH_JOB=$k\"; then\n"
                          "    continue\n"
                          "  fi\n"
                          "  groups=\"$groups $g\"\n"
                          "done\n"
                          "%s",
                          listed, body);
}

static char **
group_hosts (LoomSshLauncher *self)
{
  g_autoptr(GPtrArray) hosts = g_ptr_array_new ();

  for (guint i = 0; i < self->groups->len; i++)
    {
      SshGroup *group = g_ptr_array_index (self->groups, i);

      if (!g_ptr_array_find_with_equal_func (hosts, group->host, g_str_equal, NULL))
        g_ptr_array_add (hosts, group->host);
    }
  g_ptr_array_add (hosts, NULL);
  return g_strdupv ((char **) hosts->pdata);
}

static gboolean
loom_ssh_launcher_start (LoomLauncher  *launcher,
                         guint          n_engines,
                         GError       **error)
{
  LoomSshLauncher *self = LOOM_SSH_LAUNCHER (launcher);
  g_autofree guint *share = NULL;
  g_autoptr(GPtrArray) started = g_ptr_array_new_with_free_func (ssh_group_free);

  if (self->hosts->len == 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("The ssh launcher needs at least one host (--host HOST[:N])"));
      return FALSE;
    }

  share = distribute (self, n_engines);
  for (guint i = 0; i < self->hosts->len; i++)
    {
      SshHost *host = &g_array_index (self->hosts, SshHost, i);
      g_autofree char *uuid = NULL;
      g_autofree char *script = NULL;
      g_autofree char *out = NULL;
      SshGroup *group;

      if (share[i] == 0)
        continue;
      uuid = g_uuid_string_random ();
      group = g_new0 (SshGroup, 1);
      group->host = g_strdup (host->host);
      group->key = g_strdup_printf ("ssh-%.8s", uuid);
      group->pids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_ptr_array_add (started, group);

      if (!(script = start_script (self, group->key, share[i], error)) ||
          !ssh_run (self, host->host, script, &out, error) ||
          !parse_started (out, group, error))
        {
          /* Take back what the hosts before started. */
          g_ptr_array_remove (started, group);
          g_ptr_array_extend_and_steal (self->groups, g_steal_pointer (&started));
          LOOM_LAUNCHER_GET_CLASS (launcher)->stop (launcher);
          return FALSE;
        }
    }
  g_ptr_array_extend_and_steal (self->groups, g_steal_pointer (&started));
  return TRUE;
}

static gboolean
signal_groups (LoomSshLauncher  *self,
               const char       *signame,
               GError          **error)
{
  g_auto(GStrv) hosts = group_hosts (self);
  gboolean ok = TRUE;

  for (guint i = 0; hosts[i]; i++)
    {
      g_autofree char *body = g_strdup_printf ("for g in $groups; do kill -%s -$g 2>/dev/null || true; done\n", signame);
      g_autofree char *script = groups_script (self, hosts[i], body);
      g_autoptr(GError) local_error = NULL;

      if (!ssh_run (self, hosts[i], script, NULL, &local_error))
        {
          if (ok)
            g_propagate_error (error, g_steal_pointer (&local_error));
          ok = FALSE;
        }
    }
  return ok;
}

static gboolean
loom_ssh_launcher_send_signal (LoomLauncher  *launcher,
                               int            signum,
                               GError       **error)
{
  const char *name = loom_remote_signal_name (signum);

  if (name == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("The ssh launcher cannot send signal %d"), signum);
      return FALSE;
    }
  return signal_groups (LOOM_SSH_LAUNCHER (launcher), name, error);
}

static void
loom_ssh_launcher_stop (LoomLauncher *launcher)
{
  LoomSshLauncher *self = LOOM_SSH_LAUNCHER (launcher);
  g_auto(GStrv) hosts = group_hosts (self);

  /* TERM, a grace, then KILL for what is left: one ssh per host. */
  for (guint i = 0; hosts[i]; i++)
    {
      g_autofree char *body = g_strdup_printf (
        "for g in $groups; do kill -TERM -$g 2>/dev/null || true; done\n"
        "i=0\n"
        "while [ $i -lt %d ]; do\n"
        "  alive=\n"
        "  for g in $groups; do if kill -0 -$g 2>/dev/null; then alive=1; fi; done\n"
        "  [ -n \"$alive\" ] || break\n"
        "  sleep 0.1 2>/dev/null || sleep 1\n"
        "  i=$((i + 1))\n"
        "done\n"
        "for g in $groups; do kill -KILL -$g 2>/dev/null || true; done\n",
        STOP_GRACE_TENTHS);
      g_autofree char *script = groups_script (self, hosts[i], body);
      g_autoptr(GError) error = NULL;

      if (!ssh_run (self, hosts[i], script, NULL, &error))
        g_warning ("%s", error->message);
    }
  g_ptr_array_set_size (self->groups, 0);
}

static guint
loom_ssh_launcher_poll (LoomLauncher *launcher,
                        guint        *n_pending)
{
  LoomSshLauncher *self = LOOM_SSH_LAUNCHER (launcher);
  g_auto(GStrv) hosts = group_hosts (self);
  guint running = 0;

  for (guint i = 0; hosts[i]; i++)
    {
      GString *pids = g_string_new (NULL);
      g_autofree char *script = NULL;
      g_autofree char *out = NULL;

      for (guint j = 0; j < self->groups->len; j++)
        {
          SshGroup *group = g_ptr_array_index (self->groups, j);

          if (g_str_equal (group->host, hosts[i]))
            for (guint k = 0; k < group->pids->len; k++)
              g_string_append_printf (pids, " %" G_GINT64_FORMAT, g_array_index (group->pids, gint64, k));
        }
      script = g_strdup_printf ("n=0\n"
                                "for p in%s; do if kill -0 $p 2>/dev/null; then n=$((n + 1)); fi; done\n"
                                "echo $n\n", pids->str);
      g_string_free (pids, TRUE);
      if (ssh_run (self, hosts[i], script, &out, NULL))
        running += (guint) g_ascii_strtoull (out, NULL, 10);
    }
  *n_pending = 0;
  return running;
}

static char *
loom_ssh_launcher_get_output (LoomLauncher *launcher)
{
  LoomSshLauncher *self = LOOM_SSH_LAUNCHER (launcher);
  GString *output = g_string_new (NULL);

  for (guint i = 0; i < self->groups->len; i++)
    {
      SshGroup *group = g_ptr_array_index (self->groups, i);
      g_autofree char *quoted = g_shell_quote (group->log);
      g_autofree char *script = g_strdup_printf ("tail -n 200 %s\n", quoted);
      g_autofree char *out = NULL;

      if (ssh_run (self, group->host, script, &out, NULL) && *out != '\0')
        g_string_append_printf (output, "==> %s:%s <==\n%s%s", group->host, group->log, out,
                                g_str_has_suffix (out, "\n") ? "" : "\n");
    }
  return g_string_free (output, FALSE);
}

static gboolean
parse_host (const char  *value,
            SshHost     *host,
            GError     **error)
{
  const char *colon = strrchr (value, ':');
  const char *at = strchr (value, '@');
  const char *name = at ? at + 1 : value;
  guint64 count = 0;

  /* [v6]:N, v4-or-name:N; a bare IPv6 address has no count. */
  if (colon != NULL && (name[0] == '[' ? colon > strchr (name, ']') : strchr (name, ':') == colon))
    {
      if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 100000, &count, NULL))
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("The ssh launcher's option host takes HOST or HOST:N with N engines, got “%s”"), value);
          return FALSE;
        }
      host->host = g_strndup (value, colon - value);
    }
  else
    host->host = g_strdup (value);

  /* [::1] is written ::1 for ssh. */
  if (host->host[at ? at - value + 1 : 0] == '[')
    {
      g_autofree char *old = host->host;
      gsize prefix = at ? at - value + 1 : 0;
      const char *end = strchr (old + prefix, ']');

      host->host = g_strdup_printf ("%.*s%.*s", (int) prefix, old, (int) (end ? end - old - prefix - 1 : 0),
                                    old + prefix + 1);
    }
  if (host->host[0] == '\0' || host->host[0] == '-' || host->host[at ? at - value + 1 : 0] == '\0')
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("The ssh launcher's option host takes HOST or HOST:N with N engines, got “%s”"), value);
      g_clear_pointer (&host->host, g_free);
      return FALSE;
    }
  host->count = (guint) count;
  return TRUE;
}

static gboolean
loom_ssh_launcher_set_option (LoomLauncher  *launcher,
                              const char    *name,
                              const char    *value,
                              GError       **error)
{
  LoomSshLauncher *self = LOOM_SSH_LAUNCHER (launcher);
  gboolean handled;

  if (!loom_remote_options_set (&self->remote, launcher, name, value, &handled, error))
    return FALSE;
  if (handled)
    return TRUE;

  if (g_str_equal (name, "host"))
    {
      SshHost host = { 0 };

      if (!parse_host (value, &host, error))
        return FALSE;
      g_array_append_val (self->hosts, host);
      return TRUE;
    }
  if (g_str_equal (name, "ssh-option"))
    {
      g_ptr_array_add (self->ssh_options, g_strdup (value));
      return TRUE;
    }
  /* ssh-port: as loomctl and the app's form call it */
  if (g_str_equal (name, "port") || g_str_equal (name, "ssh-port"))
    {
      guint64 port;

      if (!g_ascii_string_to_unsigned (value, 10, 1, 65535, &port, NULL))
        {
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("The ssh launcher's option port takes a port from 1 to 65535, got “%s”"), value);
          return FALSE;
        }
      g_free (self->port);
      self->port = g_strdup (value);
      return TRUE;
    }
  if (g_str_equal (name, "identity") || g_str_equal (name, "ssh-config") || g_str_equal (name, "ssh"))
    {
      char **field = g_str_equal (name, "identity") ? &self->identity
                     : g_str_equal (name, "ssh") ? &self->ssh : &self->config;

      g_free (*field);
      *field = g_strdup (value);
      return TRUE;
    }

  return LOOM_LAUNCHER_CLASS (loom_ssh_launcher_parent_class)->set_option (launcher, name, value, error);
}

static void
loom_ssh_launcher_save_state (LoomLauncher *launcher,
                              JsonBuilder  *builder)
{
  LoomSshLauncher *self = LOOM_SSH_LAUNCHER (launcher);

  json_builder_set_member_name (builder, "groups");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->groups->len; i++)
    {
      SshGroup *group = g_ptr_array_index (self->groups, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "host");
      json_builder_add_string_value (builder, group->host);
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, group->key);
      json_builder_set_member_name (builder, "pgid");
      json_builder_add_int_value (builder, group->pgid);
      json_builder_set_member_name (builder, "log");
      json_builder_add_string_value (builder, group->log ? group->log : "");
      json_builder_set_member_name (builder, "pids");
      json_builder_begin_array (builder);
      for (guint j = 0; j < group->pids->len; j++)
        json_builder_add_int_value (builder, g_array_index (group->pids, gint64, j));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static gboolean
key_valid (const char *key)
{
  if (key == NULL || *key == '\0')
    return FALSE;
  for (const char *c = key; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-')
      return FALSE;
  return TRUE;
}

static gboolean
loom_ssh_launcher_load_state (LoomLauncher  *launcher,
                              JsonObject    *state,
                              GError       **error)
{
  LoomSshLauncher *self = LOOM_SSH_LAUNCHER (launcher);
  JsonNode *member = json_object_get_member (state, "groups");
  JsonArray *groups;

  if (member == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (member))
    goto invalid;
  groups = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (groups); i++)
    {
      JsonNode *node = json_array_get_element (groups, i);
      JsonObject *object;
      JsonNode *pids_node;
      SshGroup *group;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        goto invalid;
      object = json_node_get_object (node);
      group = g_new0 (SshGroup, 1);
      group->pids = g_array_new (FALSE, FALSE, sizeof (gint64));
      group->host = g_strdup (json_object_get_string_member_with_default (object, "host", ""));
      group->key = g_strdup (json_object_get_string_member_with_default (object, "key", ""));
      group->log = g_strdup (json_object_get_string_member_with_default (object, "log", ""));
      group->pgid = json_object_get_int_member_with_default (object, "pgid", 0);
      g_ptr_array_add (self->groups, group);
      /* What goes into scripts: numbers and a key of letters, digits, dashes. */
      if (group->pgid <= 1 || !key_valid (group->key) || *group->host == '\0' || *group->host == '-')
        goto invalid;
      pids_node = json_object_get_member (object, "pids");
      if (pids_node == NULL || !JSON_NODE_HOLDS_ARRAY (pids_node))
        goto invalid;
      for (guint j = 0; j < json_array_get_length (json_node_get_array (pids_node)); j++)
        {
          gint64 pid = json_array_get_int_element (json_node_get_array (pids_node), j);

          if (pid <= 1)
            goto invalid;
          g_array_append_val (group->pids, pid);
        }
    }
  return TRUE;

invalid:
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("Not an ssh launcher's saved state: its process groups are not hosts and pids"));
  return FALSE;
}

static gboolean
host_is_local (const char *host)
{
  const char *at = strchr (host, '@');
  const char *name = at ? at + 1 : host;
  const char *self_name = g_get_host_name ();
  gsize short_len = strcspn (self_name, ".");

  return g_str_equal (name, "localhost") || g_str_has_prefix (name, "127.") || g_str_equal (name, "::1") ||
         g_ascii_strcasecmp (name, self_name) == 0 ||
         (strlen (name) == short_len && g_ascii_strncasecmp (name, self_name, short_len) == 0);
}

static gboolean
loom_ssh_launcher_is_remote (LoomLauncher *launcher)
{
  LoomSshLauncher *self = LOOM_SSH_LAUNCHER (launcher);

  for (guint i = 0; i < self->hosts->len; i++)
    if (!host_is_local (g_array_index (self->hosts, SshHost, i).host))
      return TRUE;
  return FALSE;
}

static void
loom_ssh_launcher_finalize (GObject *object)
{
  LoomSshLauncher *self = (LoomSshLauncher *) object;

  loom_remote_options_clear (&self->remote);
  g_clear_pointer (&self->hosts, g_array_unref);
  g_clear_pointer (&self->ssh_options, g_ptr_array_unref);
  g_clear_pointer (&self->identity, g_free);
  g_clear_pointer (&self->port, g_free);
  g_clear_pointer (&self->config, g_free);
  g_clear_pointer (&self->ssh, g_free);
  g_clear_pointer (&self->groups, g_ptr_array_unref);

  G_OBJECT_CLASS (loom_ssh_launcher_parent_class)->finalize (object);
}

static void
loom_ssh_launcher_class_init (LoomSshLauncherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LoomLauncherClass *launcher_class = LOOM_LAUNCHER_CLASS (klass);

  object_class->finalize = loom_ssh_launcher_finalize;

  launcher_class->start = loom_ssh_launcher_start;
  launcher_class->stop = loom_ssh_launcher_stop;
  launcher_class->send_signal = loom_ssh_launcher_send_signal;
  launcher_class->poll = loom_ssh_launcher_poll;
  launcher_class->get_output = loom_ssh_launcher_get_output;
  launcher_class->set_option = loom_ssh_launcher_set_option;
  launcher_class->save_state = loom_ssh_launcher_save_state;
  launcher_class->load_state = loom_ssh_launcher_load_state;
  launcher_class->is_remote = loom_ssh_launcher_is_remote;
}

static void
loom_ssh_launcher_init (LoomSshLauncher *self)
{
  loom_remote_options_init (&self->remote);
  self->hosts = g_array_new (FALSE, TRUE, sizeof (SshHost));
  g_array_set_clear_func (self->hosts, ssh_host_clear);
  self->ssh_options = g_ptr_array_new_with_free_func (g_free);
  self->groups = g_ptr_array_new_with_free_func (ssh_group_free);
}
