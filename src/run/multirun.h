/*
 * Several engine runs in a row on one target: the phases of `workload
 * mixed`, the steps of `scale`. Each part keeps its own result; the total
 * adds them up. A stop signal, the error limit, or I/O abandoned by the
 * hard stop ends the sequence.
 */
#ifndef DMRB_MULTIRUN_H
#define DMRB_MULTIRUN_H

#include "engine/job.h"
#include "result/result.h"
#include "run/session.h"

struct run_part {
	char name[48];
	struct job job;
	struct run_result res;
	bool ran;
};

/*
 * Run parts[0..n) in order into their res and into total (initialised
 * here with no streams). Returns 0, or an exit status if a part could not
 * start. Parts after a stop are left with ran == false.
 */
int multirun(struct session *s, struct run_part *parts, unsigned n, struct run_result *total);
void multirun_free(struct run_part *parts, unsigned n, struct run_result *total);

#endif
