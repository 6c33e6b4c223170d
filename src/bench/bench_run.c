#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
/* One benchmark run: the library's own trainer on a generated config, timed
 * by the counters the trainer keeps per epoch; then the OpenBLAS ceiling of
 * the same matrix products. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <errno.h>
#include <unistd.h>

#include "rdrop/bench.h"
#include "rdrop/clock.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double rd_bench_median(const double *x, int n) {
    if (n <= 0) return 0.0;
    double *s = rd_malloc((size_t)n, sizeof *s);
    memcpy(s, x, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double m = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    free(s);
    return m;
}

/* The benchmark's workload (bench/README.md): 784-H-H-10, ReLU, dropout 0.3,
 * Adam 1e-3. */
static void make_config(const rd_bench_setup *s, rd_config *c) {
    rd_config_defaults(c);
    snprintf(c->name, sizeof c->name, "bench-%s", s->method == RD_METHOD_RDROP ? "rdrop" : "dropout");
    snprintf(c->path, sizeof c->path, "rdrop bench");
    c->model.inputs = 784;
    c->model.n_hidden = 2;
    c->model.hidden[0] = c->model.hidden[1] = s->hidden;
    c->model.activation = RD_ACT_RELU;
    c->model.dropout = 0.3f;
    c->model.classes = 10;
    c->model.init = RD_INIT_KAIMING;
    snprintf(c->data.dir, sizeof c->data.dir, "%s", s->data_dir);
    c->data.train_subset = s->subset;
    c->train.method = s->method;
    c->train.alpha = s->method == RD_METHOD_RDROP ? 1.0f : 0.0f;
    c->train.optimizer = RD_OPT_ADAM;
    c->train.lr = 1e-3f;
    c->train.batch_size = s->batch;
    c->train.epochs = s->epochs;
    c->train.threads = s->threads;
    c->train.seed = 0;
}

