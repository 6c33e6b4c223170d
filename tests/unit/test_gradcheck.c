/* The gradient checker: every built-in check passes, and a wrong backward
 * pass is caught. */
#include <criterion/criterion.h>
#include <string.h>

#include "rdrop/gradcheck.h"
#include "rdrop/loss.h"

TestSuite(gradcheck);

static void expect_pass(const rd_gc_result *r) {
    cr_expect(r->n_checked > 0, "%s checked nothing", r->name);
    cr_expect_eq(r->n_failed, 0, "%s: %zu of %zu elements failed (max_rel %.3g)", r->name,
                 r->n_failed, r->n_checked, r->max_rel);
    /* Sanity bound: with rtol 1e-3 and atol 1e-5 a passing check is far from 10% off. */
    cr_expect(r->max_rel < 0.1, "%s: max_rel %.3g", r->name, r->max_rel);
    cr_expect(r->max_ratio <= 1.0, "%s: err/tol %.3g but no element failed", r->name, r->max_ratio);
}

Test(gradcheck, every_builtin_check_passes) {
    rd_gc_result res[64];
    const char *const *names = rd_gradcheck_names();
    int n_names = 0;
    while (names[n_names]) n_names++;
    int n = rd_gradcheck_builtin(NULL, res, 64);
    cr_assert(n > 0 && n <= 64);
    cr_assert_eq(n, n_names, "ran %d checks, %d names", n, n_names);
    for (int i = 0; i < n; i++) {
        cr_expect_str_eq(res[i].name, names[i]);
        expect_pass(&res[i]);
    }
}

/* The checks the losses depend on, by name, so a renamed or dropped check shows up here. */
Test(gradcheck, loss_checks_exist_and_pass) {
    const char *want[] = {"log_softmax", "nll",     "cross_entropy",     "kl_div_none",
                          "kl_div_sum",  "kl_div_mean", "kl_div_batchmean", "kl_div_log_target",
                          "rdrop_objective", "dropout", "mlp_dropout", "mlp_rdrop"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        rd_gc_result r;
        cr_assert_eq(rd_gradcheck_builtin(want[i], &r, 1), 1, "no built-in check '%s'", want[i]);
        cr_expect_str_eq(r.name, want[i]);
        expect_pass(&r);
    }
}

Test(gradcheck, unknown_name_runs_nothing) {
    rd_gc_result r;
    cr_expect_eq(rd_gradcheck_builtin("nosuch", &r, 1), 0);
}

/* A deliberately wrong gradient: f(x) = sum(x + stop(x)), where stop(x) is a
 * copy of x's values in a fresh leaf, invisible to autograd (a "detached"
 * tensor). The true derivative is 2 everywhere; backward reports 1. This is
 * the bug R-Drop implementations make when they detach one copy. */
typedef struct {
    float x[6], grad[6];
    int detach;
} detach_ctx;

static rd_tensor *build_detached(rd_graph *g, void *v) {
    detach_ctx *c = v;
    rd_tensor *x = rd_param(g, 2, 3, c->x, c->grad);
    rd_tensor *other = x;
    if (c->detach) {
        other = rd_new(g, 2, 3);
        memcpy(other->data, c->x, sizeof c->x);
    }
    return rd_sum(g, rd_add(g, x, other));
}

Test(gradcheck, detached_copy_is_caught) {
    detach_ctx c = {.x = {0.1f, -0.4f, 0.7f, 1.2f, -2.0f, 0.3f}, .detach = 1};
    rd_gc_buffer buf = {c.x, c.grad, 6};
    rd_gc_result r = rd_gradcheck(build_detached, &c, &buf, 1, 1e-2f, 1e-3, 1e-5, 100);
    cr_expect_eq(r.n_checked, 6);
    cr_expect_eq(r.n_failed, 6, "the checker missed a wrong gradient");
    cr_expect_float_eq(r.max_abs, 1.0, 1e-3); /* analytic 1, numeric 2 */
    cr_expect_float_eq(r.max_rel, 0.5, 1e-3);
    cr_expect_float_eq(r.max_ratio, 1.0 / (1e-5 + 1e-3 * 2.0), 0.5); /* |a-n| / (atol + rtol*2) */
}

Test(gradcheck, same_function_without_detach_passes) {
    detach_ctx c = {.x = {0.1f, -0.4f, 0.7f, 1.2f, -2.0f, 0.3f}, .detach = 0};
    rd_gc_buffer buf = {c.x, c.grad, 6};
    rd_gc_result r = rd_gradcheck(build_detached, &c, &buf, 1, 1e-2f, 1e-3, 1e-5, 100);
    cr_expect_eq(r.n_checked, 6);
    cr_expect_eq(r.n_failed, 0);
    for (int i = 0; i < 6; i++) cr_expect_float_eq(c.grad[i], 2.0f, 1e-6f);
}

/* max_checks below the number of elements: an evenly spread sample. */
Test(gradcheck, sampling_respects_max_checks) {
    detach_ctx c = {.x = {1, 2, 3, 4, 5, 6}, .detach = 0};
    rd_gc_buffer buf = {c.x, c.grad, 6};
    rd_gc_result r = rd_gradcheck(build_detached, &c, &buf, 1, 1e-2f, 1e-3, 1e-5, 3);
    cr_expect_eq(r.n_checked, 3);
    cr_expect_eq(r.n_failed, 0);
}
