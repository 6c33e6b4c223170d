/* A small, fast, seedable random number generator (xoshiro256**, seeded
 * through splitmix64). All randomness in rdrop comes from an rd_rng passed
 * explicitly: no global state, so the same seed gives the same run. */
#ifndef RDROP_RNG_H
#define RDROP_RNG_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} rd_rng;

void rd_rng_seed(rd_rng *r, uint64_t seed);
uint64_t rd_rng_u64(rd_rng *r);
/* Uniform in [0, 1), 24 random bits. */
float rd_rng_uniform(rd_rng *r);
/* Uniform integer in [0, n), unbiased. n > 0. */
uint32_t rd_rng_below(rd_rng *r, uint32_t n);
/* Standard normal (Box-Muller). */
double rd_rng_normal(rd_rng *r);
/* Fisher-Yates shuffle of n ints. */
void rd_rng_shuffle(rd_rng *r, int *a, int n);
/* An independent stream: derives a new generator from this one. */
rd_rng rd_rng_split(rd_rng *r);

/* Bulk random bits for dropout masks: RD_RNG_LANES xoshiro128++ generators
 * side by side (32-bit words: only adds, shifts and xors), so the fill loop
 * runs on vector registers. Seeded from an rd_rng, which stays the
 * only source of randomness. */
enum { RD_RNG_LANES = 4 };
typedef struct {
    uint32_t s[4][RD_RNG_LANES];
} rd_rng_wide;

/* Draws the lanes' seeds from r (2 rd_rng_u64 calls per lane). */
void rd_rng_wide_seed(rd_rng_wide *w, rd_rng *r);
/* n random 32-bit words; n a multiple of RD_RNG_LANES. */
void rd_rng_wide_fill(rd_rng_wide *w, uint32_t *out, size_t n);

#endif
