/* Stopping on a signal. `rdrop train` catches SIGINT, SIGTERM and SIGHUP:
 * the handler only records the signal, and every long loop (the training
 * steps, reading a data file) checks rd_interrupted() and stops cleanly,
 * so a checkpoint can be written and no file is left half done. */
#ifndef RDROP_SIGNALS_H
#define RDROP_SIGNALS_H
#include <signal.h>

/* The signal that asked to stop, or 0. */
extern volatile sig_atomic_t rd_stop_requested;

/* Installs the recording handler for SIGINT, SIGTERM and SIGHUP. */
void rd_catch_stop_signals(void);
/* rd_stop_requested, for loops that do not hold the variable. */
int rd_interrupted(void);

#endif
