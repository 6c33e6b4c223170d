/* How much memory a run needs, checked before anything large is allocated. */
#include <stdio.h>
#include <string.h>

#include "rdrop/files.h"
#include "rdrop/train.h"

double rd_train_memory_estimate(const rd_config *cfg, long long n_train) {
    int hidden_sum = 0, widest = cfg->model.inputs;
    for (int l = 0; l < cfg->model.n_hidden; l++) {
        hidden_sum += cfg->model.hidden[l];
        if (cfg->model.hidden[l] > widest) widest = cfg->model.hidden[l];
    }
    double params = (double)rd_mlp_count_params(cfg->model.inputs, cfg->model.hidden,
                                                 cfg->model.n_hidden, cfg->model.classes);
    if (params == 0) /* does not even fit in size_t */
        params = 1e30;
    double bytes_inputs = 0, rows = (double)cfg->train.batch_size * (cfg->train.method == RD_METHOD_RDROP ? 2 : 1);
    if (rows < 500) rows = 500; /* evaluation chunks */
    if (cfg->train.mc_passes > 0 && rows < 2000) rows = 2000; /* the dropout passes of a test chunk */
    if (cfg->model.input_dropout > 0) /* stacked inputs and their mask */
        bytes_inputs = rows * cfg->model.inputs * 4.0 * 3.0;
    /* parameters, gradients, two optimizer moments, a checkpoint buffer */
    double bytes = params * 4.0 * 5.0 + bytes_inputs;
    /* per layer: output, gradient, mask, pre-activation copy */
    bytes += rows * (hidden_sum + cfg->model.classes + widest) * 4.0 * 5.0;
    bytes += (double)n_train * (cfg->model.inputs + 1.0) * 1.1; /* bytes per sample, plus test set */
    return bytes;
}

double rd_memory_available(void) {
    FILE *f;
    if (rd_fopen_regular("/proc/meminfo", &f, NULL)) return 1e18;
    char line[256];
    double kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1) break;
    fclose(f);
    return kb > 0 ? kb * 1024.0 : 1e18;
}
