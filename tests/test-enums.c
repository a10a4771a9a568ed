/* test-enums.c: enum names are the nicks, and nothing else
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The names Loom's enums have on the wire, in JSON and on the command
 * line come from the nicks of their GEnumClass; these tests pin the names
 * (changing one breaks the protocol or the command line) and the lists of
 * choices made from them.
 */

#define G_LOG_DOMAIN "Loom-Test"

#include "config.h"

#include <string.h>
#include <zmq.h>

#include "loom.h"
#include "loom-connection-private.h"
#include "loom-engine-private.h"
#include "loom-enum-private.h"
#include "loom-wire-private.h"

static void
test_export_formats (void)
{
  static const struct
  {
    LoomExportFormat format;
    const char      *name;
    const char      *extension;
    gboolean         image;
  } formats[] = {
    { LOOM_EXPORT_CHROME, "chrome", "json", FALSE },
    { LOOM_EXPORT_CSV, "csv", "csv", FALSE },
    { LOOM_EXPORT_JSON, "json", "json", FALSE },
    { LOOM_EXPORT_PNG, "png", "png", TRUE },
    { LOOM_EXPORT_SVG, "svg", "svg", TRUE },
    { LOOM_EXPORT_PDF, "pdf", "pdf", TRUE },
  };
  g_autoptr(GEnumClass) klass = g_type_class_ref (LOOM_TYPE_EXPORT_FORMAT);
  LoomExportFormat format;

  g_assert_cmpuint (klass->n_values, ==, G_N_ELEMENTS (formats));
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_assert_true (loom_export_format_from_string (formats[i].name, &format));
      g_assert_cmpint (format, ==, formats[i].format);
      g_assert_cmpstr (loom_export_format_to_string (format), ==, formats[i].name);
      g_assert_cmpstr (loom_export_format_get_extension (format), ==, formats[i].extension);
      g_assert_cmpint (loom_export_format_is_image (format), ==, formats[i].image);
    }
  g_assert_false (loom_export_format_from_string ("xml", &format));
  g_assert_false (loom_export_format_from_string ("PNG", &format));
  g_assert_false (loom_export_format_from_string (NULL, &format));
}

static void
test_export_reports (void)
{
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  char *text;

  g_ptr_array_add (reports, json_from_string ("{\"job\": {\"id\": 4, \"name\": \"sq\", \"mode\": \"parallel\"},"
                                              " \"tasks\": [{\"index\": 0, \"engine_id\": 2, \"status\": \"done\","
                                              " \"params\": {\"x\": 3}, \"result\": 9,"
                                              " \"started\": 1000000, \"completed\": 1500000}]}", &error));
  g_assert_no_error (error);

  csv = loom_export_reports (reports, LOOM_EXPORT_CSV, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (csv, "job,index,x,engine,status,"));
  g_assert_nonnull (strstr (csv, "\n4,0,3,2,done,"));

  /* Images are the timeline's: a clear error, not an empty file. */
  for (LoomExportFormat f = LOOM_EXPORT_PNG; f <= LOOM_EXPORT_PDF; f++)
    {
      text = loom_export_reports (reports, f, &error);
      g_assert_null (text);
      g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, loom_export_format_to_string (f)));
      g_assert_nonnull (strstr (error->message, "drawn by the timeline: "));
      g_assert_nonnull (strstr (error->message, "chrome, csv or json"));
      g_clear_error (&error);
    }
}

static gboolean
is_not_lru (gint value)
{
  return value != LOOM_SCHEME_LRU;
}

