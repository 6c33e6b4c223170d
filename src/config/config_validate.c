/* Checks that involve more than one key. They run after every --set, so an
 * override can repair what the file alone would get wrong. */
#include "rdrop/config.h"

rd_status rd_config_validate(const rd_config *c, rd_error *err) {
    const char *where = c->path[0] ? c->path : "config";
    if (c->train.warmup_epochs >= c->train.epochs)
        return rd_fail(err, RD_ERR_USAGE,
                       "%s: train.warmup_epochs (%d) must be less than train.epochs (%d)", where,
                       c->train.warmup_epochs, c->train.epochs);
    if (c->train.nesterov && c->train.optimizer != RD_OPT_SGD)
        return rd_fail(err, RD_ERR_USAGE,
                       "%s: train.nesterov needs train.optimizer = sgd", where);
    if (c->train.nesterov && c->train.momentum == 0)
        return rd_fail(err, RD_ERR_USAGE, "%s: train.nesterov needs train.momentum > 0", where);
    if (c->train.min_lr > c->train.lr)
        return rd_fail(err, RD_ERR_USAGE,
                       "%s: train.min_lr (%g) must not exceed train.lr (%g)", where,
                       (double)c->train.min_lr, (double)c->train.lr);
    if (c->data.train_subset > 0 && c->data.val_size >= c->data.train_subset)
        return rd_fail(err, RD_ERR_USAGE,
                       "%s: data.val_size (%d) must be less than data.train_subset (%d), "
                       "or no samples are left to train on", where, c->data.val_size,
                       c->data.train_subset);
    if (c->model.n_hidden < 1 || c->model.n_hidden > RD_MAX_HIDDEN)
        return rd_fail(err, RD_ERR_USAGE, "%s: model.hidden needs 1 to %d layers", where,
                       RD_MAX_HIDDEN);
    return RD_OK;
}
