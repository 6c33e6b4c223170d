/* Image loading: PNGs written with stb_image_write, fitted into 28x28. */
#include <criterion/criterion.h>
#include <math.h>
#include <stb_image_write.h>
#include <string.h>
#include <sys/stat.h>

#include "rdrop/image.h"
#include "tmpdir.h"

static char dir[64];
static void setup(void) { cr_assert(tmpdir_make(dir), "mkdtemp failed"); }
static void teardown(void) { tmpdir_remove(dir); }
TestSuite(image, .init = setup, .fini = teardown);

/* A 100x60 white page with a black "7": a top bar and a slanted stroke,
 * drawn off-centre so centring has work to do. */
static void draw_seven(uint8_t *g, int w, int h, uint8_t paper, uint8_t pen) {
    memset(g, paper, (size_t)w * (size_t)h);
    for (int y = 8; y < 14; y++)
        for (int x = 10; x < 45; x++) g[y * w + x] = pen;
    for (int y = 14; y < 55; y++)
        for (int x = 0; x < 6; x++) g[y * w + 40 - (y - 14) * 25 / 41 + x] = pen;
}

static void write_png(const char *path, const uint8_t *g, int w, int h) {
    cr_assert(stbi_write_png(path, w, h, 1, g, w), "stbi_write_png %s", path);
}

/* Bounding box of out > 0.05 and centre of mass, computed independently. */
static void measure(const float *out, int *bw, int *bh, double *cx, double *cy) {
    int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
    double m = 0, sx = 0, sy = 0;
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++) {
            float v = out[y * 28 + x];
            cr_assert(v >= 0.0f && v <= 1.0f, "pixel %f outside [0,1]", v);
            m += v, sx += v * x, sy += v * y;
            if (v > 0.05f) {
                if (x < x0) x0 = x;
                if (x > x1) x1 = x;
                if (y < y0) y0 = y;
                if (y > y1) y1 = y;
            }
        }
    *bw = x1 - x0 + 1, *bh = y1 - y0 + 1;
    *cx = sx / m, *cy = sy / m;
}

static void check_fitted(const float *out) {
    int bw, bh;
    double cx, cy;
    measure(out, &bw, &bh, &cx, &cy);
    cr_assert_float_eq(out[0], 0.0f, 1e-6, "background is 0 (inverted)");
    cr_assert_float_eq(out[27 * 28 + 27], 0.0f, 1e-6);
    int longer = bw > bh ? bw : bh;
    cr_assert(bw <= 21 && bh <= 21, "box %dx%d fits 20x20", bw, bh);
    cr_assert(longer >= 19, "longer side %d is 20 +-1", longer);
    cr_assert(fabs(cx - 14.0) <= 1.0 && fabs(cy - 14.0) <= 1.0, "centre of mass (%.2f, %.2f)",
              cx, cy);
    float peak = 0;
    for (int i = 0; i < 784; i++) peak = out[i] > peak ? out[i] : peak;
    cr_assert_float_eq(peak, 1.0f, 1e-6, "strongest ink is 1");
}

Test(image, dark_stroke_on_white_png) {
    int w = 100, h = 60;
    uint8_t *g = malloc((size_t)w * h);
    draw_seven(g, w, h, 255, 0);
    char path[128];
    snprintf(path, sizeof path, "%s/seven.png", dir);
    write_png(path, g, w, h);
    float out[784];
    rd_error err = {0};
    cr_assert_eq(rd_image_load_mnist(path, out, &err), RD_OK, "%s", err.msg);
    check_fitted(out);
    free(g);
}

Test(image, white_on_black_is_not_inverted) {
    int w = 100, h = 60;
    uint8_t *g = malloc((size_t)w * h);
    draw_seven(g, w, h, 0, 200);
    float out[784];
    rd_error err = {0};
    cr_assert_eq(rd_image_fit_mnist(g, w, h, out, &err), RD_OK, "%s", err.msg);
    check_fitted(out);
    free(g);
}

