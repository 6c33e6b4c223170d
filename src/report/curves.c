/* Learning curves over seeds: per-epoch mean and min-max band, written to
 * a comparison's curves.csv (curves.png is drawn from that file,
 * study_figure.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rdrop/files.h"
#include "rdrop/report.h"

void rd_band_of(const rd_run_curves *runs, int n_runs, const char *metric, rd_band *b) {
    int n = 0;
    for (int r = 0; r < n_runs; r++) n = runs[r].epochs > n ? runs[r].epochs : n;
    b->n = n;
    b->x = rd_malloc((size_t)n * 4 + 1, sizeof(double)); /* one block: x, mean, lo, hi */
    b->mean = b->x + n;
    b->lo = b->mean + n;
    b->hi = b->lo + n;
    for (int e = 0; e < n; e++) {
        double sum = 0, lo = INFINITY, hi = -INFINITY;
        int k = 0;
        for (int r = 0; r < n_runs; r++) {
            const double *v = rd_run_metric(&runs[r], metric);
            if (e >= runs[r].epochs || !v || isnan(v[e])) continue;
            sum += v[e];
            lo = fmin(lo, v[e]);
            hi = fmax(hi, v[e]);
            k++;
        }
        b->x[e] = e + 1;
        b->mean[e] = k ? sum / k : NAN;
        b->lo[e] = k ? lo : NAN;
        b->hi[e] = k ? hi : NAN;
    }
}

void rd_band_free(rd_band *b) {
    free(b->x);
    b->x = b->mean = b->lo = b->hi = NULL;
}

rd_status rd_curves_csv(const char *path, const char *const *configs, int n_configs,
                        const rd_run_curves *const *runs, const int *n_runs, rd_error *err) {
    static const char *const metric[] = {"test_err", "mc_err", "test_kl", "train_ce", "train_kl"};
    rd_text t;
    rd_text_open(&t);
    fprintf(t.f, "config,metric,epoch,runs,mean,min,max\n");
    for (int c = 0; c < n_configs; c++)
        for (size_t k = 0; k < sizeof metric / sizeof metric[0]; k++) {
            rd_band b;
            rd_band_of(runs[c], n_runs[c], metric[k], &b);
            for (int e = 0; e < b.n; e++) {
                if (isnan(b.mean[e])) continue; /* not evaluated at that epoch */
                int have = 0;
                for (int r = 0; r < n_runs[c]; r++) {
                    const double *v = rd_run_metric(&runs[c][r], metric[k]);
                    have += e < runs[c][r].epochs && v && !isnan(v[e]);
                }
                fprintf(t.f, "%s,%s,%d,%d,%.6g,%.6g,%.6g\n", configs[c], metric[k], e + 1, have, b.mean[e], b.lo[e],
                        b.hi[e]);
            }
            rd_band_free(&b);
        }
    return rd_text_replace(&t, path, err);
}
