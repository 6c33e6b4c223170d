/* Element-wise ops. Forward and backward side by side. */
#include <math.h>
#include <stdint.h>

#include "engine/ops.h"

/* ---- add: C = A + B (same shape) ---- */
rd_tensor *rd_add(rd_graph *g, rd_tensor *a, rd_tensor *b) {
    rd_tensor *t = rd_node(g, RD_OP_ADD, a->rows, a->cols, a, b);
    for (size_t i = 0; i < RD_NUMEL(t); i++) t->data[i] = a->data[i] + b->data[i];
    if (RD_NUMEL(t) == 1) t->value = rd_scalar(a) + rd_scalar(b); /* keep double precision for scalars */
    return t;
}

void rd_add_backward(rd_graph *g, rd_tensor *t) {
    for (int k = 0; k < 2; k++) {
        rd_tensor *x = t->in[k];
        if (!x->requires_grad) continue;
        float *dx = rd_grad(g, x);
        for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += t->grad[i];
    }
}

/* ---- scale: Y = s X ---- */
rd_tensor *rd_scale(rd_graph *g, rd_tensor *x, float s) {
    rd_tensor *t = rd_node(g, RD_OP_SCALE, x->rows, x->cols, x, NULL);
    t->f0 = s;
    for (size_t i = 0; i < RD_NUMEL(t); i++) t->data[i] = s * x->data[i];
    if (RD_NUMEL(t) == 1) t->value = (double)s * rd_scalar(x);
    return t;
}

void rd_scale_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += t->f0 * t->grad[i];
}

/* ---- relu: Y = max(X, 0) ---- */
rd_tensor *rd_relu(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, RD_OP_RELU, x->rows, x->cols, x, NULL);
    const float *restrict xd = x->data;
    float *restrict y = t->data;
    for (size_t i = 0; i < RD_NUMEL(t); i++) y[i] = xd[i] > 0.0f ? xd[i] : 0.0f;
    return t;
}

void rd_relu_backward(rd_graph *g, rd_tensor *t) {
    float *restrict dx = rd_grad(g, t->in[0]);
    const float *restrict y = t->data, *restrict dy = t->grad;
    for (size_t i = 0; i < RD_NUMEL(t); i++) {
        float d = dy[i]; /* loaded unconditionally, so the loop vectorizes */
        dx[i] += y[i] > 0.0f ? d : 0.0f;
    }
}

/* ---- tanh ---- */
rd_tensor *rd_tanh(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, RD_OP_TANH, x->rows, x->cols, x, NULL);
    for (size_t i = 0; i < RD_NUMEL(t); i++) t->data[i] = tanhf(x->data[i]);
    return t;
}

void rd_tanh_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += (1.0f - t->data[i] * t->data[i]) * t->grad[i];
}
