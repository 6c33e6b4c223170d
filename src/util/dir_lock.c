/* One rdrop at a time in a folder: a POSIX record lock (fcntl F_SETLK) on
 * DIR/.lock. The kernel drops it when the process ends, however it ends, so
 * a killed run leaves no stale lock; F_GETLK names the holder's pid. (A
 * record lock, not flock: it is not inherited by fork, and NFS honours it.
 * Its one trap, that closing any descriptor of the file drops it, does not
 * apply: only this file opens .lock.) */
#include "rdrop/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

rd_status rd_lock_dir(const char *dir, int *fd, rd_error *err) {
    char path[4200];
    *fd = -1;
    if (snprintf(path, sizeof path, "%s/.lock", dir) >= (int)sizeof path)
        return rd_fail(err, RD_ERR_USAGE, "%.100s...: path too long", dir);
    /* a planted device, FIFO or link is neither opened nor followed */
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: not a regular file", path);
    int f = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0666);
    if (f < 0)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot create the lock file %s: %s", dir, path,
                       errno == ELOOP ? "it is a symlink" : strerror(errno));
    if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(f);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: not a regular file", path);
    }
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(f, F_SETLK, &l) == 0) {
        *fd = f;
        return RD_OK;
    }
    int e = errno;
    if (e != EACCES && e != EAGAIN) {
        close(f);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot lock %s: %s", dir, path, strerror(e));
    }
    struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    char pid[48] = "";
    if (fcntl(f, F_GETLK, &who) == 0 && who.l_type != F_UNLCK && who.l_pid > 0)
        snprintf(pid, sizeof pid, " (pid %ld)", (long)who.l_pid);
    close(f);
    return rd_fail(err, RD_ERR_RUNTIME, "%s is in use by another rdrop%s", dir, pid);
}

void rd_unlock_dir(int fd) {
    if (fd >= 0) close(fd);
}

rd_status rd_make_dirs(const char *path, rd_error *err) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return rd_fail(err, RD_ERR_USAGE, "%s: path too long", path);
    for (char *p = buf + 1;; p++) {
        char c = *p;
        if (c == '/' || c == 0) {
            *p = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot create folder: %s", buf, strerror(errno));
            *p = c;
        }
        if (!c) return RD_OK;
    }
}

rd_status rd_check_run_dir(const char *dir, rd_error *err) {
    size_t n = strlen(dir);
    if (!n) return rd_fail(err, RD_ERR_USAGE, "the run folder's path is empty");
    if (n > RD_MAX_RUN_DIR)
        return rd_fail(err, RD_ERR_USAGE, "%s: a path of %zu characters; a run folder's may have at most %d", dir, n,
                       RD_MAX_RUN_DIR);
    return RD_OK;
}
