/* Setting a run up: data, model, optimizer, and the state of a resumed run. */
#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rdrop/blas.h"
#include "rdrop/clock.h"
#include "rdrop/files.h"
#include "rdrop/safetensors.h"
#include "train/progress.h" /* rd_format_number */
#include "train/trainer_setup.h"

static double memory_limit(const rd_config *cfg) {
    return cfg->train.memory_limit_mb > 0 ? cfg->train.memory_limit_mb * 1048576.0 : rd_memory_available();
}

static rd_status load_data(rd_trainer *t, rd_error *err) {
    const rd_config *c = t->cfg;
    const char *test_dir = c->data.test_dir[0] ? c->data.test_dir : c->data.dir;
    /* Subset and split draw from their own stream, so they do not depend on
     * anything else the run does with its random numbers. The subset is
     * taken while reading, and the data's memory is checked against the
     * headers before anything is inflated. */
    rd_rng rng;
    rd_rng_seed(&rng, c->train.seed ^ 0x5eedda7aULL);
    double left = memory_limit(c) - rd_train_memory_estimate(c, 0);
    const char *why = c->train.memory_limit_mb > 0 ? "train.memory_limit_mb" : "the available memory";
    rd_load_select sel = {c->data.train_subset, c->data.subset_random, &rng, left > 1 ? left : 1, why,
                          c->model.classes};
    rd_status st = rd_mnist_load_select(c->data.dir, 1, &sel, &t->train, err);
    /* A timing run evaluates nothing: no test set, and its memory not counted. */
    if (!st && !t->opt->benchmark) {
        rd_load_select all = {0, 0, NULL, left - (double)t->train.n * (t->train.dim + 1.0), why, c->model.classes};
        if (all.max_bytes < 1) all.max_bytes = 1;
        st = rd_mnist_load_select(test_dir, 0, &all, &t->test, err);
    }
    if (st) return st;
    if (!st && c->data.val_size > 0) {
        st = rd_dataset_split(&t->train, c->data.val_size, &rng, &t->val, err);
        t->has_val = !st;
    }
    if (st) return st;
    /* every size the data implies, before any of it is used (validation
     * samples come out of the training set, so its check covers them) */
    st = rd_dataset_check_shape(&t->train, c->data.dir, c->model.inputs, c->model.classes, err);
    if (!st && !t->opt->benchmark)
        st = rd_dataset_check_shape(&t->test, test_dir, c->model.inputs, c->model.classes, err);
    if (st) return st;
    if (c->data.normalize) {
        float mean, std;
        rd_dataset_compute_stats(&t->train, &mean, &std);
        rd_dataset_set_normalization(&t->train, mean, std);
        rd_dataset_set_normalization(&t->test, mean, std);
        if (t->has_val) rd_dataset_set_normalization(&t->val, mean, std);
    }
    return RD_OK;
}

static rd_status check_memory(const rd_config *cfg, long long n_samples, rd_error *err) {
    double need = rd_train_memory_estimate(cfg, n_samples), limit = memory_limit(cfg);
    if (need > limit)
        return rd_fail(err, RD_ERR_USAGE,
                       "%s: this model and batch need about %.0f MiB, more than the limit of "
                       "%.0f MiB (train.memory_limit_mb; default: the available memory)",
                       cfg->path, need / 1048576.0, limit / 1048576.0);
    return RD_OK;
}

static void arch_text(char *buf, size_t n, int inputs, const int *hidden, int n_hidden, int classes) {
    int k = snprintf(buf, n, "%d", inputs);
    for (int l = 0; l < n_hidden && k < (int)n; l++) k += snprintf(buf + k, n - k, "-%d", hidden[l]);
    if (k < (int)n) snprintf(buf + k, n - k, "-%d", classes);
}

/* A checkpoint written mid-epoch counts its position in batches of one
 * shuffled training set: the keys that shape that set must not change. The
 * checkpoint records them itself (version 2); a version 1 file is checked
 * against the run's config.ini. */
