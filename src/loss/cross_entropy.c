/* Negative log-likelihood and fused cross-entropy. */
#include <math.h>

#include "engine/ops.h"
#include "rdrop/loss.h"

/* ---- nll: -mean_i logp[i, label_i] ---- */
rd_tensor *rd_nll(rd_graph *g, rd_tensor *logp, const int *labels, int n_labels) {
    rd_tensor *t = rd_node(g, RD_OP_NLL, 1, 1, logp, NULL);
    t->labels = labels;
    t->i0 = n_labels;
    double s = 0.0;
    for (int i = 0; i < logp->rows; i++) s -= logp->data[(size_t)i * logp->cols + labels[i % n_labels]];
    t->value = s / logp->rows;
    t->data[0] = (float)t->value;
    return t;
}

void rd_nll_backward(rd_graph *g, rd_tensor *t) {
    rd_tensor *x = t->in[0];
    const int *labels = t->labels;
    float *dx = rd_grad(g, x);
    float d = t->grad[0] / (float)x->rows;
    for (int i = 0; i < x->rows; i++) dx[(size_t)i * x->cols + labels[i % t->i0]] -= d;
}

/* ---- cross_entropy: nll(log_softmax(logits)), one pass ---- */
rd_tensor *rd_cross_entropy(rd_graph *g, rd_tensor *logits, const int *labels, int n_labels) {
    rd_tensor *t = rd_node(g, RD_OP_CROSS_ENTROPY, 1, 1, logits, NULL);
    int n = logits->cols;
    float *prob = rd_arena_alloc(&g->arena, RD_NUMEL(logits) * sizeof(float));
    t->saved = prob;
    t->i0 = n_labels;
    t->labels = labels;
    double s = 0.0;
    for (int i = 0; i < logits->rows; i++) {
        const float *x = logits->data + (size_t)i * n;
        float *p = prob + (size_t)i * n;
        float mx;
        double lse = rd_row_log_sum_exp(x, n, &mx);
        lse += mx;
        for (int j = 0; j < n; j++) p[j] = (float)exp((double)x[j] - lse);
        s += lse - x[labels[i % n_labels]];
    }
    t->value = s / logits->rows;
    t->data[0] = (float)t->value;
    return t;
}

void rd_cross_entropy_backward(rd_graph *g, rd_tensor *t) {
    rd_tensor *x = t->in[0];
    const float *prob = t->saved;
    const int *labels = t->labels;
    float *dx = rd_grad(g, x);
    float d = t->grad[0] / (float)x->rows;
    for (int i = 0; i < x->rows; i++) {
        float *row = dx + (size_t)i * x->cols;
        const float *p = prob + (size_t)i * x->cols;
        for (int j = 0; j < x->cols; j++) row[j] += d * p[j];
        row[labels[i % t->i0]] -= d;
    }
}
