/* rdrop bench: training throughput, where a step's time goes, and how close
 * the matrix products come to what OpenBLAS can do. See bench/README.md. */
#include <cblas.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/bench.h"
#include "rdrop/blas.h"
#include "rdrop/clock.h"
#include "rdrop/fast.h"
#include "rdrop/workers.h"
#include "cli/cli.h"
#include "rdrop/data.h"

static const char *USAGE =
    "usage: rdrop bench [--mode dropout|rdrop|both] [--epochs N] [--threads N] [--scaling]\n"
    "                   [--data DIR] [--hidden N] [--batch N] [--subset N] [--verbose]\n"
    "\n"
    "Trains the MLP 784-H-H-10 (ReLU, dropout 0.3, Adam) with the real trainer and reports,\n"
    "as medians over the epochs: original samples per second, the time per step split into\n"
    "GEMM / elementwise / optimizer / data, the same step's products timed alone with\n"
    "cblas_sgemm (the OpenBLAS ceiling) and the share of it the step reaches, peak RSS,\n"
    "the time to load MNIST, and the OpenBLAS core and threads. bench/README.md explains.\n"
    "\n"
    "  --mode M      dropout (B rows a step), rdrop (2B rows) or both (default)\n"
    "  --epochs N    epochs per mode, at least 3 for a median (default 3)\n"
    "  --threads N   threads: rdrop's while training, OpenBLAS's for the ceiling (default 2)\n"
    "  --scaling     instead: hidden 256/1024/4096 x batch 32/128/512, a few steps each\n"
    "  --data DIR    MNIST folder (default $MNIST_MIRROR_DIR, else data/mnist)\n"
    "  --hidden N    hidden width (default 1024)\n"
    "  --batch N     batch size (default 128)\n"
    "  --subset N    train on the first N samples (default: all 60000)\n"
    "  --verbose     the trainer's epoch lines on stderr\n"
    "  -h, --help    this text\n";

/* Median of three loads of the training and test sets. */
static rd_status load_seconds(const char *dir, double *sec, rd_error *err) {
    double t[3];
    for (int i = 0; i < 3; i++) {
        rd_dataset train, test;
        double t0 = rd_now();
        rd_status st = rd_mnist_load(dir, 1, &train, err);
        if (!st) st = rd_mnist_load(dir, 0, &test, err);
        t[i] = rd_now() - t0;
        rd_dataset_free(&train);
        if (st) return st;
        rd_dataset_free(&test);
    }
    *sec = rd_bench_median(t, 3);
    return RD_OK;
}

static void print_row(const char *mode, const rd_bench_result *r) {
    printf("%-8s %9.0f %8.2f %6.2f %8.2f %6.2f %5.2f %9.2f %7.0f%% %7.0f%% %9.0f\n", mode,
           r->samples_per_s, r->step_ms, r->gemm_ms, r->elementwise_ms, r->optimizer_ms, r->data_ms,
           r->ceiling_ms, 100.0 * r->ceiling_ms / r->step_ms, 100.0 * r->ceiling_ms / r->gemm_ms,
           rd_bench_peak_rss_mib());
    printf("%-8s epochs:", mode);
    for (int e = 0; e < r->epochs; e++) printf(" %.0f", r->epoch_rate[e]);
    printf(" samples/s (%lld steps each)\n", r->steps_per_epoch);
    fflush(stdout);
}

static int parse_int(const char *s, int lo, int hi, int *out) {
    unsigned long long v;
    if (!cli_number(s, (unsigned long long)lo, (unsigned long long)hi, &v)) return 0;
    *out = (int)v;
    return 1;
}

