/* The mini-batch iterator: a permutation walked in steps of batch_size. */
#include <stdlib.h>

#include "rdrop/data.h"

void rd_batcher_init(rd_batcher *b, int n, int batch_size, int drop_last) {
    b->n = n > 0 ? n : 0;
    b->batch_size = batch_size > 0 ? batch_size : 1;
    b->drop_last = drop_last != 0;
    b->pos = 0;
    b->order = rd_malloc((size_t)b->n, sizeof *b->order);
    for (int i = 0; i < b->n; i++) b->order[i] = i;
}

void rd_batcher_shuffle(rd_batcher *b, rd_rng *rng) {
    /* Reset first: the order then depends on the rng state only, not on the
     * previous epoch's order. */
    for (int i = 0; i < b->n; i++) b->order[i] = i;
    rd_rng_shuffle(rng, b->order, b->n);
    b->pos = 0;
}

int rd_batcher_next(rd_batcher *b, const int **idx) {
    int left = b->n - b->pos;
    int count = left < b->batch_size ? left : b->batch_size;
    if (count <= 0 || (b->drop_last && count < b->batch_size)) {
        b->pos = b->n;
        *idx = NULL;
        return 0;
    }
    *idx = b->order + b->pos;
    b->pos += count;
    return count;
}

int rd_batcher_batches(const rd_batcher *b) {
    return b->drop_last ? b->n / b->batch_size : (b->n + b->batch_size - 1) / b->batch_size;
}

void rd_batcher_free(rd_batcher *b) {
    free(b->order);
    b->order = NULL;
    b->n = b->pos = 0;
}
