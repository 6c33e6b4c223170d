/* How far dropout's sub-networks agree on a dataset: the full network, single
 * dropout passes, their average (Monte Carlo dropout) and the symmetric KL
 * between passes that R-Drop trains down. See docs/dropout.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/prob.h"
#include "rdrop/signals.h"
#include "rdrop/train.h"

/* Rows of one forward: CHUNK images times the passes, about ROWS; small, so
 * that N passes cost little memory (an 8-pass forward of 64 images needs a
 * few MiB of activations, not the hundreds 8 x 250 images would). */
enum { CHUNK = 250, ROWS = 512, BINS = 15 };

int rd_log_probs(const float *z, int k, double *lp) {
    for (int j = 0; j < k; j++) lp[j] = z[j];
    rd_row_log_softmax(lp, k, lp);
    return rd_argmax(z, k);
}

double rd_pairs_kl(const double *lp, int passes, int k) {
    if (passes < 2) return NAN;
    double sum = 0; /* R-Drop's term, [KL(a||b) + KL(b||a)] / 4, over all pairs */
    for (int a = 0; a < passes; a++)
        for (int b = a + 1; b < passes; b++) sum += rd_row_rdrop_kl(lp + (size_t)a * k, lp + (size_t)b * k, k);
    return sum / (passes * (passes - 1) / 2.0);
}

int rd_evaluate_consistency(rd_mlp *m, rd_graph *g, rd_forward_fn forward, const rd_dataset *d, int passes,
                            rd_rng *rng, rd_consistency *out) {
    memset(out, 0, sizeof *out);
    int k = m->layer[m->n_layers - 1].out;
    int chunk = passes > 1 ? (ROWS + passes - 1) / passes : CHUNK;
    if (chunk > CHUNK) chunk = CHUNK;
    /* a graph of its own, so the caller's arena does not grow to hold the
     * passes; the caller's products engine (the fast layer's team) */
    rd_graph own;
    rd_graph_init(&own);
    own.products = g->products;
    g = &own;
    if (!forward) forward = rd_mlp_forward;
    float *x = rd_malloc((size_t)chunk * d->dim, sizeof(float));
    int *idx = rd_malloc((size_t)chunk, sizeof(int)), *y = rd_malloc((size_t)chunk, sizeof(int));
    double *lp = rd_malloc((size_t)(passes + 1) * k, sizeof(double)), *mean = rd_malloc((size_t)k, sizeof(double));
    float *meanf = rd_malloc((size_t)k, sizeof(float));
    double bin_n[BINS] = {0}, bin_conf[BINS] = {0}, bin_correct[BINS] = {0};
    double full = 0, sub = 0, mc = 0, kl = 0, loss = 0;
    int stopped = 0;
    for (int start = 0; start < d->n && !(stopped = rd_interrupted()); start += chunk) {
        int n = d->n - start < chunk ? d->n - start : chunk;
        for (int i = 0; i < n; i++) idx[i] = start + i;
        rd_dataset_rows(d, idx, n, x);
        rd_dataset_labels(d, idx, n, y);
        /* the full network: dropout off */
        g->training = 0;
        rd_graph_reset(g);
        const float *z = rd_mlp_forward(m, g, rd_input(g, n, d->dim, x), 1, NULL)->data;
        for (int i = 0; i < n; i++) {
            int best = rd_log_probs(z + (size_t)i * k, k, lp);
            double conf = exp(lp[best]);
            int b = (int)(conf * BINS);
            b = b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
            bin_n[b] += 1;
            bin_conf[b] += conf;
            bin_correct[b] += best == y[i];
            full += best == y[i];
            loss -= lp[y[i]];
        }
        if (passes < 1) continue;
        /* `passes` sub-networks at once: rows p*n .. p*n+n-1 are pass p */
        g->training = 1;
        rd_graph_reset(g);
        z = forward(m, g, rd_input(g, n, d->dim, x), passes, rng)->data;
        for (int i = 0; i < n; i++) {
            memset(mean, 0, (size_t)k * sizeof(double));
            for (int p = 0; p < passes; p++) {
                double *l = lp + (size_t)p * k;
                sub += rd_log_probs(z + ((size_t)p * n + i) * k, k, l) == y[i];
                for (int j = 0; j < k; j++) mean[j] += exp(l[j]);
            }
            for (int j = 0; j < k; j++) meanf[j] = (float)mean[j];
            mc += rd_argmax(meanf, k) == y[i];
            if (passes > 1) kl += rd_pairs_kl(lp, passes, k);
        }
    }
    rd_graph_free(&own);
    double ece = 0;
    for (int b = 0; b < BINS; b++) ece += fabs(bin_correct[b] - bin_conf[b]);
    double n = d->n > 0 ? d->n : NAN;
    out->passes = passes;
    out->full_acc = full / n;
    out->loss = loss / n;
    out->ece = ece / n;
    out->sub_acc = passes > 0 ? sub / passes / n : NAN;
    out->mc_acc = passes > 0 ? mc / n : NAN;
    out->test_kl = passes > 1 ? kl / n : NAN;
    free(x);
    free(idx);
    free(y);
    free(lp);
    free(mean);
    free(meanf);
    return stopped;
}
