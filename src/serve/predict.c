/* POST /api/predict: one drawing through one or more runs' models.
 *
 * Request:  {"image": BASE64, "runs": [ID, ...], "k": 16, "seed": 1}
 *   image  the bytes of a PNG (JPEG, BMP) file, base64: decoded and fitted
 *          into 28x28 exactly as `rdrop predict` does (rd_image_decode_mnist)
 *   runs   1 to RD_SERVE_MAX_MODELS ids from GET /api/runs
 *   k      sub-networks, 1 to RD_SERVE_MAX_K (default 16)
 *   seed   the dropout masks' stream, 0 to 2^53 (default 1): every model
 *          draws its K masks from rd_rng seeded with it, so the same seed
 *          gives the same sub-networks, and both models the same stream
 *
 * Per model: the full network (dropout off), K sub-networks (one forward of
 * K dropout copies: the first layer's product is computed once and shared,
 * as in training), their mean (Monte Carlo dropout), their disagreement as
 * `rdrop eval` reports test_kl (rd_pairs_kl), and the share of them that
 * agree with the full network. The arithmetic is the engine's own
 * (rd_fast_mlp_forward, rd_log_probs). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/clock.h"
#include "rdrop/fast.h"
#include "rdrop/image.h"
#include "rdrop/train.h"
#include "serve/serve.h"

/* What one request computes in: a graph whose arena keeps its high-water
 * size, so requests after the first allocate nothing. Kept in a free list. */
typedef struct workspace {
    rd_graph g;
    struct workspace *next;
} workspace;

static workspace *ws_take(rd_server *s) {
    pthread_mutex_lock(&s->lock);
    workspace *w = s->workspaces;
    if (w) s->workspaces = w->next;
    pthread_mutex_unlock(&s->lock);
    if (!w) {
        w = rd_calloc(1, sizeof *w);
        rd_graph_init(&w->g);
    }
    return w;
}

static void ws_give(rd_server *s, workspace *w) {
    pthread_mutex_lock(&s->lock);
    w->next = s->workspaces;
    s->workspaces = w;
    pthread_mutex_unlock(&s->lock);
}

void rd_workspaces_free(rd_server *s) {
    for (workspace *w = s->workspaces, *next; w; w = next) {
        next = w->next;
        rd_graph_free(&w->g);
        free(w);
    }
    s->workspaces = NULL;
}

/* Standard base64 (RFC 4648, with padding) into out (at least len/4*3 bytes);
 * the length, or -1 when it is not base64. */
static long decode_base64(const char *in, size_t len, unsigned char *out) {
    static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (len % 4) return -1;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        unsigned v = 0;
        int pad = 0;
        for (int j = 0; j < 4; j++) {
            char c = in[i + j];
            const char *at = c ? strchr(ALPHABET, c) : NULL;
            if (c == '=' && i + 4 == len && j >= 2 && (j == 3 || in[i + 3] == '=')) pad++, at = ALPHABET;
            else if (!at || pad) return -1;
            v = v << 6 | (unsigned)(at - ALPHABET);
        }
        out[n++] = (unsigned char)(v >> 16);
        if (pad < 2) out[n++] = (unsigned char)(v >> 8);
        if (pad < 1) out[n++] = (unsigned char)v;
    }
    return (long)n;
}

static void probs(rd_json_writer *w, const double *lp, int k) {
    rd_json_array(w);
    for (int j = 0; j < k; j++) rd_json_float(w, (float)exp(lp[j]));
    rd_json_end(w);
}

