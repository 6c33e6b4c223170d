/* rdrop compare: from the command line to one `rdrop train` per config and
 * seed, and what state each run folder is in. */
#include <stdio.h>
#include <string.h>

#include "cli/compare.h"
#include "rdrop/files.h"
#include "rdrop/report.h"

/* Keeps labels usable as folder names and CSV fields. Returns 0 when the
 * label is full: a label cut short could name two arms alike. */
static int safe_append(char *label, size_t size, const char *text) {
    size_t n = strlen(label);
    const char *p = text;
    for (; *p && n + 1 < size; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("._=+-", c);
        label[n++] = ok ? c : '_';
    }
    label[n] = 0;
    return *p == 0;
}

/* Cuts "key=value:key=value" (in place) into a's overrides. */
static rd_status split_sets(cmp_arm *a, char *p, const char *spec, rd_error *err) {
    while (p) {
        char *next = strchr(p, ':');
        if (next) *next++ = 0;
        if (a->n_sets == CMP_MAX_SETS) return rd_fail(err, RD_ERR_USAGE, "%s: too many overrides", spec);
        if (!strchr(p, '=')) return rd_fail(err, RD_ERR_USAGE, "%s: \"%s\" is not key=value", spec, p);
        if (!strncmp(p, "train.seed=", 11) || !strncmp(p, "train.seed*=", 12))
            return rd_fail(err, RD_ERR_USAGE, "%s: compare sets train.seed itself (seeds 0..N-1 of --seeds)", spec);
        a->sets[a->n_sets++] = p;
        p = next;
    }
    return RD_OK;
}

/* "+key=value" per override, the section left out; "key*=F" reads "keyxF".
 * Returns 0 when the label does not fit. */
static int label_sets(cmp_arm *a) {
    int fits = 1;
    for (int i = 0; i < a->n_sets; i++) {
        const char *s = a->sets[i], *eq = strchr(s, '='), *dot = strchr(s, '.');
        const char *key = dot && dot < eq ? dot + 1 : s;
        int scale = eq > s && eq[-1] == '*';
        char part[600];
        snprintf(part, sizeof part, "%s%.*s%s%s", a->label[0] ? "+" : "", (int)(eq - scale - key), key,
                 scale ? "x" : "=", eq + 1);
        fits &= safe_append(a->label, sizeof a->label, part);
    }
    return fits;
}

static rd_status too_long(const char *what, const char *spec, int max, rd_error *err) {
    return rd_fail(err, RD_ERR_USAGE, "%s%.60s%s: its label (the config's name and \"+key=value\" per override) "
                   "would be longer than %d characters: shorten the name or the overrides", what, spec,
                   strlen(spec) > 60 ? "..." : "", max);
}

rd_status cmp_arm_parse(cmp_arm *a, const char *spec, rd_error *err) {
    memset(a, 0, sizeof *a);
    if (snprintf(a->spec, sizeof a->spec, "%s", spec) >= (int)sizeof a->spec)
        return rd_fail(err, RD_ERR_USAGE, "%.60s...: config argument too long", spec);
    a->path = a->spec;
    char *colon = strchr(a->spec, ':');
    if (colon) *colon++ = 0;
    rd_status st = split_sets(a, colon, spec, err);
    if (st) return st;
    static rd_config cfg;
    if ((st = rd_config_load(a->path, &cfg, err))) return st;
    if (!safe_append(a->label, sizeof a->label, cfg.name) || !label_sets(a))
        return too_long("", spec, CMP_MAX_LABEL, err);
    return RD_OK;
}

rd_status cmp_group_parse(cmp_arm *g, const char *spec, rd_error *err) {
    memset(g, 0, sizeof *g);
    if (snprintf(g->spec, sizeof g->spec, "%s", spec) >= (int)sizeof g->spec)
        return rd_fail(err, RD_ERR_USAGE, "--group %.60s...: too long", spec);
    rd_status st = split_sets(g, g->spec, spec, err);
    if (st) return st;
    if (!label_sets(g) || strlen(g->label) > CMP_MAX_GROUP_LABEL)
        return too_long("--group ", spec, CMP_MAX_GROUP_LABEL, err);
    return RD_OK;
}

