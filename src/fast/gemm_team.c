/* Products split across a team of threads, and timed. A large product is cut
 * into bands, one per thread, each one single-threaded cblas_sgemm (no
 * second pool of threads, OpenBLAS's, competes for the cores); the band goes
 * across the larger of m and n, so the operand every thread reads whole
 * (and packs) is the smaller one. */
#include <cblas.h>
#include <stdlib.h>

#include "rdrop/clock.h"
#include "rdrop/error.h"
#include "fast/fast_state.h"

#ifndef RD_TEAM_MIN_MACS
#define RD_TEAM_MIN_MACS 1e6 /* multiply-adds below which one thread does a product */
#endif


rd_fast *rd_fast_new(int threads) {
    rd_fast *f = rd_calloc(1, sizeof *f);
    f->team = rd_workers_new(threads);
    return f;
}

void rd_fast_free(rd_fast *f) {
    if (!f) return;
    rd_workers_free(f->team);
    free(f);
}

rd_workers *rd_fast_team(const rd_fast *f) { return f ? f->team : NULL; }
double rd_fast_gemm_seconds(const rd_fast *f) { return f->gemm_seconds; }
void rd_fast_step_begin(rd_fast *f) { f->n_gemm = 0; }

int rd_fast_gemm_log(const rd_fast *f, rd_gemm_shape *out) {
    int n = f->n_gemm < RD_GEMM_LOG ? f->n_gemm : RD_GEMM_LOG;
    for (int i = 0; i < n; i++) out[i] = f->log[i];
    return f->n_gemm;
}

typedef struct {
    const rd_gemm_call *c;
    int split_cols;
} band_task;

/* Part `part` of C: a band of columns (then it reads all of op(A) and its
 * columns of op(B)) or of rows (all of op(B), its rows of op(A)). */
static void band(void *arg, int part, int n_parts) {
    const band_task *t = arg;
    const rd_gemm_call *p = t->c;
    size_t lo, hi;
    rd_split_range((size_t)(t->split_cols ? p->n : p->m), part, n_parts, 16, &lo, &hi);
    if (hi <= lo) return;
    const float *a = p->a, *b = p->b;
    float *c = p->c;
    int m = p->m, n = p->n;
    if (t->split_cols) {
        b += p->trans_b ? lo * (size_t)p->ldb : lo;
        c += lo;
        n = (int)(hi - lo);
    } else {
        a += p->trans_a ? lo : lo * (size_t)p->lda;
        c += lo * (size_t)p->ldc;
        m = (int)(hi - lo);
    }
    cblas_sgemm(CblasRowMajor, p->trans_a ? CblasTrans : CblasNoTrans, p->trans_b ? CblasTrans : CblasNoTrans, m,
                n, p->k, 1.0f, a, p->lda, b, p->ldb, p->beta, c, p->ldc);
}

static void team_gemm(void *ctx, const rd_gemm_call *c) {
    rd_fast *f = ctx;
    if (f->n_gemm < RD_GEMM_LOG) f->log[f->n_gemm] = (rd_gemm_shape){c->trans_a, c->trans_b, c->m, c->n, c->k};
    f->n_gemm++;
    double t0 = rd_now();
    band_task t = {c, c->n >= c->m};
    int threads = rd_workers_count(f->team);
    double macs = (double)c->m * c->n * c->k;
    /* small products are not worth waking the team for */
    if (threads > 1 && macs >= RD_TEAM_MIN_MACS && (c->n >= c->m ? c->n : c->m) >= 32 * threads)
        rd_workers_run(f->team, band, &t);
    else
        band(&t, 0, 1);
    f->gemm_seconds += rd_now() - t0;
}

void rd_fast_attach(rd_fast *f, rd_graph *g) {
    f->products = (rd_products){team_gemm, f};
    g->products = &f->products;
}
