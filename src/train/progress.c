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

/* m:ss, or h:mm:ss from an hour on; bounded, whatever the estimate. */
static void clock_text(char *buf, size_t n, double s) {
    long long t = !(s > 0) ? 0 : s < 1e12 ? (long long)(s + 0.5) : (long long)1e12;
    if (t < 3600) snprintf(buf, n, "%lld:%02lld", t / 60, t % 60);
    else snprintf(buf, n, "%lld:%02lld:%02lld", t / 3600, t / 60 % 60, t % 60);
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
    char el[32], eta[32], num[5][32];
    clock_text(el, sizeof el, now - p->t0);
    clock_text(eta, sizeof eta, batch ? (now - p->t0) * (p->batches - batch) / batch : 0);
    rd_format_number(num[0], sizeof num[0], seconds > 0 ? samples / seconds : 0, 0);
    rd_format_number(num[1], sizeof num[1], loss, 4);
    rd_format_number(num[2], sizeof num[2], loss_se, 4);
    rd_format_number(num[3], sizeof num[3], ce, 4);
    rd_format_number(num[4], sizeof num[4], kl, 4);
    char epoch[48], pos[48], rate[48], lossf[80], parts[80], accf[32], time[80];
    snprintf(epoch, sizeof epoch, "epoch %d/%d", p->epoch, p->epochs);
    /* on a terminal a steady width, so that the bar does not jitter */
    int digits = p->tty ? snprintf(NULL, 0, "%d", p->batches) : 0;
    snprintf(pos, sizeof pos, "%*d/%d", digits, batch, p->batches);
    snprintf(rate, sizeof rate, "%5s samples/s", num[0]);
    snprintf(lossf, sizeof lossf, "loss %s±%s", num[1], num[2]);
    snprintf(parts, sizeof parts, "(ce %s kl %s)", num[3], num[4]);
    snprintf(accf, sizeof accf, "acc %5.2f%%", 100 * acc);
    snprintf(time, sizeof time, "%s<%s", el, eta);
    /* what goes first when the terminal is narrow: the loss's parts, the
     * speed, the bar, the accuracy; epoch, batch, loss and time stay */
    rd_field f[] = {{epoch, "", 0}, {NULL, " ", 3}, {pos, " ", 0}, {rate, "  ", 2},
                    {lossf, "  ", 0}, {parts, " ", 1}, {accf, "  ", 4}, {time, "  ", 0}};
    enum { N_FIELDS = sizeof f / sizeof f[0] };
    if (p->tty) {
        char line[512];
        /* width - 1: a line that fills the last column wraps on some terminals */
        rd_progress_fit(line, sizeof line, f, N_FIELDS, (double)batch / p->batches,
                        rd_terminal_width(STDERR_FILENO) - 1);
        fprintf(stderr, "\r\033[K%s", line);
    } else { /* a log: every field, no bar */
        fprintf(stderr, "%s batch %s  %s  %s %s  %s  %s\n", epoch, pos, rate, lossf, parts, accf, time);
        p->next_quarter = batch * 4 / p->batches + 1;
    }
    fflush(stderr);
}

void rd_progress_end(rd_progress *p) {
    if (p->enabled && p->tty) fprintf(stderr, "\r\033[K");
}
