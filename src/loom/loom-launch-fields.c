/* loom-launch-fields.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the "Add Engines" form checks before it starts anything: a count of
 * engines, SSH hosts written as host[:n], a port, a Slurm time limit.  Each
 * check says what is wrong in words a person can act on.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "loom.h"
#include "loom-launch-fields.h"

static gboolean
parse_uint (const char *text,
            guint64     max,
            guint64    *value)
{
  return text != NULL && *text != '\0' && g_ascii_isdigit (*text) &&
         g_ascii_string_to_unsigned (text, 10, 0, max, value, NULL);
}

/**
 * loom_launch_fields_parse_count:
 * @text: what was typed
 * @n_engines: (out): the count
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @text is a whole number from 1 to LOOM_APP_MAX_ENGINES
 */
gboolean
loom_launch_fields_parse_count (const char  *text,
                                guint       *n_engines,
                                GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));
  guint64 value;

  if (!parse_uint (stripped, G_MAXUINT32, &value) || value < 1 || value > LOOM_APP_MAX_ENGINES)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Give a number of engines from 1 to %u"), LOOM_APP_MAX_ENGINES);
      return FALSE;
    }
  *n_engines = (guint) value;
  return TRUE;
}

static gboolean
is_host_char (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '-' || c == '_';
}

/* [user@]name or [user@][v6 address], as ssh takes it. */
static gboolean
host_is_valid (const char *host)
{
  const char *at = strchr (host, '@');
  const char *name = at ? at + 1 : host;

  if (at != NULL)
    for (const char *p = host; p < at; p++)
      if (!is_host_char (*p))
        return FALSE;
  if (*name == '[')
    {
      size_t len = strlen (name);

      if (len < 3 || name[len - 1] != ']')
        return FALSE;
      for (size_t i = 1; i + 1 < len; i++)
        if (!g_ascii_isxdigit (name[i]) && name[i] != ':' && name[i] != '.')
          return FALSE;
      return TRUE;
    }
  if (*name == '\0' || *name == '-' || *name == '.')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!is_host_char (*p))
      return FALSE;
  return TRUE;
}

/**
 * loom_launch_fields_parse_hosts:
 * @text: hosts as `host[:n]`, separated by commas, spaces or new lines
 * @n_engines: (out): how many engines they ask for (a host without :n, one)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the hosts as typed, one an item, for
 *   the launcher's "host" option; %NULL if one is not a host
 */
char **
loom_launch_fields_parse_hosts (const char  *text,
                                guint       *n_engines,
                                GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) items = g_strsplit_set (text ? text : "", ", \t\r\n", -1);
  guint n_hosts = 0;
  guint total = 0;

  for (guint i = 0; items[i]; i++)
    {
      char *item = items[i];
      char *colon;
      guint64 n = 1;

      if (*item == '\0')
        continue;
      /* host:n, but not the colons of [v6]. */
      colon = strrchr (item, ':');
      if (colon != NULL && strchr (colon, ']') == NULL && (item[0] != '[' || colon[-1] == ']'))
        {
          if (!parse_uint (colon + 1, G_MAXUINT32, &n) || n < 1 || n > LOOM_APP_MAX_ENGINES)
            {
              g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                           _("“%s”: after the colon comes the number of engines on that host, from 1 to %u"),
                           item, LOOM_APP_MAX_ENGINES);
              return NULL;
            }
          *colon = '\0';
        }
      if (!host_is_valid (item))
        {
          if (colon)
            *colon = ':';
          g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a host name: write host or host:n (n engines on that host), "
                         "separated by commas or new lines"), items[i]);
          return NULL;
        }
      if (colon)
        *colon = ':';
      total += n;
      n_hosts++;
      g_strv_builder_add (builder, item);
    }

  if (n_hosts == 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Give at least one host, as host or host:n (n engines on that host)"));
      return NULL;
    }
  if (total > LOOM_APP_MAX_ENGINES)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("These hosts ask for %u engines; Loom starts at most %u at a time"),
                   total, LOOM_APP_MAX_ENGINES);
      return NULL;
    }
  *n_engines = total;
  return g_strv_builder_end (builder);
}

/**
 * loom_launch_fields_parse_port:
 * @text: what was typed; empty for ssh's own default
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @text is empty or a TCP port
 */
gboolean
loom_launch_fields_parse_port (const char  *text,
                               GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));
  guint64 port;

  if (*stripped == '\0')
    return TRUE;
  if (!parse_uint (stripped, 65535, &port) || port == 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("A port is a number from 1 to 65535, or empty for ssh's own"));
      return FALSE;
    }
  return TRUE;
}

/**
 * loom_launch_fields_parse_time_limit:
 * @text: what was typed; empty for the partition's default
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @text is empty or a time limit H:MM:SS above zero
 */
gboolean
loom_launch_fields_parse_time_limit (const char  *text,
                                     GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));
  g_auto(GStrv) parts = NULL;
  guint64 h, m, s;

  if (*stripped == '\0')
    return TRUE;
  parts = g_strsplit (stripped, ":", -1);
  if (g_strv_length (parts) != 3 ||
      !parse_uint (parts[0], 99999, &h) ||
      strlen (parts[1]) != 2 || !parse_uint (parts[1], 59, &m) ||
      strlen (parts[2]) != 2 || !parse_uint (parts[2], 59, &s))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Write the time limit as hours:minutes:seconds, say 1:30:00"));
      return FALSE;
    }
  if (h == 0 && m == 0 && s == 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("A time limit of zero would end the engines at once"));
      return FALSE;
    }
  return TRUE;
}
