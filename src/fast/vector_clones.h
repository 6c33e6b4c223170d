/* RD_VECTOR_CLONES: a hot elementwise loop compiled twice, for AVX2 and for
 * the x86-64 baseline (SSE2), the copy chosen once when the program loads
 * (target_clones: gcc 6+, clang 14+). The binary still runs on any x86-64,
 * and uses twice the vector width where the CPU has it: Adam's update over
 * the MLP's 1.86 million parameters then runs at the speed of its memory
 * traffic (bench/README.md). Results are bit-identical either way: each
 * element gets the same IEEE operations (+ * / sqrt, each correctly rounded)
 * in either width, and -ffp-contract=off (Makefile) forbids fusing them into
 * FMAs. Define RD_NO_CLONES to build without. */
#ifndef RDROP_UTIL_VECTOR_CLONES_H
#define RDROP_UTIL_VECTOR_CLONES_H

#if defined(__x86_64__) && defined(__linux__) && !defined(RD_NO_CLONES) && \
    ((defined(__clang__) && __clang_major__ >= 14) || (!defined(__clang__) && defined(__GNUC__) && __GNUC__ >= 6))
#define RD_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define RD_VECTOR_CLONES
#endif

#endif
