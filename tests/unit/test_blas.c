/* OpenBLAS has shipped broken sgemm kernels for some CPUs: cblas_sgemm
 * against a naive dot product (double accumulation), through rd_gemm_check,
 * for every transpose variant and every shape rdrop's 784-1024-1024-10 MLP
 * uses at batch 128 and 256, plus odd sizes; and the checker itself must
 * catch a wrong product. Large products are checked on 2,000 random output
 * elements each, which keeps the suite fast. */
#include <cblas.h>
#include <criterion/criterion.h>
#include <string.h>

#include "rdrop/blas.h"

TestSuite(blas);

Test(blas, mlp_shapes_batch_128) {
    char first[200];
    cr_expect_eq(rd_gemm_check_mlp(NULL, 1024, 128, first, sizeof first), 0, "%s", first);
}
Test(blas, mlp_shapes_batch_256) {
    char first[200];
    cr_expect_eq(rd_gemm_check_mlp(NULL, 1024, 256, first, sizeof first), 0, "%s", first);
}

static void all_variants(int m, int n, int k) {
    for (int v = 0; v < 4; v++)
        cr_expect_eq(rd_gemm_check(NULL, m, n, k, v & 1, v >> 1, 2000), 0, "%dx%dx%d variant %d", m, n, k, v);
}

Test(blas, odd_sizes) {
    all_variants(1, 1, 1);
    all_variants(3, 7, 5);
    all_variants(17, 33, 17);
    all_variants(33, 17, 33);
    all_variants(1, 1000, 3);
    all_variants(1000, 1, 3);
}

/* A kernel that gets one element wrong, and one that drops the last term of
 * every dot product: the checker must see both. */
static void off_by_one_element(void *ctx, const rd_gemm_call *c) {
    (void)ctx;
    cblas_sgemm(CblasRowMajor, c->trans_a ? CblasTrans : CblasNoTrans, c->trans_b ? CblasTrans : CblasNoTrans, c->m,
                c->n, c->k, 1.0f, c->a, c->lda, c->b, c->ldb, c->beta, c->c, c->ldc);
    c->c[0] += 0.5f;
}
static void short_inner(void *ctx, const rd_gemm_call *c) {
    (void)ctx;
    cblas_sgemm(CblasRowMajor, c->trans_a ? CblasTrans : CblasNoTrans, c->trans_b ? CblasTrans : CblasNoTrans, c->m,
                c->n, c->k - 1, 1.0f, c->a, c->lda, c->b, c->ldb, c->beta, c->c, c->ldc);
}

Test(blas, the_check_catches_wrong_products) {
    const rd_products off_by_one = {off_by_one_element, NULL}, short_sum = {short_inner, NULL};
    cr_expect_eq(rd_gemm_check(&off_by_one, 4, 5, 6, 0, 0, 2000), 1);
    int bad = rd_gemm_check(&short_sum, 20, 30, 40, 0, 0, 2000);
    cr_expect(bad > 500 && bad <= 600, "%d of 600 caught (a dropped term can be tinier than the tolerance)", bad);
    char first[200];
    cr_expect(rd_gemm_check_mlp(&short_sum, 64, 32, first, sizeof first) > 0);
    cr_expect(strstr(first, "sampled elements wrong"), "%s", first);
}

/* One product by hand: [1 2; 3 4] [5 6; 7 8] = [19 22; 43 50]. */
Test(blas, two_by_two) {
    float a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, c[4];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2);
    const float want[] = {19, 22, 43, 50};
    for (int i = 0; i < 4; i++) cr_expect_eq(c[i], want[i]);
}
