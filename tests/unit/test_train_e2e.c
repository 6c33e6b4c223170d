/* End to end: both methods on 5,000 MNIST images reach over 90% test
 * accuracy in 4 epochs (about 92% each; a second or two per run), and the
 * run folder holds what train.h promises: metrics.csv, a config.ini that
 * reloads to the same config, last.ckpt with the reported model, and
 * best.ckpt only when there is a validation split. */
#include <math.h>
#include <regex.h>

#include "rdrop/checkpoint.h"
#include "train_fixture.h"

static char dir[64];
static void setup(void) { cr_assert_not_null(tmpdir_make(dir)); }
static void teardown(void) { tmpdir_remove(dir); }
/* Per test: test_train_resume.c declares the train suite. */
#define FIXTURE .init = setup, .fini = teardown

#define EPOCHS 4
static const char HEADER[] =
    "epoch,lr,train_loss,train_ce,train_kl,train_acc,test_loss,test_acc,epoch_seconds,"
    "samples_per_second,val_loss,val_acc,test_kl,mc_acc,train_size";

/* The 15 fields of one metrics row ("" for an empty one), in a static
 * buffer. */
enum { FIELDS = 15 };
static char fields[FIELDS][32];
static void split_row(const char *line) {
    int k = 0;
    const char *p = line;
    for (; k < FIELDS; k++) {
        size_t n = strcspn(p, ",\n");
        cr_assert_lt(n, sizeof fields[k]);
        snprintf(fields[k], sizeof fields[k], "%.*s", (int)n, p);
        p += n;
        if (*p != ',') break;
        p++;
    }
    cr_assert_eq(k, FIELDS - 1, "row with %d fields: %s", k + 1, line);
}

/* Checks metrics.csv; returns the best val_acc in it (-1 when none). */
static double check_metrics(const char *out, int with_val, int rdrop) {
    char path[300], line[1024];
    snprintf(path, sizeof path, "%s/metrics.csv", out);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(line, sizeof line, f));
    line[strcspn(line, "\n")] = 0;
    cr_assert_str_eq(line, HEADER);
    double best = -1;
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        split_row(line);
        rows++;
        cr_assert_eq(atoi(fields[0]), rows, "rows out of order: %s", line);
        for (int k = 1; k < 10; k++) cr_assert(fields[k][0], "empty field %d: %s", k, line);
        double kl = atof(fields[4]), acc = atof(fields[7]);
        cr_assert(rdrop ? kl > 0 : kl == 0, "train_kl %g with method %s", kl, rdrop ? "rdrop" : "dropout");
        cr_assert(acc > 0.5 && acc < 1, "test_acc %g", acc);
        cr_assert_eq(fields[10][0] != 0, with_val, "val_loss: %s", line);
        cr_assert_eq(fields[11][0] != 0, with_val, "val_acc: %s", line);
        /* dropout consistency on the test set (train.mc_passes = 8 by default) */
        double test_kl = atof(fields[12]), mc_acc = atof(fields[13]);
        cr_assert(test_kl > 0 && test_kl < 1, "test_kl %g: %s", test_kl, line);
        cr_assert(mc_acc > 0.5 && mc_acc < 1, "mc_acc %g: %s", mc_acc, line);
        cr_assert(atoi(fields[14]) > 0 && atoi(fields[14]) <= 5000, "train_size: %s", line);
        if (with_val && atof(fields[11]) > best) best = atof(fields[11]);
    }
    fclose(f);
    cr_assert_eq(rows, EPOCHS);
    return best;
}

/* The last line of the log is the final result, and says what res says. */
static void check_final_line(const char *log, const rd_train_result *res) {
    const char *last = log + strlen(log) - 1;
    cr_assert_eq(*last, '\n');
    while (last > log && last[-1] != '\n') last--;
    regex_t re;
    cr_assert_eq(regcomp(&re, "^final test_acc=0\\.[0-9]{4} test_err=[0-9]{1,2}\\.[0-9]{2}%\n$",
                         REG_EXTENDED | REG_NOSUB), 0);
    cr_assert_eq(regexec(&re, last, 0, NULL, 0), 0, "last line: %s", last);
    regfree(&re);
    char want[128];
    snprintf(want, sizeof want, "final test_acc=%.4f test_err=%.2f%%\n", res->test_acc,
             100.0 * (1.0 - res->test_acc));
    cr_assert_str_eq(last, want);
}

