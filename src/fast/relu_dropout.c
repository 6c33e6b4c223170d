/* ReLU fused with dropout: the fast layer's version of rd_dropout(rd_relu(x)).
 * Forward and backward side by side. Y = max(X, 0) * M in one pass with no
 * mask kept: Y[i] > 0 exactly where X[i] > 0 and the element was kept, and
 * there dY/dX = 1/(1-p); elsewhere 0. So backward needs only Y. The random
 * bits are drawn exactly as rd_dropout draws them, so the masks are the same. */
#include "rdrop/dropout.h"
#include "rdrop/fast.h"

typedef struct {
    float p;
    int copies; /* stacked copies of the input in the output */
} relu_dropout_ctx;

static void relu_dropout_backward(rd_graph *g, rd_tensor *t);
static const rd_op RELU_DROPOUT = {"relu_dropout", relu_dropout_backward, NULL};

/* With copies > 1 the output is [X; X; ...] with an independent mask per
 * copy (R-Drop's two passes), read from X without building the stack. */
rd_tensor *rd_relu_dropout_copies(rd_graph *g, rd_tensor *x, int copies, float p, rd_rng *rng) {
    if (copies > 1 && (!g->training || p <= 0.0f || p >= 1.0f))
        return rd_relu_dropout(g, rd_repeat_rows(g, x, copies), p, rng);
    if (!g->training || p <= 0.0f) return rd_relu(g, x);
    if (p >= 1.0f) return rd_dropout(g, rd_relu(g, x), p, rng);
    rd_tensor *t = rd_node(g, &RELU_DROPOUT, x->rows * copies, x->cols, 1, &x);
    relu_dropout_ctx *c = rd_save(g, t, sizeof *c);
    c->p = p;
    c->copies = copies;
    size_t n = RD_NUMEL(t), nx = RD_NUMEL(x);
    float *restrict y = t->data;
    const float *restrict xd = x->data;
    const float keep = 1.0f / (1.0f - p);
    rd_dropout_stream s;
    rd_dropout_stream_start(&s, p, rng);
    const uint32_t thr = s.threshold;
    /* One random stream over the whole output, chunk by chunk; a chunk may
     * straddle two copies, so the input index wraps. */
    for (size_t start = 0; start < n; start += RD_DROPOUT_CHUNK) {
        size_t m = n - start < RD_DROPOUT_CHUNK ? n - start : RD_DROPOUT_CHUNK;
        const uint32_t *bits = rd_dropout_stream_next(&s);
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
 * yet and there is one copy, dX is written into dY's own buffer, which is
 * dead once this op has run: one buffer and one zeroing pass fewer. */
static void relu_dropout_backward(rd_graph *g, rd_tensor *t) {
    const relu_dropout_ctx *c = t->ctx;
    const float keep = 1.0f / (1.0f - c->p);
    rd_tensor *x = t->in[0];
    size_t nx = RD_NUMEL(x);
    int add = 0;
    if (!x->grad && c->copies == 1) x->grad = t->grad; /* each element is read before it is written */
    else rd_grad_for_write(g, x, &add);
    float *dx = x->grad;
    for (int k = 0; k < c->copies; k++, add = 1) {
        const float *y = t->data + (size_t)k * nx, *dy = t->grad + (size_t)k * nx;
        if (!add) /* overwrite: dx holds garbage (or is dy itself) */
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
