/* rdrop compare: from the finished run folders to results.csv, report.md and
 * curves.png. The report is made from results.csv as written, so the file
 * and the report cannot disagree. */
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
    int n_read = 0, committed = 0;
    for (int i = 0; i < n && !st; i++) {
        if (runs[i]->state == RUN_COMMITTED) { /* a row of results.csv, no folder: no curves */
            rows[i] = runs[i]->row;
            committed++;
            continue;
        }
        st = rd_run_read(runs[i]->dir, &curves[i], &err);
        if (!st && !rd_run_finished(&curves[i], runs[i]->cfg.train.epochs))
            st = rd_fail(&err, RD_ERR_RUNTIME, "%s/metrics.csv: the run did not finish its %d epochs",
                         runs[i]->dir, runs[i]->cfg.train.epochs);
        if (!st) rd_result_from_run(&curves[i], &runs[i]->cfg, cmp_run_label(runs[i]), runs[i]->seed, &rows[i]);
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
    char note[512] = "";
    if (committed)
        snprintf(note, sizeof note, "%d of the %d runs are rows of an earlier results.csv (their run folders were "
                 "not here): the comparison at equal training time, which needs every run's per-epoch times, is "
                 "left out, and curves.png and curves.csv were not redrawn.", committed, n);
    if (!st) {
        rd_report rep = {read, n_read, labels, n_arms, cmp, m, primary, committed ? NULL : curves, c->busy, command,
                         note};
        st = rd_report_write(report, &rep, &err);
    }
    free(cmp);
    /* the curves need every run's metrics.csv */
    if (!st && !committed) st = rd_curves_png(png, labels, n_arms, by_arm, counts, &err);
    char csv[4200];
    snprintf(csv, sizeof csv, "%s/curves.csv", out);
    if (!st && !committed) st = rd_curves_csv(csv, labels, n_arms, by_arm, counts, &err);
    for (int i = 0; i < n; i++) rd_run_free(&curves[i]);
    free(curves);
    free(rows);
    free(read);
    free(labels);
    free(by_arm);
    free(counts);
    if (st) return cli_error("compare", &err);
    if (committed)
        printf("wrote %s and %s; curves.png and curves.csv not redrawn: %d run%s no folder here\n\n", results, report,
               committed, committed == 1 ? " has" : "s have");
    else
        printf("wrote %s, %s, %s and curves.csv\n\n", results, report, png);
    print_conclusion(report);
    return 0;
}
