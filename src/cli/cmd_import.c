/* rdrop import FILE.safetensors --out MODEL.ckpt */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "rdrop/signals.h"
#include "rdrop/checkpoint.h"
#include "rdrop/safetensors.h"

static const char *USAGE =
    "usage: rdrop import FILE.safetensors --out MODEL.ckpt\n"
    "\n"
    "Writes a checkpoint holding the weights of a safetensors file (an `rdrop export`,\n"
    "or a PyTorch nn.Sequential's state_dict laid out as docs/interop.md shows), for\n"
    "`rdrop eval` and `rdrop predict`. Activation, dropout, input dropout and input\n"
    "normalization come from the file's __metadata__; a file without them is taken\n"
    "as ReLU, no dropout, no normalization (one line says so). The checkpoint has no\n"
    "training history: epoch 0, an SGD optimizer with no momentum yet. To train on\n"
    "from the weights, use the config key model.init_from instead.\n"
    "\n"
    "  --out FILE   the checkpoint to write (required; no default)\n"
    "  -h, --help   this text\n";

/* The names of the values the file did not give, "" when it gave all. */
static void assumed(const rd_st_info *info, char *buf, size_t n) {
    buf[0] = '\0';
    const char *names[4] = {info->has_activation ? NULL : "activation relu",
                            info->has_dropout ? NULL : "dropout 0",
                            info->has_input_dropout ? NULL : "input_dropout 0",
                            info->has_norm ? NULL : "no normalization"};
    for (int i = 0; i < 4; i++)
        if (names[i]) snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", buf[0] ? ", " : "", names[i]);
}

int cmd_import(int argc, char **argv) {
    static const struct option opts[] = {{"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *out = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'o') out = optarg;
        else if (c == 'h') {
            fputs(USAGE, stdout);
            return 0;
        } else return cli_bad_option("import", "o:h", argv);
    }
    if (argc - optind != 1) return cli_usage_error("import", "expected one safetensors file");
    if (!out || !*out) return cli_usage_error("import", "expected --out MODEL.ckpt");
    const char *in = argv[optind];
    /* a stop request ends reading or writing a large file, leaving no part
     * of the output behind (rdrop/signals.h) */
    rd_catch_stop_signals();
    rd_stop_cancels_writes(1);
    rd_error err = {0};
    rd_mlp m;
    rd_st_info info;
    if (rd_safetensors_load(in, &m, &info, &err))
        return rd_interrupted() ? cli_interrupted("import", "nothing written") : cli_error("import", &err);
    rd_ckpt_state s;
    memset(&s, 0, sizeof s);
    rd_ckpt_describe(&s, &m, info.inputs);
    s.norm_mean = info.norm_mean;
    s.norm_std = info.norm_std;
    s.best_val_acc = -1.0;
    /* no run has drawn from them yet: any nonzero state will do */
    rd_rng_seed(&s.data_rng, 0);
    rd_rng_seed(&s.drop_rng, 1);
    rd_optim o;
    rd_optim_init(&o, RD_OPT_SGD, m.n_params);
    rd_status st = rd_checkpoint_save(out, &m, &o, &s, &err);
    if (!st) {
        char layout[2048], missing[128];
        rd_safetensors_layout(layout, sizeof layout, &m);
        printf("%s: %zu parameters, %s\n", out, m.n_params, layout);
        assumed(&info, missing, sizeof missing);
        if (missing[0]) printf("%s: not in __metadata__, assumed: %s\n", in, missing);
    }
    rd_optim_free(&o);
    rd_mlp_free(&m);
    return st ? (rd_interrupted() ? cli_interrupted("import", "nothing written") : cli_error("import", &err)) : 0;
}
