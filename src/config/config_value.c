/* One configuration value from text into its field. Strict: "12abc", "",
 * "nan" and out-of-range values are errors, never silently clamped or cut. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ini.h>
#include <strings.h>

#include "config/config_keys.h"

/* Enum fields are stored through an int; that needs enums to be int-sized. */
_Static_assert(sizeof(rd_method) == sizeof(int), "enum size");
_Static_assert(sizeof(rd_optimizer_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(rd_schedule_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(rd_activation) == sizeof(int), "enum size");
_Static_assert(sizeof(rd_init) == sizeof(int), "enum size");

#define FIELD(c, k) ((char *)(c) + (k)->offset)
#define CFIELD(c, k) ((const char *)(c) + (k)->offset)

static rd_status fail(char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static rd_status fail(char *why, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return RD_ERR_USAGE;
}

static rd_status out_of_range(const rd_config_key *k, const char *text, char *why, size_t n) {
    char range[128];
    if (k->type == RD_KEY_INT_LIST) /* one item's range */
        snprintf(range, sizeof range, "[%.0f, %.0f]", k->min, k->max);
    else
        rd_key_describe_range(k, range, sizeof range);
    return fail(why, n, "%s is out of range %s", text, range);
}

/* A whole-string decimal integer within the key's range. */
static rd_status parse_int(const rd_config_key *k, const char *text, int *out, char *why,
                           size_t n) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0')
        return fail(why, n, "expected an integer, got \"%s\"", text);
    if (errno == ERANGE || v < k->min || v > k->max) return out_of_range(k, text, why, n);
    *out = (int)v;
    return RD_OK;
}

/* A whole-string finite number within the key's range, checked after the
 * conversion to the field's precision (1e-50 as a float is 0). */
static rd_status parse_real(const rd_config_key *k, const char *text, double *out, char *why,
                            size_t n) {
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end != '\0')
        return fail(why, n, "expected a number, got \"%s\"", text);
    if (!isfinite(v)) return fail(why, n, "expected a finite number, got \"%s\"", text);
    if (k->type == RD_KEY_FLOAT) {
        if (fabs(v) > FLT_MAX) return out_of_range(k, text, why, n);
        v = (float)v;
    }
    int below = k->min_open ? v <= k->min : v < k->min;
    int above = k->max_open ? v >= k->max : v > k->max;
    if (below || above) return out_of_range(k, text, why, n);
    *out = v;
    return RD_OK;
}

static rd_status parse_u64(const rd_config_key *k, const char *text, unsigned long long *out,
                           char *why, size_t n) {
    /* strtoull would quietly turn "-1" into 2^64-1 */
    if (text[0] == '-' && text[1] != '\0' && strspn(text + 1, "0123456789") == strlen(text + 1))
        return out_of_range(k, text, why, n);
    if (text[0] < '0' || text[0] > '9')
        return fail(why, n, "expected an unsigned integer, got \"%s\"", text);
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end != '\0') return fail(why, n, "expected an unsigned integer, got \"%s\"", text);
    if (errno == ERANGE) return out_of_range(k, text, why, n);
    *out = v;
    return RD_OK;
}

static rd_status parse_bool(const char *text, int *out, char *why, size_t n) {
    static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0) return *out = 1, RD_OK;
        if (strcasecmp(text, no[i]) == 0) return *out = 0, RD_OK;
    }
    return fail(why, n, "expected true/false (or yes/no, on/off, 1/0), got \"%s\"", text);
}

static rd_status parse_enum(const rd_config_key *k, const char *text, int *out, char *why,
                            size_t n) {
    const char *choice = k->choices;
    for (int i = 0; *choice; i++) {
        size_t len = strcspn(choice, "|");
        if (strlen(text) == len && strncmp(text, choice, len) == 0) return *out = i, RD_OK;
        choice += len + (choice[len] == '|');
    }
    return fail(why, n, "expected one of %s, got \"%s\"", k->choices, text);
}

