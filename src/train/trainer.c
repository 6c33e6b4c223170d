/* The training loop around rd_train_step (step.c): epochs of shuffled
 * batches, the clocks and running sums, evaluation, metrics.csv and the
 * checkpoints, and stopping on a signal. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "rdrop/checkpoint.h"
#include "rdrop/schedule.h"
#include "rdrop/signals.h"
#include "rdrop/train.h"
#include "rdrop/clock.h"
#include "train/progress.h"
#include "rdrop/run_folder.h"
#include "train/trainer_setup.h"

static int count_correct(const rd_tensor *logits, const int *y, int n_labels) {
    int correct = 0;
    for (int i = 0; i < logits->rows; i++)
        correct += rd_argmax(logits->data + (size_t)i * logits->cols, logits->cols) == y[i % n_labels];
    return correct;
}

/* A loss that is not finite, or far above what a training run can reach
 * (train.max_loss): the run diverged, or a limit the config set was too
 * low. Stop before the step, so the last checkpoint stays the last good
 * model, and say which it was. */
static rd_status diverged(const rd_trainer *t, double l, rd_error *err) {
    char why[96], kept[4200];
    const rd_config *c = t->cfg;
    if (!isfinite(l)) snprintf(why, sizeof why, "non-finite loss (%g)", l);
    else snprintf(why, sizeof why, "loss %.3g above train.max_loss = %.3g", l, t->max_loss);
    if (t->saved_epoch < 0) snprintf(kept, sizeof kept, "no checkpoint was written yet");
    else snprintf(kept, sizeof kept, "%s/last.ckpt holds the last good model (epoch %d)", t->opt->out_dir,
                  t->saved_epoch);
    if (isfinite(l) && c->train.max_loss > 0) /* maybe a healthy run under a limit set too low */
        return rd_fail(err, RD_ERR_RUNTIME, "%s at epoch %d, batch %d: the limit train.max_loss stopped training; %s "
                       "(if the run is healthy, raise train.max_loss above %.3g, or set it to 0 for the automatic "
                       "100 x ln(classes) x (1 + alpha))", why, t->st.epoch + 1, t->st.batch + 1, kept, l);
    return rd_fail(err, RD_ERR_RUNTIME, "%s at epoch %d, batch %d: training diverged and stopped; %s "
                   "(try a smaller train.lr than %g)", why, t->st.epoch + 1, t->st.batch + 1, kept, (double)c->train.lr);
}

/* Adds a step's phases to the epoch's times: ts = the clock at its start,
 * after the batch was assembled, after the step (the update timed itself). */
static void add_times(rd_trainer *t, int n, const double ts[3], double gemm, double optimizer) {
    rd_epoch_times *tm = &t->times;
    tm->data += ts[1] - ts[0];
    tm->gemm += gemm;
    tm->elementwise += ts[2] - ts[1] - gemm - optimizer;
    tm->total += ts[2] - ts[0];
    tm->steps++;
    tm->samples += n;
    /* The products of a full batch, not of the epoch's last, shorter one:
     * the bench times these shapes alone as the step's ceiling. */
    if (t->fast && (n == t->cfg->train.batch_size || tm->n_gemm == 0)) {
        int k = rd_fast_gemm_log(t->fast, tm->gemm_shape);
        tm->n_gemm = k < RD_GEMM_LOG ? k : RD_GEMM_LOG;
    }
}

/* rd_train_step on the samples idx[0..n), with what surrounds it: the batch,
 * the clocks, the running sums of the epoch. */
static rd_status train_batch(rd_trainer *t, const int *idx, int n, rd_error *err) {
    double ts[3], gemm0 = t->fast ? rd_fast_gemm_seconds(t->fast) : 0, optim0 = t->times.optimizer;
    ts[0] = rd_now();
    rd_dataset_rows(&t->train, idx, n, t->x);
    rd_dataset_labels(&t->train, idx, n, t->y);
    ts[1] = rd_now();
    if (t->fast) rd_fast_step_begin(t->fast);
    float lr = rd_schedule_lr(&t->sched, t->st.step);
    rd_step_result r = rd_train_step(&t->learner, t->x, t->y, n, lr, &t->st.drop_rng);
    if (r.diverged) return diverged(t, r.loss, err);
    ts[2] = rd_now();
    add_times(t, n, ts, t->fast ? rd_fast_gemm_seconds(t->fast) - gemm0 : 0, t->times.optimizer - optim0);
    t->st.step++;
    double *s = t->st.sums;
    s[RD_SUM_LOSS] += r.loss;
    s[RD_SUM_LOSS2] += r.loss * r.loss;
    s[RD_SUM_CE] += r.ce;
    s[RD_SUM_KL] += r.kl;
    s[RD_SUM_BATCHES] += 1;
    s[RD_SUM_CORRECT] += count_correct(r.logits, t->y, n);
    s[RD_SUM_ROWS] += r.logits->rows;
    return RD_OK;
}

