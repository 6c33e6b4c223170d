/* rdrop compare --slurm: the runs still to train as a SLURM job array,
 * out/study.sbatch, one task per run. Each task runs `rdrop train ...
 * --continue`, so a task that SLURM starts again (a requeue after
 * preemption, a node failure, the time limit) resumes its run, and one whose
 * run has finished exits at once. The script asks for SIGTERM 90 s before
 * the time limit and passes it on to rdrop, which writes a checkpoint and
 * exits 143; the task then requeues itself. Any other failure fails the task
 * for good. rdrop compare without --slurm writes the report afterwards. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/compare.h"
#include "rdrop/files.h"

enum { WARN_SECONDS = 90, MIN_TIME = 180, MAX_REQUEUES = 100 };

/* [D-]HH:MM:SS, [D-]HH:MM, D-HH, MM:SS or MM (sbatch's forms) in seconds;
 * -1 when it is none of them. */
static long long time_seconds(const char *t) {
    long long days = 0, f[3];
    int n = 0;
    const char *p = t, *dash = strchr(t, '-');
    char *end;
    if (dash) {
        /* at most 5 digits of days: sbatch's limits are far shorter, and
         * the sum below cannot overflow */
        if (dash == t || dash - t > 5 || strspn(t, "0123456789") != (size_t)(dash - t)) return -1;
        days = strtoll(t, NULL, 10);
        p = dash + 1;
    }
    while (n < 3) {
        if (!(*p >= '0' && *p <= '9') || strspn(p, "0123456789") > 9) return -1;
        f[n++] = strtoll(p, &end, 10);
        if (*end == 0) break;
        if (*end != ':') return -1;
        p = end + 1;
    }
    if (*end) return -1;
    if (dash) /* D-HH, D-HH:MM, D-HH:MM:SS */
        return days * 86400 + f[0] * 3600 + (n > 1 ? f[1] * 60 : 0) + (n > 2 ? f[2] : 0);
    return n == 1 ? f[0] * 60 : n == 2 ? f[0] * 60 + f[1] : f[0] * 3600 + f[1] * 60 + f[2];
}

/* Text that can stand on an #SBATCH line as it is: no white space, quotes
 * or shell syntax, no '%' (a file name pattern to sbatch). */
static int sbatch_safe(const char *s) {
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_./=+:,@-", *p)))
            return 0;
    return *s != 0;
}

int cmp_slurm_option(cmp_slurm *s, int c, const char *arg) {
    unsigned long long v;
    switch (c) {
    case CMP_OPT_SLURM: s->on = 1; return 1;
    case CMP_OPT_SUBMIT: s->submit = 1; break;
    case CMP_OPT_PARTITION:
        if (!sbatch_safe(arg)) return cli_usage_error("compare", "--partition %s: not a partition name", arg);
        s->partition = arg;
        break;
    case CMP_OPT_TIME: {
        long long t = time_seconds(arg);
        if (t < 0)
            return cli_usage_error("compare", "--time %s: not a time limit (HH:MM:SS, D-HH:MM:SS or minutes)", arg);
        if (t < MIN_TIME)
            return cli_usage_error("compare", "--time %s: shorter than %d minutes; the task is warned %d seconds "
                                   "before its time limit to write a checkpoint", arg, MIN_TIME / 60, WARN_SECONDS);
        s->time = arg;
        break;
    }
    case CMP_OPT_CPUS:
    case CMP_OPT_MAX_RUNNING:
        if (!cli_number(arg, 1, c == CMP_OPT_CPUS ? 256 : 100000, &v))
            return cli_usage_error("compare", "--%s %s: not a whole number from 1 to %d",
                                   c == CMP_OPT_CPUS ? "cpus" : "max-running", arg, c == CMP_OPT_CPUS ? 256 : 100000);
        *(c == CMP_OPT_CPUS ? &s->cpus : &s->max_running) = (int)v;
        break;
    case CMP_OPT_SBATCH:
        if (strncmp(arg, "--", 2) != 0 || !sbatch_safe(arg))
            return cli_usage_error("compare", "--sbatch-option %s: not one sbatch option (--name=value, no spaces)",
                                   arg);
        if (s->n_extra == CMP_MAX_SETS) return cli_usage_error("compare", "too many --sbatch-option options");
        s->extra[s->n_extra++] = arg;
        break;
    default: return 0;
    }
    s->seen = 1;
    return 1;
}

