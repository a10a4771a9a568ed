/* loom-error.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (LOOM_INSIDE) && !defined (LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_ERROR (loom_error_quark ())

/**
 * LoomError:
 * @LOOM_ERROR_FAILED: generic failure
 * @LOOM_ERROR_INVALID_ARGUMENT: a value given by the caller is not valid
 * @LOOM_ERROR_NO_CLUSTER: no controller is running for the profile
 * @LOOM_ERROR_CONNECTION: the controller could not be reached or stopped answering
 * @LOOM_ERROR_ALREADY_RUNNING: a live controller already owns the profile
 * @LOOM_ERROR_TIMED_OUT: the operation did not finish in time
 * @LOOM_ERROR_TASK_FAILED: one or more tasks failed
 * @LOOM_ERROR_ABORTED: the job was aborted
 * @LOOM_ERROR_PROTOCOL: a peer sent something Loom does not understand
 * @LOOM_ERROR_ENGINE: an engine could not be started or died
 *
 * Error codes of the %LOOM_ERROR domain.
 */
typedef enum
{
  LOOM_ERROR_FAILED,
  LOOM_ERROR_INVALID_ARGUMENT,
  LOOM_ERROR_NO_CLUSTER,
  LOOM_ERROR_CONNECTION,
  LOOM_ERROR_ALREADY_RUNNING,
  LOOM_ERROR_TIMED_OUT,
  LOOM_ERROR_TASK_FAILED,
  LOOM_ERROR_ABORTED,
  LOOM_ERROR_PROTOCOL,
  LOOM_ERROR_ENGINE,
} LoomError;

LOOM_AVAILABLE_IN_ALL
GQuark loom_error_quark (void);

G_END_DECLS
