/* rdrop compare CONFIG... --seeds N [--epochs E] [--jobs J] [--out DIR] */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/compare.h"
#include "rdrop/files.h"
#include "rdrop/report.h"

static const char *USAGE =
    "usage: rdrop compare CONFIG CONFIG... --seeds N [--epochs E] [--jobs J] [--threads T]\n"
    "                     [--set section.key=value]... [--out DIR] [--baseline NAME]\n"
    "                     [--primary NAME] [--contrast B:A]... [--group SETS]... [--busy]\n"
    "                     [--print-commands | --report-only]\n"
    "                     [--slurm [--partition P] [--time T] [--cpus N] [--max-running M]\n"
    "                      [--sbatch-option OPT]... [--submit]]\n"
    "\n"
    "Trains every CONFIG with seeds 0..N-1, J runs at a time, then compares each\n"
    "config with the baseline, paired by seed:\n"
    "  DIR/runs/<label>-s<seed>/  the run folders (rdrop train output, train.log)\n"
    "  DIR/results.csv            one row per run: method, alpha, dropout, training\n"
    "                             size, final and best test error, test_kl, ...\n"
    "  DIR/report.md              mean ± sd per config, paired differences with 95%\n"
    "                             CI, t-test, exact sign-flip and Holm-adjusted\n"
    "                             p-values, a conclusion about the primary\n"
    "                             comparison, and the comparison at equal training time\n"
    "  DIR/curves.csv             the curves: per config, metric and epoch, the mean,\n"
    "                             min and max over seeds\n"
    "  DIR/curves.png             drawn from results.csv and curves.csv (as `rdrop plot\n"
    "                             --study DIR` draws it): test error, test_kl and\n"
    "                             training cross-entropy per epoch, and each config's\n"
    "                             final test error and test_kl minus the baseline's,\n"
    "                             seed by seed, with the paired mean and 95% CI\n"
    "Finished runs in DIR are re-used and interrupted ones resumed, so running the\n"
    "same command again continues a comparison. A run folder made with a different\n"
    "config is an error. A run whose folder is gone but whose row DIR/results.csv\n"
    "holds (committed with the study, say) is finished: its row is re-used when its\n"
    "config_hash is the config's (another hash is an error; rows without one, from\n"
    "an older rdrop, are trained again).\n"
    "\n"
    "A CONFIG (or a --group) may carry its own overrides after colons, key=value or\n"
    "key*=F (the key's value times F, e.g. train.epochs*=1.65), e.g. for an alpha sweep:\n"
    "  rdrop compare experiments/mnist-dropout.ini \\\n"
    "      experiments/mnist-rdrop.ini:train.alpha=0.5 experiments/mnist-rdrop.ini:train.alpha=1 \\\n"
    "      --seeds 3 --out runs/alpha-sweep\n"
    "Its label is the config name plus \"+key=value\" per override (mnist-rdrop+alpha=0.5).\n"
    "\n"
    "  --seeds N          seeds 0..N-1, N up to 10000 (required)\n"
    "  --epochs E         train.epochs for every config (default: each config's own)\n"
    "  --jobs J           runs at a time, up to 256 (default 1)\n"
    "  --threads T        threads shared by the J runs, T/J each, up to 256 (default:\n"
    "                     the CPUs online; with --print-commands: each config's\n"
    "                     train.threads)\n"
    "  --set KEY=VALUE    override a key in every config (repeatable); a CONFIG's own\n"
    "                     overrides come after these\n"
    "  --out DIR          the comparison folder (default runs/compare-A-vs-B...)\n"
    "  --baseline NAME    the config every other one is compared with, by label or\n"
    "                     position from 1 (default: the first)\n"
    "  --primary NAME     the comparison declared before the runs, NAME minus the\n"
    "                     baseline; the conclusion speaks of it (default: the first\n"
    "                     config that is not the baseline)\n"
    "  --contrast B:A     also compare config B with config A (repeatable), e.g. R-Drop\n"
    "                     against its alpha = 0 control; Holm's adjustment covers all\n"
    "                     (a contrast that repeats another comparison is refused)\n"
    "  --group SETS       repeat the whole comparison with these overrides\n"
    "                     (key=value:key=value, after --set, before a config's own;\n"
    "                     repeatable), e.g. one group per training-set size: runs in\n"
    "                     DIR/runs/<group>/, seeds paired within a group, the report\n"
    "                     across the groups (Holm across them, the trend against the\n"
    "                     training-set size, DIR/size.png) and per group (none)\n"
    "  --report-only      train nothing: write report.md again from DIR/results.csv alone\n"
    "                     (every run's row must be there; rows without a config_hash are\n"
    "                     taken as they are), e.g. after rdrop's report has changed\n"
    "  --busy             the runs share the machine with other work: leave times and\n"
    "                     the equal-time table out of the report\n"
    "  --print-commands   print the `rdrop train ... --continue` command of every run\n"
    "                     still to train, one per line, and exit: run them anywhere\n"
    "                     (GNU parallel), any number of times, copy the run folders into\n"
    "                     DIR/runs/, then run this command without --print-commands to\n"
    "                     write the report (see docs/compare.md)\n"
    "  --slurm            write DIR/study.sbatch, a SLURM job array with one task per run\n"
    "                     still to train, check it with sbatch --test-only, print the\n"
    "                     sbatch command and exit. A task resumes its run when SLURM\n"
    "                     starts it again, and requeues itself when warned of its time\n"
    "                     limit. Run this command without --slurm when the tasks have\n"
    "                     finished to write the report; until then it does not train\n"
    "                     here (see docs/compare.md). With it:\n"
    "    --partition P    the partition (default: the cluster's default)\n"
    "    --time T         each task's time limit, HH:MM:SS or D-HH:MM:SS, at least 3\n"
    "                     minutes (default: the partition's)\n"
    "    --cpus N         CPUs per task, and train.threads of each run (default 1)\n"
    "    --max-running M  tasks running at a time (default: no limit)\n"
    "    --sbatch-option OPT  one more sbatch option, e.g. --account=NAME (repeatable)\n"
    "    --submit         submit the job array (sbatch) instead of printing the command\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 success, 1 a run failed (or SLURM could not be reached), 2 usage\n"
    "or config error (or SLURM would refuse the job array), 130/143 interrupted.\n";

