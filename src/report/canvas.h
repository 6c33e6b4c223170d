/* A tiny RGB canvas for the plots: pixels, rectangles, thick lines,
 * translucent fills and text (stb_easy_font's quads). Internal to src/report. */
#ifndef RDROP_REPORT_CANVAS_H
#define RDROP_REPORT_CANVAS_H
#include "rdrop/error.h"

typedef struct {
    unsigned char r, g, b;
} rd_rgb;

typedef struct {
    int w, h;
    unsigned char *px; /* w * h * 3 bytes, row by row from the top */
} rd_canvas;

void rd_canvas_init(rd_canvas *c, int w, int h, rd_rgb background);
void rd_canvas_free(rd_canvas *c);
/* Mixes colour into pixel (x, y) with weight alpha (1 = opaque); outside is ignored. */
void rd_canvas_blend(rd_canvas *c, int x, int y, rd_rgb colour, double alpha);
/* The pixels x0 <= x < x1, y0 <= y < y1. */
void rd_canvas_rect(rd_canvas *c, int x0, int y0, int x1, int y1, rd_rgb colour, double alpha);
/* A line `width` pixels thick between two points (pixel coordinates). */
void rd_canvas_line(rd_canvas *c, double x0, double y0, double x1, double y1, rd_rgb colour, int width);
/* Fills the vertical span between y_top and y_bottom in pixel column x. */
void rd_canvas_span(rd_canvas *c, int x, double y_top, double y_bottom, rd_rgb colour, double alpha);

/* UTF-8 text with its top-left corner at (x, y), `scale` pixels per font unit
 * (capitals are 7 units high, descenders reach 9). vertical: rotated to read
 * bottom to top, with (x, y) its bottom-left corner. ASCII 32..126 and
 * ‖ α δ ² ᵀ · − × ≈ ± are drawn ('|' reaches below the line, unlike 'l');
 * anything else shows as '?'. */
void rd_canvas_text(rd_canvas *c, int x, int y, const char *text, int scale, rd_rgb colour, int vertical);
/* Width of UTF-8 text in pixels at this scale. */
int rd_canvas_text_width(const char *text, int scale);

rd_status rd_canvas_write_png(const rd_canvas *c, const char *path, rd_error *err);

#endif
