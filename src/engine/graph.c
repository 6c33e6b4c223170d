/* The graph: recording nodes, and running them backwards. */
#include <assert.h>
#include <string.h>

#include "engine/ops.h"
#include "rdrop/error.h"

static const struct {
    const char *name;
    rd_backward_fn backward;
} OPS[RD_OP_COUNT] = {
    [RD_OP_LEAF] = {"leaf", NULL},
    [RD_OP_MATMUL] = {"matmul", rd_matmul_backward},
    [RD_OP_LINEAR] = {"linear", rd_linear_backward},
    [RD_OP_ADD_BIAS] = {"add_bias", rd_add_bias_backward},
    [RD_OP_ADD] = {"add", rd_add_backward},
    [RD_OP_SCALE] = {"scale", rd_scale_backward},
    [RD_OP_RELU] = {"relu", rd_relu_backward},
    [RD_OP_TANH] = {"tanh", rd_tanh_backward},
    [RD_OP_DROPOUT] = {"dropout", rd_dropout_backward},
    [RD_OP_RELU_DROPOUT] = {"relu_dropout", rd_relu_dropout_backward},
    [RD_OP_LOG_SOFTMAX] = {"log_softmax", rd_log_softmax_backward},
    [RD_OP_SOFTMAX] = {"softmax", rd_softmax_backward},
    [RD_OP_ROWS] = {"rows", rd_rows_backward},
    [RD_OP_CONCAT_ROWS] = {"concat_rows", rd_concat_rows_backward},
    [RD_OP_SUM] = {"sum", rd_sum_backward},
    [RD_OP_MEAN] = {"mean", rd_mean_backward},
    [RD_OP_NLL] = {"nll", rd_nll_backward},
    [RD_OP_CROSS_ENTROPY] = {"cross_entropy", rd_cross_entropy_backward},
    [RD_OP_KL_DIV] = {"kl_div", rd_kl_div_backward},
};

const char *rd_op_name(rd_op op) { return op < RD_OP_COUNT ? OPS[op].name : "?"; }

void rd_graph_init(rd_graph *g) {
    memset(g, 0, sizeof *g);
    rd_arena_init(&g->arena, 1 << 20);
    g->training = 1;
}

void rd_graph_reset(rd_graph *g) {
    rd_arena_reset(&g->arena);
    g->last = NULL;
    g->n_nodes = 0;
    g->n_gemm = 0;
}

void rd_graph_free(rd_graph *g) { rd_arena_free(&g->arena); }

static rd_tensor *alloc_node(rd_graph *g, int rows, int cols) {
    rd_tensor *t = rd_arena_calloc(&g->arena, sizeof *t);
    t->rows = rows;
    t->cols = cols;
    t->prev = g->last;
    g->last = t;
    g->n_nodes++;
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

rd_tensor *rd_node(rd_graph *g, rd_op op, int rows, int cols, rd_tensor *a, rd_tensor *b) {
    rd_tensor *t = rd_new(g, rows, cols);
    t->op = op;
    t->in[0] = a;
    t->in[1] = b;
    t->requires_grad = (a && a->requires_grad) || (b && b->requires_grad);
    return t;
}

float *rd_grad(rd_graph *g, rd_tensor *t) {
    if (!t->grad) t->grad = rd_arena_calloc(&g->arena, RD_NUMEL(t) * sizeof(float));
    return t->grad;
}

float *rd_grad_reuse(rd_graph *g, rd_tensor *t, rd_tensor *donor, int *fresh) {
    *fresh = t->grad == NULL;
    if (t->grad) return t->grad;
    if (donor && donor->grad && RD_NUMEL(donor) == RD_NUMEL(t))
        t->grad = donor->grad;
    else
        t->grad = rd_arena_alloc(&g->arena, RD_NUMEL(t) * sizeof(float));
    return t->grad;
}

static void run_backward(rd_graph *g, rd_tensor *from) {
    /* Nodes are recorded after their inputs, so walking the tape newest-first
     * visits every node after all of its consumers: a topological order. */
    for (rd_tensor *t = from; t; t = t->prev) {
        if (t->op == RD_OP_LEAF || !t->requires_grad || !t->grad) continue;
        OPS[t->op].backward(g, t);
    }
}

/* Forget the intermediate gradients of an earlier backward pass on this
 * graph, so that each pass starts them at zero and runs only the nodes
 * upstream of `from` (a node runs once a consumer has given it a gradient).
 * Leaves keep theirs: parameter gradients accumulate. */
static void clear_grads(rd_tensor *from) {
    for (rd_tensor *t = from; t; t = t->prev)
        if (t->op != RD_OP_LEAF) t->grad = NULL;
}

void rd_backward(rd_graph *g, rd_tensor *loss) {
    assert(loss->rows == 1 && loss->cols == 1);
    clear_grads(loss);
    rd_grad(g, loss)[0] = 1.0f;
    run_backward(g, loss);
}

void rd_backward_from(rd_graph *g, rd_tensor *out, const float *seed) {
    clear_grads(out);
    memcpy(rd_grad(g, out), seed, RD_NUMEL(out) * sizeof(float));
    run_backward(g, out);
}

double rd_scalar(const rd_tensor *t) {
    switch (t->op) {
    case RD_OP_SUM: case RD_OP_MEAN: case RD_OP_NLL: case RD_OP_CROSS_ENTROPY:
    case RD_OP_KL_DIV: case RD_OP_ADD: case RD_OP_SCALE:
        if (t->rows == 1 && t->cols == 1) return t->value;
        break;
    default:
        break;
    }
    return t->data[0];
}
