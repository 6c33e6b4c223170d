/* Log-softmax and KL divergence of one row, in double (rdrop/prob.h). */
#include <math.h>

#include "rdrop/prob.h"

double rd_row_log_sum_exp(const double *x, int n, double *max) {
    double mx = x[0];
    for (int j = 1; j < n; j++) mx = x[j] > mx ? x[j] : mx;
    double s = 0.0;
    for (int j = 0; j < n; j++) s += exp(x[j] - mx);
    *max = mx;
    return log(s);
}

void rd_row_log_softmax(const double *x, int n, double *out) {
    double mx, log_s = rd_row_log_sum_exp(x, n, &mx);
    /* (x - max) - log(s): max + log(s) is never formed, whose rounding
     * would shift every output of a row of large logits */
    for (int j = 0; j < n; j++) out[j] = (x[j] - mx) - log_s;
}

double rd_row_kl(const double *lp, const double *lq, int n) {
    double s = 0.0;
    for (int j = 0; j < n; j++) {
        double p = exp(lp[j]);
        if (p > 0) s += p * (lp[j] - lq[j]); /* -inf in lq: +inf */
    }
    return s;
}

double rd_row_rdrop_kl(const double *lp, const double *lq, int n) {
    return (rd_row_kl(lp, lq, n) + rd_row_kl(lq, lp, n)) / 4.0;
}
