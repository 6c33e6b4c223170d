/* rdrop eval MODEL.ckpt [--data DIR] [--mc N] [--seed S] */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rdrop/signals.h"
#include "rdrop/checkpoint.h"
#include "rdrop/train.h"

static const char *USAGE =
    "usage: rdrop eval MODEL.ckpt [--data DIR] [--mc N] [--seed S]\n"
    "\n"
    "Prints the test accuracy, loss and confusion matrix (rows: true class,\n"
    "columns: predicted; up to 20 classes) of a checkpoint on the test set in DIR,\n"
    "then how far its dropout sub-networks agree (docs/dropout.md), one\n"
    "`name = value` line each:\n"
    "  full_acc   accuracy of the full network (dropout off)\n"
    "  sub_acc    mean accuracy of single dropout passes\n"
    "  mc_acc     accuracy of the mean of N dropout passes' probabilities\n"
    "  test_kl    mean over test images and all pairs of the N passes of\n"
    "             [KL(p_a||p_b) + KL(p_b||p_a)] / 4: R-Drop's term, on unseen data\n"
    "  ece        expected calibration error of the full network (15 bins)\n"
    "\n"
    "  --data DIR   folder with t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]\n"
    "               (default: data/mnist)\n"
    "  --mc N       dropout passes per image, 1 to 64 (default 8; test_kl needs 2)\n"
    "  --seed S     seed of the passes' dropout masks (default 0)\n"
    "  -h, --help   this text\n";

int cmd_eval(int argc, char **argv) {
    static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {"mc", required_argument, 0, 'm'},
                                         {"seed", required_argument, 0, 's'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *data = "data/mnist";
    int c, passes = 8;
    unsigned long long seed = 0;
    while ((c = getopt_long(argc, argv, "d:m:s:h", opts, NULL)) != -1) {
        if (c == 'd') data = optarg;
        else if (c == 'm') {
            unsigned long long v;
            if (!cli_number(optarg, 1, 64, &v))
                return cli_usage_error("eval", "--mc %s: not a whole number from 1 to 64", optarg);
            passes = (int)v;
        } else if (c == 's') {
            if (!cli_number(optarg, 0, ULLONG_MAX, &seed))
                return cli_usage_error("eval", "--seed %s: not a whole number from 0 to %llu", optarg, ULLONG_MAX);
        } else if (c == 'h') {
            fputs(USAGE, stdout);
            return 0;
        } else return cli_bad_option("eval", "d:m:s:h", argv);
    }
    if (argc - optind != 1) return cli_usage_error("eval", "expected one checkpoint file");
    rd_catch_stop_signals(); /* the loops below stop within a fraction of a second */
    rd_error err = {0};
    rd_mlp m;
    rd_ckpt_state s;
    if (rd_checkpoint_load(argv[optind], &m, NULL, &s, &err))
        return rd_interrupted() ? cli_interrupted("eval", "nothing evaluated") : cli_error("eval", &err);
    rd_dataset test;
    rd_load_select sel = {0, 0, NULL, rd_memory_available(), "the available memory", s.classes};
    if (rd_mnist_load_select(data, 0, &sel, &test, &err)) {
        rd_mlp_free(&m);
        return rd_interrupted() ? cli_interrupted("eval", "nothing evaluated") : cli_error("eval", &err);
    }
    int status = 0;
    if (rd_dataset_check_shape(&test, data, s.inputs, s.classes, &err)) {
        status = cli_error("eval", &err);
    } else {
        rd_dataset_set_normalization(&test, s.norm_mean, s.norm_std);
        int k = s.classes, show = k <= 20; /* a larger matrix is not printed, so not counted */
        long long *conf = show ? rd_calloc((size_t)k * k, sizeof(long long)) : NULL;
        double loss, acc;
        rd_graph g;
        rd_graph_init(&g);
        int stopped = rd_evaluate(&m, &g, &test, &loss, &acc, conf);
        rd_rng rng;
        rd_rng_seed(&rng, seed);
        rd_consistency d;
        if (!stopped) stopped = rd_evaluate_consistency(&m, &g, rd_fast_mlp_forward, &test, passes, &rng, &d);
        rd_graph_free(&g);
        if (stopped) {
            free(conf);
            rd_dataset_free(&test);
            rd_mlp_free(&m);
            return cli_interrupted("eval", "nothing printed");
        }
        printf("%s on %s: %d test images\n", argv[optind], data, test.n);
        printf("test_acc=%.4f test_err=%.2f%% test_loss=%.4f\n", acc, 100 * (1 - acc), loss);
        if (show) {
            printf("confusion matrix (rows: true class, columns: predicted)\n     ");
            for (int j = 0; j < k; j++) printf("%6d", j);
            printf("\n");
            for (int i = 0; i < k; i++) {
                printf("%4d ", i);
                for (int j = 0; j < k; j++) printf("%6lld", conf[(size_t)i * k + j]);
                printf("\n");
            }
        }
        free(conf);
        printf("dropout %g (inputs %g), %d pass%s per image, seed %llu:\n", s.dropout, s.input_dropout, passes,
               passes == 1 ? "" : "es", seed);
        printf("full_acc = %.4f\nsub_acc = %.4f\nmc_acc = %.4f\n", d.full_acc, d.sub_acc, d.mc_acc);
        if (passes > 1) printf("test_kl = %.6f\n", d.test_kl);
        else printf("test_kl = n/a (needs --mc 2 or more)\n");
        printf("ece = %.4f\n", d.ece);
    }
    rd_dataset_free(&test);
    rd_mlp_free(&m);
    return status;
}
