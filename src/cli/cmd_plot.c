/* rdrop plot RUN_DIR... --out FILE.png [--metric NAME], and
 * rdrop plot --study DIR [--baseline NAME] [--out FILE.png] */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "rdrop/plot.h"
#include "rdrop/report.h"

static const char *USAGE =
    "usage: rdrop plot RUN_DIR... --out FILE.png [--metric METRIC]\n"
    "       rdrop plot --study DIR [--baseline NAME] [--out FILE.png]\n"
    "\n"
    "Draws one line per run folder (the folder's metrics.csv, one point per epoch)\n"
    "into a PNG chart with a legend naming each folder. With --study, draws the\n"
    "figure of an `rdrop compare` folder from its results.csv and curves.csv alone\n"
    "(the run folders are not needed): learning curves per config, and each\n"
    "config's final test error and test_kl minus the baseline's, seed by seed.\n"
    "A grouped study (rdrop compare --group) gets one such figure per group,\n"
    "curves-GROUP.png, and size.png when its groups are training-set sizes.\n"
    "\n"
    "  --out FILE.png   the image to write (required; with --study DIR/curves.png,\n"
    "                   and for a grouped study a folder, default DIR)\n"
    "  --metric METRIC  test_err (default), mc_err or val_err (errors in percent), or\n"
    "                   any metrics.csv column: train_loss (R-Drop's includes\n"
    "                   alpha * KL), train_ce, train_kl, test_loss, test_kl (how far\n"
    "                   dropout passes disagree on the test set), lr, ...\n"
    "  --study DIR      an `rdrop compare --out` folder: draw its figure\n"
    "  --baseline NAME  with --study: the config the others are paired with, by\n"
    "                   label or position from 1 (default: the first)\n"
    "  -h, --help       this text\n"
    "\n"
    "`rdrop compare` draws the --study figures of its folder itself.\n";

/* A grouped study's figures into the folder out: curves-GROUP.png per group
 * and, when the groups are training-set sizes, size.png (each config against
 * the baseline, as `rdrop compare` draws it). */
static rd_status group_figures(const char *out, const rd_result *rows, int n, const rd_curve_set *set,
                               const char *baseline, int *drawn, int *sized, rd_error *err) {
    struct stat sb;
    if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return rd_fail(err, RD_ERR_USAGE, "--out %s: a grouped study draws one figure per group: give a folder", out);
    rd_status st = rd_study_group_pngs(out, rows, n, set, baseline, drawn, err);
    /* the configs and groups in the table's order, the baseline's index */
    const char **configs = rd_calloc((size_t)n + 1, sizeof *configs), **groups = rd_calloc((size_t)n + 1, sizeof *groups);
    int nc = 0, ng = 0, base = 0;
    for (int i = 0; i < n; i++) {
        int c = 0, g = 0;
        while (c < nc && strcmp(configs[c], rows[i].config)) c++;
        if (c == nc) configs[nc++] = rows[i].config;
        while (g < ng && strcmp(groups[g], rows[i].group)) g++;
        if (g == ng) groups[ng++] = rows[i].group;
    }
    while (baseline && base < nc && strcmp(configs[base], baseline)) base++;
    rd_comparison *cmp = rd_calloc((size_t)nc + 1, sizeof *cmp);
    int m = 0;
    for (int c = 0; c < nc; c++)
        if (c != base) cmp[m++] = (rd_comparison){c, base};
    rd_report rep = {.results = rows, .n = n, .configs = configs, .n_configs = nc, .comparisons = cmp,
                     .n_comparisons = m, .busy = 1, .command = "", .groups = groups, .n_groups = ng};
    char size_png[4400];
    snprintf(size_png, sizeof size_png, "%s/size.png", out);
    if (!st && m > 0) st = rd_report_size_png(size_png, &rep, sized, err);
    free(configs);
    free(groups);
    free(cmp);
    return st;
}

/* --study DIR: the figure from DIR/results.csv and DIR/curves.csv. */
static int plot_study(const char *dir, const char *baseline, const char *out) {
    char results[4200], curves[4200], png[4200];
    snprintf(results, sizeof results, "%s/results.csv", dir);
    snprintf(curves, sizeof curves, "%s/curves.csv", dir);
    snprintf(png, sizeof png, "%s/curves.png", dir);
    if (!out) out = png;
    rd_error err = {0};
    rd_result *rows = NULL;
    int n = 0;
    rd_curve_set set = {0};
    rd_status st = rd_results_read(results, &rows, &n, &err);
    if (!st) st = rd_curves_read(curves, &set, &err);
    char name[256];
    if (!st && baseline && baseline[0] && strspn(baseline, "0123456789") == strlen(baseline)) { /* a position */
        int want = atoi(baseline), k = 0;
        name[0] = 0;
        for (int i = 0; i < n && !name[0]; i++) {
            int seen = 0;
            for (int j = 0; j < i; j++) seen |= !strcmp(rows[j].config, rows[i].config);
            if (!seen && ++k == want) snprintf(name, sizeof name, "%s", rows[i].config);
        }
        if (!name[0]) st = rd_fail(&err, RD_ERR_USAGE, "--baseline %s: the results have %d configs", baseline, k);
        baseline = name;
    }
    int grouped = 0, drawn = 0, sized = 0;
    for (int i = 0; i < n; i++) grouped |= rows[i].group[0] != 0;
    if (!st && !grouped) st = rd_study_png(out, rows, n, &set, baseline, &err);
    if (!st && grouped) st = group_figures(out == png ? dir : out, rows, n, &set, baseline, &drawn, &sized, &err);
    free(rows);
    rd_curves_free(&set);
    if (st == RD_ERR_USAGE) return cli_usage_error("plot", "%s", err.msg);
    if (st) return cli_error("plot", &err);
    if (grouped)
        printf("wrote %d figures in %s (curves-GROUP.png for each group of %s%s)\n", drawn + sized,
               out == png ? dir : out, dir, sized ? ", and size.png" : "");
    else
        printf("wrote %s (the figure of %s)\n", out, dir);
    return 0;
}

