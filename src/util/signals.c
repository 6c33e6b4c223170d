/* The stop flag behind rdrop/signals.h. */
#include "rdrop/signals.h"

#include <string.h>

volatile sig_atomic_t rd_stop_requested;

static void on_signal(int sig) { rd_stop_requested = sig; }

void rd_catch_stop_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int rd_interrupted(void) { return rd_stop_requested; }

static int cancel_writes;
void rd_stop_cancels_writes(int yes) { cancel_writes = yes; }
int rd_writes_cancelled(void) { return cancel_writes && rd_stop_requested; }
