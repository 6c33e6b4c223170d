/* Optimizers: one or two steps of each rule on four parameters, against
 * torch.optim (PyTorch 1.13, float32). The reference script:
 *
 *   import torch
 *   p0 = [0.5, -1.0, 2.0, 0.25]
 *   g1 = [0.1, -0.2, 0.3, 0.4]
 *   g2 = [-0.3, 0.05, 0.2, -0.1]
 *   def run(make, steps):
 *       p = torch.tensor(p0, dtype=torch.float32, requires_grad=True)
 *       o = make([p])
 *       for g in [g1, g2][:steps]:
 *           p.grad = torch.tensor(g, dtype=torch.float32)
 *           o.step()
 *           print(["%.9g" % x for x in p.detach()])
 *       print({k: v for k, v in o.state[p].items()})
 *   S = torch.optim
 *   run(lambda ps: S.SGD(ps, lr=0.1), 1)
 *   run(lambda ps: S.SGD(ps, lr=0.1, momentum=0.9), 2)
 *   run(lambda ps: S.SGD(ps, lr=0.1, momentum=0.9, nesterov=True), 2)
 *   run(lambda ps: S.SGD(ps, lr=0.1, weight_decay=0.01), 1)
 *   run(lambda ps: S.Adam(ps, lr=0.01, foreach=False), 2)
 *   run(lambda ps: S.Adam(ps, lr=0.01, weight_decay=0.1, foreach=False), 2)
 *   run(lambda ps: S.AdamW(ps, lr=0.01, weight_decay=0.1, foreach=False), 2)
 *
 * The SGD values are also easy by hand, e.g. SGD with weight decay:
 * 0.5 - 0.1 * (0.1 + 0.01 * 0.5) = 0.4895. */
#include <criterion/criterion.h>
#include <math.h>

#include "rdrop/fast.h"
#include "rdrop/optim.h"

#define N 4
static const float P0[N] = {0.5f, -1.0f, 2.0f, 0.25f};
static const float G1[N] = {0.1f, -0.2f, 0.3f, 0.4f};
static const float G2[N] = {-0.3f, 0.05f, 0.2f, -0.1f};

static void expect_near(const float *got, const float *want, double rtol, const char *what) {
    for (int i = 0; i < N; i++)
        cr_assert(fabs((double)got[i] - want[i]) <= rtol * fabs((double)want[i]),
                  "%s[%d]: got %.9g, want %.9g", what, i, got[i], want[i]);
}

/* An optimizer of the given kind with momentum off and no decay; the test
 * sets the rest. */
static rd_optim make(rd_optimizer_kind kind) {
    rd_optim o;
    rd_optim_init(&o, kind, N);
    o.momentum = 0.0f;
    return o;
}

Test(optim, sgd_plain_step) {
    rd_optim o = make(RD_OPT_SGD);
    float p[N];
    memcpy(p, P0, sizeof p);
    rd_optim_step(&o, p, G1, 0.1f);
    const float want[N] = {0.49000001f, -0.980000019f, 1.97000003f, 0.209999993f}; /* p - 0.1 g */
    expect_near(p, want, 1e-6, "p");
    cr_assert_eq(o.t, 1);
    rd_optim_free(&o);
}

Test(optim, sgd_momentum_two_steps_keep_the_buffer) {
    rd_optim o = make(RD_OPT_SGD);
    o.momentum = 0.9f;
    float p[N];
    memcpy(p, P0, sizeof p);
    rd_optim_step(&o, p, G1, 0.1f);
    /* first step: buf = g, the same as plain SGD */
    expect_near(o.m, G1, 1e-6, "buf after step 1");
    const float want1[N] = {0.49000001f, -0.980000019f, 1.97000003f, 0.209999993f};
    expect_near(p, want1, 1e-6, "p after step 1");
    rd_optim_step(&o, p, G2, 0.1f);
    /* buf = 0.9 g1 + g2, e.g. 0.09 - 0.3 = -0.21; p = 0.49 + 0.021 = 0.511 */
    const float buf[N] = {-0.210000008f, -0.129999995f, 0.470000029f, 0.25999999f};
    const float want2[N] = {0.511000037f, -0.967000008f, 1.92299998f, 0.184f};
    expect_near(o.m, buf, 1e-6, "buf after step 2");
    expect_near(p, want2, 1e-6, "p after step 2");
    rd_optim_free(&o);
}

Test(optim, sgd_nesterov) {
    rd_optim o = make(RD_OPT_SGD);
    o.momentum = 0.9f;
    o.nesterov = 1;
    float p[N];
    memcpy(p, P0, sizeof p);
    rd_optim_step(&o, p, G1, 0.1f);
    /* step 1: p -= lr * (g + 0.9 g) = 0.5 - 0.1 * 0.19 = 0.481 */
    const float want1[N] = {0.481000006f, -0.962000012f, 1.94299996f, 0.173999995f};
    expect_near(p, want1, 1e-6, "p after step 1");
    rd_optim_step(&o, p, G2, 0.1f);
    const float want2[N] = {0.529900014f, -0.955300033f, 1.88069999f, 0.160599992f};
    expect_near(p, want2, 1e-6, "p after step 2");
    rd_optim_free(&o);
}

