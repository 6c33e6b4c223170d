/* The performance pieces: the wide RNG behind dropout masks, the fused
 * relu_dropout op, and the optimizer step that zeroes the gradients. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "rdrop/blas.h"
#include "rdrop/fast.h"
#include "rdrop/optim.h"
#include "rdrop/tensor.h"
#include "rdrop/train.h"

enum { N = 1 << 20 };
static uint32_t words[N];

Test(fused, rng_wide_is_seeded_by_the_rng_and_reproducible) {
    rd_rng a, b;
    rd_rng_seed(&a, 11);
    rd_rng_seed(&b, 11);
    rd_rng_wide wa, wb;
    rd_rng_wide_seed(&wa, &a);
    rd_rng_wide_seed(&wb, &b);
    static uint32_t other[4096];
    rd_rng_wide_fill(&wa, words, 4096);
    rd_rng_wide_fill(&wb, other, 4096);
    cr_expect(memcmp(words, other, sizeof other) == 0, "same seed, different words");
    /* seeding consumed exactly two 64-bit draws per lane */
    rd_rng c;
    rd_rng_seed(&c, 11);
    for (int i = 0; i < 2 * RD_RNG_LANES; i++) rd_rng_u64(&c);
    cr_expect(memcmp(&a, &c, sizeof a) == 0);
    /* a later seed gives other words */
    rd_rng_wide_seed(&wb, &b);
    rd_rng_wide_fill(&wb, other, 4096);
    cr_expect(memcmp(words, other, sizeof other) != 0);
}

/* Each of the 32 bits is set in half the words, within 4 sigma; so is the
 * top bit of neighbouring lanes' xor (lanes are not copies of each other). */
Test(fused, rng_wide_bits_are_balanced) {
    rd_rng r;
    rd_rng_seed(&r, 12);
    rd_rng_wide w;
    rd_rng_wide_seed(&w, &r);
    rd_rng_wide_fill(&w, words, N);
    double sigma = sqrt(N * 0.25);
    for (int bit = 0; bit < 32; bit++) {
        long set = 0;
        for (int i = 0; i < N; i++) set += (words[i] >> bit) & 1;
        cr_expect(fabs(set - N / 2.0) <= 4 * sigma, "bit %d set in %ld of %d words", bit, set, N);
    }
    long diff = 0;
    for (int i = 0; i + 1 < N; i++) diff += (words[i] ^ words[i + 1]) >> 31;
    cr_expect(fabs(diff - (N - 1) / 2.0) <= 4 * sigma, "neighbours' top bits differ %ld times", diff);
}

static float *alternating(int n) { /* -1.5, 0.25, -1.25, 0.5, ...: half negative */
    float *x = malloc((size_t)n * sizeof *x);
    for (int i = 0; i < n; i++) x[i] = i % 2 ? 0.25f * (1 + i % 7) : -0.25f * (1 + i % 5);
    return x;
}

/* Output is x/(1-p) or 0; 0 wherever x <= 0; kept rate 1-p among positives;
 * and the very same values as dropout(relu(x)) drawn from the same rng. */
Test(fused, relu_dropout_forward_matches_relu_then_dropout) {
    enum { ROWS = 256, COLS = 1000 };
    const float p = 0.3f, keep = 1.0f / (1.0f - p);
    float *x = alternating(ROWS * COLS);
    rd_graph g;
    rd_graph_init(&g);
    rd_rng r1, r2;
    rd_rng_seed(&r1, 13);
    r2 = r1;
    rd_tensor *xt = rd_input(&g, ROWS, COLS, x);
    rd_tensor *fused = rd_relu_dropout(&g, xt, p, &r1);
    rd_tensor *plain = rd_dropout(&g, rd_relu(&g, xt), p, &r2);
    cr_assert_str_eq(fused->op->name, "relu_dropout");
    long kept = 0, positive = 0;
    for (int i = 0; i < ROWS * COLS; i++) {
        float y = fused->data[i];
        if (x[i] <= 0.0f) cr_assert_eq(y, 0.0f, "x[%d] = %g but y = %g", i, x[i], y);
        else cr_assert(y == 0.0f || y == x[i] * keep, "x[%d] = %g, y = %g", i, x[i], y);
        cr_assert_eq(y, plain->data[i], "element %d: fused %g, unfused %g", i, y, plain->data[i]);
        positive += x[i] > 0.0f;
        kept += y != 0.0f;
    }
    cr_expect(memcmp(&r1, &r2, sizeof r1) == 0, "the two paths consumed different randomness");
    double q = 1.0 - p, sigma = sqrt(positive * p * q);
    cr_expect(fabs(kept - positive * q) <= 4 * sigma, "kept %ld of %ld positives", kept, positive);
    rd_graph_free(&g);
    free(x);
}

