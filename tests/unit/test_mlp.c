/* The MLP: parameter count, initialisation, and the copies = 2 forward. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "rdrop/loss.h"
#include "rdrop/nn.h"

TestSuite(mlp);

/* 784*1024 + 1024 + 1024*1024 + 1024 + 1024*10 + 10 = 1,863,690 */
Test(mlp, parameter_count) {
    int hidden[] = {1024, 1024};
    cr_expect_eq(rd_mlp_count_params(784, hidden, 2, 10), 1863690);
    cr_expect_eq(rd_mlp_count_params(784, NULL, 0, 10), 7850); /* logistic regression */
    cr_expect_eq(rd_mlp_count_params(784, hidden, 2, 0), 0);   /* invalid shape */
}

static void check_init(rd_init init) {
    rd_rng r;
    rd_rng_seed(&r, 1);
    int hidden[] = {300, 100};
    rd_mlp m;
    cr_assert_eq(rd_mlp_init(&m, 784, hidden, 2, 10, RD_ACT_RELU, 0.1f, init, &r, NULL), RD_OK);
    cr_assert_eq(m.n_params, rd_mlp_count_params(784, hidden, 2, 10));
    size_t next = 0;
    for (int l = 0; l < m.n_layers; l++) {
        const rd_linear_layer *L = &m.layer[l];
        cr_expect_eq(L->w, next, "layer %d: parameters not contiguous", l);
        double fan = init == RD_INIT_XAVIER ? L->in + L->out : L->in;
        float bound = (float)sqrt(6.0 / fan), big = 0.0f;
        for (size_t i = L->w; i < L->b; i++) {
            float w = fabsf(m.params[i]);
            if (w > bound) cr_assert_fail("layer %d: |w| = %g > %g", l, w, bound);
            big = w > big ? w : big;
        }
        cr_expect(big > 0.95f * bound, "layer %d: weights do not fill +-%g (max %g)", l, bound, big);
        for (int j = 0; j < L->out; j++) cr_expect_eq(m.params[L->b + j], 0.0f, "layer %d bias %d", l, j);
        next = L->b + L->out;
    }
    cr_expect_eq(next, m.n_params);
    rd_mlp_free(&m);
}

Test(mlp, kaiming_bounds_and_zero_biases) { check_init(RD_INIT_KAIMING); }
Test(mlp, xavier_bounds_and_zero_biases) { check_init(RD_INIT_XAVIER); }

Test(mlp, same_seed_same_parameters) {
    int hidden[] = {32};
    rd_mlp a, b, c;
    rd_rng r;
    rd_rng_seed(&r, 5);
    rd_mlp_init(&a, 10, hidden, 1, 3, RD_ACT_TANH, 0.0f, RD_INIT_XAVIER, &r, NULL);
    rd_rng_seed(&r, 5);
    rd_mlp_init(&b, 10, hidden, 1, 3, RD_ACT_TANH, 0.0f, RD_INIT_XAVIER, &r, NULL);
    rd_rng_seed(&r, 6);
    rd_mlp_init(&c, 10, hidden, 1, 3, RD_ACT_TANH, 0.0f, RD_INIT_XAVIER, &r, NULL);
    cr_expect(memcmp(a.params, b.params, a.n_params * sizeof(float)) == 0);
    cr_expect(memcmp(a.params, c.params, a.n_params * sizeof(float)) != 0);
    rd_mlp_free(&a);
    rd_mlp_free(&b);
    rd_mlp_free(&c);
}

Test(mlp, invalid_settings_are_usage_errors) {
    int hidden[] = {8};
    rd_mlp m;
    rd_error err;
    rd_rng r;
    rd_rng_seed(&r, 1);
    cr_expect_eq(rd_mlp_init(&m, 4, hidden, 1, 2, RD_ACT_RELU, 1.0f, RD_INIT_KAIMING, &r, &err), RD_ERR_USAGE);
    cr_expect(strstr(err.msg, "dropout") != NULL, "message: %s", err.msg);
    cr_expect_eq(rd_mlp_init(&m, 4, hidden, 1, 0, RD_ACT_RELU, 0.1f, RD_INIT_KAIMING, &r, &err), RD_ERR_USAGE);
}

/* A 6-12-12-4 model with nonzero biases and a 5-row batch. */
enum { B = 5, IN = 6, C = 4 };
static rd_mlp m;
static float x[B * IN], xx[2 * B * IN];
static int labels[B] = {0, 1, 2, 3, 1};

static rd_activation activation = RD_ACT_RELU;

