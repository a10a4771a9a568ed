/* loom-plugin.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The C ABI of Loom plugins: the C analogue of importing a module inside a
 * function that runs on a blank engine.
 *
 * A plugin is a shared object that declares the ABI version it was built for
 * and exports one or more functions of type #LoomPluginFunc:
 *
 * |[<!-- language="C" -->
 * #include <loom-plugin.h>
 *
 * LOOM_PLUGIN_DECLARE ();
 *
 * G_MODULE_EXPORT JsonNode *
 * square (JsonNode *params, GError **error)
 * {
 *   JsonObject *obj = json_node_get_object (params);
 *   double x = json_object_get_double_member (obj, "x");
 *   JsonNode *result = json_node_new (JSON_NODE_VALUE);
 *   json_node_set_double (result, x * x);
 *   return result;
 * }
 * ]|
 *
 * A task names it as `path/to/module.so:square`.  The engine loads the module
 * once (GModule) and keeps it; the function runs on the engine's worker
 * thread, so it may block for as long as it needs.  @params is the task's
 * parameters (an object of named values, or what the client sent);
 * the function returns the result (transfer full, %NULL means JSON null) or
 * sets @error and returns %NULL to fail the task with that message.
 */

#pragma once

#include <gmodule.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * LOOM_PLUGIN_ABI_VERSION:
 *
 * The version of the plugin ABI this Loom loads; LOOM_PLUGIN_DECLARE()
 * stores it in the module.
 */
#define LOOM_PLUGIN_ABI_VERSION 1

/**
 * LoomPluginFunc:
 * @params: (transfer none): the task's parameters
 * @error: return location for the task's error
 *
 * A function a plugin exports for tasks to run: it runs on the engine's
 * worker thread and may block as long as it needs.
 *
 * Returns: (transfer full) (nullable): the task's result
 */
typedef JsonNode *(*LoomPluginFunc) (JsonNode  *params,
                                     GError   **error);

/**
 * LOOM_PLUGIN_DECLARE:
 *
 * Put once in a plugin's source: engines refuse modules that lack it or
 * were built for another ABI version.
 */
#define LOOM_PLUGIN_DECLARE() \
  G_MODULE_EXPORT const unsigned int loom_plugin_abi_version = LOOM_PLUGIN_ABI_VERSION

G_END_DECLS