/* dX = dY/(1-p) where the output is nonzero, else 0, exactly. */
Test(fused, relu_dropout_backward) {
    enum { ROWS = 8, COLS = 300 };
    const float p = 0.5f;
    float *x = alternating(ROWS * COLS), *dy = malloc(ROWS * COLS * sizeof *dy);
    static float w[ROWS * COLS], dw[ROWS * COLS];
    for (int i = 0; i < ROWS * COLS; i++) {
        w[i] = x[i];
        dy[i] = 0.01f * (float)(i % 13) - 0.05f;
    }
    rd_graph g;
    rd_graph_init(&g);
    rd_rng r;
    rd_rng_seed(&r, 14);
    rd_tensor *y = rd_relu_dropout(&g, rd_param(&g, ROWS, COLS, w, dw), p, &r);
    rd_backward_from(&g, y, dy);
    for (int i = 0; i < ROWS * COLS; i++) {
        float want = y->data[i] > 0.0f ? dy[i] / (1.0f - p) : 0.0f;
        cr_assert_eq(dw[i], want, "element %d: dx %g, expected %g", i, dw[i], want);
    }
    rd_graph_free(&g);
    free(x);
    free(dy);
}

/* copies = 2 reads x twice without stacking it: the same output, the same
 * randomness and the same gradient, bit for bit, as relu_dropout([x; x]).
 * 3 x 700 = 2,100 elements per copy, so a 1,024-word chunk of random bits
 * straddles the two copies. */
Test(fused, relu_dropout_copies_matches_concat) {
    enum { ROWS = 3, COLS = 700, N = ROWS * COLS };
    const float p = 0.3f;
    float *x = alternating(N), dy[2 * N];
    static float w1[N], dw1[N], w2[N], dw2[N];
    for (int i = 0; i < N; i++) w1[i] = w2[i] = x[i];
    for (int i = 0; i < 2 * N; i++) dy[i] = 0.01f * (float)(i % 17) - 0.08f;
    rd_graph g1, g2;
    rd_graph_init(&g1);
    rd_graph_init(&g2);
    rd_rng r1, r2;
    rd_rng_seed(&r1, 21);
    r2 = r1;
    rd_tensor *x1 = rd_param(&g1, ROWS, COLS, w1, dw1), *x2 = rd_param(&g2, ROWS, COLS, w2, dw2);
    rd_tensor *fused = rd_relu_dropout_copies(&g1, x1, 2, p, &r1);
    rd_tensor *plain = rd_relu_dropout(&g2, rd_concat_rows(&g2, x2, x2), p, &r2);
    cr_assert_eq(fused->rows, 2 * ROWS);
    cr_assert_eq(memcmp(fused->data, plain->data, sizeof dy), 0, "outputs differ");
    cr_expect(memcmp(&r1, &r2, sizeof r1) == 0, "the two paths consumed different randomness");
    int differ = 0; /* the copies got different masks */
    for (int i = 0; i < N; i++) differ += (fused->data[i] == 0.0f) != (fused->data[N + i] == 0.0f);
    cr_expect(differ > N / 10, "the two copies share their mask (%d of %d differ)", differ, N);
    rd_backward_from(&g1, fused, dy);
    rd_backward_from(&g2, plain, dy);
    cr_expect_eq(memcmp(dw1, dw2, sizeof dw1), 0, "gradients differ");
    rd_graph_free(&g1);
    rd_graph_free(&g2);
    free(x);
}

/* An op that overwrites its input's gradient in its own dY buffer
 * (rd_grad_reuse) must still add to a gradient the input already has: here
 * x feeds two relu_dropouts, so its gradient is the sum of both. */
