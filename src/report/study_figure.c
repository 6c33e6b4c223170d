/* The figure of a comparison (curves.png), drawn from its two tables only,
 * results.csv and curves.csv, so that a committed study can be drawn again
 * without its run folders: the learning curves of every config (mean line,
 * min-max band over seeds), and each config's final test error and test_kl
 * minus the baseline's, seed by seed, with the paired mean and 95% CI that
 * report.md quotes. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/files.h"
#include "rdrop/metrics.h"
#include "rdrop/plot.h"
#include "rdrop/report.h"
#include "rdrop/stats.h"
#include "report/canvas.h"

void rd_curves_free(rd_curve_set *s) {
    for (int i = 0; i < s->n; i++) free(s->curve[i].epoch);
    free(s->curve);
    s->curve = NULL;
    s->n = 0;
}

const rd_curve *rd_curve_find(const rd_curve_set *s, const char *config, const char *metric) {
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->curve[i].config, config) && !strcmp(s->curve[i].metric, metric)) return &s->curve[i];
    return NULL;
}

/* Appends one point to the curve of (config, metric); 0 when the epoch does
 * not come after the curve's last one. */
static int add_point(rd_curve_set *s, int *cap, const char *config, const char *metric, const double v[4]) {
    rd_curve *c = (rd_curve *)rd_curve_find(s, config, metric);
    if (!c) {
        if (s->n == *cap) s->curve = rd_realloc(s->curve, (size_t)(*cap = *cap ? 2 * *cap : 16), sizeof *s->curve);
        c = &s->curve[s->n++];
        memset(c, 0, sizeof *c);
        snprintf(c->config, sizeof c->config, "%s", config);
        snprintf(c->metric, sizeof c->metric, "%s", metric);
    }
    if (c->n && v[0] <= c->epoch[c->n - 1]) return 0;
    if (c->n == c->cap) { /* one block: epoch, mean, lo, hi */
        int cap2 = c->cap ? 2 * c->cap : 32;
        double *block = rd_malloc((size_t)cap2 * 4, sizeof(double));
        for (int k = 0; k < 4 && c->n; k++) memcpy(block + k * cap2, c->epoch + k * c->cap, (size_t)c->n * sizeof(double));
        free(c->epoch);
        c->epoch = block;
        c->cap = cap2;
    }
    c->mean = c->epoch + c->cap;
    c->lo = c->mean + c->cap;
    c->hi = c->lo + c->cap;
    c->epoch[c->n] = v[0];
    c->mean[c->n] = v[1];
    c->lo[c->n] = v[2];
    c->hi[c->n] = v[3];
    c->n++;
    return 1;
}

static int number(const char *text, double *v) {
    char *end;
    errno = 0;
    *v = strtod(text, &end);
    return end != text && !*end && errno == 0 && isfinite(*v);
}

rd_status rd_curves_read(const char *path, rd_curve_set *s, rd_error *err) {
    s->curve = NULL;
    s->n = 0;
    FILE *f;
    if (rd_fopen_regular(path, &f, err) && errno)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot read: %s", path, strerror(errno));
    if (!f) return RD_ERR_RUNTIME;
    char line[1024], *field[8];
    static const char *const HEADER = "config,metric,epoch,runs,mean,min,max";
    if (rd_csv_line(f, line, sizeof line) <= 0 || strcmp(line, HEADER) != 0) {
        fclose(f);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: not a curves.csv (want the header %s)", path, HEADER);
    }
    int cap = 0, got;
    for (int row = 2; (got = rd_csv_line(f, line, sizeof line)) != 0; row++) {
        double v[4], runs;
        const char *why = got < 0 ? "a line longer than 1023 characters, or not text"
                          : rd_csv_fields(line, field, 8) != 7 ? "not 7 comma-separated fields"
                          : !field[0][0] || strlen(field[0]) > 255 ? "config: empty or longer than 255 characters"
                          : !field[1][0] || strlen(field[1]) > 15 ? "metric: empty or longer than 15 characters"
                          : !number(field[2], &v[0]) || v[0] < 1 || v[0] != floor(v[0]) ? "epoch: not a whole number from 1"
                          : !number(field[3], &runs) || !number(field[4], &v[1]) || !number(field[5], &v[2]) ||
                                    !number(field[6], &v[3]) ? "runs, mean, min or max: not a number"
                          : NULL;
        if (why || !add_point(s, &cap, field[0], field[1], v)) {
            fclose(f);
            rd_curves_free(s);
            return rd_fail(err, RD_ERR_RUNTIME, "%s:%d: %s", path, row,
                           why ? why : "an epoch that does not come after the one before it");
        }
    }
    fclose(f);
    return RD_OK;
}

