/*
 * Running job files: the streams of one or more parsed job files (the
 * phases of `workload mixed`, or one file for `run` and `workload --job`)
 * over the session's target, and the result document. The commands parse
 * their options, load the files and call jobrun_execute().
 */
#ifndef DMRB_JOBRUN_H
#define DMRB_JOBRUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli/runopts.h"
#include "jobs/jobfile.h"

struct jobrun_part {
	char name[48];
	struct jobfile *jf;
	struct jobfile_overrides ov;
	uint64_t duration_ns;        /* 0: the run's --duration */
	bool no_ramp;                /* a later phase: the ramp was the first's */
};

struct jobrun {
	const char *command;         /* "run", "workload" */
	struct jobrun_part *parts;
	unsigned nparts;
	json_t *params;              /* the command's own parameters; jobrun adds "streams" */
	char title[512];             /* the summary's first line */
};

/* Every block size the parts use, for session_open's checks; returns how many. */
unsigned jobrun_block_sizes(const struct jobrun *jr, uint32_t *out, unsigned max);

/*
 * Open the target, run the parts in order, write the result; returns the
 * exit status. Takes ro's --rate-iops as a cap shared by every stream in
 * proportion to its workers. jr->params is consumed.
 */
int jobrun_execute(struct jobrun *jr, struct run_opts *ro);

/*
 * The settings of a job file that the command line did not set: the target
 * (filename), the duration (runtime), the ramp and the engine. A file
 * that is not time_based runs each worker over its region once; its
 * runtime, or --duration, then only caps the run.
 */
void jobrun_apply_file(const struct jobfile *jf, struct run_opts *ro);

#endif
