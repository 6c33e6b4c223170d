/* The fast layer against the reference engine: the fused MLP forward, the
 * banded products of the thread team, and whole optimizer steps. Bit for bit
 * where the arithmetic is the same (one thread), within float rounding where
 * a product is split in bands (sgemm may round a row in the last bit
 * differently depending on where it falls in its register tile). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/fast.h"
#include "rdrop/gemm.h"
#include "rdrop/optim.h"
#include "rdrop/train.h"

enum { B = 40, IN = 50, H = 96, C = 7, STEPS = 5 };

static void make(rd_mlp *m, rd_activation act, float input_dropout) {
    rd_rng r;
    rd_rng_seed(&r, 17);
    int hidden[] = {H, H};
    cr_assert_eq(rd_mlp_init(m, IN, hidden, 2, C, act, 0.3f, RD_INIT_KAIMING, &r, NULL), RD_OK);
    m->input_dropout = input_dropout;
}

static void fast_update(void *f, rd_optim *o, float *params, float *grads, float lr) {
    rd_fast_optim_step(f, o, params, grads, lr);
}

/* STEPS Adam steps (rd_train_step) of R-Drop (copies = 2) or dropout on
 * fixed random data; fast: the fused forward, and the products and the
 * update through a team of `threads`. */
static void train(rd_mlp *m, int copies, int fast, int threads) {
    static float x[B * IN];
    int y[B];
    rd_rng r;
    rd_rng_seed(&r, 23);
    for (int i = 0; i < B * IN; i++) x[i] = rd_rng_uniform(&r);
    for (int i = 0; i < B; i++) y[i] = (int)rd_rng_below(&r, C);
    rd_graph g;
    rd_graph_init(&g);
    rd_fast *f = fast ? rd_fast_new(threads) : NULL;
    if (f) rd_fast_attach(f, &g);
    rd_optim o;
    rd_optim_init(&o, RD_OPT_ADAM, m->n_params);
    rd_learner L = {m, &g, &o, fast ? rd_fast_mlp_forward : rd_mlp_forward, fast ? fast_update : rd_update_reference,
                    f, copies == 2 ? RD_METHOD_RDROP : RD_METHOD_DROPOUT, 1.0f, 0.0f, 1e30};
    rd_rng drop;
    rd_rng_seed(&drop, 29);
    for (int s = 0; s < STEPS; s++) cr_assert(!rd_train_step(&L, x, y, B, 1e-2f, &drop).diverged);
    rd_optim_free(&o);
    rd_fast_free(f);
    rd_graph_free(&g);
}

static void compare(rd_activation act, float input_dropout, int copies, int threads, double tol) {
    rd_mlp ref, fast;
    make(&ref, act, input_dropout);
    make(&fast, act, input_dropout);
    train(&ref, copies, 0, 0);
    train(&fast, copies, 1, threads);
    double worst = 0;
    for (size_t i = 0; i < ref.n_params; i++)
        worst = fmax(worst, fabs(ref.params[i] - fast.params[i]) / fmax(1e-3, fabs(ref.params[i])));
    if (tol == 0)
        cr_assert(!memcmp(ref.params, fast.params, ref.n_params * sizeof(float)),
                  "not bit-identical: worst relative difference %g", worst);
    else
        cr_assert(worst <= tol, "worst relative difference %g > %g", worst, tol);
    rd_mlp_free(&ref);
    rd_mlp_free(&fast);
}

/* One thread: the fused ops and the team's products (one sgemm each) do the
 * reference's arithmetic, so five steps end in the very same parameters. */
Test(fast, rdrop_steps_equal_the_reference_bit_for_bit) { compare(RD_ACT_RELU, 0, 2, 1, 0); }
Test(fast, dropout_steps_equal_the_reference_bit_for_bit) { compare(RD_ACT_RELU, 0, 1, 1, 0); }
Test(fast, input_dropout_steps_equal_the_reference_bit_for_bit) { compare(RD_ACT_RELU, 0.2f, 2, 1, 0); }
Test(fast, tanh_steps_equal_the_reference_bit_for_bit) { compare(RD_ACT_TANH, 0, 2, 1, 0); }
/* Two threads: products in bands, within float rounding after five steps. */
Test(fast, rdrop_steps_with_two_threads_are_within_rounding) { compare(RD_ACT_RELU, 0, 2, 2, 1e-4); }