/* ---- labels ---- */

enum { MAX_CONFIGS = 64, MAX_PARTS = 16 };

/* The "+key=value" overrides of a label (each part starts at a '+' and
 * holds a '='; a '+' inside a value stays with its part). */
static int parts_of(const char *label, const char **at, int *len) {
    int n = 0;
    for (const char *p = strchr(label, '+'); p && n < MAX_PARTS; p = strchr(p + 1, '+')) {
        const char *next = strchr(p + 1, '+');
        size_t l = next ? (size_t)(next - p) : strlen(p);
        if (!memchr(p, '=', l)) continue; /* part of the previous value */
        at[n] = p;
        len[n++] = (int)l;
    }
    for (int i = 0; i + 1 < n; i++) len[i] = (int)(at[i + 1] - at[i]);
    return n;
}

static int has_part(const char *label, const char *part, int len) {
    const char *at[MAX_PARTS];
    int l[MAX_PARTS], n = parts_of(label, at, l);
    for (int i = 0; i < n; i++)
        if (l[i] == len && !strncmp(at[i], part, (size_t)len)) return 1;
    return 0;
}

/* Labels for the figure: the configs' names without the overrides they all
 * share (listed in *note), and short names without their common prefix up
 * to a '-' (the x axis of the paired charts). */
static void figure_labels(const char *const *configs, int n, char (*legend)[256], char (*shortname)[256], char *note, size_t size) {
    const char *at[MAX_PARTS];
    int len[MAX_PARTS], m = n > 1 ? parts_of(configs[0], at, len) : 0;
    note[0] = 0;
    int common[MAX_PARTS] = {0};
    for (int k = 0; k < m; k++) {
        common[k] = 1;
        for (int c = 1; c < n; c++) common[k] &= has_part(configs[c], at[k], len[k]);
        if (common[k])
            snprintf(note + strlen(note), size - strlen(note), "%s%.*s", note[0] ? "" : "every config: ", len[k], at[k]);
    }
    for (int c = 0; c < n; c++) {
        legend[c][0] = 0;
        const char *p = configs[c], *pa[MAX_PARTS];
        int pl[MAX_PARTS], pn = parts_of(p, pa, pl);
        size_t head = pn ? (size_t)(pa[0] - p) : strlen(p);
        snprintf(legend[c], 256, "%.*s", (int)head, p);
        for (int i = 0; i < pn; i++) {
            int drop = 0;
            for (int k = 0; k < m; k++) drop |= common[k] && pl[i] == len[k] && !strncmp(pa[i], at[k], (size_t)len[k]);
            if (!drop) snprintf(legend[c] + strlen(legend[c]), 256 - strlen(legend[c]), "%.*s", pl[i], pa[i]);
        }
    }
    size_t prefix = strlen(legend[0]); /* the longest common prefix, cut back to a '-' */
    for (int c = 1; c < n; c++) {
        size_t i = 0;
        while (i < prefix && legend[c][i] == legend[0][i]) i++;
        prefix = i;
    }
    while (prefix > 0 && legend[0][prefix - 1] != '-') prefix--;
    for (int c = 0; c < n; c++) snprintf(shortname[c], 256, "%s", n > 1 ? legend[c] + prefix : legend[c]);
}

/* ---- the charts ---- */

static double field(const rd_result *r, int kl) { return kl ? r->test_kl : r->final_err; }

typedef struct { /* storage the charts point into, freed together */
    rd_series *series;
    double *numbers;
    int n_series, n_numbers;
} store;

static rd_series *new_series(store *s) { return &s->series[s->n_series++]; }
static double *new_numbers(store *s, int n) {
    double *p = s->numbers + s->n_numbers;
    s->n_numbers += n;
    return p;
}

/* The learning curve of each config for one metric of curves.csv; 0 series
 * when no config has it. */
static int curve_chart(rd_chart *ch, store *st, const rd_curve_set *curves, const char *const *configs, int n, const char *metric) {
    rd_series *first = st->series + st->n_series;
    int k = 0;
    for (int c = 0; c < n; c++) {
        const rd_curve *cv = rd_curve_find(curves, configs[c], metric);
        if (!cv || cv->n == 0) continue;
        rd_series *se = new_series(st);
        *se = (rd_series){.n = cv->n, .x = cv->epoch, .y = cv->mean, .lo = cv->lo, .hi = cv->hi, .colour = c + 1};
        k++;
    }
    *ch = (rd_chart){.series = first, .n_series = k, .xlabel = "epoch", .x_integer = 1, .legend = RD_LEGEND_NONE};
    return k;
}

