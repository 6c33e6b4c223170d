/* Reading safetensors: every length, name, shape, offset and value checked
 * before it is used (the file may come from anywhere). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/safetensors.h"
#include "rdrop/files.h"
#include "rdrop/json.h"

#define MAX_NODES 4096   /* JSON values in a header: a 9-layer model needs about 200 */
#define MAX_MODULE 64    /* highest "<i>." accepted; the largest rdrop layout uses 25 */
#define MAX_DIM 100000000 /* one side of a weight matrix */

typedef struct {
    const char *name;
    int dims, shape[2];
    uint64_t begin, end;
} tensor;

typedef struct {
    const char *path;
    rd_error *err;
    tensor weight[MAX_MODULE], bias[MAX_MODULE];
    uint64_t data_len;
} reader;

#define FAIL(r, ...) rd_fail((r)->err, RD_ERR_RUNTIME, __VA_ARGS__)

/* "12.weight" -> 12, 'w'; anything else -> -1. Digits without a leading
 * zero, as PyTorch names modules. */
static int module_of(const char *name, char *kind) {
    int i = 0, n = 0;
    if (name[0] == '0' && name[1] != '.') return -1;
    for (; name[i] >= '0' && name[i] <= '9'; i++) {
        n = n * 10 + (name[i] - '0');
        if (n >= MAX_MODULE) return -1;
    }
    if (i == 0 || name[i] != '.') return -1;
    if (!strcmp(name + i + 1, "weight")) *kind = 'w';
    else if (!strcmp(name + i + 1, "bias")) *kind = 'b';
    else return -1;
    return n;
}

static rd_status read_tensor(reader *r, const rd_json_doc *doc, const rd_json *e, int want, tensor *t) {
    const char *name = e->key;
    if (e->type != RD_JSON_OBJECT)
        return FAIL(r, "%s: tensor '%s' is not a JSON object", r->path, name);
    for (const rd_json *f = rd_json_child(doc, e); f; f = rd_json_next(doc, f))
        if (strcmp(f->key, "dtype") && strcmp(f->key, "shape") && strcmp(f->key, "data_offsets"))
            return FAIL(r, "%s: tensor '%s' has an unknown field '%s'", r->path, name, f->key);
    const rd_json *dtype = rd_json_get(doc, e, "dtype"), *shape = rd_json_get(doc, e, "shape"),
                  *offs = rd_json_get(doc, e, "data_offsets");
    if (!dtype || !shape || !offs)
        return FAIL(r, "%s: tensor '%s' needs dtype, shape and data_offsets", r->path, name);
    if (dtype->type != RD_JSON_STRING)
        return FAIL(r, "%s: tensor '%s': dtype is not a string", r->path, name);
    if (strcmp(dtype->str, "F32") != 0)
        return FAIL(r, "%s: tensor '%s' has dtype %s; rdrop reads F32 only (float32)", r->path, name,
                    dtype->len <= 16 ? dtype->str : "(a long string)");
    if (shape->type != RD_JSON_ARRAY || shape->count != want)
        return FAIL(r, "%s: tensor '%s': shape must be a list of %d sizes (%s)", r->path, name, want,
                    want == 2 ? "[out, in]" : "[out]");
    t->dims = want;
    uint64_t numel = 1;
    int k = 0;
    for (const rd_json *d = rd_json_child(doc, shape); d; d = rd_json_next(doc, d), k++) {
        if (d->type != RD_JSON_NUMBER || !d->is_uint || d->uint < 1 || d->uint > MAX_DIM)
            return FAIL(r, "%s: tensor '%s': shape entries must be whole numbers from 1 to %d", r->path,
                        name, MAX_DIM);
        t->shape[k] = (int)d->uint;
        numel *= d->uint; /* at most 1e16: no overflow */
    }
    if (offs->type != RD_JSON_ARRAY || offs->count != 2)
        return FAIL(r, "%s: tensor '%s': data_offsets must be [begin, end]", r->path, name);
    const rd_json *b = rd_json_child(doc, offs), *en = rd_json_next(doc, b);
    if (b->type != RD_JSON_NUMBER || !b->is_uint || en->type != RD_JSON_NUMBER || !en->is_uint)
        return FAIL(r, "%s: tensor '%s': data_offsets must be whole numbers", r->path, name);
    t->begin = b->uint;
    t->end = en->uint;
    if (t->begin > t->end || t->end > r->data_len)
        return FAIL(r, "%s: tensor '%s': data_offsets [%llu, %llu] outside the %llu data bytes", r->path,
                    name, (unsigned long long)t->begin, (unsigned long long)t->end,
                    (unsigned long long)r->data_len);
    if (t->end - t->begin != numel * 4)
        return FAIL(r, "%s: tensor '%s': data_offsets span %llu bytes, its shape needs %llu", r->path, name,
                    (unsigned long long)(t->end - t->begin), (unsigned long long)(numel * 4));
    t->name = name;
    return RD_OK;
}

