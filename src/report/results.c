/* results.csv: one row per finished run, the table the report is made from.
 * Its columns are described once, in COLS, for the writer and the reader. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdrop/files.h"
#include "rdrop/report.h"

typedef enum { T_TEXT, T_U64, T_INT, T_NUM, T_HASH } col_type;

/* `since`: 0 for the columns of the first results.csv, 1 for those added
 * with the consistency diagnostics, 2 for the config hash; an older file
 * lacks them and still reads. */
static const struct {
    const char *name;
    col_type type;
    size_t offset;
    const char *format; /* numbers */
    int since;
} COLS[] = {
    {"config", T_TEXT, offsetof(rd_result, config), NULL, 0},
    {"seed", T_U64, offsetof(rd_result, seed), NULL, 0},
    {"method", T_TEXT, offsetof(rd_result, method), NULL, 1},
    {"alpha", T_NUM, offsetof(rd_result, alpha), "%g", 1},
    {"dropout", T_NUM, offsetof(rd_result, dropout), "%g", 1},
    {"input_dropout", T_NUM, offsetof(rd_result, input_dropout), "%g", 1},
    {"train_size", T_INT, offsetof(rd_result, train_size), NULL, 1},
    {"epochs", T_INT, offsetof(rd_result, epochs), NULL, 0},
    {"final_test_err_pct", T_NUM, offsetof(rd_result, final_err), "%.4f", 0},
    {"best_test_err_pct", T_NUM, offsetof(rd_result, best_err), "%.4f", 0},
    {"best_epoch", T_INT, offsetof(rd_result, best_epoch), NULL, 0},
    {"final_train_ce", T_NUM, offsetof(rd_result, train_ce), "%.6f", 0},
    {"final_train_kl", T_NUM, offsetof(rd_result, train_kl), "%.6f", 0},
    {"final_test_kl", T_NUM, offsetof(rd_result, test_kl), "%.6g", 1},
    {"final_mc_acc", T_NUM, offsetof(rd_result, mc_acc), "%.6f", 1},
    {"seconds_per_epoch", T_NUM, offsetof(rd_result, seconds_per_epoch), "%.3f", 0},
    {"samples_per_second", T_NUM, offsetof(rd_result, samples_per_second), "%.1f", 0},
    {"total_seconds", T_NUM, offsetof(rd_result, total_seconds), "%.3f", 0},
    {"group", T_TEXT, offsetof(rd_result, group), NULL, 2},
    {"config_hash", T_HASH, offsetof(rd_result, config_hash), NULL, 2},
};
enum { N_COLS = sizeof COLS / sizeof COLS[0] };

void rd_result_from_run(const rd_run_curves *c, const rd_config *cfg, const char *config,
                        unsigned long long seed, rd_result *r) {
    memset(r, 0, sizeof *r);
    snprintf(r->config, sizeof r->config, "%s", config);
    r->seed = seed;
    r->alpha = r->dropout = r->input_dropout = NAN;
    snprintf(r->method, sizeof r->method, "unknown");
    if (cfg) {
        snprintf(r->method, sizeof r->method, "%s", cfg->train.method == RD_METHOD_RDROP ? "rdrop" : "dropout");
        r->alpha = cfg->train.method == RD_METHOD_RDROP ? cfg->train.alpha : 0;
        r->dropout = cfg->model.dropout;
        r->input_dropout = cfg->model.input_dropout;
        rd_result_hash(cfg, r->config_hash);
    }
    r->epochs = c->epochs;
    int last = c->epochs - 1;
    double size = c->col[RD_COL_TRAIN_SIZE][last];
    r->train_size = isnan(size) ? -1 : (int)size;
    r->final_err = c->test_err[last];
    r->best_err = INFINITY;
    for (int e = 0; e < c->epochs; e++)
        if (c->test_err[e] < r->best_err) { /* NaN (not evaluated) never wins */
            r->best_err = c->test_err[e];
            r->best_epoch = e + 1;
        }
    r->train_ce = c->col[RD_COL_TRAIN_CE][last];
    r->train_kl = c->col[RD_COL_TRAIN_KL][last];
    r->test_kl = c->col[RD_COL_TEST_KL][last];
    r->mc_acc = c->col[RD_COL_MC_ACC][last];
    double seconds = 0, rate = 0;
    for (int e = 0; e < c->epochs; e++) {
        seconds += c->col[RD_COL_EPOCH_SECONDS][e];
        rate += c->col[RD_COL_SAMPLES_PER_SECOND][e];
    }
    r->total_seconds = seconds;
    r->seconds_per_epoch = seconds / c->epochs;
    r->samples_per_second = rate / c->epochs;
}

void rd_result_hash(const rd_config *cfg, char hash[9]) {
    snprintf(hash, 9, "%08lx", rd_config_hash(cfg, rd_config_model_neutral) & 0xffffffffUL);
}

static void put_field(FILE *f, const rd_result *r, int k) {
    const char *p = (const char *)r + COLS[k].offset;
    double v;
    switch (COLS[k].type) {
    case T_TEXT: /* an empty group: no --group */
        fputs(p[0] || COLS[k].offset == offsetof(rd_result, group) ? p : "unknown", f);
        break;
    case T_HASH: fputs(p, f); break; /* empty: unknown */
    case T_U64: fprintf(f, "%llu", *(const unsigned long long *)p); break;
    case T_INT: fprintf(f, "%d", *(const int *)p); break;
    case T_NUM:
        v = *(const double *)p;
        if (!isnan(v)) fprintf(f, COLS[k].format, v); /* empty: not measured */
        break;
    }
}

