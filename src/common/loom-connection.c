/* loom-connection.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "loom-connection-private.h"
#include "loom-error.h"
#include "loom-json-private.h"

/* One libzmq context per process, shared by every socket Loom opens. */
void *
loom_zmq_context (void)
{
  static void *context;

  if (g_once_init_enter (&context))
    {
      void *ctx = zmq_ctx_new ();
      /* Blocking on exit for unsent messages would hang a process whose
       * peer is gone: sockets set ZMQ_LINGER 0 themselves as well. */
      zmq_ctx_set (ctx, ZMQ_BLOCKY, 0);
      g_once_init_leave (&context, ctx);
    }

  return context;
}

/**
 * loom_runtime_dir_check:
 * @error: return location for a #GError
 *
 * Checks that $XDG_RUNTIME_DIR, when set, names an existing directory:
 * Loom does not create it (the session does, with the right owner and
 * mode), and says what to set instead.  Unset, GLib falls back to the
 * user's cache directory, which Loom uses as it is.
 */
gboolean
loom_runtime_dir_check (GError **error)
{
  const char *dir = g_getenv ("XDG_RUNTIME_DIR");

  if (dir == NULL || *dir == '\0' || g_file_test (dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("XDG_RUNTIME_DIR is %s, which does not exist: set it to your runtime directory "
                 "(usually /run/user/%u) or unset it to use %s"),
               dir, (guint) getuid (), g_get_user_cache_dir ());
  return FALSE;
}

char *
loom_connection_dir (void)
{
  return g_build_filename (g_get_user_runtime_dir (), "loom", NULL);
}

/**
 * loom_profile_name_check:
 * @profile: (nullable): a profile name
 * @error: return location for a #GError
 *
 * Checks that @profile can name a connection file and its sockets: 1 to
 * %LOOM_PROFILE_NAME_MAX letters, digits, “-”, “_” and “.”, not starting
 * with “.”.  (Sockets whose path would pass the 107-byte limit of Unix
 * sockets fall back to loopback TCP, so length is not limited by them.)
 */
gboolean
loom_profile_name_check (const char  *profile,
                         GError     **error)
{
  gboolean chars_ok = profile != NULL && *profile != '\0' && profile[0] != '.';

  for (const char *p = profile; chars_ok && *p; p++)
    chars_ok = g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.';
  if (!chars_ok)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid profile name (letters, digits, “-”, “_” and “.”)"), profile ? profile : "");
      return FALSE;
    }
  if (strlen (profile) > LOOM_PROFILE_NAME_MAX)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("The profile name “%s” is too long: %zu characters, at most %d"),
                   profile, strlen (profile), LOOM_PROFILE_NAME_MAX);
      return FALSE;
    }
  return TRUE;
}

gboolean
loom_profile_name_is_valid (const char *profile)
{
  return loom_profile_name_check (profile, NULL);
}

/**
 * loom_listen_address_check:
 * @ip: what --ip gave
 * @error: return location for a #GError
 *
 * Checks that @ip is something a controller can listen on over TCP: an IPv4
 * or IPv6 address, “*” for every interface, or an interface name.
 */
gboolean
loom_listen_address_check (const char  *ip,
                           GError     **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (ip);

  if (address != NULL || g_str_equal (ip, "*") || if_nametoindex (ip) != 0)
    return TRUE;
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
               _("“%s” is not a valid listen address: give an IP address of this machine "
                 "(such as 127.0.0.1, or 0.0.0.0 for all), “*” or an interface name"), ip);
  return FALSE;
}

char *
loom_connection_path_for_profile (const char *profile)
{
  g_autofree char *dir = loom_connection_dir ();
  g_autofree char *name = g_strdup_printf ("%s.json", profile);

  return g_build_filename (dir, name, NULL);
}

/* The engines' file beside the clients' one: <profile>.json gives
 * <profile>-engine.json. */
