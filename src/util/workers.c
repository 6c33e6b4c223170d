/* The helper threads of rd_workers. A run publishes the task and bumps a
 * generation number; each helper runs its part and counts itself done.
 * Between runs a helper spins for a short while before it sleeps on a
 * condition variable: a training step hands out work every few hundred
 * microseconds, and waking a sleeping thread costs tens of them. */
#include "rdrop/workers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "rdrop/error.h"

enum { SPIN = 1 << 17 }; /* polls before sleeping: on the order of a millisecond */

struct rd_workers {
    int n;                 /* threads, the caller included */
    pthread_t *threads;
    pthread_mutex_t lock;
    pthread_cond_t start, done;
    atomic_ulong generation; /* bumped by each run */
    atomic_int pending;      /* helpers still running this generation */
    atomic_int sleepers;     /* helpers waiting on `start` */
    atomic_int quit;
    rd_task_fn fn;
    void *arg;
    unsigned csr;          /* the caller's floating-point mode (flush-to-zero) */
};

typedef struct {
    rd_workers *w;
    int part;
} helper_arg;

static void pause_cpu(void) {
#if defined(__SSE__)
    _mm_pause();
#endif
}

/* Waits until generation != seen (or quit) and returns the new generation. */
static unsigned long wait_for_work(rd_workers *w, unsigned long seen) {
    for (int i = 0; i < SPIN; i++) {
        unsigned long g = atomic_load_explicit(&w->generation, memory_order_acquire);
        if (g != seen || atomic_load(&w->quit)) return g;
        pause_cpu();
    }
    pthread_mutex_lock(&w->lock);
    atomic_fetch_add(&w->sleepers, 1);
    unsigned long g;
    while ((g = atomic_load(&w->generation)) == seen && !atomic_load(&w->quit))
        pthread_cond_wait(&w->start, &w->lock);
    atomic_fetch_sub(&w->sleepers, 1);
    pthread_mutex_unlock(&w->lock);
    return g;
}

static void *helper(void *p) {
    helper_arg *h = p;
    rd_workers *w = h->w;
    unsigned long seen = 0;
    for (;;) {
        seen = wait_for_work(w, seen);
        if (atomic_load(&w->quit)) break;
#if defined(__SSE__)
        _mm_setcsr(w->csr); /* the same denormal handling as the caller */
#endif
        w->fn(w->arg, h->part, w->n);
        if (atomic_fetch_sub_explicit(&w->pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&w->lock); /* the caller may be asleep on `done` */
            pthread_cond_signal(&w->done);
            pthread_mutex_unlock(&w->lock);
        }
    }
    free(h);
    return NULL;
}

int rd_workers_size(int n_threads) {
    /* More threads than processors would only take turns (and spin while
     * waiting for each other): at most one per online processor. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus >= 1 && n_threads > cpus) n_threads = (int)cpus;
    return n_threads > 1 ? n_threads : 1;
}

rd_workers *rd_workers_new(int n_threads) {
    n_threads = rd_workers_size(n_threads);
    if (n_threads <= 1) return NULL;
    rd_workers *w = rd_calloc(1, sizeof *w);
    w->n = n_threads;
    w->threads = rd_calloc((size_t)n_threads, sizeof *w->threads);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->start, NULL);
    pthread_cond_init(&w->done, NULL);
    for (int i = 1; i < n_threads; i++) {
        helper_arg *h = rd_malloc(1, sizeof *h);
        *h = (helper_arg){w, i};
        if (pthread_create(&w->threads[i], NULL, helper, h) != 0) {
            /* No thread: run with the ones that started (parts are per thread). */
            free(h);
            w->n = i;
            break;
        }
    }
    if (w->n == 1) {
        rd_workers_free(w);
        return NULL;
    }
    return w;
}

int rd_workers_count(const rd_workers *w) { return w ? w->n : 1; }

void rd_workers_run(rd_workers *w, rd_task_fn fn, void *arg) {
    if (!w) {
        fn(arg, 0, 1);
        return;
    }
    w->fn = fn;
    w->arg = arg;
#if defined(__SSE__)
    w->csr = _mm_getcsr();
#endif
    atomic_store(&w->pending, w->n - 1);
    /* Sequentially consistent, like the helper's `sleepers` increment and its
     * generation check: then a helper that is going to sleep either sees the
     * new generation or is counted in `sleepers` here, never neither. The
     * helpers see fn, arg and csr once they see the generation. */
    atomic_fetch_add(&w->generation, 1);
    if (atomic_load(&w->sleepers) > 0) {
        pthread_mutex_lock(&w->lock);
        pthread_cond_broadcast(&w->start);
        pthread_mutex_unlock(&w->lock);
    }
    fn(arg, 0, w->n);
    for (int i = 0; i < SPIN && atomic_load_explicit(&w->pending, memory_order_acquire) > 0; i++)
        pause_cpu();
    if (atomic_load_explicit(&w->pending, memory_order_acquire) > 0) {
        pthread_mutex_lock(&w->lock);
        while (atomic_load(&w->pending) > 0) pthread_cond_wait(&w->done, &w->lock);
        pthread_mutex_unlock(&w->lock);
    }
}

void rd_workers_free(rd_workers *w) {
    if (!w) return;
    pthread_mutex_lock(&w->lock);
    atomic_store(&w->quit, 1);
    pthread_cond_broadcast(&w->start);
    pthread_mutex_unlock(&w->lock);
    for (int i = 1; i < w->n; i++) pthread_join(w->threads[i], NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->start);
    pthread_cond_destroy(&w->done);
    free(w->threads);
    free(w);
}

void rd_split_range(size_t n, int part, int n_parts, size_t align, size_t *begin, size_t *end) {
    size_t chunk = (n + (size_t)n_parts - 1) / (size_t)n_parts;
    chunk = (chunk + align - 1) / align * align;
    size_t b = chunk * (size_t)part, e = b + chunk;
    *begin = b < n ? b : n;
    *end = e < n ? e : n;
}