static void show_progress(rd_trainer *t, rd_progress *p) {
    const double *s = t->st.sums;
    double nb = s[RD_SUM_BATCHES], mean = s[RD_SUM_LOSS] / nb;
    double var = nb > 1 ? (s[RD_SUM_LOSS2] - nb * mean * mean) / (nb - 1) : 0.0;
    double copies = t->cfg->train.method == RD_METHOD_RDROP ? 2.0 : 1.0;
    rd_progress_update(p, t->st.batch, s[RD_SUM_ROWS] / copies, s[RD_SUM_SECONDS], mean,
                       var > 0 ? sqrt(var / nb) : 0.0, s[RD_SUM_CE] / nb, s[RD_SUM_KL] / nb,
                       s[RD_SUM_CORRECT] / s[RD_SUM_ROWS]);
}

/* Is a stop requested? (rdrop/signals.h; the evaluation loops look too.) */
static int stopping(const rd_trainer *t) { return (t->opt->stop && *t->opt->stop) || rd_interrupted(); }

/* Writes last.ckpt where a stop request found the run. */
static rd_status stop_here(rd_trainer *t, int *stopped, rd_error *err) {
    *stopped = 1;
    return rd_trainer_save(t, "last.ckpt", err);
}

/* Runs the rest of epoch t->st.epoch; *stopped = 1 when a signal stopped it
 * (after writing a checkpoint). */
static rd_status run_epoch(rd_trainer *t, int *stopped, rd_error *err) {
    rd_batcher *b = &t->batcher;
    rd_rng rng = t->st.data_rng; /* the shuffle of this epoch, replayed on resume */
    rd_batcher_shuffle(b, &rng);
    t->next_data_rng = rng; /* the next epoch shuffles from here, once this one has ended */
    const int *idx;
    int n;
    for (int i = 0; i < t->st.batch; i++) rd_batcher_next(b, &idx);
    rd_progress p;
    rd_progress_start(&p, t->opt->progress, t->st.epoch + 1, t->cfg->train.epochs,
                      rd_batcher_batches(b), t->st.sums[RD_SUM_SECONDS]);
    rd_status st = RD_OK;
    while (!st && (n = rd_batcher_next(b, &idx)) > 0) {
        double t0 = rd_now();
        st = train_batch(t, idx, n, err);
        if (st) break;
        t->st.sums[RD_SUM_SECONDS] += rd_now() - t0;
        t->st.batch++;
        show_progress(t, &p);
        if (stopping(t)) break;
    }
    rd_progress_end(&p);
    if (!st && stopping(t)) st = stop_here(t, stopped, err);
    return st;
}

/* Test loss and accuracy, the sub-network diagnostics and the validation
 * set, into the epoch's row; 1 when a stop request ended them early. */
static int evaluate_epoch(rd_trainer *t, int epoch, double *v) {
    const rd_config *c = t->cfg;
    if (rd_evaluate(&t->model, &t->g, &t->test, &v[RD_COL_TEST_LOSS], &v[RD_COL_TEST_ACC], NULL)) return 1;
    if (c->train.mc_passes > 0) {
        /* its own stream per epoch: the training's random numbers are untouched */
        rd_rng rng;
        rd_rng_seed(&rng, c->train.seed ^ 0xd1a9c0a5f00dULL ^ (0x9e3779b97f4a7c15ULL * (uint64_t)epoch));
        rd_consistency k;
        if (rd_evaluate_consistency(&t->model, &t->g, t->learner.forward, &t->test, c->train.mc_passes, &rng, &k))
            return 1;
        v[RD_COL_TEST_KL] = k.test_kl;
        v[RD_COL_MC_ACC] = k.mc_acc;
    }
    return t->has_val && rd_evaluate(&t->model, &t->g, &t->val, &v[RD_COL_VAL_LOSS], &v[RD_COL_VAL_ACC], NULL);
}

/* Ends the epoch whose batches are all trained: evaluation, its row in
 * metrics.csv, the checkpoints. A stop request during the evaluation writes
 * last.ckpt as the epoch stands (every batch done, no row yet), so that
 * --resume evaluates it again and the run goes on as if never stopped. */
