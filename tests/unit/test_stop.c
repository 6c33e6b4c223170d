/* A stop request (SIGINT, SIGTERM, SIGHUP: rdrop/signals.h) ends every long
 * loop within a chunk of work: evaluation, the sub-network passes, reading a
 * large file, and writing one where the command allows it (export, import).
 * Each case sets the flag as the signal handler would. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/files.h"
#include "rdrop/signals.h"
#include "rdrop/train.h"
#include "tmpdir.h"

enum { IN = 12, H = 16, C = 3, N = 600 };

static void model(rd_mlp *m) {
    rd_rng r;
    rd_rng_seed(&r, 5);
    int hidden[] = {H};
    cr_assert_eq(rd_mlp_init(m, IN, hidden, 1, C, RD_ACT_RELU, 0.5f, RD_INIT_KAIMING, &r, NULL), RD_OK);
}

static void dataset(rd_dataset *d) {
    memset(d, 0, sizeof *d);
    d->n = N;
    d->rows = 3;
    d->cols = 4;
    d->dim = IN;
    d->pixels = calloc((size_t)N * IN, 1);
    d->labels = calloc(N, 1);
    rd_dataset_set_normalization(d, 0.0f, 1.0f);
}

Test(stop, evaluation_and_the_sub_network_passes_end_on_a_request) {
    rd_mlp m;
    rd_dataset d;
    model(&m);
    dataset(&d);
    rd_graph g;
    rd_graph_init(&g);
    double loss, acc;
    rd_rng r;
    rd_rng_seed(&r, 1);
    rd_consistency k;
    cr_assert_eq(rd_evaluate(&m, &g, &d, &loss, &acc, NULL), 0);
    cr_assert(!isnan(acc));
    cr_assert_eq(rd_evaluate_consistency(&m, &g, NULL, &d, 4, &r, &k), 0);
    rd_stop_requested = SIGTERM;
    cr_assert_eq(rd_evaluate(&m, &g, &d, &loss, &acc, NULL), SIGTERM);
    cr_assert(isnan(acc) && isnan(loss), "an interrupted evaluation has no numbers");
    cr_assert_eq(rd_evaluate_consistency(&m, &g, NULL, &d, 4, &r, &k), SIGTERM);
    rd_stop_requested = 0;
    rd_graph_free(&g);
    rd_dataset_free(&d);
    rd_mlp_free(&m);
}

/* The files in dir (temporary files left behind would show here). */
static int count_files(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

Test(stop, a_write_is_cancelled_only_where_the_command_allows_it) {
    char dir[64], path[128];
    cr_assert_not_null(tmpdir_make(dir));
    snprintf(path, sizeof path, "%s/out.bin", dir);
    rd_error err;
    cr_assert_eq(rd_replace_file(path, "old", 3, &err), RD_OK);
    size_t len = 40u << 20; /* several chunks */
    char *big = calloc(len, 1);
    rd_stop_requested = SIGINT;
    /* train's checkpoint after a stop must still be written */
    cr_assert_eq(rd_replace_file(path, big, len, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_replace_file(path, "old", 3, &err), RD_OK);
    /* export and import: the half-written file goes, the old one stays */
    rd_stop_cancels_writes(1);
    cr_assert_eq(rd_replace_file(path, big, len, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "interrupted; not written; the old file is kept"), "%s", err.msg);
    unsigned char *back;
    size_t n;
    rd_stop_requested = 0;
    cr_assert_eq(rd_read_file(path, &back, &n, &err), RD_OK);
    cr_assert(n == 3 && !memcmp(back, "old", 3), "the old file was changed");
    free(back);
    cr_assert_eq(count_files(dir), 1, "a temporary file was left behind");
    /* reading a file stops too */
    rd_stop_requested = SIGHUP;
    cr_assert_eq(rd_read_file(path, &back, &n, &err), RD_ERR_RUNTIME);
    cr_assert(strstr(err.msg, "interrupted while reading it"), "%s", err.msg);
    rd_stop_requested = 0;
    rd_stop_cancels_writes(0);
    free(big);
    tmpdir_remove(dir);
}
