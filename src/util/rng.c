#include "rdrop/rng.h"

#include <math.h>
#include <string.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rd_rng_seed(rd_rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rd_rng_u64(rd_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

float rd_rng_uniform(rd_rng *r) { return (float)(rd_rng_u64(r) >> 40) * (1.0f / 16777216.0f); }

uint32_t rd_rng_below(rd_rng *r, uint32_t n) {
    /* Lemire's multiply-shift with rejection: unbiased. */
    uint64_t m = (uint64_t)(uint32_t)(rd_rng_u64(r) >> 32) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)-n % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)(rd_rng_u64(r) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double rd_rng_normal(rd_rng *r) {
    double u1 = ((rd_rng_u64(r) >> 11) + 1) * (1.0 / 9007199254740993.0); /* (0, 1] */
    double u2 = (rd_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void rd_rng_shuffle(rd_rng *r, int *a, int n) {
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rd_rng_below(r, (uint32_t)i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

rd_rng rd_rng_split(rd_rng *r) {
    rd_rng out;
    rd_rng_seed(&out, rd_rng_u64(r));
    return out;
}

void rd_rng_wide_seed(rd_rng_wide *w, rd_rng *r) {
    for (int k = 0; k < 4; k += 2)
        for (int l = 0; l < RD_RNG_LANES; l++) {
            uint64_t x = rd_rng_u64(r);
            w->s[k][l] = (uint32_t)x;
            w->s[k + 1][l] = (uint32_t)(x >> 32);
        }
    for (int l = 0; l < RD_RNG_LANES; l++) /* the all-zero state would stay zero */
        if (!(w->s[0][l] | w->s[1][l] | w->s[2][l] | w->s[3][l])) w->s[0][l] = 1;
}

/* The lanes as one value: a GNU C vector (gcc and clang), so each operator
 * below acts on all lanes at once (one SSE register). */
typedef uint32_t u32xL __attribute__((vector_size(4 * RD_RNG_LANES)));
#define ROTL_LANES(x, k) (((x) << (k)) | ((x) >> (32 - (k))))

void rd_rng_wide_fill(rd_rng_wide *w, uint32_t *restrict out, size_t n) {
    u32xL s0, s1, s2, s3;
    memcpy(&s0, w->s[0], sizeof s0);
    memcpy(&s1, w->s[1], sizeof s1);
    memcpy(&s2, w->s[2], sizeof s2);
    memcpy(&s3, w->s[3], sizeof s3);
    for (size_t i = 0; i + RD_RNG_LANES <= n; i += RD_RNG_LANES) { /* xoshiro128++ */
        u32xL r = ROTL_LANES(s0 + s3, 7) + s0, t = s1 << 9;
        memcpy(out + i, &r, sizeof r);
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ROTL_LANES(s3, 11);
    }
    memcpy(w->s[0], &s0, sizeof s0);
    memcpy(w->s[1], &s1, sizeof s1);
    memcpy(w->s[2], &s2, sizeof s2);
    memcpy(w->s[3], &s3, sizeof s3);
}
