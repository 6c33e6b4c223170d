/* Writing safetensors: the JSON header, then each layer's W transposed to
 * PyTorch's [out, in] and its bias, as little-endian float32. */
#include "rdrop/safetensors.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/files.h"
#include "rdrop/json.h"

typedef struct {
    char *p;
    size_t len, cap;
} sbuf;

static void add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(sbuf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 0) + 256;
        b->p = rd_realloc(b->p, b->cap, 1);
    }
}

void rd_safetensors_arch(char *buf, size_t n, int inputs, const int *hidden, int n_hidden, int classes) {
    int k = snprintf(buf, n, "%d", inputs);
    for (int l = 0; l < n_hidden && k >= 0 && (size_t)k < n; l++) k += snprintf(buf + k, n - k, "-%d", hidden[l]);
    if (k >= 0 && (size_t)k < n) snprintf(buf + k, n - k, "-%d", classes);
}

/* Module index of Linear layer l in the nn.Sequential. */
static int module_index(const rd_mlp *m, int l) { return (m->input_dropout > 0 ? 1 : 0) + 3 * l; }

void rd_safetensors_layout(char *buf, size_t n, const rd_mlp *m) {
    sbuf b = {rd_malloc(256, 1), 0, 256};
    char p[32];
    add(&b, "nn.Sequential(");
    if (m->input_dropout > 0) {
        rd_json_float_text(p, sizeof p, m->input_dropout);
        add(&b, "nn.Dropout(%s), ", p);
    }
    rd_json_float_text(p, sizeof p, m->dropout);
    for (int l = 0; l < m->n_layers; l++) {
        add(&b, "nn.Linear(%d, %d)", m->layer[l].in, m->layer[l].out);
        if (l < m->n_layers - 1)
            add(&b, ", %s, nn.Dropout(%s), ", m->activation == RD_ACT_TANH ? "nn.Tanh()" : "nn.ReLU()", p);
    }
    add(&b, ")");
    snprintf(buf, n, "%s", b.p);
    free(b.p);
}

static void put_le32(unsigned char *dst, float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    for (int i = 0; i < 4; i++) dst[i] = (unsigned char)(u >> (8 * i));
}

static void meta(rd_json_writer *w, const char *key, const char *value) {
    rd_json_key(w, key);
    rd_json_str(w, value);
}

static void tensor(rd_json_writer *w, const char *name, int rows, int cols, size_t begin, size_t end) {
    rd_json_key(w, name);
    rd_json_object(w);
    meta(w, "dtype", "F32");
    rd_json_key(w, "shape");
    rd_json_array(w);
    rd_json_int(w, rows);
    if (cols) rd_json_int(w, cols);
    rd_json_end(w);
    rd_json_key(w, "data_offsets");
    rd_json_array(w);
    rd_json_uint(w, begin);
    rd_json_uint(w, end);
    rd_json_end(w);
    rd_json_end(w);
}

static void header(rd_json_writer *h, const rd_mlp *m, float norm_mean, float norm_std) {
    char arch[512], layout[2048], d[32], di[32], mean[32], std[32], name[32];
    int hidden[RD_MAX_HIDDEN];
    for (int l = 0; l < m->n_layers - 1; l++) hidden[l] = m->layer[l].out;
    rd_safetensors_arch(arch, sizeof arch, m->layer[0].in, hidden, m->n_layers - 1, m->layer[m->n_layers - 1].out);
    rd_safetensors_layout(layout, sizeof layout, m);
    rd_json_float_text(d, sizeof d, m->dropout);
    rd_json_float_text(di, sizeof di, m->input_dropout);
    rd_json_float_text(mean, sizeof mean, norm_mean);
    rd_json_float_text(std, sizeof std, norm_std);
    rd_json_object(h);
    rd_json_key(h, "__metadata__");
    rd_json_object(h);
    meta(h, "format", "pt");
    meta(h, "rdrop_version", RDROP_VERSION);
    meta(h, "architecture", arch);
    meta(h, "activation", rd_activation_name(m->activation));
    meta(h, "dropout", d);
    meta(h, "input_dropout", di);
    meta(h, "norm_mean", mean);
    meta(h, "norm_std", std);
    meta(h, "layout", layout);
    rd_json_end(h);
    size_t off = 0;
    for (int l = 0; l < m->n_layers; l++) {
        const rd_linear_layer *L = &m->layer[l];
        size_t w = (size_t)L->in * L->out * 4, b = (size_t)L->out * 4;
        int i = module_index(m, l);
        snprintf(name, sizeof name, "%d.weight", i);
        tensor(h, name, L->out, L->in, off, off + w);
        snprintf(name, sizeof name, "%d.bias", i);
        tensor(h, name, L->out, 0, off + w, off + w + b);
        off += w + b;
    }
    rd_json_end(h);
}

rd_status rd_safetensors_save(const char *path, const rd_mlp *m, float norm_mean, float norm_std,
                              rd_error *err) {
    for (size_t i = 0; i < m->n_params; i++)
        if (!isfinite(m->params[i]))
            return rd_fail(err, RD_ERR_RUNTIME, "%s: not saved: parameter %zu is not finite", path, i);
    rd_json_writer h;
    rd_json_writer_init(&h);
    header(&h, m, norm_mean, norm_std);
    /* Spaces up to a multiple of 8, as the reference writer does: the data
     * then starts 8-byte aligned for readers that map the file. */
    size_t len = (h.len + 7) / 8 * 8, total = 8 + len + m->n_params * 4;
    unsigned char *out = rd_malloc(total, 1);
    for (int i = 0; i < 8; i++) out[i] = (unsigned char)((uint64_t)len >> (8 * i));
    memcpy(out + 8, h.text, h.len);
    memset(out + 8 + h.len, ' ', len - h.len);
    unsigned char *q = out + 8 + len;
    for (int l = 0; l < m->n_layers; l++) {
        const rd_linear_layer *L = &m->layer[l];
        const float *w = m->params + L->w, *b = m->params + L->b;
        for (int o = 0; o < L->out; o++) /* row o of [out, in] is column o of rdrop's W */
            for (int i = 0; i < L->in; i++, q += 4) put_le32(q, w[(size_t)i * L->out + o]);
        for (int o = 0; o < L->out; o++, q += 4) put_le32(q, b[o]);
    }
    rd_json_writer_free(&h);
    rd_status st = rd_replace_file(path, out, total, err);
    free(out);
    return st;
}
