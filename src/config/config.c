/* Loading an experiment: defaults, then the model file, then the experiment's
 * own keys; and `--set section.key=value` overrides. The INI syntax is
 * inih's; what each key means and accepts comes from the key table. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "rdrop/files.h"
#include "config/config_keys.h"

/* What the inih callbacks need while one file is read. */
typedef struct {
    rd_config *c;
    const char *path;    /* the file, as messages name it */
    int is_model_file;   /* 1: only [model] keys, and no model.file */
    FILE *f;
    char *line;          /* one line as read */
    size_t line_cap;
    int lineno;          /* of the line inih is working on */
    int indented;        /* that line starts with white space */
    int *set_line;       /* per key: the line that set it, 0 = not set */
    rd_error *err;
    rd_status status;    /* first error; it stops the reading */
    int err_line;
} config_reader;

static size_t key_index(const rd_config_key *k) {
    size_t n;
    return (size_t)(k - rd_config_keys(&n));
}

/* inih's line reader. We supply it because this inih build does not pass
 * line numbers to the handler, and because inih silently cuts lines longer
 * than its buffer, which would truncate a value instead of failing. */
static char *read_line(char *str, int size, void *stream) {
    config_reader *r = stream;
    if (r->status != RD_OK) return NULL;
    /* At most size + 1 bytes, not getline: a file without line breaks
     * (/dev/zero) must not be read whole to find that its line is too long.
     * Byte by byte, not fgets, so that a NUL byte is seen, not taken for the
     * line's end. */
    if (r->line_cap < (size_t)size + 2) {
        r->line_cap = (size_t)size + 2;
        r->line = rd_realloc(r->line, r->line_cap, 1);
    }
    size_t len = 0;
    int c = EOF, ended = 0;
    while (len < (size_t)size + 1 && (c = getc(r->f)) != EOF) {
        if (c == '\n') {
            ended = 1;
            break;
        }
        if (c == '\0') {
            r->err_line = r->lineno + 1;
            r->status = rd_fail(r->err, RD_ERR_USAGE, "%s:%d: a NUL byte: not a text file", r->path,
                                r->lineno + 1);
            return NULL;
        }
        r->line[len++] = (char)c;
    }
    if (len == 0 && !ended) return NULL; /* the end of the file */
    r->line[len] = '\0';
    r->lineno++;
    while (len > 0 && r->line[len - 1] == '\r') r->line[--len] = '\0';
    if (len >= (size_t)size || (!ended && !feof(r->f))) {
        r->err_line = r->lineno;
        r->status = rd_fail(r->err, RD_ERR_USAGE, "%s:%d: line is longer than %d characters",
                            r->path, r->lineno, size - 1);
        return NULL;
    }
    memcpy(str, r->line, (size_t)len + 1);
    r->indented = str[0] == ' ' || str[0] == '\t';
    return str;
}

