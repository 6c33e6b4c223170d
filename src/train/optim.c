/* SGD, Adam, AdamW: the update rules of torch.optim, one loop each. */
#include "rdrop/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/error.h"
#include "rdrop/workers.h"
#include "fast/vector_clones.h"

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

/* The loops below take every array as a restrict parameter so the compiler
 * vectorizes them without run-time alias checks (check with -fopt-info-vec);
 * -fno-math-errno (Makefile) lets sqrtf become one instruction. */

/* buf = momentum * buf + g;  p -= lr * (nesterov ? g + momentum * buf : buf) */
RD_VECTOR_CLONES
static void sgd(size_t n, float *restrict p, float *restrict grad, float *restrict buf, float lr,
                float mu, int nesterov, float wd, int zero) {
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] + wd * p[i];
        if (mu != 0.0f) {
            buf[i] = mu * buf[i] + g;
            g = nesterov ? g + mu * buf[i] : buf[i];
        }
        p[i] -= lr * g;
        if (zero) grad[i] = 0.0f;
    }
}

/* The constants of one Adam step. */
typedef struct {
    float b1, b2, eps, step, rsqrt_bc2, decay, l2;
} adam_consts;

/* m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 * p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps) */
RD_VECTOR_CLONES
static void adam(const adam_consts *k, size_t n, float *restrict p, float *restrict grad,
                 float *restrict m, float *restrict v, int zero) {
    const float b1 = k->b1, b2 = k->b2, eps = k->eps, step = k->step, rsqrt_bc2 = k->rsqrt_bc2,
                decay = k->decay, l2 = k->l2;
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] + l2 * p[i];
        m[i] = b1 * m[i] + (1.0f - b1) * g;
        v[i] = b2 * v[i] + (1.0f - b2) * g * g;
        p[i] = p[i] * decay - step * m[i] / (sqrtf(v[i]) * rsqrt_bc2 + eps);
        if (zero) grad[i] = 0.0f;
    }
}

#ifndef RD_TEAM_MIN_PARAMS
#define RD_TEAM_MIN_PARAMS 1 /* parameters below which one thread does the update */
#endif

/* One step, as a task for rd_workers: each part updates its own range of
 * the parameters with the same per-element formula, so the result does not
 * depend on the number of threads. */
typedef struct {
    rd_optim *o;
    float *params, *grads, lr;
    int zero;
    adam_consts k;
} step_task;

static void step_part(void *arg, int part, int n_parts) {
    step_task *s = arg;
    rd_optim *o = s->o;
    size_t b, e;
    rd_split_range(o->n, part, n_parts, 16, &b, &e);
    if (o->kind == RD_OPT_SGD)
        sgd(e - b, s->params + b, s->grads + b, o->m + b, s->lr, o->momentum, o->nesterov,
            o->weight_decay, s->zero);
    else
        adam(&s->k, e - b, s->params + b, s->grads + b, o->m + b, o->v + b, s->zero);
}

static void step(rd_optim *o, float *params, float *grads, float lr, int zero) {
    o->t++;
    step_task s = {.o = o, .params = params, .grads = grads, .lr = lr, .zero = zero};
    if (o->kind != RD_OPT_SGD) {
        int decoupled = o->kind == RD_OPT_ADAMW;
        s.k = (adam_consts){
            .b1 = o->beta1, .b2 = o->beta2, .eps = o->eps,
            .step = lr / (float)(1.0 - pow(o->beta1, (double)o->t)),
            .rsqrt_bc2 = (float)(1.0 / sqrt(1.0 - pow(o->beta2, (double)o->t))),
            .decay = decoupled ? 1.0f - lr * o->weight_decay : 1.0f,
            .l2 = decoupled ? 0.0f : o->weight_decay,
        };
    }
    if (o->n >= RD_TEAM_MIN_PARAMS)
        rd_workers_run(o->workers, step_part, &s);
    else /* a small model's pass is shorter than waking the team */
        step_part(&s, 0, 1);
}

void rd_optim_step(rd_optim *o, float *params, const float *grads, float lr) {
    step(o, params, (float *)grads, lr, 0); /* zero = 0: grads is only read */
}

void rd_optim_step_zero(rd_optim *o, float *params, float *grads, float lr) {
    step(o, params, grads, lr, 1);
}
