/* metrics.csv: a run folder's table, one row per epoch. Its columns are
 * described once, here, and read by the trainer that writes the file, the
 * reports that read it back and `rdrop plot`. */
#ifndef RDROP_METRICS_H
#define RDROP_METRICS_H

#include <stdio.h>

#include "rdrop/error.h"

typedef enum {
    RD_COL_EPOCH,
    RD_COL_LR,
    RD_COL_TRAIN_LOSS,
    RD_COL_TRAIN_CE,
    RD_COL_TRAIN_KL,
    RD_COL_TRAIN_ACC,
    RD_COL_TEST_LOSS,
    RD_COL_TEST_ACC,
    RD_COL_EPOCH_SECONDS,
    RD_COL_SAMPLES_PER_SECOND,
    RD_COL_VAL_LOSS,
    RD_COL_VAL_ACC,
    RD_COL_TEST_KL,
    RD_COL_MC_ACC,
    RD_COL_TRAIN_SIZE,
    RD_N_COLS
} rd_metrics_col;

typedef struct {
    const char *name;   /* the header's name */
    const char *format; /* printf format of a value */
    const char *title;  /* a chart's title */
    const char *help;   /* what it holds (README, `rdrop plot --help`) */
} rd_metrics_column;

/* The columns, in file order. */
extern const rd_metrics_column rd_metrics_columns[RD_N_COLS];
/* The column with this header name, or -1. */
int rd_metrics_find(const char *name);

/* One row: v[col]; NaN where the epoch has no value (test columns in
 * epochs that were not evaluated, val columns without a validation set). */
typedef struct {
    double v[RD_N_COLS];
} rd_metrics_row;

/* Every value NaN. */
void rd_metrics_row_clear(rd_metrics_row *r);

/* A metrics.csv read back: epochs 1..epochs in order, each column found by
 * its name in the header (NaN where a field is empty, or for a column the
 * file does not have: one written by an older rdrop). */
typedef struct {
    int epochs;
    double *col[RD_N_COLS]; /* col[c][e]: the value of epoch e + 1 */
    int has[RD_N_COLS];     /* 1: the header names column c */
    int cut; /* 1: the last line had no line break (a write cut short, or one
                still being written) and was left out */
} rd_metrics_table;

/* The one reader of metrics.csv, strict: a header whose first column is
 * epoch, then rows with the header's number of fields, each field empty or
 * a number, epoch k on line k + 1. Anything else is RD_ERR_RUNTIME naming
 * the file and line. */
rd_status rd_metrics_read(const char *path, rd_metrics_table *t, rd_error *err);
void rd_metrics_table_free(rd_metrics_table *t);

/* Splits one CSV line (no quoting: rdrop's tables have none) in place at
 * its commas, after cutting its line break: fields[0..n), n <= max. */
int rd_csv_fields(char *line, char **fields, int max);

/* Reads one line of a CSV file into line[size] (its line break cut): 1 for
 * a line, 2 for a last line without a line break (a write cut short), 0 at
 * the end of the file, -1 for a line that does not fit or holds a NUL byte. fgets would hand the rest of a long line over as the next
 * row, and stop a NUL byte's line early: both a silently different table. */
int rd_csv_line(FILE *f, char *line, size_t size);

#endif
