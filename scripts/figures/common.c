/* Drawing helpers the figures share. */
#include <math.h>
#include <stdio.h>

#include "figures.h"

void fig_disc(rd_canvas *c, double cx, double cy, double r, rd_rgb fill, rd_rgb ring) {
    for (int y = (int)(cy - r - 2); y <= (int)(cy + r + 2); y++)
        for (int x = (int)(cx - r - 2); x <= (int)(cx + r + 2); x++) {
            double d = hypot(x - cx, y - cy);
            double inside = fmin(1, fmax(0, r - d + 0.5)), in_ring = fmin(1, fmax(0, 1.5 - fabs(d - r + 0.75)));
            if (inside > 0) rd_canvas_blend(c, x, y, fill, inside);
            if (in_ring > 0) rd_canvas_blend(c, x, y, ring, in_ring);
        }
}

void fig_cross(rd_canvas *c, double cx, double cy) {
    double k = R * 0.6;
    rd_canvas_line(c, cx - k, cy - k, cx + k, cy + k, GREY, 2);
    rd_canvas_line(c, cx - k, cy + k, cx + k, cy - k, GREY, 2);
}

void fig_arrow(rd_canvas *c, double x0, double y0, double x1, double y1, rd_rgb col) {
    double a = atan2(y1 - y0, x1 - x0), h = 9;
    rd_canvas_line(c, x0, y0, x1, y1, col, 2);
    rd_canvas_line(c, x1, y1, x1 - h * cos(a - 0.45), y1 - h * sin(a - 0.45), col, 2);
    rd_canvas_line(c, x1, y1, x1 - h * cos(a + 0.45), y1 - h * sin(a + 0.45), col, 2);
}

void fig_text_centred_scaled(rd_canvas *c, int x, int y, const char *s, int scale, rd_rgb col) {
    rd_canvas_text(c, x - rd_canvas_text_width(s, scale) / 2, y, s, scale, col, 0);
}

void fig_text_centred(rd_canvas *c, int x, int y, const char *s, rd_rgb col) {
    fig_text_centred_scaled(c, x, y, s, TEXT, col);
}

int fig_write(rd_canvas *c, const char *path) {
    rd_error err;
    int bad = rd_canvas_write_png(c, path, &err) != RD_OK;
    rd_canvas_free(c);
    if (bad) fprintf(stderr, "draw-figures: %s\n", err.msg);
    else printf("wrote %s\n", path);
    return bad;
}
