/* A small, strict JSON parser (RFC 8259) for the headers of the
 * files rdrop reads (safetensors). It takes objects, arrays, strings with
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

#endif
