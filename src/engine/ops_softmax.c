/* Row-wise softmax and log-softmax, max-shifted: exp() never sees a positive
 * argument, so logits of any size give finite results. */
#include <math.h>

#include "rdrop/tensor.h"

/* out[j] = (x[j] - max) - log(sum exp(x - max)) */
double rd_row_log_sum_exp(const float *x, int n, float *max) {
    float mx = x[0];
    for (int j = 1; j < n; j++) mx = x[j] > mx ? x[j] : mx;
    double s = 0.0;
    for (int j = 0; j < n; j++) s += exp((double)x[j] - mx);
    *max = mx;
    return log(s);
}

static void log_softmax_row(const float *x, float *out, int n) {
    float mx;
    /* (x - max) - log(s): never form max + log(s) in float, whose rounding
     * (spacing 1e-3 near 1e4) would shift every output of the row. */
    double log_s = rd_row_log_sum_exp(x, n, &mx);
    for (int j = 0; j < n; j++) out[j] = (float)(((double)x[j] - mx) - log_s);
}

/* ---- log_softmax ---- */
static void log_softmax_backward(rd_graph *g, rd_tensor *t);
static const rd_op LOG_SOFTMAX = {"log_softmax", log_softmax_backward};

rd_tensor *rd_log_softmax(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, &LOG_SOFTMAX, x->rows, x->cols, x, NULL);
    for (int i = 0; i < x->rows; i++)
        log_softmax_row(x->data + (size_t)i * x->cols, t->data + (size_t)i * x->cols, x->cols);
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

/* ---- softmax ---- */
static void softmax_backward(rd_graph *g, rd_tensor *t);
static const rd_op SOFTMAX = {"softmax", softmax_backward};

rd_tensor *rd_softmax(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, &SOFTMAX, x->rows, x->cols, x, NULL);
    for (int i = 0; i < x->rows; i++) {
        float *y = t->data + (size_t)i * x->cols;
        log_softmax_row(x->data + (size_t)i * x->cols, y, x->cols);
        for (int j = 0; j < x->cols; j++) y[j] = expf(y[j]);
    }
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
