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
    int G = c->n_groups > 0 ? c->n_groups : 1, n_sets = G * n_arms;
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
        if (!st) {
            rd_result_from_run(&curves[i], &runs[i]->cfg, cmp_run_label(runs[i]), runs[i]->seed, &rows[i]);
            snprintf(rows[i].group, sizeof rows[i].group, "%s", runs[i]->group ? runs[i]->group->label : "");
        }
    }
    char results[4200], report[4200], png[4200], size_png[4200];
    snprintf(results, sizeof results, "%s/results.csv", out);
    snprintf(report, sizeof report, "%s/report.md", out);
    snprintf(png, sizeof png, "%s/curves.png", out);
    snprintf(size_png, sizeof size_png, "%s/size.png", out);
    if (!st && !c->report_only) st = rd_results_write(results, rows, n, &err);
    if (!st) st = rd_results_read(results, &read, &n_read, &err);
    if (!st && n_read != n) st = rd_fail(&err, RD_ERR_RUNTIME, "%s: read back %d rows of %d", results, n_read, n);
    /* the runs come group by group, config by config, seed by seed; a curve
     * set is one config of one group (GROUP/CONFIG in curves.csv) */
    const char **labels = rd_calloc((size_t)n_arms, sizeof *labels), **set_labels = rd_calloc((size_t)n_sets, sizeof *set_labels);
    char (*names)[600] = rd_calloc((size_t)n_sets, sizeof *names);
    const char **group_labels = rd_calloc((size_t)G, sizeof *group_labels);
    const rd_run_curves **by_set = rd_calloc((size_t)n_sets, sizeof *by_set);
    int *counts = rd_calloc((size_t)n_sets, sizeof *counts);
    for (int a = 0; a < n_arms; a++) labels[a] = arms[a].label;
    for (int g = 0; g < G; g++) {
        group_labels[g] = c->n_groups ? c->groups[g].label : "";
        for (int a = 0; a < n_arms; a++) {
            int k = g * n_arms + a;
            if (c->n_groups) snprintf(names[k], sizeof names[k], "%s/%s", c->groups[g].label, arms[a].label);
            else snprintf(names[k], sizeof names[k], "%s", arms[a].label);
            set_labels[k] = names[k];
            by_set[k] = curves + (size_t)k * seeds;
            counts[k] = seeds;
        }
    }
    /* each arm against the baseline, then the contrasts; the primary is its arm against the baseline */
    rd_comparison *cmp = rd_calloc((size_t)n_arms + CMP_MAX_CONTRASTS, sizeof *cmp);
    int m = 0, primary = 0, sized = 0;
    for (int a = 0; a < n_arms; a++)
        if (a != c->baseline) {
            if (a == c->primary) primary = m;
            cmp[m++] = (rd_comparison){a, c->baseline};
        }
    for (int k = 0; k < c->n_contrasts; k++) cmp[m++] = (rd_comparison){c->contrasts[k][0], c->contrasts[k][1]};
    char note[512] = "";
    const char *figures = c->n_groups ? "the curves-GROUP.png figures" : "curves.png"; /* drawn from the runs */
    if (committed)
        snprintf(note, sizeof note, "%d of the %d runs are rows of an earlier results.csv (%s): %s and "
                 "curves.csv were not redrawn%s.", committed, n,
                 c->report_only ? "--report-only: the report made again from the table alone"
                                : "their run folders were not here",
                 figures,
                 c->busy ? "" : ", and the comparison at equal training time, which needs every run's per-epoch "
                                "times, is left out");
    rd_report rep = {read, n_read, labels, n_arms, cmp, m, primary, committed || c->n_groups ? NULL : curves, c->busy,
                     command, note, group_labels, c->n_groups};
    if (!st) st = rd_report_write(report, &rep, &err);
    if (!st) st = rd_report_size_png(size_png, &rep, &sized, &err);
    free(cmp);
    /* the curves need every run's metrics.csv */
    char csv[4200];
    snprintf(csv, sizeof csv, "%s/curves.csv", out);
    if (!st && !committed) st = rd_curves_csv(csv, set_labels, n_sets, by_set, counts, &err);
    /* the figure from the two tables as written, as `rdrop plot --study` draws it */
    rd_curve_set set = {0};
    if (!st && !committed) st = rd_curves_read(csv, &set, &err);
    if (!st && !committed && !c->n_groups) st = rd_study_png(png, read, n_read, &set, labels[c->baseline], &err);
    int drawn = 0;
    if (!st && !committed && c->n_groups) st = rd_study_group_pngs(out, read, n_read, &set, labels[c->baseline], &drawn, &err);
    rd_curves_free(&set);
    for (int i = 0; i < n; i++) rd_run_free(&curves[i]);
    free(curves);
    free(rows);
    free(read);
    free(labels);
    free(set_labels);
    free(names);
    free(group_labels);
    free(by_set);
    free(counts);
    if (st) return cli_error("compare", &err);
    if (committed)
        printf("wrote %s and %s%s; %s and curves.csv not redrawn: %d run%s no folder here\n\n", results, report,
               sized ? " and size.png" : "", figures, committed, committed == 1 ? " has" : "s have");
    else if (c->n_groups)
        printf("wrote %s, %s, curves.csv and a curves-GROUP.png per group%s\n\n", results, report,
               sized ? ", and size.png" : "");
    else
        printf("wrote %s, %s, %s and curves.csv\n\n", results, report, png);
    print_conclusion(report);
    return 0;
}
