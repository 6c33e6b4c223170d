/* Checkpoints, reading damaged files: every flipped byte, every truncation,
 * bad magic, wrong version, empty, missing, and headers that lie under a
 * valid CRC. Each is a one-line error that starts with the file's path;
 * none crashes (the suite runs under ASan in `make test-sanitize`). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <zlib.h>

#include "ckpt_fixture.h"
#include "tmpdir.h"

static char dir[64];
static char good[256], bad[256]; /* a valid checkpoint and the damaged copy */
static unsigned char *bytes;     /* good's content */
static size_t len;

static void setup(void) {
    cr_assert_not_null(tmpdir_make(dir));
    snprintf(good, sizeof good, "%s/good.ckpt", dir);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    ckpt_fixture f;
    fixture_make(&f, RD_OPT_ADAM);
    rd_error err = {0};
    cr_assert_eq(rd_checkpoint_save(good, &f.m, &f.o, &f.s, &err), RD_OK, "%s", err.msg);
    fixture_free(&f);
    bytes = slurp(good, &len);
}
static void teardown(void) {
    free(bytes);
    tmpdir_remove(dir);
}
/* Per test, not per suite: both checkpoint files have their own. */
#define FIXTURE .init = setup, .fini = teardown

/* Loads p, expects RD_ERR_RUNTIME with a one-line message that starts with
 * the path and contains one of the fragments (a second may be NULL). */
static void expect_error(const char *p, const char *what, const char *or_what, const char *ctx) {
    rd_mlp m;
    rd_optim o;
    rd_ckpt_state s;
    rd_error err = {0};
    cr_assert_eq(rd_checkpoint_load(p, &m, &o, &s, &err), RD_ERR_RUNTIME, "%s: loaded", ctx);
    cr_assert(strncmp(err.msg, p, strlen(p)) == 0, "%s: message does not start with the path: %s", ctx,
              err.msg);
    cr_assert(strstr(err.msg, what) || (or_what && strstr(err.msg, or_what)),
              "%s: expected \"%s\"%s%s in: %s", ctx, what, or_what ? " or " : "", or_what ? or_what : "",
              err.msg);
    cr_assert(!strchr(err.msg, '\n'), "%s: not one line: %s", ctx, err.msg);
    cr_assert_null(m.params, "%s: model left allocated", ctx);
    cr_assert_null(o.m, "%s: optimizer left allocated", ctx);
}

Test(checkpoint, every_flipped_byte_is_caught, FIXTURE) {
    cr_assert_gt(len, 900); /* 74 parameters and two moments of them */
    unsigned char *copy = malloc(len);
    char ctx[64];
    for (size_t i = 0; i < len; i++) {
        memcpy(copy, bytes, len);
        copy[i] ^= 0xff;
        spit(bad, copy, len);
        snprintf(ctx, sizeof ctx, "byte %zu of %zu flipped", i, len);
        if (i < 8)
            expect_error(bad, "bad magic", NULL, ctx);
        else if (i < 12)
            expect_error(bad, "version", NULL, ctx);
        else if (i < 16)
            expect_error(bad, "byte order", NULL, ctx);
        else /* the parameters, moments, state and the CRC itself */
            expect_error(bad, "CRC32 mismatch", NULL, ctx);
    }
    free(copy);
}

Test(checkpoint, every_truncation_is_caught, FIXTURE) {
    char ctx[64];
    for (size_t n = 1; n < len; n++) {
        spit(bad, bytes, n);
        snprintf(ctx, sizeof ctx, "first %zu of %zu bytes", n, len);
        expect_error(bad, "truncated", "CRC32", ctx);
    }
}

Test(checkpoint, extra_bytes_are_caught, FIXTURE) {
    unsigned char *longer = calloc(len + 3, 1);
    memcpy(longer, bytes, len);
    spit(bad, longer, len + 3);
    expect_error(bad, "CRC32", NULL, "3 bytes appended");
    free(longer);
}

Test(checkpoint, text_file_has_bad_magic, FIXTURE) {
    const char text[] = "[model]\nhidden = 256\n; not a checkpoint\n";
    spit(bad, text, sizeof text - 1);
    expect_error(bad, "not an rdrop checkpoint", NULL, "a text file");
}

Test(checkpoint, empty_file, FIXTURE) {
    spit(bad, "", 0);
    expect_error(bad, "empty", NULL, "a zero-length file");
}

Test(checkpoint, missing_file, FIXTURE) {
    char p[300];
    snprintf(p, sizeof p, "%s/no-such.ckpt", dir);
    expect_error(p, "cannot open", NULL, "a missing file");
    expect_error(dir, "not a regular file", NULL, "a folder");
}

/* Rewrites the CRC at the end of buf so that only the content is wrong. */
static void fix_crc(unsigned char *buf, size_t n) {
    uint32_t crc = (uint32_t)crc32(0L, buf, (uInt)(n - 4));
    memcpy(buf + n - 4, &crc, 4);
}

/* A copy of the good file with the 32-bit value at offset set to v and a
 * valid CRC, loaded; expects `what` in the error. */
static void expect_lie(size_t offset, int32_t v, const char *what, const char *ctx) {
    unsigned char *copy = malloc(len);
    memcpy(copy, bytes, len);
    memcpy(copy + offset, &v, 4);
    fix_crc(copy, len);
    spit(bad, copy, len);
    expect_error(bad, what, NULL, ctx);
    free(copy);
}

/* Offsets: magic 0, version 8, byte order 12, then arch = {inputs,
 * n_hidden, classes, activation, hidden[8]} at 16. */
