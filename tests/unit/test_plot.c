/* The PNG charts: the file has the right size, and reading it back with
 * stb_image shows each series' colour where its line, band, dots or
 * interval must be; log and zero-based axes; the note of an axis that does
 * not start at zero; grids with one legend; the canvas font's extra glyphs. */
#include <criterion/criterion.h>
#include <math.h>
#include <stb_image.h>
#include <stdio.h>
#include <stdlib.h>

#include "rdrop/plot.h"
#include "report/canvas.h"
#include "tmpdir.h"

static const double X[] = {0, 2, 4, 6, 8, 10};
static const double RISE[] = {0, 2, 4, 6, 8, 10}; /* y = x */
static const double FLAT[] = {2, 2, 2, 2, 2, 2}, LO[] = {1, 1, 1, 1, 1, 1}, HI[] = {3, 3, 3, 3, 3, 3};

static rd_chart chart(rd_series *s) {
    s[0] = (rd_series){.label = "rising", .n = 6, .x = X, .y = RISE};
    s[1] = (rd_series){.label = "flat with band", .n = 6, .x = X, .y = FLAT, .lo = LO, .hi = HI};
    return (rd_chart){.title = "A title", .subtitle = "a subtitle", .xlabel = "x label", .ylabel = "y label",
                      .series = s, .n_series = 2};
}

/* The pixel of image img (w wide) at data point (x, y) of frame f in panel k. */
static const unsigned char *pixel(const unsigned char *img, int w, const rd_plot_frame *f, int k, double x, double y) {
    double px, py;
    rd_plot_to_pixel(f, x, y, &px, &py);
    return img + 3 * ((size_t)lround(py) * w + k * RD_PLOT_W + lround(px));
}

static int is_colour(const unsigned char *p, const unsigned char *c, int tol) {
    return abs(p[0] - c[0]) <= tol && abs(p[1] - c[1]) <= tol && abs(p[2] - c[2]) <= tol;
}

Test(plot, png_shows_lines_bands_and_text) {
    rd_series s[2];
    rd_chart ch[2];
    ch[0] = chart(s);
    ch[1] = ch[0];
    char dir[64], path[128];
    cr_assert(tmpdir_make(dir));
    snprintf(path, sizeof path, "%s/c.png", dir);
    rd_error err = {0};
    cr_assert_eq(rd_plot_write(path, ch, 2, &err), RD_OK, "%s", err.msg);
    int w, h, n;
    unsigned char *img = stbi_load(path, &w, &h, &n, 3);
    cr_assert(img, "stb_image cannot read %s", path);
    cr_assert_eq(w, 2 * RD_PLOT_W);
    cr_assert_eq(h, RD_PLOT_H);

    rd_plot_frame f = rd_plot_frame_of(&ch[0]);
    cr_assert_float_eq(f.xmin, 0, 1e-12);
    cr_assert_float_eq(f.xmax, 10, 1e-12);
    cr_assert_float_eq(f.ymin, 0, 1e-12);
    cr_assert_float_eq(f.ymax, 10, 1e-12);
    unsigned char c0[3], c1[3], white[3] = {255, 255, 255}, band[3];
    rd_plot_colour(0, c0);
    rd_plot_colour(1, c1);
    for (int i = 0; i < 3; i++) band[i] = (unsigned char)lround(255 + 0.22 * (c1[i] - 255));
    for (int k = 0; k < 2; k++) { /* both panels */
        /* on the lines, between the data points and off the grid lines */
        for (double x = 0.5; x < 10; x += 1.3) {
            cr_assert(is_colour(pixel(img, w, &f, k, x, x), c0, 0), "rising line missing at x=%g", x);
            cr_assert(is_colour(pixel(img, w, &f, k, x, 2), c1, 0), "flat line missing at x=%g", x);
        }
        /* inside the band, away from the line: the colour at 22% over white */
        cr_assert(is_colour(pixel(img, w, &f, k, 7.1, 2.7), band, 2), "band missing");
        cr_assert(is_colour(pixel(img, w, &f, k, 7.1, 1.3), band, 2), "band missing");
        /* empty plot area stays white; outside the band too */
        cr_assert(is_colour(pixel(img, w, &f, k, 3.1, 7.3), white, 0), "stray paint");
        cr_assert(is_colour(pixel(img, w, &f, k, 7.1, 3.5), white, 0), "band too wide");
    }
    /* text: dark pixels in the title strip, under the x axis and left of the y axis */
    int title = 0, below = 0, left = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < RD_PLOT_W; x++) {
            const unsigned char *p = img + 3 * ((size_t)y * w + x);
            int dark = p[0] < 60 && p[1] < 60 && p[2] < 60;
            title += dark && y < f.top - 30;
            below += dark && y > f.bottom + 8;
            left += dark && x < f.left - 8 && y > f.top && y < f.bottom;
        }
    cr_assert(title > 50 && below > 100 && left > 100, "text missing: %d %d %d dark pixels", title, below, left);
    stbi_image_free(img);
    tmpdir_remove(dir);
}

