/* rdrop compare: what is left to train. A run is finished when its folder
 * says so, or, when its folder is not here (the study moved to another
 * machine, a disk was cleaned), when the comparison's results.csv (committed
 * with the study, say) has its row, made with the same config: the row
 * carries everything the report needs but the per-epoch curves. A folder
 * that is here is the run itself. The config_hash column says which config a
 * row was made with; rows without it (results.csv files older than the
 * column) are not taken. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/compare.h"
#include "rdrop/files.h"
#include "rdrop/report.h"

/* The folder's state, with the train command finished the way the runs
 * will be started: now, by compare (--resume or --force), or later,
 * elsewhere (--continue: the task decides when it runs). */
static rd_status inspect(cmp_run *r, int as_continue, rd_error *err) {
    if (!as_continue) return cmp_run_inspect(r, err);
    rd_run_state s;
    rd_status st = rd_run_inspect(r->dir, &r->cfg, &s, err);
    if (st) return st;
    r->state = s.kind == RD_RUN_FINISHED ? RUN_FINISHED : s.kind == RD_RUN_RESUME ? RUN_RESUME : RUN_FRESH;
    r->from_epoch = s.epoch;
    int k = 0;
    while (r->argv[k]) k++;
    r->argv[k++] = "--continue";
    r->argv[k] = NULL;
    return RD_OK;
}

/* Two numbers as results.csv writes them ("%g"). */
static int same_number(double a, double b) {
    char x[40], y[40];
    snprintf(x, sizeof x, "%g", a);
    snprintf(y, sizeof y, "%g", b);
    return !strcmp(x, y);
}

/* A row taken for run r must describe r's config, and hold numbers a run
 * can give: a hand edit that kept the hash shows here. NULL when it does. */
static const char *edited(const rd_result *row, const cmp_run *r, char *why, size_t n) {
    const rd_config *c = &r->cfg;
    int rdrop = c->train.method == RD_METHOD_RDROP;
    double alpha = rdrop ? c->train.alpha : 0;
    if (strcmp(row->method, rdrop ? "rdrop" : "dropout") != 0)
        snprintf(why, n, "method %s, where its config has %s", row->method, rdrop ? "rdrop" : "dropout");
    else if (!same_number(row->alpha, alpha))
        snprintf(why, n, "alpha %g, where its config has %g", row->alpha, alpha);
    else if (!same_number(row->dropout, c->model.dropout))
        snprintf(why, n, "dropout %g, where its config has %g", row->dropout, (double)c->model.dropout);
    else if (!same_number(row->input_dropout, c->model.input_dropout))
        snprintf(why, n, "input_dropout %g, where its config has %g", row->input_dropout,
                 (double)c->model.input_dropout);
    else if (row->epochs != c->train.epochs)
        snprintf(why, n, "%d epochs, where its config has %d", row->epochs, c->train.epochs);
    else if (!(row->final_err >= 0 && row->final_err <= 100 && row->best_err >= 0 &&
               row->best_err <= row->final_err))
        snprintf(why, n, "final error %g %% and best error %g %%, which no run gives (0 <= best <= final <= 100)",
                 row->final_err, row->best_err);
    else if (row->best_epoch < 1 || row->best_epoch > row->epochs)
        snprintf(why, n, "best epoch %d of %d", row->best_epoch, row->epochs);
    else
        return NULL;
    return why;
}