Test(optim, sgd_weight_decay_is_added_to_the_gradient) {
    rd_optim o = make(RD_OPT_SGD);
    o.weight_decay = 0.01f;
    float p[N];
    memcpy(p, P0, sizeof p);
    rd_optim_step(&o, p, G1, 0.1f);
    const float want[N] = {0.489499986f, -0.978999972f, 1.96800005f, 0.209749997f};
    expect_near(p, want, 1e-6, "p");
    rd_optim_free(&o);
}

/* Adam's moments: m matches PyTorch to 1e-6, v only to 1e-4 (it is off by
 * 1.3e-5): beta2 is a float here, and 1 - 0.999f = 0.000999987 where
 * PyTorch's double gives 0.001. The bias correction divides by the same
 * 1 - beta2^t, so the parameters still agree to 1e-6 (checked below). */
static void expect_moments(const rd_optim *o, const float *m, const float *v) {
    expect_near(o->m, m, 1e-6, "m");
    expect_near(o->v, v, 1e-4, "v");
}

Test(optim, adam_first_and_second_step_with_bias_correction) {
    rd_optim o = make(RD_OPT_ADAM);
    float p[N];
    memcpy(p, P0, sizeof p);
    rd_optim_step(&o, p, G1, 0.01f);
    /* step 1: bias correction makes m/sqrt(v) = g/|g|, so p moves by lr
     * against the sign of g (less a hair for eps) */
    const float want1[N] = {0.49000001f, -0.99000001f, 1.99000001f, 0.239999995f};
    expect_near(p, want1, 1e-6, "p after step 1");
    rd_optim_step(&o, p, G2, 0.01f);
    const float want2[N] = {0.49494192f, -0.985305309f, 1.98029649f, 0.235305309f};
    expect_near(p, want2, 1e-6, "p after step 2");
    const float m[N] = {-0.0210000016f, -0.0130000012f, 0.0470000021f, 0.0260000024f};
    const float v[N] = {9.99900076e-05f, 4.24600039e-05f, 0.000129910011f, 0.000169840016f};
    expect_moments(&o, m, v);
    cr_assert_eq(o.t, 2);
    rd_optim_free(&o);
}

Test(optim, adam_weight_decay_is_l2_in_the_gradient) {
    rd_optim o = make(RD_OPT_ADAM);
    o.weight_decay = 0.1f;
    float p[N];
    memcpy(p, P0, sizeof p);
    rd_optim_step(&o, p, G1, 0.01f);
    /* the L2 term does not change the sign of any g + 0.1 p here */
    const float want1[N] = {0.49000001f, -0.99000001f, 1.99000001f, 0.239999995f};
    expect_near(p, want1, 1e-6, "p after step 1");
    rd_optim_step(&o, p, G2, 0.01f);
    const float want2[N] = {0.492952466f, -0.982187033f, 1.98012078f, 0.234714687f};
    expect_near(p, want2, 1e-6, "p after step 2");
    /* the moments saw g + 0.1 p, unlike AdamW's */
    const float m[N] = {-0.0116000017f, -0.0318999998f, 0.0848999992f, 0.0306499992f};
    const float v[N] = {8.54785103e-05f, 9.23110128e-05f, 0.000408951048f, 0.000186220408f};
    expect_moments(&o, m, v);
    rd_optim_free(&o);
}

Test(optim, adamw_decay_is_decoupled) {
    rd_optim o = make(RD_OPT_ADAMW);
    o.weight_decay = 0.1f;
    float p[N];
    memcpy(p, P0, sizeof p);
    rd_optim_step(&o, p, G1, 0.01f);
    /* p (1 - lr wd) - lr sign(g): 0.5 * 0.999 - 0.01 = 0.4895 */
    const float want1[N] = {0.489500016f, -0.989000022f, 1.98800004f, 0.239749998f};
    expect_near(p, want1, 1e-6, "p after step 1");
    rd_optim_step(&o, p, G2, 0.01f);
    const float want2[N] = {0.493952423f, -0.983316362f, 1.97630858f, 0.234815568f};
    expect_near(p, want2, 1e-6, "p after step 2");
    /* the moments are plain Adam's: the decay never enters them */
    const float m[N] = {-0.0210000016f, -0.0130000012f, 0.0470000021f, 0.0260000024f};
    const float v[N] = {9.99900076e-05f, 4.24600039e-05f, 0.000129910011f, 0.000169840016f};
    expect_moments(&o, m, v);
    rd_optim_free(&o);
}

