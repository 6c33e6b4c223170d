/* rd_kl_div: PyTorch reference values, reductions, log_target, properties,
 * and gradients in both arguments.
 *
 * Reference values from PyTorch 1.13 (/usr/bin/python3):
 *
 *   import torch, torch.nn.functional as F
 *   d = torch.float64
 *   P = torch.tensor([0.25, 0.25, 0.25, 0.25, 0.0], dtype=d)
 *   Q = torch.tensor([0.2] * 5, dtype=d)
 *   print(F.kl_div(Q.log(), P, reduction="sum"))  # KL(P||Q) = 0.2231435513142097 (ln 1.25)
 *   print(F.kl_div(P.log(), Q, reduction="sum"))  # KL(Q||P) = inf
 *   sp, sq = P.softmax(0), Q.softmax(0)
 *   print(F.kl_div(sq.log(), sp, reduction="sum"))  # 0.004505799517589615
 *   print(F.kl_div(sp.log(), sq, reduction="sum"))  # 0.004751720390424874
 *
 *   inp = torch.tensor([[1.0, -0.5, 0.3, 2.0],
 *                       [0.0, 0.7, -1.2, 0.4],
 *                       [-0.3, 0.1, 0.9, -2.0]], dtype=d).log_softmax(1)
 *   tgt = torch.tensor([[0.1, 0.2, 0.3, 0.4],
 *                       [0.5, 0.0, 0.25, 0.25],
 *                       [0.7, 0.1, 0.1, 0.1]], dtype=d)
 *   print(inp.tolist())
 *   for r in ["none", "sum", "mean", "batchmean"]:
 *       print(r, F.kl_div(inp, tgt, reduction=r).tolist())
 *   print(F.kl_div(inp, tgt.log(), reduction="none", log_target=True).tolist())
 *   # log_target: the same values, except NaN at [1][1] (target probability 0,
 *   # log target -inf), and so sum = NaN. rdrop defines that term as 0.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "rdrop/gradcheck.h"
#include "rdrop/loss.h"
#include "rdrop/train.h"

static rd_graph g;
static void setup(void) { rd_graph_init(&g); }
static void teardown(void) { rd_graph_free(&g); }
TestSuite(kl, .init = setup, .fini = teardown);

static float P[] = {0.25f, 0.25f, 0.25f, 0.25f, 0.0f}, Q[] = {0.2f, 0.2f, 0.2f, 0.2f, 0.2f};

/* KL(a || b) = kl_div(log b, a, sum) */
static double kl_probs(float *a, float *b, int n) {
    rd_tensor *logb = rd_new(&g, 1, n);
    for (int i = 0; i < n; i++) logb->data[i] = logf(b[i]);
    return rd_scalar(rd_kl_div(&g, logb, rd_input(&g, 1, n, a), RD_REDUCE_SUM, 0));
}

Test(kl, reference_probabilities) {
    double pq = kl_probs(P, Q, 5), qp = kl_probs(Q, P, 5);
    cr_expect(fabs(pq - 0.2231435513142097) < 1e-6, "KL(P||Q) = %.9f", pq);
    cr_expect(fabs(pq - log(1.25)) < 1e-6);
    cr_expect(isinf(qp) && qp > 0, "KL(Q||P) = %g, want +inf", qp);
}

/* The logits case: softmax of both, KL(softmax P || softmax Q) = kl_div(log_softmax Q, softmax P). */
Test(kl, reference_logits) {
    rd_tensor *p = rd_input(&g, 1, 5, P), *q = rd_input(&g, 1, 5, Q);
    double pq = rd_scalar(rd_kl_div(&g, rd_log_softmax(&g, q), rd_softmax(&g, p), RD_REDUCE_SUM, 0));
    double qp = rd_scalar(rd_kl_div(&g, rd_log_softmax(&g, p), rd_softmax(&g, q), RD_REDUCE_SUM, 0));
    cr_expect(fabs(pq - 0.004505799517589615) < 1e-6, "KL(sP||sQ) = %.9f", pq);
    cr_expect(fabs(qp - 0.004751720390424874) < 1e-6, "KL(sQ||sP) = %.9f", qp);
}

/* The 3x4 example of the script above. */
static float INP[] = {-1.4902032144153274f, -2.9902032144153274f, -2.1902032144153276f, -0.4902032144153275f,
                      -1.5700256772826333f, -0.8700256772826334f, -2.770025677282633f,  -1.1700256772826334f,
                      -1.7908632584895814f, -1.3908632584895815f, -0.5908632584895814f, -3.4908632584895813f};