Test(plot, unwritable_path_is_an_error_naming_it) {
    rd_series s[2];
    rd_chart ch = chart(s);
    rd_error err = {0};
    cr_assert_eq(rd_plot_write("/nonexistent-dir/c.png", &ch, 1, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "/nonexistent-dir/c.png"), "%s", err.msg);
}

Test(plot, nice_axis_ranges) {
    double x[] = {1, 2, 3}, y[] = {1.52, 1.61, 1.93};
    rd_series s = {.label = "s", .n = 3, .x = x, .y = y};
    rd_chart ch = {.title = "t", .xlabel = "x", .ylabel = "y", .series = &s, .n_series = 1, .x_integer = 1};
    rd_plot_frame f = rd_plot_frame_of(&ch);
    cr_assert_float_eq(f.xstep, 1, 1e-12); /* whole epochs, never 0.5 */
    cr_assert_float_eq(f.ystep, 0.1, 1e-12);
    cr_assert_float_eq(f.ymin, 1.5, 1e-9);
    cr_assert_float_eq(f.ymax, 2.0, 1e-9);
}

/* Writes the charts (cols a row, legend or not) and reads the PNG back. */
static unsigned char *draw(const rd_chart *ch, int n, int cols, const rd_legend *lg, int *w, int *h) {
    char dir[64], path[128];
    cr_assert(tmpdir_make(dir));
    snprintf(path, sizeof path, "%s/f.png", dir);
    rd_error err = {0};
    cr_assert_eq(rd_plot_figure(path, ch, n, cols, lg, &err), RD_OK, "%s", err.msg);
    int comp;
    unsigned char *img = stbi_load(path, w, h, &comp, 3);
    cr_assert(img);
    tmpdir_remove(dir);
    return img;
}

/* Pixels of colour c in the rectangle [x0, x1) x [y0, y1). */
static int count(const unsigned char *img, int w, int x0, int y0, int x1, int y1, const unsigned char *c) {
    int k = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) k += is_colour(img + 3 * ((size_t)y * w + x), c, 0);
    return k;
}

Test(plot, log_axis_spans_whole_decades) {
    double x[] = {1, 2, 3}, y[] = {2.0, 0.05, 0.0003};
    rd_series s = {.label = "ce", .n = 3, .x = x, .y = y};
    rd_chart ch = {.title = "t", .xlabel = "x", .ylabel = "y", .series = &s, .n_series = 1, .y_log = 1};
    rd_plot_frame f = rd_plot_frame_of(&ch);
    cr_assert(f.ylog);
    cr_assert_float_eq(f.ymin, -4, 1e-12); /* 1e-4 .. 10 */
    cr_assert_float_eq(f.ymax, 1, 1e-12);
    double px, py;
    rd_plot_to_pixel(&f, 1, 1e-4, &px, &py);
    cr_assert_float_eq(py, f.bottom, 1e-9);
    rd_plot_to_pixel(&f, 1, 10, &px, &py);
    cr_assert_float_eq(py, f.top, 1e-9);
    rd_plot_to_pixel(&f, 1, 0.01, &px, &py); /* two decades of five up from the bottom */
    cr_assert_float_eq(py, f.bottom - 0.4 * (f.bottom - f.top), 1e-9);
}

