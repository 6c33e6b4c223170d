/* rdrop compare, internals: the configs being compared ("arms"), the runs
 * (one per arm and seed) and running them as child processes. */
#ifndef RDROP_CLI_COMPARE_H
#define RDROP_CLI_COMPARE_H
#include "rdrop/config.h"
#include "rdrop/error.h"
#include "rdrop/report.h"

/* overrides per config; common --set; a label's length (a run folder is
 * LABEL-sSEED, seeds below 10000, and a file name holds 255 bytes), a
 * group's (its figure is curves-GROUP.png); and GROUP/CONFIG's (results.csv's
 * and curves.csv's fields hold 255) */
enum { CMP_MAX_SETS = 64, CMP_MAX_COMMON = 256, CMP_MAX_CONTRASTS = 64, CMP_MAX_GROUPS = 64, CMP_MAX_LABEL = 249,
       CMP_MAX_GROUP_LABEL = 244, CMP_MAX_FIELD = 255 };

/* One config of the comparison: "PATH" or "PATH:key=value:key=value"; or,
 * with path NULL, a --group: "key=value:key=value" applied to every config. */
typedef struct {
    char spec[4096];                /* a copy of the argument, cut at the colons */
    const char *path;
    const char *sets[CMP_MAX_SETS]; /* its own overrides, applied after the common ones */
    int n_sets;
    char label[CMP_MAX_LABEL + 1]; /* config name + "+key=value" per override, safe in paths and CSV */
} cmp_arm;

/* RUN_COMMITTED: finished, known from its row in the comparison's
 * results.csv (its folder is not here; compare_committed.c). */
typedef enum { RUN_FRESH, RUN_RESUME, RUN_FINISHED, RUN_COMMITTED } cmp_state;

/* One training run: an arm at one seed. */
typedef struct {
    const cmp_arm *arm;
    const cmp_arm *group; /* NULL without --group */
    unsigned long long seed;
    char dir[4096];
    char name[600];   /* [group label/]arm label-sSEED, the folder's path under DIR/runs */
    rd_config cfg;    /* the effective config */
    cmp_state state;
    int from_epoch;   /* RUN_RESUME: epochs already done */
    rd_result row;    /* RUN_COMMITTED: its row of results.csv */
    char set_epochs[32], set_threads[32], set_seed[48];
    char *argv[2 * (CMP_MAX_COMMON + 2 * CMP_MAX_SETS + 3) + 10]; /* the rdrop train command, NULL-terminated */
} cmp_run;

/* What all runs share. */
typedef struct {
    const char *exe;  /* the rdrop binary */
    const char *out;  /* the comparison folder */
    const char **sets; /* --set for every config */
    int n_sets;
    int epochs;       /* 0: each config's own */
    int threads;      /* per run; 0: each config's own */
    /* the report: each arm against the baseline, then the contrasts */
    int baseline, primary;      /* arm indices */
    int contrasts[CMP_MAX_CONTRASTS][2]; /* {b, a}: arm b minus arm a */
    int n_contrasts;
    int busy;                   /* --busy: no times in the report */
    const cmp_arm *groups;      /* --group, n_groups of them (0: none) */
    int n_groups;
    int report_only;            /* --report-only: results.csv is read, not written */
} cmp_common;

/* Splits spec into path and overrides, loads the config to name the arm. */
rd_status cmp_arm_parse(cmp_arm *a, const char *spec, rd_error *err);
/* A --group: its overrides and label ("train_subset=1000+epochs=150"). */
rd_status cmp_group_parse(cmp_arm *g, const char *spec, rd_error *err);
/* The effective config, folder and train command of arm a in group g (NULL:
 * none) at seed. */
rd_status cmp_run_plan(cmp_run *r, const cmp_arm *a, const cmp_arm *g, unsigned long long seed,
                       const cmp_common *c, rd_error *err);
/* Looks at the run folder: finished, resumable or to train from scratch.
 * A folder trained with another config is RD_ERR_USAGE. */
rd_status cmp_run_inspect(cmp_run *r, rd_error *err);
/* The command as one shell-quoted line. */
void cmp_print_command(FILE *f, char *const *argv);

/* The config column of results.csv for run r. */
static inline const char *cmp_run_label(const cmp_run *r) { return r->arm->label; }

