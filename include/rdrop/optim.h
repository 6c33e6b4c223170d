/* Optimizers over one flat parameter buffer: SGD (momentum, Nesterov), Adam
 * and AdamW, with PyTorch's update rules. One pass over the arrays per step.
 *
 * The rules are written once, below, as loops over a range of parameters:
 * the reference optimizer (src/train/optim.c) runs them over all parameters;
 * the fast layer (rdrop/fast.h) runs the same loops in parts, one per
 * thread, compiled for AVX2 too, and gets the same bits. */
#ifndef RDROP_OPTIM_H
#define RDROP_OPTIM_H
#include <math.h>
#include <stddef.h>

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
} rd_optim;

void rd_optim_init(rd_optim *o, rd_optimizer_kind kind, size_t n_params);
void rd_optim_free(rd_optim *o);
/* One update of params from grads at learning rate lr. */
void rd_optim_step(rd_optim *o, float *params, const float *grads, float lr);
/* The same update, and grads set to zero in the same pass, ready for the
 * next step's backward: saves the trainer a separate pass over them. */
void rd_optim_step_zero(rd_optim *o, float *params, float *grads, float lr);
const char *rd_optimizer_name(rd_optimizer_kind k);

/* ---- The update rules ---------------------------------------------------- */

/* What one step of an optimizer needs besides the arrays. */
typedef struct {
    float lr, mu, wd;          /* SGD: learning rate, momentum, weight decay */
    int nesterov;
    float b1, b2, eps;         /* Adam */
    float step, rsqrt_bc2;     /* lr / (1 - b1^t), 1 / sqrt(1 - b2^t) */
    float decay, l2;           /* AdamW: 1 - lr wd (decoupled); Adam: wd as L2 */
} rd_optim_rule;

/* Counts the step (o->t) and returns its constants. */
static inline rd_optim_rule rd_optim_next(rd_optim *o, float lr) {
    o->t++;
    int decoupled = o->kind == RD_OPT_ADAMW;
    rd_optim_rule r = {lr, o->momentum, o->weight_decay, o->nesterov, o->beta1, o->beta2, o->eps, 0, 0, 1, 0};
    if (o->kind != RD_OPT_SGD) {
        r.step = lr / (float)(1.0 - pow(o->beta1, (double)o->t));
        r.rsqrt_bc2 = (float)(1.0 / sqrt(1.0 - pow(o->beta2, (double)o->t)));
        r.decay = decoupled ? 1.0f - lr * o->weight_decay : 1.0f;
        r.l2 = decoupled ? 0.0f : o->weight_decay;
    }
    return r;
}

/* SGD: buf = mu buf + g;  p -= lr (nesterov ? g + mu buf : buf), g = grad + wd p.
 * zero: also set each gradient to 0 once used. */
static inline void rd_sgd_update(const rd_optim_rule *r, size_t n, float *restrict p, float *restrict grad,
                                 float *restrict buf, int zero) {
    const float lr = r->lr, mu = r->mu, wd = r->wd;
    const int nesterov = r->nesterov;
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

/* Adam: m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 * p = p decay - lr/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps), g = grad + l2 p. */
static inline void rd_adam_update(const rd_optim_rule *r, size_t n, float *restrict p, float *restrict grad,
                                  float *restrict m, float *restrict v, int zero) {
    const float b1 = r->b1, b2 = r->b2, eps = r->eps, step = r->step, rsqrt_bc2 = r->rsqrt_bc2,
                decay = r->decay, l2 = r->l2;
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] + l2 * p[i];
        m[i] = b1 * m[i] + (1.0f - b1) * g;
        v[i] = b2 * v[i] + (1.0f - b2) * g * g;
        p[i] = p[i] * decay - step * m[i] / (sqrtf(v[i]) * rsqrt_bc2 + eps);
        if (zero) grad[i] = 0.0f;
    }
}

#endif