Test(fused, relu_dropout_backward_adds_to_an_existing_gradient) {
    enum { ROWS = 4, COLS = 50, N = ROWS * COLS };
    const float p = 0.5f, keep = 1.0f / (1.0f - p);
    float *x = alternating(N), seed[1] = {1.0f};
    static float w[N], dw[N];
    memcpy(w, x, sizeof w);
    rd_graph g;
    rd_graph_init(&g);
    rd_rng r;
    rd_rng_seed(&r, 22);
    rd_tensor *h = rd_scale(&g, rd_param(&g, ROWS, COLS, w, dw), 1.0f); /* a non-leaf input */
    rd_tensor *a = rd_relu_dropout(&g, h, p, &r), *b = rd_relu_dropout(&g, h, p, &r);
    rd_tensor *loss = rd_sum(&g, rd_add(&g, a, rd_scale(&g, b, 2.0f)));
    rd_backward_from(&g, loss, seed);
    for (int i = 0; i < N; i++) {
        float want = (a->data[i] > 0.0f ? keep : 0.0f) + (b->data[i] > 0.0f ? 2.0f * keep : 0.0f);
        cr_assert_float_eq(dw[i], want, 1e-6f, "element %d: %g, expected %g", i, dw[i], want);
    }
    rd_graph_free(&g);
    free(x);
}

Test(fused, relu_dropout_is_relu_in_evaluation_and_at_p0) {
    float x[6] = {-1, 2, -3, 4, 0, 5};
    rd_graph g;
    rd_graph_init(&g);
    rd_rng r, before;
    rd_rng_seed(&r, 15);
    before = r;
    rd_tensor *xt = rd_input(&g, 2, 3, x);
    rd_tensor *a = rd_relu_dropout(&g, xt, 0.0f, &r);
    g.training = 0;
    rd_tensor *b = rd_relu_dropout(&g, xt, 0.5f, &r);
    cr_expect_str_eq(a->op->name, "relu");
    cr_expect_str_eq(b->op->name, "relu");
    cr_expect(memcmp(&r, &before, sizeof r) == 0, "consumed random numbers");
    for (int i = 0; i < 6; i++) cr_expect_eq(b->data[i], x[i] > 0 ? x[i] : 0.0f);
    rd_graph_free(&g);
}

/* rd_optim_step_zero == rd_optim_step followed by zeroing, bit for bit. */
static void check_step_zero(rd_optimizer_kind kind) {
    enum { P = 1001 };
    static float p1[P], p2[P], g1[P], g2[P];
    rd_optim a, b;
    rd_optim_init(&a, kind, P);
    rd_optim_init(&b, kind, P);
    a.weight_decay = b.weight_decay = 0.01f;
    for (int i = 0; i < P; i++) p1[i] = p2[i] = 0.001f * (float)(i % 97) - 0.05f;
    for (int step = 0; step < 5; step++) {
        for (int i = 0; i < P; i++) {
            g1[i] = 0.01f * (float)((i * (step + 3)) % 29) - 0.14f;
            g2[i] += g1[i]; /* g2 was zeroed by the previous step */
        }
        rd_optim_step(&a, p1, g1, 1e-2f);
        rd_optim_step_zero(&b, p2, g2, 1e-2f);
        for (int i = 0; i < P; i++) {
            cr_assert_eq(p1[i], p2[i], "%s step %d, param %d", rd_optimizer_name(kind), step, i);
            cr_assert_eq(g2[i], 0.0f);
        }
    }
    rd_optim_free(&a);
    rd_optim_free(&b);
}

Test(fused, optim_step_zero_sgd) { check_step_zero(RD_OPT_SGD); }
Test(fused, optim_step_zero_adam) { check_step_zero(RD_OPT_ADAM); }
Test(fused, optim_step_zero_adamw) { check_step_zero(RD_OPT_ADAMW); }

/* The OpenBLAS warning: an old kernel on a CPU that could do better. */
Test(fused, blas_warning_names_the_fix) {
    const char *w = rd_blas_warning_for("Prescott", 1, 1); /* Sapphire Rapids under 0.3.21 */
    cr_assert_not_null(w);
    cr_expect(strstr(w, "OPENBLAS_CORETYPE=SkylakeX") && strstr(w, "Prescott"), "%s", w);
    w = rd_blas_warning_for("sandybridge", 1, 0);
    cr_assert_not_null(w);
    cr_expect(strstr(w, "OPENBLAS_CORETYPE=Haswell"), "%s", w);
    cr_expect_null(rd_blas_warning_for("Zen", 1, 0));
    cr_expect_null(rd_blas_warning_for("Haswell", 1, 0));
    cr_expect_null(rd_blas_warning_for("SkylakeX", 1, 1));
    cr_expect_null(rd_blas_warning_for("Prescott", 0, 0)); /* an old CPU: nothing better */
}
