/* Internal: reading one IDX file (raw or gzip). Used by idx_load.c. */
#ifndef RDROP_DATA_IDX_H
#define RDROP_DATA_IDX_H
#include <stddef.h>
#include <stdint.h>

#include "rdrop/error.h"
#include "rdrop/rng.h"

/* Reads an IDX file of unsigned bytes with `ndims` dimensions (1 or 3).
 * `what` names the content for messages ("image", "label"). Checks the magic,
 * the number of dimensions, each size (dims[0] = count in 1..RD_IDX_MAX_COUNT,
 * further dims in 1..RD_IDX_MAX_SIDE), and that the data is exactly as long as
 * the header says. On success *data (caller frees) holds the payload. */
rd_status rd_idx_read(const char *path, int ndims, const char *what, uint32_t dims[3],
                      uint8_t **data, rd_error *err);

/* The same in two steps, so the header can be checked (sizes, memory) before
 * any payload is inflated: open reads and checks the header; read_rows reads
 * every sample, keeping those with keep[i] != 0 (n_keep of them; all when
 * keep is NULL) in a buffer that grows as data arrives, and checks that the
 * file ends exactly where the header says. A signal (rd_interrupted) stops it. */
typedef struct {
    void *f; /* gzFile */
    const char *path, *what;
    int ndims;
    uint32_t dims[3];
    size_t bytes; /* payload, as the header says */
    size_t row;   /* bytes per sample */
} rd_idx_file;

rd_status rd_idx_open(rd_idx_file *x, const char *path, int ndims, const char *what, rd_error *err);
rd_status rd_idx_read_rows(rd_idx_file *x, const uint8_t *keep, size_t n_keep, uint8_t **out, rd_error *err);
void rd_idx_close(rd_idx_file *x);

/* keep[i] = 1 for k of n samples: the first k, or (random) k chosen by a
 * shuffle drawn from rng. The one choice behind rd_dataset_subset, so a
 * selection made while reading equals the one made after. */
uint8_t *rd_choose_samples(int n, int k, int random, rd_rng *rng);

#endif
