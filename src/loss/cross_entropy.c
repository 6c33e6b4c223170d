/* Negative log-likelihood and fused cross-entropy: loss ops, each with its
 * forward, backward and descriptor here. */
#include <math.h>

#include "rdrop/loss.h"
#include "rdrop/prob.h"

/* Row i's class is labels[i % n_labels]: each a column of x. */
static void check_labels(const char *op, const rd_tensor *x, const int *labels, int n_labels) {
    rd_check_shape(n_labels >= 1, op, "%d labels", n_labels);
    for (int i = 0; i < n_labels && i < x->rows; i++)
        rd_check_shape(labels[i] >= 0 && labels[i] < x->cols, op, "label %d of row %d is not a column of %d",
                       labels[i], i, x->cols);
}

/* ---- nll: -mean_i logp[i, label_i] ---- */
typedef struct {
    const int *labels;
    int n_labels;
    double value; /* the loss, in double */
} nll_ctx;

static double nll_value(const rd_tensor *t) { return ((const nll_ctx *)t->ctx)->value; }
static void nll_backward(rd_graph *g, rd_tensor *t);
static const rd_op NLL = {"nll", nll_backward, nll_value};

rd_tensor *rd_nll(rd_graph *g, rd_tensor *logp, const int *labels, int n_labels) {
    check_labels("rd_nll", logp, labels, n_labels);
    rd_tensor *t = rd_node(g, &NLL, 1, 1, 1, &logp);
    nll_ctx *c = rd_save(g, t, sizeof *c);
    c->labels = labels;
    c->n_labels = n_labels;
    double s = 0.0;
    for (int i = 0; i < logp->rows; i++) s -= logp->data[(size_t)i * logp->cols + labels[i % n_labels]];
    c->value = s / logp->rows;
    t->data[0] = (float)c->value;
    return t;
}

/* d/d logp[i, label_i] = -1/rows; 0 elsewhere */
static void nll_backward(rd_graph *g, rd_tensor *t) {
    const nll_ctx *c = t->ctx;
    rd_tensor *x = t->in[0];
    float *dx = rd_grad(g, x);
    float d = t->grad[0] / (float)x->rows;
    for (int i = 0; i < x->rows; i++) dx[(size_t)i * x->cols + c->labels[i % c->n_labels]] -= d;
}

/* ---- cross_entropy: nll(log_softmax(logits)), one pass ---- */
typedef struct {
    const int *labels;
    int n_labels;
    float *prob;  /* softmax of the logits, for the backward */
    double value; /* the loss, in double */
} cross_entropy_ctx;

static double cross_entropy_value(const rd_tensor *t) { return ((const cross_entropy_ctx *)t->ctx)->value; }
static void cross_entropy_backward(rd_graph *g, rd_tensor *t);
static const rd_op CROSS_ENTROPY = {"cross_entropy", cross_entropy_backward, cross_entropy_value};

rd_tensor *rd_cross_entropy(rd_graph *g, rd_tensor *logits, const int *labels, int n_labels) {
    check_labels("rd_cross_entropy", logits, labels, n_labels);
    rd_tensor *t = rd_node(g, &CROSS_ENTROPY, 1, 1, 1, &logits);
    int n = logits->cols;
    cross_entropy_ctx *c = rd_save(g, t, sizeof *c);
    c->labels = labels;
    c->n_labels = n_labels;
    c->prob = rd_arena_alloc(&g->arena, RD_NUMEL(logits) * sizeof(float));
    double *row = rd_arena_alloc(&g->arena, (size_t)n * sizeof(double)), s = 0.0;
    for (int i = 0; i < logits->rows; i++) {
        const float *x = logits->data + (size_t)i * n;
        float *p = c->prob + (size_t)i * n;
        for (int j = 0; j < n; j++) row[j] = x[j];
        double mx, lse = rd_row_log_sum_exp(row, n, &mx);
        lse += mx;
        for (int j = 0; j < n; j++) p[j] = (float)exp((double)x[j] - lse);
        s += lse - x[labels[i % n_labels]];
    }
    c->value = s / logits->rows;
    t->data[0] = (float)c->value;
    return t;
}

/* d/d logits = (softmax - one_hot) / rows */
static void cross_entropy_backward(rd_graph *g, rd_tensor *t) {
    const cross_entropy_ctx *c = t->ctx;
    rd_tensor *x = t->in[0];
    float *dx = rd_grad(g, x);
    float d = t->grad[0] / (float)x->rows;
    for (int i = 0; i < x->rows; i++) {
        float *row = dx + (size_t)i * x->cols;
        const float *p = c->prob + (size_t)i * x->cols;
        for (int j = 0; j < x->cols; j++) row[j] += d * p[j];
        row[c->labels[i % c->n_labels]] -= d;
    }
}
