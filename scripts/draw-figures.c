/* Draws the figures of the docs that are pictures rather than data:
 *   docs/img/rdrop-two-passes.png   R-Drop's two dropout passes (docs/r-drop.md)
 * Built and run by `make figures`, with the plots' own canvas (src/report/). */
#include <math.h>
#include <stdio.h>

#include "report/canvas.h"

static const rd_rgb WHITE = {255, 255, 255}, BLACK = {0, 0, 0}, EDGE = {190, 190, 190},
                    DROPPED = {225, 225, 225}, GREY = {120, 120, 120}, BLUE = {31, 119, 180},
                    RED = {214, 39, 40}, GREEN = {44, 160, 44}, PURPLE = {148, 103, 189};
enum { R = 11, TEXT = 2 };

/* A filled disc with a ring, edges smoothed by pixel coverage. */
static void disc(rd_canvas *c, double cx, double cy, double r, rd_rgb fill, rd_rgb ring) {
    for (int y = (int)(cy - r - 2); y <= (int)(cy + r + 2); y++)
        for (int x = (int)(cx - r - 2); x <= (int)(cx + r + 2); x++) {
            double d = hypot(x - cx, y - cy);
            double inside = fmin(1, fmax(0, r - d + 0.5)), in_ring = fmin(1, fmax(0, 1.5 - fabs(d - r + 0.75)));
            if (inside > 0) rd_canvas_blend(c, x, y, fill, inside);
            if (in_ring > 0) rd_canvas_blend(c, x, y, ring, in_ring);
        }
}

static void cross(rd_canvas *c, double cx, double cy) {
    double k = R * 0.6;
    rd_canvas_line(c, cx - k, cy - k, cx + k, cy + k, GREY, 2);
    rd_canvas_line(c, cx - k, cy + k, cx + k, cy - k, GREY, 2);
}

static void arrow(rd_canvas *c, double x0, double y0, double x1, double y1, rd_rgb col) {
    double a = atan2(y1 - y0, x1 - x0), h = 9;
    rd_canvas_line(c, x0, y0, x1, y1, col, 2);
    rd_canvas_line(c, x1, y1, x1 - h * cos(a - 0.45), y1 - h * sin(a - 0.45), col, 2);
    rd_canvas_line(c, x1, y1, x1 - h * cos(a + 0.45), y1 - h * sin(a + 0.45), col, 2);
}

static void text_centred(rd_canvas *c, int x, int y, const char *s, rd_rgb col) {
    rd_canvas_text(c, x - rd_canvas_text_width(s, TEXT) / 2, y, s, TEXT, col, 0);
}

/* One dropout pass drawn as a network: the shared input column at x_in, then
 * two hidden layers of 5 units (0 = dropped) and 3 outputs, centred on cy. */
static void pass(rd_canvas *c, double x_in, const double *y_in, double cy, const int keep[2][5], rd_rgb col) {
    const double xs[3] = {x_in + 150, x_in + 270, x_in + 390}, gap = 30;
    double y[3][5];
    int n[3] = {5, 5, 3};
    for (int l = 0; l < 3; l++)
        for (int i = 0; i < n[l]; i++) y[l][i] = cy + (i - (n[l] - 1) / 2.0) * gap;
    /* edges first, so the units sit on top: only between kept units */
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 5; j++) rd_canvas_line(c, x_in, y_in[i], xs[0], y[0][j], EDGE, 1);
    for (int l = 0; l < 2; l++)
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < n[l + 1]; j++)
                if (keep[l][i] && (l == 1 || keep[l + 1][j])) rd_canvas_line(c, xs[l], y[l][i], xs[l + 1], y[l + 1][j], EDGE, 1);
    for (int l = 0; l < 3; l++)
        for (int i = 0; i < n[l]; i++) {
            int kept = l == 2 || keep[l][i];
            disc(c, xs[l], y[l][i], R, kept ? col : DROPPED, kept ? BLACK : GREY);
            if (!kept) cross(c, xs[l], y[l][i]);
        }
}

