/* report.md: per config mean ± sd over seeds, then each later config against
 * the first, paired by seed, with a 95% confidence interval and a p-value. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/report.h"
#include "rdrop/stats.h"

enum { F_FINAL, F_BEST, F_SECONDS };

static double value(const rd_result *r, int f) {
    return f == F_FINAL ? r->final_err : f == F_BEST ? r->best_err : r->seconds_per_epoch;
}

/* The values of one field over the runs of a config. */
static int gather(const rd_report *rep, const char *config, int f, double *out) {
    int n = 0;
    for (int i = 0; i < rep->n; i++)
        if (!strcmp(rep->results[i].config, config)) out[n++] = value(&rep->results[i], f);
    return n;
}

/* Indices of the runs of a and b with the same seed. */
static int pairs(const rd_report *rep, const char *a, const char *b, int *ia, int *ib) {
    int n = 0;
    for (int i = 0; i < rep->n; i++) {
        if (strcmp(rep->results[i].config, a) != 0) continue;
        for (int j = 0; j < rep->n; j++)
            if (!strcmp(rep->results[j].config, b) && rep->results[j].seed == rep->results[i].seed) {
                ia[n] = i;
                ib[n++] = j;
                break;
            }
    }
    return n;
}

static const char *p_text(double p, char *buf, size_t n) {
    if (isnan(p)) snprintf(buf, n, "n/a");
    else if (p >= 0.01) snprintf(buf, n, "%.3f", p);
    else if (p >= 1e-4) snprintf(buf, n, "%.4f", p);
    else snprintf(buf, n, "%.1e", p);
    return buf;
}

static void summary_table(FILE *f, const rd_report *rep, double *v) {
    fprintf(f, "| config | epochs | runs | final test error (%%) | best test error (%%) | seconds per epoch |\n"
               "|---|---:|---:|---:|---:|---:|\n");
    for (int c = 0; c < rep->n_configs; c++) {
        int epochs = 0;
        for (int i = 0; i < rep->n && !epochs; i++)
            if (!strcmp(rep->results[i].config, rep->configs[c])) epochs = rep->results[i].epochs;
        fprintf(f, "| %s | %d", rep->configs[c], epochs);
        for (int k = F_FINAL; k <= F_SECONDS; k++) {
            int n = gather(rep, rep->configs[c], k, v);
            if (k == F_FINAL) fprintf(f, " | %d", n);
            fprintf(f, k == F_SECONDS ? " | %.2f ± %.2f" : " | %.3f ± %.3f", rd_stats_mean(v, n), rd_stats_sd(v, n));
        }
        fprintf(f, " |\n");
    }
}

/* The honest sentence about one comparison. */
static void conclusion(FILE *f, const char *a, const char *b, const char *what, rd_paired_test t) {
    char p[32];
    p_text(t.p, p, sizeof p);
    if (t.n < 2) fprintf(f, "%s vs %s: %d paired run(s), too few for a test.\n", b, a, t.n);
    else if (t.p < 0.05)
        fprintf(f, "%s %s the %s by %.3f ± %.3f points relative to %s (95%% CI, paired t-test over %d seeds, "
                "p = %s).\n", b, t.mean < 0 ? "lowered" : "raised", what, fabs(t.mean), t.half_ci, a, t.n, p);
    else
        fprintf(f, "No significant difference in %s between %s and %s at %d seeds (%s − %s = %+.3f ± %.3f "
                "points, p = %s).\n", what, b, a, t.n, b, a, t.mean, t.half_ci, p);
}

static void test_row(FILE *f, rd_paired_test t) {
    char p[32];
    fprintf(f, " | %+.3f | ±%.3f | %s", t.mean, t.half_ci, p_text(t.p, p, sizeof p));
}

/* Test error at the last evaluated epoch finished within `seconds` of
 * training; NaN when none was. */
static double err_at(const rd_run_curves *c, double seconds, int *epoch) {
    double t = 0, err = NAN;
    *epoch = 0;
    for (int e = 0; e < c->epochs; e++) {
        t += c->seconds[e];
        if (t > seconds * (1 + 1e-9)) break;
        if (!isnan(c->test_err[e])) {
            err = c->test_err[e];
            *epoch = e + 1;
        }
    }
    return err;
}

/* Training seconds of a whole run, summed as err_at sums them. */
static double seconds(const rd_run_curves *c) {
    double t = 0;
    for (int e = 0; e < c->epochs; e++) t += c->seconds[e];
    return t;
}

