/* Building a dataset from an image IDX file and a label IDX file, and
 * finding the MNIST files in a directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idx.h"
#include "rdrop/data.h"

rd_status rd_idx_load_select(const char *images_path, const char *labels_path, int n_classes,
                             const rd_load_select *sel, rd_dataset *out, rd_error *err) {
    memset(out, 0, sizeof *out);
    if (n_classes < 1) /* above 256, every byte is a valid label */
        return rd_fail(err, RD_ERR_USAGE, "%s: n_classes must be at least 1, got %d", labels_path, n_classes);
    rd_idx_file im, lb;
    rd_status st = rd_idx_open(&im, images_path, 3, "image", err);
    if (st != RD_OK) return st;
    if ((st = rd_idx_open(&lb, labels_path, 1, "label", err)) != RD_OK) {
        rd_idx_close(&im);
        return st;
    }
    uint8_t *pixels = NULL, *labels = NULL, *keep = NULL;
    int n = (int)im.dims[0], k = n;
    if (lb.dims[0] != im.dims[0]) {
        st = rd_fail(err, RD_ERR_RUNTIME, "%s: has %u labels but %s has %u images", labels_path,
                     lb.dims[0], images_path, im.dims[0]);
        goto done;
    }
    if (sel && sel->subset > 0 && sel->subset < n) {
        if (sel->random && !sel->rng) {
            st = rd_fail(err, RD_ERR_USAGE, "a random subset needs an rng");
            goto done;
        }
        k = sel->subset;
        keep = rd_choose_samples(n, k, sel->random, sel->rng);
    }
    /* the memory the kept samples need, from the headers alone */
    double need = (double)k * (double)im.row + (double)n; /* all labels are read */
    if (sel && sel->max_bytes > 0 && need > sel->max_bytes) {
        st = rd_fail(err, RD_ERR_USAGE,
                     "%s: %d images of %ux%u pixels need %.0f MiB, more than the %.0f MiB left by %s",
                     images_path, k, im.dims[1], im.dims[2], need / 1048576.0, sel->max_bytes / 1048576.0,
                     sel->limit_name ? sel->limit_name : "the memory limit");
        goto done;
    }
    if ((st = rd_idx_read_rows(&im, keep, (size_t)k, &pixels, err)) != RD_OK) goto done;
    /* every label is checked, kept or not: the file is either valid or refused */
    if ((st = rd_idx_read_rows(&lb, NULL, 0, &labels, err)) != RD_OK) goto done;
    int j = 0;
    for (int i = 0; i < n; i++) {
        if (labels[i] >= n_classes) {
            st = sel && sel->classes
                     ? rd_fail(err, RD_ERR_USAGE, "%s: has label %u (at index %d) but the model has %d classes (0 to %d)",
                               labels_path, labels[i], i, n_classes, n_classes - 1)
                     : rd_fail(err, RD_ERR_RUNTIME, "%s: label %u at index %d is out of range 0..%d", labels_path,
                               labels[i], i, n_classes - 1);
            goto done;
        }
        if (!keep || keep[i]) labels[j++] = labels[i];
    }
    out->n = k;
    out->rows = (int)im.dims[1];
    out->cols = (int)im.dims[2];
    out->dim = out->rows * out->cols;
    out->pixels = pixels;
    out->labels = labels;
    out->mean = 0.0f;
    out->std = 1.0f;
    pixels = labels = NULL;
done:
    rd_idx_close(&im);
    rd_idx_close(&lb);
    free(keep);
    free(pixels);
    free(labels);
    return st;
}

rd_status rd_idx_load_classes(const char *images_path, const char *labels_path, int n_classes,
                              rd_dataset *out, rd_error *err) {
    return rd_idx_load_select(images_path, labels_path, n_classes, NULL, out, err);
}

rd_status rd_idx_load(const char *images_path, const char *labels_path, rd_dataset *out,
                      rd_error *err) {
    return rd_idx_load_classes(images_path, labels_path, RD_DATA_CLASSES, out, err);
}

/* dir/name.gz when it exists, else dir/name when that exists, else an error. */
static rd_status find_file(const char *dir, const char *name, char *path, size_t size,
                           rd_error *err) {
    int n = snprintf(path, size, "%s/%s.gz", dir, name);
    if (n < 0 || (size_t)n >= size)
        return rd_fail(err, RD_ERR_USAGE, "%s: directory name too long", dir);
    if (access(path, F_OK) == 0) return RD_OK;
    path[n - 3] = '\0'; /* drop ".gz" */
    if (access(path, F_OK) == 0) return RD_OK;
    return rd_fail(err, RD_ERR_RUNTIME, "%s/%s.gz: not found (nor %s); run `make data`", dir,
                   name, name);
}

rd_status rd_mnist_load(const char *dir, int train, rd_dataset *out, rd_error *err) {
    return rd_mnist_load_select(dir, train, NULL, out, err);
}

rd_status rd_mnist_load_select(const char *dir, int train, const rd_load_select *sel, rd_dataset *out,
                               rd_error *err) {
    memset(out, 0, sizeof *out);
    const char *prefix = train ? "train" : "t10k";
    char name[64], images[4096], labels[4096];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    rd_status st = find_file(dir, name, images, sizeof images, err);
    if (st != RD_OK) return st;
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
    st = find_file(dir, name, labels, sizeof labels, err);
    if (st != RD_OK) return st;
    return rd_idx_load_select(images, labels, sel && sel->classes ? sel->classes : RD_DATA_CLASSES, sel, out, err);
}