static const char *mid_epoch_change(const rd_ckpt_run *was, const rd_config *now, int train_n) {
    if (was->batch_size != now->train.batch_size) return "train.batch_size";
    if (was->train_subset != now->data.train_subset) return "data.train_subset";
    if (was->subset_random != now->data.subset_random) return "data.subset_random";
    if (was->val_size != now->data.val_size) return "data.val_size";
    if (was->seed != now->train.seed) return "train.seed";
    if (train_n >= 0 && was->train_n != train_n) return "data.dir (the number of training samples)";
    return NULL;
}

static rd_status check_mid_epoch(const rd_trainer *t, const rd_ckpt_state *s, rd_error *err) {
    char path[4096];
    rd_ckpt_run was = s->run;
    int train_n = t->train.n;
    if (s->version < 2) {
        snprintf(path, sizeof path, "%s/config.ini", t->opt->out_dir);
        static rd_config c; /* large; resume runs once */
        rd_error e2;
        if (rd_config_load(path, &c, &e2) != RD_OK)
            return rd_fail(err, RD_ERR_RUNTIME, "cannot check a mid-epoch resume: %s", e2.msg);
        was = (rd_ckpt_run){c.train.batch_size, c.data.train_subset, c.data.subset_random, c.data.val_size,
                            0, c.train.seed};
        train_n = -1;
    } else {
        snprintf(path, sizeof path, "%s/last.ckpt", t->opt->out_dir);
    }
    const char *key = mid_epoch_change(&was, t->cfg, train_n);
    if (key)
        return rd_fail(err, RD_ERR_USAGE,
                       "%s/last.ckpt was written in the middle of an epoch; %s differs from the run's "
                       "(%s), so resuming would skip the wrong samples (keep the run's value)",
                       t->opt->out_dir, key, path);
    return RD_OK;
}

static rd_status resume(rd_trainer *t, rd_error *err) {
    const rd_config *c = t->cfg;
    char path[4096];
    snprintf(path, sizeof path, "%s/last.ckpt", t->opt->out_dir);
    rd_mlp m;
    rd_optim o;
    rd_ckpt_state s;
    struct stat info;
    if (lstat(path, &info) != 0 && errno == ENOENT)
        return rd_fail(err, RD_ERR_USAGE, "%s: no last.ckpt to resume from (the run wrote no checkpoint yet); start it "
                       "over with --force instead of --resume", t->opt->out_dir);
    rd_status st = rd_checkpoint_load(path, &m, &o, &s, err);
    if (st) return st;
    char have[256], want[256];
    arch_text(have, sizeof have, s.inputs, s.hidden, s.n_hidden, s.classes);
    arch_text(want, sizeof want, c->model.inputs, c->model.hidden, c->model.n_hidden, c->model.classes);
    rd_optimizer_kind kind = o.kind;
    if (strcmp(have, want) != 0 || s.activation != c->model.activation || kind != t->optim.kind)
        st = rd_fail(err, RD_ERR_USAGE, "%s: model %s %s (%s) does not match the config's %s %s (%s)", path,
                     have, rd_activation_name(s.activation), rd_optimizer_name(kind), want,
                     rd_activation_name(c->model.activation), rd_optimizer_name(t->optim.kind));
    else if (s.epoch > c->train.epochs)
        st = rd_fail(err, RD_ERR_USAGE, "%s: the run has done %d epochs, more than train.epochs = %d",
                     path, s.epoch, c->train.epochs);
    else if (s.batch > rd_batcher_batches(&t->batcher))
        st = rd_fail(err, RD_ERR_USAGE, "%s: batch %d of an epoch of %d batches", path, s.batch,
                     rd_batcher_batches(&t->batcher));
    else if (s.batch > 0)
        st = check_mid_epoch(t, &s, err);
    if (!st) {
        memcpy(t->model.params, m.params, m.n_params * sizeof(float));
        memcpy(t->optim.m, o.m, m.n_params * sizeof(float));
        if (o.v) memcpy(t->optim.v, o.v, m.n_params * sizeof(float));
        t->optim.t = o.t;
        s.run = t->st.run; /* a version 1 file has none; the current one is the run's own */
        t->st = s;
        t->saved_epoch = s.epoch;
    }
    rd_mlp_free(&m);
    rd_optim_free(&o);
    return st;
}

