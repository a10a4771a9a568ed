/* loom-param-row.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "loom-form-row.h"

G_BEGIN_DECLS

#define LOOM_TYPE_PARAM_ROW (loom_param_row_get_type ())

G_DECLARE_FINAL_TYPE (LoomParamRow, loom_param_row, LOOM, PARAM_ROW, LoomFormRow)

LoomParamRow *loom_param_row_new (GtkSizeGroup *kind_sizes);

G_END_DECLS
