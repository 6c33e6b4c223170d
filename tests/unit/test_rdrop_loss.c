/* The R-Drop objective: a hand-worked case, the paper's form, alpha = 0,
 * and gradients through both copies.
 *
 * Reference values from this script (python3, standard library only):
 *
 *   import math
 *   def log_softmax(r):
 *       m = max(r); lse = m + math.log(sum(math.exp(v - m) for v in r)); return [v - lse for v in r]
 *   def kl(lp, lq):  # KL(p || q) from log-probabilities
 *       return sum(math.exp(a) * (a - b) for a, b in zip(lp, lq))
 *   A = [[1.0, 2.0, 0.5], [0.3, -1.0, 2.2]]   # copy a, rows 0-1
 *   Bc = [[1.5, 1.0, 0.0], [0.0, -0.5, 2.5]]  # copy b, rows 2-3
 *   y = [1, 2]
 *   la, lb = [log_softmax(r) for r in A], [log_softmax(r) for r in Bc]
 *   ce_a = -sum(l[c] for l, c in zip(la, y)) / 2
 *   ce_b = -sum(l[c] for l, c in zip(lb, y)) / 2
 *   ce = (ce_a + ce_b) / 2                            # mean over the 4 rows
 *   kl_ab = sum(kl(a, b) for a, b in zip(la, lb)) / 2  # mean over the 2 pairs
 *   kl_ba = sum(kl(b, a) for a, b in zip(la, lb)) / 2
 *   klt = (kl_ab + kl_ba) / 4
 *   print(ce, klt)                     # 0.4666509047479521 0.062208650147445914
 *   for alpha in (1.0, 2.5):           # 0.528859554895398, 0.6221725301165669
 *       print(ce + alpha * klt, (ce_a + ce_b + alpha / 2 * (kl_ab + kl_ba)) / 2)
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "rdrop/gradcheck.h"
#include "rdrop/loss.h"

static rd_graph g;
static void setup(void) { rd_graph_init(&g); }
static void teardown(void) { rd_graph_free(&g); }
TestSuite(rdrop_loss, .init = setup, .fini = teardown);

/* Rows 0-1: copy a; rows 2-3: copy b of the same 2 samples. */
static float LOGITS[] = {1.0f, 2.0f, 0.5f, 0.3f, -1.0f, 2.2f, 1.5f, 1.0f, 0.0f, 0.0f, -0.5f, 2.5f};
static int LABELS[] = {1, 2};
static const double CE = 0.4666509047479521, KL = 0.062208650147445914;

static void check_hand_worked(float alpha, double want_loss) {
    rd_rdrop_terms t = rd_rdrop_objective(&g, rd_input(&g, 4, 3, LOGITS), LABELS, alpha);
    cr_expect(fabs(rd_scalar(t.ce) - CE) < 1e-6, "ce = %.9f", rd_scalar(t.ce));
    cr_expect(fabs(rd_scalar(t.kl) - KL) < 1e-6, "kl = %.9f", rd_scalar(t.kl));
    cr_expect(fabs(rd_scalar(t.loss) - want_loss) < 1e-6, "alpha %g: loss = %.9f", alpha, rd_scalar(t.loss));
}

Test(rdrop_loss, hand_worked_alpha_1) { check_hand_worked(1.0f, 0.528859554895398); }
Test(rdrop_loss, hand_worked_alpha_2_5) { check_hand_worked(2.5f, 0.6221725301165669); }

/* loss = (CE_a + CE_b + alpha/2 (KL_ab + KL_ba)) / 2, the paper's form built
 * here from separate ops: per-copy cross-entropies and batchmean KLs. */
Test(rdrop_loss, half_the_paper_form) {
    const float alpha = 2.5f;
    rd_tensor *x = rd_input(&g, 4, 3, LOGITS);
    rd_tensor *a = rd_rows(&g, x, 0, 2), *b = rd_rows(&g, x, 2, 2);
    double ce_a = rd_scalar(rd_cross_entropy(&g, a, LABELS, 2));
    double ce_b = rd_scalar(rd_cross_entropy(&g, b, LABELS, 2));
    rd_tensor *lpa = rd_log_softmax(&g, a), *lpb = rd_log_softmax(&g, b);
    double kl_ab = rd_scalar(rd_kl_div(&g, lpb, lpa, RD_REDUCE_BATCHMEAN, 1)); /* KL(p_a || p_b) */
    double kl_ba = rd_scalar(rd_kl_div(&g, lpa, lpb, RD_REDUCE_BATCHMEAN, 1));
    double paper = ce_a + ce_b + alpha / 2 * (kl_ab + kl_ba);
    rd_rdrop_terms t = rd_rdrop_objective(&g, x, LABELS, alpha);
    cr_expect(fabs(rd_scalar(t.loss) - paper / 2) < 1e-6, "%.9f vs %.9f / 2", rd_scalar(t.loss), paper);
}

