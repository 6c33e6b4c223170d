/* One configuration value as text: the effective config and the help list
 * print values and ranges through these, and what they print reads back
 * through rd_key_parse to the same bits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_keys.h"

/* The fewest digits that read back to the same value: 0.001f prints as
 * "0.001", not "0.00100000005"; %.9g (float) and %.17g (double) always do. */
static void format_float(float v, char *out, size_t n) {
    for (int digits = 6; digits <= 9; digits++) {
        snprintf(out, n, "%.*g", digits, (double)v);
        if ((float)strtod(out, NULL) == v) return; /* as rd_key_parse reads it */
    }
}

static void format_double(double v, char *out, size_t n) {
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(out, n, "%.*g", digits, v);
        if (strtod(out, NULL) == v) return;
    }
}

void rd_key_format(const rd_config_key *k, const rd_config *c, char *out, size_t n) {
    const char *field = (const char *)c + k->offset;
    int v = 0;
    if (k->type == RD_KEY_INT || k->type == RD_KEY_BOOL || k->type == RD_KEY_ENUM)
        memcpy(&v, field, sizeof v);
    switch (k->type) {
    case RD_KEY_INT: snprintf(out, n, "%d", v); break;
    case RD_KEY_BOOL: snprintf(out, n, "%s", v ? "true" : "false"); break;
    case RD_KEY_ENUM: {
        const char *choice = k->choices;
        for (int i = 0; i < v && strchr(choice, '|'); i++) choice = strchr(choice, '|') + 1;
        snprintf(out, n, "%.*s", (int)strcspn(choice, "|"), choice);
        break;
    }
    case RD_KEY_FLOAT: format_float(*(const float *)(const void *)field, out, n); break;
    case RD_KEY_DOUBLE: format_double(*(const double *)(const void *)field, out, n); break;
    case RD_KEY_U64:
        snprintf(out, n, "%llu", *(const unsigned long long *)(const void *)field);
        break;
    case RD_KEY_STRING: snprintf(out, n, "%s", field); break;
    case RD_KEY_INT_LIST: {
        int count = 0;
        memcpy(&count, (const char *)c + k->count_offset, sizeof count);
        size_t used = 0;
        out[0] = '\0';
        for (int i = 0; i < count && used < n; i++)
            used += (size_t)snprintf(out + used, n - used, "%s%d", i ? "," : "",
                                     ((const int *)(const void *)field)[i]);
        break;
    }
    }
}

void rd_key_describe_range(const rd_config_key *k, char *out, size_t n) {
    switch (k->type) {
    case RD_KEY_INT: snprintf(out, n, "[%.0f, %.0f]", k->min, k->max); break;
    case RD_KEY_FLOAT: case RD_KEY_DOUBLE:
        snprintf(out, n, "%c%.9g, %.9g%c", k->min_open ? '(' : '[', k->min, k->max,
                 k->max_open ? ')' : ']');
        break;
    case RD_KEY_U64: snprintf(out, n, "[0, 18446744073709551615]"); break;
    case RD_KEY_BOOL: snprintf(out, n, "true|false"); break;
    case RD_KEY_ENUM: snprintf(out, n, "%s", k->choices); break;
    case RD_KEY_STRING: snprintf(out, n, "text, <= %zu chars", k->size - 1); break;
    case RD_KEY_INT_LIST:
        snprintf(out, n, "1-%d items in [%.0f, %.0f]", RD_MAX_HIDDEN, k->min, k->max);
        break;
    }
}
