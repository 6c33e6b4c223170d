/* Matrix products, through cblas_sgemm. Forward and backward side by side. */
#include <cblas.h>
#include <string.h>
#include <time.h>

#include "engine/ops.h"
#include "rdrop/workers.h"

static double seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One product, or the part of it one thread computes. */
typedef struct {
    int ta, tb, m, n, k, lda, ldb, split_cols;
    const float *a, *b;
    float beta, *c;
} gemm_args;

/* Part `part` of C: a band of columns (then it reads all of op(A) and its
 * columns of op(B)) or of rows (all of op(B), its rows of op(A)). */
static void gemm_part(void *arg, int part, int n_parts) {
    const gemm_args *p = arg;
    size_t lo, hi;
    rd_split_range((size_t)(p->split_cols ? p->n : p->m), part, n_parts, 16, &lo, &hi);
    if (hi <= lo) return;
    const float *a = p->a, *b = p->b;
    float *c = p->c;
    int m = p->m, n = p->n;
    if (p->split_cols) {
        b += p->tb ? lo * (size_t)p->ldb : lo;
        c += lo;
        n = (int)(hi - lo);
    } else {
        a += p->ta ? lo : lo * (size_t)p->lda;
        c += lo * (size_t)p->n;
        m = (int)(hi - lo);
    }
    cblas_sgemm(CblasRowMajor, p->ta ? CblasTrans : CblasNoTrans, p->tb ? CblasTrans : CblasNoTrans,
                m, n, p->k, 1.0f, a, p->lda, b, p->ldb, p->beta, c, p->n);
}

/* C (m x n) = alpha op(A) op(B) + beta C, row-major, with A and B stored as
 * the tensors themselves (op() transposes them when the flag is set).
 * With g->workers, a large product is split in bands, one per thread; the
 * band goes across the larger of m and n, so the operand every thread reads
 * whole (and packs) is the smaller one. Records its shape and time on the
 * graph for `rdrop bench`. */
static void gemm(rd_graph *g, int ta, int tb, int m, int n, int k, const rd_tensor *a,
                 const float *adata, const rd_tensor *b, const float *bdata, float beta, float *c) {
    if (g->n_gemm < RD_GEMM_LOG) g->gemm[g->n_gemm] = (rd_gemm_shape){ta, tb, m, n, k};
    g->n_gemm++;
    double t0 = seconds();
    gemm_args p = {ta, tb, m, n, k, a->cols, b->cols, n >= m, adata, bdata, beta, c};
    int threads = rd_workers_count(g->workers);
    double macs = (double)m * n * k;
    if (threads > 1 && macs >= 1e6 && (n >= m ? n : m) >= 32 * threads)
        rd_workers_run(g->workers, gemm_part, &p);
    else
        gemm_part(&p, 0, 1);
    g->gemm_seconds += seconds() - t0;
}

/* The gradient of `to` (rows x cols) from op(A) op(B) with inner dimension
 * k: added to it, or written over it (beta 0) when `to` had none yet. */
static void gemm_grad(rd_graph *g, rd_tensor *to, int ta, int tb, int k, const rd_tensor *a,
                      const float *adata, const rd_tensor *b, const float *bdata) {
    int fresh;
    float *d = rd_grad_reuse(g, to, NULL, &fresh);
    gemm(g, ta, tb, to->rows, to->cols, k, a, adata, b, bdata, fresh ? 0.0f : 1.0f, d);
}

/* ---- matmul: C = op(A) op(B) ---- */
rd_tensor *rd_matmul(rd_graph *g, rd_tensor *a, rd_tensor *b, int trans_a, int trans_b) {
    int m = trans_a ? a->cols : a->rows, k = trans_a ? a->rows : a->cols;
    int n = trans_b ? b->rows : b->cols;
    rd_tensor *t = rd_node(g, RD_OP_MATMUL, m, n, a, b);
    t->i0 = trans_a;
    t->i1 = trans_b;
    gemm(g, trans_a, trans_b, m, n, k, a, a->data, b, b->data, 0.0f, t->data);
    return t;
}

