/* test-undefined-plugin.c: a Loom plugin that needs a symbol nothing
 * defines, which the loader refuses with its own message
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gio/gio.h>
#include <loom-plugin.h>

LOOM_PLUGIN_DECLARE ();

/* Defined nowhere: dlopen() with RTLD_NOW fails naming it. */
extern int loom_test_missing_symbol (void);

G_MODULE_EXPORT JsonNode *call_missing (JsonNode *params, GError **error);

G_MODULE_EXPORT JsonNode *
call_missing (JsonNode  *params,
              GError   **error)
{
  JsonNode *result = json_node_new (JSON_NODE_VALUE);

  json_node_set_int (result, loom_test_missing_symbol ());
  return result;
}
