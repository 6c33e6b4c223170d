/* Safetensors: the writer's layout (PyTorch's names, [out, in], metadata,
 * alignment), the round trip, files without metadata, and a table of
 * damaged files the reader must refuse with one line naming the file. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/resource.h>
#include <signal.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "rdrop/safetensors.h"
#include "tmpdir.h"
#include "rdrop/files.h"
#include "rdrop/json.h"

static char dir[64], path[128];
static void setup(void) {
    cr_assert_not_null(tmpdir_make(dir));
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
}
static void teardown(void) { tmpdir_remove(dir); }
#define FIXTURE .init = setup, .fini = teardown

/* 5 -> 4 -> 3 -> 2, tanh, dropout 0.25, input dropout 0.2, distinct values. */
static void make_model(rd_mlp *m) {
    int hidden[2] = {4, 3};
    rd_rng rng;
    rd_rng_seed(&rng, 7);
    rd_error err = {0};
    cr_assert_eq(rd_mlp_init(m, 5, hidden, 2, 2, RD_ACT_TANH, 0.25f, RD_INIT_XAVIER, &rng, &err), RD_OK);
    m->input_dropout = 0.2f;
    for (size_t i = 0; i < m->n_params; i++) m->params[i] = (float)i / 7.0f - 3.0f;
}

static unsigned char *slurp(const char *p, size_t *len) {
    unsigned char *data;
    rd_error err = {0};
    cr_assert_eq(rd_read_file(p, &data, len, &err), RD_OK, "%s", err.msg);
    return data;
}

