/* Replacing a whole file: the one way rdrop writes its outputs (checkpoints,
 * config.ini, metrics.csv when it is rewritten, results.csv, report.md, the
 * PNGs). A temporary file in the destination's folder is written with every
 * write checked, flushed to disk and renamed over the destination, so a
 * kill or a full disk leaves the old file or the new one. The destination is
 * looked at first: rename() would put a regular file in place of a symlink
 * (losing the link) or of a device node (/dev/null, as root), so a symlink's
 * target is replaced instead, and anything that is not a regular file is
 * refused. */
#include "rdrop/files.h"
#include "rdrop/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_LINKS = 40 }; /* as the kernel's ELOOP limit */

/* What path resolves to, following symlinks one by one: *target (PATH_MAX
 * bytes) is the file to replace, and *exists, *mode whether it exists and
 * its permissions. A symlink to a missing file resolves to that file. */
static rd_status resolve(const char *path, char *target, int *exists, mode_t *mode, rd_error *err) {
    *exists = 0;
    if (strlen(path) >= PATH_MAX) return rd_fail(err, RD_ERR_RUNTIME, "%.100s...: path too long", path);
    strcpy(target, path);
    for (int hops = 0;; hops++) {
        struct stat st;
        if (lstat(target, &st) != 0) {
            if (errno == ENOENT) return RD_OK;
            return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
        }
        if (S_ISREG(st.st_mode)) {
            *exists = 1;
            *mode = st.st_mode & 07777;
            return RD_OK;
        }
        if (!S_ISLNK(st.st_mode)) return rd_fail(err, RD_ERR_RUNTIME, "%s: not a regular file; not replaced", path);
        if (hops == MAX_LINKS) return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(ELOOP));
        char link[PATH_MAX], next[PATH_MAX];
        ssize_t n = readlink(target, link, sizeof link - 1);
        if (n < 0) return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot read the symlink: %s", path, strerror(errno));
        link[n] = 0;
        const char *slash = strrchr(target, '/');
        int k = link[0] == '/' || !slash ? snprintf(next, sizeof next, "%s", link)
                                         : snprintf(next, sizeof next, "%.*s/%s", (int)(slash - target), target, link);
        if (k < 0 || k >= (int)sizeof next) return rd_fail(err, RD_ERR_RUNTIME, "%s: symlink target too long", path);
        strcpy(target, next);
    }
}

rd_status rd_replace_check(const char *path, rd_error *err) {
    char target[PATH_MAX];
    int exists;
    mode_t mode;
    return resolve(path, target, &exists, &mode, err);
}

/* Creates a new temporary file next to target: target.tmp.PID[.K], never an
 * existing name (O_EXCL), never through a symlink (O_NOFOLLOW). */
static int create_temp(const char *target, char *tmp, size_t size, mode_t mode) {
    for (int k = 0; k < 100; k++) {
        int n = k ? snprintf(tmp, size, "%s.tmp.%ld.%d", target, (long)getpid(), k)
                  : snprintf(tmp, size, "%s.tmp.%ld", target, (long)getpid());
        if (n < 0 || (size_t)n >= size) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1;
}

/* Writes in chunks, so that a stop request can end a long write when the
 * command allows it (rd_stop_cancels_writes): then errno is EINTR. */
static int write_all(int fd, const void *data, size_t len) {
    enum { CHUNK = 16 << 20 };
    const char *p = data;
    while (len > 0) {
        if (rd_writes_cancelled()) {
            errno = EINTR;
            return -1;
        }
        ssize_t w = write(fd, p, len < CHUNK ? len : CHUNK);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (w == 0) errno = ENOSPC;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Makes the rename durable. Some file systems cannot fsync a folder
 * (EINVAL); by then the new file is in place, so this is best effort. */
static void sync_folder(const char *target) {
    char dir[PATH_MAX];
    const char *slash = strrchr(target, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else snprintf(dir, sizeof dir, "%.*s", slash == target ? 1 : (int)(slash - target), target);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    if (fsync(fd) != 0) {
        /* see above */
    }
    close(fd);
}

rd_status rd_stage_file(rd_staged_file *s, const char *path, const void *data, size_t len, rd_error *err) {
    memset(s, 0, sizeof *s);
    mode_t mode = 0666;
    rd_status st = resolve(path, s->target, &s->exists, &mode, err);
    if (st) return st;
    snprintf(s->path, sizeof s->path, "%s", path);
    const char *kept = s->exists ? "; the old file is kept" : "";
    int fd = create_temp(s->target, s->tmp, sizeof s->tmp, s->exists ? mode : 0666);
    if (fd < 0) {
        s->tmp[0] = 0;
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot create a temporary file: %s", path, strerror(errno));
    }
    const char *step = NULL;
    if (s->exists && fchmod(fd, mode) != 0) step = "cannot keep its permissions";
    else if (write_all(fd, data, len) != 0) step = errno == EINTR ? "interrupted" : "write failed";
    else if (fsync(fd) != 0) step = "flush to disk failed";
    int e = errno;
    if (close(fd) != 0 && !step) {
        step = "write failed";
        e = errno;
    }
    if (step) {
        rd_stage_abort(s);
        if (e == EINTR) return rd_fail(err, RD_ERR_RUNTIME, "%s: interrupted; not written%s", path, kept);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: %s: %s%s", path, step, strerror(e), kept);
    }
    return RD_OK;
}

rd_status rd_stage_commit(rd_staged_file *s, rd_error *err) {
    if (rename(s->tmp, s->target) != 0) {
        int e = errno;
        rd_stage_abort(s);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot replace it: %s%s", s->path, strerror(e),
                       s->exists ? "; the old file is kept" : "");
    }
    s->tmp[0] = 0;
    sync_folder(s->target);
    return RD_OK;
}

void rd_stage_abort(rd_staged_file *s) {
    if (s->tmp[0]) unlink(s->tmp);
    s->tmp[0] = 0;
}

rd_status rd_replace_file(const char *path, const void *data, size_t len, rd_error *err) {
    rd_staged_file s;
    rd_status st = rd_stage_file(&s, path, data, len, err);
    return st ? st : rd_stage_commit(&s, err);
}

void rd_text_open(rd_text *b) {
    b->data = NULL;
    b->len = 0;
    b->f = open_memstream(&b->data, &b->len);
    if (!b->f) {
        fprintf(stderr, "rdrop: out of memory opening a text buffer\n");
        exit(1);
    }
}

void rd_text_free(rd_text *b) {
    if (b->f) fclose(b->f);
    free(b->data);
    b->f = NULL;
    b->data = NULL;
    b->len = 0;
}

rd_status rd_text_replace(rd_text *b, const char *path, rd_error *err) {
    int bad = ferror(b->f);
    if (fclose(b->f) != 0) bad = 1;
    b->f = NULL;
    rd_status st = bad ? rd_fail(err, RD_ERR_RUNTIME, "%s: out of memory while writing it", path)
                       : rd_replace_file(path, b->data, b->len, err);
    rd_text_free(b);
    return st;
}
