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
