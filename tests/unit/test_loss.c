/* Cross-entropy from logits (fused log-softmax + NLL) and NLL.
 * Reference values from this script (python3, standard library only):
 *
 *   import math
 *   def softmax(r):
 *       m = max(r); e = [math.exp(v - m) for v in r]; z = sum(e); return [v / z for v in e]
 *   rows, labels = [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], [0, 1]
 *   ce = [math.log(sum(math.exp(v) for v in r)) - r[y] for r, y in zip(rows, labels)]
 *   print(sum(ce) / 2)                                   # 1.7531091265562448
 *   for r, y in zip(rows, labels):                       # (softmax - one_hot) / rows
 *       print([(p - (j == y)) / 2 for j, p in enumerate(softmax(r))])
 */
#include <criterion/criterion.h>
#include <math.h>

#include "rdrop/gradcheck.h"
#include "rdrop/loss.h"

static rd_graph g;
static void setup(void) { rd_graph_init(&g); }
static void teardown(void) { rd_graph_free(&g); }
TestSuite(loss, .init = setup, .fini = teardown);

Test(loss, cross_entropy_hand_computed) {
    float x[] = {1, 2, 3, 0, 0, 0}, dx[6] = {0};
    int labels[] = {0, 1};
    const float want[] = {-0.4549847134148098f, 0.12236423552739882f, 0.3326204778874109f,
                          0.16666666666666666f, -0.33333333333333337f, 0.16666666666666666f};
    rd_tensor *ce = rd_cross_entropy(&g, rd_param(&g, 2, 3, x, dx), labels, 2);
    cr_assert(ce->rows == 1 && ce->cols == 1);
    cr_expect(fabs(rd_scalar(ce) - 1.7531091265562448) < 1e-6, "ce = %.9f", rd_scalar(ce));
    rd_backward(&g, ce);
    for (int i = 0; i < 6; i++) cr_expect_float_eq(dx[i], want[i], 1e-6f, "grad %d: %.9g", i, dx[i]);
}

/* Logits of +-1e4: exp overflows without the max-shift. Row [1e4, -1e4, 0] with
 * label 1: CE = lse - x[1] = 1e4 - (-1e4) = 2e4; softmax [1, 0, 0], so the
 * gradient is [1, -1, 0] (one row: not divided further). */
Test(loss, cross_entropy_large_logits_finite) {
    float x[] = {1e4f, -1e4f, 0}, dx[3] = {0};
    int label = 1;
    rd_tensor *ce = rd_cross_entropy(&g, rd_param(&g, 1, 3, x, dx), &label, 1);
    cr_assert(isfinite(rd_scalar(ce)));
    cr_expect(fabs(rd_scalar(ce) - 2e4) < 1e-6 * 2e4, "ce = %.9g", rd_scalar(ce));
    rd_backward(&g, ce);
    const float want[] = {1, -1, 0};
    for (int i = 0; i < 3; i++) {
        cr_assert(isfinite(dx[i]));
        cr_expect_float_eq(dx[i], want[i], 1e-6f);
    }
    /* And the correct class at +1e4: loss 0, gradient 0. */
    float y[] = {-1e4f, 1e4f, 1e4f - 1}, dy[3] = {0};
    rd_tensor *ok = rd_cross_entropy(&g, rd_param(&g, 1, 3, y, dy), &label, 1);
    cr_expect(isfinite(rd_scalar(ok)) && rd_scalar(ok) >= 0 && rd_scalar(ok) < 0.32); /* ln(1+e^-1) */
}

/* The fused op equals its composition, in value and in gradient. */
Test(loss, cross_entropy_equals_nll_of_log_softmax) {
    float x[] = {0.3f, -1.2f, 2.0f, 0.5f, 1.1f, 0.0f, -0.7f, 0.2f, -2.0f, 0.9f, 0.4f, 1.5f};
    float d1[12] = {0}, d2[12] = {0};
    int labels[] = {2, 0, 3};
    rd_tensor *fused = rd_cross_entropy(&g, rd_param(&g, 3, 4, x, d1), labels, 3);
    rd_backward(&g, fused);
    rd_tensor *composed = rd_nll(&g, rd_log_softmax(&g, rd_param(&g, 3, 4, x, d2)), labels, 3);
    rd_backward(&g, composed);
    cr_expect(fabs(rd_scalar(fused) - rd_scalar(composed)) < 1e-6, "%.9f vs %.9f",
              rd_scalar(fused), rd_scalar(composed));
    for (int i = 0; i < 12; i++) cr_expect_float_eq(d1[i], d2[i], 1e-6f, "grad %d: %.9g vs %.9g", i, d1[i], d2[i]);
}

/* Row i's label is labels[i % n_labels]: a stacked batch [x; x] reuses one array. */
Test(loss, labels_wrap_for_a_stacked_batch) {
    float x[] = {1, 2, 3, 0, 0, 0}, xx[12];
    for (int i = 0; i < 12; i++) xx[i] = x[i % 6];
    int labels[] = {0, 1};
    double once = rd_scalar(rd_cross_entropy(&g, rd_input(&g, 2, 3, x), labels, 2));
    double twice = rd_scalar(rd_cross_entropy(&g, rd_input(&g, 4, 3, xx), labels, 2));
    cr_expect(fabs(once - twice) < 1e-12);
    cr_expect(fabs(once - 1.7531091265562448) < 1e-6);
}

/* NLL is -mean of the picked log-probabilities: -(log 0.5 + log 0.25) / 2. */
Test(loss, nll_hand_computed) {
    float lp[] = {logf(0.5f), logf(0.5f), logf(0.25f), logf(0.75f)};
    int labels[] = {0, 0};
    double want = -(log(0.5) + log(0.25)) / 2;
    cr_expect(fabs(rd_scalar(rd_nll(&g, rd_input(&g, 2, 2, lp), labels, 2)) - want) < 1e-6);
}

Test(loss, builtin_gradchecks) {
    const char *names[] = {"cross_entropy", "nll", "log_softmax", "softmax"};
    for (int i = 0; i < 4; i++) {
        rd_gc_result r;
        cr_assert_eq(rd_gradcheck_builtin(names[i], &r, 1), 1, "%s", names[i]);
        cr_expect(r.n_checked > 0 && r.n_failed == 0, "%s: %zu failed, max_rel %.3g", names[i],
                  r.n_failed, r.max_rel);
    }
}

/* Finite differences through large logits, where a non-shifted softmax would overflow. */
typedef struct {
    float x[8], dx[8];
    int labels[2];
} ce_ctx;
static rd_tensor *build_ce(rd_graph *gg, void *v) {
    ce_ctx *c = v;
    return rd_cross_entropy(gg, rd_param(gg, 2, 4, c->x, c->dx), c->labels, 2);
}
Test(loss, cross_entropy_gradcheck_near_large_logits) {
    ce_ctx c = {.x = {100.0f, 100.5f, 99.0f, 98.0f, -100.0f, -99.5f, -101.0f, -100.2f}, .labels = {0, 3}};
    rd_gc_buffer buf = {c.x, c.dx, 8};
    rd_gc_result r = rd_gradcheck(build_ce, &c, &buf, 1, 1e-2f, 2e-3, 1e-4, 100);
    cr_expect_eq(r.n_checked, 8);
    cr_expect_eq(r.n_failed, 0, "max_abs %.3g max_rel %.3g", r.max_abs, r.max_rel);
}
