/* Test helper: a private temporary directory per test, removed afterwards. */
#ifndef RDROP_TEST_TMPDIR_H
#define RDROP_TEST_TMPDIR_H
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Creates /tmp/rdrop-test-XXXXXX in buf (at least 64 chars); NULL on failure. */
static inline char *tmpdir_make(char *buf) {
    strcpy(buf, "/tmp/rdrop-test-XXXXXX");
    return mkdtemp(buf);
}

/* Removes path and, for a directory, everything under it. */
static inline void tmpdir_remove(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        struct dirent *e;
        while (dir && (e = readdir(dir)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            size_t len = strlen(path) + strlen(e->d_name) + 2;
            char *child = malloc(len);
            if (!child) break;
            snprintf(child, len, "%s/%s", path, e->d_name);
            tmpdir_remove(child);
            free(child);
        }
        if (dir) closedir(dir);
        rmdir(path);
    } else {
        unlink(path);
    }
}

#endif