char *
loom_connection_engine_path (const char *client_path)
{
  g_autofree char *stem = g_str_has_suffix (client_path, ".json")
                          ? g_strndup (client_path, strlen (client_path) - strlen (".json"))
                          : g_strdup (client_path);

  return g_strconcat (stem, "-engine.json", NULL);
}

const char *
loom_role_to_string (LoomRole role)
{
  switch (role)
    {
    case LOOM_ROLE_CLIENT:     return "client";
    case LOOM_ROLE_ENGINE:     return "engine";
    case LOOM_ROLE_CONTROLLER: return "controller";
    default:                   g_return_val_if_reached ("client");
    }
}

static gboolean
role_from_string (const char *text,
                  LoomRole   *role)
{
  for (LoomRole r = LOOM_ROLE_CLIENT; r <= LOOM_ROLE_CONTROLLER; r++)
    if (g_strcmp0 (text, loom_role_to_string (r)) == 0)
      {
        *role = r;
        return TRUE;
      }
  return FALSE;
}

static void
random_bytes (guint8 *buf,
              gsize   len)
{
  gsize got = 0;

  while (got < len)
    {
      ssize_t r = getrandom (buf + got, len - got, 0);
      if (r < 0 && errno == EINTR)
        continue;
      g_assert (r > 0);
      got += r;
    }
}

/* A CURVE keypair, or empty strings where libzmq was built without CURVE
 * (such a controller can only listen on ipc://). */
static void
curve_keypair (char *public_key,
               char *secret_key)
{
  if (zmq_curve_keypair (public_key, secret_key) != 0)
    public_key[0] = secret_key[0] = '\0';
}

/* A controller's connection: fresh keys for both roles, and the
 * controller's own CURVE keypair. */
LoomConnection *
loom_connection_new (const char *profile)
{
  LoomConnection *conn = g_new0 (LoomConnection, 1);

  conn->profile = g_strdup (profile);
  conn->role = LOOM_ROLE_CONTROLLER;
  conn->signature_scheme = g_strdup ("hmac-sha256");
  conn->controller_pid = getpid ();
  conn->created = g_get_real_time ();

  random_bytes (conn->key, sizeof conn->key);
  random_bytes (conn->engine_key, sizeof conn->engine_key);
  curve_keypair (conn->curve_server, conn->server_secret);
  curve_keypair (conn->curve_public, conn->curve_secret);
  curve_keypair (conn->engine_public, conn->engine_secret);

  return conn;
}

/* Copies the keys of a controller's connection @from (a restarted
 * controller takes over its predecessor's): both roles' when @from holds
 * them all, the clients' alone when it is a client file (then engines
 * need the new engine file).  Returns whether the engines' keys came too. */
gboolean
loom_connection_take_keys (LoomConnection *conn,
                           LoomConnection *from)
{
  gboolean engines_too = from->role == LOOM_ROLE_CONTROLLER;

  memcpy (conn->key, from->key, LOOM_KEY_SIZE);
  if (from->curve_public[0] != '\0')
    {
      memcpy (conn->curve_public, from->curve_public, LOOM_CURVE_KEY_SIZE);
      memcpy (conn->curve_secret, from->curve_secret, LOOM_CURVE_KEY_SIZE);
    }
  if (engines_too)
    {
      memcpy (conn->engine_key, from->engine_key, LOOM_KEY_SIZE);
      if (from->server_secret[0] != '\0')
        {
          memcpy (conn->curve_server, from->curve_server, LOOM_CURVE_KEY_SIZE);
          memcpy (conn->server_secret, from->server_secret, LOOM_CURVE_KEY_SIZE);
        }
      if (from->engine_public[0] != '\0')
        {
          memcpy (conn->engine_public, from->engine_public, LOOM_CURVE_KEY_SIZE);
          memcpy (conn->engine_secret, from->engine_secret, LOOM_CURVE_KEY_SIZE);
        }
    }
  return engines_too;
}

