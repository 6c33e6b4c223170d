#include "rdrop/run_folder.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rdrop/files.h"

/* The header line: the column names of rdrop/metrics.h. */
static void put_header(FILE *f) {
    for (int i = 0; i < RD_N_COLS; i++) fprintf(f, "%s%s", i ? "," : "", rd_metrics_columns[i].name);
    fputc('\n', f);
}

/* What makes a folder hold a run, beside rows in metrics.csv. */
static const char *const CKPTS[] = {"last.ckpt", "best.ckpt"};

static void path_of(char *out, size_t n, const char *dir, const char *name) {
    snprintf(out, n, "%s/%s", dir, name);
}

/* Writes the value of each column as the trainer writes it (empty: NaN). */
static void put_row(FILE *f, const double *v) {
    for (int i = 0; i < RD_N_COLS; i++) {
        if (i) fputc(',', f);
        if (!isnan(v[i])) fprintf(f, rd_metrics_columns[i].format, v[i]);
    }
    fputc('\n', f);
}

/* The rows a resumed run keeps, epochs 1..keep, read back (rd_metrics_read)
 * and written out under the current header (a run begun by an older rdrop
 * gets empty fields for the newer columns). */
static rd_status copy_rows(const char *path, FILE *out, int keep, rd_error *err) {
    rd_metrics_table t;
    rd_status st = rd_metrics_read(path, &t, err);
    if (st) return st;
    if (t.epochs < keep)
        st = t.cut && t.epochs == keep - 1
                 ? rd_fail(err, RD_ERR_RUNTIME, "%s:%d: line cut short", path, keep + 1)
                 : rd_fail(err, RD_ERR_RUNTIME, "%s: has %d epochs but last.ckpt is at epoch %d", path, t.epochs, keep);
    for (int e = 0; e < keep && !st; e++) { /* rows after `keep` (written after the checkpoint) are dropped */
        double v[RD_N_COLS];
        for (int c = 0; c < RD_N_COLS; c++) v[c] = t.col[c][e];
        v[RD_COL_EPOCH] = e + 1;
        put_row(out, v);
    }
    rd_metrics_table_free(&t);
    return st;
}

rd_status rd_metrics_begin(const char *dir, int resume, int keep_epochs, rd_text *out, rd_error *err) {
    char path[4096];
    path_of(path, sizeof path, dir, "metrics.csv");
    rd_text_open(out);
    put_header(out->f);
    rd_status st = resume && keep_epochs > 0 ? copy_rows(path, out->f, keep_epochs, err) : RD_OK;
    if (!st && (fflush(out->f) || ferror(out->f))) st = rd_fail(err, RD_ERR_RUNTIME, "%s: out of memory", path);
    if (st) rd_text_free(out);
    return st;
}

rd_status rd_metrics_append(const char *dir, const rd_metrics_row *r, long long *size_before, rd_error *err) {
    char path[4096];
    path_of(path, sizeof path, dir, "metrics.csv");
    struct stat s;
    *size_before = stat(path, &s) == 0 ? (long long)s.st_size : 0;
    rd_text row; /* one write of the whole line, checked */
    rd_text_open(&row);
    put_row(row.f, r->v);
    rd_status st = fflush(row.f) || ferror(row.f) ? rd_fail(err, RD_ERR_RUNTIME, "%s: out of memory", path)
                                                  : rd_append_file(path, row.data, row.len, err);
    rd_text_free(&row);
    return st;
}

void rd_metrics_unappend(const char *dir, long long size_before) {
    char path[4096];
    path_of(path, sizeof path, dir, "metrics.csv");
    if (truncate(path, (off_t)size_before) != 0) {
        /* the caller reports the failure that led here; the row stays */
    }
}

/* What dir/metrics.csv says of a run there, for the claim's message: its
 * epochs ("" when there is no such file, or no epoch in it). */
static void metrics_rows(const char *dir, char *what, size_t n) {
    char path[4096];
    path_of(path, sizeof path, dir, "metrics.csv");
    rd_metrics_table t;
    struct stat s;
    what[0] = 0;
    if (stat(path, &s) != 0 || (S_ISREG(s.st_mode) && s.st_size == 0)) return; /* none, or empty */
    if (rd_metrics_read(path, &t, NULL) != RD_OK) {
        snprintf(what, n, "a metrics.csv that cannot be read");
        return;
    }
    if (t.epochs) snprintf(what, n, "%d epoch%s in metrics.csv", t.epochs, t.epochs == 1 ? "" : "s");
    rd_metrics_table_free(&t);
}

rd_status rd_run_claim(const char *dir, int resume, int force, int *lock, rd_error *err) {
    rd_status st = rd_lock_dir(dir, lock, err);
    if (st || resume) return st;
    char path[4096], what[256] = "";
    struct stat s;
    int last = 0;
    for (int i = 0; i < 2; i++) {
        path_of(path, sizeof path, dir, CKPTS[i]);
        if (lstat(path, &s) == 0) {
            snprintf(what + strlen(what), sizeof what - strlen(what), "%s%s", what[0] ? ", " : "", CKPTS[i]);
            last |= i == 0;
        }
    }
    char rows[64];
    metrics_rows(dir, rows, sizeof rows);
    if (rows[0]) snprintf(what + strlen(what), sizeof what - strlen(what), "%s%s", what[0] ? ", " : "", rows);
    if (!what[0] || force) return RD_OK;
    rd_unlock_dir(*lock);
    *lock = -1;
    /* advice that works: --resume needs a last.ckpt */
    if (!last)
        return rd_fail(err, RD_ERR_USAGE, "%s already holds a run (%s) but no last.ckpt to continue it from: "
                       "start it over with --force", dir, what);
    return rd_fail(err, RD_ERR_USAGE, "%s already holds a run (%s): continue it with --resume %s, "
                   "or start it over with --force", dir, what, dir);
}

rd_status rd_run_clear(const char *dir, rd_error *err) {
    char path[4096];
    for (int i = 0; i < 2; i++) {
        path_of(path, sizeof path, dir, CKPTS[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot remove the old run's checkpoint: %s", path,
                           strerror(errno));
    }
    return RD_OK;
}
