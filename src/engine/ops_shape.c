/* Slicing, stacking and reductions. Forward and backward side by side. */
#include <string.h>

#include "engine/ops.h"

/* ---- rows: Y = X[start : start+count] ---- */
rd_tensor *rd_rows(rd_graph *g, rd_tensor *x, int start, int count) {
    rd_tensor *t = rd_node(g, RD_OP_ROWS, count, x->cols, x, NULL);
    t->i0 = start;
    memcpy(t->data, x->data + (size_t)start * x->cols, RD_NUMEL(t) * sizeof(float));
    return t;
}

void rd_rows_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]) + (size_t)t->i0 * t->cols;
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += t->grad[i];
}

/* ---- concat_rows: Y = [A; B] ---- */
rd_tensor *rd_concat_rows(rd_graph *g, rd_tensor *a, rd_tensor *b) {
    rd_tensor *t = rd_node(g, RD_OP_CONCAT_ROWS, a->rows + b->rows, a->cols, a, b);
    memcpy(t->data, a->data, RD_NUMEL(a) * sizeof(float));
    memcpy(t->data + RD_NUMEL(a), b->data, RD_NUMEL(b) * sizeof(float));
    return t;
}

/* Each half of dY goes back to its source; when A and B are the same tensor
 * (a duplicated batch) both halves add up in it. */
void rd_concat_rows_backward(rd_graph *g, rd_tensor *t) {
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

rd_tensor *rd_sum(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, RD_OP_SUM, 1, 1, x, NULL);
    t->value = total(x);
    t->data[0] = (float)t->value;
    return t;
}

void rd_sum_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t->in[0]); i++) dx[i] += t->grad[0];
}

rd_tensor *rd_mean(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, RD_OP_MEAN, 1, 1, x, NULL);
    t->value = total(x) / (double)RD_NUMEL(x);
    t->data[0] = (float)t->value;
    return t;
}

void rd_mean_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    float d = t->grad[0] / (float)RD_NUMEL(t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t->in[0]); i++) dx[i] += d;
}