static void
test_choices (void)
{
  struct
  {
    char       *text;
    const char *expected;
  } lists[] = {
    { loom_enum_choices (LOOM_TYPE_SCHEME, LOOM_ENUM_CHOICES_PLAIN, -1, NULL), "leastload, lru or random" },
    { loom_enum_choices (LOOM_TYPE_SCHEME, LOOM_ENUM_CHOICES_PLAIN, LOOM_SCHEME_LEASTLOAD, NULL),
      "leastload (default), lru or random" },
    { loom_enum_choices (LOOM_TYPE_SCHEME, LOOM_ENUM_CHOICES_QUOTED, -1, NULL), "“leastload”, “lru” or “random”" },
    { loom_enum_choices (LOOM_TYPE_SCHEME, LOOM_ENUM_CHOICES_PLAIN, -1, is_not_lru), "leastload or random" },
    { loom_enum_choices (LOOM_TYPE_JOB_MODE, LOOM_ENUM_CHOICES_QUOTED, -1, NULL), "“parallel” or “serial”" },
    { loom_enum_choices (LOOM_TYPE_TASK_KIND, LOOM_ENUM_CHOICES_PLAIN, -1, NULL), "builtin, command or plugin" },
    { loom_enum_choices (LOOM_TYPE_EXPORT_FORMAT, LOOM_ENUM_CHOICES_PLAIN, -1, NULL),
      "chrome, csv, json, png, svg or pdf" },
    { loom_enum_choices (LOOM_TYPE_EXPORT_FORMAT, LOOM_ENUM_CHOICES_BARS, -1, NULL), "chrome|csv|json|png|svg|pdf" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_assert_cmpstr (lists[i].text, ==, lists[i].expected);
      g_free (lists[i].text);
    }
}

static void
test_nicks (void)
{
  static const char *kinds[] = { "builtin", "command", "plugin" };
  static const char *drops[] = { "malformed", "unsigned", "bad_signature", "replayed", "too_large", "unknown_type", "stale" };
  gint value;

  G_STATIC_ASSERT (G_N_ELEMENTS (drops) == LOOM_DROP_N_REASONS);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_assert_true (loom_enum_from_nick (LOOM_TYPE_TASK_KIND, kinds[i], &value));
      g_assert_cmpint (value, ==, i);
      g_assert_cmpstr (loom_enum_to_nick (LOOM_TYPE_TASK_KIND, i, NULL), ==, kinds[i]);
    }
  g_assert_false (loom_enum_from_nick (LOOM_TYPE_TASK_KIND, "shell", &value));
  g_assert_cmpstr (loom_enum_to_nick (LOOM_TYPE_TASK_KIND, 17, "none"), ==, "none");

  /* The drop reasons' names are on the wire; N_REASONS is no reason. */
  for (guint r = 0; r < LOOM_DROP_N_REASONS; r++)
    g_assert_cmpstr (loom_drop_reason_to_string (r), ==, drops[r]);
  {
    g_autoptr(GEnumClass) klass = g_type_class_ref (g_type_from_name ("LoomDropReason"));

    g_assert_cmpuint (klass->n_values, ==, LOOM_DROP_N_REASONS);
  }
}

/* What an engine makes of a spec's kind: the nicks, and a task error that
 * lists them for one it does not know. */
static void
test_task_kinds (void)
{
  static const struct
  {
    const char *spec;
    gboolean    ok;
    const char *detail;
  } specs[] = {
    { "{\"function\": \"echo\"}", TRUE, "{}" },
    { "{\"kind\": \"builtin\", \"function\": \"echo\"}", TRUE, "{}" },
    { "{\"kind\": \"plugin\"}", FALSE, "\"InvalidPlugin\"" },
    { "{\"kind\": \"shell\", \"function\": \"echo\"}", FALSE,
      "{\"error\":{\"type\":\"UnknownFunction\","
      "\"message\":\"unknown task kind “shell” (builtin, command or plugin)\"}}" },
  };
  g_autoptr(GBytes) params = g_bytes_new_static ("{\"x\": 1}", 8);

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autoptr(JsonNode) spec = json_from_string (specs[i].spec, NULL);
      LoomRunContext ctx = { 0 };
      LoomTaskOutcome outcome = { 0 };

      loom_engine_execute (&ctx, json_node_get_object (spec), params, &outcome);
      g_assert_cmpint (outcome.ok, ==, specs[i].ok);
      if (specs[i].ok)
        g_assert_cmpstr (outcome.result, ==, "{\"x\": 1}");
      if (specs[i].detail[0] == '{')
        g_assert_cmpstr (outcome.detail->str, ==, specs[i].detail);
      else
        g_assert_nonnull (strstr (outcome.detail->str, specs[i].detail));
      g_free (outcome.result);
      g_string_free (outcome.detail, TRUE);
    }
}

/* A random parameter's distribution, by name, in a sweep's text and JSON;
 * the JSON form names it back. */