void rd_matmul_backward(rd_graph *g, rd_tensor *t) {
    rd_tensor *a = t->in[0], *b = t->in[1];
    int ta = t->i0, tb = t->i1;
    /* dC is a tensor-shaped view for gemm()'s leading dimension. */
    rd_tensor dc = {.rows = t->rows, .cols = t->cols};
    if (a->requires_grad) {
        if (!ta) /* dA = dC op(B)^T */
            gemm_grad(g, a, 0, !tb, t->cols, &dc, t->grad, b, b->data);
        else /* dA = op(B) dC^T */
            gemm_grad(g, a, tb, 1, t->cols, b, b->data, &dc, t->grad);
    }
    if (b->requires_grad) {
        if (!tb) /* dB = op(A)^T dC */
            gemm_grad(g, b, !ta, 0, t->rows, a, a->data, &dc, t->grad);
        else /* dB = dC^T op(A) */
            gemm_grad(g, b, 1, ta, t->rows, &dc, t->grad, a, a->data);
    }
}

/* ---- linear: Y = X W + b (one gemm, bias preloaded as its C) ---- */
rd_tensor *rd_linear(rd_graph *g, rd_tensor *x, rd_tensor *w, rd_tensor *b) {
    rd_tensor *t = rd_node(g, RD_OP_LINEAR, x->rows, w->cols, x, w);
    t->saved = b;
    if (b && b->requires_grad) t->requires_grad = 1;
    for (int i = 0; i < t->rows; i++) {
        if (b)
            memcpy(t->data + (size_t)i * t->cols, b->data, (size_t)t->cols * sizeof(float));
        else
            memset(t->data + (size_t)i * t->cols, 0, (size_t)t->cols * sizeof(float));
    }
    gemm(g, 0, 0, x->rows, w->cols, x->cols, x, x->data, w, w->data, 1.0f, t->data);
    return t;
}

static void bias_backward(rd_graph *g, rd_tensor *t, rd_tensor *b) {
    float *db = rd_grad(g, b);
    for (int i = 0; i < t->rows; i++) {
        const float *row = t->grad + (size_t)i * t->cols;
        for (int j = 0; j < t->cols; j++) db[j] += row[j];
    }
}

void rd_linear_backward(rd_graph *g, rd_tensor *t) {
    rd_tensor *x = t->in[0], *w = t->in[1], *b = t->saved;
    rd_tensor dy = {.rows = t->rows, .cols = t->cols};
    if (x->requires_grad) /* dX = dY W^T */
        gemm_grad(g, x, 0, 1, t->cols, &dy, t->grad, w, w->data);
    if (w->requires_grad) /* dW = X^T dY */
        gemm_grad(g, w, 1, 0, t->rows, x, x->data, &dy, t->grad);
    if (b && b->requires_grad) bias_backward(g, t, b); /* db = column sums of dY */
}

/* ---- add_bias: Y = X + b, b broadcast over rows ---- */
rd_tensor *rd_add_bias(rd_graph *g, rd_tensor *x, rd_tensor *b) {
    rd_tensor *t = rd_node(g, RD_OP_ADD_BIAS, x->rows, x->cols, x, b);
    for (int i = 0; i < t->rows; i++) {
        const float *xr = x->data + (size_t)i * x->cols;
        float *yr = t->data + (size_t)i * t->cols;
        for (int j = 0; j < t->cols; j++) yr[j] = xr[j] + b->data[j];
    }
    return t;
}

void rd_add_bias_backward(rd_graph *g, rd_tensor *t) {
    rd_tensor *x = t->in[0], *b = t->in[1];
    if (x->requires_grad) {
        float *dx = rd_grad(g, x);
        for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += t->grad[i];
    }
    if (b->requires_grad) bias_backward(g, t, b);
}
