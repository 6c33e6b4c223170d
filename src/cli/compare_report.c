/* rdrop compare: from the finished run folders to results.csv, report.md,
 * curves.csv and curves.png. The report is made from results.csv as written
 * and the figure from results.csv and curves.csv as written, so the files,
 * the report and the figure cannot disagree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/compare.h"
#include "rdrop/files.h"
#include "rdrop/report.h"

/* Prints report.md's conclusion section on stdout. */
static void print_conclusion(const char *path) {
    FILE *f;
    char line[2048];
    int on = 0;
    if (rd_fopen_regular(path, &f, NULL)) return;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "## ", 3)) on = !strncmp(line, "## Conclusion", 13);
        else if (on && line[0] != '\n') fputs(line, stdout);
    }
    fclose(f);
}

int cmp_report(cmp_run **runs, int n, const cmp_arm *arms, int n_arms, int seeds, const cmp_common *c,
               const char *command) {
    const char *out = c->out;
    rd_error err = {0};
    rd_status st = RD_OK;
    rd_run_curves *curves = rd_calloc((size_t)n, sizeof *curves);
    rd_result *rows = rd_calloc((size_t)n, sizeof *rows), *read = NULL;
    int n_read = 0;
    for (int i = 0; i < n && !st; i++) {
        st = rd_run_read(runs[i]->dir, &curves[i], &err);
        if (!st && !rd_run_finished(&curves[i], runs[i]->cfg.train.epochs))
            st = rd_fail(&err, RD_ERR_RUNTIME, "%s/metrics.csv: the run did not finish its %d epochs",
                         runs[i]->dir, runs[i]->cfg.train.epochs);
        if (!st) rd_result_from_run(&curves[i], &runs[i]->cfg, runs[i]->arm->label, runs[i]->seed, &rows[i]);
    }
    char results[4200], report[4200], png[4200];
    snprintf(results, sizeof results, "%s/results.csv", out);
    snprintf(report, sizeof report, "%s/report.md", out);
    snprintf(png, sizeof png, "%s/curves.png", out);
    if (!st) st = rd_results_write(results, rows, n, &err);
    if (!st) st = rd_results_read(results, &read, &n_read, &err);
    if (!st && n_read != n) st = rd_fail(&err, RD_ERR_RUNTIME, "%s: read back %d rows of %d", results, n_read, n);
    const char **labels = rd_calloc((size_t)n_arms, sizeof *labels);
    const rd_run_curves **by_arm = rd_calloc((size_t)n_arms, sizeof *by_arm);
    int *counts = rd_calloc((size_t)n_arms, sizeof *counts);
    for (int a = 0; a < n_arms; a++) {
        labels[a] = arms[a].label;
        by_arm[a] = curves + (size_t)a * seeds;
        counts[a] = seeds;
    }
    /* each arm against the baseline, then the contrasts; the primary is its arm against the baseline */
    rd_comparison *cmp = rd_calloc((size_t)n_arms + CMP_MAX_CONTRASTS, sizeof *cmp);
    int m = 0, primary = 0;
    for (int a = 0; a < n_arms; a++)
        if (a != c->baseline) {
            if (a == c->primary) primary = m;
            cmp[m++] = (rd_comparison){a, c->baseline};
        }
    for (int k = 0; k < c->n_contrasts; k++) cmp[m++] = (rd_comparison){c->contrasts[k][0], c->contrasts[k][1]};
    if (!st) {
        rd_report rep = {read, n_read, labels, n_arms, cmp, m, primary, curves, c->busy, command};
        st = rd_report_write(report, &rep, &err);
    }
    free(cmp);
    char csv[4200];
    snprintf(csv, sizeof csv, "%s/curves.csv", out);
    if (!st) st = rd_curves_csv(csv, labels, n_arms, by_arm, counts, &err);
    /* the figure from the two tables as written, as `rdrop plot --study` draws it */
    rd_curve_set set = {0};
    if (!st) st = rd_curves_read(csv, &set, &err);
    if (!st) st = rd_study_png(png, read, n_read, &set, labels[c->baseline], &err);
    rd_curves_free(&set);
    for (int i = 0; i < n; i++) rd_run_free(&curves[i]);
    free(curves);
    free(rows);
    free(read);
    free(labels);
    free(by_arm);
    free(counts);
    if (st) return cli_error("compare", &err);
    printf("wrote %s, %s, %s and curves.csv\n\n", results, report, png);
    print_conclusion(report);
    return 0;
}
