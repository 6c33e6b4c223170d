/* OpenBLAS: which of its kernels runs, whether a faster one would, and
 * whether its products are right. */
#ifndef RDROP_BLAS_H
#define RDROP_BLAS_H
#include <stddef.h>

#include "rdrop/gemm.h"

/* One product C = op(A) op(B) (m x n, inner k) of random numbers through
 * products (NULL: cblas_sgemm) checked against a naive double-precision product on
 * `samples` random elements: the number that are wrong (off by more than
 * 1e-4 of the sum of their terms' magnitudes). Some OpenBLAS versions compute
 * wrong results on some CPUs; this is how rdrop finds out. */
int rd_gemm_check(const rd_products *products, int m, int n, int k, int ta, int tb, int samples);
/* Every product of the MLP 784-hidden-hidden-10 at this batch, forward and
 * backward, every transpose: the number of wrong ones; `first` (n bytes,
 * may be NULL) describes the first. */
int rd_gemm_check_mlp(const rd_products *products, int hidden, int batch, char *first, size_t n);

/* The OpenBLAS core in use and a warning when its kernels predate AVX2 on a
 * CPU that has AVX2 or AVX-512 (NULL when all is well). */
const char *rd_blas_core(void);
const char *rd_blas_warning(void);
/* A note when the CPU has AVX-512 but OpenBLAS runs an AVX2 kernel (the
 * environment may set OPENBLAS_CORETYPE on purpose: some OpenBLAS versions
 * compute wrong results on some CPUs, so rdrop only says so); NULL else. */
const char *rd_blas_faster_kernel(void);
const char *rd_blas_faster_kernel_for(const char *core, int has_avx512);
/* The same decision for a given core name and CPU features (testable). */
const char *rd_blas_warning_for(const char *core, int has_avx2, int has_avx512);

#endif
