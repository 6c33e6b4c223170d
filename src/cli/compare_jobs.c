/* rdrop compare: the runs as child processes of the rdrop binary, a few at
 * a time. Each run is an ordinary `rdrop train`, so it checkpoints on
 * SIGINT/SIGTERM and a later `rdrop compare` resumes it. */
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

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

static pid_t start(cmp_run *r) {
    char log[4200];
    snprintf(log, sizeof log, "%s/train.log", r->dir);
    fflush(NULL); /* or the child would repeat our buffered output */
    pid_t pid = fork();
    if (pid != 0) return pid;
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(126);
    execv(r->argv[0], r->argv);
    fprintf(stderr, "rdrop compare: cannot run %s: %s\n", r->argv[0], strerror(errno));
    _exit(127);
}

/* The last non-empty line of RUN_DIR/train.log: the run's error message. */
static void last_line(const cmp_run *r, char *out, size_t n) {
    char path[4200], line[1024];
    snprintf(path, sizeof path, "%s/train.log", r->dir);
    snprintf(out, n, "(no log)");
    FILE *f = fopen(path, "r");
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0]) snprintf(out, n, "%s", line);
    }
    fclose(f);
}

int cmp_run_all(cmp_run **runs, int n, int parallel, rd_error *err) {
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a signal ends waitpid with EINTR */
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    pid_t *pid = rd_calloc((size_t)n + 1, sizeof *pid);
    double *t0 = rd_calloc((size_t)n + 1, sizeof *t0);
    int next = 0, running = 0, done = 0, failed = -1, fail_status = 0, forwarded = 0;
    while (next < n || running > 0) {
        while (!stop_signal && failed < 0 && running < parallel && next < n) {
            cmp_run *r = runs[next];
            printf("[%d/%d] %s %s\n", next + 1, n, r->state == RUN_RESUME ? "resume" : "train", r->name);
            t0[next] = rd_now();
            if ((pid[next] = start(r)) < 0) {
                failed = next;
                fail_status = -1;
                break;
            }
            next++;
            running++;
        }
        if (running == 0) break;
        int status;
        pid_t p = waitpid(-1, &status, 0);
        if (p < 0) {
            if (errno != EINTR) break;
            if (stop_signal && !forwarded) {
                for (int j = 0; j < next; j++)
                    if (pid[j] > 0) kill(pid[j], stop_signal);
                forwarded = 1;
            }
            continue;
        }
        for (int j = 0; j < next; j++) {
            if (pid[j] != p) continue;
            pid[j] = 0;
            running--;
            done++;
            int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            printf("[%d/%d] %s %s after %.1f s\n", done, n, ok ? "finished" : "stopped", runs[j]->name, rd_now() - t0[j]);
            if (!ok && !stop_signal && failed < 0) {
                failed = j;
                fail_status = status;
            }
        }
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(pid);
    free(t0);
    fflush(stdout);
    if (stop_signal) {
        rd_fail(err, RD_ERR_RUNTIME, "interrupted: the running runs saved checkpoints; run the same command "
                "again to continue");
        return 128 + stop_signal;
    }
    if (failed >= 0) {
        char line[1024];
        last_line(runs[failed], line, sizeof line);
        if (fail_status == -1) snprintf(line, sizeof line, "fork failed: %s", strerror(errno));
        return rd_fail(err, RD_ERR_RUNTIME, "run %s failed (%s/train.log): %s", runs[failed]->name,
                       runs[failed]->dir, line);
    }
    return RD_OK;
}
