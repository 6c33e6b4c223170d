/* Dropout. Forward and backward side by side, and the stream every dropout
 * kernel draws its masks from (rdrop/dropout.h). */
#include "rdrop/dropout.h"
#include "rdrop/tensor.h"

void rd_dropout_stream_start(rd_dropout_stream *s, float p, rd_rng *rng) {
    /* 0 <= p < 1, so the threshold p * 2^32 fits in 32 bits */
    s->threshold = (uint32_t)((double)p * 4294967296.0);
    rd_rng_wide_seed(&s->wide, rng);
}

const uint32_t *rd_dropout_stream_next(rd_dropout_stream *s) {
    rd_rng_wide_fill(&s->wide, s->bits, RD_DROPOUT_CHUNK);
    return s->bits;
}

/* ---- dropout: Y = X * M, M[i] = 1/(1-p) with probability 1-p, else 0 ---- */
typedef struct {
    float *mask; /* M, in the arena */
} dropout_ctx;

static void dropout_backward(rd_graph *g, rd_tensor *t);
static const rd_op DROPOUT = {"dropout", dropout_backward, NULL};

rd_tensor *rd_dropout(rd_graph *g, rd_tensor *x, float p, rd_rng *rng) {
    if (!g->training || p <= 0.0f) return x;
    rd_tensor *t = rd_node(g, &DROPOUT, x->rows, x->cols, 1, &x);
    size_t n = RD_NUMEL(t);
    float *restrict mask = rd_arena_alloc(&g->arena, n * sizeof(float)), *restrict y = t->data;
    const float *restrict xd = x->data;
    ((dropout_ctx *)rd_save(g, t, sizeof(dropout_ctx)))->mask = mask;
    const int all = p >= 1.0f; /* drop everything */
    const float keep = all ? 0.0f : 1.0f / (1.0f - p);
    rd_dropout_stream s;
    rd_dropout_stream_start(&s, all ? 0.0f : p, rng);
    for (size_t start = 0; start < n; start += RD_DROPOUT_CHUNK) {
        size_t m = n - start < RD_DROPOUT_CHUNK ? n - start : RD_DROPOUT_CHUNK;
        const uint32_t *bits = rd_dropout_stream_next(&s);
        for (size_t i = 0; i < m; i++) mask[start + i] = (all | (bits[i] < s.threshold)) ? 0.0f : keep;
        for (size_t i = 0; i < m; i++) y[start + i] = xd[start + i] * mask[start + i];
    }
    return t;
}

/* dX = dY * M */
static void dropout_backward(rd_graph *g, rd_tensor *t) {
    const float *restrict mask = ((const dropout_ctx *)t->ctx)->mask, *restrict dy = t->grad;
    float *restrict dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += dy[i] * mask[i];
}
