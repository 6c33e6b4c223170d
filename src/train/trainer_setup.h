/* Internal: the trainer's state, and its setup from a config (or a run
 * folder to resume). */
#ifndef RDROP_TRAIN_TRAINER_SETUP_H
#define RDROP_TRAIN_TRAINER_SETUP_H
#include "rdrop/checkpoint.h"
#include "rdrop/optim.h"
#include "rdrop/schedule.h"
#include "rdrop/train.h"
#include "rdrop/run_folder.h"

typedef struct {
    const rd_config *cfg;
    const rd_train_options *opt;
    rd_dataset train, val, test;
    int has_val;
    rd_mlp model;
    rd_optim optim;
    rd_fast *fast;       /* train.engine = fast: the thread team and product timer; else NULL */
    rd_learner learner;  /* what rd_train_step works on; its update is timed_update */
    rd_update_fn update; /* the engine's update, which timed_update calls */
    void *update_ctx;
    rd_schedule sched;
    rd_ckpt_state st; /* epoch, batch, step, RNG states, running sums */
    rd_rng next_data_rng; /* after the epoch in progress: its shuffle's generator */
    rd_batcher batcher;
    rd_graph g;
    float *x; /* one batch of inputs */
    int *y;   /* and labels */
    int saved_epoch; /* epoch of the checkpoint on disk; -1: none yet */
    double max_loss; /* a batch loss above it means the run diverged */
    rd_epoch_times times; /* of the epoch in progress */
    int lock;             /* the run folder's lock (rd_run_claim), or -1 */
} rd_trainer;

rd_status rd_trainer_setup(rd_trainer *t, const rd_config *cfg, const rd_train_options *opt,
                           rd_error *err);
rd_status rd_trainer_save(rd_trainer *t, const char *name, rd_error *err);
void rd_trainer_print_epoch(const rd_trainer *t, const rd_metrics_row *r);
void rd_trainer_free(rd_trainer *t);

#endif
