/* docs/img/second-order.png (docs/r-drop.md): R-Drop's KL term against the
 * difference δ of the two passes' logits. Left: the exact symmetric KL J
 * (dots) and its second-order form δᵀCδ (lines) along one class's logit,
 * for an improbable and a probable class, beside fraternal dropout's ‖δ‖².
 * Right: the level sets of δᵀCδ, ellipses stretched along the improbable
 * class, against the circles of ‖δ‖². Logits (1, 2, 3) at the midpoint of
 * the two passes, C = diag(p) − ppᵀ there. */
#include <math.h>
#include <stdio.h>

#include "figures.h"
#include "rdrop/plot.h"

enum { K = 3, N_T = 21, N_LINE = 101, N_ANGLE = 181 };
static const double Z[K] = {1, 2, 3};

static void softmax(const double *z, double *p) {
    double m = fmax(z[0], fmax(z[1], z[2])), s = 0;
    for (int k = 0; k < K; k++) s += p[k] = exp(z[k] - m);
    for (int k = 0; k < K; k++) p[k] /= s;
}

/* J = KL(p_a‖p_b) + KL(p_b‖p_a) = Σ (p_a − p_b)(log p_a − log p_b), logits Z ± δ/2. */
static double sym_kl(const double *delta) {
    double za[K], zb[K], pa[K], pb[K], j = 0;
    for (int k = 0; k < K; k++) za[k] = Z[k] + delta[k] / 2, zb[k] = Z[k] - delta[k] / 2;
    softmax(za, pa);
    softmax(zb, pb);
    for (int k = 0; k < K; k++) j += (pa[k] - pb[k]) * log(pa[k] / pb[k]);
    return j;
}

/* δᵀCδ = Σ p δ² − (Σ p δ)² at Z. */
static double quad(const double *delta) {
    double p[K], e1 = 0, e2 = 0;
    softmax(Z, p);
    for (int k = 0; k < K; k++) e1 += p[k] * delta[k], e2 += p[k] * delta[k] * delta[k];
    return e2 - e1 * e1;
}

int fig_second_order(const char *path) {
    static double t_dot[N_T], j1[N_T], j3[N_T], t_line[N_LINE], q1[N_LINE], q3[N_LINE], sq[N_LINE];
    for (int i = 0; i < N_T; i++) {
        double t = -2.5 + 5.0 * i / (N_T - 1), d1[K] = {t, 0, 0}, d3[K] = {0, 0, t};
        t_dot[i] = t;
        j1[i] = sym_kl(d1);
        j3[i] = sym_kl(d3);
    }
    for (int i = 0; i < N_LINE; i++) {
        double t = -2.5 + 5.0 * i / (N_LINE - 1), d1[K] = {t, 0, 0}, d3[K] = {0, 0, t};
        t_line[i] = t;
        q1[i] = quad(d1);
        q3[i] = quad(d3);
        sq[i] = t * t;
    }
    static const double y_left[2] = {0, 1.6};
    rd_series left[5] = {
        {.n = N_LINE, .x = t_line, .y = sq, .colour = 3},
        {.n = N_LINE, .x = t_line, .y = q1, .colour = 1},
        {.n = N_T, .x = t_dot, .y = j1, .style = RD_SERIES_POINTS, .colour = 1},
        {.n = N_LINE, .x = t_line, .y = q3, .colour = 2},
        {.n = N_T, .x = t_dot, .y = j3, .style = RD_SERIES_POINTS, .colour = 2},
    };
    /* level sets: δ = r (cos a, sin a, 0) with r chosen so the form equals the level */
    enum { LEVELS = 3 };
    static const double level[LEVELS] = {0.05, 0.2, 0.45}, radius[LEVELS] = {0.5, 1.0, 1.5};
    static double ex[LEVELS][N_ANGLE], ey[LEVELS][N_ANGLE], cx[LEVELS][N_ANGLE], cy[LEVELS][N_ANGLE];
    rd_series right[2 * LEVELS];
    for (int l = 0; l < LEVELS; l++) {
        for (int i = 0; i < N_ANGLE; i++) {
            double a = 2 * acos(-1) * i / (N_ANGLE - 1), u[K] = {cos(a), sin(a), 0}, r = sqrt(level[l] / quad(u));
            ex[l][i] = r * u[0];
            ey[l][i] = r * u[1];
            cx[l][i] = radius[l] * u[0];
            cy[l][i] = radius[l] * u[1];
        }
        right[l] = (rd_series){.n = N_ANGLE, .x = cx[l], .y = cy[l], .colour = 3};
        right[LEVELS + l] = (rd_series){.n = N_ANGLE, .x = ex[l], .y = ey[l], .colour = 4};
    }
    static const double x_right[2] = {-3.15, 3.15}, y_right[2] = {-2, 2}; /* about one pixel scale on both axes */
    double p[K];
    softmax(Z, p);
    char sub_left[96], xlab[64], ylab[64], l1[96], l3[96];
    snprintf(sub_left, sizeof sub_left, "logits (1, 2, 3) \u00b1 \u03b4/2: p = (%.2f, %.2f, %.2f)", p[0], p[1], p[2]);
    snprintf(xlab, sizeof xlab, "\u03b4 on class 1 (p = %.2f)", p[0]);
    snprintf(ylab, sizeof ylab, "\u03b4 on class 2 (p = %.2f)", p[1]);
    snprintf(l1, sizeof l1, "\u03b4 on the logit of class 1 (p = %.2f)", p[0]);
    snprintf(l3, sizeof l3, "\u03b4 on the logit of class 3 (p = %.2f)", p[2]);
    rd_chart charts[2] = {
        {.title = "The KL term against \u03b4", .subtitle = sub_left, .xlabel = "\u03b4 (the other logits equal)",
         .ylabel = "penalty", .series = left, .n_series = 5, .y_range = y_left, .legend = RD_LEGEND_NONE},
        {.title = "Level sets", .subtitle = "\u03b4\u1d40C\u03b4 = 0.05, 0.2, 0.45; \u2016\u03b4\u2016\u00b2 = 0.25, 1, 2.25",
         .xlabel = xlab, .ylabel = ylab, .series = right, .n_series = 2 * LEVELS, .x_range = x_right,
         .y_range = y_right, .legend = RD_LEGEND_NONE},
    };
    const char *labels[4] = {l1, l3, "\u2016\u03b4\u2016\u00b2: fraternal dropout's penalty",
                             "\u03b4\u1d40C\u03b4, C = diag(p) \u2212 pp\u1d40: R-Drop's, to second order"};
    rd_legend lg = {.labels = labels, .n = 4,
                    .note = "dots: the exact J = KL(p_a\u2016p_b) + KL(p_b\u2016p_a); lines: \u03b4\u1d40C\u03b4 and "
                            "\u2016\u03b4\u2016\u00b2"};
    rd_error err;
    if (rd_plot_figure(path, charts, 2, 2, &lg, &err)) {
        fprintf(stderr, "draw-figures: %s\n", err.msg);
        return 1;
    }
    printf("wrote %s\n", path);
    return 0;
}
