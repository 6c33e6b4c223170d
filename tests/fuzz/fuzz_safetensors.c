/* libFuzzer target: the safetensors reader (and its JSON parser).
 * Byte 0: bit 0 = the rest is "HEADER\0DATA" and the 8-byte length is made
 * to fit HEADER, so the fuzzer can work on the JSON without breaking the
 * length; otherwise the rest is the file as it is. On success the model is
 * written back and read again, and must come back the same: the writer takes
 * whatever the reader accepts. */
#include "fuzz_util.h"
#include "rdrop/safetensors.h"

static int fuzz_one(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int mode = data[0];
    data++, size--;
    const char *path = fuzz_path("input.safetensors");
    if (mode & 1) {
        const uint8_t *nul = memchr(data, 0, size);
        size_t n = nul ? (size_t)(nul - data) : size, rest = nul ? size - n - 1 : 0;
        uint8_t *file = malloc(8 + size);
        for (int i = 0; i < 8; i++) file[i] = (uint8_t)((uint64_t)n >> (8 * i));
        memcpy(file + 8, data, n);
        if (rest) memcpy(file + 8 + n, nul + 1, rest);
        fuzz_write(path, file, 8 + n + rest);
        free(file);
    } else {
        fuzz_write(path, data, size);
    }
    rd_mlp m, back;
    rd_st_info info, info2;
    rd_error err = {0};
    rd_status st = rd_safetensors_load(path, &m, &info, &err);
    if (st != RD_OK) {
        fuzz_check_error(st, &err, path);
        if (m.params) abort(); /* nothing allocated on error */
        return 0;
    }
    if (m.n_params != rd_mlp_count_params(info.inputs, info.hidden, info.n_hidden, info.classes)) abort();
    char out[128];
    snprintf(out, sizeof out, "%s", fuzz_path("out.safetensors"));
    if (rd_safetensors_save(out, &m, info.norm_mean, info.norm_std, &err) != RD_OK) abort();
    if (rd_safetensors_load(out, &back, &info2, &err) != RD_OK) {
        fprintf(stderr, "the written file does not load back: %s\n", err.msg);
        abort();
    }
    if (back.n_params != m.n_params || memcmp(back.params, m.params, m.n_params * sizeof(float)) != 0 ||
        back.activation != m.activation || back.dropout != m.dropout || back.input_dropout != m.input_dropout ||
        info2.norm_mean != info.norm_mean || info2.norm_std != info.norm_std)
        abort();
    rd_mlp_free(&m);
    rd_mlp_free(&back);
    return 0;
}