/* "rdrop compare ARGS", quoted, for the report. */
static void command_text(char *buf, size_t n, int argc, char **argv) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    buf[0] = 0;
    if (!f) return;
    char **copy = rd_calloc((size_t)argc + 2, sizeof *copy);
    copy[0] = "rdrop";
    memcpy(copy + 1, argv, (size_t)argc * sizeof *copy);
    cmp_print_command(f, copy);
    fclose(f);
    snprintf(buf, n, "%.*s", (int)strcspn(text, "\n"), text);
    free(text);
    free(copy);
}

/* The arm a --baseline, --primary or --contrast names: its label, or its
 * position from 1; -1 when none. */
static int arm_index(const cmp_arm *arms, int n, const char *name) {
    for (int a = 0; a < n; a++)
        if (!strcmp(arms[a].label, name)) return a;
    char *end;
    long k = strtol(name, &end, 10);
    return !*end && end != name && k >= 1 && k <= n ? (int)k - 1 : -1;
}

/* Takes the comparison folder: creates and locks it (one rdrop compare at a
 * time; the runs in it lock their own folders), and checks that the outputs
 * can be written before hours of training. Returns the lock, or -1. */
static int claim(const char *out, rd_error *err) {
    int lock = -1;
    if (rd_check_run_dir(out, err) || rd_make_dirs(out, err) || rd_lock_dir(out, &lock, err)) return -1;
    static const char *OUTPUTS[] = {"results.csv", "report.md", "curves.png", "curves.csv"};
    for (int i = 0; i < 4; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", out, OUTPUTS[i]);
        if (rd_replace_check(path, err)) {
            rd_unlock_dir(lock);
            return -1;
        }
    }
    return lock;
}

