/* Charts: axis ranges on "nice" ticks (1, 2 or 5 times a power of ten, or
 * decades on a log axis), grid, translucent bands, lines, dots, intervals,
 * labels and legends; several charts in a grid. */
#include "rdrop/plot.h"

#include <math.h>
#include <stdio.h>

#include "report/canvas.h"

static const rd_rgb PALETTE[] = {{31, 119, 180}, {214, 39, 40}, {44, 160, 44}, {255, 127, 14},
                                 {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {23, 190, 207}};
enum { N_PALETTE = sizeof PALETTE / sizeof PALETTE[0] };
static const rd_rgb BLACK = {0, 0, 0}, GRID = {225, 225, 225}, WHITE = {255, 255, 255},
                    GREY = {120, 120, 120}, ZERO = {90, 90, 90};
enum { TEXT = 2, ROW = 22 }; /* font scale: 14-pixel letters; legend row height */

void rd_plot_colour(int i, unsigned char rgb[3]) {
    rd_rgb c = PALETTE[i % N_PALETTE];
    rgb[0] = c.r;
    rgb[1] = c.g;
    rgb[2] = c.b;
}

static rd_rgb series_colour(const rd_chart *ch, int s) {
    int i = ch->series[s].colour > 0 ? ch->series[s].colour - 1 : s;
    return PALETTE[i % N_PALETTE];
}

/* Tick label text with as many decimals as the step needs. */
static void tick_text(char *buf, size_t n, double v, double step) {
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    snprintf(buf, n, "%.*f", decimals, fabs(v) < 1e-12 * step ? 0.0 : v);
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

/* The first multiple of step at or above min: where the ticks start. */
static double first_tick(double min, double step) { return ceil(min / step - 1e-9) * step; }

/* A y tick's label: a power of ten on a log axis. */
static void y_tick_text(char *buf, size_t n, const rd_plot_frame *f, double v) {
    if (f->ylog) snprintf(buf, n, "%g", pow(10, v));
    else tick_text(buf, n, v, f->ystep);
}

/* A y value as the axis sees it: log10 on a log axis (NaN for y <= 0); x alike. */
static double axis_y(const rd_chart *ch, double y) { return ch->y_log ? (y > 0 ? log10(y) : NAN) : y; }
static double axis_x(const rd_chart *ch, double x) { return ch->x_log ? (x > 0 ? log10(x) : NAN) : x; }

rd_plot_frame rd_plot_frame_of(const rd_chart *ch) {
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int s = 0; s < ch->n_series; s++) {
        const rd_series *se = &ch->series[s];
        for (int i = 0; i < se->n; i++) {
            double y = axis_y(ch, se->y[i]), x = axis_x(ch, se->x[i]);
            if (!isfinite(y) || !isfinite(x)) continue;
            xlo = fmin(xlo, x);
            xhi = fmax(xhi, x);
            double lo = se->lo ? axis_y(ch, se->lo[i]) : NAN, hi = se->hi ? axis_y(ch, se->hi[i]) : NAN;
            if (se->style == RD_SERIES_BARS) { /* a bar stands on 0 and spans its width */
                double half = (se->bar_width > 0 ? se->bar_width : 0.8) / 2;
                xlo = fmin(xlo, se->x[i] - half);
                xhi = fmax(xhi, se->x[i] + half);
                lo = hi = 0;
            }
            ylo = fmin(ylo, isfinite(lo) ? fmin(lo, y) : y);
            yhi = fmax(yhi, isfinite(hi) ? fmax(hi, y) : y);
        }
    }
    int marks = 0; /* dots and whiskers are not cut in half by the frame: a margin */
    for (int s = 0; s < ch->n_series; s++)
        marks |= ch->series[s].style == RD_SERIES_POINTS || ch->series[s].style == RD_SERIES_INTERVAL;
    if (marks && !ch->y_log && ylo < yhi) {
        double pad = 0.04 * (yhi - ylo);
        ylo -= pad;
        yhi += pad;
    }
    if (ch->y_zero && !ch->y_log && ylo <= yhi) {
        ylo = fmin(ylo, 0);
        yhi = fmax(yhi, 0);
    }
    rd_plot_frame f = {.left = 90, .top = 82, .right = RD_PLOT_W - 24, .bottom = RD_PLOT_H - 64, .ylog = ch->y_log,
                       .xlog = ch->x_log};
    if (ch->x_log) { /* whole decades, a margin of a tenth of the span on each side of the data */
        if (!(xlo <= xhi)) xlo = 0, xhi = 1;
        double pad = 0.1 * (xhi - xlo > 0 ? xhi - xlo : 1);
        f.xmin = xlo - pad;
        f.xmax = xhi + pad;
        f.xstep = 1;
    } else if (ch->x_range) {
        f.xmin = ch->x_range[0];
        f.xmax = ch->x_range[1];
        f.xstep = ch->x_integer && nice_step(f.xmax - f.xmin) < 1 ? 1 : nice_step(f.xmax - f.xmin);
    } else if (ch->x_names) {
        f.xmin = 0.5;
        f.xmax = ch->n_x_names + 0.5;
        f.xstep = 1;
    } else {
        axis(xlo, xhi, ch->x_integer, &f.xmin, &f.xmax, &f.xstep);
    }
    if (ch->y_log) {
        if (!(ylo <= yhi)) ylo = 0, yhi = 1;
        f.ymin = floor(ylo + 1e-9);
        f.ymax = ceil(yhi - 1e-9);
        if (f.ymax <= f.ymin) f.ymax = f.ymin + 1;
        f.ystep = ceil((f.ymax - f.ymin) / 8); /* whole decades */
    } else if (ch->y_range) {
        f.ymin = ch->y_range[0];
        f.ymax = ch->y_range[1];
        f.ystep = nice_step(f.ymax - f.ymin);
    } else {
        axis(ylo, yhi, 0, &f.ymin, &f.ymax, &f.ystep);
    }
    /* room for the widest tick label between the y label and the axis */
    char t[64];
    for (double v = first_tick(f.ymin, f.ystep); v <= f.ymax + 1e-9 * f.ystep; v += f.ystep) {
        y_tick_text(t, sizeof t, &f, v);
        int need = 34 + rd_canvas_text_width(t, TEXT) + 12;
        if (need > f.left) f.left = need;
    }
    return f;
}

void rd_plot_to_pixel(const rd_plot_frame *f, double x, double y, double *px, double *py) {
    if (f->ylog) y = y > 0 ? log10(y) : NAN;
    if (f->xlog) x = x > 0 ? log10(x) : NAN;
    *px = f->left + (x - f->xmin) / (f->xmax - f->xmin) * (f->right - f->left);
    *py = f->bottom - (y - f->ymin) / (f->ymax - f->ymin) * (f->bottom - f->top);
}

static void hline(rd_canvas *c, int x0, int x1, int y, rd_rgb col) { rd_canvas_rect(c, x0, y, x1, y + 1, col, 1); }

static void draw_y_axis(rd_canvas *c, int ox, int oy, const rd_plot_frame *f, const rd_chart *ch) {
    char t[64];
    int L = ox + f->left, R = ox + f->right;
    double decade = (f->bottom - f->top) * f->ystep / (f->ymax - f->ymin); /* pixels a step */
    for (double v = first_tick(f->ymin, f->ystep); v <= f->ymax + 1e-9 * f->ystep; v += f->ystep) {
        double py = oy + f->bottom - (v - f->ymin) / (f->ymax - f->ymin) * (f->bottom - f->top);
        int y = (int)lround(py);
        hline(c, L, R, y, GRID);
        hline(c, L - 6, L, y, BLACK);
        y_tick_text(t, sizeof t, f, v);
        rd_canvas_text(c, L - 10 - rd_canvas_text_width(t, TEXT), y - 7, t, TEXT, BLACK, 0);
        if (f->ylog && f->ystep == 1 && v < f->ymax - 0.5) /* unlabelled ticks at 2..9 within the decade */
            for (int m = 2; m <= 9; m++) {
                double my = py - log10(m) * decade;
                hline(c, L - 3, L, (int)lround(my), BLACK);
            }
    }
    if (ch->y_zero && !f->ylog && f->ymin < 0 && f->ymax > 0) { /* the zero line of differences, or of bars */
        double px, py;
        rd_plot_to_pixel(f, f->xmin, 0, &px, &py);
        rd_canvas_rect(c, L, oy + (int)lround(py) - 1, R, oy + (int)lround(py) + 1, ZERO, 1);
    }
}

static void draw_x_axis(rd_canvas *c, int ox, int oy, const rd_plot_frame *f, const rd_chart *ch) {
    char t[64];
    double v0 = ch->x_names ? 1 : first_tick(f->xmin, f->xstep), v1 = ch->x_names ? ch->n_x_names : f->xmax;
    double ybase = f->ylog ? pow(10, f->ymin) : f->ymin;
    if (f->xlog && ch->x_ticks) { /* labelled ticks where the caller wants them (the sizes of a study) */
        for (int i = 0; i < ch->n_x_ticks; i++) {
            double px, py;
            rd_plot_to_pixel(f, ch->x_ticks[i], ybase, &px, &py);
            int x = ox + (int)lround(px);
            rd_canvas_rect(c, x, oy + f->top, x + 1, oy + f->bottom, GRID, 1);
            rd_canvas_rect(c, x, oy + f->bottom, x + 1, oy + f->bottom + 6, BLACK, 1);
            snprintf(t, sizeof t, "%g", ch->x_ticks[i]);
            rd_canvas_text(c, x - rd_canvas_text_width(t, TEXT) / 2, oy + f->bottom + 10, t, TEXT, BLACK, 0);
        }
        return;
    }
    if (f->xlog) /* unlabelled ticks at 2..9 times each power of ten */
        for (double d = floor(f->xmin); d <= f->xmax; d++)
            for (int m = 2; m <= 9; m++) {
                double lv = d + log10(m), px, py;
                if (lv < f->xmin || lv > f->xmax) continue;
                rd_plot_to_pixel(f, pow(10, lv), ybase, &px, &py);
                rd_canvas_rect(c, ox + (int)lround(px), oy + f->bottom, ox + (int)lround(px) + 1, oy + f->bottom + 3,
                               BLACK, 1);
            }
    for (double v = v0; v <= v1 + 1e-9 * f->xstep; v += f->xstep) {
        double px, py;
        rd_plot_to_pixel(f, f->xlog ? pow(10, v) : v, ybase, &px, &py);
        int x = ox + (int)lround(px);
        if (!ch->x_names) rd_canvas_rect(c, x, oy + f->top, x + 1, oy + f->bottom, GRID, 1);
        rd_canvas_rect(c, x, oy + f->bottom, x + 1, oy + f->bottom + 6, BLACK, 1);
        const char *s = t;
        if (ch->x_names) s = ch->x_names[(int)lround(v) - 1];
        else if (f->xlog) snprintf(t, sizeof t, "%g", pow(10, v));
        else tick_text(t, sizeof t, v, f->xstep);
        rd_canvas_text(c, x - rd_canvas_text_width(s, TEXT) / 2, oy + f->bottom + 10, s, TEXT, BLACK, 0);
    }
}

static void draw_labels(rd_canvas *c, int ox, int oy, const rd_plot_frame *f, const rd_chart *ch) {
    int mid = ox + (f->left + f->right) / 2;
    rd_canvas_text(c, mid - rd_canvas_text_width(ch->title, 3) / 2, oy + 10, ch->title, 3, BLACK, 0);
    if (ch->subtitle)
        rd_canvas_text(c, mid - rd_canvas_text_width(ch->subtitle, TEXT) / 2, oy + 40, ch->subtitle, TEXT, GREY, 0);
    rd_canvas_text(c, mid - rd_canvas_text_width(ch->xlabel, TEXT) / 2, oy + f->bottom + 36, ch->xlabel, TEXT, BLACK,
                   0);
    int ymid = oy + (f->top + f->bottom) / 2;
    rd_canvas_text(c, ox + 10, ymid + rd_canvas_text_width(ch->ylabel, TEXT) / 2, ch->ylabel, TEXT, BLACK, 1);
    /* an axis that does not reach zero says so: differences look larger than they are */
    char note[96] = "", v[48];
    if (f->ylog) {
        snprintf(note, sizeof note, "log scale");
    } else if (f->ymin > 0) {
        tick_text(v, sizeof v, f->ymin, f->ystep);
        snprintf(note, sizeof note, "y axis starts at %s, not 0", v);
    } else if (f->ymax < 0) {
        tick_text(v, sizeof v, f->ymax, f->ystep);
        snprintf(note, sizeof note, "y axis ends at %s, not 0", v);
    }
    if (*note) rd_canvas_text(c, ox + f->left, oy + f->top - 20, note, TEXT, GREY, 0);
}

static void draw_frame_box(rd_canvas *c, int ox, int oy, const rd_plot_frame *f) {
    int L = ox + f->left, R = ox + f->right, T = oy + f->top, B = oy + f->bottom;
    rd_canvas_rect(c, L, T, R + 1, T + 1, BLACK, 1);
    rd_canvas_rect(c, L, B, R + 1, B + 1, BLACK, 1);
    rd_canvas_rect(c, L, T, L + 1, B + 1, BLACK, 1);
    rd_canvas_rect(c, R, T, R + 1, B + 1, BLACK, 1);
}

/* The band: every pixel column between two points, lo and hi interpolated. */
static void draw_band(rd_canvas *c, int ox, int oy, const rd_plot_frame *f, const rd_series *s, rd_rgb col) {
    int prev = -1;
    for (int i = 0; i < s->n; i++) {
        double lo, hi, x;
        rd_plot_to_pixel(f, s->x[i], s->lo[i], &x, &lo);
        rd_plot_to_pixel(f, s->x[i], s->hi[i], &x, &hi);
        if (!isfinite(lo) || !isfinite(hi) || !isfinite(x)) continue;
        if (prev >= 0) {
            double ax, alo, ahi, bx = x;
            rd_plot_to_pixel(f, s->x[prev], s->lo[prev], &ax, &alo);
            rd_plot_to_pixel(f, s->x[prev], s->hi[prev], &ax, &ahi);
            int x0 = (int)lround(ax), x1 = (int)lround(bx);
            for (int px = x0; px < x1; px++) { /* half-open: shared columns are filled once */
                double u = (px - ax) / (bx - ax);
                rd_canvas_span(c, ox + px, oy + ahi + u * (hi - ahi), oy + alo + u * (lo - alo), col, 0.22);
            }
        }
        prev = i;
    }
}

/* Cuts the segment (x0, y0)-(x1, y1) to the plot area (Liang-Barsky); 0 when
 * none of it is inside. */
static int clip(const rd_plot_frame *f, double *x0, double *y0, double *x1, double *y1) {
    double t0 = 0, t1 = 1, dx = *x1 - *x0, dy = *y1 - *y0;
    const double p[4] = {-dx, dx, -dy, dy}, q[4] = {*x0 - f->left, f->right - *x0, *y0 - f->top, f->bottom - *y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return 0;
            continue;
        }
        double r = q[i] / p[i];
        if (p[i] < 0) t0 = fmax(t0, r);
        else t1 = fmin(t1, r);
    }
    if (t0 > t1) return 0;
    double ax = *x0 + t0 * dx, ay = *y0 + t0 * dy;
    *x1 = *x0 + t1 * dx;
    *y1 = *y0 + t1 * dy;
    *x0 = ax;
    *y0 = ay;
    return 1;
}