/* out/config.ini loads back to c, except for where it was loaded from. */
static void check_config_reloads(const char *out, const rd_config *c) {
    char path[300];
    snprintf(path, sizeof path, "%s/config.ini", out);
    rd_config back;
    rd_error err = {0};
    cr_assert_eq(rd_config_load(path, &back, &err), RD_OK, "%s", err.msg);
    memcpy(back.path, c->path, sizeof c->path);
    memcpy(back.name, c->name, sizeof c->name);
    back.set_keys = c->set_keys; /* a written config sets every key */
    cr_assert_eq(memcmp(&back, c, sizeof back), 0, "%s does not reload to the run's config", path);
}

/* The model in ckpt gives the reported test accuracy, with the saved
 * normalization; returns the checkpoint's state. */
static rd_ckpt_state check_checkpoint(const char *out, const char *name, const char *data_dir,
                                      double want_acc) {
    char path[300];
    snprintf(path, sizeof path, "%s/%s", out, name);
    rd_mlp m;
    rd_ckpt_state s;
    rd_error err = {0};
    cr_assert_eq(rd_checkpoint_load(path, &m, NULL, &s, &err), RD_OK, "%s", err.msg);
    if (want_acc >= 0) {
        rd_dataset test;
        cr_assert_eq(rd_mnist_load(data_dir, 0, &test, &err), RD_OK, "%s", err.msg);
        rd_dataset_set_normalization(&test, s.norm_mean, s.norm_std);
        rd_graph g;
        rd_graph_init(&g);
        double loss, acc;
        rd_evaluate(&m, &g, &test, &loss, &acc, NULL);
        cr_assert_eq(acc, want_acc, "%s: test_acc %.6f, the run reported %.6f", path, acc, want_acc);
        rd_graph_free(&g);
        rd_dataset_free(&test);
    }
    rd_mlp_free(&m);
    return s;
}

static void run(const char *method, int val_size) {
    rd_config c;
    train_config(&c, 5000, method, EPOCHS);
    char a[64], out[200], best[300];
    snprintf(a, sizeof a, "data.val_size=%d", val_size);
    train_set(&c, a);
    snprintf(out, sizeof out, "%s/%s", dir, method);
    rd_train_result res;
    char *log = train_run(&c, out, 0, NULL, &res);
    cr_assert_gt(res.test_acc, 0.90, "%s: test_acc %.4f", method, res.test_acc);
    cr_assert_eq(res.epochs_done, EPOCHS);
    check_final_line(log, &res);
    free(log);
    int rdrop = !strcmp(method, "rdrop");
    double best_val = check_metrics(out, val_size > 0, rdrop);
    check_config_reloads(out, &c);
    rd_ckpt_state s = check_checkpoint(out, "last.ckpt", c.data.dir, res.test_acc);
    cr_assert_eq(s.epoch, EPOCHS);
    snprintf(best, sizeof best, "%s/best.ckpt", out);
    if (val_size > 0) {
        s = check_checkpoint(out, "best.ckpt", c.data.dir, -1);
        cr_assert(fabs(s.best_val_acc - best_val) < 1e-6, "best.ckpt: val_acc %g, metrics: %g",
                  s.best_val_acc, best_val);
        cr_assert_eq(s.epoch, s.best_epoch);
    } else {
        cr_assert_neq(access(best, F_OK), 0, "best.ckpt without a validation split");
    }
}

Test(train, dropout_with_validation_over_90_percent, FIXTURE, .timeout = 60) { run("dropout", 500); }
Test(train, rdrop_without_validation_over_90_percent, FIXTURE, .timeout = 60) { run("rdrop", 0); }
