/* The MLP's forward pass with the fused ReLU+dropout: rd_mlp_forward's
 * logits and gradients with one op and one pass fewer per hidden layer, and
 * R-Drop's copies read from the shared first layer without being stacked. */
#include <assert.h>

#include "rdrop/fast.h"

rd_tensor *rd_fast_mlp_forward(rd_mlp *m, rd_graph *g, rd_tensor *x, int copies, rd_rng *rng) {
    assert(copies >= 1 && "rd_fast_mlp_forward: copies must be 1 or more");
    if (m->activation != RD_ACT_RELU) return rd_mlp_forward(m, g, x, copies, rng); /* no fused tanh */
    rd_tensor *h = x;
    int shared = copies; /* copies still sharing h (before any dropout) */
    if (m->input_dropout > 0.0f && g->training) { /* as rd_mlp_forward: one input mask per copy */
        for (int c = 1; c < copies; c++) h = rd_concat_rows(g, h, x);
        h = rd_dropout(g, h, m->input_dropout, rng);
        shared = 1;
    }
    for (int l = 0; l < m->n_layers; l++) {
        const rd_linear_layer *L = &m->layer[l];
        rd_tensor *w = rd_param(g, L->in, L->out, m->params + L->w, m->grads + L->w);
        rd_tensor *b = rd_param(g, 1, L->out, m->params + L->b, m->grads + L->b);
        h = rd_linear(g, h, w, b);
        if (l == m->n_layers - 1) break; /* logits */
        h = rd_relu_dropout_copies(g, h, shared, m->dropout, rng);
        shared = 1;
    }
    if (shared > 1) { /* no hidden layer: the copies part at the logits */
        rd_tensor *s = h;
        for (int c = 1; c < shared; c++) s = rd_concat_rows(g, s, h);
        h = s;
    }
    return h;
}