static int inside(const rd_plot_frame *f, double x, double y) {
    return x >= f->left && x <= f->right && y >= f->top && y <= f->bottom;
}

static void draw_line(rd_canvas *c, int ox, int oy, const rd_plot_frame *f, const rd_series *s, rd_rgb col) {
    double px = NAN, py = NAN;
    for (int i = 0; i < s->n; i++) {
        double qx, qy;
        rd_plot_to_pixel(f, s->x[i], s->y[i], &qx, &qy);
        if (!isfinite(qy) || !isfinite(qx)) continue;
        double ax = px, ay = py, bx = qx, by = qy;
        if (isfinite(px) && clip(f, &ax, &ay, &bx, &by)) rd_canvas_line(c, ox + ax, oy + ay, ox + bx, oy + by, col, 3);
        else if (!isfinite(px) && inside(f, qx, qy))
            rd_canvas_rect(c, ox + (int)qx - 1, oy + (int)qy - 1, ox + (int)qx + 2, oy + (int)qy + 2, col, 1);
        px = qx;
        py = qy;
    }
}

/* A dot of radius 4.5 with a darker rim, so overlapping dots stay countable. */
static void dot(rd_canvas *c, double cx, double cy, rd_rgb col) {
    rd_rgb rim = {(unsigned char)(col.r * 0.6), (unsigned char)(col.g * 0.6), (unsigned char)(col.b * 0.6)};
    for (int y = (int)cy - 6; y <= (int)cy + 6; y++)
        for (int x = (int)cx - 6; x <= (int)cx + 6; x++) {
            double d = hypot(x - cx, y - cy);
            if (d <= 3.5) rd_canvas_blend(c, x, y, col, 0.85);
            else if (d <= 4.8) rd_canvas_blend(c, x, y, rim, 1);
        }
}

