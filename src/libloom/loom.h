/* loom.h: the public API of libloom
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define LOOM_INSIDE
#include "loom-version-macros.h"
#include "loom-enums.h"
#include "loom-async-result.h"
#include "loom-builtins.h"
#include "loom-command-template.h"
#include "loom-client.h"
#include "loom-client-history.h"
#include "loom-cluster.h"
#include "loom-cluster-status.h"
#include "loom-controller.h"
#include "loom-engine-info.h"
#include "loom-error.h"
#include "loom-export.h"
#include "loom-job-info.h"
#include "loom-launcher.h"
#include "loom-plugin.h"
#include "loom-sweep.h"
#include "loom-task-spec.h"
#include "loom-types.h"
#include "loom-view.h"
#undef LOOM_INSIDE