/* alpha = 0: the cross-entropy of the duplicated batch, value and gradient
 * (to float rounding: the objective takes nll of a float log_softmax, the
 * fused cross-entropy works in double). */
Test(rdrop_loss, alpha_0_is_cross_entropy) {
    float d1[12] = {0}, d2[12] = {0};
    rd_rdrop_terms t = rd_rdrop_objective(&g, rd_param(&g, 4, 3, LOGITS, d1), LABELS, 0.0f);
    rd_backward(&g, t.loss);
    rd_tensor *ce = rd_cross_entropy(&g, rd_param(&g, 4, 3, LOGITS, d2), LABELS, 2);
    rd_backward(&g, ce);
    cr_expect(fabs(rd_scalar(t.loss) - rd_scalar(ce)) < 1e-6, "%.12f vs %.12f", rd_scalar(t.loss), rd_scalar(ce));
    cr_expect(fabs(rd_scalar(ce) - CE) < 1e-6);
    for (int i = 0; i < 12; i++) cr_expect_float_eq(d1[i], d2[i], 1e-7f, "grad %d: %g vs %g", i, d1[i], d2[i]);
}

/* Nothing is detached: the KL term alone sends gradient into both copies. */
Test(rdrop_loss, kl_gradient_reaches_both_copies) {
    float d[12] = {0};
    rd_rdrop_terms t = rd_rdrop_objective(&g, rd_param(&g, 4, 3, LOGITS, d), LABELS, 1.0f);
    rd_backward(&g, t.kl);
    double na = 0, nb = 0, sum_a = 0, sum_b = 0;
    for (int i = 0; i < 6; i++) {
        na += fabs(d[i]), nb += fabs(d[6 + i]);
        sum_a += d[i], sum_b += d[6 + i];
    }
    cr_expect(na > 1e-3, "no KL gradient into copy a (|g| = %g)", na);
    cr_expect(nb > 1e-3, "no KL gradient into copy b (|g| = %g)", nb);
    /* softmax is shift-invariant, so each row's gradient sums to 0. */
    cr_expect(fabs(sum_a) < 1e-6 && fabs(sum_b) < 1e-6);
}

/* When the copies are equal the KL term and its gradient vanish. */
Test(rdrop_loss, equal_copies_have_zero_kl) {
    float x[12], d[12] = {0};
    memcpy(x, LOGITS, 6 * sizeof(float));
    memcpy(x + 6, LOGITS, 6 * sizeof(float));
    rd_rdrop_terms t = rd_rdrop_objective(&g, rd_param(&g, 4, 3, x, d), LABELS, 1.0f);
    cr_expect(fabs(rd_scalar(t.kl)) < 1e-9);
    rd_backward(&g, t.kl);
    for (int i = 0; i < 12; i++) cr_expect(fabsf(d[i]) < 1e-7f, "grad %d = %g", i, d[i]);
}

/* Finite differences of the whole objective w.r.t. the logits of both copies. */
typedef struct {
    float x[24], dx[24];
    int labels[4];
    float alpha;
} obj_ctx;
static rd_tensor *build_objective(rd_graph *gg, void *v) {
    obj_ctx *c = v;
    return rd_rdrop_objective(gg, rd_param(gg, 8, 3, c->x, c->dx), c->labels, c->alpha).loss;
}
Test(rdrop_loss, gradcheck_both_copies) {
    obj_ctx c = {.labels = {0, 2, 1, 2}, .alpha = 2.5f};
    rd_rng r;
    rd_rng_seed(&r, 4);
    for (int i = 0; i < 24; i++) c.x[i] = 2.0f * (float)rd_rng_normal(&r);
    rd_gc_buffer buf = {c.x, c.dx, 24};
    rd_gc_result res = rd_gradcheck(build_objective, &c, &buf, 1, 1e-2f, 1e-3, 1e-5, 100);
    cr_expect_eq(res.n_checked, 24);
    cr_expect_eq(res.n_failed, 0, "max_abs %.3g max_rel %.3g", res.max_abs, res.max_rel);
}

Test(rdrop_loss, builtin_gradchecks) {
    const char *names[] = {"rdrop_objective", "mlp_rdrop"};
    for (int i = 0; i < 2; i++) {
        rd_gc_result res;
        cr_assert_eq(rd_gradcheck_builtin(names[i], &res, 1), 1, "%s", names[i]);
        cr_expect(res.n_checked > 0 && res.n_failed == 0, "%s: %zu failed", names[i], res.n_failed);
    }
}