static void draw_points(rd_canvas *c, int ox, int oy, const rd_plot_frame *f, const rd_series *s, rd_rgb col) {
    for (int i = 0; i < s->n; i++) {
        double px, py;
        rd_plot_to_pixel(f, s->x[i], s->y[i], &px, &py);
        if (isfinite(px) && isfinite(py) && inside(f, px, py)) dot(c, ox + px, oy + py, col);
    }
}

static void draw_interval(rd_canvas *c, int ox, int oy, const rd_plot_frame *f, const rd_series *s, rd_rgb col) {
    for (int i = 0; i < s->n; i++) {
        double px, py, lo = NAN, hi = NAN;
        rd_plot_to_pixel(f, s->x[i], s->y[i], &px, &py);
        if (!isfinite(px) || !isfinite(py)) continue;
        if (s->lo) rd_plot_to_pixel(f, s->x[i], s->lo[i], &px, &lo);
        if (s->hi) rd_plot_to_pixel(f, s->x[i], s->hi[i], &px, &hi);
        px += ox;
        if (isfinite(lo) && isfinite(hi)) {
            rd_canvas_line(c, px, oy + lo, px, oy + hi, col, 3);
            rd_canvas_line(c, px - 8, oy + lo, px + 8, oy + lo, col, 3);
            rd_canvas_line(c, px - 8, oy + hi, px + 8, oy + hi, col, 3);
        }
        rd_canvas_line(c, px - 16, oy + py, px + 16, oy + py, BLACK, 5);
        rd_canvas_line(c, px - 15, oy + py, px + 15, oy + py, col, 3);
    }
}

