/* The table of configuration keys and the conversion of one value between
 * text and its field in rd_config. Internal to src/config/config*.c (and the
 * tests): everything about a key is described once, in config_keys.c. */
#ifndef RDROP_CONFIG_KEYS_H
#define RDROP_CONFIG_KEYS_H
#include <stddef.h>

#include "rdrop/config.h"

typedef enum {
    RD_KEY_INT,      /* int, strtol, range-checked */
    RD_KEY_FLOAT,    /* float, finite, range-checked */
    RD_KEY_DOUBLE,   /* double, finite, range-checked */
    RD_KEY_U64,      /* unsigned long long, no sign allowed */
    RD_KEY_BOOL,     /* int 0/1 from true/false, yes/no, on/off, 1/0 */
    RD_KEY_ENUM,     /* int-sized enum; the index into `choices` */
    RD_KEY_STRING,   /* char array of `size` bytes; too long is an error */
    RD_KEY_INT_LIST  /* model.hidden: ints into an array + a count */
} rd_key_type;

typedef struct {
    const char *section;
    const char *name;
    rd_key_type type;
    size_t offset;       /* of the field in rd_config */
    size_t size;         /* of the field, bytes */
    size_t count_offset; /* lists: of the int that holds the item count */
    double min, max;     /* range of numbers (and of list items) */
    int min_open;        /* 1: the range excludes min, "(min, ..." */
    int max_open;        /* 1: the range excludes max, "..., max)" */
    const char *choices; /* enums: "relu|tanh", in enum order */
    const char *def;     /* the default, as it would be written in a file */
    const char *help;
} rd_config_key;

/* The whole table, in the order keys are written and printed. */
const rd_config_key *rd_config_keys(size_t *count);
/* NULL when there is no such key. */
const rd_config_key *rd_config_find_key(const char *section, const char *name);
/* 1 when some key lives in this section. */
int rd_config_section_exists(const char *section);

/* Parses text into the key's field of c. On failure writes the reason (no
 * location prefix) to why and returns RD_ERR_USAGE. */
rd_status rd_key_parse(const rd_config_key *k, const char *text, rd_config *c, char *why,
                       size_t why_size);
/* The field's value as text that rd_key_parse reads back identically. */
void rd_key_format(const rd_config_key *k, const rd_config *c, char *out, size_t out_size);
/* The range or the choices, e.g. "[1, 65536]", "(0, 1e+09]", "sgd|adam|adamw". */
void rd_key_describe_range(const rd_config_key *k, char *out, size_t out_size);
/* Copies the key's field (for lists, also the count) from src to dst. */
void rd_key_copy(const rd_config_key *k, rd_config *dst, const rd_config *src);

#endif
