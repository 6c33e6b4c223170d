/* Checking matrix products against a naive double-precision product: some
 * OpenBLAS versions have shipped sgemm kernels that compute wrong results on
 * some CPUs, so a kernel is trusted only after it passes on the shapes rdrop
 * uses (the tests do it; `rdrop bench` does it before timing a kernel). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rdrop/blas.h"
#include "rdrop/error.h"
#include "rdrop/rng.h"

int rd_gemm_check(const rd_products *products, int m, int n, int k, int ta, int tb, int samples) {
    rd_rng r;
    rd_rng_seed(&r, (uint64_t)m * 1000003u + (uint64_t)n * 1009u + (uint64_t)k * 4 + (uint64_t)(ta * 2 + tb));
    float *a = rd_malloc((size_t)m * k, sizeof(float)), *b = rd_malloc((size_t)k * n, sizeof(float));
    float *c = rd_malloc((size_t)m * n, sizeof(float));
    for (size_t i = 0; i < (size_t)m * k; i++) a[i] = 2.0f * rd_rng_uniform(&r) - 1.0f;
    for (size_t i = 0; i < (size_t)k * n; i++) b[i] = 2.0f * rd_rng_uniform(&r) - 1.0f;
    /* A is stored k x m when transposed, B n x k */
    rd_gemm_call call = {ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, 0.0f, c, n};
    rd_graph plain = {0}; /* no arena needed: rd_gemm only reads its products */
    plain.products = products;
    rd_gemm(&plain, &call);
    size_t total = (size_t)m * n, checks = total < (size_t)samples ? total : (size_t)samples;
    int bad = 0;
    for (size_t s = 0; s < checks; s++) {
        size_t idx = total <= (size_t)samples ? s : (size_t)rd_rng_below(&r, (uint32_t)total);
        int i = (int)(idx / n), j = (int)(idx % n);
        double dot = 0, scale = 0;
        for (int l = 0; l < k; l++) {
            double x = ta ? a[(size_t)l * m + i] : a[(size_t)i * k + l];
            double y = tb ? b[(size_t)j * k + l] : b[(size_t)l * n + j];
            dot += x * y;
            scale += fabs(x * y);
        }
        /* float products of k terms: far inside 1e-4 of the magnitudes */
        bad += !(fabs(c[idx] - dot) <= 1e-4 * scale + 1e-30);
    }
    free(a);
    free(b);
    free(c);
    return bad;
}

int rd_gemm_check_mlp(const rd_products *products, int hidden, int batch, char *first, size_t n) {
    /* layers (in, out); per layer at batch B: forward Y = X W (B x out, k =
     * in), backward dX = dY W^T (B x in, k = out), dW = X^T dY (in x out, k = B) */
    const int layers[3][2] = {{784, hidden}, {hidden, hidden}, {hidden, 10}};
    int wrong = 0;
    if (first && n) first[0] = 0;
    for (int l = 0; l < 3; l++) {
        int in = layers[l][0], out = layers[l][1], shapes[3][3] = {{batch, out, in}, {batch, in, out}, {in, out, batch}};
        for (int s = 0; s < 3; s++)
            for (int v = 0; v < 4; v++) {
                int bad = rd_gemm_check(products, shapes[s][0], shapes[s][1], shapes[s][2], v & 1, v >> 1, 2000);
                if (bad && !wrong++ && first)
                    snprintf(first, n, "%dx%dx%d %c%c: %d of 2000 sampled elements wrong", shapes[s][0],
                             shapes[s][1], shapes[s][2], v & 1 ? 'T' : 'N', v >> 1 ? 'T' : 'N', bad);
            }
    }
    return wrong;
}
