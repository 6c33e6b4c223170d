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
 * dY/dX = 1/(1-p); elsewhere 0. So backward needs only Y.
 * With copies > 1 the output is [X; X; ...] with an independent mask per
 * copy (R-Drop's two passes), read from X without building the stack: the
 * same result and gradients as rd_relu_dropout(rd_concat_rows(X, X)). */
rd_tensor *rd_relu_dropout_copies(rd_graph *g, rd_tensor *x, int copies, float p, rd_rng *rng) {
    if (copies > 1 && (!g->training || p <= 0.0f || p >= 1.0f)) {
        rd_tensor *stack = x;
        for (int c = 1; c < copies; c++) stack = rd_concat_rows(g, stack, x);
        return rd_relu_dropout(g, stack, p, rng);
    }
    if (!g->training || p <= 0.0f) return rd_relu(g, x);
    if (p >= 1.0f) return rd_dropout(g, rd_relu(g, x), p, rng);
    rd_tensor *t = rd_node(g, RD_OP_RELU_DROPOUT, x->rows * copies, x->cols, x, NULL);
    size_t n = RD_NUMEL(t), nx = RD_NUMEL(x);
    float *restrict y = t->data;
    const float *restrict xd = x->data;
    t->f0 = p;
    t->i0 = copies;
    const float keep = 1.0f / (1.0f - p);
    const uint32_t thr = drop_threshold(p);
    rd_rng_wide w;
    rd_rng_wide_seed(&w, rng);
    uint32_t bits[CHUNK];
    /* One random stream over the whole output, chunk by chunk; a chunk may
     * straddle two copies, so the input index wraps. */
    for (size_t start = 0; start < n; start += CHUNK) {
        size_t m = n - start < CHUNK ? n - start : CHUNK;
        rd_rng_wide_fill(&w, bits, CHUNK);
        for (size_t i = 0; i < m;) {
            size_t xi = (start + i) % nx, run = nx - xi < m - i ? nx - xi : m - i;
            const float *restrict xr = xd + xi;
            const uint32_t *restrict br = bits + i;
            float *restrict yr = y + start + i;
            for (size_t j = 0; j < run; j++) { /* no branches, so it vectorizes */
                float v = xr[j] * keep;
                int on = (xr[j] > 0.0f) & (br[j] >= thr);
                yr[j] = on ? v : 0.0f;
            }
            i += run;
        }
    }
    return t;
}

rd_tensor *rd_relu_dropout(rd_graph *g, rd_tensor *x, float p, rd_rng *rng) {
    return rd_relu_dropout_copies(g, x, 1, p, rng);
}

/* dX = sum over copies of (Y > 0 ? dY / (1-p) : 0). When X has no gradient
 * yet and there is one copy, dY's buffer becomes dX's (rd_grad_reuse): one
 * buffer and one zeroing pass fewer. */
void rd_relu_dropout_backward(rd_graph *g, rd_tensor *t) {
    const float keep = 1.0f / (1.0f - t->f0);
    const int copies = t->i0 > 1 ? t->i0 : 1;
    rd_tensor *x = t->in[0];
    size_t nx = RD_NUMEL(x);
    int fresh = 0;
    float *dx = rd_grad_reuse(g, x, copies == 1 ? t : NULL, &fresh); /* may alias t->grad */
    for (int c = 0; c < copies; c++, fresh = 0) {
        const float *y = t->data + (size_t)c * nx, *dy = t->grad + (size_t)c * nx;
        if (fresh) /* overwrite: dx may hold garbage (or be dy itself) */
            for (size_t i = 0; i < nx; i++) {
                float d = keep * dy[i]; /* computed unconditionally, so it vectorizes */
                dx[i] = y[i] > 0.0f ? d : 0.0f;
            }
        else
            for (size_t i = 0; i < nx; i++) {
                float d = keep * dy[i];
                dx[i] += y[i] > 0.0f ? d : 0.0f;
            }
    }
}
