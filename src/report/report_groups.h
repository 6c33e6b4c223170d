/* report.md's part across the groups of a grouped study (rdrop compare
 * --group), and its figure of the gains against the training-set size.
 * Internal to src/report/. */
#ifndef RDROP_REPORT_GROUPS_H
#define RDROP_REPORT_GROUPS_H
#include <stdio.h>

#include "rdrop/report.h"

/* A p-value as the reports print it: three decimals, four below 0.01,
 * scientific below 1e-4, "n/a" for NaN. Writes buf and returns it. */
const char *rd_p_text(double p, char *buf, size_t n);

/* Are the groups sizes? Every run of a group trains on one number of
 * samples, and no two groups on the same number: then tables name a group
 * by its size, and the report draws the trend and size.png. */
int rd_groups_by_size(const rd_report *rep);

/* "## Across the groups" and "## Conclusion": every comparison at every
 * group (final test error paired by seed within the group), Holm-adjusted
 * across the groups, one family per comparison; holm[k * n_groups + g]
 * receives comparison k's adjusted p at group g. When the groups train on
 * different numbers of samples: the trend of each comparison against
 * log10 of that number, and test_kl against the baseline. */
void rd_groups_section(FILE *f, const rd_report *rep, const rd_comparison *cmp, int m, int primary, double *holm);

/* size.png: the comparisons with the baseline against the training-set
 * size (log axis), final test error and test_kl, mean and 95% CI per size. */
rd_status rd_groups_png(const char *path, const rd_report *rep, const rd_comparison *cmp, int m, rd_error *err);

#endif
