/* Statistics for comparing runs: mean, sample sd, the incomplete beta
 * function, Student's t CDF and quantiles, the paired t-test. Reference
 * values: tests/unit/stats_reference.py (Python standard library only:
 * closed forms of the t CDF for 1, 2 and 4 degrees of freedom, Simpson's
 * rule on the density otherwise) and printed t tables. */
#include <criterion/criterion.h>
#include <math.h>

#include "rdrop/stats.h"

Test(stats, mean_and_sample_sd_match_python_statistics) {
    double x[] = {1.62, 1.55, 1.71, 1.58, 1.66};
    cr_assert_float_eq(rd_stats_mean(x, 5), 1.624, 1e-12);
    cr_assert_float_eq(rd_stats_sd(x, 5), 0.063482280992, 1e-11); /* statistics.stdev: n - 1 */
    cr_assert_eq(rd_stats_sd(x, 1), 0.0);
    cr_assert(isnan(rd_stats_mean(x, 0)));
}

Test(stats, incomplete_beta_closed_forms) {
    /* I_x(a, 1) = x^a, I_x(1, b) = 1 - (1 - x)^b, I_1/2(a, a) = 1/2 */
    cr_assert_float_eq(rd_betai(2.5, 1, 0.3), pow(0.3, 2.5), 1e-13);
    cr_assert_float_eq(rd_betai(1, 3.5, 0.8), 1 - pow(0.2, 3.5), 1e-13);
    cr_assert_float_eq(rd_betai(7, 7, 0.5), 0.5, 1e-13);
    cr_assert_eq(rd_betai(2, 3, 0), 0.0);
    cr_assert_eq(rd_betai(2, 3, 1), 1.0);
}

Test(stats, t_cdf_against_closed_forms_and_integration) {
    cr_assert_float_eq(rd_t_cdf(1.0, 1), 0.75, 1e-12);            /* Cauchy: 1/2 + atan(t)/pi */
    cr_assert_float_eq(rd_t_cdf(2.5, 2), 0.935194139889, 1e-11);  /* 1/2 + t / (2 sqrt(2 + t^2)) */
    cr_assert_float_eq(rd_t_cdf(-1.5, 4), 0.104, 1e-12);          /* hand: x = 0.36, 1/2 - 0.75*0.6*0.88 */
    cr_assert_float_eq(rd_t_cdf(0.7, 3), 0.732836500848, 1e-10);
    cr_assert_float_eq(rd_t_cdf(1.3, 9), 0.887046813663, 1e-10);
    cr_assert_float_eq(rd_t_cdf(2.0, 29), 0.972528181409, 1e-10);
    cr_assert_float_eq(rd_t_cdf(0, 5), 0.5, 1e-15);
    cr_assert_float_eq(rd_t_cdf(-0.7, 3), 1 - 0.732836500848, 1e-10);
    cr_assert_eq(rd_t_cdf(INFINITY, 3), 1.0);
    cr_assert_eq(rd_t_cdf(-INFINITY, 3), 0.0);
}

Test(stats, t_quantiles_match_tables) {
    cr_assert_float_eq(rd_t_quantile(0.975, 4), 2.776445, 1e-6);
    cr_assert_float_eq(rd_t_quantile(0.975, 2), 4.302653, 1e-6);
    cr_assert_float_eq(rd_t_quantile(0.975, 9), 2.262157, 1e-6);
    cr_assert_float_eq(rd_t_quantile(0.995, 29), 2.756386, 1e-6);
    cr_assert_float_eq(rd_t_quantile(0.975, 1), 12.706205, 1e-6);
    cr_assert_float_eq(rd_t_quantile(0.025, 4), -2.776445, 1e-6);
    cr_assert_float_eq(rd_t_quantile(0.5, 7), 0.0, 1e-9);
    for (double p = 0.01; p < 1; p += 0.07) cr_assert_float_eq(rd_t_cdf(rd_t_quantile(p, 3), 3), p, 1e-10);
}

Test(stats, paired_t_test_of_the_report_fixture) {
    double a[] = {1.80, 1.70, 1.90, 1.75, 1.85}, b[] = {1.60, 1.65, 1.70, 1.50, 1.72};
    rd_paired_test t = rd_paired_t_test(a, b, 5);
    cr_assert_eq(t.n, 5);
    cr_assert_float_eq(t.mean, -0.166, 1e-12);
    cr_assert_float_eq(t.sd, 0.077653074633, 1e-11);
    cr_assert_float_eq(t.t, -4.780071954884, 1e-9);
    cr_assert_float_eq(t.p, 0.008775070557, 1e-9);
    cr_assert_float_eq(t.half_ci, 0.096419, 1e-6);
}

