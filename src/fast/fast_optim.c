/* The optimizer step of the fast layer: the update rules of rdrop/optim.h,
 * each thread of the team over its own range of the parameters, in AVX2
 * where the CPU has it (vector_clones.h). Every element gets the same
 * operations as in the reference, so the result is the same, whatever the
 * threads and the vector width. */
#include "rdrop/optim.h"
#include "fast/fast_state.h"
#include "fast/vector_clones.h"

RD_VECTOR_CLONES
static void sgd_part(const rd_optim_rule *r, size_t n, float *p, float *g, float *buf) {
    rd_sgd_update(r, n, p, g, buf, 1);
}

RD_VECTOR_CLONES
static void adam_part(const rd_optim_rule *r, size_t n, float *p, float *g, float *m, float *v) {
    rd_adam_update(r, n, p, g, m, v, 1);
}

typedef struct {
    rd_optim *o;
    float *params, *grads;
    rd_optim_rule rule;
} step_task;

static void step_part(void *arg, int part, int n_parts) {
    step_task *s = arg;
    rd_optim *o = s->o;
    size_t b, e;
    rd_split_range(o->n, part, n_parts, 16, &b, &e);
    if (o->kind == RD_OPT_SGD) sgd_part(&s->rule, e - b, s->params + b, s->grads + b, o->m + b);
    else adam_part(&s->rule, e - b, s->params + b, s->grads + b, o->m + b, o->v + b);
}

void rd_fast_optim_step(rd_fast *f, rd_optim *o, float *params, float *grads, float lr) {
    step_task s = {o, params, grads, rd_optim_next(o, lr)};
    rd_workers_run(f->team, step_part, &s);
}
