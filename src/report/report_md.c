/* report.md: per config mean ± sd over seeds, then the comparisons (each
 * later config against the first, or the ones asked for), paired by seed,
 * with a 95% confidence interval, Student's t p, the exact sign-flip p and
 * Holm-adjusted p over the report's comparisons. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/files.h"
#include "rdrop/report.h"
#include "rdrop/stats.h"
#include "report/report_groups.h"

enum { F_FINAL, F_BEST, F_SECONDS, F_TEST_KL, F_MC_ERR };

static double value(const rd_result *r, int f) {
    switch (f) {
    case F_FINAL: return r->final_err;
    case F_BEST: return r->best_err;
    case F_SECONDS: return r->seconds_per_epoch;
    case F_TEST_KL: return r->test_kl;
    default: return 100.0 * (1.0 - r->mc_acc);
    }
}

/* The values of one field over the runs of a config (NaN ones left out). */
static int gather(const rd_report *rep, const char *config, int f, double *out) {
    int n = 0;
    for (int i = 0; i < rep->n; i++)
        if (!strcmp(rep->results[i].config, config) && !isnan(value(&rep->results[i], f)))
            out[n++] = value(&rep->results[i], f);
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

const char *rd_p_text(double p, char *buf, size_t n) {
    if (isnan(p)) snprintf(buf, n, "n/a");
    else if (p >= 0.01) snprintf(buf, n, "%.3f", p);
    else if (p >= 1e-4) snprintf(buf, n, "%.4f", p);
    else snprintf(buf, n, "%.1e", p);
    return buf;
}

static void mean_sd(FILE *f, const double *v, int n, const char *fmt) {
    if (n == 0) {
        fprintf(f, " | n/a");
        return;
    }
    char cell[64];
    snprintf(cell, sizeof cell, fmt, rd_stats_mean(v, n), rd_stats_sd(v, n));
    fprintf(f, " | %s", cell);
}

static void summary_table(FILE *f, const rd_report *rep, double *v) {
    fprintf(f, "| config | method | alpha | runs | epochs | final test error (%%) | best test error (%%) "
               "| MC-dropout error (%%) | test_kl |%s\n|---|---|---:|---:|---:|---:|---:|---:|---:|%s\n",
            rep->busy ? "" : " seconds per epoch |", rep->busy ? "" : "---:|");
    for (int c = 0; c < rep->n_configs; c++) {
        const rd_result *first = NULL;
        for (int i = 0; i < rep->n && !first; i++)
            if (!strcmp(rep->results[i].config, rep->configs[c])) first = &rep->results[i];
        char alpha[32] = "?";
        if (first && !isnan(first->alpha)) snprintf(alpha, sizeof alpha, "%g", first->alpha);
        fprintf(f, "| %s | %s | %s | %d | %d", rep->configs[c], first ? first->method : "?", alpha,
                gather(rep, rep->configs[c], F_FINAL, v), first ? first->epochs : 0);
        static const int fields[] = {F_FINAL, F_BEST, F_MC_ERR, F_TEST_KL, F_SECONDS};
        for (int k = 0; k < 5 - rep->busy; k++) {
            int n = gather(rep, rep->configs[c], fields[k], v);
            mean_sd(f, v, n, fields[k] == F_TEST_KL ? "%.4f ± %.4f" : fields[k] == F_SECONDS ? "%.2f ± %.2f"
                                                                                              : "%.3f ± %.3f");
        }
        fprintf(f, " |\n");
    }
}

/* The paired tests of one comparison on one field. */
typedef struct {
    rd_paired_test t;
    double flip, holm;
} tests;

static tests run_tests(const rd_report *rep, rd_comparison c, int f, double *v, double *w, int *ia, int *ib) {
    int n = pairs(rep, rep->configs[c.a], rep->configs[c.b], ia, ib), m = 0;
    for (int i = 0; i < n; i++) {
        v[m] = value(&rep->results[ia[i]], f);
        w[m] = value(&rep->results[ib[i]], f);
        m += !isnan(v[m]) && !isnan(w[m]);
    }
    tests r = {rd_paired_t_test(v, w, m), rd_sign_flip_p(v, w, m, 20261202, 200000), NAN};
    return r;
}

static void test_cells(FILE *f, tests t, int with_holm) {
    char p[32], q[32], h[32];
    fprintf(f, " | %+.3f | ±%.3f | %s | %s", t.t.mean, t.t.half_ci, rd_p_text(t.t.p, p, sizeof p),
            rd_p_text(t.flip, q, sizeof q));
    if (with_holm) fprintf(f, " | %s", rd_p_text(t.holm, h, sizeof h));
}

/* The honest sentence about one comparison. */
static void conclusion(FILE *f, const char *a, const char *b, tests t, int m, int primary) {
    char p[32], h[32], q[32], text[2048], holm[96] = "";
    rd_p_text(t.t.p, p, sizeof p);
    rd_p_text(t.holm, h, sizeof h);
    rd_p_text(t.flip, q, sizeof q);
    if (m > 1) snprintf(holm, sizeof holm, "; Holm-adjusted over %d comparisons p = %s", m, h);
    if (t.t.n < 2) snprintf(text, sizeof text, "%s vs %s: %d paired run(s), too few for a test.", b, a, t.t.n);
    else if (t.holm < 0.05)
        snprintf(text, sizeof text, "%s %s the final test error by %.3f ± %.3f points relative to %s (95%% CI, "
                 "paired t-test over %d seeds, p = %s%s; sign-flip p = %s).", b, t.t.mean < 0 ? "lowered" : "raised",
                 fabs(t.t.mean), t.t.half_ci, a, t.t.n, p, holm, q);
    else
        snprintf(text, sizeof text, "No significant difference in final test error between %s and %s at %d seeds "
                 "(%s − %s = %+.3f ± %.3f points, p = %s%s; sign-flip p = %s).", b, a, t.t.n, b, a, t.t.mean,
                 t.t.half_ci, p, holm, q);
    fprintf(f, "%s%s\n", primary ? "**Primary comparison** (declared before the runs): " : "", text);
}

/* Test error at the last evaluated epoch finished within `seconds` of
 * training; NaN when none was. */
static double err_at(const rd_run_curves *c, double seconds, int *epoch) {
    double t = 0, err = NAN;
    *epoch = 0;
    for (int e = 0; e < c->epochs; e++) {
        t += c->col[RD_COL_EPOCH_SECONDS][e];
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
    for (int e = 0; e < c->epochs; e++) t += c->col[RD_COL_EPOCH_SECONDS][e];
    return t;
}

static void equal_time(FILE *f, const rd_report *rep, const char *a, const char *b, int *ia, int *ib, int n) {
    double *ea = rd_malloc((size_t)n + 1, sizeof(double)), *eb = rd_malloc((size_t)n + 1, sizeof(double));
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
    tests t = {rd_paired_t_test(ea, eb, m), rd_sign_flip_p(ea, eb, m, 20261202, 200000), NAN};
    if (m == 0) {
        fprintf(f, "| %s − %s | 0 | no evaluated epoch within the shorter run's time | | | | | | | | |\n", b, a);
        free(ea);
        free(eb);
        return;
    }
    fprintf(f, "| %s − %s | %d | %.3g | %.1f | %.3f ± %.3f | %.1f | %.3f ± %.3f", b, a, m, m ? budget / m : NAN,
            m ? epa / m : NAN, rd_stats_mean(ea, m), rd_stats_sd(ea, m), m ? epb / m : NAN, rd_stats_mean(eb, m),
            rd_stats_sd(eb, m));
    test_cells(f, t, 0);
    fprintf(f, " |\n");
    free(ea);
    free(eb);
}

/* The comparisons of the report: as given, or each later config against the first. */
static int comparisons(const rd_report *rep, rd_comparison *cmp) {
    int m = rep->comparisons ? rep->n_comparisons : rep->n_configs - 1;
    for (int k = 0; k < m; k++) cmp[k] = rep->comparisons ? rep->comparisons[k] : (rd_comparison){k + 1, 0};
    return m;
}

/* The final-error tests of every comparison, Holm-adjusted over them (or, in
 * a grouped study, with the adjustment across the groups given in holm). */
static void final_tests(const rd_report *rep, const rd_comparison *cmp, int m, const double *holm, tests *out,
                        double *v, double *w, int *ia, int *ib) {
    double *p = rd_malloc((size_t)m + 1, sizeof(double)), *h = rd_malloc((size_t)m + 1, sizeof(double));
    for (int k = 0; k < m; k++) {
        out[k] = run_tests(rep, cmp[k], F_FINAL, v, w, ia, ib);
        p[k] = out[k].t.p;
    }
    rd_holm(p, m, h);
    for (int k = 0; k < m; k++) out[k].holm = holm ? holm[k] : h[k];
    free(p);
    free(h);
}

/* "## Per config", "## Paired differences" and "## Conclusion" of one set of
 * runs (the study, or one group of it); `level` "##" or "###". */
static void body(FILE *f, const rd_report *rep, const rd_comparison *cmp, int m, int primary, const tests *final,
                 const char *level, const char *holm_what, double *v, double *w, int *ia, int *ib) {
    fprintf(f, "%s Per config\n\n", level);
    summary_table(f, rep, v);
    fprintf(f, "\n%s Paired differences\n\nRun by run with the same seed (same initialization, data order "
               "and training subset); 95%% confidence interval from Student's t. \"sign-flip p\" is the exact "
               "permutation test (no normality assumed); \"Holm p\" adjusts the t-test p-values for %s. "
               "The primary comparison is marked.\n\n"
               "| difference | pairs | final error (points) | 95%% CI | t p | sign-flip p | Holm p "
               "| best error (points) | 95%% CI | t p | sign-flip p | test_kl | 95%% CI | t p | sign-flip p |\n"
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", level, holm_what);
    for (int k = 0; k < m; k++) {
        const char *a = rep->configs[cmp[k].a], *b = rep->configs[cmp[k].b];
        fprintf(f, "| %s%s − %s%s | %d", k == primary ? "**" : "", b, a, k == primary ? "**" : "", final[k].t.n);
        test_cells(f, final[k], 1);
        test_cells(f, run_tests(rep, cmp[k], F_BEST, v, w, ia, ib), 0);
        tests kl = run_tests(rep, cmp[k], F_TEST_KL, v, w, ia, ib);
        if (kl.t.n > 0) {
            char pt[32], q[32];
            fprintf(f, " | %+.4f | ±%.4f | %s | %s", kl.t.mean, kl.t.half_ci, rd_p_text(kl.t.p, pt, sizeof pt),
                    rd_p_text(kl.flip, q, sizeof q));
        } else {
            fprintf(f, " | n/a | | |");
        }
        fprintf(f, " |\n");
    }
}

/* The t-test p of comparison c without the pair of seed `skip`. */
static double p_without(const rd_report *rep, rd_comparison c, unsigned long long skip, double *v, double *w, int *ia,
                        int *ib) {
    int n = pairs(rep, rep->configs[c.a], rep->configs[c.b], ia, ib), m = 0;
    for (int i = 0; i < n; i++) {
        if (rep->results[ia[i]].seed == skip) continue;
        v[m] = rep->results[ia[i]].final_err;
        w[m] = rep->results[ib[i]].final_err;
        m += !isnan(v[m]) && !isnan(w[m]);
    }
    return rd_paired_t_test(v, w, m).p;
}

/* "## Leaving one seed out": how much a verdict rests on one seed. Every
 * seed of the comparisons is left out in turn and the Holm-adjusted p of
 * each comparison computed again over the rest; the table gives the range
 * of those p-values and how many omissions change the verdict at 0.05. */
static void leave_one_out(FILE *f, const rd_report *rep, const rd_comparison *cmp, int m, int primary,
                          const tests *final, double *v, double *w, int *ia, int *ib) {
    unsigned long long *seeds = rd_malloc((size_t)rep->n + 1, sizeof *seeds);
    int n_seeds = 0;
    for (int i = 0; i < rep->n; i++) {
        int known = 0;
        for (int j = 0; j < n_seeds && !known; j++) known = seeds[j] == rep->results[i].seed;
        if (!known) seeds[n_seeds++] = rep->results[i].seed;
    }
    if (n_seeds < 3) {
        free(seeds);
        return;
    }
    double *p = rd_malloc((size_t)m + 1, sizeof(double)), *h = rd_malloc((size_t)m + 1, sizeof(double));
    double *lo = rd_malloc((size_t)m + 1, sizeof(double)), *hi = rd_malloc((size_t)m + 1, sizeof(double));
    int *flips = rd_calloc((size_t)m + 1, sizeof(int));
    for (int k = 0; k < m; k++) lo[k] = INFINITY, hi[k] = -INFINITY;
    for (int s = 0; s < n_seeds; s++) {
        for (int k = 0; k < m; k++) p[k] = p_without(rep, cmp[k], seeds[s], v, w, ia, ib);
        rd_holm(p, m, h);
        for (int k = 0; k < m; k++) {
            if (isnan(h[k])) continue;
            lo[k] = fmin(lo[k], h[k]);
            hi[k] = fmax(hi[k], h[k]);
            flips[k] += (h[k] < 0.05) != (final[k].holm < 0.05);
        }
    }
    fprintf(f, "\n## Leaving one seed out\n\nHow far each verdict rests on a single seed: each of the %d seeds "
               "left out in turn, the Holm-adjusted p of every comparison computed again over the other seeds; the "
               "last column counts the omissions that move the verdict across 0.05.\n\n"
               "| difference | Holm p | Holm p, one seed left out | omissions that change the verdict |\n"
               "|---|---:|---:|---:|\n", n_seeds);
    char a[32], b[32], c[32];
    for (int k = 0; k < m; k++)
        fprintf(f, "| %s%s − %s%s | %s | %s to %s | %d of %d |\n", k == primary ? "**" : "", rep->configs[cmp[k].b],
                rep->configs[cmp[k].a], k == primary ? "**" : "", rd_p_text(final[k].holm, a, sizeof a),
                rd_p_text(lo[k], b, sizeof b), rd_p_text(hi[k], c, sizeof c), flips[k], n_seeds);
    free(seeds);
    free(p);
    free(h);
    free(lo);
    free(hi);
    free(flips);
}

static void conclusions(FILE *f, const rd_report *rep, const rd_comparison *cmp, int m, int primary,
                        const tests *final, int family) {
    conclusion(f, rep->configs[cmp[primary].a], rep->configs[cmp[primary].b], final[primary], family, 1);
    for (int k = 0; k < m; k++)
        if (k != primary) {
            fprintf(f, "\n");
            conclusion(f, rep->configs[cmp[k].a], rep->configs[cmp[k].b], final[k], family, 0);
        }
}

static void equal_time_section(FILE *f, const rd_report *rep, const rd_comparison *cmp, int m, int *ia, int *ib) {
    fprintf(f, "\n## At equal training time\n\nPer seed, both runs are compared at the training time "
               "the faster one needed to finish (evaluation not counted): the slower one's test error "
               "is taken at its last epoch finished by then. Give the cheaper config more epochs "
               "(CONFIG:train.epochs=N) to see it at the time the other finished. Times depend on "
               "the machine's load.\n\n"
               "| difference | pairs | seconds | epoch of the first | its error (%%) | epoch of the other "
               "| its error (%%) | difference (points) | 95%% CI | t p | sign-flip p |\n"
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < m; k++) {
        const char *a = rep->configs[cmp[k].a], *b = rep->configs[cmp[k].b];
        int n = pairs(rep, a, b, ia, ib);
        equal_time(f, rep, a, b, ia, ib, n);
    }
}

/* The runs of group g: a report of its own (results copied out). */
static rd_report group_report(const rd_report *rep, int g, rd_result *buf) {
    rd_report r = *rep;
    int n = 0;
    for (int i = 0; i < rep->n; i++)
        if (!strcmp(rep->results[i].group, rep->groups[g])) buf[n++] = rep->results[i];
    r.results = buf;
    r.n = n;
    r.curves = NULL; /* no equal-time table per group */
    r.n_groups = 0;
    return r;
}

static void write_grouped(FILE *f, const rd_report *rep, const rd_comparison *cmp, int m, int primary, double *v,
                          double *w, int *ia, int *ib) {
    int G = rep->n_groups;
    double *holm = rd_malloc((size_t)m * G + 1, sizeof(double));
    rd_groups_section(f, rep, cmp, m, primary, holm);
    rd_result *buf = rd_malloc((size_t)rep->n + 1, sizeof *buf);
    tests *final = rd_malloc((size_t)m + 1, sizeof *final);
    double *h = rd_malloc((size_t)m + 1, sizeof(double));
    for (int g = 0; g < G; g++) {
        rd_report r = group_report(rep, g, buf);
        for (int k = 0; k < m; k++) h[k] = holm[(size_t)k * G + g];
        final_tests(&r, cmp, m, h, final, v, w, ia, ib);
        fprintf(f, "\n## Group %s\n\n", rep->groups[g]);
        char what[96];
        snprintf(what, sizeof what, "each comparison's %d tests across the groups (the table above)", G);
        body(f, &r, cmp, m, primary, final, "###", what, v, w, ia, ib);
    }
    free(holm);
    free(buf);
    free(final);
    free(h);
}

rd_status rd_report_write(const char *path, const rd_report *rep, rd_error *err) {
    rd_text out; /* written whole: an old report.md stays until the new one is complete */
    rd_text_open(&out);
    FILE *f = out.f;
    size_t cap = (size_t)rep->n + 1;
    double *v = rd_malloc(cap, sizeof(double)), *w = rd_malloc(cap, sizeof(double));
    int *ia = rd_malloc(cap, sizeof(int)), *ib = rd_malloc(cap, sizeof(int));
    rd_comparison *cmp = rd_malloc((size_t)(rep->comparisons ? rep->n_comparisons : rep->n_configs) + 1, sizeof *cmp);
    int m = comparisons(rep, cmp);
    int primary = rep->primary >= 0 && rep->primary < m ? rep->primary : 0;

    fprintf(f, "# Comparison: %s", rep->configs[0]);
    for (int c = 1; c < rep->n_configs; c++) fprintf(f, " vs %s", rep->configs[c]);
    if (rep->n_groups > 1) fprintf(f, ", in %d groups", rep->n_groups);
    fprintf(f, "\n\n");
    if (rep->command && rep->command[0]) fprintf(f, "Made by `%s`.\n\n", rep->command);
    if (rep->note && rep->note[0]) fprintf(f, "%s\n\n", rep->note);
    fprintf(f, "Test error in percent of the test set; mean ± sample standard deviation over seeds. "
               "\"Final\" is the error after the last epoch; \"best\" is the lowest error of any evaluated "
               "epoch, chosen on the test set itself, so it is optimistic. \"MC-dropout error\" is the error "
               "of the mean of the dropout passes' probabilities and \"test_kl\" the mean over test images of "
               "[KL(p_a‖p_b) + KL(p_b‖p_a)] / 4 between dropout passes (all pairs of train.mc_passes), both "
               "after the last epoch: how far the dropout sub-networks disagree on unseen images.%s\n\n",
            rep->busy ? " The runs shared the machine with other work, so their times are not reported." : "");
    if (rep->n_groups > 1) {
        write_grouped(f, rep, cmp, m, primary, v, w, ia, ib);
    } else {
        tests *final = rd_malloc((size_t)m + 1, sizeof *final);
        final_tests(rep, cmp, m, NULL, final, v, w, ia, ib);
        char what[64];
        snprintf(what, sizeof what, "the %d comparisons of this table together", m);
        body(f, rep, cmp, m, primary, final, "##", what, v, w, ia, ib);
        fprintf(f, "\n## Conclusion\n\n");
        conclusions(f, rep, cmp, m, primary, final, m);
        leave_one_out(f, rep, cmp, m, primary, final, v, w, ia, ib);
        if (rep->curves && !rep->busy) equal_time_section(f, rep, cmp, m, ia, ib);
        free(final);
    }
    free(v);
    free(w);
    free(ia);
    free(ib);
    free(cmp);
    return rd_text_replace(&out, path, err);
}

rd_status rd_report_size_png(const char *path, const rd_report *rep, int *written, rd_error *err) {
    *written = 0;
    if (rep->n_groups < 3 || !rd_groups_by_size(rep)) return RD_OK;
    rd_comparison *cmp = rd_malloc((size_t)(rep->comparisons ? rep->n_comparisons : rep->n_configs) + 1, sizeof *cmp);
    int m = comparisons(rep, cmp);
    rd_status st = rd_groups_png(path, rep, cmp, m, err);
    free(cmp);
    *written = !st;
    return st;
}