static void
test_sweep_distributions (void)
{
  static const char *refused = "sweep “x”: unknown random distribution “normal” (expected uniform, loguniform or int)";
  g_autoptr(LoomSweep) sweep = loom_sweep_new ();
  g_autoptr(JsonNode) spec = json_from_string ("{\"params\": {\"x\": {\"kind\": \"random\", "
                                               "\"distribution\": \"normal\", \"low\": 0, \"high\": 1, "
                                               "\"n\": 2}}}", NULL);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_false (loom_sweep_add_spec (sweep, "x=random:normal:0:1:3", &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, refused);
  g_clear_error (&error);
  g_assert_false (loom_sweep_add_spec_json (sweep, json_node_get_object (spec), &error));
  g_assert_cmpstr (error->message, ==, refused);
  g_clear_error (&error);

  g_assert_true (loom_sweep_add_spec (sweep, "a=random:uniform:0:1:2:1", &error));
  g_assert_true (loom_sweep_add_spec (sweep, "b=random:loguniform:1:10:2:1", &error));
  g_assert_true (loom_sweep_add_spec (sweep, "c=random:int:1:6:2:1", &error));
  g_assert_no_error (error);
  json = loom_sweep_to_json (sweep);
  text = json_to_string (json, FALSE);
  g_assert_nonnull (strstr (text, "\"a\":{\"kind\":\"random\",\"distribution\":\"uniform\",\"low\":0"));
  g_assert_nonnull (strstr (text, "\"b\":{\"kind\":\"random\",\"distribution\":\"loguniform\",\"low\":1"));
  g_assert_nonnull (strstr (text, "\"c\":{\"kind\":\"random\",\"distribution\":\"int\",\"low\":1"));
}

static LoomMessage *
request (LoomWire   *wire,
         void       *sock,
         const char *type,
         const char *content)
{
  g_autoptr(GBytes) line = g_bytes_new_static ("{}", 2);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  g_assert_cmpint (loom_wire_send (wire, sock, NULL, type, NULL, content, -1, &line, 1), ==, 0);
  while (g_get_monotonic_time () < deadline)
    {
      zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
      gboolean got_any = TRUE;

      if (zmq_poll (&item, 1, 100) <= 0)
        continue;
      while (got_any)
        {
          LoomMessage *reply = loom_wire_recv (wire, sock, &got_any);
          if (reply != NULL)
            return reply;
        }
    }
  g_assert_not_reached ();
}

/* The controller names modes and schemes by their nicks, in what it refuses
 * and in what it reports. */
static void
test_controller_names (void)
{
  static const struct
  {
    const char *content;
    const char *reply;
  } submits[] = {
    { "{\"spec\":{},\"count\":1,\"mode\":\"fast\",\"ref\":1}",
      "{\"error\":{\"type\":\"InvalidRequest\",\"message\":\"mode must be “parallel” or “serial”\"},\"ref\":1}" },
    { "{\"spec\":{},\"count\":1,\"mode\":[],\"ref\":2}",
      "{\"error\":{\"type\":\"InvalidRequest\",\"message\":\"mode must be “parallel” or “serial”\"},\"ref\":2}" },
    { "{\"spec\":{},\"count\":1,\"scheme\":\"fastest\",\"ref\":3}",
      "{\"error\":{\"type\":\"InvalidRequest\","
      "\"message\":\"scheme must be “leastload”, “lru” or “random”\"},\"ref\":3}" },
  };
  g_autoptr(LoomController) ctl = loom_controller_new (NULL);
  g_autoptr(LoomConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  LoomWire *wire;
  void *sock;
  int linger = 0;

  g_assert_true (loom_controller_start (ctl, &error));
  conn = loom_connection_load (loom_controller_get_connection_file (ctl), &error);
  g_assert_no_error (error);
  wire = loom_wire_new (conn->key, sizeof conn->key, 0);
  sock = zmq_socket (loom_zmq_context (), ZMQ_DEALER);
  zmq_setsockopt (sock, ZMQ_LINGER, &linger, sizeof linger);
  g_assert_cmpint (zmq_connect (sock, conn->client_url), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (submits); i++)
    {
      g_autoptr(LoomMessage) reply = request (wire, sock, "submit", submits[i].content);

      g_assert_cmpstr (reply->msg_type, ==, "error_reply");
      g_assert_cmpmem (g_bytes_get_data (reply->content, NULL), g_bytes_get_size (reply->content),
                       submits[i].reply, strlen (submits[i].reply));
    }
  {
    g_autoptr(LoomMessage) submitted = request (wire, sock, "submit",
                                                "{\"spec\":{\"function\":\"noop\"},\"count\":1,"
                                                "\"mode\":\"serial\",\"scheme\":\"lru\"}");
    g_autoptr(LoomMessage) jobs = request (wire, sock, "jobs", "{}");
    g_autofree char *text = g_strndup (g_bytes_get_data (jobs->content, NULL), g_bytes_get_size (jobs->content));

    g_assert_cmpstr (submitted->msg_type, ==, "submit_reply");
    g_assert_nonnull (strstr (text, "\"mode\":\"serial\""));
  }

  zmq_close (sock);
  loom_wire_free (wire);
  loom_controller_stop (ctl);
}

int
main (int   argc,
      char *argv[])
{
  /* The per-test runtime dir is named after the program; a short name
   * keeps the controller's socket paths within what ipc:// allows. */
  g_set_prgname ("lt");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/loom/enums/export-formats", test_export_formats);
  g_test_add_func ("/loom/enums/export-reports", test_export_reports);
  g_test_add_func ("/loom/enums/choices", test_choices);
  g_test_add_func ("/loom/enums/nicks", test_nicks);
  g_test_add_func ("/loom/enums/task-kinds", test_task_kinds);
  g_test_add_func ("/loom/enums/sweep-distributions", test_sweep_distributions);
  g_test_add_func ("/loom/enums/controller-names", test_controller_names);

  return g_test_run ();
}
