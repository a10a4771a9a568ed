/* test-plugin.c: an example Loom plugin, built and used by the tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>

#include <gio/gio.h>
#include <loom-plugin.h>

LOOM_PLUGIN_DECLARE ();

G_MODULE_EXPORT JsonNode *square (JsonNode *params, GError **error);
G_MODULE_EXPORT JsonNode *boom (JsonNode *params, GError **error);

/* square(x) -> x * x */
G_MODULE_EXPORT JsonNode *
square (JsonNode  *params,
        GError   **error)
{
  JsonNode *result;
  double x;

  if (!JSON_NODE_HOLDS_OBJECT (params) ||
      !json_object_has_member (json_node_get_object (params), "x"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "square() needs x");
      return NULL;
    }

  x = json_object_get_double_member (json_node_get_object (params), "x");
  result = json_node_new (JSON_NODE_VALUE);
  json_node_set_double (result, x * x);
  return result;
}

/* boom() always fails */
G_MODULE_EXPORT JsonNode *
boom (JsonNode  *params,
      GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the plugin went boom");
  return NULL;
}

G_MODULE_EXPORT JsonNode *block (JsonNode *params, GError **error);
G_MODULE_EXPORT JsonNode *crash (JsonNode *params, GError **error);

/* block() never returns, and cannot be interrupted: a plugin stuck in a
 * system call or a loop (for the timeout and abort tests) */
G_MODULE_EXPORT JsonNode *
block (JsonNode  *params,
       GError   **error)
{
  for (;;)
    g_usleep (G_USEC_PER_SEC);
  return NULL;
}

/* crash() kills its engine with SIGSEGV: a poison task */
G_MODULE_EXPORT JsonNode *
crash (JsonNode  *params,
       GError   **error)
{
  raise (SIGSEGV);
  return NULL;
}
