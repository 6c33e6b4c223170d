/* Reading one IDX file. zlib (gzdopen) reads gzip and plain files alike; we give it a
 * big input buffer and ask for the whole payload in large gzread calls, so
 * inflate writes straight into our array (MNIST train loads in ~0.2 s).
 * Limit: zlib's gzread silently skips non-gzip bytes after the compressed
 * stream, so only extra bytes inside the (decompressed) data are reported
 * as trailing; data/fetch-mnist.sh catches the other kind with gzip -t. */
#include "idx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "rdrop/data.h"
#include "rdrop/files.h"
#include "rdrop/signals.h"

#define GZ_BUFFER (1u << 20) /* zlib input buffer */
#define CHUNK (1u << 26)     /* bytes per gzread call (fits its unsigned length) */
#define FIRST_ALLOC (4u << 20) /* then doubling; realloc of big blocks is cheap */
#define STREAM_BLOCK (1u << 22) /* bytes read at a time when only some rows are kept */

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads up to len bytes and returns how many; *bad = 1 on a read or
 * decompression error (bytes before the error still count). */
static size_t read_some(gzFile f, uint8_t *buf, size_t len, int *bad) {
    size_t got = 0;
    while (got < len) {
        size_t want = len - got < CHUNK ? len - got : CHUNK;
        int r = gzread(f, buf + got, (unsigned)want);
        if (r <= 0) break;
        got += (size_t)r;
    }
    /* zlib may report a cut-short stream as a short read, not as r < 0. */
    int code = Z_OK;
    gzerror(f, &code);
    if (code != Z_OK) *bad = 1;
    return got;
}

/* zlib's message, without the "path: " prefix it adds (our messages have it). */
static const char *gz_reason(gzFile f, const char *path) {
    int code = 0;
    const char *msg = gzerror(f, &code);
    if (code == Z_ERRNO) return strerror(errno);
    size_t n = strlen(path);
    if (!strncmp(msg, path, n) && !strncmp(msg + n, ": ", 2)) msg += n + 2;
    return msg;
}

/* A gzip stream that stops early is a truncated file, not an I/O error. */
static int gz_cut_short(gzFile f) {
    int code = 0;
    gzerror(f, &code);
    return code == Z_BUF_ERROR;
}

/* Checks the header's magic, then (when all hlen header bytes were read) the
 * sizes. Returns the payload length in *bytes. */
static rd_status check_header(const char *path, const unsigned char *h, size_t got, int ndims,
                              const char *what, uint32_t dims[3], size_t *bytes, rd_error *err) {
    size_t hlen = 4 + 4 * (size_t)ndims;
    if (got < 4) goto short_header; /* a wrong magic says more than "too short" */
    uint32_t magic = be32(h);
    uint32_t want = 0x800u | (uint32_t)ndims;
    if ((magic & 0xFFFFFF00u) != 0x800u)
        return rd_fail(err, RD_ERR_RUNTIME,
                       "%s: bad magic 0x%08x: not an IDX file of unsigned bytes "
                       "(expected 0x%08x for %s data)",
                       path, magic, want, what);
    if (magic != want)
        return rd_fail(err, RD_ERR_RUNTIME,
                       "%s: wrong number of dimensions: header says %u, %s data needs %d "
                       "(magic 0x%08x, expected 0x%08x)",
                       path, magic & 0xFFu, what, ndims, magic, want);
    if (got < hlen) goto short_header;
    size_t total = 1;
    for (int i = 0; i < ndims; i++) {
        dims[i] = be32(h + 4 + 4 * i);
        uint32_t max = i == 0 ? RD_IDX_MAX_COUNT : RD_IDX_MAX_SIDE;
        if (dims[i] == 0 || dims[i] > max)
            return rd_fail(err, RD_ERR_RUNTIME,
                           "%s: bad size: dimension %d is %u, must be 1..%u (%s)", path, i,
                           dims[i], max, i == 0 ? "sample count" : "image side");
        if (rd_mul_overflows(total, dims[i]))
            return rd_fail(err, RD_ERR_RUNTIME, "%s: bad size: payload size overflows", path);
        total *= dims[i];
    }
    for (int i = ndims; i < 3; i++) dims[i] = 1;
    *bytes = total;
    return RD_OK;
short_header:
    return rd_fail(err, RD_ERR_RUNTIME,
                   "%s: truncated: %zu bytes, shorter than the %zu-byte IDX header", path, got,
                   hlen);
}

static rd_status describe_short(const char *path, int ndims, const char *what,
                                const uint32_t dims[3], size_t bytes, size_t got, int cut,
                                rd_error *err) {
    const char *how = cut ? " (the gzip stream ends early)" : "";
    if (ndims == 3)
        return rd_fail(err, RD_ERR_RUNTIME,
                       "%s: truncated: header says %u %ss of %ux%u (%zu bytes) but only %zu "
                       "bytes follow%s",
                       path, dims[0], what, dims[1], dims[2], bytes, got, how);
    return rd_fail(err, RD_ERR_RUNTIME,
                   "%s: truncated: header says %u %ss (%zu bytes) but only %zu bytes follow%s",
                   path, dims[0], what, bytes, got, how);
}

