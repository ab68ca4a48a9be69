/*
 * The endurance run (dmremap-bench-endurance(1)): one steady stream for up
 * to a day, its interval series written as it goes (run/series.h), its
 * drift tested at the end (stats/drift.h), steady state detected on the way
 * (run/steadystate.h), and a live view for machines (run/live.h).
 *
 * With -o FILE --output-format json and FILE a regular file, the main
 * document is written at the start (params, target, environment,
 * "complete": false, "intervals_file") and once more at the end; the
 * series goes to FILE.intervals.jsonl line by line. Nothing is rewritten
 * per interval, so what the run writes grows linearly with its length.
 */
#ifndef DMRB_ENDURANCE_H
#define DMRB_ENDURANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/runopts.h"
#include "run/steadystate.h"

struct endurance_opts {
	int intensity;                /* index into intensity_levels */
	struct run_opts ro;
	bool steady;                  /* --steady-state */
	struct ss_rule ss;
	bool steady_stop;             /* --steady-state-stop */
	bool max_drift_set;           /* --max-drift */
	double max_drift_pct;
	uint64_t status_ns;           /* --status-interval; 0: none */
	const char *metrics_file;     /* --metrics-file */
};

/* Run it and emit the result; the exit status. */
int endurance_run(struct endurance_opts *o);

#endif
