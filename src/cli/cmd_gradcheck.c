/* rdrop gradcheck [--op NAME]: the engine verifies itself. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "rdrop/gradcheck.h"

static const char *USAGE =
    "usage: rdrop gradcheck [--op NAME]\n"
    "\n"
    "Compares every op's backward pass with central finite differences and prints\n"
    "op, elements checked, max absolute and relative error, tolerance and pass/FAIL.\n"
    "An element passes when |analytic - numeric| <= atol + rtol*|g|, |g| being the\n"
    "larger of the two; err/tol is the worst ratio of the two sides (pass: <= 1).\n"
    "Exit status 1 when any check fails.\n"
    "\n"
    "  --op NAME   check one op (default: all); --op list prints the names\n"
    "  -h, --help  this text\n";

int cmd_gradcheck(int argc, char **argv) {
    static const struct option opts[] = {{"op", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *only = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'o') only = optarg;
        else if (c == 'h') { fputs(USAGE, stdout); return 0; }
        else return cli_bad_option("gradcheck", "o:h", argv);
    }
    if (optind < argc) return cli_usage_error("gradcheck", "unexpected argument '%s'", argv[optind]);
    const char *const *names = rd_gradcheck_names();
    if (only && !strcmp(only, "list")) {
        for (int i = 0; names[i]; i++) puts(names[i]);
        return 0;
    }
    rd_gc_result res[64];
    int n = rd_gradcheck_builtin(only, res, 64);
    if (n == 0) return cli_usage_error("gradcheck", "no op named '%s' (--op list shows them)", only);
    printf("%-23s %8s %12s %12s %22s %8s  %s\n", "op", "checked", "max_abs", "max_rel", "tolerance", "err/tol",
           "result");
    int failed = 0;
    for (int i = 0; i < n && i < 64; i++) {
        char tol[64];
        snprintf(tol, sizeof tol, "%.0e + %.0e*|g|", res[i].atol, res[i].rtol);
        printf("%-23s %8zu %12.3e %12.3e %22s %8.2f  %s\n", res[i].name, res[i].n_checked, res[i].max_abs,
               res[i].max_rel, tol, res[i].max_ratio, res[i].n_failed ? "FAIL" : "pass");
        failed += res[i].n_failed > 0;
    }
    printf("%d of %d checks passed\n", n - failed, n);
    return failed ? 1 : 0;
}
