/* loom-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-error.h"

G_DEFINE_QUARK (loom-error-quark, loom_error)
