/* loom-engine-faults.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * How an engine ends what it cannot finish, from its heartbeat thread: a
 * task past its timeout or aborted (a command's process group is killed
 * and the engine goes on; a built-in or plugin, which cannot be
 * interrupted, ends the engine after reporting the task), and a fatal
 * signal (its number is reported to the controller before the process
 * dies of it).  Stopping the whole process is here too.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <glib/gi18n-lib.h>

#include "loom.h"
#include "loom-engine-private.h"
#include "loom-json-private.h"
#include "loom-wire-private.h"

/* Under AddressSanitizer (build-aux/dev asan), LeakSanitizer's check. */
#if defined(__SANITIZE_ADDRESS__)
# define LOOM_HAVE_LSAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define LOOM_HAVE_LSAN 1
# endif
#endif
#ifdef LOOM_HAVE_LSAN
# include <sanitizer/lsan_interface.h>
#endif

/* Stops the whole process from the heartbeat thread: a running command is
 * killed, the controller is told, and the process exits. */
void
loom_engine_stop_process (LoomRunContext *run,
                          LoomWire       *wire,
                          void           *sock,
                          const char     *goodbye,
                          int             status)
{
  GPid child = g_atomic_int_get (&run->child);

  loom_kill_process_group (child);

  if (goodbye != NULL)
    {
      gint64 deadline = g_get_monotonic_time () + 500 * 1000;

      /* Wait briefly for the controller's "bye": the message must leave
       * before the process does, or we would be taken for dead. */
      loom_wire_send (wire, sock, NULL, "unregister", NULL, goodbye, -1, NULL, 0);
      while (g_get_monotonic_time () < deadline)
        {
          zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
          g_autoptr(LoomMessage) msg = NULL;
          gboolean got_any;

          if (zmq_poll (&item, 1, 50) <= 0)
            continue;
          msg = loom_wire_recv (wire, sock, &got_any);
          if (msg && g_str_equal (msg->msg_type, "bye"))
            break;
        }
    }

  fflush (stdout);
  fflush (stderr);
#ifdef LOOM_HAVE_LSAN
  /* _exit() skips the leak check LeakSanitizer runs at exit. */
  __lsan_do_leak_check ();
#endif
  _exit (status);
}

/* How long an aborted built-in or plugin may take to notice before its
 * engine is ended. */
#define ABORT_GRACE_USEC (G_USEC_PER_SEC / 2)

/* A task the main thread cannot get back from (a plugin that blocks, a
 * built-in past its timeout): the heartbeat thread reports its end on its
 * own socket, says goodbye asking for a replacement, and ends the process.
 * The controller starts a new engine in its place (see
 * ctl_replace_engine()). */
static void G_GNUC_NORETURN
end_engine_for_task (LoomRunContext *run,
                     LoomWire       *wire,
                     void           *sock,
                     LoomTaskStatus  status,
                     const char     *type,
                     const char     *message)
{
  g_autoptr(GString) content = g_string_new (NULL);
  g_autoptr(GString) detail = g_string_new ("{\"error\":{\"type\":");
  GBytes *buffers[2];

  loom_json_append_string (detail, type);
  g_string_append (detail, ",\"message\":");
  loom_json_append_string (detail, message);
  g_string_append (detail, "}}");
  g_string_printf (content, "{\"tasks\":[[%d,%d,%d,%d,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]]}",
                   g_atomic_int_get (&run->job), g_atomic_int_get (&run->index),
                   g_atomic_int_get (&run->attempt), status,
                   __atomic_load_n (&run->started, __ATOMIC_RELAXED), loom_run_context_now (run));
  buffers[0] = g_bytes_new_static ("null", 4);
  buffers[1] = g_bytes_new (detail->str, detail->len);
  loom_wire_send (wire, sock, NULL, "results", NULL, content->str, content->len, buffers, 2);
  g_bytes_unref (buffers[0]);
  g_bytes_unref (buffers[1]);
  g_printerr ("loom-engine: %s: ending this engine, as the task cannot be interrupted\n", message);
  loom_engine_stop_process (run, wire, sock, "{\"replace\":true}", 5);
}

