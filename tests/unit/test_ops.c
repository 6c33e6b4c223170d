/* Forward values of every op against hand-computed cases.
 * Reference values for the transcendental ops come from this script
 * (python3, standard library only):
 *
 *   import math
 *   r = [1.0, 2.0, 3.0]
 *   lse = math.log(sum(math.exp(v) for v in r))
 *   print([v - lse for v in r])                  # log_softmax
 *   print([math.exp(v - lse) for v in r])        # softmax
 *   print(math.tanh(0.5), math.tanh(-1.0))
 */
#include <criterion/criterion.h>
#include <math.h>

#include "rdrop/tensor.h"

static rd_graph g;
static void setup(void) { rd_graph_init(&g); }
static void teardown(void) { rd_graph_free(&g); }
TestSuite(ops, .init = setup, .fini = teardown);

/* Each element within tol * max(1, |want|): absolute near 0, relative for large values. */
static void expect_values(const rd_tensor *t, int rows, int cols, const float *want, float tol) {
    cr_assert_eq(t->rows, rows);
    cr_assert_eq(t->cols, cols);
    for (int i = 0; i < rows * cols; i++)
        cr_expect(fabsf(t->data[i] - want[i]) <= tol * fmaxf(1.0f, fabsf(want[i])),
                  "element %d: got %.9g, want %.9g", i, t->data[i], want[i]);
}

/* A = [1 2 3; 4 5 6] (2x3), B = [7 8; 9 10; 11 12] (3x2), A B = [58 64; 139 154].
 * Each variant stores A or B transposed and asks matmul to transpose it back. */
static float A[] = {1, 2, 3, 4, 5, 6}, At[] = {1, 4, 2, 5, 3, 6};
static float B[] = {7, 8, 9, 10, 11, 12}, Bt[] = {7, 9, 11, 8, 10, 12};
static const float AB[] = {58, 64, 139, 154};

Test(ops, matmul_nn) {
    expect_values(rd_matmul(&g, rd_input(&g, 2, 3, A), rd_input(&g, 3, 2, B), 0, 0), 2, 2, AB, 0);
}
Test(ops, matmul_tn) {
    expect_values(rd_matmul(&g, rd_input(&g, 3, 2, At), rd_input(&g, 3, 2, B), 1, 0), 2, 2, AB, 0);
}
Test(ops, matmul_nt) {
    expect_values(rd_matmul(&g, rd_input(&g, 2, 3, A), rd_input(&g, 2, 3, Bt), 0, 1), 2, 2, AB, 0);
}
Test(ops, matmul_tt) {
    expect_values(rd_matmul(&g, rd_input(&g, 3, 2, At), rd_input(&g, 2, 3, Bt), 1, 1), 2, 2, AB, 0);
}
Test(ops, matmul_outer_shape) { /* A^T A is 3x3: [17 22 27; 22 29 36; 27 36 45] */
    const float want[] = {17, 22, 27, 22, 29, 36, 27, 36, 45};
    rd_tensor *a = rd_input(&g, 2, 3, A);
    expect_values(rd_matmul(&g, a, a, 1, 0), 3, 3, want, 0);
}

Test(ops, linear_with_bias) {
    float b[] = {0.5f, -1.0f};
    const float want[] = {58.5f, 63, 139.5f, 153};
    rd_tensor *y = rd_linear(&g, rd_input(&g, 2, 3, A), rd_input(&g, 3, 2, B), rd_input(&g, 1, 2, b));
    expect_values(y, 2, 2, want, 0);
}
Test(ops, linear_without_bias) {
    expect_values(rd_linear(&g, rd_input(&g, 2, 3, A), rd_input(&g, 3, 2, B), NULL), 2, 2, AB, 0);
}

Test(ops, add_bias) {
    float x[] = {1, 2, 3, 4}, b[] = {10, 20};
    const float want[] = {11, 22, 13, 24};
    expect_values(rd_add_bias(&g, rd_input(&g, 2, 2, x), rd_input(&g, 1, 2, b)), 2, 2, want, 0);
}

Test(ops, add_and_scale) {
    float a[] = {1, -2, 3}, b[] = {0.5f, 0.5f, -3};
    const float sum[] = {1.5f, -1.5f, 0}, scaled[] = {-2.5f, 5, -7.5f};
    expect_values(rd_add(&g, rd_input(&g, 1, 3, a), rd_input(&g, 1, 3, b)), 1, 3, sum, 0);
    expect_values(rd_scale(&g, rd_input(&g, 1, 3, a), -2.5f), 1, 3, scaled, 0);
}

Test(ops, relu) {
    float x[] = {-1, 0, 2, -0.001f};
    const float want[] = {0, 0, 2, 0};
    expect_values(rd_relu(&g, rd_input(&g, 2, 2, x)), 2, 2, want, 0);
}

Test(ops, tanh) {
    float x[] = {0, 0.5f, -1};
    const float want[] = {0, 0.46211715726000974f, -0.7615941559557649f};
    expect_values(rd_tanh(&g, rd_input(&g, 1, 3, x)), 1, 3, want, 1e-6f);
}

