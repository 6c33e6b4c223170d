/* rdrop's autograd engine.
 *
 * A tensor is a rows x cols matrix of floats. Every op below computes its
 * result immediately (eager) and records a node on the graph: which op, which
 * inputs, and whatever the backward pass will need (a dropout mask, say).
 * rd_backward() walks the recorded nodes from last to first and calls each
 * op's backward function, which adds the op's contribution to its inputs'
 * gradients (the chain rule, one op at a time).
 *
 *     rd_graph g;  rd_graph_init(&g);
 *     rd_tensor *x = rd_input(&g, 2, 3, data);        // no gradient
 *     rd_tensor *w = rd_param(&g, 3, 4, wdata, wgrad); // gradient into wgrad
 *     rd_tensor *y = rd_relu(&g, rd_matmul(&g, x, w, 0, 0));
 *     rd_tensor *loss = rd_mean(&g, y);
 *     rd_backward(&g, loss);                           // fills wgrad
 *     rd_graph_reset(&g);                              // reuse the memory
 *
 * Everything a step allocates (node structs, activations, gradients, masks)
 * comes from the graph's arena, so a training loop allocates nothing after its
 * first step. Parameters live outside the graph, in a flat buffer owned by the
 * model; rd_param() only wraps a slice of it.
 *
 * Each op lives in one source file with its forward, its backward and its
 * descriptor (rd_op); the engine itself lists no op. The ops here are the
 * reference ones: each product one cblas_sgemm call, each step plainly
 * written. src/fast/ (rdrop/fast.h) holds the faster variants the trainer
 * uses by default, each tested against these.
 *
 * The derivations of every backward pass are in docs/autograd.md. */
#ifndef RDROP_TENSOR_H
#define RDROP_TENSOR_H
#include <stddef.h>
#include <stdint.h>

#include "rdrop/arena.h"
#include "rdrop/rng.h"

typedef struct rd_tensor rd_tensor;
typedef struct rd_graph rd_graph;

/* What the backward pass needs to know of an op. Each op's file defines one,
 * next to its forward function, and every node it records points at it. */
typedef struct {
    const char *name;
    /* Adds t's contribution to the gradients of t's inputs (t->grad is dL/dt). */
    void (*backward)(rd_graph *g, rd_tensor *t);
} rd_op;

struct rd_tensor {
    int rows, cols;
    float *data;       /* rows*cols values, row-major */
    float *grad;       /* d loss / d data, same shape; NULL until backward reaches it */
    int requires_grad; /* does any parameter lie upstream? */
    const rd_op *op;   /* the op that made it; NULL for a leaf (input or parameter) */
    rd_tensor *in[2];  /* inputs (NULL when unused) */
    void *ctx;         /* what the op saved for its backward: a struct of the op's own */
    int exact;         /* 1: `value` holds this 1x1 result in double precision */
    double value;
    rd_tensor *prev;   /* the node recorded before this one */
};

/* One matrix product C (m x n) = op(A) op(B) + beta C, row-major, where
 * op() transposes when the flag is set; lda, ldb, ldc are the row strides. */
typedef struct {
    int trans_a, trans_b, m, n, k;
    const float *a;
    int lda;
    const float *b;
    int ldb;
    float beta;
    float *c;
    int ldc;
} rd_gemm_call;

/* Computes one product. The graph's products go through g->gemm when it is
 * set (the fast layer's: split across threads, timed), else through one
 * cblas_sgemm call. */
typedef void (*rd_gemm_fn)(void *ctx, const rd_gemm_call *call);

struct rd_graph {
    rd_arena arena;
    rd_tensor *last; /* most recent node: the tape, newest first */
    int training;    /* 1: dropout drops; 0: dropout is the identity */
    size_t n_nodes;
    rd_gemm_fn gemm; /* NULL: cblas_sgemm */
    void *gemm_ctx;
};

void rd_graph_init(rd_graph *g);
/* Forget the step's nodes and reuse their memory. Parameters are untouched. */
void rd_graph_reset(rd_graph *g);
void rd_graph_free(rd_graph *g);

/* Leaves. rd_input copies nothing: data must outlive the step. */
rd_tensor *rd_input(rd_graph *g, int rows, int cols, float *data);
rd_tensor *rd_param(rd_graph *g, int rows, int cols, float *data, float *grad);
/* A new uninitialised leaf whose data lives in the arena. */
rd_tensor *rd_new(rd_graph *g, int rows, int cols);

