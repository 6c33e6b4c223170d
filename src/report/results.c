/* results.csv: one row per finished run, the table the report is made from. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/report.h"

static const char HEADER[] =
    "config,seed,epochs,final_test_err_pct,best_test_err_pct,best_epoch,final_train_ce,"
    "final_train_kl,seconds_per_epoch,samples_per_second,total_seconds";

void rd_result_from_run(const rd_run_curves *c, const char *config, unsigned long long seed,
                        rd_result *r) {
    memset(r, 0, sizeof *r);
    snprintf(r->config, sizeof r->config, "%s", config);
    r->seed = seed;
    r->epochs = c->epochs;
    int last = c->epochs - 1;
    r->final_err = c->test_err[last];
    r->best_err = INFINITY;
    for (int e = 0; e < c->epochs; e++)
        if (c->test_err[e] < r->best_err) { /* NaN (not evaluated) never wins */
            r->best_err = c->test_err[e];
            r->best_epoch = e + 1;
        }
    r->train_ce = c->train_ce[last];
    r->train_kl = c->train_kl[last];
    double seconds = 0, rate = 0;
    for (int e = 0; e < c->epochs; e++) {
        seconds += c->seconds[e];
        rate += c->samples_per_second[e];
    }
    r->total_seconds = seconds;
    r->seconds_per_epoch = seconds / c->epochs;
    r->samples_per_second = rate / c->epochs;
}

rd_status rd_results_write(const char *path, const rd_result *r, int n, rd_error *err) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot write: %s", tmp, strerror(errno));
    fprintf(f, "%s\n", HEADER);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s,%llu,%d,%.4f,%.4f,%d,%.6f,%.6f,%.3f,%.1f,%.3f\n", r[i].config, r[i].seed,
                r[i].epochs, r[i].final_err, r[i].best_err, r[i].best_epoch, r[i].train_ce,
                r[i].train_kl, r[i].seconds_per_epoch, r[i].samples_per_second, r[i].total_seconds);
    /* written whole, then renamed: an interrupted write never leaves half a table */
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    return RD_OK;
}

/* One data row; 0 when it does not have the 11 fields with numbers. */
static int parse_row(char *line, rd_result *r) {
    memset(r, 0, sizeof *r);
    line[strcspn(line, "\r\n")] = 0;
    char *comma = strchr(line, ',');
    if (!comma || comma == line || comma - line >= (long)sizeof r->config) return 0;
    memcpy(r->config, line, (size_t)(comma - line));
    int used = 0;
    int got = sscanf(comma + 1, "%llu,%d,%lf,%lf,%d,%lf,%lf,%lf,%lf,%lf%n", &r->seed, &r->epochs,
                     &r->final_err, &r->best_err, &r->best_epoch, &r->train_ce, &r->train_kl,
                     &r->seconds_per_epoch, &r->samples_per_second, &r->total_seconds, &used);
    return got == 10 && comma[1 + used] == 0 && r->epochs >= 1 && isfinite(r->final_err);
}

rd_status rd_results_read(const char *path, rd_result **r, int *n, rd_error *err) {
    *r = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot read: %s", path, strerror(errno));
    char line[2048];
    if (!fgets(line, sizeof line, f) || strncmp(line, HEADER, sizeof HEADER - 1) != 0) {
        fclose(f);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: not a results.csv (the header differs)", path);
    }
    int cap = 0;
    for (int row = 2; fgets(line, sizeof line, f); row++) {
        if (*n == cap) *r = rd_realloc(*r, (size_t)(cap = cap ? 2 * cap : 16), sizeof **r);
        if (!parse_row(line, &(*r)[*n])) {
            fclose(f);
            free(*r);
            *r = NULL;
            *n = 0;
            return rd_fail(err, RD_ERR_RUNTIME, "%s:%d: not a results row", path, row);
        }
        (*n)++;
    }
    fclose(f);
    return RD_OK;
}
