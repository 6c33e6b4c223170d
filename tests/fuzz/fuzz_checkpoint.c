/* libFuzzer target: the checkpoint reader.
 * Byte 0: bit 0 = overwrite the last 4 bytes with the right CRC32, so the
 * fuzzer gets past the checksum into the header and size checks; bit 1 =
 * load without the optimizer state (as `rdrop eval` does). */
#include <zlib.h>

#include "fuzz_util.h"
#include "rdrop/checkpoint.h"

static int fuzz_one(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int mode = data[0];
    data++, size--;
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    if ((mode & 1) && size >= 4) {
        uint32_t crc = (uint32_t)crc32(0L, copy, (uInt)(size - 4));
        memcpy(copy + size - 4, &crc, 4);
    }
    const char *path = fuzz_path("input.ckpt");
    fuzz_write(path, copy, size);
    free(copy);
    rd_mlp m;
    rd_optim o;
    rd_ckpt_state s;
    rd_error err = {0};
    rd_status st = rd_checkpoint_load(path, &m, (mode & 2) ? NULL : &o, &s, &err);
    if (st != RD_OK) {
        fuzz_check_error(st, &err, path);
        return 0;
    }
    /* Success: the model is usable: every parameter readable, sizes agree. */
    if (m.n_params != rd_mlp_count_params(s.inputs, s.hidden, s.n_hidden, s.classes)) abort();
    float sum = 0;
    for (size_t i = 0; i < m.n_params; i++) sum += m.params[i] + m.grads[i];
    (void)sum;
    rd_mlp_free(&m);
    if (!(mode & 2)) rd_optim_free(&o);
    return 0;
}
