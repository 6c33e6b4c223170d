/* The R-Drop objective, composed from the graph's ops so that autograd
 * differentiates it through both copies: nothing is detached. */
#include "rdrop/loss.h"

rd_rdrop_terms rd_rdrop_objective(rd_graph *g, rd_tensor *logits, const int *labels, float alpha) {
    int b = logits->rows / 2;
    rd_tensor *logp = rd_log_softmax(g, logits); /* once per row, never log(softmax) */
    rd_tensor *ce = rd_nll(g, logp, labels, b);  /* mean over all 2B rows */
    rd_tensor *lpa = rd_rows(g, logp, 0, b), *lpb = rd_rows(g, logp, b, b);
    /* kl_div(log q, log p, log_target) = KL(p || q), summed over pairs and classes */
    rd_tensor *kl_ab = rd_kl_div(g, lpb, lpa, RD_REDUCE_SUM, 1);
    rd_tensor *kl_ba = rd_kl_div(g, lpa, lpb, RD_REDUCE_SUM, 1);
    rd_tensor *kl = rd_scale(g, rd_add(g, kl_ab, kl_ba), 1.0f / (4.0f * (float)b));
    rd_rdrop_terms out = {rd_add(g, ce, rd_scale(g, kl, alpha)), ce, kl};
    return out;
}
