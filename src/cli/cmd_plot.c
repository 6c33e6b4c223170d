/* rdrop plot RUN_DIR... --out FILE.png [--metric NAME] */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rdrop/plot.h"
#include "rdrop/report.h"

static const char *USAGE =
    "usage: rdrop plot RUN_DIR... --out FILE.png [--metric METRIC]\n"
    "\n"
    "Draws one line per run folder (the folder's metrics.csv, one point per epoch)\n"
    "into a PNG chart with a legend naming each folder.\n"
    "\n"
    "  --out FILE.png   the image to write (required)\n"
    "  --metric METRIC  test_err (default), mc_err or val_err (errors in percent), or\n"
    "                   any metrics.csv column: train_loss (R-Drop's includes\n"
    "                   alpha * KL), train_ce, train_kl, test_loss, test_kl (how far\n"
    "                   dropout passes disagree on the test set), lr, ...\n"
    "  -h, --help       this text\n"
    "\n"
    "`rdrop compare` draws mean and min-max bands over seeds (DIR/curves.png).\n";

int cmd_plot(int argc, char **argv) {
    static const struct option opts[] = {{"out", required_argument, 0, 'o'}, {"metric", required_argument, 0, 'm'},
                                         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = NULL, *metric = "test_err";
    int c;
    while ((c = getopt_long(argc, argv, "o:m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'm': metric = optarg; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: return cli_usage_error("plot", "bad option");
        }
    }
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
        series[i] = (rd_series){labels[i], runs[i].epochs, x, rd_run_metric(&runs[i], metric), NULL, NULL};
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
        rd_chart chart = {title, NULL, "epoch", metric, series, n, 1};
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
