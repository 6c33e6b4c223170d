/* rdrop's autograd engine: tensors and the tape.
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
 * descriptor (rd_op); the engine itself lists no op. Every op checks the
 * shapes of its inputs when it is called: a mismatch stops the program with
 * a message naming the op and the shapes (a bug in the caller, not bad data).
 *
 * The derivations of every backward pass are in docs/autograd.md. */
#ifndef RDROP_TENSOR_H
#define RDROP_TENSOR_H
#include <stddef.h>

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
    /* Only for ops with a 1x1 result summed in double precision (the
     * reductions and losses): that double, which t->data[0] holds rounded
     * to float. NULL for every other op. */
    double (*exact)(const rd_tensor *t);
} rd_op;

struct rd_tensor {
    int rows, cols;
    float *data;       /* rows*cols values, row-major */
    float *grad;       /* d loss / d data, same shape; NULL until backward reaches it */
    int requires_grad; /* does any parameter lie upstream? */
    const rd_op *op;   /* the op that made it; NULL for a leaf (input or parameter) */
    int n_in;          /* its inputs, in[0] .. in[n_in - 1] */
    rd_tensor **in;
    void *ctx;         /* what the op saved for its backward: a struct of the op's own */
    rd_tensor *prev;   /* the node recorded before this one */
};

struct rd_graph {
    rd_arena arena;
    rd_tensor *last; /* most recent node: the tape, newest first */
    int training;    /* 1: dropout drops; 0: dropout is the identity */
    /* how matrix products run: NULL is one cblas_sgemm each (rdrop/gemm.h) */
    const struct rd_products *products;
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
/* C = op(A) op(B); op transposes when the flag is set. */
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
/* Rows [start, start+count) of x; [a; b] stacked; `copies` copies of x
 * stacked, [x; x; ...] (x itself for 1). */
rd_tensor *rd_rows(rd_graph *g, rd_tensor *x, int start, int count);
rd_tensor *rd_concat_rows(rd_graph *g, rd_tensor *a, rd_tensor *b);
rd_tensor *rd_repeat_rows(rd_graph *g, rd_tensor *x, int copies);
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

/* The value of a 1x1 tensor: in double precision when its op summed in
 * double (rd_op.exact), else its float. */
double rd_scalar(const rd_tensor *t);

/* ---- Writing an op (the losses in src/loss/ and src/fast/ do) ---------- */

#define RD_NUMEL(t) ((size_t)(t)->rows * (size_t)(t)->cols)

/* A node of `op` with a rows x cols result and the n_in tensors of `in` as
 * its inputs; it requires a gradient when an input does. */
rd_tensor *rd_node(rd_graph *g, const rd_op *op, int rows, int cols, int n_in, rd_tensor *const *in);
/* size zeroed bytes from the arena, as t->ctx: the op's saved state. */
void *rd_save(rd_graph *g, rd_tensor *t, size_t size);
/* t's gradient, allocated and zeroed on first use. */
float *rd_grad(rd_graph *g, rd_tensor *t);
/* t's gradient for an op that can write it in one pass: *add = 1 when t
 * has one already (add to it), else 0 (a new, uninitialised buffer: write it). */
float *rd_grad_for_write(rd_graph *g, rd_tensor *t, int *add);
/* Stops the program with "rdrop: OP: message" when ok is 0: a wrong shape
 * passed to an op (printf-style message). */
void rd_check_shape(int ok, const char *op, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
