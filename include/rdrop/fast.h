/* The fast layer: the engine's reference path (rdrop/tensor.h, rdrop/nn.h)
 * done faster, with the same results. The trainer uses it unless the run
 * asks for the reference (train.engine = reference), and every piece has a
 * test that it equals the reference: bit for bit where the arithmetic is the
 * same, within float rounding where a product is split across threads.
 *
 *   - rd_relu_dropout(_copies): ReLU and dropout in one pass that stores no
 *     mask (the backward reads the output), over R-Drop's copies without
 *     stacking them;
 *   - rd_fast_mlp_forward: the MLP built from those;
 *   - rd_fast: a team of threads that splits each large product in bands,
 *     one single-threaded cblas_sgemm per thread, and times the products for
 *     `rdrop bench` (their seconds and shapes);
 *   - rd_fast_optim_step: the optimizer's update rules (rdrop/optim.h) split
 *     across the same team, in AVX2 where the CPU has it. */
#ifndef RDROP_FAST_H
#define RDROP_FAST_H
#include "rdrop/nn.h"
#include "rdrop/optim.h"
#include "rdrop/tensor.h"
#include "rdrop/workers.h"

/* rd_dropout(rd_relu(x)) in one pass that keeps no mask: the same masks
 * from the same rng, the same values and gradients. In evaluation or with
 * p == 0 it is rd_relu. */
rd_tensor *rd_relu_dropout(rd_graph *g, rd_tensor *x, float p, rd_rng *rng);
/* The same over `copies` stacked copies of x, each with its own mask:
 * rd_relu_dropout(rd_concat_rows(x, x)) for 2, without building the stack. */
rd_tensor *rd_relu_dropout_copies(rd_graph *g, rd_tensor *x, int copies, float p, rd_rng *rng);

/* rd_mlp_forward with the fused ReLU+dropout: the same logits and
 * gradients (tanh layers and input dropout use the reference ops). */
rd_tensor *rd_fast_mlp_forward(rd_mlp *m, rd_graph *g, rd_tensor *x, int copies, rd_rng *rng);

/* The shape of one matrix product, for the bench's ceiling. */
typedef struct {
    int trans_a, trans_b, m, n, k;
} rd_gemm_shape;
enum { RD_GEMM_LOG = 32 };

typedef struct rd_fast rd_fast;

/* A team of `threads` (rd_workers) and the product counters. */
rd_fast *rd_fast_new(int threads);
void rd_fast_free(rd_fast *f);
/* The team, for other work of the step (the optimizer); NULL with 1 thread. */
rd_workers *rd_fast_team(const rd_fast *f);
/* g's products go through f from now on: split across the team when large,
 * timed, their shapes logged. */
void rd_fast_attach(rd_fast *f, rd_graph *g);
/* Seconds spent in products since f was made. */
double rd_fast_gemm_seconds(const rd_fast *f);
/* rd_optim_step_zero on f's team: the same parameters, bit for bit. */
void rd_fast_optim_step(rd_fast *f, rd_optim *o, float *params, float *grads, float lr);
/* The shapes of the products since the last rd_fast_step_begin (at most
 * RD_GEMM_LOG are kept; returns how many were made). */
int rd_fast_gemm_log(const rd_fast *f, rd_gemm_shape *out);
void rd_fast_step_begin(rd_fast *f);

#endif
