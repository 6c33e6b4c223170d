/* The MLP's forward pass with the fused ReLU+dropout: rd_mlp_forward's
 * layer loop, logits and gradients, with one op and one pass fewer per
 * hidden layer, and R-Drop's copies read from the shared first layer
 * without being stacked. */
#include "rdrop/fast.h"

/* After a hidden layer's product: ReLU and dropout fused (tanh: the
 * reference ops). */
static rd_tensor *fused_hidden(const rd_mlp *m, rd_graph *g, rd_tensor *h, int copies, rd_rng *rng) {
    if (m->activation != RD_ACT_RELU) return rd_mlp_hidden(m, g, h, copies, rng);
    return rd_relu_dropout_copies(g, h, copies, m->dropout, rng);
}

rd_tensor *rd_fast_mlp_forward(rd_mlp *m, rd_graph *g, rd_tensor *x, int copies, rd_rng *rng) {
    return rd_mlp_forward_with(m, g, x, copies, rng, fused_hidden);
}