static int by_begin(const void *a, const void *b) {
    const tensor *x = *(tensor *const *)a, *y = *(tensor *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* The tensors must tile the data: no gap, no overlap, no trailing byte. */
static rd_status check_tiling(reader *r, tensor **ts, int n) {
    qsort(ts, (size_t)n, sizeof *ts, by_begin);
    uint64_t at = 0;
    for (int i = 0; i < n; i++) {
        if (ts[i]->begin < at)
            return FAIL(r, "%s: tensor '%s' overlaps tensor '%s'", r->path, ts[i]->name, ts[i - 1]->name);
        if (ts[i]->begin > at)
            return FAIL(r, "%s: %llu unused data bytes before tensor '%s'", r->path,
                        (unsigned long long)(ts[i]->begin - at), ts[i]->name);
        at = ts[i]->end;
    }
    if (at != r->data_len)
        return FAIL(r, "%s: %llu data bytes after the last tensor", r->path, (unsigned long long)(r->data_len - at));
    return RD_OK;
}

/* A metadata value as a float: the whole string, finite. */
static int meta_float(const rd_json_doc *doc, const rd_json *meta, const char *key, float *out, int *has) {
    const rd_json *v = meta ? rd_json_get(doc, meta, key) : NULL;
    if (!v) return 1;
    char *end;
    float f = strtof(v->str, &end);
    /* strtof also takes leading spaces, "nan" and hex: only decimal text here */
    if (!strchr("0123456789-.", v->str[0]) || v->str[0] == '\0' || *end || !isfinite(f)) return 0;
    *out = f;
    *has = 1;
    return 1;
}

static rd_status read_metadata(reader *r, const rd_json_doc *doc, const rd_json *meta, int first_module,
                               rd_mlp *m, rd_st_info *info, const char *arch) {
    rd_activation act = RD_ACT_RELU;
    float dropout = 0, input_dropout = 0, mean = 0, std = 1;
    int has_dropout = 0, has_input = 0, has_mean = 0, has_std = 0;
    if (meta) {
        const rd_json *a = rd_json_get(doc, meta, "activation");
        if (a && strcmp(a->str, "relu") && strcmp(a->str, "tanh"))
            return FAIL(r, "%s: __metadata__ activation must be relu or tanh", r->path);
        if (a) act = strcmp(a->str, "tanh") ? RD_ACT_RELU : RD_ACT_TANH;
        info->has_activation = a != NULL;
        const rd_json *arch_meta = rd_json_get(doc, meta, "architecture");
        if (arch_meta && strcmp(arch_meta->str, arch) != 0)
            return FAIL(r, "%s: __metadata__ architecture does not match the tensors' %s", r->path, arch);
        if (!meta_float(doc, meta, "dropout", &dropout, &has_dropout) || !(dropout >= 0 && dropout < 1) ||
            !meta_float(doc, meta, "input_dropout", &input_dropout, &has_input) ||
            !(input_dropout >= 0 && input_dropout < 1))
            return FAIL(r, "%s: __metadata__ dropout and input_dropout must be numbers in [0, 1)", r->path);
        if (!meta_float(doc, meta, "norm_mean", &mean, &has_mean) ||
            !meta_float(doc, meta, "norm_std", &std, &has_std) || !(std > 0) || has_mean != has_std)
            return FAIL(r, "%s: __metadata__ norm_mean and norm_std must be given together, "
                        "finite, with norm_std > 0", r->path);
    }
    /* The Sequential's numbering says whether an input Dropout comes first. */
    if (has_input && (input_dropout > 0) != (first_module == 1))
        return FAIL(r, "%s: __metadata__ input_dropout %g does not fit the tensor names (first Linear is "
                    "module %d; an input Dropout makes it 1)", r->path, input_dropout, first_module);
    m->activation = act;
    m->dropout = dropout;
    m->input_dropout = input_dropout;
    info->norm_mean = mean;
    info->norm_std = std;
    info->has_dropout = has_dropout;
    info->has_input_dropout = has_input;
    info->has_norm = has_mean;
    return RD_OK;
}

static float get_le32(const unsigned char *s) {
    uint32_t u = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Copies the tensors into m, W transposed back to in x out. */
static rd_status copy_values(reader *r, const unsigned char *data, int first, rd_mlp *m) {
    for (int l = 0; l < m->n_layers; l++) {
        const rd_linear_layer *L = &m->layer[l];
        const tensor *tw = &r->weight[first + 3 * l], *tb = &r->bias[first + 3 * l];
        float *w = m->params + L->w, *b = m->params + L->b;
        const unsigned char *s = data + tw->begin;
        for (int o = 0; o < L->out; o++)
            for (int i = 0; i < L->in; i++, s += 4) {
                float v = get_le32(s);
                if (!isfinite(v))
                    return FAIL(r, "%s: tensor '%s' [%d, %d] is not finite", r->path, tw->name, o, i);
                w[(size_t)i * L->out + o] = v;
            }
        s = data + tb->begin;
        for (int o = 0; o < L->out; o++, s += 4) {
            b[o] = get_le32(s);
            if (!isfinite(b[o])) return FAIL(r, "%s: tensor '%s' [%d] is not finite", r->path, tb->name, o);
        }
    }
    return RD_OK;
}

/* The layers: modules first, first + 3, ...; each a weight and a bias whose
 * shapes chain. Fills the sizes in info. */
static rd_status find_layers(reader *r, int *first, int *n_layers, rd_st_info *info) {
    int n = 0, start = -1;
    for (int i = 0; i < MAX_MODULE; i++) {
        if (!r->weight[i].name && !r->bias[i].name) continue;
        if (!r->weight[i].name || !r->bias[i].name)
            return FAIL(r, "%s: module %d has a %s but no %s", r->path, i, r->weight[i].name ? "weight" : "bias",
                        r->weight[i].name ? "bias" : "weight");
        if (start < 0) start = i;
        if (start > 1 || i != start + 3 * n)
            return FAIL(r, "%s: tensor '%s' does not fit the layout: Linear layers are modules 0, 3, 6, ... "
                        "(1, 4, 7, ... after an input Dropout)", r->path, r->weight[i].name);
        n++;
    }
    if (n == 0) return FAIL(r, "%s: no tensors: expected 0.weight, 0.bias, ...", r->path);
    if (n > RD_MAX_HIDDEN + 1)
        return FAIL(r, "%s: %d Linear layers, rdrop builds at most %d", r->path, n, RD_MAX_HIDDEN + 1);
    for (int l = 0; l < n; l++) {
        const tensor *w = &r->weight[start + 3 * l], *b = &r->bias[start + 3 * l];
        if (b->shape[0] != w->shape[0])
            return FAIL(r, "%s: tensor '%s' has %d entries, '%s' has %d rows", r->path, b->name, b->shape[0],
                        w->name, w->shape[0]);
        if (l > 0 && w->shape[1] != r->weight[start + 3 * (l - 1)].shape[0])
            return FAIL(r, "%s: tensor '%s' takes %d inputs, the layer before gives %d", r->path, w->name,
                        w->shape[1], r->weight[start + 3 * (l - 1)].shape[0]);
        if (l < n - 1) info->hidden[l] = w->shape[0];
    }
    info->inputs = r->weight[start].shape[1];
    info->n_hidden = n - 1;
    info->classes = r->weight[start + 3 * (n - 1)].shape[0];
    *first = start;
    *n_layers = n;
    return RD_OK;
}

static rd_status parse_header(reader *r, const rd_json_doc *doc, const rd_json **meta) {
    const rd_json *root = &doc->nodes[0];
    if (root->type != RD_JSON_OBJECT) return FAIL(r, "%s: the header is not a JSON object", r->path);
    *meta = NULL;
    for (const rd_json *e = rd_json_child(doc, root); e; e = rd_json_next(doc, e)) {
        if (!strcmp(e->key, "__metadata__")) {
            if (e->type != RD_JSON_OBJECT)
                return FAIL(r, "%s: __metadata__ is not a JSON object", r->path);
            for (const rd_json *v = rd_json_child(doc, e); v; v = rd_json_next(doc, v))
                if (v->type != RD_JSON_STRING)
                    return FAIL(r, "%s: __metadata__ values must be strings", r->path);
            *meta = e;
            continue;
        }
        char kind;
        int i = module_of(e->key, &kind);
        if (i < 0)
            return FAIL(r, "%s: unexpected tensor '%.40s' (rdrop reads the '<i>.weight' and '<i>.bias' of an "
                        "nn.Sequential of Linear layers)", r->path, e->key);
        rd_status st = read_tensor(r, doc, e, kind == 'w' ? 2 : 1, kind == 'w' ? &r->weight[i] : &r->bias[i]);
        if (st) return st;
    }
    return RD_OK;
}

rd_status rd_safetensors_parse(const char *name, const unsigned char *data, size_t len, rd_mlp *m,
                               rd_st_info *info, rd_error *err) {
    memset(m, 0, sizeof *m);
    memset(info, 0, sizeof *info);
    if (len < 8)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: %zu bytes: too short for a safetensors file", name, len);
    uint64_t n = 0;
    for (int i = 0; i < 8; i++) n |= (uint64_t)data[i] << (8 * i);
    if (n < 2 || n > RD_ST_MAX_HEADER)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: header length %llu not in 2..%d: not a safetensors file",
                       name, (unsigned long long)n, RD_ST_MAX_HEADER);
    if (n > len - 8)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: truncated: the header needs %llu bytes, %zu follow", name,
                       (unsigned long long)n, len - 8);
    if (data[8] != '{') return rd_fail(err, RD_ERR_RUNTIME, "%s: the header does not start with '{'", name);
    rd_json_doc doc;
    rd_error jerr;
    if (rd_json_parse((const char *)data + 8, (size_t)n, MAX_NODES, &doc, &jerr))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: header is not valid JSON: %s", name, jerr.msg);
    reader r;
    memset(&r, 0, sizeof r);
    r.path = name;
    r.err = err;
    r.data_len = len - 8 - n;
    const rd_json *meta = NULL;
    int first = 0, n_layers = 0;
    tensor *ts[2 * MAX_MODULE];
    int nt = 0;
    rd_status st = parse_header(&r, &doc, &meta);
    if (!st) st = find_layers(&r, &first, &n_layers, info);
    if (!st) {
        for (int l = 0; l < n_layers; l++) {
            ts[nt++] = &r.weight[first + 3 * l];
            ts[nt++] = &r.bias[first + 3 * l];
        }
        st = check_tiling(&r, ts, nt);
    }
    char arch[512];
    rd_safetensors_arch(arch, sizeof arch, info->inputs, info->hidden, info->n_hidden, info->classes);
    if (!st && rd_mlp_count_params(info->inputs, info->hidden, info->n_hidden, info->classes) == 0)
        st = rd_fail(err, RD_ERR_RUNTIME, "%s: model %s is too large", name, arch);
    rd_mlp shape = {0};
    if (!st) st = read_metadata(&r, &doc, meta, first, &shape, info, arch);
    rd_rng rng;
    rd_rng_seed(&rng, 0);
    rd_error e2;
    if (!st && rd_mlp_init(m, info->inputs, info->hidden, info->n_hidden, info->classes, shape.activation,
                           shape.dropout, RD_INIT_KAIMING, &rng, &e2))
        st = rd_fail(err, RD_ERR_RUNTIME, "%s: %s", name, e2.msg);
    if (!st) {
        m->input_dropout = shape.input_dropout;
        st = copy_values(&r, data + 8 + n, first, m); /* its messages name tensors: doc still alive */
        if (st) rd_mlp_free(m);
    }
    rd_json_free(&doc);
    return st;
}

rd_status rd_safetensors_load(const char *path, rd_mlp *m, rd_st_info *info, rd_error *err) {
    unsigned char *data;
    size_t len;
    memset(m, 0, sizeof *m);
    memset(info, 0, sizeof *info);
    rd_status st = rd_read_file(path, &data, &len, err);
    if (st) return st;
    st = rd_safetensors_parse(path, data, len, m, info, err);
    free(data);
    return st;
}