void
loom_connection_free (LoomConnection *conn)
{
  if (conn == NULL)
    return;

  memset (conn->key, 0, sizeof conn->key);
  memset (conn->engine_key, 0, sizeof conn->engine_key);
  memset (conn->curve_secret, 0, sizeof conn->curve_secret);
  memset (conn->engine_secret, 0, sizeof conn->engine_secret);
  memset (conn->server_secret, 0, sizeof conn->server_secret);
  g_free (conn->profile);
  g_free (conn->transport);
  g_free (conn->ip);
  g_free (conn->host);
  g_free (conn->client_url);
  g_free (conn->engine_url);
  g_free (conn->event_url);
  g_free (conn->signature_scheme);
  g_free (conn);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_key (JsonBuilder  *b,
         const char   *name,
         const guint8 *key)
{
  g_autofree char *hex = loom_key_to_hex (key, LOOM_KEY_SIZE);

  add_string (b, name, hex);
  memset (hex, 0, strlen (hex));
}

/* The file of @role (the role of @conn or one it holds the keys of): a
 * client's and an engine's carry only their own secrets. */
char *
loom_connection_to_json (LoomConnection *conn,
                         LoomRole        role)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  gboolean engine = role == LOOM_ROLE_ENGINE;
  char *json;

  g_return_val_if_fail (conn->role == role || conn->role == LOOM_ROLE_CONTROLLER, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "profile");
  json_builder_add_string_value (b, conn->profile);
  json_builder_set_member_name (b, "transport");
  json_builder_add_string_value (b, conn->transport);
  json_builder_set_member_name (b, "ip");
  json_builder_add_string_value (b, conn->ip);
  if (conn->host != NULL)
    add_string (b, "host", conn->host);
  json_builder_set_member_name (b, "client_port");
  json_builder_add_int_value (b, conn->client_port);
  json_builder_set_member_name (b, "engine_port");
  json_builder_add_int_value (b, conn->engine_port);
  json_builder_set_member_name (b, "event_port");
  json_builder_add_int_value (b, conn->event_port);
  json_builder_set_member_name (b, "client_url");
  json_builder_add_string_value (b, conn->client_url);
  json_builder_set_member_name (b, "engine_url");
  json_builder_add_string_value (b, conn->engine_url);
  json_builder_set_member_name (b, "event_url");
  json_builder_add_string_value (b, conn->event_url);
  add_string (b, "role", loom_role_to_string (role));
  add_key (b, "key", engine && conn->role == LOOM_ROLE_CONTROLLER ? conn->engine_key : conn->key);
  if (conn->curve_server[0] != '\0')
    {
      add_string (b, "curve_server_key", conn->curve_server);
      add_string (b, "curve_public_key", engine && conn->role == LOOM_ROLE_CONTROLLER
                                         ? conn->engine_public : conn->curve_public);
      add_string (b, "curve_secret_key", engine && conn->role == LOOM_ROLE_CONTROLLER
                                         ? conn->engine_secret : conn->curve_secret);
    }
  if (role == LOOM_ROLE_CONTROLLER)
    {
      add_key (b, "engine_key", conn->engine_key);
      add_string (b, "engine_curve_public_key", conn->engine_public);
      add_string (b, "engine_curve_secret_key", conn->engine_secret);
      add_string (b, "curve_server_secret_key", conn->server_secret);
    }
  json_builder_set_member_name (b, "signature_scheme");
  json_builder_add_string_value (b, conn->signature_scheme);
  json_builder_set_member_name (b, "controller_pid");
  json_builder_add_int_value (b, conn->controller_pid);
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, conn->created);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json = json_generator_to_data (gen, NULL);
  /* The builder's copies of the secrets go with it; the tree's strings
   * cannot be wiped through json-glib's API. */
  return json;
}

/* Makes @dir (0700) if it is missing, and checks that it is the user's
 * own and that no one else can write to it: whoever can would be able to
 * put their own sockets and connection files in the cluster's place. */
