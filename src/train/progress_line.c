/* The progress line on a terminal: fitted to its width. A line wider than
 * the terminal wraps, and "\r" then returns only to the start of the last
 * screen line, so each redraw would add lines instead of replacing one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "train/progress.h"

int rd_text_columns(const char *s) {
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80; /* not a UTF-8 continuation byte */
    return n;
}

int rd_terminal_width(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    const char *env = getenv("COLUMNS");
    char *end;
    long c = env ? strtol(env, &end, 10) : 0;
    return env && *env && !*end && c > 0 && c <= 100000 ? (int)c : 80;
}

void rd_format_number(char *buf, size_t n, double v, int decimals) {
    double a = fabs(v);
    if (isfinite(v) && v != 0 && (a >= 1e6 || a < 1e-4)) snprintf(buf, n, "%.4g", v);
    else snprintf(buf, n, "%.*f", decimals, v);
}

/* Appends s to out, at most `room` more columns; returns the columns added. */
static int put(char *out, size_t n, const char *s, int room) {
    size_t len = strlen(out);
    int cols = 0;
    for (; *s && len + 1 < n; s++) {
        int starts = ((unsigned char)*s & 0xC0) != 0x80;
        if (starts && cols == room) break;
        cols += starts;
        out[len++] = *s;
    }
    out[len] = 0;
    return cols;
}

/* Is field i shown at drop level `level`? */
static int shown(const rd_field *f, int level) { return f->drop == 0 || f->drop > level; }

int rd_progress_fit(char *out, size_t n, const rd_field *f, int n_fields, double fill, int width) {
    int max_rank = 0;
    for (int i = 0; i < n_fields; i++) max_rank = f[i].drop > max_rank ? f[i].drop : max_rank;
    int level = 0, bar = 0;
    for (;; level++) { /* drop ranks 1..level until the line fits */
        int cols = 0, first = 1, has_bar = 0;
        for (int i = 0; i < n_fields; i++) {
            if (!shown(&f[i], level)) continue;
            if (!first) cols += rd_text_columns(f[i].sep);
            first = 0;
            if (f[i].text) cols += rd_text_columns(f[i].text);
            else has_bar = 1, cols += 2; /* the brackets */
        }
        bar = width - cols < RD_BAR_MAX ? width - cols : RD_BAR_MAX;
        if (has_bar ? bar >= RD_BAR_MIN : cols <= width) break;
        if (level > max_rank) { /* nothing left to drop: no bar, and the line is cut */
            bar = -1;
            break;
        }
    }
    if (n) out[0] = 0;
    int cols = 0, first = 1;
    for (int i = 0; i < n_fields && cols < width; i++) {
        if (!shown(&f[i], level) || (!f[i].text && bar < 0)) continue;
        if (!first) cols += put(out, n, f[i].sep, width - cols);
        first = 0;
        if (f[i].text) {
            cols += put(out, n, f[i].text, width - cols);
            continue;
        }
        char b[RD_BAR_MAX + 3];
        int filled = fill >= 1 ? bar : fill > 0 ? (int)(fill * bar + 1e-9) : 0;
        b[0] = '[';
        for (int k = 0; k < bar; k++) b[1 + k] = k < filled ? '#' : '.';
        b[bar + 1] = ']';
        b[bar + 2] = 0;
        cols += put(out, n, b, width - cols);
    }
    return cols;
}
