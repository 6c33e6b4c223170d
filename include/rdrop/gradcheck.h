/* A finite-difference gradient checker, part of the library so that every op
 * (and any model built from them) can verify its backward pass.
 *
 * The checker compares the gradient from rd_backward() with central
 * differences (f(x+e) - f(x-e)) / 2e. A non-scalar output is reduced to
 * f = sum(out * R) with fixed random weights R, accumulated in double, so the
 * numeric side does not lose digits to float rounding. An element passes when
 * |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|). */
#ifndef RDROP_GRADCHECK_H
#define RDROP_GRADCHECK_H
#include <stddef.h>

#include "rdrop/tensor.h"

/* Builds the function to check on a fresh graph, reading the buffers below
 * (through ctx). It must be deterministic: dropout must reseed its rng. */
typedef rd_tensor *(*rd_gc_build)(rd_graph *g, void *ctx);

typedef struct {
    float *data, *grad; /* the values perturbed and the gradients they receive */
    size_t n;
} rd_gc_buffer;

typedef struct {
    const char *name;
    double max_abs, max_rel; /* worst |a-n| and worst |a-n|/max(|a|,|n|) */
    double max_ratio;        /* worst |a-n| / (atol + rtol*max(|a|,|n|)): pass when <= 1 */
    double rtol, atol;
    size_t n_checked, n_failed;
} rd_gc_result;

/* Checks up to max_checks elements across the buffers (all of them when
 * there are fewer; otherwise a fixed, evenly spread sample). */
rd_gc_result rd_gradcheck(rd_gc_build build, void *ctx, rd_gc_buffer *bufs, int n_bufs, float eps,
                          double rtol, double atol, size_t max_checks);

/* The built-in checks: one per op (and the losses, and a 2-layer MLP with
 * dropout). Runs those whose name equals `only` (all when NULL); returns how
 * many ran, writing up to max results. */
int rd_gradcheck_builtin(const char *only, rd_gc_result *out, int max);
/* Names of the built-in checks, NULL-terminated. */
const char *const *rd_gradcheck_names(void);

#endif
