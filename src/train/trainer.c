/* The training loop: dropout (one forward pass per batch, cross-entropy) or
 * R-Drop (each batch twice in one pass, cross-entropy + alpha * KL). */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "rdrop/checkpoint.h"
#include "rdrop/loss.h"
#include "rdrop/schedule.h"
#include "rdrop/train.h"
#include "rdrop/clock.h"
#include "train/progress.h"
#include "store/run_files.h"
#include "train/trainer_setup.h"

static int count_correct(const rd_tensor *logits, const int *y, int n_labels) {
    int correct = 0;
    for (int i = 0; i < logits->rows; i++)
        correct += rd_argmax(logits->data + (size_t)i * logits->cols, logits->cols) == y[i % n_labels];
    return correct;
}

/* A loss that is not finite, or far above what a training run can reach
 * (train.max_loss): the run diverged. Stop before the step, so the last
 * checkpoint stays the last good model. */
static rd_status diverged(const rd_trainer *t, double l, rd_error *err) {
    char why[96], kept[4200];
    if (!isfinite(l)) snprintf(why, sizeof why, "non-finite loss (%g)", l);
    else snprintf(why, sizeof why, "loss %.3g above train.max_loss = %.3g", l, t->max_loss);
    if (t->saved_epoch < 0) snprintf(kept, sizeof kept, "no checkpoint was written yet");
    else snprintf(kept, sizeof kept, "%s/last.ckpt holds the last good model (epoch %d)", t->opt->out_dir,
                  t->saved_epoch);
    return rd_fail(err, RD_ERR_RUNTIME, "%s at epoch %d, batch %d: training diverged and stopped; %s "
                   "(try a smaller train.lr than %g)", why, t->st.epoch + 1, t->st.batch + 1, kept,
                   (double)t->cfg->train.lr);
}

/* Adds a step's phases to the epoch's times: ts = the clock at its start,
 * after the batch was assembled, after backward, after the update. */
static void add_times(rd_trainer *t, int n, const double ts[4], double gemm) {
    rd_epoch_times *tm = &t->times;
    tm->data += ts[1] - ts[0];
    tm->gemm += gemm;
    tm->elementwise += ts[2] - ts[1] - gemm;
    tm->optimizer += ts[3] - ts[2];
    tm->total += ts[3] - ts[0];
    tm->steps++;
    tm->samples += n;
    /* The products of a full batch, not of the epoch's last, shorter one:
     * the bench times these shapes alone as the step's ceiling. */
    if (t->fast && (n == t->cfg->train.batch_size || tm->n_gemm == 0)) {
        int k = rd_fast_gemm_log(t->fast, tm->gemm_shape);
        tm->n_gemm = k < RD_GEMM_LOG ? k : RD_GEMM_LOG;
    }
}