/* "1024, 512": 1 to RD_MAX_HIDDEN items, each an int in the key's range. */
static rd_status parse_list(const rd_config_key *k, const char *text, int *items, int *count,
                            char *why, size_t n) {
    char buf[256], item_why[192];
    if (strlen(text) >= sizeof buf) return fail(why, n, "list too long: \"%.60s...\"", text);
    strcpy(buf, text);
    *count = 0;
    char *item = buf;
    for (;;) {
        char *comma = strchr(item, ',');
        if (comma) *comma = '\0';
        while (*item == ' ' || *item == '\t') item++;
        size_t len = strlen(item);
        while (len > 0 && (item[len - 1] == ' ' || item[len - 1] == '\t')) item[--len] = '\0';
        if (len == 0)
            return fail(why, n, "expected 1 to 8 comma-separated layer sizes, got \"%s\"", text);
        if (*count == RD_MAX_HIDDEN)
            return fail(why, n, "more than %d layers in \"%s\"", RD_MAX_HIDDEN, text);
        if (parse_int(k, item, &items[*count], item_why, sizeof item_why) != RD_OK)
            return fail(why, n, "layer %d: %s", *count + 1, item_why);
        ++*count;
        if (!comma) return RD_OK;
        item = comma + 1;
    }
}

rd_status rd_key_parse(const rd_config_key *k, const char *text, rd_config *c, char *why,
                       size_t n) {
    char *field = FIELD(c, k);
    rd_status st = RD_OK;
    switch (k->type) {
    case RD_KEY_INT: case RD_KEY_BOOL: case RD_KEY_ENUM: {
        int v = 0;
        st = k->type == RD_KEY_INT    ? parse_int(k, text, &v, why, n)
             : k->type == RD_KEY_BOOL ? parse_bool(text, &v, why, n)
                                      : parse_enum(k, text, &v, why, n);
        if (st == RD_OK) memcpy(field, &v, sizeof v);
        break;
    }
    case RD_KEY_FLOAT: case RD_KEY_DOUBLE: {
        double v = 0;
        st = parse_real(k, text, &v, why, n);
        if (st == RD_OK && k->type == RD_KEY_FLOAT) *(float *)(void *)field = (float)v;
        if (st == RD_OK && k->type == RD_KEY_DOUBLE) *(double *)(void *)field = v;
        break;
    }
    case RD_KEY_U64:
        st = parse_u64(k, text, (unsigned long long *)(void *)field, why, n);
        break;
    case RD_KEY_STRING: {
        /* The effective config is written as "key = value" lines, and inih
         * reads lines of at most INI_MAX_LINE - 1 characters: refuse what
         * could not be read back. */
        /* keys where empty means "none" have an empty default; for the
         * others (data.dir) an empty value would name the root folder */
        if (!text[0] && k->def[0]) return fail(why, n, "needs a value (default %s)", k->def);
        size_t fit = (size_t)INI_MAX_LINE - 1 - strlen(k->name) - 3;
        if (fit > k->size - 1) fit = k->size - 1;
        if (strlen(text) > fit)
            return fail(why, n, "value is %zu characters long; at most %zu fit", strlen(text),
                        fit);
        memset(field, 0, k->size); /* no stale bytes: configs compare with memcmp */
        memcpy(field, text, strlen(text));
        break;
    }
    case RD_KEY_INT_LIST: {
        int items[RD_MAX_HIDDEN] = {0}, count = 0;
        st = parse_list(k, text, items, &count, why, n);
        if (st == RD_OK) {
            memcpy(field, items, sizeof items);
            memcpy((char *)c + k->count_offset, &count, sizeof count);
        }
        break;
    }
    }
    return st;
}

void rd_key_copy(const rd_config_key *k, rd_config *dst, const rd_config *src) {
    memcpy(FIELD(dst, k), CFIELD(src, k), k->size);
    if (k->type == RD_KEY_INT_LIST)
        memcpy((char *)dst + k->count_offset, (const char *)src + k->count_offset, sizeof(int));
}
