#include "cli/cli.h"
int cmd_train(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_eval(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_predict(int argc, char **argv) { (void)argc; (void)argv; return 1; }
