/* rdrop eval MODEL.ckpt [--data DIR] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "rdrop/checkpoint.h"
#include "rdrop/train.h"

static const char *USAGE =
    "usage: rdrop eval MODEL.ckpt [--data DIR]\n"
    "\n"
    "Prints the test accuracy, loss and 10x10 confusion matrix (rows: true class,\n"
    "columns: predicted) of a checkpoint on the test set in DIR.\n"
    "\n"
    "  --data DIR   folder with t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]\n"
    "               (default: data/mnist)\n"
    "  -h, --help   this text\n";

int cmd_eval(int argc, char **argv) {
    static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *data = "data/mnist";
    int c;
    while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
        if (c == 'd') data = optarg;
        else if (c == 'h') { fputs(USAGE, stdout); return 0; }
        else return cli_bad_option("eval", "d:h", argv);
    }
    if (argc - optind != 1) return cli_usage_error("eval", "expected one checkpoint file");
    rd_error err = {0};
    rd_mlp m;
    rd_ckpt_state s;
    if (rd_checkpoint_load(argv[optind], &m, NULL, &s, &err)) return cli_error("eval", &err);
    rd_dataset test;
    if (rd_mnist_load(data, 0, &test, &err)) {
        rd_mlp_free(&m);
        return cli_error("eval", &err);
    }
    int status = 0;
    if (test.dim != s.inputs) {
        rd_fail(&err, RD_ERR_USAGE, "%s: images have %d pixels, the model expects %d", data, test.dim, s.inputs);
        status = cli_error("eval", &err);
    } else {
        rd_dataset_set_normalization(&test, s.norm_mean, s.norm_std);
        int k = s.classes;
        long long *conf = rd_calloc((size_t)k * k, sizeof(long long));
        double loss, acc;
        rd_graph g;
        rd_graph_init(&g);
        rd_evaluate(&m, &g, &test, &loss, &acc, conf);
        rd_graph_free(&g);
        printf("%s on %s: %d test images\n", argv[optind], data, test.n);
        printf("test_acc=%.4f test_err=%.2f%% test_loss=%.4f\n", acc, 100 * (1 - acc), loss);
        printf("confusion matrix (rows: true class, columns: predicted)\n     ");
        for (int j = 0; j < k && k <= 20; j++) printf("%6d", j);
        printf("\n");
        for (int i = 0; i < k && k <= 20; i++) {
            printf("%4d ", i);
            for (int j = 0; j < k; j++) printf("%6lld", conf[(size_t)i * k + j]);
            printf("\n");
        }
        free(conf);
    }
    rd_dataset_free(&test);
    rd_mlp_free(&m);
    return status;
}
