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
    for (size_t i = 0; i < RD_NUMEL(t); i++) t->data[i] = x->data[i] > 0.0f ? x->data[i] : 0.0f;
    return t;
}

void rd_relu_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += t->data[i] > 0.0f ? t->grad[i] : 0.0f;
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

/* ---- dropout: Y = X * M, M[i] = 1/(1-p) with probability 1-p, else 0 ---- */
rd_tensor *rd_dropout(rd_graph *g, rd_tensor *x, float p, rd_rng *rng) {
    if (!g->training || p <= 0.0f) return x;
    rd_tensor *t = rd_node(g, RD_OP_DROPOUT, x->rows, x->cols, x, NULL);
    size_t n = RD_NUMEL(t);
    float *mask = rd_arena_alloc(&g->arena, n * sizeof(float));
    t->saved = mask;
    t->f0 = p;
    const float keep = p >= 1.0f ? 0.0f : 1.0f / (1.0f - p);
    /* Element i is dropped when its 32 random bits fall below p * 2^32. */
    const uint64_t thr = p >= 1.0f ? UINT64_C(1) << 32 : (uint64_t)((double)p * 4294967296.0);
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        uint64_t r = rd_rng_u64(rng);
        mask[i] = (r & 0xffffffffu) < thr ? 0.0f : keep;
        mask[i + 1] = (r >> 32) < thr ? 0.0f : keep;
    }
    if (i < n) mask[i] = (rd_rng_u64(rng) >> 32) < thr ? 0.0f : keep;
    for (i = 0; i < n; i++) t->data[i] = x->data[i] * mask[i];
    return t;
}

void rd_dropout_backward(rd_graph *g, rd_tensor *t) {
    const float *mask = t->saved;
    float *dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += t->grad[i] * mask[i];
}
