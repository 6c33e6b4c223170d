/* Checkpoint files: serialise, CRC, atomic replace (rdrop/files.h). */
#include "rdrop/checkpoint.h"
#include "rdrop/files.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const char MAGIC[8] = "RDROPCK";
#define BOM 0x01020304u

typedef struct {
    unsigned char *p;
    size_t len, cap;
} wbuf;

static void put(wbuf *b, const void *src, size_t n) {
    if (b->len + n > b->cap) {
        while (b->len + n > b->cap) b->cap = b->cap ? b->cap * 2 : 4096;
        b->p = rd_realloc(b->p, b->cap, 1);
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}
#define PUT(b, x) put((b), &(x), sizeof(x))

void rd_ckpt_describe(rd_ckpt_state *s, const rd_mlp *m, int inputs) {
    s->inputs = inputs;
    s->n_hidden = m->n_layers - 1;
    for (int l = 0; l < s->n_hidden; l++) s->hidden[l] = m->layer[l].out;
    s->classes = m->layer[m->n_layers - 1].out;
    s->activation = m->activation;
    s->dropout = m->dropout;
    s->input_dropout = m->input_dropout;
}

static void serialise(wbuf *b, const rd_mlp *m, const rd_optim *o, const rd_ckpt_state *s) {
    uint32_t version = RD_CKPT_VERSION, bom = BOM;
    put(b, MAGIC, sizeof MAGIC);
    PUT(b, version);
    PUT(b, bom);
    int32_t arch[4 + RD_MAX_HIDDEN] = {s->inputs, s->n_hidden, s->classes, (int32_t)s->activation};
    for (int l = 0; l < s->n_hidden; l++) arch[4 + l] = s->hidden[l];
    PUT(b, arch);
    float f[4] = {s->dropout, s->norm_mean, s->norm_std, s->input_dropout};
    PUT(b, f);
    uint64_t n = m->n_params;
    PUT(b, n);
    put(b, m->params, m->n_params * sizeof(float));
    int32_t okind = (int32_t)o->kind;
    int64_t t = o->t;
    PUT(b, okind);
    PUT(b, t);
    put(b, o->m, n * sizeof(float));
    if (o->v) put(b, o->v, n * sizeof(float));
    int32_t pos[2] = {s->epoch, s->batch};
    int64_t step = s->step;
    PUT(b, pos);
    PUT(b, step);
    PUT(b, s->data_rng.s);
    PUT(b, s->drop_rng.s);
    PUT(b, s->sums);
    PUT(b, s->best_val_acc);
    int32_t best = s->best_epoch;
    PUT(b, best);
    int32_t run[5] = {s->run.batch_size, s->run.train_subset, s->run.subset_random, s->run.val_size,
                      s->run.train_n};
    uint64_t seed = s->run.seed;
    PUT(b, run);
    PUT(b, seed);
    uint32_t crc = (uint32_t)crc32_z(0L, b->p, b->len);
    PUT(b, crc);
}

rd_status rd_checkpoint_save(const char *path, const rd_mlp *m, const rd_optim *o,
                             const rd_ckpt_state *s, rd_error *err) {
    for (size_t i = 0; i < m->n_params; i++)
        if (!isfinite(m->params[i]))
            return rd_fail(err, RD_ERR_RUNTIME, "%s: not saved: parameter %zu is not finite", path, i);
    wbuf b = {0};
    serialise(&b, m, o, s);
    rd_status st = rd_replace_file(path, b.p, b.len, err); /* the old checkpoint or the new one */
    free(b.p);
    return st;
}
