/* Evaluation: forward passes without dropout, in chunks. */
#include <math.h>
#include <stdlib.h>

#include "rdrop/loss.h"
#include "rdrop/signals.h"
#include "rdrop/train.h"

enum { EVAL_ROWS = 500 };

int rd_evaluate(rd_mlp *m, rd_graph *g, const rd_dataset *d, double *loss, double *acc, long long *confusion) {
    int classes = m->layer[m->n_layers - 1].out, training = g->training;
    float *x = rd_malloc((size_t)EVAL_ROWS * d->dim, sizeof(float));
    int idx[EVAL_ROWS], y[EVAL_ROWS];
    double total = 0.0;
    long long correct = 0;
    g->training = 0;
    int stopped = 0;
    for (int start = 0; start < d->n && !(stopped = rd_interrupted()); start += EVAL_ROWS) {
        int n = d->n - start < EVAL_ROWS ? d->n - start : EVAL_ROWS;
        for (int i = 0; i < n; i++) idx[i] = start + i;
        rd_dataset_rows(d, idx, n, x);
        rd_dataset_labels(d, idx, n, y);
        rd_graph_reset(g);
        rd_tensor *logits = rd_mlp_forward(m, g, rd_input(g, n, d->dim, x), 1, NULL);
        total += rd_scalar(rd_cross_entropy(g, logits, y, n)) * n;
        for (int i = 0; i < n; i++) {
            int best = rd_argmax(logits->data + (size_t)i * classes, classes);
            correct += best == y[i];
            if (confusion) confusion[(size_t)y[i] * classes + best]++;
        }
    }
    g->training = training;
    free(x);
    *loss = d->n && !stopped ? total / d->n : NAN;
    *acc = d->n && !stopped ? (double)correct / d->n : NAN;
    return stopped;
}
