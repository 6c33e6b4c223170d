/* Data: MNIST-style datasets read from IDX files, and the mini-batch iterator.
 *
 * IDX is the format MNIST ships in: a 4-byte big-endian magic number
 * (0x00000803 = unsigned bytes, 3 dimensions, for images; 0x00000801 for
 * labels), one big-endian uint32 per dimension, then the raw bytes. Files may
 * be gzip-compressed or not; zlib's gzopen reads both.
 *
 * Memory: pixels stay as bytes (uint8) and are converted to float one batch
 * at a time by rd_dataset_rows. The 60,000 training images are 47 MB as bytes
 * but would be 188 MB as floats, and the project has a memory target. */
#ifndef RDROP_DATA_H
#define RDROP_DATA_H
#include <stdint.h>

#include "rdrop/error.h"
#include "rdrop/rng.h"

#define RD_DATA_CLASSES 10         /* digits 0..9 (and the 10 Fashion-MNIST classes) */
#define RD_IDX_MAX_SIDE 4096       /* largest rows or cols accepted */
#define RD_IDX_MAX_COUNT 100000000 /* largest number of samples accepted */

typedef struct {
    int n;           /* samples */
    int rows, cols;  /* 28, 28 */
    int dim;         /* rows*cols */
    uint8_t *pixels; /* n*dim, kept as bytes: 4x less memory; converted per batch */
    uint8_t *labels; /* n */
    float mean, std; /* normalization applied by rd_dataset_rows: (x/255 - mean)/std;
                        mean 0, std 1 = plain [0,1] */
} rd_dataset;

/* ---- Loading ---------------------------------------------------------- */

/* Loads MNIST (or Fashion-MNIST, same file names) from dir: the training set
 * (train-images-idx3-ubyte, train-labels-idx1-ubyte) when train is nonzero,
 * the test set (t10k-...) otherwise. For each file it tries the .gz name
 * first, then the uncompressed name. */
rd_status rd_mnist_load(const char *dir, int train, rd_dataset *out, rd_error *err);

/* What to keep while loading, checked against the files' headers before any
 * pixel is inflated: `subset` samples (0 = all) -- the first ones, or
 * (random) the ones rd_dataset_subset would choose with rng -- and at most
 * max_bytes of memory for them (0 = no limit; limit_name says what sets it,
 * for the message). A subset never needs the whole set in memory. `classes`:
 * the model's classes, which every label of the file must be below (a label
 * beyond them is RD_ERR_USAGE naming both); 0 means RD_DATA_CLASSES. */
typedef struct {
    int subset;
    int random;
    rd_rng *rng;
    double max_bytes;
    const char *limit_name;
    int classes;
} rd_load_select;

rd_status rd_mnist_load_select(const char *dir, int train, const rd_load_select *sel, rd_dataset *out,
                               rd_error *err);
rd_status rd_idx_load_select(const char *images_path, const char *labels_path, int n_classes,
                             const rd_load_select *sel, rd_dataset *out, rd_error *err);

/* Loads an image IDX file and a label IDX file (raw or gzip) and checks them:
 * magic, number of dimensions, sizes (nonzero, rows/cols <= RD_IDX_MAX_SIDE,
 * count <= RD_IDX_MAX_COUNT), file length exactly as the header says (short
 * file = "truncated", extra bytes = "trailing"), labels in 0..n_classes-1, and
 * as many labels as images. On error *out is left empty (safe to free). */
rd_status rd_idx_load(const char *images_path, const char *labels_path, rd_dataset *out,
                      rd_error *err);
rd_status rd_idx_load_classes(const char *images_path, const char *labels_path, int n_classes,
                              rd_dataset *out, rd_error *err);

/* Frees the arrays and zeroes *d. Safe on a zeroed or already freed dataset. */
void rd_dataset_free(rd_dataset *d);

/* ---- Reading samples -------------------------------------------------- */

/* float32 rows scaled to [0,1] (then normalized), for the given sample
 * indices: out has n*d->dim floats, row i is sample idx[i]. */
void rd_dataset_rows(const rd_dataset *d, const int *idx, int n, float *out);
/* The labels of the given samples, as ints. */
void rd_dataset_labels(const rd_dataset *d, const int *idx, int n, int *out);

/* Normalization used by rd_dataset_rows. std <= 0 (or not finite) is taken
 * as 1 so a degenerate statistic cannot produce infinities. */
void rd_dataset_set_normalization(rd_dataset *d, float mean, float std);
/* Mean and standard deviation of all pixels scaled to [0,1] (MNIST train:
 * about 0.1307 and 0.3081). Ignores the current normalization. */
void rd_dataset_compute_stats(const rd_dataset *d, float *mean, float *std);

/* Checks d against a model before use: d->dim == inputs and every label
 * below classes. RD_ERR_USAGE naming `what` (a file or folder) and both
 * sizes otherwise. */
rd_status rd_dataset_check_shape(const rd_dataset *d, const char *what, int inputs, int classes, rd_error *err);

/* ---- Splitting -------------------------------------------------------- */

/* Shuffles the sample indices with rng and moves the last val_count of them
 * into *val (a new dataset); train keeps the others. Both keep the original
 * relative order of their samples and train's normalization.
 * 0 < val_count < train->n, else RD_ERR_USAGE. */
rd_status rd_dataset_split(rd_dataset *train, int val_count, rd_rng *rng, rd_dataset *val,
                           rd_error *err);
/* Keeps the first k samples, or (random != 0) k samples chosen with rng, kept
 * in their original order. 0 < k <= d->n, else RD_ERR_USAGE. */
rd_status rd_dataset_subset(rd_dataset *d, int k, int random, rd_rng *rng, rd_error *err);

/* ---- Mini-batches ----------------------------------------------------- */

/* Walks a permutation of 0..n-1 in batches of batch_size.
 *
 * Resuming: rd_batcher_shuffle first resets order to 0..n-1, so an epoch's
 * order depends only on n and the rng state. A checkpoint therefore saves the
 * rng state from before the epoch's shuffle and the number of batches done;
 * resuming shuffles again from that state and skips those batches. */
typedef struct {
    int n, batch_size, pos;
    int *order;
    int drop_last; /* nonzero: skip the last batch when it is smaller than batch_size */
} rd_batcher;

/* order = 0..n-1 (no shuffle), pos = 0. batch_size < 1 is taken as 1. */
void rd_batcher_init(rd_batcher *b, int n, int batch_size, int drop_last);
/* Start of each epoch: a fresh random order from rng, pos = 0. */
void rd_batcher_shuffle(rd_batcher *b, rd_rng *rng);
/* Points *idx at the next batch's sample indices (valid until the next
 * shuffle) and returns how many there are; 0 at the end of the epoch. */
int rd_batcher_next(rd_batcher *b, const int **idx);
/* Batches per epoch. */
int rd_batcher_batches(const rd_batcher *b);
void rd_batcher_free(rd_batcher *b);

#endif
