/* A dataset from a folder of images: root/<label 0-9>/<name>.png|jpg|jpeg|bmp. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rdrop/image.h"

typedef struct {
    char **names;
    int n, cap;
} name_list;

static int is_image_name(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name) return 0; /* no extension, or a hidden file */
    return !strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") ||
           !strcasecmp(dot, ".bmp");
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The image file names in dir, sorted; a missing directory gives none. */
static rd_status list_images(const char *dir, name_list *list, rd_error *err) {
    memset(list, 0, sizeof *list);
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return RD_OK;
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot open directory: %s", dir,
                       strerror(errno));
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_image_name(e->d_name)) continue;
        if (list->n == list->cap) {
            list->cap = list->cap ? 2 * list->cap : 64;
            list->names = rd_realloc(list->names, (size_t)list->cap, sizeof *list->names);
        }
        size_t len = strlen(e->d_name) + 1;
        list->names[list->n] = rd_malloc(len, 1);
        memcpy(list->names[list->n++], e->d_name, len);
    }
    closedir(d);
    if (list->n) qsort(list->names, (size_t)list->n, sizeof *list->names, by_name);
    return RD_OK;
}

static void free_list(name_list *list) {
    for (int i = 0; i < list->n; i++) free(list->names[i]);
    free(list->names);
    memset(list, 0, sizeof *list);
}

/* Fits one file and appends it (as bytes) to out. */
static rd_status add_image(const char *path, int label, rd_dataset *out, int *cap,
                           rd_error *err) {
    float img[RD_MNIST_SIDE * RD_MNIST_SIDE];
    rd_status st = rd_image_load_mnist(path, img, err);
    if (st != RD_OK) return st;
    if (out->n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        out->pixels = rd_realloc(out->pixels, (size_t)*cap, (size_t)out->dim);
        out->labels = rd_realloc(out->labels, (size_t)*cap, 1);
    }
    uint8_t *dst = out->pixels + (size_t)out->n * (size_t)out->dim;
    for (int i = 0; i < out->dim; i++) dst[i] = (uint8_t)lroundf(img[i] * 255.0f);
    out->labels[out->n++] = (uint8_t)label;
    return RD_OK;
}

rd_status rd_image_folder_load(const char *root, rd_dataset *out, rd_error *err) {
    memset(out, 0, sizeof *out);
    DIR *check = opendir(root);
    if (!check)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot open directory: %s", root,
                       strerror(errno));
    closedir(check);
    out->rows = out->cols = RD_MNIST_SIDE;
    out->dim = RD_MNIST_SIDE * RD_MNIST_SIDE;
    out->std = 1.0f;
    int cap = 0;
    rd_status st = RD_OK;
    for (int label = 0; label < RD_DATA_CLASSES && st == RD_OK; label++) {
        size_t len = strlen(root) + 16;
        char *dir = rd_malloc(len, 1);
        snprintf(dir, len, "%s/%d", root, label);
        name_list list;
        st = list_images(dir, &list, err);
        for (int i = 0; i < list.n && st == RD_OK; i++) {
            size_t plen = strlen(dir) + strlen(list.names[i]) + 2;
            char *path = rd_malloc(plen, 1);
            snprintf(path, plen, "%s/%s", dir, list.names[i]);
            st = add_image(path, label, out, &cap, err);
            free(path);
        }
        free_list(&list);
        free(dir);
    }
    if (st == RD_OK && out->n == 0)
        st = rd_fail(err, RD_ERR_RUNTIME,
                     "%s: no images found (expected %s/<0-9>/*.png, .jpg, .jpeg or .bmp)", root,
                     root);
    if (st != RD_OK) rd_dataset_free(out);
    return st;
}
