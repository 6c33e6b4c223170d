#include "train/run_files.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The header line: the column names of rdrop/metrics.h. */
static void put_header(FILE *f) {
    for (int i = 0; i < RD_N_COLS; i++) fprintf(f, "%s%s", i ? "," : "", rd_metrics_columns[i].name);
    fputc('\n', f);
}

rd_status rd_make_dirs(const char *path, rd_error *err) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return rd_fail(err, RD_ERR_USAGE, "%s: path too long", path);
    for (char *p = buf + 1;; p++) {
        char c = *p;
        if (c == '/' || c == 0) {
            *p = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot create folder: %s", buf, strerror(errno));
            *p = c;
        }
        if (!c) return RD_OK;
    }
}

static void path_of(char *out, size_t n, const char *dir, const char *name) {
    snprintf(out, n, "%s/%s", dir, name);
}

rd_status rd_metrics_open(const char *dir, int resume, int keep_epochs, rd_error *err) {
    char path[4096], tmp[4200];
    path_of(path, sizeof path, dir, "metrics.csv");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *in = resume ? fopen(path, "r") : NULL;
    FILE *out = fopen(tmp, "w");
    if (!out) {
        if (in) fclose(in);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot write: %s", tmp, strerror(errno));
    }
    put_header(out);
    char line[1024];
    if (in) {
        if (!fgets(line, sizeof line, in)) line[0] = 0; /* the old header */
        while (fgets(line, sizeof line, in))
            if (atoi(line) >= 1 && atoi(line) <= keep_epochs) fputs(line, out);
        fclose(in);
    }
    if (fclose(out) != 0 || rename(tmp, path) != 0)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    return RD_OK;
}

rd_status rd_metrics_append(const char *dir, const rd_metrics_row *r, rd_error *err) {
    char path[4096];
    path_of(path, sizeof path, dir, "metrics.csv");
    FILE *f = fopen(path, "a");
    if (!f) return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot append: %s", path, strerror(errno));
    for (int i = 0; i < RD_N_COLS; i++) {
        if (i) fputc(',', f);
        if (!isnan(r->v[i])) fprintf(f, rd_metrics_columns[i].format, r->v[i]);
    }
    fputc('\n', f);
    if (fclose(f) != 0) return rd_fail(err, RD_ERR_RUNTIME, "%s: write failed: %s", path, strerror(errno));
    return RD_OK;
}
