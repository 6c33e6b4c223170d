/* Small-sample statistics for comparing training runs over seeds: mean,
 * sample standard deviation, Student's t distribution (CDF and quantile) and
 * the paired t-test. The derivations are in docs/compare.md. */
#ifndef RDROP_STATS_H
#define RDROP_STATS_H

double rd_stats_mean(const double *x, int n);
/* Sample standard deviation (divides by n - 1); 0 when n < 2. */
double rd_stats_sd(const double *x, int n);

/* Regularized incomplete beta function I_x(a, b), a, b > 0, 0 <= x <= 1. */
double rd_betai(double a, double b, double x);
/* P(T <= t) for Student's t with df > 0 degrees of freedom. */
double rd_t_cdf(double t, double df);
/* The t with P(T <= t) = p, 0 < p < 1: t_{0.975, 4} = 2.776445. */
double rd_t_quantile(double p, double df);

/* The paired t-test of b[i] - a[i], i < n. */
typedef struct {
    int n;
    double mean;     /* mean difference b - a */
    double sd;       /* sample sd of the differences */
    double half_ci;  /* half-width of the 95% confidence interval; NaN when n < 2 */
    double t;        /* mean / (sd / sqrt(n)); +-inf when sd = 0 and mean != 0 */
    double p;        /* two-sided p-value; NaN when n < 2 */
} rd_paired_test;

rd_paired_test rd_paired_t_test(const double *a, const double *b, int n);

/* The paired sign-flip permutation test of d[i] = b[i] - a[i]: under "no
 * difference" each d[i] is as likely to have the other sign, so the p-value
 * is the share of the 2^n sign patterns whose |mean| is at least the
 * observed one (two-sided). Exact for n <= RD_SIGN_FLIP_EXACT; beyond, a
 * Monte Carlo estimate from `draws` random patterns drawn from a generator
 * seeded with `seed`, counting the observed pattern too. NaN when n < 1.
 * With n = 5 differences of one sign it is 2/32 = 0.0625: the smallest p
 * five seeds can give. */
enum { RD_SIGN_FLIP_EXACT = 20 };
double rd_sign_flip_p(const double *a, const double *b, int n, unsigned long long seed, int draws);

/* Least-squares line y = intercept + slope x through n points, and the
 * slope's 95% confidence interval and two-sided t-test (n - 2 degrees of
 * freedom; the points taken as independent). NaN where n < 3 or every x
 * is the same. */
typedef struct {
    int n;
    double intercept, slope;
    double half_ci; /* of the slope */
    double p;       /* of "slope = 0" */
} rd_line_fit;

rd_line_fit rd_fit_line(const double *x, const double *y, int n);

/* Holm's step-down adjustment of m p-values for testing them together:
 * sorted ascending, p_(i) becomes max over j <= i of min(1, (m - j + 1) p_(j)).
 * adjusted[k] belongs to p[k]; NaN p-values are left out (and stay NaN). */
void rd_holm(const double *p, int m, double *adjusted);

#endif
