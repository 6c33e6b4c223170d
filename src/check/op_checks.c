/* The built-in gradient checks: every op, the losses, and whole MLPs. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/fast.h"
#include "rdrop/gradcheck.h"
#include "rdrop/loss.h"
#include "rdrop/nn.h"

enum { MAXIN = 2 };

typedef struct {
    int n_in, rows[MAXIN], cols[MAXIN];
    float *data[MAXIN], *grad[MAXIN];
    int labels[8];
    int flag; /* a variant: transpose bits, reduction, ... */
    rd_mlp mlp;
    rd_rng rng; /* reseeded for every evaluation: dropout sees one fixed mask */
} ctx_t;

static rd_tensor *in(rd_graph *g, ctx_t *c, int k) {
    return rd_param(g, c->rows[k], c->cols[k], c->data[k], c->grad[k]);
}

static rd_tensor *b_matmul(rd_graph *g, void *v) {
    ctx_t *c = v;
    return rd_matmul(g, in(g, c, 0), in(g, c, 1), c->flag & 1, (c->flag >> 1) & 1);
}
static rd_tensor *b_linear(rd_graph *g, void *v) {
    ctx_t *c = v;
    rd_tensor *x = in(g, c, 0), *w = in(g, c, 1);
    rd_tensor *b = rd_rows(g, w, 0, 1); /* a bias that depends on the parameters too */
    return rd_linear(g, x, w, b);
}
static rd_tensor *b_add_bias(rd_graph *g, void *v) {
    ctx_t *c = v;
    return rd_add_bias(g, in(g, c, 0), in(g, c, 1));
}
static rd_tensor *b_add(rd_graph *g, void *v) {
    ctx_t *c = v;
    return rd_add(g, in(g, c, 0), in(g, c, 1));
}
static rd_tensor *b_scale(rd_graph *g, void *v) { return rd_scale(g, in(g, v, 0), -2.5f); }
static rd_tensor *b_relu(rd_graph *g, void *v) { return rd_relu(g, in(g, v, 0)); }
static rd_tensor *b_tanh(rd_graph *g, void *v) { return rd_tanh(g, in(g, v, 0)); }
static rd_tensor *b_dropout(rd_graph *g, void *v) {
    ctx_t *c = v;
    rd_rng r = c->rng;
    return rd_dropout(g, in(g, c, 0), 0.3f, &r);
}
static rd_tensor *b_relu_dropout(rd_graph *g, void *v) {
    ctx_t *c = v;
    rd_rng r = c->rng;
    return rd_relu_dropout(g, in(g, c, 0), 0.3f, &r);
}
static rd_tensor *b_relu_dropout_copies(rd_graph *g, void *v) {
    ctx_t *c = v;
    rd_rng r = c->rng;
    return rd_relu_dropout_copies(g, in(g, c, 0), 2, 0.3f, &r);
}
static rd_tensor *b_log_softmax(rd_graph *g, void *v) { return rd_log_softmax(g, in(g, v, 0)); }
static rd_tensor *b_softmax(rd_graph *g, void *v) { return rd_softmax(g, in(g, v, 0)); }
static rd_tensor *b_rows(rd_graph *g, void *v) { return rd_rows(g, in(g, v, 0), 1, 2); }
static rd_tensor *b_concat_rows(rd_graph *g, void *v) {
    ctx_t *c = v;
    rd_tensor *a = in(g, c, 0);
    return rd_concat_rows(g, rd_concat_rows(g, a, in(g, c, 1)), a); /* a appears twice */
}
static rd_tensor *b_sum(rd_graph *g, void *v) { return rd_sum(g, in(g, v, 0)); }
static rd_tensor *b_mean(rd_graph *g, void *v) { return rd_mean(g, in(g, v, 0)); }
static rd_tensor *b_nll(rd_graph *g, void *v) {
    ctx_t *c = v;
    return rd_nll(g, in(g, c, 0), c->labels, c->rows[0]);
}
static rd_tensor *b_cross_entropy(rd_graph *g, void *v) {
    ctx_t *c = v;
    return rd_cross_entropy(g, in(g, c, 0), c->labels, c->rows[0]);
}
static rd_tensor *b_kl_div(rd_graph *g, void *v) {
    ctx_t *c = v; /* flag: reduction | log_target << 2 */
    return rd_kl_div(g, in(g, c, 0), in(g, c, 1), c->flag & 3, c->flag >> 2);
}
static rd_tensor *b_rdrop(rd_graph *g, void *v) {
    ctx_t *c = v;
    return rd_rdrop_objective(g, in(g, c, 0), c->labels, 1.5f).loss;
}
/* flag bit 0: R-Drop's two copies; bit 1: input dropout, with the inputs
 * checked too (their gradient flows through the input masks); bit 2: the
 * fast layer's forward (fused ReLU+dropout) instead of the reference */
