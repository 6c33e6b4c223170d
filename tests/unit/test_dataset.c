/* Dataset rows/labels/statistics, split and subset, and the batch iterator. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "rdrop/data.h"

/* n samples of 2 pixels; sample i has pixels (i % 256, 255) and label i % 10. */
static rd_dataset make(int n) {
    rd_dataset d = {.n = n, .rows = 1, .cols = 2, .dim = 2, .mean = 0.0f, .std = 1.0f};
    d.pixels = rd_malloc((size_t)n, 2);
    d.labels = rd_malloc((size_t)n, 1);
    for (int i = 0; i < n; i++) {
        d.pixels[2 * i] = (uint8_t)(i % 256);
        d.pixels[2 * i + 1] = 255;
        d.labels[i] = (uint8_t)(i % 10);
    }
    return d;
}

/* The sample's original index, recovered from its first pixel (n <= 256). */
static int id_of(const rd_dataset *d, int i) { return d->pixels[2 * i]; }

Test(dataset, rows_scale_and_normalize) {
    rd_dataset d = make(4);
    int idx[2] = {3, 0};
    float out[4];
    int lab[2];
    rd_dataset_rows(&d, idx, 2, out);
    cr_assert_float_eq(out[0], 3.0f / 255.0f, 1e-7);
    cr_assert_float_eq(out[1], 1.0f, 1e-7);
    cr_assert_float_eq(out[2], 0.0f, 1e-7);
    rd_dataset_labels(&d, idx, 2, lab);
    cr_assert_eq(lab[0], 3);
    cr_assert_eq(lab[1], 0);
    rd_dataset_set_normalization(&d, 0.5f, 0.25f);
    rd_dataset_rows(&d, idx, 2, out);
    cr_assert_float_eq(out[1], 2.0f, 1e-6);  /* (1 - 0.5) / 0.25 */
    cr_assert_float_eq(out[2], -2.0f, 1e-6); /* (0 - 0.5) / 0.25 */
    rd_dataset_set_normalization(&d, 0.0f, 0.0f); /* degenerate std becomes 1 */
    cr_assert_float_eq(d.std, 1.0f, 1e-9);
    rd_dataset_free(&d);
}

Test(dataset, compute_stats) {
    rd_dataset d = make(2); /* pixels 0, 255, 1, 255 */
    float mean, std;
    rd_dataset_compute_stats(&d, &mean, &std);
    double x[4] = {0, 1, 1 / 255.0, 1}, m = 0, v = 0;
    for (int i = 0; i < 4; i++) m += x[i] / 4;
    for (int i = 0; i < 4; i++) v += (x[i] - m) * (x[i] - m) / 4;
    cr_assert_float_eq(mean, m, 1e-6);
    cr_assert_float_eq(std, sqrt(v), 1e-6);
    rd_dataset_free(&d);
}