Test(checkpoint, wrong_version, FIXTURE) {
    expect_lie(8, RD_CKPT_VERSION + 1, "checkpoint version 3", "version 3");
    expect_lie(8, 0, "checkpoint version 0", "version 0");
}

Test(checkpoint, headers_that_lie_under_a_valid_crc, FIXTURE) {
    expect_lie(16 + 4, 9, "invalid architecture", "9 hidden layers");
    expect_lie(16 + 4, -1, "invalid architecture", "-1 hidden layers");
    expect_lie(16 + 12, 7, "invalid architecture", "activation 7");
    expect_lie(16, 7, "architecture has", "inputs 7 instead of 6");
    expect_lie(16 + 16, -5, "invalid layer sizes", "a negative layer");
    expect_lie(16 + 16, 1 << 30, "architecture has", "a huge layer");
    /* header {6, 2, 3, tanh, 5, 4, 0...} + dropout, mean, std, input
     * dropout: the parameter count follows at 16 + 48 + 16 */
    expect_lie(16 + 64, 75, "header says 75 parameters", "one parameter too many");
}

/* Values the writer never produces, in a file with a valid CRC (made by hand
 * or by a tool): each is refused when loading, not an epoch later (NaN
 * moments) or never (an all-zero generator state makes xoshiro return 0
 * forever, and rd_rng_below then loops without end). */
static void expect_bad_state(void (*spoil)(ckpt_fixture *), const char *what) {
    ckpt_fixture f;
    fixture_make(&f, RD_OPT_ADAM);
    spoil(&f);
    rd_error err = {0};
    cr_assert_eq(rd_checkpoint_save(bad, &f.m, &f.o, &f.s, &err), RD_OK, "%s", err.msg);
    fixture_free(&f);
    expect_error(bad, what, NULL, what);
}
static void zero_drop_rng(ckpt_fixture *f) { memset(&f->s.drop_rng, 0, sizeof f->s.drop_rng); }
static void zero_data_rng(ckpt_fixture *f) { memset(&f->s.data_rng, 0, sizeof f->s.data_rng); }
static void nan_moment(ckpt_fixture *f) { f->o.m[3] = NAN; }
static void negative_v(ckpt_fixture *f) { f->o.v[5] = -1e-3f; }
static void inf_sum(ckpt_fixture *f) { f->s.sums[RD_SUM_LOSS] = INFINITY; }
static void more_correct_than_rows(ckpt_fixture *f) { f->s.sums[RD_SUM_CORRECT] = 1e9; }
static void batches_not_batch(ckpt_fixture *f) { f->s.sums[RD_SUM_BATCHES] = 3; }
static void dropout_one(ckpt_fixture *f) { f->s.dropout = 1.0f; }
static void input_dropout_negative(ckpt_fixture *f) { f->s.input_dropout = -0.5f; }
static void zero_std(ckpt_fixture *f) { f->s.norm_std = 0.0f; }
static void best_epoch_ahead(ckpt_fixture *f) { f->s.best_epoch = 9; }
static void best_acc_two(ckpt_fixture *f) { f->s.best_val_acc = 2.0; }
static void batch_size_zero(ckpt_fixture *f) { f->s.run.batch_size = 0; }

Test(checkpoint, values_the_writer_never_produces, FIXTURE) {
    expect_bad_state(zero_drop_rng, "random generator state is all zero");
    expect_bad_state(zero_data_rng, "random generator state is all zero");
    expect_bad_state(nan_moment, "optimizer moment is not finite");
    expect_bad_state(negative_v, "second moment is negative");
    expect_bad_state(inf_sum, "running sum of the epoch is not finite");
    expect_bad_state(more_correct_than_rows, "running sums of the epoch are inconsistent");
    expect_bad_state(batches_not_batch, "running sums of the epoch are inconsistent");
    expect_bad_state(dropout_one, "not in [0, 1)");
    expect_bad_state(input_dropout_negative, "not in [0, 1)");
    expect_bad_state(zero_std, "invalid input normalization");
    expect_bad_state(best_epoch_ahead, "invalid best epoch");
    expect_bad_state(best_acc_two, "invalid best validation accuracy");
    expect_bad_state(batch_size_zero, "invalid run settings");
}

/* A version 1 file (no input dropout, no run block) still loads. */
Test(checkpoint, version_1_still_loads, FIXTURE) {
    /* v1 = v2 without the input-dropout float after the header's three floats
     * and without the 28-byte run block before the CRC */
    size_t at_float = 16 + 48 + 12, run_block = 5 * 4 + 8;
    unsigned char *v1 = malloc(len);
    memcpy(v1, bytes, at_float);
    memcpy(v1 + at_float, bytes + at_float + 4, len - 4 - run_block - at_float - 4);
    size_t n = len - 4 - run_block;
    uint32_t one = 1;
    memcpy(v1 + 8, &one, 4);
    fix_crc(v1, n);
    spit(bad, v1, n);
    free(v1);
    rd_mlp m;
    rd_optim o;
    rd_ckpt_state s;
    rd_error err = {0};
    cr_assert_eq(rd_checkpoint_load(bad, &m, &o, &s, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(s.version, 1);
    cr_assert_eq(s.input_dropout, 0.0f);
    cr_assert_eq(s.run.batch_size, 0, "a version 1 file has no run block");
    cr_assert_eq(s.epoch, 3);
    rd_mlp_free(&m);
    rd_optim_free(&o);
}
