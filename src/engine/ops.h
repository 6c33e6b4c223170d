/* Internal: the backward function of every op, each defined next to its
 * forward in the op's source file, and dispatched by rd_backward(). */
#ifndef RDROP_ENGINE_OPS_H
#define RDROP_ENGINE_OPS_H
#include "rdrop/tensor.h"

void rd_matmul_backward(rd_graph *g, rd_tensor *t);
void rd_linear_backward(rd_graph *g, rd_tensor *t);
void rd_add_bias_backward(rd_graph *g, rd_tensor *t);
void rd_add_backward(rd_graph *g, rd_tensor *t);
void rd_scale_backward(rd_graph *g, rd_tensor *t);
void rd_relu_backward(rd_graph *g, rd_tensor *t);
void rd_tanh_backward(rd_graph *g, rd_tensor *t);
void rd_dropout_backward(rd_graph *g, rd_tensor *t);
void rd_relu_dropout_backward(rd_graph *g, rd_tensor *t);
void rd_log_softmax_backward(rd_graph *g, rd_tensor *t);
void rd_softmax_backward(rd_graph *g, rd_tensor *t);
void rd_rows_backward(rd_graph *g, rd_tensor *t);
void rd_concat_rows_backward(rd_graph *g, rd_tensor *t);
void rd_sum_backward(rd_graph *g, rd_tensor *t);
void rd_mean_backward(rd_graph *g, rd_tensor *t);
void rd_nll_backward(rd_graph *g, rd_tensor *t);
void rd_cross_entropy_backward(rd_graph *g, rd_tensor *t);
void rd_kl_div_backward(rd_graph *g, rd_tensor *t);

/* t's gradient for an op that can overwrite it instead of adding to it.
 * When t has one already, returns it with *fresh = 0 (add to it). Otherwise
 * *fresh = 1 and the buffer holds garbage: donor's gradient when donor is
 * given and has t's size (the calling op's own dY, dead once it has run:
 * the op must then read each element before writing it), else new memory. */
float *rd_grad_reuse(rd_graph *g, rd_tensor *t, rd_tensor *donor, int *fresh);

/* log(sum_j exp(x[j] - max)) of one row in double, and its max: the
 * max-shifted core of log_softmax, softmax and cross_entropy. */
double rd_row_log_sum_exp(const float *x, int n, float *max);

#define RD_NUMEL(t) ((size_t)(t)->rows * (size_t)(t)->cols)

#endif
