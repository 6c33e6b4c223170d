/* The one clock: seconds from CLOCK_MONOTONIC (for durations only). */
#ifndef RDROP_CLOCK_H
#define RDROP_CLOCK_H

double rd_now(void);

#endif
