/* Finite differences against rd_backward(). */
#include "rdrop/gradcheck.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/error.h"

/* f as a double: the scalar itself, or sum(out * R). */
static double evaluate(rd_tensor *out, const float *r) {
    if (out->rows == 1 && out->cols == 1) return rd_scalar(out);
    double s = 0.0;
    for (size_t i = 0; i < (size_t)out->rows * out->cols; i++) s += (double)out->data[i] * r[i];
    return s;
}

static double run(rd_graph *g, rd_gc_build build, void *ctx, const float *r) {
    rd_graph_reset(g);
    return evaluate(build(g, ctx), r);
}

rd_gc_result rd_gradcheck(rd_gc_build build, void *ctx, rd_gc_buffer *bufs, int n_bufs, float eps,
                          double rtol, double atol, size_t max_checks) {
    rd_gc_result res = {.rtol = rtol, .atol = atol};
    rd_graph g;
    rd_graph_init(&g);

    /* Analytic side. */
    for (int k = 0; k < n_bufs; k++) memset(bufs[k].grad, 0, bufs[k].n * sizeof(float));
    rd_tensor *out = build(&g, ctx);
    size_t n_out = (size_t)out->rows * out->cols;
    float *r = rd_malloc(n_out, sizeof(float));
    rd_rng rng;
    rd_rng_seed(&rng, 12345);
    for (size_t i = 0; i < n_out; i++) r[i] = n_out == 1 ? 1.0f : 2.0f * rd_rng_uniform(&rng) - 1.0f;
    rd_backward_from(&g, out, r);

    size_t total = 0;
    for (int k = 0; k < n_bufs; k++) total += bufs[k].n;
    size_t stride = total > max_checks ? total / max_checks : 1;

    /* Numeric side, element by element. */
    size_t flat = 0;
    for (int k = 0; k < n_bufs; k++) {
        for (size_t i = 0; i < bufs[k].n; i++, flat++) {
            if (flat % stride) continue;
            float *v = &bufs[k].data[i], saved = *v;
            *v = saved + eps;
            double fp = run(&g, build, ctx, r);
            *v = saved - eps;
            double fm = run(&g, build, ctx, r);
            *v = saved;
            double num = (fp - fm) / (2.0 * eps), ana = bufs[k].grad[i];
            double diff = fabs(num - ana), mag = fmax(fabs(num), fabs(ana));
            double rel = mag > 0 ? diff / mag : 0.0;
            if (diff > res.max_abs) res.max_abs = diff;
            if (rel > res.max_rel) res.max_rel = rel;
            if (diff / (atol + rtol * mag) > res.max_ratio) res.max_ratio = diff / (atol + rtol * mag);
            if (diff > atol + rtol * mag) res.n_failed++;
            res.n_checked++;
        }
    }
    free(r);
    rd_graph_free(&g);
    return res;
}
