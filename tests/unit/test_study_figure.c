/* A comparison's figure from its two tables: curves.csv read back (and
 * refused when malformed), and curves.png drawn from results.csv and
 * curves.csv alone, with the paired charts against the chosen baseline. */
#include <criterion/criterion.h>
#include <math.h>
#include <stb_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palette_pixels.h"
#include "rdrop/plot.h"
#include "rdrop/report.h"
#include "tmpdir.h"

static const char FIXTURE[] = "tests/unit/fixtures/compare/results.csv"; /* 3 configs x 5 seeds, no test_kl */

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

/* A curves.csv for the fixture's configs: test_err at epochs 10 and 20, train_ce at 1, 10, 20. */
static void write_curves(const char *path) {
    static const char *const configs[] = {"mnist-dropout", "mnist-rdrop", "mnist-rdrop+alpha=4"};
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "config,metric,epoch,runs,mean,min,max\n");
    for (int c = 0; c < 3; c++) {
        fprintf(f, "%s,test_err,10,5,%g,%g,%g\n", configs[c], 2.0 + 0.1 * c, 1.9 + 0.1 * c, 2.1 + 0.1 * c);
        fprintf(f, "%s,test_err,20,5,%g,%g,%g\n", configs[c], 1.8 - 0.1 * c, 1.7 - 0.1 * c, 1.9 - 0.1 * c);
        fprintf(f, "%s,train_ce,1,5,0.5,0.45,0.55\n%s,train_ce,10,5,0.05,0.04,0.06\n", configs[c], configs[c]);
        fprintf(f, "%s,train_ce,20,5,0.01,0.008,0.012\n", configs[c]);
    }
    fclose(f);
}