static rd_tensor *b_mlp(rd_graph *g, void *v) {
    ctx_t *c = v;
    rd_rng r = c->rng;
    rd_tensor *x = c->flag & 2 ? in(g, c, 1) : rd_input(g, c->rows[0], c->cols[0], c->data[0]);
    int copies = c->flag & 1 ? 2 : 1;
    rd_tensor *logits = c->flag & 4 ? rd_fast_mlp_forward(&c->mlp, g, x, copies, &r)
                                    : rd_mlp_forward(&c->mlp, g, x, copies, &r);
    if (c->flag & 1) return rd_rdrop_objective(g, logits, c->labels, 1.0f).loss;
    return rd_cross_entropy(g, logits, c->labels, c->rows[0]);
}

typedef enum { FILL_PLAIN, FILL_AWAY_FROM_ZERO, FILL_PROB, FILL_LOGPROB } fill_t;

typedef struct {
    const char *name;
    rd_gc_build build;
    int flag;
    int shape[MAXIN][2]; /* rows, cols of each input; {0, 0} when unused */
    fill_t fill[MAXIN];
    float eps;
    double rtol, atol;
} check_t;

#define TOL 1e-3, 1e-5
static const check_t CHECKS[] = {
    {"matmul", b_matmul, 0, {{3, 4}, {4, 5}}, {0}, 1e-2f, TOL},
    {"matmul_ta", b_matmul, 1, {{4, 3}, {4, 5}}, {0}, 1e-2f, TOL},
    {"matmul_tb", b_matmul, 2, {{3, 4}, {5, 4}}, {0}, 1e-2f, TOL},
    {"matmul_ta_tb", b_matmul, 3, {{4, 3}, {5, 4}}, {0}, 1e-2f, TOL},
    {"linear", b_linear, 0, {{3, 4}, {4, 5}}, {0}, 1e-2f, TOL},
    {"add_bias", b_add_bias, 0, {{3, 4}, {1, 4}}, {0}, 1e-2f, TOL},
    {"add", b_add, 0, {{3, 4}, {3, 4}}, {0}, 1e-2f, TOL},
    {"scale", b_scale, 0, {{3, 4}}, {0}, 1e-2f, TOL},
    {"relu", b_relu, 0, {{3, 4}}, {FILL_AWAY_FROM_ZERO}, 1e-2f, TOL},
    {"tanh", b_tanh, 0, {{3, 4}}, {0}, 1e-2f, TOL},
    {"dropout", b_dropout, 0, {{4, 6}}, {0}, 1e-2f, TOL},
    {"relu_dropout", b_relu_dropout, 0, {{4, 6}}, {FILL_AWAY_FROM_ZERO}, 1e-2f, TOL},
    {"relu_dropout_x2", b_relu_dropout_copies, 0, {{3, 6}}, {FILL_AWAY_FROM_ZERO}, 1e-2f, TOL},
    {"log_softmax", b_log_softmax, 0, {{3, 5}}, {0}, 1e-2f, TOL},
    {"softmax", b_softmax, 0, {{3, 5}}, {0}, 1e-2f, TOL},
    {"rows", b_rows, 0, {{4, 3}}, {0}, 1e-2f, TOL},
    {"concat_rows", b_concat_rows, 0, {{2, 3}, {3, 3}}, {0}, 1e-2f, TOL},
    {"sum", b_sum, 0, {{3, 4}}, {0}, 1e-2f, TOL},
    {"mean", b_mean, 0, {{3, 4}}, {0}, 1e-2f, TOL},
    {"nll", b_nll, 0, {{4, 5}}, {FILL_LOGPROB}, 1e-2f, TOL},
    {"cross_entropy", b_cross_entropy, 0, {{4, 5}}, {0}, 1e-2f, TOL},
    {"kl_div_none", b_kl_div, RD_REDUCE_NONE, {{3, 4}, {3, 4}}, {FILL_LOGPROB, FILL_PROB}, 1e-3f, TOL},
    {"kl_div_sum", b_kl_div, RD_REDUCE_SUM, {{3, 4}, {3, 4}}, {FILL_LOGPROB, FILL_PROB}, 1e-3f, TOL},
    {"kl_div_mean", b_kl_div, RD_REDUCE_MEAN, {{3, 4}, {3, 4}}, {FILL_LOGPROB, FILL_PROB}, 1e-3f, TOL},
    {"kl_div_batchmean", b_kl_div, RD_REDUCE_BATCHMEAN, {{3, 4}, {3, 4}}, {FILL_LOGPROB, FILL_PROB}, 1e-3f, TOL},
    {"kl_div_log_target", b_kl_div, RD_REDUCE_SUM | 4, {{3, 4}, {3, 4}}, {FILL_LOGPROB, FILL_LOGPROB}, 1e-3f, TOL},
    {"rdrop_objective", b_rdrop, 0, {{6, 4}}, {0}, 1e-2f, TOL},
    {"mlp_dropout", b_mlp, 0, {{4, 6}}, {0}, 1e-3f, TOL},
    {"mlp_rdrop", b_mlp, 1, {{4, 6}}, {0}, 3e-3f, TOL},
    {"mlp_input_dropout", b_mlp, 2, {{4, 6}, {4, 6}}, {0}, 3e-3f, TOL},
    {"mlp_rdrop_input_dropout", b_mlp, 3, {{4, 6}, {4, 6}}, {0}, 5e-3f, TOL},
    {"fast_mlp_dropout", b_mlp, 4, {{4, 6}}, {0}, 1e-3f, TOL},
    {"fast_mlp_rdrop", b_mlp, 5, {{4, 6}}, {0}, 3e-3f, TOL},
};
enum { N_CHECKS = sizeof CHECKS / sizeof CHECKS[0] };

