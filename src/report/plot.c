/* Line charts: axis ranges on "nice" ticks (1, 2 or 5 times a power of ten),
 * grid, translucent bands, mean lines, labels and a legend. */
#include "rdrop/plot.h"

#include <math.h>
#include <stdio.h>

#include "report/canvas.h"

static const rd_rgb PALETTE[] = {{31, 119, 180}, {214, 39, 40}, {44, 160, 44}, {255, 127, 14},
                                 {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {23, 190, 207}};
enum { N_PALETTE = sizeof PALETTE / sizeof PALETTE[0] };
static const rd_rgb BLACK = {0, 0, 0}, GRID = {225, 225, 225}, WHITE = {255, 255, 255},
                    GREY = {120, 120, 120};
enum { TEXT = 2 }; /* font scale: 14-pixel letters */

void rd_plot_colour(int i, unsigned char rgb[3]) {
    rd_rgb c = PALETTE[i % N_PALETTE];
    rgb[0] = c.r;
    rgb[1] = c.g;
    rgb[2] = c.b;
}

/* A step of 1, 2 or 5 times a power of ten giving about 5 intervals. */
static double nice_step(double range) {
    double raw = range / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    return p * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
}

static void axis(double lo, double hi, int integer, double *min, double *max, double *step) {
    if (!(lo <= hi)) lo = 0, hi = 1; /* no data */
    if (hi - lo < 1e-12 * fmax(1, fabs(hi))) {
        double pad = fabs(hi) > 0 ? 0.1 * fabs(hi) : 1;
        lo -= pad;
        hi += pad;
    }
    *step = nice_step(hi - lo);
    if (integer && *step < 1) *step = 1;
    *min = floor(lo / *step + 1e-9) * *step;
    *max = ceil(hi / *step - 1e-9) * *step;
}

rd_plot_frame rd_plot_frame_of(const rd_chart *ch) {
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int s = 0; s < ch->n_series; s++) {
        const rd_series *se = &ch->series[s];
        for (int i = 0; i < se->n; i++) {
            if (!isfinite(se->y[i]) || !isfinite(se->x[i])) continue;
            xlo = fmin(xlo, se->x[i]);
            xhi = fmax(xhi, se->x[i]);
            ylo = fmin(ylo, se->lo && isfinite(se->lo[i]) ? fmin(se->lo[i], se->y[i]) : se->y[i]);
            yhi = fmax(yhi, se->hi && isfinite(se->hi[i]) ? fmax(se->hi[i], se->y[i]) : se->y[i]);
        }
    }
    rd_plot_frame f = {.left = 90, .top = 66, .right = RD_PLOT_W - 24, .bottom = RD_PLOT_H - 64};
    axis(xlo, xhi, ch->x_integer, &f.xmin, &f.xmax, &f.xstep);
    axis(ylo, yhi, 0, &f.ymin, &f.ymax, &f.ystep);
    return f;
}

void rd_plot_to_pixel(const rd_plot_frame *f, double x, double y, double *px, double *py) {
    *px = f->left + (x - f->xmin) / (f->xmax - f->xmin) * (f->right - f->left);
    *py = f->bottom - (y - f->ymin) / (f->ymax - f->ymin) * (f->bottom - f->top);
}

/* Tick label text with as many decimals as the step needs. */
static void tick_text(char *buf, size_t n, double v, double step) {
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    snprintf(buf, n, "%.*f", decimals, fabs(v) < 1e-12 * step ? 0.0 : v);
}

