/* Charts as PNG files, drawn by rdrop itself: for each series a line (with,
 * optionally, a translucent band such as the min-max over seeds), or dots, or
 * a mean with its interval; axes with ticks and tick labels (linear or
 * log10), axis labels, a title and a legend; or bars. Several charts go into one image,
 * side by side or in a grid with one legend for all of them. An axis that
 * does not start at zero says so above the chart. */
#ifndef RDROP_PLOT_H
#define RDROP_PLOT_H
#include "rdrop/error.h"

enum { RD_PLOT_W = 640, RD_PLOT_H = 480 }; /* pixels of one chart */

typedef enum {
    RD_SERIES_LINE = 0, /* the points joined by a line; lo..hi a band */
    RD_SERIES_POINTS,   /* a dot at each point */
    RD_SERIES_INTERVAL, /* a short bar at each y, a whisker from lo to hi */
    RD_SERIES_BARS      /* a bar from 0 to each y, bar_width x units wide */
} rd_series_style;

typedef struct {
    const char *label;
    int n;
    const double *x, *y; /* points; NaN y values are skipped */
    const double *lo, *hi; /* the band or interval, or NULL for none */
    rd_series_style style;
    int colour; /* palette index + 1; 0: the series' own position */
    double bar_width; /* BARS: in x units (0: 0.8) */
} rd_series;

typedef enum { RD_LEGEND_INSIDE = 0, RD_LEGEND_NONE } rd_legend_place;

typedef struct {
    const char *title, *subtitle, *xlabel, *ylabel; /* subtitle may be NULL */
    const rd_series *series;
    int n_series;
    int x_integer;              /* 1: x ticks on whole numbers (epochs) */
    int y_log;                  /* 1: log10 y axis (values <= 0 are skipped) */
    int y_zero;                 /* 1: the y axis reaches 0, with a line at 0 when it spans it */
    const char *const *x_names; /* names of x = 1, 2, ..., n_x_names (NULL: numbers) */
    int n_x_names;
    rd_legend_place legend;     /* INSIDE: in the emptiest corner of the chart */
    const double *x_range, *y_range; /* {min, max}: fixed axis ranges (NULL: from the data) */
    int x_log;                  /* 1: log10 x axis, ticks at powers of ten (values <= 0 are skipped) */
    const double *x_ticks;      /* log x axis: labelled ticks at these values instead (NULL: powers of ten) */
    int n_x_ticks;
} rd_chart;

/* Where a chart's data lands: the plot area in pixels (of the chart's own
 * panel) and the axis ranges (of log10 x or y when xlog or ylog). */
typedef struct {
    int left, top, right, bottom;
    double xmin, xmax, xstep, ymin, ymax, ystep;
    int ylog, xlog; /* x, y ranges of log10 values */
} rd_plot_frame;

rd_plot_frame rd_plot_frame_of(const rd_chart *chart);
/* Pixel coordinates of the data point (x, y) in a frame. */
void rd_plot_to_pixel(const rd_plot_frame *f, double x, double y, double *px, double *py);
/* The colour of palette index i, as RGB bytes. */
void rd_plot_colour(int i, unsigned char rgb[3]);

/* Writes charts[0..n) side by side into a PNG of n * RD_PLOT_W x RD_PLOT_H pixels. */
rd_status rd_plot_write(const char *path, const rd_chart *charts, int n, rd_error *err);

/* One legend for a whole figure: label i in palette colour i (colour[i] - 1
 * when colour is given, to match series coloured so), with a band swatch
 * when band[i], and an optional note line after the entries. */
typedef struct {
    const char *const *labels;
    const int *band; /* may be NULL */
    int n;
    const char *note; /* may be NULL */
    rd_series_style style; /* the swatch: a line (default), a dot or a bar */
    const int *colour; /* palette index + 1 per label, as rd_series.colour; may be NULL */
} rd_legend;

/* Writes charts[0..n) row by row in a grid of `cols` columns, each chart
 * RD_PLOT_W x RD_PLOT_H; the legend (NULL: none) goes into the grid's first
 * free cell when it fits there, else into a band below the grid. */
rd_status rd_plot_figure(const char *path, const rd_chart *charts, int n, int cols, const rd_legend *legend,
                         rd_error *err);

#endif
