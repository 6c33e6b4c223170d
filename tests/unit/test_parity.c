/* Parity with PyTorch, in the manner of llm.c's test_gpt2: the same model,
 * the same starting weights, the same data and the same steps must give the
 * same losses and parameters as PyTorch 1.13.
 *
 * tests/parity/make_reference.py wrote the references (see its docstring):
 * init.safetensors, PyTorch's own initialization of a 784-10-8-10 ReLU MLP
 * with dropout 0, and for each recipe (Adam; SGD with momentum; Adam on
 * R-Drop's objective with both copies equal) the parameters after 20 steps
 * on the first 256 MNIST training images, one batch of all 256 per step, and
 * the loss of each step in the file's __metadata__. Each recipe is checked
 * twice: a hand-written loop over the library (forward, loss, backward,
 * optimizer step), and `rdrop train` itself with model.init_from (20 epochs
 * of one batch; its losses come from metrics.csv, its parameters from
 * last.ckpt).
 *
 * Tolerances, float32 throughout:
 *   losses      relative 1e-5 (metrics.csv rounds to 6 decimals: 5e-7 more)
 *   parameters  absolute 1e-4
 * rdrop and PyTorch add the same products in different orders (OpenBLAS
 * kernels against PyTorch's, rdrop's log-softmax against ATen's), a
 * difference of a few float32 ulps per operation, about 1e-7 relative, which
 * 20 steps carry forward. rdrop's Adam keeps beta1 and beta2 as floats: 1 -
 * 0.999f is 0.000999987, 1.3e-5 away from PyTorch's 0.001, so the second
 * moments differ by that factor. The bias correction divides by 1 - beta2^t
 * computed from the same float, and that factor cancels in v / (1 - beta2^t)
 * up to terms of order t * 1.3e-8: the updates agree far inside the
 * tolerance (tests/unit/test_optim.c checks the rule itself to 1e-6). The
 * largest differences are logged (build/unit-tests --filter 'parity/[a-z]*'
 * --verbose); measured: losses 2.1e-7 relative (7e-7 through metrics.csv),
 * parameters 1.2e-7, so the tolerances leave a margin of 10 to 1000 for
 * other BLAS builds and compilers. Needs MNIST; skipped without it. */
#include <math.h>

#include "rdrop/checkpoint.h"
#include "rdrop/loss.h"
#include "rdrop/report.h"
#include "rdrop/safetensors.h"
#include "train_fixture.h"
#include "rdrop/files.h"
#include "rdrop/json.h"

#define STEPS 20
#define N 256
#define LOSS_RTOL 1e-5
#define CSV_ROUNDING 5e-7
#define PARAM_ATOL 1e-4
#define DIR "tests/parity/"

typedef struct {
    const char *name;
    rd_optimizer_kind kind;
    float lr;
    int rdrop;
} recipe;

static const recipe ADAM = {"adam", RD_OPT_ADAM, 1e-2f, 0};
static const recipe SGD = {"sgd", RD_OPT_SGD, 0.1f, 0};
static const recipe RDROP = {"rdrop", RD_OPT_ADAM, 1e-2f, 1};

/* The reference parameters (as a model) and the losses in its metadata. */
static void load_reference(const recipe *r, rd_mlp *m, double losses[STEPS]) {
    char path[256];
    snprintf(path, sizeof path, DIR "%s.safetensors", r->name);
    rd_st_info info;
    rd_error err = {0};
    cr_assert_eq(rd_safetensors_load(path, m, &info, &err), RD_OK, "%s", err.msg);
    unsigned char *data;
    size_t len;
    cr_assert_eq(rd_read_file(path, &data, &len, &err), RD_OK, "%s", err.msg);
    uint64_t n = 0;
    for (int i = 0; i < 8; i++) n |= (uint64_t)data[i] << (8 * i);
    rd_json_doc doc;
    cr_assert_eq(rd_json_parse((const char *)data + 8, n, 4096, &doc, &err), RD_OK, "%s", err.msg);
    const rd_json *meta = rd_json_get(&doc, &doc.nodes[0], "__metadata__");
    const rd_json *text = meta ? rd_json_get(&doc, meta, "losses") : NULL;
    cr_assert_not_null(text, "%s: no losses in __metadata__", path);
    const char *s = text->str;
    for (int i = 0; i < STEPS; i++) {
        char *end;
        losses[i] = strtod(s, &end);
        cr_assert(end != s && (*end == ',' || (i == STEPS - 1 && *end == '\0')), "%s: losses[%d]", path, i);
        s = end + 1;
    }
    rd_json_free(&doc);
    free(data);
}

static void check_losses(const char *what, const double *got, const double *want, double slack) {
    double worst = 0;
    for (int i = 0; i < STEPS; i++) {
        double d = fabs(got[i] - want[i]);
        cr_assert(d <= LOSS_RTOL * fabs(want[i]) + slack, "%s: loss of step %d: rdrop %.9g, PyTorch %.9g", what,
                  i + 1, got[i], want[i]);
        if (d / fabs(want[i]) > worst) worst = d / fabs(want[i]);
    }
    cr_log_info("%s: largest relative loss difference %.3g (tolerance %g)", what, worst, LOSS_RTOL);
}