/* model.init_from, read before the data so that a wrong file fails fast:
 * the sizes and (when the file says) the activation must be the config's. */
static rd_status read_init_from(const rd_config *c, rd_mlp *from, rd_st_info *info, rd_error *err) {
    const char *path = c->model.init_from;
    rd_status st = rd_safetensors_load(path, from, info, err);
    if (st) return st;
    char have[256], want[256];
    arch_text(have, sizeof have, info->inputs, info->hidden, info->n_hidden, info->classes);
    arch_text(want, sizeof want, c->model.inputs, c->model.hidden, c->model.n_hidden, c->model.classes);
    const char *act_have = rd_activation_name(from->activation), *act_want = rd_activation_name(c->model.activation);
    if (strcmp(have, want) != 0)
        st = rd_fail(err, RD_ERR_USAGE,
                     "model.init_from = %s: the file holds a %s model, the config asks for %s "
                     "(model.inputs, model.hidden, model.classes)", path, have, want);
    else if (info->has_activation && from->activation != c->model.activation)
        st = rd_fail(err, RD_ERR_USAGE, "model.init_from = %s: the file's model uses %s, the config's %s "
                     "(model.activation)", path, act_have, act_want);
    if (st) rd_mlp_free(from);
    return st;
}

/* Inputs scaled as the file's model saw them, when the file says. */
static rd_status check_init_norm(const rd_config *c, const rd_st_info *info, rd_error *err) {
    int normalized = !(info->norm_mean == 0 && info->norm_std == 1);
    if (!info->has_norm || normalized == c->data.normalize) return RD_OK;
    return rd_fail(err, RD_ERR_USAGE,
                   "model.init_from = %s: the file's model was trained on %s inputs (mean %g, std %g); "
                   "set data.normalize = %s", c->model.init_from, normalized ? "normalized" : "unnormalized",
                   info->norm_mean, info->norm_std, normalized ? "true" : "false");
}

static void banner(const rd_trainer *t) {
    const rd_config *c = t->cfg;
    FILE *f = t->opt->log;
    char arch[256];
    arch_text(arch, sizeof arch, c->model.inputs, c->model.hidden, c->model.n_hidden, c->model.classes);
    fprintf(f, "rdrop train: %s, method %s", c->name, c->train.method == RD_METHOD_RDROP ? "rdrop" : "dropout");
    if (c->train.method == RD_METHOD_RDROP) fprintf(f, " (alpha %g)", c->train.alpha);
    fprintf(f, ", model %s %s dropout %g", arch, rd_activation_name(c->model.activation),
            c->model.dropout);
    if (c->model.input_dropout > 0) fprintf(f, " (inputs %g)", c->model.input_dropout);
    fprintf(f, ", %zu parameters\n", t->model.n_params);
    fprintf(f, "data: %s: %d train, %d test", c->data.dir, t->train.n, t->test.n);
    if (t->has_val) fprintf(f, ", %d validation", t->val.n);
    /* "at most K": a K beyond the file is said, not silently cut */
    if (c->data.train_subset > t->train.n + t->val.n)
        fprintf(f, " (data.train_subset = %d: the file has only %d)", c->data.train_subset, t->train.n + t->val.n);
    fprintf(f, "; %s lr %g (%s), batch %d, %d epochs, seed %llu\n", rd_optimizer_name(c->train.optimizer),
            c->train.lr, rd_schedule_name(c->train.schedule), c->train.batch_size, c->train.epochs,
            c->train.seed);
    if (c->model.init_from[0] && !t->opt->resume)
        fprintf(f, "initial weights from %s (model.init_from)\n", c->model.init_from);
    if (c->train.max_norm > 0) fprintf(f, "max-norm %g on each hidden unit's incoming weights\n", c->train.max_norm);
    if (rd_fast_team(t->fast)) /* rdrop's threads split each product; OpenBLAS runs single-threaded in each */
        fprintf(f, "OpenBLAS: core %s, %d threads (rdrop's, 1 OpenBLAS thread in each); run folder %s\n",
                rd_blas_core(), rd_workers_count(rd_fast_team(t->fast)), t->opt->out_dir);
    else
        fprintf(f, "OpenBLAS: core %s, %d threads%s; run folder %s\n", rd_blas_core(),
                openblas_get_num_threads(), t->fast ? "" : ", reference engine", t->opt->out_dir);
    if (t->st.epoch || t->st.batch)
        fprintf(f, "resuming after epoch %d, batch %d\n", t->st.epoch, t->st.batch);
    const char *warn = rd_blas_warning(), *note = rd_blas_faster_kernel();
    if (warn) fprintf(stderr, "rdrop: warning: %s\n", warn);
    else if (note) fprintf(f, "OpenBLAS note: %s\n", note);
    fflush(f);
}