Test(plot, axis_not_from_zero_says_so) {
    double x[] = {1, 2, 3}, y[] = {0.052, 0.061, 0.069};
    rd_series s = {.label = "kl", .n = 3, .x = x, .y = y};
    rd_chart ch = {.title = "t", .xlabel = "x", .ylabel = "y", .series = &s, .n_series = 1};
    rd_plot_frame f = rd_plot_frame_of(&ch);
    cr_assert(f.ymin > 0, "the data's own range starts above 0: %g", f.ymin);
    unsigned char grey[3] = {120, 120, 120};
    int w, h;
    unsigned char *img = draw(&ch, 1, 1, NULL, &w, &h);
    int note = count(img, w, f.left, f.top - 20, f.right, f.top - 4, grey);
    stbi_image_free(img);
    cr_assert(note > 30, "no note above a y axis that starts at %g (%d grey pixels)", f.ymin, note);

    ch.y_zero = 1; /* from 0: no note */
    f = rd_plot_frame_of(&ch);
    cr_assert_float_eq(f.ymin, 0, 1e-12);
    img = draw(&ch, 1, 1, NULL, &w, &h);
    note = count(img, w, f.left, f.top - 20, f.right, f.top - 4, grey);
    stbi_image_free(img);
    cr_assert_eq(note, 0, "a note above an axis from 0");
}

Test(plot, dots_intervals_and_the_zero_line) {
    static const char *const names[] = {"first", "second"};
    double dx[] = {0.8, 1.0, 1.2}, dy[] = {-0.3, -0.1, 0.2}, ix[] = {2}, iy[] = {-0.5}, ilo[] = {-0.9}, ihi[] = {-0.1};
    rd_series s[2] = {{.n = 3, .x = dx, .y = dy, .style = RD_SERIES_POINTS, .colour = 2},
                      {.n = 1, .x = ix, .y = iy, .lo = ilo, .hi = ihi, .style = RD_SERIES_INTERVAL, .colour = 3}};
    rd_chart ch = {.title = "t", .xlabel = "", .ylabel = "d", .series = s, .n_series = 2, .x_names = names,
                   .n_x_names = 2, .y_zero = 1, .legend = RD_LEGEND_NONE};
    rd_plot_frame f = rd_plot_frame_of(&ch);
    cr_assert_float_eq(f.xmin, 0.5, 1e-12);
    cr_assert_float_eq(f.xmax, 2.5, 1e-12);
    cr_assert(f.ymin < -0.9 && f.ymax > 0.2, "dots and whisker inside the frame: %g..%g", f.ymin, f.ymax);
    int w, h;
    unsigned char *img = draw(&ch, 1, 1, NULL, &w, &h);
    unsigned char c1[3], c2[3], zero[3] = {90, 90, 90};
    rd_plot_colour(1, c1);
    rd_plot_colour(2, c2);
    double px, py;
    rd_plot_to_pixel(&f, 1.0, -0.1, &px, &py); /* the middle dot: its fill is blended, its rim is not */
    unsigned char rim[3] = {(unsigned char)(c1[0] * 0.6), (unsigned char)(c1[1] * 0.6), (unsigned char)(c1[2] * 0.6)};
    cr_assert(count(img, w, (int)px - 6, (int)py - 6, (int)px + 7, (int)py + 7, rim) > 10, "no dot at (1, -0.1)");
    rd_plot_to_pixel(&f, 2, -0.7, &px, &py); /* on the whisker, below the bar */
    cr_assert(count(img, w, (int)px - 2, (int)py - 2, (int)px + 3, (int)py + 3, c2) > 5, "no whisker at x = 2");
    rd_plot_to_pixel(&f, 1.7, 0, &px, &py); /* the zero line, away from the data */
    cr_assert(count(img, w, (int)px - 2, (int)py - 2, (int)px + 3, (int)py + 3, zero) > 5, "no zero line");
    stbi_image_free(img);
}