/* One model's part of the reply. */
static void one_model(rd_json_writer *w, workspace *ws, const rd_entry *e, rd_loaded *l, long long id,
                      const float *image, int K, unsigned long long seed) {
    rd_mlp *m = &l->m;
    rd_graph *g = &ws->g;
    int C = m->layer[m->n_layers - 1].out;
    rd_graph_reset(g);
    float *x = rd_arena_alloc(&g->arena, 784 * sizeof *x);
    for (int j = 0; j < 784; j++) x[j] = (image[j] - l->s.norm_mean) / l->s.norm_std;
    double *lp = rd_arena_alloc(&g->arena, (size_t)(K + 2) * C * sizeof *lp);
    double *full = lp + (size_t)K * C, *mean = full + C;
    int *cls = rd_arena_alloc(&g->arena, (size_t)K * sizeof *cls);

    g->training = 0;
    const float *z = rd_fast_mlp_forward(m, g, rd_input(g, 1, 784, x), 1, NULL)->data;
    int full_class = rd_log_probs(z, C, full);
    g->training = 1;
    rd_rng rng;
    rd_rng_seed(&rng, seed);
    z = rd_fast_mlp_forward(m, g, rd_input(g, 1, 784, x), K, &rng)->data;
    int agree = 0;
    for (int j = 0; j < C; j++) mean[j] = 0;
    for (int i = 0; i < K; i++) {
        cls[i] = rd_log_probs(z + (size_t)i * C, C, lp + (size_t)i * C);
        agree += cls[i] == full_class;
        for (int j = 0; j < C; j++) mean[j] += exp(lp[(size_t)i * C + j]) / K;
    }
    int mc_class = 0;
    for (int j = 1; j < C; j++) mc_class = mean[j] > mean[mc_class] ? j : mc_class;

    rd_json_object(w);
    rd_json_key(w, "run");
    rd_json_int(w, id);
    rd_json_key(w, "name");
    rd_json_str(w, e->name);
    rd_json_key(w, "epoch");
    rd_json_int(w, l->s.epoch);
    rd_json_key(w, "full");
    rd_json_object(w);
    rd_json_key(w, "class");
    rd_json_int(w, full_class);
    rd_json_key(w, "probs");
    probs(w, full, C);
    rd_json_end(w);
    rd_json_key(w, "mc");
    rd_json_object(w);
    rd_json_key(w, "class");
    rd_json_int(w, mc_class);
    rd_json_key(w, "probs");
    rd_json_array(w);
    for (int j = 0; j < C; j++) rd_json_float(w, (float)mean[j]);
    rd_json_end(w);
    rd_json_end(w);
    rd_json_key(w, "subnets");
    rd_json_array(w);
    for (int i = 0; i < K; i++) {
        rd_json_object(w);
        rd_json_key(w, "class");
        rd_json_int(w, cls[i]);
        rd_json_key(w, "conf");
        rd_json_float(w, (float)exp(lp[(size_t)i * C + cls[i]]));
        rd_json_end(w);
    }
    rd_json_end(w);
    rd_json_key(w, "disagreement");
    rd_json_double(w, rd_pairs_kl(lp, K, C)); /* null for K = 1 */
    rd_json_key(w, "agree");
    rd_json_double(w, (double)agree / K);
    rd_json_end(w);
}

/* A whole number in [lo, hi] (JSON: digits only), or -1. */
static long long whole(const rd_json *v, unsigned long long lo, unsigned long long hi) {
    if (!v || v->type != RD_JSON_NUMBER || !v->is_uint || v->uint < lo || v->uint > hi) return -1;
    return (long long)v->uint;
}