gboolean
loom_connection_dir_ensure (const char  *dir,
                            GError     **error)
{
  GStatBuf st;

  if (g_mkdir_with_parents (dir, 0700) != 0 || g_lstat (dir, &st) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot create the directory %s for connection files: %s"),
                   dir, g_strerror (errsv));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode) || st.st_uid != getuid () || (st.st_mode & 022) != 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_FAILED,
                   _("The directory %s for connection files is not yours alone (owner %u, mode %03o): others could "
                     "replace the cluster's sockets and keys. Make it private (“chmod 700 %s”) or point "
                     "XDG_RUNTIME_DIR at a private folder"),
                   dir, (guint) st.st_uid, (guint) (st.st_mode & 0777), dir);
      return FALSE;
    }
  return TRUE;
}

gboolean
loom_connection_save (LoomConnection  *conn,
                      const char      *path,
                      GError         **error)
{
  return loom_connection_save_as (conn, conn->role, path, error);
}

/* Writes the file of @role (see loom_connection_to_json()) at @path. */
gboolean
loom_connection_save_as (LoomConnection  *conn,
                         LoomRole         role,
                         const char      *path,
                         GError         **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *json = NULL;
  gboolean ret;

  if (!loom_connection_dir_ensure (dir, error))
    return FALSE;

  json = loom_connection_to_json (conn, role);
  /* Written to a temporary file with mode 0600 and renamed over the old one,
   * so a reader never sees half a file and the key is never world-readable. */
  ret = g_file_set_contents_full (path, json, -1,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  memset (json, 0, strlen (json));
  return ret;
}

/* A connection file holds the cluster's key: one that others can read
 * gives them the cluster.  Said once a file and process. */
static void
warn_if_readable_by_others (const char *path)
{
  static GHashTable *warned;
  G_LOCK_DEFINE_STATIC (warned);
  GStatBuf st;

  if (g_stat (path, &st) != 0 || (st.st_mode & 044) == 0)
    return;
  G_LOCK (warned);
  if (warned == NULL)
    warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_add (warned, g_strdup (path)))
    g_warning (_("The connection file %s can be read by others (mode %03o): whoever reads it can run code on the "
                 "cluster's engines. Make it private with “chmod 600 %s”"),
               path, (guint) (st.st_mode & 0777), path);
  G_UNLOCK (warned);
}

/* Reads the Z85 CURVE key @name of @obj into @out; a missing one leaves
 * @out empty, a malformed one is an error. */
static gboolean
read_curve_key (JsonObject  *obj,
                const char  *name,
                char        *out,
                const char  *path,
                GError     **error)
{
  const char *text = loom_json_string (obj, name, NULL);
  guint8 raw[32];

  out[0] = '\0';
  if (text == NULL)
    return TRUE;
  if (strlen (text) != LOOM_CURVE_KEY_SIZE - 1 || zmq_z85_decode (raw, text) == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Connection file %s has a malformed “%s” (40 Z85 characters expected)"), path, name);
      return FALSE;
    }
  memcpy (out, text, LOOM_CURVE_KEY_SIZE);
  return TRUE;
}

LoomConnection *
loom_connection_load (const char  *path,
                      GError     **error)
{
  g_autoptr(LoomConnection) conn = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER,
                     _("No connection file at %s"), path);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  conn = loom_connection_load_from_data (data, len, path, error);
  memset (data, 0, len);
  /* A file that holds a key: is it private? */
  if (conn != NULL)
    warn_if_readable_by_others (path);
  return g_steal_pointer (&conn);
}

/**
 * loom_connection_load_from_data:
 * @data: a connection file's JSON
 * @len: its length, or -1 when it ends with a NUL
 * @origin: where it came from, for messages (a path, or an environment
 *   variable's name)
 * @error: return location for a #GError
 *
 * Reads a connection file's contents: what launchers hand engines in
 * `LOOM_CONNECTION`, so that no shared file system is needed.
 */
