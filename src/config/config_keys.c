/* The one table of configuration keys. Parsing, --set, rd_config_write, the
 * defaults and `rdrop train --help` all read it, so adding a key is one row
 * here plus the field in rdrop/config.h. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "config/config_keys.h"

/* Where the field lives and how big it is. */
#define AT(field) \
    .offset = offsetof(rd_config, field), .size = sizeof(((rd_config *)0)->field)

#define INT(sec, key, field, lo, hi, d, h) \
    {.section = sec, .name = key, .type = RD_KEY_INT, AT(field), .min = lo, .max = hi, \
     .def = d, .help = h}
/* open_lo/open_hi: 1 when the bound itself is not allowed. */
#define FLOAT(sec, key, field, lo, open_lo, hi, open_hi, d, h) \
    {.section = sec, .name = key, .type = RD_KEY_FLOAT, AT(field), .min = lo, .max = hi, \
     .min_open = open_lo, .max_open = open_hi, .def = d, .help = h}
#define BOOL(sec, key, field, d, h) \
    {.section = sec, .name = key, .type = RD_KEY_BOOL, AT(field), .min = 0, .max = 1, \
     .def = d, .help = h}
#define ENUM(sec, key, field, ch, d, h) \
    {.section = sec, .name = key, .type = RD_KEY_ENUM, AT(field), .choices = ch, .def = d, \
     .help = h}
#define STRING(sec, key, field, d, h) \
    {.section = sec, .name = key, .type = RD_KEY_STRING, AT(field), .def = d, .help = h}

#define ANY INT_MAX /* no upper bound but the int's own */

