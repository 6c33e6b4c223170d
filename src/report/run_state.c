/* What a run folder holds for the run a config describes: nothing to keep,
 * a run to resume, or a finished run. `rdrop compare` decides with it what
 * to train, and `rdrop train --continue` what to do. */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "rdrop/checkpoint.h"
#include "rdrop/report.h"

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
    if (rd_run_read(dir, &cur, NULL) == RD_OK) {
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
    if (access(path, F_OK) == 0 && rd_checkpoint_load(path, &m, &o, &c, NULL) == RD_OK) {
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
