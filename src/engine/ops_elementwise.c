/* Element-wise ops. Forward and backward side by side. */
#include <math.h>

#include "rdrop/tensor.h"

/* ---- add: C = A + B (same shape) ---- */
/* Adding 1x1 results (the terms of a loss) keeps their sum in double. */
typedef struct {
    double value;
} add_ctx;

static double add_value(const rd_tensor *t) { return ((const add_ctx *)t->ctx)->value; }

static void add_backward(rd_graph *g, rd_tensor *t);
static const rd_op ADD = {"add", add_backward, NULL};
static const rd_op ADD_SCALARS = {"add", add_backward, add_value};

rd_tensor *rd_add(rd_graph *g, rd_tensor *a, rd_tensor *b) {
    rd_check_shape(a->rows == b->rows && a->cols == b->cols, "rd_add", "the shapes %dx%d and %dx%d differ", a->rows,
                   a->cols, b->rows, b->cols);
    int scalar = RD_NUMEL(a) == 1;
    rd_tensor *t = rd_node(g, scalar ? &ADD_SCALARS : &ADD, a->rows, a->cols, 2, (rd_tensor *[]){a, b});
    for (size_t i = 0; i < RD_NUMEL(t); i++) t->data[i] = a->data[i] + b->data[i];
    if (scalar) ((add_ctx *)rd_save(g, t, sizeof(add_ctx)))->value = rd_scalar(a) + rd_scalar(b);
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
    double value; /* a 1x1 result, in double */
} scale_ctx;

static double scale_value(const rd_tensor *t) { return ((const scale_ctx *)t->ctx)->value; }

static void scale_backward(rd_graph *g, rd_tensor *t);
static const rd_op SCALE = {"scale", scale_backward, NULL};
static const rd_op SCALE_SCALAR = {"scale", scale_backward, scale_value};

rd_tensor *rd_scale(rd_graph *g, rd_tensor *x, float s) {
    int scalar = RD_NUMEL(x) == 1;
    rd_tensor *t = rd_node(g, scalar ? &SCALE_SCALAR : &SCALE, x->rows, x->cols, 1, &x);
    scale_ctx *c = rd_save(g, t, sizeof *c);
    c->s = s;
    for (size_t i = 0; i < RD_NUMEL(t); i++) t->data[i] = s * x->data[i];
    if (scalar) c->value = (double)s * rd_scalar(x);
    return t;
}

static void scale_backward(rd_graph *g, rd_tensor *t) {
    float s = ((const scale_ctx *)t->ctx)->s, *dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += s * t->grad[i];
}

/* ---- relu: Y = max(X, 0) ---- */
static void relu_backward(rd_graph *g, rd_tensor *t);
static const rd_op RELU = {"relu", relu_backward, NULL};

rd_tensor *rd_relu(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, &RELU, x->rows, x->cols, 1, &x);
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
static const rd_op TANH = {"tanh", tanh_backward, NULL};

rd_tensor *rd_tanh(rd_graph *g, rd_tensor *x) {
    rd_tensor *t = rd_node(g, &TANH, x->rows, x->cols, 1, &x);
    for (size_t i = 0; i < RD_NUMEL(t); i++) t->data[i] = tanhf(x->data[i]);
    return t;
}

/* dX = (1 - Y^2) dY */
static void tanh_backward(rd_graph *g, rd_tensor *t) {
    float *dx = rd_grad(g, t->in[0]);
    for (size_t i = 0; i < RD_NUMEL(t); i++) dx[i] += (1.0f - t->data[i] * t->data[i]) * t->grad[i];
}
