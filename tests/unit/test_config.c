/* Experiment configs: defaults, model files, every error message, --set,
 * and the write/load round trip. Files go into a fresh temporary directory;
 * the example configs are read from the repository (tests run from its root). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdrop/config.h"
#include "config/config_keys.h"

static char tmp[64]; /* this test's directory (each test runs in its own process) */

static void make_tmp(void) {
    strcpy(tmp, "/tmp/rdrop-config-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void remove_tmp(void) {
    DIR *d = opendir(tmp);
    if (!d) return;
    char path[512];
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", tmp, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(tmp);
}

TestSuite(config, .init = make_tmp, .fini = remove_tmp);

/* Writes tmp/name; returns its path in a buffer that the next call reuses. */
static const char *put(const char *name, const char *text) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads text as tmp/x.ini; expects failure with status and both fragments. */
static void expect_load_error(const char *text, rd_status status, const char *where,
                              const char *what) {
    rd_config c;
    rd_error err = {0};
    char path[512];
    snprintf(path, sizeof path, "%s", put("x.ini", text));
    cr_assert_eq(rd_config_load(path, &c, &err), status, "for %s: got \"%s\"", text, err.msg);
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s/x.ini:%s", tmp, where);
    cr_assert(strstr(err.msg, prefix) == err.msg, "expected prefix \"%s\" in \"%s\"", prefix,
              err.msg);
    cr_assert(strstr(err.msg, what), "expected \"%s\" in \"%s\"", what, err.msg);
    cr_assert_null(strchr(err.msg, '\n'), "one line: %s", err.msg);
}

static void expect_set_error(const char *assignment, const char *what) {
    rd_config c;
    rd_error err = {0};
    rd_config_defaults(&c);
    cr_assert_eq(rd_config_set(&c, assignment, &err), RD_ERR_USAGE, "for %s", assignment);
    cr_assert(strstr(err.msg, "--set ") == err.msg, "got \"%s\"", err.msg);
    cr_assert(strstr(err.msg, what), "expected \"%s\" in \"%s\"", what, err.msg);
}

Test(config, defaults) {
    rd_config c;
    rd_config_defaults(&c);
    cr_assert_eq(c.model.inputs, 784);
    cr_assert_eq(c.model.n_hidden, 2);
    cr_assert_eq(c.model.hidden[0], 1024);
    cr_assert_eq(c.model.hidden[1], 1024);
    cr_assert_eq(c.model.activation, RD_ACT_RELU);
    cr_assert_float_eq(c.model.dropout, 0.3f, 1e-7);
    cr_assert_eq(c.model.classes, 10);
    cr_assert_eq(c.model.init, RD_INIT_KAIMING);
    cr_assert_str_eq(c.model.file, "");
    cr_assert_str_eq(c.data.dir, "data/mnist");
    cr_assert_str_eq(c.data.test_dir, "");
    cr_assert_eq(c.data.train_subset + c.data.subset_random + c.data.val_size, 0);
    cr_assert_eq(c.data.normalize, 0);
    cr_assert_eq(c.train.method, RD_METHOD_DROPOUT);
    cr_assert_eq(c.train.alpha, 1.0f);
    cr_assert_eq(c.train.epochs, 10);
    cr_assert_eq(c.train.batch_size, 128);
    cr_assert_eq(c.train.optimizer, RD_OPT_ADAM);
    cr_assert_eq(c.train.lr, 0.001f);
    cr_assert_eq(c.train.momentum, 0.9f);
    cr_assert_eq(c.train.beta2, 0.999f);
    cr_assert_eq(c.train.eps, 1e-8f);
    cr_assert_eq(c.train.schedule, RD_SCHED_CONSTANT);
    cr_assert_eq(c.train.step_size, 5);
    cr_assert_eq(c.train.gamma, 0.1f);
    cr_assert_eq(c.train.seed, 0ULL);
    cr_assert_eq(c.train.threads, 2);
    cr_assert_eq(c.train.eval_interval, 1);
    cr_assert_eq(c.train.checkpoint_interval, 1);
    cr_assert_eq(c.train.memory_limit_mb, 0.0);
    rd_error err = {0};
    cr_assert_eq(rd_config_validate(&c, &err), RD_OK, "%s", err.msg);
}

Test(config, model_file_relative_to_config_dir_and_overrides) {
    put("net.ini", "[model]\nhidden = 64, 32\nactivation = tanh\ndropout = 0.5\n"
                   "init = xavier\n");
    /* the experiment's dropout comes before file: it must still win */
    const char *path = put("exp-one.ini", "; test\n[model]\ndropout = 0.1\nfile = net.ini\n"
                                          "[train]\nmethod = rdrop ; inline comment\n"
                                          "alpha = 2.5\nseed = 18446744073709551615\n");
    rd_config c;
    rd_error err = {0};
    cr_assert_eq(rd_config_load(path, &c, &err), RD_OK, "%s", err.msg);
    cr_assert_str_eq(c.name, "exp-one");
    cr_assert_str_eq(c.path, path);
    cr_assert_eq(c.model.n_hidden, 2);
    cr_assert_eq(c.model.hidden[0], 64);
    cr_assert_eq(c.model.hidden[1], 32);
    cr_assert_eq(c.model.activation, RD_ACT_TANH);
    cr_assert_eq(c.model.init, RD_INIT_XAVIER);
    cr_assert_eq(c.model.dropout, 0.1f);
    cr_assert_eq(c.model.inputs, 784); /* neither file sets it: the default */
    cr_assert(strstr(c.model.file, "net.ini"));
    cr_assert_eq(c.train.method, RD_METHOD_RDROP);
    cr_assert_eq(c.train.alpha, 2.5f);
    cr_assert_eq(c.train.seed, 18446744073709551615ULL);
}

Test(config, example_configs_load_and_validate) {
    glob_t g;
    cr_assert_eq(glob("experiments/*.ini", 0, NULL, &g), 0, "run from the repository root");
    cr_assert_geq(g.gl_pathc, 5);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        rd_config c;
        rd_error err = {0};
        cr_assert_eq(rd_config_load(g.gl_pathv[i], &c, &err), RD_OK, "%s", err.msg);
        cr_assert_eq(rd_config_validate(&c, &err), RD_OK, "%s", err.msg);
        cr_assert_str_neq(c.model.file, "", "%s names a model file", g.gl_pathv[i]);
    }
    globfree(&g);
    rd_config c;
    rd_error err = {0};
    cr_assert_eq(rd_config_load("experiments/mnist-rdrop.ini", &c, &err), RD_OK, "%s", err.msg);
    cr_assert_str_eq(c.name, "mnist-rdrop");
    cr_assert_eq(c.train.method, RD_METHOD_RDROP);
    cr_assert_eq(c.model.hidden[1], 1024);
    cr_assert_eq(rd_config_load("experiments/smoke.ini", &c, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.model.n_hidden, 1);
    cr_assert_eq(c.model.hidden[0], 256);
    cr_assert_eq(c.data.train_subset, 2000);
}

Test(config, syntax_section_and_key_errors) {
    expect_load_error("[train]\nlr = 0.1\n[optim]\nlr = 2\n", RD_ERR_USAGE, "4:",
                      "unknown section [optim]");
    expect_load_error("[train]\n\nlrr = 0.1\n", RD_ERR_USAGE, "3:",
                      "unknown key \"lrr\" in section [train]");
    expect_load_error("lr = 0.1\n", RD_ERR_USAGE, "1:", "outside any section");
    expect_load_error("[train]\nlr 0.1\n", RD_ERR_USAGE, "2:", "syntax error");
    expect_load_error("[train]\nlr = 0.1\nepochs = 3\nlr = 0.2\n", RD_ERR_USAGE, "4:",
                      "train.lr is already set on line 2");
}

Test(config, value_type_errors) {
    expect_load_error("[train]\nepochs = 12abc\n", RD_ERR_USAGE, "2:",
                      "train.epochs: expected an integer, got \"12abc\"");
    expect_load_error("[train]\nepochs = 1e3\n", RD_ERR_USAGE, "2:", "expected an integer");
    expect_load_error("[train]\nepochs =\n", RD_ERR_USAGE, "2:",
                      "train.epochs: expected an integer, got \"\"");
    expect_load_error("[data]\n\n\ntrain_subset = 3000000000\n", RD_ERR_USAGE, "4:",
                      "data.train_subset: 3000000000 is out of range [0, 2147483647]");
    expect_load_error("[train]\nlr = abc\n", RD_ERR_USAGE, "2:",
                      "train.lr: expected a number, got \"abc\"");
    expect_load_error("[train]\nlr = 0.1x\n", RD_ERR_USAGE, "2:", "expected a number");
    expect_load_error("[train]\nlr = nan\n", RD_ERR_USAGE, "2:",
                      "train.lr: expected a finite number, got \"nan\"");
    expect_load_error("[train]\nalpha = inf\n", RD_ERR_USAGE, "2:", "expected a finite number");
    expect_load_error("[data]\nnormalize = maybe\n", RD_ERR_USAGE, "2:",
                      "data.normalize: expected true/false");
    expect_load_error("[train]\noptimizer = rmsprop\n", RD_ERR_USAGE, "2:",
                      "train.optimizer: expected one of sgd|adam|adamw, got \"rmsprop\"");
    expect_load_error("[train]\nseed = -1\n", RD_ERR_USAGE, "2:", "train.seed: -1 is out of range");
}

Test(config, range_errors) {
    expect_load_error("[train]\nbatch_size = 0\n", RD_ERR_USAGE, "2:",
                      "train.batch_size: 0 is out of range [1, 65536]");
    expect_load_error("[train]\nweight_decay = -0.5\n", RD_ERR_USAGE, "2:",
                      "train.weight_decay: -0.5 is out of range [0, inf)");
    expect_load_error("[train]\nlr = 0\n", RD_ERR_USAGE, "2:", "train.lr: 0 is out of range (0, ");
    expect_load_error("[model]\ndropout = 1\n", RD_ERR_USAGE, "2:",
                      "model.dropout: 1 is out of range [0, 1)");
    expect_load_error("[train]\neps = 1e-50\n", RD_ERR_USAGE, "2:", "out of range (0, inf)");
    expect_load_error("[train]\nthreads = 257\n", RD_ERR_USAGE, "2:", "[1, 256]");
    /* a huge learning rate is allowed: the trainer's divergence tests use it */
    rd_config c;
    rd_error err = {0};
    cr_assert_eq(rd_config_load(put("ok.ini", "[train]\nlr = 1e6\n"), &c, &err), RD_OK, "%s",
                 err.msg);
    cr_assert_eq(c.train.lr, 1e6f);
}

Test(config, hidden_list_errors) {
    expect_load_error("[model]\nhidden = 1024,1000000000000\n", RD_ERR_USAGE, "2:",
                      "model.hidden: layer 2: 1000000000000 is out of range [1, 1000000]");
    expect_load_error("[model]\nhidden = 99999999999999999999999\n", RD_ERR_USAGE, "2:",
                      "out of range [1, 1000000]");
    expect_load_error("[model]\nhidden = 1,2,3,4,5,6,7,8,9\n", RD_ERR_USAGE, "2:",
                      "model.hidden: more than 8 layers");
    expect_load_error("[model]\nhidden =\n", RD_ERR_USAGE, "2:",
                      "model.hidden: expected 1 to 8 comma-separated layer sizes, got \"\"");
    expect_load_error("[model]\nhidden = 8,,8\n", RD_ERR_USAGE, "2:", "expected 1 to 8");
    expect_load_error("[model]\nhidden = 0\n", RD_ERR_USAGE, "2:", "layer 1: 0 is out of range");
}

Test(config, model_file_errors) {
    expect_load_error("[model]\nfile = missing.ini\n", RD_ERR_RUNTIME, "2:",
                      "model.file: cannot read \"missing.ini\"");
    put("bad-model.ini", "[model]\nhidden = 16\n[train]\nlr = 1\n");
    rd_config c;
    rd_error err = {0};
    const char *path = put("uses-bad.ini", "[model]\nfile = bad-model.ini\n");
    cr_assert_eq(rd_config_load(path, &c, &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "bad-model.ini:4: unknown section [train]"), "%s", err.msg);
    cr_assert_eq(rd_config_load("/nonexistent/x.ini", &c, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "cannot read \"/nonexistent/x.ini\""), "%s", err.msg);
}

/* A NUL byte ends a C string: read with fgets, "epochs = 1\0 ..." would lose
 * the rest of its line, and the error named a line length. */
Test(config, a_nul_byte_is_named) {
    static const char text[] = "[train]\nepochs = 1\0junk\nlr = 0.1\n";
    char path[512];
    snprintf(path, sizeof path, "%s/nul.ini", tmp);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(text, 1, sizeof text - 1, f), sizeof text - 1);
    fclose(f);
    rd_config c;
    rd_error err = {0};
    cr_assert_eq(rd_config_load(path, &c, &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "nul.ini:2: a NUL byte: not a text file"), "%s", err.msg);
}