static void equal_time(FILE *f, const rd_report *rep, const char *a, const char *b, int *ia, int *ib, int n) {
    double *ea = rd_malloc((size_t)n, sizeof(double)), *eb = rd_malloc((size_t)n, sizeof(double));
    double budget = 0, epa = 0, epb = 0;
    int m = 0;
    for (int i = 0; i < n; i++) {
        double t = fmin(seconds(&rep->curves[ia[i]]), seconds(&rep->curves[ib[i]]));
        int ka, kb;
        ea[m] = err_at(&rep->curves[ia[i]], t, &ka);
        eb[m] = err_at(&rep->curves[ib[i]], t, &kb);
        if (isnan(ea[m]) || isnan(eb[m])) continue; /* no evaluation within the budget */
        budget += t;
        epa += ka;
        epb += kb;
        m++;
    }
    rd_paired_test t = rd_paired_t_test(ea, eb, m);
    fprintf(f, "| %s − %s | %d | %.3g | %.1f | %.3f ± %.3f | %.1f | %.3f ± %.3f", b, a, m, m ? budget / m : NAN,
            m ? epa / m : NAN, rd_stats_mean(ea, m), rd_stats_sd(ea, m), m ? epb / m : NAN, rd_stats_mean(eb, m),
            rd_stats_sd(eb, m));
    test_row(f, t);
    fprintf(f, " |\n");
    free(ea);
    free(eb);
}

rd_status rd_report_write(const char *path, const rd_report *rep, rd_error *err) {
    FILE *f = fopen(path, "w");
    if (!f) return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    double *v = rd_malloc((size_t)rep->n + 1, sizeof(double)), *w = rd_malloc((size_t)rep->n + 1, sizeof(double));
    int *ia = rd_malloc((size_t)rep->n + 1, sizeof(int)), *ib = rd_malloc((size_t)rep->n + 1, sizeof(int));
    const char *a = rep->configs[0];
    fprintf(f, "# Comparison: %s", a);
    for (int c = 1; c < rep->n_configs; c++) fprintf(f, " vs %s", rep->configs[c]);
    fprintf(f, "\n\n");
    if (rep->command && rep->command[0]) fprintf(f, "Made by `%s`.\n\n", rep->command);
    fprintf(f, "Test error in percent of the test set; mean ± sample standard deviation over seeds. "
               "\"Final\" is the error after the last epoch; \"best\" is the lowest error of any epoch, "
               "chosen on the test set itself, so it is optimistic.\n\n## Per config\n\n");
    summary_table(f, rep, v);
    fprintf(f, "\n## Paired differences\n\nEach config minus %s, run by run with the same seed (same "
               "initialization and data order); 95%% confidence interval from Student's t.\n\n"
               "| difference | pairs | final error (points) | 95%% CI | p | best error (points) | 95%% CI | p |\n"
               "|---|---:|---:|---:|---:|---:|---:|---:|\n", a);
    for (int c = 1; c < rep->n_configs; c++) {
        const char *b = rep->configs[c];
        int n = pairs(rep, a, b, ia, ib);
        fprintf(f, "| %s − %s | %d", b, a, n);
        for (int k = F_FINAL; k <= F_BEST; k++) {
            for (int i = 0; i < n; i++) {
                v[i] = value(&rep->results[ia[i]], k);
                w[i] = value(&rep->results[ib[i]], k);
            }
            test_row(f, rd_paired_t_test(v, w, n));
        }
        fprintf(f, " |\n");
    }
    fprintf(f, "\n## Conclusion\n\n");
    for (int c = 1; c < rep->n_configs; c++) {
        int n = pairs(rep, a, rep->configs[c], ia, ib);
        for (int i = 0; i < n; i++) {
            v[i] = rep->results[ia[i]].final_err;
            w[i] = rep->results[ib[i]].final_err;
        }
        conclusion(f, a, rep->configs[c], "final test error", rd_paired_t_test(v, w, n));
        if (rep->n_configs > 2) fprintf(f, "\n");
    }
    if (rep->n_configs > 2)
        fprintf(f, "These are %d separate tests, not corrected for multiple comparisons (Bonferroni: "
                "p < %.3g for each).\n", rep->n_configs - 1, 0.05 / (rep->n_configs - 1));
    if (rep->curves) {
        fprintf(f, "\n## At equal training time\n\nPer seed, both runs are compared at the training time "
                   "the faster one needed to finish (evaluation not counted): the slower one's test error "
                   "is taken at its last epoch finished by then. Give the cheaper config more epochs "
                   "(CONFIG:train.epochs=N) to see it at the time the other finished. Times depend on "
                   "the machine's load.\n\n"
                   "| difference | pairs | seconds | epoch of %s | its error (%%) | epoch of the other "
                   "| its error (%%) | difference (points) | 95%% CI | p |\n"
                   "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", a);
        for (int c = 1; c < rep->n_configs; c++) {
            int n = pairs(rep, a, rep->configs[c], ia, ib);
            equal_time(f, rep, a, rep->configs[c], ia, ib, n);
        }
    }
    free(v);
    free(w);
    free(ia);
    free(ib);
    if (fclose(f) != 0) return rd_fail(err, RD_ERR_RUNTIME, "%s: write failed: %s", path, strerror(errno));
    return RD_OK;
}
