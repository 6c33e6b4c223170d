/* Layers: Linear, an activation, Dropout, and an MLP made of them.
 * All of a model's parameters live in ONE flat buffer (and their gradients in
 * another), so saving, copying, restoring and the optimizer step are each a
 * single pass over one array (the KANN idea). */
#ifndef RDROP_NN_H
#define RDROP_NN_H
#include <stddef.h>

#include "rdrop/error.h"
#include "rdrop/rng.h"
#include "rdrop/tensor.h"

#define RD_MAX_HIDDEN 8

typedef enum { RD_ACT_RELU, RD_ACT_TANH } rd_activation;
typedef enum { RD_INIT_KAIMING, RD_INIT_XAVIER } rd_init;

/* A Linear layer y = x W + b: W is in x out, b is 1 x out, both slices of
 * the model's flat buffer. */
typedef struct {
    int in, out;
    size_t w, b; /* offsets of W and b in the flat buffer */
} rd_linear_layer;

typedef struct {
    int n_layers; /* hidden layers + the output layer */
    rd_linear_layer layer[RD_MAX_HIDDEN + 1];
    rd_activation activation;
    float dropout;       /* after every hidden activation */
    float input_dropout; /* on the inputs; 0 after rd_mlp_init, set it directly */
    size_t n_params;
    float *params, *grads;
} rd_mlp;

/* inputs -> hidden[0] -> ... -> hidden[n_hidden-1] -> classes.
 * Weights uniform in +-sqrt(6/fan_in) (Kaiming, for ReLU) or
 * +-sqrt(6/(fan_in+fan_out)) (Xavier); biases 0. */
rd_status rd_mlp_init(rd_mlp *m, int inputs, const int *hidden, int n_hidden, int classes,
                      rd_activation act, float dropout, rd_init init, rd_rng *rng, rd_error *err);
void rd_mlp_free(rd_mlp *m);
void rd_mlp_zero_grad(rd_mlp *m);
/* Parameters a model of this shape has (0 if it would overflow). */
size_t rd_mlp_count_params(int inputs, const int *hidden, int n_hidden, int classes);

/* Logits for the rows of x. With copies = 2 (R-Drop) the output has twice
 * the rows: rows 0..B-1 are copy a and rows B..2B-1 copy b of the batch,
 * with independent dropout masks (copies = N >= 1 gives N such blocks:
 * Monte Carlo dropout). Without input dropout the first layer's product is
 * computed once for the B inputs and then stacked, since it comes before
 * any dropout: the result and gradients are the same as feeding [x; x].
 * With input dropout each copy gets its own input mask, so the inputs are
 * stacked first. Each layer: linear, activation, dropout, as separate ops
 * (the reference; rd_fast_mlp_forward in rdrop/fast.h fuses them). */
rd_tensor *rd_mlp_forward(rd_mlp *m, rd_graph *g, rd_tensor *x, int copies, rd_rng *rng);

/* A forward pass: rd_mlp_forward or rd_fast_mlp_forward (rdrop/fast.h). */
typedef rd_tensor *(*rd_forward_fn)(rd_mlp *m, rd_graph *g, rd_tensor *x, int copies, rd_rng *rng);

/* What follows a hidden layer's product: the activation and dropout over
 * `copies` copies of h, h being the product of rows every copy still shares.
 * Returns the copies stacked, each with its own mask. rd_mlp_hidden is the
 * reference: stack, activation, dropout. */
typedef rd_tensor *(*rd_hidden_fn)(const rd_mlp *m, rd_graph *g, rd_tensor *h, int copies, rd_rng *rng);
rd_tensor *rd_mlp_hidden(const rd_mlp *m, rd_graph *g, rd_tensor *h, int copies, rd_rng *rng);
/* The layer loop of every forward pass, with `hidden` after each hidden
 * layer's product: rd_mlp_forward is rd_mlp_forward_with(..., rd_mlp_hidden). */
rd_tensor *rd_mlp_forward_with(rd_mlp *m, rd_graph *g, rd_tensor *x, int copies, rd_rng *rng, rd_hidden_fn hidden);

/* "relu" or "tanh". */
const char *rd_activation_name(rd_activation a);
/* The index of the largest of n values (the first, on ties): a prediction. */
int rd_argmax(const float *x, int n);

/* Max-norm: rescales each hidden unit's incoming weight vector (a column of
 * its layer's W) to L2 norm c when it is longer. The output layer is left
 * alone. Call after each optimizer step. */
void rd_mlp_max_norm(rd_mlp *m, float c);

#endif