static rd_status end_epoch(rd_trainer *t, rd_train_result *res, int *stopped, rd_error *err) {
    const rd_config *c = t->cfg;
    const double *s = t->st.sums;
    int epoch = t->st.epoch + 1, last = epoch == c->train.epochs;
    double copies = c->train.method == RD_METHOD_RDROP ? 2.0 : 1.0;
    rd_metrics_row r;
    rd_metrics_row_clear(&r);
    double *v = r.v;
    v[RD_COL_EPOCH] = epoch;
    v[RD_COL_LR] = rd_schedule_lr(&t->sched, t->st.step - 1); /* the epoch's last step's */
    v[RD_COL_TRAIN_LOSS] = s[RD_SUM_LOSS] / s[RD_SUM_BATCHES];
    v[RD_COL_TRAIN_CE] = s[RD_SUM_CE] / s[RD_SUM_BATCHES];
    v[RD_COL_TRAIN_KL] = s[RD_SUM_KL] / s[RD_SUM_BATCHES];
    v[RD_COL_TRAIN_ACC] = s[RD_SUM_CORRECT] / s[RD_SUM_ROWS];
    v[RD_COL_EPOCH_SECONDS] = s[RD_SUM_SECONDS];
    v[RD_COL_SAMPLES_PER_SECOND] = s[RD_SUM_ROWS] / copies / s[RD_SUM_SECONDS];
    v[RD_COL_TRAIN_SIZE] = t->train.n;
    if (t->opt->times) t->opt->times[t->st.epoch] = t->times;
    if (t->opt->after_epoch) t->opt->after_epoch(t->opt->after_epoch_arg, t->st.epoch, &t->times);
    memset(&t->times, 0, sizeof t->times);
    if (!t->opt->benchmark && (last || epoch % c->train.eval_interval == 0) && evaluate_epoch(t, epoch, v))
        return stop_here(t, stopped, err);
    rd_trainer_print_epoch(t, &r);
    long long before;
    rd_status st = rd_metrics_append(t->opt->out_dir, &r, &before, err);
    t->st.epoch = epoch;
    t->st.batch = 0;
    t->st.data_rng = t->next_data_rng;
    memset(t->st.sums, 0, sizeof t->st.sums);
    int save = !t->opt->benchmark; /* timing runs write no checkpoints */
    if (!st && save && t->has_val && !isnan(v[RD_COL_VAL_ACC]) && v[RD_COL_VAL_ACC] > t->st.best_val_acc) {
        t->st.best_val_acc = v[RD_COL_VAL_ACC];
        t->st.best_epoch = epoch;
        st = rd_trainer_save(t, "best.ckpt", err);
    }
    if (!st && save && (last || epoch % c->train.checkpoint_interval == 0)) st = rd_trainer_save(t, "last.ckpt", err);
    /* an epoch whose checkpoint failed (a full disk) leaves no row either */
    if (st) rd_metrics_unappend(t->opt->out_dir, before);
    /* a request that came while the epoch ended stops here, before a batch
     * of the next one (last.ckpt is written again if this epoch had one) */
    if (!st && !last && stopping(t)) st = stop_here(t, stopped, err);
    res->epochs_done = epoch;
    if (!isnan(v[RD_COL_TEST_ACC])) {
        res->test_acc = v[RD_COL_TEST_ACC];
        res->test_loss = v[RD_COL_TEST_LOSS];
    }
    return st;
}

rd_status rd_train(const rd_config *cfg, const rd_train_options *opt, rd_train_result *res,
                   rd_error *err) {
#if defined(__SSE__)
    /* Flush denormals to zero: Adam's second moments decay into denormals and
     * would slow every later step several-fold. */
    _mm_setcsr(_mm_getcsr() | 0x8040);
#endif
    memset(res, 0, sizeof *res);
    rd_trainer t;
    rd_status st = rd_trainer_setup(&t, cfg, opt, err);
    if (!st && t.st.epoch == cfg->train.epochs) { /* resumed a finished run: report its model */
        rd_evaluate(&t.model, &t.g, &t.test, &res->test_loss, &res->test_acc, NULL);
        res->epochs_done = t.st.epoch;
    }
    while (!st && t.st.epoch < cfg->train.epochs) {
        int stopped = 0;
        st = run_epoch(&t, &stopped, err);
        if (!st && !stopped) st = end_epoch(&t, res, &stopped, err);
        if (!st && stopped) {
            res->interrupted = opt->stop && *opt->stop ? (int)*opt->stop : rd_interrupted();
            fprintf(opt->log, "interrupted: checkpoint written to %s/last.ckpt (epoch %d, batch %d); "
                    "continue with --resume %s\n", opt->out_dir, t.st.epoch + 1, t.st.batch, opt->out_dir);
            break;
        }
    }
    if (!st && !res->interrupted && !opt->benchmark)
        fprintf(opt->log, "final test_acc=%.4f test_err=%.2f%%\n", res->test_acc, 100.0 * (1.0 - res->test_acc));
    rd_trainer_free(&t);
    return st;
}
