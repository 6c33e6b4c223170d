/* The part of report.md across the groups of a grouped study, and size.png:
 * does a comparison's difference change with the size of the training set?
 * (docs/compare.md, "Groups"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/plot.h"
#include "rdrop/stats.h"
#include "report/report_groups.h"

/* Final test error (or test_kl) of config b minus config a, paired by seed,
 * within group g: d[i] and the group's training size; returns the pairs. */
static int paired(const rd_report *rep, int g, rd_comparison c, int kl, double *a, double *b) {
    int n = 0;
    for (int i = 0; i < rep->n; i++) {
        const rd_result *ri = &rep->results[i];
        if (strcmp(ri->group, rep->groups[g]) || strcmp(ri->config, rep->configs[c.a])) continue;
        for (int j = 0; j < rep->n; j++) {
            const rd_result *rj = &rep->results[j];
            if (strcmp(rj->group, rep->groups[g]) || strcmp(rj->config, rep->configs[c.b]) || rj->seed != ri->seed)
                continue;
            double va = kl ? ri->test_kl : ri->final_err, vb = kl ? rj->test_kl : rj->final_err;
            if (!isnan(va) && !isnan(vb)) {
                a[n] = va;
                b[n++] = vb;
            }
            break;
        }
    }
    return n;
}

/* The training size of group g (its first run's), or -1. */
static int group_size(const rd_report *rep, int g) {
    for (int i = 0; i < rep->n; i++)
        if (!strcmp(rep->results[i].group, rep->groups[g])) return rep->results[i].train_size;
    return -1;
}

int rd_groups_by_size(const rd_report *rep) {
    if (rep->n_groups < 2) return 0;
    for (int g = 0; g < rep->n_groups; g++) {
        int n = group_size(rep, g);
        if (n <= 0) return 0;
        for (int i = 0; i < rep->n; i++) /* one size in the whole group */
            if (!strcmp(rep->results[i].group, rep->groups[g]) && rep->results[i].train_size != n) return 0;
        for (int h = 0; h < g; h++) /* and a size of its own */
            if (group_size(rep, h) == n) return 0;
    }
    return 1;
}

/* A group's name in a table: its size when the groups are sizes (in buf),
 * else its label, whole. */
static const char *group_name(const rd_report *rep, int g, int by_size, char buf[32]) {
    if (!by_size) return rep->groups[g];
    snprintf(buf, 32, "n = %d", group_size(rep, g));
    return buf;
}

/* The rest of a table's header, one column a group: "| g1 | g2 |" and its rule. */
static void group_columns(FILE *f, const rd_report *rep, int by_size) {
    char buf[32];
    for (int g = 0; g < rep->n_groups; g++) fprintf(f, " %s |", group_name(rep, g, by_size, buf));
    fprintf(f, "\n|---|");
    for (int g = 0; g < rep->n_groups; g++) fprintf(f, "---:|");
    fprintf(f, "\n");
}

