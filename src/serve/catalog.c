/* The catalog: run folders (metrics.csv, last.ckpt or config.ini) and study
 * folders (results.csv) found in and below the folders named on the command
 * line, three levels deep (a compare's OUT/runs/NAME is two). Each gets the
 * next id when first found and keeps it; a folder that disappears is marked
 * gone. Every path is resolved with realpath and must stay inside the
 * command-line folder it was found under: a symlink leading out is skipped
 * when scanning and refused when reading. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rdrop/clock.h"
#include "serve/serve.h"

enum { MAX_DEPTH = 3, MAX_NAMES = 4096 };

/* path lies at or below root (both resolved). */
static int inside(const char *root, const char *path) {
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/') return 1;
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* dir/name is a regular file inside root (a symlink to one inside counts). */
static int is_file(const char *root, const char *dir, const char *name) {
    char p[PATH_MAX + 64], real[PATH_MAX];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return realpath(p, real) && inside(root, real) && stat(real, &st) == 0 && S_ISREG(st.st_mode);
}

/* Marks the entry of (dir, kind) present, or adds it. Called with the lock. */
static void found(rd_server *s, int root, const char *dir, const char *name, int kind, int *seen) {
    for (int i = 0; i < s->n_entries; i++) {
        rd_entry *e = s->entries[i];
        if (e->kind == kind && !strcmp(e->dir, dir)) {
            seen[i] = 1;
            return;
        }
    }
    if (s->n_entries >= RD_SERVE_MAX_RUNS || strlen(dir) >= sizeof s->entries[0]->dir) return;
    if (s->n_entries == s->cap_entries) {
        s->cap_entries = s->cap_entries ? 2 * s->cap_entries : 16;
        s->entries = rd_realloc(s->entries, (size_t)s->cap_entries, sizeof *s->entries);
    }
    rd_entry *e = rd_calloc(1, sizeof *e);
    e->kind = kind;
    e->root = root;
    snprintf(e->dir, sizeof e->dir, "%s", dir);
    snprintf(e->name, sizeof e->name, "%s", name);
    seen[s->n_entries] = 1;
    s->entries[s->n_entries++] = e;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* dir (resolved) and its folders below, depth levels left. */
static void scan_dir(rd_server *s, int root, const char *dir, const char *name, int depth, int *seen) {
    const char *top = s->roots[root];
    if (is_file(top, dir, "results.csv")) found(s, root, dir, name, RD_ENTRY_STUDY, seen);
    if (is_file(top, dir, "metrics.csv") || is_file(top, dir, "last.ckpt") || is_file(top, dir, "config.ini")) {
        found(s, root, dir, name, RD_ENTRY_RUN, seen);
        return; /* a run folder holds no runs */
    }
    if (depth == 0) return;
    DIR *d = opendir(dir);
    if (!d) return;
    char **names = NULL;
    int n = 0, cap = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL && n < MAX_NAMES;) {
        if (de->d_name[0] == '.') continue; /* ., .., hidden folders */
        if (n == cap) names = rd_realloc(names, (size_t)(cap = cap ? 2 * cap : 32), sizeof *names);
        names[n] = rd_malloc(strlen(de->d_name) + 1, 1);
        strcpy(names[n++], de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name); /* the same ids on every machine */
    for (int i = 0; i < n; i++) {
        char p[PATH_MAX + 256], real[PATH_MAX], shown[1024];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        if (realpath(p, real) && inside(s->roots[root], real) && stat(real, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(shown, sizeof shown, "%s/%s", name, names[i]);
            scan_dir(s, root, real, shown, depth - 1, seen);
        }
        free(names[i]);
    }
    free(names);
}

void rd_catalog_scan(rd_server *s) {
    pthread_mutex_lock(&s->lock);
    int *seen = rd_calloc((size_t)s->n_entries + RD_SERVE_MAX_RUNS + 1, sizeof *seen);
    for (int r = 0; r < s->n_roots; r++) {
        struct stat st;
        if (stat(s->roots[r], &st) == 0 && S_ISDIR(st.st_mode))
            scan_dir(s, r, s->roots[r], s->root_names[r], MAX_DEPTH, seen);
    }
    for (int i = 0; i < s->n_entries; i++) s->entries[i]->gone = !seen[i];
    free(seen);
    s->scanned_at = rd_now();
    pthread_mutex_unlock(&s->lock);
}

rd_entry *rd_catalog_get(rd_server *s, long long id, int kind) {
    pthread_mutex_lock(&s->lock);
    rd_entry *e = id >= 0 && id < s->n_entries ? s->entries[id] : NULL;
    pthread_mutex_unlock(&s->lock);
    return e && e->kind == kind ? e : NULL;
}

int rd_catalog_gone(rd_server *s, const rd_entry *e) {
    pthread_mutex_lock(&s->lock);
    int gone = e->gone;
    pthread_mutex_unlock(&s->lock);
    return gone;
}

int rd_catalog_file(rd_server *s, const rd_entry *e, const char *name, char *out, rd_error *err) {
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", e->dir, name);
    if (!realpath(p, out)) {
        int gone = errno == ENOENT || errno == ENOTDIR;
        rd_fail(err, RD_ERR_RUNTIME, "%s/%s: %s", e->name, name, gone ? "not found" : strerror(errno));
        return 404;
    }
    if (!inside(s->roots[e->root], out)) {
        rd_fail(err, RD_ERR_RUNTIME, "%s/%s: leads outside the served folders (a symlink?): not read", e->name,
                name);
        return 403;
    }
    return 0;
}