static int reader_fail(config_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the first error as "path:line: ..." and tells inih to stop. */
static int reader_fail(config_reader *r, const char *fmt, ...) {
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->err_line = r->lineno;
    r->status = rd_fail(r->err, RD_ERR_USAGE, "%s:%d: %s", r->path, r->lineno, msg);
    return 0;
}

static int on_key(void *user, const char *section, const char *name, const char *value) {
    config_reader *r = user;
    if (!name) return 1; /* builds that report bare [section] lines */
    if (section[0] == '\0')
        return reader_fail(r, "key \"%s\" is outside any section; put it under [model], "
                              "[data] or [train]", name);
    if (r->is_model_file && strcmp(section, "model") != 0)
        return reader_fail(r, "unknown section [%s] (a model file holds only [model])", section);
    if (!rd_config_section_exists(section))
        return reader_fail(r, "unknown section [%s] (sections: [model], [data], [train])",
                           section);
    const rd_config_key *k = rd_config_find_key(section, name);
    if (!k) return reader_fail(r, "unknown key \"%s\" in section [%s]", name, section);
    if (r->is_model_file && strcmp(k->name, "file") == 0)
        return reader_fail(r, "model.file: a model file cannot name another model file");
    size_t i = key_index(k);
    if (r->set_line[i])
        return reader_fail(r, "%s.%s is already set on line %d%s", section, name,
                           r->set_line[i],
                           r->indented ? " (an indented line continues the previous value)" : "");
    char why[512];
    if (rd_key_parse(k, value, r->c, why, sizeof why) != RD_OK)
        return reader_fail(r, "%s.%s: %s", section, name, why);
    r->set_line[i] = r->lineno;
    return 1;
}

/* Reads one opened INI file into c; set_line records which keys it set. */
static rd_status read_ini(FILE *f, const char *path, int is_model_file, rd_config *c,
                          int *set_line, rd_error *err) {
    config_reader r = {.c = c, .path = path, .is_model_file = is_model_file, .f = f,
                    .set_line = set_line, .err = err, .status = RD_OK};
    int bad_line = ini_parse_stream(read_line, &r, on_key, &r);
    free(r.line);
    if (ferror(f))
        return rd_fail(err, RD_ERR_RUNTIME, "%s: read error: %s", path, strerror(errno));
    /* inih reports the first line it could not parse, or that our handler refused */
    if (bad_line > 0 && (r.status == RD_OK || bad_line < r.err_line))
        return rd_fail(err, RD_ERR_USAGE,
                       "%s:%d: syntax error: expected [section], key = value or a ; comment",
                       path, bad_line);
    return r.status;
}

/* Opens the model file: as given, then (for a relative path) next to the
 * file that names it. Reads its keys into c, except those in `keep` (set by
 * the experiment itself, which win). where: "path:line" or "--set ...". */
static rd_status apply_model_file(rd_config *c, const char *file, const char *naming_file,
                                  const int *keep, const char *where, rd_error *err) {
    char tried[2048] = "";
    FILE *f;
    rd_error why_not;
    /* a FIFO or device is refused as it is, not looked for elsewhere */
    if (rd_fopen_regular(file, &f, &why_not) && !errno)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: model.file: %s", where, why_not.msg);
    int first_errno = errno;
    const char *slash = naming_file ? strrchr(naming_file, '/') : NULL;
    if (!f && file[0] != '/' && slash) {
        snprintf(tried, sizeof tried, "%.*s/%s", (int)(slash - naming_file), naming_file, file);
        if (rd_fopen_regular(tried, &f, &why_not) && !errno)
            return rd_fail(err, RD_ERR_RUNTIME, "%s: model.file: %s", where, why_not.msg);
    }
    if (!f)
        return rd_fail(err, RD_ERR_RUNTIME, "%s: model.file: cannot read \"%s\"%s%s%s: %s", where,
                       file, tried[0] ? " (nor \"" : "", tried, tried[0] ? "\")" : "",
                       strerror(first_errno));
    const char *opened = tried[0] ? tried : file;
    size_t n;
    const rd_config_key *keys = rd_config_keys(&n);
    rd_config *m = rd_malloc(1, sizeof *m);
    int *set_line = rd_calloc(n, sizeof *set_line);
    char why[256];
    rd_config_defaults(m);
    rd_status st = rd_key_parse(rd_config_find_key("model", "file"), opened, c, why, sizeof why);
    if (st != RD_OK) rd_fail(err, st, "%s: model.file: %s", where, why);
    else st = read_ini(f, opened, 1, m, set_line, err);
    for (size_t i = 0; st == RD_OK && i < n; i++)
        if (set_line[i] && !(keep && keep[i])) rd_key_copy(&keys[i], c, m);
    fclose(f);
    free(set_line);
    free(m);
    return st;
}

/* path, and name = its base name without ".ini". */
static rd_status set_path_and_name(rd_config *c, const char *path, rd_error *err) {
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".ini") == 0) len -= 4;
    if (strlen(path) >= sizeof c->path || len >= sizeof c->name)
        return rd_fail(err, RD_ERR_USAGE, "%.100s...: the experiment path is too long", path);
    snprintf(c->path, sizeof c->path, "%s", path);
    snprintf(c->name, sizeof c->name, "%.*s", (int)len, base);
    return RD_OK;
}

