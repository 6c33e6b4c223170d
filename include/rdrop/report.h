/* Comparing training runs: a run folder's per-epoch curves (metrics.csv), the
 * one-row-per-run summary (results.csv), and the Markdown report with means,
 * standard deviations and paired t-tests over seeds (report.md). */
#ifndef RDROP_REPORT_H
#define RDROP_REPORT_H
#include "rdrop/config.h"
#include "rdrop/error.h"
#include "rdrop/metrics.h"

/* One run's metrics.csv, indexed by epoch - 1. NaN where a value is missing
 * (test columns between evaluations, epochs not yet trained, columns an
 * older rdrop did not write). */
typedef struct {
    int epochs;               /* the highest epoch present */
    double *col[RD_N_COLS];   /* each column of rdrop/metrics.h (the epoch column unused) */
    double *test_err;         /* 100 x (1 - test_acc): percent of the test set */
    double *mc_err;           /* the same of mc_acc */
    double *val_err;          /* ... and of val_acc */
} rd_run_curves;

rd_status rd_run_read(const char *dir, rd_run_curves *c, rd_error *err);
void rd_run_free(rd_run_curves *c);
/* 1 when epochs 1..epochs are all present and the last one has a test error. */
int rd_run_finished(const rd_run_curves *c, int epochs);
/* The per-epoch values of a metric: any metrics.csv column by name, or the
 * errors in percent, test_err, mc_err and val_err (NULL: no such metric). */
const double *rd_run_metric(const rd_run_curves *c, const char *metric);
/* A chart title and axis label for the metric (NULL: unknown). */
const char *rd_run_metric_title(const char *metric);

/* Checks that DIR/config.ini describes the same experiment as want (every
 * key but train.threads, train.memory_limit_mb, train.mc_passes,
 * train.engine and model.file, which do not change the trained model); a
 * difference is RD_ERR_USAGE naming the key. */
rd_status rd_run_config_check(const char *dir, const rd_config *want, rd_error *err);

/* What a run folder holds for the run of a config (rd_run_inspect). */
typedef struct {
    enum {
        RD_RUN_FRESH,   /* nothing to keep: train from scratch (over the folder's
                           leftovers, if it exists) */
        RD_RUN_RESUME,  /* last.ckpt after `epoch` epochs (and `batch` batches of
                           the next), each of them in metrics.csv: resume */
        RD_RUN_FINISHED /* every epoch in metrics.csv, the last with a test error */
    } kind;
    int epoch, batch;
    int exists;         /* the folder exists */
} rd_run_state;

/* Looks at DIR for the run of config want. A folder with a config.ini of
 * another experiment is RD_ERR_USAGE naming the key (rd_run_config_check); a
 * metrics.csv or last.ckpt that is there but cannot be read is RD_ERR_RUNTIME
 * naming it (never a silent start over). A run without last.ckpt, or whose
 * metrics.csv lacks epochs the checkpoint has done, is RD_RUN_FRESH. */
rd_status rd_run_inspect(const char *dir, const rd_config *want, rd_run_state *s, rd_error *err);

/* One row of results.csv. Errors are in percent of the test set. */
typedef struct {
    char config[256];          /* the label of the config the run belongs to */
    char group[256];           /* the label of its --group ("" without groups) */
    unsigned long long seed;
    char method[16];           /* dropout or rdrop */
    double alpha, dropout, input_dropout;
    int train_size;            /* samples trained on; -1 when unknown */
    int epochs;
    double final_err, best_err;
    int best_epoch;
    double train_ce, train_kl; /* of the final epoch */
    double test_kl, mc_acc;    /* final dropout consistency (NaN: not measured) */
    double seconds_per_epoch, samples_per_second, total_seconds;
    char config_hash[9];       /* rd_result_hash of the run's config; "" when
                                  unknown (a results.csv older than the column) */
} rd_result;

/* The config hash of results.csv: rd_config_hash of cfg without the keys
 * that do not change the trained model (rd_config_model_neutral), as 8
 * lowercase hex digits. */
void rd_result_hash(const rd_config *cfg, char hash[9]);
/* The summary of a finished run; cfg (may be NULL) gives the method, the
 * dropout settings and the config hash. */
