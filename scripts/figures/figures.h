/* The docs' drawn figures (`make figures`): each figure is one function that
 * writes one PNG, drawn with the plots' own canvas (src/report/canvas.h) or,
 * for charts, with rd_plot_figure; the numbers in them are computed here,
 * with rdrop's library where it has the computation. */
#ifndef RDROP_FIGURES_H
#define RDROP_FIGURES_H
#include "rdrop/error.h"
#include "report/canvas.h"

static const rd_rgb WHITE = {255, 255, 255}, BLACK = {0, 0, 0}, EDGE = {190, 190, 190}, DROPPED = {225, 225, 225},
                    GREY = {120, 120, 120}, BLUE = {31, 119, 180}, RED = {214, 39, 40}, GREEN = {44, 160, 44},
                    ORANGE = {255, 127, 14}, PURPLE = {148, 103, 189};
enum { R = 11, TEXT = 2 }; /* unit radius, text scale */

/* A filled disc with a ring, edges smoothed by pixel coverage. */
void fig_disc(rd_canvas *c, double cx, double cy, double r, rd_rgb fill, rd_rgb ring);
/* The grey cross of a dropped unit. */
void fig_cross(rd_canvas *c, double cx, double cy);
void fig_arrow(rd_canvas *c, double x0, double y0, double x1, double y1, rd_rgb col);
/* Text centred on x, its top at y (scale TEXT unless given). */
void fig_text_centred(rd_canvas *c, int x, int y, const char *s, rd_rgb col);
void fig_text_centred_scaled(rd_canvas *c, int x, int y, const char *s, int scale, rd_rgb col);
/* Writes the canvas, frees it and prints "wrote PATH"; 1 on failure. */
int fig_write(rd_canvas *c, const char *path);

int fig_two_passes(const char *path);
int fig_dropout(const char *path);
int fig_kl_asymmetry(const char *path);
int fig_worked_graph(const char *path);
int fig_second_order(const char *path);

#endif
