/* Reading a run folder: DIR/metrics.csv by column name, and DIR/config.ini
 * compared with the config a comparison wants. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/files.h"
#include "rdrop/report.h"

/* The error columns derived from an accuracy column, in percent. */
static const struct {
    const char *name, *title;
    int from;
} ERRORS[] = {
    {"test_err", "Test error (%)", RD_COL_TEST_ACC},
    {"mc_err", "Monte Carlo dropout test error (%)", RD_COL_MC_ACC},
    {"val_err", "Validation error (%)", RD_COL_VAL_ACC},
};
enum { N_ERRORS = sizeof ERRORS / sizeof ERRORS[0] };

static double **error_array(rd_run_curves *c, int k) {
    return k == 0 ? &c->test_err : k == 1 ? &c->mc_err : &c->val_err;
}

static void grow(rd_run_curves *c, int epochs) {
    for (int col = 0; col < RD_N_COLS + N_ERRORS; col++) {
        double **a = col < RD_N_COLS ? &c->col[col] : error_array(c, col - RD_N_COLS);
        *a = rd_realloc(*a, (size_t)epochs, sizeof(double));
        for (int e = c->epochs; e < epochs; e++) (*a)[e] = NAN;
    }
    c->epochs = epochs;
}

/* Columns a report cannot do without; the others may be missing (NaN). */
static const int REQUIRED[] = {RD_COL_EPOCH, RD_COL_TEST_ACC, RD_COL_TRAIN_CE, RD_COL_EPOCH_SECONDS};

rd_status rd_run_read(const char *dir, rd_run_curves *c, rd_error *err) {
    memset(c, 0, sizeof *c);
    char path[4096];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    rd_metrics_table t;
    rd_status st = rd_metrics_read(path, &t, err);
    if (st) return st;
    for (size_t k = 0; k < sizeof REQUIRED / sizeof REQUIRED[0]; k++)
        if (!t.has[REQUIRED[k]]) {
            rd_metrics_table_free(&t);
            return rd_fail(err, RD_ERR_RUNTIME, "%s: no column \"%s\" in the header", path,
                           rd_metrics_columns[REQUIRED[k]].name);
        }
    /* a last row without its line break (being written, or cut) is left out */
    grow(c, t.epochs);
    for (int col = 0; col < RD_N_COLS; col++)
        for (int e = 0; e < t.epochs; e++) c->col[col][e] = t.col[col][e];
    for (int e = 0; e < t.epochs; e++)
        for (int k = 0; k < N_ERRORS; k++) /* accuracy -> error in percent */
            (*error_array(c, k))[e] = 100.0 * (1.0 - c->col[ERRORS[k].from][e]);
    rd_metrics_table_free(&t);
    return RD_OK;
}

void rd_run_free(rd_run_curves *c) {
    for (int col = 0; col < RD_N_COLS; col++) free(c->col[col]);
    for (int k = 0; k < N_ERRORS; k++) free(*error_array(c, k));
    memset(c, 0, sizeof *c);
}

int rd_run_finished(const rd_run_curves *c, int epochs) {
    if (epochs < 1 || c->epochs < epochs || isnan(c->test_err[epochs - 1])) return 0;
    for (int e = 0; e < epochs; e++)
        if (isnan(c->col[RD_COL_EPOCH_SECONDS][e])) return 0;
    return 1;
}

const double *rd_run_metric(const rd_run_curves *c, const char *metric) {
    for (int k = 0; k < N_ERRORS; k++)
        if (!strcmp(metric, ERRORS[k].name)) return *error_array((rd_run_curves *)c, k);
    int col = rd_metrics_find(metric);
    return col > 0 ? c->col[col] : NULL;
}

const char *rd_run_metric_title(const char *metric) {
    for (int k = 0; k < N_ERRORS; k++)
        if (!strcmp(metric, ERRORS[k].name)) return ERRORS[k].title;
    int col = rd_metrics_find(metric);
    return col > 0 ? rd_metrics_columns[col].title : NULL;
}

rd_status rd_run_config_check(const char *dir, const rd_config *want, rd_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/config.ini", dir);
    rd_config have;
    rd_status st = rd_config_load(path, &have, err);
    if (st) return st;
    char key[128], a[1100], b[1100];
    if (rd_config_differs(&have, want, rd_config_model_neutral, key, a, b, sizeof a))
        return rd_fail(err, RD_ERR_USAGE,
                       "%s: %s is \"%s\" but the run asked for has \"%s\"; use another --out "
                       "or delete that run folder", path, key, a, b);
    return RD_OK;
}
