/* Student's t from the regularized incomplete beta function, evaluated by its
 * continued fraction (the modified Lentz method). See docs/compare.md. */
#include "rdrop/stats.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "rdrop/rng.h"

double rd_stats_mean(const double *x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += x[i];
    return n > 0 ? s / n : NAN;
}

double rd_stats_sd(const double *x, int n) {
    if (n < 2) return 0;
    double m = rd_stats_mean(x, n), s = 0;
    for (int i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (n - 1));
}

/* The continued fraction of I_x(a, b) / (x^a (1-x)^b / (a B(a, b))); it
 * converges fast for x < (a + 1) / (a + b + 2). */
static double beta_fraction(double a, double b, double x) {
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 1000; m++) {
        /* two steps per m: the even term d_{2m}, then the odd term d_{2m+1} */
        double even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
        double odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
        for (int k = 0; k < 2; k++) {
            double coef = k == 0 ? even : odd;
            d = 1 + coef * d;
            if (fabs(d) < tiny) d = tiny;
            c = 1 + coef / c;
            if (fabs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            if (k == 1 && fabs(d * c - 1) < 1e-15) return h;
        }
    }
    return h; /* not reached for the a, b, x the t distribution uses */
}

double rd_betai(double a, double b, double x) {
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    /* log of x^a (1-x)^b / B(a, b) */
    double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
    /* the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) keeps the fraction convergent */
    return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

double rd_t_cdf(double t, double df) {
    if (isnan(t)) return NAN;
    if (isinf(t)) return t > 0 ? 1 : 0;
    /* P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2) */
    double tail = 0.5 * rd_betai(df / 2, 0.5, df / (df + t * t));
    return t > 0 ? 1 - tail : tail;
}

double rd_t_quantile(double p, double df) {
    if (!(p > 0 && p < 1)) return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
    if (p < 0.5) return -rd_t_quantile(1 - p, df);
    /* bisection on [0, hi]: the CDF is monotone, so this cannot fail */
    double lo = 0, hi = 1;
    while (rd_t_cdf(hi, df) < p && hi < 1e300) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * (1 + hi); i++) {
        double mid = 0.5 * (lo + hi);
        if (rd_t_cdf(mid, df) < p) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

rd_paired_test rd_paired_t_test(const double *a, const double *b, int n) {
    rd_paired_test r = {.n = n, .mean = NAN, .sd = NAN, .half_ci = NAN, .t = NAN, .p = NAN};
    if (n < 1) return r;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) s += b[i] - a[i];
    r.mean = s / n;
    for (int i = 0; i < n; i++) s2 += (b[i] - a[i] - r.mean) * (b[i] - a[i] - r.mean);
    if (n < 2) return r;
    r.sd = sqrt(s2 / (n - 1));
    double se = r.sd / sqrt(n), df = n - 1;
    r.half_ci = rd_t_quantile(0.975, df) * se;
    if (se > 0) r.t = r.mean / se;
    else r.t = r.mean > 0 ? INFINITY : r.mean < 0 ? -INFINITY : 0; /* identical differences */
    r.p = 2 * rd_t_cdf(-fabs(r.t), df);
    return r;
}

double rd_sign_flip_p(const double *a, const double *b, int n, unsigned long long seed, int draws) {
    if (n < 1) return NAN;
    double *d = malloc((size_t)n * sizeof *d), obs = 0, scale = 0;
    if (!d) return NAN;
    for (int i = 0; i < n; i++) {
        d[i] = b[i] - a[i];
        obs += d[i];
        scale += fabs(d[i]);
    }
    /* sums equal to the observed one up to rounding count as "at least" */
    double limit = fabs(obs) - 1e-12 * scale;
    long long hits = 0, total = 0;
    if (n <= RD_SIGN_FLIP_EXACT) {
        for (unsigned long mask = 0; mask < 1UL << n; mask++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += mask >> i & 1 ? -d[i] : d[i];
            hits += fabs(s) >= limit;
        }
        total = 1LL << n;
    } else {
        rd_rng rng;
        rd_rng_seed(&rng, seed);
        hits = total = 1; /* the observed pattern itself */
        for (int k = 0; k < draws; k++, total++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += rd_rng_u64(&rng) >> 63 ? -d[i] : d[i];
            hits += fabs(s) >= limit;
        }
    }
    free(d);
    return (double)hits / (double)total;
}

rd_line_fit rd_fit_line(const double *x, const double *y, int n) {
    rd_line_fit r = {n, NAN, NAN, NAN, NAN};
    if (n < 3) return r;
    double mx = rd_stats_mean(x, n), my = rd_stats_mean(y, n), sxx = 0, sxy = 0, ss = 0;
    for (int i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    if (!(sxx > 0)) return r;
    r.slope = sxy / sxx;
    r.intercept = my - r.slope * mx;
    for (int i = 0; i < n; i++) {
        double e = y[i] - r.intercept - r.slope * x[i];
        ss += e * e;
    }
    double df = n - 2, se = sqrt(ss / df / sxx);
    r.half_ci = rd_t_quantile(0.975, df) * se;
    double t = se > 0 ? r.slope / se : r.slope != 0 ? INFINITY : 0;
    r.p = 2 * rd_t_cdf(-fabs(t), df);
    return r;
}

void rd_holm(const double *p, int m, double *adjusted) {
    int *order = malloc((size_t)(m > 0 ? m : 1) * sizeof *order), k = 0;
    if (!order) return;
    for (int i = 0; i < m; i++) {
        adjusted[i] = NAN;
        if (!isnan(p[i])) order[k++] = i;
    }
    for (int i = 1; i < k; i++) /* insertion sort by p: m is small */
        for (int j = i; j > 0 && p[order[j]] < p[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    double run = 0;
    for (int j = 0; j < k; j++) {
        double v = fmin(1.0, (k - j) * p[order[j]]);
        run = fmax(run, v);
        adjusted[order[j]] = run;
    }
    free(order);
}
