/* docs/img/worked-graph.png (docs/worked-example.md, docs/autograd.md): the
 * graph of worked-example.md's R-Drop step, the way micrograd draws one:
 * each value a box with its data and, after rd_backward, its gradient;
 * each op a circle. The numbers come from running the same network through
 * rdrop's graph here (the page's program checks them by hand). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "figures.h"
#include "rdrop/loss.h"
#include "rdrop/tensor.h"

static const rd_rgb BOX = {245, 245, 245}, GRAD = {200, 30, 30}, OP = {255, 236, 200};
enum { LINE = 20 };

/* A value's box centred at (cx, y top): name, data and grad (grad NULL: none). */
typedef struct {
    int cx, y, w;
} box;

static void values(char *buf, size_t n, const char *what, const float *v, int k) {
    snprintf(buf, n, "%s", what);
    for (int i = 0; i < k; i++) snprintf(buf + strlen(buf), n - strlen(buf), " %7.4f", v[i]);
}

static box value(rd_canvas *c, int cx, int y, const char *name, const float *data, const float *grad, int k) {
    char d[128], g[128];
    values(d, sizeof d, "data", data, k);
    if (grad) values(g, sizeof g, "grad", grad, k);
    else snprintf(g, sizeof g, "grad  (none: an input)");
    int w = rd_canvas_text_width(d, TEXT), wg = rd_canvas_text_width(g, TEXT), wn = rd_canvas_text_width(name, TEXT);
    w = (w > wg ? w : wg) + 20;
    w = w > wn + 20 ? w : wn + 20;
    int x0 = cx - w / 2, h = 3 * LINE + 8;
    rd_canvas_rect(c, x0, y, x0 + w, y + h, BOX, 1);
    rd_canvas_rect(c, x0, y, x0 + w, y + 1, BLACK, 1);
    rd_canvas_rect(c, x0, y + h - 1, x0 + w, y + h, BLACK, 1);
    rd_canvas_rect(c, x0, y, x0 + 1, y + h, BLACK, 1);
    rd_canvas_rect(c, x0 + w - 1, y, x0 + w, y + h, BLACK, 1);
    rd_canvas_rect(c, x0, y + LINE + 2, x0 + w, y + LINE + 3, EDGE, 1);
    fig_text_centred(c, cx, y + 5, name, BLACK);
    rd_canvas_text(c, x0 + 10, y + LINE + 8, d, TEXT, BLACK, 0);
    rd_canvas_text(c, x0 + 10, y + 2 * LINE + 8, g, TEXT, grad ? GRAD : GREY, 0);
    return (box){cx, y, w};
}

static int bottom(box b) { return b.y + 3 * LINE + 8; }

/* An op's pill-shaped box at (cx, cy), with arrows in from the boxes
 * above and out to the box below. */
static void op(rd_canvas *c, int cx, int cy, const char *name, const box *in, int n_in, box out) {
    const double r = 14; /* the pill's half height */
    double half = rd_canvas_text_width(name, TEXT) / 2.0 + 16 - r; /* half the straight part */
    for (int i = 0; i < n_in; i++) fig_arrow(c, in[i].cx, bottom(in[i]), cx, cy - r - 1, GREY);
    fig_arrow(c, cx, cy + r, out.cx, out.y - 1, GREY);
    for (int y = (int)(cy - r - 1); y <= cy + r + 1; y++)
        for (int x = (int)(cx - half - r - 1); x <= cx + half + r + 1; x++) {
            double dx = fabs((double)(x - cx)) - half, d = dx > 0 ? hypot(dx, y - cy) : fabs((double)(y - cy));
            if (d <= r - 1) rd_canvas_blend(c, x, y, OP, 1);
            else if (d <= r + 0.5) rd_canvas_blend(c, x, y, BLACK, 1);
        }
    fig_text_centred(c, cx, cy - 7, name, BLACK);
}