/* Takes the rows of results.csv for the runs whose folders are not here. */
static rd_status take_rows(cmp_run **runs, int n, const char *out, FILE *log, rd_error *err) {
    char path[4200];
    snprintf(path, sizeof path, "%s/results.csv", out);
    if (access(path, F_OK) != 0) return RD_OK;
    rd_result *rows;
    int n_rows, unhashed = 0, others = 0, taken = 0;
    rd_error e = {0};
    if (rd_results_read(path, &rows, &n_rows, &e))
        return rd_fail(err, RD_ERR_RUNTIME, "%s; it was left as it is: restore it (git checkout), or move it "
                       "away to train the runs it stood for", e.msg);
    rd_status st = RD_OK;
    int *owner = rd_calloc((size_t)n + 1, sizeof *owner); /* row index + 1 per run */
    for (int i = 0; i < n_rows && !st; i++) {
        const rd_result *row = &rows[i];
        /* the runs of its label and seed (with --group, one per group: the
         * hash tells them apart), and the one whose config it was made with */
        int candidates = 0, at = -1, gone = 0;
        char want[9], first[9] = "", why[200];
        for (int j = 0; j < n; j++) {
            if (runs[j]->seed != row->seed || strcmp(cmp_run_label(runs[j]), row->config) != 0) continue;
            if (row->group[0] && strcmp(runs[j]->group ? runs[j]->group->label : "", row->group) != 0) continue;
            rd_result_hash(&runs[j]->cfg, want);
            if (!candidates++) snprintf(first, sizeof first, "%s", want);
            if (row->config_hash[0] ? !strcmp(row->config_hash, want) : candidates == 1) at = j;
            gone += access(runs[j]->dir, F_OK) != 0;
        }
        if (!candidates) {
            others++;
            continue;
        }
        if (!row->config_hash[0]) { /* nothing says which config made it */
            unhashed += gone > 0;
            if (candidates > 1) continue;
        } else if (at < 0) {
            st = rd_fail(err, RD_ERR_USAGE, "%s:%d: %s seed %llu was made with another config (config_hash %s; "
                         "this command's is %s): use another --out, or move results.csv away to train it again",
                         path, i + 2, row->config, row->seed, row->config_hash, first);
            break;
        }
        cmp_run *r = runs[at];
        if (owner[at]) {
            st = rd_fail(err, RD_ERR_RUNTIME, "%s: rows %d and %d are both %s seed %llu: was it edited by hand? "
                         "It was left as it is", path, owner[at] + 1, i + 2, row->config, row->seed);
            break;
        }
        owner[at] = i + 1;
        if (!row->config_hash[0] || access(r->dir, F_OK) == 0)
            continue; /* a folder is the run: the report reads it, or it is trained or resumed */
        if (edited(row, r, why, sizeof why))
            st = rd_fail(err, RD_ERR_RUNTIME, "%s:%d: %s seed %llu has %s: was it edited by hand? It was left as "
                         "it is: restore it (git checkout), or remove the row to train the run again", path, i + 2,
                         row->config, row->seed, why);
        else {
            r->state = RUN_COMMITTED;
            r->row = *row;
            taken++;
        }
    }
    if (!st && taken)
        fprintf(log, "results.csv: %d finished run%s taken from %s (no run folder here)\n", taken,
                taken == 1 ? "" : "s", path);
    if (!st && unhashed)
        fprintf(log, "results.csv: %d row%s without a config_hash (written by an older rdrop) not taken as finished: "
                "%s trained again\n", unhashed, unhashed == 1 ? "" : "s", unhashed == 1 ? "its run is" : "their runs are");
    if (!st && others)
        fprintf(log, "results.csv: %d row%s of runs this command does not ask for (other configs or seeds) left "
                "out\n", others, others == 1 ? "" : "s");
    free(owner);
    free(rows);
    return st;
}

rd_status cmp_runs_to_train(cmp_run **runs, int n, const char *out, int as_continue, FILE *log, cmp_run **pending,
                            int *k, rd_error *err) {
    *k = 0;
    rd_status st = RD_OK;
    for (int i = 0; i < n && !st; i++) st = inspect(runs[i], as_continue, err);
    if (!st) st = take_rows(runs, n, out, log, err);
    for (int i = 0; i < n && !st; i++) {
        if (runs[i]->state == RUN_FINISHED) fprintf(log, "re-use %s (finished)\n", runs[i]->name);
        else if (runs[i]->state == RUN_COMMITTED) fprintf(log, "re-use %s (its row of results.csv)\n", runs[i]->name);
        else pending[(*k)++] = runs[i];
    }
    return st;
}

rd_status cmp_rows_as_runs(cmp_run **runs, int n, const char *out, rd_error *err) {
    char path[4200];
    snprintf(path, sizeof path, "%s/results.csv", out);
    rd_result *rows;
    int n_rows;
    rd_status st = rd_results_read(path, &rows, &n_rows, err);
    if (st) return st;
    char *used = rd_calloc((size_t)n_rows + 1, 1);
    for (int j = 0; j < n && !st; j++) {
        cmp_run *r = runs[j];
        const char *group = r->group ? r->group->label : "";
        int at = -1;
        for (int i = 0; i < n_rows && at < 0; i++)
            if (!used[i] && rows[i].seed == r->seed && !strcmp(rows[i].config, cmp_run_label(r)) &&
                (!rows[i].group[0] || !strcmp(rows[i].group, group)))
                at = i;
        if (at >= 0) used[at] = 1;
        char want[9], why[200];
        rd_result_hash(&r->cfg, want);
        if (at < 0)
            st = rd_fail(err, RD_ERR_USAGE, "%s: no row for %s: --report-only reports the rows results.csv has, "
                         "and this command asks for more (run it without --report-only to train them)", path, r->name);
        else if (rows[at].config_hash[0] && strcmp(rows[at].config_hash, want) != 0)
            st = rd_fail(err, RD_ERR_USAGE, "%s:%d: %s seed %llu was made with another config (config_hash %s; this "
                         "command's is %s)", path, at + 2, rows[at].config, rows[at].seed, rows[at].config_hash, want);
        else if (edited(&rows[at], r, why, sizeof why))
            st = rd_fail(err, RD_ERR_USAGE, "%s:%d: %s seed %llu has %s: not the run this command asks for", path,
                         at + 2, rows[at].config, rows[at].seed, why);
        else {
            r->state = RUN_COMMITTED;
            r->row = rows[at];
        }
    }
    /* the report is made from the whole table: a row this command does not
     * ask for would be reported under a command that does not describe it */
    for (int i = 0; i < n_rows && !st; i++)
        if (!used[i])
            st = rd_fail(err, RD_ERR_USAGE, "%s:%d: %s%s%s seed %llu is a run this command does not ask for: "
                         "--report-only reports every row of results.csv, so give it the configs, groups and "
                         "--seeds that made the table (report.md's first lines show the command)", path, i + 2,
                         rows[i].group, rows[i].group[0] ? "/" : "", rows[i].config, rows[i].seed);
    free(used);
    free(rows);
    return st;
}