LoomConnection *
loom_connection_load_from_data (const char  *data,
                                gssize       len,
                                const char  *origin,
                                GError     **error)
{
  g_autoptr(LoomConnection) conn = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *path = origin;
  JsonObject *obj;
  const char *key;

  root = loom_json_from_data (data, len, &local_error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Connection file %s is not valid JSON: %s"), path,
                   local_error ? local_error->message : _("not an object"));
      return NULL;
    }

  obj = json_node_get_object (root);
  conn = g_new0 (LoomConnection, 1);
  conn->profile = g_strdup (loom_json_string (obj, "profile", NULL));
  conn->transport = g_strdup (loom_json_string (obj, "transport", "tcp"));
  conn->ip = g_strdup (loom_json_string (obj, "ip", NULL));
  conn->host = g_strdup (loom_json_string (obj, "host", NULL));
  conn->client_port = loom_json_int (obj, "client_port", 0);
  conn->engine_port = loom_json_int (obj, "engine_port", 0);
  conn->event_port = loom_json_int (obj, "event_port", 0);
  conn->client_url = g_strdup (loom_json_string (obj, "client_url", NULL));
  conn->engine_url = g_strdup (loom_json_string (obj, "engine_url", NULL));
  conn->event_url = g_strdup (loom_json_string (obj, "event_url", NULL));
  conn->signature_scheme = g_strdup (loom_json_string (obj, "signature_scheme", "hmac-sha256"));
  conn->controller_pid = loom_json_int (obj, "controller_pid", 0);
  conn->created = loom_json_int (obj, "created", 0);

  /* Files written by hand may give only ip and ports. */
  if (conn->client_url == NULL && conn->ip != NULL && conn->client_port > 0)
    conn->client_url = g_strdup_printf ("tcp://%s:%d", conn->ip, conn->client_port);
  if (conn->engine_url == NULL && conn->ip != NULL && conn->engine_port > 0)
    conn->engine_url = g_strdup_printf ("tcp://%s:%d", conn->ip, conn->engine_port);
  if (conn->event_url == NULL && conn->ip != NULL && conn->event_port > 0)
    conn->event_url = g_strdup_printf ("tcp://%s:%d", conn->ip, conn->event_port);

  if (!role_from_string (loom_json_string (obj, "role", "client"), &conn->role))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Connection file %s names an unknown role “%s” (client, engine or controller)"),
                   path, loom_json_string (obj, "role", ""));
      return NULL;
    }
  if (!read_curve_key (obj, "curve_server_key", conn->curve_server, path, error) ||
      !read_curve_key (obj, "curve_public_key", conn->curve_public, path, error) ||
      !read_curve_key (obj, "curve_secret_key", conn->curve_secret, path, error))
    return NULL;
  if (conn->role == LOOM_ROLE_CONTROLLER &&
      (!read_curve_key (obj, "engine_curve_public_key", conn->engine_public, path, error) ||
       !read_curve_key (obj, "engine_curve_secret_key", conn->engine_secret, path, error) ||
       !read_curve_key (obj, "curve_server_secret_key", conn->server_secret, path, error) ||
       !loom_key_from_hex (loom_json_string (obj, "engine_key", NULL), conn->engine_key, LOOM_KEY_SIZE)))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Connection file %s is a controller's but lacks the engines' keys"), path);
      return NULL;
    }

  key = loom_json_string (obj, "key", NULL);
  if (g_strcmp0 (conn->signature_scheme, "hmac-sha256") != 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Connection file %s uses the signature scheme “%s”; only hmac-sha256 is supported"),
                   path, conn->signature_scheme);
      return NULL;
    }
  if (!loom_key_from_hex (key, conn->key, sizeof conn->key))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Connection file %s has no valid key (64 hex digits expected)"), path);
      return NULL;
    }
  if (conn->client_url == NULL || conn->engine_url == NULL || conn->event_url == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Connection file %s does not say where the controller listens"), path);
      return NULL;
    }

  /* Over TCP everything is encrypted: a file without CURVE keys comes
   * from an older Loom, whose controller this one cannot talk to. */
  if (g_str_has_prefix (conn->client_url, "tcp://") &&
      (conn->curve_server[0] == '\0' || conn->curve_public[0] == '\0' || conn->curve_secret[0] == '\0'))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Connection file %s has no CURVE keys, which TCP needs (it was written by an older "
                     "Loom): restart the cluster to write a new one"), path);
      return NULL;
    }

  return g_steal_pointer (&conn);
}