static void draw_bars(rd_canvas *c, int ox, int oy, const rd_plot_frame *f, const rd_series *s, rd_rgb col) {
    double half = (s->bar_width > 0 ? s->bar_width : 0.8) / 2;
    for (int i = 0; i < s->n; i++) {
        double x0, x1, y0, y1;
        rd_plot_to_pixel(f, s->x[i] - half, 0, &x0, &y0);
        rd_plot_to_pixel(f, s->x[i] + half, s->y[i], &x1, &y1);
        if (!isfinite(x0) || !isfinite(x1) || !isfinite(y1)) continue;
        if (y1 > y0) {
            double t = y0;
            y0 = y1;
            y1 = t;
        }
        rd_canvas_rect(c, ox + (int)lround(x0), oy + (int)lround(y1), ox + (int)lround(x1), oy + (int)lround(y0) + 1, col,
                       0.85);
    }
}

/* How much of the data (lines, band edges, dots and intervals, sampled along
 * each segment) falls inside the box: the legend goes in the emptiest corner. */
static int covered(const rd_plot_frame *f, const rd_chart *ch, int x0, int y0, int x1, int y1) {
    int hits = 0;
    for (int s = 0; s < ch->n_series; s++) {
        const rd_series *se = &ch->series[s];
        const double *ys[3] = {se->y, se->lo, se->hi};
        for (int k = 0; k < 3; k++)
            for (int i = 0; ys[k] && i < se->n; i++)
                for (int j = 0; j <= (se->style == RD_SERIES_LINE && i > 0 ? 16 : 0); j++) {
                    double u = j / 16.0, px, py;
                    int p = se->style == RD_SERIES_LINE && i > 0 ? i - 1 : i;
                    rd_plot_to_pixel(f, se->x[p] + u * (se->x[i] - se->x[p]), ys[k][p] + u * (ys[k][i] - ys[k][p]),
                                     &px, &py);
                    hits += px >= x0 - 6 && px < x1 + 6 && py >= y0 - 6 && py < y1 + 6;
                }
    }
    return hits;
}