Test(stats, paired_t_test_edge_cases) {
    double a[] = {1, 2, 3}, same_shift[] = {1.5, 2.5, 3.5};
    rd_paired_test t = rd_paired_t_test(a, same_shift, 3); /* sd 0, mean 0.5: certain */
    cr_assert(isinf(t.t) && t.t > 0);
    cr_assert_eq(t.p, 0.0);
    cr_assert_eq(t.half_ci, 0.0);
    t = rd_paired_t_test(a, a, 3); /* no difference at all */
    cr_assert_eq(t.p, 1.0);
    t = rd_paired_t_test(a, same_shift, 1); /* one pair: no spread, no test */
    cr_assert_float_eq(t.mean, 0.5, 1e-15);
    cr_assert(isnan(t.p) && isnan(t.half_ci));
}

/* The sign-flip permutation test against tests/unit/stats_reference.py,
 * which enumerates the sign patterns with itertools. */
Test(stats, sign_flip_exact_p_values) {
    /* five pairs all of one sign: 2 of 32 patterns are as extreme (the
     * smallest p five seeds can give) */
    double a[] = {1.80, 1.70, 1.90, 1.75, 1.85}, b[] = {1.60, 1.65, 1.70, 1.50, 1.72};
    cr_assert_float_eq(rd_sign_flip_p(a, b, 5, 0, 0), 0.0625, 1e-15);
    cr_assert_float_eq(rd_sign_flip_p(b, a, 5, 0, 0), 0.0625, 1e-15); /* two-sided */
    /* differences 0.10, -0.05, 0, 0.05, -0.02: 24 of 32 patterns (python: 0.75) */
    double c[] = {1.90, 1.65, 1.90, 1.80, 1.83};
    cr_assert_float_eq(rd_sign_flip_p(a, c, 5, 0, 0), 0.75, 1e-15);
    /* differences 1, 2, 3, -0.5: |sum| >= 5.5 in 4 of 16 (python: 0.25) */
    double z[] = {0, 0, 0, 0}, d[] = {1, 2, 3, -0.5};
    cr_assert_float_eq(rd_sign_flip_p(z, d, 4, 0, 0), 0.25, 1e-15);
    cr_assert(isnan(rd_sign_flip_p(z, d, 0, 0, 0)));
}

Test(stats, sign_flip_monte_carlo_beyond_twenty_pairs) {
    enum { N = 24 };
    double a[N], b[N], c[N];
    for (int i = 0; i < N; i++) {
        a[i] = 0;
        b[i] = 1 + 0.01 * i;                 /* all positive: exact p = 2 / 2^24 */
        c[i] = (i % 2 ? 1.0 : -1.0) * (1 + (i / 2) * 0.01 - (i % 2) * 0.0); /* balanced: p near 1 */
    }
    double p = rd_sign_flip_p(a, b, N, 7, 100000);
    /* the observed pattern counts once: 1 / (draws + 1) at the least */
    cr_assert(p >= 1.0 / 100001 && p < 1e-4, "p = %g", p);
    double q = rd_sign_flip_p(a, c, N, 7, 100000);
    cr_assert(q > 0.8, "balanced differences: p = %g", q);
    cr_assert_eq(rd_sign_flip_p(a, c, N, 7, 100000), q, "the same seed gives the same estimate");
}

/* Holm by hand: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02,
 * 0.03, 0.06, 0.04, then made non-decreasing: 0.02, 0.03, 0.06, 0.06. */
Test(stats, holm_adjustment) {
    double p[] = {0.01, 0.04, 0.03, 0.005}, adj[4];
    rd_holm(p, 4, adj);
    double want[] = {0.03, 0.06, 0.06, 0.02};
    for (int i = 0; i < 4; i++) cr_assert_float_eq(adj[i], want[i], 1e-15, "p[%d]", i);
    double big[] = {0.3, 0.6, NAN}, adj2[3];
    rd_holm(big, 3, adj2); /* capped at 1; NaN left out of the count */
    cr_assert_float_eq(adj2[0], 0.6, 1e-15);
    cr_assert_float_eq(adj2[1], 0.6, 1e-15);
    cr_assert(isnan(adj2[2]));
}

/* The trend test of the size study: a least-squares line against numpy's
 * lstsq (intercept, slope, the slope's standard error 0.0796373) and the t
 * tail integrated numerically (p = 0.119112 with 5 degrees of freedom). */
Test(stats, line_fit_against_numpy) {
    const double x[] = {3, 3, 3.4771212547196626, 3.4771212547196626, 4, 4, 4.477121254719663};
    const double y[] = {-0.3, -0.1, -0.2, 0.05, -0.05, 0.02, 0.01};
    rd_line_fit f = rd_fit_line(x, y, 7);
    cr_assert_eq(f.n, 7);
    cr_assert_float_eq(f.intercept, -0.6249161817298984, 1e-12);
    cr_assert_float_eq(f.slope, 0.14959533068654923, 1e-12);
    cr_assert_float_eq(f.half_ci, 2.5705818366147395 * 0.07963728219331759, 1e-9);
    cr_assert_float_eq(f.p, 0.11911226406980696, 1e-6);
    /* too few points, or one x for all: no line */
    cr_assert(isnan(rd_fit_line(x, y, 2).slope));
    const double same[] = {4, 4, 4};
    cr_assert(isnan(rd_fit_line(same, y, 3).slope));
}
