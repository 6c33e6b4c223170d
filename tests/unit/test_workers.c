/* The thread team: ranges cover the work exactly once, every part runs once
 * per call, and an optimizer step shared by threads equals the step of one
 * thread bit for bit. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rdrop/optim.h"
#include "rdrop/workers.h"

Test(workers, split_range_covers_each_item_once) {
    static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 1000003};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int parts = 1; parts <= 5; parts++) {
            size_t n = sizes[s], next = 0;
            for (int p = 0; p < parts; p++) {
                size_t b, e;
                rd_split_range(n, p, parts, 16, &b, &e);
                cr_assert_eq(b, next, "n %zu, part %d of %d starts at %zu, not %zu", n, p, parts, b, next);
                cr_assert(e >= b && e <= n);
                cr_assert(b % 16 == 0 || b == n, "part %d starts at %zu: not aligned", p, b);
                next = e;
            }
            cr_assert_eq(next, n, "n %zu in %d parts: covered up to %zu", n, parts, next);
        }
}

typedef struct {
    atomic_int calls[4];
    atomic_int parts_seen;
} count_task;

static void count_part(void *arg, int part, int n_parts) {
    count_task *c = arg;
    atomic_fetch_add(&c->calls[part], 1);
    atomic_store(&c->parts_seen, n_parts); /* every part stores the same value */
}

Test(workers, every_part_runs_once_per_call) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    for (int asked = 1; asked <= 3; asked++) {
        rd_workers *w = rd_workers_new(asked);
        int threads = asked < cpus ? asked : (int)cpus; /* capped at the processors */
        cr_assert_eq(rd_workers_count(w), threads);
        count_task c;
        memset(&c, 0, sizeof c);
        for (int run = 0; run < 200; run++) {
            rd_workers_run(w, count_part, &c);
            if (run == 100) nanosleep(&(struct timespec){0, 20000000}, NULL); /* helpers fall asleep */
        }
        cr_expect_eq(atomic_load(&c.parts_seen), threads);
        for (int p = 0; p < threads; p++) cr_expect_eq(atomic_load(&c.calls[p]), 200, "part %d", p);
        for (int p = threads; p < 4; p++) cr_expect_eq(atomic_load(&c.calls[p]), 0);
        rd_workers_free(w);
    }
}

/* Three Adam steps on 100,003 parameters, alone and with a team of 2. */
Test(workers, shared_optimizer_step_is_bit_identical) {
    enum { N = 100003 };
    float *p1 = malloc(N * sizeof(float)), *p2 = malloc(N * sizeof(float));
    float *g1 = malloc(N * sizeof(float)), *g2 = malloc(N * sizeof(float));
    rd_optim a, b;
    rd_optim_init(&a, RD_OPT_ADAMW, N);
    rd_optim_init(&b, RD_OPT_ADAMW, N);
    a.weight_decay = b.weight_decay = 0.01f;
    rd_workers *w = rd_workers_new(2);
    b.workers = w;
    for (int i = 0; i < N; i++) p1[i] = p2[i] = 0.001f * (float)(i % 1000) - 0.5f;
    for (int step = 0; step < 3; step++) {
        for (int i = 0; i < N; i++) g1[i] = g2[i] = 0.01f * (float)((i * 7 + step) % 23) - 0.1f;
        rd_optim_step_zero(&a, p1, g1, 1e-3f);
        rd_optim_step_zero(&b, p2, g2, 1e-3f);
    }
    cr_expect_eq(memcmp(p1, p2, N * sizeof(float)), 0, "parameters differ");
    cr_expect_eq(memcmp(a.m, b.m, N * sizeof(float)), 0, "first moments differ");
    cr_expect_eq(memcmp(a.v, b.v, N * sizeof(float)), 0, "second moments differ");
    for (int i = 0; i < N; i++) cr_assert_eq(g2[i], 0.0f, "gradient %d not zeroed", i);
    rd_workers_free(w);
    rd_optim_free(&a);
    rd_optim_free(&b);
    free(p1);
    free(p2);
    free(g1);
    free(g2);
}
