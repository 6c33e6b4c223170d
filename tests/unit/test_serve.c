/* rdrop serve's handler without a socket: POST /api/predict gives what the
 * engine's reference path gives for the same drawing and seed (the full
 * network, each sub-network's class and confidence, the disagreement), a
 * sub-network does not depend on how many are asked for, and requests that
 * name no run, no path or the wrong method get JSON errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/checkpoint.h"
#include "rdrop/files.h"
#include "rdrop/image.h"
#include "rdrop/json.h"
#include "rdrop/train.h"
#include "serve/serve.h"
#include "tmpdir.h"

static char dir[64];
static rd_server *server;
static rd_mlp model; /* the run's model, as saved */
static float norm_mean = 0.1307f, norm_std = 0.3081f;

/* A run folder with a checkpoint of a 784-32-16-10 model (input dropout when
 * asked), and the server over its parent. */
static void make_run(float input_dropout) {
    cr_assert_not_null(tmpdir_make(dir));
    char run[128], path[160];
    snprintf(run, sizeof run, "%s/run", dir);
    rd_error err = {0};
    cr_assert_eq(rd_make_dirs(run, &err), RD_OK);
    int hidden[2] = {32, 16};
    rd_rng rng;
    rd_rng_seed(&rng, 5);
    cr_assert_eq(rd_mlp_init(&model, 784, hidden, 2, 10, RD_ACT_RELU, 0.3f, RD_INIT_KAIMING, &rng, &err), RD_OK);
    model.input_dropout = input_dropout;
    rd_ckpt_state s;
    memset(&s, 0, sizeof s);
    rd_ckpt_describe(&s, &model, 784);
    s.norm_mean = norm_mean, s.norm_std = norm_std, s.best_val_acc = -1.0;
    rd_rng_seed(&s.data_rng, 1);
    rd_rng_seed(&s.drop_rng, 2);
    rd_optim o;
    rd_optim_init(&o, RD_OPT_ADAM, model.n_params);
    snprintf(path, sizeof path, "%s/last.ckpt", run);
    cr_assert_eq(rd_checkpoint_save(path, &model, &o, &s, &err), RD_OK, "%s", err.msg);
    rd_optim_free(&o);
    char *folders[1] = {dir};
    cr_assert_eq(rd_server_new(folders, 1, &server, &err), RD_OK, "%s", err.msg);
}
static void setup(void) { make_run(0.0f); }
static void setup_input_dropout(void) { make_run(0.2f); }
static void teardown(void) {
    rd_server_free(server);
    rd_mlp_free(&model);
    tmpdir_remove(dir);
}