/* Is `name` a program in PATH? */
static int in_path(const char *name) {
    const char *path = getenv("PATH");
    char file[4200];
    for (const char *p = path ? path : ""; *p;) {
        size_t n = strcspn(p, ":");
        snprintf(file, sizeof file, "%.*s/%s", (int)n, n ? p : ".", name);
        if (access(file, X_OK) == 0) return 1;
        p += n + (p[n] == ':');
    }
    return 0;
}

/* Runs a SLURM client program, its stdout and stderr into *out (malloc'd,
 * line breaks as "; "; beyond MAX_OUTPUT bytes, the end kept: the error
 * comes last). The whole of a normal answer is kept: a list of partitions cut
 * short would hide the one asked for. Returns its exit status, or -1 when
 * it could not run. */
enum { MAX_OUTPUT = 1 << 20 };
static int run_tool(char *const argv[], char **out) {
    size_t cap = 1024, len = 0;
    *out = rd_malloc(cap, 1);
    (*out)[0] = 0;
    int fd[2];
    if (pipe(fd) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        close(fd[0]);
        if (dup2(fd[1], STDOUT_FILENO) < 0 || dup2(fd[1], STDERR_FILENO) < 0) _exit(126);
        close(fd[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s", argv[0], strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    char buf[512];
    ssize_t got;
    while ((got = read(fd[0], buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR))
        for (ssize_t i = 0; i < got; i++) {
            if (len + 3 >= cap && cap < MAX_OUTPUT) {
                *out = rd_realloc(*out, cap * 2, 1);
                cap *= 2;
            }
            if (len + 3 >= cap) { /* keep the end */
                memmove(*out, *out + cap / 2, len - cap / 2);
                len -= cap / 2;
            }
            if (buf[i] == '\n') {
                memcpy(*out + len, "; ", 2);
                len += 2;
            } else {
                (*out)[len++] = buf[i];
            }
        }
    close(fd[0]);
    while (len >= 2 && !memcmp(*out + len - 2, "; ", 2)) len -= 2;
    (*out)[len] = 0;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The one task's case of the script: the run folder, then its command. */
static void task_case(FILE *f, int task, const cmp_run *r) {
    char *dir[] = {(char *)r->dir, NULL};
    fprintf(f, "%d)\n    run=", task);
    cmp_print_command(f, dir);
    fputs("    set -- ", f);
    cmp_print_command(f, r->argv);
    fputs("    ;;\n", f);
}

static void script(FILE *f, cmp_run **pending, int k, int n, const cmp_common *c, const cmp_slurm *s,
                   const char *out_abs, const char *cwd, const char *collect) {
    fprintf(f, "#!/bin/sh\n"
               "# A SLURM job array made by `rdrop compare --slurm`: one task for each of\n"
               "# the %d runs still to train of the %d in %s. Submit it with\n"
               "#   sbatch %s/study.sbatch\n"
               "# and when every task has finished (squeue --me lists none), write the report:\n"
               "#   %s\n"
               "# A task runs `rdrop train ... --continue`: it starts its run, resumes it, or\n"
               "# exits 0 at once when it has finished. SLURM sends SIGTERM %d s before the\n"
               "# time limit (--signal); rdrop writes a checkpoint and exits 143, and the task\n"
               "# requeues itself (at most %d times) to resume. A preempted or requeued task\n"
               "# resumes the same way. Any other failure (exit 1 or 2: a bad config, missing\n"
               "# data) fails the task for good. Output: %s/slurm/JOB_TASK.out, and each\n"
               "# run's train.log.\n",
            k, n, c->out, c->out, collect, WARN_SECONDS, MAX_REQUEUES, c->out);
    fprintf(f, "#SBATCH --job-name=rdrop-compare\n#SBATCH --array=1-%d", k);
    if (s->max_running) fprintf(f, "%%%d", s->max_running);
    fprintf(f, "\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=%d\n", s->cpus);
    if (s->time) fprintf(f, "#SBATCH --time=%s\n", s->time);
    if (s->partition) fprintf(f, "#SBATCH --partition=%s\n", s->partition);
    fprintf(f, "#SBATCH --requeue\n#SBATCH --signal=B:TERM@%d\n#SBATCH --open-mode=append\n"
               "#SBATCH --output=%s/slurm/%%A_%%a.out\n#SBATCH --chdir=%s\n", WARN_SECONDS, out_abs, cwd);
    for (int i = 0; i < s->n_extra; i++) fprintf(f, "#SBATCH %s\n", s->extra[i]);
    fputs("set -u\ncase ${SLURM_ARRAY_TASK_ID:-} in\n", f);
    for (int i = 0; i < k; i++) task_case(f, i + 1, pending[i]);
    fprintf(f, "*)\n    echo \"study.sbatch: no run for array task '${SLURM_ARRAY_TASK_ID:-}' (tasks 1 to %d)\" >&2\n"
               "    exit 2\n    ;;\nesac\n", k);
    fprintf(f,
            "say() { echo \"$(date '+%%F %%T') task $SLURM_ARRAY_TASK_ID ($run): $*\"; }\n"
            "mkdir -p \"$run\" || exit 1\n"
            "say \"start (job $SLURM_JOB_ID, restart ${SLURM_RESTART_COUNT:-0})\"\n"
            "# The batch shell gets SLURM's signals; rdrop must hear them to save its run.\n"
            "pid=\n"
            "for sig in TERM INT HUP; do trap \"kill -$sig \\$pid 2>/dev/null\" $sig; done\n"
            "\"$@\" >>\"$run/train.log\" 2>&1 &\n"
            "pid=$!\n"
            "say \"rdrop train is pid $pid\"\n"
            "wait \"$pid\"\n"
            "status=$?\n"
            "# a trapped signal ends wait early: wait again until rdrop has exited\n"
            "while kill -0 \"$pid\" 2>/dev/null; do\n"
            "    wait \"$pid\"\n"
            "    status=$?\n"
            "done\n"
            "case $status in\n"
            "0)\n"
            "    say finished\n"
            "    ;;\n"
            "129 | 130 | 143)\n"
            "    if [ \"${SLURM_RESTART_COUNT:-0}\" -ge %d ]; then\n"
            "        say \"interrupted (exit $status) after %d requeues: not requeued again\" >&2\n"
            "        exit \"$status\"\n"
            "    fi\n"
            "    say \"interrupted (exit $status), checkpoint written: requeueing the task to resume\"\n"
            "    # JOB_TASK: the id alone may be the array's, and would requeue every task\n"
            "    scontrol requeue \"${SLURM_ARRAY_JOB_ID}_$SLURM_ARRAY_TASK_ID\" ||\n"
            "        say \"scontrol requeue refused (above): a requeue under way (preemption, scontrol requeue) starts\" \\\n"
            "            \"the task again; otherwise run rdrop compare --slurm again\"\n"
            "    exit \"$status\"\n"
            "    ;;\n"
            "*)\n"
            "    say \"rdrop train failed (exit $status); not requeued. The end of $run/train.log:\" >&2\n"
            "    tail -n 5 \"$run/train.log\" >&2\n"
            "    exit \"$status\"\n"
            "    ;;\n"
            "esac\n",
            MAX_REQUEUES, MAX_REQUEUES);
}

/* Every partition of --partition a,b is one SLURM has: 0, or the exit
 * status after saying why not. */
static int check_partitions(const cmp_slurm *s) {
    char *msg, *sinfo[] = {"sinfo", "--noheader", "--format=%R", NULL};
    int st = run_tool(sinfo, &msg), status = 0;
    if (st != 0) {
        fprintf(stderr, "rdrop compare: cannot reach SLURM: sinfo %s: %s\n", st < 0 ? "did not run" : "failed",
                msg[0] ? msg : "(no message)");
        status = 1;
    }
    /* sinfo prints one name per line, "; " here */
    for (const char *want = s->partition; !status && want && *want;) {
        size_t n_want = strcspn(want, ",");
        int found = 0;
        for (char *p = msg; *p && !found;) {
            size_t len = strcspn(p, ";");
            found = len == n_want && !strncmp(p, want, len);
            p += len + (p[len] ? 2 : 0);
        }
        if (!found) {
            fprintf(stderr, "rdrop compare: --partition %s: SLURM has no partition %.*s (it has: %.500s%s)\n",
                    s->partition, (int)n_want, want, msg[0] ? msg : "none", strlen(msg) > 500 ? "..." : "");
            status = 2;
        }
        want += n_want + (want[n_want] == ',');
    }
    free(msg);
    return status;
}

/* Checks the partition, writes the script to a temporary file, asks sbatch
 * --test-only about it, then puts it in place. */
static int write_checked(cmp_run **pending, int k, int n, const cmp_common *c, const cmp_slurm *s,
                         const char *collect, const char *path, const char *out_abs, const char *cwd) {
    char tmp[4400], *msg;
    int st = check_partitions(s);
    if (st) return st;
    snprintf(tmp, sizeof tmp, "%s.check.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "rdrop compare: %s: cannot write: %s\n", tmp, strerror(errno));
        return 1;
    }
    script(f, pending, k, n, c, s, out_abs, cwd, collect);
    if (fclose(f) != 0) {
        fprintf(stderr, "rdrop compare: %s: cannot write: %s\n", tmp, strerror(errno));
        unlink(tmp);
        return 1;
    }
    char *check[] = {"sbatch", "--test-only", tmp, NULL};
    st = run_tool(check, &msg);
    if (st != 0) {
        fprintf(stderr, "rdrop compare: SLURM would refuse the job array (sbatch --test-only: %s); %s was left as "
                "it was\n", msg[0] ? msg : "no message", path);
        free(msg);
        unlink(tmp);
        return 2;
    }
    free(msg);
    chmod(tmp, 0755);
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "rdrop compare: %s: cannot write: %s\n", path, strerror(errno));
        unlink(tmp);
        return 1;
    }
    return 0;
}

int cmp_slurm_write(cmp_run **runs, int n, const cmp_common *c, const cmp_slurm *s, const char *collect) {
    if (!in_path("sbatch")) {
        fprintf(stderr, "rdrop compare: --slurm: sbatch is not installed here (not in PATH); without SLURM, run "
                "the study with --jobs, or spread it with --print-commands (docs/compare.md)\n");
        return 1;
    }
    rd_error err = {0};
    char cwd[4096], out_abs[8200], path[4300];
    int lock = -1;
    if (rd_check_run_dir(c->out, &err) || rd_make_dirs(c->out, &err) || rd_lock_dir(c->out, &lock, &err))
        return cli_error("compare", &err);
    int status = 0;
    snprintf(path, sizeof path, "%s/slurm", c->out);
    if (!getcwd(cwd, sizeof cwd))
        status = (fprintf(stderr, "rdrop compare: cannot name the current folder: %s\n", strerror(errno)), 1);
    else if (snprintf(out_abs, sizeof out_abs, "%s%s%s", c->out[0] == '/' ? "" : cwd, c->out[0] == '/' ? "" : "/",
                      c->out) >= (int)sizeof out_abs)
        status = cli_usage_error("compare", "--slurm: %s/%s: path too long", cwd, c->out);
    else if (!sbatch_safe(cwd) || !sbatch_safe(out_abs))
        status = cli_usage_error("compare", "--slurm: %s holds a character an #SBATCH line cannot take (white space, "
                                 "quotes, '%%', ...): use another --out, or work from another folder",
                                 sbatch_safe(cwd) ? out_abs : cwd);
    else if (rd_make_dirs(path, &err))
        status = cli_error("compare", &err);
    snprintf(path, sizeof path, "%s/study.sbatch", c->out);
    if (!status && rd_replace_check(path, &err)) status = cli_error("compare", &err);
    cmp_run **pending = rd_calloc((size_t)n + 1, sizeof *pending);
    int k = 0;
    if (!status && cmp_runs_to_train(runs, n, c->out, 1, stdout, pending, &k, &err))
        status = cli_error("compare", &err);
    if (!status && k == 0)
        printf("compare: all %d runs in %s have finished: nothing for SLURM to do; write the report with\n  %s\n", n,
               c->out, collect);
    if (!status && k > 0) status = write_checked(pending, k, n, c, s, collect, path, out_abs, cwd);
    if (!status && k > 0) {
        printf("wrote %s: a job array of %d tasks, one per run still to train (of %d), %d CPU%s each", path, k, n,
               s->cpus, s->cpus == 1 ? "" : "s");
        if (s->max_running) printf(", at most %d at a time", s->max_running);
        printf("\n");
        if (s->submit) {
            char *msg, *submit[] = {"sbatch", "--parsable", path, NULL};
            int st = run_tool(submit, &msg);
            if (st != 0)
                status = (fprintf(stderr, "rdrop compare: sbatch %s failed: %s\n", path, msg[0] ? msg : "no message"), 1);
            else
                printf("submitted: job array %s (squeue --me lists its tasks)\n", msg);
            free(msg);
        } else {
            printf("submit it with\n  sbatch %s\n", path);
        }
        if (!status) printf("when its tasks have finished, write the report with\n  %s\n", collect);
    }
    free(pending);
    rd_unlock_dir(lock);
    return status;
}

rd_status cmp_slurm_guard(const char *out, cmp_run **pending, int k, rd_error *err) {
    char path[4300];
    snprintf(path, sizeof path, "%s/study.sbatch", out);
    if (k == 0 || access(path, F_OK) != 0) return RD_OK;
    return rd_fail(err, RD_ERR_RUNTIME, "%d run%s not finished (%s%s) and %s is there: its SLURM tasks may still be "
                   "queued or running (squeue --me); run this again when they are done, or remove %s to train "
                   "them here", k, k == 1 ? " is" : "s are", pending[0]->name, k > 1 ? ", ..." : "", path, path);
}

void cmp_slurm_collect_command(char *buf, size_t n, const char *exe, int argc, char **argv) {
    static const struct option slurm[] = {CMP_SLURM_OPTIONS, {0, 0, 0, 0}};
    char **keep = rd_calloc((size_t)argc + 2, sizeof *keep);
    int m = 0;
    keep[m++] = (char *)exe;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const struct option *hit = NULL;
        int hits = 0;
        size_t len = strncmp(a, "--", 2) ? 0 : strcspn(a + 2, "="); /* a may be "" or "-" */
        for (int j = 0; len && slurm[j].name; j++)
            if (!strncmp(slurm[j].name, a + 2, len) && ++hits) hit = &slurm[j];
        if (hits != 1) { /* getopt took a unique prefix; a prefix of two is another option */
            keep[m++] = argv[i];
            continue;
        }
        if (hit->has_arg == required_argument && !a[2 + len]) i++; /* its value follows */
    }
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    buf[0] = 0;
    if (f) {
        cmp_print_command(f, keep);
        fclose(f);
        snprintf(buf, n, "%.*s", (int)strcspn(text, "\n"), text);
        free(text);
    }
    free(keep);
}