static void draw_axes(rd_canvas *c, int ox, const rd_plot_frame *f, const rd_chart *ch) {
    char t[64];
    int L = ox + f->left, R = ox + f->right;
    int ny = (int)lround((f->ymax - f->ymin) / f->ystep), nx = (int)lround((f->xmax - f->xmin) / f->xstep);
    for (int i = 0; i <= ny; i++) {
        double px, py, v = f->ymin + i * f->ystep;
        rd_plot_to_pixel(f, f->xmin, v, &px, &py);
        rd_canvas_rect(c, L, (int)lround(py), R, (int)lround(py) + 1, GRID, 1);
        rd_canvas_rect(c, L - 6, (int)lround(py), L, (int)lround(py) + 1, BLACK, 1);
        tick_text(t, sizeof t, v, f->ystep);
        rd_canvas_text(c, L - 10 - rd_canvas_text_width(t, TEXT), (int)lround(py) - 7, t, TEXT, BLACK, 0);
    }
    for (int i = 0; i <= nx; i++) {
        double px, py, v = f->xmin + i * f->xstep;
        rd_plot_to_pixel(f, v, f->ymin, &px, &py);
        int x = ox + (int)lround(px);
        rd_canvas_rect(c, x, f->top, x + 1, f->bottom, GRID, 1);
        rd_canvas_rect(c, x, f->bottom, x + 1, f->bottom + 6, BLACK, 1);
        tick_text(t, sizeof t, v, f->xstep);
        rd_canvas_text(c, x - rd_canvas_text_width(t, TEXT) / 2, f->bottom + 10, t, TEXT, BLACK, 0);
    }
    int mid = ox + (f->left + f->right) / 2;
    rd_canvas_text(c, mid - rd_canvas_text_width(ch->title, 3) / 2, 10, ch->title, 3, BLACK, 0);
    if (ch->subtitle)
        rd_canvas_text(c, mid - rd_canvas_text_width(ch->subtitle, TEXT) / 2, 40, ch->subtitle, TEXT, GREY, 0);
    rd_canvas_text(c, mid - rd_canvas_text_width(ch->xlabel, TEXT) / 2, f->bottom + 36, ch->xlabel, TEXT, BLACK, 0);
    int ymid = (f->top + f->bottom) / 2;
    rd_canvas_text(c, ox + 10, ymid + rd_canvas_text_width(ch->ylabel, TEXT) / 2, ch->ylabel, TEXT, BLACK, 1);
}

static void draw_frame_box(rd_canvas *c, int ox, const rd_plot_frame *f) {
    rd_canvas_rect(c, ox + f->left, f->top, ox + f->right + 1, f->top + 1, BLACK, 1);
    rd_canvas_rect(c, ox + f->left, f->bottom, ox + f->right + 1, f->bottom + 1, BLACK, 1);
    rd_canvas_rect(c, ox + f->left, f->top, ox + f->left + 1, f->bottom + 1, BLACK, 1);
    rd_canvas_rect(c, ox + f->right, f->top, ox + f->right + 1, f->bottom + 1, BLACK, 1);
}

/* The band: every pixel column between two points, lo and hi interpolated. */
static void draw_band(rd_canvas *c, int ox, const rd_plot_frame *f, const rd_series *s, rd_rgb col) {
    int prev = -1;
    for (int i = 0; i < s->n; i++) {
        if (!isfinite(s->lo[i]) || !isfinite(s->hi[i]) || !isfinite(s->x[i])) continue;
        if (prev >= 0) {
            double ax, alo, ahi, bx, blo, bhi;
            rd_plot_to_pixel(f, s->x[prev], s->lo[prev], &ax, &alo);
            rd_plot_to_pixel(f, s->x[prev], s->hi[prev], &ax, &ahi);
            rd_plot_to_pixel(f, s->x[i], s->lo[i], &bx, &blo);
            rd_plot_to_pixel(f, s->x[i], s->hi[i], &bx, &bhi);
            int x0 = (int)lround(ax), x1 = (int)lround(bx);
            for (int x = x0; x < x1; x++) { /* half-open: shared columns are filled once */
                double u = (x - ax) / (bx - ax);
                rd_canvas_span(c, ox + x, ahi + u * (bhi - ahi), alo + u * (blo - alo), col, 0.22);
            }
        }
        prev = i;
    }
}

static void draw_line(rd_canvas *c, int ox, const rd_plot_frame *f, const rd_series *s, rd_rgb col) {
    double px = NAN, py = NAN;
    for (int i = 0; i < s->n; i++) {
        if (!isfinite(s->y[i]) || !isfinite(s->x[i])) continue;
        double qx, qy;
        rd_plot_to_pixel(f, s->x[i], s->y[i], &qx, &qy);
        if (isfinite(px)) rd_canvas_line(c, ox + px, py, ox + qx, qy, col, 3);
        else rd_canvas_rect(c, ox + (int)qx - 1, (int)qy - 1, ox + (int)qx + 2, (int)qy + 2, col, 1);
        px = qx;
        py = qy;
    }
}

