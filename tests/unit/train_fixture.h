/* Test helper for the train suites: the real MNIST (from $MNIST_MIRROR_DIR,
 * else data/mnist; the test is skipped when neither has it), a small config
 * built with --set assignments, and a training run in a temporary folder. */
#ifndef RDROP_TEST_TRAIN_FIXTURE_H
#define RDROP_TEST_TRAIN_FIXTURE_H
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdrop/config.h"
#include "rdrop/train.h"
#include "tmpdir.h"

static inline int train_has_mnist(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", dir);
    if (access(path, R_OK) == 0) return 1;
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte", dir);
    return access(path, R_OK) == 0;
}

static inline const char *train_mnist_dir(void) {
    const char *env = getenv("MNIST_MIRROR_DIR");
    if (env && *env && train_has_mnist(env)) return env;
    if (train_has_mnist("data/mnist")) return "data/mnist";
    cr_skip_test("MNIST not found: set MNIST_MIRROR_DIR or run `make data`");
    return NULL;
}

/* Applies one --set assignment; the test fails if it does not apply. */
static inline void train_set(rd_config *c, const char *assignment) {
    rd_error err = {0};
    cr_assert_eq(rd_config_set(c, assignment, &err), RD_OK, "%s", err.msg);
}

/* models/mlp-256.ini on the first `subset` MNIST training images, batch
 * 100, one BLAS thread (bit-reproducible, and the tests run in parallel),
 * the given method and epochs. */
static inline void train_config(rd_config *c, int subset, const char *method, int epochs) {
    char a[4200];
    rd_config_defaults(c);
    train_set(c, "model.file=models/mlp-256.ini");
    snprintf(a, sizeof a, "data.dir=%s", train_mnist_dir());
    train_set(c, a);
    snprintf(a, sizeof a, "data.train_subset=%d", subset);
    train_set(c, a);
    snprintf(a, sizeof a, "train.method=%s", method);
    train_set(c, a);
    snprintf(a, sizeof a, "train.epochs=%d", epochs);
    train_set(c, a);
    train_set(c, "train.batch_size=100");
    train_set(c, "train.threads=1");
    rd_error err = {0};
    cr_assert_eq(rd_config_validate(c, &err), RD_OK, "%s", err.msg);
}

/* Trains c into out (resuming when asked; stop may be NULL) and returns
 * what rd_train printed to its log. The caller frees the text. */
static inline char *train_run(const rd_config *c, const char *out, int resume,
                              volatile sig_atomic_t *stop, rd_train_result *res) {
    char *text = NULL;
    size_t size = 0;
    FILE *log = open_memstream(&text, &size);
    cr_assert_not_null(log);
    rd_train_options o = {.out_dir = out, .resume = resume, .stop = stop, .log = log, .progress = 0};
    rd_error err = {0};
    rd_status st = rd_train(c, &o, res, &err);
    fclose(log);
    cr_assert_eq(st, RD_OK, "rd_train into %s: %s", out, err.msg);
    return text;
}

/* The content of a whole file (NUL-terminated); *len its size. */
static inline char *train_read(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *p = malloc((size_t)n + 1);
    cr_assert_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    p[n] = 0;
    if (len) *len = (size_t)n;
    return p;
}

#endif