Test(dataset, split_sizes_disjoint_and_seeded) {
    rd_dataset a = make(100), b = make(100), va, vb;
    rd_rng r1, r2;
    rd_error err = {0};
    rd_rng_seed(&r1, 7);
    rd_rng_seed(&r2, 7);
    cr_assert_eq(rd_dataset_split(&a, 30, &r1, &va, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_dataset_split(&b, 30, &r2, &vb, &err), RD_OK);
    cr_assert_eq(a.n, 70);
    cr_assert_eq(va.n, 30);
    int seen[100] = {0};
    for (int i = 0; i < a.n; i++) seen[id_of(&a, i)]++;
    for (int i = 0; i < va.n; i++) seen[id_of(&va, i)]++;
    for (int i = 0; i < 100; i++) cr_assert_eq(seen[i], 1, "sample %d seen %d times", i, seen[i]);
    for (int i = 0; i < va.n; i++) {
        cr_assert_eq(va.labels[i], id_of(&va, i) % 10, "labels travel with their images");
        if (i) cr_assert_gt(id_of(&va, i), id_of(&va, i - 1), "original order kept");
    }
    cr_assert_eq(memcmp(va.pixels, vb.pixels, 60), 0, "same seed, same split");
    cr_assert_neq(id_of(&va, 0), 70, "shuffled first, not just the last 30");
    rd_dataset_free(&a), rd_dataset_free(&b), rd_dataset_free(&va), rd_dataset_free(&vb);
}

Test(dataset, split_rejects_bad_sizes) {
    rd_dataset d = make(10), v;
    rd_rng r;
    rd_error err = {0};
    rd_rng_seed(&r, 1);
    cr_assert_eq(rd_dataset_split(&d, 10, &r, &v, &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "validation size 10 must be between 1 and 9"), "%s", err.msg);
    cr_assert_eq(rd_dataset_split(&d, 0, &r, &v, &err), RD_ERR_USAGE);
    cr_assert_eq(d.n, 10);
    rd_dataset_free(&d);
}

Test(dataset, subset_first_and_random) {
    rd_dataset d = make(50), e = make(50);
    rd_rng r;
    rd_error err = {0};
    rd_rng_seed(&r, 3);
    cr_assert_eq(rd_dataset_subset(&d, 20, 0, NULL, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(d.n, 20);
    for (int i = 0; i < 20; i++) cr_assert_eq(id_of(&d, i), i);
    cr_assert_eq(rd_dataset_subset(&e, 20, 1, &r, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(e.n, 20);
    int consecutive = 1;
    for (int i = 1; i < 20; i++) {
        cr_assert_gt(id_of(&e, i), id_of(&e, i - 1), "distinct, in original order");
        consecutive &= id_of(&e, i) == i;
    }
    cr_assert(!consecutive, "a random subset is not the first 20");
    cr_assert_eq(rd_dataset_subset(&e, 21, 0, NULL, &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, "subset size 21 must be between 1 and 20"), "%s", err.msg);
    cr_assert_eq(rd_dataset_subset(&e, 5, 1, NULL, &err), RD_ERR_USAGE);
    rd_dataset_free(&d), rd_dataset_free(&e);
}

/* Runs one epoch and checks every sample is visited exactly once (or, with
 * drop_last, all but the n % batch leftover). Writes the visit order. */
static void epoch(rd_batcher *b, int *visit_order) {
    int *count = calloc((size_t)b->n, sizeof *count), total = 0, batches = 0, k;
    const int *idx;
    while ((k = rd_batcher_next(b, &idx)) > 0) {
        cr_assert(k == b->batch_size || (!b->drop_last && k == b->n % b->batch_size));
        for (int i = 0; i < k; i++) {
            count[idx[i]]++;
            visit_order[total++] = idx[i];
        }
        batches++;
    }
    cr_assert_eq(batches, rd_batcher_batches(b));
    cr_assert_eq(rd_batcher_next(b, &idx), 0, "stays at the end");
    int expect = b->drop_last ? b->n - b->n % b->batch_size : b->n;
    cr_assert_eq(total, expect);
    for (int i = 0; i < b->n; i++) cr_assert_leq(count[i], 1, "sample %d twice", i);
    free(count);
}

Test(dataset, batcher_visits_each_sample_once) {
    int order[103];
    for (int drop = 0; drop <= 1; drop++) {
        rd_batcher b;
        rd_rng r;
        rd_rng_seed(&r, 42);
        rd_batcher_init(&b, 103, 10, drop);
        cr_assert_eq(rd_batcher_batches(&b), drop ? 10 : 11);
        epoch(&b, order); /* unshuffled */
        for (int i = 0; i < 100; i++) cr_assert_eq(order[i], i);
        for (int e = 0; e < 3; e++) {
            rd_batcher_shuffle(&b, &r);
            epoch(&b, order);
        }
        rd_batcher_free(&b);
    }
}

Test(dataset, batcher_seeded_order) {
    int o1[64], o2[64], o3[64];
    rd_batcher b;
    rd_rng r1, r2, r3;
    rd_rng_seed(&r1, 1), rd_rng_seed(&r2, 1), rd_rng_seed(&r3, 2);
    rd_batcher_init(&b, 64, 8, 0);
    rd_batcher_shuffle(&b, &r1), epoch(&b, o1);
    rd_batcher_shuffle(&b, &r2), epoch(&b, o2); /* same rng state, previous order differs */
    rd_batcher_shuffle(&b, &r3), epoch(&b, o3);
    cr_assert_eq(memcmp(o1, o2, sizeof o1), 0, "same seed, same order");
    cr_assert_neq(memcmp(o1, o3, sizeof o1), 0, "two seeds, two orders");
    rd_batcher_shuffle(&b, &r1), epoch(&b, o2);
    cr_assert_neq(memcmp(o1, o2, sizeof o1), 0, "next epoch, new order");
    rd_batcher_free(&b);
}

Test(dataset, batcher_resume_from_order_and_pos) {
    rd_batcher a, b;
    rd_rng r;
    rd_rng_seed(&r, 9);
    rd_batcher_init(&a, 50, 7, 0);
    rd_batcher_shuffle(&a, &r);
    const int *ia, *ib;
    rd_batcher_next(&a, &ia), rd_batcher_next(&a, &ia);
    rd_batcher_init(&b, 50, 7, 0); /* "restore": copy order and pos */
    memcpy(b.order, a.order, 50 * sizeof *b.order);
    b.pos = a.pos;
    int ka, kb;
    while ((ka = rd_batcher_next(&a, &ia)) > 0) {
        kb = rd_batcher_next(&b, &ib);
        cr_assert_eq(ka, kb);
        cr_assert_eq(memcmp(ia, ib, (size_t)ka * sizeof *ia), 0);
    }
    cr_assert_eq(rd_batcher_next(&b, &ib), 0);
    rd_batcher_free(&a), rd_batcher_free(&b);
}