void rd_groups_section(FILE *f, const rd_report *rep, const rd_comparison *cmp, int m, int primary, double *holm) {
    int G = rep->n_groups, by_size = rd_groups_by_size(rep);
    double *a = rd_malloc((size_t)rep->n + 1, sizeof(double)), *b = rd_malloc((size_t)rep->n + 1, sizeof(double));
    rd_paired_test *t = rd_malloc((size_t)m * G + 1, sizeof *t);
    double *flip = rd_malloc((size_t)m * G + 1, sizeof(double)), *p = rd_malloc((size_t)G + 1, sizeof(double));
    for (int k = 0; k < m; k++) {
        for (int g = 0; g < G; g++) {
            int n = paired(rep, g, cmp[k], 0, a, b);
            t[k * G + g] = rd_paired_t_test(a, b, n);
            flip[k * G + g] = rd_sign_flip_p(a, b, n, 20261202, 200000);
            p[g] = t[k * G + g].p;
        }
        rd_holm(p, G, holm + (size_t)k * G);
    }
    char nbuf[32], pt[32], ph[32], pf[32];
    fprintf(f, "## Across the groups\n\nThe same configs in %d groups of settings (`rdrop compare --group`):", G);
    for (int g = 0; g < G; g++) {
        fprintf(f, "%s `%s`", g ? "," : "", rep->groups[g]);
        if (group_size(rep, g) > 0) fprintf(f, " (%d training samples)", group_size(rep, g));
    }
    fprintf(f, ". Each comparison's final test error at every group, paired by seed within the group: the mean "
               "difference in points with its 95%% confidence interval, the exact sign-flip p, and the t-test p "
               "Holm-adjusted across the %d groups (one family per comparison). The primary comparison is "
               "marked.\n\n| difference |", G);
    group_columns(f, rep, by_size);
    for (int k = 0; k < m; k++) {
        const char *ca = rep->configs[cmp[k].a], *cb = rep->configs[cmp[k].b], *bold = k == primary ? "**" : "";
        fprintf(f, "| %s%s − %s%s |", bold, cb, ca, bold);
        for (int g = 0; g < G; g++) {
            const rd_paired_test *x = &t[k * G + g];
            fprintf(f, " %+.3f ± %.3f (Holm p %s, sign-flip p %s, %d pairs) |", x->mean, x->half_ci,
                    rd_p_text(holm[(size_t)k * G + g], ph, sizeof ph), rd_p_text(flip[k * G + g], pf, sizeof pf), x->n);
        }
        fprintf(f, "\n");
    }
    /* test_kl: the mean per config, and its change against the baseline (the comparisons' a) */
    fprintf(f, "\nFinal test_kl, the disagreement between dropout sub-networks (mean over seeds), and in "
               "brackets the paired change against the comparison's first config, in percent of that "
               "config's mean:\n\n| difference |");
    group_columns(f, rep, by_size);
    for (int k = 0; k < m; k++) {
        fprintf(f, "| %s − %s |", rep->configs[cmp[k].b], rep->configs[cmp[k].a]);
        for (int g = 0; g < G; g++) {
            int n = paired(rep, g, cmp[k], 1, a, b);
            rd_paired_test x = rd_paired_t_test(a, b, n);
            double base = rd_stats_mean(a, n);
            if (n > 0 && base > 0)
                fprintf(f, " %.4f → %.4f (%+.0f%% ± %.0f%%) |", base, rd_stats_mean(b, n), 100 * x.mean / base,
                        100 * x.half_ci / base);
            else
                fprintf(f, " n/a |");
        }
        fprintf(f, "\n");
    }
    rd_line_fit *trend = rd_malloc((size_t)m + 1, sizeof *trend);
    if (by_size && G > 2) {
        fprintf(f, "\n### The trend against the training-set size\n\nFor each comparison, a least-squares line "
                   "through its per-seed differences (all groups together) against log10 of the training-set "
                   "size: the slope is the change of the difference, in points, for a tenfold larger training "
                   "set, with its 95%% confidence interval and two-sided t-test (the seeds' differences taken as "
                   "independent). A positive slope for a difference that is negative at small sizes means the "
                   "gain shrinks as the training set grows.\n\n| difference | differences | slope per tenfold "
                   "size (points) | 95%% CI | p |\n|---|---:|---:|---:|---:|\n");
        double *x = rd_malloc((size_t)rep->n + 1, sizeof(double)), *y = rd_malloc((size_t)rep->n + 1, sizeof(double));
        for (int k = 0; k < m; k++) {
            int n = 0;
            for (int g = 0; g < G; g++) {
                int np = paired(rep, g, cmp[k], 0, a, b);
                for (int i = 0; i < np; i++) {
                    x[n] = log10(group_size(rep, g));
                    y[n++] = b[i] - a[i];
                }
            }
            trend[k] = rd_fit_line(x, y, n);
            fprintf(f, "| %s%s − %s%s | %d | %+.3f | ±%.3f | %s |\n", k == primary ? "**" : "",
                    rep->configs[cmp[k].b], rep->configs[cmp[k].a], k == primary ? "**" : "", n, trend[k].slope,
                    trend[k].half_ci, rd_p_text(trend[k].p, pt, sizeof pt));
        }
        free(x);
        free(y);
        fprintf(f, "\n![The differences against the training-set size](size.png)\n");
    }
    /* the honest sentences: the primary at every group, then its trend */
    fprintf(f, "\n## Conclusion\n\n**Primary comparison** (declared before the runs), %s − %s, Holm-adjusted "
               "across the %d groups:\n\n", rep->configs[cmp[primary].b], rep->configs[cmp[primary].a], G);
    for (int g = 0; g < G; g++) {
        const rd_paired_test *x = &t[primary * G + g];
        double h = holm[(size_t)primary * G + g];
        const char *name = group_name(rep, g, by_size, nbuf);
        if (x->n < 2)
            fprintf(f, "- %s: %d paired run(s), too few for a test.\n", name, x->n);
        else if (h < 0.05)
            fprintf(f, "- %s: %s the final test error by %.3f ± %.3f points (%d seeds, t p = %s, Holm p = %s, "
                       "sign-flip p = %s).\n", name, x->mean < 0 ? "lowered" : "raised", fabs(x->mean), x->half_ci,
                    x->n, rd_p_text(x->p, pt, sizeof pt), rd_p_text(h, ph, sizeof ph),
                    rd_p_text(flip[primary * G + g], pf, sizeof pf));
        else
            fprintf(f, "- %s: no significant difference (%+.3f ± %.3f points, %d seeds, t p = %s, Holm p = %s, "
                       "sign-flip p = %s).\n", name, x->mean, x->half_ci, x->n, rd_p_text(x->p, pt, sizeof pt),
                    rd_p_text(h, ph, sizeof ph), rd_p_text(flip[primary * G + g], pf, sizeof pf));
    }
    if (by_size && G > 2) {
        const rd_line_fit *l = &trend[primary];
        fprintf(f, "\nTrend: the difference changes by %+.3f ± %.3f points for a tenfold larger training set "
                   "(p = %s): %s.\n", l->slope, l->half_ci, rd_p_text(l->p, pt, sizeof pt),
                l->p < 0.05 ? (l->slope > 0 ? "it rises with the size of the training set"
                                            : "it falls with the size of the training set")
                            : "no significant trend with the size of the training set");
    }
    free(a);
    free(b);
    free(t);
    free(flip);
    free(p);
    free(trend);
}

