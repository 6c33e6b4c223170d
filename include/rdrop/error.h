/* Errors: every function that can fail returns an rd_status and fills an
 * rd_error with one line naming the file or key and what was wrong.
 * The status doubles as the CLI's exit code. */
#ifndef RDROP_ERROR_H
#define RDROP_ERROR_H
#include <stddef.h>

typedef enum {
    RD_OK = 0,
    RD_ERR_RUNTIME = 1, /* I/O, bad data file, non-finite loss: exit status 1 */
    RD_ERR_USAGE = 2    /* bad flag, bad config value: exit status 2 */
} rd_status;

typedef struct {
    rd_status status;
    char msg[1024];
} rd_error;

/* Formats the message into err (when not NULL) and returns status. */
rd_status rd_fail(rd_error *err, rd_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Allocation that cannot return NULL: on failure it prints file:line and exits
 * with status 1 (the llm.c mallocCheck idea). Sizes are multiplied with an
 * overflow check. */
void *rd_malloc_at(size_t count, size_t size, const char *file, int line);
/* Reports that count x size bytes could not be allocated, and exits 1. */
_Noreturn void rd_die_alloc(size_t count, size_t size, const char *file, int line);
void *rd_calloc_at(size_t count, size_t size, const char *file, int line);
void *rd_realloc_at(void *p, size_t count, size_t size, const char *file, int line);
#define rd_malloc(count, size) rd_malloc_at((count), (size), __FILE__, __LINE__)
#define rd_calloc(count, size) rd_calloc_at((count), (size), __FILE__, __LINE__)
#define rd_realloc(p, count, size) rd_realloc_at((p), (count), (size), __FILE__, __LINE__)

/* 1 when a*b overflows size_t. */
int rd_mul_overflows(size_t a, size_t b);

#endif
