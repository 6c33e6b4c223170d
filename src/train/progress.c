#include "train/progress.h"

#include "rdrop/clock.h"

#include <stdio.h>
#include <unistd.h>

void rd_progress_start(rd_progress *p, int enabled, int epoch, int epochs, int batches, double elapsed) {
    p->enabled = enabled;
    p->tty = isatty(STDERR_FILENO);
    p->epoch = epoch;
    p->epochs = epochs;
    p->batches = batches;
    p->t0 = rd_now() - elapsed;
    p->last = 0;
    p->next_quarter = 1;
}

static void clock_text(char *buf, size_t n, double s) {
    int t = s < 0 ? 0 : (int)(s + 0.5);
    snprintf(buf, n, "%d:%02d", t / 60, t % 60);
}

void rd_progress_update(rd_progress *p, int batch, double samples, double seconds, double loss,
                        double loss_se, double ce, double kl, double acc) {
    if (!p->enabled) return;
    double now = rd_now();
    int done = batch == p->batches;
    if (p->tty) {
        if (!done && now - p->last < 0.1) return;
    } else if (batch * 4 < p->next_quarter * p->batches || done) {
        return; /* the epoch line on stdout covers the end */
    }
    p->last = now;
    double rate = seconds > 0 ? samples / seconds : 0;
    char el[16], eta[16];
    clock_text(el, sizeof el, now - p->t0);
    clock_text(eta, sizeof eta, batch ? (now - p->t0) * (p->batches - batch) / batch : 0);
    char stats[160];
    snprintf(stats, sizeof stats, "%5.0f samples/s  loss %.4f±%.4f (ce %.4f kl %.4f)  acc %5.2f%%  %s<%s",
             rate, loss, loss_se, ce, kl, 100 * acc, el, eta);
    if (p->tty) {
        enum { W = 20 };
        char bar[W + 1];
        int fill = batch * W / p->batches;
        for (int i = 0; i < W; i++) bar[i] = i < fill ? '#' : '.';
        bar[W] = 0;
        fprintf(stderr, "\r\033[Kepoch %d/%d [%s] %d/%d  %s", p->epoch, p->epochs, bar, batch, p->batches, stats);
    } else {
        fprintf(stderr, "epoch %d/%d batch %d/%d  %s\n", p->epoch, p->epochs, batch, p->batches, stats);
        p->next_quarter = batch * 4 / p->batches + 1;
    }
    fflush(stderr);
}

void rd_progress_end(rd_progress *p) {
    if (p->enabled && p->tty) fprintf(stderr, "\r\033[K");
}