/* One legend entry: a swatch (a band behind a line, a line, or a dot) and the label. */
static void legend_entry(rd_canvas *c, int x, int y, const char *label, rd_rgb col, rd_series_style style, int band) {
    if (style == RD_SERIES_POINTS) {
        dot(c, x + 24, y, col);
    } else if (style == RD_SERIES_BARS) {
        rd_canvas_rect(c, x + 14, y - 7, x + 34, y + 8, col, 0.85);
    } else {
        if (band) rd_canvas_rect(c, x + 8, y - 7, x + 40, y + 8, col, 0.22);
        rd_canvas_line(c, x + 8, y, x + 40, y, col, 3);
    }
    rd_canvas_text(c, x + 48, y - 6, label, TEXT, BLACK, 0);
}

static void box(rd_canvas *c, int x0, int y0, int x1, int y1) {
    rd_canvas_rect(c, x0, y0, x1, y1, WHITE, 0.9);
    rd_canvas_rect(c, x0, y0, x1, y0 + 1, GREY, 1);
    rd_canvas_rect(c, x0, y1 - 1, x1, y1, GREY, 1);
    rd_canvas_rect(c, x0, y0, x0 + 1, y1, GREY, 1);
    rd_canvas_rect(c, x1 - 1, y0, x1, y1, GREY, 1);
}

