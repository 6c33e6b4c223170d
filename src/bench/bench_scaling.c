/* rdrop bench --scaling: how the cost of a step grows with the hidden width
 * and the batch. A few steps per point (3 epochs on a subset, the median
 * one reported, so the warm-up epoch drops out): enough for a table of
 * ratios, not for a headline figure. */
#include <stdio.h>

#include "rdrop/bench.h"

/* Steps per epoch so an epoch takes about half a second at ~50 GFLOP/s. */
static int steps_for(int hidden, int batch, int copies) {
    double params = 784.0 * hidden + (double)hidden * hidden + hidden * 10.0;
    double flops = 6.0 * batch * copies * params;
    int steps = (int)(25e9 / flops);
    return steps < 2 ? 2 : steps > 40 ? 40 : steps;
}

void rd_bench_scaling(const rd_bench_setup *base, int modes, rd_error *err, int *failed) {
    static const int HIDDEN[] = {256, 1024, 4096}, BATCH[] = {32, 128, 512};
    printf("rdrop bench --scaling: MLP 784-H-H-10, per step in ms, %d threads (ceiling: OpenBLAS's own)\n", base->threads);
    printf("%-8s %6s %6s %6s %10s %9s %8s %9s %7s\n", "mode", "hidden", "batch", "steps", "samples/s",
           "step ms", "gemm ms", "ceiling", "%ceil");
    for (int m = 1; m <= 2; m++) {
        if (!(modes & m)) continue;
        for (int h = 0; h < 3; h++)
            for (int b = 0; b < 3; b++) {
                rd_bench_setup s = *base;
                s.method = m == 2 ? RD_METHOD_RDROP : RD_METHOD_DROPOUT;
                s.hidden = HIDDEN[h];
                s.batch = BATCH[b];
                s.epochs = 3;
                int steps = steps_for(s.hidden, s.batch, m);
                s.subset = steps * s.batch;
                rd_bench_result r;
                if (rd_bench_run(&s, &r, err)) {
                    *failed = 1;
                    return;
                }
                printf("%-8s %6d %6d %6d %10.0f %9.2f %8.2f %9.2f %6.0f%%\n", m == 2 ? "rdrop" : "dropout",
                       s.hidden, s.batch, steps, r.samples_per_s, r.step_ms, r.gemm_ms, r.ceiling_ms,
                       100.0 * r.ceiling_ms / r.step_ms);
                fflush(stdout);
            }
    }
}