void rd_predict_request(rd_server *s, const char *body, size_t len, rd_reply *r) {
    double t0 = rd_now();
    rd_json_doc doc;
    rd_error err = {0};
    if (rd_json_parse(body, len, 64, &doc, &err))
        return rd_reply_error(r, 400, "request body: not JSON: %s", err.msg);
    const rd_json *root = &doc.nodes[0], *image = NULL, *runs = NULL;
    long long K = 16, seed = 1;
    const char *bad = root->type == RD_JSON_OBJECT ? NULL : "request body: expected a JSON object";
    for (const rd_json *c = rd_json_child(&doc, root); c && !bad; c = rd_json_next(&doc, c)) {
        if (!strcmp(c->key, "image")) image = c;
        else if (!strcmp(c->key, "runs")) runs = c;
        else if (!strcmp(c->key, "k") && (K = whole(c, 1, RD_SERVE_MAX_K)) < 0)
            bad = "\"k\": expected a whole number from 1 to 64";
        else if (!strcmp(c->key, "seed") && (seed = whole(c, 0, 9007199254740992ULL)) < 0)
            bad = "\"seed\": expected a whole number from 0 to 2^53";
        else if (strcmp(c->key, "image") && strcmp(c->key, "runs") && strcmp(c->key, "k") && strcmp(c->key, "seed"))
            bad = "unknown key (the keys are image, runs, k, seed)";
    }
    if (!bad && (!image || image->type != RD_JSON_STRING))
        bad = "\"image\": expected a string (a PNG file, base64)";
    if (!bad && image->len == 0) bad = "\"image\": empty (a zero-size image)";
    if (!bad && (!runs || runs->type != RD_JSON_ARRAY || runs->count < 1 || runs->count > RD_SERVE_MAX_MODELS))
        bad = "\"runs\": expected an array of 1 to 4 run ids";
    long long ids[RD_SERVE_MAX_MODELS];
    int n_runs = 0;
    for (const rd_json *c = runs && !bad ? rd_json_child(&doc, runs) : NULL; c; c = rd_json_next(&doc, c))
        if ((ids[n_runs++] = whole(c, 0, RD_SERVE_MAX_RUNS)) < 0) bad = "\"runs\": a run id is not a whole number";
    if (bad) {
        rd_json_free(&doc);
        return rd_reply_error(r, 400, "%s", bad);
    }

    /* the drawing, fitted as rdrop predict fits an image file */
    unsigned char *file = rd_malloc(image->len / 4 * 3 + 3, 1);
    long n = decode_base64(image->str, image->len, file);
    float fitted[784];
    int status = 0;
    if (n < 0) status = 400, rd_fail(&err, RD_ERR_RUNTIME, "\"image\": not base64");
    else if (rd_image_decode_mnist("drawing", file, (size_t)n, RD_SERVE_MAX_PIXELS, fitted, &err))
        status = 400;
    free(file);
    rd_json_free(&doc);
    if (status) return rd_reply_error(r, status, "%s", err.msg);

    /* every model first, so a bad id fails the request before any work */
    rd_loaded *loaded[RD_SERVE_MAX_MODELS] = {0};
    rd_entry *entries[RD_SERVE_MAX_MODELS];
    for (int i = 0; i < n_runs && !status; i++) {
        entries[i] = rd_catalog_get(s, ids[i], RD_ENTRY_RUN);
        if (!entries[i]) status = 404, rd_fail(&err, RD_ERR_RUNTIME, "no run with id %lld", ids[i]);
        else if ((status = rd_model_acquire(s, entries[i], &loaded[i], &err)) == 0 &&
                 loaded[i]->s.inputs != 784)
            status = 422, rd_fail(&err, RD_ERR_RUNTIME, "%s: the model takes %d inputs, drawings give 784",
                                  entries[i]->name, loaded[i]->s.inputs);
    }
    if (!status) {
        workspace *ws = ws_take(s);
        rd_json_writer *w = &r->json;
        rd_json_object(w);
        rd_json_key(w, "seed");
        rd_json_int(w, seed);
        rd_json_key(w, "k");
        rd_json_int(w, K);
        rd_json_key(w, "input"); /* what the models see, 0..255 */
        rd_json_array(w);
        for (int j = 0; j < 784; j++) rd_json_int(w, lroundf(fitted[j] * 255.0f));
        rd_json_end(w);
        rd_json_key(w, "models");
        rd_json_array(w);
        for (int i = 0; i < n_runs; i++) one_model(w, ws, entries[i], loaded[i], ids[i], fitted, (int)K, seed);
        rd_json_end(w);
        rd_json_key(w, "ms");
        rd_json_double(w, round((rd_now() - t0) * 1e5) / 100);
        rd_json_end(w);
        ws_give(s, ws);
        r->status = 200;
        r->type = "application/json";
    }
    for (int i = 0; i < n_runs; i++)
        if (loaded[i]) rd_model_release(s, loaded[i]);
    if (status) rd_reply_error(r, status, "%s", err.msg);
}
