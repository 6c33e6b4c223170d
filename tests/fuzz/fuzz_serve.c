/* libFuzzer target: rdrop serve's request handler, without a socket.
 * Input: "METHOD\nPATH\nBODY" (a missing line is empty). The handler serves
 * a folder made once per process (/dev/shm/rdrop-fuzz-serve, made anew at
 * start): a run with a small checkpoint, metrics.csv and config.ini, a study
 * (results.csv), and a run whose files are symlinks leading outside.
 * Promises checked: a status from 200 to 599; every error a JSON object with
 * an "error" string; every JSON reply valid to the strict parser; nothing
 * read outside the folder (the outside file's text never appears). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rdrop/checkpoint.h"
#include "rdrop/config.h"
#include "rdrop/json.h"
#include "serve/serve.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
#pragma GCC diagnostic pop

#define ROOT "/dev/shm/rdrop-fuzz-serve"

static rd_server *server;

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) abort();
}

static void setup(void) {
    if (system("rm -rf " ROOT) != 0) abort();
    if (mkdir(ROOT, 0755) || mkdir(ROOT "/served", 0755) || mkdir(ROOT "/served/run", 0755) ||
        mkdir(ROOT "/served/study", 0755) || mkdir(ROOT "/served/evil", 0755) || mkdir(ROOT "/outside", 0755))
        abort();
    rd_error err = {0};
    rd_config c;
    rd_config_defaults(&c);
    c.model.n_hidden = 1;
    c.model.hidden[0] = 8;
    if (rd_config_write(&c, ROOT "/served/run/config.ini", &err)) abort();
    rd_mlp m;
    rd_rng rng;
    rd_rng_seed(&rng, 1);
    int hidden[1] = {8};
    if (rd_mlp_init(&m, 784, hidden, 1, 10, RD_ACT_RELU, 0.3f, RD_INIT_KAIMING, &rng, &err)) abort();
    rd_ckpt_state s;
    memset(&s, 0, sizeof s);
    rd_ckpt_describe(&s, &m, 784);
    s.norm_std = 1.0f;
    s.best_val_acc = -1.0;
    rd_rng_seed(&s.data_rng, 2);
    rd_rng_seed(&s.drop_rng, 3);
    rd_optim o;
    rd_optim_init(&o, RD_OPT_ADAM, m.n_params);
    if (rd_checkpoint_save(ROOT "/served/run/last.ckpt", &m, &o, &s, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        abort();
    }
    rd_optim_free(&o);
    rd_mlp_free(&m);
    put(ROOT "/served/run/metrics.csv",
        "epoch,lr,train_loss,train_ce,train_kl,train_acc,test_loss,test_acc,epoch_seconds,samples_per_second,"
        "val_loss,val_acc,test_kl,mc_acc,train_size\n"
        "1,0.001,1.0,0.9,0.1,0.7,0.5,0.88,0.1,1000,,,0.05,0.87,1000\n"
        "2,0.001,0.5,0.45,0.05,0.85,0.4,0.9,0.1,1000,,,0.04,0.89,1000\n");
    put(ROOT "/served/study/results.csv",
        "config,seed,epochs,final_test_err_pct,best_test_err_pct,best_epoch,final_train_ce,final_train_kl,"
        "seconds_per_epoch,samples_per_second,total_seconds\n"
        "a,0,2,10.0,9.5,1,0.3,0.0,1.0,100.0,2.0\n"
        "a,1,2,11.0,9.0,2,0.3,0.0,1.0,100.0,2.0\n");
    put(ROOT "/outside/metrics.csv", "SECRET-OUTSIDE\n");
    put(ROOT "/served/evil/config.ini", "[train]\nepochs = 2\n");
    if (symlink(ROOT "/outside/metrics.csv", ROOT "/served/evil/metrics.csv") ||
        symlink(ROOT "/outside/metrics.csv", ROOT "/served/evil/last.ckpt"))
        abort();
    char *folders[1] = {ROOT "/served"};
    if (rd_server_new(folders, 1, &server, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        abort();
    }
}

/* The next line of data[*at..size) into buf (NUL-terminated, cut at n-1). */
static void line(const uint8_t *data, size_t size, size_t *at, char *buf, size_t n) {
    size_t k = 0;
    while (*at < size && data[*at] != '\n') {
        if (k + 1 < n) buf[k++] = data[*at] ? (char)data[*at] : '?';
        (*at)++;
    }
    if (*at < size) (*at)++;
    buf[k] = '\0';
}

static int contains(const uint8_t *data, size_t size, const char *what) {
    size_t n = strlen(what);
    for (size_t i = 0; i + n <= size; i++)
        if (!memcmp(data + i, what, n)) return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!server) setup();
    char method[32], path[1024];
    size_t at = 0;
    line(data, size, &at, method, sizeof method);
    line(data, size, &at, path, sizeof path);
    rd_reply r;
    rd_reply_init(&r);
    rd_server_handle(server, method, path, (const char *)data + at, size - at, &r);
    if (r.status < 200 || r.status > 599) abort();
    if (!r.body) { /* a JSON reply */
        rd_json_doc doc;
        rd_error err = {0};
        if (rd_json_parse(r.json.text, r.json.len, 1 << 20, &doc, &err)) {
            fprintf(stderr, "invalid JSON reply (%s): %s\n", err.msg, r.json.text);
            abort();
        }
        const rd_json *e = rd_json_get(&doc, &doc.nodes[0], "error");
        if ((r.status >= 400) != (e && e->type == RD_JSON_STRING && e->len > 0)) {
            fprintf(stderr, "status %d with reply %s\n", r.status, r.json.text);
            abort();
        }
        rd_json_free(&doc);
        /* the outside file's text, unless the request itself brought it (a
         * 405 names the method it got) */
        if (strstr(r.json.text, "SECRET-OUTSIDE") && !contains(data, size, "SECRET-OUTSIDE")) abort();
    } else if (r.status != 200 || r.len == 0) {
        abort();
    }
    rd_reply_free(&r);
    return 0;
}
