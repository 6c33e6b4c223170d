/* rdrop kl P Q [--logits]: KL divergences, and what F.kl_div returns. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rdrop/loss.h"

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

/* Logits to probabilities, keeping the log-probabilities: log(softmax) in
 * float would turn a tiny probability into log 0 = -inf, the trap
 * docs/kl-divergence.md warns about, where log_softmax stays finite. */
static void softmax(double *v, double *logv, int n) {
    double mx = v[0], z = 0.0;
    for (int i = 1; i < n; i++) mx = v[i] > mx ? v[i] : mx;
    for (int i = 0; i < n; i++) z += exp(v[i] - mx);
    for (int i = 0; i < n; i++) {
        logv[i] = v[i] - mx - log(z);
        v[i] = exp(logv[i]);
    }
}

static void print_vector(const char *label, const float *v, int n) {
    printf("%s[", label);
    for (int i = 0; i < n; i++) printf("%s%.6g", i ? ", " : "", v[i]);
    printf("]\n");
}

static void print_doubles(const char *label, const double *v, int n) {
    printf("%s[", label);
    for (int i = 0; i < n; i++) printf("%s%.6g", i ? ", " : "", v[i]);
    printf("]\n");
}

/* KL(a || b) = sum a log(a/b), with 0 log 0 = 0, in double on the parsed
 * numbers: float logs would print KL(P||P) as 1e-9 instead of 0. */
static double kl(const double *a, const double *b, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++)
        if (a[i] > 0) s += b[i] > 0 ? a[i] * log(a[i] / b[i]) : INFINITY;
    return s;
}

/* Why KL(a || b) is infinite: a puts mass where b has none. */
static void print_kl(const char *what, double v, const char *a, const float *pa, const char *b,
                     const float *pb, int n) {
    printf("%-20s= %.6g", what, v);
    for (int i = 0; i < n && isinf(v); i++)
        if (pa[i] > 0 && pb[i] == 0) {
            printf("   (%s[%d] = %g but %s[%d] = 0: %s puts mass where %s has none)", a, i, pa[i], b, i,
                   a, b);
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
    if (logits) {
        softmax(p, logp, n);
        softmax(q, logq, n);
    } else if (check_probabilities("P", p, n, msg, sizeof msg) ||
               check_probabilities("Q", q, n, msg, sizeof msg))
        return cli_usage_error("kl", "%s", msg);

    static float pf[MAXN], qf[MAXN], tmp[MAXN];
    for (int i = 0; i < n; i++) {
        pf[i] = (float)p[i];
        qf[i] = (float)q[i];
    }
    rd_graph g;
    rd_graph_init(&g);
    if (logits) {
        print_doubles("P = softmax(P) = ", p, n);
        print_doubles("Q = softmax(Q) = ", q, n);
    }
    double pq = kl(p, q, n), qp = kl(q, p, n);
    print_kl("KL(P||Q)", pq, "P", pf, "Q", qf, n);
    print_kl("KL(Q||P)", qp, "Q", qf, "P", pf, n);
    printf("%-20s= %.6g\n", "KL(P||Q) + KL(Q||P)", pq + qp);

    printf("F.kl_div(%s, P, reduction=...), P as one row:\n", logits ? "log_softmax(Q)" : "log Q");
    for (int i = 0; i < n; i++) tmp[i] = logits ? (float)logq[i] : logf(qf[i]);
    rd_tensor *input = rd_input(&g, 1, n, tmp), *target = rd_input(&g, 1, n, pf);
    for (int r = RD_REDUCE_NONE; r <= RD_REDUCE_BATCHMEAN; r++) {
        rd_tensor *t = rd_kl_div(&g, input, target, r, 0);
        printf("  %-10s= ", rd_reduction_name(r));
        if (r == RD_REDUCE_NONE) {
            print_vector("", t->data, n);
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