Test(optim, init_defaults_and_names) {
    rd_optim o;
    rd_optim_init(&o, RD_OPT_SGD, 3);
    cr_assert_null(o.v, "SGD keeps no second moment");
    cr_assert_eq(o.t, 0);
    for (int i = 0; i < 3; i++) cr_assert_eq(o.m[i], 0.0f);
    rd_optim_free(&o);
    rd_optim_init(&o, RD_OPT_ADAMW, 3);
    cr_assert_not_null(o.v);
    cr_assert_float_eq(o.beta1, 0.9f, 0);
    cr_assert_float_eq(o.beta2, 0.999f, 0);
    cr_assert_float_eq(o.eps, 1e-8f, 0);
    rd_optim_free(&o);
    cr_assert_str_eq(rd_optimizer_name(RD_OPT_SGD), "sgd");
    cr_assert_str_eq(rd_optimizer_name(RD_OPT_ADAM), "adam");
    cr_assert_str_eq(rd_optimizer_name(RD_OPT_ADAMW), "adamw");
}

/* The update rules run as AVX2 copies in the fast layer on CPUs that have
 * it (the rounding must not change with the vector width:
 * src/fast/vector_clones.h). Three steps over 1,037 parameters (a tail past
 * any vector width), reference and fast, against the formulas written out
 * here one element at a time, bit for bit. */
#define BIG 1037
static void scalar_adam(float *p, const float *g, float *m, float *v, long long t, float lr, float wd,
                        int decoupled) {
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    float step = lr / (float)(1.0 - pow(b1, (double)t));
    float rsqrt_bc2 = (float)(1.0 / sqrt(1.0 - pow(b2, (double)t)));
    float decay = decoupled ? 1.0f - lr * wd : 1.0f, l2 = decoupled ? 0.0f : wd;
    for (int i = 0; i < BIG; i++) {
        volatile float gi = g[i] + l2 * p[i]; /* volatile: one element at a time */
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        p[i] = p[i] * decay - step * m[i] / (sqrtf(v[i]) * rsqrt_bc2 + eps);
    }
}

static void scalar_sgd(float *p, const float *g, float *buf, float lr, float mu, float wd) {
    for (int i = 0; i < BIG; i++) { /* Nesterov */
        volatile float gi = g[i] + wd * p[i];
        buf[i] = mu * buf[i] + gi;
        p[i] -= lr * (gi + mu * buf[i]);
    }
}

static void fill(float *x, unsigned seed, float scale) {
    for (int i = 0; i < BIG; i++) { /* a fixed LCG: any spread of magnitudes and signs */
        seed = seed * 1664525u + 1013904223u;
        x[i] = scale * ((float)(seed >> 8) / 16777216.0f - 0.5f);
    }
}

Test(optim, every_vector_width_rounds_like_one_element_at_a_time) {
    rd_fast *team = rd_fast_new(2);
    for (int fast = 0; fast < 2; fast++)
    for (int kind = RD_OPT_SGD; kind <= RD_OPT_ADAMW; kind++) {
        rd_optim o;
        rd_optim_init(&o, (rd_optimizer_kind)kind, BIG);
        o.momentum = 0.9f;
        o.nesterov = 1;
        o.weight_decay = 0.01f;
        static float p[BIG], want[BIG], g[BIG], grads[BIG], m[BIG], v[BIG];
        fill(p, 1, 2.0f);
        memcpy(want, p, sizeof p);
        memset(m, 0, sizeof m);
        memset(v, 0, sizeof v);
        for (int t = 1; t <= 3; t++) {
            fill(g, 100u + (unsigned)t, 0.2f);
            memcpy(grads, g, sizeof g);
            if (fast) rd_fast_optim_step(team, &o, p, grads, 0.01f);
            else rd_optim_step_zero(&o, p, grads, 0.01f);
            if (kind == RD_OPT_SGD) scalar_sgd(want, g, m, 0.01f, 0.9f, 0.01f);
            else scalar_adam(want, g, m, v, t, 0.01f, 0.01f, kind == RD_OPT_ADAMW);
            for (int i = 0; i < BIG; i++) cr_assert_eq(grads[i], 0.0f, "gradient %d not zeroed", i);
        }
        cr_assert(memcmp(p, want, sizeof p) == 0, "%s: parameters differ from the one-element formula",
                  rd_optimizer_name((rd_optimizer_kind)kind));
        cr_assert(memcmp(o.m, m, sizeof m) == 0, "%s: first moment (or momentum) differs",
                  rd_optimizer_name((rd_optimizer_kind)kind));
        if (kind != RD_OPT_SGD) cr_assert(memcmp(o.v, v, sizeof v) == 0, "second moment differs");
        rd_optim_free(&o);
    }
    rd_fast_free(team);
}