int fig_worked_graph(const char *path) {
    /* worked-example.md's network, step and masks (seed 0) */
    float params[12] = {0.5f, -0.3f, 0.2f, 0.4f, 0.1f, -0.1f, 0.6f, -0.4f, -0.5f, 0.3f, 0.0f, 0.1f}, grads[12] = {0};
    float x[2] = {1, 2};
    int y[1] = {0};
    rd_graph g;
    rd_graph_init(&g);
    rd_rng rng;
    rd_rng_seed(&rng, 0);
    rd_tensor *in = rd_input(&g, 1, 2, x);
    rd_tensor *w1 = rd_param(&g, 2, 2, params, grads), *b1 = rd_param(&g, 1, 2, params + 4, grads + 4);
    rd_tensor *w2 = rd_param(&g, 2, 2, params + 6, grads + 6), *b2 = rd_param(&g, 1, 2, params + 10, grads + 10);
    rd_tensor *h = rd_linear(&g, in, w1, b1);
    rd_tensor *a = rd_relu(&g, h);
    rd_tensor *d = rd_dropout(&g, rd_concat_rows(&g, a, a), 0.5f, &rng); /* row 0: copy a, row 1: copy b */
    rd_tensor *z = rd_linear(&g, d, w2, b2);
    rd_rdrop_terms t = rd_rdrop_objective(&g, z, y, 1.0f);
    rd_backward(&g, t.loss);

    rd_canvas c;
    rd_canvas_init(&c, 1240, 1120, WHITE);
    fig_text_centred_scaled(&c, 620, 10, "One R-Drop step of the worked example: every value and its gradient", 3,
                            BLACK);
    fig_text_centred(&c, 620, 42, "boxes: values (data; in red d loss / d value after rd_backward); rounded: ops",
                     GREY);
    box bx = value(&c, 190, 80, "x (input)", x, NULL, 2);
    box bw1 = value(&c, 620, 80, "W1 (row by row)", w1->data, w1->grad, 4);
    box bb1 = value(&c, 1040, 80, "b1", b1->data, b1->grad, 2);
    box bh = value(&c, 620, 235, "h", h->data, h->grad, 2);
    box first[3] = {bx, bw1, bb1};
    op(&c, 620, 195, "x W1 + b1", first, 3, bh);
    box ba = value(&c, 620, 375, "a", a->data, a->grad, 2);
    op(&c, 620, 340, "relu", &bh, 1, ba);
    box bda = value(&c, 300, 515, "d_a (copy a)", d->data, d->grad, 2);
    box bdb = value(&c, 940, 515, "d_b (copy b)", d->data + 2, d->grad + 2, 2);
    op(&c, 300, 480, "\u00d7 m_a = (0, 2)", &ba, 1, bda);
    op(&c, 940, 480, "\u00d7 m_b = (2, 2)", &ba, 1, bdb);
    box bw2 = value(&c, 620, 610, "W2 (row by row)", w2->data, w2->grad, 4);
    box bb2 = value(&c, 1100, 610, "b2", b2->data, b2->grad, 2);
    box bza = value(&c, 300, 750, "z_a", z->data, z->grad, 2);
    box bzb = value(&c, 940, 750, "z_b", z->data + 2, z->grad + 2, 2);
    box in_a[3] = {bda, bw2, bb2}, in_b[3] = {bdb, bw2, bb2};
    op(&c, 300, 715, "d_a W2 + b2", in_a, 3, bza);
    op(&c, 940, 715, "d_b W2 + b2", in_b, 3, bzb);
    float terms[3] = {(float)rd_scalar(t.ce), (float)rd_scalar(t.kl), (float)rd_scalar(t.loss)};
    float one = 1, alpha = 1;
    box bce = value(&c, 360, 890, "ce", terms, t.ce->grad ? t.ce->grad : &one, 1);
    box bkl = value(&c, 880, 890, "kl", terms + 1, t.kl->grad ? t.kl->grad : &alpha, 1);
    box zs[2] = {bza, bzb};
    op(&c, 360, 855, "mean CE", zs, 2, bce);
    op(&c, 880, 855, "sym. KL / 4", zs, 2, bkl);
    box bl = value(&c, 620, 1030, "loss", terms + 2, &one, 1);
    box parts[2] = {bce, bkl};
    op(&c, 620, 995, "ce + \u03b1 kl", parts, 2, bl);
    rd_graph_free(&g);
    return fig_write(&c, path);
}
