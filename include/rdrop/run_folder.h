/* A run folder (README, "The run folder"): its metrics.csv as training
 * writes it, and who may train in the folder. The checkpoints are
 * rdrop/checkpoint.h's; config.ini is rdrop/config.h's. */
#ifndef RDROP_RUN_FOLDER_H
#define RDROP_RUN_FOLDER_H
#include "rdrop/error.h"
#include "rdrop/files.h"
#include "rdrop/metrics.h"

/* The metrics.csv a run starts with, as text in *out (opened here, for
 * rd_stage_file): the header, and when resuming the rows of epochs <=
 * keep_epochs, read back and checked (a kill may have left a row past the
 * checkpoint: it is dropped). */
rd_status rd_metrics_begin(const char *dir, int resume, int keep_epochs, rd_text *out, rd_error *err);
/* Appends an epoch's row; *size_before is the file's size before it, for
 * rd_metrics_unappend, which takes the row back when the epoch's checkpoint
 * could not be written (a run folder records no epoch it cannot resume). */
rd_status rd_metrics_append(const char *dir, const rd_metrics_row *r, long long *size_before, rd_error *err);
void rd_metrics_unappend(const char *dir, long long size_before);

/* Takes the run folder dir for this process: locks it (rdrop/files.h;
 * *lock is the descriptor to close at the end), then, for a run that starts
 * from scratch (resume = 0), looks for a run already there (last.ckpt,
 * best.ckpt, rows in metrics.csv): without force that is RD_ERR_USAGE
 * pointing to --resume (when there is a last.ckpt to resume from) and
 * --force; with force the run is left as it is until rd_run_clear: a new run
 * that fails to start (bad data, a model that does not fit, a file in the
 * way) must not have destroyed the old one. */
rd_status rd_run_claim(const char *dir, int resume, int force, int *lock, rd_error *err);

/* Removes the old run's checkpoints from dir, once a forced new run is sure
 * to start, so that an early stop cannot leave them beside its files. */
rd_status rd_run_clear(const char *dir, rd_error *err);

#endif
