/* Training: the dropout and R-Drop trainers, evaluation, and the run folder
 * (config.ini, metrics.csv, last.ckpt, best.ckpt). */
#ifndef RDROP_TRAIN_H
#define RDROP_TRAIN_H
#include <signal.h>
#include <stdio.h>

#include "rdrop/config.h"
#include "rdrop/data.h"
#include "rdrop/error.h"
#include "rdrop/fast.h"
#include "rdrop/nn.h"
#include "rdrop/optim.h"
#include "rdrop/tensor.h"

/* Where the training steps of one epoch spent their time, in seconds (for
 * `rdrop bench`): data = assembling the batch, gemm = inside cblas_sgemm
 * (measured by the fast layer; 0 with train.engine = reference),
 * elementwise = the rest of forward and backward (activations, dropout,
 * losses), optimizer = the update (and zeroing the gradients). gemm_shape
 * holds the products of one step with a full batch (the epoch's last,
 * shorter batch only when no batch is full). */
typedef struct {
    double total, data, gemm, elementwise, optimizer;
    long long steps, samples; /* samples: original rows, not counting R-Drop's copy */
    int n_gemm;
    rd_gemm_shape gemm_shape[RD_GEMM_LOG];
} rd_epoch_times;

typedef struct {
    const char *out_dir;               /* the run folder */
    int resume;                        /* continue from out_dir/last.ckpt */
    int force;                         /* start over even when out_dir holds a run */
    volatile sig_atomic_t *stop;       /* set by a signal handler: checkpoint and stop */
    FILE *log;                         /* per-epoch lines (stdout) */
    int progress;                      /* 1: progress on stderr */
    rd_epoch_times *times;             /* when not NULL: train.epochs entries, filled as epochs end */
    /* when not NULL: called as each epoch ends, with its times (the bench
     * measures the products' ceiling right then, so both see the same
     * machine) */
    void (*after_epoch)(void *arg, int epoch, const rd_epoch_times *t);
    void *after_epoch_arg;
    int benchmark;                     /* 1: a timing run: no test set, evaluation or checkpoints */
} rd_train_options;

typedef struct {
    double test_acc, test_loss;
    int epochs_done;
    int interrupted; /* the signal that stopped training, or 0 */
} rd_train_result;

rd_status rd_train(const rd_config *cfg, const rd_train_options *opt, rd_train_result *res,
                   rd_error *err);

/* ---- One training step (src/train/step.c) ------------------------------- */

/* An update of params from grads at learning rate lr that leaves grads at
 * zero: rd_update_reference (ctx unused), or the fast layer's (ctx: its
 * rd_fast; see rd_fast_optim_step). */
typedef void (*rd_update_fn)(void *ctx, rd_optim *o, float *params, float *grads, float lr);
void rd_update_reference(void *ctx, rd_optim *o, float *params, float *grads, float lr);

/* What a step works on. */
typedef struct {
    rd_mlp *model;       /* its gradients must be zero before the first step */
    rd_graph *graph;     /* reset at the start of every step */
    rd_optim *optim;
    rd_forward_fn forward; /* rd_mlp_forward, or rd_fast_mlp_forward */
    rd_update_fn update;
    void *update_ctx;
    rd_method method;    /* dropout: one pass; rdrop: two, and the KL term */
    float alpha;         /* weight of the KL term */
    float max_norm;      /* > 0: max-norm after the update */
    double max_loss;     /* a loss above it (or not finite) is a divergence */
} rd_learner;

typedef struct {
    double loss, ce, kl; /* the step's loss and its terms (kl: 0 for dropout) */
    const rd_tensor *logits; /* the forward's output, valid until the next step */
    int diverged;        /* 1: the loss was above max_loss; nothing was updated */
} rd_step_result;

/* One step on the batch x (n rows of model inputs), labels y: forward, loss,
 * backward, update (the dropout masks from rng). */
rd_step_result rd_train_step(const rd_learner *L, float *x, const int *y, int n, float lr, rd_rng *rng);

/* Loss, accuracy and (when confusion is not NULL: classes x classes counts,
 * row = true class) confusion matrix of m on d, without dropout. A stop
 * request (rdrop/signals.h) ends it between chunks of a few hundred
 * samples: it returns the signal (loss and accuracy NaN), else 0. */
int rd_evaluate(rd_mlp *m, rd_graph *g, const rd_dataset *d, double *loss, double *acc, long long *confusion);

/* How far dropout's sub-networks agree on d (docs/dropout.md). `passes`
 * dropout passes of every sample (independent masks drawn from rng, through
 * `forward`: NULL is rd_mlp_forward) are compared with each other and with
 * the full network (dropout off). The passes run in a graph of their own,
 * in small chunks (g lends only its products engine), so they add little to
 * the memory a run needs. */
typedef struct {
    int passes;
    double full_acc; /* accuracy of the full network */
    double loss;     /* its cross-entropy */
    double ece;      /* its expected calibration error: 15 equal-width confidence bins,
                        sum over bins of |accuracy - mean confidence| x share of samples */
    double sub_acc;  /* mean accuracy of a single dropout pass (NaN: passes = 0) */
    double mc_acc;   /* accuracy of the mean of the passes' probabilities (NaN: passes = 0) */
    double test_kl;  /* mean over samples and over all pairs of passes of
                        [KL(p_a||p_b) + KL(p_b||p_a)] / 4, R-Drop's term (NaN: passes < 2) */
} rd_consistency;

/* Like rd_evaluate, it returns the signal of a stop request that ended it
 * (the numbers are then incomplete), else 0. */
int rd_evaluate_consistency(rd_mlp *m, rd_graph *g, rd_forward_fn forward, const rd_dataset *d, int passes,
                            rd_rng *rng, rd_consistency *out);

/* The two pieces of test_kl, for one sample (`rdrop serve` shows them per
 * drawing), from the formulas of rdrop/prob.h: the log-probabilities of a
 * row of k logits (in double, max-shifted; returns the argmax), and the mean
 * over all pairs of `passes` such rows (lp is passes x k) of
 * [KL(p_a||p_b) + KL(p_b||p_a)] / 4 (NaN when passes < 2). */
int rd_log_probs(const float *z, int k, double *lp);
double rd_pairs_kl(const double *lp, int passes, int k);

/* Memory a training run needs, in bytes, and the limit in force (the
 * config's, or the machine's available memory). */
double rd_train_memory_estimate(const rd_config *cfg, long long n_train);
double rd_memory_available(void);

#endif
