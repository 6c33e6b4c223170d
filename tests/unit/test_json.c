/* The strict JSON parser of the safetensors header: what it reads, and a
 * table of what it must refuse, each with the byte where it went wrong. */
#include <criterion/criterion.h>
#include <string.h>

#include "rdrop/json.h"

static rd_json_doc doc;

static const rd_json *parse_ok(const char *text) {
    rd_error err = {0};
    cr_assert_eq(rd_json_parse(text, strlen(text), 4096, &doc, &err), RD_OK, "%s: %s", text, err.msg);
    return &doc.nodes[0];
}

Test(json, objects_arrays_strings_numbers_and_literals) {
    const rd_json *root =
        parse_ok(" {\"a\": [1, -2.5e3, 0], \"b\": {\"c\": \"x\\\"y\\\\z\\/\\n\"}, \"t\": true, \"f\": false,"
                 " \"n\": null, \"e\": {}, \"l\": []} ");
    cr_assert_eq(root->type, RD_JSON_OBJECT);
    cr_assert_eq(root->count, 7);
    const rd_json *a = rd_json_get(&doc, root, "a");
    cr_assert_eq(a->type, RD_JSON_ARRAY);
    cr_assert_eq(a->count, 3);
    const rd_json *x = rd_json_child(&doc, a);
    cr_assert(x->is_uint && x->uint == 1);
    x = rd_json_next(&doc, x);
    cr_assert(!x->is_uint && x->num == -2500.0);
    x = rd_json_next(&doc, x);
    cr_assert(x->is_uint && x->uint == 0 && rd_json_next(&doc, x) == NULL);
    const rd_json *c = rd_json_get(&doc, rd_json_get(&doc, root, "b"), "c");
    cr_assert_str_eq(c->str, "x\"y\\z/\n");
    cr_assert_eq(c->len, 7);
    cr_assert_eq(rd_json_get(&doc, root, "t")->type, RD_JSON_TRUE);
    cr_assert_eq(rd_json_get(&doc, root, "f")->type, RD_JSON_FALSE);
    cr_assert_eq(rd_json_get(&doc, root, "n")->type, RD_JSON_NULL);
    cr_assert_eq(rd_json_get(&doc, root, "e")->count, 0);
    cr_assert_null(rd_json_get(&doc, root, "missing"));
    rd_json_free(&doc);
}

Test(json, unicode_escapes_become_utf8) {
    /* e-acute, the euro sign, and U+1F600 written as a surrogate pair */
    const rd_json *s = parse_ok("\"\\u00e9\\u20AC\\ud83d\\ude00 \xc3\xa9\"");
    cr_assert_str_eq(s->str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xc3\xa9");
    rd_json_free(&doc);
}

Test(json, whole_numbers_are_exact_up_to_uint64) {
    const rd_json *a = parse_ok("[18446744073709551615, 18446744073709551616, 1.0, 1e2, -1, -0]");
    const rd_json *x = rd_json_child(&doc, a);
    cr_assert(x->is_uint && x->uint == UINT64_MAX);
    for (x = rd_json_next(&doc, x); x; x = rd_json_next(&doc, x)) cr_assert(!x->is_uint);
    rd_json_free(&doc);
}

Test(json, refuses_what_the_rfc_refuses_with_the_byte) {
    static const struct {
        const char *text, *why;
    } cases[] = {
        {"", "byte 0: unexpected end"},
        {"{\"a\":1,}", "byte 7: trailing comma"},
        {"[1,]", "byte 3: trailing comma"},
        {"[01]", "byte 2: leading zero"},
        {"[NaN]", "byte 1: expected a value"},
        {"[1.]", "byte 3: expected a digit after '.'"},
        {"[1e]", "byte 3: expected a digit in the exponent"},
        {"[-]", "byte 2: expected a digit"},
        {"{'a':1}", "byte 1: expected a string key"},
        {"{\"a\" 1}", "byte 5: expected ':'"},
        {"[1 2]", "byte 3: expected ',' or ']'"},
        {"{\"a\":1 \"b\":2}", "byte 7: expected ',' or '}'"},
        {"/* c */ 1", "byte 0: expected a value"},
        {"[1] x", "byte 4: unexpected text after the value"},
        {"[tru]", "byte 1: expected a value"},
        {"\"abc", "byte 4: unterminated string"},
        {"\"a\tb\"", "byte 2: control character"},
        {"\"\\x\"", "byte 1: invalid escape"},
        {"\"\\u12\"", "byte 1: \\u needs 4 hex digits"},
        {"\"\\u0000\"", "byte 1: NUL"},
        {"\"\\ud800\"", "byte 1: lone high surrogate"},
        {"\"\\udc00\"", "byte 1: lone low surrogate"},
        {"\"\xc0\x80\"", "byte 1: invalid UTF-8"},       /* overlong NUL */
        {"\"\xed\xa0\x80\"", "byte 1: invalid UTF-8"},   /* a surrogate in UTF-8 */
        {"\"\xf4\x90\x80\x80\"", "byte 1: invalid UTF-8"}, /* above U+10FFFF */
        {"\"\xe2\x82\"", "byte 1: invalid UTF-8"},       /* cut short */
        {"{\"a\":1,\"a\":2}", "byte 7: duplicate key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rd_error err = {0};
        cr_assert_eq(rd_json_parse(cases[i].text, strlen(cases[i].text), 4096, &doc, &err), RD_ERR_RUNTIME,
                     "case %zu (%s) was accepted", i, cases[i].text);
        cr_assert(strstr(err.msg, cases[i].why), "case %zu: \"%s\" does not contain \"%s\"", i, err.msg,
                  cases[i].why);
        cr_assert_null(doc.nodes);
    }
}

Test(json, depth_and_size_are_bounded) {
    char deep[80];
    memset(deep, '[', 33);
    memset(deep + 33, ']', 33);
    rd_error err = {0};
    cr_assert_eq(rd_json_parse(deep, 66, 4096, &doc, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "nested deeper than 32"), "%s", err.msg);
    cr_assert_eq(rd_json_parse(deep + 1, 64, 4096, &doc, &err), RD_OK, "%s", err.msg); /* 32 levels */
    rd_json_free(&doc);
    cr_assert_eq(rd_json_parse("[1,2,3]", 7, 3, &doc, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "byte 5: too many values"), "%s", err.msg);
    cr_assert_eq(rd_json_parse("[1,2,3]", 7, 4, &doc, &err), RD_OK, "%s", err.msg);
    rd_json_free(&doc);
    /* a NUL byte inside the text is not its end */
    cr_assert_eq(rd_json_parse("[1]\0", 4, 4096, &doc, &err), RD_ERR_RUNTIME);
}
