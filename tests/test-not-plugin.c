/* test-not-plugin.c: a shared object that is not a Loom plugin
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gmodule.h>
#include <json-glib/json-glib.h>

G_MODULE_EXPORT JsonNode *square (JsonNode *params, GError **error);

G_MODULE_EXPORT JsonNode *
square (JsonNode  *params,
        GError   **error)
{
  return json_node_new (JSON_NODE_NULL);
}
