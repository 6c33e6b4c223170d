/* libFuzzer target: loading an image for `rdrop predict` (stb_image, then the
 * fit into the 28x28 MNIST frame). stb_image is compiled in here, with the
 * sanitizers and coverage, rather than taken from the system library, so the
 * fuzzer sees inside the decoders. */
#include <math.h>

#include "fuzz_util.h"
#include "rdrop/image.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
#pragma GCC diagnostic pop

static int fuzz_one(const uint8_t *data, size_t size) {
    const char *path = fuzz_path("input.img");
    fuzz_write(path, data, size);
    float out[784];
    rd_error err = {0};
    rd_status st = rd_image_load_mnist(path, out, &err);
    if (st != RD_OK) {
        fuzz_check_error(st, &err, path);
        return 0;
    }
    for (int i = 0; i < 784; i++)
        if (!(out[i] >= 0.0f && out[i] <= 1.0f)) abort(); /* the promised range */
    return 0;
}
