/* Checkpoints: a versioned binary file holding the architecture, every
 * parameter, the optimizer state and the training state (epoch, batch, RNG
 * states), closed by a CRC32. Written atomically: a temporary file, fsync,
 * rename, so the file on disk is always the previous or the new checkpoint.
 *
 * Layout (little-endian): "RDROPCK\0", u32 version, u32 byte-order mark
 * 0x01020304, the header fields, the parameters, the optimizer moments, the
 * training state, u32 CRC32 of everything before it. */
#ifndef RDROP_CHECKPOINT_H
#define RDROP_CHECKPOINT_H
#include "rdrop/error.h"
#include "rdrop/nn.h"
#include "rdrop/optim.h"
#include "rdrop/rng.h"

#define RD_CKPT_VERSION 2 /* 2 added input_dropout and the run block; 1 is still read */

/* The running sums of the epoch in progress, so that an interrupted epoch
 * resumes with its statistics. */
enum {
    RD_SUM_LOSS,    /* sum over batches of the loss */
    RD_SUM_CE,      /* ... of the cross-entropy */
    RD_SUM_KL,      /* ... of R-Drop's KL term (0 for dropout) */
    RD_SUM_LOSS2,   /* ... of the loss squared (its standard error) */
    RD_SUM_BATCHES, /* batches done */
    RD_SUM_CORRECT, /* rows classified correctly (both copies for R-Drop) */
    RD_SUM_ROWS,    /* rows trained on */
    RD_SUM_SECONDS, /* training seconds */
    RD_N_SUMS
};

/* What a position inside an epoch counts batches of: resuming mid-epoch is
 * only right with the same values (version 2; zero in a version 1 file, and
 * in a checkpoint no run has trained yet, such as `rdrop import` writes). */
typedef struct {
    int batch_size, train_subset, subset_random, val_size;
    int train_n; /* samples trained on */
    unsigned long long seed;
} rd_ckpt_run;

typedef struct {
    /* architecture */
    int inputs, n_hidden, hidden[RD_MAX_HIDDEN], classes;
    rd_activation activation;
    float dropout, input_dropout;
    float norm_mean, norm_std; /* input normalization the model was trained with */
    /* where training stands */
    int epoch;       /* epochs completed */
    int batch;       /* batches done in the epoch in progress; 0 at an epoch boundary */
    long long step;  /* optimizer steps so far */
    rd_rng data_rng; /* state before the shuffle of the epoch in progress */
    rd_rng drop_rng; /* dropout masks */
    double sums[RD_N_SUMS]; /* running sums of the epoch in progress */
    double best_val_acc;
    int best_epoch;
    int version;     /* of the file read */
    rd_ckpt_run run;
} rd_ckpt_state;

/* Fills the architecture fields of s from m. */
void rd_ckpt_describe(rd_ckpt_state *s, const rd_mlp *m, int inputs);

rd_status rd_checkpoint_save(const char *path, const rd_mlp *m, const rd_optim *o,
                             const rd_ckpt_state *s, rd_error *err);
/* Allocates m (and o, when not NULL) to the checkpoint's shapes. */
rd_status rd_checkpoint_load(const char *path, rd_mlp *m, rd_optim *o, rd_ckpt_state *s,
                             rd_error *err);

#endif
