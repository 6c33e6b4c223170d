/* The state of the fast layer (rdrop/fast.h), shared by its files. */
#ifndef RDROP_FAST_STATE_H
#define RDROP_FAST_STATE_H
#include "rdrop/fast.h"
#include "rdrop/gemm.h"

struct rd_fast {
    rd_products products; /* what a graph it is attached to computes its products with */
    rd_workers *team;
    double gemm_seconds;
    int n_gemm;
    rd_gemm_shape log[RD_GEMM_LOG];
};

#endif
