/* Dropout, and ReLU fused with dropout. Forward and backward side by side.
 * The random bits come from rd_rng_wide (vectorized), seeded from the rd_rng
 * the caller passes, a chunk at a time so they stay in the L1 cache. */
#include <stdint.h>

#include "engine/ops.h"

enum { CHUNK = 1024 }; /* random words per fill; a multiple of RD_RNG_LANES */

/* Element i is dropped when its 32 random bits fall below p * 2^32
 * (0 <= p < 1, so the threshold fits in 32 bits). */
static uint32_t drop_threshold(float p) { return (uint32_t)((double)p * 4294967296.0); }

/* ---- dropout: Y = X * M, M[i] = 1/(1-p) with probability 1-p, else 0 ---- */
rd_tensor *rd_dropout(rd_graph *g, rd_tensor *x, float p, rd_rng *rng) {
    if (!g->training || p <= 0.0f) return x;
    rd_tensor *t = rd_node(g, RD_OP_DROPOUT, x->rows, x->cols, x, NULL);
    size_t n = RD_NUMEL(t);
    float *restrict mask = rd_arena_alloc(&g->arena, n * sizeof(float)), *restrict y = t->data;
    const float *restrict xd = x->data;
    t->saved = mask;
    t->f0 = p;
    const int all = p >= 1.0f; /* drop everything */
    const float keep = all ? 0.0f : 1.0f / (1.0f - p);
    const uint32_t thr = all ? 0 : drop_threshold(p);
    rd_rng_wide w;
    rd_rng_wide_seed(&w, rng);
    uint32_t bits[CHUNK];
    for (size_t start = 0; start < n; start += CHUNK) {
        size_t m = n - start < CHUNK ? n - start : CHUNK;
        rd_rng_wide_fill(&w, bits, CHUNK);
        for (size_t i = 0; i < m; i++) mask[start + i] = (all | (bits[i] < thr)) ? 0.0f : keep;
        for (size_t i = 0; i < m; i++) y[start + i] = xd[start + i] * mask[start + i];
    }
    return t;
}

void rd_dropout_backward(rd_graph *g, rd_tensor *t) {
    const float *restrict mask = t->saved, *restrict dy = t->grad;
    float *restrict dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += dy[i] * mask[i];
}

/* ---- relu_dropout: Y = max(X, 0) * M, one pass, no mask kept ----
 * Y[i] > 0 exactly where X[i] > 0 and the element was kept, and there
 * dY/dX = 1/(1-p); elsewhere 0. So backward needs only Y. */
rd_tensor *rd_relu_dropout(rd_graph *g, rd_tensor *x, float p, rd_rng *rng) {
    if (!g->training || p <= 0.0f) return rd_relu(g, x);
    if (p >= 1.0f) return rd_dropout(g, rd_relu(g, x), p, rng);
    rd_tensor *t = rd_node(g, RD_OP_RELU_DROPOUT, x->rows, x->cols, x, NULL);
    size_t n = RD_NUMEL(t);
    float *restrict y = t->data;
    const float *restrict xd = x->data;
    t->f0 = p;
    const float keep = 1.0f / (1.0f - p);
    const uint32_t thr = drop_threshold(p);
    rd_rng_wide w;
    rd_rng_wide_seed(&w, rng);
    uint32_t bits[CHUNK];
    for (size_t start = 0; start < n; start += CHUNK) {
        size_t m = n - start < CHUNK ? n - start : CHUNK;
        rd_rng_wide_fill(&w, bits, CHUNK);
        for (size_t i = 0; i < m; i++) { /* no branches, so it vectorizes */
            float v = xd[start + i] * keep;
            int on = (xd[start + i] > 0.0f) & (bits[i] >= thr);
            y[start + i] = on ? v : 0.0f;
        }
    }
    return t;
}

void rd_relu_dropout_backward(rd_graph *g, rd_tensor *t) {
    const float keep = 1.0f / (1.0f - t->f0);
    const float *restrict y = t->data, *restrict dy = t->grad;
    float *restrict dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t); i++) {
        float d = keep * dy[i]; /* computed unconditionally, so it vectorizes */
        dx[i] += y[i] > 0.0f ? d : 0.0f;
    }
}
