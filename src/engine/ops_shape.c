/* Slicing, stacking and reductions. Forward and backward side by side. */
#include <string.h>

#include "rdrop/tensor.h"

/* ---- rows: Y = X[start : start+count] ---- */
typedef struct {
    int start;
} rows_ctx;

static void rows_backward(rd_graph *g, rd_tensor *t);
static const rd_op ROWS = {"rows", rows_backward};

rd_tensor *rd_rows(rd_graph *g, rd_tensor *x, int start, int count) {
    rd_tensor *t = rd_node(g, &ROWS, count, x->cols, x, NULL);
    ((rows_ctx *)rd_save(g, t, sizeof(rows_ctx)))->start = start;
    memcpy(t->data, x->data + (size_t)start * x->cols, RD_NUMEL(t) * sizeof(float));
    return t;
}

static void rows_backward(rd_graph *g, rd_tensor *t) {
    int start = ((const rows_ctx *)t->ctx)->start;
    float *dx = rd_grad(g, t->in[0]) + (size_t)start * t->cols;
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += t->grad[i];
}

/* ---- concat_rows: Y = [A; B] ---- */
static void concat_rows_backward(rd_graph *g, rd_tensor *t);
static const rd_op CONCAT_ROWS = {"concat_rows", concat_rows_backward};

rd_tensor *rd_concat_rows(rd_graph *g, rd_tensor *a, rd_tensor *b) {
    rd_tensor *t = rd_node(g, &CONCAT_ROWS, a->rows + b->rows, a->cols, a, b);
    memcpy(t->data, a->data, RD_NUMEL(a) * sizeof(float));
    memcpy(t->data + RD_NUMEL(a), b->data, RD_NUMEL(b) * sizeof(float));
    return t;
}

/* Each half of dY goes back to its source; when A and B are the same tensor
 * (a duplicated batch) both halves add up in it. */
static void concat_rows_backward(rd_graph *g, rd_tensor *t) {
    rd_tensor *a = t->in[0], *b = t->in[1];
    if (a->requires_grad) {
        float *da = rd_grad(g, a);
        for (size_t i = 0; i < RD_NUMEL(a); i++) da[i] += t->grad[i];
    }
    if (b->requires_grad) {
        float *db = rd_grad(g, b);
        const float *src = t->grad + RD_NUMEL(a);
        for (size_t i = 0; i < RD_NUMEL(b); i++) db[i] += src[i];
    }
}

/* ---- sum and mean over all elements ---- */
static double total(const rd_tensor *x) {
    double s = 0.0;
    for (size_t i = 0; i < RD_NUMEL(x); i++) s += x->data[i];
    return s;
}

static void sum_backward(rd_graph *g, rd_tensor *t);
static const rd_op SUM = {"sum", sum_backward};

rd_tensor *rd_sum(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, &SUM, 1, 1, x, NULL);
    t->value = total(x);
    t->exact = 1;
    t->data[0] = (float)t->value;
    return t;
}

static void sum_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t->in[0]); i++) dx[i] += t->grad[0];
}

static void mean_backward(rd_graph *g, rd_tensor *t);
static const rd_op MEAN = {"mean", mean_backward};

rd_tensor *rd_mean(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, &MEAN, 1, 1, x, NULL);
    t->value = total(x) / (double)RD_NUMEL(x);
    t->exact = 1;
    t->data[0] = (float)t->value;
    return t;
}

static void mean_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    float d = t->grad[0] / (float)RD_NUMEL(t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t->in[0]); i++) dx[i] += d;
}