Test(plot, grid_with_one_legend_in_a_cell_or_below) {
    rd_series s[2];
    rd_chart ch[3];
    ch[0] = chart(s);
    ch[0].legend = RD_LEGEND_NONE;
    ch[1] = ch[2] = ch[0];
    static const char *const short_labels[] = {"rising", "flat"};
    rd_legend lg = {.labels = short_labels, .n = 2};
    int w, h;
    unsigned char *img = draw(ch, 3, 2, &lg, &w, &h);
    cr_assert_eq(w, 2 * RD_PLOT_W);
    cr_assert_eq(h, 2 * RD_PLOT_H);
    unsigned char c0[3], c1[3];
    rd_plot_colour(0, c0);
    rd_plot_colour(1, c1);
    /* the fourth cell holds the legend: both colours' swatches */
    cr_assert(count(img, w, RD_PLOT_W, RD_PLOT_H, w, h, c0) > 30 && count(img, w, RD_PLOT_W, RD_PLOT_H, w, h, c1) > 30,
              "no legend in the free cell");
    stbi_image_free(img);

    static const char *const long_labels[] = {
        "a label far too long to fit into one chart's cell of the grid, however it is drawn", "flat"};
    lg.labels = long_labels;
    lg.note = "every config: +a=1";
    img = draw(ch, 3, 2, &lg, &w, &h);
    cr_assert(h > 2 * RD_PLOT_H, "a legend too wide for the cell goes below the grid");
    cr_assert(count(img, w, 0, 2 * RD_PLOT_H, w, h, c0) > 30, "no legend below");
    stbi_image_free(img);
}

/* Rows of canvas text that hold dark pixels: the glyph's height. */
static int text_rows(const char *text) {
    rd_canvas c;
    rd_canvas_init(&c, 60, 40, (rd_rgb){255, 255, 255});
    rd_canvas_text(&c, 4, 8, text, 2, (rd_rgb){0, 0, 0}, 0);
    int rows = 0;
    for (int y = 0; y < c.h; y++) {
        int dark = 0;
        for (int x = 0; x < c.w; x++) dark |= c.px[3 * (y * c.w + x)] < 128;
        rows += dark;
    }
    rd_canvas_free(&c);
    return rows;
}

Test(plot, font_tells_bar_from_ell_and_draws_the_double_bar) {
    cr_assert_gt(text_rows("|"), text_rows("l"), "'|' must reach below the line, unlike 'l'");
    cr_assert_eq(rd_canvas_text_width("\u2016", 1), 6, "‖ is one character, 6 units wide");
    cr_assert_gt(text_rows("\u2016"), 0);
    cr_assert_eq(rd_canvas_text_width("\u20AC", 1), rd_canvas_text_width("?", 1), "an unknown character is '?'");
    cr_assert_eq(rd_canvas_text_width("\xff", 1), rd_canvas_text_width("?", 1), "a malformed byte is '?'");
}

Test(plot, bars_and_fixed_ranges) {
    double x[] = {1, 2, 3}, y[] = {0.5, -0.2, 0.9};
    static const double xr[2] = {0, 4}, yr[2] = {-0.5, 1.0};
    rd_series s = {.n = 3, .x = x, .y = y, .style = RD_SERIES_BARS, .bar_width = 0.5};
    rd_chart ch = {.title = "t", .xlabel = "x", .ylabel = "y", .series = &s, .n_series = 1, .x_range = xr,
                   .y_range = yr, .y_zero = 1, .legend = RD_LEGEND_NONE};
    rd_plot_frame f = rd_plot_frame_of(&ch);
    cr_assert_float_eq(f.xmin, 0, 1e-12);
    cr_assert_float_eq(f.xmax, 4, 1e-12);
    cr_assert_float_eq(f.ymin, -0.5, 1e-12);
    cr_assert_float_eq(f.ymax, 1.0, 1e-12);
    int w, h;
    unsigned char *img = draw(&ch, 1, 1, NULL, &w, &h);
    unsigned char c0[3], bar[3], white[3] = {255, 255, 255};
    rd_plot_colour(0, c0);
    for (int i = 0; i < 3; i++) bar[i] = (unsigned char)lround(255 + 0.85 * (c0[i] - 255));
    double px, py;
    rd_plot_to_pixel(&f, 1.1, 0.3, &px, &py); /* inside the first bar, off the grid lines */
    cr_assert(count(img, w, (int)px - 2, (int)py - 2, (int)px + 3, (int)py + 3, bar) == 25, "no bar up to 0.5");
    rd_plot_to_pixel(&f, 2.1, -0.1, &px, &py); /* inside the negative bar */
    cr_assert(count(img, w, (int)px - 2, (int)py - 2, (int)px + 3, (int)py + 3, bar) == 25, "no bar down to -0.2");
    rd_plot_to_pixel(&f, 1.1, 0.7, &px, &py); /* above the first bar */
    cr_assert(count(img, w, (int)px - 2, (int)py - 2, (int)px + 3, (int)py + 3, white) == 25, "bar too tall");
    stbi_image_free(img);
}
