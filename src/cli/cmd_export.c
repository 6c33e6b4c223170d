/* rdrop export MODEL.ckpt --out FILE.safetensors */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "rdrop/signals.h"
#include "rdrop/checkpoint.h"
#include "rdrop/safetensors.h"

static const char *USAGE =
    "usage: rdrop export MODEL.ckpt --out FILE.safetensors\n"
    "\n"
    "Writes the model of a checkpoint in the safetensors format, as the state_dict\n"
    "of the PyTorch nn.Sequential printed on success: model.load_state_dict takes it\n"
    "without renaming or transposing (docs/interop.md). The file's __metadata__ holds\n"
    "the architecture, activation, dropout, input dropout, input normalization and\n"
    "the rdrop version. Written atomically: FILE is the old file or the new one.\n"
    "\n"
    "  --out FILE   the safetensors file to write (required; no default)\n"
    "  -h, --help   this text\n";

int cmd_export(int argc, char **argv) {
    static const struct option opts[] = {{"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *out = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'o') out = optarg;
        else if (c == 'h') {
            fputs(USAGE, stdout);
            return 0;
        } else return cli_bad_option("export", "o:h", argv);
    }
    if (argc - optind != 1) return cli_usage_error("export", "expected one checkpoint file");
    if (!out || !*out) return cli_usage_error("export", "expected --out FILE.safetensors");
    /* a stop request ends reading or writing a large file, leaving no part
     * of the output behind (rdrop/signals.h) */
    rd_catch_stop_signals();
    rd_stop_cancels_writes(1);
    rd_error err = {0};
    rd_mlp m;
    rd_ckpt_state s;
    if (rd_checkpoint_load(argv[optind], &m, NULL, &s, &err))
        return rd_interrupted() ? cli_interrupted("export", "nothing written") : cli_error("export", &err);
    rd_status st = rd_safetensors_save(out, &m, s.norm_mean, s.norm_std, &err);
    if (!st) {
        char layout[2048];
        rd_safetensors_layout(layout, sizeof layout, &m);
        printf("%s: %zu parameters, %s\n", out, m.n_params, layout);
    }
    rd_mlp_free(&m);
    return st ? (rd_interrupted() ? cli_interrupted("export", "nothing written") : cli_error("export", &err)) : 0;
}
