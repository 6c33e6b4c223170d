/* One training step, and nothing else: forward, loss, backward, update.
 * The trainer (trainer.c) assembles the batch, times the step, keeps its
 * running sums and decides what a diverged loss means. */
#include <math.h>

#include "rdrop/loss.h"
#include "rdrop/train.h"

rd_step_result rd_train_step(const rd_learner *L, float *x, const int *y, int n, float lr, rd_rng *rng) {
    rd_graph *g = L->graph;
    int copies = L->method == RD_METHOD_RDROP ? 2 : 1; /* R-Drop: the batch twice, other masks */
    rd_graph_reset(g); /* the last step's nodes are gone; their memory is reused */

    /* forward: logits of n rows, or 2n (copy a, then copy b) */
    rd_tensor *logits = L->forward(L->model, g, rd_input(g, n, L->model->layer[0].in, x), copies, rng);

    /* loss: cross-entropy, plus alpha times the KL between the copies */
    rd_rdrop_terms loss;
    if (copies == 2) {
        loss = rd_rdrop_objective(g, logits, y, L->alpha);
    } else {
        loss.loss = loss.ce = rd_cross_entropy(g, logits, y, n);
        loss.kl = NULL;
    }
    rd_step_result r = {rd_scalar(loss.loss), rd_scalar(loss.ce), loss.kl ? rd_scalar(loss.kl) : 0.0, logits, 0};
    /* a diverged loss stops before the update: the model stays as it was */
    if (!isfinite(r.loss) || r.loss > L->max_loss) {
        r.diverged = 1;
        return r;
    }

    /* backward: fills model->grads (zero before it: the update leaves them so) */
    rd_backward(g, loss.loss);

    /* update, which zeroes the gradients for the next step */
    L->update(L->update_ctx, L->optim, L->model->params, L->model->grads, lr);
    if (L->max_norm > 0) rd_mlp_max_norm(L->model, L->max_norm);
    return r;
}

void rd_update_reference(void *ctx, rd_optim *o, float *params, float *grads, float lr) {
    (void)ctx;
    rd_optim_step_zero(o, params, grads, lr);
}
