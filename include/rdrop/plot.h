/* Line charts as PNG files, drawn by rdrop itself: for each series a mean
 * line and, optionally, a translucent band (e.g. the min-max over seeds);
 * axes with ticks and tick labels, axis labels, a title and a legend.
 * Several charts go side by side in one image. */
#ifndef RDROP_PLOT_H
#define RDROP_PLOT_H
#include "rdrop/error.h"

enum { RD_PLOT_W = 640, RD_PLOT_H = 480 }; /* pixels of one chart */

typedef struct {
    const char *label;
    int n;
    const double *x, *y; /* points; NaN y values are skipped */
    const double *lo, *hi; /* the band, or NULL for none */
} rd_series;

typedef struct {
    const char *title, *subtitle, *xlabel, *ylabel; /* subtitle may be NULL */
    const rd_series *series;
    int n_series;
    int x_integer; /* 1: x ticks on whole numbers (epochs) */
} rd_chart;

/* Where a chart's data lands: the plot area in pixels (of the chart's own
 * panel) and the axis ranges. */
typedef struct {
    int left, top, right, bottom;
    double xmin, xmax, xstep, ymin, ymax, ystep;
} rd_plot_frame;

rd_plot_frame rd_plot_frame_of(const rd_chart *chart);
/* Pixel coordinates of the data point (x, y) in a frame. */
void rd_plot_to_pixel(const rd_plot_frame *f, double x, double y, double *px, double *py);
/* The colour of series i, as RGB bytes. */
void rd_plot_colour(int i, unsigned char rgb[3]);

/* Writes charts[0..n) side by side into a PNG of n * RD_PLOT_W x RD_PLOT_H pixels. */
rd_status rd_plot_write(const char *path, const rd_chart *charts, int n, rd_error *err);

#endif