Test(config, too_long_strings_are_errors) {
    char text[1200], line[300];
    /* inih reads at most 199 characters a line: a longer one must fail, not be cut */
    memset(line, 'd', 250);
    line[250] = '\0';
    snprintf(text, sizeof text, "[data]\ndir = %s\n", line);
    expect_load_error(text, RD_ERR_USAGE, "2:", "line is longer than 199 characters");
    line[193] = '\0'; /* "dir = " + 193 = 199 characters: the longest line that fits */
    snprintf(text, sizeof text, "[data]\ndir = %s\n", line);
    rd_config c;
    rd_error err = {0};
    cr_assert_eq(rd_config_load(put("fits.ini", text), &c, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(strlen(c.data.dir), 193);
    char assignment[1200] = "data.dir=";
    memset(assignment + 9, 'd', 1100);
    assignment[1109] = '\0';
    /* what --set accepts must fit on a config.ini line too ("dir = " + 193) */
    expect_set_error(assignment, "data.dir: value is 1100 characters long; at most 193 fit");
    /* an empty data.dir would read /train-images-idx3-ubyte.gz */
    expect_set_error("data.dir=", "data.dir: needs a value (default data/mnist)");
    expect_load_error("[data]\ndir =\n", RD_ERR_USAGE, "2:", "data.dir: needs a value");
    assignment[9 + 194] = '\0';
    expect_set_error(assignment, "data.dir: value is 194 characters long; at most 193 fit");
    assignment[9 + 193] = '\0';
    rd_config_defaults(&c);
    cr_assert_eq(rd_config_set(&c, assignment, &err), RD_OK, "%s", err.msg);
    /* found by tests/fuzz/fuzz_config.c: the written config must load back */
    char written[600];
    snprintf(written, sizeof written, "%s/written.ini", tmp);
    cr_assert_eq(rd_config_write(&c, written, &err), RD_OK, "%s", err.msg);
    rd_config back;
    cr_assert_eq(rd_config_load(written, &back, &err), RD_OK, "%s", err.msg);
    cr_assert_str_eq(back.data.dir, c.data.dir);
}

Test(config, set_overrides) {
    rd_config c;
    rd_error err = {0};
    rd_config_defaults(&c);
    cr_assert_eq(rd_config_set(&c, "train.lr=0.5", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.lr, 0.5f);
    cr_assert_eq(rd_config_set(&c, " model.hidden = 10, 20, 30 ", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.model.n_hidden, 3);
    cr_assert_eq(c.model.hidden[2], 30);
    cr_assert_eq(rd_config_set(&c, "train.nesterov=on", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.nesterov, 1);
    cr_assert_eq(rd_config_set(&c, "data.test_dir=", &err), RD_OK, "%s", err.msg);
    /* a model file set later fills the [model] keys not set so far: the
     * hidden sizes set above win, its activation is taken */
    put("m.ini", "[model]\nhidden = 7\nactivation = tanh\n");
    char assignment[600];
    snprintf(assignment, sizeof assignment, "model.file=%s/m.ini", tmp);
    cr_assert_eq(rd_config_set(&c, assignment, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.model.n_hidden, 3);
    cr_assert_eq(c.model.hidden[0], 10);
    cr_assert_eq(c.model.activation, RD_ACT_TANH);
    expect_set_error("train.lr", "--set train.lr: expected section.key=value");
    expect_set_error("lr=0.1", "expected section.key=value");
    expect_set_error("train.lrr=0.1",
                     "--set train.lrr=0.1: unknown key \"lrr\" in section [train]");
    expect_set_error("optim.lr=0.1", "unknown section [optim]");
    expect_set_error("train.lr=abc",
                     "--set train.lr=abc: train.lr: expected a number, got \"abc\"");
    cr_assert_eq(rd_config_set(&c, "model.file=/nonexistent.ini", &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "--set model.file=/nonexistent.ini: model.file: cannot read "
                              "\"/nonexistent.ini\""), "%s", err.msg);
    /* a failed --set leaves the value alone */
    cr_assert_neq(rd_config_set(&c, "train.epochs=0", &err), RD_OK);
    cr_assert_eq(c.train.epochs, 10);
}

Test(config, validate_cross_field) {
    rd_config c;
    rd_error err = {0};
    rd_config_defaults(&c);
    cr_assert_eq(rd_config_set(&c, "train.warmup_epochs=10", &err), RD_OK);
    cr_assert_eq(rd_config_validate(&c, &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "train.warmup_epochs (10) must be less than train.epochs (10)"),
              "%s", err.msg);
    rd_config_defaults(&c);
    rd_config_set(&c, "train.nesterov=true", &err);
    cr_assert_eq(rd_config_validate(&c, &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "train.nesterov needs train.optimizer = sgd"), "%s", err.msg);
    rd_config_set(&c, "train.optimizer=sgd", &err);
    cr_assert_eq(rd_config_validate(&c, &err), RD_OK, "%s", err.msg);
    rd_config_set(&c, "train.momentum=0", &err);
    cr_assert_eq(rd_config_validate(&c, &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "momentum > 0"), "%s", err.msg);
    rd_config_defaults(&c);
    rd_config_set(&c, "train.method=rdrop", &err);
    rd_config_set(&c, "model.dropout=0", &err); /* pointless but allowed */
    cr_assert_eq(rd_config_validate(&c, &err), RD_OK, "%s", err.msg);
}

Test(config, write_load_round_trip) {
    rd_config c, back;
    rd_error err = {0};
    put("net.ini", "[model]\nhidden = 300,100\n");
    cr_assert_eq(rd_config_load(put("orig.ini", "[model]\nfile = net.ini\n"), &c, &err), RD_OK,
                 "%s", err.msg);
    const char *sets[] = {"train.lr=0.0123456789", "train.alpha=0.1", "model.dropout=0.15",
                          "train.memory_limit_mb=1234.56789012345", "train.seed=123456789012345",
                          "data.test_dir=", "data.dir=some dir/with spaces",
                          "train.schedule=cosine", "train.min_lr=1e-7", "data.normalize=yes",
                          "train.eps=3e-9", "model.activation=tanh"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        cr_assert_eq(rd_config_set(&c, sets[i], &err), RD_OK, "%s", err.msg);
    char path[512];
    snprintf(path, sizeof path, "%s/effective.ini", tmp);
    cr_assert_eq(rd_config_write(&c, path, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_config_load(path, &back, &err), RD_OK, "%s", err.msg);
    cr_assert_str_eq(back.name, "effective");
    /* everything but where it was loaded from is identical, floats to the bit */
    memcpy(back.path, c.path, sizeof c.path);
    memcpy(back.name, c.name, sizeof c.name);
    back.set_keys = c.set_keys; /* a written config sets every key */
    cr_assert_eq(memcmp(&c, &back, sizeof c), 0);
    /* and the file says what it is and what changed */
    FILE *f = fopen(path, "r");
    char text[8192];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    cr_assert(strstr(text, "; The effective configuration"), "%s", text);
    cr_assert(strstr(text, "lr = 0.012345679 ; default: 0.001"), "%s", text);
    cr_assert(strstr(text, "hidden = 300,100 ; default: 1024,1024"), "%s", text);
    cr_assert(strstr(text, "epochs = 10\n"), "%s", text);
}

Test(config, round_trip_of_defaults_and_unwritable_string) {
    rd_config c, back;
    rd_error err = {0};
    rd_config_defaults(&c);
    char path[512];
    snprintf(path, sizeof path, "%s/d.ini", tmp);
    cr_assert_eq(rd_config_write(&c, path, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_config_load(path, &back, &err), RD_OK, "%s", err.msg);
    memset(back.path, 0, sizeof back.path);
    memset(back.name, 0, sizeof back.name);
    back.set_keys = c.set_keys; /* a written config sets every key */
    cr_assert_eq(memcmp(&c, &back, sizeof c), 0);
    cr_assert_eq(rd_config_set(&c, "data.dir=a ;b", &err), RD_OK);
    cr_assert_eq(rd_config_write(&c, path, &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "data.dir"), "%s", err.msg);
    /* found by tests/fuzz/fuzz_config.c: inih reads these back differently */
    const char *unwritable[] = {"data.dir=;b", "data.dir=a\v;b", "data.dir=a\f"};
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(rd_config_set(&c, unwritable[i], &err), RD_OK);
        cr_assert_eq(rd_config_write(&c, path, &err), RD_ERR_USAGE, "%s", unwritable[i]);
    }
}

Test(config, print_keys_lists_every_key) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    rd_config_print_keys(f);
    fclose(f);
    size_t n;
    const rd_config_key *keys = rd_config_keys(&n);
    cr_assert_geq(n, 35);
    char name[64];
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "  %s.%s ", keys[i].section, keys[i].name);
        cr_assert(strstr(text, name), "%s missing from:\n%s", name, text);
    }
    cr_assert(strstr(text, "sgd|adam|adamw"));
    cr_assert(strstr(text, "[1, 65536]"));
    free(text);
}

/* An experiment's own [model] keys win over a model file named by --set
 * model.file, as they win over the one named in the file. */
Test(config, set_model_file_keeps_the_experiments_model_keys) {
    put("m.ini", "[model]\nhidden = 7\ndropout = 0.1\n");
    char exp[600];
    snprintf(exp, sizeof exp, "[model]\nhidden = 300\n[train]\nepochs = 2\n");
    put("e.ini", exp);
    char path[600], assignment[600];
    snprintf(path, sizeof path, "%s/e.ini", tmp);
    snprintf(assignment, sizeof assignment, "model.file=%s/m.ini", tmp);
    rd_config c;
    rd_error err = {0};
    cr_assert_eq(rd_config_load(path, &c, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_config_set(&c, assignment, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.model.hidden[0], 300, "the experiment's hidden = 300 must win");
    cr_assert_float_eq(c.model.dropout, 0.1f, 1e-7f, "the model file fills what the experiment left out");
}

/* A run's config.ini lists every [model] key, so it loads from any folder
 * even when its model.file (a path relative to where the run started) is
 * not there. */
Test(config, a_file_with_every_model_key_does_not_need_its_model_file) {
    rd_config c, back;
    rd_error err = {0};
    rd_config_defaults(&c);
    cr_assert_eq(rd_config_set(&c, "model.hidden=33", &err), RD_OK);
    snprintf(c.model.file, sizeof c.model.file, "no/such/model.ini");
    char path[600];
    snprintf(path, sizeof path, "%s/config.ini", tmp);
    cr_assert_eq(rd_config_write(&c, path, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_config_load(path, &back, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(back.model.hidden[0], 33);
    cr_assert_str_eq(back.model.file, "no/such/model.ini");
    /* a hand-written experiment that leaves a [model] key out still needs it */
    put("e.ini", "[model]\nfile = no/such/model.ini\nhidden = 5\n");
    snprintf(path, sizeof path, "%s/e.ini", tmp);
    cr_assert_eq(rd_config_load(path, &back, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "no/such/model.ini"), "%s", err.msg);
}

/* "key*=F" scales the key's current value: whole numbers exactly, rounded
 * to the nearest (halves up: 150 * 1.65 is 248 and not the 247 of binary
 * doubles), floats kept; a non-number key or a bad factor is a usage error
 * naming the key. */
Test(config, set_scales_a_number) {
    rd_config c;
    rd_config_defaults(&c);
    rd_error err = {0};
    cr_assert_eq(rd_config_set(&c, "train.epochs=150", &err), RD_OK);
    cr_assert_eq(rd_config_set(&c, "train.epochs*=1.65", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.epochs, 248);
    cr_assert_eq(rd_config_set(&c, "train.epochs=50", &err), RD_OK);
    cr_assert_eq(rd_config_set(&c, "train.epochs *= 1.65", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.epochs, 83);
    cr_assert_eq(rd_config_set(&c, "train.lr*=0.5", &err), RD_OK);
    cr_assert_float_eq(c.train.lr, 0.0005f, 1e-12);
    cr_assert_eq(rd_config_set(&c, "train.method*=2", &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "train.method: *= scales numbers only"), "%s", err.msg);
    cr_assert_eq(rd_config_set(&c, "train.epochs*=-1", &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "the factor must be a number >= 0"), "%s", err.msg);
    cr_assert_eq(rd_config_set(&c, "train.epochs*=1e9", &err), RD_ERR_USAGE); /* 8.3e10: beyond the key's range */
    cr_assert_eq(rd_config_set(&c, "train.epochs*=0", &err), RD_ERR_USAGE);  /* 0 epochs: below its range */
    cr_assert_eq(c.train.epochs, 83, "a refused scale changes nothing");
    cr_assert_eq(rd_config_set(&c, "train.epochs*=1.2e1", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.epochs, 996);
    cr_assert_eq(rd_config_set(&c, "train.epochs*=.25", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.epochs, 249);
    cr_assert_eq(rd_config_set(&c, "train.epochs*=0.3333333333333333333333", &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "at most 19 significant digits"), "%s", err.msg);
    /* digits that carry nothing are no digits: signs, trailing zeros */
    cr_assert_eq(rd_config_set(&c, "train.epochs*=+2.000000000000000000000000", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.epochs, 498);
    cr_assert_eq(rd_config_set(&c, "train.epochs*=0.99999999999999999", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.epochs, 498, "497.999...: rounds to 498");
    cr_assert_eq(rd_config_set(&c, "train.epochs*=1.2345678901", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.epochs, 615, "614.81...");
    cr_assert_eq(rd_config_set(&c, "train.epochs*=1e40", &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "out of range"), "%s", err.msg);
    /* a 64-bit seed keeps every digit (a double holds 53 bits) */
    cr_assert_eq(rd_config_set(&c, "train.seed=9007199254740993", &err), RD_OK);
    cr_assert_eq(rd_config_set(&c, "train.seed*=1", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.seed, 9007199254740993ULL);
    cr_assert_eq(rd_config_set(&c, "train.seed*=2.5", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.seed, 22517998136852483ULL, "22517998136852482.5, halves up");
    cr_assert_eq(rd_config_set(&c, "train.seed=18446744073709551615", &err), RD_OK);
    cr_assert_eq(rd_config_set(&c, "train.seed*=0.5", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.train.seed, 9223372036854775808ULL);
    cr_assert_eq(rd_config_set(&c, "train.seed*=3", &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "out of range"), "%s", err.msg);
}

/* results.csv records rd_config_hash, and committed files are compared with
 * it later: the text it hashes is pinned here (values checked with Python's
 * zlib.crc32), so a change to it cannot pass unnoticed. */
Test(config, hash_of_the_keys_away_from_their_defaults) {
    rd_config c, d;
    rd_error err = {0};
    rd_config_defaults(&c);
    cr_assert_eq(rd_config_hash(&c, rd_config_model_neutral), 0x0UL, "the CRC-32 of no text");
    cr_assert_eq(rd_config_set(&c, "train.alpha=2", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_config_hash(&c, rd_config_model_neutral), 0xb518854dUL, "crc32(b'train.alpha=2\\n')");
    cr_assert_eq(rd_config_set(&c, "model.dropout=0.5", &err), RD_OK, "%s", err.msg);
    unsigned long h = rd_config_hash(&c, rd_config_model_neutral);
    cr_assert_eq(h, 0xdfee59fdUL, "in the table's order: crc32(b'model.dropout=0.5\\ntrain.alpha=2\\n')");
    /* keys that do not change the trained model leave it alone */
    d = c;
    cr_assert_eq(rd_config_set(&d, "train.threads=7", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_config_set(&d, "train.mc_passes=0", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_config_set(&d, "train.engine=reference", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_config_hash(&d, rd_config_model_neutral), h);
    cr_assert_neq(rd_config_hash(&d, NULL), h, "without the ignore list every key counts");
    /* any other key does; setting a key to its default is the same config */
    cr_assert_eq(rd_config_set(&d, "train.seed=1", &err), RD_OK, "%s", err.msg);
    cr_assert_neq(rd_config_hash(&d, rd_config_model_neutral), h);
    cr_assert_eq(rd_config_set(&d, "train.seed=0", &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_config_hash(&d, rd_config_model_neutral), h);
}

/* rd_config_load_own reads the file alone: a model file it names is not
 * opened (rdrop serve reads nothing outside the folders it serves). */
Test(config, load_own_reads_no_model_file) {
    const char *path = put("run.ini", "[model]\nfile = /nonexistent/outside.ini\ndropout = 0.2\n[train]\nepochs = 7\n");
    rd_config c;
    rd_error err = {0};
    cr_assert_neq(rd_config_load(path, &c, &err), RD_OK, "rd_config_load reads the model file");
    cr_assert(strstr(err.msg, "/nonexistent/outside.ini"), "%s", err.msg);
    cr_assert_eq(rd_config_load_own(path, &c, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(c.model.dropout, 0.2f);
    cr_assert_eq(c.train.epochs, 7);
    cr_assert_eq(c.model.n_hidden, 2); /* the default (1024,1024), no model file's */
}