static float TGT[] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.0f, 0.25f, 0.25f, 0.7f, 0.1f, 0.1f, 0.1f};
static const double NONE[] = {-0.08123818785787182, 0.2761530603962454, 0.29586912302681745, -0.170435006983531,
                              0.438439248361344,    0.0,                0.3459328290406856,  -0.05406717095931429,
                              1.0039318201855942,   -0.09117218345044639, -0.1711721834504464, 0.1188278165495536};
static const double SUM = 1.9110691648586307, MEAN = 0.15925576373821923, BATCHMEAN = 0.6370230549528769;

static rd_tensor *kl3x4(rd_reduction r, int log_target) {
    rd_tensor *t = rd_input(&g, 3, 4, TGT);
    if (log_target) {
        t = rd_new(&g, 3, 4);
        for (int i = 0; i < 12; i++) t->data[i] = logf(TGT[i]); /* log 0 = -inf */
    }
    return rd_kl_div(&g, rd_input(&g, 3, 4, INP), t, r, log_target);
}

static void check_reductions(int log_target) {
    rd_tensor *none = kl3x4(RD_REDUCE_NONE, log_target);
    cr_assert(none->rows == 3 && none->cols == 4);
    for (int i = 0; i < 12; i++)
        cr_expect(fabs(none->data[i] - NONE[i]) < 1e-6, "none[%d] = %.9f, want %.9f", i, none->data[i], NONE[i]);
    double s = rd_scalar(kl3x4(RD_REDUCE_SUM, log_target));
    double m = rd_scalar(kl3x4(RD_REDUCE_MEAN, log_target));
    double bm = rd_scalar(kl3x4(RD_REDUCE_BATCHMEAN, log_target));
    cr_expect(fabs(s - SUM) < 1e-6, "sum = %.9f", s);
    cr_expect(fabs(m - MEAN) < 1e-6, "mean = %.9f", m);
    cr_expect(fabs(bm - BATCHMEAN) < 1e-6, "batchmean = %.9f", bm);
    cr_expect(fabs(m - s / 12) < 1e-12 && fabs(bm - s / 3) < 1e-12);
}

Test(kl, reductions_match_pytorch) { check_reductions(0); }

/* With log_target the zero-probability term is 0 (PyTorch 1.13: NaN), so
 * every value equals the probability-target case. */
Test(kl, log_target_matches_and_zero_target_gives_zero) {
    check_reductions(1);
    rd_tensor *none = kl3x4(RD_REDUCE_NONE, 1);
    cr_expect_eq(none->data[5], 0.0f, "term at target 0 = %g", none->data[5]);
    cr_expect(isfinite(rd_scalar(kl3x4(RD_REDUCE_SUM, 1))));
}

Test(kl, reduction_names) {
    const char *names[] = {"none", "sum", "mean", "batchmean"};
    for (int i = 0; i < 4; i++) {
        cr_expect_eq(rd_reduction_from_name(names[i]), i);
        cr_expect_str_eq(rd_reduction_name((rd_reduction)i), names[i]);
    }
    cr_expect_eq(rd_reduction_from_name("average"), -1);
}

static void random_distribution(rd_rng *r, float *p, int n) {
    double z = 0;
    for (int i = 0; i < n; i++) z += p[i] = (float)exp(3.0 * rd_rng_normal(r)); /* often peaked */
    for (int i = 0; i < n; i++) p[i] = (float)(p[i] / z);
}

Test(kl, kl_of_p_with_itself_is_zero) {
    rd_rng r;
    rd_rng_seed(&r, 1);
    float p[10];
    for (int k = 0; k < 100; k++) {
        random_distribution(&r, p, 10);
        double v = kl_probs(p, p, 10);
        cr_expect(fabs(v) < 1e-6, "KL(p||p) = %g", v);
        rd_graph_reset(&g);
    }
}

Test(kl, non_negative_on_10000_random_pairs) {
    rd_rng r;
    rd_rng_seed(&r, 2);
    float p[8], q[8];
    double worst = INFINITY;
    for (int k = 0; k < 10000; k++) {
        int n = 2 + (int)rd_rng_below(&r, 7);
        random_distribution(&r, p, n);
        random_distribution(&r, q, n);
        double v = kl_probs(p, q, n);
        worst = v < worst ? v : worst;
        rd_graph_reset(&g);
    }
    cr_expect(worst >= -1e-6, "smallest KL %g", worst);
}

