/* docs/img/rdrop-two-passes.png (docs/r-drop.md): one input, the first layer
 * computed once, then two dropout passes through the same weights, whose
 * predictions the KL term pulls together. */
#include "figures.h"

/* A column of n units centred on cy at x, gap pixels apart. */
static void column(double cy, int n, double gap, double *y) {
    for (int i = 0; i < n; i++) y[i] = cy + (i - (n - 1) / 2.0) * gap;
}

/* One pass from the shared first layer (units at x_h, y_h): its dropout of
 * the first layer (keep1), the second hidden layer with its own dropout
 * (keep2), and 3 outputs; centred on cy. */
static void pass(rd_canvas *c, double x_h, const double *y_h, double cy, const int *keep1, const int *keep2,
                 rd_rgb col) {
    const double xd = x_h + 110, x2 = x_h + 230, xo = x_h + 350;
    double yd[5], y2[5], yo[3];
    column(cy, 5, 30, yd);
    column(cy, 5, 30, y2);
    column(cy, 3, 30, yo);
    for (int i = 0; i < 5; i++) rd_canvas_line(c, x_h, y_h[i], xd, yd[i], col, 1); /* the same h1, masked */
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            if (keep1[i] && keep2[j]) rd_canvas_line(c, xd, yd[i], x2, y2[j], EDGE, 1);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 3; j++)
            if (keep2[i]) rd_canvas_line(c, x2, y2[i], xo, yo[j], EDGE, 1);
    for (int i = 0; i < 5; i++) {
        fig_disc(c, xd, yd[i], R, keep1[i] ? col : DROPPED, keep1[i] ? BLACK : GREY);
        if (!keep1[i]) fig_cross(c, xd, yd[i]);
        fig_disc(c, x2, y2[i], R, keep2[i] ? col : DROPPED, keep2[i] ? BLACK : GREY);
        if (!keep2[i]) fig_cross(c, x2, y2[i]);
    }
    for (int j = 0; j < 3; j++) fig_disc(c, xo, yo[j], R, col, BLACK);
}

/* A prediction as three bars, heights p, bottom at y. */
static void bars(rd_canvas *c, int x, int y, const double *p, rd_rgb col) {
    for (int k = 0; k < 3; k++) rd_canvas_rect(c, x + 22 * k, y - (int)(70 * p[k]), x + 22 * k + 16, y, col, 1.0);
    rd_canvas_line(c, x - 4, y, x + 62, y, BLACK, 1);
}

int fig_two_passes(const char *path) {
    rd_canvas c;
    rd_canvas_init(&c, 1100, 640, WHITE);
    fig_text_centred_scaled(&c, 550, 12, "R-Drop: one input, two dropout passes, made to agree", 3, BLACK);

    /* the input and the first layer, computed once for both passes */
    const double x_in = 60, x_h = 190, ya = 170, yb = 430, ymid = 300;
    double y_in[4], y_h[5];
    column(ymid, 4, 30, y_in);
    column(ymid, 5, 30, y_h);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 5; j++) rd_canvas_line(&c, x_in, y_in[i], x_h, y_h[j], EDGE, 1);
    const int keep1_a[5] = {1, 0, 1, 1, 0}, keep2_a[5] = {0, 1, 1, 0, 1};
    const int keep1_b[5] = {1, 1, 0, 1, 1}, keep2_b[5] = {1, 0, 1, 1, 0};
    pass(&c, x_h, y_h, ya, keep1_a, keep2_a, BLUE);
    pass(&c, x_h, y_h, yb, keep1_b, keep2_b, RED);
    for (int i = 0; i < 4; i++) fig_disc(&c, x_in, y_in[i], R, GREEN, BLACK);
    for (int i = 0; i < 5; i++) fig_disc(&c, x_h, y_h[i], R, (rd_rgb){150, 150, 150}, BLACK);
    fig_text_centred(&c, (int)x_in, 362, "input x", BLACK);
    rd_canvas_rect(&c, (int)x_h - 72, 376, (int)x_h + 72, 418, WHITE, 0.9); /* over the lines behind */
    fig_text_centred(&c, (int)x_h, 380, "first layer", BLACK);
    fig_text_centred(&c, (int)x_h, 400, "computed once", BLACK);
    fig_text_centred(&c, 420, 70, "pass a: dropout masks m_a", BLUE);
    fig_text_centred(&c, 420, 514, "pass b: dropout masks m_b", RED);

    /* the two predictions */
    const double pa[3] = {0.70, 0.20, 0.10}, pb[3] = {0.50, 0.30, 0.20};
    fig_arrow(&c, 555, ya, 615, ya, BLACK);
    fig_arrow(&c, 555, yb, 615, yb, BLACK);
    bars(&c, 630, (int)ya + 35, pa, BLUE);
    bars(&c, 630, (int)yb + 35, pb, RED);
    fig_text_centred(&c, 660, (int)ya + 44, "p_a = softmax(z_a)", BLUE);
    fig_text_centred(&c, 660, (int)yb + 44, "p_b = softmax(z_b)", RED);

    /* the losses */
    fig_arrow(&c, 710, ya, 790, ya, BLACK);
    fig_arrow(&c, 710, yb, 790, yb, BLACK);
    rd_canvas_text(&c, 800, (int)ya - 7, "CE(p_a, y)", TEXT, BLACK, 0);
    rd_canvas_text(&c, 800, (int)yb - 7, "CE(p_b, y)", TEXT, BLACK, 0);
    fig_arrow(&c, 670, ya + 75, 670, yb - 70, PURPLE);
    fig_arrow(&c, 670, yb - 70, 670, ya + 75, PURPLE);
    rd_canvas_text(&c, 690, 282, "KL(p_a\u2016p_b) + KL(p_b\u2016p_a)", TEXT, PURPLE, 0);
    rd_canvas_text(&c, 690, 302, "pulls the two passes together", TEXT, PURPLE, 0);

    rd_canvas_text(&c, 630, 530, "loss = mean CE over the 2B rows", TEXT, BLACK, 0);
    rd_canvas_text(&c, 630, 550, "     + \u03b1 \u00b7 mean KL over the B pairs / 4", TEXT, BLACK, 0);
    rd_canvas_text(&c, 20, 570, "Both passes use the same weights (W1, W2, W3); only the dropout masks differ.", TEXT,
                   GREY, 0);
    rd_canvas_text(&c, 20, 592, "Grey \u00d7: a dropped unit; kept units are scaled by 1/(1 \u2212 p). Dropout comes after",
                   TEXT, GREY, 0);
    rd_canvas_text(&c, 20, 614, "the first layer, so its output is the same for both passes: rdrop computes it once.",
                   TEXT, GREY, 0);
    return fig_write(&c, path);
}
