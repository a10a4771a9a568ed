/* test-connection.c: connection files, profiles, and who owns a profile
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "Loom-Test"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "loom-connection-private.h"
#include "loom-json-private.h"
#include "loom-wire-private.h"
#include "loom.h"

/* --- helpers ------------------------------------------------------------- */

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static gboolean
is_socket (const char *path)
{
  struct stat st;

  return g_lstat (path, &st) == 0 && S_ISSOCK (st.st_mode);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The names in @dir, sorted, as one string "a b c". */
static char *
dir_listing (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return g_strdup ("");
  while ((name = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static const char *
ipc_path (const char *url)
{
  return g_str_has_prefix (url, "ipc://") ? url + strlen ("ipc://") : NULL;
}

/* What a controller for @profile listens on: ipc:// in the runtime dir
 * unless the socket path is too long, then loopback TCP. */
static void
assert_controller_urls (LoomConnection *conn,
                        const char     *profile)
{
  const char *kinds[] = { "client", "engine", "event" };
  const char *urls[] = { conn->client_url, conn->engine_url, conn->event_url };
  g_autofree char *dir = loom_connection_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s-%s.ipc", dir, profile, kinds[i]);

      g_assert_nonnull (urls[i]);
      if (strlen (path) < 100)
        {
          g_assert_cmpstr (conn->transport, ==, "ipc");
          g_assert_cmpstr (ipc_path (urls[i]), ==, path);
          g_assert_true (is_socket (path));
        }
      else
        g_assert_true (g_str_has_prefix (urls[i], "tcp://127.0.0.1:"));
    }
}

static gboolean
uses_ipc (LoomConnection *conn)
{
  return g_str_has_prefix (conn->client_url, "ipc://");
}

static LoomConnection *
connection_with_urls (const char *profile)
{
  LoomConnection *conn = loom_connection_new (profile);
  g_autofree char *dir = loom_connection_dir ();

  conn->transport = g_strdup ("ipc");
  conn->client_url = g_strdup_printf ("ipc://%s/%s-client.ipc", dir, profile);
  conn->engine_url = g_strdup_printf ("ipc://%s/%s-engine.ipc", dir, profile);
  conn->event_url = g_strdup_printf ("ipc://%s/%s-event.ipc", dir, profile);
  return conn;
}

/* A pid that no process has any more: a child that exited and was reaped. */
static GPid
dead_pid (void)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "true", NULL };
  GPid pid = 0;
  int status;

  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                 G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_cmpint (kill (pid, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);
  return pid;
}

/* --- save and load ------------------------------------------------------- */

static void
test_round_trip (void)
{
  g_autoptr(LoomConnection) conn = NULL;
  g_autoptr(LoomConnection) other = NULL;
  g_autoptr(LoomConnection) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = loom_connection_dir ();
  g_autofree char *sub = g_build_filename (dir, "nested", NULL);
  g_autofree char *path = g_build_filename (sub, "rt.json", NULL);
  g_autofree char *listing = NULL;
  g_autofree char *data = NULL;
  g_autofree char *key_hex = NULL;
  g_autoptr(JsonNode) root = NULL;
  static const guint8 zeros[LOOM_KEY_SIZE] = { 0 };
  JsonObject *obj;
  mode_t old_umask;

  g_assert_cmpuint (sizeof conn->key, ==, 32);
  g_assert_cmpuint (LOOM_KEY_SIZE, ==, 32);

  conn = loom_connection_new ("my-profile_2.x");
  other = connection_with_urls ("my-profile_2.x");
  /* 32 random bytes: two connections never share a key. */
  g_assert_true (memcmp (conn->key, other->key, LOOM_KEY_SIZE) != 0);
  g_assert_true (memcmp (conn->key, zeros, LOOM_KEY_SIZE) != 0);
  g_assert_cmpstr (conn->profile, ==, "my-profile_2.x");
  g_assert_cmpstr (conn->signature_scheme, ==, "hmac-sha256");
  g_assert_cmpint (conn->controller_pid, ==, getpid ());
  g_assert_cmpint (conn->created, >, 0);

  conn->transport = g_strdup ("tcp");
  conn->ip = g_strdup ("127.0.0.1");
  conn->client_port = 40001;
  conn->engine_port = 40002;
  conn->event_port = 40003;
  conn->client_url = g_strdup ("tcp://127.0.0.1:40001");
  conn->engine_url = g_strdup ("tcp://127.0.0.1:40002");
  conn->event_url = g_strdup ("tcp://127.0.0.1:40003");

  /* Mode 0600 whatever the umask, in a directory made 0700. */
  old_umask = umask (0);
  g_assert_true (loom_connection_save (conn, path, &error));
  umask (old_umask);
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (sub), ==, 0700);

  listing = dir_listing (sub);
  g_assert_cmpstr (listing, ==, "rt.json");

  loaded = loom_connection_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpmem (loaded->key, LOOM_KEY_SIZE, conn->key, LOOM_KEY_SIZE);
  g_assert_cmpstr (loaded->profile, ==, "my-profile_2.x");
  g_assert_cmpstr (loaded->transport, ==, "tcp");
  g_assert_cmpstr (loaded->ip, ==, "127.0.0.1");
  g_assert_cmpint (loaded->client_port, ==, 40001);
  g_assert_cmpint (loaded->engine_port, ==, 40002);
  g_assert_cmpint (loaded->event_port, ==, 40003);
  g_assert_cmpstr (loaded->client_url, ==, "tcp://127.0.0.1:40001");
  g_assert_cmpstr (loaded->engine_url, ==, "tcp://127.0.0.1:40002");
  g_assert_cmpstr (loaded->event_url, ==, "tcp://127.0.0.1:40003");
  g_assert_cmpstr (loaded->signature_scheme, ==, "hmac-sha256");
  g_assert_cmpint (loaded->controller_pid, ==, getpid ());
  g_assert_cmpint (loaded->created, ==, conn->created);
  g_clear_pointer (&loaded, loom_connection_free);

  /* The key is stored as 64 hex digits. */
  g_assert_true (g_file_get_contents (path, &data, NULL, &error));
  g_assert_no_error (error);
  root = loom_json_from_data (data, -1, &error);
  g_assert_no_error (error);
  obj = json_node_get_object (root);
  key_hex = loom_key_to_hex (conn->key, LOOM_KEY_SIZE);
  g_assert_cmpuint (strlen (key_hex), ==, 64);
  g_assert_cmpstr (json_object_get_string_member (obj, "key"), ==, key_hex);
  g_assert_cmpint (json_object_get_int_member (obj, "version"), ==, 1);

  /* Saving over a readable file: replaced, 0600 again, no leftovers. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_true (loom_connection_save (other, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_clear_pointer (&listing, g_free);
  listing = dir_listing (sub);
  g_assert_cmpstr (listing, ==, "rt.json");
  loaded = loom_connection_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (loaded->key, LOOM_KEY_SIZE, other->key, LOOM_KEY_SIZE);
  g_assert_cmpstr (loaded->transport, ==, "ipc");
  g_assert_null (loaded->ip);
  g_assert_cmpstr (loaded->client_url, ==, other->client_url);
  g_clear_pointer (&loaded, loom_connection_free);

  /* A file written by hand with only ip and ports. */
  {
    g_autofree char *hand = g_build_filename (sub, "hand.json", NULL);
    g_autofree char *text = g_strdup_printf ("{\"ip\":\"10.1.2.3\",\"client_port\":5001,"
                                             "\"engine_port\":5002,\"event_port\":5003,"
                                             "\"key\":\"%s\"}", key_hex);
    g_autofree char *with_curve = g_strdup_printf ("{\"ip\":\"10.1.2.3\",\"client_port\":5001,"
                                                   "\"engine_port\":5002,\"event_port\":5003,"
                                                   "\"key\":\"%s\",\"curve_server_key\":\"%s\","
                                                   "\"curve_public_key\":\"%s\",\"curve_secret_key\":\"%s\"}",
                                                   key_hex, conn->curve_server, conn->curve_public, conn->curve_secret);

    /* Over TCP, a file without CURVE keys (an older Loom's) is refused
     * with a message that says what to do. */
    g_assert_true (g_file_set_contents_full (hand, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
    loaded = loom_connection_load (hand, &error);
    g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "CURVE"));
    g_assert_null (loaded);
    g_clear_error (&error);

    /* Private, as a key must be (others' reading it is warned about). */
    g_assert_true (g_file_set_contents_full (hand, with_curve, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
    loaded = loom_connection_load (hand, &error);
    g_assert_no_error (error);
    g_assert_cmpint (loaded->role, ==, LOOM_ROLE_CLIENT);
    g_assert_cmpstr (loaded->curve_server, ==, conn->curve_server);
    g_assert_cmpstr (loaded->transport, ==, "tcp");
    g_assert_cmpstr (loaded->client_url, ==, "tcp://10.1.2.3:5001");
    g_assert_cmpstr (loaded->engine_url, ==, "tcp://10.1.2.3:5002");
    g_assert_cmpstr (loaded->event_url, ==, "tcp://10.1.2.3:5003");
    g_assert_cmpstr (loaded->signature_scheme, ==, "hmac-sha256");
    g_assert_cmpmem (loaded->key, LOOM_KEY_SIZE, conn->key, LOOM_KEY_SIZE);
  }

  /* Where profiles live. */
  {
    g_autofree char *p = loom_connection_path_for_profile ("default");
    g_autofree char *expected_dir = g_build_filename (g_get_user_runtime_dir (), "loom", NULL);
    g_autofree char *expected = g_build_filename (expected_dir, "default.json", NULL);

    g_assert_cmpstr (dir, ==, expected_dir);
    g_assert_cmpstr (p, ==, expected);
  }
}

/* --- load errors --------------------------------------------------------- */

static JsonObject *
valid_object (void)
{
  g_autoptr(LoomConnection) conn = connection_with_urls ("errors");
  g_autofree char *json = loom_connection_to_json (conn, LOOM_ROLE_CLIENT);
  g_autoptr(JsonNode) node = loom_json_from_data (json, -1, NULL);

  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static char *
object_to_text (JsonObject *obj)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, obj);
  return loom_json_to_string (node);
}

static void
assert_load_fails (const char *path,
                   const char *text,
                   GQuark      domain,
                   gint        code,
                   const char *also_in_message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomConnection) conn = NULL;

  if (text != NULL)
    g_assert_true (g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));

  conn = loom_connection_load (path, &error);
  g_assert_null (conn);
  g_assert_error (error, domain, code);
  /* The message names the file, so a person knows which one to fix. */
  g_assert_nonnull (strstr (error->message, path));
  if (also_in_message)
    g_assert_nonnull (strstr (error->message, also_in_message));
}

