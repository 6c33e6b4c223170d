/* The files of a run folder besides the checkpoints. */
#ifndef RDROP_TRAIN_RUN_FILES_H
#define RDROP_TRAIN_RUN_FILES_H
#include "rdrop/error.h"

#include "rdrop/metrics.h"

/* mkdir -p */
rd_status rd_make_dirs(const char *path, rd_error *err);
/* Creates DIR/metrics.csv with its header, or, when resuming, keeps only the
 * rows of epochs <= keep_epochs (a kill may have left a row past the
 * checkpoint). */
rd_status rd_metrics_open(const char *dir, int resume, int keep_epochs, rd_error *err);
rd_status rd_metrics_append(const char *dir, const rd_metrics_row *r, rd_error *err);

#endif
