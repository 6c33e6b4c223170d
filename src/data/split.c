/* Validation splits and subsets. Both pick samples with an explicit rng and
 * keep the chosen samples in their original order, so the result depends
 * only on the seed. */
#include <stdlib.h>
#include <string.h>

#include "idx.h"
#include "rdrop/data.h"

/* Copies the samples whose keep[i] == want into a new dataset shaped like d. */
static void gather(const rd_dataset *d, const uint8_t *keep, uint8_t want, int count,
                   rd_dataset *out) {
    *out = *d;
    out->n = count;
    out->pixels = rd_malloc((size_t)count, (size_t)d->dim);
    out->labels = rd_malloc((size_t)count, 1);
    size_t dim = (size_t)d->dim;
    int j = 0;
    for (int i = 0; i < d->n; i++) {
        if (keep[i] != want) continue;
        memcpy(out->pixels + (size_t)j * dim, d->pixels + (size_t)i * dim, dim);
        out->labels[j++] = d->labels[i];
    }
}

/* keep[i] = 1 for `count` samples chosen by a seeded shuffle, 0 for the rest. */
static uint8_t *choose(int n, int count, rd_rng *rng) {
    int *perm = rd_malloc((size_t)n, sizeof *perm);
    for (int i = 0; i < n; i++) perm[i] = i;
    rd_rng_shuffle(rng, perm, n);
    uint8_t *keep = rd_calloc((size_t)n, 1);
    for (int i = n - count; i < n; i++) keep[perm[i]] = 1; /* the last `count` */
    free(perm);
    return keep;
}

rd_status rd_dataset_split(rd_dataset *train, int val_count, rd_rng *rng, rd_dataset *val,
                           rd_error *err) {
    memset(val, 0, sizeof *val);
    if (val_count < 1 || val_count >= train->n)
        return rd_fail(err, RD_ERR_USAGE,
                       "validation size %d must be between 1 and %d (the training set has %d "
                       "samples)",
                       val_count, train->n - 1, train->n);
    if (!rng) return rd_fail(err, RD_ERR_USAGE, "rd_dataset_split needs an rng");
    uint8_t *in_val = choose(train->n, val_count, rng);
    rd_dataset rest;
    gather(train, in_val, 1, val_count, val);
    gather(train, in_val, 0, train->n - val_count, &rest);
    free(in_val);
    rd_dataset_free(train);
    *train = rest;
    return RD_OK;
}

rd_status rd_dataset_subset(rd_dataset *d, int k, int random, rd_rng *rng, rd_error *err) {
    if (k < 1 || k > d->n)
        return rd_fail(err, RD_ERR_USAGE, "subset size %d must be between 1 and %d", k, d->n);
    if (random && !rng) return rd_fail(err, RD_ERR_USAGE, "a random subset needs an rng");
    if (k == d->n) return RD_OK;
    uint8_t *keep = rd_choose_samples(d->n, k, random, rng);
    rd_dataset out;
    gather(d, keep, 1, k, &out);
    free(keep);
    rd_dataset_free(d);
    *d = out;
    return RD_OK;
}

uint8_t *rd_choose_samples(int n, int k, int random, rd_rng *rng) {
    if (random) return choose(n, k, rng);
    uint8_t *keep = rd_calloc((size_t)n, 1);
    memset(keep, 1, (size_t)k);
    return keep;
}
