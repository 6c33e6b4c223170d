/* Every op checks its inputs' shapes when it is called: a mismatch stops
 * the program at once, with a message naming the op and the shapes, instead
 * of reading past a buffer (or into cblas_sgemm) later. Each case runs in a
 * child process, whose stderr and exit this test reads. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rdrop/loss.h"
#include "rdrop/nn.h"

static float buf[64];
static int labels[4] = {0, 1, 2, 9};

/* Runs fn in a child; expects it to abort with a message holding each of the
 * `want` strings. */
static void expect_abort(void (*fn)(rd_graph *), const char *const *want, int n_want) {
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        rd_graph g;
        rd_graph_init(&g);
        fn(&g);
        _exit(0); /* not reached when the check works */
    }
    close(fd[1]);
    char msg[512] = "";
    ssize_t got, len = 0;
    while ((got = read(fd[0], msg + len, sizeof msg - 1 - (size_t)len)) > 0) len += got;
    msg[len] = 0;
    close(fd[0]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "the op did not stop the program: %s", msg);
    cr_assert(!strncmp(msg, "rdrop: ", 7), "message: %s", msg);
    for (int i = 0; i < n_want; i++) cr_assert(strstr(msg, want[i]), "no \"%s\" in: %s", want[i], msg);
}

static void add_2x3_3x2(rd_graph *g) { rd_add(g, rd_input(g, 2, 3, buf), rd_input(g, 3, 2, buf)); }
Test(shapes, add_refuses_different_shapes) {
    const char *want[] = {"rd_add", "2x3", "3x2"};
    expect_abort(add_2x3_3x2, want, 3);
}

static void matmul_inner(rd_graph *g) { rd_matmul(g, rd_input(g, 2, 3, buf), rd_input(g, 4, 5, buf), 0, 0); }
static void matmul_transposed(rd_graph *g) { rd_matmul(g, rd_input(g, 2, 3, buf), rd_input(g, 4, 3, buf), 1, 1); }
Test(shapes, matmul_refuses_unequal_inner_sizes) {
    const char *want[] = {"rd_matmul", "inner sizes 3 and 4"};
    expect_abort(matmul_inner, want, 2);
    const char *want_t[] = {"rd_matmul", "3x2", "3x4"}; /* op(A) 3x2, op(B) 3x4 */
    expect_abort(matmul_transposed, want_t, 3);
}

static void linear_w(rd_graph *g) { rd_linear(g, rd_input(g, 2, 3, buf), rd_input(g, 4, 5, buf), NULL); }
static void linear_bias(rd_graph *g) {
    rd_linear(g, rd_input(g, 2, 3, buf), rd_input(g, 3, 5, buf), rd_input(g, 1, 4, buf));
}
Test(shapes, linear_refuses_a_wrong_weight_or_bias) {
    const char *want[] = {"rd_linear", "2x3", "4x5"};
    expect_abort(linear_w, want, 3);
    const char *want_b[] = {"rd_linear", "bias is 1x4, not 1x5"};
    expect_abort(linear_bias, want_b, 2);
}

static void add_bias(rd_graph *g) { rd_add_bias(g, rd_input(g, 2, 3, buf), rd_input(g, 2, 3, buf)); }
static void concat(rd_graph *g) { rd_concat_rows(g, rd_input(g, 2, 3, buf), rd_input(g, 2, 4, buf)); }
static void rows(rd_graph *g) { rd_rows(g, rd_input(g, 4, 3, buf), 3, 2); }
Test(shapes, bias_stack_and_slice_check_their_sizes) {
    const char *w1[] = {"rd_add_bias", "2x3, not 1x3"};
    expect_abort(add_bias, w1, 2);
    const char *w2[] = {"rd_concat_rows", "3", "4"};
    expect_abort(concat, w2, 3);
    const char *w3[] = {"rd_rows", "rows 3..4", "4 rows"};
    expect_abort(rows, w3, 3);
}

static void kl_shapes(rd_graph *g) {
    rd_kl_div(g, rd_input(g, 2, 3, buf), rd_input(g, 3, 2, buf), RD_REDUCE_SUM, 0);
}
static void ce_label(rd_graph *g) { rd_cross_entropy(g, rd_input(g, 4, 3, buf), labels, 4); }
static void nll_label(rd_graph *g) { rd_nll(g, rd_input(g, 4, 3, buf), labels, 4); }
static void backward_matrix(rd_graph *g) { rd_backward(g, rd_input(g, 2, 2, buf)); }
Test(shapes, losses_check_shapes_and_labels) {
    const char *w1[] = {"rd_kl_div", "2x3", "3x2"};
    expect_abort(kl_shapes, w1, 3);
    const char *w2[] = {"rd_cross_entropy", "label 9 of row 3", "3"};
    expect_abort(ce_label, w2, 3);
    const char *w3[] = {"rd_nll", "label 9"};
    expect_abort(nll_label, w3, 2);
    const char *w4[] = {"rd_backward", "2x2, not 1x1"};
    expect_abort(backward_matrix, w4, 2);
}

static void mlp_inputs(rd_graph *g) {
    rd_mlp m;
    rd_rng r;
    rd_rng_seed(&r, 1);
    int hidden[1] = {4};
    rd_mlp_init(&m, 5, hidden, 1, 3, RD_ACT_RELU, 0.0f, RD_INIT_KAIMING, &r, NULL);
    rd_mlp_forward(&m, g, rd_input(g, 2, 6, buf), 1, NULL);
}
Test(shapes, the_mlp_checks_its_input_width) {
    const char *want[] = {"rd_mlp_forward", "2x6", "5 inputs"};
    expect_abort(mlp_inputs, want, 3);
}

/* And correct shapes pass without a word. */
Test(shapes, correct_shapes_pass) {
    rd_graph g;
    rd_graph_init(&g);
    rd_tensor *a = rd_input(&g, 2, 3, buf), *w = rd_input(&g, 3, 4, buf), *b = rd_input(&g, 1, 4, buf);
    rd_tensor *y = rd_linear(&g, a, w, b);
    cr_assert_eq(y->rows, 2);
    cr_assert_eq(y->cols, 4);
    cr_assert_eq(y->n_in, 3);
    cr_assert_eq(y->in[2], b);
    cr_assert_eq(rd_linear(&g, a, w, NULL)->n_in, 2);
    cr_assert_eq(rd_repeat_rows(&g, a, 3)->rows, 6);
    cr_assert_eq(rd_repeat_rows(&g, a, 1), a);
    rd_graph_free(&g);
}