Test(kl, builtin_gradchecks) {
    const char *names[] = {"kl_div_none", "kl_div_sum", "kl_div_mean", "kl_div_batchmean", "kl_div_log_target"};
    for (int i = 0; i < 5; i++) {
        rd_gc_result res;
        cr_assert_eq(rd_gradcheck_builtin(names[i], &res, 1), 1, "%s", names[i]);
        cr_expect(res.n_checked > 0 && res.n_failed == 0, "%s: %zu failed", names[i], res.n_failed);
    }
}

/* Both arguments through softmaxes, as R-Drop uses it:
 * f(u, v) = kl_div(log_softmax(u), softmax(v), batchmean) = KL(softmax v || softmax u) per row. */
typedef struct {
    float u[12], du[12], v[12], dv[12];
    int log_target;
} kl_ctx;

static rd_tensor *build_kl(rd_graph *gg, void *vc) {
    kl_ctx *c = vc;
    rd_tensor *u = rd_param(gg, 3, 4, c->u, c->du), *v = rd_param(gg, 3, 4, c->v, c->dv);
    rd_tensor *target = c->log_target ? rd_log_softmax(gg, v) : rd_softmax(gg, v);
    return rd_kl_div(gg, rd_log_softmax(gg, u), target, RD_REDUCE_BATCHMEAN, c->log_target);
}

static void gradcheck_both_arguments(int log_target) {
    kl_ctx c = {.log_target = log_target};
    rd_rng r;
    rd_rng_seed(&r, 3);
    for (int i = 0; i < 12; i++) {
        c.u[i] = (float)rd_rng_normal(&r);
        c.v[i] = (float)rd_rng_normal(&r);
    }
    rd_gc_buffer bufs[] = {{c.u, c.du, 12}, {c.v, c.dv, 12}};
    rd_gc_result res = rd_gradcheck(build_kl, &c, bufs, 2, 1e-2f, 1e-3, 1e-5, 100);
    cr_expect_eq(res.n_checked, 24);
    cr_expect_eq(res.n_failed, 0, "max_abs %.3g max_rel %.3g", res.max_abs, res.max_rel);
    double nu = 0, nv = 0;
    for (int i = 0; i < 12; i++) nu += fabs(c.du[i]), nv += fabs(c.dv[i]);
    cr_expect(nu > 1e-3 && nv > 1e-3, "a gradient is zero: %g %g", nu, nv);
}

Test(kl, gradcheck_both_arguments) { gradcheck_both_arguments(0); }
Test(kl, gradcheck_both_arguments_log_target) { gradcheck_both_arguments(1); }

/* rd_pairs_kl (test_kl of one sample, `rdrop serve`'s disagreement): the mean
 * over pairs of [KL(a||b) + KL(b||a)] / 4, against rd_kl_div pair by pair. */
Test(kl, pairs_kl_is_the_mean_symmetric_kl_over_pairs) {
    enum { PASSES = 4, K = 6 };
    rd_rng r;
    rd_rng_seed(&r, 3);
    float z[PASSES * K], p[PASSES][K];
    double lp[PASSES * K];
    for (int i = 0; i < PASSES * K; i++) z[i] = (float)(2.0 * rd_rng_normal(&r));
    for (int a = 0; a < PASSES; a++) {
        int best = rd_log_probs(z + a * K, K, lp + a * K);
        cr_assert_eq(best, rd_argmax(z + a * K, K));
        for (int j = 0; j < K; j++) p[a][j] = (float)exp(lp[a * K + j]);
    }
    double want = 0;
    for (int a = 0; a < PASSES; a++)
        for (int b = a + 1; b < PASSES; b++) {
            want += (kl_probs(p[a], p[b], K) + kl_probs(p[b], p[a], K)) / 4.0;
            rd_graph_reset(&g);
        }
    want /= PASSES * (PASSES - 1) / 2;
    double got = rd_pairs_kl(lp, PASSES, K);
    cr_expect(fabs(got - want) < 1e-5 * want, "rd_pairs_kl %.9g, from rd_kl_div %.9g", got, want);
    cr_expect(isnan(rd_pairs_kl(lp, 1, K)), "one pass has no pair");
    cr_expect(fabs(rd_pairs_kl((double[]){log(0.5), log(0.5), log(0.5), log(0.5)}, 2, 2)) < 1e-15);
}
