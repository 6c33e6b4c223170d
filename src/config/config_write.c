/* The config as text: defaults from the table, the effective config as an
 * INI file that loads back to the same struct, and the key list for
 * `rdrop train --help`. */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "rdrop/files.h"
#include "config/config_keys.h"

void rd_config_defaults(rd_config *c) {
    size_t n;
    const rd_config_key *keys = rd_config_keys(&n);
    char why[256];
    memset(c, 0, sizeof *c); /* also the padding, so configs compare with memcmp */
    for (size_t i = 0; i < n; i++) {
        if (rd_key_parse(&keys[i], keys[i].def, c, why, sizeof why) != RD_OK) {
            /* a typo in the table: fail loudly at the first run */
            fprintf(stderr, "rdrop: bad default for %s.%s: %s\n", keys[i].section, keys[i].name,
                    why);
            abort();
        }
    }
}

/* inih strips the ends of a value and cuts it at " ;" (white space as
 * isspace sees it, so also \v and \f), so such strings could not be read
 * back; refuse to write them rather than change them. A leading ';' counts
 * too: written after "key = " it would start a comment. */
static int writable(const char *s) {
    size_t len = strlen(s);
    if (len && (isspace((unsigned char)s[0]) || s[0] == ';' ||
                isspace((unsigned char)s[len - 1])))
        return 0;
    for (const char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r' || (*p == ';' && p > s && isspace((unsigned char)p[-1])))
            return 0;
    return 1;
}

rd_status rd_config_format(const rd_config *c, const char *path, rd_text *out, rd_error *err) {
    size_t n;
    const rd_config_key *keys = rd_config_keys(&n);
    rd_config *defaults = rd_malloc(1, sizeof *defaults);
    rd_config_defaults(defaults);
    char value[1100], def[1100];
    for (size_t i = 0; i < n; i++) {
        rd_key_format(&keys[i], c, value, sizeof value);
        if (!writable(value)) {
            free(defaults);
            return rd_fail(err, RD_ERR_USAGE, "%s: %s.%s: \"%s\" cannot be written to an INI "
                           "file (white space at an end, a leading ';', a line break or \" ;\")", path,
                           keys[i].section, keys[i].name, value);
        }
    }
    rd_text_open(out);
    FILE *f = out->f;
    fprintf(f, "; The effective configuration of %s: defaults, the model file,\n"
               "; the experiment and any --set overrides, every key written out.\n"
               "; Values that differ from the default say so.\n",
            c->path[0] ? c->path : "(no file)");
    const char *section = "";
    for (size_t i = 0; i < n; i++) {
        if (strcmp(section, keys[i].section) != 0) {
            section = keys[i].section;
            fprintf(f, "\n[%s]\n", section);
        }
        rd_key_format(&keys[i], c, value, sizeof value);
        rd_key_format(&keys[i], defaults, def, sizeof def);
        /* inih takes " ;" as a comment only after a space inside the value */
        if (strcmp(value, def) == 0)
            fprintf(f, "%s =%s%s\n", keys[i].name, value[0] ? " " : "", value);
        else if (value[0] && strlen(keys[i].name) + strlen(value) + strlen(def) + 16 < INI_MAX_LINE)
            fprintf(f, "%s = %s ; default: %s\n", keys[i].name, value, def[0] ? def : "(empty)");
        else /* the comment on a line of its own keeps long values readable by inih */
            fprintf(f, "; default: %s\n%s =%s%s\n", def[0] ? def : "(empty)", keys[i].name,
                    value[0] ? " " : "", value);
    }
    free(defaults);
    return RD_OK;
}

rd_status rd_config_write(const rd_config *c, const char *path, rd_error *err) {
    /* Written whole (rdrop/files.h): a kill or a full disk leaves the
     * previous config.ini, which --resume needs, whole. */
    rd_text out;
    rd_status st = rd_config_format(c, path, &out, err);
    return st ? st : rd_text_replace(&out, path, err);
}

int rd_config_differs(const rd_config *a, const rd_config *b, const char *const *ignore, char *key, char *va,
                      char *vb, size_t n) {
    size_t count;
    const rd_config_key *keys = rd_config_keys(&count);
    char name[128];
    for (size_t i = 0; i < count; i++) {
        snprintf(name, sizeof name, "%s.%s", keys[i].section, keys[i].name);
        int skip = 0;
        for (const char *const *p = ignore; p && *p && !skip; p++) skip = !strcmp(*p, name);
        if (skip) continue;
        rd_key_format(&keys[i], a, va, n);
        rd_key_format(&keys[i], b, vb, n);
        if (strcmp(va, vb) != 0) {
            snprintf(key, n, "%s", name);
            return 1;
        }
    }
    return 0;
}

const char *const rd_config_model_neutral[] = {"train.threads", "train.memory_limit_mb", "train.mc_passes",
                                                "train.engine", "model.file", NULL};

/* Only the keys away from their defaults: a key added later, whose default
 * keeps the old behaviour, leaves the hashes of earlier configs as they were. */
unsigned long rd_config_hash(const rd_config *c, const char *const *ignore) {
    size_t n;
    const rd_config_key *keys = rd_config_keys(&n);
    rd_config *defaults = rd_malloc(1, sizeof *defaults);
    rd_config_defaults(defaults);
    uLong crc = crc32(0L, Z_NULL, 0);
    char line[1300], value[1100], def[1100];
    for (size_t i = 0; i < n; i++) {
        snprintf(line, sizeof line, "%s.%s", keys[i].section, keys[i].name);
        int skip = 0;
        for (const char *const *p = ignore; p && *p && !skip; p++) skip = !strcmp(*p, line);
        rd_key_format(&keys[i], c, value, sizeof value);
        rd_key_format(&keys[i], defaults, def, sizeof def);
        if (skip || !strcmp(value, def)) continue;
        size_t k = strlen(line);
        snprintf(line + k, sizeof line - k, "=%s\n", value);
        crc = crc32(crc, (const Bytef *)line, (uInt)strlen(line));
    }
    free(defaults);
    return (unsigned long)crc;
}

void rd_config_print_keys(FILE *f) {
    size_t n;
    const rd_config_key *keys = rd_config_keys(&n);
    char name[64], range[128];
    fprintf(f, "Configuration keys (set them in the experiment file or with --set "
               "section.key=value):\n");
    fprintf(f, "  %-26s %-11s %-26s %s\n", "key", "default", "range or choices", "meaning");
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%s.%s", keys[i].section, keys[i].name);
        rd_key_describe_range(&keys[i], range, sizeof range);
        fprintf(f, "  %-26s %-11s %-26s %s\n", name, keys[i].def[0] ? keys[i].def : "\"\"", range,
                keys[i].help);
    }
}
