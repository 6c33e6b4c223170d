/* IDX reader: tiny files written by the tests, each accepted or rejected with
 * a message that names the file and the problem. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "rdrop/data.h"
#include "tmpdir.h"

static char dir[64];
static char images[256], labels[256];

static void setup(void) {
    cr_assert(tmpdir_make(dir), "mkdtemp failed");
    snprintf(images, sizeof images, "%s/images.idx", dir);
    snprintf(labels, sizeof labels, "%s/labels.idx", dir);
}
static void teardown(void) { tmpdir_remove(dir); }

TestSuite(idx, .init = setup, .fini = teardown);

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Writes magic, ndims sizes, then len payload bytes (byte i = pattern(i)), raw or gzip. */
static void write_idx(const char *path, int gz, uint32_t magic, int ndims, const uint32_t *dims,
                      const uint8_t *payload, size_t len) {
    uint8_t head[16];
    put_be32(head, magic);
    for (int i = 0; i < ndims; i++) put_be32(head + 4 + 4 * i, dims[i]);
    size_t hlen = 4 + 4 * (size_t)ndims;
    if (gz) {
        gzFile f = gzopen(path, "wb");
        cr_assert(f);
        cr_assert_eq(gzwrite(f, head, (unsigned)hlen), (int)hlen);
        if (len) cr_assert_eq(gzwrite(f, payload, (unsigned)len), (int)len);
        cr_assert_eq(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        cr_assert(f);
        cr_assert_eq(fwrite(head, 1, hlen, f), hlen);
        if (len) cr_assert_eq(fwrite(payload, 1, len, f), len);
        cr_assert_eq(fclose(f), 0);
    }
}

/* n images of 3x4 with pixel value (i*7) & 255, and labels i % 10. */
static uint8_t pix[4096], lab[256];
static void write_pair(int gz, uint32_t n_images, uint32_t n_pixels_written, uint32_t n_labels) {
    for (int i = 0; i < 4096; i++) pix[i] = (uint8_t)(i * 7);
    for (int i = 0; i < 256; i++) lab[i] = (uint8_t)(i % 10);
    uint32_t idims[3] = {n_images, 3, 4}, ldims[1] = {n_labels};
    write_idx(images, gz, 0x803, 3, idims, pix, n_pixels_written);
    write_idx(labels, gz, 0x801, 1, ldims, lab, n_labels);
}

#define EXPECT_ERROR(path, text)                                                        \
    do {                                                                                \
        rd_dataset d;                                                                   \
        rd_error err = {0};                                                             \
        cr_assert_eq(rd_idx_load(images, labels, &d, &err), RD_ERR_RUNTIME);            \
        cr_assert(strstr(err.msg, text), "expected \"%s\" in: %s", text, err.msg);      \
        cr_assert(strstr(err.msg, path), "expected the file name in: %s", err.msg);     \
        cr_assert_null(d.pixels);                                                       \
        rd_dataset_free(&d);                                                            \
    } while (0)

static void check_valid(int gz) {
    write_pair(gz, 5, 5 * 12, 5);
    rd_dataset d;
    rd_error err = {0};
    cr_assert_eq(rd_idx_load(images, labels, &d, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(d.n, 5);
    cr_assert_eq(d.rows, 3);
    cr_assert_eq(d.cols, 4);
    cr_assert_eq(d.dim, 12);
    cr_assert_eq(memcmp(d.pixels, pix, 60), 0);
    cr_assert_eq(memcmp(d.labels, lab, 5), 0);
    cr_assert_float_eq(d.mean, 0.0f, 1e-9);
    cr_assert_float_eq(d.std, 1.0f, 1e-9);
    rd_dataset_free(&d);
    cr_assert_null(d.pixels);
}

Test(idx, valid_raw) { check_valid(0); }
Test(idx, valid_gzip) { check_valid(1); }

Test(idx, truncated_raw) {
    write_pair(0, 5, 2 * 12, 5);
    EXPECT_ERROR(images, "truncated: header says 5 images of 3x4 (60 bytes) but only 24");
}

Test(idx, truncated_gzip_payload) {
    write_pair(1, 5, 59, 5);
    EXPECT_ERROR(images, "truncated");
}

Test(idx, truncated_labels) {
    write_pair(0, 5, 60, 5);
    uint32_t ldims[1] = {5};
    write_idx(labels, 0, 0x801, 1, ldims, lab, 3);
    EXPECT_ERROR(labels, "truncated: header says 5 labels (5 bytes) but only 3");
}

Test(idx, gzip_stream_cut_short) {
    /* Incompressible bytes, so cutting the .gz file cuts the deflate stream. */
    static uint8_t noise[100 * 784];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (uint8_t)((x = x * 1664525u + 1013904223u) >> 24);
    uint32_t idims[3] = {100, 28, 28}, ldims[1] = {100};
    write_idx(images, 1, 0x803, 3, idims, noise, sizeof noise);
    write_idx(labels, 1, 0x801, 1, ldims, lab, 100);
    cr_assert_eq(truncate(images, 40000), 0);
    EXPECT_ERROR(images, "the gzip stream ends early");
}

Test(idx, empty_file) {
    write_pair(0, 5, 60, 5);
    FILE *f = fopen(images, "wb");
    fclose(f);
    EXPECT_ERROR(images, "truncated");
}

Test(idx, short_header) {
    write_pair(0, 5, 60, 5);
    uint32_t idims[1] = {5};
    write_idx(images, 0, 0x803, 1, idims, NULL, 0); /* 8 of 16 header bytes */
    EXPECT_ERROR(images, "shorter than the 16-byte IDX header");
}

Test(idx, trailing_bytes_raw) {
    write_pair(0, 5, 61, 5);
    EXPECT_ERROR(images, "trailing bytes: 1 extra");
}

Test(idx, trailing_bytes_gzip) {
    write_pair(1, 5, 60, 5);
    uint32_t ldims[1] = {5};
    write_idx(labels, 1, 0x801, 1, ldims, lab, 9);
    EXPECT_ERROR(labels, "trailing bytes: 4 extra");
}

Test(idx, wrong_magic) {
    write_pair(0, 5, 60, 5);
    uint32_t idims[3] = {5, 3, 4};
    write_idx(images, 0, 0x12340803, 3, idims, pix, 60);
    EXPECT_ERROR(images, "bad magic 0x12340803");
}

Test(idx, float_type_rejected) {
    write_pair(0, 5, 60, 5);
    uint32_t idims[3] = {5, 3, 4};
    write_idx(images, 0, 0x0d03, 3, idims, pix, 60); /* 0x0d = float32 IDX */
    EXPECT_ERROR(images, "bad magic");
}

Test(idx, wrong_number_of_dims) {
    write_pair(0, 5, 60, 5);
    uint32_t idims[2] = {5, 12};
    write_idx(images, 0, 0x802, 2, idims, pix, 60);
    EXPECT_ERROR(images, "wrong number of dimensions: header says 2, image data needs 3");
}

Test(idx, labels_file_passed_as_images) {
    write_pair(0, 5, 60, 5);
    rd_dataset d;
    rd_error err = {0};
    cr_assert_eq(rd_idx_load(labels, labels, &d, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "wrong number of dimensions: header says 1"), "%s", err.msg);
    cr_assert(strstr(err.msg, labels), "%s", err.msg);
}

Test(idx, zero_count) {
    write_pair(0, 0, 0, 0);
    EXPECT_ERROR(images, "bad size: dimension 0 is 0");
}

Test(idx, zero_rows) {
    write_pair(0, 5, 60, 5);
    uint32_t idims[3] = {5, 0, 4};
    write_idx(images, 0, 0x803, 3, idims, pix, 0);
    EXPECT_ERROR(images, "bad size: dimension 1 is 0");
}

Test(idx, absurd_side) {
    write_pair(0, 5, 60, 5);
    uint32_t idims[3] = {5, 3, 5000};
    write_idx(images, 0, 0x803, 3, idims, pix, 60);
    EXPECT_ERROR(images, "bad size: dimension 2 is 5000, must be 1..4096");
}

Test(idx, absurd_count) {
    write_pair(0, 5, 60, 5);
    uint32_t idims[3] = {200000000, 3, 4};
    write_idx(images, 0, 0x803, 3, idims, pix, 60);
    EXPECT_ERROR(images, "bad size: dimension 0 is 200000000");
}

Test(idx, lying_header_is_truncated_not_huge) {
    /* 100M images of 4096x4096 in a 60-byte file: must not try to allocate 1.6 PB. */
    write_pair(0, 5, 60, 5);
    uint32_t idims[3] = {100000000, 4096, 4096}, ldims[1] = {100000000};
    write_idx(images, 0, 0x803, 3, idims, pix, 60);
    write_idx(labels, 0, 0x801, 1, ldims, lab, 5); /* the counts agree: the images are read */
    EXPECT_ERROR(images, "truncated");
}

/* The counts of the two headers are compared before any payload is read. */
Test(idx, label_count_is_checked_before_the_images_are_read) {
    write_pair(0, 100000000, 60, 5);
    EXPECT_ERROR(labels, "has 5 labels but");
}

/* A subset is taken while reading; the memory budget is checked against the
 * headers before anything is inflated (issue: a gzip "bomb" whose header
 * claims millions of images). */
Test(idx, subset_while_reading_and_memory_budget) {
    write_pair(1, 20, 20 * 12, 20);
    rd_dataset all, first, some, again;
    rd_error err = {0};
    cr_assert_eq(rd_idx_load(images, labels, &all, &err), RD_OK, "%s", err.msg);
    rd_load_select sel = {5, 0, NULL, 0, NULL, 0};
    cr_assert_eq(rd_idx_load_select(images, labels, 10, &sel, &first, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(first.n, 5);
    cr_assert(!memcmp(first.pixels, all.pixels, 5 * 12) && !memcmp(first.labels, all.labels, 5));
    /* a random subset: the same samples rd_dataset_subset picks from the whole set */
    rd_rng r1, r2;
    rd_rng_seed(&r1, 3);
    rd_rng_seed(&r2, 3);
    sel = (rd_load_select){7, 1, &r1, 0, NULL, 0};
    cr_assert_eq(rd_idx_load_select(images, labels, 10, &sel, &some, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_dataset_subset(&all, 7, 1, &r2, &err), RD_OK);
    cr_assert_eq(some.n, 7);
    cr_assert(!memcmp(some.pixels, all.pixels, 7 * 12) && !memcmp(some.labels, all.labels, 7));
    cr_assert(!memcmp(&r1, &r2, sizeof r1), "the generators must end in the same state");
    /* 20 images of 12 bytes + 20 labels = 260 bytes: a budget of 259 refuses, naming it */
    sel = (rd_load_select){0, 0, NULL, 259, "train.memory_limit_mb", 0};
    cr_assert_eq(rd_idx_load_select(images, labels, 10, &sel, &again, &err), RD_ERR_USAGE);
    cr_assert(strstr(err.msg, images) && strstr(err.msg, "train.memory_limit_mb"), "%s", err.msg);
    sel.max_bytes = 260;
    cr_assert_eq(rd_idx_load_select(images, labels, 10, &sel, &again, &err), RD_OK, "%s", err.msg);
    rd_dataset_free(&again);
    rd_dataset_free(&all);
    rd_dataset_free(&first);
    rd_dataset_free(&some);
}

Test(idx, label_out_of_range) {
    write_pair(0, 5, 60, 5);
    uint8_t bad[5] = {0, 1, 10, 3, 4};
    uint32_t ldims[1] = {5};
    write_idx(labels, 0, 0x801, 1, ldims, bad, 5);
    EXPECT_ERROR(labels, "label 10 at index 2 is out of range 0..9");
}

Test(idx, label_range_is_a_parameter) {
    write_pair(0, 5, 60, 5); /* labels 0..4 */
    rd_dataset d;
    rd_error err = {0};
    cr_assert_eq(rd_idx_load_classes(images, labels, 4, &d, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "label 4 at index 4 is out of range 0..3"), "%s", err.msg);
    cr_assert_eq(rd_idx_load_classes(images, labels, 5, &d, &err), RD_OK, "%s", err.msg);
    rd_dataset_free(&d);
}

Test(idx, count_mismatch) {
    write_pair(0, 5, 60, 4);
    EXPECT_ERROR(labels, "has 4 labels but");
    rd_dataset d;
    rd_error err = {0};
    rd_idx_load(images, labels, &d, &err);
    cr_assert(strstr(err.msg, images), "both files named: %s", err.msg);
}

Test(idx, missing_file) {
    write_pair(0, 5, 60, 5);
    unlink(labels);
    EXPECT_ERROR(labels, "cannot open: No such file");
}