static float le32(const unsigned char *s) {
    uint32_t u = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

Test(safetensors, writes_pytorch_names_shapes_and_metadata, FIXTURE) {
    rd_mlp m;
    make_model(&m);
    rd_error err = {0};
    cr_assert_eq(rd_safetensors_save(path, &m, 0.1307f, 0.3081f, &err), RD_OK, "%s", err.msg);
    size_t len;
    unsigned char *data = slurp(path, &len);
    uint64_t n = 0;
    for (int i = 0; i < 8; i++) n |= (uint64_t)data[i] << (8 * i);
    cr_assert_eq((8 + n) % 8, 0, "the data starts 8-byte aligned");
    cr_assert_eq(len, 8 + n + m.n_params * 4);
    rd_json_doc doc;
    cr_assert_eq(rd_json_parse((const char *)data + 8, n, 4096, &doc, &err), RD_OK, "%s", err.msg);
    const rd_json *root = &doc.nodes[0], *meta = rd_json_get(&doc, root, "__metadata__");
    const char *want[][2] = {{"architecture", "5-4-3-2"}, {"activation", "tanh"}, {"dropout", "0.25"},
                             {"input_dropout", "0.2"}, {"norm_mean", "0.1307"}, {"norm_std", "0.3081"},
                             {"rdrop_version", RDROP_VERSION}, {"format", "pt"},
                             {"layout", "nn.Sequential(nn.Dropout(0.2), nn.Linear(5, 4), nn.Tanh(), "
                                        "nn.Dropout(0.25), nn.Linear(4, 3), nn.Tanh(), nn.Dropout(0.25), "
                                        "nn.Linear(3, 2))"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const rd_json *v = rd_json_get(&doc, meta, want[i][0]);
        cr_assert_not_null(v, "no %s", want[i][0]);
        cr_assert_str_eq(v->str, want[i][1]);
    }
    /* The input Dropout is module 0, so the Linear layers are 1, 4, 7; each
     * weight [out, in] holds rdrop's W (in x out) transposed. */
    cr_assert_eq(root->count, 7);
    const char *names[3] = {"1.weight", "4.weight", "7.weight"};
    for (int l = 0; l < 3; l++) {
        const rd_json *t = rd_json_get(&doc, root, names[l]);
        cr_assert_not_null(t, "no %s", names[l]);
        cr_assert_str_eq(rd_json_get(&doc, t, "dtype")->str, "F32");
        const rd_json *shape = rd_json_get(&doc, t, "shape"), *out = rd_json_child(&doc, shape);
        const rd_linear_layer *L = &m.layer[l];
        cr_assert_eq(out->uint, (uint64_t)L->out);
        cr_assert_eq(rd_json_next(&doc, out)->uint, (uint64_t)L->in);
        uint64_t begin = rd_json_child(&doc, rd_json_get(&doc, t, "data_offsets"))->uint;
        const unsigned char *w = data + 8 + n + begin;
        for (int o = 0; o < L->out; o++)
            for (int i = 0; i < L->in; i++)
                cr_assert_eq(le32(w + 4 * ((size_t)o * L->in + i)), m.params[L->w + (size_t)i * L->out + o]);
    }
    rd_json_free(&doc);
    free(data);
    rd_mlp_free(&m);
}

Test(safetensors, round_trip_is_exact, FIXTURE) {
    rd_mlp m, back;
    make_model(&m);
    rd_error err = {0};
    cr_assert_eq(rd_safetensors_save(path, &m, 0.5f, 2.0f, &err), RD_OK, "%s", err.msg);
    rd_st_info info;
    cr_assert_eq(rd_safetensors_load(path, &back, &info, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(back.n_params, m.n_params);
    cr_assert_eq(memcmp(back.params, m.params, m.n_params * sizeof(float)), 0);
    cr_assert_eq(back.activation, RD_ACT_TANH);
    cr_assert_eq(back.dropout, 0.25f);
    cr_assert_eq(back.input_dropout, 0.2f);
    cr_assert_eq(info.inputs, 5);
    cr_assert_eq(info.n_hidden, 2);
    cr_assert_eq(info.hidden[0], 4);
    cr_assert_eq(info.hidden[1], 3);
    cr_assert_eq(info.classes, 2);
    cr_assert(info.norm_mean == 0.5f && info.norm_std == 2.0f);
    cr_assert(info.has_activation && info.has_dropout && info.has_input_dropout && info.has_norm);
    rd_mlp_free(&back);
    rd_mlp_free(&m);
}

/* A file by hand: header text, then `floats` float32 values 0.5, 1.5, ... */
static unsigned char *build(const char *header, size_t floats, size_t *len) {
    size_t n = strlen(header);
    *len = 8 + n + floats * 4;
    unsigned char *p = malloc(*len);
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(p + 8, header, n);
    for (size_t i = 0; i < floats; i++) {
        float f = (float)i + 0.5f;
        memcpy(p + 8 + n + 4 * i, &f, 4); /* little-endian hosts, as the tests run */
    }
    return p;
}

/* 3 -> 2 -> 2 as PyTorch saves it: no metadata, biases first in the data. */
#define TENSORS "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," \
                "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}," \
                "\"3.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[32,48]}," \
                "\"3.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[48,56]}"
#define PLAIN "{" TENSORS "}"

Test(safetensors, a_file_without_metadata_takes_the_defaults) {
    size_t len;
    unsigned char *p = build(PLAIN "   ", 14, &len);
    rd_mlp m;
    rd_st_info info;
    rd_error err = {0};
    cr_assert_eq(rd_safetensors_parse("plain.safetensors", p, len, &m, &info, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(m.activation, RD_ACT_RELU);
    cr_assert(m.dropout == 0 && m.input_dropout == 0 && info.norm_mean == 0 && info.norm_std == 1);
    cr_assert(!info.has_activation && !info.has_dropout && !info.has_input_dropout && !info.has_norm);
    /* bias 0.5, 1.5; weight [[2.5, 3.5, 4.5], [5.5, 6.5, 7.5]] -> W[i][o] */
    cr_assert_eq(m.params[m.layer[0].b], 0.5f);
    cr_assert_eq(m.params[m.layer[0].w + 0 * 2 + 1], 5.5f);
    cr_assert_eq(m.params[m.layer[0].w + 2 * 2 + 0], 4.5f);
    rd_mlp_free(&m);
    free(p);
}

Test(safetensors, damaged_files_are_refused_with_the_reason) {
    static const struct {
        const char *header;
        size_t floats;
        const char *why;
    } cases[] = {
        {PLAIN, 13, "tensor '3.bias': data_offsets [48, 56] outside the 52 data bytes"},
        {PLAIN, 15, "4 data bytes after the last tensor"},
        {"{\"0.weight\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}", 3, "dtype F16; rdrop reads F32 only"},
        {"{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 5, "span 20 bytes, its shape needs 24"},
        {"{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]}}", 6, "shape must be a list of 2 sizes"},
        {"{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]}}", 0, "whole numbers from 1"},
        {"{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", 6, "module 0 has a weight but no bias"},
        {"{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4],\"x\":1},"
         "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 2, "unknown field 'x'"},
        {"{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]},"
         "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 1, "overlaps"},
        {"{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[4,8]},"
         "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 4, "4 unused data bytes before"},
        {"{\"0.weights\":{}}", 0, "unexpected tensor '0.weights'"},
        {"{\"00.weight\":{}}", 0, "unexpected tensor '00.weight'"},
        {"{\"2.weight\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]},"
         "\"2.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 2, "does not fit the layout"},
        {"{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},"
         "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
         "\"3.weight\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[16,28]},"
         "\"3.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[28,32]}}", 8, "takes 3 inputs, the layer before gives 2"},
        {"{}", 0, "no tensors"},
        {"[]", 0, "does not start with '{'"},
        {"{\"a\":1,}", 0, "header is not valid JSON: byte 7: trailing comma"},
        {"{\"__metadata__\":{\"x\":1}}", 0, "__metadata__ values must be strings"},
        {"{\"__metadata__\":{\"activation\":\"gelu\"}," TENSORS "}", 14, "activation must be relu or tanh"},
        {"{\"__metadata__\":{\"architecture\":\"3-5-2\"}," TENSORS "}", 14, "does not match the tensors' 3-2-2"},
        {"{\"__metadata__\":{\"dropout\":\"1\"}," TENSORS "}", 14, "dropout and input_dropout must be numbers in [0, 1)"},
        {"{\"__metadata__\":{\"dropout\":\" 0.1\"}," TENSORS "}", 14, "dropout and input_dropout"},
        {"{\"__metadata__\":{\"dropout\":\"nan\"}," TENSORS "}", 14, "dropout and input_dropout"},
        {"{\"__metadata__\":{\"input_dropout\":\"0.2\"}," TENSORS "}", 14, "input_dropout 0.2 does not fit the tensor names"},
        {"{\"__metadata__\":{\"norm_mean\":\"0.1\"}," TENSORS "}", 14, "norm_mean and norm_std must be given together"},
        {"{\"__metadata__\":{\"norm_mean\":\"0\",\"norm_std\":\"0\"}," TENSORS "}", 14, "norm_std > 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        unsigned char *p = build(cases[i].header, cases[i].floats, &len);
        rd_mlp m;
        rd_st_info info;
        rd_error err = {0};
        cr_assert_eq(rd_safetensors_parse("bad.safetensors", p, len, &m, &info, &err), RD_ERR_RUNTIME,
                     "case %zu was accepted", i);
        cr_assert(strncmp(err.msg, "bad.safetensors: ", 17) == 0 && strstr(err.msg, cases[i].why),
                  "case %zu: \"%s\" does not contain \"%s\"", i, err.msg, cases[i].why);
        cr_assert_null(m.params);
        free(p);
    }
}

Test(safetensors, lengths_and_values_are_checked) {
    size_t len;
    unsigned char *p = build(PLAIN, 14, &len);
    rd_mlp m;
    rd_st_info info;
    rd_error err = {0};
    cr_assert_eq(rd_safetensors_parse("f", p, 7, &m, &info, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "7 bytes: too short"), "%s", err.msg);
    cr_assert_eq(rd_safetensors_parse("f", p, 100, &m, &info, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "truncated: the header needs"), "%s", err.msg);
    float inf = INFINITY;
    memcpy(p + len - 4, &inf, 4);
    cr_assert_eq(rd_safetensors_parse("f", p, len, &m, &info, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "tensor '3.bias' [1] is not finite"), "%s", err.msg);
    p[7] = 1; /* a header length of 2^56 */
    cr_assert_eq(rd_safetensors_parse("f", p, len, &m, &info, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "not a safetensors file"), "%s", err.msg);
    free(p);
}

Test(safetensors, fifos_and_devices_are_refused_without_blocking, FIXTURE, .timeout = 10) {
    char fifo[128];
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0, "%s", strerror(errno));
    rd_mlp m;
    rd_st_info info;
    rd_error err = {0};
    cr_assert_eq(rd_safetensors_load(fifo, &m, &info, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "pipe: not a regular file"), "%s", err.msg);
    cr_assert_eq(rd_safetensors_load("/dev/zero", &m, &info, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "/dev/zero: not a regular file"), "%s", err.msg);
}

Test(safetensors, a_failed_write_leaves_no_file, FIXTURE) {
    rd_mlp m;
    make_model(&m);
    rd_error err = {0};
    /* a device in the way is refused, not replaced */
    cr_assert_eq(rd_safetensors_save("/dev/null", &m, 0, 1, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "/dev/null: not a regular file; not replaced"), "%s", err.msg);
    struct stat st;
    cr_assert(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    /* no room to write (a file size limit of 0, as a full disk): the save
     * fails naming the file, and leaves neither it nor a temporary file */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit none = {0, 0};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &none), 0);
    cr_assert_eq(rd_safetensors_save(path, &m, 0, 1, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "m.safetensors") && strstr(err.msg, "File too large"), "%s", err.msg);
    cr_assert_neq(access(path, F_OK), 0, "a partial file was left");
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        cr_assert(strncmp(e->d_name, "m.safetensors", 13) != 0, "%s was left", e->d_name);
    if (d) closedir(d);
    rd_mlp_free(&m);
}