static rd_status load(const char *path, int follow_model_file, rd_config *c, rd_error *err) {
    rd_config *tmp = rd_malloc(1, sizeof *tmp); /* c changes only on success */
    rd_config_defaults(tmp);
    rd_status st = set_path_and_name(tmp, path, err);
    FILE *f = NULL;
    if (st == RD_OK && (st = rd_fopen_regular(path, &f, err)) && errno) /* else "PATH: not a regular file" */
        rd_fail(err, st, "cannot read \"%s\": %s", path, strerror(errno));
    size_t n;
    rd_config_keys(&n);
    int *set_line = rd_calloc(n, sizeof *set_line);
    if (f) {
        st = read_ini(f, path, 0, tmp, set_line, err);
        fclose(f);
    }
    size_t file_key = key_index(rd_config_find_key("model", "file"));
    /* the model file matters only for [model] keys this file leaves out */
    int all_model_keys = 1;
    const rd_config_key *keys = rd_config_keys(&n);
    for (size_t i = 0; i < n; i++) {
        if (set_line[i]) tmp->set_keys |= 1ULL << i;
        if (!strcmp(keys[i].section, "model") && i != file_key && !set_line[i]) all_model_keys = 0;
    }
    if (st == RD_OK && tmp->model.file[0] && !all_model_keys && follow_model_file) {
        char where[1100], file[sizeof tmp->model.file];
        snprintf(where, sizeof where, "%s:%d", path, set_line[file_key]);
        memcpy(file, tmp->model.file, sizeof file);
        st = apply_model_file(tmp, file, path, set_line, where, err);
    }
    if (st == RD_OK) memcpy(c, tmp, sizeof *c);
    free(set_line);
    free(tmp);
    return st;
}

rd_status rd_config_load(const char *path, rd_config *c, rd_error *err) { return load(path, 1, c, err); }

rd_status rd_config_load_own(const char *path, rd_config *c, rd_error *err) { return load(path, 0, c, err); }

/* A decimal factor as written, exactly: F = m * 10^e ("1.65" is 165 * 10^-2)
 * with m of at most 19 significant digits (below 2^64). Returns 0 for
 * anything else. */
static int exact_factor(const char *s, unsigned long long *m, int *e) {
    char digits[20];
    int n = 0, exp10 = 0, seen = 0;
    if (*s == '+' || *s == '-') s++; /* strtod has refused a negative factor already */
    for (int dot = 0; *s == '.' ? !dot++ : *s >= '0' && *s <= '9'; s++) {
        if (*s == '.') continue;
        seen = 1;
        if (dot) exp10--;
        if (n == 0 && *s == '0') continue; /* leading zeros */
        if (n == 19) { /* a 20th significant digit: fine only if it and all after are zeros */
            if (*s != '0') return 0;
            exp10++;
            continue;
        }
        digits[n++] = *s;
    }
    if (!seen) return 0;
    if (*s == 'e' || *s == 'E') {
        char *end;
        long x = strtol(s + 1, &end, 10);
        if (end == s + 1 || *end || x < -1000 || x > 1000) return 0;
        exp10 += (int)x;
    } else if (*s) {
        return 0;
    }
    for (; n > 0 && digits[n - 1] == '0'; n--) exp10++; /* trailing zeros */
    unsigned long long v = 0;
    for (int i = 0; i < n; i++) v = v * 10 + (unsigned)(digits[i] - '0');
    *m = v;
    *e = n ? exp10 : 0;
    return 1;
}

/* A whole number times m * 10^e, rounded to the nearest (halves up), in
 * 128-bit integers (a GCC and Clang extension): now * m < 2^128 always.
 * Returns 0 when the result does not fit 64 bits. */
static int scale_whole(unsigned long long now, unsigned long long m, int e, unsigned long long *out) {
    typedef unsigned __int128 u128;
    u128 v = (u128)now * m;
    for (; e > 0 && v; e--) {
        if (v > ULLONG_MAX) return 0;
        v *= 10;
    }
    if (e < -38) {
        v = 0; /* below 2^128 / 10^39 < 0.5 */
    } else if (e < 0) {
        u128 p = 1;
        for (; e < 0; e++) p *= 10;
        u128 r = v % p;
        v = v / p + (r >= p - r);
    }
    if (v > ULLONG_MAX) return 0;
    *out = (unsigned long long)v;
    return 1;
}

/* "key*=F": the key's value times F, then checked like any value. Whole-number
 * keys are scaled exactly and rounded to the nearest (halves up): 150 * 1.65
 * is 247.5 and gives 248, and a 20-digit seed keeps all its digits. */