Test(study_figure, curves_csv_reads_back) {
    char dir[64], path[128];
    cr_assert(tmpdir_make(dir));
    snprintf(path, sizeof path, "%s/curves.csv", dir);
    write_curves(path);
    rd_curve_set s;
    rd_error err = {0};
    cr_assert_eq(rd_curves_read(path, &s, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(s.n, 6, "3 configs x 2 metrics");
    const rd_curve *c = rd_curve_find(&s, "mnist-rdrop", "train_ce");
    cr_assert(c);
    cr_assert_eq(c->n, 3);
    cr_assert_float_eq(c->epoch[2], 20, 1e-12);
    cr_assert_float_eq(c->mean[1], 0.05, 1e-12);
    cr_assert_float_eq(c->lo[2], 0.008, 1e-12);
    cr_assert_float_eq(c->hi[0], 0.55, 1e-12);
    cr_assert_null(rd_curve_find(&s, "mnist-rdrop", "test_kl"));
    rd_curves_free(&s);
    tmpdir_remove(dir);
}

Test(study_figure, malformed_curves_csv_is_refused_naming_the_line) {
    char dir[64], path[128];
    cr_assert(tmpdir_make(dir));
    snprintf(path, sizeof path, "%s/curves.csv", dir);
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"config,metric,epoch\n", "not a curves.csv"},
        {"config,metric,epoch,runs,mean,min,max\na,test_err,2,1,1,1,1\na,test_err,1,1,1,1,1\n", ":3: an epoch"},
        {"config,metric,epoch,runs,mean,min,max\na,test_err,1,1,one,1,1\n", ":2: runs, mean, min or max"},
        {"config,metric,epoch,runs,mean,min,max\na,test_err,1,1,1,1\n", ":2: not 7 comma-separated fields"},
        {"config,metric,epoch,runs,mean,min,max\na,test_err,0.5,1,1,1,1\n", ":2: epoch: not a whole number"},
        {"config,metric,epoch,runs,mean,min,max\n,test_err,1,1,1,1,1\n", ":2: config: empty"},
        {"config,metric,epoch,runs,mean,min,max\na,test_error_too_long,1,1,1,1,1\n", ":2: metric: empty or longer"},
        {NULL, ":2: config: empty or longer than 255 characters"}, /* a 256-character config, made below */
    };
    char long_row[400] = "config,metric,epoch,runs,mean,min,max\n";
    size_t at = strlen(long_row);
    memset(long_row + at, 'c', 256);
    snprintf(long_row + at + 256, sizeof long_row - at - 256, ",test_err,1,1,1,1,1\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_text(path, cases[i].text ? cases[i].text : long_row);
        rd_curve_set s;
        rd_error err = {0};
        cr_assert_eq(rd_curves_read(path, &s, &err), RD_ERR_RUNTIME, "case %zu passed", i);
        cr_assert(strstr(err.msg, path) && strstr(err.msg, cases[i].want), "case %zu: %s", i, err.msg);
        cr_assert_eq(s.n, 0);
    }
    rd_curve_set s;
    rd_error err = {0};
    snprintf(path, sizeof path, "%s/none.csv", dir);
    cr_assert_eq(rd_curves_read(path, &s, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
    tmpdir_remove(dir);
}

/* Draws the fixture's figure against `baseline` and reads it back. */
static unsigned char *figure(const char *baseline, int *w, int *h) {
    char dir[64], curves[128], png[128];
    cr_assert(tmpdir_make(dir));
    snprintf(curves, sizeof curves, "%s/curves.csv", dir);
    snprintf(png, sizeof png, "%s/curves.png", dir);
    write_curves(curves);
    rd_result *r;
    int n, comp;
    rd_curve_set s;
    rd_error err = {0};
    cr_assert_eq(rd_results_read(FIXTURE, &r, &n, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_curves_read(curves, &s, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_study_png(png, r, n, &s, baseline, &err), RD_OK, "%s", err.msg);
    unsigned char *img = stbi_load(png, w, h, &comp, 3);
    cr_assert(img, "cannot read %s", png);
    free(r);
    rd_curves_free(&s);
    tmpdir_remove(dir);
    return img;
}

Test(study_figure, curves_and_paired_charts_against_the_baseline) {
    int w, h;
    /* test error | paired test error; training cross-entropy | legend (no test_kl in the fixture) */
    unsigned char *img = figure(NULL, &w, &h);
    cr_assert_eq(w, 2 * RD_PLOT_W);
    cr_assert_eq(h, 2 * RD_PLOT_H);
    int W = RD_PLOT_W, H = RD_PLOT_H;
    for (int k = 0; k < 3; k++) cr_assert(palette_pixels(img, w, 0, 0, W, H, k) > 50, "curve %d missing", k);
    /* the paired chart: the two later configs against the first, not the first against itself */
    cr_assert_eq(palette_pixels(img, w, W, 0, 2 * W, H, 0), 0, "the baseline is paired with itself");
    cr_assert(palette_pixels(img, w, W, 0, 2 * W, H, 1) > 50 && palette_pixels(img, w, W, 0, 2 * W, H, 2) > 50, "paired config missing");
    cr_assert(palette_pixels(img, w, W, H, 2 * W, 2 * H, 0) > 30, "no legend in the free cell");
    stbi_image_free(img);

    img = figure("mnist-rdrop", &w, &h); /* another baseline: now the first config is paired */
    cr_assert(palette_pixels(img, w, W, 0, 2 * W, H, 0) > 50, "the first config is not paired with the baseline");
    cr_assert_eq(palette_pixels(img, w, W, 0, 2 * W, H, 1), 0, "the new baseline is paired with itself");
    stbi_image_free(img);
}

Test(study_figure, unknown_baseline_is_a_usage_error) {
    rd_result *r;
    int n;
    rd_curve_set s = {0};
    rd_error err = {0};
    cr_assert_eq(rd_results_read(FIXTURE, &r, &n, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_study_png("/nonexistent-dir/c.png", r, n, &s, "mnist-nothing", &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "mnist-nothing"), "%s", err.msg);
    free(r);
}
