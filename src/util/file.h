/* Internal: whole-file reading and atomic replacement, shared by the readers
 * and writers of model files (checkpoints, safetensors). */
#ifndef RDROP_UTIL_FILE_H
#define RDROP_UTIL_FILE_H
#include <stddef.h>

#include "rdrop/error.h"

/* Reads the whole of path into *data (malloc'd; the caller frees it) and its
 * size into *len. Regular files only: a FIFO or a device (/dev/zero) is
 * refused without blocking (opened O_NONBLOCK, then fstat). */
rd_status rd_file_read(const char *path, unsigned char **data, size_t *len, rd_error *err);

/* Replaces path with data[0..len) atomically: writes path.tmp, fsyncs it and
 * renames it over path, so path is always the old file or the new one, never
 * a part. Every write, fsync and close is checked; on failure path.tmp is
 * removed and the message names path, the reason and "(previous `what`
 * kept)". An existing path that is not a regular file (/dev/full) is refused
 * rather than replaced. */
rd_status rd_file_replace(const char *path, const void *data, size_t len, const char *what,
                          rd_error *err);

#endif