/* Enforces the running task's timeout, and an abort a task does not
 * heed: a command's process group is killed (the engine goes on); a
 * built-in or plugin ends the engine. */
void
loom_engine_check_running_task (LoomRunContext *run,
                                gint64          aborted_job,
                                LoomWire       *wire,
                                void           *sock)
{
  gint64 now = g_get_monotonic_time ();
  gint64 timeout = __atomic_load_n (&run->timeout_us, __ATOMIC_RELAXED);
  gint64 abort_at = __atomic_load_n (&run->abort_at, __ATOMIC_RELAXED);
  GPid child = g_atomic_int_get (&run->child);
  gint job = g_atomic_int_get (&run->job);

  if (job == 0)
    return;

  /* An abort of the running task's job: built-ins look at the flag, a
   * command is killed, and a task still running a moment later cannot be
   * interrupted. */
  if (job == aborted_job && abort_at == 0)
    {
      g_atomic_int_set (&run->abort, 1);
      abort_at = now;
      __atomic_store_n (&run->abort_at, now, __ATOMIC_RELAXED);
      loom_kill_process_group (child);
      return;
    }

  if (timeout > 0 && now - __atomic_load_n (&run->started_mono, __ATOMIC_RELAXED) >= timeout)
    {
      g_autofree char *msg = NULL;

      if (g_atomic_int_get (&run->is_command))
        {
          /* (A command not spawned yet is killed next time round.) */
          if (child > 0 && !g_atomic_int_get (&run->timed_out))
            {
              g_atomic_int_set (&run->timed_out, 1);
              loom_kill_process_group (child);
            }
          return;
        }
      /* Still running: it did not return in the meantime. */
      msg = loom_timeout_message (run);
      end_engine_for_task (run, wire, sock, LOOM_TASK_TIMEOUT, "Timeout", msg);
    }

  if (abort_at > 0 && !g_atomic_int_get (&run->is_command) && now - abort_at >= ABORT_GRACE_USEC)
    end_engine_for_task (run, wire, sock, LOOM_TASK_ABORTED, "Aborted",
                         _("the job was aborted; the task could not be interrupted, so its engine was ended"));
}

/* A fatal signal (SIGSEGV in a plugin, say) on any thread: the handler
 * waits a moment while the heartbeat thread tells the controller which
 * signal it was, then lets the signal kill the process.  SIGKILL cannot be
 * caught: the controller then finds the engine dead by its heartbeats. */
static volatile sig_atomic_t fatal_signal;
static volatile sig_atomic_t fatal_reported;

gboolean
loom_engine_fatal_signal_caught (void)
{
  return fatal_signal != 0;
}

static void
on_fatal_signal (int sig)
{
  struct timespec pause = { 0, 20 * 1000 * 1000 };

  fatal_signal = sig;
  for (int i = 0; i < 100 && !fatal_reported; i++)
    nanosleep (&pause, NULL);
  signal (sig, SIG_DFL);
  raise (sig);
}

void
loom_engine_install_fatal_signal_handlers (void)
{
  static const int signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
  static char alt_stack[64 * 1024];
  stack_t ss = { .ss_sp = alt_stack, .ss_size = sizeof alt_stack };
  struct sigaction sa = { 0 };

  /* A stack overflow still gets its report: the main thread's handler
   * runs on a stack of its own. */
  sigaltstack (&ss, NULL);
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaction (signals[i], &sa, NULL);
}

void
loom_engine_report_fatal_signal (LoomWire *wire,
                                 void     *sock)
{
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  char content[64];

  g_snprintf (content, sizeof content, "{\"signal\":%d}", (int) fatal_signal);
  loom_wire_send (wire, sock, NULL, "dying", NULL, content, -1, NULL, 0);
  /* The controller's "bye" says the report arrived. */
  while (g_get_monotonic_time () < deadline)
    {
      zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
      g_autoptr(LoomMessage) msg = NULL;
      gboolean got_any;

      if (zmq_poll (&item, 1, 50) <= 0)
        continue;
      msg = loom_wire_recv (wire, sock, &got_any);
      if (msg && g_str_equal (msg->msg_type, "bye"))
        break;
    }
  fatal_reported = 1;
  for (;;)
    g_usleep (G_USEC_PER_SEC);
}
