/* loom-ui-test-util.c: finding and picturing the app's real widgets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "loom-test-util.h"
#include "loom-ui-test-util.h"

void
ui_test_init (int    *argc,
              char ***argv)
{
  g_test_init (argc, argv, NULL);
  if (!gtk_init_check ())
    test_skip_all ("no display");
  adw_init ();
}

/* The first widget, depth first, that @matches. */
GtkWidget *
find_widget (GtkWidget  *widget,
             gboolean  (*matches) (GtkWidget *widget, const char *text),
             const char *text)
{
  if (matches (widget, text))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, matches, text);
      if (found)
        return found;
    }
  return NULL;
}

static gboolean
is_named (GtkWidget  *widget,
          const char *name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static gboolean
is_label_with (GtkWidget  *widget,
               const char *fragment)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), fragment) != NULL;
}

GtkWidget *
find_widget_named (GtkWidget  *widget,
                   const char *name)
{
  return find_widget (widget, is_named, name);
}

GtkWidget *
find_label_with (GtkWidget  *widget,
                 const char *fragment)
{
  return find_widget (widget, is_label_with, fragment);
}

/* Where the pictures go: tests/screenshots/ in the build directory. */
char *
screenshot_path (const char *name)
{
  g_autofree char *dir = g_build_filename (g_getenv ("LOOM_TEST_ARTIFACTS") ?: g_get_tmp_dir (), "screenshots", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  return g_build_filename (dir, name, NULL);
}

void
save_png (GtkWidget  *widget,
          const char *path)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  /* A window draws once it is mapped and the frame clock has ticked: give
   * it the time it needs on a slow machine. */
  for (gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;;)
    {
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node != NULL || g_get_monotonic_time () > deadline)
        break;
      snapshot = gtk_snapshot_new ();
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10 * 1000);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}
