/* Whole-file reads of regular files, and atomic replacement. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

rd_status rd_file_read(const char *path, unsigned char **data, size_t *len, rd_error *err) {
    *data = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever. */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: not a regular file", path);
    }
    /* st_size is a hint: the loop reads to the end, whatever the size now. */
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
    unsigned char *p = rd_malloc(cap, 1);
    for (;;) {
        if (n == cap) p = rd_realloc(p, cap *= 2, 1);
        ssize_t r = read(fd, p + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            free(p);
            return rd_fail(err, RD_ERR_RUNTIME, "%s: read error: %s", path, strerror(e));
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    *data = p;
    *len = n;
    return RD_OK;
}

rd_status rd_file_replace(const char *path, const void *data, size_t len, const char *what,
                          rd_error *err) {
    /* rename() would put a regular file in place of a device or a folder. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: exists and is not a regular file: not replaced", path);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot create: %s", tmp, strerror(errno));
    const unsigned char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            close(fd);
            unlink(tmp);
            return rd_fail(err, RD_ERR_RUNTIME, "%s: write failed: %s (previous %s kept)", path,
                           strerror(e), what);
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: flush failed: %s (previous %s kept)", path, strerror(e),
                       what);
    }
    if (close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: flush failed: %s (previous %s kept)", path, strerror(e),
                       what);
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: rename failed: %s", path, strerror(e));
    }
    /* Make the rename itself durable. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    int dfd = open(dirname(dir), O_RDONLY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return RD_OK;
}
