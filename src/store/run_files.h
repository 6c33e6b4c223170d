/* The files of a run folder besides the checkpoints. */
#ifndef RDROP_TRAIN_RUN_FILES_H
#define RDROP_TRAIN_RUN_FILES_H
#include "rdrop/error.h"

#include "rdrop/metrics.h"

/* Creates DIR/metrics.csv with its header, or, when resuming, keeps only the
 * rows of epochs <= keep_epochs (a kill may have left a row past the
 * checkpoint). */
rd_status rd_metrics_open(const char *dir, int resume, int keep_epochs, rd_error *err);
rd_status rd_metrics_append(const char *dir, const rd_metrics_row *r, rd_error *err);

/* Takes the run folder dir for this process: locks it (rdrop/files.h;
 * *lock is the descriptor to close at the end), then, for a run that starts
 * from scratch (resume = 0), looks for a run already there (last.ckpt,
 * best.ckpt, rows in metrics.csv): without force that is RD_ERR_USAGE
 * pointing to --resume and --force; with force the run is left as it is
 * until rd_run_clear: a new run that fails to start (bad data, a model that
 * does not fit) must not have destroyed the old one. */
rd_status rd_run_claim(const char *dir, int resume, int force, int *lock, rd_error *err);

/* Removes the old run's checkpoints from dir, once a forced new run is sure
 * to start, so that an early stop cannot leave them beside its files. */
rd_status rd_run_clear(const char *dir, rd_error *err);

#endif
