/* rdrop compare: the runs as child processes of the rdrop binary, a few at
 * a time. Each run is an ordinary `rdrop train`, so it checkpoints on
 * SIGINT/SIGTERM/SIGHUP and a later `rdrop compare` resumes it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/compare.h"
#include "rdrop/clock.h"
#include "rdrop/files.h"

/* SIGINT, SIGTERM and SIGHUP are passed on to the running runs by the
 * handler itself, so none can slip in just before waitpid and leave compare
 * waiting for runs that never heard of it; the list of runs only changes
 * while these signals are blocked. */
static const int SIGNALS[] = {SIGINT, SIGTERM, SIGHUP};
enum { N_SIGNALS = sizeof SIGNALS / sizeof SIGNALS[0] };
static volatile sig_atomic_t stop_signal;
static pid_t *volatile children; /* one slot per run; 0 = not running */
static volatile sig_atomic_t n_children;

static void on_signal(int sig) {
    int saved = errno;
    if (!stop_signal) stop_signal = sig;
    for (int j = 0; j < n_children; j++)
        if (children[j] > 0) kill(children[j], sig);
    errno = saved;
}

/* Starts r with its output appended to RUN_DIR/train.log (opened here, so a
 * log that is not a regular file is an error, not a hang in the child).
 * Returns the pid, or -1 with err filled. */
static pid_t start(cmp_run *r, const sigset_t *unblocked, rd_error *err) {
    char log[4200];
    snprintf(log, sizeof log, "%s/train.log", r->dir);
    int fd;
    if (rd_open_append(log, &fd, err)) return -1;
    fflush(NULL); /* or the child would repeat our buffered output */
    pid_t pid = fork();
    if (pid < 0) rd_fail(err, RD_ERR_RUNTIME, "cannot start run %s: %s", r->name, strerror(errno));
    if (pid != 0) {
        close(fd);
        return pid;
    }
    /* the child: the default actions back, then the signals unblocked */
    for (int i = 0; i < N_SIGNALS; i++) signal(SIGNALS[i], SIG_DFL);
    sigprocmask(SIG_SETMASK, unblocked, NULL);
    if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(126);
    execv(r->argv[0], r->argv);
    fprintf(stderr, "rdrop compare: cannot run %s: %s\n", r->argv[0], strerror(errno));
    _exit(127);
}

/* The last non-empty line of RUN_DIR/train.log: the run's error message. */
static void last_line(const cmp_run *r, char *out, size_t n) {
    char path[4200], line[1024];
    snprintf(path, sizeof path, "%s/train.log", r->dir);
    snprintf(out, n, "(no log)");
    FILE *f;
    if (rd_fopen_regular(path, &f, NULL)) return;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0]) snprintf(out, n, "%s", line);
    }
    fclose(f);
}

int cmp_run_all(cmp_run **runs, int n, int parallel, rd_error *err) {
    struct sigaction sa, old[N_SIGNALS];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a signal ends waitpid with EINTR */
    sigset_t block, unblocked;
    sigemptyset(&block);
    for (int i = 0; i < N_SIGNALS; i++) sigaddset(&block, SIGNALS[i]);
    sigprocmask(SIG_BLOCK, &block, &unblocked);
    pid_t *pid = rd_calloc((size_t)n + 1, sizeof *pid);
    children = pid;
    n_children = 0;
    stop_signal = 0;
    for (int i = 0; i < N_SIGNALS; i++) sigaction(SIGNALS[i], &sa, &old[i]);
    double *t0 = rd_calloc((size_t)n + 1, sizeof *t0);
    int next = 0, running = 0, done = 0, failed = -1;
    rd_error start_err = {0};
    while (next < n || running > 0) {
        while (!stop_signal && failed < 0 && !start_err.status && running < parallel && next < n) {
            cmp_run *r = runs[next];
            printf("[%d/%d] %s %s\n", next + 1, n, r->state == RUN_RESUME ? "resume" : "train", r->name);
            t0[next] = rd_now();
            if ((pid[next] = start(r, &unblocked, &start_err)) < 0) {
                pid[next] = 0;
                break;
            }
            n_children = ++next;
            running++;
        }
        if (running == 0) break;
        int status;
        sigprocmask(SIG_SETMASK, &unblocked, NULL);
        pid_t p = waitpid(-1, &status, 0);
        int e = errno;
        sigprocmask(SIG_BLOCK, &block, NULL);
        if (p < 0) {
            if (e != EINTR) break;
            continue;
        }
        for (int j = 0; j < next; j++) {
            if (pid[j] != p) continue;
            pid[j] = 0;
            running--;
            done++;
            int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            printf("[%d/%d] %s %s after %.1f s\n", done, n, ok ? "finished" : "stopped", runs[j]->name, rd_now() - t0[j]);
            if (!ok && !stop_signal && failed < 0) failed = j;
        }
    }
    n_children = 0;
    for (int i = 0; i < N_SIGNALS; i++) sigaction(SIGNALS[i], &old[i], NULL);
    sigprocmask(SIG_SETMASK, &unblocked, NULL);
    children = NULL;
    free(pid);
    free(t0);
    fflush(stdout);
    if (stop_signal) {
        rd_fail(err, RD_ERR_RUNTIME, "interrupted: the running runs saved checkpoints; run the same command "
                "again to continue");
        return 128 + stop_signal;
    }
    if (start_err.status) {
        *err = start_err;
        return RD_ERR_RUNTIME;
    }
    if (failed >= 0) {
        char line[1024];
        last_line(runs[failed], line, sizeof line);
        return rd_fail(err, RD_ERR_RUNTIME, "run %s failed (%s/train.log): %s", runs[failed]->name,
                       runs[failed]->dir, line);
    }
    return RD_OK;
}
