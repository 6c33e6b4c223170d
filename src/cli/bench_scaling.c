/* rdrop bench --scaling: how the cost of a step grows with the hidden width
 * and the batch. A few steps per point (2 epochs on a subset, the second
 * timed), enough for a table of ratios, not for a headline figure. */
#include <stdio.h>

#include "cli/bench.h"

/* Steps per epoch so a point takes about a second at ~50 GFLOP/s. */
static int steps_for(int hidden, int batch, int copies) {
    double params = 784.0 * hidden + (double)hidden * hidden + hidden * 10.0;
    double flops = 6.0 * batch * copies * params;
    int steps = (int)(50e9 / flops);
    return steps < 3 ? 3 : steps > 40 ? 40 : steps;
}

void bench_scaling(const bench_setup *base, int modes, rd_error *err, int *failed) {
    static const int HIDDEN[] = {256, 1024, 4096}, BATCH[] = {32, 128, 512};
    printf("rdrop bench --scaling: MLP 784-H-H-10, per step in ms, %d OpenBLAS threads\n", base->threads);
    printf("%-8s %6s %6s %6s %10s %9s %8s %9s %7s\n", "mode", "hidden", "batch", "steps", "samples/s",
           "step ms", "gemm ms", "ceiling", "%ceil");
    for (int m = 1; m <= 2; m++) {
        if (!(modes & m)) continue;
        for (int h = 0; h < 3; h++)
            for (int b = 0; b < 3; b++) {
                bench_setup s = *base;
                s.method = m == 2 ? RD_METHOD_RDROP : RD_METHOD_DROPOUT;
                s.hidden = HIDDEN[h];
                s.batch = BATCH[b];
                s.epochs = 2;
                int steps = steps_for(s.hidden, s.batch, m);
                s.subset = steps * s.batch;
                bench_result r;
                if (bench_run(&s, &r, err)) {
                    *failed = 1;
                    return;
                }
                /* epoch 1 pays for warming up: report epoch 2 */
                double rate = r.epoch_rate[1], step = 1e3 * s.batch / rate;
                printf("%-8s %6d %6d %6d %10.0f %9.2f %8.2f %9.2f %6.0f%%\n", m == 2 ? "rdrop" : "dropout",
                       s.hidden, s.batch, steps, rate, step, r.gemm_ms, r.ceiling_ms, 100.0 * r.ceiling_ms / step);
                fflush(stdout);
            }
    }
}
