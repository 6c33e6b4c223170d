/* Helpers shared by the libFuzzer targets: the readers under test take file
 * paths, so each input is written to a file in a private folder on tmpfs.
 * A broken promise (a message that is empty, spans lines or does not name the
 * file) aborts, so libFuzzer reports it like a crash. */
#ifndef RDROP_FUZZ_UTIL_H
#define RDROP_FUZZ_UTIL_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdrop/error.h"

/* dir/name, in a folder made once per process (under /dev/shm when it exists). */
static inline const char *fuzz_path(const char *name) {
    static char dir[64];
    static char path[128];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/rdrop-fuzz-XXXXXX",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
        if (!mkdtemp(dir)) abort();
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
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
