/* A team of threads for a training step: the caller and n-1 helper threads
 * each take one part of the work (a band of a matrix product, each through a
 * single-threaded OpenBLAS; a range of the optimizer's parameters), and
 * rd_workers_run returns when all are done. One team does all of a step's
 * parallel work, so no second pool of threads (OpenBLAS's) competes with it
 * for the cores. */
#ifndef RDROP_WORKERS_H
#define RDROP_WORKERS_H
#include <stddef.h>

typedef struct rd_workers rd_workers;

/* fn(arg, part, n_parts) runs once for each part 0..n_parts-1. */
typedef void (*rd_task_fn)(void *arg, int part, int n_parts);

/* n_threads counts the caller, and is capped at the online processors; 1
 * (or less) runs every task in the caller and starts no thread (NULL, a
 * valid team of one). */
rd_workers *rd_workers_new(int n_threads);
/* The threads rd_workers_new(n_threads) would run, without starting them. */
int rd_workers_size(int n_threads);
int rd_workers_count(const rd_workers *w);
void rd_workers_run(rd_workers *w, rd_task_fn fn, void *arg);
void rd_workers_free(rd_workers *w);

/* Part `part` of n items split into n_parts ranges aligned to `align` items
 * (a cache line of floats is 16): [*begin, *end). */
void rd_split_range(size_t n, int part, int n_parts, size_t align, size_t *begin, size_t *end);

#endif