static void check_params(const char *what, const rd_mlp *got, const rd_mlp *want) {
    cr_assert_eq(got->n_params, want->n_params);
    double worst = 0;
    for (size_t i = 0; i < got->n_params; i++) {
        double d = fabs((double)got->params[i] - want->params[i]);
        cr_assert(d <= PARAM_ATOL, "%s: parameter %zu: rdrop %.9g, PyTorch %.9g", what, i, got->params[i],
                  want->params[i]);
        if (d > worst) worst = d;
    }
    cr_log_info("%s: largest parameter difference %.3g (tolerance %g)", what, worst, PARAM_ATOL);
}

/* The steps by hand, on the library. */
static void loop(const recipe *r) {
    const char *dir = train_mnist_dir();
    rd_error err = {0};
    rd_mlp m, ref;
    rd_st_info info;
    cr_assert_eq(rd_safetensors_load(DIR "init.safetensors", &m, &info, &err), RD_OK, "%s", err.msg);
    rd_dataset train;
    cr_assert_eq(rd_mnist_load(dir, 1, &train, &err), RD_OK, "%s", err.msg);
    int idx[N], y[N];
    for (int i = 0; i < N; i++) idx[i] = i;
    float *x = malloc((size_t)N * 784 * sizeof *x);
    rd_dataset_rows(&train, idx, N, x);
    rd_dataset_labels(&train, idx, N, y);
    rd_optim o;
    rd_optim_init(&o, r->kind, m.n_params);
    o.momentum = 0.9f;
    rd_graph g;
    rd_graph_init(&g);
    double losses[STEPS], want[STEPS];
    for (int step = 0; step < STEPS; step++) {
        rd_graph_reset(&g);
        rd_mlp_zero_grad(&m);
        rd_tensor *logits = rd_mlp_forward(&m, &g, rd_input(&g, N, 784, x), r->rdrop ? 2 : 1, NULL);
        rd_tensor *loss = r->rdrop ? rd_rdrop_objective(&g, logits, y, 1.0f).loss : rd_cross_entropy(&g, logits, y, N);
        losses[step] = rd_scalar(loss);
        rd_backward(&g, loss);
        rd_optim_step(&o, m.params, m.grads, r->lr);
    }
    load_reference(r, &ref, want);
    char what[64];
    snprintf(what, sizeof what, "%s, library loop", r->name);
    check_losses(what, losses, want, 0);
    check_params(what, &m, &ref);
    rd_graph_free(&g);
    rd_optim_free(&o);
    rd_mlp_free(&m);
    rd_mlp_free(&ref);
    rd_dataset_free(&train);
    free(x);
}

/* The same through `rdrop train`: model.init_from, one batch an epoch. */
static void trainer(const recipe *r) {
    rd_config c;
    char a[4200], tmp[64], out[128];
    rd_config_defaults(&c);
    snprintf(a, sizeof a, "data.dir=%s", train_mnist_dir());
    train_set(&c, a);
    const char *sets[] = {"model.hidden=10,8", "model.dropout=0", "model.init_from=" DIR "init.safetensors",
                          "data.train_subset=256", "train.batch_size=256", "train.epochs=20", "train.threads=1",
                          "train.mc_passes=0", "train.eval_interval=20", "train.momentum=0.9", "train.alpha=1"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) train_set(&c, sets[i]);
    snprintf(a, sizeof a, "train.optimizer=%s", rd_optimizer_name(r->kind));
    train_set(&c, a);
    snprintf(a, sizeof a, "train.lr=%g", (double)r->lr);
    train_set(&c, a);
    train_set(&c, r->rdrop ? "train.method=rdrop" : "train.method=dropout");
    cr_assert_not_null(tmpdir_make(tmp));
    snprintf(out, sizeof out, "%s/run", tmp);
    rd_train_result res;
    free(train_run(&c, out, 0, NULL, &res));

    rd_run_curves cur;
    rd_error err = {0};
    cr_assert_eq(rd_run_read(out, &cur, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(cur.epochs, STEPS);
    double losses[STEPS], want[STEPS];
    for (int i = 0; i < STEPS; i++) losses[i] = cur.col[RD_COL_TRAIN_LOSS][i];
    rd_run_free(&cur);
    rd_mlp m, ref;
    rd_ckpt_state s;
    snprintf(a, sizeof a, "%s/last.ckpt", out);
    cr_assert_eq(rd_checkpoint_load(a, &m, NULL, &s, &err), RD_OK, "%s", err.msg);
    load_reference(r, &ref, want);
    char what[64];
    snprintf(what, sizeof what, "%s, rdrop train", r->name);
    check_losses(what, losses, want, CSV_ROUNDING);
    check_params(what, &m, &ref);
    rd_mlp_free(&m);
    rd_mlp_free(&ref);
    tmpdir_remove(tmp);
}

Test(parity, adam_library_loop, .timeout = 120) { loop(&ADAM); }
Test(parity, sgd_momentum_library_loop, .timeout = 120) { loop(&SGD); }
Test(parity, rdrop_objective_library_loop, .timeout = 120) { loop(&RDROP); }
Test(parity, adam_rdrop_train, .timeout = 120) { trainer(&ADAM); }
Test(parity, sgd_momentum_rdrop_train, .timeout = 120) { trainer(&SGD); }
Test(parity, rdrop_objective_rdrop_train, .timeout = 120) { trainer(&RDROP); }
