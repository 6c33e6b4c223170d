/* What a run folder holds for the run a config describes: nothing to keep,
 * a run to resume, or a finished run. `rdrop compare` decides with it what
 * to train, and `rdrop train --continue` what to do. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rdrop/checkpoint.h"
#include "rdrop/report.h"

/* A file of the run that is there but cannot be read: an error, never a
 * reason to train over the run (its epochs would be lost without a word). */
static rd_status unreadable(const char *dir, const rd_error *why, rd_error *err) {
    return rd_fail(err, RD_ERR_RUNTIME,
                   "%s; the run in %s is kept as it is: repair that file, or start the run over (rdrop train "
                   "--force, or remove the folder)", why->msg, dir);
}

rd_status rd_run_inspect(const char *dir, const rd_config *want, rd_run_state *s, rd_error *err) {
    char path[4200];
    s->kind = RD_RUN_FRESH;
    s->epoch = 0;
    s->exists = access(dir, F_OK) == 0;
    snprintf(path, sizeof path, "%s/config.ini", dir);
    if (access(path, F_OK) != 0) return RD_OK; /* no run, or a folder without config.ini */
    rd_status st = rd_run_config_check(dir, want, err);
    if (st) return st;
    rd_run_curves cur;
    int have = 0; /* epochs 1..have are all in metrics.csv */
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    if (access(path, F_OK) == 0) { /* no metrics.csv: stopped before it was written */
        rd_error why = {0};
        if (rd_run_read(dir, &cur, &why)) return unreadable(dir, &why, err);
        if (rd_run_finished(&cur, want->train.epochs) && cur.epochs == want->train.epochs) s->kind = RD_RUN_FINISHED;
        while (have < cur.epochs && !isnan(cur.col[RD_COL_EPOCH_SECONDS][have])) have++;
        rd_run_free(&cur);
    }
    if (s->kind == RD_RUN_FINISHED) {
        s->epoch = want->train.epochs;
        return RD_OK;
    }
    /* resume only when metrics.csv holds every epoch the checkpoint has done;
     * otherwise those rows would be missing for good: start over */
    snprintf(path, sizeof path, "%s/last.ckpt", dir);
    rd_mlp m;
    rd_optim o;
    rd_ckpt_state c;
    if (access(path, F_OK) == 0) { /* no last.ckpt: stopped before the first one */
        rd_error why = {0};
        if (rd_checkpoint_load(path, &m, &o, &c, &why)) return unreadable(dir, &why, err);
        rd_mlp_free(&m);
        rd_optim_free(&o);
        if (c.epoch <= have && c.epoch < want->train.epochs) {
            s->kind = RD_RUN_RESUME;
            s->epoch = c.epoch;
            s->batch = c.batch;
        }
    }
    return RD_OK;
}