static void draw_legend(rd_canvas *c, int ox, int oy, const rd_plot_frame *f, const rd_chart *ch) {
    int w = 0, n = 0;
    for (int s = 0; s < ch->n_series; s++) {
        if (!ch->series[s].label) continue;
        int tw = rd_canvas_text_width(ch->series[s].label, TEXT);
        w = tw > w ? tw : w;
        n++;
    }
    if (!n) return;
    int bw = w + 54, bh = 8 + ROW * n, best = -1, x0 = 0, y0 = 0;
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
    y0 += oy;
    box(c, x0, y0, x0 + bw, y0 + bh);
    for (int s = 0, k = 0; s < ch->n_series; s++) {
        if (!ch->series[s].label) continue;
        legend_entry(c, x0, y0 + 4 + ROW * k++ + ROW / 2, ch->series[s].label, series_colour(ch, s),
                     ch->series[s].style, ch->series[s].lo != NULL);
    }
}

/* Draws one chart with its top-left corner at (ox, oy). */
static void draw_chart(rd_canvas *c, int ox, int oy, const rd_chart *ch) {
    rd_plot_frame f = rd_plot_frame_of(ch);
    draw_y_axis(c, ox, oy, &f, ch);
    draw_x_axis(c, ox, oy, &f, ch);
    draw_labels(c, ox, oy, &f, ch);
    for (int s = 0; s < ch->n_series; s++) {
        const rd_series *se = &ch->series[s];
        if (se->style == RD_SERIES_LINE && se->lo && se->hi) draw_band(c, ox, oy, &f, se, series_colour(ch, s));
    }
    for (int s = 0; s < ch->n_series; s++) {
        const rd_series *se = &ch->series[s];
        rd_rgb col = series_colour(ch, s);
        if (se->style == RD_SERIES_POINTS) draw_points(c, ox, oy, &f, se, col);
        else if (se->style == RD_SERIES_BARS) draw_bars(c, ox, oy, &f, se, col);
        else if (se->style == RD_SERIES_INTERVAL) draw_interval(c, ox, oy, &f, se, col);
        else draw_line(c, ox, oy, &f, se, col);
    }
    draw_frame_box(c, ox, oy, &f);
    if (ch->legend == RD_LEGEND_INSIDE) draw_legend(c, ox, oy, &f, ch);
}

