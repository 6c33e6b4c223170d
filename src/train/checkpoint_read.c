/* Reading a checkpoint: every size is checked before it is trusted. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "rdrop/checkpoint.h"

typedef struct {
    const unsigned char *p;
    size_t len, pos;
} rbuf;

static int get(rbuf *b, void *dst, size_t n) {
    if (n > b->len - b->pos) return 0;
    memcpy(dst, b->p + b->pos, n);
    b->pos += n;
    return 1;
}
#define GET(b, x) get((b), &(x), sizeof(x))

static rd_status read_file(const char *path, unsigned char **data, size_t *len, rd_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return rd_fail(err, RD_ERR_RUNTIME, "%s: cannot open: %s", path, strerror(errno));
    /* A device or a pipe (/dev/zero) could be endless: read regular files only. */
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: not a regular file", path);
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *p = rd_malloc(cap, 1);
    for (;;) {
        if (n == cap) p = rd_realloc(p, cap *= 2, 1);
        size_t r = fread(p + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(p);
        return rd_fail(err, RD_ERR_RUNTIME, "%s: read error", path);
    }
    *data = p;
    *len = n;
    return RD_OK;
}

static rd_status parse(const char *path, rbuf *b, rd_mlp *m, rd_optim *o, rd_ckpt_state *s,
                       rd_error *err) {
#define TRUNC() rd_fail(err, RD_ERR_RUNTIME, "%s: truncated checkpoint", path)
    char magic[8];
    uint32_t version, bom;
    if (b->len == 0) return rd_fail(err, RD_ERR_RUNTIME, "%s: empty file, not a checkpoint", path);
    /* a cut-off magic is a truncated checkpoint, not some other file */
    if (b->len < sizeof magic && memcmp(b->p, "RDROPCK", b->len) == 0) return TRUNC();
    if (!GET(b, magic) || memcmp(magic, "RDROPCK", 8) != 0)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: not an rdrop checkpoint (bad magic)", path);
    if (!GET(b, version) || !GET(b, bom)) return TRUNC();
    if (bom != 0x01020304u)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: written on a machine of the other byte order", path);
    if (version != RD_CKPT_VERSION)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: checkpoint version %u, this rdrop reads version %d",
                       path, version, RD_CKPT_VERSION);
    if (b->len < b->pos + 4) return TRUNC();
    uint32_t stored;
    memcpy(&stored, b->p + b->len - 4, 4);
    if ((uint32_t)crc32_z(0L, b->p, b->len - 4) != stored)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: CRC32 mismatch: the file is corrupt or truncated", path);
    b->len -= 4;

    int32_t arch[4 + RD_MAX_HIDDEN];
    float f[3];
    uint64_t n;
    if (!GET(b, arch) || !GET(b, f) || !GET(b, n)) return TRUNC();
    s->inputs = arch[0];
    s->n_hidden = arch[1];
    s->classes = arch[2];
    s->activation = (rd_activation)arch[3];
    if (s->n_hidden < 0 || s->n_hidden > RD_MAX_HIDDEN || (arch[3] != RD_ACT_RELU && arch[3] != RD_ACT_TANH))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: invalid architecture in header", path);
    for (int l = 0; l < s->n_hidden; l++) s->hidden[l] = arch[4 + l];
    s->dropout = f[0];
    s->norm_mean = f[1];
    s->norm_std = f[2];
    size_t expect = rd_mlp_count_params(s->inputs, s->hidden, s->n_hidden, s->classes);
    if (expect == 0)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: invalid layer sizes in header", path);
    if (n != expect)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: header says %llu parameters, architecture has %zu", path,
                       (unsigned long long)n, expect);
    if (n > (b->len - b->pos) / sizeof(float)) return TRUNC();
    rd_rng dummy;
    rd_rng_seed(&dummy, 0);
    rd_error e2;
    if (rd_mlp_init(m, s->inputs, s->hidden, s->n_hidden, s->classes, s->activation, s->dropout,
                    RD_INIT_KAIMING, &dummy, &e2))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: %s", path, e2.msg);
    get(b, m->params, n * sizeof(float));
    for (size_t i = 0; i < n; i++) /* the writer never saves these: the file is damaged */
        if (!isfinite(m->params[i]))
            return rd_fail(err, RD_ERR_RUNTIME, "%s: parameter %zu is not finite", path, i);

    int32_t okind;
    int64_t t;
    if (!GET(b, okind) || !GET(b, t)) return TRUNC();
    if (okind < RD_OPT_SGD || okind > RD_OPT_ADAMW || t < 0)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: invalid optimizer state", path);
    rd_optim tmp;
    rd_optim *opt = o ? o : &tmp;
    rd_optim_init(opt, (rd_optimizer_kind)okind, n);
    opt->t = t;
    int ok = get(b, opt->m, n * sizeof(float)) && (!opt->v || get(b, opt->v, n * sizeof(float)));
    if (!o) rd_optim_free(&tmp);
    if (!ok) return TRUNC();

    int32_t pos[2], best;
    int64_t step;
    if (!GET(b, pos) || !GET(b, step) || !GET(b, s->data_rng.s) || !GET(b, s->drop_rng.s) ||
        !GET(b, s->sums) || !GET(b, s->best_val_acc) || !GET(b, best))
        return TRUNC();
    if (b->pos != b->len) return rd_fail(err, RD_ERR_RUNTIME, "%s: %zu unexpected bytes at the end", path, b->len - b->pos);
    if (pos[0] < 0 || pos[1] < 0 || step < 0)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: invalid training position", path);
    s->epoch = pos[0];
    s->batch = pos[1];
    s->step = step;
    s->best_epoch = best;
    return RD_OK;
#undef TRUNC
}

rd_status rd_checkpoint_load(const char *path, rd_mlp *m, rd_optim *o, rd_ckpt_state *s,
                             rd_error *err) {
    unsigned char *data = NULL;
    size_t len = 0;
    memset(s, 0, sizeof *s);
    memset(m, 0, sizeof *m);
    if (o) memset(o, 0, sizeof *o);
    rd_status st = read_file(path, &data, &len, err);
    if (st) return st;
    rbuf b = {data, len, 0};
    st = parse(path, &b, m, o, s, err);
    free(data);
    if (st) {
        if (m->params) rd_mlp_free(m);
        if (o && o->m) rd_optim_free(o);
    }
    return st;
}
