/* How dropout draws its masks. Every dropout kernel (the engine's rd_dropout,
 * the fast layer's fused ReLU+dropout) draws through this stream, so they
 * drop the same elements from the same rng. The random words come from
 * rd_rng_wide (vectorized), RD_DROPOUT_CHUNK at a time so that they stay in
 * the L1 cache while the kernel uses them. */
#ifndef RDROP_DROPOUT_H
#define RDROP_DROPOUT_H
#include <stdint.h>

#include "rdrop/rng.h"

enum { RD_DROPOUT_CHUNK = 1024 }; /* random words per fill; a multiple of RD_RNG_LANES */

typedef struct {
    rd_rng_wide wide;
    uint32_t threshold; /* an element whose word is below it is dropped */
    uint32_t bits[RD_DROPOUT_CHUNK];
} rd_dropout_stream;

/* A stream for dropout probability p (0 <= p < 1), seeded from rng (which
 * advances): element i is dropped when its 32 random bits fall below
 * p * 2^32. */
void rd_dropout_stream_start(rd_dropout_stream *s, float p, rd_rng *rng);
/* The words of the next RD_DROPOUT_CHUNK elements (s->bits). */
const uint32_t *rd_dropout_stream_next(rd_dropout_stream *s);

#endif