/* The figure legend: its entries in columns of equal width inside `width`
 * pixels; returns its height (and draws it when c is not NULL). */
static int figure_legend(rd_canvas *c, int x, int y, int width, const rd_legend *lg) {
    int w = 0;
    for (int i = 0; i < lg->n; i++) {
        int tw = rd_canvas_text_width(lg->labels[i], TEXT);
        w = tw > w ? tw : w;
    }
    int col_w = w + 48 + 30, cols = (width - 20) / col_w;
    if (cols < 1) cols = 1;
    if (cols > lg->n) cols = lg->n;
    int rows = (lg->n + cols - 1) / cols, h = 16 + ROW * rows + (lg->note ? ROW : 0);
    if (!c) return h;
    for (int i = 0; i < lg->n; i++) {
        int k = lg->colour && lg->colour[i] > 0 ? lg->colour[i] - 1 : i;
        legend_entry(c, x + 10 + (i / rows) * col_w, y + 8 + ROW * (i % rows) + ROW / 2, lg->labels[i],
                     PALETTE[k % N_PALETTE], lg->style, lg->band && lg->band[i]);
    }
    if (lg->note) rd_canvas_text(c, x + 18, y + 8 + ROW * rows + 4, lg->note, TEXT, GREY, 0);
    return h;
}

static int legend_width(const rd_legend *lg) {
    int w = lg->note ? rd_canvas_text_width(lg->note, TEXT) + 36 : 0;
    for (int i = 0; i < lg->n; i++) {
        int tw = rd_canvas_text_width(lg->labels[i], TEXT) + 48 + 30;
        w = tw > w ? tw : w;
    }
    return w;
}

rd_status rd_plot_figure(const char *path, const rd_chart *charts, int n, int cols, const rd_legend *legend,
                         rd_error *err) {
    if (cols < 1) cols = 1;
    if (cols > n && n > 0) cols = n;
    int rows = (n + cols - 1) / cols, W = cols * RD_PLOT_W, H = rows * RD_PLOT_H, below = 0, in_cell = 0;
    if (legend && legend->n > 0) {
        in_cell = n < rows * cols && legend_width(legend) <= RD_PLOT_W - 40 &&
                  figure_legend(NULL, 0, 0, legend_width(legend) + 20, legend) <= RD_PLOT_H - 80;
        if (!in_cell) below = figure_legend(NULL, 0, 0, W, legend) + 10;
    }
    rd_canvas c;
    rd_canvas_init(&c, W, H + below, WHITE);
    for (int k = 0; k < n; k++) draw_chart(&c, (k % cols) * RD_PLOT_W, (k / cols) * RD_PLOT_H, &charts[k]);
    if (in_cell) {
        int w = legend_width(legend), h = figure_legend(NULL, 0, 0, w + 20, legend); /* one column */
        int x = (n % cols) * RD_PLOT_W + 20, y = (n / cols) * RD_PLOT_H + 82;
        box(&c, x, y, x + w, y + h);
        figure_legend(&c, x, y, w + 20, legend);
    } else if (below) {
        figure_legend(&c, 0, H, W, legend);
    }
    rd_status st = rd_canvas_write_png(&c, path, err);
    rd_canvas_free(&c);
    return st;
}

rd_status rd_plot_write(const char *path, const rd_chart *charts, int n, rd_error *err) {
    return rd_plot_figure(path, charts, n, n, NULL, err);
}