rd_status rd_results_write(const char *path, const rd_result *r, int n, rd_error *err) {
    rd_text out; /* written whole, then renamed: never half a table */
    rd_text_open(&out);
    FILE *f = out.f;
    for (int k = 0; k < N_COLS; k++) fprintf(f, "%s%s", k ? "," : "", COLS[k].name);
    fputc('\n', f);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < N_COLS; k++) {
            if (k) fputc(',', f);
            put_field(f, &r[i], k);
            if (k == N_COLS - 1) fputc('\n', f);
        }
    return rd_text_replace(&out, path, err);
}

/* One field; 0 when it is not of the column's type. */
static int get_field(const char *text, rd_result *r, int k) {
    char *p = (char *)r + COLS[k].offset, *end;
    errno = 0;
    switch (COLS[k].type) {
    case T_TEXT: {
        int group = COLS[k].offset == offsetof(rd_result, group); /* "": no --group */
        size_t size = k == 0 ? sizeof r->config : group ? sizeof r->group : sizeof r->method;
        if ((!text[0] && !group) || strlen(text) >= size) return 0;
        memcpy(p, text, strlen(text) + 1);
        return 1;
    }
    case T_U64:
        if (text[0] == '-') return 0;
        *(unsigned long long *)p = strtoull(text, &end, 10);
        break;
    case T_HASH: {
        size_t n = strlen(text);
        if (n != 0 && (n != 8 || strspn(text, "0123456789abcdef") != 8)) return 0;
        memcpy(p, text, n + 1);
        return 1;
    }
    case T_INT: {
        long v = strtol(text, &end, 10);
        if (v < -1 || v > 2147483647L) return 0;
        *(int *)p = (int)v;
        break;
    }
    case T_NUM:
        if (!text[0]) { /* not measured */
            *(double *)p = NAN;
            return 1;
        }
        *(double *)p = strtod(text, &end);
        break;
    }
    return end != text && !*end && errno == 0;
}

/* One data row: fields in the header's order. Returns NULL, or what is
 * wrong with it (why holds the text). Columns the file lacks keep
 * "unknown" values. */
static const char *parse_row(char *line, const int *at, int n_fields, rd_result *r, char *why, size_t size) {
    memset(r, 0, sizeof *r);
    snprintf(r->method, sizeof r->method, "unknown");
    r->alpha = r->dropout = r->input_dropout = r->test_kl = r->mc_acc = NAN;
    r->train_size = -1;
    char *f[64];
    int n = rd_csv_fields(line, f, 64);
    if (n != n_fields) {
        snprintf(why, size, "%d fields where the header has %d", n, n_fields);
        return why;
    }
    for (int k = 0; k < N_COLS; k++)
        if (at[k] >= 0 && !get_field(f[at[k]], r, k)) {
            snprintf(why, size, "%s \"%.40s\" is not a %s", COLS[k].name, f[at[k]],
                     COLS[k].type == T_HASH ? "config hash (8 hex digits)" : COLS[k].type == T_TEXT ? "name"
                                                                                            : "number");
            return why;
        }
    if (r->epochs < 1 || !isfinite(r->final_err)) {
        snprintf(why, size, "no epochs or no final test error");
        return why;
    }
    return NULL;
}

rd_status rd_results_read(const char *path, rd_result **r, int *n, rd_error *err) {
    *r = NULL;
    *n = 0;
    FILE *f;
    if (rd_fopen_regular(path, &f, err) && errno) /* else "PATH: not a regular file" */
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot read: %s", path, strerror(errno));
    if (!f) return RD_ERR_RUNTIME;
    char line[4096], *names[64];
    int at[N_COLS], n_fields = 0;
    if (rd_csv_line(f, line, sizeof line) > 0) n_fields = rd_csv_fields(line, names, 64);
    /* the first version's columns must be there, in any order */
    for (int k = 0; k < N_COLS; k++) {
        at[k] = -1;
        for (int i = 0; i < n_fields; i++)
            if (!strcmp(names[i], COLS[k].name)) at[k] = i;
        if (at[k] < 0 && COLS[k].since == 0) {
            fclose(f);
            return rd_fail(err, RD_ERR_RUNTIME, "%s: not a results.csv (the header has no column \"%s\")", path,
                           COLS[k].name);
        }
    }
    int cap = 0;
    int got;
    for (int row = 2; (got = rd_csv_line(f, line, sizeof line)) != 0; row++) {
        if (*n == cap) *r = rd_realloc(*r, (size_t)(cap = cap ? 2 * cap : 16), sizeof **r);
        char why[160];
        const char *bad = got < 0 ? "a line too long" : parse_row(line, at, n_fields, &(*r)[*n], why, sizeof why);
        if (bad) {
            fclose(f);
            free(*r);
            *r = NULL;
            *n = 0;
            return rd_fail(err, RD_ERR_RUNTIME, "%s:%d: not a results row (%s)", path, row, bad);
        }
        (*n)++;
    }
    fclose(f);
    return RD_OK;
}
