/* Resume equivalence: a run that is stopped and resumed, at an epoch
 * boundary or in the middle of an epoch, ends bit-identical to the run that
 * went straight through. R-Drop on 1000 MNIST images, 4 epochs of 10
 * batches, one BLAS thread.
 *
 * The mid-epoch stop uses the trainer's own stop flag (what SIGINT and
 * SIGTERM set in `rdrop train`), raised before rd_train starts: the trainer
 * checks it after each step, so it stops after exactly one batch of the
 * epoch in progress, which makes the test deterministic. */
#include <signal.h>

#include "rdrop/checkpoint.h"
#include "train_fixture.h"

static char dir[64];
static void setup(void) { cr_assert_not_null(tmpdir_make(dir)); }
static void teardown(void) { tmpdir_remove(dir); }
TestSuite(train, .init = setup, .fini = teardown);

/* dir/name */
static const char *in_dir(const char *name) {
    static char paths[4][256];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static void train(const char *out, int epochs, int resume, volatile sig_atomic_t *stop,
                  rd_train_result *res) {
    rd_config c;
    train_config(&c, 1000, "rdrop", epochs);
    free(train_run(&c, out, resume, stop, res));
}

/* The straight run everything is compared with; returns its test accuracy. */
static double train_reference(const char *out) {
    rd_train_result res;
    train(out, 4, 0, NULL, &res);
    cr_assert_eq(res.epochs_done, 4);
    cr_assert_eq(res.interrupted, 0);
    return res.test_acc;
}

/* Loads run/last.ckpt and checks where training stood. */
static void expect_position(const char *run, int epoch, int batch, long long step) {
    char path[300];
    snprintf(path, sizeof path, "%s/last.ckpt", run);
    rd_mlp m;
    rd_optim o;
    rd_ckpt_state s;
    rd_error err = {0};
    cr_assert_eq(rd_checkpoint_load(path, &m, &o, &s, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(s.epoch, epoch, "%s: epoch %d, want %d", path, s.epoch, epoch);
    cr_assert_eq(s.batch, batch, "%s: batch %d, want %d", path, s.batch, batch);
    cr_assert_eq(s.step, step, "%s: step %lld, want %lld", path, s.step, step);
    cr_assert_eq(o.t, step);
    rd_mlp_free(&m);
    rd_optim_free(&o);
}

/* metrics.csv without the two timing columns (epoch_seconds,
 * samples_per_second), which differ from run to run. */
static char *metrics_without_timing(const char *run) {
    char path[300];
    snprintf(path, sizeof path, "%s/metrics.csv", run);
    char *text = train_read(path, NULL), *out = malloc(strlen(text) + 1), *o = out;
    int field = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') field = -1;
        if (field != 8 && field != 9) *o++ = *p;
        if (*p == ',' || *p == '\n') field++;
    }
    *o = 0;
    free(text);
    return out;
}

/* Same last.ckpt, byte for byte (parameters, moments, RNG states, step), and
 * the same metrics apart from timing. */
static void expect_same_run(const char *a, const char *b) {
    char pa[300], pb[300];
    snprintf(pa, sizeof pa, "%s/last.ckpt", a);
    snprintf(pb, sizeof pb, "%s/last.ckpt", b);
    rd_mlp ma, mb;
    rd_ckpt_state sa, sb;
    rd_error err = {0};
    cr_assert_eq(rd_checkpoint_load(pa, &ma, NULL, &sa, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_checkpoint_load(pb, &mb, NULL, &sb, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(ma.n_params, mb.n_params);
    cr_assert_eq(memcmp(ma.params, mb.params, ma.n_params * sizeof(float)), 0,
                 "the resumed run's parameters differ from the straight run's");
    rd_mlp_free(&ma);
    rd_mlp_free(&mb);
    size_t la, lb;
    char *fa = train_read(pa, &la), *fb = train_read(pb, &lb);
    cr_assert(la == lb && memcmp(fa, fb, la) == 0, "last.ckpt files differ beyond the parameters");
    free(fa);
    free(fb);
    char *ra = metrics_without_timing(a), *rb = metrics_without_timing(b);
    cr_assert_str_eq(ra, rb);
    free(ra);
    free(rb);
}

Test(train, resume_at_an_epoch_boundary_is_bit_identical, .timeout = 60) {
    const char *a = in_dir("A"), *b = in_dir("B");
    double acc = train_reference(a);
    rd_train_result res;
    train(b, 2, 0, NULL, &res);
    cr_assert_eq(res.epochs_done, 2);
    expect_position(b, 2, 0, 20);
    train(b, 4, 1, NULL, &res); /* rdrop train --resume B --set train.epochs=4 */
    cr_assert_eq(res.epochs_done, 4);
    expect_same_run(a, b);

    /* Resuming the finished run trains nothing and reports its accuracy
     * (it used to print test_acc=0.0000). */
    train(b, 4, 1, NULL, &res);
    cr_assert_eq(res.epochs_done, 4);
    cr_assert_eq(res.test_acc, acc);
    expect_same_run(a, b);
    /* Fewer epochs than it has done is a usage error. */
    rd_config c;
    train_config(&c, 1000, "rdrop", 3);
    rd_train_options o = {.out_dir = b, .resume = 1, .log = stdout};
    rd_error err = {0};
    cr_assert_eq(rd_train(&c, &o, &res, &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "has done 4 epochs, more than train.epochs = 3"), "%s", err.msg);
}

Test(train, resume_in_the_middle_of_an_epoch_is_bit_identical, .timeout = 60) {
    const char *a = in_dir("A"), *c = in_dir("C");
    train_reference(a);
    volatile sig_atomic_t stop = SIGTERM;
    rd_train_result res;
    /* stopped after batch 1 of epoch 1: the running sums are in the file */
    train(c, 4, 0, &stop, &res);
    cr_assert_eq(res.interrupted, SIGTERM);
    cr_assert_eq(res.epochs_done, 0);
    expect_position(c, 0, 1, 1);
    /* on to the end of epoch 2, then stopped after batch 1 of epoch 3: this
     * epoch's shuffle comes from a data RNG that has moved on */
    train(c, 2, 1, NULL, &res);
    expect_position(c, 2, 0, 20);
    train(c, 4, 1, &stop, &res);
    cr_assert_eq(res.interrupted, SIGTERM);
    expect_position(c, 2, 1, 21);
    train(c, 4, 1, NULL, &res);
    cr_assert_eq(res.interrupted, 0);
    cr_assert_eq(res.epochs_done, 4);
    expect_same_run(a, c);
}