/* One optimizer step on the samples idx[0..n). */
static rd_status train_step(rd_trainer *t, const int *idx, int n, rd_error *err) {
    const rd_config *c = t->cfg;
    int rdrop = c->train.method == RD_METHOD_RDROP;
    double ts[4], gemm0 = t->fast ? rd_fast_gemm_seconds(t->fast) : 0;
    ts[0] = rd_now();
    rd_dataset_rows(&t->train, idx, n, t->x);
    rd_dataset_labels(&t->train, idx, n, t->y);
    ts[1] = rd_now();
    /* The gradients are zero here: rd_mlp_init allocates them zeroed and every
     * step's optimizer update zeroes them in the same pass (cheaper than
     * letting sgemm overwrite them with beta 0, measured: OpenBLAS then
     * zeroes the output in a pass of its own). */
    rd_graph_reset(&t->g);
    if (t->fast) rd_fast_step_begin(t->fast);
    rd_tensor *x = rd_input(&t->g, n, t->train.dim, t->x);
    rd_tensor *logits = t->forward(&t->model, &t->g, x, rdrop ? 2 : 1, &t->st.drop_rng);
    rd_tensor *loss, *ce, *kl = NULL;
    if (rdrop) {
        rd_rdrop_terms terms = rd_rdrop_objective(&t->g, logits, t->y, c->train.alpha);
        loss = terms.loss;
        ce = terms.ce;
        kl = terms.kl;
    } else {
        loss = ce = rd_cross_entropy(&t->g, logits, t->y, n);
    }
    double l = rd_scalar(loss);
    if (!isfinite(l) || l > t->max_loss) return diverged(t, l, err);
    rd_backward(&t->g, loss);
    ts[2] = rd_now();
    float lr = rd_schedule_lr(&t->sched, t->st.step);
    rd_optim_step_zero(&t->optim, t->model.params, t->model.grads, lr);
    if (c->train.max_norm > 0) rd_mlp_max_norm(&t->model, c->train.max_norm);
    ts[3] = rd_now();
    add_times(t, n, ts, t->fast ? rd_fast_gemm_seconds(t->fast) - gemm0 : 0);
    t->lr = lr;
    t->st.step++;
    double *s = t->st.sums;
    s[RD_SUM_LOSS] += l;
    s[RD_SUM_LOSS2] += l * l;
    s[RD_SUM_CE] += rd_scalar(ce);
    s[RD_SUM_KL] += kl ? rd_scalar(kl) : 0.0;
    s[RD_SUM_BATCHES] += 1;
    s[RD_SUM_CORRECT] += count_correct(logits, t->y, n);
    s[RD_SUM_ROWS] += logits->rows;
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

/* Runs the rest of epoch t->st.epoch; *stopped = 1 when a signal stopped it
 * (after writing a checkpoint). */
static rd_status run_epoch(rd_trainer *t, int *stopped, rd_error *err) {
    rd_batcher *b = &t->batcher;
    rd_rng rng = t->st.data_rng; /* the shuffle of this epoch, replayed on resume */
    rd_batcher_shuffle(b, &rng);
    const int *idx;
    int n;
    for (int i = 0; i < t->st.batch; i++) rd_batcher_next(b, &idx);
    rd_progress p;
    rd_progress_start(&p, t->opt->progress, t->st.epoch + 1, t->cfg->train.epochs,
                      rd_batcher_batches(b), t->st.sums[RD_SUM_SECONDS]);
    while ((n = rd_batcher_next(b, &idx)) > 0) {
        double t0 = rd_now();
        rd_status st = train_step(t, idx, n, err);
        if (st) {
            rd_progress_end(&p);
            return st;
        }
        t->st.sums[RD_SUM_SECONDS] += rd_now() - t0;
        t->st.batch++;
        show_progress(t, &p);
        if (t->opt->stop && *t->opt->stop) {
            rd_progress_end(&p);
            *stopped = 1;
            return rd_trainer_save(t, "last.ckpt", err);
        }
    }
    rd_progress_end(&p);
    t->st.data_rng = rng; /* the next epoch shuffles from here */
    return RD_OK;
}

static rd_status end_epoch(rd_trainer *t, rd_train_result *res, rd_error *err) {
    const rd_config *c = t->cfg;
    const double *s = t->st.sums;
    int epoch = t->st.epoch + 1, last = epoch == c->train.epochs;
    double copies = c->train.method == RD_METHOD_RDROP ? 2.0 : 1.0;
    rd_metrics_row r;
    rd_metrics_row_clear(&r);
    double *v = r.v;
    v[RD_COL_EPOCH] = epoch;
    v[RD_COL_LR] = t->lr;
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
    if (!t->opt->benchmark && (last || epoch % c->train.eval_interval == 0)) {
        rd_evaluate(&t->model, &t->g, &t->test, &v[RD_COL_TEST_LOSS], &v[RD_COL_TEST_ACC], NULL);
        if (c->train.mc_passes > 0) {
            /* its own stream per epoch: the training's random numbers are untouched */
            rd_rng rng;
            rd_rng_seed(&rng, c->train.seed ^ 0xd1a9c0a5f00dULL ^ (0x9e3779b97f4a7c15ULL * (uint64_t)epoch));
            rd_consistency k;
            rd_evaluate_consistency(&t->model, &t->g, &t->test, c->train.mc_passes, &rng, &k);
            v[RD_COL_TEST_KL] = k.test_kl;
            v[RD_COL_MC_ACC] = k.mc_acc;
        }
        if (t->has_val) rd_evaluate(&t->model, &t->g, &t->val, &v[RD_COL_VAL_LOSS], &v[RD_COL_VAL_ACC], NULL);
    }
    rd_trainer_print_epoch(t, &r);
    rd_status st = rd_metrics_append(t->opt->out_dir, &r, err);
    t->st.epoch = epoch;
    t->st.batch = 0;
    memset(t->st.sums, 0, sizeof t->st.sums);
    int save = !t->opt->benchmark; /* timing runs write no checkpoints */
    if (!st && save && t->has_val && !isnan(v[RD_COL_VAL_ACC]) && v[RD_COL_VAL_ACC] > t->st.best_val_acc) {
        t->st.best_val_acc = v[RD_COL_VAL_ACC];
        t->st.best_epoch = epoch;
        st = rd_trainer_save(t, "best.ckpt", err);
    }
    if (!st && save && (last || epoch % c->train.checkpoint_interval == 0)) st = rd_trainer_save(t, "last.ckpt", err);
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
        if (!st && stopped) {
            res->interrupted = (int)*opt->stop;
            fprintf(opt->log, "interrupted: checkpoint written to %s/last.ckpt (epoch %d, batch %d); "
                    "continue with --resume %s\n", opt->out_dir, t.st.epoch + 1, t.st.batch, opt->out_dir);
            break;
        }
        if (!st) st = end_epoch(&t, res, err);
    }
    if (!st && !res->interrupted && !opt->benchmark)
        fprintf(opt->log, "final test_acc=%.4f test_err=%.2f%%\n", res->test_acc, 100.0 * (1.0 - res->test_acc));
    rd_trainer_free(&t);
    return st;
}
