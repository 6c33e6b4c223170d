/* libFuzzer target: the config loader, INI text plus --set strings.
 * The input up to the first NUL byte is the experiment file; each further
 * NUL-separated piece is one `--set` argument. The experiment file sits
 * next to model.ini, so `file = model.ini` reaches the model-file path.
 * Properties checked on success: the effective config writes out and loads
 * back to the same struct, and the memory estimate is a positive number. */
#include <math.h>

#include "fuzz_util.h"
#include "rdrop/config.h"
#include "rdrop/train.h"

static const char MODEL[] = "[model]\ninputs = 784\nhidden = 64,32\nactivation = tanh\n";

static int fuzz_one(const uint8_t *data, size_t size) {
    char exp[128], effective[128];
    fuzz_write(fuzz_path("model.ini"), (const uint8_t *)MODEL, sizeof MODEL - 1);
    snprintf(exp, sizeof exp, "%s", fuzz_path("exp.ini"));
    snprintf(effective, sizeof effective, "%s", fuzz_path("effective.ini"));
    const uint8_t *nul = memchr(data, 0, size);
    size_t ini_len = nul ? (size_t)(nul - data) : size;
    fuzz_write(exp, data, ini_len);

    static rd_config c, back;
    rd_error err = {0};
    rd_status st = rd_config_load(exp, &c, &err);
    if (st != RD_OK) {
        fuzz_check_error(st, &err, NULL); /* names exp.ini or the model file */
        return 0;
    }
    /* The --set pieces, each copied so it is NUL-terminated. */
    size_t pos = ini_len + 1;
    while (pos <= size && nul) {
        const uint8_t *end = memchr(data + pos, 0, size - pos);
        size_t len = end ? (size_t)(end - (data + pos)) : size - pos;
        char *set = malloc(len + 1);
        memcpy(set, data + pos, len);
        set[len] = '\0';
        st = rd_config_set(&c, set, &err);
        free(set);
        if (st != RD_OK) {
            fuzz_check_error(st, &err, NULL); /* names --set or the model file */
            return 0;
        }
        pos += len + 1;
    }
    st = rd_config_validate(&c, &err);
    if (st != RD_OK) {
        fuzz_check_error(st, &err, NULL);
        return 0;
    }
    double need = rd_train_memory_estimate(&c, 70000);
    if (!(need > 0) || isnan(need)) abort();
    st = rd_config_write(&c, effective, &err);
    if (st != RD_OK) {
        fuzz_check_error(st, &err, effective);
        return 0;
    }
    st = rd_config_load(effective, &back, &err);
    if (st != RD_OK) {
        fprintf(stderr, "the written config does not load back: %s\n", err.msg);
        abort();
    }
    memcpy(back.path, c.path, sizeof c.path);
    memcpy(back.name, c.name, sizeof c.name);
    back.set_keys = c.set_keys; /* a written config sets every key */
    if (memcmp(&back, &c, sizeof c) != 0) {
        fprintf(stderr, "the written config loads back different\n");
        abort();
    }
    return 0;
}