/* A product through the team, banded by rows (m > n) and by columns, equals
 * one cblas_sgemm within rounding, for every transpose. */
Test(fast, banded_products_equal_one_sgemm) {
    enum { M = 300, N = 260, K = 70 }; /* both shapes use M x K and K x M at most */
    static float a[M * K], b[K * M], c1[M * N], c2[M * N];
    rd_rng r;
    rd_rng_seed(&r, 31);
    for (int i = 0; i < M * K; i++) a[i] = rd_rng_uniform(&r) - 0.5f;
    for (int i = 0; i < K * M; i++) b[i] = rd_rng_uniform(&r) - 0.5f;
    rd_fast *f = rd_fast_new(2);
    rd_graph g, ref;
    rd_graph_init(&g);
    rd_graph_init(&ref);
    rd_fast_attach(f, &g);
    for (int shape = 0; shape < 2; shape++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                int m = shape ? N : M, n = shape ? M : N; /* rows, then columns banded */
                rd_gemm_call call = {ta, tb, m, n, K, a, ta ? m : K, b, tb ? K : n, 0.0f, c1, n};
                rd_gemm(&ref, &call);
                call.c = c2;
                rd_gemm(&g, &call);
                for (int i = 0; i < m * n; i++)
                    cr_assert(fabsf(c1[i] - c2[i]) <= 1e-5f * (1 + fabsf(c1[i])), "ta %d tb %d shape %d: %d", ta,
                              tb, shape, i);
            }
    rd_gemm_shape log[RD_GEMM_LOG];
    cr_assert_eq(rd_fast_gemm_log(f, log), 8, "every product is logged");
    cr_assert_eq(log[7].m, N); /* the last: shape 1, m = N */
    cr_assert(rd_fast_gemm_seconds(f) > 0);
    rd_fast_step_begin(f);
    cr_assert_eq(rd_fast_gemm_log(f, log), 0);
    rd_graph_free(&g);
    rd_graph_free(&ref);
    rd_fast_free(f);
}

/* The fast layer's optimizer step against the reference one: three steps
 * of each optimizer on 100,003 parameters (a tail past any vector width and
 * band), alone and with a team of 2, bit for bit; gradients zeroed. */
static void optimizer_matches(rd_optimizer_kind kind, int threads) {
    enum { N = 100003 };
    float *p1 = malloc(N * sizeof(float)), *p2 = malloc(N * sizeof(float));
    float *g1 = malloc(N * sizeof(float)), *g2 = malloc(N * sizeof(float));
    rd_optim a, b;
    rd_optim_init(&a, kind, N);
    rd_optim_init(&b, kind, N);
    a.weight_decay = b.weight_decay = 0.01f;
    a.nesterov = b.nesterov = 1;
    rd_fast *f = rd_fast_new(threads);
    for (int i = 0; i < N; i++) p1[i] = p2[i] = 0.001f * (float)(i % 1000) - 0.5f;
    for (int step = 0; step < 3; step++) {
        for (int i = 0; i < N; i++) g1[i] = g2[i] = 0.01f * (float)((i * 7 + step) % 23) - 0.1f;
        rd_optim_step_zero(&a, p1, g1, 1e-3f);
        rd_fast_optim_step(f, &b, p2, g2, 1e-3f);
    }
    cr_expect_eq(memcmp(p1, p2, N * sizeof(float)), 0, "%s: parameters differ", rd_optimizer_name(kind));
    cr_expect_eq(memcmp(a.m, b.m, N * sizeof(float)), 0, "first moments (momentum) differ");
    if (a.v) cr_expect_eq(memcmp(a.v, b.v, N * sizeof(float)), 0, "second moments differ");
    for (int i = 0; i < N; i++) cr_assert_eq(g2[i], 0.0f, "gradient %d not zeroed", i);
    cr_expect_eq(a.t, b.t);
    rd_fast_free(f);
    rd_optim_free(&a);
    rd_optim_free(&b);
    free(p1);
    free(p2);
    free(g1);
    free(g2);
}

Test(fast, optimizer_steps_equal_the_reference_bit_for_bit) {
    for (int kind = RD_OPT_SGD; kind <= RD_OPT_ADAMW; kind++) {
        optimizer_matches((rd_optimizer_kind)kind, 1);
        optimizer_matches((rd_optimizer_kind)kind, 2);
    }
}
