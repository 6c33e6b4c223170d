/* The JSON writer: commas and colons, escapes, UTF-8 repair, numbers, and
 * what it writes read back by the strict parser; the safetensors header it
 * now writes is byte for byte the one the hand-written header gave
 * (tests/unit/fixtures/safetensors-header-*.json, saved before the switch). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/files.h"
#include "rdrop/json.h"
#include "rdrop/safetensors.h"
#include "tmpdir.h"

static rd_json_writer w;
static void setup(void) { rd_json_writer_init(&w); }
static void teardown(void) { rd_json_writer_free(&w); }
#define FIXTURE .init = setup, .fini = teardown

Test(json_write, places_commas_and_colons, FIXTURE) {
    rd_json_object(&w);
    rd_json_key(&w, "a");
    rd_json_array(&w);
    rd_json_int(&w, 1);
    rd_json_int(&w, -2);
    rd_json_array(&w);
    rd_json_end(&w);
    rd_json_object(&w);
    rd_json_end(&w);
    rd_json_end(&w);
    rd_json_key(&w, "b");
    rd_json_bool(&w, 1);
    rd_json_key(&w, "c");
    rd_json_null(&w);
    rd_json_key(&w, "d");
    rd_json_uint(&w, 18446744073709551615ULL);
    rd_json_end(&w);
    cr_assert_str_eq(w.text, "{\"a\":[1,-2,[],{}],\"b\":true,\"c\":null,\"d\":18446744073709551615}");
    cr_assert_eq(w.len, strlen(w.text));
    rd_json_writer_reset(&w);
    rd_json_str(&w, "again");
    cr_assert_str_eq(w.text, "\"again\"");
}

Test(json_write, escapes_and_repairs_strings, FIXTURE) {
    rd_json_array(&w);
    rd_json_str(&w, "q\"b\\s/\n\t\r\x01\x1f");
    rd_json_str(&w, "caf\xc3\xa9 \xe2\x82\xac");  /* valid UTF-8 passes */
    rd_json_str(&w, "bad\xff\xc3(x\xed\xa0\x80"); /* a stray byte, a cut sequence, a surrogate */
    rd_json_str_n(&w, "ab\0cd", 5);                /* a NUL byte is escaped, not a cut */
    rd_json_end(&w);
    cr_assert_str_eq(w.text, "[\"q\\\"b\\\\s/\\n\\t\\r\\u0001\\u001f\",\"caf\xc3\xa9 \xe2\x82\xac\","
                             "\"bad\xef\xbf\xbd\xef\xbf\xbd(x\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\","
                             "\"ab\\u0000cd\"]");
}

Test(json_write, numbers_are_shortest_and_exact, FIXTURE) {
    rd_json_array(&w);
    rd_json_double(&w, 0.1);
    rd_json_double(&w, 1.0 / 3.0);
    rd_json_double(&w, -2.5e-300);
    rd_json_float(&w, 0.3f);
    rd_json_float(&w, 1e-5f);
    rd_json_double(&w, NAN);
    rd_json_float(&w, INFINITY);
    rd_json_double(&w, -0.0);
    rd_json_double(&w, 5000);
    rd_json_float(&w, 60000.0f);
    rd_json_double(&w, 1e300);
    rd_json_end(&w);
    cr_assert_str_eq(w.text, "[0.1,0.3333333333333333,-2.5e-300,0.3,1e-05,null,null,-0,5000,60000,1e+300]");
}

/* Everything written parses, strictly, and reads back the same. */
Test(json_write, what_it_writes_the_parser_reads_back, FIXTURE) {
    const char *strings[] = {"", "plain", "\"\\\b\f\n\r\t", "\x7f\xc3\xa9\xf0\x9f\x98\x80", "\xff\xfe"};
    rd_json_object(&w);
    for (int i = 0; i < 5; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        rd_json_key(&w, key);
        rd_json_str(&w, strings[i]);
    }
    rd_json_key(&w, "x");
    rd_json_double(&w, 6.02214076e23);
    rd_json_end(&w);
    rd_json_doc doc;
    rd_error err = {0};
    cr_assert_eq(rd_json_parse(w.text, w.len, 100, &doc, &err), RD_OK, "%s: %s", w.text, err.msg);
    for (int i = 0; i < 4; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        cr_assert_str_eq(rd_json_get(&doc, &doc.nodes[0], key)->str, strings[i]);
    }
    cr_assert_str_eq(rd_json_get(&doc, &doc.nodes[0], "k4")->str, "\xef\xbf\xbd\xef\xbf\xbd");
    cr_assert_eq(rd_json_get(&doc, &doc.nodes[0], "x")->num, 6.02214076e23);
    rd_json_free(&doc);
}

static unsigned char *slurp(const char *p, size_t *len) {
    unsigned char *data;
    rd_error err = {0};
    cr_assert_eq(rd_read_file(p, &data, len, &err), RD_OK, "%s", err.msg);
    return data;
}

/* Saves m and compares its header, padding included, with the fixture. */
static void same_header(const rd_mlp *m, float mean, float std, const char *fixture) {
    char dir[64], path[128];
    cr_assert_not_null(tmpdir_make(dir));
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    rd_error err = {0};
    cr_assert_eq(rd_safetensors_save(path, m, mean, std, &err), RD_OK, "%s", err.msg);
    size_t n, want_n;
    unsigned char *got = slurp(path, &n), *want = slurp(fixture, &want_n);
    uint64_t h = 0;
    for (int i = 0; i < 8; i++) h |= (uint64_t)got[i] << (8 * i);
    cr_assert_eq(h, want_n, "%s: header of %llu bytes, the fixture has %zu", fixture, (unsigned long long)h,
                 want_n);
    cr_assert(memcmp(got + 8, want, want_n) == 0, "%s: the header differs:\n%.*s", fixture, (int)h, got + 8);
    free(got);
    free(want);
    tmpdir_remove(dir);
}

Test(json_write, safetensors_headers_are_byte_identical) {
    rd_mlp m;
    rd_rng rng;
    rd_error err = {0};
    int hidden2[2] = {4, 3}, hidden1[1] = {16};
    rd_rng_seed(&rng, 7);
    cr_assert_eq(rd_mlp_init(&m, 5, hidden2, 2, 2, RD_ACT_TANH, 0.25f, RD_INIT_XAVIER, &rng, &err), RD_OK);
    m.input_dropout = 0.2f;
    same_header(&m, 0.1307f, 0.3081f, "tests/unit/fixtures/safetensors-header-tanh.json");
    rd_mlp_free(&m);
    rd_rng_seed(&rng, 7);
    cr_assert_eq(rd_mlp_init(&m, 784, hidden1, 1, 10, RD_ACT_RELU, 0.3f, RD_INIT_KAIMING, &rng, &err), RD_OK);
    same_header(&m, 0.0f, 1.0f, "tests/unit/fixtures/safetensors-header-relu.json");
    rd_mlp_free(&m);
}
