/* Negative log-likelihood and fused cross-entropy: loss ops, each with its
 * forward, backward and descriptor here. */
#include <math.h>

#include "rdrop/loss.h"

typedef struct {
    const int *labels;
    int n_labels; /* row i's class is labels[i % n_labels] */
    float *prob;  /* cross_entropy: softmax of the logits, for the backward */
} label_ctx;

/* ---- nll: -mean_i logp[i, label_i] ---- */
static void nll_backward(rd_graph *g, rd_tensor *t);
static const rd_op NLL = {"nll", nll_backward};

rd_tensor *rd_nll(rd_graph *g, rd_tensor *logp, const int *labels, int n_labels) {
    rd_tensor *t = rd_node(g, &NLL, 1, 1, logp, NULL);
    label_ctx *c = rd_save(g, t, sizeof *c);
    c->labels = labels;
    c->n_labels = n_labels;
    double s = 0.0;
    for (int i = 0; i < logp->rows; i++) s -= logp->data[(size_t)i * logp->cols + labels[i % n_labels]];
    t->value = s / logp->rows;
    t->exact = 1;
    t->data[0] = (float)t->value;
    return t;
}

/* d/d logp[i, label_i] = -1/rows; 0 elsewhere */
static void nll_backward(rd_graph *g, rd_tensor *t) {
    const label_ctx *c = t->ctx;
    rd_tensor *x = t->in[0];
    float *dx = rd_grad(g, x);
    float d = t->grad[0] / (float)x->rows;
    for (int i = 0; i < x->rows; i++) dx[(size_t)i * x->cols + c->labels[i % c->n_labels]] -= d;
}

/* ---- cross_entropy: nll(log_softmax(logits)), one pass ---- */
static void cross_entropy_backward(rd_graph *g, rd_tensor *t);
static const rd_op CROSS_ENTROPY = {"cross_entropy", cross_entropy_backward};

rd_tensor *rd_cross_entropy(rd_graph *g, rd_tensor *logits, const int *labels, int n_labels) {
    rd_tensor *t = rd_node(g, &CROSS_ENTROPY, 1, 1, logits, NULL);
    int n = logits->cols;
    label_ctx *c = rd_save(g, t, sizeof *c);
    c->labels = labels;
    c->n_labels = n_labels;
    c->prob = rd_arena_alloc(&g->arena, RD_NUMEL(logits) * sizeof(float));
    double s = 0.0;
    for (int i = 0; i < logits->rows; i++) {
        const float *x = logits->data + (size_t)i * n;
        float *p = c->prob + (size_t)i * n;
        float mx;
        double lse = rd_row_log_sum_exp(x, n, &mx);
        lse += mx;
        for (int j = 0; j < n; j++) p[j] = (float)exp((double)x[j] - lse);
        s += lse - x[labels[i % n_labels]];
    }
    t->value = s / logits->rows;
    t->exact = 1;
    t->data[0] = (float)t->value;
    return t;
}

/* d/d logits = (softmax - one_hot) / rows */
static void cross_entropy_backward(rd_graph *g, rd_tensor *t) {
    const label_ctx *c = t->ctx;
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