/* The run folder's files, then the folder. */
static void remove_run(const char *dir) {
    static const char *files[] = {"config.ini", "metrics.csv", "last.ckpt", "best.ckpt", ".lock"};
    char path[4096];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* After each epoch: its products' ceiling, timed at once, so that a slow
 * spell of a shared machine hits the epoch and its ceiling alike (a
 * ceiling timed after the whole run compared one moment with another).
 * OpenBLAS's own threads, as many as the trainer used. */
typedef struct {
    int threads;
    double ceiling[RD_BENCH_MAX_EPOCHS];
} ceiling_task;

/* In a child process: the ceiling's test matrices and the buffers OpenBLAS
 * keeps for its own threads would otherwise stay in the trainer's memory
 * and count in the RSS the bench reports (measured: +9 MiB). */
static double ceiling_in_child(const rd_epoch_times *t, int threads) {
    int fd[2];
    double sec = -1;
    pid_t pid = pipe(fd) == 0 ? fork() : -1;
    if (pid == 0) {
        close(fd[0]);
        openblas_set_num_threads(threads);
        sec = rd_bench_gemm_ceiling(t->gemm_shape, t->n_gemm, 15);
        _exit(write(fd[1], &sec, sizeof sec) == sizeof sec ? 0 : 1);
    }
    if (pid < 0) { /* no child: measure here, and count its memory */
        int was = openblas_get_num_threads();
        openblas_set_num_threads(threads);
        sec = rd_bench_gemm_ceiling(t->gemm_shape, t->n_gemm, 15);
        openblas_set_num_threads(was);
        return sec;
    }
    close(fd[1]);
    if (read(fd[0], &sec, sizeof sec) != sizeof sec) sec = -1;
    close(fd[0]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    return sec;
}

static void ceiling_after_epoch(void *arg, int epoch, const rd_epoch_times *t) {
    ceiling_task *c = arg;
    if (epoch >= 0 && epoch < RD_BENCH_MAX_EPOCHS) c->ceiling[epoch] = ceiling_in_child(t, c->threads);
}

rd_status rd_bench_run(const rd_bench_setup *s, rd_bench_result *r, rd_error *err) {
    memset(r, 0, sizeof *r);
    if (s->epochs < 1 || s->epochs > RD_BENCH_MAX_EPOCHS)
        return rd_fail(err, RD_ERR_USAGE, "--epochs %d: must be 1..%d", s->epochs, RD_BENCH_MAX_EPOCHS);
    static rd_config cfg;
    make_config(s, &cfg);
    rd_status st = rd_config_validate(&cfg, err);
    if (st) return st;
    const char *tmp = getenv("TMPDIR");
    char dir[2048];
    int len = snprintf(dir, sizeof dir, "%s/rdrop-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (len >= (int)sizeof dir || !mkdtemp(dir)) return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot create a run folder", dir);
    FILE *log = s->verbose ? stderr : fopen("/dev/null", "w");
    if (!log) log = stderr;
    rd_epoch_times times[RD_BENCH_MAX_EPOCHS];
    memset(times, 0, sizeof times);
    static ceiling_task ceil;
    ceil.threads = s->threads;
    rd_train_options o = {.out_dir = dir, .log = log, .progress = 0, .times = times, .benchmark = 1,
                          .after_epoch = ceiling_after_epoch, .after_epoch_arg = &ceil};
    rd_train_result res;
    st = rd_train(&cfg, &o, &res, err);
    if (log != stderr) fclose(log);
    remove_run(dir);
    if (st) return st;

    /* The epoch of median throughput gives the whole row, so its phases add
     * up to its step time. */
    int n = res.epochs_done, order[RD_BENCH_MAX_EPOCHS];
    for (int e = 0; e < n; e++) {
        r->epoch_rate[e] = (double)times[e].samples / times[e].total;
        order[e] = e;
    }
    for (int i = 1; i < n; i++) /* insertion sort of epoch numbers by rate */
        for (int j = i; j > 0 && r->epoch_rate[order[j]] < r->epoch_rate[order[j - 1]]; j--) {
            int k = order[j];
            order[j] = order[j - 1];
            order[j - 1] = k;
        }
    r->epochs = n;
    if (n == 0) return rd_fail(err, RD_ERR_RUNTIME, "bench: no epoch was trained");
    int median = order[(n - 1) / 2];
    const rd_epoch_times *t = &times[median];
    double per_step = 1e3 / (double)t->steps;
    r->steps_per_epoch = t->steps;
    r->samples_per_s = (double)t->samples / t->total;
    r->step_ms = t->total * per_step;
    r->data_ms = t->data * per_step;
    r->gemm_ms = t->gemm * per_step;
    r->elementwise_ms = t->elementwise * per_step;
    r->optimizer_ms = t->optimizer * per_step;
    r->ceiling_ms = 1e3 * ceil.ceiling[median];
    return RD_OK;
}

/* n zeroed floats of their own pages. */
static float *map_floats(size_t n) {
    void *p = mmap(NULL, n * sizeof(float), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) rd_die_alloc(n, sizeof(float), __FILE__, __LINE__);
    return p;
}

double rd_bench_gemm_ceiling(const rd_gemm_shape *shapes, int n, int reps) {
    size_t na = 1, nb = 1, nc = 1;
    for (int i = 0; i < n; i++) {
        const rd_gemm_shape *g = &shapes[i];
        size_t a = (size_t)g->m * g->k, b = (size_t)g->k * g->n, c = (size_t)g->m * g->n;
        na = a > na ? a : na;
        nb = b > nb ? b : nb;
        nc = c > nc ? c : nc;
    }
    /* mapped, not malloc'd: freeing big malloc blocks raises glibc's mmap
     * threshold, and the training's later allocations would then stay in
     * the heap and inflate the RSS the bench reports (measured: +9 MiB) */
    float *A = map_floats(na), *B = map_floats(nb), *C = map_floats(nc);
    for (size_t i = 0; i < na; i++) A[i] = (float)(i % 17) * 0.01f;
    for (size_t i = 0; i < nb; i++) B[i] = (float)(i % 13) * 0.01f;
    double *t = rd_malloc((size_t)reps + 1, sizeof *t);
    for (int r = 0; r <= reps; r++) { /* pass 0 warms the caches and threads up */
        double t0 = rd_now();
        for (int i = 0; i < n; i++) {
            const rd_gemm_shape *g = &shapes[i];
            cblas_sgemm(CblasRowMajor, g->trans_a ? CblasTrans : CblasNoTrans,
                        g->trans_b ? CblasTrans : CblasNoTrans, g->m, g->n, g->k, 1.0f, A,
                        g->trans_a ? g->m : g->k, B, g->trans_b ? g->k : g->n, 1.0f, C, g->n);
        }
        t[r] = rd_now() - t0;
    }
    double m = t[1];
    for (int r = 2; r <= reps; r++) m = t[r] < m ? t[r] : m;
    munmap(A, na * sizeof(float));
    munmap(B, nb * sizeof(float));
    munmap(C, nc * sizeof(float));
    free(t);
    return m;
}
