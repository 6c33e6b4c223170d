/* Internal: what an image file must pass before stb_image decodes it. */
#ifndef RDROP_DATA_IMAGE_CHECK_H
#define RDROP_DATA_IMAGE_CHECK_H
#include <stddef.h>
#include <stdint.h>

#include "rdrop/error.h"

#define RD_IMAGE_MAX_BYTES (64u << 20)   /* largest image file read */
#define RD_IMAGE_MAX_SIDE 16384          /* largest width or height decoded */
#define RD_IMAGE_MAX_PIXELS (40u << 20)  /* largest width*height decoded */

/* Reads path whole (at most RD_IMAGE_MAX_BYTES) into *data (caller frees). */
rd_status rd_image_read_file(const char *path, uint8_t **data, size_t *len, rd_error *err);

/* Accepts PNG, JPEG and BMP only (by their first bytes), with a size within
 * the limits above (and at most max_pixels, when not 0), read from the
 * header, so a small file cannot ask for a huge allocation. */
rd_status rd_image_check(const char *path, const uint8_t *data, size_t len, size_t max_pixels, rd_error *err);

/* stb_image's reason for the last failure, never empty. */
const char *rd_image_failure_reason(void);

#endif