/* Ops: each returns a new node whose data is already computed. */
/* C = op(A) op(B); op transposes when the flag is set. Through cblas_sgemm. */
rd_tensor *rd_matmul(rd_graph *g, rd_tensor *a, rd_tensor *b, int trans_a, int trans_b);
/* Y = X W + b, with W of shape in x out and b of shape 1 x out (or NULL):
 * one product, with b preloaded into the output. */
rd_tensor *rd_linear(rd_graph *g, rd_tensor *x, rd_tensor *w, rd_tensor *b);
/* Y = X + b, b a 1 x cols row added to every row. */
rd_tensor *rd_add_bias(rd_graph *g, rd_tensor *x, rd_tensor *b);
rd_tensor *rd_add(rd_graph *g, rd_tensor *a, rd_tensor *b);
rd_tensor *rd_scale(rd_graph *g, rd_tensor *x, float s);
rd_tensor *rd_relu(rd_graph *g, rd_tensor *x);
rd_tensor *rd_tanh(rd_graph *g, rd_tensor *x);
/* Inverted dropout: in training, each element is kept with probability 1-p
 * and scaled by 1/(1-p), so the expected value is unchanged; every element
 * gets its own draw from rng. In evaluation (g->training == 0) or with p == 0
 * it returns x itself. */
rd_tensor *rd_dropout(rd_graph *g, rd_tensor *x, float p, rd_rng *rng);
/* Row-wise, max-shifted so large logits stay finite. */
rd_tensor *rd_log_softmax(rd_graph *g, rd_tensor *x);
rd_tensor *rd_softmax(rd_graph *g, rd_tensor *x);
/* Rows [start, start+count) of x, and [a; b] stacked. */
rd_tensor *rd_rows(rd_graph *g, rd_tensor *x, int start, int count);
rd_tensor *rd_concat_rows(rd_graph *g, rd_tensor *a, rd_tensor *b);
/* 1x1 reductions over every element, accumulated in double. */
rd_tensor *rd_sum(rd_graph *g, rd_tensor *x);
rd_tensor *rd_mean(rd_graph *g, rd_tensor *x);

/* Run the graph backwards from a 1x1 node: fills the grad of every tensor
 * upstream that requires one. Parameter gradients are added to (so zero them
 * before the step); intermediate gradients start at zero. */
void rd_backward(rd_graph *g, rd_tensor *loss);

/* Sets d loss/d out := seed (same shape) and runs backward from out: used by
 * the gradient checker for non-scalar outputs. */
void rd_backward_from(rd_graph *g, rd_tensor *out, const float *seed);

/* The value of a 1x1 tensor: in double precision when the op that made it
 * accumulated in double (the reductions and losses, and add/scale of them). */
double rd_scalar(const rd_tensor *t);

/* The index of the largest of n values (the first, on ties): a prediction. */
int rd_argmax(const float *x, int n);

/* ---- Writing an op (the losses in src/loss/ and src/fast/ do) ---------- */

#define RD_NUMEL(t) ((size_t)(t)->rows * (size_t)(t)->cols)

/* A node of `op` with a rows x cols result and inputs a, b (either may be
 * NULL); it requires a gradient when an input does. */
rd_tensor *rd_node(rd_graph *g, const rd_op *op, int rows, int cols, rd_tensor *a, rd_tensor *b);
/* size zeroed bytes from the arena, as t->ctx: the op's saved state. */
void *rd_save(rd_graph *g, rd_tensor *t, size_t size);
/* t's gradient, allocated and zeroed on first use. */
float *rd_grad(rd_graph *g, rd_tensor *t);
/* t's gradient for an op that can overwrite it instead of adding to it.
 * When t has one already, returns it with *fresh = 0 (add to it). Otherwise
 * *fresh = 1 and the buffer holds garbage: donor's gradient when donor is
 * given and has t's size (the calling op's own dY, dead once it has run:
 * the op must then read each element before writing it), else new memory. */
float *rd_grad_reuse(rd_graph *g, rd_tensor *t, rd_tensor *donor, int *fresh);
/* One product, through the graph's gemm (see rd_gemm_fn). */
void rd_gemm(rd_graph *g, const rd_gemm_call *call);
/* log(sum_j exp(x[j] - max)) of one row in double, and its max: the
 * max-shifted core of log_softmax, softmax and cross_entropy. */
double rd_row_log_sum_exp(const float *x, int n, float *max);
/* Dropout's rule for one element: dropped when its 32 random bits (from
 * rd_rng_wide, RD_DROPOUT_CHUNK words at a time) fall below this threshold.
 * Every dropout kernel uses it, so all draw the same masks from one rng. */
uint32_t rd_dropout_threshold(float p);
enum { RD_DROPOUT_CHUNK = 1024 }; /* random words per fill; a multiple of RD_RNG_LANES */

#endif
