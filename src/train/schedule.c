#include "rdrop/schedule.h"

#include <math.h>

const char *rd_schedule_name(rd_schedule_kind k) {
    return k == RD_SCHED_CONSTANT ? "constant" : k == RD_SCHED_STEP ? "step" : "cosine";
}

float rd_schedule_lr(const rd_schedule *s, long long step) {
    long long warm = (long long)s->warmup_epochs * s->steps_per_epoch;
    if (step < warm) return s->lr * (float)(step + 1) / (float)warm;
    if (s->kind == RD_SCHED_STEP)
        return s->lr * powf(s->gamma, (float)(step / s->steps_per_epoch / s->step_size));
    if (s->kind == RD_SCHED_COSINE) {
        long long total = (long long)s->epochs * s->steps_per_epoch - warm;
        double t = total > 0 ? (double)(step - warm) / (double)total : 1.0;
        if (t > 1.0) t = 1.0;
        return s->min_lr + (s->lr - s->min_lr) * (float)(0.5 * (1.0 + cos(3.14159265358979323846 * t)));
    }
    return s->lr;
}