static void
assert_variant_fails (const char *path,
                      const char *member,
                      JsonNode   *value,
                      const char *also_in_message)
{
  g_autoptr(JsonObject) obj = valid_object ();
  g_autofree char *text = NULL;

  g_test_message ("%s %s", value ? "changing" : "removing", member);
  if (value)
    json_object_set_member (obj, member, value);
  else
    json_object_remove_member (obj, member);
  text = object_to_text (obj);
  assert_load_fails (path, text, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, also_in_message);
}

static JsonNode *
string_node (const char *str)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, str);
  return node;
}

static JsonNode *
object_node (void)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  return json_node_init_object (json_node_alloc (), obj);
}

static JsonNode *
array_node (void)
{
  g_autoptr(JsonArray) array = json_array_new ();
  return json_node_init_array (json_node_alloc (), array);
}

/* json-glib's *_with_default() getters emit a critical for members that
 * hold an object or an array.  These count them instead of aborting. */
static gint json_criticals;

static void
count_json_critical (const char     *log_domain,
                     GLogLevelFlags  log_level,
                     const char     *message,
                     gpointer        user_data)
{
  g_atomic_int_inc (&json_criticals);
}

static gboolean
json_critical_not_fatal (const char     *log_domain,
                         GLogLevelFlags  log_level,
                         const char     *message,
                         gpointer        user_data)
{
  return g_strcmp0 (log_domain, "Json") != 0;
}

