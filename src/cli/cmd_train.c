/* rdrop train CONFIG [--set k=v]... [--out DIR] [--force | --continue] [--resume DIR] */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "rdrop/config.h"
#include "rdrop/files.h"
#include "rdrop/report.h"
#include "rdrop/signals.h"
#include "rdrop/train.h"

static const char *USAGE =
    "usage: rdrop train CONFIG [--set section.key=value]... [--out DIR] [--force | --continue] [--quiet]\n"
    "       rdrop train [CONFIG] --resume DIR [--set section.key=value]... [--quiet]\n"
    "\n"
    "Trains the experiment CONFIG (an INI file, e.g. experiments/mnist-rdrop.ini). Writes\n"
    "DIR/config.ini (the effective config), DIR/metrics.csv (one row per epoch),\n"
    "DIR/last.ckpt and, with a validation split, DIR/best.ckpt. Progress goes to stderr,\n"
    "one line per epoch and a final 'final test_acc=... test_err=...' line to stdout.\n"
    "\n"
    "  --set KEY=VALUE  override a config key, e.g. --set train.epochs=3 (repeatable);\n"
    "                   KEY*=F scales a number, e.g. --set train.epochs*=1.5\n"
    "  --out DIR        run folder (default: runs/<config name>-<seed>)\n"
    "  --force          start over in a folder that holds a run (its checkpoints are\n"
    "                   removed once the new run starts); without it such a folder\n"
    "                   is refused\n"
    "  --resume DIR     continue the run in DIR from DIR/last.ckpt; the config is\n"
    "                   DIR/config.ini unless CONFIG is given\n"
    "  --continue       whatever DIR holds, finish the run of CONFIG: start it when\n"
    "                   there is none, resume it when it was interrupted, exit 0 at\n"
    "                   once when it has finished; a run of another config is\n"
    "                   refused (exit 2). For job schedulers that may start the same\n"
    "                   command again (rdrop compare --slurm)\n"
    "  --quiet          no progress display\n"
    "  -h, --help       this text\n"
    "\n"
    "One rdrop at a time works in a run folder: another one started on it exits with\n"
    "status 1, naming the pid that holds it (DIR/.lock).\n"
    "SIGINT, SIGTERM or SIGHUP writes a checkpoint of the current state and exits with\n"
    "128 + the signal (130, 143, 129); --resume continues from it. Exit status: 0\n"
    "success, 1 runtime error, 2 usage or config error.\n"
    "\n";

int cmd_train(int argc, char **argv) {
    static const struct option opts[] = {{"set", required_argument, 0, 's'}, {"out", required_argument, 0, 'o'},
                                         {"resume", required_argument, 0, 'r'}, {"quiet", no_argument, 0, 'q'},
                                         {"force", no_argument, 0, 'f'}, {"help", no_argument, 0, 'h'},
                                         {"continue", no_argument, 0, 'C'}, {0, 0, 0, 0}};
    const char *sets[256], *out = NULL, *resume = NULL;
    int n_sets = 0, quiet = 0, force = 0, cont = 0, c;
    while ((c = getopt_long(argc, argv, "s:o:r:qfh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (n_sets == 256) return cli_usage_error("train", "too many --set options");
            sets[n_sets++] = optarg;
            break;
        case 'o': out = optarg; break;
        case 'r': resume = optarg; break;
        case 'q': quiet = 1; break;
        case 'f': force = 1; break;
        case 'C': cont = 1; break;
        case 'h':
            fputs(USAGE, stdout);
            rd_config_print_keys(stdout);
            return 0;
        default: return cli_bad_option("train", "s:o:r:qfh", argv);
        }
    }
    if (argc - optind > 1) return cli_usage_error("train", "expected one CONFIG, got %d arguments", argc - optind);
    if (argc - optind == 0 && !resume) return cli_usage_error("train", "expected a CONFIG file");
    if (out && resume && strcmp(out, resume) != 0)
        return cli_usage_error("train", "--out and --resume name different folders");
    if (force && resume) return cli_usage_error("train", "--force starts over, --resume continues: not both");
    if (cont && (force || resume))
        return cli_usage_error("train", "--continue decides itself whether to start or resume: not with %s",
                               force ? "--force" : "--resume");
    if (cont && argc - optind == 0) return cli_usage_error("train", "--continue needs the CONFIG of the run");

    char path[4096];
    const char *config = argc - optind == 1 ? argv[optind] : NULL;
    rd_error err = {0};
    if (resume && rd_check_run_dir(resume, &err)) return cli_error("train", &err);
    if (!config) {
        snprintf(path, sizeof path, "%s/config.ini", resume);
        config = path;
    }
    static rd_config cfg;
    if (rd_config_load(config, &cfg, &err)) return cli_error("train", &err);
    if (config == path) { /* name a resumed run after its folder, not "config" */
        const char *base = strrchr(resume, '/');
        snprintf(cfg.name, sizeof cfg.name, "%s", base && base[1] ? base + 1 : resume);
    }
    for (int i = 0; i < n_sets; i++)
        if (rd_config_set(&cfg, sets[i], &err)) return cli_error("train", &err);
    if (rd_config_validate(&cfg, &err)) return cli_error("train", &err);

    char dir[4096];
    if (resume) out = resume;
    if (!out) {
        snprintf(dir, sizeof dir, "runs/%s-%llu", cfg.name, cfg.train.seed);
        out = dir;
    }
    if (cont) {
        rd_run_state s;
        if (rd_check_run_dir(out, &err) || rd_run_inspect(out, &cfg, &s, &err)) return cli_error("train", &err);
        if (s.kind == RD_RUN_FINISHED) {
            printf("rdrop train: %s has finished its %d epochs; nothing to do\n", out, s.epoch);
            return 0;
        }
        if (s.kind == RD_RUN_RESUME) resume = out; /* the trainer says "resuming after epoch ..." */
        force = s.kind == RD_RUN_FRESH && s.exists;
        if (force) printf("rdrop train: %s holds no run to resume: starting over\n", out);
    }
    rd_catch_stop_signals();

    rd_train_options o = {.out_dir = out, .resume = resume != NULL, .force = force, .stop = &rd_stop_requested,
                          .log = stdout, .progress = !quiet};
    rd_train_result res;
    if (rd_train(&cfg, &o, &res, &err)) {
        int status = cli_error("train", &err), sig = rd_interrupted();
        return sig ? 128 + sig : status; /* stopped while reading the data, say */
    }
    if (res.interrupted) return 128 + res.interrupted;
    return 0;
}
