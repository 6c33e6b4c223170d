/* The progress display of one epoch: a bar on a terminal, redrawn in place
 * and fitted to the terminal's width; plain lines (every quarter of the
 * epoch) when stderr is a file or a pipe. */
#ifndef RDROP_TRAIN_PROGRESS_H
#define RDROP_TRAIN_PROGRESS_H
#include <stddef.h>

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

/* ---- the line itself (progress_line.c) ---- */

/* One field of the progress line. */
typedef struct {
    const char *text; /* NULL: the bar, as wide as the line allows (RD_BAR_MIN..RD_BAR_MAX) */
    const char *sep;  /* written before the field unless it comes first */
    int drop;         /* 0: always shown; else dropped when the line is too wide, rank 1 first */
} rd_field;
enum { RD_BAR_MIN = 10, RD_BAR_MAX = 20 };

/* Writes into out (n bytes) the fields that fit in `width` columns, dropping
 * the least important first (as tqdm does); `fill` (0..1) of the bar is
 * '#'. When even the fields that are never dropped are too wide, the line is
 * cut at width columns. Returns the line's width in columns. */
int rd_progress_fit(char *out, size_t n, const rd_field *fields, int n_fields, double fill, int width);
/* Columns that UTF-8 text takes (one per character: the line holds no wide ones). */
int rd_text_columns(const char *s);
/* The width of the terminal on fd; else the COLUMNS environment variable;
 * else 80. */
int rd_terminal_width(int fd);
/* v with `decimals` decimals, or in %g style (2.235e+27) when it is 1e6 or
 * more or below 1e-4 in magnitude (not 0), so that no number runs to dozens
 * of digits. */
void rd_format_number(char *buf, size_t n, double v, int decimals);

#endif