Test(ops, log_softmax_and_softmax) {
    float x[] = {1, 2, 3, 0, 0, 0};
    const float logp[] = {-2.40760596444438f, -1.4076059644443801f, -0.40760596444438013f,
                          -1.0986122886681098f, -1.0986122886681098f, -1.0986122886681098f};
    const float p[] = {0.09003057317038046f, 0.24472847105479764f, 0.6652409557748218f,
                       1.0f / 3, 1.0f / 3, 1.0f / 3};
    expect_values(rd_log_softmax(&g, rd_input(&g, 2, 3, x)), 2, 3, logp, 1e-6f);
    expect_values(rd_softmax(&g, rd_input(&g, 2, 3, x)), 2, 3, p, 1e-6f);
}

/* Logits of +-1e4: exp(1e4) overflows, so only the max-shift keeps these finite.
 * Row 0: softmax [1, 0, 0], log-softmax [0, -2e4, -1e4]. Row 1: two equal maxima,
 * softmax [0.5, 0.5, 0], log-softmax [-ln 2, -ln 2, -2e4 - ln 2]: this row caught
 * a bug where log-softmax rounded max + ln 2 to float (0.4999 instead of 0.5). */
Test(ops, softmax_large_logits) {
    float x[] = {1e4f, -1e4f, 0, 1e4f, 1e4f, -1e4f};
    const float logp[] = {0, -2e4f, -1e4f, -0.69314718f, -0.69314718f, -20000.693147f};
    const float p[] = {1, 0, 0, 0.5f, 0.5f, 0};
    rd_tensor *ls = rd_log_softmax(&g, rd_input(&g, 2, 3, x));
    rd_tensor *s = rd_softmax(&g, rd_input(&g, 2, 3, x));
    for (int i = 0; i < 6; i++) {
        cr_assert(isfinite(ls->data[i]), "log_softmax[%d] = %g", i, ls->data[i]);
        cr_assert(isfinite(s->data[i]), "softmax[%d] = %g", i, s->data[i]);
    }
    expect_values(ls, 2, 3, logp, 1e-6f);
    expect_values(s, 2, 3, p, 1e-6f);
    for (int r = 0; r < 2; r++)
        cr_expect_float_eq(s->data[3 * r] + s->data[3 * r + 1] + s->data[3 * r + 2], 1.0f, 1e-6f,
                           "row %d does not sum to 1", r);
}

Test(ops, rows_and_concat_rows) {
    float x[] = {1, 2, 3, 4, 5, 6, 7, 8}, y[] = {9, 10};
    const float mid[] = {3, 4, 5, 6}, cat[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    rd_tensor *tx = rd_input(&g, 4, 2, x);
    expect_values(rd_rows(&g, tx, 1, 2), 2, 2, mid, 0);
    expect_values(rd_concat_rows(&g, tx, rd_input(&g, 1, 2, y)), 5, 2, cat, 0);
}

Test(ops, sum_and_mean) {
    float x[] = {1, 2, 3, 4, 5, 6};
    rd_tensor *s = rd_sum(&g, rd_input(&g, 2, 3, x)), *m = rd_mean(&g, rd_input(&g, 2, 3, x));
    cr_assert(s->rows == 1 && s->cols == 1 && m->rows == 1 && m->cols == 1);
    cr_expect_eq(rd_scalar(s), 21.0);
    cr_expect_eq(rd_scalar(m), 3.5);
}

/* The reductions accumulate in double: ten copies of 0.1f sum to exactly
 * 10 * (double)0.1f, not to the float-rounded running sum. */
Test(ops, sum_is_double_precision) {
    float x[10];
    for (int i = 0; i < 10; i++) x[i] = 0.1f;
    double want = 10.0 * (double)0.1f;
    cr_expect(fabs(rd_scalar(rd_sum(&g, rd_input(&g, 1, 10, x))) - want) < 1e-15);
    cr_expect(fabs(rd_scalar(rd_mean(&g, rd_input(&g, 2, 5, x))) - want / 10) < 1e-15);
}

/* Two backward passes on one graph. The second starts its intermediate
 * gradients at zero and reaches only what lies upstream of its loss: before
 * a fix, nodes left over from the first pass ran again and doubled the
 * first parameter's gradient. */
Test(ops, second_backward_reaches_only_its_own_graph) {
    float a[] = {1, 2}, da[2] = {0}, b[] = {3, 4}, db[2] = {0};
    rd_tensor *la = rd_sum(&g, rd_scale(&g, rd_param(&g, 1, 2, a, da), 3));
    rd_backward(&g, la);
    rd_tensor *lb = rd_sum(&g, rd_scale(&g, rd_param(&g, 1, 2, b, db), 5));
    rd_backward(&g, lb);
    for (int i = 0; i < 2; i++) {
        cr_expect_eq(da[i], 3.0f, "da[%d] = %g", i, da[i]);
        cr_expect_eq(db[i], 5.0f, "db[%d] = %g", i, db[i]);
    }
    rd_backward(&g, la); /* again from la: parameter gradients accumulate, once */
    for (int i = 0; i < 2; i++) cr_expect_eq(da[i], 6.0f, "da[%d] = %g", i, da[i]);
}
