/* What `rdrop bench` measures around its training runs: the products
 * checked before they are timed, and the peak memory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rdrop/bench.h"
#include "rdrop/blas.h"
#include "rdrop/fast.h"

/* The workload's products through cblas_sgemm and through rdrop's thread
 * team, checked against a naive double-precision product (rd_gemm_check_mlp):
 * the number of wrong ones, `first` describing the first. */
static int check_in_process(const rd_bench_setup *s, char *first, size_t n) {
    rd_fast *team = rd_fast_new(s->threads);
    int wrong = 0;
    for (int b = 1; b <= 2 && !wrong; b++) {
        wrong = rd_gemm_check_mlp(NULL, s->hidden, b * s->batch, first, n);
        if (!wrong) { /* and split across rdrop's threads, as training runs them */
            rd_graph g = {0};
            rd_fast_attach(team, &g);
            wrong = rd_gemm_check_mlp(g.products, s->hidden, b * s->batch, first, n);
        }
    }
    rd_fast_free(team);
    return wrong;
}

/* The check runs in a child process, so that its test matrices and the
 * buffers OpenBLAS keeps after them do not count in the bench's memory. */
int rd_bench_check_products(const rd_bench_setup *s, char *first, size_t n) {
    int pipefd[2];
    fflush(stdout);
    pid_t pid = pipe(pipefd) == 0 ? fork() : -1;
    if (pid < 0) return check_in_process(s, first, n); /* no fork: count it, then */
    if (pid == 0) {
        close(pipefd[0]);
        int wrong = check_in_process(s, first, n);
        if (wrong && write(pipefd[1], first, strlen(first)) < 0) wrong = 1;
        _exit(wrong ? 1 : 0);
    }
    close(pipefd[1]);
    ssize_t got = read(pipefd[0], first, n - 1);
    first[got > 0 ? got : 0] = 0;
    close(pipefd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (!first[0]) snprintf(first, n, "the checking process ended with status %d", status);
    return 1;
}

/* Peak resident memory in MiB: VmHWM, which rdrop bench resets after its
 * products check (whose test matrices are not the workload's); getrusage's
 * peak where /proc is missing. */
double rd_bench_peak_rss_mib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lf kB", &kb) == 1) break;
    if (f) fclose(f);
    if (kb > 0) return kb / 1024.0;
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024.0; /* kilobytes on Linux */
}

/* Starts the peak-memory count again (Linux: 5 to clear_refs resets VmHWM). */
void rd_bench_reset_peak_rss(void) {
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}