static char *base64(const unsigned char *d, size_t n) {
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(n / 3 * 4 + 8), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = d[i] << 16 | (i + 1 < n ? d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
        *o++ = A[v >> 18], *o++ = A[v >> 12 & 63];
        *o++ = i + 1 < n ? A[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? A[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

/* POST /api/predict for docs/img/seven.png with k and seed; the reply parsed. */
static void predict(int k, int seed, rd_reply *r, rd_json_doc *doc) {
    unsigned char *png;
    size_t n;
    rd_error err = {0};
    cr_assert_eq(rd_read_file("docs/img/seven.png", &png, &n, &err), RD_OK, "%s", err.msg);
    char *b64 = base64(png, n), *body = malloc(strlen(b64) + 100);
    sprintf(body, "{\"image\":\"%s\",\"runs\":[0],\"k\":%d,\"seed\":%d}", b64, k, seed);
    rd_reply_init(r);
    rd_server_handle(server, "POST", "/api/predict", body, strlen(body), r);
    cr_assert_eq(r->status, 200, "%s", r->json.text);
    cr_assert_eq(rd_json_parse(r->json.text, r->json.len, 100000, doc, &err), RD_OK, "%s", err.msg);
    free(png), free(b64), free(body);
}

static const rd_json *at(const rd_json_doc *d, const rd_json *arr, int i) {
    const rd_json *c = rd_json_child(d, arr);
    while (c && i--) c = rd_json_next(d, c);
    cr_assert_not_null(c);
    return c;
}

/* The reference: rd_mlp_forward (not the fast layer), K copies from the seed. */
static void same_as_reference(int K, int seed) {
    rd_reply r;
    rd_json_doc doc;
    predict(K, seed, &r, &doc);
    const rd_json *m = at(&doc, rd_json_get(&doc, &doc.nodes[0], "models"), 0);

    float x[784];
    rd_error err = {0};
    cr_assert_eq(rd_image_load_mnist("docs/img/seven.png", x, &err), RD_OK);
    const rd_json *input = rd_json_get(&doc, &doc.nodes[0], "input");
    for (int j = 0; j < 784; j++) cr_assert_eq(at(&doc, input, j)->num, lroundf(x[j] * 255.0f));
    for (int j = 0; j < 784; j++) x[j] = (x[j] - norm_mean) / norm_std;
    rd_graph g;
    rd_graph_init(&g);
    g.training = 0;
    double lp[65 * 10];
    int full = rd_log_probs(rd_mlp_forward(&model, &g, rd_input(&g, 1, 784, x), 1, NULL)->data, 10, lp);
    const rd_json *f = rd_json_get(&doc, m, "full");
    cr_assert_eq(rd_json_get(&doc, f, "class")->num, full);
    for (int j = 0; j < 10; j++)
        cr_assert_float_eq(at(&doc, rd_json_get(&doc, f, "probs"), j)->num, exp(lp[j]), 1e-6);
    g.training = 1;
    rd_graph_reset(&g);
    rd_rng rng;
    rd_rng_seed(&rng, (uint64_t)seed);
    const float *z = rd_mlp_forward(&model, &g, rd_input(&g, 1, 784, x), K, &rng)->data;
    const rd_json *subnets = rd_json_get(&doc, m, "subnets");
    cr_assert_eq(subnets->count, K);
    int agree = 0;
    for (int i = 0; i < K; i++) {
        int c = rd_log_probs(z + i * 10, 10, lp + i * 10);
        agree += c == full;
        cr_assert_eq(rd_json_get(&doc, at(&doc, subnets, i), "class")->num, c, "sub-network %d", i);
        cr_assert_float_eq(rd_json_get(&doc, at(&doc, subnets, i), "conf")->num, exp(lp[i * 10 + c]), 1e-6,
                           "sub-network %d", i);
    }
    double kl = rd_pairs_kl(lp, K, 10);
    cr_assert_float_eq(rd_json_get(&doc, m, "disagreement")->num, kl, 1e-6 * kl + 1e-12);
    cr_assert_float_eq(rd_json_get(&doc, m, "agree")->num, (double)agree / K, 1e-12);
    rd_graph_free(&g);
    rd_json_free(&doc);
    rd_reply_free(&r);
}

Test(serve, predict_is_the_reference_forward, .init = setup, .fini = teardown) {
    same_as_reference(16, 1);
    same_as_reference(5, 123456);
}

Test(serve, predict_with_input_dropout_is_the_reference_forward, .init = setup_input_dropout, .fini = teardown) {
    same_as_reference(16, 7);
}

/* Sub-network i's masks come from the seed and i alone: asking for 4 gives
 * the first 4 of 16 (equal to float rounding: a product of 4 rows and one
 * of 16 may round differently in OpenBLAS). */
Test(serve, a_subnetwork_does_not_depend_on_k, .init = setup, .fini = teardown) {
    rd_reply r4, r16;
    rd_json_doc d4, d16;
    predict(4, 3, &r4, &d4);
    predict(16, 3, &r16, &d16);
    const rd_json *s4 = rd_json_get(&d4, at(&d4, rd_json_get(&d4, &d4.nodes[0], "models"), 0), "subnets");
    const rd_json *s16 = rd_json_get(&d16, at(&d16, rd_json_get(&d16, &d16.nodes[0], "models"), 0), "subnets");
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(rd_json_get(&d4, at(&d4, s4, i), "class")->num, rd_json_get(&d16, at(&d16, s16, i), "class")->num);
        cr_assert_float_eq(rd_json_get(&d4, at(&d4, s4, i), "conf")->num,
                           rd_json_get(&d16, at(&d16, s16, i), "conf")->num, 1e-6);
    }
    rd_json_free(&d4), rd_json_free(&d16);
    rd_reply_free(&r4), rd_reply_free(&r16);
}

static void expect_error(const char *method, const char *path, const char *body, int status, const char *word) {
    rd_reply r;
    rd_reply_init(&r);
    rd_server_handle(server, method, path, body, strlen(body), &r);
    cr_expect_eq(r.status, status, "%s %s: status %d, want %d (%s)", method, path, r.status, status, r.json.text);
    cr_expect(strstr(r.json.text, "{\"error\":\"") == r.json.text && strstr(r.json.text, word), "%s %s: %s", method,
              path, r.json.text);
    rd_reply_free(&r);
}

Test(serve, errors_are_json, .init = setup, .fini = teardown) {
    expect_error("GET", "/../../etc/passwd", "", 404, "not found");
    expect_error("GET", "/api/runs/0/../../x", "", 404, "no such API path");
    expect_error("GET", "/api/runs/7", "", 404, "no run with id 7");
    expect_error("GET", "/api/studies/0", "", 404, "no study with id 0");
    expect_error("DELETE", "/api/runs", "", 405, "takes GET");
    expect_error("GET", "/api/predict", "", 405, "takes POST");
    expect_error("POST", "/api/predict", "{\"image\":\"AAAA\",\"runs\":[]}", 400, "1 to 4 run ids");
    expect_error("POST", "/api/predict", "{\"image\":\"AAAA\",\"runs\":[0],\"k\":0}", 400, "\\\"k\\\"");
    expect_error("POST", "/api/predict", "{\"image\":\"AAA\",\"runs\":[0]}", 400, "not base64");
    expect_error("POST", "/api/predict", "{\"image\":\"AAAA\",\"runs\":[1]}", 400, "not a PNG, JPEG or BMP");
    expect_error("POST", "/api/predict", "[1,2", 400, "not JSON");
    rd_reply r;
    rd_reply_init(&r);
    rd_server_handle(server, "PUT", "/", "", 0, &r);
    cr_expect_str_eq(r.allow, "GET, HEAD");
    rd_reply_free(&r);
}

Test(serve, lists_the_run_and_serves_the_page, .init = setup, .fini = teardown) {
    rd_reply r;
    rd_reply_init(&r);
    rd_server_handle(server, "GET", "/api/runs", "", 0, &r);
    cr_assert_eq(r.status, 200);
    cr_expect(strstr(r.json.text, "\"name\":\"") && strstr(r.json.text, "/run\",\"gone\":false"), "%s", r.json.text);
    cr_expect(strstr(r.json.text, "\"checkpoint\":true"), "%s", r.json.text);
    rd_reply_free(&r);
    rd_reply_init(&r);
    rd_server_handle(server, "GET", "/", "", 0, &r);
    cr_assert_eq(r.status, 200);
    cr_expect(r.body && r.len > 100 && strstr(r.type, "text/html"));
    rd_reply_free(&r);
}
