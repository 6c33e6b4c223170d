/* Optimizers over one flat parameter buffer: SGD (momentum, Nesterov), Adam
 * and AdamW, with PyTorch's update rules. One pass over the arrays per step. */
#ifndef RDROP_OPTIM_H
#define RDROP_OPTIM_H
#include <stddef.h>

#include "rdrop/workers.h"

typedef enum { RD_OPT_SGD, RD_OPT_ADAM, RD_OPT_ADAMW } rd_optimizer_kind;

typedef struct {
    rd_optimizer_kind kind;
    float momentum;     /* SGD */
    int nesterov;       /* SGD */
    float beta1, beta2, eps; /* Adam, AdamW */
    float weight_decay; /* SGD, Adam: L2 added to the gradient; AdamW: decoupled */
    size_t n;
    float *m, *v;       /* SGD: m is the momentum buffer; Adam: moment estimates */
    long long t;        /* steps taken */
    rd_workers *workers; /* threads sharing each step (NULL: the caller alone); not owned */
} rd_optim;

void rd_optim_init(rd_optim *o, rd_optimizer_kind kind, size_t n_params);
void rd_optim_free(rd_optim *o);
/* One update of params from grads at learning rate lr. */
void rd_optim_step(rd_optim *o, float *params, const float *grads, float lr);
/* The same update, and grads set to zero in the same pass, ready for the
 * next step's backward: saves the trainer a separate pass over them. */
void rd_optim_step_zero(rd_optim *o, float *params, float *grads, float lr);
const char *rd_optimizer_name(rd_optimizer_kind k);

#endif
