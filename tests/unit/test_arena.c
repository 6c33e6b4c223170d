/* The arena: alignment, reset, growth, and no growth over a training loop. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "rdrop/arena.h"
#include "rdrop/loss.h"
#include "rdrop/nn.h"

TestSuite(arena);

Test(arena, allocations_are_64_byte_aligned) {
    rd_arena a;
    rd_arena_init(&a, 4096);
    size_t sizes[] = {1, 3, 64, 65, 100, 7, 4000, 1}; /* the 4000 forces a second block */
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = rd_arena_alloc(&a, sizes[i]);
        cr_expect_eq((uintptr_t)p % 64, 0, "allocation %zu of %zu bytes at %p", i, sizes[i], p);
        memset(p, 0xab, sizes[i]); /* writable (valgrind/ASan would complain otherwise) */
    }
    rd_arena_free(&a);
}

Test(arena, reset_reuses_the_same_memory) {
    rd_arena a;
    rd_arena_init(&a, 4096);
    char *p = rd_arena_alloc(&a, 100), *q = rd_arena_alloc(&a, 100);
    cr_expect_eq(q - p, 128, "100 bytes round up to 128");
    cr_expect_eq(a.used_total, 256);
    rd_arena_reset(&a);
    cr_expect_eq(a.used_total, 0);
    cr_expect_eq(rd_arena_alloc(&a, 100), p, "after reset the first allocation starts over");
    cr_expect_eq(a.n_mallocs, 1);
    rd_arena_free(&a);
}

Test(arena, calloc_zeroes_reused_memory) {
    rd_arena a;
    rd_arena_init(&a, 4096);
    memset(rd_arena_alloc(&a, 256), 0xff, 256);
    rd_arena_reset(&a);
    unsigned char *z = rd_arena_calloc(&a, 256);
    for (int i = 0; i < 256; i++) cr_expect_eq(z[i], 0, "byte %d", i);
    rd_arena_free(&a);
}

/* A step bigger than the block chains a second block; reset then replaces
 * both with one block of the step's size, and the same step fits in it. */
Test(arena, grows_once_then_holds_a_whole_step) {
    rd_arena a;
    rd_arena_init(&a, 1024);
    for (int i = 0; i < 10; i++) rd_arena_alloc(&a, 300); /* 10 x 320 bytes: 1024, 2048, 4096 */
    cr_expect_eq(a.n_mallocs, 3);
    cr_expect_eq(a.high_water, 3200);
    rd_arena_reset(&a);
    cr_expect_eq(a.capacity, 3200);
    size_t mallocs = a.n_mallocs;
    for (int step = 0; step < 5; step++) {
        for (int i = 0; i < 10; i++) rd_arena_alloc(&a, 300);
        rd_arena_reset(&a);
    }
    cr_expect_eq(a.n_mallocs, mallocs);
    cr_expect_eq(a.capacity, 3200);
    rd_arena_free(&a);
}

/* 1,000 identical R-Drop training steps of a 20-32-32-4 MLP (dropout 0.3):
 * forward with copies = 2, the objective, backward, a hand-written SGD
 * update and a graph reset. The arena must reach its size in step 1.
 * The batch is large enough that step 1 outgrows the graph's initial 1 MiB. */
Test(arena, no_growth_over_1000_training_steps) {
    enum { B = 1024, IN = 20, CLASSES = 4 };
    rd_rng rng;
    rd_rng_seed(&rng, 42);
    int hidden[] = {32, 32};
    rd_mlp m;
    cr_assert_eq(rd_mlp_init(&m, IN, hidden, 2, CLASSES, RD_ACT_RELU, 0.3f, RD_INIT_KAIMING, &rng, NULL), RD_OK);
    static float x[B * IN];
    static int labels[B];
    for (int i = 0; i < B * IN; i++) x[i] = (float)rd_rng_normal(&rng);
    for (int i = 0; i < B; i++) labels[i] = (int)rd_rng_below(&rng, CLASSES);

    rd_graph g;
    rd_graph_init(&g);
    size_t cap1 = 0, mallocs1 = 0;
    double first_loss = 0, last_loss = 0;
    for (int step = 1; step <= 1000; step++) {
        rd_mlp_zero_grad(&m);
        rd_tensor *logits = rd_mlp_forward(&m, &g, rd_input(&g, B, IN, x), 2, &rng);
        rd_rdrop_terms t = rd_rdrop_objective(&g, logits, labels, 1.0f);
        rd_backward(&g, t.loss);
        for (size_t i = 0; i < m.n_params; i++) m.params[i] -= 0.05f * m.grads[i];
        last_loss = rd_scalar(t.loss);
        if (step == 1) first_loss = last_loss;
        rd_graph_reset(&g);
        if (step == 1) {
            cap1 = g.arena.capacity;
            mallocs1 = g.arena.n_mallocs;
        }
    }
    cr_expect(mallocs1 > 1, "step 1 did not outgrow the initial block: the test covers nothing");
    cr_expect_eq(g.arena.capacity, cap1, "capacity %zu after step 1, %zu after 1000", cap1,
                 g.arena.capacity);
    cr_expect_eq(g.arena.n_mallocs, mallocs1);
    cr_expect(last_loss < first_loss, "the loop did not train: %g -> %g", first_loss, last_loss);
    rd_graph_free(&g);
    rd_mlp_free(&m);
}
