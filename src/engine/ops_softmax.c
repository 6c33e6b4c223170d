/* Row-wise softmax and log-softmax: the formula of rdrop/prob.h, whose
 * max shift lets logits of any size give finite results. */
#include <math.h>

#include "rdrop/prob.h"
#include "rdrop/tensor.h"

/* log_softmax of each row of x into y, through a row of doubles */
static void log_softmax_rows(rd_graph *g, const rd_tensor *x, float *y) {
    int n = x->cols;
    double *row = rd_arena_alloc(&g->arena, (size_t)n * sizeof(double));
    for (int i = 0; i < x->rows; i++) {
        const float *xr = x->data + (size_t)i * n;
        for (int j = 0; j < n; j++) row[j] = xr[j];
        rd_row_log_softmax(row, n, row);
        for (int j = 0; j < n; j++) y[(size_t)i * n + j] = (float)row[j];
    }
}

/* ---- log_softmax ---- */
static void log_softmax_backward(rd_graph *g, rd_tensor *t);
static const rd_op LOG_SOFTMAX = {"log_softmax", log_softmax_backward, NULL};

rd_tensor *rd_log_softmax(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, &LOG_SOFTMAX, x->rows, x->cols, 1, &x);
    log_softmax_rows(g, x, t->data);
    return t;
}

/* dx = dy - softmax(x) * sum(dy), row by row */
static void log_softmax_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    int n = t->cols;
    for (int i = 0; i < t->rows; i++) {
        const float *y = t->data + (size_t)i * n, *dy = t->grad + (size_t)i * n;
        float *d = dx + (size_t)i * n;
        double s = 0.0;
        for (int j = 0; j < n; j++) s += dy[j];
        for (int j = 0; j < n; j++) d[j] += dy[j] - expf(y[j]) * (float)s;
    }
}

/* ---- softmax: exp(log_softmax) ---- */
static void softmax_backward(rd_graph *g, rd_tensor *t);
static const rd_op SOFTMAX = {"softmax", softmax_backward, NULL};

rd_tensor *rd_softmax(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, &SOFTMAX, x->rows, x->cols, 1, &x);
    log_softmax_rows(g, x, t->data);
    for (size_t i = 0; i < RD_NUMEL(t); i++) t->data[i] = expf(t->data[i]);
    return t;
}

/* dx = y * (dy - sum(dy * y)), row by row */
static void softmax_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    int n = t->cols;
    for (int i = 0; i < t->rows; i++) {
        const float *y = t->data + (size_t)i * n, *dy = t->grad + (size_t)i * n;
        float *d = dx + (size_t)i * n;
        double s = 0.0;
        for (int j = 0; j < n; j++) s += (double)dy[j] * y[j];
        for (int j = 0; j < n; j++) d[j] += y[j] * (dy[j] - (float)s);
    }
}
