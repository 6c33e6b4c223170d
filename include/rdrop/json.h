/* JSON: a small, strict parser (RFC 8259) for what rdrop reads (the
 * safetensors header, the requests of `rdrop serve`), and the one writer for
 * what it writes (the safetensors header, the replies of `rdrop serve`).
 *
 * The parser It takes objects, arrays, strings with
 * every escape, numbers, true, false and null, and refuses everything the
 * RFC does not allow: comments, trailing commas, leading zeros, NaN, a
 * lone surrogate, invalid UTF-8, raw control characters in strings. It also
 * refuses what rdrop never needs and a reader would trip on: duplicate keys
 * in an object, NUL (\u0000) in a string. Bounded: nesting depth
 * RD_JSON_MAX_DEPTH, and at most max_nodes values, so a hostile header costs
 * little time or memory.
 *
 * The document becomes an array of nodes, the root first; children are
 * linked through indices. Strings are decoded (escapes resolved) into one
 * buffer and NUL-terminated. */
#ifndef RDROP_JSON_H
#define RDROP_JSON_H
#include <stddef.h>
#include <stdint.h>

#include "rdrop/error.h"

#define RD_JSON_MAX_DEPTH 32

typedef enum {
    RD_JSON_NULL,
    RD_JSON_FALSE,
    RD_JSON_TRUE,
    RD_JSON_NUMBER,
    RD_JSON_STRING,
    RD_JSON_ARRAY,
    RD_JSON_OBJECT
} rd_json_type;

typedef struct {
    rd_json_type type;
    const char *key; /* the member's name when the parent is an object, else NULL */
    const char *str; /* strings: the decoded text */
    size_t len;      /* strings: its length in bytes */
    double num;      /* numbers: the value (may be +-inf when out of range) */
    int is_uint;     /* numbers: 1 when written as digits only and within uint64 */
    uint64_t uint;   /* ... and then its exact value */
    int count;       /* arrays, objects: number of children */
    int first, next; /* index of the first child and of the next sibling; -1: none */
    size_t offset;   /* where the value starts in the text */
} rd_json;

typedef struct {
    rd_json *nodes; /* nodes[0] is the root */
    int n, cap, max;
    char *strings;  /* decoded strings and keys */
    size_t used;
} rd_json_doc;

/* Parses text[0..len): one value with optional whitespace around it. On
 * failure the message gives the byte offset and what was wrong ("byte 17:
 * expected ':' after the key") and doc is left empty. */
rd_status rd_json_parse(const char *text, size_t len, int max_nodes, rd_json_doc *doc, rd_error *err);
void rd_json_free(rd_json_doc *doc);

/* The member of object `obj` named key, or NULL. */
const rd_json *rd_json_get(const rd_json_doc *doc, const rd_json *obj, const char *key);
/* The child after `node` (or the first child of a container: rd_json_child). */
const rd_json *rd_json_child(const rd_json_doc *doc, const rd_json *parent);
const rd_json *rd_json_next(const rd_json_doc *doc, const rd_json *node);

/* ---- Writing ---------------------------------------------------------------
 * Values are appended to a growing buffer with no whitespace; the writer puts
 * the commas and colons. Strings are escaped (", backslash, control characters) and
 * made valid UTF-8 (each byte that does not start a valid sequence becomes
 * U+FFFD), so any C string can be written. Numbers that JSON cannot hold
 * (NaN, infinities) are written as null.
 *
 *     rd_json_writer w;  rd_json_writer_init(&w);
 *     rd_json_object(&w);
 *     rd_json_key(&w, "shape"); rd_json_array(&w); rd_json_int(&w, 10); rd_json_end(&w);
 *     rd_json_end(&w);                      // w.text is {"shape":[10]}, w.len 14
 *     rd_json_writer_free(&w);
 *
 * Using it out of order (a value in an object without its key, rd_json_end
 * with nothing open, nesting past RD_JSON_MAX_DEPTH) is a bug in the caller
 * and stops the program (assert). */
typedef struct {
    char *text; /* NUL-terminated */
    size_t len, cap;
    int depth;                              /* open containers */
    char close[RD_JSON_MAX_DEPTH];          /* their closing brackets */
    unsigned char count[RD_JSON_MAX_DEPTH]; /* 0: nothing in it yet (1 after) */
    int want_value;                         /* 1: a key was written, its value comes next */
} rd_json_writer;

void rd_json_writer_init(rd_json_writer *w);
void rd_json_writer_free(rd_json_writer *w);
/* Empties w for a new document, keeping its buffer. */
void rd_json_writer_reset(rd_json_writer *w);

void rd_json_object(rd_json_writer *w); /* { */
void rd_json_array(rd_json_writer *w);  /* [ */
void rd_json_end(rd_json_writer *w);    /* } or ], whichever is open */
void rd_json_key(rd_json_writer *w, const char *key);
void rd_json_str(rd_json_writer *w, const char *s);
void rd_json_str_n(rd_json_writer *w, const char *s, size_t n);
void rd_json_int(rd_json_writer *w, long long v);
void rd_json_uint(rd_json_writer *w, unsigned long long v);
/* The shortest text that reads back as the same double (float): 0.1 is
 * "0.1", not "0.10000000000000001". */
void rd_json_double(rd_json_writer *w, double v);
void rd_json_float(rd_json_writer *w, float v);
void rd_json_bool(rd_json_writer *w, int v);
void rd_json_null(rd_json_writer *w);

/* The shortest text that reads back as the same float ("0.3" for 0.3f), as
 * rd_json_float writes it (non-finite values as "nan", "inf"). */
void rd_json_float_text(char *buf, size_t n, float v);

/* Length of the valid UTF-8 sequence at s[0..n) (RFC 3629: no overlong
 * forms, no surrogates, at most U+10FFFF), or 0 when there is none. */
size_t rd_utf8_len(const unsigned char *s, size_t n);

#endif