/* A prediction as three bars, heights p, bottom at y. */
static void bars(rd_canvas *c, int x, int y, const double *p, rd_rgb col) {
    for (int k = 0; k < 3; k++) rd_canvas_rect(c, x + 22 * k, y - (int)(70 * p[k]), x + 22 * k + 16, y, col, 1.0);
    rd_canvas_line(c, x - 4, y, x + 62, y, BLACK, 1);
}

int main(int argc, char **argv) {
    const char *out = argc > 1 ? argv[1] : "docs/img/rdrop-two-passes.png";
    rd_canvas c;
    rd_canvas_init(&c, 1040, 560, WHITE);
    text_centred(&c, 520, 14, "R-Drop: one input, two dropout passes, made to agree", BLACK);

    /* the input x, shared by both passes */
    const double x_in = 70, ya = 150, yb = 370;
    double y_in[4];
    for (int i = 0; i < 4; i++) y_in[i] = 260 + (i - 1.5) * 30;
    const int keep_a[2][5] = {{1, 0, 1, 1, 0}, {0, 1, 1, 0, 1}}, keep_b[2][5] = {{1, 1, 0, 1, 1}, {1, 0, 1, 1, 0}};
    pass(&c, x_in, y_in, ya, keep_a, BLUE);
    pass(&c, x_in, y_in, yb, keep_b, RED);
    for (int i = 0; i < 4; i++) disc(&c, x_in, y_in[i], R, GREEN, BLACK);
    text_centred(&c, (int)x_in, 330, "input x", BLACK);
    text_centred(&c, 280, 52, "pass a: dropout mask m_a", BLUE);
    text_centred(&c, 280, 460, "pass b: dropout mask m_b", RED);
    rd_canvas_text(&c, 20, 500, "grey: dropped units. The first layer x W1 + b1 comes before any dropout,", TEXT, GREY, 0);
    rd_canvas_text(&c, 20, 520, "so rdrop computes it once for both passes.", TEXT, GREY, 0);

    /* the two predictions */
    const double pa[3] = {0.70, 0.20, 0.10}, pb[3] = {0.50, 0.30, 0.20};
    arrow(&c, 475, ya, 545, ya, BLACK);
    arrow(&c, 475, yb, 545, yb, BLACK);
    bars(&c, 560, (int)ya + 35, pa, BLUE);
    bars(&c, 560, (int)yb + 35, pb, RED);
    text_centred(&c, 590, (int)ya + 42, "p_a = softmax(z_a)", BLUE);
    text_centred(&c, 590, (int)yb + 42, "p_b = softmax(z_b)", RED);

    /* the losses */
    arrow(&c, 640, ya, 720, ya, BLACK);
    arrow(&c, 640, yb, 720, yb, BLACK);
    rd_canvas_text(&c, 730, (int)ya - 7, "CE(p_a, y)", TEXT, BLACK, 0);
    rd_canvas_text(&c, 730, (int)yb - 7, "CE(p_b, y)", TEXT, BLACK, 0);
    arrow(&c, 600, ya + 70, 600, yb - 70, PURPLE);
    arrow(&c, 600, yb - 70, 600, ya + 70, PURPLE);
    rd_canvas_text(&c, 620, 245, "KL(p_a||p_b) + KL(p_b||p_a)", TEXT, PURPLE, 0);
    rd_canvas_text(&c, 620, 265, "pulls the passes together", TEXT, PURPLE, 0);
    rd_canvas_text(&c, 560, 460, "loss = mean CE over the 2B rows", TEXT, BLACK, 0);
    rd_canvas_text(&c, 560, 480, "  + alpha * mean KL over the B pairs / 4", TEXT, BLACK, 0);

    rd_error err;
    if (rd_canvas_write_png(&c, out, &err)) {
        fprintf(stderr, "draw-figures: %s\n", err.msg);
        return 1;
    }
    rd_canvas_free(&c);
    printf("wrote %s\n", out);
    return 0;
}
