/* Slicing, stacking and reductions. Forward and backward side by side. */
#include <string.h>

#include "rdrop/tensor.h"

/* ---- rows: Y = X[start : start+count] ---- */
typedef struct {
    int start;
} rows_ctx;

static void rows_backward(rd_graph *g, rd_tensor *t);
static const rd_op ROWS = {"rows", rows_backward, NULL};

rd_tensor *rd_rows(rd_graph *g, rd_tensor *x, int start, int count) {
    rd_check_shape(start >= 0 && count >= 0 && start <= x->rows - count, "rd_rows",
                   "rows %d..%d of a tensor of %d rows", start, start + count - 1, x->rows);
    rd_tensor *t = rd_node(g, &ROWS, count, x->cols, 1, &x);
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
static const rd_op CONCAT_ROWS = {"concat_rows", concat_rows_backward, NULL};

rd_tensor *rd_concat_rows(rd_graph *g, rd_tensor *a, rd_tensor *b) {
    rd_check_shape(a->cols == b->cols, "rd_concat_rows", "A has %d columns and B %d: stacked rows need the same",
                   a->cols, b->cols);
    rd_tensor *t = rd_node(g, &CONCAT_ROWS, a->rows + b->rows, a->cols, 2, (rd_tensor *[]){a, b});
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

/* [x; x; ...], as a chain of concat_rows: R-Drop's copies of a batch */
rd_tensor *rd_repeat_rows(rd_graph *g, rd_tensor *x, int copies) {
    rd_check_shape(copies >= 1, "rd_repeat_rows", "%d copies", copies);
    rd_tensor *s = x;
    for (int c = 1; c < copies; c++) s = rd_concat_rows(g, s, x);
    return s;
}

/* ---- sum and mean over all elements, in double ---- */
typedef struct {
    double value;
} reduce_ctx;

static double reduce_value(const rd_tensor *t) { return ((const reduce_ctx *)t->ctx)->value; }

static rd_tensor *reduce(rd_graph *g, const rd_op *op, rd_tensor *x, double divisor) {
    rd_tensor *t = rd_node(g, op, 1, 1, 1, &x);
    double s = 0.0;
    for (size_t i = 0; i < RD_NUMEL(x); i++) s += x->data[i];
    reduce_ctx *c = rd_save(g, t, sizeof *c);
    c->value = s / divisor;
    t->data[0] = (float)c->value;
    return t;
}

static void sum_backward(rd_graph *g, rd_tensor *t);
static const rd_op SUM = {"sum", sum_backward, reduce_value};

rd_tensor *rd_sum(rd_graph *g, rd_tensor *x) { return reduce(g, &SUM, x, 1.0); }

static void sum_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t->in[0]); i++) dx[i] += t->grad[0];
}

static void mean_backward(rd_graph *g, rd_tensor *t);
static const rd_op MEAN = {"mean", mean_backward, reduce_value};

rd_tensor *rd_mean(rd_graph *g, rd_tensor *x) { return reduce(g, &MEAN, x, (double)RD_NUMEL(x)); }

static void mean_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    float d = t->grad[0] / (float)RD_NUMEL(t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t->in[0]); i++) dx[i] += d;
}
