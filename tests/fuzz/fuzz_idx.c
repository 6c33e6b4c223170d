/* libFuzzer target: the IDX reader, raw and gzip.
 * Byte 0 picks the case: bit 0 = a label file (1 dimension) instead of an
 * image file (3), bit 1 = gzip-compress the rest first, so the fuzzer can
 * shape the IDX content inside a valid gzip stream (raw inputs still reach
 * zlib with broken gzip streams of their own); bit 2 = also read it keeping
 * every other sample (the subset read, rd_idx_read_rows with a mask), which
 * must succeed or fail exactly as the whole read and give its rows. */
#include <zlib.h>

#include "data/idx.h"
#include "fuzz_util.h"

static int fuzz_one(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int mode = data[0], ndims = mode & 1 ? 1 : 3;
    const char *path = fuzz_path("input.idx");
    if (mode & 2) {
        gzFile gz = gzopen(path, "wb");
        if (!gz || (size > 1 && gzwrite(gz, data + 1, (unsigned)(size - 1)) == 0) ||
            gzclose(gz) != Z_OK)
            abort();
    } else {
        fuzz_write(path, data + 1, size - 1);
    }
    uint32_t dims[3];
    uint8_t *payload = NULL;
    rd_error err = {0};
    rd_status st = rd_idx_read(path, ndims, ndims == 3 ? "image" : "label", dims, &payload, &err);
    if (st != RD_OK) {
        fuzz_check_error(st, &err, path);
        if (payload) abort(); /* promised NULL on error */
        return 0;
    }
    /* Success: the payload is exactly dims[0]*dims[1]*dims[2] readable bytes. */
    size_t n = (size_t)dims[0] * dims[1] * dims[2];
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) sum += payload[i];
    if (mode & 4) {
        rd_idx_file x;
        if (rd_idx_open(&x, path, ndims, "image", &err) != RD_OK) abort();
        size_t rows = x.dims[0], row = x.row, kept = (rows + 1) / 2;
        uint8_t *keep = calloc(rows, 1), *some = NULL;
        for (size_t i = 0; i < rows; i += 2) keep[i] = 1;
        if (rd_idx_read_rows(&x, keep, kept, &some, &err) != RD_OK) abort(); /* the whole read succeeded */
        for (size_t i = 0, j = 0; i < rows; i += 2, j++)
            if (memcmp(some + j * row, payload + i * row, row) != 0) abort();
        rd_idx_close(&x);
        free(keep);
        free(some);
    }
    free(payload);
    return (int)(sum & 0); /* sum read so ASan checks every byte */
}
