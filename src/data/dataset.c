/* Reading samples out of a dataset: bytes become normalized floats one batch
 * at a time (see data.h for why pixels stay bytes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/data.h"

void rd_dataset_free(rd_dataset *d) {
    if (!d) return;
    free(d->pixels);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

void rd_dataset_rows(const rd_dataset *d, const int *idx, int n, float *out) {
    /* 256 possible byte values: a lookup table does the division once. */
    float table[256];
    for (int v = 0; v < 256; v++) table[v] = ((float)v / 255.0f - d->mean) / d->std;
    size_t dim = (size_t)d->dim;
    for (int i = 0; i < n; i++) {
        const uint8_t *src = d->pixels + (size_t)idx[i] * dim;
        float *dst = out + (size_t)i * dim;
        for (size_t j = 0; j < dim; j++) dst[j] = table[src[j]];
    }
}

void rd_dataset_labels(const rd_dataset *d, const int *idx, int n, int *out) {
    for (int i = 0; i < n; i++) out[i] = d->labels[idx[i]];
}

void rd_dataset_set_normalization(rd_dataset *d, float mean, float std) {
    d->mean = isfinite(mean) ? mean : 0.0f;
    d->std = isfinite(std) && std > 0.0f ? std : 1.0f;
}

void rd_dataset_compute_stats(const rd_dataset *d, float *mean, float *std) {
    /* A histogram of byte values gives exact sums with no float drift. */
    uint64_t count[256] = {0};
    size_t total = (size_t)d->n * (size_t)d->dim;
    for (size_t i = 0; i < total; i++) count[d->pixels[i]]++;
    double sum = 0.0, sq = 0.0;
    for (int v = 0; v < 256; v++) {
        double x = v / 255.0;
        sum += x * (double)count[v];
        sq += x * x * (double)count[v];
    }
    double m = total ? sum / (double)total : 0.0;
    double var = total ? sq / (double)total - m * m : 0.0;
    *mean = (float)m;
    *std = (float)sqrt(var > 0.0 ? var : 0.0);
}

rd_status rd_dataset_check_shape(const rd_dataset *d, const char *what, int inputs, int classes, rd_error *err) {
    if (d->dim != inputs)
        return rd_fail(err, RD_ERR_USAGE, "%s: images have %d pixels (%dx%d) but the model takes %d inputs",
                       what, d->dim, d->rows, d->cols, inputs);
    int max = -1;
    for (int i = 0; i < d->n; i++) max = d->labels[i] > max ? d->labels[i] : max;
    if (max >= classes)
        return rd_fail(err, RD_ERR_USAGE, "%s: has label %d but the model has %d classes (0 to %d)", what, max,
                       classes, classes - 1);
    return RD_OK;
}
