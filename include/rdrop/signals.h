/* Stopping on a signal. The commands that run long (train, eval, export,
 * import, compare) catch SIGINT, SIGTERM and SIGHUP: the handler only
 * records the signal, and every long loop (the training steps, evaluation
 * and the sub-network passes, reading a data or model file, writing a large
 * one) checks rd_interrupted() and stops within a fraction of a second, so a
 * checkpoint can be written and no file is left half done. */
#ifndef RDROP_SIGNALS_H
#define RDROP_SIGNALS_H
#include <signal.h>

/* The signal that asked to stop, or 0. */
extern volatile sig_atomic_t rd_stop_requested;

/* Installs the recording handler for SIGINT, SIGTERM and SIGHUP. */
void rd_catch_stop_signals(void);
/* rd_stop_requested, for loops that do not hold the variable. */
int rd_interrupted(void);

/* Whether a stop request also cancels a file being written (rdrop/files.h):
 * yes in commands whose output is worth nothing half done (export, import);
 * no where the stop itself must be written (train's checkpoint). Default 0. */
void rd_stop_cancels_writes(int yes);
int rd_writes_cancelled(void);

#endif