rd_status cmp_run_plan(cmp_run *r, const cmp_arm *a, const cmp_arm *g, unsigned long long seed, const cmp_common *c,
                       rd_error *err) {
    memset(r, 0, sizeof *r);
    r->arm = a;
    r->group = g;
    r->seed = seed;
    snprintf(r->name, sizeof r->name, "%s%s%s-s%llu", g ? g->label : "", g ? "/" : "", a->label, seed);
    if (snprintf(r->dir, sizeof r->dir, "%s/runs/%s", c->out, r->name) >= (int)sizeof r->dir ||
        strlen(r->dir) > RD_MAX_RUN_DIR)
        return rd_fail(err, RD_ERR_USAGE, "%s: --out path too long for its run folders (%s/runs/%s: at most %d characters)",
                       c->out, c->out, r->name, RD_MAX_RUN_DIR);
    snprintf(r->set_epochs, sizeof r->set_epochs, "train.epochs=%d", c->epochs);
    snprintf(r->set_threads, sizeof r->set_threads, "train.threads=%d", c->threads);
    snprintf(r->set_seed, sizeof r->set_seed, "train.seed=%llu", seed);
    /* the order of the overrides: common, --epochs, threads, the group's, the arm's own, the seed */
    const char *sets[CMP_MAX_COMMON + 2 * CMP_MAX_SETS + 3];
    int n = 0;
    for (int i = 0; i < c->n_sets; i++) sets[n++] = c->sets[i];
    if (c->epochs) sets[n++] = r->set_epochs;
    if (c->threads) sets[n++] = r->set_threads;
    for (int i = 0; g && i < g->n_sets; i++) sets[n++] = g->sets[i];
    for (int i = 0; i < a->n_sets; i++) sets[n++] = a->sets[i];
    sets[n++] = r->set_seed;
    rd_status st = rd_config_load(a->path, &r->cfg, err);
    for (int i = 0; i < n && !st; i++) st = rd_config_set(&r->cfg, sets[i], err);
    if (!st) st = rd_config_validate(&r->cfg, err);
    if (st) return st;
    int k = 0;
    r->argv[k++] = (char *)c->exe;
    r->argv[k++] = "train";
    r->argv[k++] = (char *)a->path;
    for (int i = 0; i < n; i++) {
        r->argv[k++] = "--set";
        r->argv[k++] = (char *)sets[i];
    }
    r->argv[k++] = "--out";
    r->argv[k++] = r->dir;
    r->argv[k++] = "--quiet";
    r->argv[k] = NULL;
    return RD_OK;
}

/* Appends one or two arguments to the train command. */
static void add_args(cmp_run *r, char *a, char *b) {
    int k = 0;
    while (r->argv[k]) k++;
    r->argv[k++] = a;
    if (b) r->argv[k++] = b;
    r->argv[k] = NULL;
}

rd_status cmp_run_inspect(cmp_run *r, rd_error *err) {
    rd_run_state s;
    rd_status st = rd_run_inspect(r->dir, &r->cfg, &s, err);
    if (st) return st;
    r->state = s.kind == RD_RUN_FINISHED ? RUN_FINISHED : s.kind == RD_RUN_RESUME ? RUN_RESUME : RUN_FRESH;
    r->from_epoch = s.epoch;
    if (r->state == RUN_RESUME) add_args(r, "--resume", r->dir);
    /* train refuses to start over in a folder that holds a run without --force */
    if (r->state == RUN_FRESH && s.exists) add_args(r, "--force", NULL);
    return RD_OK;
}

void cmp_print_command(FILE *f, char *const *argv) {
    for (int i = 0; argv[i]; i++) {
        const char *s = argv[i];
        int plain = *s != 0;
        for (const char *p = s; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                  strchr("_./=+:,@%-", *p)))
                plain = 0;
        if (i) fputc(' ', f);
        if (plain) {
            fputs(s, f);
            continue;
        }
        fputc('\'', f);
        for (const char *p = s; *p; p++) *p == '\'' ? fputs("'\\''", f) : fputc(*p, f);
        fputc('\'', f);
    }
    fputc('\n', f);
}
