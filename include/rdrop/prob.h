/* Probabilities of one row of logits, in double precision: log-softmax and
 * the KL divergences R-Drop is built on. One copy of each formula, used by
 * the softmax and cross-entropy ops, the sub-network diagnostics (`rdrop
 * eval --mc`, test_kl), `rdrop kl` and `rdrop serve`. Derivations:
 * docs/kl-divergence.md. */
#ifndef RDROP_PROB_H
#define RDROP_PROB_H

/* log(sum_j exp(x[j] - max)) and *max = max_j x[j]: the log-sum-exp of the
 * row is their sum, and exp() never sees a positive argument. */
double rd_row_log_sum_exp(const double *x, int n, double *max);
/* out[j] = (x[j] - max) - log(sum exp(x - max)): log-probabilities that stay
 * finite for any finite logits (out may be x). */
void rd_row_log_softmax(const double *x, int n, double *out);
/* KL(P || Q) = sum_j p_j (log p_j - log q_j) from log-probabilities lp, lq,
 * with 0 log 0 = 0: a term where p_j = 0 is 0, one where p_j > 0 and
 * q_j = 0 is +inf. */
double rd_row_kl(const double *lp, const double *lq, int n);
/* R-Drop's consistency term for one pair of predictions:
 * [KL(P || Q) + KL(Q || P)] / 4. */
double rd_row_rdrop_kl(const double *lp, const double *lq, int n);

#endif
