/*
 * The statistics of a comparison's rows and the gate (compare.h says the
 * method). Internal to src/compare/.
 */
#ifndef DMRB_COMPARE_ROWS_H
#define DMRB_COMPARE_ROWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "compare/compare.h"

/* The row's change, interval, test and detectable change; no verdict yet. */
void rows_compute(struct compare_row *row, const struct compare_cfg *cfg);

/*
 * Mark the rows that gate: cfg->gate's items, or the default set. -1 with
 * one line in err when an item of --gate names no row.
 */
int rows_mark_gate(struct comparison *c, char *err, size_t elen);

/* Adjust the gate's p-values together (Holm), then every row's verdict and the counts. */
void rows_decide(struct comparison *c);

/* Whether a group gets a verdict of its own: all, each device, each host (and its devices). */
bool rows_group_has_verdict(const char *group);
/*
 * The verdict of each such group, in the order of the rows:
 * [{"group", "verdict": "pass"|"regression", "gate_metrics",
 *   "gate_regressions", "untested"}]; a group regresses when one of its
 * gating metrics does.
 */
json_t *rows_group_verdicts(const struct comparison *c);

#endif