/* Text staged next to path (rd_stage_file); the text is freed either way. */
static rd_status stage_text(rd_staged_file *s, const char *path, rd_text *text, rd_error *err) {
    rd_status st = fflush(text->f) || ferror(text->f) ? rd_fail(err, RD_ERR_RUNTIME, "%s: out of memory", path)
                                                      : rd_stage_file(s, path, text->data, text->len, err);
    rd_text_free(text);
    return st;
}

/* The run's config.ini and metrics.csv (its header, or a resumed run's rows),
 * both written to temporary files and flushed before anything of a run
 * already in the folder changes: a file in the way (a FIFO, a folder, a
 * symlink to a device) or a full disk stops the new run while the old one is
 * still whole. Then --force's old checkpoints go, and both files take their
 * places. */
static rd_status start_files(rd_trainer *t, rd_error *err) {
    const rd_train_options *o = t->opt;
    char config[4096], metrics[4096];
    snprintf(config, sizeof config, "%s/config.ini", o->out_dir);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", o->out_dir);
    rd_text ct, mt;
    static rd_staged_file cs, ms; /* large; a run starts once */
    cs.tmp[0] = ms.tmp[0] = 0;
    rd_status st = rd_config_format(t->cfg, config, &ct, err);
    if (st) return st;
    if ((st = rd_metrics_begin(o->out_dir, o->resume, t->st.epoch, &mt, err))) {
        rd_text_free(&ct);
        return st;
    }
    st = stage_text(&cs, config, &ct, err);
    if (st) {
        rd_text_free(&mt);
        return st;
    }
    if ((st = stage_text(&ms, metrics, &mt, err)) || (o->force && !o->resume && (st = rd_run_clear(o->out_dir, err)))) {
        rd_stage_abort(&cs);
        rd_stage_abort(&ms);
        return st;
    }
    if ((st = rd_stage_commit(&cs, err))) {
        rd_stage_abort(&ms);
        return st;
    }
    return rd_stage_commit(&ms, err);
}

static void fast_update(void *fast, rd_optim *o, float *params, float *grads, float lr) {
    rd_fast_optim_step(fast, o, params, grads, lr);
}

/* The engine's update, timed for the epoch's times (`rdrop bench`). */
static void timed_update(void *trainer, rd_optim *o, float *params, float *grads, float lr) {
    rd_trainer *t = trainer;
    double t0 = rd_now();
    t->update(t->update_ctx, o, params, grads, lr);
    t->times.optimizer += rd_now() - t0;
}

