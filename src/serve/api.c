/* The request handler: the page's files and the JSON API (docs/explorer.md).
 *
 *   GET  /                  the page (index.html, app.js, style.css)
 *   GET  /api/runs          the runs and studies found, with config summaries
 *   GET  /api/runs/ID       one run: summary and its metrics.csv as columns
 *   GET  /api/studies/ID    one study: results.csv summarised per arm
 *   POST /api/predict       a drawing through runs' models (predict.c)
 *
 * Paths name nothing on disk: a page file is looked up among the compiled-in
 * ones, and an ID indexes the catalog. So "/../", "%2e%2e/" (decoded by the
 * HTTP layer) and absolute paths are only unknown paths: 404. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rdrop/clock.h"
#include "rdrop/config.h"
#include "rdrop/report.h"
#include "rdrop/safetensors.h"
#include "rdrop/stats.h"
#include "serve/serve.h"

void rd_reply_init(rd_reply *r) {
    memset(r, 0, sizeof *r);
    rd_json_writer_init(&r->json);
}

void rd_reply_free(rd_reply *r) { rd_json_writer_free(&r->json); }

void rd_reply_error(rd_reply *r, int status, const char *fmt, ...) {
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rd_json_writer_reset(&r->json);
    rd_json_object(&r->json);
    rd_json_key(&r->json, "error");
    rd_json_str(&r->json, msg);
    rd_json_end(&r->json);
    r->status = status;
    r->type = "application/json";
}

static void key_num(rd_json_writer *w, const char *key, double v) {
    rd_json_key(w, key);
    rd_json_double(w, v);
}

static void key_float(rd_json_writer *w, const char *key, float v) {
    rd_json_key(w, key);
    rd_json_float(w, v);
}

static void key_str(rd_json_writer *w, const char *key, const char *v) {
    rd_json_key(w, key);
    rd_json_str(w, v);
}

/* ---- runs ---- */

/* The members every run has in the list and in its own reply: its config
 * (config.ini alone: a model file it names is not read; method "unknown"
 * and nulls when there is none) and how
 * far it got (from metrics.csv, read into *c; left empty without one). */
static void run_fields(rd_server *s, const rd_entry *e, long long id, rd_json_writer *w, rd_run_curves *c) {
    char path[PATH_MAX];
    rd_error err = {0};
    rd_config cfg;
    int have_cfg = !rd_catalog_file(s, e, "config.ini", path, &err) && !rd_config_load_own(path, &cfg, &err);
    /* rd_run_read takes the folder; metrics.csv in it was checked just before */
    if (rd_catalog_file(s, e, "metrics.csv", path, &err) || rd_run_read(e->dir, c, &err)) memset(c, 0, sizeof *c);
    struct stat st;
    int ckpt = !rd_catalog_file(s, e, "last.ckpt", path, &err) && stat(path, &st) == 0 && S_ISREG(st.st_mode);
    rd_json_key(w, "id");
    rd_json_int(w, id);
    key_str(w, "name", e->name);
    rd_json_key(w, "gone");
    rd_json_bool(w, rd_catalog_gone(s, e));
    key_str(w, "method", !have_cfg ? "unknown" : cfg.train.method == RD_METHOD_RDROP ? "rdrop" : "dropout");
    key_float(w, "alpha", !have_cfg ? NAN : cfg.train.method == RD_METHOD_RDROP ? cfg.train.alpha : 0);
    key_float(w, "dropout", have_cfg ? cfg.model.dropout : NAN);
    key_float(w, "input_dropout", have_cfg ? cfg.model.input_dropout : NAN);
    key_num(w, "epochs", have_cfg ? cfg.train.epochs : NAN);
    rd_json_key(w, "seed");
    if (have_cfg) rd_json_uint(w, cfg.train.seed);
    else rd_json_null(w);
    key_num(w, "train_subset", have_cfg ? cfg.data.train_subset : NAN);
    char arch[512] = "";
    if (have_cfg)
        rd_safetensors_arch(arch, sizeof arch, cfg.model.inputs, cfg.model.hidden, cfg.model.n_hidden,
                            cfg.model.classes);
    key_str(w, "architecture", arch);
    rd_json_key(w, "checkpoint");
    rd_json_bool(w, ckpt);
    rd_json_key(w, "epochs_done");
    rd_json_int(w, c->epochs);
    int last = c->epochs - 1;
    key_num(w, "test_err", last >= 0 ? c->test_err[last] : NAN);
    key_num(w, "test_kl", last >= 0 ? c->col[RD_COL_TEST_KL][last] : NAN);
}

