/* Experiment configuration: an INI file with [model], [data] and [train]
 * sections, an optional model file for the architecture, and `--set
 * section.key=value` overrides. One table of keys (src/config/config_keys.c)
 * drives parsing, --set, writing the effective config and the help list.
 * Paths in configs are relative to where rdrop runs (the repository root). */
#ifndef RDROP_CONFIG_H
#define RDROP_CONFIG_H
#include <stdio.h>

#include "rdrop/error.h"
#include "rdrop/files.h"
#include "rdrop/nn.h"       /* RD_MAX_HIDDEN, rd_activation, rd_init */
#include "rdrop/optim.h"    /* rd_optimizer_kind */
#include "rdrop/schedule.h" /* rd_schedule_kind */

typedef enum { RD_METHOD_DROPOUT, RD_METHOD_RDROP } rd_method;
/* fast: rdrop/fast.h (fused ops, products split across a thread team);
 * reference: the engine's plain ops, one cblas_sgemm per product. */
typedef enum { RD_ENGINE_FAST, RD_ENGINE_REFERENCE } rd_engine;

typedef struct {
    char path[1024]; /* the experiment file */
    char name[256];  /* its base name without .ini: "mnist-rdrop" */
    /* Bit i: key i of the key table was set by the experiment file or by
     * --set, not left at its default or taken from a model file. Such keys
     * win over a model file, whenever it is read. */
    unsigned long long set_keys;
    struct {
        char file[1024]; /* the model file that was read ("" = none) */
        int inputs;
        int hidden[RD_MAX_HIDDEN];
        int n_hidden;
        rd_activation activation;
        float dropout;       /* after each hidden activation */
        float input_dropout; /* on the input pixels (0 = none) */
        int classes;
        rd_init init;
        char init_from[1024]; /* safetensors file with the starting weights ("" = init) */
    } model;
    struct {
        char dir[1024];
        char test_dir[1024]; /* "" = same as dir */
        int train_subset;    /* 0 = all */
        int subset_random;   /* 0: the first K samples, 1: a random K */
        int val_size;        /* samples carved off the training set */
        int normalize;       /* mean/std normalization */
    } data;
    struct {
        rd_method method;
        float alpha; /* weight of the R-Drop KL term */
        int epochs;
        int batch_size;
        rd_optimizer_kind optimizer;
        float lr, momentum;
        int nesterov;
        float beta1, beta2, eps, weight_decay;
        rd_schedule_kind schedule;
        int step_size;
        float gamma;
        int warmup_epochs;
        float min_lr;
        unsigned long long seed;
        int threads;
        rd_engine engine;
        int eval_interval;
        int checkpoint_interval;
        float max_norm;   /* cap on each hidden unit's incoming weight norm (0 = off) */
        double max_loss;  /* a batch loss above it stops the run as diverged (0 = automatic) */
        int mc_passes;    /* dropout passes per test image for test_kl, mc_acc (0 = off) */
        double memory_limit_mb; /* 0 = the machine's available memory */
    } train;
} rd_config;

/* Every key at its default; path and name empty. */
void rd_config_defaults(rd_config *c);

/* Defaults, then the model file named by model.file, then the experiment's
 * own keys (its [model] keys win over the model file's, in any order). A
 * file that sets every [model] key itself (a run's config.ini does) does
 * not need its model file, which is then not read.
 * Unreadable files are RD_ERR_RUNTIME; bad keys or values RD_ERR_USAGE. */
rd_status rd_config_load(const char *path, rd_config *c, rd_error *err);
/* The same without the model file: only the file's own keys over the
 * defaults, and no other file read (`rdrop serve` reads a run's config.ini,
 * which sets every key, and reads nothing outside the folders it serves). */
rd_status rd_config_load_own(const char *path, rd_config *c, rd_error *err);

/* One "section.key=value" override, validated like a file value. Setting
 * model.file reads that model file's keys, except those the experiment or an
 * earlier --set set (they win, as in a file). */
rd_status rd_config_set(rd_config *c, const char *assignment, rd_error *err);

/* Checks between keys; call after all overrides. */
rd_status rd_config_validate(const rd_config *c, rd_error *err);

/* The effective config as INI with every key; rd_config_load of the result
 * gives the same struct (apart from path and name). rd_config_format puts
 * that text in *out (opened here; path only names the file in a message). */
rd_status rd_config_write(const rd_config *c, const char *path, rd_error *err);
rd_status rd_config_format(const rd_config *c, const char *path, rd_text *out, rd_error *err);

/* Compares a and b key by key, in the table's order, skipping the keys named
 * in `ignore` ("section.key", NULL-terminated; may be NULL). Returns 0 when
 * every other key has the same value; else 1, with the first differing key
 * in `key` and its two values as text in va and vb (each n bytes). */
int rd_config_differs(const rd_config *a, const rd_config *b, const char *const *ignore, char *key, char *va,
                      char *vb, size_t n);

/* The keys that do not change the trained model: train.threads,
 * train.memory_limit_mb, train.mc_passes, train.engine and model.file (it
 * only names where the [model] keys came from; they count one by one).
 * NULL-terminated, for rd_config_differs and rd_config_hash. */
extern const char *const rd_config_model_neutral[];

/* A CRC-32 of the config: of the lines "section.key=value\n", in the table's
 * order, of the keys whose value differs from the default, skipping the keys
 * in `ignore` (as in rd_config_differs). Two configs with the same hash set
 * the same keys to the same values (up to CRC collisions); a new key left at
 * its default does not change it. */
unsigned long rd_config_hash(const rd_config *c, const char *const *ignore);

/* One line per key: section.key, default, range or choices, help. */
void rd_config_print_keys(FILE *f);

#endif