rd_status rd_trainer_setup(rd_trainer *t, const rd_config *cfg, const rd_train_options *opt, rd_error *err) {
    memset(t, 0, sizeof *t);
    t->cfg = cfg;
    t->opt = opt;
    t->lock = -1;
    rd_graph_init(&t->g);
    /* An existing run folder is locked before anything in it is read; a new
     * one is created (and locked) only once the run is sure to start. */
    rd_status st;
    if ((st = rd_check_run_dir(opt->out_dir, err))) return st;
    if (access(opt->out_dir, F_OK) == 0 && (st = rd_run_claim(opt->out_dir, opt->resume, opt->force, &t->lock, err)))
        return st;
    openblas_set_num_threads(cfg->train.threads);
    t->saved_epoch = -1; /* no checkpoint on disk yet */
    /* Cross-entropy starts near ln(classes) and only falls; R-Drop adds alpha
     * times a KL term of the same order. 100 times that is far beyond any
     * healthy run, and far below the 1e20s of a diverging one. */
    t->max_loss = cfg->train.max_loss > 0 ? cfg->train.max_loss
                  : 100.0 * log((double)cfg->model.classes) *
                        (1.0 + (cfg->train.method == RD_METHOD_RDROP ? cfg->train.alpha : 0.0));
    /* The model and batch alone first, so an absurd size is refused before
     * the data is read; then again with the data. */
    st = check_memory(cfg, 0, err);
    /* A resumed run takes its weights from last.ckpt, not from init_from. */
    rd_mlp from = {0};
    rd_st_info from_info;
    int init_from = cfg->model.init_from[0] && !opt->resume;
    if (!st && init_from) st = read_init_from(cfg, &from, &from_info, err);
    if (!st) st = load_data(t, err);
    if (!st) st = check_memory(cfg, (long long)t->train.n + t->test.n + t->val.n, err);
    if (!st && init_from) st = check_init_norm(cfg, &from_info, err);
    rd_rng init_rng;
    rd_rng_seed(&init_rng, cfg->train.seed);
    /* The random init runs either way, so that init_from leaves the data
     * order and the dropout masks of the seed as they were. */
    if (!st)
        st = rd_mlp_init(&t->model, cfg->model.inputs, cfg->model.hidden, cfg->model.n_hidden,
                         cfg->model.classes, cfg->model.activation, cfg->model.dropout, cfg->model.init,
                         &init_rng, err);
    if (!st && init_from) memcpy(t->model.params, from.params, from.n_params * sizeof(float));
    if (from.params) rd_mlp_free(&from);
    if (st) return st;
    t->model.input_dropout = cfg->model.input_dropout;
    rd_optim_init(&t->optim, cfg->train.optimizer, t->model.n_params);
    t->optim.momentum = cfg->train.momentum;
    t->optim.nesterov = cfg->train.nesterov;
    t->optim.beta1 = cfg->train.beta1;
    t->optim.beta2 = cfg->train.beta2;
    t->optim.eps = cfg->train.eps;
    t->optim.weight_decay = cfg->train.weight_decay;
    /* the fast layer's team splits each product and the update, OpenBLAS
     * single-threaded in each part; the reference engine leaves the threads
     * to OpenBLAS */
    t->learner = (rd_learner){&t->model, &t->g, &t->optim, rd_mlp_forward, timed_update, t, cfg->train.method,
                              cfg->train.alpha, cfg->train.max_norm, t->max_loss};
    t->update = rd_update_reference;
    if (cfg->train.engine == RD_ENGINE_FAST) {
        t->fast = rd_fast_new(cfg->train.threads);
        rd_fast_attach(t->fast, &t->g);
        t->learner.forward = rd_fast_mlp_forward;
        t->update = fast_update;
        t->update_ctx = t->fast;
        if (rd_fast_team(t->fast)) openblas_set_num_threads(1);
    }
    rd_batcher_init(&t->batcher, t->train.n, cfg->train.batch_size, 0);
    t->sched = (rd_schedule){cfg->train.schedule, cfg->train.lr, cfg->train.min_lr, cfg->train.gamma,
                             cfg->train.step_size, cfg->train.warmup_epochs, cfg->train.epochs,
                             rd_batcher_batches(&t->batcher)};
    t->st.data_rng = rd_rng_split(&init_rng);
    t->st.drop_rng = rd_rng_split(&init_rng);
    t->st.best_val_acc = -1.0;
    t->st.run = (rd_ckpt_run){cfg->train.batch_size, cfg->data.train_subset, cfg->data.subset_random,
                              cfg->data.val_size, t->train.n, cfg->train.seed};
    t->x = rd_malloc((size_t)cfg->train.batch_size * t->train.dim, sizeof(float));
    t->y = rd_malloc((size_t)cfg->train.batch_size, sizeof(int));
    if (opt->resume && (st = resume(t, err))) return st;
    if ((st = rd_make_dirs(opt->out_dir, err))) return st;
    if (t->lock < 0 && (st = rd_run_claim(opt->out_dir, opt->resume, opt->force, &t->lock, err))) return st;
    if ((st = start_files(t, err))) return st;
    banner(t);
    return RD_OK;
}