/* size.png: for every comparison with the baseline (the first comparison's
 * first config), its paired difference in final test error and its relative
 * change of test_kl against the training-set size, log axis: the mean and
 * its 95% CI per size, joined by a line. The comparisons are set a little
 * apart on the x axis, so that their intervals do not hide each other. Each
 * is drawn in the colour of its config in the study's curves figures, so
 * that one arm has one colour in all of them. */
rd_status rd_groups_png(const char *path, const rd_report *rep, const rd_comparison *cmp, int m, rd_error *err) {
    int G = rep->n_groups, K = 0;
    if (!rd_groups_by_size(rep))
        return rd_fail(err, RD_ERR_USAGE, "%s: the groups do not each train on one size of their own", path);
    int *which = rd_malloc((size_t)m + 1, sizeof(int));
    for (int k = 0; k < m; k++)
        if (cmp[k].a == cmp[0].a) which[K++] = k;
    size_t cells = (size_t)K * G + 1;
    double *x = rd_malloc(cells, sizeof(double)), *y[2], *lo[2], *hi[2];
    for (int c = 0; c < 2; c++) {
        y[c] = rd_malloc(cells, sizeof(double));
        lo[c] = rd_malloc(cells, sizeof(double));
        hi[c] = rd_malloc(cells, sizeof(double));
    }
    double *a = rd_malloc((size_t)rep->n + 1, sizeof(double)), *b = rd_malloc((size_t)rep->n + 1, sizeof(double));
    rd_series *series = rd_malloc(4 * (size_t)K + 1, sizeof *series);
    char(*names)[600] = rd_malloc((size_t)K + 1, sizeof *names);
    const char **labels = rd_malloc((size_t)K + 1, sizeof *labels);
    int *colour = rd_malloc((size_t)K + 1, sizeof(int));
    for (int j = 0; j < K; j++) {
        int k = which[j];
        colour[j] = cmp[k].b + 1;
        snprintf(names[j], sizeof names[j], "%s - %s", rep->configs[cmp[k].b], rep->configs[cmp[k].a]);
        labels[j] = names[j];
        for (int g = 0; g < G; g++) {
            size_t i = (size_t)j * G + g;
            x[i] = group_size(rep, g) * pow(10, 0.05 * (j - (K - 1) / 2.0)); /* side by side */
            rd_paired_test t = rd_paired_t_test(a, b, paired(rep, g, cmp[k], 0, a, b));
            y[0][i] = t.mean;
            lo[0][i] = t.mean - t.half_ci;
            hi[0][i] = t.mean + t.half_ci;
            int n = paired(rep, g, cmp[k], 1, a, b);
            t = rd_paired_t_test(a, b, n);
            double base = rd_stats_mean(a, n);
            y[1][i] = base > 0 ? 100 * t.mean / base : NAN;
            lo[1][i] = base > 0 ? 100 * (t.mean - t.half_ci) / base : NAN;
            hi[1][i] = base > 0 ? 100 * (t.mean + t.half_ci) / base : NAN;
        }
    }
    double *ticks = rd_malloc((size_t)G, sizeof(double));
    for (int g = 0; g < G; g++) ticks[g] = group_size(rep, g);
    rd_chart charts[2];
    static const char *const TITLE[2] = {"Difference in final test error", "Change of test_kl"};
    static const char *const YLABEL[2] = {"points of test error (95% CI)", "% of the baseline's test_kl (95% CI)"};
    for (int c = 0; c < 2; c++) {
        rd_series *s = series + (size_t)c * 2 * K;
        for (int j = 0; j < K; j++) {
            size_t i = (size_t)j * G;
            s[2 * j] = (rd_series){labels[j], G, x + i, y[c] + i, NULL, NULL, RD_SERIES_LINE, colour[j], 0};
            s[2 * j + 1] =
                (rd_series){labels[j], G, x + i, y[c] + i, lo[c] + i, hi[c] + i, RD_SERIES_INTERVAL, colour[j], 0};
        }
        charts[c] = (rd_chart){.title = TITLE[c], .subtitle = "paired by seed, against the size of the training set",
                               .xlabel = "training images (log scale)", .ylabel = YLABEL[c], .series = s,
                               .n_series = 2 * K, .y_zero = 1, .legend = RD_LEGEND_NONE, .x_log = 1,
                               .x_ticks = ticks, .n_x_ticks = G};
    }
    rd_legend lg = {.labels = labels, .colour = colour, .n = K, .note = "below 0: lower than the baseline"};
    rd_status st = rd_plot_figure(path, charts, 2, 2, &lg, err);
    free(which);
    free(ticks);
    free(x);
    for (int c = 0; c < 2; c++) {
        free(y[c]);
        free(lo[c]);
        free(hi[c]);
    }
    free(a);
    free(b);
    free(series);
    free(names);
    free(labels);
    free(colour);
    return st;
}
