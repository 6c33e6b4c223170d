/* Integration: the real MNIST (from $MNIST_MIRROR_DIR, else data/mnist) and
 * Fashion-MNIST (Debian's dataset-fashion-mnist), plus the directory lookup. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "rdrop/data.h"
#include "tmpdir.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

static int has_mnist(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", dir);
    if (access(path, R_OK) == 0) return 1;
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte", dir);
    return access(path, R_OK) == 0;
}

static const char *mnist_dir(void) {
    const char *env = getenv("MNIST_MIRROR_DIR");
    if (env && *env && has_mnist(env)) return env;
    if (has_mnist("data/mnist")) return "data/mnist";
    cr_skip_test("MNIST not found: set MNIST_MIRROR_DIR or run `make data`");
    return NULL;
}

static void check_pixels(const rd_dataset *d) {
    int lo = 255, hi = 0;
    size_t total = (size_t)d->n * (size_t)d->dim;
    for (size_t i = 0; i < total; i++) {
        if (d->pixels[i] < lo) lo = d->pixels[i];
        if (d->pixels[i] > hi) hi = d->pixels[i];
    }
    cr_assert_eq(lo, 0);
    cr_assert_eq(hi, 255);
    int idx[3] = {0, d->n / 2, d->n - 1};
    float *rows = malloc(3 * (size_t)d->dim * sizeof *rows);
    rd_dataset_rows(d, idx, 3, rows);
    for (int i = 0; i < 3 * d->dim; i++) cr_assert(rows[i] >= 0.0f && rows[i] <= 1.0f);
    free(rows);
}

Test(mnist, real_mnist_train_and_test, .timeout = 30) {
    const char *dir = mnist_dir();
    rd_dataset tr, te;
    rd_error err = {0};
    cr_assert_eq(rd_mnist_load(dir, 1, &tr, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_mnist_load(dir, 0, &te, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(tr.n, 60000);
    cr_assert_eq(te.n, 10000);
    cr_assert_eq(tr.rows, 28);
    cr_assert_eq(tr.cols, 28);
    cr_assert_eq(tr.dim, 784);
    cr_assert_eq(tr.labels[0], 5);
    const int expect[10] = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
    int hist[10] = {0};
    for (int i = 0; i < tr.n; i++) hist[tr.labels[i]]++;
    for (int c = 0; c < 10; c++) cr_assert_eq(hist[c], expect[c], "digit %d", c);
    check_pixels(&tr);
    check_pixels(&te);
    float mean, std;
    rd_dataset_compute_stats(&tr, &mean, &std);
    cr_assert_float_eq(mean, 0.1307f, 1e-4);
    cr_assert_float_eq(std, 0.3081f, 1e-4);
    rd_dataset_free(&tr);
    rd_dataset_free(&te);
}

Test(mnist, fashion_mnist, .timeout = 30) {
    if (!has_mnist(FASHION_DIR))
        cr_skip_test(FASHION_DIR " not found (Debian package dataset-fashion-mnist)");
    rd_dataset tr, te;
    rd_error err = {0};
    cr_assert_eq(rd_mnist_load(FASHION_DIR, 1, &tr, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_mnist_load(FASHION_DIR, 0, &te, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(tr.n, 60000);
    cr_assert_eq(te.n, 10000);
    int hist[10] = {0};
    for (int i = 0; i < tr.n; i++) hist[tr.labels[i]]++;
    for (int c = 0; c < 10; c++) cr_assert_eq(hist[c], 6000, "class %d", c);
    check_pixels(&te);
    rd_dataset_free(&tr);
    rd_dataset_free(&te);
}

/* Writes a 1-image 2x2 IDX pair named like MNIST's test set. */
static void write_t10k(const char *dir, int gz) {
    const uint8_t img[20] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4};
    const uint8_t lab[9] = {0, 0, 8, 1, 0, 0, 0, 1, 7};
    char path[256];
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte%s", dir, gz ? ".gz" : "");
    gzFile f = gzopen(path, gz ? "wb" : "wbT"); /* T: plain, uncompressed */
    cr_assert(f);
    gzwrite(f, img, sizeof img);
    gzclose(f);
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte%s", dir, gz ? ".gz" : "");
    f = gzopen(path, gz ? "wb" : "wbT");
    cr_assert(f);
    gzwrite(f, lab, sizeof lab);
    gzclose(f);
}

Test(mnist, finds_gz_then_raw_names) {
    char dir[64];
    cr_assert(tmpdir_make(dir));
    rd_dataset d;
    rd_error err = {0};
    cr_assert_eq(rd_mnist_load(dir, 0, &d, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "t10k-images-idx3-ubyte.gz: not found"), "%s", err.msg);
    cr_assert(strstr(err.msg, dir), "%s", err.msg);
    write_t10k(dir, 0);
    cr_assert_eq(rd_mnist_load(dir, 0, &d, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(d.n, 1);
    cr_assert_eq(d.labels[0], 7);
    cr_assert_eq(d.pixels[3], 4);
    rd_dataset_free(&d);
    write_t10k(dir, 1); /* both present: the .gz is read */
    cr_assert_eq(rd_mnist_load(dir, 0, &d, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(d.n, 1);
    rd_dataset_free(&d);
    cr_assert_eq(rd_mnist_load(dir, 1, &d, &err), RD_ERR_RUNTIME, "no training files");
    tmpdir_remove(dir);
}
