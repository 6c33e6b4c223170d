/* The PNG charts: the file has the right size, and reading it back with
 * stb_image shows each series' colour where its line and band must be. */
#include <criterion/criterion.h>
#include <math.h>
#include <stb_image.h>
#include <stdio.h>
#include <stdlib.h>

#include "rdrop/plot.h"
#include "tmpdir.h"

static const double X[] = {0, 2, 4, 6, 8, 10};
static const double RISE[] = {0, 2, 4, 6, 8, 10}; /* y = x */
static const double FLAT[] = {2, 2, 2, 2, 2, 2}, LO[] = {1, 1, 1, 1, 1, 1}, HI[] = {3, 3, 3, 3, 3, 3};

static rd_chart chart(rd_series *s) {
    s[0] = (rd_series){"rising", 6, X, RISE, NULL, NULL};
    s[1] = (rd_series){"flat with band", 6, X, FLAT, LO, HI};
    return (rd_chart){"A title", "a subtitle", "x label", "y label", s, 2, 0};
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
    rd_series s = {"s", 3, x, y, NULL, NULL};
    rd_chart ch = {"t", NULL, "x", "y", &s, 1, 1};
    rd_plot_frame f = rd_plot_frame_of(&ch);
    cr_assert_float_eq(f.xstep, 1, 1e-12); /* whole epochs, never 0.5 */
    cr_assert_float_eq(f.ystep, 0.1, 1e-12);
    cr_assert_float_eq(f.ymin, 1.5, 1e-9);
    cr_assert_float_eq(f.ymax, 2.0, 1e-9);
}
