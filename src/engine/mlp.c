/* The multilayer perceptron: Linear -> activation -> Dropout, repeated. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/nn.h"

size_t rd_mlp_count_params(int inputs, const int *hidden, int n_hidden, int classes) {
    size_t total = 0;
    int in = inputs;
    for (int l = 0; l <= n_hidden; l++) {
        int out = l < n_hidden ? hidden[l] : classes;
        if (in <= 0 || out <= 0) return 0;
        size_t w = (size_t)in * (size_t)out; /* ints: cannot overflow size_t on 64-bit */
        if (total > SIZE_MAX - w - (size_t)out) return 0;
        total += w + (size_t)out;
        in = out;
    }
    return total;
}

rd_status rd_mlp_init(rd_mlp *m, int inputs, const int *hidden, int n_hidden, int classes,
                      rd_activation act, float dropout, rd_init init, rd_rng *rng, rd_error *err) {
    memset(m, 0, sizeof *m);
    if (n_hidden < 0 || n_hidden > RD_MAX_HIDDEN)
        return rd_fail(err, RD_ERR_USAGE, "model: %d hidden layers (at most %d)", n_hidden,
                       RD_MAX_HIDDEN);
    if (!(dropout >= 0.0f && dropout < 1.0f))
        return rd_fail(err, RD_ERR_USAGE, "model: dropout %g is not in [0, 1)", dropout);
    m->n_params = rd_mlp_count_params(inputs, hidden, n_hidden, classes);
    if (m->n_params == 0)
        return rd_fail(err, RD_ERR_USAGE, "model: layer sizes must be positive and fit in memory");
    m->n_layers = n_hidden + 1;
    m->activation = act;
    m->dropout = dropout;
    m->params = rd_malloc(m->n_params, sizeof(float));
    m->grads = rd_calloc(m->n_params, sizeof(float));
    size_t off = 0;
    int in = inputs;
    for (int l = 0; l < m->n_layers; l++) {
        rd_linear_layer *L = &m->layer[l];
        L->in = in;
        L->out = l < n_hidden ? hidden[l] : classes;
        L->w = off;
        L->b = off + (size_t)L->in * L->out;
        off = L->b + L->out;
        double fan = init == RD_INIT_XAVIER ? (double)L->in + L->out : (double)L->in;
        float bound = (float)sqrt(6.0 / fan);
        for (size_t i = L->w; i < L->b; i++) m->params[i] = (2.0f * rd_rng_uniform(rng) - 1.0f) * bound;
        memset(m->params + L->b, 0, (size_t)L->out * sizeof(float));
        in = L->out;
    }
    return RD_OK;
}

void rd_mlp_free(rd_mlp *m) {
    free(m->params);
    free(m->grads);
    memset(m, 0, sizeof *m);
}

void rd_mlp_zero_grad(rd_mlp *m) { memset(m->grads, 0, m->n_params * sizeof(float)); }

rd_tensor *rd_mlp_hidden(const rd_mlp *m, rd_graph *g, rd_tensor *h, int copies, rd_rng *rng) {
    h = rd_repeat_rows(g, h, copies);
    h = m->activation == RD_ACT_RELU ? rd_relu(g, h) : rd_tanh(g, h);
    return rd_dropout(g, h, m->dropout, rng);
}

rd_tensor *rd_mlp_forward_with(rd_mlp *m, rd_graph *g, rd_tensor *x, int copies, rd_rng *rng, rd_hidden_fn hidden) {
    rd_check_shape(copies >= 1 && x->cols == m->layer[0].in, "rd_mlp_forward",
                   "%d copies of a %dx%d batch for a model of %d inputs", copies, x->rows, x->cols, m->layer[0].in);
    rd_tensor *h = x;
    int shared = copies; /* copies that still share h (no dropout before it) */
    /* Input dropout comes before the first product, so the copies cannot
     * share it: stack the inputs and give each copy its own mask. */
    if (m->input_dropout > 0.0f && g->training) {
        h = rd_dropout(g, rd_repeat_rows(g, x, copies), m->input_dropout, rng);
        shared = 1;
    }
    for (int l = 0; l < m->n_layers; l++) {
        const rd_linear_layer *L = &m->layer[l];
        rd_tensor *w = rd_param(g, L->in, L->out, m->params + L->w, m->grads + L->w);
        rd_tensor *b = rd_param(g, 1, L->out, m->params + L->b, m->grads + L->b);
        h = rd_linear(g, h, w, b);
        if (l == m->n_layers - 1) break; /* logits */
        /* the copies part here, after the product (dropout comes after it) */
        h = hidden(m, g, h, shared, rng);
        shared = 1;
    }
    return rd_repeat_rows(g, h, shared); /* no hidden layer: the copies part at the logits */
}

rd_tensor *rd_mlp_forward(rd_mlp *m, rd_graph *g, rd_tensor *x, int copies, rd_rng *rng) {
    return rd_mlp_forward_with(m, g, x, copies, rng, rd_mlp_hidden);
}

const char *rd_activation_name(rd_activation a) { return a == RD_ACT_TANH ? "tanh" : "relu"; }

int rd_argmax(const float *x, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) best = x[j] > x[best] ? j : best;
    return best;
}

/* Srivastava et al. (2014): max-norm keeps each unit's incoming weights in a
 * ball of radius c. W is in x out, so unit j's weights are column j; a block
 * of columns at a time keeps the sums on the stack (no malloc in a step). */
void rd_mlp_max_norm(rd_mlp *m, float c) {
    enum { BLOCK = 256 };
    for (int l = 0; l < m->n_layers - 1; l++) { /* hidden units only */
        const rd_linear_layer *L = &m->layer[l];
        float *w = m->params + L->w;
        for (int j0 = 0; j0 < L->out; j0 += BLOCK) {
            int nj = L->out - j0 < BLOCK ? L->out - j0 : BLOCK;
            double sq[BLOCK] = {0};
            for (int i = 0; i < L->in; i++) {
                const float *row = w + (size_t)i * L->out + j0;
                for (int j = 0; j < nj; j++) sq[j] += (double)row[j] * row[j];
            }
            int any = 0;
            for (int j = 0; j < nj; j++) { /* the factor, or 1 inside the ball */
                sq[j] = sq[j] > (double)c * c ? c / sqrt(sq[j]) : 1.0;
                any |= sq[j] != 1.0;
            }
            for (int i = 0; any && i < L->in; i++) {
                float *row = w + (size_t)i * L->out + j0;
                for (int j = 0; j < nj; j++) row[j] = (float)(row[j] * sq[j]);
            }
        }
    }
}
