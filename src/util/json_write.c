/* The JSON writer (rdrop/json.h): a growing buffer and a stack of the open
 * containers, so the caller never places a comma or a colon itself. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/json.h"

void rd_json_writer_init(rd_json_writer *w) {
    memset(w, 0, sizeof *w);
    w->cap = 256;
    w->text = rd_malloc(w->cap, 1);
    w->text[0] = '\0';
}

void rd_json_writer_free(rd_json_writer *w) {
    free(w->text);
    memset(w, 0, sizeof *w);
}

void rd_json_writer_reset(rd_json_writer *w) {
    char *text = w->text;
    size_t cap = w->cap;
    memset(w, 0, sizeof *w);
    w->text = text;
    w->cap = cap;
    w->text[0] = '\0';
}

static void put(rd_json_writer *w, const char *s, size_t n) {
    if (w->len + n + 1 > w->cap) {
        while (w->len + n + 1 > w->cap) w->cap *= 2;
        w->text = rd_realloc(w->text, w->cap, 1);
    }
    memcpy(w->text + w->len, s, n);
    w->len += n;
    w->text[w->len] = '\0';
}

/* Before any value or key: the comma after the previous member, unless the
 * value is the one a key announced. */
static void before_value(rd_json_writer *w) {
    if (w->want_value) {
        w->want_value = 0;
        return;
    }
    if (w->depth > 0) {
        assert(w->close[w->depth - 1] == ']' && "rd_json: a value in an object needs its key first");
        if (w->count[w->depth - 1]) put(w, ",", 1);
        w->count[w->depth - 1] = 1;
    } else {
        assert(w->len == 0 && "rd_json: a second value at the top level");
    }
}

static void open_container(rd_json_writer *w, char bracket, char close) {
    before_value(w);
    assert(w->depth < RD_JSON_MAX_DEPTH && "rd_json: nested too deep");
    put(w, &bracket, 1);
    w->close[w->depth] = close;
    w->count[w->depth] = 0;
    w->depth++;
}

void rd_json_object(rd_json_writer *w) { open_container(w, '{', '}'); }
void rd_json_array(rd_json_writer *w) { open_container(w, '[', ']'); }

void rd_json_end(rd_json_writer *w) {
    assert(w->depth > 0 && !w->want_value && "rd_json_end: nothing open, or a key without its value");
    w->depth--;
    put(w, &w->close[w->depth], 1);
}

static void quoted(rd_json_writer *w, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    put(w, "\"", 1);
    size_t run = 0; /* bytes copied as they are, pending */
    for (size_t i = 0; i < n;) {
        unsigned c = u[i];
        size_t len = c >= 0x20 && c != '"' && c != '\\' ? rd_utf8_len(u + i, n - i) : 0;
        if (len) {
            i += len;
            run += len;
            continue;
        }
        put(w, s + i - run, run);
        run = 0;
        char esc[8];
        if (c == '"' || c == '\\') esc[0] = '\\', esc[1] = (char)c, esc[2] = '\0';
        else if (c == '\n') strcpy(esc, "\\n");
        else if (c == '\t') strcpy(esc, "\\t");
        else if (c == '\r') strcpy(esc, "\\r");
        else if (c < 0x20) snprintf(esc, sizeof esc, "\\u%04x", c);
        else strcpy(esc, "\xEF\xBF\xBD"); /* not UTF-8: U+FFFD */
        put(w, esc, strlen(esc));
        i++;
    }
    put(w, s + n - run, run);
    put(w, "\"", 1);
}

void rd_json_key(rd_json_writer *w, const char *key) {
    assert(w->depth > 0 && w->close[w->depth - 1] == '}' && !w->want_value && "rd_json_key: not in an object");
    if (w->count[w->depth - 1]) put(w, ",", 1);
    w->count[w->depth - 1] = 1;
    quoted(w, key, strlen(key));
    put(w, ":", 1);
    w->want_value = 1;
}

void rd_json_str_n(rd_json_writer *w, const char *s, size_t n) {
    before_value(w);
    quoted(w, s, n);
}

void rd_json_str(rd_json_writer *w, const char *s) { rd_json_str_n(w, s, strlen(s)); }

static void number(rd_json_writer *w, const char *text) {
    before_value(w);
    put(w, text, strlen(text));
}

void rd_json_int(rd_json_writer *w, long long v) {
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    number(w, b);
}

void rd_json_uint(rd_json_writer *w, unsigned long long v) {
    char b[32];
    snprintf(b, sizeof b, "%llu", v);
    number(w, b);
}

void rd_json_float_text(char *buf, size_t n, float v) {
    if (isfinite(v) && fabsf(v) < 1e15f && v == (float)(long long)v) { /* whole: 5000, not 5e+03 */
        snprintf(buf, n, "%.0f", (double)v);
        if (!(v == 0 && signbit(v))) return;
    }
    for (int digits = 1; digits <= 9; digits++) {
        snprintf(buf, n, "%.*g", digits, (double)v);
        if (strtof(buf, NULL) == v) return;
    }
}

void rd_json_float(rd_json_writer *w, float v) {
    char b[32];
    if (isfinite(v)) rd_json_float_text(b, sizeof b, v);
    number(w, isfinite(v) ? b : "null");
}

void rd_json_double(rd_json_writer *w, double v) {
    char b[40];
    snprintf(b, sizeof b, "null");
    if (isfinite(v) && fabs(v) < 1e15 && v == (double)(long long)v && !(v == 0 && signbit(v))) {
        snprintf(b, sizeof b, "%.0f", v); /* whole: 5000, not 5e+03 */
        v = NAN;
    }
    for (int digits = 1; digits <= 17 && isfinite(v); digits++) {
        snprintf(b, sizeof b, "%.*g", digits, v);
        if (strtod(b, NULL) == v) break;
    }
    number(w, b);
}

void rd_json_bool(rd_json_writer *w, int v) { number(w, v ? "true" : "false"); }
void rd_json_null(rd_json_writer *w) { number(w, "null"); }