static rd_status scale_value(const rd_config_key *k, const char *factor, rd_config *c, char *why, size_t n) {
    if (k->type != RD_KEY_INT && k->type != RD_KEY_FLOAT && k->type != RD_KEY_DOUBLE && k->type != RD_KEY_U64) {
        snprintf(why, n, "*= scales numbers only");
        return RD_ERR_USAGE;
    }
    char *end, now[64], text[64];
    double f = strtod(factor, &end);
    if (end == factor || *end || !isfinite(f) || f < 0) {
        snprintf(why, n, "*=%s: the factor must be a number >= 0", factor);
        return RD_ERR_USAGE;
    }
    rd_key_format(k, c, now, sizeof now);
    if (k->type == RD_KEY_INT || k->type == RD_KEY_U64) {
        unsigned long long m, v;
        int e;
        if (!exact_factor(factor, &m, &e)) {
            snprintf(why, n, "*=%s: for a whole-number key, the factor must be a plain decimal (2, 1.65, 1e3) of at "
                     "most 19 significant digits", factor);
            return RD_ERR_USAGE;
        }
        if (now[0] == '-' || !scale_whole(strtoull(now, NULL, 10), m, e, &v)) {
            snprintf(why, n, "%s * %s is out of range", now, factor);
            return RD_ERR_USAGE;
        }
        snprintf(text, sizeof text, "%llu", v);
    } else {
        /* to 12 digits first, so that a decimal factor acts as written:
         * 0.1 * 3 is 0.3, not the 0.30000000000000004 of binary doubles */
        snprintf(text, sizeof text, "%.12g", strtod(now, NULL) * f);
        snprintf(text, sizeof text, "%.17g", strtod(text, NULL));
    }
    return rd_key_parse(k, text, c, why, n);
}

rd_status rd_config_set(rd_config *c, const char *assignment, rd_error *err) {
    char where[128], key[128], why[512];
    int shown = (int)strlen(assignment) > 100 ? 100 : (int)strlen(assignment);
    snprintf(where, sizeof where, "--set %.*s%s", shown, assignment,
             strlen(assignment) > 100 ? "..." : "");
    const char *eq = strchr(assignment, '=');
    const char *dot = eq ? memchr(assignment, '.', (size_t)(eq - assignment)) : NULL;
    if (!eq || !dot || eq - assignment >= (long)sizeof key)
        return rd_fail(err, RD_ERR_USAGE, "%s: expected section.key=value", where);
    /* "section.key*=F" scales the key's current value */
    int scale = eq[-1] == '*';
    /* "train.lr = 0.1" as one argument: trim around the key and the value */
    const char *start = assignment + strspn(assignment, " \t");
    int len = (int)(eq - scale - start);
    while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t')) len--;
    snprintf(key, sizeof key, "%.*s", len, start);
    char *name = strchr(key, '.');
    *name++ = '\0';
    if (!rd_config_section_exists(key))
        return rd_fail(err, RD_ERR_USAGE, "%s: unknown section [%s]", where, key);
    const rd_config_key *k = rd_config_find_key(key, name);
    if (!k)
        return rd_fail(err, RD_ERR_USAGE, "%s: unknown key \"%s\" in section [%s]", where, name,
                       key);
    const char *value = eq + 1 + strspn(eq + 1, " \t");
    char *trimmed = rd_malloc(strlen(value) + 1, 1);
    strcpy(trimmed, value);
    for (size_t l = strlen(trimmed); l > 0 && (trimmed[l - 1] == ' ' || trimmed[l - 1] == '\t');)
        trimmed[--l] = '\0';
    rd_status st = RD_OK;
    size_t n;
    rd_config_keys(&n);
    if (k->type == RD_KEY_STRING && strcmp(k->name, "file") == 0) {
        int *keep = rd_calloc(n, sizeof *keep);
        for (size_t i = 0; i < n; i++) keep[i] = (int)(c->set_keys >> i & 1);
        st = apply_model_file(c, trimmed, NULL, keep, where, err);
        free(keep);
    } else if (scale) {
        st = scale_value(k, trimmed, c, why, sizeof why);
        if (st) st = rd_fail(err, RD_ERR_USAGE, "%s: %s.%s: %s", where, key, name, why);
    } else if (rd_key_parse(k, trimmed, c, why, sizeof why) != RD_OK)
        st = rd_fail(err, RD_ERR_USAGE, "%s: %s.%s: %s", where, key, name, why);
    if (st == RD_OK) c->set_keys |= 1ULL << key_index(k);
    free(trimmed);
    return st;
}
