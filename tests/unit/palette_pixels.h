/* Test helper for the figure suites: how many pixels of a figure have one
 * palette colour exactly. */
#ifndef RDROP_TEST_PALETTE_PIXELS_H
#define RDROP_TEST_PALETTE_PIXELS_H
#include <stddef.h>

#include "rdrop/plot.h"

/* Pixels of palette colour k in the rectangle [x0, x1) x [y0, y1) of an RGB
 * image w pixels wide. */
static inline int palette_pixels(const unsigned char *img, int w, int x0, int y0, int x1, int y1, int k) {
    unsigned char c[3];
    rd_plot_colour(k, c);
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const unsigned char *p = img + 3 * ((size_t)y * w + x);
            n += p[0] == c[0] && p[1] == c[1] && p[2] == c[2];
        }
    return n;
}
#endif
