/* docs/img/dropout.png (docs/dropout.md): the full network used at test time
 * beside two training steps, each a random sub-network: dropped hidden units
 * (and their connections) gone, the survivors scaled by 1/(1 - p). */
#include "figures.h"

enum { RU = 16 }; /* units large enough to hold "×2" */

/* One network at x0: 4 inputs, two hidden layers of 5, 3 outputs; keep[l][i]
 * = 0 drops hidden unit i of layer l (NULL: nothing dropped). */
static void network(rd_canvas *c, int x0, const int (*keep)[5], rd_rgb col) {
    const int n[4] = {4, 5, 5, 3};
    double x[4], y[4][5];
    for (int l = 0; l < 4; l++) {
        x[l] = x0 + 40 + 100 * l;
        for (int i = 0; i < n[l]; i++) y[l][i] = 250 + (i - (n[l] - 1) / 2.0) * 44;
    }
    /* kept(l, i): inputs and outputs are never dropped */
#define KEPT(l, i) ((l) == 0 || (l) == 3 || !keep || keep[(l) - 1][i])
    for (int l = 0; l < 3; l++)
        for (int i = 0; i < n[l]; i++)
            for (int j = 0; j < n[l + 1]; j++)
                if (KEPT(l, i) && KEPT(l + 1, j)) rd_canvas_line(c, x[l], y[l][i], x[l + 1], y[l + 1][j], EDGE, 1);
    for (int l = 0; l < 4; l++)
        for (int i = 0; i < n[l]; i++) {
            int kept = KEPT(l, i);
            rd_rgb fill = l == 0 ? GREEN : kept ? col : DROPPED;
            fig_disc(c, x[l], y[l][i], RU, fill, kept ? BLACK : GREY);
            if (!kept) fig_cross(c, x[l], y[l][i]);
            else if (keep && (l == 1 || l == 2)) fig_text_centred(c, (int)x[l] + 1, (int)y[l][i] - 7, "\u00d72", WHITE);
        }
#undef KEPT
}

int fig_dropout(const char *path) {
    rd_canvas c;
    rd_canvas_init(&c, 1140, 520, WHITE);
    const int step1[2][5] = {{1, 0, 1, 1, 0}, {0, 1, 1, 0, 1}}, step2[2][5] = {{0, 1, 1, 0, 1}, {1, 1, 0, 1, 0}};
    network(&c, 0, NULL, BLUE);
    network(&c, 390, step1, ORANGE);
    network(&c, 760, step2, ORANGE);
    rd_canvas_rect(&c, 375, 40, 377, 440, EDGE, 1);
    fig_text_centred_scaled(&c, 190, 20, "test time", 3, BLUE);
    fig_text_centred(&c, 190, 54, "the full network, nothing scaled", BLUE);
    fig_text_centred_scaled(&c, 760, 20, "training: a random sub-network each step", 3, ORANGE);
    fig_text_centred(&c, 580, 54, "step 1 (p = 0.5)", ORANGE);
    fig_text_centred(&c, 950, 54, "step 2: new masks", ORANGE);
    rd_canvas_text(&c, 20, 440, "Each hidden unit is dropped with probability p (grey \u00d7, its connections gone)"
                                " and each", TEXT, GREY, 0);
    rd_canvas_text(&c, 20, 462, "survivor is multiplied by 1/(1 \u2212 p) = 2, so a unit's expected value is the same"
                                " as in", TEXT, GREY, 0);
    rd_canvas_text(&c, 20, 484, "the full network: (1 \u2212 p) \u00b7 2x = x. Inputs (green) and outputs are never"
                                " dropped here.", TEXT, GREY, 0);
    return fig_write(&c, path);
}
