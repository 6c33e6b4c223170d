/* Safetensors: a model's weights in the format PyTorch, NumPy and the
 * Hugging Face tools read, so a model trained here can be used elsewhere and
 * weights made elsewhere can start an rdrop run (docs/interop.md).
 *
 * The file (https://github.com/huggingface/safetensors): a little-endian
 * uint64 N, N bytes of JSON, then the raw tensor data. The JSON maps each
 * tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (byte
 * offsets into the data, which the tensors tile with no gap, overlap or
 * trailing byte) and "__metadata__" to a string -> string map.
 *
 * rdrop's MLP is written as the state_dict of this PyTorch model, so that
 * model.load_state_dict(tensors) takes the file as it is:
 *
 *   nn.Sequential([nn.Dropout(input_dropout),]       only when input_dropout > 0
 *                 nn.Linear(inputs, h1), Act(), nn.Dropout(dropout),
 *                 ...                                one triple per hidden layer
 *                 nn.Linear(h_last, classes))
 *
 * Act is nn.ReLU or nn.Tanh. The Linear layers are modules 0, 3, 6, ... (1,
 * 4, 7, ... after an input Dropout); each gives "<i>.weight" as [out, in]
 * and "<i>.bias" as [out], float32 (rdrop keeps W as in x out: the writer
 * transposes, the reader transposes back). __metadata__ holds "format": "pt",
 * "rdrop_version", "architecture" ("784-256-10"), "activation", "dropout",
 * "input_dropout", "norm_mean", "norm_std" (inputs are (pixel/255 - mean) /
 * std), and "layout": the nn.Sequential above as Python text.
 *
 * Reading checks everything: the length, the JSON, dtype F32 only, the
 * shapes (which must chain into an MLP of 1 to RD_MAX_HIDDEN + 1 layers), the
 * names (exactly the ones above), the offsets, finite values, and the
 * metadata rdrop knows (its other keys are ignored). A file without
 * __metadata__ (saved from PyTorch) is read as ReLU, dropout 0, no input
 * dropout, no normalization; rd_st_info says which values came from the file. */
#ifndef RDROP_SAFETENSORS_H
#define RDROP_SAFETENSORS_H
#include <stddef.h>

#include "rdrop/error.h"
#include "rdrop/nn.h"
#include "rdrop/version.h"

#define RD_ST_MAX_HEADER (1 << 20) /* largest JSON header accepted, bytes */

typedef struct {
    int inputs, n_hidden, hidden[RD_MAX_HIDDEN], classes; /* from the shapes */
    float norm_mean, norm_std; /* 0 and 1 when the file does not say */
    int has_activation, has_dropout, has_input_dropout, has_norm; /* 1: given in __metadata__ */
} rd_st_info;

/* Writes m (and the input normalization it was trained with; 0, 1 = none)
 * to path atomically: a temporary file, fsync, rename. */
rd_status rd_safetensors_save(const char *path, const rd_mlp *m, float norm_mean, float norm_std,
                              rd_error *err);

/* Reads path into a new model m (free it with rd_mlp_free), its activation,
 * dropout and input dropout from the metadata (or the defaults above). A
 * file that is not a valid rdrop MLP is RD_ERR_RUNTIME, with one line naming
 * the file and what is wrong. */
rd_status rd_safetensors_load(const char *path, rd_mlp *m, rd_st_info *info, rd_error *err);

/* The same from bytes already in memory; name is used in messages. */
rd_status rd_safetensors_parse(const char *name, const unsigned char *data, size_t len, rd_mlp *m,
                               rd_st_info *info, rd_error *err);

/* "784-256-10": the layer sizes. */
void rd_safetensors_arch(char *buf, size_t n, int inputs, const int *hidden, int n_hidden, int classes);
/* The model as Python: "nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
 * nn.Dropout(0.3), nn.Linear(256, 10))". */
void rd_safetensors_layout(char *buf, size_t n, const rd_mlp *m);

#endif