/* Trains what is not finished yet, then writes the outputs. */
static int run_and_report(cmp_run **runs, int n_runs, const cmp_arm *arms, int n_arms, int seeds, int jobs,
                          const cmp_common *common, const char *command) {
    rd_error err = {0};
    int lock = claim(common->out, &err);
    if (lock < 0) return cli_error("compare", &err);
    cmp_run **pending = rd_calloc((size_t)n_runs, sizeof *pending);
    int k = 0, resume = 0, status = 0;
    if (cmp_runs_to_train(runs, n_runs, common->out, 0, stdout, pending, &k, &err) ||
        cmp_slurm_guard(common->out, pending, k, &err))
        status = cli_error("compare", &err);
    for (int i = 0; i < k && !status; i++) {
        if (rd_make_dirs(pending[i]->dir, &err)) status = cli_error("compare", &err);
        resume += pending[i]->state == RUN_RESUME;
    }
    if (!status) {
        printf("compare: %d runs in %s: %d finished, %d to resume, %d to train; %d at a time, %d thread%s each\n",
               n_runs, common->out, n_runs - k, resume, k - resume, jobs, common->threads,
               common->threads == 1 ? "" : "s");
        int st = cmp_run_all(pending, k, jobs, &err);
        if (st) status = (fprintf(stderr, "rdrop compare: %s\n", err.msg), st);
    }
    free(pending);
    if (!status) status = cmp_report(runs, n_runs, arms, n_arms, seeds, common, command);
    rd_unlock_dir(lock);
    return status;
}

static const char OPTSTRING[] = "n:e:j:t:s:o:phB:P:C:YG:R";