/**
 * loom_connection_load_for_role:
 * @path: a connection file
 * @role: the role that will use it
 * @error: return location for a #GError
 *
 * Loads @path as loom_connection_load() does and checks that it is a file
 * of @role (a controller's holds every role's keys), with an error that
 * names the right file otherwise.
 */
LoomConnection *
loom_connection_load_for_role (const char  *path,
                               LoomRole     role,
                               GError     **error)
{
  g_autoptr(LoomConnection) conn = loom_connection_load (path, error);

  if (conn == NULL || conn->role == role || conn->role == LOOM_ROLE_CONTROLLER)
    return g_steal_pointer (&conn);

  if (role == LOOM_ROLE_ENGINE)
    {
      g_autofree char *engine_path = loom_connection_engine_path (path);
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("%s is the clients' connection file: an engine needs the engines' one, %s"),
                   path, engine_path);
    }
  else
    g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                 _("%s is an engines' connection file: clients cannot use it (they need <profile>.json)"),
                 path);
  return NULL;
}

/**
 * loom_connection_load_data_for_role:
 * @data: a connection file's JSON
 * @len: its length, or -1 when it ends with a NUL
 * @origin: where it came from, for messages (an environment variable's
 *   name, "standard input")
 * @role: the role that will use it
 * @error: return location for a #GError
 *
 * Reads @data as loom_connection_load_from_data() does and checks that it
 * is a file of @role, as loom_connection_load_for_role() does for files:
 * the error names the file that was meant.
 */
LoomConnection *
loom_connection_load_data_for_role (const char  *data,
                                    gssize       len,
                                    const char  *origin,
                                    LoomRole     role,
                                    GError     **error)
{
  g_autoptr(LoomConnection) conn = loom_connection_load_from_data (data, len, origin, error);
  g_autofree char *profile_path = NULL;

  if (conn == NULL || conn->role == role || conn->role == LOOM_ROLE_CONTROLLER)
    return g_steal_pointer (&conn);

  profile_path = loom_connection_path_for_profile (conn->profile && loom_profile_name_is_valid (conn->profile)
                                                   ? conn->profile : "PROFILE");
  if (role == LOOM_ROLE_ENGINE)
    {
      g_autofree char *engine_path = loom_connection_engine_path (profile_path);
      g_autofree char *engine_name = g_path_get_basename (engine_path);

      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("%s holds the clients' connection file: an engine needs the engines' one, %s, "
                     "found beside it on the controller's host"),
                   origin, engine_name);
    }
  else
    g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                 _("%s holds an engines' connection file: clients cannot use it (they need <profile>.json)"),
                 origin);
  return NULL;
}

/* The client side of CURVE: over tcp://, @socket gets the controller's
 * public key and the keypair of @conn's role before it connects to @url.
 * ipc:// and inproc:// need nothing (the file system guards them). */
