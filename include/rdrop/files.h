/* Files rdrop reads and writes, opened so that hostile or careless paths
 * cannot hang it or destroy what they name (docs/reliability.md):
 *   - a file to read is opened without blocking and used only when it is a
 *     regular file (or a symlink to one): never a FIFO, a device, a folder;
 *   - a file written whole goes to a temporary file next to it, every write
 *     checked, flushed to disk, then renamed over it: the old file or the new
 *     one, never half of one. A symlink is kept and its target replaced; a
 *     device, FIFO, folder or socket is refused, not replaced;
 *   - a file appended to must be a regular file, and every write is checked;
 *   - a folder is locked while one rdrop works in it.
 * Messages start with the path the caller gave. */
#ifndef RDROP_FILES_H
#define RDROP_FILES_H
#include <stddef.h>
#include <stdio.h>

#include "rdrop/error.h"

/* Opens path read-only (close-on-exec). A FIFO or device is not even opened
 * for reading: "PATH: not a regular file". On failure *fd is -1, err holds
 * "PATH: not a regular file" or "PATH: cannot open: REASON" (RD_ERR_RUNTIME),
 * and errno is the open's error, or 0 for a file that is not regular (so a
 * caller can word an open failure its own way). */
rd_status rd_open_regular(const char *path, int *fd, rd_error *err);
/* The same as a FILE * ("rb"); *f is NULL on failure. */
rd_status rd_fopen_regular(const char *path, FILE **f, rd_error *err);
/* The whole of a regular file into *data (malloc'd, the caller frees) and
 * its size into *len. */
rd_status rd_read_file(const char *path, unsigned char **data, size_t *len, rd_error *err);

/* Would rd_replace_file accept path? Checks the destination only: a regular
 * file, a symlink to one, or nothing yet ("PATH: not a regular file; not
 * replaced" otherwise). For commands to refuse a bad output before working. */
rd_status rd_replace_check(const char *path, rd_error *err);
/* Replaces path with data[0..len) atomically and durably (temporary file,
 * checked writes, fsync, rename, fsync of the folder). A symlink's target is
 * replaced and the link kept. On any failure the temporary file is removed
 * and the old file is left as it was. A replaced file keeps its permissions;
 * a new one gets 0666 minus the umask. In a command that lets a stop request
 * cancel its writes (rd_stop_cancels_writes), a signal ends a long write:
 * "PATH: interrupted; not written". */
rd_status rd_replace_file(const char *path, const void *data, size_t len, rd_error *err);

/* rd_replace_file in two halves, for files that must change together (a
 * new run's config.ini and metrics.csv): rd_stage_file does everything but
 * the rename (its errors leave no temporary file behind); rd_stage_commit
 * renames it over path; rd_stage_abort removes it. */
#include <limits.h>
typedef struct {
    char path[PATH_MAX];       /* as the caller gave it, for messages */
    char target[PATH_MAX];     /* what is replaced: path, or a symlink's target */
    char tmp[PATH_MAX + 32];   /* the temporary file ("" once committed or removed) */
    int exists;
} rd_staged_file;
rd_status rd_stage_file(rd_staged_file *s, const char *path, const void *data, size_t len, rd_error *err);
rd_status rd_stage_commit(rd_staged_file *s, rd_error *err);
void rd_stage_abort(rd_staged_file *s);

/* Text written whole: print into b.f (memory), then rd_text_replace writes
 * it with rd_replace_file. */
typedef struct {
    FILE *f;
    char *data;
    size_t len;
} rd_text;
void rd_text_open(rd_text *b); /* out of memory: exits, like rd_malloc */
rd_status rd_text_replace(rd_text *b, const char *path, rd_error *err); /* also frees b */
void rd_text_free(rd_text *b);

/* Appends data[0..len) to path (created 0666 minus the umask when missing),
 * which must be a regular file; every write and the close are checked. */
rd_status rd_append_file(const char *path, const void *data, size_t len, rd_error *err);
/* Opens path to append, for a child process's log: a regular file only, the
 * descriptor close-on-exec. */
rd_status rd_open_append(const char *path, int *fd, rd_error *err);

/* Locks folder dir for this process (a lock on dir/.lock, which is created),
 * without waiting: "DIR is in use by another rdrop (pid N)" (RD_ERR_RUNTIME)
 * when another process holds it. *fd is the lock until rd_unlock_dir (or the
 * process ends); it is close-on-exec, so child processes do not hold it. */
rd_status rd_lock_dir(const char *dir, int *fd, rd_error *err);
void rd_unlock_dir(int fd);

/* mkdir -p: path and every missing folder above it (0755). */
rd_status rd_make_dirs(const char *path, rd_error *err);

/* A run folder's path leaves room for the names rdrop writes in it
 * (metrics.csv.tmp.PID.K) within PATH_MAX: longer ones are refused up front
 * rather than cut short by a path buffer. */
#define RD_MAX_RUN_DIR 3800
rd_status rd_check_run_dir(const char *dir, rd_error *err);

#endif
