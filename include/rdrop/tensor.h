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
 * The derivations of every backward pass are in docs/autograd.md. */
#ifndef RDROP_TENSOR_H
#define RDROP_TENSOR_H
#include <stddef.h>

#include "rdrop/arena.h"
#include "rdrop/rng.h"

typedef enum {
    RD_OP_LEAF, /* input or parameter */
    RD_OP_MATMUL,
    RD_OP_LINEAR,
    RD_OP_ADD_BIAS,
    RD_OP_ADD,
    RD_OP_SCALE,
    RD_OP_RELU,
    RD_OP_TANH,
    RD_OP_DROPOUT,
    RD_OP_RELU_DROPOUT,
    RD_OP_LOG_SOFTMAX,
    RD_OP_SOFTMAX,
    RD_OP_ROWS,
    RD_OP_CONCAT_ROWS,
    RD_OP_SUM,
    RD_OP_MEAN,
    RD_OP_NLL,
    RD_OP_CROSS_ENTROPY,
    RD_OP_KL_DIV,
    RD_OP_COUNT
} rd_op;

typedef struct rd_tensor rd_tensor;
struct rd_tensor {
    int rows, cols;
    float *data;       /* rows*cols values, row-major */
    float *grad;       /* d loss / d data, same shape; NULL until backward reaches it */
    int requires_grad; /* does any parameter lie upstream? */
    rd_op op;
    rd_tensor *in[2];  /* inputs (NULL when unused) */
    int i0, i1;        /* op settings: transpose flags, row range, reduction */
    float f0;          /* op setting: scale factor, dropout probability */
    void *saved;       /* what backward needs: a dropout mask, a softmax */
    const int *labels; /* classes, for nll and cross_entropy */
    double value;      /* 1x1 results: the value in double precision */
    rd_tensor *prev;   /* the node recorded before this one */
};

/* One matrix product C (m x n) = op(A) op(B) with inner dimension k. */
typedef struct {
    int trans_a, trans_b, m, n, k;
} rd_gemm_shape;
enum { RD_GEMM_LOG = 32 };

typedef struct {
    rd_arena arena;
    rd_tensor *last;   /* most recent node: the tape, newest first */
    int training;      /* 1: dropout drops; 0: dropout is the identity */
    size_t n_nodes;
    /* Profiling, for `rdrop bench` (two clock reads per product: free in
     * practice): seconds inside cblas_sgemm over the graph's life, and the
     * shapes of the products since the last reset (the first RD_GEMM_LOG). */
    double gemm_seconds;
    int n_gemm;
    rd_gemm_shape gemm[RD_GEMM_LOG];
    /* Threads that share each large product, each calling a single-threaded
     * OpenBLAS on its half (NULL: one cblas_sgemm call). Not owned. */
    struct rd_workers *workers;
} rd_graph;

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
/* Y = X W + b, with W of shape in x out and b of shape 1 x out (fused). */
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
/* rd_dropout(rd_relu(x)) in one pass that keeps no mask (backward reads the
 * output): the MLP's hidden layers. Same distribution of masks as rd_dropout;
 * in evaluation or with p == 0 it is rd_relu. */
rd_tensor *rd_relu_dropout(rd_graph *g, rd_tensor *x, float p, rd_rng *rng);
/* The same over `copies` stacked copies of x, each with its own mask
 * (R-Drop's two passes): rd_relu_dropout(rd_concat_rows(x, x)) for 2, without
 * building the stack. */
rd_tensor *rd_relu_dropout_copies(rd_graph *g, rd_tensor *x, int copies, float p, rd_rng *rng);
/* Row-wise, max-shifted so large logits stay finite. */
rd_tensor *rd_log_softmax(rd_graph *g, rd_tensor *x);
rd_tensor *rd_softmax(rd_graph *g, rd_tensor *x);
/* Rows [start, start+count) of x, and [a; b] stacked. */
rd_tensor *rd_rows(rd_graph *g, rd_tensor *x, int start, int count);
rd_tensor *rd_concat_rows(rd_graph *g, rd_tensor *a, rd_tensor *b);
/* 1x1 reductions over every element. */
rd_tensor *rd_sum(rd_graph *g, rd_tensor *x);
rd_tensor *rd_mean(rd_graph *g, rd_tensor *x);

/* Run the graph backwards from a 1x1 node: fills the grad of every tensor
 * upstream that requires one. Parameter gradients are added to (so zero them
 * before the step); intermediate gradients start at zero. */
void rd_backward(rd_graph *g, rd_tensor *loss);

/* Sets d loss/d out := seed (same shape) and runs backward from out: used by
 * the gradient checker for non-scalar outputs. */
void rd_backward_from(rd_graph *g, rd_tensor *out, const float *seed);

/* For ops defined in other files (losses): the graph machinery. */
typedef void (*rd_backward_fn)(rd_graph *g, rd_tensor *t);
rd_tensor *rd_node(rd_graph *g, rd_op op, int rows, int cols, rd_tensor *a, rd_tensor *b);
/* t's gradient, allocated and zeroed on first use. */
float *rd_grad(rd_graph *g, rd_tensor *t);
const char *rd_op_name(rd_op op);
/* The value of a 1x1 tensor: in double precision when the op that made it
 * accumulated in double (the reductions and losses, and add/scale of them). */
double rd_scalar(const rd_tensor *t);

#endif