static void
test_load_errors (void)
{
  g_autofree char *dir = loom_connection_dir ();
  g_autofree char *path = g_build_filename (dir, "broken.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);
  g_autofree char *key64 = g_strnfill (64, 'a');
  g_autofree char *key62 = g_strnfill (62, 'a');
  g_autofree char *key66 = g_strnfill (66, 'a');
  g_autofree char *key_bad = g_strdup_printf ("%.*szz", 62, key64);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  /* No file: no cluster. */
  assert_load_fails (missing, NULL, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER, NULL);

  /* Not JSON, or not an object. */
  assert_load_fails (path, "", LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, NULL);
  assert_load_fails (path, "not json {", LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, NULL);
  assert_load_fails (path, "{\"key\":", LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, NULL);
  assert_load_fails (path, "[1,2,3]", LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, NULL);
  assert_load_fails (path, "\"a string\"", LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT, NULL);

  /* The control: the valid object loads, so each failure below is caused
   * by the one member changed. */
  {
    g_autoptr(JsonObject) obj = valid_object ();
    g_autofree char *text = object_to_text (obj);
    g_autoptr(GError) error = NULL;
    g_autoptr(LoomConnection) conn = NULL;

    g_assert_true (g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
    conn = loom_connection_load (path, &error);
    g_assert_no_error (error);
    g_assert_nonnull (conn);
    g_assert_cmpstr (conn->profile, ==, "errors");
  }

  /* Bad keys. */
  assert_variant_fails (path, "key", NULL, "key");
  assert_variant_fails (path, "key", string_node (""), "key");
  assert_variant_fails (path, "key", string_node (key62), "key");
  assert_variant_fails (path, "key", string_node (key66), "key");
  assert_variant_fails (path, "key", string_node (key_bad), "key");
  assert_variant_fails (path, "key", json_node_init_int (json_node_alloc (), 42), "key");
  assert_variant_fails (path, "key", json_node_init_null (json_node_alloc ()), "key");

  /* Another signature scheme. */
  assert_variant_fails (path, "signature_scheme", string_node ("hmac-md5"), "hmac-md5");
  assert_variant_fails (path, "signature_scheme", string_node (""), NULL);

  /* Nowhere to connect to. */
  assert_variant_fails (path, "client_url", NULL, NULL);
  assert_variant_fails (path, "engine_url", NULL, NULL);
  assert_variant_fails (path, "event_url", NULL, NULL);
  assert_variant_fails (path, "client_url", json_node_init_null (json_node_alloc ()), NULL);

  /* A directory where the file should be: an error naming it. */
  {
    g_autofree char *as_dir = g_build_filename (dir, "dir.json", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(LoomConnection) conn = NULL;

    g_assert_cmpint (g_mkdir (as_dir, 0700), ==, 0);
    conn = loom_connection_load (as_dir, &error);
    g_assert_null (conn);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, as_dir));
  }
}

/* Members of the wrong JSON type, as a hand-edited file may have: refused
 * like any other invalid file, without a critical. */
static void
test_load_wrong_types (void)
{
  g_autofree char *dir = loom_connection_dir ();
  g_autofree char *path = g_build_filename (dir, "types.json", NULL);
  const char *members[] = { "key", "client_url", "engine_url", "event_url" };
  guint handler;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  g_atomic_int_set (&json_criticals, 0);
  handler = g_log_set_handler ("Json", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL,
                               count_json_critical, NULL);
  g_test_log_set_fatal_handler (json_critical_not_fatal, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      assert_variant_fails (path, members[i], object_node (), NULL);
      assert_variant_fails (path, members[i], array_node (), NULL);
    }
  /* Members with defaults: refused or defaulted, either way no critical. */
  {
    const char *optional[] = { "profile", "transport", "ip", "signature_scheme", "controller_pid", "client_port" };

    for (guint i = 0; i < G_N_ELEMENTS (optional); i++)
      {
        g_autoptr(JsonObject) obj = valid_object ();
        g_autofree char *text = NULL;
        g_autoptr(LoomConnection) conn = NULL;

        json_object_set_member (obj, optional[i], object_node ());
        text = object_to_text (obj);
        g_assert_true (g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
        conn = loom_connection_load (path, NULL);
      }
  }

  g_test_log_set_fatal_handler (NULL, NULL);
  g_log_remove_handler ("Json", handler);

  g_assert_cmpint (g_atomic_int_get (&json_criticals), ==, 0);
}

/* --- profile names ------------------------------------------------------- */

static void
test_profile_names (void)
{
  const char *valid[] = { "default", "my-profile_2.x", "a", "A-Z_0.9", "x..y" };
  const char *invalid[] = {
    "", ".", "..", "../x", "a/b", "/abs", ".hidden", "with space", "tab\t",
    "caf\xc3\xa9", "semi;colon", "star*", "new\nline",
  };
  g_autofree char *max = g_strnfill (64, 'p');
  g_autofree char *too_long = g_strnfill (65, 'p');

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autofree char *escaped = g_strescape (valid[i], NULL);

      g_test_message ("valid: “%s”", escaped);
      g_assert_true (loom_profile_name_is_valid (valid[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *escaped = g_strescape (invalid[i], NULL);

      g_test_message ("invalid: “%s”", escaped);
      g_assert_false (loom_profile_name_is_valid (invalid[i]));
    }
  g_assert_false (loom_profile_name_is_valid (NULL));
  g_assert_true (loom_profile_name_is_valid (max));
  g_assert_false (loom_profile_name_is_valid (too_long));

  /* A client refuses a bad name before touching the file system. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LoomClient) client = loom_client_new_for_profile ("../etc", &error);

    g_assert_null (client);
    g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  }
  /* And a good name without a cluster is "no cluster". */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LoomClient) client = loom_client_new_for_profile ("nobody-here", &error);

    g_assert_null (client);
    g_assert_error (error, LOOM_ERROR, LOOM_ERROR_NO_CLUSTER);
    g_assert_nonnull (strstr (error->message, "nobody-here"));
  }
}

/* --- a controller owns its profile --------------------------------------- */

static void
test_live (void)
{
  g_autoptr(LoomController) ctl = loom_controller_new ("p1");
  g_autoptr(LoomConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = loom_connection_path_for_profile ("p1");
  g_autofree char *expected = g_build_filename (g_get_user_runtime_dir (), "loom", "p1.json", NULL);
  g_autofree char *dir = loom_connection_dir ();

  g_assert_cmpstr (path, ==, expected);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (loom_controller_get_profile (ctl), ==, "p1");

  g_assert_true (loom_controller_start (ctl, &error));
  g_assert_no_error (error);
  g_assert_true (loom_controller_is_running (ctl));
  g_assert_cmpstr (loom_controller_get_connection_file (ctl), ==, path);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (dir), ==, 0700);

  conn = loom_connection_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (conn->profile, ==, "p1");
  g_assert_cmpint (conn->controller_pid, ==, getpid ());
  assert_controller_urls (conn, "p1");
  g_assert_true (loom_connection_ping (conn, 5000));
  g_assert_true (loom_connection_is_live (conn));

  /* A second controller for the same profile is refused, and says how to
   * get out of it; the first one is left alone. */
  {
    g_autoptr(LoomController) second = loom_controller_new ("p1");
    g_autoptr(GError) second_error = NULL;
    g_autoptr(LoomConnection) after = NULL;
    g_autoptr(LoomClient) client = NULL;

    g_assert_false (loom_controller_start (second, &second_error));
    g_assert_error (second_error, LOOM_ERROR, LOOM_ERROR_ALREADY_RUNNING);
    g_test_message ("%s", second_error->message);
    g_assert_nonnull (strstr (second_error->message, "p1"));
    g_assert_nonnull (strstr (second_error->message, "loomctl cluster stop"));
    g_assert_false (loom_controller_is_running (second));
    g_clear_object (&second);

    after = loom_connection_load (path, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (after->key, LOOM_KEY_SIZE, conn->key, LOOM_KEY_SIZE);
    assert_controller_urls (after, "p1");
    g_assert_true (loom_controller_is_running (ctl));

    client = loom_client_new_for_profile ("p1", &error);
    g_assert_no_error (error);
    g_assert_nonnull (client);
  }

  loom_controller_stop (ctl);
  g_assert_false (loom_controller_is_running (ctl));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  if (uses_ipc (conn))
    {
      g_assert_false (g_file_test (ipc_path (conn->client_url), G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (ipc_path (conn->engine_url), G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (ipc_path (conn->event_url), G_FILE_TEST_EXISTS));
    }
  /* Our pid, but nobody answers any more. */
  g_assert_false (loom_connection_is_live (conn));

  /* The profile is free again. */
  g_clear_object (&ctl);
  ctl = loom_controller_new ("p1");
  g_assert_true (loom_controller_start (ctl, &error));
  g_assert_no_error (error);
  {
    g_autoptr(LoomConnection) again = loom_connection_load (path, &error);

    g_assert_no_error (error);
    g_assert_true (memcmp (again->key, conn->key, LOOM_KEY_SIZE) != 0);
    g_assert_true (loom_connection_is_live (again));
  }
  loom_controller_stop (ctl);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* --- stale files --------------------------------------------------------- */

static void
assert_replaces_stale (const char     *profile,
                       LoomConnection *stale,
                       gboolean        takes_key)
{
  g_autoptr(LoomController) ctl = loom_controller_new (profile);
  g_autoptr(LoomConnection) now = NULL;
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = loom_connection_path_for_profile (profile);

  g_assert_true (loom_controller_start (ctl, &error));
  g_assert_no_error (error);

  now = loom_connection_load (path, &error);
  g_assert_no_error (error);
  /* It takes over a readable file's key, for the engines and clients
   * that outlived the controller before. */
  g_assert_true ((memcmp (now->key, stale->key, LOOM_KEY_SIZE) == 0) == takes_key);
  g_assert_cmpint (now->controller_pid, ==, getpid ());
  g_assert_cmpint (now->created, >=, stale->created);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  assert_controller_urls (now, profile);

  /* And it is reachable where the new file says. */
  client = loom_client_new_for_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (client);
  g_clear_object (&client);

  loom_controller_stop (ctl);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_stale (void)
{
  g_autofree char *path = loom_connection_path_for_profile ("p2");
  g_autoptr(GError) error = NULL;

  /* A controller that died: its pid is gone, its socket paths are left
   * over (here as plain files, which cannot be connected to). */
  {
    g_autoptr(LoomConnection) stale = connection_with_urls ("p2");

    stale->controller_pid = dead_pid ();
    stale->created -= 60 * G_USEC_PER_SEC;
    g_assert_true (loom_connection_save (stale, path, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_set_contents (ipc_path (stale->client_url), "left over", -1, NULL));
    g_assert_true (g_file_set_contents (ipc_path (stale->engine_url), "left over", -1, NULL));

    g_assert_false (loom_connection_is_live (stale));
    assert_replaces_stale ("p2", stale, TRUE);
  }

  /* A pid that is alive (ours) but no controller answers on the urls. */
  {
    g_autoptr(LoomConnection) stale = connection_with_urls ("p2");

    g_assert_cmpint (stale->controller_pid, ==, getpid ());
    g_assert_true (loom_connection_save (stale, path, &error));
    g_assert_no_error (error);

    g_assert_false (loom_connection_is_live (stale));
    assert_replaces_stale ("p2", stale, TRUE);
  }

  /* A file that is not even valid is replaced too. */
  {
    g_autoptr(LoomConnection) stale = connection_with_urls ("p2");

    g_assert_true (g_file_set_contents_full (path, "{ half a fi", -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
    assert_replaces_stale ("p2", stale, FALSE);
  }
}

/* A live controller behind the urls, but another key: the pid may have been
 * reused and the socket path too.  Not ours, so not live. */
static void
test_live_wrong_key (void)
{
  g_autoptr(LoomController) ctl = loom_controller_new ("p3");
  g_autoptr(LoomConnection) real = NULL;
  g_autoptr(LoomConnection) forged = NULL;
  g_autoptr(LoomClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 bad_signature = -1;
  gint64 deadline;

  g_assert_true (loom_controller_start (ctl, &error));
  g_assert_no_error (error);
  real = loom_connection_load (loom_controller_get_connection_file (ctl), &error);
  g_assert_no_error (error);

  forged = connection_with_urls ("p3");
  g_free (forged->client_url);
  forged->client_url = g_strdup (real->client_url);
  g_assert_true (memcmp (forged->key, real->key, LOOM_KEY_SIZE) != 0);
  g_assert_false (loom_connection_is_live (forged));

  /* With the right key, the same urls are live. */
  memcpy (forged->key, real->key, LOOM_KEY_SIZE);
  g_assert_true (loom_connection_is_live (forged));

  /* The controller saw the forged ping and dropped it. */
  client = loom_client_new_for_file (loom_controller_get_connection_file (ctl), &error);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(LoomClusterStatus) status = loom_client_get_status (client, &error);

      g_assert_no_error (error);
      bad_signature = loom_cluster_status_get_dropped (status, "bad_signature");
      if (bad_signature == 1 || g_get_monotonic_time () > deadline)
        break;
      g_usleep (10 * 1000);
    }
  g_assert_cmpint (bad_signature, ==, 1);
  g_clear_object (&client);

  /* A pid of 0 or a dead one is never live, whatever the urls. */
  forged->controller_pid = 0;
  g_assert_false (loom_connection_is_live (forged));
  forged->controller_pid = dead_pid ();
  g_assert_false (loom_connection_is_live (forged));

  loom_controller_stop (ctl);
}

/* --- private controllers ------------------------------------------------- */

static void
test_private_cleanup (void)
{
  g_autoptr(LoomController) ctl = loom_controller_new (NULL);
  g_autoptr(LoomController) ctl2 = loom_controller_new (NULL);
  g_autoptr(LoomConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = loom_connection_dir ();
  g_autofree char *path = NULL;
  g_autofree char *listing = NULL;
  const char *profile = loom_controller_get_profile (ctl);

  g_assert_true (g_str_has_prefix (profile, "private-"));
  g_assert_true (loom_profile_name_is_valid (profile));
  g_assert_cmpstr (loom_controller_get_profile (ctl2), !=, profile);

  g_assert_true (loom_controller_start (ctl, &error));
  g_assert_no_error (error);
  g_assert_true (loom_controller_start (ctl2, &error));
  g_assert_no_error (error);

  path = g_strdup (loom_controller_get_connection_file (ctl));
  g_assert_nonnull (path);
  g_assert_cmpstr (loom_controller_get_connection_file (ctl2), !=, path);
  g_assert_true (g_str_has_prefix (path, dir));
  g_assert_cmpuint (file_mode (path), ==, 0600);

  conn = loom_connection_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (conn->profile, ==, profile);
  assert_controller_urls (conn, profile);
  g_assert_true (loom_connection_is_live (conn));

  loom_controller_stop (ctl);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  if (uses_ipc (conn))
    {
      g_assert_false (g_file_test (ipc_path (conn->client_url), G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (ipc_path (conn->engine_url), G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (ipc_path (conn->event_url), G_FILE_TEST_EXISTS));
    }

  /* The other one is untouched, then cleans up after itself as well: the
   * directory is left empty. */
  {
    g_autoptr(LoomConnection) conn2 = loom_connection_load (loom_controller_get_connection_file (ctl2), &error);

    g_assert_no_error (error);
    g_assert_true (loom_connection_is_live (conn2));
  }
  loom_controller_stop (ctl2);
  listing = dir_listing (dir);
  g_assert_cmpstr (listing, ==, "");

  if (!uses_ipc (conn))
    g_test_skip ("the runtime dir is too deep for ipc:// socket paths here; no socket files to check");
}

int
main (int   argc,
      char *argv[])
{
  /* The per-test runtime dir is named after the program; a short name
   * keeps the controllers' socket paths within what ipc:// allows. */
  g_set_prgname ("lt");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/loom/connection/round-trip", test_round_trip);
  g_test_add_func ("/loom/connection/load-errors", test_load_errors);
  g_test_add_func ("/loom/connection/load-wrong-types", test_load_wrong_types);
  g_test_add_func ("/loom/connection/profile-names", test_profile_names);
  g_test_add_func ("/loom/connection/live", test_live);
  g_test_add_func ("/loom/connection/stale", test_stale);
  g_test_add_func ("/loom/connection/live-wrong-key", test_live_wrong_key);
  g_test_add_func ("/loom/connection/private", test_private_cleanup);

  return g_test_run ();
}