static void list(rd_server *s, rd_reply *r) {
    if (rd_now() - s->scanned_at > 1.0) rd_catalog_scan(s); /* runs that appeared since */
    pthread_mutex_lock(&s->lock);
    int n = s->n_entries;
    pthread_mutex_unlock(&s->lock);
    rd_json_writer *w = &r->json;
    rd_json_object(w);
    for (int kind = RD_ENTRY_RUN; kind <= RD_ENTRY_STUDY; kind++) {
        rd_json_key(w, kind == RD_ENTRY_RUN ? "runs" : "studies");
        rd_json_array(w);
        for (int id = 0; id < n; id++) {
            rd_entry *e = rd_catalog_get(s, id, kind);
            if (!e) continue;
            rd_json_object(w);
            if (kind == RD_ENTRY_RUN) {
                rd_run_curves c;
                run_fields(s, e, id, w, &c);
                rd_run_free(&c);
            } else {
                rd_json_key(w, "id");
                rd_json_int(w, id);
                key_str(w, "name", e->name);
                rd_json_key(w, "gone");
                rd_json_bool(w, rd_catalog_gone(s, e));
            }
            rd_json_end(w);
        }
        rd_json_end(w);
    }
    rd_json_end(w);
}

/* The columns of metrics.csv the page draws, and the errors in percent. */
static const char *const CURVES[] = {"test_err", "train_loss", "train_ce", "train_kl", "test_kl",
                                     "mc_err",   "val_err",    "test_loss", "lr"};

static void one_run(rd_server *s, long long id, rd_reply *r) {
    rd_entry *e = rd_catalog_get(s, id, RD_ENTRY_RUN);
    char path[PATH_MAX];
    rd_error err = {0};
    int status;
    if (!e) return rd_reply_error(r, 404, "no run with id %lld", id);
    if ((status = rd_catalog_file(s, e, "metrics.csv", path, &err)) == 403) return rd_reply_error(r, 403, "%s", err.msg);
    if (status && (status = rd_catalog_file(s, e, "config.ini", path, &err)) != 0)
        return rd_reply_error(r, status, "run %lld (%s): its folder holds no metrics.csv or config.ini now", id,
                              e->name);
    rd_json_writer *w = &r->json;
    rd_run_curves c;
    rd_json_object(w);
    run_fields(s, e, id, w, &c);
    rd_json_key(w, "metrics");
    rd_json_object(w);
    rd_json_key(w, "epoch");
    rd_json_array(w);
    for (int i = 0; i < c.epochs; i++) rd_json_int(w, i + 1);
    rd_json_end(w);
    for (size_t k = 0; k < sizeof CURVES / sizeof CURVES[0]; k++) {
        const double *v = rd_run_metric(&c, CURVES[k]);
        rd_json_key(w, CURVES[k]);
        rd_json_array(w);
        for (int i = 0; i < c.epochs; i++) rd_json_double(w, v[i]);
        rd_json_end(w);
    }
    rd_json_end(w);
    rd_json_end(w);
    rd_run_free(&c);
}

/* ---- studies ---- */

static void mean_sd(rd_json_writer *w, const char *key, const double *x, int n) {
    double *v = rd_malloc((size_t)n + 1, sizeof(double));
    int m = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(x[i])) v[m++] = x[i];
    rd_json_key(w, key);
    rd_json_object(w);
    key_num(w, "mean", m ? rd_stats_mean(v, m) : NAN);
    key_num(w, "sd", m > 1 ? rd_stats_sd(v, m) : NAN);
    rd_json_key(w, "n");
    rd_json_int(w, m);
    rd_json_end(w);
    free(v);
}

static void one_study(rd_server *s, long long id, rd_reply *r) {
    rd_entry *e = rd_catalog_get(s, id, RD_ENTRY_STUDY);
    char path[PATH_MAX];
    rd_error err = {0};
    int status;
    if (!e) return rd_reply_error(r, 404, "no study with id %lld", id);
    if ((status = rd_catalog_file(s, e, "results.csv", path, &err)) != 0) return rd_reply_error(r, status, "%s", err.msg);
    rd_result *res;
    int n;
    if (rd_results_read(path, &res, &n, &err))
        return rd_reply_error(r, 500, "%s/results.csv: %s", e->name, strstr(err.msg, ": ") ? strstr(err.msg, ": ") + 2 : err.msg);
    double *col[4];
    for (int k = 0; k < 4; k++) col[k] = rd_malloc((size_t)n + 1, sizeof(double));
    char *done = rd_calloc((size_t)n + 1, 1);
    rd_json_writer *w = &r->json;
    rd_json_object(w);
    rd_json_key(w, "id");
    rd_json_int(w, id);
    key_str(w, "name", e->name);
    rd_json_key(w, "rows");
    rd_json_int(w, n);
    rd_json_key(w, "arms");
    rd_json_array(w);
    for (int i = 0; i < n; i++) { /* one arm per group and config label, in the file's order */
        if (done[i]) continue;
        int m = 0;
        for (int j = i; j < n; j++) {
            if (strcmp(res[j].config, res[i].config) || strcmp(res[j].group, res[i].group)) continue;
            done[j] = 1;
            col[0][m] = res[j].final_err;
            col[1][m] = res[j].best_err;
            col[2][m] = res[j].test_kl;
            col[3][m] = 100.0 * (1.0 - res[j].mc_acc);
            m++;
        }
        const rd_result *a = &res[i];
        rd_json_object(w);
        key_str(w, "group", a->group); /* "" unless rdrop compare --group */
        key_str(w, "config", a->config);
        key_str(w, "method", a->method);
        key_num(w, "alpha", a->alpha);
        key_num(w, "dropout", a->dropout);
        key_num(w, "input_dropout", a->input_dropout);
        key_num(w, "train_size", a->train_size);
        key_num(w, "epochs", a->epochs);
        rd_json_key(w, "seeds");
        rd_json_int(w, m);
        mean_sd(w, "final_err", col[0], m);
        mean_sd(w, "best_err", col[1], m);
        mean_sd(w, "test_kl", col[2], m);
        mean_sd(w, "mc_err", col[3], m);
        rd_json_end(w);
    }
    rd_json_end(w);
    rd_json_end(w);
    for (int k = 0; k < 4; k++) free(col[k]);
    free(done);
    free(res);
}

