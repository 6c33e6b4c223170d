/* KL divergence with the semantics of torch.nn.functional.kl_div. */
#include <math.h>
#include <string.h>

#include "rdrop/loss.h"

static const char *const NAMES[] = {"none", "sum", "mean", "batchmean"};

int rd_reduction_from_name(const char *name) {
    for (int i = 0; i < 4; i++)
        if (strcmp(name, NAMES[i]) == 0) return i;
    return -1;
}

const char *rd_reduction_name(rd_reduction r) { return (unsigned)r < 4 ? NAMES[r] : "?"; }

/* The target's probability, from a probability or a log-probability. */
static inline float target_prob(float t, int log_target) { return log_target ? expf(t) : t; }

/* target * (log target - input), and 0 where the target probability is 0
 * (the 0 log 0 = 0 convention; PyTorch 1.13 returns NaN there when
 * log_target is set). */
static inline double pointwise(float input, float t, int log_target) {
    double p = target_prob(t, log_target);
    if (p == 0.0) return 0.0;
    double logt = log_target ? t : log((double)t);
    return p * (logt - input);
}

/* ---- kl_div ---- */
typedef struct {
    rd_reduction reduction;
    int log_target;
    double value; /* a reduced result, in double */
} kl_div_ctx;

static double kl_div_value(const rd_tensor *t) { return ((const kl_div_ctx *)t->ctx)->value; }
static void kl_div_backward(rd_graph *g, rd_tensor *t);
static const rd_op KL_DIV = {"kl_div", kl_div_backward, NULL};
static const rd_op KL_DIV_REDUCED = {"kl_div", kl_div_backward, kl_div_value};

rd_tensor *rd_kl_div(rd_graph *g, rd_tensor *input, rd_tensor *target, rd_reduction reduction,
                     int log_target) {
    rd_check_shape(input->rows == target->rows && input->cols == target->cols, "rd_kl_div",
                   "input is %dx%d and target %dx%d: they must have one shape", input->rows, input->cols,
                   target->rows, target->cols);
    int none = reduction == RD_REDUCE_NONE;
    rd_tensor *t = rd_node(g, none ? &KL_DIV : &KL_DIV_REDUCED, none ? input->rows : 1, none ? input->cols : 1, 2,
                           (rd_tensor *[]){input, target});
    kl_div_ctx *c = rd_save(g, t, sizeof *c);
    c->reduction = reduction;
    c->log_target = log_target;
    size_t n = RD_NUMEL(input);
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = pointwise(input->data[i], target->data[i], log_target);
        if (none)
            t->data[i] = (float)v;
        else
            s += v;
    }
    if (!none) {
        if (reduction == RD_REDUCE_MEAN) s /= (double)n;
        if (reduction == RD_REDUCE_BATCHMEAN) s /= input->rows;
        c->value = s;
        t->data[0] = (float)s;
    }
    return t;
}

/* d/d input = -p;  d/d target = log t - input + 1 (probabilities) or
 * p (log t - input + 1) (log-probabilities); 0 where p = 0. */
static void kl_div_backward(rd_graph *g, rd_tensor *t) {
    const kl_div_ctx *c = t->ctx;
    rd_tensor *x = t->in[0], *y = t->in[1];
    int log_target = c->log_target;
    size_t n = RD_NUMEL(x);
    float scale = 1.0f;
    if (c->reduction == RD_REDUCE_MEAN) scale = 1.0f / (float)n;
    if (c->reduction == RD_REDUCE_BATCHMEAN) scale = 1.0f / (float)x->rows;
    float *dx = x->requires_grad ? rd_grad(g, x) : NULL;
    float *dy = y->requires_grad ? rd_grad(g, y) : NULL;
    for (size_t i = 0; i < n; i++) {
        float up = (c->reduction == RD_REDUCE_NONE ? t->grad[i] : t->grad[0]) * scale;
        float p = target_prob(y->data[i], log_target);
        if (p == 0.0f) continue;
        if (dx) dx[i] -= up * p;
        if (dy) {
            float logt = log_target ? y->data[i] : logf(y->data[i]);
            float d = logt - x->data[i] + 1.0f;
            dy[i] += up * (log_target ? p * d : d);
        }
    }
}
