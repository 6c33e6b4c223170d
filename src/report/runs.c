/* Reading a run folder: DIR/metrics.csv by column name, and DIR/config.ini
 * compared with the config a comparison wants. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/report.h"
#include "train/config_keys.h"

enum { C_EPOCH, C_TEST_ACC, C_TEST_LOSS, C_TRAIN_LOSS, C_TRAIN_CE, C_TRAIN_KL, C_SECONDS, C_RATE, N_COLS };
static const char *const COLUMN[N_COLS] = {"epoch", "test_acc", "test_loss", "train_loss",
                                           "train_ce", "train_kl", "epoch_seconds",
                                           "samples_per_second"};

static double **field(rd_run_curves *c, int col) {
    switch (col) {
    case C_TEST_ACC: return &c->test_err;
    case C_TEST_LOSS: return &c->test_loss;
    case C_TRAIN_LOSS: return &c->train_loss;
    case C_TRAIN_CE: return &c->train_ce;
    case C_TRAIN_KL: return &c->train_kl;
    case C_SECONDS: return &c->seconds;
    default: return &c->samples_per_second;
    }
}

/* Splits a CSV line in place; returns the number of fields. */
static int split(char *line, char **f, int max) {
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < max;) {
        f[n++] = p;
        p = strchr(p, ',');
        if (!p) break;
        *p++ = 0;
    }
    return n;
}

static void grow(rd_run_curves *c, int epochs) {
    for (int col = 1; col < N_COLS; col++) {
        double **a = field(c, col);
        *a = rd_realloc(*a, (size_t)epochs, sizeof(double));
        for (int e = c->epochs; e < epochs; e++) (*a)[e] = NAN;
    }
    c->epochs = epochs;
}

rd_status rd_run_read(const char *dir, rd_run_curves *c, rd_error *err) {
    memset(c, 0, sizeof *c);
    char path[4096], line[2048], *f[64];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *in = fopen(path, "r");
    if (!in) return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot read: %s", path, strerror(errno));
    int at[N_COLS], n = fgets(line, sizeof line, in) ? split(line, f, 64) : 0;
    for (int col = 0; col < N_COLS; col++) {
        at[col] = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(f[i], COLUMN[col])) at[col] = i;
        if (at[col] < 0) {
            fclose(in);
            return rd_fail(err, RD_ERR_RUNTIME, "%s: no column \"%s\" in the header", path, COLUMN[col]);
        }
    }
    for (int row = 2; fgets(line, sizeof line, in); row++) {
        n = split(line, f, 64);
        char *end;
        long epoch = strtol(f[0], &end, 10);
        if (n <= at[C_EPOCH] || *end || epoch < 1 || epoch > 1000000) {
            fclose(in);
            rd_run_free(c);
            return rd_fail(err, RD_ERR_RUNTIME, "%s:%d: not a metrics row", path, row);
        }
        if (epoch > c->epochs) grow(c, (int)epoch);
        for (int col = 1; col < N_COLS; col++) {
            double v = at[col] < n && f[at[col]][0] ? strtod(f[at[col]], &end) : NAN;
            if (at[col] < n && f[at[col]][0] && *end) v = NAN;
            if (col == C_TEST_ACC) v = 100.0 * (1.0 - v); /* accuracy -> error in percent */
            (*field(c, col))[epoch - 1] = v;
        }
    }
    fclose(in);
    return RD_OK;
}

void rd_run_free(rd_run_curves *c) {
    for (int col = 1; col < N_COLS; col++) free(*field(c, col));
    memset(c, 0, sizeof *c);
}

int rd_run_finished(const rd_run_curves *c, int epochs) {
    if (epochs < 1 || c->epochs < epochs || isnan(c->test_err[epochs - 1])) return 0;
    for (int e = 0; e < epochs; e++)
        if (isnan(c->seconds[e])) return 0;
    return 1;
}

const double *rd_run_metric(const rd_run_curves *c, const char *metric) {
    if (!strcmp(metric, "test_err")) return c->test_err;
    if (!strcmp(metric, "test_loss")) return c->test_loss;
    if (!strcmp(metric, "train_loss")) return c->train_loss;
    if (!strcmp(metric, "train_ce")) return c->train_ce;
    if (!strcmp(metric, "train_kl")) return c->train_kl;
    return NULL;
}

rd_status rd_run_config_check(const char *dir, const rd_config *want, rd_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/config.ini", dir);
    rd_config have;
    rd_status st = rd_config_load(path, &have, err);
    if (st) return st;
    size_t n;
    const rd_config_key *keys = rd_config_keys(&n);
    char a[1100], b[1100];
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(keys[i].name, "threads") || !strcmp(keys[i].name, "memory_limit_mb") ||
            !strcmp(keys[i].name, "mc_passes"))
            continue;
        rd_key_format(&keys[i], &have, a, sizeof a);
        rd_key_format(&keys[i], want, b, sizeof b);
        if (strcmp(a, b) != 0)
            return rd_fail(err, RD_ERR_USAGE,
                           "%s: %s.%s is \"%s\" but this comparison wants \"%s\"; use another --out "
                           "or delete that run folder", path, keys[i].section, keys[i].name, a, b);
    }
    return RD_OK;
}
