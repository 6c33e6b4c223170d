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

/* The characters stb_easy_font lacks or draws ambiguously, as rectangles on
 * its grid (capitals span rows 0..7, descenders reach 9): '|' reaches below
 * the baseline so that "||" does not read as "ll", and a few UTF-8 symbols
 * the figures need. */
typedef struct {
    unsigned code;      /* Unicode code point */
    int advance;        /* grid units to the next character */
    int n;              /* rectangles used */
    signed char r[9][4]; /* x0, y0, x1, y1 */
} glyph;

static const glyph EXTRA[] = {
    {'|', 4, 1, {{1, -1, 2, 9}}},
    {0x2016, 6, 2, {{1, -1, 2, 9}, {3, -1, 4, 9}}},                                            /* ‖ */
    {0x03B1, 7, 6, {{1, 2, 3, 3}, {1, 6, 3, 7}, {0, 3, 1, 6}, {3, 3, 4, 6}, {4, 2, 5, 3}, {4, 6, 5, 7}}}, /* α */
    {0x03B4, 6, 7, {{1, 0, 4, 1}, {1, 1, 2, 2}, {2, 2, 3, 3}, {1, 3, 3, 4}, {0, 4, 1, 6}, {3, 4, 4, 6}, {1, 6, 3, 7}}}, /* δ */
    {0x00B2, 4, 4, {{0, -1, 2, 0}, {2, 0, 3, 1}, {1, 1, 2, 2}, {0, 2, 3, 3}}},                  /* ² */
    {0x1D40, 4, 2, {{0, -1, 3, 0}, {1, 0, 2, 3}}},                                              /* ᵀ */
    {0x00B7, 3, 1, {{0, 3, 1, 4}}},                                                            /* · */
    {0x2212, 6, 1, {{0, 3, 4, 4}}},                                                            /* − */
    {0x00D7, 6, 5, {{0, 2, 1, 3}, {3, 2, 4, 3}, {1, 3, 3, 5}, {0, 5, 1, 6}, {3, 5, 4, 6}}},      /* × */
    {0x2248, 6, 4, {{0, 2, 2, 3}, {2, 3, 4, 4}, {0, 4, 2, 5}, {2, 5, 4, 6}}},                  /* ≈ */
    {0x00B1, 6, 3, {{2, 1, 3, 5}, {0, 2, 5, 3}, {0, 6, 5, 7}}},                                /* ± */
};

/* The next character of UTF-8 text, advancing *s; a malformed byte is '?'. */
static unsigned next_code(const char **s) {
    const unsigned char *p = (const unsigned char *)*s;
    unsigned c = p[0];
    int more = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (more < 0) {
        (*s)++;
        return '?';
    }
    if (more) c &= 0x3F >> more;
    for (int i = 1; i <= more; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *s += i;
            return '?';
        }
        c = c << 6 | (p[i] & 0x3F);
    }
    *s += more + 1;
    return c;
}

static const glyph *extra(unsigned code) {
    for (size_t i = 0; i < sizeof EXTRA / sizeof EXTRA[0]; i++)
        if (EXTRA[i].code == code) return &EXTRA[i];
    return NULL;
}

/* Width in grid units of one character (stb_easy_font's for ASCII; '?' for
 * anything else not in EXTRA). */
static int code_width(unsigned code) {
    const glyph *g = extra(code);
    if (g) return g->advance;
    char one[2] = {code >= 32 && code <= 126 ? (char)code : '?', 0};
    return stb_easy_font_width(one);
}

int rd_canvas_text_width(const char *text, int scale) {
    int w = 0;
    while (*text) w += code_width(next_code(&text));
    return w * scale;
}

/* A rectangle in grid units (u along the text, w down), at the text origin. */
static void unit_rect(rd_canvas *c, int x, int y, int scale, int vertical, int u0, int w0, int u1, int w1,
                      rd_rgb col) {
    if (vertical) rd_canvas_rect(c, x + w0 * scale, y - u1 * scale, x + w1 * scale, y - u0 * scale, col, 1.0);
    else rd_canvas_rect(c, x + u0 * scale, y + w0 * scale, x + u1 * scale, y + w1 * scale, col, 1.0);
}

void rd_canvas_text(rd_canvas *c, int x, int y, const char *text, int scale, rd_rgb col, int vertical) {
    static float quads[64 * 16]; /* 16 floats a quad; a character has fewer than 64 */
    int u = 0;                   /* grid units along the text so far */
    while (*text) {
        unsigned code = next_code(&text);
        const glyph *g = extra(code);
        if (g) {
            for (int i = 0; i < g->n; i++)
                unit_rect(c, x, y, scale, vertical, u + g->r[i][0], g->r[i][1], u + g->r[i][2], g->r[i][3], col);
        } else {
            char one[2] = {code >= 32 && code <= 126 ? (char)code : '?', 0};
            int n = stb_easy_font_print(0, 0, one, NULL, quads, (int)sizeof quads);
            for (int q = 0; q < n; q++) {
                /* a quad's vertices 0 and 2 are opposite corners; each vertex is 4 floats */
                const float *v = quads + 16 * q;
                unit_rect(c, x, y, scale, vertical, u + (int)v[0], (int)v[1], u + (int)v[8], (int)v[9], col);
            }
        }
        u += code_width(code);
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