int cmd_plot(int argc, char **argv) {
    static const struct option opts[] = {{"out", required_argument, 0, 'o'}, {"metric", required_argument, 0, 'm'},
                                         {"study", required_argument, 0, 's'}, {"baseline", required_argument, 0, 'b'},
                                         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = NULL, *metric = NULL, *study = NULL, *baseline = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'm': metric = optarg; break;
        case 's': study = optarg; break;
        case 'b': baseline = optarg; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: return cli_usage_error("plot", "bad option");
        }
    }
    if (study) {
        if (optind < argc) return cli_usage_error("plot", "--study DIR takes no RUN_DIR (got %s)", argv[optind]);
        if (metric) return cli_usage_error("plot", "--metric does not apply to --study");
        return plot_study(study, baseline, out);
    }
    if (baseline) return cli_usage_error("plot", "--baseline needs --study DIR");
    if (!metric) metric = "test_err";
    const char *title = rd_run_metric_title(metric);
    if (!title || !strcmp(metric, "epoch"))
        return cli_usage_error("plot", "--metric %s: not test_err, mc_err, val_err or a metrics.csv column", metric);
    if (!out) return cli_usage_error("plot", "--out FILE.png is required");
    int n = argc - optind;
    if (n < 1) return cli_usage_error("plot", "expected at least one RUN_DIR");

    rd_run_curves *runs = rd_calloc((size_t)n, sizeof *runs);
    rd_series *series = rd_calloc((size_t)n, sizeof *series);
    char **labels = rd_calloc((size_t)n, sizeof *labels);
    rd_error err = {0};
    rd_status st = RD_OK;
    for (int i = 0; i < n && !st; i++) {
        const char *dir = argv[optind + i];
        if (!(st = rd_run_read(dir, &runs[i], &err)) && runs[i].epochs == 0)
            st = rd_fail(&err, RD_ERR_RUNTIME, "%s/metrics.csv: no epochs yet", dir);
        if (st) break;
        /* label: the folder's own name, without a trailing slash */
        size_t len = strlen(dir);
        while (len > 1 && dir[len - 1] == '/') len--;
        size_t start = len;
        while (start > 0 && dir[start - 1] != '/') start--;
        labels[i] = rd_malloc(len - start + 1, 1);
        memcpy(labels[i], dir + start, len - start);
        labels[i][len - start] = 0;
        double *x = rd_malloc((size_t)runs[i].epochs, sizeof(double));
        for (int e = 0; e < runs[i].epochs; e++) x[e] = e + 1;
        series[i] = (rd_series){.label = labels[i], .n = runs[i].epochs, .x = x, .y = rd_run_metric(&runs[i], metric)};
    }
    /* a chart without a single point is an error, not an empty picture */
    int points = 0;
    for (int i = 0; i < n && !st; i++)
        for (int e = 0; e < series[i].n; e++) points += isfinite(series[i].y[e]) != 0;
    if (!st && !points)
        st = rd_fail(&err, RD_ERR_RUNTIME, "no %s value in %s%s: nothing to plot%s", metric,
                     n == 1 ? "" : "any of the runs, e.g. ", argv[optind],
                     !strcmp(metric, "test_kl") || !strcmp(metric, "mc_err")
                         ? " (measured at evaluated epochs when train.mc_passes >= 2)"
                         : "");
    if (!st) {
        rd_chart chart = {.title = title, .xlabel = "epoch", .ylabel = metric, .series = series, .n_series = n,
                          .x_integer = 1};
        st = rd_plot_write(out, &chart, 1, &err);
    }
    for (int i = 0; i < n; i++) {
        free((void *)series[i].x);
        free(labels[i]);
        rd_run_free(&runs[i]);
    }
    free(runs);
    free(series);
    free(labels);
    if (st) return cli_error("plot", &err);
    printf("wrote %s (%s of %d run%s)\n", out, metric, n, n == 1 ? "" : "s");
    return 0;
}
