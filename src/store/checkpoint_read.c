/* Reading a checkpoint: every size is checked before it is trusted. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "rdrop/checkpoint.h"
#include "rdrop/files.h"

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

/* Values the writer can never produce: the file was damaged or made by hand.
 * Each would fail later and less clearly (an all-zero generator state even
 * stops xoshiro for good: it only ever returns 0). */
static const char *bad_moments(const rd_optim *o, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) {
        if (!isfinite(o->m[i])) return "an optimizer moment is not finite";
        if (o->v && !(isfinite(o->v[i]) && o->v[i] >= 0)) return "an Adam second moment is negative or not finite";
    }
    return NULL;
}

static int zero_rng(const rd_rng *r) { return !(r->s[0] | r->s[1] | r->s[2] | r->s[3]); }

static const char *bad_state(const rd_ckpt_state *s) {
    if (zero_rng(&s->data_rng) || zero_rng(&s->drop_rng)) return "a random generator state is all zero";
    const double *u = s->sums;
    for (int i = 0; i < RD_N_SUMS; i++)
        if (!isfinite(u[i])) return "a running sum of the epoch is not finite";
    if (u[RD_SUM_BATCHES] < 0 || u[RD_SUM_ROWS] < 0 || u[RD_SUM_SECONDS] < 0 || u[RD_SUM_LOSS2] < 0 ||
        u[RD_SUM_CORRECT] < 0 || u[RD_SUM_CORRECT] > u[RD_SUM_ROWS] || u[RD_SUM_BATCHES] != s->batch)
        return "the running sums of the epoch are inconsistent";
    if (!(s->best_val_acc == -1.0 || (s->best_val_acc >= 0 && s->best_val_acc <= 1)))
        return "invalid best validation accuracy";
    if (s->best_epoch < 0 || s->best_epoch > s->epoch) return "invalid best epoch";
    const rd_ckpt_run *r = &s->run;
    /* all zero: no run has used the model yet (rdrop import); only a
     * mid-epoch resume reads these */
    int no_run = !r->batch_size && !r->train_subset && !r->subset_random && !r->val_size && !r->train_n &&
                 !r->seed && s->batch == 0;
    if (s->version >= 2 && !no_run && (r->batch_size < 1 || r->train_subset < 0 || (r->subset_random & ~1) ||
                            r->val_size < 0 || r->train_n < 1))
        return "invalid run settings";
    return NULL;
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
    if (version < 1 || version > RD_CKPT_VERSION)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: checkpoint version %u, this rdrop reads versions 1 to %d",
                       path, version, RD_CKPT_VERSION);
    s->version = (int)version;
    if (b->len < b->pos + 4) return TRUNC();
    uint32_t stored;
    memcpy(&stored, b->p + b->len - 4, 4);
    if ((uint32_t)crc32_z(0L, b->p, b->len - 4) != stored)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: CRC32 mismatch: the file is corrupt or truncated", path);
    b->len -= 4;

    int32_t arch[4 + RD_MAX_HIDDEN];
    float f[4] = {0, 0, 0, 0}; /* version 1 has no input dropout */
    uint64_t n;
    if (!GET(b, arch) || !get(b, f, (version >= 2 ? 4 : 3) * sizeof(float)) || !GET(b, n)) return TRUNC();
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
    s->input_dropout = f[3];
    if (!(f[0] >= 0 && f[0] < 1) || !(f[3] >= 0 && f[3] < 1))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: dropout %g / input dropout %g not in [0, 1)", path, f[0], f[3]);
    if (!isfinite(f[1]) || !(isfinite(f[2]) && f[2] > 0))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: invalid input normalization (mean %g, std %g)", path, f[1], f[2]);
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
    m->input_dropout = s->input_dropout;
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
    const char *bad = ok ? bad_moments(opt, n) : NULL;
    if (!o) rd_optim_free(&tmp);
    if (!ok) return TRUNC();
    if (bad) return rd_fail(err, RD_ERR_RUNTIME, "%s: %s", path, bad);

    int32_t pos[2], best, run[5] = {0, 0, 0, 0, 0};
    int64_t step;
    uint64_t seed = 0;
    if (!GET(b, pos) || !GET(b, step) || !GET(b, s->data_rng.s) || !GET(b, s->drop_rng.s) ||
        !GET(b, s->sums) || !GET(b, s->best_val_acc) || !GET(b, best))
        return TRUNC();
    if (version >= 2 && (!GET(b, run) || !GET(b, seed))) return TRUNC();
    if (b->pos != b->len) return rd_fail(err, RD_ERR_RUNTIME, "%s: %zu unexpected bytes at the end", path, b->len - b->pos);
    if (pos[0] < 0 || pos[1] < 0 || step < 0)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: invalid training position", path);
    s->epoch = pos[0];
    s->batch = pos[1];
    s->step = step;
    s->best_epoch = best;
    s->run = (rd_ckpt_run){run[0], run[1], run[2], run[3], run[4], seed};
    bad = bad_state(s);
    if (bad) return rd_fail(err, RD_ERR_RUNTIME, "%s: %s", path, bad);
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
    rd_status st = rd_read_file(path, &data, &len, err);
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