rd_status rd_trainer_save(rd_trainer *t, const char *name, rd_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", t->opt->out_dir, name);
    rd_ckpt_describe(&t->st, &t->model, t->cfg->model.inputs);
    t->st.norm_mean = t->train.mean;
    t->st.norm_std = t->train.std;
    rd_status st = rd_checkpoint_save(path, &t->model, &t->optim, &t->st, err);
    if (!st && !strcmp(name, "last.ckpt")) t->saved_epoch = t->st.epoch;
    return st;
}

/* v as the progress line writes it: %.4f, or %g style when huge or tiny. */
static const char *num(char *buf, double v) {
    rd_format_number(buf, 32, v, 4);
    return buf;
}

void rd_trainer_print_epoch(const rd_trainer *t, const rd_metrics_row *r) {
    FILE *f = t->opt->log;
    const double *v = r->v;
    char a[32], b[32], c[32];
    fprintf(f, "epoch %d/%d  lr %.3g  train loss %s (ce %s kl %s) acc %.2f%%", (int)v[RD_COL_EPOCH],
            t->cfg->train.epochs, v[RD_COL_LR], num(a, v[RD_COL_TRAIN_LOSS]), num(b, v[RD_COL_TRAIN_CE]),
            num(c, v[RD_COL_TRAIN_KL]), 100 * v[RD_COL_TRAIN_ACC]);
    if (!isnan(v[RD_COL_TEST_ACC]))
        fprintf(f, "  test loss %s acc %.2f%%", num(a, v[RD_COL_TEST_LOSS]), 100 * v[RD_COL_TEST_ACC]);
    if (!isnan(v[RD_COL_TEST_KL])) fprintf(f, " kl %s", num(a, v[RD_COL_TEST_KL]));
    if (!isnan(v[RD_COL_VAL_ACC])) fprintf(f, "  val acc %.2f%%", 100 * v[RD_COL_VAL_ACC]);
    rd_format_number(b, sizeof b, v[RD_COL_SAMPLES_PER_SECOND], 0);
    fprintf(f, "  %.1f s  %s samples/s\n", v[RD_COL_EPOCH_SECONDS], b);
    fflush(f);
}

void rd_trainer_free(rd_trainer *t) {
    rd_dataset_free(&t->train);
    rd_dataset_free(&t->test);
    if (t->has_val) rd_dataset_free(&t->val);
    if (t->model.params) rd_mlp_free(&t->model);
    if (t->optim.m) rd_optim_free(&t->optim);
    rd_fast_free(t->fast);
    if (t->batcher.order) rd_batcher_free(&t->batcher);
    rd_graph_free(&t->g);
    free(t->x);
    free(t->y);
    rd_unlock_dir(t->lock);
}
