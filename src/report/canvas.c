#include "report/canvas.h"
#include "rdrop/files.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>
/* a header of static functions: the ones we do not call, and its
 * initializer style, would warn */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-braces"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

void rd_canvas_init(rd_canvas *c, int w, int h, rd_rgb bg) {
    c->w = w;
    c->h = h;
    c->px = rd_malloc((size_t)w * h, 3);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        c->px[3 * i] = bg.r;
        c->px[3 * i + 1] = bg.g;
        c->px[3 * i + 2] = bg.b;
    }
}

void rd_canvas_free(rd_canvas *c) {
    free(c->px);
    c->px = NULL;
}

void rd_canvas_blend(rd_canvas *c, int x, int y, rd_rgb col, double a) {
    if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
    unsigned char *p = c->px + 3 * ((size_t)y * c->w + x);
    p[0] = (unsigned char)lround(p[0] + a * (col.r - p[0]));
    p[1] = (unsigned char)lround(p[1] + a * (col.g - p[1]));
    p[2] = (unsigned char)lround(p[2] + a * (col.b - p[2]));
}

void rd_canvas_rect(rd_canvas *c, int x0, int y0, int x1, int y1, rd_rgb col, double a) {
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) rd_canvas_blend(c, x, y, col, a);
}

void rd_canvas_line(rd_canvas *c, double x0, double y0, double x1, double y1, rd_rgb col, int width) {
    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1)) return;
    /* stamp a width x width square every half pixel along the segment */
    double len = hypot(x1 - x0, y1 - y0);
    int steps = (int)ceil(2 * len) + 1, lo = -(width - 1) / 2, hi = width / 2;
    if (steps > 100000) steps = 100000; /* an off-canvas point cannot make it spin */
    for (int s = 0; s <= steps; s++) {
        double f = (double)s / steps;
        int x = (int)lround(x0 + f * (x1 - x0)), y = (int)lround(y0 + f * (y1 - y0));
        for (int dy = lo; dy <= hi; dy++)
            for (int dx = lo; dx <= hi; dx++) rd_canvas_blend(c, x + dx, y + dy, col, 1.0);
    }
}

void rd_canvas_span(rd_canvas *c, int x, double y_top, double y_bottom, rd_rgb col, double a) {
    if (!isfinite(y_top) || !isfinite(y_bottom)) return;
    if (y_top > y_bottom) {
        double t = y_top;
        y_top = y_bottom;
        y_bottom = t;
    }
    int y0 = (int)lround(fmax(y_top, -1)), y1 = (int)lround(fmin(y_bottom, c->h));
    for (int y = y0; y <= y1; y++) rd_canvas_blend(c, x, y, col, a);
}

/* stb_easy_font indexes a table by character - 32, so keep to 32..126. */
static void printable(const char *in, char *out, size_t n) {
    size_t i = 0;
    for (; in[i] && i + 1 < n; i++) out[i] = in[i] >= 32 && in[i] <= 126 ? in[i] : '?';
    out[i] = 0;
}

int rd_canvas_text_width(const char *text, int scale) {
    char buf[512];
    printable(text, buf, sizeof buf);
    return stb_easy_font_width(buf) * scale;
}

void rd_canvas_text(rd_canvas *c, int x, int y, const char *text, int scale, rd_rgb col, int vertical) {
    char buf[256];
    static float quads[256 * 32 * 16]; /* 16 floats a quad, at most ~30 quads a character */
    printable(text, buf, sizeof buf);
    int n = stb_easy_font_print(0, 0, buf, NULL, quads, (int)sizeof quads);
    for (int q = 0; q < n; q++) {
        /* a quad's vertices 0 and 2 are opposite corners; each vertex is 4 floats */
        const float *v = quads + 16 * q;
        int u0 = (int)v[0] * scale, w0 = (int)v[1] * scale;
        int u1 = (int)v[8] * scale, w1 = (int)v[9] * scale;
        if (vertical) rd_canvas_rect(c, x + w0, y - u1, x + w1, y - u0, col, 1.0);
        else rd_canvas_rect(c, x + u0, y + w0, x + u1, y + w1, col, 1.0);
    }
}

static void to_text(void *context, void *data, int size) { fwrite(data, 1, (size_t)size, context); }

/* Encoded in memory, then written whole like every rdrop output. */
rd_status rd_canvas_write_png(const rd_canvas *c, const char *path, rd_error *err) {
    rd_text png;
    rd_text_open(&png);
    if (!stbi_write_png_to_func(to_text, png.f, c->w, c->h, 3, c->px, c->w * 3)) {
        rd_text_free(&png);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot encode the PNG", path);
    }
    return rd_text_replace(&png, path, err);
}
