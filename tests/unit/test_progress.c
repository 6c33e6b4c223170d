/* The progress line fitted to a terminal: at any width it never exceeds the
 * width, fields go in their order of importance, the bar shrinks before it
 * goes, and numbers never run to dozens of digits. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "train/progress.h"

/* The fields of a real line, with rdrop's ranks (see progress.c). */
static const rd_field FIELDS[] = {
    {"epoch 3/10", "", 0},        {NULL, " ", 3},       {" 9/16", " ", 0},
    {" 4567 samples/s", "  ", 2}, {"loss 1.6422±0.0409", "  ", 0}, {"(ce 1.6012 kl 0.0409)", " ", 1},
    {"acc 51.35%", "  ", 4},      {"0:01<0:03", "  ", 0}};
enum { N = sizeof FIELDS / sizeof FIELDS[0] };
#define FULL "epoch 3/10 [############........]  9/16   4567 samples/s  loss 1.6422±0.0409 (ce 1.6012 kl 0.0409)  acc 51.35%  0:01<0:03"

static int fit(char *out, int width) { return rd_progress_fit(out, 512, FIELDS, N, 0.6, width); }

Test(progress, a_wide_terminal_shows_every_field_and_a_full_bar) {
    char line[512];
    int cols = fit(line, 199);
    cr_assert_str_eq(line, FULL);
    cr_assert_eq(cols, rd_text_columns(FULL));
    cr_assert_eq(rd_text_columns("±"), 1, "± is one column, two bytes");
}

Test(progress, eighty_columns_drop_the_loss_parts_and_the_speed_first) {
    char line[512];
    int cols = fit(line, 79);
    cr_assert_leq(cols, 79);
    cr_assert_str_eq(line, "epoch 3/10 [##########.......]  9/16  loss 1.6422±0.0409  acc 51.35%  0:01<0:03"); /* 79 */
    cr_assert_eq(cols, 79);
}

Test(progress, narrower_the_bar_then_the_accuracy_go) {
    char line[512];
    fit(line, 60);
    cr_assert_str_eq(line, "epoch 3/10  9/16  loss 1.6422±0.0409  acc 51.35%  0:01<0:03");
    fit(line, 50);
    cr_assert_str_eq(line, "epoch 3/10  9/16  loss 1.6422±0.0409  0:01<0:03");
}

Test(progress, too_narrow_for_the_essentials_cuts_the_line) {
    char line[512];
    cr_assert_eq(fit(line, 30), 30);
    cr_assert_str_eq(line, "epoch 3/10  9/16  loss 1.6422±"); /* ± whole: 30 columns, 31 bytes */
    cr_assert_eq(fit(line, 0), 0);
    cr_assert_str_eq(line, "");
}

/* At every width: within it; and a field of rank r shows only if every
 * field of higher rank (dropped later) shows too. */
Test(progress, every_width_fits_and_drops_in_rank_order) {
    const char *marks[] = {"[", "samples/s", "(ce", "acc"};
    const int rank[] = {3, 2, 1, 4};
    for (int w = 1; w <= 200; w++) {
        char line[512];
        int cols = fit(line, w);
        cr_assert_leq(cols, w, "width %d: %d columns", w, cols);
        cr_assert_eq(cols, rd_text_columns(line), "width %d", w);
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                if (rank[a] < rank[b] && strstr(line, marks[a]))
                    cr_assert(strstr(line, marks[b]), "width %d: %s shown without %s: %s", w, marks[a], marks[b],
                              line);
        const char *bar = strchr(line, '[');
        if (bar) {
            int len = (int)(strchr(bar, ']') - bar) - 1;
            cr_assert(len >= RD_BAR_MIN && len <= RD_BAR_MAX, "width %d: bar of %d", w, len);
        }
    }
}

Test(progress, numbers_switch_to_exponents_when_huge_or_tiny) {
    char b[64];
    const struct {
        double v;
        int decimals;
        const char *want;
    } cases[] = {{2.2e27, 4, "2.2e+27"},  {-3.5e6, 4, "-3.5e+06"}, {1.6422, 4, "1.6422"},
                 {999999, 0, "999999"},   {0, 4, "0.0000"},        {4.2e-5, 4, "4.2e-05"},
                 {1e-4, 4, "0.0001"},     {12345.678, 0, "12346"}, {INFINITY, 4, "inf"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rd_format_number(b, sizeof b, cases[i].v, cases[i].decimals);
        cr_assert_str_eq(b, cases[i].want, "%g", cases[i].v);
    }
    rd_format_number(b, sizeof b, NAN, 4);
    cr_assert(strstr(b, "nan"), "%s", b);
}

Test(progress, width_from_columns_when_not_a_terminal) {
    int fd = open("/dev/null", O_RDONLY);
    cr_assert_geq(fd, 0);
    setenv("COLUMNS", "123", 1);
    cr_assert_eq(rd_terminal_width(fd), 123);
    setenv("COLUMNS", "12x", 1);
    cr_assert_eq(rd_terminal_width(fd), 80);
    setenv("COLUMNS", "-5", 1);
    cr_assert_eq(rd_terminal_width(fd), 80);
    unsetenv("COLUMNS");
    cr_assert_eq(rd_terminal_width(fd), 80);
    close(fd);
}