int cmd_bench(int argc, char **argv) {
    static const struct option opts[] = {
        {"mode", required_argument, 0, 'm'},   {"epochs", required_argument, 0, 'e'},
        {"threads", required_argument, 0, 't'}, {"scaling", no_argument, 0, 'S'},
        {"data", required_argument, 0, 'd'},   {"hidden", required_argument, 0, 'H'},
        {"batch", required_argument, 0, 'b'},  {"subset", required_argument, 0, 'n'},
        {"verbose", no_argument, 0, 'v'},      {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *mirror = getenv("MNIST_MIRROR_DIR");
    rd_bench_setup s = {.data_dir = mirror && *mirror ? mirror : "data/mnist", .hidden = 1024, .batch = 128,
                     .threads = 2, .epochs = 3};
    int modes = 3, scaling = 0, c; /* modes: bit 0 dropout, bit 1 rdrop */
    while ((c = getopt_long(argc, argv, "m:e:t:Sd:H:b:n:vh", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            modes = !strcmp(optarg, "dropout") ? 1 : !strcmp(optarg, "rdrop") ? 2 : !strcmp(optarg, "both") ? 3 : 0;
            if (!modes) return cli_usage_error("bench", "--mode '%s': expected dropout, rdrop or both", optarg);
            break;
        case 'e':
            if (!parse_int(optarg, 1, RD_BENCH_MAX_EPOCHS, &s.epochs))
                return cli_usage_error("bench", "--epochs '%s': expected 1..%d", optarg, RD_BENCH_MAX_EPOCHS);
            break;
        case 't':
            if (!parse_int(optarg, 1, 256, &s.threads)) return cli_usage_error("bench", "--threads '%s': expected 1..256", optarg);
            break;
        case 'H':
            if (!parse_int(optarg, 1, 65536, &s.hidden)) return cli_usage_error("bench", "--hidden '%s': expected 1..65536", optarg);
            break;
        case 'b':
            if (!parse_int(optarg, 1, 65536, &s.batch)) return cli_usage_error("bench", "--batch '%s': expected 1..65536", optarg);
            break;
        case 'n':
            if (!parse_int(optarg, 1, RD_IDX_MAX_COUNT, &s.subset)) return cli_usage_error("bench", "--subset '%s': expected a positive count", optarg);
            break;
        case 'S': scaling = 1; break;
        case 'd': s.data_dir = optarg; break;
        case 'v': s.verbose = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: return cli_usage_error("bench", "bad option");
        }
    }
    if (optind < argc) return cli_usage_error("bench", "unexpected argument '%s'", argv[optind]);

    rd_error err = {0};
    openblas_set_num_threads(s.threads);
    const char *warn = rd_blas_warning();
    if (warn) fprintf(stderr, "rdrop: warning: %s\n", warn);
    if (scaling) {
        int failed = 0;
        rd_bench_scaling(&s, modes, &err, &failed);
        return failed ? cli_error("bench", &err) : 0;
    }
    /* a kernel that computes wrong products is not worth timing */
    char first[256] = "";
    int wrong = rd_bench_check_products(&s, first, sizeof first);
    rd_bench_reset_peak_rss();
    openblas_set_num_threads(s.threads);
    if (wrong)
        return cli_error("bench", (rd_fail(&err, RD_ERR_RUNTIME, "OpenBLAS core %s computes wrong products (%s): "
                                               "not timed", rd_blas_core(), first), &err));
    printf("rdrop bench: MLP 784-%d-%d-10 relu, dropout 0.3, adam, batch %d, %s samples, %d epochs per mode\n",
           s.hidden, s.hidden, s.batch, s.subset ? "subset of" : "all", s.epochs);
    printf("OpenBLAS: core %s, %d threads; products checked against a naive double-precision product: "
           "all right\n", rd_blas_core(), openblas_get_num_threads());
    const char *note = rd_blas_faster_kernel();
    if (note) printf("OpenBLAS note: %s\n", note);
    if (rd_workers_size(s.threads) > 1) /* the trainer's team */
        printf("training: rdrop's %d threads split each product and the optimizer step, OpenBLAS "
               "single-threaded in each; ceiling: OpenBLAS's own %d threads\n",
               rd_workers_size(s.threads), s.threads);
    printf("\nthe epoch of median samples/s, per step in ms; ceiling = its sgemm calls alone; %%ceil = ceiling / step; "
           "%%gemm = ceiling / gemm\n");
    printf("%-8s %9s %8s %6s %8s %6s %5s %9s %8s %8s %9s\n", "mode", "samples/s", "step", "gemm",
           "elemwise", "optim", "data", "ceiling", "%ceil", "%gemm", "RSS MiB");
    for (int m = 1; m <= 2; m++) {
        if (!(modes & m)) continue;
        s.method = m == 2 ? RD_METHOD_RDROP : RD_METHOD_DROPOUT;
        rd_bench_result r;
        if (rd_bench_run(&s, &r, &err)) return cli_error("bench", &err);
        print_row(m == 2 ? "rdrop" : "dropout", &r);
    }
    /* After training: freeing the loaded sets raises glibc's mmap threshold,
     * which would leave later freed blocks in the heap and inflate the RSS. */
    double load;
    if (load_seconds(s.data_dir, &load, &err)) return cli_error("bench", &err);
    printf("MNIST load (train + test, %s): %.3f s (median of 3)\n", s.data_dir, load);
    return 0;
}
