/* Opening files to read or append: regular files only, never blocking.
 * open() of a FIFO blocks until a writer (or reader) comes, and a device may
 * be endless or act on open, so the type is checked with stat() before the
 * open, and again with fstat() on what was opened (O_NONBLOCK covers a FIFO
 * put there in between). */
#include "rdrop/files.h"
#include "rdrop/signals.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static rd_status not_regular(const char *path, rd_error *err) {
    rd_fail(err, RD_ERR_RUNTIME, "%s: not a regular file", path);
    errno = 0;
    return RD_ERR_RUNTIME;
}

/* Opens with flags | O_NONBLOCK, checks the type, then clears O_NONBLOCK. */
static rd_status open_checked(const char *path, int flags, int *fd, const char *what, rd_error *err) {
    *fd = -1;
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) return not_regular(path, err);
    int f = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0666);
    if (f < 0) {
        int e = errno;
        rd_fail(err, RD_ERR_RUNTIME, "%s: cannot %s: %s", path, what, strerror(e));
        errno = e;
        return RD_ERR_RUNTIME;
    }
    int fl;
    if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(f);
        return not_regular(path, err);
    }
    if ((fl = fcntl(f, F_GETFL)) == -1 || fcntl(f, F_SETFL, fl & ~O_NONBLOCK) == -1) {
        int e = errno;
        close(f);
        rd_fail(err, RD_ERR_RUNTIME, "%s: cannot %s: %s", path, what, strerror(e));
        errno = e;
        return RD_ERR_RUNTIME;
    }
    *fd = f;
    return RD_OK;
}

rd_status rd_open_regular(const char *path, int *fd, rd_error *err) {
    return open_checked(path, O_RDONLY, fd, "open", err);
}

rd_status rd_fopen_regular(const char *path, FILE **f, rd_error *err) {
    int fd;
    *f = NULL;
    rd_status st = rd_open_regular(path, &fd, err);
    if (st) return st;
    if (!(*f = fdopen(fd, "rb"))) {
        int e = errno;
        close(fd);
        rd_fail(err, RD_ERR_RUNTIME, "%s: cannot open: %s", path, strerror(e));
        errno = e;
        return RD_ERR_RUNTIME;
    }
    return RD_OK;
}

rd_status rd_read_file(const char *path, unsigned char **data, size_t *len, rd_error *err) {
    *data = NULL;
    *len = 0;
    int fd;
    rd_status st = rd_open_regular(path, &fd, err);
    if (st) return st;
    /* the size is a hint: the loop reads to the end, whatever it is now */
    struct stat info;
    size_t cap = fstat(fd, &info) == 0 && info.st_size > 0 ? (size_t)info.st_size + 1 : 4096, n = 0;
    unsigned char *p = rd_malloc(cap, 1);
    for (;;) {
        if (rd_interrupted()) { /* a large file stops between chunks */
            close(fd);
            free(p);
            return rd_fail(err, RD_ERR_RUNTIME, "%s: interrupted while reading it", path);
        }
        if (n == cap) p = rd_realloc(p, cap *= 2, 1);
        ssize_t r = read(fd, p + n, cap - n < (16 << 20) ? cap - n : (16 << 20));
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

rd_status rd_open_append(const char *path, int *fd, rd_error *err) {
    return open_checked(path, O_WRONLY | O_APPEND | O_CREAT, fd, "append to", err);
}

rd_status rd_append_file(const char *path, const void *data, size_t len, rd_error *err) {
    int fd;
    rd_status st = rd_open_append(path, &fd, err);
    if (st) return st;
    /* a failed write is cut back off: no half line for a reader to trip on */
    struct stat before;
    int sized = fstat(fd, &before) == 0;
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            if (sized && ftruncate(fd, before.st_size) != 0) {
                /* the write's error is the one to report */
            }
            close(fd);
            return rd_fail(err, RD_ERR_RUNTIME, "%s: write failed: %s", path, strerror(e));
        }
        p += w;
        len -= (size_t)w;
    }
    if (close(fd) != 0) return rd_fail(err, RD_ERR_RUNTIME, "%s: write failed: %s", path, strerror(errno));
    return RD_OK;
}
