/* The rdrop command-line tool: one function per command. Each returns the
 * process exit status: 0 success, 1 runtime error, 2 usage or config error. */
#ifndef RDROP_CLI_H
#define RDROP_CLI_H
#include "rdrop/error.h"

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_kl(int argc, char **argv);
int cmd_gradcheck(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* After a stop request (rdrop/signals.h) ended the work: "rdrop CMD:
 * interrupted by signal N; WHAT" on stderr, and 128 + N to exit with. */
int cli_interrupted(const char *cmd, const char *what);
/* Prints "rdrop CMD: message" on stderr and returns the status. */
int cli_error(const char *cmd, const rd_error *err);
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The usage error for getopt_long's '?': an unknown option or a missing value. */
int cli_bad_option(const char *cmd, const char *optstring, char **argv);
/* An option's whole number: digits only (no sign, space or 0x), in [lo, hi],
 * no overflow. 1 and *out set, or 0. */
int cli_number(const char *text, unsigned long long lo, unsigned long long hi, unsigned long long *out);

#endif