/* How much of the data (lines and band edges, sampled along each segment)
 * falls inside the box: the legend goes in the emptiest corner. */
static int covered(const rd_plot_frame *f, const rd_chart *ch, int x0, int y0, int x1, int y1) {
    int hits = 0;
    for (int s = 0; s < ch->n_series; s++) {
        const rd_series *se = &ch->series[s];
        const double *ys[3] = {se->y, se->lo, se->hi};
        for (int k = 0; k < 3; k++)
            for (int i = 1; ys[k] && i < se->n; i++)
                for (int j = 0; j <= 16; j++) {
                    double u = j / 16.0, px, py;
                    rd_plot_to_pixel(f, se->x[i - 1] + u * (se->x[i] - se->x[i - 1]),
                                     ys[k][i - 1] + u * (ys[k][i] - ys[k][i - 1]), &px, &py);
                    hits += px >= x0 && px < x1 && py >= y0 && py < y1;
                }
    }
    return hits;
}

static void draw_legend(rd_canvas *c, int ox, const rd_plot_frame *f, const rd_chart *ch) {
    int w = 0, row = 22;
    for (int s = 0; s < ch->n_series; s++) {
        int tw = rd_canvas_text_width(ch->series[s].label, TEXT);
        w = tw > w ? tw : w;
    }
    int bw = w + 54, bh = 8 + row * ch->n_series, best = -1, x0 = 0, y0 = 0;
    /* right or left; top, bottom or middle: the first place with least data under it */
    for (int place = 0; place < 6; place++) {
        int cx = place % 2 == 0 ? f->right - 10 - bw : f->left + 10;
        int cy = place < 2 ? f->top + 10 : place < 4 ? f->bottom - 10 - bh : (f->top + f->bottom - bh) / 2;
        int hits = covered(f, ch, cx, cy, cx + bw, cy + bh);
        if (best < 0 || hits < best) {
            best = hits;
            x0 = cx;
            y0 = cy;
        }
    }
    x0 += ox;
    int x1 = x0 + bw, y1 = y0 + bh;
    rd_canvas_rect(c, x0, y0, x1, y1, WHITE, 0.9);
    rd_canvas_rect(c, x0, y0, x1, y0 + 1, GREY, 1);
    rd_canvas_rect(c, x0, y1 - 1, x1, y1, GREY, 1);
    rd_canvas_rect(c, x0, y0, x0 + 1, y1, GREY, 1);
    rd_canvas_rect(c, x1 - 1, y0, x1, y1, GREY, 1);
    for (int s = 0; s < ch->n_series; s++) {
        rd_rgb col = PALETTE[s % N_PALETTE];
        int y = y0 + 4 + row * s + row / 2;
        if (ch->series[s].lo) rd_canvas_rect(c, x0 + 8, y - 7, x0 + 40, y + 8, col, 0.22);
        rd_canvas_line(c, x0 + 8, y, x0 + 40, y, col, 3);
        rd_canvas_text(c, x0 + 48, y - 6, ch->series[s].label, TEXT, BLACK, 0);
    }
}

rd_status rd_plot_write(const char *path, const rd_chart *charts, int n, rd_error *err) {
    rd_canvas c;
    rd_canvas_init(&c, n * RD_PLOT_W, RD_PLOT_H, WHITE);
    for (int k = 0; k < n; k++) {
        const rd_chart *ch = &charts[k];
        rd_plot_frame f = rd_plot_frame_of(ch);
        int ox = k * RD_PLOT_W;
        draw_axes(&c, ox, &f, ch);
        for (int s = 0; s < ch->n_series; s++)
            if (ch->series[s].lo && ch->series[s].hi) draw_band(&c, ox, &f, &ch->series[s], PALETTE[s % N_PALETTE]);
        for (int s = 0; s < ch->n_series; s++) draw_line(&c, ox, &f, &ch->series[s], PALETTE[s % N_PALETTE]);
        draw_frame_box(&c, ox, &f);
        draw_legend(&c, ox, &f, ch);
    }
    rd_status st = rd_canvas_write_png(&c, path, err);
    rd_canvas_free(&c);
    return st;
}
