/* The reference optimizer: one step is one pass of the update rule of
 * rdrop/optim.h over all the parameters. (The fast layer runs the same rule
 * in parts on its threads: rdrop/fast.h.) */
#include "rdrop/optim.h"

#include <stdlib.h>
#include <string.h>

#include "rdrop/error.h"

const char *rd_optimizer_name(rd_optimizer_kind k) {
    return k == RD_OPT_SGD ? "sgd" : k == RD_OPT_ADAM ? "adam" : "adamw";
}

void rd_optim_init(rd_optim *o, rd_optimizer_kind kind, size_t n_params) {
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->n = n_params;
    o->momentum = 0.9f;
    o->beta1 = 0.9f;
    o->beta2 = 0.999f;
    o->eps = 1e-8f;
    o->m = rd_calloc(n_params, sizeof(float));
    o->v = kind == RD_OPT_SGD ? NULL : rd_calloc(n_params, sizeof(float));
}

void rd_optim_free(rd_optim *o) {
    free(o->m);
    free(o->v);
    memset(o, 0, sizeof *o);
}

static void step(rd_optim *o, float *params, float *grads, float lr, int zero) {
    rd_optim_rule r = rd_optim_next(o, lr);
    if (o->kind == RD_OPT_SGD) rd_sgd_update(&r, o->n, params, grads, o->m, zero);
    else rd_adam_update(&r, o->n, params, grads, o->m, o->v, zero);
}

void rd_optim_step(rd_optim *o, float *params, const float *grads, float lr) {
    step(o, params, (float *)grads, lr, 0); /* zero = 0: grads is only read */
}

void rd_optim_step_zero(rd_optim *o, float *params, float *grads, float lr) { step(o, params, grads, lr, 1); }
