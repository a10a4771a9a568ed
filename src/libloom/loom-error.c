/* loom-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include "loom-error.h"

/**
 * loom_error_quark:
 *
 * Returns: the quark of the %LOOM_ERROR domain, whose codes are #LoomError
 */
G_DEFINE_QUARK (loom-error-quark, loom_error)
