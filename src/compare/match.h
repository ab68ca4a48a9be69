/*
 * What is compared with what (dmremap-bench-compare(1), "Parameters and
 * environment" and "What is compared"): the workload of a fio job against
 * that of another fio job or of a dmremap-bench run (rw, its read mix, bs,
 * I/Os in flight), and the directions and groups a baseline has that the
 * run lacks. The statistics of a compared metric are not here.
 */
#ifndef DMRB_COMPARE_MATCH_H
#define DMRB_COMPARE_MATCH_H

#include <jansson.h>
#include <stddef.h>

#include "compare/metrics.h"

struct comparison;

/* Directions a workload does (bits), or MATCH_DIRS_UNKNOWN. */
enum { MATCH_READ = 1, MATCH_WRITE = 2, MATCH_DIRS_UNKNOWN = -1 };

/*
 * When either side is fio: rw, its read mix (mixed modes), bs and the I/Os
 * in flight of both sides, each difference as a line "bs: baseline 4096,
 * run 8192" appended to out. A value one side lacks or that cannot be read
 * differs. Returns the count.
 */
unsigned match_fio_params(const struct metric_set *base, const struct metric_set *run,
			  json_t *out);

/* The directions the workload of s does, from its rw and read mix. */
int match_dirs(const struct metric_set *s, char *rw, size_t len);

/*
 * Before the rows are made: every direction and group of the baseline
 * must be in the run. A direction the run's workload does not do (another
 * rw) refuses the comparison; a direction the same workload did no I/O in
 * gets a run value of 0 for iops and bw (so it regresses). A group the run
 * lacks refuses unless allow_mismatch. 0, or -1 with the reason in err.
 */
int match_missing(struct comparison *c, char *err, size_t elen);

/* After: at least one throughput or latency metric was compared, else -1. */
int match_nothing_compared(const struct comparison *c, char *err, size_t elen);

#endif
