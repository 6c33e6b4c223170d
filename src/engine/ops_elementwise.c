/* Element-wise ops. Forward and backward side by side. */
#include <math.h>

#include "rdrop/tensor.h"

/* ---- add: C = A + B (same shape) ---- */
static void add_backward(rd_graph *g, rd_tensor *t);
static const rd_op ADD = {"add", add_backward};

rd_tensor *rd_add(rd_graph *g, rd_tensor *a, rd_tensor *b) {
    rd_tensor *t = rd_node(g, &ADD, a->rows, a->cols, a, b);
    for (size_t i = 0; i < RD_NUMEL(t); i++) t->data[i] = a->data[i] + b->data[i];
    if (RD_NUMEL(t) == 1) { /* keep double precision for scalars */
        t->value = rd_scalar(a) + rd_scalar(b);
        t->exact = 1;
    }
    return t;
}

static void add_backward(rd_graph *g, rd_tensor *t) {
    for (int k = 0; k < 2; k++) {
        rd_tensor *x = t->in[k];
        if (!x->requires_grad) continue;
        float *dx = rd_grad(g, x);
        for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += t->grad[i];
    }
}

/* ---- scale: Y = s X ---- */
typedef struct {
    float s;
} scale_ctx;

static void scale_backward(rd_graph *g, rd_tensor *t);
static const rd_op SCALE = {"scale", scale_backward};

rd_tensor *rd_scale(rd_graph *g, rd_tensor *x, float s) {
    rd_tensor *t = rd_node(g, &SCALE, x->rows, x->cols, x, NULL);
    ((scale_ctx *)rd_save(g, t, sizeof(scale_ctx)))->s = s;
    for (size_t i = 0; i < RD_NUMEL(t); i++) t->data[i] = s * x->data[i];
    if (RD_NUMEL(t) == 1) {
        t->value = (double)s * rd_scalar(x);
        t->exact = 1;
    }
    return t;
}

static void scale_backward(rd_graph *g, rd_tensor *t) {
    float s = ((const scale_ctx *)t->ctx)->s, *dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += s * t->grad[i];
}

/* ---- relu: Y = max(X, 0) ---- */
static void relu_backward(rd_graph *g, rd_tensor *t);
static const rd_op RELU = {"relu", relu_backward};

rd_tensor *rd_relu(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, &RELU, x->rows, x->cols, x, NULL);
    const float *restrict xd = x->data;
    float *restrict y = t->data;
    for (size_t i = 0; i < RD_NUMEL(t); i++) y[i] = xd[i] > 0.0f ? xd[i] : 0.0f;
    return t;
}

/* dX = dY where Y > 0 (that is, X > 0), else 0 */
static void relu_backward(rd_graph *g, rd_tensor *t) {
    float *restrict dx = rd_grad(g, t->in[0]);
    const float *restrict y = t->data, *restrict dy = t->grad;
    for (size_t i = 0; i < RD_NUMEL(t); i++) {
        float d = dy[i]; /* loaded unconditionally, so the loop vectorizes */
        dx[i] += y[i] > 0.0f ? d : 0.0f;
    }
}

/* ---- tanh ---- */
static void tanh_backward(rd_graph *g, rd_tensor *t);
static const rd_op TANH = {"tanh", tanh_backward};

rd_tensor *rd_tanh(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, &TANH, x->rows, x->cols, x, NULL);
    for (size_t i = 0; i < RD_NUMEL(t); i++) t->data[i] = tanhf(x->data[i]);
    return t;
}

/* dX = (1 - Y^2) dY */
static void tanh_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += (1.0f - t->data[i] * t->data[i]) * t->grad[i];
}
