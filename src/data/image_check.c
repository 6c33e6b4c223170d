/* Checks on an image file before it is decoded. stb_image reads many formats
 * and trusts some of their fields; rdrop promises PNG, JPEG and BMP, so only
 * those pass, and JPEG Huffman tables are checked because stb_image 2.27 (the
 * Debian version) overflows its tables on one that declares more than 256
 * codes (found by tests/fuzz/fuzz_image.c; fixed upstream in 2.28). */
#include "data/image_check.h"

#include "rdrop/files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stb_image.h>

rd_status rd_image_read_file(const char *path, uint8_t **data, size_t *len, rd_error *err) {
    *data = NULL;
    *len = 0;
    FILE *f;
    rd_status st = rd_fopen_regular(path, &f, err); /* not a FIFO, not /dev/zero */
    if (st) return st;
    size_t cap = 1 << 16, n = 0;
    uint8_t *p = rd_malloc(cap, 1);
    for (;;) {
        n += fread(p + n, 1, cap - n, f);
        if (n < cap || n > RD_IMAGE_MAX_BYTES) break;
        p = rd_realloc(p, cap *= 2, 1);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad || n > RD_IMAGE_MAX_BYTES) {
        free(p);
        return bad ? rd_fail(err, RD_ERR_RUNTIME, "%s: read error", path)
                   : rd_fail(err, RD_ERR_RUNTIME, "%s: larger than %u MiB: not read as an image",
                             path, RD_IMAGE_MAX_BYTES >> 20);
    }
    *data = p;
    *len = n;
    return RD_OK;
}

const char *rd_image_failure_reason(void) {
    const char *why = stbi_failure_reason();
    return why && why[0] ? why : "corrupt or truncated data"; /* stb leaves some cases blank */
}

/* Every JPEG Huffman table must declare at most 256 codes. stb_image looks
 * for markers byte by byte (it skips junk between segments, and reads tables
 * after a scan too), so rather than follow the segment structure, every
 * FF C4 (DHT marker) anywhere in the file is checked. Scan data never holds
 * FF C4 (an FF there is followed by 00), so valid files pass. */
static int jpeg_tables_ok(const uint8_t *d, size_t len) {
    for (size_t pos = 0; pos + 4 <= len; pos++) {
        if (d[pos] != 0xFF || d[pos + 1] != 0xC4) continue;
        long left = ((long)d[pos + 2] << 8 | d[pos + 3]) - 2; /* bytes of tables */
        size_t t = pos + 4;
        while (left > 0 && t < len) { /* one table: class/id, 16 counts, values */
            long codes = 0; /* stb_image reads bytes past the end as 0 */
            for (size_t i = t + 1; i <= t + 16 && i < len; i++) codes += d[i];
            if (codes > 256) return 0;
            t += 17 + (size_t)codes;
            left -= 17 + codes;
        }
    }
    return 1;
}

/* The size a PNG, BMP or JPEG header claims, read here rather than by
 * stb_image, which gives up on a size beyond its own limits with a reason
 * that does not say so ("unknown image type"). 0 when the header is too
 * short to tell (stb_image then says what is wrong). */
static int claimed_size(const uint8_t *d, size_t len, int png, int bmp, long *w, long *h) {
    if (png && len >= 24) { /* IHDR: width, height, big-endian, at 16 */
        *w = (long)d[16] << 24 | (long)d[17] << 16 | (long)d[18] << 8 | d[19];
        *h = (long)d[20] << 24 | (long)d[21] << 16 | (long)d[22] << 8 | d[23];
        return 1;
    }
    if (bmp && len >= 26) { /* BITMAPINFOHEADER: signed, little-endian, at 18 */
        *w = (int32_t)((uint32_t)d[18] | (uint32_t)d[19] << 8 | (uint32_t)d[20] << 16 | (uint32_t)d[21] << 24);
        *h = (int32_t)((uint32_t)d[22] | (uint32_t)d[23] << 8 | (uint32_t)d[24] << 16 | (uint32_t)d[25] << 24);
        *h = *h < 0 ? -*h : *h; /* a top-down BMP stores its height negative */
        return 1;
    }
    for (size_t p = 2; !png && !bmp && p + 9 <= len;) { /* JPEG: walk the segments to a start of frame */
        if (d[p] != 0xFF) return 0;
        uint8_t m = d[p + 1];
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            *h = (long)d[p + 5] << 8 | d[p + 6];
            *w = (long)d[p + 7] << 8 | d[p + 8];
            return 1;
        }
        p += 2 + ((size_t)d[p + 2] << 8 | d[p + 3]);
    }
    return 0;
}

rd_status rd_image_check(const char *path, const uint8_t *d, size_t len, size_t max_pixels, rd_error *err) {
    static const uint8_t PNG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    int png = len >= 8 && !memcmp(d, PNG, 8);
    int jpeg = len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;
    int bmp = len >= 2 && d[0] == 'B' && d[1] == 'M';
    if (!png && !jpeg && !bmp)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: not a PNG, JPEG or BMP file", path);
    if (jpeg && !jpeg_tables_ok(d, len))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: corrupt JPEG: a Huffman table is malformed", path);
    if (max_pixels == 0 || max_pixels > RD_IMAGE_MAX_PIXELS) max_pixels = RD_IMAGE_MAX_PIXELS;
    long cw, ch;
    if (claimed_size(d, len, png, bmp, &cw, &ch) &&
        (cw > RD_IMAGE_MAX_SIDE || ch > RD_IMAGE_MAX_SIDE || (double)cw * (double)ch > (double)max_pixels))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: its header says %ldx%ld pixels: too large (at most %d a side, %zu "
                       "Mpixels)", path, cw, ch, RD_IMAGE_MAX_SIDE, max_pixels >> 20);
    int w, h, comp;
    if (len > 0x7fffffff || !stbi_info_from_memory(d, (int)len, &w, &h, &comp))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot read image: %s", path,
                       rd_image_failure_reason());
    /* a top-down BMP stores its height negative, and stb_image passes that on
     * here (its loader flips the rows itself) */
    if (bmp && h < 0 && h > -RD_IMAGE_MAX_SIDE - 1) h = -h;
    if (w < 1 || h < 1)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: image of %dx%d pixels has no pixels to read", path, w, h);
    if (w > RD_IMAGE_MAX_SIDE || h > RD_IMAGE_MAX_SIDE || (size_t)w * (size_t)h > max_pixels)
        return rd_fail(err, RD_ERR_RUNTIME,
                       "%s: image of %dx%d pixels is too large (at most %d a side, %zu Mpixels)",
                       path, w, h, RD_IMAGE_MAX_SIDE, max_pixels >> 20);
    return RD_OK;
}
