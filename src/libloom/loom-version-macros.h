/* loom-version-macros.h: what libloom exports
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libloom-1.so is built with hidden symbol visibility: only declarations
 * marked LOOM_AVAILABLE_IN_ALL are exported, so everything else in the
 * library (the wire codec, the controller's internals) stays internal.
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib.h>

#ifndef _LOOM_EXTERN
# define _LOOM_EXTERN __attribute__((visibility ("default"))) extern
#endif

/* Every public symbol of libloom-1 so far. */
#define LOOM_AVAILABLE_IN_ALL _LOOM_EXTERN
