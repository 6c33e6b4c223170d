/* Internal: reading one IDX file (raw or gzip). Used by idx_load.c. */
#ifndef RDROP_DATA_IDX_H
#define RDROP_DATA_IDX_H
#include <stddef.h>
#include <stdint.h>

#include "rdrop/error.h"

/* Reads an IDX file of unsigned bytes with `ndims` dimensions (1 or 3).
 * `what` names the content for messages ("image", "label"). Checks the magic,
 * the number of dimensions, each size (dims[0] = count in 1..RD_IDX_MAX_COUNT,
 * further dims in 1..RD_IDX_MAX_SIDE), and that the data is exactly as long as
 * the header says. On success *data (caller frees) holds the payload. */
rd_status rd_idx_read(const char *path, int ndims, const char *what, uint32_t dims[3],
                      uint8_t **data, rd_error *err);

#endif
