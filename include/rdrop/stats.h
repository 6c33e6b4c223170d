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

#endif
