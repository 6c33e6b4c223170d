/* Matrix products of the graph's ops. Each op computes its products through
 * rd_gemm(): one cblas_sgemm call, unless the graph has a products engine
 * (rd_graph.products), the hook through which the fast layer splits each
 * product across its threads and times it (rdrop/fast.h). */
#ifndef RDROP_GEMM_H
#define RDROP_GEMM_H
#include "rdrop/tensor.h"

/* One matrix product C (m x n) = op(A) op(B) + beta C, row-major, where op()
 * transposes when the flag is set; lda, ldb, ldc are the row strides. */
typedef struct {
    int trans_a, trans_b, m, n, k;
    const float *a;
    int lda;
    const float *b;
    int ldb;
    float beta;
    float *c;
    int ldc;
} rd_gemm_call;

/* Another way to compute products: gemm(ctx, call) computes call. */
typedef struct rd_products {
    void (*gemm)(void *ctx, const rd_gemm_call *call);
    void *ctx;
} rd_products;

/* One product, through g's products engine (NULL g, or none: cblas_sgemm). */
void rd_gemm(const rd_graph *g, const rd_gemm_call *call);

#endif
