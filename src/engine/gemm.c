/* A product through the graph's products engine, or one cblas_sgemm. */
#include <cblas.h>

#include "rdrop/gemm.h"

void rd_gemm(const rd_graph *g, const rd_gemm_call *p) {
    if (g && g->products) {
        g->products->gemm(g->products->ctx, p);
        return;
    }
    cblas_sgemm(CblasRowMajor, p->trans_a ? CblasTrans : CblasNoTrans, p->trans_b ? CblasTrans : CblasNoTrans,
                p->m, p->n, p->k, 1.0f, p->a, p->lda, p->b, p->ldb, p->beta, p->c, p->ldc);
}
