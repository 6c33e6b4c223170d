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

/* Loss, accuracy and (when confusion is not NULL: classes x classes counts,
 * row = true class) confusion matrix of m on d, without dropout. */
void rd_evaluate(rd_mlp *m, rd_graph *g, const rd_dataset *d, double *loss, double *acc,
                 long long *confusion);

/* How far dropout's sub-networks agree on d (docs/dropout.md). `passes`
 * dropout passes of every sample (independent masks drawn from rng) are
 * compared with each other and with the full network (dropout off). The
 * passes run in a graph of their own, in small chunks (g lends only its
 * products engine), so they add little to the memory a run needs. */
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

void rd_evaluate_consistency(rd_mlp *m, rd_graph *g, const rd_dataset *d, int passes, rd_rng *rng,
                             rd_consistency *out);

/* The two pieces of test_kl, for one sample (`rdrop serve` shows them per
 * drawing): the log-probabilities of a row of k logits (in double,
 * max-shifted; returns the argmax), and the mean over all pairs of `passes`
 * such rows (lp is passes x k) of [KL(p_a||p_b) + KL(p_b||p_a)] / 4 (NaN
 * when passes < 2). */
int rd_log_probs(const float *z, int k, double *lp);
double rd_pairs_kl(const double *lp, int passes, int k);

/* Memory a training run needs, in bytes, and the limit in force (the
 * config's, or the machine's available memory). */
double rd_train_memory_estimate(const rd_config *cfg, long long n_train);
double rd_memory_available(void);

/* One product C = op(A) op(B) (m x n, inner k) of random numbers through fn
 * (NULL: cblas_sgemm) checked against a naive double-precision product on
 * `samples` random elements: the number that are wrong (off by more than
 * 1e-4 of the sum of their terms' magnitudes). Some OpenBLAS versions compute
 * wrong results on some CPUs; this is how rdrop finds out. */
int rd_gemm_check(rd_gemm_fn fn, void *ctx, int m, int n, int k, int ta, int tb, int samples);
/* Every product of the MLP 784-hidden-hidden-10 at this batch, forward and
 * backward, every transpose: the number of wrong ones; `first` (n bytes,
 * may be NULL) describes the first. */
int rd_gemm_check_mlp(rd_gemm_fn fn, void *ctx, int hidden, int batch, char *first, size_t n);

/* The OpenBLAS core in use and a warning when its kernels predate AVX2 on a
 * CPU that has AVX2 or AVX-512 (NULL when all is well). */
const char *rd_blas_core(void);
const char *rd_blas_warning(void);
/* A note when the CPU has AVX-512 but OpenBLAS runs an AVX2 kernel (the
 * environment may set OPENBLAS_CORETYPE on purpose: some OpenBLAS versions
 * compute wrong results on some CPUs, so rdrop only says so); NULL else. */
const char *rd_blas_faster_kernel(void);
const char *rd_blas_faster_kernel_for(const char *core, int has_avx512);
/* The same decision for a given core name and CPU features (testable). */
const char *rd_blas_warning_for(const char *core, int has_avx2, int has_avx512);

#endif
