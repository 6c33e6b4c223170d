/* Strict JSON: recursive descent over a byte span, every byte checked. */
#include "rdrop/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *s;
    size_t len, pos;
    rd_json_doc *doc;
    rd_error *err;
} parser;

static rd_status bad(parser *p, const char *what) {
    return rd_fail(p->err, RD_ERR_RUNTIME, "byte %zu: %s", p->pos, what);
}

static void skip_ws(parser *p) {
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static int peek(const parser *p) { return p->pos < p->len ? p->s[p->pos] : -1; }

/* A new node; its index, or -1 past the budget. */
static int new_node(parser *p, rd_json_type type) {
    rd_json_doc *d = p->doc;
    if (d->n == d->max) return -1;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        if (d->cap > d->max) d->cap = d->max;
        d->nodes = rd_realloc(d->nodes, (size_t)d->cap, sizeof(rd_json));
    }
    rd_json *n = &d->nodes[d->n];
    memset(n, 0, sizeof *n);
    n->type = type;
    n->first = n->next = -1;
    n->offset = p->pos;
    return d->n++;
}

static void put_utf8(char *out, size_t *k, unsigned cp) {
    if (cp < 0x80) {
        out[(*k)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*k)++] = (char)(0xC0 | cp >> 6);
        out[(*k)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*k)++] = (char)(0xE0 | cp >> 12);
        out[(*k)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[(*k)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*k)++] = (char)(0xF0 | cp >> 18);
        out[(*k)++] = (char)(0x80 | (cp >> 12 & 0x3F));
        out[(*k)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[(*k)++] = (char)(0x80 | (cp & 0x3F));
    }
}

size_t rd_utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t len;
    unsigned cp, min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07, min = 0x10000;
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

