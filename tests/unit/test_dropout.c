/* Inverted dropout: statistics, identities, masks and the backward pass. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "rdrop/nn.h"
#include "rdrop/tensor.h"

enum { N = 1000 * 1000 };
static rd_graph g;
static float *ones;
static void setup(void) {
    rd_graph_init(&g);
    ones = malloc(N * sizeof(float));
    for (int i = 0; i < N; i++) ones[i] = 1.0f;
}
static void teardown(void) {
    free(ones);
    rd_graph_free(&g);
}
TestSuite(dropout, .init = setup, .fini = teardown);

static rd_tensor *drop_ones(int rows, int cols, float p, rd_rng *r) {
    return rd_dropout(&g, rd_input(&g, rows, cols, ones), p, r);
}

/* Over N Bernoulli(1-p) draws: kept count within 4 sigma of N(1-p), and the
 * output mean (kept / (1-p) / N) within 4 sigma of 1. */
static void check_rates(float p, uint64_t seed) {
    rd_rng r;
    rd_rng_seed(&r, seed);
    rd_tensor *y = drop_ones(1000, 1000, p, &r);
    size_t kept = 0;
    double sum = 0.0;
    for (int i = 0; i < N; i++) {
        kept += y->data[i] != 0.0f;
        sum += y->data[i];
    }
    double q = 1.0 - p, sigma = sqrt(N * p * q);
    cr_expect(fabs(kept - N * q) <= 4 * sigma, "p=%g: kept %zu, expected %.0f +- %.0f", p, kept,
              N * q, 4 * sigma);
    double mean = sum / N, sigma_mean = sqrt(p / q / N);
    cr_expect(fabs(mean - 1.0) <= 4 * sigma_mean, "p=%g: mean %.6f, sigma %.2g", p, mean, sigma_mean);
    for (int i = 0; i < N; i++) /* every value is 0 or exactly 1/(1-p) */
        if (y->data[i] != 0.0f && y->data[i] != 1.0f / (1.0f - p))
            cr_assert_fail("p=%g: element %d = %g", p, i, y->data[i]);
}

Test(dropout, keep_rate_and_mean_p03) { check_rates(0.3f, 1); }
Test(dropout, keep_rate_and_mean_p05) { check_rates(0.5f, 2); }
Test(dropout, keep_rate_and_mean_p09) { check_rates(0.9f, 3); }

Test(dropout, eval_mode_is_identity) {
    rd_rng r;
    rd_rng_seed(&r, 4);
    rd_rng before = r;
    g.training = 0;
    rd_tensor *x = rd_input(&g, 3, 4, ones);
    cr_expect_eq(rd_dropout(&g, x, 0.5f, &r), x);
    cr_expect(memcmp(&r, &before, sizeof r) == 0, "eval mode consumed random numbers");
}

Test(dropout, p0_is_identity) {
    rd_rng r;
    rd_rng_seed(&r, 5);
    rd_tensor *x = rd_input(&g, 3, 4, ones);
    cr_expect_eq(rd_dropout(&g, x, 0.0f, &r), x);
}

static size_t n_differ(const float *a, const float *b, size_t n) {
    size_t d = 0;
    for (size_t i = 0; i < n; i++) d += a[i] != b[i];
    return d;
}

Test(dropout, two_calls_draw_different_masks) {
    rd_rng r;
    rd_rng_seed(&r, 6);
    rd_tensor *a = drop_ones(10, 100, 0.3f, &r), *b = drop_ones(10, 100, 0.3f, &r);
    /* Independent masks differ in 2 p (1-p) = 42% of places. */
    cr_expect(n_differ(a->data, b->data, 1000) > 300);
}

Test(dropout, same_seed_same_mask) {
    rd_rng r1, r2;
    rd_rng_seed(&r1, 7);
    rd_rng_seed(&r2, 7);
    rd_tensor *a = drop_ones(10, 100, 0.3f, &r1), *b = drop_ones(10, 100, 0.3f, &r2);
    cr_expect_eq(n_differ(a->data, b->data, 1000), 0);
}

/* R-Drop's duplicated batch [h; h]: each copy gets its own mask. */
Test(dropout, copies_of_a_duplicated_batch_differ) {
    rd_rng r;
    rd_rng_seed(&r, 8);
    rd_tensor *h = rd_input(&g, 10, 100, ones);
    rd_tensor *y = rd_dropout(&g, rd_concat_rows(&g, h, h), 0.3f, &r);
    cr_expect(n_differ(y->data, y->data + 1000, 1000) > 300);
}

Test(dropout, mlp_copies_get_different_masks) {
    rd_rng r;
    rd_rng_seed(&r, 9);
    int hidden[] = {64};
    rd_mlp m;
    cr_assert_eq(rd_mlp_init(&m, 8, hidden, 1, 5, RD_ACT_RELU, 0.3f, RD_INIT_KAIMING, &r, NULL), RD_OK);
    for (size_t i = 0; i < m.n_params; i++) m.params[i] += 0.01f; /* nonzero biases */
    float x[4 * 8];
    for (int i = 0; i < 32; i++) x[i] = (float)i / 32;
    rd_tensor *logits = rd_mlp_forward(&m, &g, rd_input(&g, 4, 8, x), 2, &r);
    cr_assert_eq(logits->rows, 8);
    cr_expect_eq(n_differ(logits->data, logits->data + 20, 20), 20, "copies a and b coincide");
    rd_mlp_free(&m);
}

/* d sum(dropout(x)) / dx = mask: 1/(1-p) where kept, 0 where dropped. */
Test(dropout, backward_goes_through_kept_elements_only) {
    float x[600], grad[600] = {0};
    for (int i = 0; i < 600; i++) x[i] = 0.5f + (float)i / 600; /* never 0 */
    rd_rng r;
    rd_rng_seed(&r, 10);
    const float p = 0.3f;
    rd_tensor *y = rd_dropout(&g, rd_param(&g, 20, 30, x, grad), p, &r);
    rd_backward(&g, rd_sum(&g, y));
    size_t dropped = 0;
    for (int i = 0; i < 600; i++) {
        int kept = y->data[i] != 0.0f;
        dropped += !kept;
        cr_expect_eq(grad[i], kept ? 1.0f / (1.0f - p) : 0.0f, "element %d", i);
        if (kept) cr_expect_float_eq(y->data[i], x[i] / (1.0f - p), 1e-6f);
    }
    cr_expect(dropped > 100 && dropped < 260, "dropped %zu of 600", dropped);
}
