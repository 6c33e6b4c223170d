/* rdrop kl P Q [--logits]: KL divergences, and what F.kl_div returns. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rdrop/loss.h"
#include "rdrop/prob.h"

enum { MAXN = 4096 };

static const char *USAGE =
    "usage: rdrop kl P Q [--logits]\n"
    "\n"
    "P and Q are comma-separated numbers: probability vectors of the same length\n"
    "(non-negative, summing to 1 within 1e-6), or logits with --logits (softmax is\n"
    "applied to both first). Prints KL(P||Q), KL(Q||P), their sum, and\n"
    "F.kl_div(log Q, P) under each reduction, treating P as one row.\n"
    "\n"
    "  --logits   treat P and Q as logits (default: probabilities)\n"
    "  -h, --help this text\n";

/* Parses "a,b,c" into v; returns the count, or -1 with msg set. */
static int parse_vector(const char *name, const char *s, double *v, char *msg, size_t len) {
    int n = 0;
    const char *p = s;
    for (;;) {
        char *end;
        if (n == MAXN) {
            snprintf(msg, len, "%s has more than %d numbers", name, MAXN);
            return -1;
        }
        v[n] = strtod(p, &end);
        if (end == p || (*end && *end != ',') || !isfinite(v[n])) {
            int w = (int)strcspn(p, ",");
            snprintf(msg, len, "%s: '%.*s' is not a finite number", name, w, p);
            return -1;
        }
        n++;
        if (!*end) return n;
        p = end + 1;
    }
}

static const char *check_probabilities(const char *name, const double *v, int n, char *msg, size_t len) {
    double s = 0.0;
    for (int i = 0; i < n; i++) {
        if (v[i] < 0) {
            snprintf(msg, len, "%s[%d] = %g is negative: not a probability", name, i, v[i]);
            return msg;
        }
        s += v[i];
    }
    if (fabs(s - 1.0) > 1e-6) {
        snprintf(msg, len, "%s sums to %.9g, not 1 (within 1e-6); use --logits for unnormalised scores", name, s);
        return msg;
    }
    return NULL;
}

static void print_doubles(const char *label, const double *v, int n) {
    printf("%s[", label);
    for (int i = 0; i < n; i++) printf("%s%.6g", i ? ", " : "", v[i]);
    printf("]\n");
}

static void print_floats(const float *v, int n) {
    printf("[");
    for (int i = 0; i < n; i++) printf("%s%.6g", i ? ", " : "", v[i]);
    printf("]\n");
}

/* KL(a || b) from log-probabilities, and why it is infinite when it is:
 * a puts mass where b has none. */
static void print_kl(const char *what, const char *a, const double *la, const char *b, const double *lb, int n) {
    double v = rd_row_kl(la, lb, n);
    printf("%-20s= %.6g", what, v);
    for (int i = 0; i < n && isinf(v); i++)
        if (la[i] > -INFINITY && lb[i] == -INFINITY) {
            printf("   (%s[%d] = %g but %s[%d] = 0: %s puts mass where %s has none)", a, i, exp(la[i]), b, i, a,
                   b);
            break;
        }
    printf("\n");
}

int cmd_kl(int argc, char **argv) {
    int logits = 0;
    const char *pos[2];
    int npos = 0;
    /* Hand-parsed rather than getopt: negative logits like "-1,2" are operands. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--logits"))
            logits = 1;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(USAGE, stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] == '-')
            return cli_usage_error("kl", "unknown option '%s'", argv[i]);
        else if (npos < 2)
            pos[npos++] = argv[i];
        else
            return cli_usage_error("kl", "too many arguments: expected P and Q");
    }
    if (npos != 2) return cli_usage_error("kl", "expected two distributions P and Q");

    static double p[MAXN], q[MAXN], logp[MAXN], logq[MAXN];
    char msg[256];
    int n = parse_vector("P", pos[0], p, msg, sizeof msg), m;
    if (n < 0 || (m = parse_vector("Q", pos[1], q, msg, sizeof msg)) < 0)
        return cli_usage_error("kl", "%s", msg);
    if (n != m) return cli_usage_error("kl", "P has %d numbers and Q has %d: they must match", n, m);
    if (!logits && (check_probabilities("P", p, n, msg, sizeof msg) || check_probabilities("Q", q, n, msg, sizeof msg)))
        return cli_usage_error("kl", "%s", msg);

    /* Every line below comes from the log-probabilities: log-softmax of the
     * logits, or the log of the probabilities given (log 0 = -inf). */
    if (logits) {
        rd_row_log_softmax(p, n, logp);
        rd_row_log_softmax(q, n, logq);
        for (int i = 0; i < n; i++) {
            p[i] = exp(logp[i]);
            q[i] = exp(logq[i]);
        }
        print_doubles("P = softmax(P) = ", p, n);
        print_doubles("Q = softmax(Q) = ", q, n);
    } else {
        for (int i = 0; i < n; i++) {
            logp[i] = log(p[i]);
            logq[i] = log(q[i]);
        }
    }
    print_kl("KL(P||Q)", "P", logp, "Q", logq, n);
    print_kl("KL(Q||P)", "Q", logq, "P", logp, n);
    printf("%-20s= %.6g\n", "KL(P||Q) + KL(Q||P)", rd_row_kl(logp, logq, n) + rd_row_kl(logq, logp, n));

    /* F.kl_div(input = log Q, target = P) on float32 tensors, as PyTorch:
     * log_softmax of the logits, or the log of Q as a float32 tensor */
    static float input_f[MAXN], target_f[MAXN];
    for (int i = 0; i < n; i++) {
        input_f[i] = logits ? (float)logq[i] : logf((float)q[i]);
        target_f[i] = (float)p[i];
    }
    rd_graph g;
    rd_graph_init(&g);
    printf("F.kl_div(%s, P, reduction=...), P as one row:\n", logits ? "log_softmax(Q)" : "log Q");
    rd_tensor *input = rd_input(&g, 1, n, input_f), *target = rd_input(&g, 1, n, target_f);
    for (int r = RD_REDUCE_NONE; r <= RD_REDUCE_BATCHMEAN; r++) {
        rd_tensor *t = rd_kl_div(&g, input, target, r, 0);
        printf("  %-10s= ", rd_reduction_name(r));
        if (r == RD_REDUCE_NONE) {
            print_floats(t->data, n);
            continue;
        }
        printf("%.6g", rd_scalar(t));
        if (r == RD_REDUCE_MEAN) printf("   (sum / %d elements: not the KL divergence)", n);
        if (r == RD_REDUCE_BATCHMEAN) printf("   (sum / 1 row: the KL divergence per sample)");
        printf("\n");
    }
    rd_graph_free(&g);
    return 0;
}