gboolean
loom_connection_secure_socket (LoomConnection  *conn,
                               void            *socket,
                               const char      *url,
                               GError         **error)
{
  if (url == NULL || !g_str_has_prefix (url, "tcp://"))
    return TRUE;
  if (conn->curve_server[0] == '\0')
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                   _("Cannot connect to %s: the connection file has no CURVE keys, which TCP needs"), url);
      return FALSE;
    }
  if (zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, conn->curve_server, LOOM_CURVE_KEY_SIZE - 1) != 0 ||
      zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, conn->curve_public, LOOM_CURVE_KEY_SIZE - 1) != 0 ||
      zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, conn->curve_secret, LOOM_CURVE_KEY_SIZE - 1) != 0)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_CONNECTION,
                   _("Cannot encrypt the connection to %s: %s"), url, zmq_strerror (zmq_errno ()));
      return FALSE;
    }
  return TRUE;
}

/* Asks the controller for a "pong" on its client socket: the only sure sign
 * that the controller behind a connection file is alive and ours. */
gboolean
loom_connection_ping (LoomConnection *conn,
                      guint           timeout_ms)
{
  g_autofree char *url = NULL;
  LoomWire *wire;
  void *sock;
  gboolean ok = FALSE;
  gint64 deadline;

  wire = loom_wire_new (conn->key, sizeof conn->key, 0);
  loom_wire_set_log_domain (wire, "ping");
  sock = zmq_socket (loom_zmq_context (), ZMQ_DEALER);
  loom_wire_apply_socket_limits (wire, sock);

  url = loom_connection_url (conn, conn->client_url);
  if (!loom_connection_secure_socket (conn, sock, url, NULL) ||
      zmq_connect (sock, url) != 0 ||
      loom_wire_send (wire, sock, NULL, "ping", NULL, "{}", 2, NULL, 0) != 0)
    goto out;

  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  for (;;)
    {
      zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      gboolean got_any;

      if (left <= 0 || zmq_poll (&item, 1, left) <= 0)
        break;

      for (;;)
        {
          g_autoptr(LoomMessage) msg = loom_wire_recv (wire, sock, &got_any);
          if (msg && g_str_equal (msg->msg_type, "pong"))
            {
              ok = TRUE;
              goto out;
            }
          if (!got_any)
            break;
        }
    }

out:
  zmq_close (sock);
  loom_wire_free (wire);
  return ok;
}

/* Whether @ip is an address that means every interface. */
gboolean
loom_address_is_wildcard (const char *ip)
{
  return ip != NULL && (g_str_equal (ip, "0.0.0.0") || g_str_equal (ip, "*") ||
                        g_str_equal (ip, "::") || g_str_equal (ip, "[::]"));
}

/**
 * loom_connection_url:
 * @conn: a loaded connection file
 * @url: one of its URLs
 *
 * Where this process connects for @url: over loopback when the controller
 * runs on this host and listens on every address (its files name the host,
 * which may not even resolve here), else @url itself.
 *
 * Returns: (transfer full): the URL to connect to
 */
char *
loom_connection_url (LoomConnection *conn,
                     const char     *url)
{
  const char *colon = url ? strrchr (url, ':') : NULL;

  if (url == NULL || !g_str_has_prefix (url, "tcp://") || colon == NULL ||
      !loom_address_is_wildcard (conn->ip) || g_strcmp0 (conn->host, g_get_host_name ()) != 0)
    return g_strdup (url);
  return g_strdup_printf ("tcp://127.0.0.1%s", colon);
}

/* Whether @ip names this machine: loopback, the wildcard, or one of the
 * addresses of its interfaces. */
static gboolean
ip_is_local (const char *ip)
{
  struct ifaddrs *addrs = NULL;
  gboolean local = FALSE;

  if (ip == NULL || g_str_has_prefix (ip, "127.") || g_str_equal (ip, "::1") ||
      g_str_equal (ip, "localhost") || g_str_equal (ip, "0.0.0.0") || g_str_equal (ip, "*"))
    return TRUE;
  if (getifaddrs (&addrs) != 0)
    return FALSE;
  for (struct ifaddrs *a = addrs; a != NULL && !local; a = a->ifa_next)
    {
      char host[NI_MAXHOST];

      if (a->ifa_addr == NULL || (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6))
        continue;
      if (getnameinfo (a->ifa_addr, a->ifa_addr->sa_family == AF_INET ? sizeof (struct sockaddr_in)
                                                                       : sizeof (struct sockaddr_in6),
                       host, sizeof host, NULL, 0, NI_NUMERICHOST) == 0)
        local = g_str_equal (host, ip);
    }
  freeifaddrs (addrs);
  return local;
}

