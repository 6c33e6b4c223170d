/* The graph: recording nodes, and running them backwards. It knows no op:
 * each node points at its op's descriptor (rd_op), defined in the op's file. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/tensor.h"

void rd_graph_init(rd_graph *g) {
    memset(g, 0, sizeof *g);
    rd_arena_init(&g->arena, 1 << 20);
    g->training = 1;
}

void rd_graph_reset(rd_graph *g) {
    rd_arena_reset(&g->arena);
    g->last = NULL;
}

void rd_graph_free(rd_graph *g) { rd_arena_free(&g->arena); }

static rd_tensor *alloc_node(rd_graph *g, int rows, int cols) {
    rd_tensor *t = rd_arena_calloc(&g->arena, sizeof *t);
    t->rows = rows;
    t->cols = cols;
    t->prev = g->last;
    g->last = t;
    return t;
}

rd_tensor *rd_input(rd_graph *g, int rows, int cols, float *data) {
    rd_tensor *t = alloc_node(g, rows, cols);
    t->data = data;
    return t;
}

rd_tensor *rd_param(rd_graph *g, int rows, int cols, float *data, float *grad) {
    rd_tensor *t = rd_input(g, rows, cols, data);
    t->grad = grad;
    t->requires_grad = 1;
    return t;
}

rd_tensor *rd_new(rd_graph *g, int rows, int cols) {
    rd_tensor *t = alloc_node(g, rows, cols);
    t->data = rd_arena_alloc(&g->arena, RD_NUMEL(t) * sizeof(float));
    return t;
}

rd_tensor *rd_node(rd_graph *g, const rd_op *op, int rows, int cols, int n_in, rd_tensor *const *in) {
    rd_tensor *t = rd_new(g, rows, cols);
    t->op = op;
    t->n_in = n_in;
    t->in = rd_arena_alloc(&g->arena, (size_t)n_in * sizeof *t->in);
    for (int i = 0; i < n_in; i++) {
        t->in[i] = in[i];
        t->requires_grad |= in[i]->requires_grad;
    }
    return t;
}

void *rd_save(rd_graph *g, rd_tensor *t, size_t size) {
    t->ctx = rd_arena_calloc(&g->arena, size);
    return t->ctx;
}

float *rd_grad(rd_graph *g, rd_tensor *t) {
    if (!t->grad) t->grad = rd_arena_calloc(&g->arena, RD_NUMEL(t) * sizeof(float));
    return t->grad;
}

float *rd_grad_for_write(rd_graph *g, rd_tensor *t, int *add) {
    *add = t->grad != NULL;
    if (!t->grad) t->grad = rd_arena_alloc(&g->arena, RD_NUMEL(t) * sizeof(float));
    return t->grad;
}

void rd_check_shape(int ok, const char *op, const char *fmt, ...) {
    if (ok) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rdrop: %s: ", op);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static void run_backward(rd_graph *g, rd_tensor *from) {
    /* Nodes are recorded after their inputs, so walking the tape newest-first
     * visits every node after all of its consumers: a topological order. */
    for (rd_tensor *t = from; t; t = t->prev) {
        if (!t->op || !t->requires_grad || !t->grad) continue;
        t->op->backward(g, t);
    }
}

/* Forget the intermediate gradients of an earlier backward pass on this
 * graph, so that each pass starts them at zero and runs only the nodes
 * upstream of `from` (a node runs once a consumer has given it a gradient).
 * Leaves keep theirs: parameter gradients accumulate. */
static void clear_grads(rd_tensor *from) {
    for (rd_tensor *t = from; t; t = t->prev)
        if (t->op) t->grad = NULL;
}

void rd_backward(rd_graph *g, rd_tensor *loss) {
    rd_check_shape(loss->rows == 1 && loss->cols == 1, "rd_backward", "the loss is %dx%d, not 1x1", loss->rows,
                   loss->cols);
    clear_grads(loss);
    rd_grad(g, loss)[0] = 1.0f;
    run_backward(g, loss);
}

void rd_backward_from(rd_graph *g, rd_tensor *out, const float *seed) {
    clear_grads(out);
    memcpy(rd_grad(g, out), seed, RD_NUMEL(out) * sizeof(float));
    run_backward(g, out);
}

double rd_scalar(const rd_tensor *t) { return t->op && t->op->exact ? t->op->exact(t) : t->data[0]; }
