/* Fitting an image into the MNIST frame (steps in include/rdrop/image.h). */
#include "rdrop/image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stb_image.h>

#include "data/image_check.h"

#define INK_MARGIN 0.2f /* threshold: this far from background to the darkest ink */
#define MIN_CONTRAST 16 /* less difference than this from the background is no ink */

typedef struct {
    const uint8_t *gray;
    int w, h, invert;
} picture;

/* Ink strength of a pixel: 0 = white paper .. 255 = black ink after inversion. */
static int ink(const picture *p, int x, int y) {
    int v = p->gray[(size_t)y * (size_t)p->w + (size_t)x];
    return p->invert ? 255 - v : v;
}

static double border_mean(const picture *p) {
    double sum = 0.0;
    long count = 0;
    for (int y = 0; y < p->h; y++) {
        int step = (y == 0 || y == p->h - 1) ? 1 : (p->w > 1 ? p->w - 1 : 1);
        for (int x = 0; x < p->w; x += step) sum += ink(p, x, y), count++;
    }
    return sum / (double)count;
}

/* Area average of one line: n_in samples (every `in_step`) into n_out. Each
 * output sample averages the input interval it covers, partial pixels weighted
 * by the fraction covered. */
static void box_resample(const float *in, int n_in, int in_step, float *out, int n_out,
                         int out_step) {
    double scale = (double)n_in / n_out;
    for (int o = 0; o < n_out; o++) {
        double a = o * scale, b = (o + 1) * scale, sum = 0.0, wsum = 0.0;
        int last = (int)ceil(b) < n_in ? (int)ceil(b) : n_in;
        for (int i = (int)a; i < last; i++) {
            double w = fmin(b, i + 1.0) - fmax(a, (double)i);
            if (w > 0) sum += w * in[(size_t)i * (size_t)in_step], wsum += w;
        }
        out[(size_t)o * (size_t)out_step] = wsum > 0 ? (float)(sum / wsum) : 0.0f;
    }
}

rd_status rd_image_fit_mnist(const uint8_t *gray, int w, int h, float out[RD_MNIST_PIXELS], rd_error *err) {
    if (!gray || w < 1 || h < 1)
        return rd_fail(err, RD_ERR_USAGE, "image: bad size %dx%d", w, h);
    picture p = {gray, w, h, 0};
    p.invert = border_mean(&p) > 127.5; /* light background: dark ink on paper */
    double bg = border_mean(&p);
    int peak = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) peak = ink(&p, x, y) > peak ? ink(&p, x, y) : peak;
    if (peak - bg < MIN_CONTRAST)
        return rd_fail(err, RD_ERR_RUNTIME,
                       "blank image: no ink (no pixel differs from the background by %d or more)",
                       MIN_CONTRAST);

    /* Bounding box of the ink. */
    double thr = bg + INK_MARGIN * (peak - bg);
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (ink(&p, x, y) > thr) {
                x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
            }
    int bw = x1 - x0 + 1, bh = y1 - y0 + 1, big = bw > bh ? bw : bh;
    int nw = (int)lround((double)bw * RD_MNIST_BOX / big);
    int nh = (int)lround((double)bh * RD_MNIST_BOX / big);
    nw = nw < 1 ? 1 : nw, nh = nh < 1 ? 1 : nh;

    /* Scale: rows first (bw -> nw), then columns (bh -> nh). Ink is rescaled
     * so the background is 0 and the strongest ink 1. */
    float *line = rd_malloc((size_t)bw, sizeof *line);
    float *tmp = rd_malloc((size_t)nw * (size_t)bh, sizeof *tmp);
    float small[RD_MNIST_BOX * RD_MNIST_BOX];
    for (int y = 0; y < bh; y++) {
        for (int x = 0; x < bw; x++) {
            double v = (ink(&p, x0 + x, y0 + y) - bg) / (peak - bg);
            line[x] = (float)(v < 0 ? 0 : v > 1 ? 1 : v);
        }
        box_resample(line, bw, 1, tmp + (size_t)y * (size_t)nw, nw, 1);
    }
    for (int x = 0; x < nw; x++) box_resample(tmp + x, bh, nw, small + x, nh, nw);
    free(line);
    free(tmp);

    /* Centre of mass to (14,14), by whole pixels, kept inside the frame. */
    double mass = 0.0, cx = 0.0, cy = 0.0;
    for (int y = 0; y < nh; y++)
        for (int x = 0; x < nw; x++) {
            float v = small[y * nw + x];
            mass += v, cx += v * x, cy += v * y;
        }
    cx = mass > 0 ? cx / mass : (nw - 1) / 2.0;
    cy = mass > 0 ? cy / mass : (nh - 1) / 2.0;
    int dx = (int)lround(RD_MNIST_SIDE / 2.0 - cx), dy = (int)lround(RD_MNIST_SIDE / 2.0 - cy);
    dx = dx < 0 ? 0 : dx > RD_MNIST_SIDE - nw ? RD_MNIST_SIDE - nw : dx;
    dy = dy < 0 ? 0 : dy > RD_MNIST_SIDE - nh ? RD_MNIST_SIDE - nh : dy;
    memset(out, 0, RD_MNIST_SIDE * RD_MNIST_SIDE * sizeof *out);
    for (int y = 0; y < nh; y++)
        for (int x = 0; x < nw; x++) out[(y + dy) * RD_MNIST_SIDE + x + dx] = small[y * nw + x];
    return RD_OK;
}

rd_status rd_image_decode_mnist(const char *name, const uint8_t *file, size_t len, size_t max_pixels,
                                float out[RD_MNIST_PIXELS], rd_error *err) {
    rd_status st = rd_image_check(name, file, len, max_pixels, err);
    if (st != RD_OK) return st;
    int w, h, channels;
    uint8_t *gray = stbi_load_from_memory(file, (int)len, &w, &h, &channels, 1);
    if (!gray)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot read image: %s", name, rd_image_failure_reason());
    rd_error inner = {0};
    st = rd_image_fit_mnist(gray, w, h, out, &inner);
    stbi_image_free(gray);
    if (st != RD_OK) return rd_fail(err, st, "%s: %s", name, inner.msg);
    return RD_OK;
}

rd_status rd_image_load_mnist(const char *path, float out[RD_MNIST_PIXELS], rd_error *err) {
    uint8_t *file;
    size_t len;
    rd_status st = rd_image_read_file(path, &file, &len, err);
    if (st != RD_OK) return st;
    st = rd_image_decode_mnist(path, file, len, 0, out, err);
    free(file);
    return st;
}
