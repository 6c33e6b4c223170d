#include "rdrop/error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rd_status rd_fail(rd_error *err, rd_status status, const char *fmt, ...) {
    if (err) {
        /* A message that does not fit (a path of 4,000 characters) loses its
         * middle, not its end: the end says what was wrong. */
        char full[8192];
        va_list ap;
        va_start(ap, fmt);
        int len = vsnprintf(full, sizeof full, fmt, ap);
        va_end(ap);
        if (len < 0) len = 0;
        if ((size_t)len >= sizeof full) len = sizeof full - 1;
        if ((size_t)len < sizeof err->msg) memcpy(err->msg, full, (size_t)len + 1);
        else {
            enum { HEAD = 256, DOTS = 3 };
            size_t tail = sizeof err->msg - 1 - HEAD - DOTS;
            memcpy(err->msg, full, HEAD);
            memcpy(err->msg + HEAD, "...", DOTS);
            memcpy(err->msg + HEAD + DOTS, full + len - tail, tail + 1);
        }
        /* One line, whatever the message quotes (a --set value, a PNG chunk
         * name from stb_image): control characters become '?'. */
        for (char *c = err->msg; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
        err->status = status;
    }
    return status;
}

int rd_mul_overflows(size_t a, size_t b) { return b != 0 && a > SIZE_MAX / b; }

/* The size first, in units a user reads (the source line is for a bug report). */
_Noreturn void rd_die_alloc(size_t count, size_t size, const char *file, int line) {
    double bytes = (double)count * (double)size;
    const char *unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024 && u < 6) bytes /= 1024, u++;
    fprintf(stderr, "rdrop: out of memory: could not allocate %.1f %s (%zu x %zu bytes, at %s:%d); "
            "a smaller model, batch or data set needs less\n", bytes, unit[u], count, size, file, line);
    exit(1);
}

void *rd_malloc_at(size_t count, size_t size, const char *file, int line) {
    if (rd_mul_overflows(count, size)) rd_die_alloc(count, size, file, line);
    void *p = malloc(count && size ? count * size : 1);
    if (!p) rd_die_alloc(count, size, file, line);
    return p;
}

void *rd_calloc_at(size_t count, size_t size, const char *file, int line) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) rd_die_alloc(count, size, file, line);
    return p;
}

void *rd_realloc_at(void *p, size_t count, size_t size, const char *file, int line) {
    if (rd_mul_overflows(count, size)) rd_die_alloc(count, size, file, line);
    void *q = realloc(p, count && size ? count * size : 1);
    if (!q) rd_die_alloc(count, size, file, line);
    return q;
}
