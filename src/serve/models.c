/* A run's checkpoint in memory. Loaded on first use and again whenever the
 * file on disk is another one (a run still training replaces last.ckpt each
 * epoch; a user may copy another over it): device, inode, size and
 * modification time tell. Requests hold a reference while they compute, so
 * a reload never frees a model in use; the last reference frees it. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "serve/serve.h"

static long long mtime_ns(const struct stat *st) {
    return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

static int same_file(const rd_loaded *l, const struct stat *st) {
    return l && l->dev == st->st_dev && l->ino == st->st_ino && l->size == st->st_size &&
           l->mtime_ns == mtime_ns(st);
}

static void unref(rd_loaded *l) { /* with the lock held */
    if (l && --l->refs == 0) {
        rd_mlp_free(&l->m);
        free(l);
    }
}

int rd_model_acquire(rd_server *s, rd_entry *e, rd_loaded **out, rd_error *err) {
    *out = NULL;
    char path[PATH_MAX];
    struct stat st;
    int status = rd_catalog_file(s, e, "last.ckpt", path, err);
    if (status) return status;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        rd_fail(err, RD_ERR_RUNTIME, "%s/last.ckpt: not a regular file", e->name);
        return 404;
    }
    pthread_mutex_lock(&s->lock);
    if (same_file(e->model, &st)) {
        e->model->refs++;
        *out = e->model;
        pthread_mutex_unlock(&s->lock);
        return 0;
    }
    pthread_mutex_unlock(&s->lock);

    /* Load without the lock (other requests go on), then publish. Two
     * requests may both load a changed file; the second one's copy wins. */
    rd_loaded *l = rd_calloc(1, sizeof *l);
    rd_error inner = {0};
    if (rd_checkpoint_load(path, &l->m, NULL, &l->s, &inner)) {
        free(l);
        /* the message names the resolved path; name the run's instead */
        const char *why = strstr(inner.msg, ": ") ? strstr(inner.msg, ": ") + 2 : inner.msg;
        rd_fail(err, RD_ERR_RUNTIME, "%s/last.ckpt: %s", e->name, why);
        return 500;
    }
    /* the identity from before the load: a file replaced while it was read
     * differs from it, and is read again by the next request */
    l->dev = st.st_dev, l->ino = st.st_ino, l->size = st.st_size, l->mtime_ns = mtime_ns(&st);
    l->refs = 2; /* the catalog's and this request's */
    pthread_mutex_lock(&s->lock);
    unref(e->model);
    e->model = l;
    pthread_mutex_unlock(&s->lock);
    *out = l;
    return 0;
}

void rd_model_release(rd_server *s, rd_loaded *l) {
    pthread_mutex_lock(&s->lock);
    unref(l);
    pthread_mutex_unlock(&s->lock);
}

void rd_model_drop(rd_loaded *l) { unref(l); }