/* Each config's final value minus the baseline's, seed by seed: dots, and
 * the paired mean with its 95% CI; 0 when no config has two pairs. */
static int paired_chart(rd_chart *ch, store *st, const rd_result *r, int nr, const char *const *configs, int n, int base,
                        int kl, const char **names) {
    rd_series *first = st->series + st->n_series;
    int k = 0, slots = 0, shown = 0;
    for (int c = 0; c < n; c++) {
        if (c == base) continue;
        slots++;
        double *a = new_numbers(st, nr), *b = new_numbers(st, nr);
        int m = 0;
        for (int i = 0; i < nr; i++) {
            if (strcmp(r[i].config, configs[c]) || isnan(field(&r[i], kl))) continue;
            for (int j = 0; j < nr; j++)
                if (!strcmp(r[j].config, configs[base]) && r[j].seed == r[i].seed && !isnan(field(&r[j], kl))) {
                    a[m] = field(&r[j], kl);
                    b[m++] = field(&r[i], kl);
                    break;
                }
        }
        if (m < 2) continue;
        double *x = new_numbers(st, m), *d = new_numbers(st, m), *iv = new_numbers(st, 4);
        for (int i = 0; i < m; i++) {
            x[i] = slots - 0.32 + 0.4 * i / (m - 1); /* the seeds side by side, left of the interval */
            d[i] = b[i] - a[i];
        }
        rd_paired_test t = rd_paired_t_test(a, b, m);
        iv[0] = slots + 0.25;
        iv[1] = t.mean;
        iv[2] = t.mean - t.half_ci;
        iv[3] = t.mean + t.half_ci;
        *new_series(st) = (rd_series){.n = m, .x = x, .y = d, .style = RD_SERIES_POINTS, .colour = c + 1};
        *new_series(st) = (rd_series){.n = 1, .x = iv, .y = iv + 1, .lo = iv + 2, .hi = iv + 3,
                                      .style = RD_SERIES_INTERVAL, .colour = c + 1};
        k += 2;
        shown++;
    }
    *ch = (rd_chart){.series = first, .n_series = k, .x_names = names, .n_x_names = slots, .y_zero = 1,
                     .legend = RD_LEGEND_NONE};
    return shown;
}

