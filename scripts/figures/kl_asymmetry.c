/* docs/img/kl-asymmetry.png (docs/kl-divergence.md): two distributions P and
 * Q over 8 outcomes, and the terms of KL(P‖Q) and of KL(Q‖P) outcome by
 * outcome: each direction punishes where its first argument has mass and the
 * second has little. The doc's check block gives the same P and Q to
 * `rdrop kl`, which prints the two totals of the titles. */
#include <math.h>
#include <stdio.h>

#include "figures.h"
#include "rdrop/plot.h"

enum { N = 8 };
/* P: two peaks; Q: one broad peak between them (also in docs/kl-divergence.md) */
static const double P[N] = {0.02, 0.30, 0.12, 0.02, 0.02, 0.12, 0.36, 0.04};
static const double Q[N] = {0.05, 0.10, 0.20, 0.30, 0.20, 0.10, 0.04, 0.01};

int fig_kl_asymmetry(const char *path) {
    static const char *const names[N] = {"1", "2", "3", "4", "5", "6", "7", "8"};
    double xp[N], xq[N], x[N], pq[N], qp[N], kl_pq = 0, kl_qp = 0;
    for (int i = 0; i < N; i++) {
        x[i] = i + 1;
        xp[i] = i + 1 - 0.2;
        xq[i] = i + 1 + 0.2;
        pq[i] = P[i] * log(P[i] / Q[i]);
        qp[i] = Q[i] * log(Q[i] / P[i]);
        kl_pq += pq[i];
        kl_qp += qp[i];
    }
    static const double terms_range[2] = {-0.2, 1.0}; /* the same scale for both directions */
    rd_series dist[2] = {{.n = N, .x = xp, .y = P, .style = RD_SERIES_BARS, .colour = 1, .bar_width = 0.38},
                         {.n = N, .x = xq, .y = Q, .style = RD_SERIES_BARS, .colour = 2, .bar_width = 0.38}};
    rd_series t_pq = {.n = N, .x = x, .y = pq, .style = RD_SERIES_BARS, .colour = 1, .bar_width = 0.6};
    rd_series t_qp = {.n = N, .x = x, .y = qp, .style = RD_SERIES_BARS, .colour = 2, .bar_width = 0.6};
    char title_pq[64], title_qp[64];
    snprintf(title_pq, sizeof title_pq, "KL(P\u2016Q) = %.3f", kl_pq);
    snprintf(title_qp, sizeof title_qp, "KL(Q\u2016P) = %.3f", kl_qp);
    rd_chart charts[3] = {
        {.title = "Two distributions", .subtitle = "P: two peaks; Q: one broad peak", .xlabel = "outcome i",
         .ylabel = "probability", .series = dist, .n_series = 2, .x_names = names, .n_x_names = N, .y_zero = 1,
         .legend = RD_LEGEND_NONE},
        {.title = title_pq, .subtitle = "terms p_i log(p_i/q_i): Q lacks P's mass", .xlabel = "outcome i",
         .ylabel = "term", .series = &t_pq, .n_series = 1, .x_names = names, .n_x_names = N,
         .y_zero = 1, .legend = RD_LEGEND_NONE, .y_range = terms_range},
        {.title = title_qp, .subtitle = "terms q_i log(q_i/p_i): P lacks Q's mass", .xlabel = "outcome i",
         .ylabel = "term", .series = &t_qp, .n_series = 1, .x_names = names, .n_x_names = N,
         .y_zero = 1, .legend = RD_LEGEND_NONE, .y_range = terms_range},
    };
    static const char *const labels[2] = {"P, and the terms of KL(P\u2016Q)", "Q, and the terms of KL(Q\u2016P)"};
    rd_legend lg = {.labels = labels, .n = 2, .note = "a term is negative where the second has more mass",
                    .style = RD_SERIES_BARS};
    rd_error err;
    if (rd_plot_figure(path, charts, 3, 2, &lg, &err)) {
        fprintf(stderr, "draw-figures: %s\n", err.msg);
        return 1;
    }
    printf("wrote %s\n", path);
    return 0;
}
