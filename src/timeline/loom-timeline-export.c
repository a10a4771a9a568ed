/* loom-timeline-export.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The timeline as an image (PNG, SVG or PDF): the widget's own drawing code
 * renders a frame zoomed to fit, with a Pango context on Cairo's font map,
 * and the render node is drawn into a Cairo surface.  Needs no display.
 */

#define G_LOG_DOMAIN "Loom"

#include "config.h"

#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "loom-timeline-render-private.h"

/**
 * loom_timeline_text_context_new:
 *
 * For drawing without a widget (images, benchmarks, tests): makes sure
 * GTK's render node types exist — GTK registers them while it
 * initialises, even with no display to open — and returns a Pango
 * context on Cairo's font map.
 *
 * Returns: (transfer full): a context for the timeline's text
 */
PangoContext *
loom_timeline_text_context_new (void)
{
  PangoContext *pango;
  PangoFontDescription *desc;

  if (!gtk_is_initialized ())
    gtk_init_check ();
  pango = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  desc = pango_font_description_from_string ("Sans 9");
  pango_context_set_font_description (pango, desc);
  pango_font_description_free (desc);
  return pango;
}

/**
 * loom_timeline_export_image:
 * @model: what to draw
 * @format: an image format: %LOOM_EXPORT_PNG, %LOOM_EXPORT_SVG or
 *   %LOOM_EXPORT_PDF
 * @width: in pixels (points for PDF)
 * @height: in pixels (points for PDF), or 0 for what the lanes need
 * @dark: draw light on dark
 * @path: the file to write
 * @error: return location for a #GError
 *
 * Draws the whole timeline, zoomed to fit, with the widget's own drawing
 * code into a Cairo surface.  Needs no display.
 *
 * Returns: whether the file was written
 */
gboolean
loom_timeline_export_image (LoomTimelineModel  *model,
                            LoomExportFormat    format,
                            int                 width,
                            int                 height,
                            gboolean            dark,
                            const char         *path,
                            GError            **error)
{
  g_autoptr(GskRenderNode) node = NULL;
  PangoContext *pango;
  LoomTimelineView view;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (LOOM_IS_TIMELINE_MODEL (model), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!loom_export_format_is_image (format))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("The timeline draws images, not “%s”: loom_export_reports() writes the text formats"),
                   loom_export_format_to_string (format));
      return FALSE;
    }

  if (height == 0)
    {
      /* As tall as the lanes need at full height, within reason. */
      loom_timeline_view_init (&view, width, 1);
      height = (int) CLAMP (timeline_top_band (model) + loom_timeline_view_content_height (&view, model) + 8, 160, 4000);
    }

  if (width < 200 || height < 100 || width > 20000 || height > 20000)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_INVALID_ARGUMENT,
                   _("Image size %d×%d: give a width of 200 to 20000 and a height of 100 to 20000"),
                   width, height);
      return FALSE;
    }

  pango = loom_timeline_text_context_new ();
  loom_timeline_view_init (&view, width, height);
  view.pango = pango;
  view.dark = dark;
  view.fg = dark ? (GdkRGBA) { 1, 1, 1, 1 } : (GdkRGBA) { 0.14, 0.14, 0.16, 1 };
  loom_timeline_view_fit (&view, model, TRUE);
  node = loom_timeline_render_node (model, &view, NULL);
  g_object_unref (pango);

  switch (format)
    {
    case LOOM_EXPORT_SVG:
      surface = cairo_svg_surface_create (path, width, height);
      break;
    case LOOM_EXPORT_PDF:
      surface = cairo_pdf_surface_create (path, width, height);
      break;
    case LOOM_EXPORT_PNG:
    default:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
      break;
    }

  cr = cairo_create (surface);
  if (dark)
    cairo_set_source_rgb (cr, 0.14, 0.14, 0.14);
  else
    cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (node)
    gsk_render_node_draw (node, cr);
  cairo_destroy (cr);

  if (format == LOOM_EXPORT_PNG)
    status = cairo_surface_write_to_png (surface, path);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write %s: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
