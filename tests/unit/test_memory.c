/* The memory estimate that train.memory_limit_mb is checked against. */
#include <criterion/criterion.h>

#include "rdrop/config.h"
#include "rdrop/train.h"

Test(memory, estimate_covers_model_batch_and_data) {
    static rd_config c;
    rd_config_defaults(&c); /* 784-1024-1024-10, batch 128 */
    double params = (double)rd_mlp_count_params(784, c.model.hidden, 2, 10);
    double model = rd_train_memory_estimate(&c, 0);
    /* at least parameters, gradients and two optimizer moments as floats */
    cr_assert_gt(model, params * 4 * 4, "%g", model);
    cr_assert_lt(model, 1e9, "%g", model);
    /* the data: at least one byte per pixel of each sample */
    double with_data = rd_train_memory_estimate(&c, 70000);
    cr_assert_geq(with_data - model, 70000.0 * 784, "%g", with_data - model);
    c.train.batch_size = 8192;
    cr_assert_gt(rd_train_memory_estimate(&c, 0), model);
}

Test(memory, absurd_layers_give_an_absurd_estimate) {
    static rd_config c;
    rd_config_defaults(&c);
    c.model.hidden[0] = c.model.hidden[1] = 1000000; /* 10^12 weights */
    cr_assert_gt(rd_train_memory_estimate(&c, 0), 4e12);
    cr_assert_gt(rd_memory_available(), 0);
    cr_assert_lt(rd_memory_available(), 4e12);
}
