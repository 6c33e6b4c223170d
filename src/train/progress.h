/* The progress display of one epoch: a bar on a terminal, plain lines
 * (every quarter of the epoch) when stderr is a file or a pipe. */
#ifndef RDROP_TRAIN_PROGRESS_H
#define RDROP_TRAIN_PROGRESS_H

typedef struct {
    int tty, enabled;
    int epoch, epochs, batches;
    double t0, last;
    int next_quarter;
} rd_progress;

void rd_progress_start(rd_progress *p, int enabled, int epoch, int epochs, int batches, double elapsed);
/* loss_se: standard error of the running mean loss (spread over batches). */
void rd_progress_update(rd_progress *p, int batch, double samples, double seconds, double loss,
                        double loss_se, double ce, double kl, double acc);
void rd_progress_end(rd_progress *p);

#endif