static void make_model(float dropout) {
    rd_rng r;
    rd_rng_seed(&r, 11);
    int hidden[] = {12, 12};
    cr_assert_eq(rd_mlp_init(&m, IN, hidden, 2, C, activation, dropout, RD_INIT_KAIMING, &r, NULL), RD_OK);
    for (size_t i = 0; i < m.n_params; i++) m.params[i] += 0.05f;
    for (int i = 0; i < B * IN; i++) x[i] = (float)rd_rng_normal(&r);
    memcpy(xx, x, sizeof x); /* [x; x] */
    memcpy(xx + B * IN, x, sizeof x);
}

/* In evaluation mode dropout is the identity, so both copies of the
 * copies = 2 output equal the copies = 1 output. Up to float rounding only:
 * sgemm may round a row differently depending on where it falls in its
 * register tile (rows 0..4 of a 5-row product vs rows 5..9 of a 10-row one),
 * which shows up as 1-ulp differences. */
static int same_float(float a, float b) { return fabsf(a - b) <= 1e-6f * fmaxf(1.0f, fabsf(b)); }

Test(mlp, eval_mode_copies_are_identical_halves) {
    make_model(0.3f);
    rd_graph g;
    rd_graph_init(&g);
    g.training = 0;
    rd_rng r;
    rd_rng_seed(&r, 3);
    rd_tensor *one = rd_mlp_forward(&m, &g, rd_input(&g, B, IN, x), 1, &r);
    rd_tensor *two = rd_mlp_forward(&m, &g, rd_input(&g, B, IN, x), 2, &r);
    cr_assert_eq(two->rows, 2 * B);
    cr_assert_eq(two->cols, C);
    for (int i = 0; i < B * C; i++) {
        float a = two->data[i], b = two->data[B * C + i];
        cr_expect(same_float(a, one->data[i]), "copy a, element %d: %.9g vs %.9g", i, a, one->data[i]);
        cr_expect(same_float(b, one->data[i]), "copy b, element %d: %.9g vs %.9g", i, b, one->data[i]);
    }
    rd_graph_free(&g);
    rd_mlp_free(&m);
}

/* copies = 2 computes the first layer once and duplicates it; the result and
 * the gradients must equal feeding [x; x] with copies = 1. Both draw their
 * dropout masks for the same 2B-row tensors in the same order, so with the
 * same seed they see the same masks, and only float rounding may differ
 * (the first layer's dW sums the two halves in another order). */
static void check_copies_match(float dropout) {
    make_model(dropout);
    float *grads2 = malloc(m.n_params * sizeof(float));
    float logits2[2 * B * C];
    double loss[2];
    rd_graph g;
    rd_graph_init(&g);
    for (int pass = 0; pass < 2; pass++) {
        rd_rng r;
        rd_rng_seed(&r, 77);
        rd_mlp_zero_grad(&m);
        rd_tensor *logits = pass == 0 ? rd_mlp_forward(&m, &g, rd_input(&g, B, IN, x), 2, &r)
                                      : rd_mlp_forward(&m, &g, rd_input(&g, 2 * B, IN, xx), 1, &r);
        cr_assert_eq(logits->rows, 2 * B);
        rd_rdrop_terms t = rd_rdrop_objective(&g, logits, labels, 1.0f);
        rd_backward(&g, t.loss);
        loss[pass] = rd_scalar(t.loss);
        if (pass == 0) {
            memcpy(grads2, m.grads, m.n_params * sizeof(float));
            memcpy(logits2, logits->data, sizeof logits2);
        } else {
            for (int i = 0; i < 2 * B * C; i++)
                cr_expect_float_eq(logits->data[i], logits2[i], 1e-5f, "logit %d", i);
        }
        rd_graph_reset(&g);
    }
    cr_expect_float_eq(loss[0], loss[1], 1e-6);
    double gmax = 0;
    for (size_t i = 0; i < m.n_params; i++) gmax = fmax(gmax, fabs(grads2[i]));
    cr_assert(gmax > 1e-3, "all gradients are ~0: the test checks nothing");
    for (size_t i = 0; i < m.n_params; i++)
        cr_expect(fabsf(m.grads[i] - grads2[i]) <= 1e-5f * (float)gmax,
                  "param %zu: copies=2 gives %g, [x; x] gives %g", i, grads2[i], m.grads[i]);
    free(grads2);
    rd_graph_free(&g);
    rd_mlp_free(&m);
}

Test(mlp, copies2_equals_stacked_batch_without_dropout) { check_copies_match(0.0f); }
Test(mlp, copies2_equals_stacked_batch_same_masks) { check_copies_match(0.3f); }
/* tanh has no fused op: its copies are stacked with concat_rows. */
Test(mlp, copies2_equals_stacked_batch_tanh) {
    activation = RD_ACT_TANH;
    check_copies_match(0.3f);
}