int cmd_compare(int argc, char **argv) {
    static const struct option opts[] = {
        {"seeds", required_argument, 0, 'n'}, {"epochs", required_argument, 0, 'e'},
        {"jobs", required_argument, 0, 'j'},  {"threads", required_argument, 0, 't'},
        {"set", required_argument, 0, 's'},   {"out", required_argument, 0, 'o'},
        {"print-commands", no_argument, 0, 'p'}, {"help", no_argument, 0, 'h'},
        {"baseline", required_argument, 0, 'B'}, {"primary", required_argument, 0, 'P'},
        {"contrast", required_argument, 0, 'C'}, {"busy", no_argument, 0, 'Y'},
        {"group", required_argument, 0, 'G'},    {"report-only", no_argument, 0, 'R'},
        CMP_SLURM_OPTIONS, {0, 0, 0, 0}};
    const char *sets[CMP_MAX_COMMON], *out = NULL, *baseline = NULL, *primary = NULL;
    const char *contrasts[CMP_MAX_CONTRASTS], *group_specs[CMP_MAX_GROUPS];
    cmp_slurm slurm = {0};
    int n_groups = 0, n_sets = 0, seeds = 0, epochs = 0, jobs = 1, threads = 0, print = 0, busy = 0, n_contrasts = 0,
        report_only = 0, c;
    while ((c = getopt_long(argc, argv, OPTSTRING, opts, NULL)) != -1) {
        /* the bounds of train.epochs and train.threads; 10,000 seeds already
         * means 10,000 runs per config */
        unsigned long long v = 0, max = c == 'e' ? 100000 : c == 'n' ? 10000 : 256;
        int bad_number = optarg && !cli_number(optarg, 1, max, &v);
        switch (c) {
        case 'n': seeds = (int)v; break;
        case 'e': epochs = (int)v; break;
        case 'j': jobs = (int)v; break;
        case 't': threads = (int)v; break;
        case 's':
            if (n_sets == CMP_MAX_COMMON) return cli_usage_error("compare", "too many --set options");
            sets[n_sets++] = optarg;
            bad_number = 0;
            break;
        case 'o': out = optarg; bad_number = 0; break;
        case 'B': baseline = optarg; bad_number = 0; break;
        case 'P': primary = optarg; bad_number = 0; break;
        case 'C':
            if (n_contrasts == CMP_MAX_CONTRASTS) return cli_usage_error("compare", "too many --contrast options");
            contrasts[n_contrasts++] = optarg;
            bad_number = 0;
            break;
        case 'G':
            if (n_groups == CMP_MAX_GROUPS) return cli_usage_error("compare", "too many --group options");
            group_specs[n_groups++] = optarg;
            bad_number = 0;
            break;
        case 'Y': busy = 1; break;
        case 'R': report_only = 1; break;
        case 'p': print = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: {
            int taken = cmp_slurm_option(&slurm, c, optarg);
            if (taken != 1) return taken ? taken : cli_bad_option("compare", OPTSTRING, argv);
            bad_number = 0;
        }
        }
        if (bad_number)
            return cli_usage_error("compare", "--%s %s: not a whole number from 1 to %llu",
                                   c == 'n' ? "seeds" : c == 'e' ? "epochs" : c == 'j' ? "jobs" : "threads", optarg, max);
    }
    int n_arms = argc - optind;
    if (n_arms < 2) return cli_usage_error("compare", "expected two or more CONFIGs, got %d", n_arms);
    if (!seeds) return cli_usage_error("compare", "--seeds N is required");
    if (slurm.seen && !slurm.on)
        return cli_usage_error("compare", "--partition, --time, --cpus, --max-running, --sbatch-option and --submit "
                               "go with --slurm");
    if (slurm.on && (print || jobs != 1 || threads))
        return cli_usage_error("compare", "--slurm runs each run as a task of its own with --cpus threads: not with "
                               "%s", print ? "--print-commands" : jobs != 1 ? "--jobs" : "--threads");
    if (!slurm.cpus) slurm.cpus = 1;

    rd_error err = {0};
    cmp_arm *arms = rd_calloc((size_t)n_arms, sizeof *arms), *groups = rd_calloc((size_t)n_groups + 1, sizeof *groups);
    cmp_run **runs = rd_calloc((size_t)n_arms * seeds * (n_groups ? n_groups : 1), sizeof *runs);
    int n_runs = 0, status = 0;
    char default_out[4096] = "runs/compare", exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    snprintf(exe + (len > 0 ? len : 0), sizeof exe - (len > 0 ? len : 0), "%s", len > 0 ? "" : "rdrop");
    for (int a = 0; a < n_arms && !status; a++) {
        if (cmp_arm_parse(&arms[a], argv[optind + a], &err)) status = cli_error("compare", &err);
        for (int b = 0; b < a && !status; b++)
            if (!strcmp(arms[a].label, arms[b].label))
                status = cli_usage_error("compare", "%s and %s have the same label %s", arms[b].spec, argv[optind + a],
                                         arms[a].label);
        size_t k = strlen(default_out);
        snprintf(default_out + k, sizeof default_out - k, "%s%s", a ? "-vs-" : "-", arms[a].label);
    }
    for (int g = 0; g < n_groups && !status; g++) {
        if (cmp_group_parse(&groups[g], group_specs[g], &err)) status = cli_error("compare", &err);
        for (int h = 0; h < g && !status; h++)
            if (!strcmp(groups[g].label, groups[h].label))
                status = cli_usage_error("compare", "--group %s and --group %s have the same label %s",
                                         group_specs[h], group_specs[g], groups[g].label);
    }
    /* a grouped study's curves are named GROUP/CONFIG in curves.csv */
    for (int g = 0; g < n_groups && !status; g++)
        for (int a = 0; a < n_arms && !status; a++)
            if (strlen(groups[g].label) + 1 + strlen(arms[a].label) > CMP_MAX_FIELD)
                status = cli_usage_error("compare", "--group %.60s with %.60s: the label of their runs, "
                                         "GROUP/CONFIG, would be %zu characters long, more than %d", group_specs[g],
                                         argv[optind + a], strlen(groups[g].label) + 1 + strlen(arms[a].label),
                                         CMP_MAX_FIELD);
    int ib = 0, ip = -1, pairs[CMP_MAX_CONTRASTS][2];
    if (!status && baseline && (ib = arm_index(arms, n_arms, baseline)) < 0)
        status = cli_usage_error("compare", "--baseline %s: no config has that label or position", baseline);
    if (!status && primary && (ip = arm_index(arms, n_arms, primary)) < 0)
        status = cli_usage_error("compare", "--primary %s: no config has that label or position", primary);
    if (!status && ip == ib)
        status = cli_usage_error("compare", "--primary %s is the baseline: it would be compared with itself",
                                 primary);
    for (int k = 0; k < n_contrasts && !status; k++) {
        char b[300];
        const char *colon = strchr(contrasts[k], ':');
        snprintf(b, sizeof b, "%.*s", colon ? (int)(colon - contrasts[k]) : 0, contrasts[k]);
        pairs[k][0] = colon ? arm_index(arms, n_arms, b) : -1;
        pairs[k][1] = colon ? arm_index(arms, n_arms, colon + 1) : -1;
        if (pairs[k][0] < 0 || pairs[k][1] < 0 || pairs[k][0] == pairs[k][1])
            status = cli_usage_error("compare", "--contrast %s: not B:A with two different configs' labels or "
                                     "positions", contrasts[k]);
    }
    /* a Holm family counts distinct comparisons: each config is already
     * compared with the baseline, and a contrast may not repeat one of those,
     * nor another contrast, in either direction */
    for (int k = 0; k < n_contrasts && !status; k++) {
        int b = pairs[k][0], a = pairs[k][1];
        if (a == ib || b == ib)
            status = cli_usage_error("compare", "--contrast %s repeats the comparison of %s with the baseline %s, "
                                     "which the report makes anyway", contrasts[k], arms[a == ib ? b : a].label,
                                     arms[ib].label);
        for (int j = 0; j < k && !status; j++)
            if ((pairs[j][0] == b && pairs[j][1] == a) || (pairs[j][0] == a && pairs[j][1] == b))
                status = cli_usage_error("compare", "--contrast %s %s --contrast %s: one comparison counted twice "
                                         "would inflate Holm's adjustment", contrasts[k],
                                         pairs[j][0] == b ? "repeats" : "mirrors", contrasts[j]);
    }
    if (ip < 0) ip = ib == 0 ? 1 : 0;
    for (int i = 0; i < n_sets && !status; i++)
        if (!strncmp(sets[i], "train.seed=", 11))
            status = cli_usage_error("compare", "--set %s: compare sets train.seed itself (seeds 0..N-1 of --seeds)",
                                     sets[i]);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int total = threads ? threads : cpus > 0 ? (int)cpus : 1;
    cmp_common common = {exe, out ? out : default_out, sets, n_sets, epochs,
                         print && !threads ? 0 : (total / jobs > 0 ? total / jobs : 1), ib, ip, {{0}},
                         n_contrasts, busy, groups, n_groups, report_only};
    memcpy(common.contrasts, pairs, sizeof(int[2]) * (size_t)(status ? 0 : n_contrasts));
    if (slurm.on) common.threads = slurm.cpus;
    /* group by group, so that a study's groups finish in the order given */
    for (int g = 0; g < (n_groups ? n_groups : 1) && !status; g++)
        for (int a = 0; a < n_arms && !status; a++)
            for (int s = 0; s < seeds && !status; s++) {
                cmp_run *r = runs[n_runs++] = rd_malloc(1, sizeof *r);
                if (cmp_run_plan(r, &arms[a], n_groups ? &groups[g] : NULL, (unsigned long long)s, &common, &err))
                    status = cli_error("compare", &err);
            }
    if (!status && report_only && (print || slurm.on))
        status = cli_usage_error("compare", "--report-only trains nothing: not with --print-commands or --slurm");
    if (!status && report_only) {
        char command[8192];
        command_text(command, sizeof command, argc, argv);
        int lock = claim(common.out, &err);
        if (lock < 0 || cmp_rows_as_runs(runs, n_runs, common.out, &err)) status = cli_error("compare", &err);
        else status = cmp_report(runs, n_runs, arms, n_arms, seeds, &common, command);
        rd_unlock_dir(lock);
    } else if (!status && print) {
        cmp_run **pending = rd_calloc((size_t)n_runs, sizeof *pending);
        int k = 0;
        if (cmp_runs_to_train(runs, n_runs, common.out, 1, stderr, pending, &k, &err))
            status = cli_error("compare", &err);
        for (int i = 0; i < k; i++) cmp_print_command(stdout, pending[i]->argv);
        free(pending);
    } else if (!status && slurm.on) {
        char collect[8192];
        cmp_slurm_collect_command(collect, sizeof collect, exe, argc, argv);
        status = cmp_slurm_write(runs, n_runs, &common, &slurm, collect);
    } else if (!status) {
        char command[8192];
        command_text(command, sizeof command, argc, argv);
        status = run_and_report(runs, n_runs, arms, n_arms, seeds, jobs, &common, command);
    }
    for (int i = 0; i < n_runs; i++) free(runs[i]);
    free(runs);
    free(arms);
    free(groups);
    return status;
}
