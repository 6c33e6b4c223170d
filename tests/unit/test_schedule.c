/* Learning-rate schedules, at the steps where each one is easy to work out
 * by hand: 10 steps per epoch throughout. */
#include <criterion/criterion.h>
#include <math.h>

#include "rdrop/schedule.h"

#define SPE 10 /* steps per epoch */

static rd_schedule make(rd_schedule_kind kind, int epochs, int warmup) {
    return (rd_schedule){.kind = kind, .lr = 0.1f, .min_lr = 0.001f, .gamma = 0.5f,
                         .step_size = 2, .warmup_epochs = warmup, .epochs = epochs,
                         .steps_per_epoch = SPE};
}

static void expect_lr(const rd_schedule *s, long long step, double want) {
    float got = rd_schedule_lr(s, step);
    cr_assert(fabs(got - want) <= 1e-6 * fabs(want), "%s, step %lld: lr %.9g, want %.9g",
              rd_schedule_name(s->kind), step, got, want);
}

Test(schedule, constant) {
    rd_schedule s = make(RD_SCHED_CONSTANT, 5, 0);
    for (long long step = 0; step < 5 * SPE; step++) expect_lr(&s, step, 0.1);
    expect_lr(&s, 1000000, 0.1); /* past the end too */
}

Test(schedule, step_decays_by_gamma_every_step_size_epochs) {
    rd_schedule s = make(RD_SCHED_STEP, 7, 0);
    expect_lr(&s, 0, 0.1);
    expect_lr(&s, 2 * SPE - 1, 0.1);   /* last step of epoch 2 */
    expect_lr(&s, 2 * SPE, 0.05);      /* first step of epoch 3 */
    expect_lr(&s, 4 * SPE - 1, 0.05);
    expect_lr(&s, 4 * SPE, 0.025);
    expect_lr(&s, 6 * SPE + 5, 0.0125); /* inside epoch 7 */
}

Test(schedule, cosine_from_lr_through_the_midpoint_to_min_lr) {
    rd_schedule s = make(RD_SCHED_COSINE, 10, 0);
    const long long total = 10 * SPE;
    expect_lr(&s, 0, 0.1);
    expect_lr(&s, total / 2, (0.1 + 0.001) / 2); /* cos(pi/2) = 0 */
    /* a quarter of the way: min + (lr - min) (1 + cos(pi/4)) / 2 */
    expect_lr(&s, total / 4, 0.001 + 0.099 * (1 + cos(acos(-1.0) / 4)) / 2);
    expect_lr(&s, total, 0.001);
    expect_lr(&s, total + 50, 0.001); /* held at min_lr past the end */
    float prev = rd_schedule_lr(&s, 0);
    for (long long step = 1; step <= total; step++) {
        float lr = rd_schedule_lr(&s, step);
        cr_assert(lr <= prev, "cosine rose at step %lld: %g > %g", step, lr, prev);
        cr_assert(lr >= 0.001f, "cosine fell below min_lr at step %lld: %g", step, lr);
        prev = lr;
    }
}

Test(schedule, linear_warmup_ramps_over_the_first_steps) {
    rd_schedule s = make(RD_SCHED_CONSTANT, 5, 2);
    const long long warm = 2 * SPE;
    /* step k of the warmup uses lr (k + 1) / warm: never 0, lr at its end */
    expect_lr(&s, 0, 0.1 / 20);
    expect_lr(&s, 9, 0.1 * 10 / 20);
    expect_lr(&s, warm - 1, 0.1);
    expect_lr(&s, warm, 0.1);
    for (long long step = 1; step < warm; step++)
        cr_assert(rd_schedule_lr(&s, step) > rd_schedule_lr(&s, step - 1), "step %lld", step);
}

Test(schedule, warmup_then_cosine_over_the_remaining_steps) {
    rd_schedule s = make(RD_SCHED_COSINE, 6, 2);
    const long long warm = 2 * SPE, rest = 4 * SPE;
    expect_lr(&s, 0, 0.1 / 20);
    expect_lr(&s, warm - 1, 0.1);
    expect_lr(&s, warm, 0.1);                      /* cosine starts at lr */
    expect_lr(&s, warm + rest / 2, (0.1 + 0.001) / 2); /* and its midpoint */
    expect_lr(&s, warm + rest, 0.001);
}

Test(schedule, names) {
    cr_assert_str_eq(rd_schedule_name(RD_SCHED_CONSTANT), "constant");
    cr_assert_str_eq(rd_schedule_name(RD_SCHED_STEP), "step");
    cr_assert_str_eq(rd_schedule_name(RD_SCHED_COSINE), "cosine");
}
