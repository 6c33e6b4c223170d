/* Test helper for the checkpoint suites: a small model with an optimizer and
 * a training state where every field has a distinctive value, and whole-file
 * read and write. */
#ifndef RDROP_TEST_CKPT_FIXTURE_H
#define RDROP_TEST_CKPT_FIXTURE_H
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/checkpoint.h"

typedef struct {
    rd_mlp m;
    rd_optim o;
    rd_ckpt_state s;
} ckpt_fixture;

/* 6 -> 5 -> 4 -> 3, tanh, 74 parameters; moments and state filled from a
 * seeded generator so that no two fields look alike. */
static inline void fixture_make(ckpt_fixture *f, rd_optimizer_kind kind) {
    rd_rng rng;
    rd_rng_seed(&rng, 42);
    rd_error err = {0};
    const int hidden[2] = {5, 4};
    memset(f, 0, sizeof *f);
    cr_assert_eq(rd_mlp_init(&f->m, 6, hidden, 2, 3, RD_ACT_TANH, 0.25f, RD_INIT_XAVIER, &rng, &err),
                 RD_OK, "%s", err.msg);
    for (size_t i = 0; i < f->m.n_params; i++) f->m.params[i] += 1e-3f * (float)i; /* nonzero biases */
    rd_optim_init(&f->o, kind, f->m.n_params);
    f->o.t = 17;
    for (size_t i = 0; i < f->m.n_params; i++) {
        f->o.m[i] = rd_rng_uniform(&rng) - 0.5f;
        if (f->o.v) f->o.v[i] = rd_rng_uniform(&rng) * 1e-3f;
    }
    rd_ckpt_describe(&f->s, &f->m, 6);
    f->s.norm_mean = 0.1307f;
    f->s.norm_std = 0.3081f;
    f->s.epoch = 3;
    f->s.batch = 7;
    f->s.step = 1234567890123LL;
    rd_rng_seed(&f->s.data_rng, 7);
    rd_rng_seed(&f->s.drop_rng, 8);
    /* consistent sums (the loader checks them): 7 batches of 128 rows */
    const double sums[RD_N_SUMS] = {[RD_SUM_LOSS] = 3.125, [RD_SUM_CE] = 2.875, [RD_SUM_KL] = 0.25,
                                    [RD_SUM_LOSS2] = 1.5625, [RD_SUM_BATCHES] = 7,
                                    [RD_SUM_CORRECT] = 600, [RD_SUM_ROWS] = 896, [RD_SUM_SECONDS] = 1.0 / 3};
    memcpy(f->s.sums, sums, sizeof sums);
    f->s.run = (rd_ckpt_run){128, 2000, 1, 100, 1900, 5};
    f->s.input_dropout = 0.125f;
    f->s.best_val_acc = 0.9876;
    f->s.best_epoch = 2;
}

static inline void fixture_free(ckpt_fixture *f) {
    rd_mlp_free(&f->m);
    rd_optim_free(&f->o);
}

/* The whole file; *len its size. The caller frees. */
static inline unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    unsigned char *p = malloc((size_t)n + 1);
    cr_assert_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static inline void spit(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

#endif