/* What is left to train (compare_committed.c): inspects each run's folder
 * (cmp_run_inspect; with as_continue, each train command ends in --continue
 * instead of --resume or --force, for commands run later, elsewhere), then
 * takes the rows of out/results.csv, when there is one, as the finished runs
 * whose folders are not here. Puts the runs still to train into pending
 * (*k of them, in order) and says what it re-uses on `log`. A results.csv
 * that cannot be read, or whose rows were edited (cut, doubled, or not
 * describing the config their hash names), is RD_ERR_RUNTIME; a row of one
 * of these runs made with another config (another config_hash) is
 * RD_ERR_USAGE. Rows without a config_hash (files of rdrop before it) are not
 * taken. */
rd_status cmp_runs_to_train(cmp_run **runs, int n, const char *out, int as_continue, FILE *log, cmp_run **pending,
                            int *k, rd_error *err);

/* --report-only (compare_committed.c): every run's row of out/results.csv,
 * taken as that run (RUN_COMMITTED), whether or not its folder is here: the
 * report made again from the table alone. A run without a row, a row made
 * with another config (config_hash) or not describing the run's config is
 * RD_ERR_USAGE; rows without a hash are taken, on the caller's word. */
rd_status cmp_rows_as_runs(cmp_run **runs, int n, const char *out, rd_error *err);

/* --slurm and its options (compare_slurm.c). */
enum { CMP_OPT_SLURM = 0x100, CMP_OPT_SUBMIT, CMP_OPT_PARTITION, CMP_OPT_TIME, CMP_OPT_CPUS, CMP_OPT_MAX_RUNNING,
       CMP_OPT_SBATCH };
typedef struct {
    int on, submit;
    const char *partition, *time; /* NULL: the cluster's defaults */
    int cpus, max_running;        /* CPUs (threads) per run, default 1; tasks at a time (0: no limit) */
    const char *extra[CMP_MAX_SETS]; /* --sbatch-option, each an #SBATCH line */
    int n_extra;
    int seen;                     /* a SLURM option was given */
} cmp_slurm;
#define CMP_SLURM_OPTIONS                                                                                  \
    {"slurm", no_argument, 0, CMP_OPT_SLURM}, {"submit", no_argument, 0, CMP_OPT_SUBMIT},                   \
        {"partition", required_argument, 0, CMP_OPT_PARTITION}, {"time", required_argument, 0, CMP_OPT_TIME}, \
        {"cpus", required_argument, 0, CMP_OPT_CPUS}, {"max-running", required_argument, 0, CMP_OPT_MAX_RUNNING}, \
        {"sbatch-option", required_argument, 0, CMP_OPT_SBATCH}
/* One of the options above: 1 taken, 0 not a SLURM option, or the exit
 * status of a usage error it printed. */
int cmp_slurm_option(cmp_slurm *s, int c, const char *arg);
/* Writes out/study.sbatch, a job array with one task per run still to train
 * (tasks run `rdrop train ... --continue`), checks it with sbatch
 * --test-only and prints how to submit it, or submits it (--submit).
 * collect: the command that writes the report afterwards. Returns the exit
 * status. */
int cmp_slurm_write(cmp_run **runs, int n, const cmp_common *c, const cmp_slurm *s, const char *collect);
/* A rdrop compare that would train while out/study.sbatch is there (its
 * tasks may still be queued or running) is RD_ERR_RUNTIME. */
rd_status cmp_slurm_guard(const char *out, cmp_run **pending, int k, rd_error *err);
/* The command line minus --slurm and its options, quoted (cmp_print_command). */
void cmp_slurm_collect_command(char *buf, size_t n, const char *exe, int argc, char **argv);

/* Runs the train commands of runs[0..n), `parallel` at a time, each logging
 * to RUN_DIR/train.log. SIGINT, SIGTERM and SIGHUP are passed on to the runs
 * (which then checkpoint); no new run starts and the running ones are waited
 * for. Returns RD_OK, RD_ERR_RUNTIME naming a run that failed (or could not
 * start), or 128 + the signal. */
int cmp_run_all(cmp_run **runs, int n, int parallel, rd_error *err);

/* Reads the finished runs (arm by arm, `seeds` each, in order) and writes
 * out/results.csv, out/report.md and out/curves.png; prints the conclusion.
 * Returns the exit status. */
int cmp_report(cmp_run **runs, int n, const cmp_arm *arms, int n_arms, int seeds, const cmp_common *c,
               const char *command);

#endif