rd_status rd_idx_open(rd_idx_file *x, const char *path, int ndims, const char *what, rd_error *err) {
    memset(x, 0, sizeof *x);
    x->path = path;
    x->what = what;
    x->ndims = ndims;
    int fd;
    rd_status opened = rd_open_regular(path, &fd, err); /* a FIFO would block gzopen */
    if (opened) return opened;
    if (!(x->f = gzdopen(fd, "rb"))) {
        close(fd);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot open: out of memory", path);
    }
    gzbuffer(x->f, GZ_BUFFER);
    unsigned char h[16];
    size_t hlen = 4 + 4 * (size_t)ndims, bytes = 0;
    int bad = 0;
    size_t r = read_some(x->f, h, hlen, &bad);
    rd_status st = RD_OK;
    if (bad && !gz_cut_short(x->f))
        st = rd_fail(err, RD_ERR_RUNTIME, "%s: read error: %s", path, gz_reason(x->f, path));
    else
        st = check_header(path, h, r, ndims, what, x->dims, &bytes, err);
    if (st) {
        rd_idx_close(x);
        return st;
    }
    x->bytes = bytes;
    x->row = bytes / x->dims[0];
    return RD_OK;
}

void rd_idx_close(rd_idx_file *x) {
    if (x->f) gzclose(x->f);
    x->f = NULL;
}

/* After the payload: nothing may follow, and the gzip stream must end well. */
static rd_status check_end(rd_idx_file *x, rd_error *err) {
    unsigned char extra[4096];
    int bad = 0;
    size_t r = read_some(x->f, extra, sizeof extra, &bad);
    if (r > 0)
        return rd_fail(err, RD_ERR_RUNTIME,
                       "%s: trailing bytes: %zu%s extra bytes after the %zu bytes the header announces", x->path,
                       r, r == sizeof extra ? " or more" : "", x->bytes);
    if (bad && gz_cut_short(x->f))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: truncated: the gzip stream ends early (its trailer is missing)",
                       x->path);
    if (bad) return rd_fail(err, RD_ERR_RUNTIME, "%s: read error at the end: %s", x->path, gz_reason(x->f, x->path));
    return RD_OK;
}

rd_status rd_idx_read_rows(rd_idx_file *x, const uint8_t *keep, size_t n_keep, uint8_t **out, rd_error *err) {
    *out = NULL;
    size_t want = keep ? n_keep * x->row : x->bytes, cap = want < FIRST_ALLOC ? want : FIRST_ALLOC;
    size_t got = 0, kept = 0, row = x->row, n = x->dims[0];
    int bad = 0;
    uint8_t *buf = rd_malloc(cap ? cap : 1, 1);
    if (!keep) {
        /* all of it: inflate straight into the array, growing it as data
         * arrives, so a lying header on a short file gives "truncated", not a
         * huge allocation */
        for (;;) {
            got += read_some(x->f, buf + got, cap - got, &bad);
            if (bad || got < cap || cap == want || rd_interrupted()) break;
            cap = cap > want / 2 ? want : cap * 2;
            buf = rd_realloc(buf, cap, 1);
        }
    } else {
        /* a selection: read blocks of rows, keep the chosen ones */
        size_t block = row > STREAM_BLOCK ? row : STREAM_BLOCK / row * row;
        uint8_t *tmp = rd_malloc(block, 1);
        for (size_t i = 0; i < n && !bad && !rd_interrupted();) {
            size_t rows = (n - i) * row < block ? n - i : block / row;
            size_t r = read_some(x->f, tmp, rows * row, &bad);
            got += r;
            for (size_t j = 0; j < r / row; j++, i++) {
                if (!keep[i]) continue;
                if ((kept + 1) * row > cap) {
                    cap = cap > want / 2 ? want : cap * 2;
                    buf = rd_realloc(buf, cap, 1);
                }
                memcpy(buf + kept * row, tmp + j * row, row);
                kept++;
            }
            if (r < rows * row) break;
        }
        free(tmp);
    }
    rd_status st = RD_OK;
    if (rd_interrupted())
        st = rd_fail(err, RD_ERR_RUNTIME, "%s: reading stopped by a signal", x->path);
    else if (bad && !gz_cut_short(x->f))
        st = rd_fail(err, RD_ERR_RUNTIME, "%s: read error after %zu payload bytes: %s", x->path, got,
                     gz_reason(x->f, x->path));
    else if (got < x->bytes)
        st = describe_short(x->path, x->ndims, x->what, x->dims, x->bytes, got, bad, err);
    else
        st = check_end(x, err);
    if (st) {
        free(buf);
        return st;
    }
    *out = buf;
    return RD_OK;
}

rd_status rd_idx_read(const char *path, int ndims, const char *what, uint32_t dims[3],
                      uint8_t **data, rd_error *err) {
    *data = NULL;
    rd_idx_file x;
    rd_status st = rd_idx_open(&x, path, ndims, what, err);
    if (st) return st;
    memcpy(dims, x.dims, sizeof x.dims);
    st = rd_idx_read_rows(&x, NULL, 0, data, err);
    rd_idx_close(&x);
    return st;
}
