/* Losses, as graph ops: cross-entropy, KL divergence with the exact semantics
 * of PyTorch's F.kl_div, and the R-Drop objective built from them.
 * Derivations: docs/kl-divergence.md, docs/r-drop.md, docs/autograd.md. */
#ifndef RDROP_LOSS_H
#define RDROP_LOSS_H
#include "rdrop/tensor.h"

typedef enum {
    RD_REDUCE_NONE,     /* the pointwise terms, same shape as the input */
    RD_REDUCE_SUM,      /* their sum */
    RD_REDUCE_MEAN,     /* sum / number of elements: NOT the KL divergence */
    RD_REDUCE_BATCHMEAN /* sum / number of rows: the KL divergence per sample */
} rd_reduction;

/* "none", "sum", "mean", "batchmean"; -1 when the name is unknown. */
int rd_reduction_from_name(const char *name);
const char *rd_reduction_name(rd_reduction r);

/* Negative log-likelihood of log-probabilities, mean over rows. Row i's class
 * is labels[i % n_labels], so a batch stacked twice reuses one label array. */
rd_tensor *rd_nll(rd_graph *g, rd_tensor *logp, const int *labels, int n_labels);

/* Cross-entropy from logits: log-softmax and NLL fused, mean over rows.
 * Gradient (softmax - one_hot) / rows. */
rd_tensor *rd_cross_entropy(rd_graph *g, rd_tensor *logits, const int *labels, int n_labels);

/* torch.nn.functional.kl_div(input, target, reduction, log_target):
 * input holds log-probabilities; target holds probabilities (log-probabilities
 * when log_target is set). The pointwise term is target * (log target - input),
 * 0 where the target probability is 0. So rd_kl_div(log Q, P) is KL(P || Q).
 * Differentiable in both arguments. */
rd_tensor *rd_kl_div(rd_graph *g, rd_tensor *input, rd_tensor *target, rd_reduction reduction,
                     int log_target);

/* The R-Drop objective in the form of Su Jianlin's Keras experiments
 * (github.com/bojone/r-drop, crossentropy_with_rdrop), for logits of 2B
 * rows: rows 0..B-1 are copy a of the batch, rows B..2B-1 copy b (same
 * inputs, other dropout masks):
 *
 *   ce   = mean over the 2B rows of cross-entropy
 *   kl   = mean over the B pairs of [KL(p_a || p_b) + KL(p_b || p_a)] / 4
 *   loss = ce + alpha * kl
 *
 * which is exactly half the paper's CE_a + CE_b + alpha/2 (KL_ab + KL_ba).
 * Built from log_softmax (once per row), nll, rows, kl_div, add and scale. */
typedef struct {
    rd_tensor *loss, *ce, *kl;
} rd_rdrop_terms;

rd_rdrop_terms rd_rdrop_objective(rd_graph *g, rd_tensor *logits, const int *labels, float alpha);

#endif
