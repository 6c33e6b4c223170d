/* rdrop predict MODEL.ckpt IMAGE... */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "rdrop/checkpoint.h"
#include "rdrop/image.h"
#include "rdrop/loss.h"

static const char *USAGE =
    "usage: rdrop predict MODEL.ckpt IMAGE...\n"
    "\n"
    "Classifies each image (PNG, JPEG or BMP, any size; dark-on-light or light-on-dark)\n"
    "after fitting it into 28x28 the way MNIST was made, and prints the predicted class\n"
    "and the top-3 probabilities.\n"
    "\n"
    "  -h, --help   this text\n";

int cmd_predict(int argc, char **argv) {
    static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') { fputs(USAGE, stdout); return 0; }
        return cli_bad_option("predict", "h", argv);
    }
    if (argc - optind < 2) return cli_usage_error("predict", "expected a checkpoint and at least one image");
    rd_error err = {0};
    rd_mlp m;
    rd_ckpt_state s;
    if (rd_checkpoint_load(argv[optind], &m, NULL, &s, &err)) return cli_error("predict", &err);
    int status = 0;
    if (s.inputs != RD_MNIST_PIXELS) {
        rd_fail(&err, RD_ERR_USAGE, "%s: the model takes %d inputs, images give %d", argv[optind], s.inputs,
                RD_MNIST_PIXELS);
        rd_mlp_free(&m);
        return cli_error("predict", &err);
    }
    rd_graph g;
    rd_graph_init(&g);
    g.training = 0;
    float x[RD_MNIST_PIXELS];
    for (int i = optind + 1; i < argc; i++) {
        if (rd_image_load_mnist(argv[i], x, &err)) {
            status = cli_error("predict", &err);
            continue;
        }
        for (int j = 0; j < RD_MNIST_PIXELS; j++) x[j] = (x[j] - s.norm_mean) / s.norm_std;
        rd_graph_reset(&g);
        rd_tensor *p = rd_softmax(&g, rd_mlp_forward(&m, &g, rd_input(&g, 1, RD_MNIST_PIXELS, x), 1, NULL));
        /* the three most likely classes: argmax, then argmax of the rest */
        int top[3] = {0, 0, 0}, k = p->cols < 3 ? p->cols : 3;
        float prob[3] = {0, 0, 0};
        for (int r = 0; r < k; r++) {
            top[r] = rd_argmax(p->data, p->cols);
            prob[r] = p->data[top[r]];
            p->data[top[r]] = -1.0f;
        }
        printf("%s: %d  (", argv[i], top[0]);
        for (int r = 0; r < k; r++) printf("%s%d: %.4f", r ? ", " : "", top[r], prob[r]);
        printf(")\n");
    }
    rd_graph_free(&g);
    rd_mlp_free(&m);
    return status;
}
