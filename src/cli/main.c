/* rdrop: train MLPs with dropout or R-Drop, and look inside the losses. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rdrop/signals.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *help;
} COMMANDS[] = {
    {"train", cmd_train, "train a model from an experiment config"},
    {"eval", cmd_eval, "test accuracy, loss and confusion matrix of a checkpoint"},
    {"predict", cmd_predict, "classify image files (PNG, JPEG, BMP) with a checkpoint"},
    {"export", cmd_export, "write a checkpoint's model as safetensors, for PyTorch and NumPy"},
    {"import", cmd_import, "write a checkpoint from a safetensors file (rdrop's or PyTorch's)"},
    {"kl", cmd_kl, "KL divergences of two distributions, as PyTorch's F.kl_div computes them"},
    {"gradcheck", cmd_gradcheck, "check every op's gradient against finite differences"},
    {"compare", cmd_compare, "train two or more configs over seeds; report, t-tests, curves"},
    {"plot", cmd_plot, "draw the learning curves of run folders into a PNG"},
    {"serve", cmd_serve, "a page to draw digits and watch dropout sub-networks vote; runs' curves"},
    {"bench", cmd_bench, "training throughput and where a step's time goes (bench/README.md)"},
};
enum { N_COMMANDS = sizeof COMMANDS / sizeof COMMANDS[0] };

static void usage(FILE *f) {
    fprintf(f, "usage: rdrop COMMAND [ARGS]   (rdrop COMMAND --help for its options)\n\ncommands:\n");
    for (int i = 0; i < N_COMMANDS; i++) fprintf(f, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].help);
    fprintf(f, "\nExit status: 0 success, 1 runtime error, 2 usage or config error.\n");
}

int cli_error(const char *cmd, const rd_error *err) {
    fprintf(stderr, "rdrop %s: %s\n", cmd, err->msg);
    return err->status ? (int)err->status : 1;
}

int cli_interrupted(const char *cmd, const char *what) {
    int sig = rd_interrupted();
    fprintf(stderr, "rdrop %s: interrupted by signal %d; %s\n", cmd, sig, what);
    return 128 + sig;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rdrop %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (rdrop %s --help)\n", cmd);
    va_end(ap);
    return RD_ERR_USAGE;
}

/* After getopt_long returned '?': opterr is 0, so getopt printed nothing.
 * getopt sets optopt to an unknown short option's letter, to 0 for an
 * unknown or ambiguous long option, and to the option's val for a known one
 * whose value is missing or extra (a long option's val may be past 255).
 * argv[optind - 1] is the long option; a short one may sit inside a
 * cluster ("-pX"), so it is named from optopt. */
int cli_bad_option(const char *cmd, const char *optstring, char **argv) {
    const char *arg = argv[optind - 1], *cur = argv[optind];
    int ch = optopt < 0 ? (unsigned char)optopt : optopt; /* a byte past 0x7f comes as a negative char */
    int short_opt = ch > 0 && ch < 256;
    /* an unknown short option inside a cluster: optind still points at the
     * cluster (a known one fails only at its end, a long option's error has
     * always moved optind past it) */
    int in_cluster = short_opt && !strchr(optstring, ch) && cur && cur[0] == '-' && cur[1] && cur[1] != '-' &&
                     strchr(cur + 1, ch);
    if (!in_cluster && !strncmp(arg, "--", 2) && arg[2]) {
        int name = (int)strcspn(arg, "=");
        if (!optopt) return cli_usage_error(cmd, "unknown option '%.*s' (or an ambiguous abbreviation)", name, arg);
        if (arg[name]) return cli_usage_error(cmd, "option '%.*s' takes no value", name, arg);
        return cli_usage_error(cmd, "option '%s' needs a value", arg);
    }
    if (short_opt && ch != ':' && strchr(optstring, ch)) return cli_usage_error(cmd, "option '-%c' needs a value", ch);
    if (ch > 32 && ch < 127) return cli_usage_error(cmd, "unknown option '-%c'", ch);
    if (short_opt) return cli_usage_error(cmd, "unknown option: the byte 0x%02x after '-'", ch);
    return cli_usage_error(cmd, "unknown option '%s'", arg);
}

int cli_number(const char *text, unsigned long long lo, unsigned long long hi, unsigned long long *out) {
    if (!text[0] || strspn(text, "0123456789") != strlen(text)) return 0;
    errno = 0;
    unsigned long long v = strtoull(text, NULL, 10);
    if (errno == ERANGE || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

/* Output lost on the way (a full disk, /dev/full, a closed terminal) is a
 * failure: stdout is flushed and checked once, here, after every command.
 * A command that failed already said why; its status stands. */
static int finish(const char *cmd, int status) {
    errno = 0;
    int flushed = fflush(stdout) == 0;
    int e = errno;
    if ((!flushed || ferror(stdout)) && status == 0) {
        fprintf(stderr, "rdrop%s%s: write error on standard output: %s\n", cmd ? " " : "", cmd ? cmd : "",
                e ? strerror(e) : "output was lost");
        return 1;
    }
    return status;
}

int main(int argc, char **argv) {
    opterr = 0; /* errors are reported by cli_bad_option, on one line */
#ifdef M_MMAP_THRESHOLD
    /* Big blocks always from mmap, so freeing one returns it to the system:
     * glibc otherwise raises the threshold when such a block is freed (the
     * data loader's buffers), and later blocks then stay in the heap. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    if (argc < 2) {
        fprintf(stderr, "rdrop: expected a command (rdrop --help lists them)\n");
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return finish(NULL, 0);
    }
    for (int i = 0; i < N_COMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].name)) return finish(argv[1], COMMANDS[i].run(argc - 1, argv + 1));
    fprintf(stderr, "rdrop: unknown command '%s' (rdrop --help lists the commands)\n", argv[1]);
    return 2;
}
