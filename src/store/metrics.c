/* metrics.csv: the one table of its columns, and its one reader
 * (rdrop/metrics.h). */
#include "rdrop/metrics.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/files.h"

const rd_metrics_column rd_metrics_columns[RD_N_COLS] = {
    [RD_COL_EPOCH] = {"epoch", "%.0f", "Epoch", "the epoch, from 1"},
    [RD_COL_LR] = {"lr", "%.6g", "Learning rate", "learning rate at the end of the epoch"},
    [RD_COL_TRAIN_LOSS] = {"train_loss", "%.6f", "Training loss",
                           "loss, mean over the epoch's batches (R-Drop's includes alpha x KL)"},
    [RD_COL_TRAIN_CE] = {"train_ce", "%.6f", "Training cross-entropy", "cross-entropy, epoch mean"},
    [RD_COL_TRAIN_KL] = {"train_kl", "%.6f", "Training KL term",
                         "R-Drop's KL term before alpha, epoch mean (0 for dropout)"},
    [RD_COL_TRAIN_ACC] = {"train_acc", "%.6f", "Training accuracy",
                          "accuracy over all rows trained (both copies for R-Drop)"},
    [RD_COL_TEST_LOSS] = {"test_loss", "%.6f", "Test loss", "cross-entropy on the test set"},
    [RD_COL_TEST_ACC] = {"test_acc", "%.6f", "Test accuracy", "accuracy on the test set"},
    [RD_COL_EPOCH_SECONDS] = {"epoch_seconds", "%.3f", "Seconds per epoch",
                              "training seconds of the epoch (evaluation not counted)"},
    [RD_COL_SAMPLES_PER_SECOND] = {"samples_per_second", "%.1f", "Throughput",
                                   "training samples per second (R-Drop's copy not counted)"},
    [RD_COL_VAL_LOSS] = {"val_loss", "%.6f", "Validation loss", "cross-entropy on the validation split"},
    [RD_COL_VAL_ACC] = {"val_acc", "%.6f", "Validation accuracy", "accuracy on the validation split"},
    [RD_COL_TEST_KL] = {"test_kl", "%.6g", "Test KL between dropout passes",
                        "mean over test images of [KL(p_a||p_b) + KL(p_b||p_a)] / 4 between dropout "
                        "passes (all pairs of train.mc_passes)"},
    [RD_COL_MC_ACC] = {"mc_acc", "%.6f", "Monte Carlo dropout accuracy",
                       "test accuracy of the mean of train.mc_passes dropout passes"},
    [RD_COL_TRAIN_SIZE] = {"train_size", "%.0f", "Training samples", "samples trained on"},
};

int rd_metrics_find(const char *name) {
    for (int i = 0; i < RD_N_COLS; i++)
        if (!strcmp(rd_metrics_columns[i].name, name)) return i;
    return -1;
}

void rd_metrics_row_clear(rd_metrics_row *r) {
    for (int i = 0; i < RD_N_COLS; i++) r->v[i] = NAN;
}

int rd_csv_fields(char *line, char **fields, int max) {
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < max;) {
        fields[n++] = p;
        p = strchr(p, ',');
        if (!p) break;
        *p++ = 0;
    }
    return n;
}

int rd_csv_line(FILE *f, char *line, size_t size) {
    size_t len = 0;
    int c;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (c == '\0' || len + 1 >= size) return -1;
        line[len++] = (char)c;
    }
    if (c == EOF && len == 0) return 0;
    line[len] = '\0';
    return c == EOF ? 2 : 1;
}


enum { MAX_FIELDS = 64, LINE = 4096 };

void rd_metrics_table_free(rd_metrics_table *t) {
    for (int c = 0; c < RD_N_COLS; c++) free(t->col[c]);
    memset(t, 0, sizeof *t);
}

/* Row `line` (epoch line - 1) of fields f[0..n) into the table. */
static rd_status add_row(rd_metrics_table *t, const char *path, int line, char **f, int n, int n_head,
                         const int *at, rd_error *err) {
    int epoch = line - 1;
    char *end = "";
    long e = n ? strtol(f[0], &end, 10) : 0;
    if (n != n_head || *end || end == f[0])
        return rd_fail(err, RD_ERR_RUNTIME, "%s:%d: not the row of epoch %d (%d fields, the header has %d)", path,
                       line, epoch, n, n_head);
    if (e != epoch) return rd_fail(err, RD_ERR_RUNTIME, "%s:%d: epoch %ld where epoch %d belongs", path, line, e, epoch);
    for (int i = 1; i < n; i++) {
        double v = f[i][0] ? strtod(f[i], &end) : 0;
        if (f[i][0] && (*end || isnan(v)))
            return rd_fail(err, RD_ERR_RUNTIME, "%s:%d: field %d \"%s\" is not a number", path, line, i + 1, f[i]);
    }
    t->epochs = epoch;
    for (int c = 0; c < RD_N_COLS; c++) {
        t->col[c] = rd_realloc(t->col[c], (size_t)epoch, sizeof(double));
        t->col[c][epoch - 1] = at[c] >= 0 && f[at[c]][0] ? strtod(f[at[c]], NULL) : NAN;
    }
    return RD_OK;
}

rd_status rd_metrics_read(const char *path, rd_metrics_table *t, rd_error *err) {
    memset(t, 0, sizeof *t);
    FILE *in;
    if (rd_fopen_regular(path, &in, err)) {
        if (errno) /* else "PATH: not a regular file" */
            rd_fail(err, RD_ERR_RUNTIME, "%s: cannot read: %s", path, strerror(errno));
        return RD_ERR_RUNTIME;
    }
    char *line = rd_malloc(LINE, 1), *f[MAX_FIELDS];
    int at[RD_N_COLS], got = rd_csv_line(in, line, LINE), n_head = got > 0 ? rd_csv_fields(line, f, MAX_FIELDS) : 0;
    rd_status st = RD_OK;
    if (got == 0) st = rd_fail(err, RD_ERR_RUNTIME, "%s: empty, no header", path);
    else if (got < 0 || n_head == MAX_FIELDS || strcmp(f[0], "epoch"))
        st = rd_fail(err, RD_ERR_RUNTIME, "%s: not a metrics.csv (its header)", path);
    for (int c = 0; c < RD_N_COLS && !st; c++) {
        at[c] = -1;
        for (int i = 0; i < n_head; i++)
            if (!strcmp(f[i], rd_metrics_columns[c].name)) at[c] = i;
        t->has[c] = at[c] >= 0;
    }
    for (int row = 2; !st && (got = rd_csv_line(in, line, LINE)) != 0; row++) {
        if (got < 0) st = rd_fail(err, RD_ERR_RUNTIME, "%s:%d: too long or not text", path, row);
        else if (got == 2) { /* the last line, without its line break */
            t->cut = 1;
            break;
        } else st = add_row(t, path, row, f, rd_csv_fields(line, f, MAX_FIELDS), n_head, at, err);
    }
    if (!st && ferror(in)) st = rd_fail(err, RD_ERR_RUNTIME, "%s: read error", path);
    fclose(in);
    free(line);
    if (st) rd_metrics_table_free(t);
    return st;
}