static const rd_config_key keys[] = {
    STRING("model", "file", model.file, "",
           "model INI whose [model] keys are read first (this file's [model] keys win)"),
    INT("model", "inputs", model.inputs, 1, 1000000, "784", "input features (28x28 pixels)"),
    {.section = "model", .name = "hidden", .type = RD_KEY_INT_LIST, AT(model.hidden),
     .count_offset = offsetof(rd_config, model.n_hidden), .min = 1, .max = 1000000,
     .def = "1024,1024", .help = "hidden layer sizes, comma-separated, 1 to 8 layers"},
    ENUM("model", "activation", model.activation, "relu|tanh", "relu",
         "activation after each hidden layer"),
    FLOAT("model", "dropout", model.dropout, 0, 0, 1, 1, "0.3",
          "dropout probability after each hidden layer"),
    FLOAT("model", "input_dropout", model.input_dropout, 0, 0, 1, 1, "0",
          "dropout probability on the input pixels (each R-Drop copy gets its own mask)"),
    INT("model", "classes", model.classes, 2, 65536, "10", "output classes"),
    ENUM("model", "init", model.init, "kaiming|xavier", "kaiming", "weight initialization"),
    STRING("model", "init_from", model.init_from, "",
           "safetensors file with the starting weights, instead of model.init (docs/interop.md)"),

    STRING("data", "dir", data.dir, "data/mnist", "directory with the training IDX files"),
    STRING("data", "test_dir", data.test_dir, "",
           "directory with the test IDX files (empty = dir)"),
    INT("data", "train_subset", data.train_subset, 0, ANY, "0",
        "train on at most K samples (0 = all)"),
    BOOL("data", "subset_random", data.subset_random, "false",
         "take a random K samples instead of the first K"),
    INT("data", "val_size", data.val_size, 0, ANY, "0",
        "samples carved off the training set for validation (0 = none)"),
    BOOL("data", "normalize", data.normalize, "false", "normalize inputs by mean and std"),

    ENUM("train", "method", train.method, "dropout|rdrop", "dropout",
         "dropout alone, or R-Drop (two passes + KL term)"),
    FLOAT("train", "alpha", train.alpha, 0, 0, 1e6, 0, "1", "weight of the R-Drop KL term"),
    INT("train", "epochs", train.epochs, 1, 100000, "10", "passes over the training set"),
    INT("train", "batch_size", train.batch_size, 1, 65536, "128", "samples per step"),
    ENUM("train", "optimizer", train.optimizer, "sgd|adam|adamw", "adam", "optimizer"),
    /* lr up to 1e9: huge rates are allowed on purpose, to test divergence handling */
    FLOAT("train", "lr", train.lr, 0, 1, 1e9, 0, "0.001", "learning rate"),
    FLOAT("train", "momentum", train.momentum, 0, 0, 1, 1, "0.9", "SGD momentum"),
    BOOL("train", "nesterov", train.nesterov, "false", "Nesterov momentum (sgd only)"),
    FLOAT("train", "beta1", train.beta1, 0, 0, 1, 1, "0.9", "Adam first-moment decay"),
    FLOAT("train", "beta2", train.beta2, 0, 0, 1, 1, "0.999", "Adam second-moment decay"),
    FLOAT("train", "eps", train.eps, 0, 1, INFINITY, 1, "1e-08", "Adam denominator epsilon"),
    FLOAT("train", "weight_decay", train.weight_decay, 0, 0, INFINITY, 1, "0",
          "L2 penalty (sgd, adam) or decoupled decay (adamw)"),
    ENUM("train", "schedule", train.schedule, "constant|step|cosine", "constant",
         "learning-rate schedule"),
    INT("train", "step_size", train.step_size, 1, ANY, "5",
        "step schedule: epochs between decays"),
    FLOAT("train", "gamma", train.gamma, 0, 1, 1, 0, "0.1", "step schedule: decay factor"),
    INT("train", "warmup_epochs", train.warmup_epochs, 0, ANY, "0",
        "epochs of linear warm-up (less than epochs)"),
    FLOAT("train", "min_lr", train.min_lr, 0, 0, INFINITY, 1, "0",
          "cosine schedule: final learning rate"),
    {.section = "train", .name = "seed", .type = RD_KEY_U64, AT(train.seed), .min = 0,
     .max = 18446744073709551615.0, .def = "0", .help = "random seed (init, dropout, shuffling)"},
    INT("train", "threads", train.threads, 1, 256, "2", "worker threads"),
    ENUM("train", "engine", train.engine, "fast|reference", "fast",
         "fast: fused ops, products split across the threads; reference: the plain engine"),
    INT("train", "eval_interval", train.eval_interval, 1, ANY, "1",
        "evaluate every N epochs"),
    INT("train", "checkpoint_interval", train.checkpoint_interval, 1, ANY, "1",
        "save a checkpoint every N epochs"),
    FLOAT("train", "max_norm", train.max_norm, 0, 0, 1e6, 0, "0",
          "after each step, rescale each hidden unit's incoming weights to L2 norm <= c (0 = off)"),
    {.section = "train", .name = "max_loss", .type = RD_KEY_DOUBLE, AT(train.max_loss), .min = 0,
     .max = INFINITY, .max_open = 1, .def = "0",
     .help = "a batch loss above it stops the run as diverged (0 = 100 x ln(classes) x (1 + alpha))"},
    INT("train", "mc_passes", train.mc_passes, 0, 64, "8",
        "dropout passes per test image for test_kl and mc_acc at evaluated epochs (0 = off)"),
    {.section = "train", .name = "memory_limit_mb", .type = RD_KEY_DOUBLE,
     AT(train.memory_limit_mb), .min = 0, .max = INFINITY, .max_open = 1, .def = "0",
     .help = "memory budget in MiB (0 = the machine's available memory)"},
};

/* rd_config.set_keys has a bit per key */
_Static_assert(sizeof keys / sizeof keys[0] <= 64, "more keys than bits in rd_config.set_keys");

const rd_config_key *rd_config_keys(size_t *count) {
    *count = sizeof keys / sizeof keys[0];
    return keys;
}

const rd_config_key *rd_config_find_key(const char *section, const char *name) {
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

int rd_config_section_exists(const char *section) {
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].section, section) == 0) return 1;
    return 0;
}