Test(image, tall_thin_keeps_aspect) {
    uint8_t g[40 * 40];
    memset(g, 255, sizeof g);
    for (int y = 5; y < 35; y++)
        for (int x = 30; x < 33; x++) g[y * 40 + x] = 0; /* a "1": 3 wide, 30 tall */
    float out[784];
    rd_error err = {0};
    cr_assert_eq(rd_image_fit_mnist(g, 40, 40, out, &err), RD_OK, "%s", err.msg);
    int bw, bh;
    double cx, cy;
    measure(out, &bw, &bh, &cx, &cy);
    cr_assert_eq(bh, 20);
    cr_assert(bw >= 2 && bw <= 3, "width %d is 3*20/30", bw);
    cr_assert(fabs(cx - 14.0) <= 1.0 && fabs(cy - 14.0) <= 1.0);
}

Test(image, blank_image_is_an_error) {
    uint8_t g[30 * 30];
    memset(g, 240, sizeof g);
    char path[128];
    snprintf(path, sizeof path, "%s/blank.png", dir);
    write_png(path, g, 30, 30);
    float out[784];
    rd_error err = {0};
    cr_assert_eq(rd_image_load_mnist(path, out, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "blank image"), "%s", err.msg);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
}

Test(image, non_image_file_is_an_error) {
    char path[128];
    snprintf(path, sizeof path, "%s/notes.png", dir);
    FILE *f = fopen(path, "w");
    fputs("this is not a picture\n", f);
    fclose(f);
    float out[784];
    rd_error err = {0};
    cr_assert_eq(rd_image_load_mnist(path, out, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
    cr_assert(strstr(err.msg, "not a PNG, JPEG or BMP file"), "%s", err.msg);
    snprintf(path, sizeof path, "%s/missing.png", dir);
    cr_assert_eq(rd_image_load_mnist(path, out, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
}

/* Writes n bytes to dir/name and returns the path (a static buffer). */
static const char *put_bytes(const char *name, const void *bytes, size_t n) {
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert(f && fwrite(bytes, 1, n, f) == n && fclose(f) == 0);
    return path;
}

Test(image, only_png_jpeg_bmp_are_decoded) {
    static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
    float out[784];
    rd_error err = {0};
    const char *path = put_bytes("digit.gif", gif, sizeof gif - 1);
    cr_assert_eq(rd_image_load_mnist(path, out, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "not a PNG, JPEG or BMP file"), "%s", err.msg);
}

/* stb_image 2.27 overflows its Huffman tables on a DHT segment declaring more
 * than 256 codes (found by tests/fuzz/fuzz_image.c): refused before decoding. */
Test(image, jpeg_huffman_table_with_too_many_codes) {
    unsigned char jpeg[2 + 4 + 17] = {0xFF, 0xD8, 0xFF, 0xC4, 0x00, 19, 0x00, 255, 45};
    float out[784];
    rd_error err = {0};
    const char *path = put_bytes("bad.jpg", jpeg, sizeof jpeg);
    cr_assert_eq(rd_image_load_mnist(path, out, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "Huffman table"), "%s", err.msg);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
    /* the same table after junk bytes, which stb_image skips to find markers */
    unsigned char junk[4 + 3 + 4 + 17] = {0xFF, 0xD8, 0xFF, 0xE0, 'j',  'n', 'k',
                                          0xFF, 0xC4, 0x00, 19,   0x00, 255, 45};
    path = put_bytes("junk.jpg", junk, sizeof junk);
    cr_assert_eq(rd_image_load_mnist(path, out, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "Huffman table"), "%s", err.msg);
    /* a table cut off by the end of the file: its first counts already add up */
    unsigned char cut[] = {0xFF, 0xD8, 0xFF, 0xC4, 0x01, 0xA2, 0x00, 0xFF, 0xFF};
    path = put_bytes("cut.jpg", cut, sizeof cut);
    cr_assert_eq(rd_image_load_mnist(path, out, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "Huffman table"), "%s", err.msg);
}

Test(image, folder_with_two_classes) {
    char sub[160], path[200];
    uint8_t g[100 * 60];
    int w = 100, h = 60;
    for (int label = 3; label <= 7; label += 4) {
        snprintf(sub, sizeof sub, "%s/%d", dir, label);
        cr_assert_eq(mkdir(sub, 0755), 0);
        for (int k = 0; k < 2; k++) {
            draw_seven(g, w, h, 255, (uint8_t)(k * 40));
            snprintf(path, sizeof path, "%s/%c.%s", sub, 'b' - k, k ? "PNG" : "bmp");
            if (k) write_png(path, g, w, h);
            else cr_assert(stbi_write_bmp(path, w, h, 1, g));
        }
    }
    snprintf(path, sizeof path, "%s/7/readme.txt", dir); /* ignored: not an image name */
    fclose(fopen(path, "w"));
    rd_dataset d;
    rd_error err = {0};
    cr_assert_eq(rd_image_folder_load(dir, &d, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(d.n, 4);
    cr_assert_eq(d.dim, 784);
    cr_assert_eq(d.rows, 28);
    const uint8_t want[4] = {3, 3, 7, 7};
    cr_assert_eq(memcmp(d.labels, want, 4), 0);
    int idx[1] = {0};
    float row[784];
    rd_dataset_rows(&d, idx, 1, row); /* a.PNG first: sorted by name */
    check_fitted(row);
    rd_dataset_free(&d);
}

Test(image, folder_errors) {
    rd_dataset d;
    rd_error err = {0};
    cr_assert_eq(rd_image_folder_load(dir, &d, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "no images found"), "%s", err.msg);
    char sub[160], path[200];
    snprintf(sub, sizeof sub, "%s/nope", dir);
    cr_assert_eq(rd_image_folder_load(sub, &d, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "cannot open directory"), "%s", err.msg);
    snprintf(sub, sizeof sub, "%s/1", dir);
    mkdir(sub, 0755);
    snprintf(path, sizeof path, "%s/broken.jpg", sub);
    fclose(fopen(path, "w"));
    cr_assert_eq(rd_image_folder_load(dir, &d, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, path), "names the bad file: %s", err.msg);
    cr_assert_null(d.pixels);
}

/* A 24-bit BMP of a dark bar on white, stored bottom-up (positive height) or
 * top-down (negative height, as some tools write them). */
static void write_bmp(const char *path, int top_down) {
    enum { W = 28, H = 28, ROW = W * 3 };
    uint8_t file[54 + ROW * H];
    memset(file, 0, 54);
    uint32_t size = sizeof file, off = 54, hdr = 40, img = ROW * H;
    int32_t w = W, h = top_down ? -H : H;
    uint16_t planes = 1, bpp = 24;
    memcpy(file, "BM", 2);
    memcpy(file + 2, &size, 4);
    memcpy(file + 10, &off, 4);
    memcpy(file + 14, &hdr, 4);
    memcpy(file + 18, &w, 4);
    memcpy(file + 22, &h, 4);
    memcpy(file + 26, &planes, 2);
    memcpy(file + 28, &bpp, 2);
    memcpy(file + 34, &img, 4);
    for (int y = 0; y < H; y++) {
        int stored = top_down ? y : H - 1 - y; /* where image row y lies in the file */
        for (int x = 0; x < W; x++) {
            /* a bar that is thicker at the top: up and down must not be confused */
            int on = y >= 4 && y < 24 && x >= 10 && x < (y < 10 ? 20 : 14);
            memset(file + 54 + stored * ROW + x * 3, on ? 0 : 255, 3);
        }
    }
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    cr_assert_eq(fwrite(file, 1, sizeof file, f), sizeof file);
    cr_assert_eq(fclose(f), 0);
}

Test(image, top_down_bmp_reads_like_a_bottom_up_one) {
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/bottom-up.bmp", dir);
    snprintf(b, sizeof b, "%s/top-down.bmp", dir);
    write_bmp(a, 0);
    write_bmp(b, 1);
    float x[784], y[784];
    rd_error err = {0};
    cr_assert_eq(rd_image_load_mnist(a, x, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_image_load_mnist(b, y, &err), RD_OK, "%s", err.msg);
    cr_assert(!memcmp(x, y, sizeof x), "the two files hold the same picture");
    /* the thick end is at the top: more ink in the upper rows */
    double top = 0, bottom = 0;
    for (int i = 0; i < 784; i++) *(i < 392 ? &top : &bottom) += x[i];
    cr_assert(top > bottom, "upside down: top %g, bottom %g", top, bottom);
}