rd_status rd_study_png(const char *path, const rd_result *r, int nr, const rd_curve_set *curves,
                       const char *baseline, rd_error *err) {
    const char *configs[MAX_CONFIGS];
    int n = 0, seeds = 0;
    for (int i = 0; i < nr; i++) {
        int c = 0, runs = 0;
        while (c < n && strcmp(configs[c], r[i].config)) c++;
        if (c == n) {
            if (n == MAX_CONFIGS) return rd_fail(err, RD_ERR_RUNTIME, "%s: more than %d configs", path, MAX_CONFIGS);
            configs[n++] = r[i].config;
        }
        for (int j = 0; j < nr; j++) runs += !strcmp(r[j].config, r[i].config);
        seeds = runs > seeds ? runs : seeds;
    }
    if (n == 0) return rd_fail(err, RD_ERR_RUNTIME, "%s: no results to draw", path);
    int base = 0;
    if (baseline) {
        while (base < n && strcmp(configs[base], baseline)) base++;
        if (base == n) return rd_fail(err, RD_ERR_USAGE, "baseline %s: no such config in the results", baseline);
    }
    char(*legend)[256] = rd_malloc((size_t)n, sizeof *legend), (*shortname)[256] = rd_malloc((size_t)n, sizeof *shortname);
    char note[1024], sub[96], per_seed[96], err_label[300], kl_label[300];
    figure_labels(configs, n, legend, shortname, note, sizeof note);
    const char *labels[MAX_CONFIGS], *names[MAX_CONFIGS];
    for (int c = 0, s = 0; c < n; c++) {
        labels[c] = legend[c];
        if (c != base) names[s++] = shortname[c];
    }
    /* names too wide for their place on the x axis: the config's number in the legend */
    int slot_w = (RD_PLOT_W - 114) / (n > 1 ? n - 1 : 1);
    char (*numbered)[256] = rd_malloc((size_t)n, sizeof *numbered), numbers[MAX_CONFIGS][12];
    int too_wide = 0;
    for (int s = 0; s < n - 1 && seeds >= 2; s++) too_wide |= rd_canvas_text_width(names[s], 2) > slot_w - 8;
    if (too_wide) {
        for (int c = 0, s = 0; c < n; c++) {
            snprintf(numbered[c], 256, "%d: %s", c + 1, legend[c]);
            labels[c] = numbered[c];
            snprintf(numbers[c], sizeof numbers[c], "%d", c + 1);
            if (c != base) names[s++] = numbers[c];
        }
    }
    if (seeds == 1) snprintf(sub, sizeof sub, "one seed per config");
    else snprintf(sub, sizeof sub, "line: mean of %d seeds; band: min to max", seeds);
    snprintf(per_seed, sizeof per_seed, "dots: seeds; bar and whisker: mean, 95%% CI");
    snprintf(err_label, sizeof err_label, "minus %s (points)", shortname[base]);
    snprintf(kl_label, sizeof kl_label, "test_kl minus %s", shortname[base]);

    store st = {rd_malloc((size_t)8 * n + 8, sizeof(rd_series)), /* 3 curves + 2 x 2 paired series a config */
                rd_malloc((size_t)2 * n * (4 * nr + 8) + 8, sizeof(double)), 0, 0};
    rd_chart charts[5], ch;
    int k = 0;
    if (curve_chart(&ch, &st, curves, configs, n, "test_err")) {
        ch.title = "Test error", ch.subtitle = sub, ch.ylabel = "test error (%)";
        charts[k++] = ch;
    }
    if (seeds >= 2 && paired_chart(&ch, &st, r, nr, configs, n, base, 0, names)) {
        ch.title = "Paired: final test error", ch.subtitle = per_seed, ch.xlabel = "", ch.ylabel = err_label;
        charts[k++] = ch;
    }
    if (curve_chart(&ch, &st, curves, configs, n, "test_kl")) {
        ch.title = "Test KL between dropout passes", ch.subtitle = sub, ch.ylabel = "test_kl", ch.y_zero = 1;
        charts[k++] = ch;
    }
    if (seeds >= 2 && paired_chart(&ch, &st, r, nr, configs, n, base, 1, names)) {
        ch.title = "Paired: final test_kl", ch.subtitle = per_seed, ch.xlabel = "", ch.ylabel = kl_label;
        charts[k++] = ch;
    }
    if (curve_chart(&ch, &st, curves, configs, n, "train_ce")) {
        ch.title = "Training cross-entropy", ch.subtitle = sub, ch.ylabel = "cross-entropy (epoch mean)",
        ch.y_log = 1;
        charts[k++] = ch;
    }
    rd_status s;
    if (k == 0) {
        s = rd_fail(err, RD_ERR_RUNTIME, "%s: nothing to draw (no curves and fewer than 2 seeds)", path);
    } else {
        int band[MAX_CONFIGS];
        for (int c = 0; c < n; c++) band[c] = 1;
        rd_legend lg = {.labels = labels, .band = band, .n = n, .note = note[0] ? note : NULL};
        s = rd_plot_figure(path, charts, k, k == 1 ? 1 : 2, &lg, err);
    }
    free(st.series);
    free(st.numbers);
    free(legend);
    free(shortname);
    free(numbered);
    return s;
}

rd_status rd_study_group_pngs(const char *dir, const rd_result *rows, int n, const rd_curve_set *set,
                              const char *baseline, int *drawn, rd_error *err) {
    rd_result *sub = rd_malloc((size_t)n + 1, sizeof *sub);
    rd_curve *curves = rd_malloc((size_t)set->n + 1, sizeof *curves);
    rd_status st = RD_OK;
    *drawn = 0;
    for (int i = 0; i < n && !st; i++) {
        const char *label = rows[i].group;
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) seen = !strcmp(rows[j].group, label);
        if (seen || !label[0]) continue; /* each group once, in the table's order */
        size_t len = strlen(label);
        int k = 0, nc = 0;
        for (int j = 0; j < n; j++)
            if (!strcmp(rows[j].group, label)) sub[k++] = rows[j];
        for (int j = 0; j < set->n; j++)
            if (!strncmp(set->curve[j].config, label, len) && set->curve[j].config[len] == '/') {
                curves[nc] = set->curve[j]; /* a shallow copy, renamed to its config */
                memmove(curves[nc].config, curves[nc].config + len + 1, strlen(curves[nc].config + len + 1) + 1);
                nc++;
            }
        rd_curve_set group = {curves, nc};
        char png[4400];
        if (snprintf(png, sizeof png, "%s/curves-%s.png", dir, label) >= (int)sizeof png)
            st = rd_fail(err, RD_ERR_USAGE, "%s: folder name too long", dir);
        if (!st) st = rd_study_png(png, sub, k, &group, baseline, err);
        *drawn += !st;
    }
    free(sub);
    free(curves);
    return st;
}