static void fill(float *x, int rows, int cols, fill_t how, rd_rng *r) {
    for (int i = 0; i < rows; i++) {
        float *row = x + (size_t)i * cols;
        double z = 0.0;
        for (int j = 0; j < cols; j++) {
            float u = 2.0f * rd_rng_uniform(r) - 1.0f;
            if (how == FILL_AWAY_FROM_ZERO) u = (u < 0 ? -0.2f : 0.2f) + 0.8f * u;
            row[j] = how == FILL_PLAIN || how == FILL_AWAY_FROM_ZERO ? u : expf(u);
            z += row[j];
        }
        for (int j = 0; j < cols && how >= FILL_PROB; j++) {
            row[j] = (float)(row[j] / z);
            if (how == FILL_LOGPROB) row[j] = logf(row[j]);
        }
    }
}

static rd_gc_result run_check(const check_t *k) {
    ctx_t c = {.flag = k->flag};
    rd_rng r;
    rd_rng_seed(&r, 7);
    rd_rng_seed(&c.rng, 99);
    for (int i = 0; i < 8; i++) c.labels[i] = i % 4;
    rd_gc_buffer bufs[MAXIN];
    int n = 0;
    for (int i = 0; i < MAXIN && k->shape[i][0]; i++, n++) {
        c.rows[i] = k->shape[i][0];
        c.cols[i] = k->shape[i][1];
        size_t sz = (size_t)c.rows[i] * c.cols[i];
        c.data[i] = rd_malloc(sz, sizeof(float));
        c.grad[i] = rd_calloc(sz, sizeof(float));
        fill(c.data[i], c.rows[i], c.cols[i], k->fill[i], &r);
        bufs[i] = (rd_gc_buffer){c.data[i], c.grad[i], sz};
    }
    c.n_in = n;
    if (k->build == b_mlp) { /* 6 -> 5 -> 5 -> 4 with dropout 0.3: check the parameters */
        int hidden[2] = {5, 5};
        rd_mlp_init(&c.mlp, 6, hidden, 2, 4, RD_ACT_RELU, 0.3f, RD_INIT_KAIMING, &r, NULL);
        for (size_t i = 0; i < c.mlp.n_params; i++) c.mlp.params[i] += 0.05f; /* nonzero biases */
        if (k->flag & 2) c.mlp.input_dropout = 0.25f;
        bufs[0] = (rd_gc_buffer){c.mlp.params, c.mlp.grads, c.mlp.n_params};
    }
    rd_gc_result res = rd_gradcheck(k->build, &c, bufs, n, k->eps, k->rtol, k->atol, 400);
    res.name = k->name;
    for (int i = 0; i < n; i++) {
        free(c.data[i]);
        free(c.grad[i]);
    }
    if (k->build == b_mlp) rd_mlp_free(&c.mlp);
    return res;
}

int rd_gradcheck_builtin(const char *only, rd_gc_result *out, int max) {
    int ran = 0;
    for (int i = 0; i < N_CHECKS; i++) {
        if (only && strcmp(only, CHECKS[i].name) != 0) continue;
        rd_gc_result r = run_check(&CHECKS[i]);
        if (ran < max) out[ran] = r;
        ran++;
    }
    return ran;
}

const char *const *rd_gradcheck_names(void) {
    static const char *names[N_CHECKS + 1];
    for (int i = 0; i < N_CHECKS; i++) names[i] = CHECKS[i].name;
    return names;
}
