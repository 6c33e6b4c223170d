/* Helpers shared by the libFuzzer targets: the readers under test take file
 * paths, so each input is written to a file in a private folder on tmpfs.
 * A broken promise (a message that is empty, spans lines or does not name the
 * file) aborts, so libFuzzer reports it like a crash. */
#ifndef RDROP_FUZZ_UTIL_H
#define RDROP_FUZZ_UTIL_H
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdrop/error.h"

static char fuzz_dir[64];

/* A fresh folder for one input (under /dev/shm when it exists)... */
static inline void fuzz_begin(void) {
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/rdrop-fuzz-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(fuzz_dir)) abort();
}

/* ...removed with its files once the input is done. libFuzzer leaves with
 * _Exit, so an atexit handler would not run; a crash keeps its folder. */
static inline void fuzz_end(void) {
    DIR *d = opendir(fuzz_dir);
    struct dirent *e;
    char path[400];
    while (d && (e = readdir(d)) != NULL) {
        snprintf(path, sizeof path, "%s/%s", fuzz_dir, e->d_name);
        if (e->d_name[0] != '.') unlink(path);
    }
    if (d) closedir(d);
    rmdir(fuzz_dir);
}

/* fuzz_dir/name (a static buffer). */
static inline const char *fuzz_path(const char *name) {
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
    return path;
}

/* Each target defines fuzz_one; this wraps it in a folder of its own. */
static int fuzz_one(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_begin();
    int r = fuzz_one(data, size);
    fuzz_end();
    return r;
}

static inline void fuzz_write(const char *path, const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) abort();
}

/* The error contract: status 1 or 2, one non-empty line, naming `name`
 * (when not NULL). */
static inline void fuzz_check_error(rd_status st, const rd_error *err, const char *name) {
    if (st != RD_ERR_RUNTIME && st != RD_ERR_USAGE) {
        fprintf(stderr, "bad status %d\n", (int)st);
        abort();
    }
    if (!err->msg[0] || strchr(err->msg, '\n') || (name && !strstr(err->msg, name))) {
        fprintf(stderr, "bad message: \"%s\" (should be one line naming %s)\n", err->msg,
                name ? name : "-");
        abort();
    }
}

#endif
