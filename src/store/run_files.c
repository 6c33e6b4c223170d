#include "store/run_files.h"

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

/* The rows a resumed run keeps, checked: epochs 1..keep in order, each with
 * the header's number of fields, every field empty or a number. They are
 * written out under the current header, column by column by name (a run
 * begun by an older rdrop gets empty fields for the newer columns). */
static rd_status copy_rows(FILE *in, FILE *out, const char *path, int keep, rd_error *err) {
    enum { MAX = 64 };
    char head[4096], line[4096], *names[MAX], *f[MAX];
    int got = rd_csv_line(in, head, sizeof head);
    if (got == 0) return rd_fail(err, RD_ERR_RUNTIME, "%s: empty, no header", path);
    if (got < 0) return rd_fail(err, RD_ERR_RUNTIME, "%s: not a metrics.csv (its header)", path);
    int n = rd_csv_fields(head, names, MAX), at[RD_N_COLS];
    for (int c = 0; c < RD_N_COLS; c++) {
        at[c] = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(names[i], rd_metrics_columns[c].name)) at[c] = i;
    }
    if (at[RD_COL_EPOCH] != 0) return rd_fail(err, RD_ERR_RUNTIME, "%s: not a metrics.csv (its header)", path);
    for (int epoch = 1, row = 2; epoch <= keep; epoch++, row++) {
        got = rd_csv_line(in, line, sizeof line);
        if (got == 0)
            return rd_fail(err, RD_ERR_RUNTIME, "%s: has %d epochs but last.ckpt is at epoch %d", path, epoch - 1,
                           keep);
        if (got < 0) return rd_fail(err, RD_ERR_RUNTIME, "%s:%d: too long or not text", path, row);
        if (got == 2) return rd_fail(err, RD_ERR_RUNTIME, "%s:%d: line cut short", path, row);
        int k = rd_csv_fields(line, f, MAX);
        char *end;
        if (k != n || strtol(f[0], &end, 10) != epoch || *end)
            return rd_fail(err, RD_ERR_RUNTIME, "%s:%d: not the row of epoch %d", path, row, epoch);
        for (int i = 1; i < k; i++) {
            double v = f[i][0] ? strtod(f[i], &end) : 0;
            if (f[i][0] && (*end || isnan(v)))
                return rd_fail(err, RD_ERR_RUNTIME, "%s:%d: field %d \"%s\" is not a number", path, row, i + 1, f[i]);
        }
        for (int c = 0; c < RD_N_COLS; c++) fprintf(out, "%s%s", c ? "," : "", at[c] >= 0 ? f[at[c]] : "");
        fputc('\n', out);
    }
    return RD_OK; /* rows after `keep` (written after the checkpoint) are dropped */
}

rd_status rd_metrics_open(const char *dir, int resume, int keep_epochs, rd_error *err) {
    char path[4096];
    path_of(path, sizeof path, dir, "metrics.csv");
    FILE *in = NULL;
    if (resume && keep_epochs > 0 && rd_fopen_regular(path, &in, err)) {
        if (errno) /* else "PATH: not a regular file" */
            rd_fail(err, RD_ERR_RUNTIME, "%s: cannot read: %s (a resumed run keeps its rows)", path, strerror(errno));
        return RD_ERR_RUNTIME;
    }
    rd_text out; /* the new file is written whole, over the old one */
    rd_text_open(&out);
    put_header(out.f);
    rd_status st = in ? copy_rows(in, out.f, path, keep_epochs, err) : RD_OK;
    if (in && !st && ferror(in)) st = rd_fail(err, RD_ERR_RUNTIME, "%s: read error", path);
    if (in) fclose(in);
    if (st) {
        rd_text_free(&out);
        return st;
    }
    return rd_text_replace(&out, path, err);
}

rd_status rd_metrics_append(const char *dir, const rd_metrics_row *r, rd_error *err) {
    char path[4096];
    path_of(path, sizeof path, dir, "metrics.csv");
    rd_text row; /* one write of the whole line, checked */
    rd_text_open(&row);
    for (int i = 0; i < RD_N_COLS; i++) {
        if (i) fputc(',', row.f);
        if (!isnan(r->v[i])) fprintf(row.f, rd_metrics_columns[i].format, r->v[i]);
    }
    fputc('\n', row.f);
    rd_status st = fflush(row.f) || ferror(row.f) ? rd_fail(err, RD_ERR_RUNTIME, "%s: out of memory", path)
                                                  : rd_append_file(path, row.data, row.len, err);
    rd_text_free(&row);
    return st;
}

/* The epochs with a row in dir/metrics.csv (0 when there is no such file). */
static int metrics_rows(const char *dir) {
    char path[4096], line[1024];
    path_of(path, sizeof path, dir, "metrics.csv");
    FILE *f;
    int rows = 0;
    if (access(path, F_OK) != 0 || rd_fopen_regular(path, &f, NULL)) return 0;
    if (rd_csv_line(f, line, sizeof line) > 0)
        for (int got; (got = rd_csv_line(f, line, sizeof line)) != 0;) rows += got > 0 && atoi(line) >= 1;
    fclose(f);
    return rows;
}

rd_status rd_run_claim(const char *dir, int resume, int force, int *lock, rd_error *err) {
    rd_status st = rd_lock_dir(dir, lock, err);
    if (st || resume) return st;
    char path[4096], what[256] = "";
    struct stat s;
    for (int i = 0; i < 2; i++) {
        path_of(path, sizeof path, dir, CKPTS[i]);
        if (lstat(path, &s) == 0)
            snprintf(what + strlen(what), sizeof what - strlen(what), "%s%s", what[0] ? ", " : "", CKPTS[i]);
    }
    int rows = metrics_rows(dir);
    if (rows)
        snprintf(what + strlen(what), sizeof what - strlen(what), "%s%d epoch%s in metrics.csv", what[0] ? ", " : "",
                 rows, rows == 1 ? "" : "s");
    if (!what[0] || force) return RD_OK;
    rd_unlock_dir(*lock);
    *lock = -1;
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
