/*
 * Running a sweep (sweep.h) on a session: one part per load (run/multirun.h),
 * each a full result with --repeat runs of its own and, with --reference
 * or --compare-linear, its own interleaved reference; the document's
 * results.steps, results.knee (and each run's), and the text summary.
 */
#ifndef DMRB_SWEEP_RUN_H
#define DMRB_SWEEP_RUN_H

#include <jansson.h>
#include <stdio.h>

#include "engine/job.h"
#include "run/multirun.h"
#include "run/session.h"
#include "run/sweep.h"

struct sweep_run {
	struct session *s;
	const struct sweep_plan *plan;
	struct stream_spec st[SWEEP_MAX_STEPS];
	struct run_part parts[SWEEP_MAX_STEPS];
	struct run_result total;
	bool ran;                    /* multirun was called: parts and total to free */
	struct sweep_knee knee;      /* of the merged steps */
	bool have_knee;
};

/*
 * Run the plan's steps on the open session s. Returns 0 (look at
 * sr->total for signals and errors) or an exit status. sweep_free always.
 */
int sweep_run(struct sweep_run *sr, struct session *s, const struct sweep_plan *plan);
/* The document's results (steps and knee) and its "sweep" node. */
json_t *sweep_results_json(struct sweep_run *sr);
json_t *sweep_node_json(const struct sweep_run *sr);
/* The sweep's params beside the run options'. */
void sweep_params(const struct sweep_plan *plan, const char *slo_spec, json_t *params);
/* The text summary (session_emit's print callback; arg is the sweep_run). */
void sweep_print(FILE *f, void *arg);
void sweep_free(struct sweep_run *sr);

#endif
