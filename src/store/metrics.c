/* The one table of metrics.csv's columns (rdrop/metrics.h). */
#include "rdrop/metrics.h"

#include <math.h>
#include <string.h>

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

