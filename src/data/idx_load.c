/* Building a dataset from an image IDX file and a label IDX file, and
 * finding the MNIST files in a directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idx.h"
#include "rdrop/data.h"

rd_status rd_idx_load_classes(const char *images_path, const char *labels_path, int n_classes,
                              rd_dataset *out, rd_error *err) {
    memset(out, 0, sizeof *out);
    if (n_classes < 1 || n_classes > 256)
        return rd_fail(err, RD_ERR_USAGE, "%s: n_classes must be 1..256, got %d", labels_path,
                       n_classes);
    uint32_t idims[3], ldims[3];
    uint8_t *pixels = NULL, *labels = NULL;
    rd_status st = rd_idx_read(images_path, 3, "image", idims, &pixels, err);
    if (st != RD_OK) return st;
    st = rd_idx_read(labels_path, 1, "label", ldims, &labels, err);
    if (st != RD_OK) {
        free(pixels);
        return st;
    }
    if (idims[0] != ldims[0]) {
        st = rd_fail(err, RD_ERR_RUNTIME, "%s: has %u labels but %s has %u images", labels_path,
                     ldims[0], images_path, idims[0]);
        goto fail;
    }
    for (uint32_t i = 0; i < ldims[0]; i++) {
        if (labels[i] >= n_classes) {
            st = rd_fail(err, RD_ERR_RUNTIME, "%s: label %u at index %u is out of range 0..%d",
                         labels_path, labels[i], i, n_classes - 1);
            goto fail;
        }
    }
    out->n = (int)idims[0];
    out->rows = (int)idims[1];
    out->cols = (int)idims[2];
    out->dim = out->rows * out->cols;
    out->pixels = pixels;
    out->labels = labels;
    out->mean = 0.0f;
    out->std = 1.0f;
    return RD_OK;
fail:
    free(pixels);
    free(labels);
    return st;
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
    memset(out, 0, sizeof *out);
    const char *prefix = train ? "train" : "t10k";
    char name[64], images[4096], labels[4096];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    rd_status st = find_file(dir, name, images, sizeof images, err);
    if (st != RD_OK) return st;
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
    st = find_file(dir, name, labels, sizeof labels, err);
    if (st != RD_OK) return st;
    return rd_idx_load(images, labels, out, err);
}
