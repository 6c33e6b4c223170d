/* Images from disk (PNG, JPEG, BMP, ... through stb_image), fitted into the
 * 28x28 MNIST frame the way MNIST itself was made, so a model trained on
 * MNIST can read a photo or a drawing of a digit:
 *   1. grayscale; invert when the background is light (MNIST digits are
 *      white on black), deciding from the mean of the border pixels;
 *   2. crop to the ink's bounding box (pixels a little above the background);
 *   3. scale the longer side to 20 pixels with area averaging (a box filter),
 *      keeping the aspect ratio;
 *   4. place it in a 28x28 frame with its centre of mass at pixel (14,14),
 *      shifted by whole pixels and clamped so the digit stays inside.
 * Output: 784 floats in [0,1], row-major, background 0, strongest ink 1. */
#ifndef RDROP_IMAGE_H
#define RDROP_IMAGE_H
#include <stddef.h>
#include <stdint.h>

#include "rdrop/data.h"
#include "rdrop/error.h"

#define RD_MNIST_SIDE 28 /* frame */
#define RD_MNIST_BOX 20  /* the digit's longer side inside the frame */
#define RD_MNIST_PIXELS (RD_MNIST_SIDE * RD_MNIST_SIDE) /* 784: a fitted image's values */

/* Loads the image at path and fits it (error: unreadable file, blank image). */
rd_status rd_image_load_mnist(const char *path, float out[RD_MNIST_PIXELS], rd_error *err);

/* The same from an image file's bytes in memory (`rdrop serve` receives
 * drawings this way): the same checks, decoding and fitting. The size is
 * read from the file's header and checked before anything is decoded: at
 * most 16384 pixels a side and max_pixels in all (0: the limit files have,
 * 40 Mpixels), so a small compressed file cannot ask for a huge image.
 * name is used in messages. */
rd_status rd_image_decode_mnist(const char *name, const uint8_t *data, size_t len, size_t max_pixels,
                                float out[RD_MNIST_PIXELS], rd_error *err);

/* The pure part: fits a w x h grayscale image (row-major bytes) into out. */
rd_status rd_image_fit_mnist(const uint8_t *gray, int w, int h, float out[RD_MNIST_PIXELS], rd_error *err);

/* Loads root/<label>/<file> for label 0..9 and files ending in .png, .jpg,
 * .jpeg or .bmp (any case), each fitted as above and stored as bytes. Files
 * are taken in name order so the dataset is the same on every machine. Label
 * directories may be missing; no image at all is an error. */
rd_status rd_image_folder_load(const char *root, rd_dataset *out, rd_error *err);

#endif
