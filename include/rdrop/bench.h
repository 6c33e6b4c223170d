/* What `rdrop bench` measures (src/bench/, bench/README.md): one training
 * run with the real trainer, timed per phase; the OpenBLAS ceiling of its
 * matrix products; the scaling table; the products checked before any of
 * it is timed; peak memory. */
#ifndef RDROP_BENCH_H
#define RDROP_BENCH_H
#include "rdrop/config.h"
#include "rdrop/train.h"

enum { RD_BENCH_MAX_EPOCHS = 100 };

typedef struct {
    const char *data_dir;
    int hidden, batch, threads, epochs, subset; /* subset 0: the full training set */
    rd_method method;
    int verbose; /* per-epoch lines on stderr */
} rd_bench_setup;

/* The epoch of median throughput (the lower middle one for an even count),
 * per step in milliseconds unless named otherwise. */
typedef struct {
    double samples_per_s, step_ms, data_ms, gemm_ms, elementwise_ms, optimizer_ms;
    double ceiling_ms;   /* the same products, cblas_sgemm alone, back to back, timed
                            right after the epoch (the one of median throughput) */
    double epoch_rate[RD_BENCH_MAX_EPOCHS];
    int epochs;
    long long steps_per_epoch;
} rd_bench_result;

/* Trains with the real trainer (no evaluation, no checkpoints) in a
 * temporary run folder, then times the step's products alone. */
rd_status rd_bench_run(const rd_bench_setup *s, rd_bench_result *r, rd_error *err);

/* Seconds of the fastest of `reps` passes over the shapes, cblas_sgemm only:
 * a busy machine only ever slows a pass down, so the fastest pass is the
 * steadiest estimate of what OpenBLAS can do (and the strictest ceiling). */
double rd_bench_gemm_ceiling(const rd_gemm_shape *shapes, int n, int reps);

double rd_bench_median(const double *x, int n);

/* --scaling: hidden 256/1024/4096 x batch 32/128/512, a few steps each, in
 * `modes` (1 dropout, 2 rdrop, 3 both); *failed is set when a run failed. */
void rd_bench_scaling(const rd_bench_setup *base, int modes, rd_error *err, int *failed);

/* The workload's products through cblas_sgemm and through rdrop's thread
 * team (in a child process, so its test matrices do not count in the
 * bench's memory), checked against a naive double-precision product: the
 * number of wrong ones, `first` (n bytes) describing the first. */
int rd_bench_check_products(const rd_bench_setup *s, char *first, size_t n);

/* Peak resident memory in MiB, and starting its count again (Linux). */
double rd_bench_peak_rss_mib(void);
void rd_bench_reset_peak_rss(void);

#endif
