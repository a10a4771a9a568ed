/* loom-constant-row.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "loom-form-row.h"

G_BEGIN_DECLS

#define LOOM_TYPE_CONSTANT_ROW (loom_constant_row_get_type ())

G_DECLARE_FINAL_TYPE (LoomConstantRow, loom_constant_row, LOOM, CONSTANT_ROW, LoomFormRow)

LoomConstantRow *loom_constant_row_new (void);

G_END_DECLS
