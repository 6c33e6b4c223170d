/* OpenBLAS has shipped broken sgemm kernels for some CPUs: check cblas_sgemm
 * against a naive dot product (double accumulation) for every transpose
 * variant and every shape rdrop's 784-1024-1024-10 MLP uses at batch 128 and
 * 256, plus odd sizes. Large products are checked on 2,000 random output
 * elements each, which keeps the suite fast. */
#include <cblas.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "rdrop/rng.h"

TestSuite(blas);

enum { SAMPLES = 2000 };

/* C (m x n) = op(A) op(B), with op(A) m x k and op(B) k x n, all row-major. */
static void check_gemm(int m, int n, int k, int ta, int tb) {
    rd_rng r;
    rd_rng_seed(&r, (uint64_t)m * 1000003u + (uint64_t)n * 1009u + (uint64_t)k * 4 + ta * 2 + tb);
    float *a = malloc((size_t)m * k * sizeof(float)), *b = malloc((size_t)k * n * sizeof(float));
    float *c = malloc((size_t)m * n * sizeof(float));
    for (size_t i = 0; i < (size_t)m * k; i++) a[i] = 2.0f * rd_rng_uniform(&r) - 1.0f;
    for (size_t i = 0; i < (size_t)k * n; i++) b[i] = 2.0f * rd_rng_uniform(&r) - 1.0f;
    int lda = ta ? m : k, ldb = tb ? k : n; /* A stored k x m when transposed, B n x k */
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k,
                1.0f, a, lda, b, ldb, 0.0f, c, n);
    size_t total = (size_t)m * n, checks = total < SAMPLES ? total : SAMPLES, bad = 0;
    for (size_t s = 0; s < checks; s++) {
        size_t idx = total <= SAMPLES ? s : (size_t)rd_rng_below(&r, (uint32_t)total);
        int i = (int)(idx / n), j = (int)(idx % n);
        double dot = 0, scale = 0;
        for (int l = 0; l < k; l++) {
            double x = ta ? a[(size_t)l * m + i] : a[(size_t)i * k + l];
            double y = tb ? b[(size_t)j * k + l] : b[(size_t)l * n + j];
            dot += x * y;
            scale += fabs(x * y);
        }
        if (fabs(c[idx] - dot) > 1e-4 * scale + 1e-30 && bad++ < 5)
            cr_expect_fail("%dx%dx%d %c%c: C[%d,%d] = %.8g, naive %.8g", m, n, k, ta ? 'T' : 'N',
                           tb ? 'T' : 'N', i, j, c[idx], dot);
    }
    cr_expect_eq(bad, 0, "%dx%dx%d %c%c: %zu of %zu elements wrong", m, n, k, ta ? 'T' : 'N',
                 tb ? 'T' : 'N', bad, checks);
    free(a);
    free(b);
    free(c);
}

static void all_variants(int m, int n, int k) {
    for (int v = 0; v < 4; v++) check_gemm(m, n, k, v & 1, v >> 1);
}

/* Layers (in, out) of the MLP; for each, at batch B:
 *   forward  Y  = X W      B x out,  k = in
 *   backward dX = dY W^T   B x in,   k = out
 *   backward dW = X^T dY   in x out, k = B */
static void mlp_shapes(int batch) {
    const int layers[3][2] = {{784, 1024}, {1024, 1024}, {1024, 10}};
    for (int l = 0; l < 3; l++) {
        int in = layers[l][0], out = layers[l][1];
        all_variants(batch, out, in);
        all_variants(batch, in, out);
        all_variants(in, out, batch);
    }
}

Test(blas, mlp_shapes_batch_128) { mlp_shapes(128); }
Test(blas, mlp_shapes_batch_256) { mlp_shapes(256); }

Test(blas, odd_sizes) {
    all_variants(1, 1, 1);
    all_variants(3, 7, 5);
    all_variants(17, 33, 17);
    all_variants(33, 17, 33);
    all_variants(1, 1000, 3);
    all_variants(1000, 1, 3);
}

/* One product by hand: [1 2; 3 4] [5 6; 7 8] = [19 22; 43 50]. */
Test(blas, two_by_two) {
    float a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, c[4];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2);
    const float want[] = {19, 22, 43, 50};
    for (int i = 0; i < 4; i++) cr_expect_eq(c[i], want[i]);
}