/* ---- routing ---- */

/* "/api/runs/12" with prefix "/api/runs/": 12; -1 when not digits (at most 9). */
static long long id_after(const char *path, const char *prefix) {
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n)) return -1;
    const char *d = path + n;
    size_t len = strspn(d, "0123456789");
    if (len == 0 || len > 9 || d[len]) return -1;
    return atoll(d);
}

static int is(const char *method, const char *m) { return !strcmp(method, m); }

void rd_server_handle(rd_server *s, const char *method, const char *path, const char *body, size_t len,
                      rd_reply *r) {
    int get = is(method, "GET") || is(method, "HEAD");
    long long id;
    r->status = 200;
    r->type = "application/json";
    if (!strncmp(path, "/api/", 5)) {
        int predict = !strcmp(path, "/api/predict");
        int known = predict || !strcmp(path, "/api/runs") || id_after(path, "/api/runs/") >= 0 ||
                    id_after(path, "/api/studies/") >= 0;
        if (!known) return rd_reply_error(r, 404, "no such API path (GET /api/runs lists what there is)");
        if (predict && !is(method, "POST")) {
            r->allow = "POST";
            return rd_reply_error(r, 405, "%.16s: /api/predict takes POST", method);
        }
        if (!predict && !get) {
            r->allow = "GET, HEAD";
            return rd_reply_error(r, 405, "%.16s: this path takes GET", method);
        }
        if (predict) return rd_predict_request(s, body, len, r);
        if (!strcmp(path, "/api/runs")) return list(s, r);
        if ((id = id_after(path, "/api/runs/")) >= 0) return one_run(s, id, r);
        return one_study(s, id_after(path, "/api/studies/"), r);
    }
    rd_asset a;
    if (!rd_asset_find(path, &a)) return rd_reply_error(r, 404, "not found (the page is at /)");
    if (!get) {
        r->allow = "GET, HEAD";
        return rd_reply_error(r, 405, "%.16s: page files take GET", method);
    }
    r->type = a.type;
    r->body = (const char *)a.data;
    r->len = a.len;
    r->cache = 1;
}

/* ---- the server ---- */

rd_status rd_server_new(char *const *folders, int n, rd_server **out, rd_error *err) {
    *out = NULL;
    rd_server *s = rd_calloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->roots = rd_calloc((size_t)n + 1, sizeof *s->roots);
    s->root_names = rd_calloc((size_t)n + 1, sizeof *s->root_names);
    for (int i = 0; i < n; i++) {
        char real[PATH_MAX];
        struct stat st;
        if (!realpath(folders[i], real) || stat(real, &st) != 0) {
            rd_fail(err, RD_ERR_USAGE, "%s: %s", folders[i], strerror(errno));
            rd_server_free(s);
            return RD_ERR_USAGE;
        }
        if (!S_ISDIR(st.st_mode)) {
            rd_server_free(s);
            return rd_fail(err, RD_ERR_USAGE, "%s: not a folder (rdrop serve takes run and study folders)",
                           folders[i]);
        }
        s->roots[i] = rd_malloc(strlen(real) + 1, 1);
        strcpy(s->roots[i], real);
        size_t len = strlen(folders[i]);
        while (len > 1 && folders[i][len - 1] == '/') len--; /* "runs/" shows as "runs" */
        s->root_names[i] = rd_calloc(len + 1, 1);
        memcpy(s->root_names[i], folders[i], len);
        s->n_roots++;
    }
    rd_catalog_scan(s);
    *out = s;
    return RD_OK;
}

int rd_server_count(rd_server *s, int *runs, int *studies) {
    pthread_mutex_lock(&s->lock);
    *runs = *studies = 0;
    for (int i = 0; i < s->n_entries; i++) {
        if (s->entries[i]->kind == RD_ENTRY_RUN) ++*runs;
        else ++*studies;
    }
    int n = s->n_entries;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void rd_server_free(rd_server *s) {
    if (!s) return;
    for (int i = 0; i < s->n_entries; i++) {
        rd_model_drop(s->entries[i]->model);
        free(s->entries[i]);
    }
    free(s->entries);
    for (int i = 0; i < s->n_roots; i++) free(s->roots[i]), free(s->root_names[i]);
    free(s->roots);
    free(s->root_names);
    rd_workspaces_free(s);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