static int hex4(const unsigned char *s, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

/* A string at p->pos (the opening quote), decoded into the doc's buffer. */
static rd_status parse_string(parser *p, const char **out, size_t *out_len) {
    rd_json_doc *d = p->doc;
    char *dst = d->strings + d->used;
    size_t k = 0;
    p->pos++; /* the quote */
    for (;;) {
        if (p->pos >= p->len) return bad(p, "unterminated string");
        unsigned c = p->s[p->pos];
        if (c == '"') break;
        if (c < 0x20) return bad(p, "control character in a string (escape it)");
        if (c != '\\') {
            size_t n = rd_utf8_len(p->s + p->pos, p->len - p->pos);
            if (n == 0) return bad(p, "invalid UTF-8 in a string");
            memcpy(dst + k, p->s + p->pos, n);
            k += n;
            p->pos += n;
            continue;
        }
        if (p->pos + 1 >= p->len) return bad(p, "unterminated string");
        unsigned e = p->s[p->pos + 1];
        const char *simple = strchr("\"\\/bfnrt", (int)e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            dst[k++] = map[simple - "\"\\/bfnrt"];
            p->pos += 2;
            continue;
        }
        if (e != 'u') return bad(p, "invalid escape in a string");
        unsigned cp, lo;
        if (p->pos + 6 > p->len || !hex4(p->s + p->pos + 2, &cp)) return bad(p, "\\u needs 4 hex digits");
        if (cp >= 0xDC00 && cp <= 0xDFFF) return bad(p, "lone low surrogate in a string");
        if (cp >= 0xD800 && cp <= 0xDBFF) { /* needs its low half right after */
            if (p->pos + 12 > p->len || p->s[p->pos + 6] != '\\' || p->s[p->pos + 7] != 'u' ||
                !hex4(p->s + p->pos + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                return bad(p, "lone high surrogate in a string");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p->pos += 6;
        }
        if (cp == 0) return bad(p, "NUL (\\u0000) in a string");
        put_utf8(dst, &k, cp);
        p->pos += 6;
    }
    p->pos++; /* the closing quote */
    /* decoded text is never longer than its source, quotes included: the
     * buffer (the text's length + 1) cannot overflow */
    dst[k] = '\0';
    d->used += k + 1;
    *out = dst;
    *out_len = k;
    return RD_OK;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }

static rd_status parse_number(parser *p, rd_json *n) {
    size_t start = p->pos;
    int negative = peek(p) == '-', plain = 1;
    if (negative) p->pos++;
    if (!is_digit(peek(p))) return bad(p, "expected a digit");
    if (peek(p) == '0') {
        p->pos++;
        if (is_digit(peek(p))) return bad(p, "leading zero in a number");
    } else {
        while (is_digit(peek(p))) p->pos++;
    }
    if (peek(p) == '.') {
        plain = 0;
        p->pos++;
        if (!is_digit(peek(p))) return bad(p, "expected a digit after '.'");
        while (is_digit(peek(p))) p->pos++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        plain = 0;
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-') p->pos++;
        if (!is_digit(peek(p))) return bad(p, "expected a digit in the exponent");
        while (is_digit(peek(p))) p->pos++;
    }
    size_t len = p->pos - start;
    char buf[64];
    if (len >= sizeof buf) {
        p->pos = start;
        return bad(p, "number longer than 63 characters");
    }
    memcpy(buf, p->s + start, len);
    buf[len] = '\0';
    n->num = strtod(buf, NULL);
    if (plain && !negative) {
        uint64_t v = 0;
        int fits = 1;
        for (size_t i = 0; i < len && fits; i++) {
            unsigned digit = (unsigned)(buf[i] - '0');
            if (v > (UINT64_MAX - digit) / 10) fits = 0;
            else v = v * 10 + digit;
        }
        n->is_uint = fits;
        n->uint = fits ? v : 0;
    }
    return RD_OK;
}

static rd_status parse_value(parser *p, int depth, int *index);

/* Duplicate keys are refused: which one wins differs between readers. */
static int has_key(const rd_json_doc *d, const rd_json *obj, const char *key) {
    for (int i = obj->first; i >= 0; i = d->nodes[i].next)
        if (strcmp(d->nodes[i].key, key) == 0) return 1;
    return 0;
}

static rd_status parse_container(parser *p, int depth, int self) {
    rd_json_doc *d = p->doc;
    int object = d->nodes[self].type == RD_JSON_OBJECT, last = -1;
    char close = object ? '}' : ']';
    p->pos++; /* the opening bracket */
    skip_ws(p);
    if (peek(p) == close) {
        p->pos++;
        return RD_OK;
    }
    for (;;) {
        const char *key = NULL;
        size_t key_len, key_at = p->pos;
        if (object) {
            if (peek(p) != '"') return bad(p, "expected a string key");
            rd_status st = parse_string(p, &key, &key_len);
            if (st) return st;
            if (has_key(d, &d->nodes[self], key)) {
                p->pos = key_at;
                return bad(p, "duplicate key in an object");
            }
            skip_ws(p);
            if (peek(p) != ':') return bad(p, "expected ':' after the key");
            p->pos++;
            skip_ws(p);
        }
        int child;
        rd_status st = parse_value(p, depth + 1, &child);
        if (st) return st;
        d->nodes[child].key = key;
        if (last < 0) d->nodes[self].first = child;
        else d->nodes[last].next = child;
        last = child;
        d->nodes[self].count++;
        skip_ws(p);
        if (peek(p) == close) {
            p->pos++;
            return RD_OK;
        }
        if (peek(p) != ',') return bad(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
        p->pos++;
        skip_ws(p);
        if (peek(p) == close) return bad(p, "trailing comma");
    }
}

static rd_status parse_value(parser *p, int depth, int *index) {
    if (depth > RD_JSON_MAX_DEPTH) return bad(p, "nested deeper than 32 levels");
    int c = peek(p);
    rd_json_type type;
    const char *word = NULL;
    if (c == '{') type = RD_JSON_OBJECT;
    else if (c == '[') type = RD_JSON_ARRAY;
    else if (c == '"') type = RD_JSON_STRING;
    else if (c == '-' || is_digit(c)) type = RD_JSON_NUMBER;
    else if (c == 't') type = RD_JSON_TRUE, word = "true";
    else if (c == 'f') type = RD_JSON_FALSE, word = "false";
    else if (c == 'n') type = RD_JSON_NULL, word = "null";
    else return bad(p, c < 0 ? "unexpected end of the text" : "expected a value");
    int self = new_node(p, type);
    if (self < 0) return bad(p, "too many values");
    *index = self;
    if (word) {
        size_t n = strlen(word);
        if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) return bad(p, "expected a value");
        p->pos += n;
        return RD_OK;
    }
    if (type == RD_JSON_STRING) {
        const char *s;
        size_t n;
        rd_status st = parse_string(p, &s, &n);
        /* nodes may have moved while parsing: index again */
        p->doc->nodes[self].str = s;
        p->doc->nodes[self].len = n;
        return st;
    }
    if (type == RD_JSON_NUMBER) return parse_number(p, &p->doc->nodes[self]);
    return parse_container(p, depth, self);
}

rd_status rd_json_parse(const char *text, size_t len, int max_nodes, rd_json_doc *doc, rd_error *err) {
    memset(doc, 0, sizeof *doc);
    doc->max = max_nodes > 0 ? max_nodes : 1;
    doc->strings = rd_malloc(len + 1, 1);
    parser p = {(const unsigned char *)text, len, 0, doc, err};
    skip_ws(&p);
    int root;
    rd_status st = parse_value(&p, 1, &root);
    if (!st) {
        skip_ws(&p);
        if (p.pos != len) st = bad(&p, "unexpected text after the value");
    }
    if (st) rd_json_free(doc);
    return st;
}

void rd_json_free(rd_json_doc *doc) {
    free(doc->nodes);
    free(doc->strings);
    memset(doc, 0, sizeof *doc);
}

const rd_json *rd_json_child(const rd_json_doc *doc, const rd_json *parent) {
    return parent->first >= 0 ? &doc->nodes[parent->first] : NULL;
}

const rd_json *rd_json_next(const rd_json_doc *doc, const rd_json *node) {
    return node->next >= 0 ? &doc->nodes[node->next] : NULL;
}

const rd_json *rd_json_get(const rd_json_doc *doc, const rd_json *obj, const char *key) {
    if (obj->type != RD_JSON_OBJECT) return NULL;
    for (const rd_json *c = rd_json_child(doc, obj); c; c = rd_json_next(doc, c))
        if (strcmp(c->key, key) == 0) return c;
    return NULL;
}
