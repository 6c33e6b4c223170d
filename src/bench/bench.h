/* Internal to `rdrop bench`: one measured training run, and the OpenBLAS
 * ceiling of its matrix products. */
#ifndef RDROP_CLI_BENCH_H
#define RDROP_CLI_BENCH_H
#include "rdrop/config.h"
#include "rdrop/train.h"

enum { BENCH_MAX_EPOCHS = 100 };

typedef struct {
    const char *data_dir;
    int hidden, batch, threads, epochs, subset; /* subset 0: the full training set */
    rd_method method;
    int verbose; /* per-epoch lines on stderr */
} bench_setup;

/* The epoch of median throughput (the lower middle one for an even count),
 * per step in milliseconds unless named otherwise. */
typedef struct {
    double samples_per_s, step_ms, data_ms, gemm_ms, elementwise_ms, optimizer_ms;
    double ceiling_ms;   /* the same products, cblas_sgemm alone, back to back, timed
                            right after the epoch (the one of median throughput) */
    double epoch_rate[BENCH_MAX_EPOCHS];
    int epochs;
    long long steps_per_epoch;
} bench_result;

/* Trains with the real trainer (no evaluation, no checkpoints) in a
 * temporary run folder, then times the step's products alone. */
rd_status bench_run(const bench_setup *s, bench_result *r, rd_error *err);

/* Seconds of the fastest of `reps` passes over the shapes, cblas_sgemm only:
 * a busy machine only ever slows a pass down, so the fastest pass is the
 * steadiest estimate of what OpenBLAS can do (and the strictest ceiling). */
double bench_gemm_ceiling(const rd_gemm_shape *shapes, int n, int reps);

double bench_median(const double *x, int n);

#endif