void rd_result_from_run(const rd_run_curves *c, const rd_config *cfg, const char *config,
                        unsigned long long seed, rd_result *r);
rd_status rd_results_write(const char *path, const rd_result *r, int n, rd_error *err);
/* Allocates *r (free() it). */
rd_status rd_results_read(const char *path, rd_result **r, int *n, rd_error *err);

/* One comparison of the report: configs[b] minus configs[a], paired by seed. */
typedef struct {
    int b, a;
} rd_comparison;

/* What report.md is made from. */
typedef struct {
    const rd_result *results;
    int n;
    const char *const *configs; /* in report order */
    int n_configs;
    const rd_comparison *comparisons; /* NULL: each later config minus configs[0] */
    int n_comparisons;
    int primary;                 /* the comparison the conclusion is about (an index) */
    const rd_run_curves *curves; /* parallel to results, for the equal-time
                                    comparison; NULL leaves it out */
    int busy;                    /* 1: the runs shared the machine: no times, no
                                    equal-time table */
    const char *command;         /* how the comparison was made ("" = unknown) */
    const char *note;            /* a paragraph after the command (NULL: none) */
    const char *const *groups;   /* a grouped study's group labels (results' group), in order */
    int n_groups;                /* 0 or 1: not grouped */
} rd_report;

rd_status rd_report_write(const char *path, const rd_report *rep, rd_error *err);
/* A grouped study whose (three or more) groups train on different numbers of
 * samples: size.png, each comparison with the baseline against the
 * training-set size (*written = 1); else nothing. */
rd_status rd_report_size_png(const char *path, const rd_report *rep, int *written, rd_error *err);

/* A metric per epoch over several runs: mean, min and max (NaN at epochs
 * where no run has a value); x = 1, 2, ... */
typedef struct {
    int n;
    double *x, *mean, *lo, *hi;
} rd_band;

void rd_band_of(const rd_run_curves *runs, int n_runs, const char *metric, rd_band *b);
void rd_band_free(rd_band *b);

/* curves.csv: the numbers behind curves.png, one row per config, metric and
 * epoch with a value: config,metric,epoch,runs,mean,min,max for test_err,
 * mc_err, test_kl, train_ce and train_kl (docs quote it). */
rd_status rd_curves_csv(const char *path, const char *const *configs, int n_configs,
                        const rd_run_curves *const *runs, const int *n_runs, rd_error *err);

/* curves.csv read back: one curve per config and metric, epochs ascending. */
typedef struct {
    char config[256], metric[16];
    int n, cap;
    double *epoch, *mean, *lo, *hi; /* lo, hi: the min and max over the runs */
} rd_curve;

typedef struct {
    rd_curve *curve;
    int n;
} rd_curve_set;

/* A malformed row is an error naming the file and line. */
rd_status rd_curves_read(const char *path, rd_curve_set *s, rd_error *err);
void rd_curves_free(rd_curve_set *s);
/* NULL when the file has no such curve. */
const rd_curve *rd_curve_find(const rd_curve_set *s, const char *config, const char *metric);

/* curves.png, from results.csv's rows and curves.csv only: per config the
 * test error, test_kl (on an axis from 0) and training cross-entropy (log
 * axis) per epoch, mean line and min-max band over seeds; and, with two
 * seeds or more, each config's final test error and test_kl minus the
 * baseline's (NULL: the first config), seed by seed, with the paired mean and
 * its 95% CI (report.md's numbers). Two charts a row, one legend. */
rd_status rd_study_png(const char *path, const rd_result *results, int n, const rd_curve_set *curves,
                       const char *baseline, rd_error *err);

/* A grouped study (rows with a group): DIR/curves-GROUP.png for each group,
 * the figure above from the group's rows and its curves (named GROUP/CONFIG
 * in curves.csv); *drawn counts them. Groups are never pooled: a seed pairs
 * with the same seed of its own group only. */
rd_status rd_study_group_pngs(const char *dir, const rd_result *rows, int n, const rd_curve_set *set,
                              const char *baseline, int *drawn, rd_error *err);

#endif
