/* Matrix products, each one rd_gemm call (one cblas_sgemm in the reference
 * engine). Forward and backward side by side. */
#include <string.h>

#include "rdrop/gemm.h"
#include "rdrop/tensor.h"

/* C (m x n) = op(A) op(B) + beta C, with A and B stored as the tensors
 * themselves (op() transposes them when the flag is set): A's and B's row
 * strides are their column counts. */
static void gemm(rd_graph *g, int ta, int tb, int m, int n, int k, const rd_tensor *a, const float *adata,
                 const rd_tensor *b, const float *bdata, float beta, float *c) {
    rd_gemm_call call = {ta, tb, m, n, k, adata, a->cols, bdata, b->cols, beta, c, n};
    rd_gemm(g, &call);
}

/* The gradient of `to` (rows x cols) from op(A) op(B) with inner dimension
 * k: added to it, or written over it (beta 0) when `to` had none yet. */
static void gemm_grad(rd_graph *g, rd_tensor *to, int ta, int tb, int k, const rd_tensor *a,
                      const float *adata, const rd_tensor *b, const float *bdata) {
    int add;
    float *d = rd_grad_for_write(g, to, &add);
    gemm(g, ta, tb, to->rows, to->cols, k, a, adata, b, bdata, add ? 1.0f : 0.0f, d);
}

/* ---- matmul: C = op(A) op(B) ---- */
typedef struct {
    int trans_a, trans_b;
} matmul_ctx;

static void matmul_backward(rd_graph *g, rd_tensor *t);
static const rd_op MATMUL = {"matmul", matmul_backward, NULL};

rd_tensor *rd_matmul(rd_graph *g, rd_tensor *a, rd_tensor *b, int trans_a, int trans_b) {
    int m = trans_a ? a->cols : a->rows, k = trans_a ? a->rows : a->cols;
    int kb = trans_b ? b->cols : b->rows, n = trans_b ? b->rows : b->cols;
    rd_check_shape(k == kb, "rd_matmul", "op(A) is %dx%d and op(B) is %dx%d: inner sizes %d and %d differ", m, k, kb,
                   n, k, kb);
    rd_tensor *t = rd_node(g, &MATMUL, m, n, 2, (rd_tensor *[]){a, b});
    matmul_ctx *c = rd_save(g, t, sizeof *c);
    c->trans_a = trans_a;
    c->trans_b = trans_b;
    gemm(g, trans_a, trans_b, m, n, k, a, a->data, b, b->data, 0.0f, t->data);
    return t;
}

static void matmul_backward(rd_graph *g, rd_tensor *t) {
    const matmul_ctx *c = t->ctx;
    rd_tensor *a = t->in[0], *b = t->in[1];
    int ta = c->trans_a, tb = c->trans_b;
    /* dC is a tensor-shaped view for gemm()'s row stride. */
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

/* db = column sums of dY */
static void bias_backward(rd_graph *g, rd_tensor *t, rd_tensor *b) {
    float *db = rd_grad(g, b);
    for (int i = 0; i < t->rows; i++) {
        const float *row = t->grad + (size_t)i * t->cols;
        for (int j = 0; j < t->cols; j++) db[j] += row[j];
    }
}

/* A 1 x cols bias row for y's columns. */
static void check_bias(const char *op, const rd_tensor *b, int cols) {
    rd_check_shape(b->rows == 1 && b->cols == cols, op, "the bias is %dx%d, not 1x%d", b->rows, b->cols, cols);
}

/* ---- linear: Y = X W + b (one gemm, bias preloaded as its C) ---- */
/* Inputs: x, w and, when there is one, b. */
static void linear_backward(rd_graph *g, rd_tensor *t);
static const rd_op LINEAR = {"linear", linear_backward, NULL};

rd_tensor *rd_linear(rd_graph *g, rd_tensor *x, rd_tensor *w, rd_tensor *b) {
    rd_check_shape(x->cols == w->rows, "rd_linear", "X is %dx%d but W is %dx%d: X's columns must be W's rows",
                   x->rows, x->cols, w->rows, w->cols);
    if (b) check_bias("rd_linear", b, w->cols);
    rd_tensor *t = rd_node(g, &LINEAR, x->rows, w->cols, b ? 3 : 2, (rd_tensor *[]){x, w, b});
    for (int i = 0; i < t->rows; i++) {
        if (b)
            memcpy(t->data + (size_t)i * t->cols, b->data, (size_t)t->cols * sizeof(float));
        else
            memset(t->data + (size_t)i * t->cols, 0, (size_t)t->cols * sizeof(float));
    }
    gemm(g, 0, 0, x->rows, w->cols, x->cols, x, x->data, w, w->data, 1.0f, t->data);
    return t;
}

static void linear_backward(rd_graph *g, rd_tensor *t) {
    rd_tensor *x = t->in[0], *w = t->in[1], *b = t->n_in == 3 ? t->in[2] : NULL;
    rd_tensor dy = {.rows = t->rows, .cols = t->cols};
    if (x->requires_grad) /* dX = dY W^T */
        gemm_grad(g, x, 0, 1, t->cols, &dy, t->grad, w, w->data);
    if (w->requires_grad) /* dW = X^T dY */
        gemm_grad(g, w, 1, 0, t->rows, x, x->data, &dy, t->grad);
    if (b && b->requires_grad) bias_backward(g, t, b);
}

/* ---- add_bias: Y = X + b, b broadcast over rows ---- */
static void add_bias_backward(rd_graph *g, rd_tensor *t);
static const rd_op ADD_BIAS = {"add_bias", add_bias_backward, NULL};

rd_tensor *rd_add_bias(rd_graph *g, rd_tensor *x, rd_tensor *b) {
    check_bias("rd_add_bias", b, x->cols);
    rd_tensor *t = rd_node(g, &ADD_BIAS, x->rows, x->cols, 2, (rd_tensor *[]){x, b});
    for (int i = 0; i < t->rows; i++) {
        const float *xr = x->data + (size_t)i * x->cols;
        float *yr = t->data + (size_t)i * t->cols;
        for (int j = 0; j < t->cols; j++) yr[j] = xr[j] + b->data[j];
    }
    return t;
}

static void add_bias_backward(rd_graph *g, rd_tensor *t) {
    rd_tensor *x = t->in[0], *b = t->in[1];
    if (x->requires_grad) {
        float *dx = rd_grad(g, x);
        for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += t->grad[i];
    }
    if (b->requires_grad) bias_backward(g, t, b);
}