/* Whether process @pid has ended (an unreaped zombie has). */
gboolean
loom_pid_is_gone (gint64 pid)
{
  g_autofree char *stat_path = NULL;
  g_autofree char *stat = NULL;
  const char *state;

  if (pid <= 0 || (kill ((pid_t) pid, 0) != 0 && errno == ESRCH))
    return TRUE;
  stat_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  if (g_file_get_contents (stat_path, &stat, NULL, NULL) && (state = strrchr (stat, ')')) != NULL)
    return state[1] == ' ' && (state[2] == 'Z' || state[2] == 'X');
  return FALSE;
}

/* When process @pid started, in clock ticks since boot (field 22 of
 * /proc/PID/stat), or 0 when it is gone: with the pid, it names one
 * process even after the pid is reused. */
guint64
loom_pid_start_time (gint64 pid)
{
  g_autofree char *stat_path = NULL;
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;

  if (pid <= 0 || loom_pid_is_gone (pid))
    return 0;
  stat_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  if (!g_file_get_contents (stat_path, &stat, NULL, NULL) || (rest = strrchr (stat, ')')) == NULL)
    return 0;
  /* After the name: state is field 3, starttime field 22. */
  fields = g_strsplit (rest + 2, " ", 21);
  if (g_strv_length (fields) < 20)
    return 0;
  return g_ascii_strtoull (fields[19], NULL, 10);
}

/**
 * loom_connection_is_stale:
 * @conn: a loaded connection file
 *
 * Whether @conn was written by a controller on this machine (ipc://, or TCP
 * on one of its addresses) that is no longer running: a file left behind by
 * a controller that was killed.  A controller elsewhere cannot be checked
 * this way, and a live pid proves nothing (see loom_connection_is_live()).
 */
gboolean
loom_connection_is_stale (LoomConnection *conn)
{
  if (conn->controller_pid <= 0)
    return FALSE;
  if (g_strcmp0 (conn->transport, "ipc") != 0 && !ip_is_local (conn->ip))
    return FALSE;
  return loom_pid_is_gone (conn->controller_pid);
}

/* Removes the connection file at @path and the ipc:// socket files @conn
 * names; what is already gone is fine. */
void
loom_connection_remove_files (LoomConnection *conn,
                              const char     *path)
{
  const char *urls[] = { conn->client_url, conn->engine_url, conn->event_url };

  g_autofree char *engine_path = loom_connection_engine_path (path);

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    if (urls[i] != NULL && g_str_has_prefix (urls[i], "ipc://"))
      g_unlink (urls[i] + strlen ("ipc://"));
  g_unlink (path);
  g_unlink (engine_path);
}

gboolean
loom_connection_is_live (LoomConnection *conn)
{
  if (conn->controller_pid <= 0)
    return FALSE;
  if (kill ((pid_t) conn->controller_pid, 0) != 0 && errno == ESRCH)
    return FALSE;
  /* The pid may have been reused by another process: ask the controller. */
  return loom_connection_ping (conn, 1000);
}

/* A controller embedded in this process also listens on inproc://, which
 * skips the kernel and libzmq's I/O threads: clients in the same process
 * (the app, loomctl's private cluster) use it. */
char *
loom_connection_inproc_url (LoomConnection *conn,
                            const char     *kind)
{
  if (conn->profile == NULL || conn->controller_pid != getpid ())
    return NULL;
  return g_strdup_printf ("inproc://loom-%s-%s", conn->profile, kind);
}
