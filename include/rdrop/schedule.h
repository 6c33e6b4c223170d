/* Learning-rate schedules, evaluated per step: an optional linear warmup,
 * then constant, step decay (x gamma every step_size epochs) or cosine decay
 * from lr to min_lr over the remaining steps. */
#ifndef RDROP_SCHEDULE_H
#define RDROP_SCHEDULE_H

typedef enum { RD_SCHED_CONSTANT, RD_SCHED_STEP, RD_SCHED_COSINE } rd_schedule_kind;

typedef struct {
    rd_schedule_kind kind;
    float lr, min_lr, gamma;
    int step_size;     /* epochs, for RD_SCHED_STEP */
    int warmup_epochs;
    int epochs;
    long long steps_per_epoch;
} rd_schedule;

/* The learning rate for step (0-based, counted over the whole run). */
float rd_schedule_lr(const rd_schedule *s, long long step);
const char *rd_schedule_name(rd_schedule_kind k);

#endif
