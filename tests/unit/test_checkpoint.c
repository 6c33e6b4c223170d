/* Checkpoints, saving: the round trip is bit-exact, the write is atomic, and
 * a failed save leaves the previous checkpoint as it was. Reading damaged
 * files is in test_checkpoint_load.c. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt_fixture.h"
#include "tmpdir.h"

static char dir[64];
static char path[256]; /* dir/a.ckpt */

static void setup(void) {
    cr_assert_not_null(tmpdir_make(dir));
    snprintf(path, sizeof path, "%s/a.ckpt", dir);
}
static void teardown(void) {
    chmod(dir, 0755);
    tmpdir_remove(dir);
}
/* Per test, not per suite: both checkpoint files have their own. */
#define FIXTURE .init = setup, .fini = teardown

#define SAME(a, b, what) cr_assert_eq(memcmp(&(a), &(b), sizeof(a)), 0, "%s differs", what)

static void round_trip(rd_optimizer_kind kind) {
    ckpt_fixture f;
    fixture_make(&f, kind);
    rd_error err = {0};
    cr_assert_eq(rd_checkpoint_save(path, &f.m, &f.o, &f.s, &err), RD_OK, "%s", err.msg);
    rd_mlp m;
    rd_optim o;
    rd_ckpt_state s;
    cr_assert_eq(rd_checkpoint_load(path, &m, &o, &s, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(m.n_params, f.m.n_params);
    cr_assert_eq(memcmp(m.params, f.m.params, m.n_params * sizeof(float)), 0, "parameters differ");
    cr_assert_eq(m.n_layers, 3);
    cr_assert_eq(m.layer[1].in, 5);
    cr_assert_eq(m.layer[1].out, 4);
    cr_assert_eq(m.activation, RD_ACT_TANH);
    cr_assert_eq(o.kind, kind);
    cr_assert_eq(o.t, 17);
    cr_assert_eq(memcmp(o.m, f.o.m, m.n_params * sizeof(float)), 0, "first moments differ");
    if (kind == RD_OPT_SGD)
        cr_assert_null(o.v);
    else
        cr_assert_eq(memcmp(o.v, f.o.v, m.n_params * sizeof(float)), 0, "second moments differ");
    /* every field of the state, one by one (the struct has padding) */
    SAME(s.inputs, f.s.inputs, "inputs");
    SAME(s.n_hidden, f.s.n_hidden, "n_hidden");
    SAME(s.hidden, f.s.hidden, "hidden");
    SAME(s.classes, f.s.classes, "classes");
    SAME(s.activation, f.s.activation, "activation");
    SAME(s.dropout, f.s.dropout, "dropout");
    SAME(s.norm_mean, f.s.norm_mean, "norm_mean");
    SAME(s.norm_std, f.s.norm_std, "norm_std");
    SAME(s.epoch, f.s.epoch, "epoch");
    SAME(s.batch, f.s.batch, "batch");
    SAME(s.step, f.s.step, "step");
    SAME(s.data_rng, f.s.data_rng, "data_rng");
    SAME(s.drop_rng, f.s.drop_rng, "drop_rng");
    SAME(s.sums, f.s.sums, "sums");
    SAME(s.best_val_acc, f.s.best_val_acc, "best_val_acc");
    SAME(s.best_epoch, f.s.best_epoch, "best_epoch");
    rd_mlp_free(&m);
    rd_optim_free(&o);
    fixture_free(&f);
}

Test(checkpoint, round_trip_adam_is_bit_exact, FIXTURE) { round_trip(RD_OPT_ADAM); }
Test(checkpoint, round_trip_adamw_is_bit_exact, FIXTURE) { round_trip(RD_OPT_ADAMW); }
Test(checkpoint, round_trip_sgd_is_bit_exact, FIXTURE) { round_trip(RD_OPT_SGD); }

Test(checkpoint, load_without_an_optimizer, FIXTURE) {
    /* eval and predict pass o = NULL */
    ckpt_fixture f;
    fixture_make(&f, RD_OPT_ADAM);
    rd_error err = {0};
    cr_assert_eq(rd_checkpoint_save(path, &f.m, &f.o, &f.s, &err), RD_OK, "%s", err.msg);
    rd_mlp m;
    rd_ckpt_state s;
    cr_assert_eq(rd_checkpoint_load(path, &m, NULL, &s, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(memcmp(m.params, f.m.params, m.n_params * sizeof(float)), 0);
    cr_assert_eq(s.epoch, 3);
    rd_mlp_free(&m);
    fixture_free(&f);
}

/* The names in dir, except . and .., joined by spaces. */
static void list_dir(char *out, size_t n) {
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    out[0] = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? " " : "", e->d_name);
    closedir(d);
}

Test(checkpoint, atomic_write_leaves_no_temporary_file, FIXTURE) {
    ckpt_fixture f;
    fixture_make(&f, RD_OPT_ADAM);
    rd_error err = {0};
    char names[512];
    for (int i = 0; i < 2; i++) { /* a new file, then a replacement */
        f.s.epoch = i;
        cr_assert_eq(rd_checkpoint_save(path, &f.m, &f.o, &f.s, &err), RD_OK, "%s", err.msg);
        list_dir(names, sizeof names);
        cr_assert_str_eq(names, "a.ckpt");
    }
    fixture_free(&f);
}

/* Saves the fixture to path, calls sabotage (when not NULL), then expects a
 * save of a changed model to target (with parameter `bad` set to value, when
 * bad >= 0) to fail with RD_ERR_RUNTIME and a one-line message naming target
 * and containing `what`, and the first file to be untouched. */
static void expect_save_fails_and_keeps(void (*sabotage)(void), const char *target, long bad,
                                        float value, const char *what) {
    ckpt_fixture f;
    fixture_make(&f, RD_OPT_ADAM);
    rd_error err = {0};
    cr_assert_eq(rd_checkpoint_save(path, &f.m, &f.o, &f.s, &err), RD_OK, "%s", err.msg);
    size_t len;
    unsigned char *before = slurp(path, &len);
    if (sabotage) sabotage();
    f.m.params[0] += 1.0f;
    if (bad >= 0) f.m.params[bad] = value;
    cr_assert_eq(rd_checkpoint_save(target, &f.m, &f.o, &f.s, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, target) == err.msg, "message does not start with the path: %s", err.msg);
    cr_assert(strstr(err.msg, what), "expected \"%s\" in: %s", what, err.msg);
    cr_assert(!strchr(err.msg, '\n'), "not one line: %s", err.msg);
    size_t len2;
    unsigned char *after = slurp(path, &len2);
    cr_assert(len2 == len && memcmp(before, after, len) == 0, "the existing checkpoint changed");
    free(before);
    free(after);
    fixture_free(&f);
}

Test(checkpoint, nan_or_inf_parameter_is_refused, FIXTURE) {
    expect_save_fails_and_keeps(NULL, path, 5, NAN, "parameter 5 is not finite");
    expect_save_fails_and_keeps(NULL, path, 73, -INFINITY, "parameter 73 is not finite");
    char names[512];
    list_dir(names, sizeof names);
    cr_assert_str_eq(names, "a.ckpt");
}

Test(checkpoint, save_into_a_missing_folder, FIXTURE) {
    char target[300];
    snprintf(target, sizeof target, "%s/no/such/folder/b.ckpt", dir);
    expect_save_fails_and_keeps(NULL, target, -1, 0, "cannot create");
}

static void make_read_only(void) { cr_assert_eq(chmod(dir, 0555), 0); }

Test(checkpoint, save_into_a_read_only_folder, FIXTURE) {
    /* root ignores the permission bits: probe before relying on them */
    make_read_only();
    char probe[300];
    snprintf(probe, sizeof probe, "%s/probe", dir);
    FILE *p = fopen(probe, "w");
    chmod(dir, 0755);
    if (p) {
        fclose(p);
        cr_skip_test("permissions do not stop this user (root?); the two failed-write tests cover it");
    }
    expect_save_fails_and_keeps(make_read_only, path, -1, 0, "cannot create");
}

Test(checkpoint, failed_create_of_the_temporary_file_keeps_the_old_one, FIXTURE) {
    /* works for root too: a name of 250 bytes fits, the temporary file's
     * (name.tmp.PID) does not */
    char target[400];
    int n = snprintf(target, sizeof target, "%s/", dir);
    memset(target + n, 'x', 250);
    target[n + 250] = 0;
    expect_save_fails_and_keeps(NULL, target, -1, 0, "cannot create a temporary file");
}

/* Files may grow to 100 bytes; beyond, write() fails with EFBIG (SIGXFSZ
 * ignored), as it fails with ENOSPC on a full disk. Criterion runs each test
 * in its own process, so the limit stays in this one. */
static void limit_file_size(void) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit r = {100, 100};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &r), 0, "%s", strerror(errno));
}

Test(checkpoint, full_disk_keeps_the_old_one_and_no_temporary_file, FIXTURE) {
    expect_save_fails_and_keeps(limit_file_size, path, -1, 0, "write failed: File too large; the old file is kept");
    char names[512];
    list_dir(names, sizeof names);
    cr_assert_str_eq(names, "a.ckpt");
}
